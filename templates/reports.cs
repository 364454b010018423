<?cs def:content() ?>
<div class="page-head"><h1>Reports</h1></div>
<section class="card">
  <?cs if:!subcount(Reports) ?>
  <?cs call:empty("No reports yet. The schedules of report_config.yaml, the daily cost analysis, `llmwatch report --type weekly --output weekly_report.pdf` and the SLA evidence downloads of /sla are stored here, newest first.") ?>
  <?cs else ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Report</th><th>Kind</th><th>Period</th><th>Format</th><th class="num">Size</th><th>Created</th><th>Emailed</th><th>Recipients</th></tr></thead>
    <tbody>
    <?cs each:x = Reports ?>
      <tr>
        <td><a href="/reports/<?cs var:x.id ?>.<?cs var:x.format ?>"><?cs var:x.name ?></a><?cs if:x.has_source == "1" ?> <a class="small" href="/reports/<?cs var:x.id ?>.html" title="the HTML this PDF was typeset from: its SHA-256 is in the PDF's footer">HTML</a><?cs /if ?>
          <div class="small muted" title="SHA-256 of the file"><code><?cs var:x.sha256 ?></code></div></td>
        <td><?cs var:x.kind ?><?cs if:?x.schedule ?><div class="small muted"><?cs var:x.schedule ?></div><?cs /if ?></td>
        <td class="nowrap"><?cs var:x.period_start ?><?cs if:x.period_end != x.period_start ?> &ndash; <?cs var:x.period_end ?><?cs /if ?></td>
        <td><?cs call:pill("info", x.format) ?></td>
        <td class="num"><?cs var:x.bytes ?> B</td>
        <td class="nowrap"><?cs var:x.created ?><?cs if:?x.created_by ?><div class="small muted"><?cs var:x.created_by ?></div><?cs /if ?></td>
        <td class="nowrap"><?cs if:?x.email_error ?><span class="crit-text" title="<?cs var:x.email_error ?>">failed</span><?cs else ?><?cs call:dash(x.emailed) ?><?cs /if ?></td>
        <td class="small"><?cs call:dash(x.recipients) ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs /if ?>
</section>
<?cs /def ?>
