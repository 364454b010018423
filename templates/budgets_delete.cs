<?cs # budgets_delete.cs: the confirmation before a budget is removed. ?><?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/budgets">Budgets</a> / <?cs var:Budget.name ?></p>
    <h1>Remove this budget?</h1>
  </div>
</div>
<section class="card confirm">
  <p>The budget <strong><?cs var:Budget.name ?></strong> ($<?cs var:Budget.amount ?> <?cs var:Budget.period ?>, <?cs var:Budget.scope ?>) stops counting and alerting.
  Its alerts, their history and the audit log are kept.</p>
  <form method="post" action="/budgets/<?cs var:Budget.id ?>/delete" class="form-actions">
    <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
    <button type="submit" class="btn btn-danger" id="confirm-delete">Remove the budget</button>
    <a class="btn" href="/budgets">Cancel</a>
  </form>
</section>
<?cs /def ?>
