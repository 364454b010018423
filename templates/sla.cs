<?cs def:content() ?>
<div class="page-head"><h1>SLA compliance</h1><div class="summary muted">last 30 days <a class="btn" id="export-link" href="/export?range=30d&amp;level=1d&amp;format=csv" download>Download CSV</a></div></div>
<p class="lead">Availability is successful probes over all probes; latency compliance is the p95 of successful probes against the model's SLA target.</p>
<section class="card">
  <?cs if:!subcount(Models) ?>
  <?cs call:empty("No models are configured yet, so there is nothing to measure.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Model</th><th>Environment</th><th class="num">Probes</th><th class="num">Availability</th><th class="num">Target</th><th class="num">p95 latency</th><th class="num">SLA target</th><th>Compliance</th></tr></thead>
    <tbody>
    <?cs each:m = Models ?>
      <tr>
        <td><a href="/models/<?cs var:m.id ?>"><?cs var:m.name ?></a></td>
        <td><?cs var:m.environment ?></td>
        <td class="num"><?cs var:m.probes ?></td>
        <td class="num<?cs if:m.probes > 0 ?><?cs if:m.availability_ok ?> ok-text<?cs else ?> crit-text<?cs /if ?><?cs /if ?>"><?cs if:m.probes > 0 ?><?cs var:m.availability_pct ?>%<?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <td class="num"><?cs var:m.availability_target_pct ?>%</td>
        <td class="num<?cs if:m.p95_ms && m.sla_target_ms ?><?cs if:m.latency_ok ?> ok-text<?cs else ?> crit-text<?cs /if ?><?cs /if ?>"><?cs call:dash(m.p95_ms_h) ?></td>
        <td class="num"><?cs call:dash(m.sla_target_ms_h) ?></td>
        <td><?cs if:m.compliance == "pass" ?><?cs call:pill("ok", "pass") ?><?cs elif:m.compliance == "fail" ?><?cs call:pill("crit", "fail") ?><?cs else ?><?cs call:pill("none", "no data") ?><?cs /if ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
