<?cs def:content() ?>
<div class="page-head"><h1>Silences</h1></div>
<p class="lead">A silence mutes notifications that match it; the alerts are still recorded.</p>
<section class="card">
  <?cs if:!subcount(Silences) ?>
  <?cs call:empty("No silences or maintenance windows are defined.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Status</th><th>Matches</th><th>Starts</th><th>Ends</th><th>Repeats</th><th>Comment</th><th>Created by</th></tr></thead>
    <tbody>
    <?cs each:s = Silences ?>
      <tr>
        <td><?cs if:s.status == "active" ?><?cs call:pill("warn", "active") ?><?cs elif:s.status == "recurring" ?><?cs call:pill("info", "recurring") ?><?cs elif:s.status == "scheduled" ?><?cs call:pill("info", "scheduled") ?><?cs else ?><?cs call:pill("none", s.status) ?><?cs /if ?></td>
        <td><?cs if:s.matchers ?><code><?cs var:s.matchers ?></code><?cs else ?>everything<?cs /if ?></td>
        <td class="nowrap"><?cs var:s.starts ?></td>
        <td class="nowrap"><?cs var:s.ends ?></td>
        <td><?cs if:s.recurrence ?><?cs var:s.recurrence ?><?cs if:s.duration_s ?> for <?cs var:s.duration_s ?> s<?cs /if ?><?cs else ?><span class="muted">once</span><?cs /if ?></td>
        <td><?cs call:dash(s.comment) ?></td>
        <td><?cs call:dash(s.created_by) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
