<?cs def:content() ?>
<div class="page-head"><h1>Channels</h1><?cs if:User.can_admin ?><div class="summary"><a class="btn btn-primary" href="/channels/new" id="new-channel">New channel</a></div><?cs /if ?></div>
<p class="lead">Where alerts go. Secrets stay in the worker's environment: a setting is shown only when it is a <code>${VARIABLE}</code> reference, anything else as &bull;&bull;&bull;&bull;.</p>
<section class="card">
  <h2>Channels</h2>
  <?cs if:!subcount(Channels) ?>
  <?cs call:empty("No notification channels yet. Add one here (New channel) or in the alerts section of monitoring_config.yaml.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table" id="channels">
    <thead><tr><th>Name</th><th>Type</th><th>Settings</th><th>Enabled</th><th>Source</th><th class="num">Sent 24 h</th><th class="num">Failed 24 h</th><th class="num">Queued</th><th>Last sent</th></tr></thead>
    <tbody>
    <?cs each:c = Channels ?>
      <tr<?cs if:c.failed_24h > 0 ?> class="row-crit"<?cs /if ?>>
        <td><a href="/channels/<?cs var:c.id ?>"><?cs var:c.name ?></a></td>
        <td><?cs call:pill("info", c.type) ?></td>
        <td class="small settings"><?cs if:c.settings ?><code><?cs var:c.settings ?></code><?cs else ?><span class="muted">none</span><?cs /if ?></td>
        <td><?cs call:yesno(c.enabled, "enabled", "disabled") ?></td>
        <td><?cs call:source(c.source) ?></td>
        <td class="num"><?cs var:c.sent_24h ?></td>
        <td class="num"><?cs if:c.failed_24h > 0 ?><span class="crit-text"><?cs var:c.failed_24h ?></span><?cs else ?>0<?cs /if ?></td>
        <td class="num"><?cs var:c.pending ?></td>
        <td class="nowrap small"><?cs call:dash(c.last_sent) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs if:subcount(Channels) ?>
<section class="card">
  <h2>Routing</h2>
  <p class="hint">Which channels receive alerts of each severity.<?cs if:User.can_admin ?> Routing written in <code>monitoring_config.yaml</code> replaces that of config channels again when the file changes.<?cs /if ?></p>
  <?cs if:User.can_admin ?><form method="post" action="/channels/routing" id="routing-form"><input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>"><?cs /if ?>
  <div class="table-wrap">
  <table class="table routing" id="routing">
    <thead><tr><th>Channel</th><th class="center"><?cs call:pill("crit", "critical") ?></th><th class="center"><?cs call:pill("warn", "warning") ?></th><th class="center"><?cs call:pill("info", "info") ?></th></tr></thead>
    <tbody>
    <?cs each:c = Channels ?>
      <tr<?cs if:!c.enabled ?> class="row-muted"<?cs /if ?>>
        <td><?cs var:c.name ?> <span class="muted small">(<?cs var:c.type ?>)</span></td>
        <?cs if:User.can_admin ?>
        <td class="center"><input type="checkbox" name="route_critical" value="<?cs var:c.id ?>" aria-label="<?cs var:c.name ?> receives critical"<?cs if:c.route_critical ?> checked<?cs /if ?>></td>
        <td class="center"><input type="checkbox" name="route_warning" value="<?cs var:c.id ?>" aria-label="<?cs var:c.name ?> receives warning"<?cs if:c.route_warning ?> checked<?cs /if ?>></td>
        <td class="center"><input type="checkbox" name="route_info" value="<?cs var:c.id ?>" aria-label="<?cs var:c.name ?> receives info"<?cs if:c.route_info ?> checked<?cs /if ?>></td>
        <?cs else ?>
        <td class="center"><?cs if:c.route_critical ?><span class="ok-text" aria-label="yes">&#10003;</span><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <td class="center"><?cs if:c.route_warning ?><span class="ok-text" aria-label="yes">&#10003;</span><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <td class="center"><?cs if:c.route_info ?><span class="ok-text" aria-label="yes">&#10003;</span><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <?cs /if ?>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs if:User.can_admin ?><div class="form-actions"><button type="submit" class="btn btn-primary" id="save-routing">Save routing</button></div></form><?cs /if ?>
</section>
<?cs /if ?>
<?cs /def ?>
