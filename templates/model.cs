<?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/">Dashboard</a> / <?cs var:Model.environment ?></p>
    <h1><?cs var:Model.name ?></h1>
  </div>
  <div class="summary">
    <?cs if:Model.enabled ?><?cs call:pill("ok", "enabled") ?><?cs else ?><?cs call:pill("none", "disabled") ?><?cs /if ?>
    <?cs call:source(Model.source) ?>
  </div>
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
