<?cs def:content() ?>
<div class="page-head">
  <div>
    <h1>Silences</h1>
    <div class="summary"><span><?cs var:Summary.active ?> in force</span><span class="muted"><?cs var:Summary.upcoming ?> upcoming or recurring</span></div>
  </div>
  <?cs if:User.can_editor ?>
  <div class="toolbar">
    <a class="btn btn-primary" id="new-silence" href="/silences/new">New silence</a>
    <a class="btn" href="/silences/new?mode=recurring">New maintenance window</a>
  </div>
  <?cs /if ?>
</div>
<p class="lead">A silence mutes the notifications of matching alerts; the alerts are still recorded and shown.</p>
<section class="card">
  <h2>In force now</h2>
  <?cs if:!subcount(Active) ?>
  <?cs call:empty("Nothing is silenced right now.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table" id="silences-active">
    <thead><tr><th>Matches</th><th>Until</th><th>Kind</th><th>Comment</th><th>Created by</th><?cs if:User.can_editor ?><th><span class="sr-only">Actions</span></th><?cs /if ?></tr></thead>
    <tbody>
    <?cs each:s = Active ?>
      <tr>
        <td><?cs if:s.matchers ?><code><?cs var:s.matchers ?></code><?cs else ?><strong>every alert</strong><?cs /if ?></td>
        <td class="nowrap"><?cs if:s.open_until ?><?cs var:s.open_until ?><?cs else ?><?cs var:s.ends ?><?cs /if ?></td>
        <td><?cs if:s.recurrence ?><?cs call:pill("info", "maintenance window") ?> <span class="small"><?cs if:s.recurrence_h ?><?cs var:s.recurrence_h ?><?cs else ?><?cs var:s.recurrence ?><?cs /if ?>, <?cs var:s.duration_h ?> each</span><?cs else ?><?cs call:pill("warn", "silence") ?><?cs /if ?></td>
        <td><?cs call:dash(s.comment) ?></td>
        <td class="small"><?cs call:dash(s.created_by) ?><div class="muted"><?cs var:s.created ?></div></td>
        <?cs if:User.can_editor ?>
        <td><form method="post" action="/silences/<?cs var:s.id ?>/expire" class="inline">
          <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
          <button type="submit" class="btn btn-small">Expire now</button></form></td>
        <?cs /if ?>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<section class="card">
  <h2>Upcoming and recurring</h2>
  <?cs if:!subcount(Upcoming) ?>
  <?cs call:empty("No silence or maintenance window is scheduled.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table" id="silences-upcoming">
    <thead><tr><th>Matches</th><th>Next</th><th>Kind</th><th>Comment</th><th>Created by</th><?cs if:User.can_editor ?><th><span class="sr-only">Actions</span></th><?cs /if ?></tr></thead>
    <tbody>
    <?cs each:s = Upcoming ?>
      <tr>
        <td><?cs if:s.matchers ?><code><?cs var:s.matchers ?></code><?cs else ?><strong>every alert</strong><?cs /if ?></td>
        <td class="nowrap"><?cs if:s.recurrence ?><?cs if:s.next_window ?><?cs var:s.next_window ?><?cs else ?><span class="muted">no further window</span><?cs /if ?><?cs else ?><?cs var:s.starts ?> <span class="muted small">for <?cs var:s.length_h ?></span><?cs /if ?></td>
        <td><?cs if:s.recurrence ?><?cs call:pill("info", "maintenance window") ?> <span class="small"><?cs if:s.recurrence_h ?><?cs var:s.recurrence_h ?><?cs else ?><?cs var:s.recurrence ?><?cs /if ?>, <?cs var:s.duration_h ?> each</span><?cs else ?><?cs call:pill("none", "scheduled") ?><?cs /if ?></td>
        <td><?cs call:dash(s.comment) ?></td>
        <td class="small"><?cs call:dash(s.created_by) ?><div class="muted"><?cs var:s.created ?></div></td>
        <?cs if:User.can_editor ?>
        <td><form method="post" action="/silences/<?cs var:s.id ?>/expire" class="inline">
          <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
          <button type="submit" class="btn btn-small">Cancel</button></form></td>
        <?cs /if ?>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<section class="card">
  <h2>Expired</h2>
  <?cs if:!subcount(Expired) ?>
  <?cs call:empty("No silence has ended yet.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table" id="silences-expired">
    <thead><tr><th>Matches</th><th>From</th><th>Ended</th><th>Comment</th><th>Created by</th></tr></thead>
    <tbody>
    <?cs each:s = Expired ?>
      <tr class="row-muted">
        <td><?cs if:s.matchers ?><code><?cs var:s.matchers ?></code><?cs else ?>every alert<?cs /if ?><?cs if:s.recurrence ?> <span class="small muted">(<?cs var:s.recurrence ?>)</span><?cs /if ?></td>
        <td class="nowrap"><?cs var:s.starts ?></td>
        <td class="nowrap"><?cs if:s.expired ?><?cs var:s.expired ?> <span class="small muted">(expired by hand)</span><?cs else ?><?cs var:s.ends ?><?cs /if ?></td>
        <td><?cs call:dash(s.comment) ?></td>
        <td class="small"><?cs call:dash(s.created_by) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
