<?cs def:content() ?>
<div class="page-head">
  <div>
    <h1>Rules</h1>
    <div class="summary"><span><?cs var:Summary.rules ?> rules</span><span class="muted"><?cs var:Summary.enabled ?> enabled</span><?cs if:Summary.firing > 0 ?><span class="crit-text"><?cs var:Summary.firing ?> firing</span><?cs else ?><span class="ok-text">none firing</span><?cs /if ?></div>
  </div>
  <?cs if:User.can_editor ?><div class="toolbar"><a class="btn btn-primary" id="new-rule" href="/rules/new">New rule</a></div><?cs /if ?>
</div>
<section class="card">
  <?cs if:!subcount(Rules) ?>
  <?cs call:empty("No alert rules are defined yet. Rules come from the alerts section of monitoring_config.yaml, or from this page.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table" id="rules">
    <thead><tr><th>Name</th><th>Kind</th><th>Condition</th><th>Scope</th><th>Severity</th><th>State</th><th>Last fired</th><th>Enabled</th><th>Source</th><?cs if:User.can_editor ?><th><span class="sr-only">Actions</span></th><?cs /if ?></tr></thead>
    <tbody>
    <?cs each:x = Rules ?>
      <tr<?cs if:x.firing > 0 ?> class="row-crit"<?cs /if ?>>
        <td><a href="/rules/<?cs var:x.id ?>"><?cs var:x.name ?></a></td>
        <td><?cs var:x.kind ?></td>
        <td class="cond"><?cs if:x.condition ?><code><?cs var:x.condition ?></code><?cs /if ?><?cs if:x.summary ?><div class="small muted"><?cs var:x.summary ?></div><?cs /if ?></td>
        <td class="small"><?cs if:x.scope_models ?><?cs var:x.scope_models ?><?cs else ?>all models<?cs /if ?><?cs if:x.scope_environments ?> &middot; <?cs var:x.scope_environments ?><?cs /if ?></td>
        <td><?cs call:severity(x.severity) ?></td>
        <td class="nowrap"><?cs if:x.firing > 0 ?><a href="/alerts?rule=<?cs var:url_escape(x.id) ?>&amp;state=firing"><?cs call:pill("crit", x.firing + " firing") ?></a><?cs elif:x.pending > 0 ?><?cs call:pill("warn", x.pending + " pending") ?><?cs else ?><?cs call:pill("ok", "ok") ?><?cs /if ?></td>
        <td class="nowrap small"><?cs call:dash(x.last_fired) ?></td>
        <td><?cs call:yesno(x.enabled, "enabled", "disabled") ?></td>
        <td><?cs call:source(x.source) ?></td>
        <?cs if:User.can_editor ?>
        <td class="nowrap actions">
          <?cs if:x.source != "config" ?>
          <a class="btn btn-small" href="/rules/<?cs var:x.id ?>/edit">Edit</a>
          <form method="post" action="/rules/<?cs var:x.id ?>/<?cs if:x.enabled ?>disable<?cs else ?>enable<?cs /if ?>" class="inline">
            <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
            <input type="hidden" name="back" value="list">
            <button type="submit" class="btn btn-small"><?cs if:x.enabled ?>Disable<?cs else ?>Enable<?cs /if ?></button>
          </form>
          <?cs else ?><span class="small muted" title="Defined in monitoring_config.yaml">in config</span><?cs /if ?>
        </td>
        <?cs /if ?>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
