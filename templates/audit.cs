<?cs def:content() ?>
<div class="page-head"><h1>Audit log</h1></div>
<section class="card">
  <?cs if:!subcount(Audit) ?>
  <?cs call:empty("Nothing has been recorded in the audit log yet.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table audit" id="audit">
    <thead><tr><th>Time</th><th>Actor</th><th>Action</th><th>Object</th><th>Changes</th><th>IP</th></tr></thead>
    <tbody>
    <?cs each:x = Audit ?>
      <tr>
        <td class="nowrap"><?cs var:x.at ?></td>
        <td><?cs var:x.actor ?></td>
        <td><?cs var:x.action ?></td>
        <td class="nowrap"><?cs if:x.object_type == "rule" && x.object_id ?><a href="/rules/<?cs var:url_escape(x.object_id) ?>">rule #<?cs var:x.object_id ?></a><?cs elif:x.object_type == "alert" && x.object_id ?><a href="/alerts/<?cs var:url_escape(x.object_id) ?>">alert #<?cs var:x.object_id ?></a><?cs else ?><?cs var:x.object_type ?><?cs if:x.object_id ?> #<?cs var:x.object_id ?><?cs /if ?><?cs /if ?></td>
        <td class="small">
          <?cs if:subcount(x.changes) ?>
          <table class="diff">
          <?cs each:c = x.changes ?>
            <tr><th scope="row"><?cs var:c.key ?></th>
              <td><?cs if:x.before ?><?cs if:?c.before_value ?><del><?cs var:c.before_value ?></del><?cs else ?><span class="muted">none</span><?cs /if ?><?cs if:x.after ?> <span class="muted">&rarr;</span> <?cs /if ?><?cs /if ?><?cs if:x.after ?><?cs if:?c.after_value ?><ins><?cs var:c.after_value ?></ins><?cs else ?><span class="muted">none</span><?cs /if ?><?cs /if ?></td></tr>
          <?cs /each ?>
          </table>
          <?cs if:x.more ?><span class="muted">and more fields&hellip;</span><?cs /if ?>
          <?cs elif:x.before || x.after ?>
          <?cs if:x.after ?><code><?cs var:x.after ?></code><?cs else ?><code><?cs var:x.before ?></code><?cs /if ?>
          <?cs else ?><span class="muted">&mdash;</span><?cs /if ?>
        </td>
        <td class="small"><?cs call:dash(x.ip) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <p class="pager"><?cs if:Newer ?><a href="/admin/audit">&larr; Newest</a><?cs /if ?> <?cs if:Older ?><a href="/admin/audit?before=<?cs var:url_escape(Older) ?>">Older &rarr;</a><?cs /if ?></p>
  <?cs /if ?>
</section>
<?cs /def ?>
