<?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/alerts">Alerts</a> / #<?cs var:Alert.id ?></p>
    <h1><?cs var:Alert.rule ?></h1>
    <div class="summary"><?cs call:state(Alert.state) ?> <?cs call:severity(Alert.severity) ?><?cs if:Alert.false_positive ?> <?cs call:pill("none", "false positive") ?><?cs /if ?><?cs if:Alert.acknowledged_by ?> <?cs call:pill("info", "acknowledged") ?><?cs /if ?><?cs if:Alert.silenced ?> <?cs call:silenced(Alert.silenced) ?><?cs /if ?></div>
  </div>
  <?cs if:User.can_editor ?>
  <div class="toolbar" id="alert-actions">
    <?cs if:!Alert.acknowledged_by ?>
    <form method="post" action="/alerts/<?cs var:Alert.id ?>/acknowledge" class="inline">
      <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
      <button type="submit" class="btn btn-primary" id="ack">Acknowledge</button>
    </form>
    <?cs else ?>
    <form method="post" action="/alerts/<?cs var:Alert.id ?>/unacknowledge" class="inline">
      <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
      <button type="submit" class="btn" id="unack">Undo acknowledgement</button>
    </form>
    <?cs /if ?>
    <form method="post" action="/alerts/<?cs var:Alert.id ?>/false-positive" class="inline">
      <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
      <input type="hidden" name="value" value="<?cs if:Alert.false_positive ?>0<?cs else ?>1<?cs /if ?>">
      <button type="submit" class="btn" id="false-positive"><?cs if:Alert.false_positive ?>Not a false positive<?cs else ?>Mark false positive<?cs /if ?></button>
    </form>
    <a class="btn" id="silence" href="/silences/new?alert=<?cs var:url_escape(Alert.id) ?>">Silence&hellip;</a>
  </div>
  <?cs /if ?>
</div>
<div class="grid-2">
<section class="card">
  <h2>Details</h2>
  <dl class="kv">
    <dt>Rule</dt><dd><a href="/rules/<?cs var:Alert.rule_id ?>"><?cs var:Alert.rule ?></a> <span class="muted small">(<?cs var:Alert.rule_kind ?><?cs if:Alert.rule_deleted ?>, deleted<?cs /if ?>)</span></dd>
    <dt>Model</dt><dd><?cs if:Alert.model_id ?><a href="/models/<?cs var:Alert.model_id ?>"><?cs var:Alert.model ?></a><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd>
    <dt>Environment</dt><dd><?cs call:dash(Alert.environment) ?></dd>
    <dt>Summary</dt><dd><?cs call:dash(Alert.summary) ?></dd>
    <dt>Value / threshold</dt><dd><?cs call:dash(Alert.value) ?> / <?cs call:dash(Alert.threshold) ?></dd>
    <dt>Started</dt><dd><?cs var:Alert.started ?></dd>
    <dt>Fired</dt><dd><?cs call:dash(Alert.fired) ?></dd>
    <dt>Resolved</dt><dd><?cs call:dash(Alert.resolved) ?></dd>
    <dt>Duration</dt><dd><?cs var:Alert.duration ?><?cs if:Alert.state != "resolved" ?> so far<?cs /if ?></dd>
    <dt>Last evaluated</dt><dd><?cs call:dash(Alert.last_eval) ?></dd>
    <dt>Acknowledged</dt><dd><?cs if:Alert.acknowledged_by ?><?cs var:Alert.acknowledged_by ?> at <?cs var:Alert.acknowledged ?><?cs else ?><span class="muted">not yet</span><?cs /if ?></dd>
    <dt>False positive</dt><dd><?cs call:yesno(Alert.false_positive, "yes", "no") ?></dd>
  </dl>
</section>
<section class="card">
  <h2>Runbook</h2>
  <?cs if:Alert.runbook_html ?><div class="prose" id="runbook"><?cs uvar:Alert.runbook_html ?></div><?cs else ?><?cs call:empty("The rule has no runbook.") ?><?cs /if ?>
</section>
</div>
<section class="card">
  <h2>Value against the limit</h2>
  <?cs if:Chart.svg ?><figure class="chart"><?cs uvar:Chart.svg ?></figure><?cs else ?><?cs call:empty("No stored measurements cover this alert.") ?><?cs /if ?>
</section>
<section class="card">
  <h2>Timeline</h2>
  <?cs if:!subcount(Events) ?>
  <?cs call:empty("No state change has been recorded for this alert.") ?>
  <?cs else ?>
  <ol class="timeline">
    <?cs each:e = Events ?>
    <li class="tl-<?cs if:e.kind == "action" ?>action<?cs elif:e.to_state == "firing" ?>firing<?cs elif:e.to_state == "pending" ?>pending<?cs elif:e.to_state == "resolved" ?>resolved<?cs else ?>other<?cs /if ?>">
      <span class="tl-at nowrap"><?cs var:e.at ?></span>
      <span class="tl-what"><?cs if:e.kind == "action" ?><?cs var:e.message ?><?cs if:e.actor ?> by <strong><?cs var:e.actor ?></strong><?cs /if ?><?cs else ?><?cs if:e.from_state ?><?cs var:e.from_state ?> &rarr; <?cs /if ?><?cs call:state(e.to_state) ?><?cs if:?e.value ?> <span class="muted">value <?cs var:e.value ?></span><?cs /if ?><?cs if:e.message ?> &mdash; <?cs var:e.message ?><?cs /if ?><?cs if:e.actor ?> <span class="muted">by <?cs var:e.actor ?></span><?cs /if ?><?cs /if ?></span>
    </li>
    <?cs /each ?>
  </ol>
  <?cs /if ?>
</section>
<section class="card">
  <h2>Notifications</h2>
  <?cs if:!subcount(Notifications) ?>
  <?cs call:empty("No notification was sent for this alert.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Channel</th><th>For</th><th>Status</th><th class="num">Attempts</th><th>Created</th><th>Sent</th><th>Next attempt</th><th>Last error</th></tr></thead>
    <tbody>
    <?cs each:n = Notifications ?>
      <tr><td><?cs var:n.channel ?> <span class="muted">(<?cs var:n.channel_type ?>)</span></td>
        <td class="small"><?cs call:dash(n.event) ?><?cs if:n.alert_count > 1 ?> <span class="muted">(grouped, <?cs var:n.alert_count ?> alerts)</span><?cs /if ?></td>
        <td><?cs if:n.status == "sent" ?><?cs call:pill("ok", n.status) ?><?cs elif:n.status == "failed" ?><?cs call:pill("crit", n.status) ?><?cs elif:n.status == "suppressed" ?><?cs call:pill("none", "suppressed") ?><?cs if:n.suppressed_reason ?> <span class="small muted"><?cs var:n.suppressed_reason ?></span><?cs /if ?><?cs else ?><?cs call:pill("warn", n.status) ?><?cs /if ?></td>
        <td class="num"><?cs var:n.attempts ?></td><td class="nowrap"><?cs var:n.created ?></td><td class="nowrap"><?cs call:dash(n.sent) ?></td>
        <td class="nowrap"><?cs if:n.status == "pending" || n.status == "sending" ?><?cs var:n.next_attempt ?><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <td class="small"><?cs call:dash(n.last_error) ?><?cs if:n.last_attempt ?><div class="muted">last try <?cs var:n.last_attempt ?></div><?cs /if ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
