<?cs def:content() ?>
<div class="page-head"><h1>Rules</h1></div>
<section class="card">
  <?cs if:!subcount(Rules) ?>
  <?cs call:empty("No alert rules are defined yet. Rules come from the alerts section of monitoring_config.yaml.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Name</th><th>Kind</th><th>Severity</th><th>Condition</th><th class="num">For</th><th class="num">Cooldown</th><th>Scope</th><th>Enabled</th><th>Source</th><th class="num">Firing</th></tr></thead>
    <tbody>
    <?cs each:x = Rules ?>
      <tr>
        <td><a href="/rules/<?cs var:x.id ?>"><?cs var:x.name ?></a></td>
        <td><?cs var:x.kind ?></td>
        <td><?cs call:severity(x.severity) ?></td>
        <td><?cs if:x.expression ?><code><?cs var:x.expression ?></code><?cs else ?><span class="muted">see rule</span><?cs /if ?></td>
        <td class="num"><?cs var:x.for_s ?> s</td>
        <td class="num"><?cs var:x.cooldown_s ?> s</td>
        <td class="small"><?cs if:x.scope_models ?><?cs var:x.scope_models ?><?cs else ?>all models<?cs /if ?><?cs if:x.scope_environments ?> &middot; <?cs var:x.scope_environments ?><?cs /if ?></td>
        <td><?cs call:yesno(x.enabled, "enabled", "disabled") ?></td>
        <td><?cs call:source(x.source) ?></td>
        <td class="num"><?cs if:x.firing > 0 ?><span class="crit-text"><?cs var:x.firing ?></span><?cs else ?>0<?cs /if ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
