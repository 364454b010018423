<?cs def:content() ?>
<div class="page-head"><h1>Audit log</h1></div>
<section class="card">
  <?cs if:!subcount(Audit) ?>
  <?cs call:empty("Nothing has been recorded in the audit log yet.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Time</th><th>Actor</th><th>Action</th><th>Object</th><th>Before</th><th>After</th><th>IP</th></tr></thead>
    <tbody>
    <?cs each:x = Audit ?>
      <tr>
        <td class="nowrap"><?cs var:x.at ?></td>
        <td><?cs var:x.actor ?></td>
        <td><?cs var:x.action ?></td>
        <td><?cs var:x.object_type ?><?cs if:x.object_id ?> #<?cs var:x.object_id ?><?cs /if ?></td>
        <td class="small"><?cs if:x.before ?><code><?cs var:x.before ?></code><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
        <td class="small"><?cs if:x.after ?><code><?cs var:x.after ?></code><?cs else ?><span class="muted">&mdash;</span><?cs /if ?></td>
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
