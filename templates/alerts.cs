<?cs def:content() ?>
<div class="page-head">
  <div>
    <h1>Alerts</h1>
    <div class="summary"><?cs if:Summary.firing > 0 ?><span class="crit-text"><?cs var:Summary.firing ?> firing</span><?cs else ?><span class="ok-text">nothing firing</span><?cs /if ?><?cs if:Summary.pending > 0 ?><span class="warn-text"><?cs var:Summary.pending ?> pending</span><?cs /if ?></div>
  </div>
  <form method="get" action="/alerts" class="filters" aria-label="Filter alerts">
    <label for="f-state" class="sr-only">State</label>
    <select id="f-state" name="state">
      <option value="">any state</option>
      <option value="firing"<?cs if:Filter.state == "firing" ?> selected<?cs /if ?>>firing</option>
      <option value="pending"<?cs if:Filter.state == "pending" ?> selected<?cs /if ?>>pending</option>
      <option value="resolved"<?cs if:Filter.state == "resolved" ?> selected<?cs /if ?>>resolved</option>
    </select>
    <label for="f-severity" class="sr-only">Severity</label>
    <select id="f-severity" name="severity">
      <option value="">any severity</option>
      <option value="critical"<?cs if:Filter.severity == "critical" ?> selected<?cs /if ?>>critical</option>
      <option value="warning"<?cs if:Filter.severity == "warning" ?> selected<?cs /if ?>>warning</option>
      <option value="info"<?cs if:Filter.severity == "info" ?> selected<?cs /if ?>>info</option>
    </select>
    <label for="f-model" class="sr-only">Model</label>
    <select id="f-model" name="model">
      <option value="">any model</option>
      <?cs each:m = Models ?><option value="<?cs var:m.name ?>"<?cs if:Filter.model == m.name ?> selected<?cs /if ?>><?cs var:m.name ?></option><?cs /each ?>
    </select>
    <?cs if:Filter.rule ?><input type="hidden" name="rule" value="<?cs var:Filter.rule ?>"><?cs /if ?>
    <button type="submit" class="btn btn-small">Filter</button>
    <?cs if:Filter.any ?><a class="btn btn-small btn-link" href="/alerts">Clear</a><?cs /if ?>
  </form>
</div>
<section class="card">
  <?cs if:!subcount(Alerts) ?>
  <?cs if:Filter.any ?><?cs call:empty("No alert matches these filters.") ?><?cs else ?><?cs call:empty("No alerts have fired yet.") ?><?cs /if ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table" id="alerts">
    <thead><tr><th>#</th><th>State</th><th>Severity</th><th>Rule</th><th>Model</th><th>Environment</th><th>Started</th><th>Duration</th><th class="num">Value</th><th class="num">Threshold</th><th>Acknowledged</th></tr></thead>
    <tbody>
    <?cs each:a = Alerts ?>
      <tr<?cs if:a.state == "firing" ?> class="row-crit"<?cs elif:a.state == "pending" ?> class="row-warn"<?cs /if ?>>
        <td><a href="/alerts/<?cs var:a.id ?>">#<?cs var:a.id ?></a></td>
        <td class="nowrap"><?cs call:state(a.state) ?><?cs if:a.silenced ?> <?cs call:silenced(a.silenced) ?><?cs /if ?><?cs if:a.false_positive ?> <?cs call:pill("none", "false positive") ?><?cs /if ?></td>
        <td><?cs call:severity(a.severity) ?></td>
        <td><a href="/rules/<?cs var:a.rule_id ?>"><?cs var:a.rule ?></a><?cs if:a.summary ?><div class="small muted"><?cs var:a.summary ?></div><?cs /if ?></td>
        <td><?cs if:a.model_id ?><a href="/models/<?cs var:a.model_id ?>"><?cs var:a.model ?></a><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <td><?cs call:dash(a.environment) ?></td>
        <td class="nowrap"><?cs var:a.started ?></td>
        <td class="nowrap"><?cs var:a.duration ?><?cs if:a.state != "resolved" ?> <span class="muted small">so far</span><?cs /if ?></td>
        <td class="num"><?cs call:dash(a.value) ?></td>
        <td class="num"><?cs call:dash(a.threshold) ?></td>
        <td><?cs call:dash(a.acknowledged_by) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs if:Summary.shown == Summary.limit ?><p class="small muted">The newest <?cs var:Summary.limit ?> are shown; filter to see older ones.</p><?cs /if ?>
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
