<?cs # print_layout.cs: the layout of the documents the worker writes to a file
     (`llmwatch baseline report`): one standalone HTML document with its
     own print-friendly CSS and no external resource, around the page's
     content() macro. Page.title names it. ?><!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:Page.title ?> &middot; llmwatch</title>
<style>
  body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
         color: #1d1d1f; background: #f7f7f8; margin: 0; padding: 24px; }
  .report { max-width: 1200px; margin: 0 auto; background: #fff; padding: 24px 32px;
            border: 1px solid #e3e3e6; border-radius: 8px; }
  h1 { font-size: 24px; margin: 0 0 4px; }
  h2 { font-size: 18px; margin: 32px 0 8px; }
  .meta, .note, figcaption, .sd { color: #5f6368; }
  .meta { margin: 0 0 20px; }
  .note { font-size: 13px; }
  .scroll { overflow-x: auto; }
  table.baselines { border-collapse: collapse; width: 100%; font-size: 14px; }
  table.baselines tbody th, table.baselines td.suite { white-space: nowrap; }
  .sub { display: block; font-size: 12px; font-weight: normal; color: #5f6368; white-space: normal; }
  table.baselines th, table.baselines td { padding: 6px 8px; border-bottom: 1px solid #e3e3e6;
                                           text-align: left; vertical-align: top; }
  table.baselines thead th { background: #f1f3f4; font-weight: 600; }
  table.baselines .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  figure.chart { margin: 16px 0 24px; }
  figure.chart svg { max-width: 100%; height: auto; }
  figcaption { font-size: 13px; margin-top: 4px; }
  code { background: #f1f3f4; padding: 1px 4px; border-radius: 3px; }
  @media print { body { background: #fff; padding: 0; } .report { border: 0; } }
</style>
</head>
<body>
<?cs call:content() ?>
</body>
</html>
