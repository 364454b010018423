<?cs def:content() ?>
<div class="page-head">
  <div>
    <p class="crumbs"><a href="/rules">Rules</a> / <a href="/rules/<?cs var:Rule.id ?>"><?cs var:Rule.name ?></a></p>
    <h1>Delete this rule?</h1>
  </div>
</div>
<section class="card confirm">
  <p>The rule <strong><?cs var:Rule.name ?></strong> (<?cs var:Rule.kind ?>, <?cs var:Rule.severity ?>) stops being evaluated and leaves the list.
  Its alerts, their history and the audit log are kept; the name stays taken.</p>
  <?cs if:Rule.firing > 0 ?><p class="crit-text">It has <?cs var:Rule.firing ?> firing alert(s) right now.</p><?cs /if ?>
  <form method="post" action="/rules/<?cs var:Rule.id ?>/delete" class="form-actions">
    <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
    <button type="submit" class="btn btn-danger" id="confirm-delete">Delete the rule</button>
    <a class="btn" href="/rules/<?cs var:Rule.id ?>">Cancel</a>
  </form>
</section>
<?cs /def ?>
