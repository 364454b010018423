<?cs def:content() ?>
<div class="page-head"><h1>SLA compliance</h1>
  <div class="summary">
    <span><?cs var:Period.label ?> (<?cs var:Period.first_day ?> &ndash; <?cs var:Period.last_day ?>, UTC)</span>
    <nav class="range-picker" aria-label="Period"><?cs each:x = Periods ?><?cs if:x.key != "custom" ?><a href="/sla?period=<?cs var:x.key ?>"<?cs if:x.key == Period.key ?> class="active" aria-current="true"<?cs /if ?>><?cs var:x.title ?></a><?cs /if ?><?cs /each ?></nav>
  </div>
</div>
<form class="filters" method="get" action="/sla" aria-label="Custom period">
  <input type="hidden" name="period" value="custom">
  <label>From <input type="date" name="from" value="<?cs var:Period.first_day ?>" required></label>
  <label>to <input type="date" name="to" value="<?cs var:Period.last_day ?>" required></label>
  <button class="btn btn-small" type="submit">Show</button>
  <span class="hint">Evidence of this period: <a href="/sla.csv?<?cs var:Period.query ?>" download>CSV</a> &middot; <a href="/sla.pdf?<?cs var:Period.query ?>" download>PDF</a> (stored; the PDF names the CSV's SHA-256) &middot; <a id="export-link" href="/export?<?cs var:Period.export ?>&amp;level=1d&amp;format=csv" download>daily rollups CSV</a></span>
</form>
<p class="lead">Availability is successful probes over all probes; time without the expected probes is <strong>unknown</strong>, shown apart and never counted as up. Latency compliance is the p95 (and p99) of successful probes against each model's SLA target. Objective: <?cs call:dash(Sla.objective) ?>.</p>
<section class="card">
  <?cs if:!subcount(Models) ?>
  <?cs call:empty("No models are configured yet, so there is nothing to measure.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Model</th><th>Environment</th><th class="num">Probes</th><th class="num">Availability</th><th class="num">Error rate</th><th class="num">p95 / p99</th><th class="num">SLA target</th><th class="num">Downtime</th><th class="num">Unknown</th><th class="num">Error budget left</th><th class="num">Burn rate</th><th>State</th></tr></thead>
    <tbody>
    <?cs each:m = Models ?>
      <tr>
        <td><a href="/models/<?cs var:m.id ?>"><?cs var:m.name ?></a></td>
        <td><?cs var:m.environment ?></td>
        <td class="num"><?cs var:m.probes ?></td>
        <td class="num<?cs if:?m.availability_ok ?><?cs if:m.availability_ok ?> ok-text<?cs else ?> crit-text<?cs /if ?><?cs /if ?>"><?cs var:m.availability ?></td>
        <td class="num"><?cs var:m.error_rate ?></td>
        <td class="num"><span<?cs if:m.p95_over ?> class="crit-text"<?cs /if ?>><?cs var:m.p95_ms_h ?></span> / <span<?cs if:m.p99_over ?> class="warn-text"<?cs /if ?>><?cs var:m.p99_ms_h ?></span></td>
        <td class="num"><?cs call:dash(m.target_ms_h) ?></td>
        <td class="num"><?cs var:m.downtime ?></td>
        <td class="num muted"><?cs var:m.unknown ?></td>
        <td class="num"><?cs var:m.remaining ?><?cs if:?m.remaining_pct ?> <span class="muted">(<?cs var:m.remaining_pct ?>)</span><?cs /if ?></td>
        <td class="num"><?cs call:dash(m.burn) ?></td>
        <td title="<?cs var:m.reason ?>"><?cs call:pill(m.state_class, m.state) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <p class="hint">States: <em>not enough data</em> below <?cs call:dash(Sla.min_samples) ?> probes; <em>breached</em> when downtime has used the period's whole error budget ((1 &minus; objective) of its minutes), or the period ended below the objective or above the latency target; <em>at risk</em> while the period runs, when at the burn rate so far (downtime per known minute over the allowed share; above 1) the budget runs out before the end, or the p95 so far is above the target; otherwise <em>met</em>. Expected probes per day: the model's busiest whole day of the 30 days before the period ends.</p>
  <?cs /if ?>
</section>
<?cs if:subcount(Models) ?>
<section class="card" aria-label="Daily availability">
  <div class="section-head"><h2>Daily availability</h2><span class="hint">a cell per day<?cs if:Period.weekly ?> (a week per cell: the period is long)<?cs /if ?>, from <?cs var:Period.first_day ?> to <?cs var:Period.last_day ?>: <span class="ok-text">at or above the objective</span>, <span class="warn-text">under it</span>, <span class="muted">grey: no probe, unknown</span>; the figure on hover</span></div>
  <div class="strips">
  <?cs each:m = Models ?>
    <div class="strip-row"><a class="strip-name" href="/models/<?cs var:m.id ?>"><?cs var:m.name ?></a><span class="strip-env muted"><?cs var:m.environment ?></span><?cs uvar:m.strip ?></div>
  <?cs /each ?>
  </div>
</section>
<?cs /if ?>
<?cs /def ?>
