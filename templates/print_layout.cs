<?cs # print_layout.cs: the layout of the documents written to files rather
     than serves (reports, SLA evidence, `llmwatch baseline report`): one
     standalone HTML page with its own CSS and no outside resource, around
     the page's content() macro, that reads on screen and prints on A4
     (WeasyPrint): the h1 and the .period line head every page; the footer
     (page X of Y, the SHA-256 of this HTML) comes from a stylesheet given
     apart when the PDF is made, so it is not part of the hashed bytes.
     Page.title names it. ?><!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:Page.title ?> &middot; llmwatch</title>
<style>
  body { font-family: "DejaVu Sans", -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
         color: #1d1d1f; background: #f7f7f8; margin: 0; padding: 24px; line-height: 1.4; }
  .report { max-width: 1100px; margin: 0 auto; background: #fff; padding: 24px 32px;
            border: 1px solid #e3e3e6; border-radius: 8px; }
  h1 { font-size: 24px; margin: 0 0 4px; string-set: doc-title content(); }
  h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #0072B2; }
  h3 { font-size: 15px; margin: 18px 0 6px; }
  .period { string-set: doc-period content(); }
  .meta, .note, figcaption, .sd, .muted { color: #5f6368; }
  .meta { margin: 0 0 16px; }
  .note { font-size: 13px; }
  .scroll { overflow-x: auto; }
  code { background: #f1f3f4; padding: 1px 4px; border-radius: 3px; font-size: 0.92em; word-break: break-all; }
  table.baselines, table.data { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0 12px; }
  table.baselines tbody th, table.baselines td.suite, table.data th { white-space: nowrap; }
  .sub { display: block; font-size: 12px; font-weight: normal; color: #5f6368; white-space: normal; }
  table.baselines th, table.baselines td, table.data th, table.data td {
      padding: 5px 7px; border-bottom: 1px solid #e3e3e6; text-align: left; vertical-align: top; }
  table.baselines thead th, table.data thead th { background: #f1f3f4; font-weight: 600; }
  table.baselines .num, table.data .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  table.data tfoot td { font-weight: 600; border-top: 2px solid #c4c7c5; }
  figure.chart { margin: 12px 0 20px; }
  figure.chart svg { max-width: 100%; height: auto; }
  figcaption { font-size: 13px; margin-top: 4px; }
  .kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 14px; }
  .kpi { flex: 1 1 150px; border: 1px solid #e3e3e6; border-radius: 6px; padding: 8px 10px; }
  .kpi .label { font-size: 12px; color: #5f6368; }
  .kpi .value { font-size: 20px; font-weight: 700; }
  .kpi .delta { font-size: 12px; }
  .better { color: #0b7a4b; } .worse { color: #b00020; } .same { color: #5f6368; }
  .pill { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600;
          border: 1px solid #c4c7c5; white-space: nowrap; }
  .pill-ok { background: #e6f4ea; color: #0b5d36; border-color: #a8dab5; }
  .pill-warn { background: #fef7e0; color: #7a4f01; border-color: #f9d67a; }
  .pill-crit { background: #fce8e6; color: #8c1d18; border-color: #f5b5ae; }
  .pill-none { background: #f1f3f4; color: #3c4043; }
  ul.findings { list-style: none; padding: 0; margin: 6px 0 12px; }
  ul.findings li { padding: 4px 0 4px 26px; position: relative; }
  ul.findings li::before { position: absolute; left: 0; top: 4px; font-weight: 700; }
  ul.findings li.ok::before { content: "\2714"; color: #0b7a4b; }
  ul.findings li.warn::before { content: "\26A0"; color: #b06000; }
  ul.findings li.crit::before { content: "\2716"; color: #b00020; }
  ul.findings li.info::before { content: "\2139"; color: #0072B2; }
  ol.recs li { margin: 4px 0; }
  .rule { font-size: 12px; color: #5f6368; white-space: nowrap; }
  .nowrap { white-space: nowrap; }
  .commentary { border-left: 3px solid #0072B2; padding: 2px 12px; margin: 12px 0; background: #f8fafd; }
  @page { size: A4; margin: 17mm 13mm 18mm 13mm;
          @top-left { content: string(doc-title); font-size: 8pt; color: #5f6368;
                      font-family: "DejaVu Sans", sans-serif; }
          @top-right { content: string(doc-period); font-size: 8pt; color: #5f6368;
                       font-family: "DejaVu Sans", sans-serif; } }
  @media print {
    body { background: #fff; padding: 0; font-size: 10pt; }
    .report { border: 0; padding: 0; max-width: none; }
    h1 { font-size: 19pt; }
    h2 { font-size: 13.5pt; break-after: avoid; }
    h3 { break-after: avoid; }
    table.baselines, table.data { font-size: 8.5pt; }
    table.baselines th, table.baselines td, table.data th, table.data td { padding: 3px 5px; }
    thead { display: table-header-group; }
    tr, figure, .kpi, ul.findings li { break-inside: avoid; }
    .kpi .value { font-size: 15pt; }
    .scroll { overflow: visible; }
  }
</style>
</head>
<body>
<?cs call:content() ?>
</body>
</html>
