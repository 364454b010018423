<?cs # report_sla.cs: SLA evidence for one period (the PDF of /sla and of
     `llmwatch report --type sla`), in print_layout.cs: the method, each
     model's compliance, its daily availability and, up to a quarter, its
     days. The figures and rules are those of lib/report_sla.h. ?><?cs def:content() ?>
<article class="report">
  <h1><?cs var:Report.title ?></h1>
  <p class="meta"><span class="period">Period <?cs var:Report.period ?> (UTC)</span> &middot; generated <?cs var:Report.generated ?><?cs if:!Report.ended ?> &middot; the period is not over: figures up to the time of generation<?cs /if ?></p>

  <h2>Method</h2>
  <ul>
    <li><strong>Up</strong> is a probe that got a complete answer from the model's API; a probe that failed (error, timeout, refused) is down. <strong>Availability</strong> is successful probes over all probes of the period.</li>
    <li><strong>Objective</strong>: availability of at least <?cs var:Report.objective ?>; <strong>latency</strong>: the p95 of successful probes (from the latency histogram, within 4.4%) at or below each model's SLA target.</li>
    <li><strong>Probe schedule</strong>: each model is expected to have, every day, as many probes as on its busiest whole day of the 30 days before the period ends (the schedule as it ran; column &ldquo;Expected/day&rdquo;).</li>
    <li><strong>Gaps</strong>: the part of a day without its expected probes (the monitoring itself not running) is <strong>unknown</strong>, shown apart and never counted as up. <strong>Downtime</strong> is a day's known minutes times its share of failed probes.</li>
    <li><strong>Error budget</strong>: (1 &minus; objective) of the period's minutes; <strong>burn rate</strong>: downtime per known minute over (1 &minus; objective), 1 being exactly on budget.</li>
    <li><strong>States</strong>: <em>not enough data</em> below <?cs var:Report.min_samples ?> probes; <em>breached</em> when the downtime has used the whole budget, or the period ended with availability below the objective or p95 above the target; <em>at risk</em> while the period runs, when at the burn rate so far the budget runs out before it ends, or the p95 so far is above the target; otherwise <em>met</em>.</li>
    <li><strong>Data</strong>: every figure comes from llmwatch's daily rollups of its probes. The evidence CSV of this period (one row per model and day, then one total per model) has the SHA-256<br><code><?cs var:Report.data_sha256 ?></code><br>(check it with <code>sha256sum</code> on the CSV download of the same period).</li>
  </ul>

  <h2>Compliance</h2>
  <?cs if:!subcount(Models) ?>
  <p class="note">No model was monitored in this period.</p>
  <?cs else ?>
  <table class="data">
    <thead><tr><th>Model</th><th>Environment</th><th class="num">Probes</th><th class="num">Expected/day</th><th class="num">Availability</th><th class="num">Error rate</th><th class="num">Downtime</th><th class="num">Unknown</th><th>State</th></tr></thead>
    <tbody>
    <?cs each:m = Models ?>
      <tr>
        <td><?cs var:m.name ?></td><td><?cs var:m.environment ?></td>
        <td class="num"><?cs var:m.probes ?></td><td class="num"><?cs call:dash(m.expected) ?></td>
        <td class="num<?cs if:?m.availability_ok ?><?cs if:m.availability_ok ?> better<?cs else ?> worse<?cs /if ?><?cs /if ?>"><?cs var:m.availability ?></td>
        <td class="num"><?cs var:m.error_rate ?></td>
        <td class="num"><?cs var:m.downtime ?></td><td class="num"><?cs var:m.unknown ?></td>
        <td><span class="pill pill-<?cs var:m.state_class ?>"><?cs var:m.state ?></span><span class="sub"><?cs var:m.reason ?></span></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  <table class="data">
    <thead><tr><th>Model</th><th class="num">p95</th><th class="num">p99</th><th class="num">SLA target</th><th class="num">Error budget</th><th class="num">Remaining</th><th class="num">Burn rate</th></tr></thead>
    <tbody>
    <?cs each:m = Models ?>
      <tr>
        <td><?cs var:m.name ?></td>
        <td class="num<?cs if:m.p95_over ?> worse<?cs /if ?>"><?cs var:m.p95_ms_h ?></td>
        <td class="num<?cs if:m.p99_over ?> worse<?cs /if ?>"><?cs var:m.p99_ms_h ?></td>
        <td class="num"><?cs call:dash(m.target_ms_h) ?></td>
        <td class="num"><?cs var:m.budget ?></td>
        <td class="num"><?cs var:m.remaining ?><?cs if:?m.remaining_pct ?> (<?cs var:m.remaining_pct ?>)<?cs /if ?></td>
        <td class="num"><?cs call:dash(m.burn) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>

  <h2>Daily availability</h2>
  <?cs each:m = Models ?>
  <figure class="chart"><?cs uvar:m.chart ?>
    <figcaption><?cs var:m.name ?> (<?cs var:m.environment ?>): <?cs var:m.availability ?> over the period, objective <?cs var:m.objective ?>; grey days had no probe (unknown).</figcaption>
  </figure>
  <?cs /each ?>
  <?cs if:Report.days_shown ?>
  <?cs each:m = Models ?>
  <h3><?cs var:m.name ?> (<?cs var:m.environment ?>): day by day</h3>
  <table class="data">
    <thead><tr><th>Day</th><th class="num">Probes</th><th class="num">Failed</th><th class="num">Availability</th><th class="num">Downtime</th><th class="num">Unknown</th><th class="num">p95</th></tr></thead>
    <tbody>
    <?cs each:d = m.days ?>
      <tr><td><?cs var:d.day ?></td><td class="num"><?cs var:d.probes ?></td><td class="num"><?cs var:d.errors ?></td><td class="num"><?cs var:d.availability ?></td><td class="num"><?cs var:d.downtime ?></td><td class="num"><?cs var:d.unknown ?></td><td class="num"><?cs var:d.p95_ms_h ?></td></tr>
    <?cs /each ?>
    </tbody>
    <tfoot><tr><td>Period</td><td class="num"><?cs var:m.probes ?></td><td class="num"><?cs var:m.errors ?></td><td class="num"><?cs var:m.availability ?></td><td class="num"><?cs var:m.downtime ?></td><td class="num"><?cs var:m.unknown ?></td><td class="num"><?cs var:m.p95_ms_h ?></td></tr></tfoot>
  </table>
  <?cs /each ?>
  <?cs else ?>
  <p class="note">The days of a period longer than a quarter are in the evidence CSV.</p>
  <?cs /if ?>
  <?cs /if ?>
</article>
<?cs /def ?>
