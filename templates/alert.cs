<?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/alerts">Alerts</a> / #<?cs var:Alert.id ?></p>
    <h1><?cs var:Alert.rule ?></h1>
  </div>
  <div class="summary"><?cs call:state(Alert.state) ?> <?cs call:severity(Alert.severity) ?></div>
</div>
<section class="card">
  <dl class="kv">
    <dt>Rule</dt><dd><a href="/rules/<?cs var:Alert.rule_id ?>"><?cs var:Alert.rule ?></a></dd>
    <dt>Model</dt><dd><?cs if:Alert.model_id ?><a href="/models/<?cs var:Alert.model_id ?>"><?cs var:Alert.model ?></a><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd>
    <dt>Environment</dt><dd><?cs call:dash(Alert.environment) ?></dd>
    <dt>Summary</dt><dd><?cs call:dash(Alert.summary) ?></dd>
    <dt>Value / threshold</dt><dd><?cs call:dash(Alert.value) ?> / <?cs call:dash(Alert.threshold) ?></dd>
    <dt>Started</dt><dd><?cs var:Alert.started ?></dd>
    <dt>Fired</dt><dd><?cs call:dash(Alert.fired) ?></dd>
    <dt>Resolved</dt><dd><?cs call:dash(Alert.resolved) ?></dd>
    <dt>Last evaluated</dt><dd><?cs call:dash(Alert.last_eval) ?></dd>
    <dt>Acknowledged</dt><dd><?cs if:Alert.acknowledged_by ?><?cs var:Alert.acknowledged_by ?> at <?cs var:Alert.acknowledged ?><?cs else ?><span class="muted">not yet</span><?cs /if ?></dd>
    <dt>False positive</dt><dd><?cs call:yesno(Alert.false_positive, "yes", "no") ?></dd>
  </dl>
</section>
<section class="card">
  <h2>History</h2>
  <?cs if:!subcount(Events) ?>
  <?cs call:empty("No state change has been recorded for this alert.") ?>
  <?cs else ?>
  <table class="table">
    <thead><tr><th>Time</th><th>From</th><th>To</th><th class="num">Value</th><th>Message</th><th>By</th></tr></thead>
    <tbody>
    <?cs each:e = Events ?>
      <tr><td class="nowrap"><?cs var:e.at ?></td><td><?cs call:dash(e.from_state) ?></td><td><?cs call:state(e.to_state) ?></td>
        <td class="num"><?cs call:dash(e.value) ?></td><td><?cs call:dash(e.message) ?></td><td><?cs call:dash(e.actor) ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
  <?cs /if ?>
</section>
<section class="card">
  <h2>Notifications</h2>
  <?cs if:!subcount(Notifications) ?>
  <?cs call:empty("No notification was sent for this alert.") ?>
  <?cs else ?>
  <table class="table">
    <thead><tr><th>Channel</th><th>Status</th><th class="num">Attempts</th><th>Sent</th><th>Next attempt</th><th>Last error</th></tr></thead>
    <tbody>
    <?cs each:n = Notifications ?>
      <tr><td><?cs var:n.channel ?> <span class="muted">(<?cs var:n.channel_type ?>)</span></td>
        <td><?cs if:n.status == "sent" ?><?cs call:pill("ok", n.status) ?><?cs elif:n.status == "failed" ?><?cs call:pill("crit", n.status) ?><?cs else ?><?cs call:pill("none", n.status) ?><?cs /if ?></td>
        <td class="num"><?cs var:n.attempts ?></td><td class="nowrap"><?cs call:dash(n.sent) ?></td>
        <td class="nowrap"><?cs if:n.status == "pending" ?><?cs var:n.next_attempt ?><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <td class="small"><?cs call:dash(n.last_error) ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
  <?cs /if ?>
</section>
<?cs /def ?>
