<?cs def:content() ?>
<section class="baseline-report">
  <h1>Baseline Performance</h1>
  <p class="meta">Generated <?cs var:Report.generated ?> &middot; <?cs var:Report.count ?> active baseline<?cs if:Report.count != 1 ?>s<?cs /if ?></p>
  <?cs if:Report.count == 0 ?>
  <p class="empty">No active baseline yet: run <code>llmwatch baseline create --iterations 10 --test-suite comprehensive</code>.</p>
  <?cs else ?>
  <div class="scroll">
  <table class="baselines">
    <thead>
      <tr>
        <th scope="col">Model</th><th scope="col">Suite</th>
        <th scope="col" class="num">Average latency</th><th scope="col" class="num">P95 latency</th>
        <th scope="col" class="num">TTFT mean / p95</th><th scope="col" class="num">Success rate</th>
        <th scope="col" class="num">Tokens/s</th><th scope="col" class="num">Cost / 1K tokens</th>
        <th scope="col" class="num">Quality</th><th scope="col" class="num">Samples</th>
      </tr>
    </thead>
    <tbody>
    <?cs each:b = Baselines ?>
      <tr>
        <th scope="row"><?cs var:b.model ?><span class="sub"><?cs var:b.environment ?> &middot; <?cs var:b.created ?></span></th>
        <td class="suite"><?cs var:b.suite ?></td>
        <td class="num"><?cs var:b.latency_mean ?> <span class="sd">(<?cs var:b.latency_stddev ?>)</span></td>
        <td class="num"><?cs var:b.latency_p95 ?></td>
        <td class="num"><?cs var:b.ttft_mean ?> / <?cs var:b.ttft_p95 ?></td>
        <td class="num"><?cs var:b.success_rate ?></td>
        <td class="num"><?cs var:b.tokens_per_second ?></td>
        <td class="num"><?cs var:b.cost_per_1k ?></td>
        <td class="num"><?cs var:b.quality ?></td>
        <td class="num"><?cs var:b.samples ?><span class="sub"><?cs var:b.iterations ?> rounds</span></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <p class="note">Latencies are over successful requests, from the request sent to the last byte;
  TTFT is the time to the first non-empty content. Tokens/s is the decode rate,
  (output tokens &minus; 1) / (total &minus; TTFT). Cost per 1K tokens counts input and output
  tokens at the configured prices.</p>
  <h2>Latency distribution</h2>
  <?cs each:b = Baselines ?>
  <figure class="chart">
    <?cs uvar:b.chart ?>
    <figcaption><?cs var:b.model ?> (<?cs var:b.environment ?>): <?cs var:b.samples ?> requests, mean <?cs var:b.latency_mean ?>, p95 <?cs var:b.latency_p95 ?></figcaption>
  </figure>
  <?cs /each ?>
  <?cs /if ?>
</section>
<?cs /def ?><?cs if:Standalone ?><!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Baseline Performance &middot; llmwatch</title>
<style>
  body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
         color: #1d1d1f; background: #f7f7f8; margin: 0; padding: 24px; }
  .baseline-report { max-width: 1200px; margin: 0 auto; background: #fff; padding: 24px 32px;
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
  @media print { body { background: #fff; padding: 0; } .baseline-report { border: 0; } }
</style>
</head>
<body>
<?cs call:content() ?>
</body>
</html>
<?cs /if ?>
