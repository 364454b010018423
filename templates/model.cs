<?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/">Dashboard</a> / <?cs var:Model.environment ?></p>
    <h1><span class="swatch swatch-<?cs var:Model.colour ?>" aria-hidden="true"></span><?cs var:Model.name ?></h1>
  </div>
  <div class="summary" id="model-health">
    <?cs call:pill(Model.health_css, Model.health) ?>
    <span class="muted small"><?cs if:Model.firing > 0 ?><a href="/alerts?state=firing&amp;model=<?cs var:url_escape(Model.name) ?>"><?cs var:Model.health_why ?></a><?cs else ?><?cs var:Model.health_why ?><?cs /if ?></span>
    <?cs if:Model.enabled ?><?cs call:pill("ok", "enabled") ?><?cs else ?><?cs call:pill("none", "disabled") ?><?cs /if ?>
    <?cs call:source(Model.source) ?>
    <a class="btn" id="export-link" href="/export?model=<?cs var:Model.id ?>&amp;<?cs if:Range.key == "custom" ?>from=<?cs var:url_escape(Range.from_input) ?>&amp;to=<?cs var:url_escape(Range.to_input) ?><?cs else ?>range=<?cs var:Range.key ?><?cs /if ?>&amp;format=csv" download>Download CSV</a>
  </div>
</div>
<div class="toolbar">
  <nav class="range-picker" aria-label="Time range"><?cs each:x = Ranges ?><a href="/models/<?cs var:Model.id ?>?range=<?cs var:x.key ?><?cs if:Refresh.seconds == 0 ?>&amp;refresh=off<?cs /if ?>"<?cs if:x.key == Range.key ?> class="active" aria-current="true"<?cs /if ?> title="last <?cs var:x.label ?>"><?cs var:x.key ?></a><?cs /each ?></nav>
  <form class="range-form" method="get" action="/models/<?cs var:Model.id ?>" aria-label="Custom range (UTC)">
    <label>From <input type="datetime-local" name="from" value="<?cs var:Range.from_input ?>" required></label>
    <label>to <input type="datetime-local" name="to" value="<?cs var:Range.to_input ?>" required></label>
    <button type="submit" class="btn">Show</button>
  </form>
  <span class="hint updated">Updated <?cs var:Page.updated ?><?cs if:Refresh.seconds > 0 ?> &middot; refreshes every <?cs var:Refresh.seconds ?> s (<a href="/models/<?cs var:Model.id ?>?range=<?cs var:Range.key ?>&amp;refresh=off">stop</a>)<?cs elif:Range.key != "custom" ?> &middot; <a href="/models/<?cs var:Model.id ?>?range=<?cs var:Range.key ?>">refresh every 60 s</a><?cs /if ?></span>
</div>
<section class="card" id="range-stats">
  <h2><?cs var:Range.title ?></h2>
  <?cs if:Totals.count > 0 ?>
  <dl class="stat-grid">
    <div><dt>Probes</dt><dd><?cs var:Totals.count ?></dd></div>
    <div><dt>Success</dt><dd><?cs var:Totals.success_pct ?>%<?cs if:Delta.success ?><span class="delta <?cs var:Delta.success_class ?>"><?cs var:Delta.success ?></span><?cs /if ?></dd></div>
    <div><dt>p50 total</dt><dd><?cs call:dash(Totals.p50_ms_h) ?></dd></div>
    <div><dt>p95 total</dt><dd<?cs if:Model.sla_target_ms ?><?cs if:Totals.latency_ok ?> class="ok-text"<?cs else ?> class="crit-text"<?cs /if ?><?cs /if ?>><?cs call:dash(Totals.p95_ms_h) ?><?cs if:Delta.p95 ?><span class="delta <?cs var:Delta.p95_class ?>"><?cs var:Delta.p95 ?></span><?cs /if ?></dd></div>
    <div><dt>p99 total</dt><dd><?cs call:dash(Totals.p99_ms_h) ?></dd></div>
    <div><dt>Mean total</dt><dd><?cs call:dash(Totals.avg_ms_h) ?><?cs if:Delta.avg ?><span class="delta <?cs var:Delta.avg_class ?>"><?cs var:Delta.avg ?></span><?cs /if ?></dd></div>
    <div><dt>p50 TTFT</dt><dd><?cs call:dash(Totals.ttft_p50_ms_h) ?></dd></div>
    <div><dt>Tokens/s</dt><dd><?cs call:dash(Totals.tps) ?><?cs if:Delta.tps ?><span class="delta <?cs var:Delta.tps_class ?>"><?cs var:Delta.tps ?></span><?cs /if ?></dd></div>
    <div><dt>Quality</dt><dd><?cs call:dash(Totals.quality) ?><?cs if:Delta.quality ?><span class="delta <?cs var:Delta.quality_class ?>"><?cs var:Delta.quality ?></span><?cs /if ?></dd></div>
    <div><dt>Cost</dt><dd>$<?cs var:Totals.cost ?></dd></div>
    <div><dt>SLA</dt><dd><?cs if:Totals.compliance == "pass" ?><?cs call:pill("ok", "PASS") ?><?cs elif:Totals.compliance == "fail" ?><?cs call:pill("crit", "FAIL") ?><?cs else ?><span title="a verdict needs at least 10 probes"><?cs call:pill("none", Totals.compliance) ?></span><?cs /if ?></dd></div>
  </dl>
  <?cs else ?>
  <?cs call:empty("No probe in this range.") ?>
  <?cs /if ?>
</section>
<div class="chart-grid">
  <figure class="card chart-card" id="chart-latency"><?cs uvar:Charts.latency ?>
    <figcaption class="hint">Percentiles per step from the latency histogram (within 4.4%).<?cs if:?Baseline.id ?> Baseline: mean <?cs call:dash(Baseline.latency_mean_ms_h) ?>, p95 <?cs call:dash(Baseline.latency_p95_ms_h) ?>.<?cs /if ?></figcaption></figure>
  <figure class="card chart-card" id="chart-errors"><?cs uvar:Charts.errors ?></figure>
  <figure class="card chart-card" id="chart-tps"><?cs uvar:Charts.tps ?></figure>
  <figure class="card chart-card" id="chart-quality"><?cs uvar:Charts.quality ?></figure>
  <?cs each:c = Custom ?><figure class="card chart-card" id="chart-custom-<?cs var:c.name ?>"><?cs uvar:c.chart ?>
    <figcaption class="hint">Custom metric <code><?cs var:c.name ?></code>: <?cs var:c.values ?> values<?cs if:c.mean ?>, mean <?cs var:c.mean ?><?cs /if ?><?cs if:c.failed > 0 ?>; <?cs var:c.failed ?> scorer runs failed<?cs /if ?> (hourly rollups; usable in rules as custom.<?cs var:c.name ?>).</figcaption></figure><?cs /each ?>
</div>
<div class="grid-2">
  <figure class="card chart-card" id="chart-hist"><?cs uvar:Charts.hist ?>
    <figcaption class="hint"><?cs if:Charts.hist_note ?><?cs var:Charts.hist_note ?> <?cs /if ?><?cs if:?Totals.p95_ms ?>p50 <?cs var:Totals.p50_ms_h ?>, p95 <?cs var:Totals.p95_ms_h ?>, p99 <?cs var:Totals.p99_ms_h ?><?cs if:?Baseline.latency_p95_ms ?>; baseline p95 <?cs var:Baseline.latency_p95_ms_h ?><?cs /if ?><?cs if:Model.sla_target_ms ?>; SLA target <?cs var:Model.sla_target_ms_h ?><?cs /if ?>.<?cs /if ?></figcaption></figure>
  <section class="card" id="baseline">
    <h2>Baseline</h2>
    <?cs if:?Baseline.id ?>
    <table class="table">
      <thead><tr><th></th><th class="num">Baseline</th><th class="num"><?cs var:Range.title ?></th><th class="num">Change</th></tr></thead>
      <tbody>
        <tr><td>Mean total latency</td><td class="num"><?cs call:dash(Baseline.latency_mean_ms_h) ?><?cs if:?Baseline.latency_stddev_ms ?> <span class="muted small">&plusmn; <?cs var:Baseline.latency_stddev_ms_h ?></span><?cs /if ?></td><td class="num"><?cs call:dash(Totals.avg_ms_h) ?></td><td class="num <?cs var:Delta.avg_class ?>-text"><?cs call:dash(Delta.avg) ?></td></tr>
        <tr><td>p95 total latency</td><td class="num"><?cs call:dash(Baseline.latency_p95_ms_h) ?></td><td class="num"><?cs call:dash(Totals.p95_ms_h) ?></td><td class="num <?cs var:Delta.p95_class ?>-text"><?cs call:dash(Delta.p95) ?></td></tr>
        <tr><td>Mean TTFT</td><td class="num"><?cs call:dash(Baseline.ttft_mean_ms_h) ?></td><td class="num"><?cs call:dash(Totals.ttft_avg_ms_h) ?></td><td></td></tr>
        <tr><td>Success rate</td><td class="num"><?cs if:?Baseline.success_pct ?><?cs var:Baseline.success_pct ?>%<?cs else ?>&mdash;<?cs /if ?></td><td class="num"><?cs if:?Totals.success_pct ?><?cs var:Totals.success_pct ?>%<?cs else ?>&mdash;<?cs /if ?></td><td class="num <?cs var:Delta.success_class ?>-text"><?cs call:dash(Delta.success) ?></td></tr>
        <tr><td>Decode tokens/s</td><td class="num"><?cs call:dash(Baseline.tps) ?></td><td class="num"><?cs call:dash(Totals.tps) ?></td><td class="num <?cs var:Delta.tps_class ?>-text"><?cs call:dash(Delta.tps) ?></td></tr>
        <tr><td>Quality score</td><td class="num"><?cs call:dash(Baseline.quality) ?></td><td class="num"><?cs call:dash(Totals.quality) ?></td><td class="num <?cs var:Delta.quality_class ?>-text"><?cs call:dash(Delta.quality) ?></td></tr>
      </tbody>
    </table>
    <p class="hint">Recorded <?cs var:Baseline.created ?> from <?cs var:Baseline.samples ?> samples (suite <?cs var:Baseline.suite ?>, <?cs var:Baseline.iterations ?> iterations). The latency chart draws its p95 as a line.</p>
    <?cs else ?>
    <?cs call:empty("No baseline yet: llmwatch baseline create records one.") ?>
    <?cs /if ?>
  </section>
</div>
<div class="grid-2">
  <section class="card">
    <h2>Settings</h2>
    <dl class="kv">
      <dt>Provider</dt><dd><?cs var:Model.provider ?></dd>
      <dt>Model</dt><dd><code><?cs var:Model.model ?></code></dd>
      <dt>Environment</dt><dd><?cs var:Model.environment ?></dd>
      <dt>Endpoint</dt><dd><?cs call:dash(Model.base_url) ?></dd>
      <dt>API key variable</dt><dd><?cs if:Model.api_key_env ?><code><?cs var:Model.api_key_env ?></code><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd>
      <dt>Priority</dt><dd><?cs var:Model.priority ?></dd>
      <dt>SLA target</dt><dd><?cs call:dash(Model.sla_target_ms_h) ?></dd>
      <dt>Timeout</dt><dd><?cs call:dash(Model.timeout_ms_h) ?></dd>
      <dt>Concurrency</dt><dd><?cs var:Model.max_concurrency ?></dd>
      <dt>Suite</dt><dd><?cs call:dash(Model.suite) ?></dd>
      <dt>Price in / out</dt><dd>$<?cs var:Model.price_input ?> / $<?cs var:Model.price_output ?> per 1M tokens</dd>
      <dt>Created</dt><dd><?cs var:Model.created ?></dd>
      <?cs if:Model.removed ?><dt>Removed</dt><dd><?cs var:Model.removed ?></dd><?cs /if ?>
    </dl>
  </section>
  <section class="card">
    <h2>Last hour</h2>
    <dl class="metrics metrics-big">
      <div><dt>Probes</dt><dd><?cs var:Model.hour_count ?></dd></div>
      <div><dt>Success</dt><dd><?cs if:Model.hour_count > 0 ?><?cs var:Model.hour_success_pct ?>%<?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd></div>
      <div><dt>p95 total</dt><dd><?cs call:dash(Model.hour_p95_ms_h) ?></dd></div>
    </dl>
  </section>
</div>
<?cs uvar:Streams.html ?>
<section class="card">
  <h2>Last 50 probes</h2>
  <?cs if:!subcount(Probes) ?>
  <?cs call:empty("No probe yet: this model has not been checked.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Time</th><th>Suite / case</th><th>Result</th><th>HTTP</th><th class="num">TTFT</th><th class="num">Total</th><th class="num">Tokens in/out</th><th class="num">Decode tok/s</th><th class="num">Cost $</th><th class="num">Quality</th></tr></thead>
    <tbody>
    <?cs each:p = Probes ?>
      <tr>
        <td class="nowrap"><?cs var:p.at ?></td>
        <td><?cs var:p.suite ?><?cs if:p.case_id ?> / <?cs var:p.case_id ?><?cs /if ?></td>
        <td><?cs call:probe_result(p.ok, p.error_class) ?><?cs if:p.error_message ?><div class="small muted"><?cs var:p.error_message ?></div><?cs /if ?></td>
        <td><?cs call:dash(p.http_status) ?></td>
        <td class="num"><?cs call:dash(p.ttft_ms_h) ?></td>
        <td class="num"><?cs call:dash(p.total_ms_h) ?></td>
        <td class="num"><?cs call:dash(p.input_tokens) ?> / <?cs call:dash(p.output_tokens) ?><?cs if:p.tokens_estimated ?> <abbr title="estimated from the text">est.</abbr><?cs /if ?></td>
        <td class="num"><?cs call:dash(p.tps) ?></td>
        <td class="num"><?cs call:dash(p.cost) ?></td>
        <td class="num"><?cs call:dash(p.quality) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
