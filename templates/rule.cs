<?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/rules">Rules</a> / #<?cs var:Rule.id ?></p>
    <h1><?cs var:Rule.name ?></h1>
    <div class="summary"><?cs call:severity(Rule.severity) ?> <?cs call:yesno(Rule.enabled, "enabled", "disabled") ?> <?cs call:source(Rule.source) ?><?cs if:Rule.firing > 0 ?> <?cs call:pill("crit", Rule.firing + " firing") ?><?cs /if ?><?cs if:Rule.silenced_alerts > 0 ?> <?cs call:pill("none", Rule.silenced_alerts + " silenced") ?><?cs /if ?><?cs if:Rule.silenced ?> <span class="small">Silenced by <a href="/silences">silence #<?cs var:Rule.silenced ?></a></span><?cs /if ?></div>
  </div>
  <?cs if:User.can_editor ?>
  <div class="toolbar">
    <?cs if:Rule.source != "config" ?>
    <a class="btn" href="/rules/<?cs var:Rule.id ?>/edit">Edit</a>
    <form method="post" action="/rules/<?cs var:Rule.id ?>/<?cs if:Rule.enabled ?>disable<?cs else ?>enable<?cs /if ?>" class="inline">
      <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
      <button type="submit" class="btn"><?cs if:Rule.enabled ?>Disable<?cs else ?>Enable<?cs /if ?></button>
    </form>
    <a class="btn btn-danger" href="/rules/<?cs var:Rule.id ?>/delete">Delete</a>
    <?cs /if ?>
    <a class="btn" href="/rules/new?copy=<?cs var:url_escape(Rule.id) ?>">Duplicate</a>
  </div>
  <?cs /if ?>
</div>
<?cs if:Rule.source == "config" ?>
<div class="note">Defined in <code>monitoring_config.yaml</code><?cs if:Rule.config_line ?> (line <?cs var:Rule.config_line ?>)<?cs /if ?>: change it there; the file is this rule's source and is synced on every change. To mute it for a while, <?cs if:User.can_editor ?>add a <a href="/silences/new?rule=<?cs var:url_escape(Rule.name) ?>">silence</a> matching its name<?cs else ?>an editor can add a silence matching its name<?cs /if ?>.</div>
<?cs /if ?>
<div class="grid-2">
  <section class="card">
    <h2>Definition</h2>
    <dl class="kv">
      <dt>Kind</dt><dd><?cs var:Rule.kind ?></dd>
      <dt>Condition</dt><dd><?cs if:Rule.condition ?><code><?cs var:Rule.condition ?></code><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd>
      <?cs if:Rule.summary ?><dt>Parameters</dt><dd><?cs var:Rule.summary ?></dd><?cs /if ?>
      <dt>For</dt><dd><?cs var:Rule.for_h ?></dd>
      <dt>Cooldown</dt><dd><?cs var:Rule.cooldown_h ?></dd>
      <dt>Repeat every</dt><dd><?cs var:Rule.repeat_h ?></dd>
      <dt>Send resolved</dt><dd><?cs call:yesno(Rule.send_resolved, "yes", "no") ?></dd>
      <dt>Models</dt><dd><?cs if:Rule.scope_models ?><?cs var:Rule.scope_models ?><?cs else ?>all<?cs /if ?></dd>
      <dt>Environments</dt><dd><?cs if:Rule.scope_environments ?><?cs var:Rule.scope_environments ?><?cs else ?>all<?cs /if ?></dd>
      <dt>Source</dt><dd><?cs var:Rule.source ?><?cs if:Rule.config_line ?> (config line <?cs var:Rule.config_line ?>)<?cs /if ?></dd>
    </dl>
  </section>
  <section class="card">
    <h2>Runbook</h2>
    <?cs if:Rule.runbook_html ?><div class="prose"><?cs uvar:Rule.runbook_html ?></div><?cs else ?><?cs call:empty("This rule has no runbook.") ?><?cs /if ?>
  </section>
</div>
<section class="card">
  <h2>Recent alerts</h2>
  <?cs if:!subcount(Alerts) ?>
  <?cs call:empty("This rule has not raised an alert.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>#</th><th>State</th><th>Model</th><th>Environment</th><th>Started</th><th>Resolved</th><th class="num">Value</th><th class="num">Threshold</th></tr></thead>
    <tbody>
    <?cs each:a = Alerts ?>
      <tr><td><a href="/alerts/<?cs var:a.id ?>">#<?cs var:a.id ?></a></td><td class="nowrap"><?cs call:state(a.state) ?><?cs if:a.silenced ?> <?cs call:silenced(a.silenced) ?><?cs /if ?></td>
        <td><?cs call:dash(a.model) ?></td><td><?cs call:dash(a.environment) ?></td>
        <td class="nowrap"><?cs var:a.started ?></td><td class="nowrap"><?cs call:dash(a.resolved) ?></td>
        <td class="num"><?cs call:dash(a.value) ?></td><td class="num"><?cs call:dash(a.threshold) ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
