<?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/rules">Rules</a> / #<?cs var:Rule.id ?></p>
    <h1><?cs var:Rule.name ?></h1>
  </div>
  <div class="summary"><?cs call:severity(Rule.severity) ?> <?cs call:yesno(Rule.enabled, "enabled", "disabled") ?> <?cs call:source(Rule.source) ?></div>
</div>
<div class="grid-2">
  <section class="card">
    <h2>Definition</h2>
    <dl class="kv">
      <dt>Kind</dt><dd><?cs var:Rule.kind ?></dd>
      <dt>Condition</dt><dd><?cs if:Rule.expression ?><code><?cs var:Rule.expression ?></code><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd>
      <dt>Parameters</dt><dd><code><?cs var:Rule.params ?></code></dd>
      <dt>For</dt><dd><?cs var:Rule.for_s ?> s</dd>
      <dt>Cooldown</dt><dd><?cs var:Rule.cooldown_s ?> s</dd>
      <dt>Repeat every</dt><dd><?cs var:Rule.repeat_interval_s ?> s</dd>
      <dt>Send resolved</dt><dd><?cs call:yesno(Rule.send_resolved, "yes", "no") ?></dd>
      <dt>Models</dt><dd><?cs if:Rule.scope_models ?><?cs var:Rule.scope_models ?><?cs else ?>all<?cs /if ?></dd>
      <dt>Environments</dt><dd><?cs if:Rule.scope_environments ?><?cs var:Rule.scope_environments ?><?cs else ?>all<?cs /if ?></dd>
      <dt>Source</dt><dd><?cs var:Rule.source ?><?cs if:Rule.config_line ?> (config line <?cs var:Rule.config_line ?>)<?cs /if ?></dd>
      <dt>Created</dt><dd><?cs var:Rule.created ?><?cs if:Rule.created_by ?> by <?cs var:Rule.created_by ?><?cs /if ?></dd>
      <dt>Updated</dt><dd><?cs var:Rule.updated ?></dd>
      <dt>Firing now</dt><dd><?cs var:Rule.firing ?></dd>
    </dl>
  </section>
  <section class="card">
    <h2>Runbook</h2>
    <?cs if:Rule.runbook_html ?><div class="prose"><?cs uvar:Rule.runbook_html ?></div><?cs else ?><?cs call:empty("This rule has no runbook.") ?><?cs /if ?>
  </section>
</div>
<?cs /def ?>
