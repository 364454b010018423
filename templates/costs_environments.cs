<?cs # costs_environments.cs: the document `llmwatch compare-environments --output` writes (in print_layout.cs). ?><?cs def:content() ?>
<div class="report">
<h1>Environment comparison: <?cs var:Cmp.metric ?></h1>
<p class="meta"><?cs var:Cmp.period ?> UTC<?cs if:Cmp.model ?>, model <?cs var:Cmp.model ?><?cs /if ?>. Samples: the <?cs var:Cmp.what ?>, one per hour with probes, from the hourly rollups.</p>
<h2>Distributions</h2>
<div class="scroll">
<table class="baselines">
  <thead><tr><th>Environment</th><th class="num">Hours</th><th class="num">Mean</th><th class="num">SD</th><th class="num">Probes</th><th class="num">Errors</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">Difference to <?cs var:Cmp.envs.0.name ?> (95% CI)</th><th>Welch's t-test</th></tr></thead>
  <tbody>
  <?cs each:e = Cmp.envs ?><tr><th><?cs var:e.name ?></th><td class="num"><?cs var:e.hours ?></td><td class="num"><?cs var:e.mean ?></td><td class="num"><?cs var:e.sd ?></td><td class="num"><?cs var:e.n ?></td><td class="num"><?cs var:e.errors ?></td><td class="num"><?cs var:e.p50_ms_h ?></td><td class="num"><?cs var:e.p95_ms_h ?></td><td class="num"><?cs var:e.p99_ms_h ?></td><td class="num"><?cs if:e.diff ?><?cs var:e.diff ?> <span class="sd">(<?cs var:e.rel ?>)</span><?cs else ?>reference<?cs /if ?></td><td><?cs if:e.test ?><strong><?cs if:e.significant ?>significant<?cs else ?>not significant<?cs /if ?></strong> <span class="sd"><?cs var:e.test ?></span><?cs /if ?></td></tr><?cs /each ?>
  </tbody>
</table>
</div>
<p class="note">Welch's t-test (unequal variances) of each environment's hourly means against <?cs var:Cmp.envs.0.name ?>; p-values adjusted by Holm's method for the comparisons made; significant below <?cs var:Cmp.alpha ?>.</p>
<figure class="chart"><?cs uvar:Cmp.chart ?><figcaption>The hourly values of each environment.</figcaption></figure>
<h2>Latency histograms</h2>
<?cs each:e = Cmp.envs ?><figure class="chart"><?cs uvar:e.hist ?></figure><?cs /each ?>
</div>
<?cs /def ?>
