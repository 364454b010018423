<?cs def:content() ?>
<div class="page-head">
  <h1>Dashboard</h1>
  <div class="summary">
    <span><?cs var:Summary.models ?> models</span>
    <span class="ok-text"><?cs var:Summary.healthy ?> healthy</span>
    <span class="crit-text"><?cs var:Summary.failing ?> failing</span>
    <span class="muted"><?cs var:Summary.idle ?> not probed yet</span>
  </div>
</div>
<?cs if:!subcount(Envs) ?>
<?cs call:empty("No models are configured yet. Add them to monitoring_config.yaml and run llmwatch init.") ?>
<?cs /if ?>
<?cs each:env = Envs ?>
<section class="env">
  <h2 class="env-name"><?cs var:env.name ?></h2>
  <div class="cards">
  <?cs each:m = env.models ?>
    <article class="card model-card<?cs if:?m.last_ok ?><?cs if:m.last_ok ?> is-ok<?cs else ?> is-crit<?cs /if ?><?cs /if ?>">
      <header class="card-head">
        <a class="card-title" href="/models/<?cs var:m.id ?>"><?cs var:m.name ?></a>
        <?cs if:m.priority == "high" ?><?cs call:pill("crit", "high") ?><?cs elif:m.priority == "medium" ?><?cs call:pill("warn", "medium") ?><?cs else ?><?cs call:pill("none", m.priority) ?><?cs /if ?>
      </header>
      <div class="card-sub"><?cs var:m.provider ?> / <?cs var:m.model ?><?cs if:m.sla_target_ms ?> &middot; SLA <?cs var:m.sla_target_ms_h ?><?cs /if ?></div>
      <?cs if:?m.last_ok ?>
      <div class="latest">
        <?cs call:probe_result(m.last_ok, m.last_error) ?>
        <span class="muted"><?cs var:m.last_at ?></span>
      </div>
      <dl class="metrics">
        <div><dt>TTFT</dt><dd><?cs call:dash(m.last_ttft_ms_h) ?></dd></div>
        <div><dt>Total</dt><dd<?cs if:m.last_over_sla ?> class="crit-text"<?cs /if ?>><?cs call:dash(m.last_total_ms_h) ?></dd></div>
        <div><dt title="decode rate: (output tokens - 1) / (total - TTFT)">Tok/s</dt><dd><?cs call:dash(m.last_tps) ?></dd></div>
      </dl>
      <?cs else ?>
      <div class="latest"><?cs call:pill("none", "No probe yet") ?></div>
      <?cs /if ?>
      <dl class="metrics metrics-hour">
        <div><dt>Success 1h</dt><dd><?cs if:m.hour_count > 0 ?><?cs var:m.hour_success_pct ?>%<?cs else ?><span class="muted">&mdash;</span><?cs /if ?></dd></div>
        <div><dt>p95 1h</dt><dd><?cs call:dash(m.hour_p95_ms_h) ?></dd></div>
        <div><dt>Probes 1h</dt><dd><?cs var:m.hour_count ?></dd></div>
      </dl>
    </article>
  <?cs /each ?>
  </div>
</section>
<?cs /each ?>
<?cs /def ?>
