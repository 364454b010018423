<?cs def:content() ?>
<div class="page-head"><h1>Channels</h1></div>
<p class="lead">Where alerts go. Secrets stay in the worker's environment: a setting is shown only when it is a <code>${VARIABLE}</code> reference.</p>
<section class="card">
  <?cs if:!subcount(Channels) ?>
  <?cs call:empty("No notification channels are configured.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Name</th><th>Type</th><th>Settings</th><th>Severities</th><th>Routed</th><th>Enabled</th><th>Source</th><th>Last sent</th><th class="num">Failed</th></tr></thead>
    <tbody>
    <?cs each:c = Channels ?>
      <tr>
        <td><?cs var:c.name ?></td>
        <td><?cs call:pill("info", c.type) ?></td>
        <td class="small"><?cs if:c.settings ?><code><?cs var:c.settings ?></code><?cs else ?><span class="muted">none</span><?cs /if ?></td>
        <td><?cs if:c.severities ?><?cs var:c.severities ?><?cs else ?>all<?cs /if ?></td>
        <td><?cs call:dash(c.routes) ?></td>
        <td><?cs call:yesno(c.enabled, "enabled", "disabled") ?></td>
        <td><?cs call:source(c.source) ?></td>
        <td class="nowrap"><?cs call:dash(c.last_sent) ?></td>
        <td class="num"><?cs if:c.failed > 0 ?><span class="crit-text"><?cs var:c.failed ?></span><?cs else ?>0<?cs /if ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
