<?cs # channel.cs: one notification channel (app/page_channels.c): settings masked, test, enable or disable, the delivery log. ?><?cs def:content() ?>
<div class="page-head">
  <div><p class="crumbs"><a href="/channels">Channels</a></p><h1><?cs var:Channel.name ?></h1></div>
  <div class="summary"><?cs call:pill("info", Channel.type) ?> <?cs call:yesno(Channel.enabled, "enabled", "disabled") ?> <?cs call:source(Channel.source) ?></div>
</div>
<section class="card">
  <h2>Settings</h2>
  <p class="small settings"><?cs if:Channel.settings ?><code><?cs var:Channel.settings ?></code><?cs else ?><span class="muted">none</span><?cs /if ?></p>
  <p class="hint">Secrets are never shown: a <code>${VARIABLE}</code> reference is, anything else as &bull;&bull;&bull;&bull;.</p>
  <?cs if:User.can_admin ?>
  <div class="form-actions">
    <form method="post" action="/channels/<?cs var:Channel.id ?>/test" class="inline" id="test-form"><input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>"><button type="submit" class="btn btn-primary" id="test-channel">Send a test notification</button></form>
    <?cs if:Channel.source != "config" ?>
    <a class="btn" href="/channels/<?cs var:Channel.id ?>/edit" id="edit-channel">Edit</a>
    <form method="post" action="/channels/<?cs var:Channel.id ?>/<?cs if:Channel.enabled ?>disable<?cs else ?>enable<?cs /if ?>" class="inline"><input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>"><button type="submit" class="btn<?cs if:Channel.enabled ?> btn-danger<?cs /if ?>"><?cs if:Channel.enabled ?>Disable<?cs else ?>Enable<?cs /if ?></button></form>
    <?cs else ?>
    <span class="hint">This channel comes from <code>monitoring_config.yaml</code>: change it there.</span>
    <?cs /if ?>
  </div>
  <?cs /if ?>
</section>
<?cs if:LastError.message ?>
<section class="card" id="last-error">
  <h2>Last error</h2>
  <p class="crit-text"><?cs var:LastError.message ?></p>
  <p class="muted small"><?cs var:LastError.at ?></p>
</section>
<?cs /if ?>
<section class="card">
  <h2>Delivery log</h2>
  <?cs if:!subcount(Log) ?>
  <?cs call:empty("Nothing was sent through this channel yet.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table" id="delivery-log">
    <thead><tr><th>#</th><th>Kind</th><th>Status</th><th class="num">Attempts</th><th>Queued</th><th>Sent</th><th>Alert</th><th>Error</th></tr></thead>
    <tbody>
    <?cs each:n = Log ?>
      <tr<?cs if:n.status == "failed" ?> class="row-crit"<?cs /if ?>>
        <td class="num"><?cs var:n.id ?></td>
        <td><?cs var:n.kind ?></td>
        <td class="status-<?cs var:n.status ?>"><?cs var:n.status ?></td>
        <td class="num"><?cs var:n.attempts ?></td>
        <td class="nowrap small"><?cs var:n.created ?></td>
        <td class="nowrap small"><?cs call:dash(n.sent) ?></td>
        <td><?cs if:n.alert_id ?><a href="/alerts/<?cs var:n.alert_id ?>">#<?cs var:n.alert_id ?></a><?cs /if ?></td>
        <td class="small"><?cs if:n.last_error ?><span class="crit-text"><?cs var:n.last_error ?></span><?cs elif:n.suppressed_reason ?><span class="muted"><?cs var:n.suppressed_reason ?></span><?cs /if ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
