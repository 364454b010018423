<?cs # budgets_form.cs: /budgets/new, a spending budget and its alert tiers. ?><?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/budgets">Budgets</a> / new</p>
    <h1>New budget</h1>
  </div>
</div>
<?cs if:Errors.count > 0 ?>
<div class="flash flash-error" role="alert" id="form-errors"><p><strong><?cs if:Errors.count == 1 ?>One thing needs fixing<?cs else ?><?cs var:Errors.count ?> things need fixing<?cs /if ?></strong> &mdash; see the marked fields. Nothing was saved.</p></div>
<?cs /if ?>
<form method="post" action="/budgets/new" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
  <section class="card">
    <h2>How much, how often</h2>
    <div class="row-2">
      <div class="field">
        <label for="period">Period</label>
        <select id="period" name="period"<?cs if:Errors.period ?> aria-invalid="true" aria-describedby="period-error"<?cs /if ?>><option value="">choose...</option><option value="daily"<?cs if:Form.period == "daily" ?> selected<?cs /if ?>>daily</option><option value="weekly"<?cs if:Form.period == "weekly" ?> selected<?cs /if ?>>weekly</option><option value="monthly"<?cs if:Form.period == "monthly" ?> selected<?cs /if ?>>monthly</option></select>
        <?cs if:Errors.period ?><p class="field-error" id="period-error"><?cs var:Errors.period ?></p><?cs else ?><p class="hint">weeks start on Monday</p><?cs /if ?>
      </div>
      <div class="field">
        <label for="amount">Amount (dollars)</label>
        <input id="amount" name="amount" type="text" value="<?cs var:Form.amount ?>" placeholder="150"<?cs if:Errors.amount ?> aria-invalid="true" aria-describedby="amount-error"<?cs /if ?>>
        <?cs if:Errors.amount ?><p class="field-error" id="amount-error"><?cs var:Errors.amount ?></p><?cs /if ?>
      </div>
      <div class="field">
        <label for="alert_at">Alert at (% of the amount)</label>
        <input id="alert_at" name="alert_at" type="text" value="<?cs var:Form.alert_at ?>" placeholder="80, 90, 100"<?cs if:Errors.alert_at ?> aria-invalid="true" aria-describedby="alert_at-error"<?cs /if ?>>
        <?cs if:Errors.alert_at ?><p class="field-error" id="alert_at-error"><?cs var:Errors.alert_at ?></p><?cs else ?><p class="hint">each tier is announced once per period</p><?cs /if ?>
      </div>
      <div class="field">
        <label for="name">Name</label>
        <input id="name" name="name" type="text" value="<?cs var:Form.name ?>" placeholder="daily"<?cs if:Errors.name ?> aria-invalid="true" aria-describedby="name-error"<?cs /if ?>>
        <?cs if:Errors.name ?><p class="field-error" id="name-error"><?cs var:Errors.name ?></p><?cs else ?><p class="hint">default: the period</p><?cs /if ?>
      </div>
    </div>
  </section>
  <section class="card">
    <h2>What it counts</h2>
    <p class="hint">Probe costs and production usage of the models that match every chosen field.</p>
    <div class="row-2">
      <div class="field">
        <label for="model">Model</label>
        <select id="model" name="model"<?cs if:Errors.model ?> aria-invalid="true" aria-describedby="model-error"<?cs /if ?>><option value="">every model</option><?cs each:x = Choices.models ?><option value="<?cs var:x ?>"<?cs if:Form.model == x ?> selected<?cs /if ?>><?cs var:x ?></option><?cs /each ?></select>
        <?cs if:Errors.model ?><p class="field-error" id="model-error"><?cs var:Errors.model ?></p><?cs /if ?>
      </div>
      <div class="field">
        <label for="provider">Provider</label>
        <select id="provider" name="provider"<?cs if:Errors.provider ?> aria-invalid="true" aria-describedby="provider-error"<?cs /if ?>><option value="">every provider</option><option value="openai"<?cs if:Form.provider == "openai" ?> selected<?cs /if ?>>openai</option><option value="anthropic"<?cs if:Form.provider == "anthropic" ?> selected<?cs /if ?>>anthropic</option><option value="google"<?cs if:Form.provider == "google" ?> selected<?cs /if ?>>google</option><option value="openai-compatible"<?cs if:Form.provider == "openai-compatible" ?> selected<?cs /if ?>>openai-compatible</option></select>
        <?cs if:Errors.provider ?><p class="field-error" id="provider-error"><?cs var:Errors.provider ?></p><?cs /if ?>
      </div>
      <div class="field">
        <label for="environment">Environment</label>
        <select id="environment" name="environment"<?cs if:Errors.environment ?> aria-invalid="true" aria-describedby="environment-error"<?cs /if ?>><option value="">every environment</option><?cs each:x = Choices.environments ?><option value="<?cs var:x ?>"<?cs if:Form.environment == x ?> selected<?cs /if ?>><?cs var:x ?></option><?cs /each ?></select>
        <?cs if:Errors.environment ?><p class="field-error" id="environment-error"><?cs var:Errors.environment ?></p><?cs /if ?>
      </div>
      <div class="field">
        <label for="time_zone">Time zone</label>
        <input id="time_zone" name="time_zone" type="text" value="<?cs var:Form.time_zone ?>" placeholder="UTC"<?cs if:Errors.time_zone ?> aria-invalid="true" aria-describedby="time_zone-error"<?cs /if ?>>
        <?cs if:Errors.time_zone ?><p class="field-error" id="time_zone-error"><?cs var:Errors.time_zone ?></p><?cs else ?><p class="hint">UTC or e.g. Europe/Paris: where the periods start</p><?cs /if ?>
      </div>
    </div>
  </section>
  <div class="form-actions">
    <button type="submit" class="btn btn-primary">Add the budget</button>
    <a class="btn" href="/budgets">Cancel</a>
  </div>
</form>
<?cs /def ?>
