<?cs # status.cs: the public /status page (app/page_status.c), rendered from the document /status.json serves. ?><?cs def:content() ?>
<div class="page-head"><h1>Status</h1>
  <div class="summary" id="overall">
  <?cs if:Status.overall == "operational" ?><?cs call:pill("ok", "All systems operational") ?>
  <?cs elif:Status.overall == "degraded" ?><?cs call:pill("warn", "Degraded performance") ?>
  <?cs elif:Status.overall == "down" ?><?cs call:pill("crit", "Outage") ?>
  <?cs else ?><?cs call:pill("none", "No recent data") ?><?cs /if ?>
  </div>
</div>
<?cs if:!subcount(Models) ?>
<?cs call:empty("No model is shown on this page yet.") ?>
<?cs /if ?>
<?cs each:m = Models ?>
<section class="card status-model" id="model-<?cs name:m ?>">
  <h2><?cs var:m.name ?> <span class="muted small"><?cs var:m.environment ?></span>
    <?cs if:m.state == "operational" ?><?cs call:pill("ok", "operational") ?>
    <?cs elif:m.state == "degraded" ?><?cs call:pill("warn", "degraded") ?>
    <?cs elif:m.state == "down" ?><?cs call:pill("crit", "down") ?>
    <?cs else ?><?cs call:pill("none", "no recent data") ?><?cs /if ?></h2>
  <p class="small"><span class="availability"><?cs if:m.availability_pct ?><?cs var:m.availability_pct ?>%<?cs else ?>&mdash;<?cs /if ?></span> available over 90 days<?cs if:m.hour_p95_ms ?> &middot; last hour p95 <?cs var:m.hour_p95_ms ?> ms<?cs if:m.target_ms ?> (target <?cs var:m.target_ms ?> ms)<?cs /if ?><?cs /if ?></p>
  <svg class="status-bars" viewBox="0 0 630 34" width="100%" height="34" role="img" aria-label="Daily availability over 90 days">
  <?cs each:d = m.days ?><rect x="<?cs var:d.x ?>" y="0" width="5" height="34" rx="1" fill="<?cs var:d.fill ?>" class="day-<?cs var:d.cls ?>"><title><?cs var:d.date ?>: <?cs if:d.availability_pct ?><?cs var:d.availability_pct ?>% available<?cs else ?>no data<?cs /if ?></title></rect><?cs /each ?>
  </svg>
  <p class="muted small">from 90 days ago (left) to today (right)</p>
</section>
<?cs /each ?>
<section class="card" id="incidents">
  <h2>Incidents</h2>
  <?cs if:!subcount(Incidents) ?>
  <p class="muted">No incidents in the last 90 days.</p>
  <?cs else ?>
  <ul class="incidents">
  <?cs each:i = Incidents ?>
    <li class="incident">
      <strong><?cs var:i.title ?></strong> on <?cs var:i.model ?> <span class="muted small">(<?cs var:i.environment ?>)</span>
      <?cs if:i.state == "resolved" ?><?cs call:pill("ok", "resolved") ?><?cs else ?><?cs call:pill("crit", "ongoing") ?><?cs /if ?>
      <span class="muted small">from <?cs var:i.fired_at ?><?cs if:i.resolved_at ?> to <?cs var:i.resolved_at ?><?cs /if ?>, <?cs var:i.duration ?></span>
      <ol class="timeline small">
      <?cs each:t = i.timeline ?><li><?cs var:t.at ?>: <?cs var:t.state ?></li><?cs /each ?>
      </ol>
    </li>
  <?cs /each ?>
  </ul>
  <?cs /if ?>
</section>
<p class="muted small">Updated <?cs var:Status.generated_at ?> &middot; <a href="/status.json">JSON</a></p>
<?cs /def ?>
