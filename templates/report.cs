<?cs # report.cs: a daily, weekly or monthly report (lib/report_doc.c), in
     print_layout.cs: the sections a schedule names, in its order, each
     from the figures of the period and the one before it. Findings and
     recommendations come with the rule that produced them. ?><?cs
def:delta(v, c) ?><span class="<?cs var:c ?>"><?cs var:v ?></span><?cs /def ?><?cs
def:notes(list) ?><ul class="findings"><?cs each:f = list ?><li class="<?cs var:f.level ?>"><?cs var:f.text ?> <span class="rule" title="<?cs var:f.rule ?>">[rule: <?cs var:f.key ?>]</span></li><?cs /each ?></ul><?cs /def ?><?cs

def:sec_summary() ?>
  <div class="kpis">
    <div class="kpi"><div class="label">Overall system health</div><div class="value"><?cs var:Summary.health ?></div><div class="delta"><?cs call:delta(Summary.health_delta, Summary.health_delta_class) ?> from <?cs var:Report.vs ?></div></div>
    <div class="kpi"><div class="label">Total API calls</div><div class="value"><?cs var:Summary.calls ?></div><div class="delta"><?cs call:delta(Summary.calls_delta, "same") ?> from <?cs var:Report.vs ?></div></div>
    <div class="kpi"><div class="label">Average response time</div><div class="value"><?cs var:Summary.avg ?></div><div class="delta"><?cs call:delta(Summary.avg_delta, Summary.avg_delta_class) ?> from <?cs var:Report.vs ?></div></div>
    <div class="kpi"><div class="label">Total cost</div><div class="value"><?cs var:Summary.cost ?></div><div class="delta"><?cs call:delta(Summary.cost_delta, Summary.cost_delta_class) ?> from <?cs var:Report.vs ?></div></div>
  </div>
  <p class="note">Health is the share of successful probes; calls are probes; response time is the mean of successful probes (<?cs var:Summary.sla_note ?>); the previous period is <?cs var:Report.prev_period ?>.</p>
  <h3>Key findings</h3>
  <?cs call:notes(Findings) ?><?cs /def ?><?cs

def:tests_table() ?>
  <?cs if:subcount(Tests) > 1 ?>
  <table class="data">
    <thead><tr><th>Model</th><th>Slower</th><th class="num">Hours (group / rest)</th><th class="num">Hourly mean</th><th class="num">Other hours</th><th class="num">Difference</th><th class="num">z</th><th class="num">Adjusted p</th></tr></thead>
    <tbody><?cs each:t = Tests ?><?cs if:?t.model ?><tr><td><?cs var:t.model ?></td><td class="nowrap"><?cs var:t.group ?></td><td class="num"><?cs var:t.n ?></td><td class="num"><?cs var:t.mean ?></td><td class="num"><?cs var:t.rmean ?></td><td class="num"><?cs var:t.diff ?></td><td class="num"><?cs var:t.z ?></td><td class="num"><?cs var:t.p_adj ?></td></tr><?cs /if ?><?cs /each ?></tbody>
  </table>
  <?cs else ?>
  <p class="note">No weekday or hour of the day stood out in any model's latency.</p>
  <?cs /if ?>
  <p class="note">Tested: each weekday and each hour of the day (UTC) of every model, its hourly mean latencies over the last <?cs var:Report.lookback_days ?> days against the model's other hours, by the two-sided Mann&ndash;Whitney U test (normal approximation); listed when the Bonferroni-adjusted p (&times;31) is below <?cs var:Thresholds.p_value ?> and the difference at least <?cs var:Thresholds.latency_pct ?>.</p><?cs /def ?><?cs

def:sec_trends() ?>
  <figure class="chart"><?cs uvar:Charts.p95 ?><figcaption>p95 of successful probes per model, from the latency histograms (within 4.4%).</figcaption></figure>
  <figure class="chart"><?cs uvar:Charts.errors ?><figcaption>Failed probes per model, in percent.</figcaption></figure>
  <table class="data">
    <thead><tr><th>Model</th><th class="num">p95</th><th class="num">vs <?cs var:Report.vs ?></th><th class="num">Mean</th><th class="num">vs <?cs var:Report.vs ?></th><th class="num">Availability</th><th class="num">vs <?cs var:Report.vs ?></th></tr></thead>
    <tbody><?cs each:m = Models ?><tr><td><?cs var:m.name ?></td><td class="num"><?cs var:m.p95_ms_h ?></td><td class="num"><?cs call:delta(m.p95_delta, m.p95_delta_class) ?></td><td class="num"><?cs var:m.avg_ms_h ?></td><td class="num"><?cs call:delta(m.avg_delta, m.avg_delta_class) ?></td><td class="num"><?cs call:dash(m.availability) ?></td><td class="num"><?cs call:delta(m.availability_delta, m.availability_delta_class) ?></td></tr><?cs /each ?></tbody>
  </table>
  <h3>Weekday and hour effects</h3>
  <?cs call:tests_table() ?><?cs /def ?><?cs

def:sec_cost_analysis() ?>
  <div class="kpis">
    <div class="kpi"><div class="label">Total cost</div><div class="value"><?cs var:Summary.cost ?></div><div class="delta"><?cs call:delta(Summary.cost_delta, Summary.cost_delta_class) ?> from <?cs var:Report.vs ?></div></div>
    <div class="kpi"><div class="label">Cost per call</div><div class="value"><?cs var:Totals.cost_per_call ?></div></div>
    <div class="kpi"><div class="label">30 days at this pace</div><div class="value"><?cs var:Totals.monthly_pace ?></div></div>
  </div>
  <figure class="chart"><?cs uvar:Charts.cost ?><figcaption>Spend per model and step (probes, at the configured prices).</figcaption></figure>
  <ul class="findings"><?cs each:f = Findings ?><?cs if:f.key == "cost" ?><li class="<?cs var:f.level ?>"><?cs var:f.text ?> <span class="rule">[threshold &plusmn;<?cs var:Thresholds.cost_change_pct ?>]</span></li><?cs /if ?><?cs /each ?></ul><?cs /def ?><?cs

def:sec_cost_breakdown() ?>
  <table class="data">
    <thead><tr><th>Model</th><th class="num">Calls</th><th class="num">Input tokens</th><th class="num">Output tokens</th><th class="num">Cost</th><th class="num">Share</th><th class="num">vs <?cs var:Report.vs ?></th><th class="num">Per call</th><th class="num">Per 1K tokens</th></tr></thead>
    <tbody><?cs each:m = Models ?><tr><td><?cs var:m.name ?></td><td class="num"><?cs var:m.calls ?></td><td class="num"><?cs var:m.input_tokens ?></td><td class="num"><?cs var:m.output_tokens ?></td><td class="num"><?cs var:m.cost ?></td><td class="num"><?cs call:dash(m.cost_share) ?></td><td class="num"><?cs call:delta(m.cost_delta, m.cost_delta_class) ?></td><td class="num"><?cs var:m.cost_per_call ?></td><td class="num"><?cs var:m.cost_per_1k ?></td></tr><?cs /each ?></tbody>
    <tfoot><tr><td>All models</td><td class="num"><?cs var:Summary.calls ?></td><td class="num"><?cs var:Totals.input_tokens ?></td><td class="num"><?cs var:Totals.output_tokens ?></td><td class="num"><?cs var:Summary.cost ?></td><td class="num">100%</td><td class="num"><?cs call:delta(Summary.cost_delta, Summary.cost_delta_class) ?></td><td class="num"><?cs var:Totals.cost_per_call ?></td><td></td></tr></tfoot>
  </table>
  <figure class="chart"><?cs uvar:Charts.cost_bars ?></figure><?cs /def ?><?cs

def:sec_incidents() ?>
  <?cs if:!subcount(Incidents) ?>
  <p class="note">No alert fired in this period.</p>
  <?cs else ?>
  <table class="data">
    <thead><tr><th>Rule</th><th>Model</th><th>Severity</th><th>Fired</th><th>Resolved</th><th class="num">In period</th></tr></thead>
    <tbody><?cs each:x = Incidents ?><tr><td><?cs var:x.rule ?><?cs if:x.false_positive == "1" ?> <span class="pill pill-none">false positive</span><?cs /if ?><span class="sub"><?cs var:x.summary ?></span></td><td><?cs call:dash(x.model) ?></td><td><?cs if:x.severity == "critical" ?><span class="pill pill-crit">critical</span><?cs elif:x.severity == "warning" ?><span class="pill pill-warn">warning</span><?cs else ?><span class="pill pill-none"><?cs var:x.severity ?></span><?cs /if ?></td><td class="nowrap"><?cs var:x.fired ?></td><td class="nowrap"><?cs if:?x.resolved ?><?cs var:x.resolved ?><?cs else ?>still <?cs var:x.state ?><?cs /if ?></td><td class="num"><?cs var:x.duration ?></td></tr><?cs /each ?></tbody>
  </table>
  <?cs /if ?><?cs /def ?><?cs

def:sec_incident_analysis() ?>
  <?cs if:!subcount(Rules) ?>
  <p class="note">No rule fired in this period or the one before.</p>
  <?cs else ?>
  <table class="data">
    <thead><tr><th>Rule</th><th class="num">Fired</th><th class="num">Before</th><th class="num">Change</th><th class="num">Models</th><th class="num">False positives</th><th class="num">Mean time to resolve</th><th class="num">Time firing</th></tr></thead>
    <tbody><?cs each:x = Rules ?><tr><td><?cs var:x.rule ?><?cs if:x.noisy == "1" ?> <span class="pill pill-warn">noisy</span><?cs /if ?></td><td class="num"><?cs var:x.fired ?></td><td class="num"><?cs var:x.prev_fired ?></td><td class="num"><?cs call:delta(x.delta, x.delta_class) ?></td><td class="num"><?cs var:x.models ?></td><td class="num"><?cs var:x.false_positives ?></td><td class="num"><?cs call:dash(x.mttr) ?></td><td class="num"><?cs var:x.firing ?></td></tr><?cs /each ?></tbody>
  </table>
  <p class="note">A rule is noisy when it fired at least <?cs var:Thresholds.alert_fires ?> times in the period.</p>
  <?cs /if ?>
  <table class="data">
    <thead><tr><th>Model</th><th class="num">Downtime</th><th class="num">Unknown</th><th class="num">Error budget left</th><th>Most failures</th></tr></thead>
    <tbody><?cs each:m = Sla ?><tr><td><?cs var:m.name ?></td><td class="num"><?cs var:m.downtime ?></td><td class="num"><?cs var:m.unknown ?></td><td class="num"><?cs var:m.remaining ?></td><td><?cs each:x = Models ?><?cs if:x.name == m.name ?><?cs call:dash(x.top_error) ?><?cs /if ?><?cs /each ?></td></tr><?cs /each ?></tbody>
  </table><?cs /def ?><?cs

def:sec_detailed() ?>
  <table class="data">
    <thead><tr><th>Model</th><th class="num">Calls</th><th class="num">Availability</th><th class="num">Errors</th><th class="num">Mean</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">TTFT p95</th></tr></thead>
    <tbody><?cs each:m = Models ?><tr><td><?cs var:m.name ?><span class="sub"><?cs var:m.environment ?> &middot; <?cs var:m.provider ?></span></td><td class="num"><?cs var:m.calls ?><span class="sub"><?cs call:delta(m.calls_delta, "same") ?></span></td><td class="num"><?cs call:dash(m.availability) ?><span class="sub"><?cs call:delta(m.availability_delta, m.availability_delta_class) ?></span></td><td class="num"><?cs call:dash(m.error_rate) ?></td><td class="num"><?cs var:m.avg_ms_h ?><span class="sub"><?cs call:delta(m.avg_delta, m.avg_delta_class) ?></span></td><td class="num"><?cs var:m.p50_ms_h ?></td><td class="num<?cs if:m.p95_over == "1" ?> worse<?cs /if ?>"><?cs var:m.p95_ms_h ?><span class="sub"><?cs call:delta(m.p95_delta, m.p95_delta_class) ?></span></td><td class="num"><?cs var:m.p99_ms_h ?></td><td class="num"><?cs var:m.ttft_p95_ms_h ?></td></tr><?cs /each ?></tbody>
  </table>
  <table class="data">
    <thead><tr><th>Model</th><th class="num">SLA target</th><th class="num">Tokens/s</th><th class="num">Quality</th><th class="num">Cost</th><th class="num">Per call</th><th>Most failures</th></tr></thead>
    <tbody><?cs each:m = Models ?><tr><td><?cs var:m.name ?></td><td class="num"><?cs call:dash(m.target_ms_h) ?></td><td class="num"><?cs call:dash(m.tps) ?></td><td class="num"><?cs call:dash(m.quality) ?></td><td class="num"><?cs var:m.cost ?></td><td class="num"><?cs var:m.cost_per_call ?></td><td><?cs call:dash(m.top_error) ?></td></tr><?cs /each ?></tbody>
  </table>
  <p class="note">Changes are against <?cs var:Report.prev_period ?> (<?cs var:Report.vs ?>): &uarr; up, &darr; down; green better, red worse. Latencies are of successful probes; percentiles from the latency histograms (within 4.4%).</p>
  <h3>Weekday and hour effects</h3>
  <?cs call:tests_table() ?><?cs /def ?><?cs

def:sec_comparison() ?>
  <figure class="chart"><?cs uvar:Charts.p95_bars ?></figure>
  <figure class="chart"><?cs uvar:Charts.quality_bars ?></figure>
  <figure class="chart"><?cs uvar:Charts.cost_call_bars ?></figure>
  <table class="data">
    <thead><tr><th>Model</th><th class="num">p95</th><th class="num">SLA target</th><th class="num">Quality</th><th class="num">Per call</th><th class="num">Availability</th><th>SLA</th></tr></thead>
    <tbody><?cs each:m = Models ?><tr><td><?cs var:m.name ?></td><td class="num<?cs if:m.p95_over == "1" ?> worse<?cs /if ?>"><?cs var:m.p95_ms_h ?></td><td class="num"><?cs call:dash(m.target_ms_h) ?></td><td class="num"><?cs call:dash(m.quality) ?></td><td class="num"><?cs var:m.cost_per_call ?></td><td class="num"><?cs call:dash(m.availability) ?></td><td><?cs if:?m.sla_state ?><span class="pill pill-<?cs var:m.sla_class ?>"><?cs var:m.sla_state ?></span><?cs /if ?></td></tr><?cs /each ?></tbody>
  </table>
  <ul class="findings"><?cs each:f = Findings ?><?cs if:f.key == "cheaper" ?><li class="<?cs var:f.level ?>"><?cs var:f.text ?></li><?cs /if ?><?cs /each ?></ul><?cs /def ?><?cs

def:sec_sla() ?>
  <table class="data">
    <thead><tr><th>Model</th><th class="num">Probes</th><th class="num">Availability</th><th class="num">p95</th><th class="num">p99</th><th class="num">Target</th><th class="num">Budget left</th><th class="num">Burn</th><th>State</th></tr></thead>
    <tbody><?cs each:m = Sla ?><tr><td><?cs var:m.name ?></td><td class="num"><?cs var:m.probes ?></td><td class="num<?cs if:?m.availability_ok ?><?cs if:m.availability_ok ?> better<?cs else ?> worse<?cs /if ?><?cs /if ?>"><?cs var:m.availability ?></td><td class="num<?cs if:m.p95_over ?> worse<?cs /if ?>"><?cs var:m.p95_ms_h ?></td><td class="num"><?cs var:m.p99_ms_h ?></td><td class="num"><?cs call:dash(m.target_ms_h) ?></td><td class="num"><?cs var:m.remaining ?><?cs if:?m.remaining_pct ?> (<?cs var:m.remaining_pct ?>)<?cs /if ?></td><td class="num"><?cs call:dash(m.burn) ?></td><td><span class="pill pill-<?cs var:m.state_class ?>"><?cs var:m.state ?></span><span class="sub"><?cs var:m.reason ?></span></td></tr><?cs /each ?></tbody>
  </table>
  <p class="note">Objective: availability (successful probes over probes) of at least <?cs call:dash(Report.objective) ?> and p95 of successful probes within each model's target. Breached: the error budget ((1 &minus; objective) of the period) is used up, or the period ended below the objective or above the target; at risk: on pace to use it up before the period ends (burn rate above 1) or p95 so far above the target; not enough data: fewer than <?cs call:dash(Report.min_samples) ?> probes. Time without the expected probes is unknown, never up.</p><?cs /def ?><?cs

def:sec_availability() ?>
  <table class="data">
    <thead><tr><th>Model</th><th class="num">Availability</th><th class="num">Error rate</th><th class="num">Downtime</th><th class="num">Unknown</th><th class="num">Expected/day</th></tr></thead>
    <tbody><?cs each:m = Sla ?><tr><td><?cs var:m.name ?></td><td class="num"><?cs var:m.availability ?></td><td class="num"><?cs var:m.error_rate ?></td><td class="num"><?cs var:m.downtime ?></td><td class="num"><?cs var:m.unknown ?></td><td class="num"><?cs call:dash(m.expected) ?></td></tr><?cs /each ?></tbody>
  </table>
  <?cs each:m = Sla ?><figure class="chart"><?cs uvar:m.chart ?></figure><?cs /each ?>
  <p class="note">Downtime is each day's known minutes times its share of failed probes; a day's minutes without its expected probes (the model's busiest whole day of the 30 days before the period ends) are unknown.</p><?cs /def ?><?cs

def:sec_recommendations() ?>
  <ol class="recs"><?cs each:f = Recs ?><li><?cs var:f.text ?> <span class="rule" title="<?cs var:f.rule ?>">[rule: <?cs var:f.key ?>]</span></li><?cs /each ?></ol><?cs /def ?><?cs

def:sec_plans() ?>
  <?cs each:p = Plans ?>
  <h3><?cs var:p.title ?></h3>
  <ul><?cs each:s = p.steps ?><li><?cs var:s.text ?></li><?cs /each ?></ul>
  <?cs /each ?>
  <?cs if:!subcount(Plans) ?><p class="note">No model had enough data for a plan.</p><?cs /if ?><?cs /def ?><?cs

def:content() ?>
<article class="report">
  <h1><?cs var:Report.title ?></h1>
  <p class="meta"><span class="period">LLM performance report &middot; <?cs var:Report.period ?> (UTC)</span> &middot; compared with <?cs var:Report.prev_period ?> &middot; generated <?cs var:Report.generated ?></p>
  <?cs if:?Report.commentary ?><div class="commentary"><?cs uvar:Report.commentary ?></div><?cs /if ?>
  <?cs each:s = Sections ?>
  <section id="<?cs var:s.key ?>">
    <h2><?cs var:s.title ?></h2>
    <?cs if:s.key == "executive_summary" ?><?cs call:sec_summary() ?>
    <?cs elif:s.key == "performance_trends" ?><?cs call:sec_trends() ?>
    <?cs elif:s.key == "cost_analysis" ?><?cs call:sec_cost_analysis() ?>
    <?cs elif:s.key == "cost_breakdown" ?><?cs call:sec_cost_breakdown() ?>
    <?cs elif:s.key == "incidents" ?><?cs call:sec_incidents() ?>
    <?cs elif:s.key == "incident_analysis" ?><?cs call:sec_incident_analysis() ?>
    <?cs elif:s.key == "detailed_metrics" ?><?cs call:sec_detailed() ?>
    <?cs elif:s.key == "model_comparison" ?><?cs call:sec_comparison() ?>
    <?cs elif:s.key == "sla_compliance" ?><?cs call:sec_sla() ?>
    <?cs elif:s.key == "availability_metrics" ?><?cs call:sec_availability() ?>
    <?cs elif:s.key == "recommendations" ?><?cs call:sec_recommendations() ?>
    <?cs elif:s.key == "improvement_plans" ?><?cs call:sec_plans() ?>
    <?cs /if ?>
  </section>
  <?cs /each ?>
  <section id="rules">
    <h2>How the findings are made</h2>
    <ul class="note">
      <li>SLA: availability at least the objective and p95 within each model's target, judged as in the SLA section.</li>
      <li>Cost: the period's total cost against the previous period's; a change beyond &plusmn;<?cs var:Thresholds.cost_change_pct ?> is a finding.</li>
      <li>Latency pattern: each weekday and hour of the day of every model, Mann&ndash;Whitney U test of its hourly mean latencies against the model's other hours over the last <?cs var:Report.lookback_days ?> days; a finding when the Bonferroni-adjusted p is below <?cs var:Thresholds.p_value ?> and it is at least <?cs var:Thresholds.latency_pct ?> slower.</li>
      <li>Cheaper model: another model at least <?cs var:Thresholds.cheaper_pct ?> cheaper per call whose quality is at least <?cs var:Thresholds.quality_ratio ?> &times; the model's and whose p95 is within the model's SLA target.</li>
      <li>Noisy rule: an alert rule that fired at least <?cs var:Thresholds.alert_fires ?> times in the period. Incidents: critical alerts fired in the period.</li>
    </ul>
  </section>
</article>
<?cs /def ?>
