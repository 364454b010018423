<?cs # costs.cs: the cost analysis, on /costs (site layout) and in the file of `llmwatch costs analyze --output` (print_layout): lib/costs_report.c fills Costs.*. ?><?cs def:breakdown(b, title, chart, keyname) ?><?cs if:subcount(b) ?>
<section class="card">
  <h2><?cs var:title ?></h2>
  <figure class="chart"><?cs uvar:chart ?></figure>
  <div class="table-wrap scroll">
  <table class="table baselines">
    <thead><tr><th><?cs var:keyname ?></th><th class="num">Probes</th><th class="num">Production</th><th class="num">Total</th><th class="num">Share</th><th class="num">Requests</th><th class="num">Tokens</th></tr></thead>
    <tbody>
    <?cs each:x = b ?><tr><td><?cs var:x.label ?></td><td class="num">$<?cs call:dash(x.probe_h) ?></td><td class="num">$<?cs call:dash(x.usage_h) ?></td><td class="num">$<?cs call:dash(x.total_h) ?></td><td class="num"><?cs call:dash(x.share) ?><?cs if:x.share ?>%<?cs /if ?></td><td class="num"><?cs call:dash(x.requests) ?></td><td class="num"><?cs call:dash(x.tokens) ?></td></tr><?cs /each ?>
    </tbody>
  </table>
  </div>
</section>
<?cs /if ?><?cs /def ?><?cs def:content() ?>
<?cs if:Costs.report ?><div class="report"><?cs /if ?>
<div class="page-head"><h1>Costs<?cs if:Costs.environment ?> &middot; <?cs var:Costs.environment ?><?cs /if ?></h1>
<?cs if:!Costs.report ?><nav class="range-picker" aria-label="Time range"><?cs each:x = Ranges ?><a href="/costs?range=<?cs var:x.key ?><?cs if:Env.chosen ?>&amp;env=<?cs var:url_escape(Env.chosen) ?><?cs /if ?>"<?cs if:x.key == Range.key ?> class="active" aria-current="true"<?cs /if ?> title="last <?cs var:x.label ?>"><?cs var:x.key ?></a><?cs /each ?></nav><?cs call:env_selector() ?><?cs /if ?></div>
<p class="lead meta">Spend over the <?cs var:Costs.range ?>: probe costs and reported production usage, from the rollups; money is exact (cost per million tokens at the price of each request's time).</p>
<section class="card">
  <h2>Totals</h2>
  <div class="table-wrap scroll">
  <table class="table baselines">
    <thead><tr><th>Probes</th><th>Production</th><th>Total</th><th>Per day</th><th>Probe requests</th><th>Production requests</th></tr></thead>
    <tbody><tr><td>$<?cs call:dash(Costs.totals.probe_h) ?></td><td>$<?cs call:dash(Costs.totals.usage_h) ?></td><td><strong>$<?cs call:dash(Costs.totals.total_h) ?></strong></td><td>$<?cs call:dash(Costs.totals.daily_h) ?></td><td><?cs call:dash(Costs.totals.probes) ?></td><td><?cs call:dash(Costs.totals.requests) ?></td></tr></tbody>
  </table>
  </div>
</section>
<?cs call:breakdown(Costs.by_model, Costs.by_model_title, Costs.by_model_chart, "Model") ?>
<?cs call:breakdown(Costs.by_hour, Costs.by_hour_title, Costs.by_hour_chart, "Hour (UTC)") ?>
<?cs call:breakdown(Costs.by_day, Costs.by_day_title, Costs.by_day_chart, "Day") ?>
<?cs if:Costs.look_for_savings ?>
<section class="card">
  <h2>Savings</h2>
  <?cs if:subcount(Costs.savings) ?>
  <p class="note">For each model with production usage in the last 30 days, the cheapest alternative of the same environment and test suite whose mean quality over <?cs var:Costs.quality_days ?> days is at least <?cs var:Costs.threshold ?> of its own and whose p95 latency meets the model's SLA target; the saving prices the model's real tokens of those 30 days at both models' current prices.</p>
  <div class="table-wrap scroll">
  <table class="table baselines">
    <thead><tr><th>Model</th><th>Alternative</th><th class="num">Quality</th><th class="num">p95 / SLA</th><th class="num">30 days now</th><th class="num">With the alternative</th><th class="num">Saving a month</th></tr></thead>
    <tbody>
    <?cs each:x = Costs.savings ?><tr><td><?cs var:x.model ?> <span class="sub"><?cs var:x.environment ?></span></td><td><strong><?cs var:x.alternative ?></strong></td><td class="num"><?cs var:x.alt_quality ?> vs <?cs var:x.quality ?> <span class="sub"><?cs var:x.ratio ?> &times;</span></td><td class="num"><?cs var:x.alt_p95_ms_h ?> / <?cs var:x.sla_target_ms_h ?></td><td class="num">$<?cs var:x.own_cost_h ?></td><td class="num">$<?cs var:x.alt_cost_h ?></td><td class="num"><strong>$<?cs var:x.saving_h ?></strong> <span class="sub"><?cs var:x.saving_pct ?>%</span></td></tr><?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs else ?><?cs call:empty("No cheaper model keeps the quality and the SLA of a model with production usage.") ?><?cs /if ?>
  <?cs if:Costs.probe_share >= 20 ?><p class="note">Probing is <?cs var:Costs.probe_share ?>% of the spend: a lower performance_checks frequency or a smaller suite costs less.</p><?cs /if ?>
</section>
<?cs /if ?>
<?cs if:subcount(Costs.custom) ?>
<section class="card" id="custom-metrics">
  <h2>Custom metrics</h2>
  <p class="note">The suites' custom scorers and the values posted to /api/v1/metrics over the same range, from their hourly rollups; a rule can watch any of them as custom.NAME.</p>
  <div class="table-wrap scroll">
  <table class="table baselines">
    <thead><tr><th>Model</th><th>Metric</th><th class="num">Values</th><th class="num">Failed runs</th><th class="num">Mean</th><th class="num">Std dev</th><th class="num">Min</th><th class="num">Max</th></tr></thead>
    <tbody>
    <?cs each:x = Costs.custom ?><tr><td><?cs var:x.model ?> <span class="sub"><?cs var:x.environment ?></span></td><td><code><?cs var:x.name ?></code></td><td class="num"><?cs var:x.n ?></td><td class="num"><?cs var:x.failed ?></td><td class="num"><?cs call:dash(x.mean) ?></td><td class="num"><?cs call:dash(x.sd) ?></td><td class="num"><?cs call:dash(x.min) ?></td><td class="num"><?cs call:dash(x.max) ?></td></tr><?cs /each ?>
    </tbody>
  </table>
  </div>
</section>
<?cs /if ?>
<?cs if:Costs.report ?></div><?cs /if ?>
<?cs /def ?>
