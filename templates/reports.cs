<?cs def:content() ?>
<div class="page-head"><h1>Reports</h1></div>
<section class="card">
  <?cs if:!subcount(Reports) ?>
  <?cs call:empty("No reports yet. Stored reports (PDF, HTML or CSV) will be listed here, newest first; nothing generates them yet.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Report</th><th>Kind</th><th>Period</th><th>Format</th><th class="num">Size</th><th>Created</th><th>Emailed</th><th>Recipients</th></tr></thead>
    <tbody>
    <?cs each:x = Reports ?>
      <tr>
        <td><a href="/reports/<?cs var:x.id ?>.<?cs var:x.format ?>"><?cs var:x.name ?></a></td>
        <td><?cs var:x.kind ?></td>
        <td class="nowrap"><?cs var:x.period_start ?> &ndash; <?cs var:x.period_end ?></td>
        <td><?cs call:pill("info", x.format) ?></td>
        <td class="num"><?cs var:x.bytes ?> B</td>
        <td class="nowrap"><?cs var:x.created ?></td>
        <td class="nowrap"><?cs call:dash(x.emailed) ?></td>
        <td class="small"><?cs call:dash(x.recipients) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
