<?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/silences">Silences</a> / new<?cs if:From.id ?> &middot; from <a href="/alerts/<?cs var:From.id ?>">alert #<?cs var:From.id ?></a><?cs /if ?></p>
    <h1><?cs if:Form.mode == "recurring" ?>New maintenance window<?cs else ?>New silence<?cs /if ?></h1>
  </div>
</div>
<?cs if:Errors.count > 0 ?>
<div class="flash flash-error" role="alert" id="form-errors"><p><strong><?cs if:Errors.count == 1 ?>One thing needs fixing<?cs else ?><?cs var:Errors.count ?> things need fixing<?cs /if ?></strong> &mdash; see the marked fields. Nothing was saved.</p></div>
<?cs /if ?>
<form method="post" action="/silences/new" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
  <?cs if:Form.alert ?><input type="hidden" name="alert" value="<?cs var:Form.alert ?>"><?cs /if ?>
  <div class="grid-2 grid-wide-left">
  <div>
  <section class="card">
    <h2>What to mute</h2>
    <p class="hint">Notifications of alerts matching <em>every</em> chosen field are muted. The alerts themselves are still recorded.</p>
    <div class="row-2">
      <div class="field">
        <label for="rule">Rule</label>
        <select id="rule" name="rule"<?cs if:Errors.rule ?> aria-invalid="true" aria-describedby="rule-error"<?cs /if ?>>
          <option value="">any rule</option>
          <?cs each:x = Choices.rules ?><option value="<?cs var:x ?>"<?cs if:Form.rule == x ?> selected<?cs /if ?>><?cs var:x ?></option><?cs /each ?>
        </select>
        <?cs if:Errors.rule ?><p class="field-error" id="rule-error"><?cs var:Errors.rule ?></p><?cs /if ?>
      </div>
      <div class="field">
        <label for="severity">Severity</label>
        <select id="severity" name="severity"<?cs if:Errors.severity ?> aria-invalid="true" aria-describedby="severity-error"<?cs /if ?>>
          <option value="">any severity</option>
          <option value="critical"<?cs if:Form.severity == "critical" ?> selected<?cs /if ?>>critical</option>
          <option value="warning"<?cs if:Form.severity == "warning" ?> selected<?cs /if ?>>warning</option>
          <option value="info"<?cs if:Form.severity == "info" ?> selected<?cs /if ?>>info</option>
        </select>
        <?cs if:Errors.severity ?><p class="field-error" id="severity-error"><?cs var:Errors.severity ?></p><?cs /if ?>
      </div>
      <div class="field">
        <label for="model">Model</label>
        <select id="model" name="model"<?cs if:Errors.model ?> aria-invalid="true" aria-describedby="model-error"<?cs /if ?>>
          <option value="">any model</option>
          <?cs each:x = Choices.models ?><option value="<?cs var:x ?>"<?cs if:Form.model == x ?> selected<?cs /if ?>><?cs var:x ?></option><?cs /each ?>
        </select>
        <?cs if:Errors.model ?><p class="field-error" id="model-error"><?cs var:Errors.model ?></p><?cs /if ?>
      </div>
      <div class="field">
        <label for="environment">Environment</label>
        <select id="environment" name="environment"<?cs if:Errors.environment ?> aria-invalid="true" aria-describedby="environment-error"<?cs /if ?>>
          <option value="">any environment</option>
          <?cs each:x = Choices.environments ?><option value="<?cs var:x ?>"<?cs if:Form.environment == x ?> selected<?cs /if ?>><?cs var:x ?></option><?cs /each ?>
        </select>
        <?cs if:Errors.environment ?><p class="field-error" id="environment-error"><?cs var:Errors.environment ?></p><?cs /if ?>
      </div>
    </div>
    <label class="check"><input type="checkbox" name="all" value="1"<?cs if:Form.all ?> checked<?cs /if ?>> Every alert, when no field above is chosen</label>
    <?cs if:Errors.matchers ?><p class="field-error" id="matchers-error"><?cs var:Errors.matchers ?></p><?cs /if ?>
  </section>

  <section class="card">
    <h2>When</h2>
    <div class="segmented" role="radiogroup" aria-label="Kind">
      <label class="check"><input type="radio" name="mode" value="once"<?cs if:Form.mode != "recurring" ?> checked<?cs /if ?>> Once</label>
      <label class="check"><input type="radio" name="mode" value="recurring"<?cs if:Form.mode == "recurring" ?> checked<?cs /if ?>> Recurring maintenance window</label>
    </div>
    <div class="row-3">
      <div class="field">
        <label for="starts">Starts <span class="muted">(UTC)</span></label>
        <input id="starts" name="starts" type="text" placeholder="now" value="<?cs var:Form.starts ?>"<?cs if:Errors.starts ?> aria-invalid="true" aria-describedby="starts-error"<?cs /if ?>>
        <?cs if:Errors.starts ?><p class="field-error" id="starts-error"><?cs var:Errors.starts ?></p><?cs else ?><p class="hint">YYYY-MM-DD HH:MM; empty: now</p><?cs /if ?>
      </div>
      <div class="field">
        <label for="duration"><?cs if:Form.mode == "recurring" ?>Each window lasts<?cs else ?>Duration<?cs /if ?></label>
        <input id="duration" name="duration" type="text" placeholder="2h" value="<?cs var:Form.duration ?>"<?cs if:Errors.duration ?> aria-invalid="true" aria-describedby="duration-error"<?cs /if ?>>
        <?cs if:Errors.duration ?><p class="field-error" id="duration-error"><?cs var:Errors.duration ?></p><?cs else ?><p class="hint">30m, 2h, 1 day</p><?cs /if ?>
      </div>
      <div class="field">
        <label for="ends"><?cs if:Form.mode == "recurring" ?>Until <span class="muted">(optional)</span><?cs else ?>or ends <span class="muted">(UTC)</span><?cs /if ?></label>
        <input id="ends" name="ends" type="text" placeholder="YYYY-MM-DD HH:MM" value="<?cs var:Form.ends ?>"<?cs if:Errors.ends ?> aria-invalid="true" aria-describedby="ends-error"<?cs /if ?>>
        <?cs if:Errors.ends ?><p class="field-error" id="ends-error"><?cs var:Errors.ends ?></p><?cs /if ?>
      </div>
    </div>
    <label for="recurrence">Recurrence <span class="muted">(maintenance windows)</span></label>
    <input id="recurrence" name="recurrence" type="text" placeholder="weekly on sunday at 02:00" value="<?cs var:Form.recurrence ?>"<?cs if:Errors.recurrence ?> aria-invalid="true" aria-describedby="recurrence-error"<?cs /if ?>>
    <?cs if:Errors.recurrence ?><p class="field-error" id="recurrence-error"><?cs var:Errors.recurrence ?></p><?cs else ?><p class="hint">daily at 03:00, weekly on sunday at 02:00, monthly on 1st at 04:00, or cron (<code>0 2 * * 0</code>); UTC</p><?cs /if ?>
  </section>

  <section class="card">
    <h2>Why</h2>
    <label for="comment">Comment</label>
    <input id="comment" name="comment" type="text" maxlength="500" placeholder="Provider maintenance, ticket OPS-123" value="<?cs var:Form.comment ?>"<?cs if:Errors.comment ?> aria-invalid="true" aria-describedby="comment-error"<?cs /if ?>>
    <?cs if:Errors.comment ?><p class="field-error" id="comment-error"><?cs var:Errors.comment ?></p><?cs /if ?>
  </section>
  <div class="form-actions">
    <button type="submit" class="btn btn-primary" id="create-silence">Create</button>
    <a class="btn btn-link" href="<?cs if:From.id ?>/alerts/<?cs var:From.id ?><?cs else ?>/silences<?cs /if ?>">Cancel</a>
  </div>
  </div>
  <aside>
    <section class="card help">
      <h2>Silences and windows</h2>
      <p class="small">A <strong>silence</strong> runs once, from its start for its duration (or until its end).</p>
      <p class="small">A <strong>maintenance window</strong> opens at every slot of its recurrence and stays open for the window's length, from the start until the optional end.</p>
      <p class="small muted">Expire either from the list at any time. Every change is in the audit log.</p>
    </section>
  </aside>
  </div>
</form>
<?cs /def ?>
