<?cs def:content() ?>
<div class="page-head">
  <h1>Alerts</h1>
  <div class="summary"><?cs if:Summary.firing > 0 ?><span class="crit-text"><?cs var:Summary.firing ?> firing</span><?cs else ?><span class="ok-text">nothing firing</span><?cs /if ?></div>
</div>
<section class="card">
  <?cs if:!subcount(Alerts) ?>
  <?cs call:empty("No alerts have fired yet.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>#</th><th>State</th><th>Severity</th><th>Rule</th><th>Model</th><th>Environment</th><th>Started</th><th>Resolved</th><th class="num">Value</th><th class="num">Threshold</th><th>Acknowledged</th></tr></thead>
    <tbody>
    <?cs each:a = Alerts ?>
      <tr<?cs if:a.state == "firing" ?> class="row-crit"<?cs /if ?>>
        <td><a href="/alerts/<?cs var:a.id ?>">#<?cs var:a.id ?></a></td>
        <td><?cs call:state(a.state) ?><?cs if:a.false_positive ?> <?cs call:pill("none", "false positive") ?><?cs /if ?></td>
        <td><?cs call:severity(a.severity) ?></td>
        <td><a href="/rules/<?cs var:a.rule_id ?>"><?cs var:a.rule ?></a><?cs if:a.summary ?><div class="small muted"><?cs var:a.summary ?></div><?cs /if ?></td>
        <td><?cs if:a.model_id ?><a href="/models/<?cs var:a.model_id ?>"><?cs var:a.model ?></a><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <td><?cs call:dash(a.environment) ?></td>
        <td class="nowrap"><?cs var:a.started ?></td>
        <td class="nowrap"><?cs call:dash(a.resolved) ?></td>
        <td class="num"><?cs call:dash(a.value) ?></td>
        <td class="num"><?cs call:dash(a.threshold) ?></td>
        <td><?cs call:dash(a.acknowledged_by) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<section class="card">
  <h2>Failed deliveries</h2>
  <?cs if:!subcount(Failed) ?>
  <?cs call:empty("No notification has failed for good.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Alert</th><th>Channel</th><th>Kind</th><th class="num">Attempts</th><th>Last error</th><th>Created</th></tr></thead>
    <tbody>
    <?cs each:n = Failed ?>
      <tr>
        <td><?cs if:n.alert_id ?><a href="/alerts/<?cs var:n.alert_id ?>">#<?cs var:n.alert_id ?></a><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <td><?cs var:n.channel ?> <span class="muted">(<?cs var:n.channel_type ?>)</span></td>
        <td><?cs var:n.kind ?></td>
        <td class="num"><?cs var:n.attempts ?></td>
        <td class="small"><?cs call:dash(n.last_error) ?></td>
        <td class="nowrap"><?cs var:n.created ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
