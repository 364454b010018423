<?cs # budgets.cs: /budgets, each budget's period so far (spend, pace, projection, chart). ?><?cs def:content() ?>
<div class="page-head"><h1>Budgets</h1><?cs call:env_selector() ?>
  <?cs if:Can.edit_budgets ?><a class="btn" href="/budgets/new">New budget</a><?cs /if ?></div>
<p class="lead">Spend counts probe costs and reported production usage, in the periods of each budget's time zone (weeks start on Monday). Each alert tier is announced once per period through the alert routing; so is the pace when it would exhaust the budget before the period ends.</p>
<?cs if:!subcount(Budgets) ?>
<section class="card"><?cs call:empty("No budgets yet. Add one here (editors), with `llmwatch budget add --period daily --amount 150`, or under budgets: in the configuration.") ?></section>
<?cs else ?>
<section class="card">
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Name</th><th>Scope</th><th>Period</th><th class="num">Budget</th><th class="num">Spent</th><th class="num">Probes</th><th class="num">Production</th><th class="num">Remaining</th><th>Used</th><th class="num">Projected</th><th>Runs out</th><th>Alerts at</th></tr></thead>
    <tbody>
    <?cs each:b = Budgets ?>
      <tr<?cs if:b.used_pct >= 100 ?> class="row-crit"<?cs /if ?>>
        <td><a href="#budget-<?cs var:b.id ?>"><?cs var:b.name ?></a><?cs if:!b.enabled ?> <?cs call:pill("none", "disabled") ?><?cs /if ?></td>
        <td><?cs var:b.scope ?></td>
        <td><?cs var:b.period ?> <span class="small muted">since <?cs var:b.since ?> <?cs var:b.time_zone ?></span></td>
        <td class="num">$<?cs var:b.amount ?></td>
        <td class="num">$<?cs var:b.spent ?></td>
        <td class="num">$<?cs var:b.probe ?></td>
        <td class="num">$<?cs var:b.usage ?></td>
        <td class="num">$<?cs var:b.remaining ?></td>
        <td class="nowrap"><meter min="0" max="100" low="80" high="99.9" optimum="0" value="<?cs var:b.used_pct ?>"><?cs var:b.used_pct ?>%</meter> <?cs var:b.used_pct ?>%</td>
        <td class="num">$<?cs var:b.projected ?> <span class="small muted">(<?cs var:b.projected_pct ?>%)</span></td>
        <td><?cs if:b.runs_out ?><?cs call:pill("warn", b.runs_out) ?><?cs else ?><span class="muted">not at this pace</span><?cs /if ?></td>
        <td><?cs var:b.thresholds ?><?cs if:b.crossed ?><div class="small muted">announced: <?cs var:b.crossed ?></div><?cs /if ?></td>
      </tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <p class="small muted">Pace: the spend rate of the last quarter of the period (or of its elapsed part, when shorter) continued to its end; "runs out" is when it reaches the budget at that rate.</p>
</section>
<?cs each:b = Budgets ?>
<section class="card" id="budget-<?cs var:b.id ?>">
  <h2><?cs var:b.name ?> <span class="small muted"><?cs var:b.period ?>, <?cs var:b.scope ?>, <?cs var:b.since ?> &rarr; <?cs var:b.until ?> <?cs var:b.time_zone ?></span></h2>
  <p>Spent $<?cs var:b.spent ?> of $<?cs var:b.amount ?> ($<?cs var:b.probe ?> probes, $<?cs var:b.usage ?> production); at $<?cs var:b.rate_h ?> an hour the period ends near $<?cs var:b.projected ?>.</p>
  <figure class="chart"><?cs uvar:b.chart ?></figure>
  <?cs if:Can.edit_budgets && b.source != "config" ?><p><a class="btn btn-ghost" href="/budgets/<?cs var:b.id ?>/delete">Remove</a></p><?cs /if ?>
  <?cs if:b.source == "config" ?><p class="small muted">Defined in the configuration file.</p><?cs /if ?>
</section>
<?cs /each ?>
<?cs /if ?>
<?cs /def ?>
