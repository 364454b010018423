<?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/rules">Rules</a> / <?cs if:Form.mode == "edit" ?><a href="/rules/<?cs var:Form.id ?>">#<?cs var:Form.id ?></a> / edit<?cs else ?>new<?cs /if ?></p>
    <h1><?cs if:Form.mode == "edit" ?>Edit rule<?cs else ?>New rule<?cs /if ?></h1>
  </div>
</div>
<?cs if:Errors.count > 0 ?>
<div class="flash flash-error" role="alert" id="form-errors">
  <p><strong><?cs if:Errors.count == 1 ?>One thing needs fixing<?cs else ?><?cs var:Errors.count ?> things need fixing<?cs /if ?></strong> &mdash; see the marked fields. Nothing was saved.</p>
  <?cs each:g = Errors.general ?><p><?cs var:g ?></p><?cs /each ?>
</div>
<?cs /if ?>
<?cs if:Preview.ran ?>
<section class="card preview" id="preview">
  <h2>Backtest preview</h2>
  <p class="preview-result">Over the last <?cs var:Preview.days ?> days this rule would have fired
    <strong id="preview-count"><?cs var:Preview.fired ?> <?cs if:Preview.fired == 1 ?>time<?cs else ?>times<?cs /if ?></strong>.</p>
  <p class="small muted">Replayed from stored probes, <?cs var:Preview.from ?> to <?cs var:Preview.to ?>: <?cs var:Preview.evaluations ?> evaluations a minute apart, <?cs var:Preview.samples ?> model decisions (<?cs var:Preview.nodata ?> without data), through the same queries, decisions and pending/for logic as <code>llmwatch evaluate</code>. Not saved yet.</p>
  <?cs if:Preview.chart ?><figure class="chart"><?cs uvar:Preview.chart ?><figcaption class="small muted">Value against the limit, hourly.</figcaption></figure><?cs /if ?>
  <?cs if:subcount(Preview.firings) ?>
  <div class="table-wrap">
  <table class="table">
    <thead><tr><th>Fired</th><th>Resolved</th><th>Model</th><th>Environment</th><th class="num">Value</th><th class="num">Limit</th><th>Why</th></tr></thead>
    <tbody>
    <?cs each:f = Preview.firings ?>
      <tr><td class="nowrap"><?cs var:f.fired ?></td>
        <td class="nowrap"><?cs if:f.resolved ?><?cs var:f.resolved ?> <span class="muted small">(<?cs var:f.duration ?>)</span><?cs else ?><span class="crit-text">still firing</span><?cs /if ?></td>
        <td><?cs var:f.model ?></td><td><?cs var:f.environment ?></td>
        <td class="num"><?cs var:f.value ?></td><td class="num"><?cs var:f.threshold ?></td>
        <td class="small"><?cs var:f.summary ?></td></tr>
    <?cs /each ?>
    </tbody>
  </table>
  </div>
  <?cs if:Preview.more ?><p class="small muted">&hellip; and <?cs var:Preview.more ?> more.</p><?cs /if ?>
  <?cs /if ?>
</section>
<?cs /if ?>
<form method="post" action="<?cs var:Form.action ?>" class="form rule-form" novalidate>
  <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
  <?cs if:Form.version ?><input type="hidden" name="version" value="<?cs var:Form.version ?>"><?cs /if ?>
  <!-- Enter in a field saves: the first submit button is the default one -->
  <button type="submit" name="action" value="save" class="default-submit" tabindex="-1" aria-hidden="true">Save</button>
  <div class="grid-2 grid-wide-left">
  <div>
  <section class="card">
    <h2>Rule</h2>
    <label for="name">Name</label>
    <input id="name" name="name" type="text" maxlength="200" required value="<?cs var:Form.name ?>"<?cs if:Errors.name ?> aria-invalid="true" aria-describedby="name-error"<?cs /if ?>>
    <?cs if:Errors.name ?><p class="field-error" id="name-error"><?cs var:Errors.name ?></p><?cs /if ?>

    <div class="row-2">
      <div class="field">
        <label for="kind">Kind</label>
        <div class="with-button">
          <select id="kind" name="kind"<?cs if:Errors.kind ?> aria-invalid="true" aria-describedby="kind-error"<?cs /if ?>>
            <option value="threshold"<?cs if:Form.kind == "threshold" ?> selected<?cs /if ?>>threshold &mdash; a condition over a window</option>
            <option value="statistical"<?cs if:Form.kind == "statistical" ?> selected<?cs /if ?>>statistical &mdash; far from the usual (k &sigma;)</option>
            <option value="trend"<?cs if:Form.kind == "trend" ?> selected<?cs /if ?>>trend &mdash; rising too fast</option>
            <option value="composite"<?cs if:Form.kind == "composite" ?> selected<?cs /if ?>>composite &mdash; several conditions</option>
            <option value="forecast"<?cs if:Form.kind == "forecast" ?> selected<?cs /if ?>>forecast &mdash; will cross a limit</option>
            <option value="burn_rate"<?cs if:Form.kind == "burn_rate" ?> selected<?cs /if ?>>burn rate &mdash; SLO error budget</option>
          </select>
          <button type="submit" name="action" value="kind" class="btn btn-small" id="change-kind" formnovalidate>Change kind</button>
        </div>
        <?cs if:Errors.kind ?><p class="field-error" id="kind-error"><?cs var:Errors.kind ?></p><?cs /if ?>
      </div>
      <div class="field">
        <label for="severity">Severity</label>
        <select id="severity" name="severity"<?cs if:Errors.severity ?> aria-invalid="true" aria-describedby="severity-error"<?cs /if ?>>
          <option value="critical"<?cs if:Form.severity == "critical" ?> selected<?cs /if ?>>critical</option>
          <option value="warning"<?cs if:Form.severity == "warning" || !Form.severity ?> selected<?cs /if ?>>warning</option>
          <option value="info"<?cs if:Form.severity == "info" ?> selected<?cs /if ?>>info</option>
        </select>
        <?cs if:Errors.severity ?><p class="field-error" id="severity-error"><?cs var:Errors.severity ?></p><?cs /if ?>
      </div>
    </div>

    <fieldset class="kind-fields" id="kind-<?cs var:Form.kind ?>">
    <legend><?cs var:Form.kind ?></legend>
    <?cs if:Form.kind == "threshold" ?>
      <p class="hint">Fires when the condition holds over the measures of the last <em>window</em>. Times are in seconds (<code>500ms</code> and <code>2s</code> work), rates are fractions (<code>5%</code> works).</p>
    <?cs elif:Form.kind == "statistical" ?>
      <p class="hint">Fires when the metric over the window is more than <em>k</em> standard deviations above its mean over the lookback (the window itself excluded), and only with enough samples. Or write the condition with <code>metric</code>, <code>mean</code> and <code>std_dev</code>.</p>
    <?cs elif:Form.kind == "trend" ?>
      <p class="hint">Fires when the regression slope of the metric over the window, in its unit per hour, is above the limit. Or write a condition with <code>linear_regression_slope</code>.</p>
    <?cs elif:Form.kind == "composite" ?>
      <p class="hint">Several threshold conditions over the same window, joined by AND or OR.</p>
    <?cs elif:Form.kind == "forecast" ?>
      <p class="hint">Projects the metric (linear regression over the history window) and fires when the forecast crosses the limit within the horizon; the message says in how many hours.</p>
    <?cs elif:Form.kind == "burn_rate" ?>
      <p class="hint">Error-budget burn of an SLO over paired windows (1h &amp; 5m at 14.4&times;, 6h &amp; 30m at 6&times;, 3d &amp; 6h at 1&times; for a 30-day period).</p>
    <?cs /if ?>

    <?cs if:Form.kind == "composite" ?>
      <label for="conditions">Conditions <span class="muted">(one per line)</span></label>
      <textarea id="conditions" name="conditions" rows="4" class="mono" spellcheck="false"<?cs if:Errors.conditions ?> aria-invalid="true" aria-describedby="conditions-error"<?cs /if ?>><?cs var:Form.conditions ?></textarea>
      <?cs if:Errors.conditions ?><div class="field-error" id="conditions-error"><p><?cs var:Errors.conditions ?></p>
        <?cs if:Errors.conditions_mark.caret ?><pre class="expr-mark" aria-label="where: line <?cs var:Errors.conditions_line ?>, column <?cs var:Errors.conditions_mark.col ?>"><?cs var:Errors.conditions_mark.before ?><mark><?cs var:Errors.conditions_mark.at ?></mark><?cs var:Errors.conditions_mark.after ?>
<span class="caret"><?cs var:Errors.conditions_mark.caret ?></span></pre><?cs /if ?></div><?cs /if ?>
      <label for="operator">Join with</label>
      <select id="operator" name="operator"<?cs if:Errors.operator ?> aria-invalid="true" aria-describedby="operator-error"<?cs /if ?>>
        <option value="AND"<?cs if:Form.operator != "OR" ?> selected<?cs /if ?>>AND &mdash; all hold</option>
        <option value="OR"<?cs if:Form.operator == "OR" ?> selected<?cs /if ?>>OR &mdash; any holds</option>
      </select>
      <?cs if:Errors.operator ?><p class="field-error" id="operator-error"><?cs var:Errors.operator ?></p><?cs /if ?>
    <?cs elif:Form.kind != "burn_rate" ?>
      <label for="condition">Condition<?cs if:Form.kind != "threshold" ?> <span class="muted">(optional: the kind's default otherwise)</span><?cs /if ?></label>
      <input id="condition" name="condition" type="text" class="mono" spellcheck="false" autocomplete="off" value="<?cs var:Form.condition ?>"
        placeholder="<?cs if:Form.kind == "threshold" ?>avg_latency &gt; sla_target * 1.5<?cs elif:Form.kind == "statistical" ?>metric &gt; mean + 3 * std_dev<?cs elif:Form.kind == "trend" ?>linear_regression_slope &gt; 0.1<?cs else ?>metric &gt; 2.5<?cs /if ?>"<?cs if:Errors.condition ?> aria-invalid="true" aria-describedby="condition-error"<?cs /if ?>>
      <?cs if:Errors.condition ?><div class="field-error" id="condition-error"><p><?cs var:Errors.condition ?></p>
        <?cs if:Errors.condition_mark.caret ?><pre class="expr-mark" aria-label="where: column <?cs var:Errors.condition_mark.col ?>"><?cs var:Errors.condition_mark.before ?><mark><?cs var:Errors.condition_mark.at ?></mark><?cs var:Errors.condition_mark.after ?>
<span class="caret"><?cs var:Errors.condition_mark.caret ?></span></pre><?cs /if ?></div><?cs /if ?>
    <?cs /if ?>

    <?cs if:Form.kind == "statistical" || Form.kind == "trend" || Form.kind == "forecast" ?>
    <div class="row-3">
      <div class="field">
        <label for="metric">Metric</label>
        <select id="metric" name="metric"<?cs if:Errors.metric ?> aria-invalid="true" aria-describedby="metric-error"<?cs /if ?>>
          <option value=""<?cs if:!Form.metric ?> selected<?cs /if ?>>from the condition</option>
          <?cs each:m = Choices.metrics ?><?cs if:Form.kind != "statistical" || m.per_probe ?>
          <option value="<?cs var:m.name ?>"<?cs if:Form.metric == m.name ?> selected<?cs /if ?>><?cs var:m.name ?></option>
          <?cs /if ?><?cs /each ?>
        </select>
        <?cs if:Errors.metric ?><p class="field-error" id="metric-error"><?cs var:Errors.metric ?></p><?cs /if ?>
      </div>
      <?cs if:Form.kind == "statistical" ?>
      <div class="field">
        <label for="k">k <span class="muted">(standard deviations)</span></label>
        <input id="k" name="k" type="text" inputmode="decimal" placeholder="3" value="<?cs var:Form.k ?>"<?cs if:Errors.k ?> aria-invalid="true" aria-describedby="k-error"<?cs /if ?>>
        <?cs if:Errors.k ?><p class="field-error" id="k-error"><?cs var:Errors.k ?></p><?cs /if ?>
      </div>
      <?cs else ?>
      <div class="field">
        <label for="threshold">Limit<?cs if:Form.kind == "trend" ?> <span class="muted">(per hour)</span><?cs /if ?></label>
        <input id="threshold" name="threshold" type="text" inputmode="decimal" value="<?cs var:Form.threshold ?>"<?cs if:Errors.threshold ?> aria-invalid="true" aria-describedby="threshold-error"<?cs /if ?>>
        <?cs if:Errors.threshold ?><p class="field-error" id="threshold-error"><?cs var:Errors.threshold ?></p><?cs /if ?>
      </div>
      <?cs /if ?>
      <?cs if:Form.kind != "forecast" ?>
      <div class="field">
        <label for="minimum_samples">Minimum samples</label>
        <input id="minimum_samples" name="minimum_samples" type="text" inputmode="numeric" placeholder="<?cs if:Form.kind == "statistical" ?>30<?cs else ?>10<?cs /if ?>" value="<?cs var:Form.minimum_samples ?>"<?cs if:Errors.minimum_samples ?> aria-invalid="true" aria-describedby="minimum_samples-error"<?cs /if ?>>
        <?cs if:Errors.minimum_samples ?><p class="field-error" id="minimum_samples-error"><?cs var:Errors.minimum_samples ?></p><?cs /if ?>
      </div>
      <?cs /if ?>
    </div>
    <?cs /if ?>

    <div class="row-3">
    <?cs if:Form.kind != "burn_rate" && Form.kind != "forecast" ?>
      <div class="field">
        <label for="window">Window</label>
        <input id="window" name="window" type="text" placeholder="<?cs if:Form.kind == "trend" ?>24h<?cs else ?>15m<?cs /if ?>" value="<?cs var:Form.window ?>"<?cs if:Errors.window ?> aria-invalid="true" aria-describedby="window-error"<?cs /if ?>>
        <?cs if:Errors.window ?><p class="field-error" id="window-error"><?cs var:Errors.window ?></p><?cs /if ?>
      </div>
    <?cs /if ?>
    <?cs if:Form.kind == "statistical" || Form.kind == "forecast" ?>
      <div class="field">
        <label for="lookback_window"><?cs if:Form.kind == "forecast" ?>History window<?cs else ?>Lookback window<?cs /if ?></label>
        <input id="lookback_window" name="lookback_window" type="text" placeholder="<?cs if:Form.kind == "forecast" ?>24h<?cs else ?>7 days<?cs /if ?>" value="<?cs var:Form.lookback_window ?>"<?cs if:Errors.lookback_window ?> aria-invalid="true" aria-describedby="lookback_window-error"<?cs /if ?>>
        <?cs if:Errors.lookback_window ?><p class="field-error" id="lookback_window-error"><?cs var:Errors.lookback_window ?></p><?cs /if ?>
      </div>
    <?cs /if ?>
    <?cs if:Form.kind == "forecast" ?>
      <div class="field">
        <label for="horizon">Horizon</label>
        <input id="horizon" name="horizon" type="text" placeholder="5h" value="<?cs var:Form.horizon ?>"<?cs if:Errors.horizon ?> aria-invalid="true" aria-describedby="horizon-error"<?cs /if ?>>
        <?cs if:Errors.horizon ?><p class="field-error" id="horizon-error"><?cs var:Errors.horizon ?></p><?cs /if ?>
      </div>
    <?cs /if ?>
    <?cs if:Form.kind == "burn_rate" ?>
      <div class="field">
        <label for="slo_target">SLO target</label>
        <input id="slo_target" name="slo_target" type="text" inputmode="decimal" placeholder="0.999" value="<?cs var:Form.slo_target ?>"<?cs if:Errors.slo_target ?> aria-invalid="true" aria-describedby="slo_target-error"<?cs /if ?>>
        <?cs if:Errors.slo_target ?><p class="field-error" id="slo_target-error"><?cs var:Errors.slo_target ?></p><?cs /if ?>
      </div>
      <div class="field">
        <label for="period">SLO period</label>
        <input id="period" name="period" type="text" placeholder="30 days" value="<?cs var:Form.period ?>"<?cs if:Errors.period ?> aria-invalid="true" aria-describedby="period-error"<?cs /if ?>>
        <?cs if:Errors.period ?><p class="field-error" id="period-error"><?cs var:Errors.period ?></p><?cs /if ?>
      </div>
    <?cs /if ?>
    </div>
    </fieldset>
  </section>

  <section class="card">
    <h2>Timing and delivery</h2>
    <div class="row-3">
      <div class="field">
        <label for="for">Pending for</label>
        <input id="for" name="for" type="text" placeholder="0s" value="<?cs var:Form.for_s ?>"<?cs if:Errors.for_s ?> aria-invalid="true" aria-describedby="for-error"<?cs /if ?>>
        <?cs if:Errors.for_s ?><p class="field-error" id="for-error"><?cs var:Errors.for_s ?></p><?cs else ?><p class="hint">how long it must hold before firing</p><?cs /if ?>
      </div>
      <div class="field">
        <label for="cooldown">Cooldown</label>
        <input id="cooldown" name="cooldown" type="text" placeholder="1h" value="<?cs var:Form.cooldown ?>"<?cs if:Errors.cooldown ?> aria-invalid="true" aria-describedby="cooldown-error"<?cs /if ?>>
        <?cs if:Errors.cooldown ?><p class="field-error" id="cooldown-error"><?cs var:Errors.cooldown ?></p><?cs else ?><p class="hint">least time between two notifications</p><?cs /if ?>
      </div>
      <div class="field">
        <label for="repeat_interval">Repeat every</label>
        <input id="repeat_interval" name="repeat_interval" type="text" placeholder="4h" value="<?cs var:Form.repeat_interval ?>"<?cs if:Errors.repeat_interval ?> aria-invalid="true" aria-describedby="repeat_interval-error"<?cs /if ?>>
        <?cs if:Errors.repeat_interval ?><p class="field-error" id="repeat_interval-error"><?cs var:Errors.repeat_interval ?></p><?cs else ?><p class="hint">while it keeps firing</p><?cs /if ?>
      </div>
    </div>
    <div class="checks">
      <label class="check"><input type="checkbox" name="send_resolved" value="1"<?cs if:Form.send_resolved ?> checked<?cs /if ?>> Notify when resolved</label>
      <label class="check"><input type="checkbox" name="enabled" value="1"<?cs if:Form.enabled ?> checked<?cs /if ?>> Enabled</label>
    </div>
  </section>

  <section class="card">
    <h2>Scope</h2>
    <p class="hint">Nothing ticked: every model (or every environment), including ones added later.</p>
    <div class="row-2">
      <fieldset class="field checklist-box"<?cs if:Errors.models ?> aria-invalid="true" aria-describedby="models-error"<?cs /if ?>>
        <legend>Models</legend>
        <?cs if:!subcount(Choices.models) ?><p class="small muted">No models are configured.</p><?cs /if ?>
        <div class="checklist">
        <?cs each:m = Choices.models ?>
          <label class="check"><input type="checkbox" name="models" value="<?cs var:m.name ?>"<?cs if:m.selected ?> checked<?cs /if ?>> <?cs var:m.name ?></label>
        <?cs /each ?>
        </div>
        <?cs if:Errors.models ?><p class="field-error" id="models-error"><?cs var:Errors.models ?></p><?cs /if ?>
      </fieldset>
      <fieldset class="field checklist-box"<?cs if:Errors.environments ?> aria-invalid="true" aria-describedby="environments-error"<?cs /if ?>>
        <legend>Environments</legend>
        <div class="checklist">
        <?cs each:e = Choices.environments ?>
          <label class="check"><input type="checkbox" name="environments" value="<?cs var:e.name ?>"<?cs if:e.selected ?> checked<?cs /if ?>> <?cs var:e.name ?></label>
        <?cs /each ?>
        </div>
        <?cs if:Errors.environments ?><p class="field-error" id="environments-error"><?cs var:Errors.environments ?></p><?cs /if ?>
      </fieldset>
    </div>
  </section>

  <section class="card">
    <h2>Runbook</h2>
    <label for="runbook">What the on-call engineer should do <span class="muted">(Markdown)</span></label>
    <textarea id="runbook" name="runbook" rows="6"<?cs if:Errors.runbook ?> aria-invalid="true" aria-describedby="runbook-error"<?cs /if ?>><?cs var:Form.runbook ?></textarea>
    <?cs if:Errors.runbook ?><p class="field-error" id="runbook-error"><?cs var:Errors.runbook ?></p><?cs /if ?>
  </section>

  <div class="form-actions">
    <button type="submit" name="action" value="save" class="btn btn-primary" id="save"><?cs if:Form.mode == "edit" ?>Save changes<?cs else ?>Create rule<?cs /if ?></button>
    <button type="submit" name="action" value="preview" class="btn" id="preview-button">Preview (last 7 days)</button>
    <a class="btn btn-link" href="<?cs if:Form.mode == "edit" ?>/rules/<?cs var:Form.id ?><?cs else ?>/rules<?cs /if ?>">Cancel</a>
  </div>
  </div>

  <aside>
    <section class="card help">
      <h2>Writing conditions</h2>
      <p class="small">Measures over the window: <code>avg_latency</code>, <code>p50_latency</code>, <code>p95_latency</code>, <code>p99_latency</code>, <code>ttft</code>, <code>p95_ttft</code>, <code>error_rate</code>, <code>success_rate</code>, <code>tokens_per_second</code>, <code>cost_per_1k</code>, <code>daily_cost</code>, <code>quality_score</code>, <code>request_count</code>.</p>
      <p class="small">Also <code>sla_target</code> (the model's, in seconds), <code>baseline</code> (the active baseline of the measure compared) or <code>baseline.p95_latency</code>; arithmetic, comparisons, <code>and</code>, <code>or</code>, <code>not</code>, parentheses.</p>
      <p class="small">Examples:<br><code>avg_latency &gt; sla_target * 1.5</code><br><code>error_rate &gt; 5%</code><br><code>daily_cost &gt; baseline * 2</code></p>
      <p class="small">Durations: <code>90s</code>, <code>15m</code>, <code>1h30m</code>, <code>7 days</code>.</p>
      <p class="small muted">Use <em>Preview</em> to see how often the rule would have fired over the last week before saving it.</p>
    </section>
  </aside>
  </div>
</form>
<?cs /def ?>
