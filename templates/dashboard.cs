<?cs def:content() ?>
<div class="page-head">
  <h1>Dashboard</h1>
  <div class="summary" id="health-summary">
    <span><?cs var:Summary.models ?> models</span>
    <span class="ok-text"><?cs var:Summary.ok ?> ok</span>
    <span class="warn-text"><?cs var:Summary.warning ?> warning</span>
    <span class="crit-text"><?cs var:Summary.critical ?> critical</span>
    <span class="muted"><?cs var:Summary.nodata ?> not enough data</span>
    <?cs if:Summary.muted > 0 ?><span class="muted"><?cs var:Summary.muted ?> silenced</span><?cs /if ?>
    <?cs call:env_selector() ?>
  </div>
</div>
<div class="toolbar">
  <nav class="range-picker" aria-label="Time range"><?cs each:x = Ranges ?><a href="/?range=<?cs var:x.key ?><?cs if:Env.chosen ?>&amp;env=<?cs var:url_escape(Env.chosen) ?><?cs /if ?><?cs if:Refresh.seconds == 0 ?>&amp;refresh=off<?cs /if ?>"<?cs if:x.key == Range.key ?> class="active" aria-current="true"<?cs /if ?> title="last <?cs var:x.label ?>"><?cs var:x.key ?></a><?cs /each ?></nav>
  <form class="range-form" method="get" action="/" aria-label="Custom range (UTC)">
    <label>From <input type="datetime-local" name="from" value="<?cs var:Range.from_input ?>" required></label>
    <label>to <input type="datetime-local" name="to" value="<?cs var:Range.to_input ?>" required></label>
    <?cs if:Env.chosen ?><input type="hidden" name="env" value="<?cs var:Env.chosen ?>"><?cs /if ?>
    <button type="submit" class="btn">Show</button>
  </form>
  <span class="hint updated">Updated <?cs var:Page.updated ?><?cs if:Refresh.seconds > 0 ?> &middot; refreshes every <?cs var:Refresh.seconds ?> s (<a href="/?range=<?cs var:Range.key ?><?cs if:Env.chosen ?>&amp;env=<?cs var:url_escape(Env.chosen) ?><?cs /if ?>&amp;refresh=off">stop</a>)<?cs elif:Range.key != "custom" ?> &middot; <a href="/?range=<?cs var:Range.key ?><?cs if:Env.chosen ?>&amp;env=<?cs var:url_escape(Env.chosen) ?><?cs /if ?>">refresh every 60 s</a><?cs /if ?></span>
</div>
<?cs if:!subcount(Envs) ?>
<?cs call:empty("No models are configured yet. Add them to monitoring_config.yaml and run llmwatch init.") ?>
<?cs /if ?>
<p class="hint legend-health">A card's colour is the model's health, the same on every page:
  <span class="ok-text">ok</span>,
  <span class="warn-text">warning</span> (a firing warning alert, or availability or p95 over target),
  <span class="crit-text">critical</span> (a firing critical alert),
  <span class="muted">not enough data</span> (fewer than 3 probes in 24 hours). Figures are the last hour's,
  or the last 24 hours' for a model probed less often.</p>
<?cs each:env = Envs ?>
<section class="env">
  <h2 class="env-name"><?cs var:env.name ?></h2>
  <div class="cards">
  <?cs each:m = env.models ?>
    <article class="card model-card is-<?cs var:m.health_css ?>">
      <header class="card-head">
        <a class="card-title" href="/models/<?cs var:m.id ?>?range=<?cs var:Range.key ?>"><span class="swatch swatch-<?cs var:m.colour ?>" aria-hidden="true"></span><?cs var:m.name ?></a>
        <?cs call:pill(m.health_css, m.health) ?>
      </header>
      <div class="card-sub"><?cs var:m.provider ?> / <?cs var:m.model ?><?cs if:m.sla_target_ms ?> &middot; SLA <?cs var:m.sla_target_ms_h ?><?cs /if ?> &middot; <?cs var:m.priority ?></div>
      <p class="card-why"><?cs if:m.firing > 0 ?><a href="/alerts?state=firing&amp;model=<?cs var:url_escape(m.name) ?>"><?cs var:m.health_why ?></a><?cs else ?><?cs var:m.health_why ?><?cs /if ?></p>
      <?cs if:m.health_window == "1h" ?>
      <dl class="metrics">
        <div><dt>p50 1h</dt><dd><?cs call:dash(m.hour_p50_ms_h) ?></dd></div>
        <div><dt>p95 1h</dt><dd><?cs call:dash(m.hour_p95_ms_h) ?></dd></div>
        <div><dt>Success 1h</dt><dd><?cs if:m.hour_count > 0 ?><?cs var:m.hour_success_pct ?>%<?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd></div>
      </dl>
      <?cs else ?>
      <dl class="metrics">
        <div><dt>p50 24h</dt><dd><?cs call:dash(m.day_p50_ms_h) ?></dd></div>
        <div><dt>p95 24h</dt><dd><?cs call:dash(m.day_p95_ms_h) ?></dd></div>
        <div><dt>Success 24h</dt><dd><?cs if:m.day_count > 0 ?><?cs var:m.day_success_pct ?>%<?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd></div>
      </dl>
      <?cs /if ?>
      <div class="latest">
        <?cs if:?m.last_ok ?>Last probe <?cs call:probe_result(m.last_ok, m.last_error) ?> <span class="muted" title="<?cs var:m.last_at ?>"><?cs var:m.last_ago ?> ago</span><?cs else ?><?cs call:pill("none", "No probe yet") ?><?cs /if ?>
        <span class="muted small"><?cs var:m.hour_count ?> probes 1h</span>
      </div>
    </article>
  <?cs /each ?>
  </div>
</section>
<?cs /each ?>
<?cs if:Summary.charted > 0 ?>
<section class="dash" aria-label="Performance, <?cs var:Range.title ?>">
  <div class="section-head">
    <h2>Performance &middot; <?cs var:Range.title ?></h2>
    <?cs if:Summary.models > Summary.charted ?><span class="hint">Charts show the first <?cs var:Summary.charted ?> of <?cs var:Summary.models ?> models; each model's page has its own.</span><?cs /if ?>
  </div>
  <div class="chart-grid">
    <figure class="card chart-card" id="chart-latency"><?cs uvar:Charts.latency ?>
      <figcaption class="hint"><?cs if:Charts.latency_note ?><?cs var:Charts.latency_note ?> <?cs /if ?>p95 per step from the latency histogram (within 4.4%).</figcaption></figure>
    <figure class="card chart-card" id="chart-errors"><?cs uvar:Charts.errors ?></figure>
    <figure class="card chart-card" id="chart-cost"><?cs uvar:Charts.cost ?></figure>
    <figure class="card chart-card chart-bars" id="chart-compare"><?cs uvar:Charts.p95_bars ?><?cs uvar:Charts.success_bars ?></figure>
  </div>
  <div class="grid-2 grid-wide-left">
    <section class="card">
      <h2>Models and SLA compliance &middot; <?cs var:Range.title ?></h2>
      <div class="table-wrap">
      <table class="table" id="sla-table">
        <thead><tr><th>Model</th><th class="num">Probes</th><th class="num">Availability</th><th class="num">p95</th><th class="num">SLA target</th><th class="num">Cost</th><th>SLA</th></tr></thead>
        <tbody>
        <?cs each:c = Compare ?>
          <tr>
            <td><span class="swatch swatch-<?cs var:c.swatch ?>" aria-hidden="true"></span><a href="/models/<?cs var:c.model_id ?>?range=<?cs var:Range.key ?>"><?cs var:c.name ?></a></td>
            <td class="num"><?cs var:c.count ?></td>
            <td class="num"><?cs if:c.count > 0 ?><span class="<?cs if:c.availability_ok ?>ok-text<?cs else ?>crit-text<?cs /if ?>"><?cs var:c.success_pct ?>%</span> <span class="muted small">/ <?cs var:c.availability_target_pct ?>%</span><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
            <td class="num"><?cs if:?c.p95_ms ?><span class="<?cs if:c.sla_target_ms ?><?cs if:c.latency_ok ?>ok-text<?cs else ?>crit-text<?cs /if ?><?cs /if ?>"><?cs var:c.p95_ms_h ?></span><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
            <td class="num"><?cs call:dash(c.sla_target_ms_h) ?></td>
            <td class="num">$<?cs var:c.cost ?></td>
            <td><?cs if:c.compliance == "pass" ?><?cs call:pill("ok", "PASS") ?><?cs elif:c.compliance == "fail" ?><?cs call:pill("crit", "FAIL") ?><?cs else ?><?cs call:pill("none", c.compliance) ?><?cs /if ?></td>
          </tr>
        <?cs /each ?>
        </tbody>
      </table>
      </div>
      <p class="hint">PASS: availability (successful probes) at or above the target and p95 of successful probes within the model's SLA target, over the range; below 10 probes the verdict is "not enough data".</p>
    </section>
    <section class="card">
      <h2>Alert history</h2>
      <?cs if:!subcount(AlertEvents) ?>
      <?cs call:empty("No alert has fired yet.") ?>
      <?cs else ?>
      <ol class="timeline" id="alert-history">
      <?cs each:a = AlertEvents ?>
        <li class="tl-<?cs if:a.to_state == "firing" ?>firing<?cs elif:a.to_state == "pending" ?>pending<?cs elif:a.to_state == "resolved" ?>resolved<?cs else ?>action<?cs /if ?>">
          <span class="tl-at" title="<?cs var:a.at ?>"><?cs var:a.ago ?> ago</span>
          <span><?cs call:state(a.to_state) ?> <a href="/alerts/<?cs var:a.alert_id ?>"><?cs var:a.rule ?></a><?cs if:a.model ?> <span class="muted">on</span> <?cs var:a.model ?><?cs /if ?></span>
        </li>
      <?cs /each ?>
      </ol>
      <p class="hint"><a href="/alerts">All alerts &rarr;</a></p>
      <?cs /if ?>
    </section>
  </div>
</section>
<?cs /if ?>
<?cs /def ?>
