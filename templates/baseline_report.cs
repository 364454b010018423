<?cs # baseline_report.cs: the active baselines with a latency histogram per model,
     written by `llmwatch baseline report` in print_layout.cs. ?><?cs def:content() ?>
<section class="report">
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
<?cs /def ?>
