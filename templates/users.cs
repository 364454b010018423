<?cs def:content() ?>
<div class="page-head"><h1>Users</h1></div>
<?cs if:Created.password ?>
<div class="flash flash-ok" role="status">
  <p>User <strong><?cs var:Created.email ?></strong> (<?cs var:Created.role ?>) was created. Their password is shown only this once:</p>
  <p><code class="secret"><?cs var:Created.password ?></code></p>
</div>
<?cs /if ?>
<div class="grid-2 grid-wide-left">
  <section class="card">
    <h2>Accounts</h2>
    <?cs if:!subcount(Users) ?>
    <?cs call:empty("No users yet. Create the first one with llmwatch user add.") ?>
    <?cs else ?>
    <div class="table-wrap">
    <table class="table">
      <thead><tr><th>Email</th><th>Role</th><th>Status</th><th>Created</th><th>Last login</th><th class="num">Sessions</th></tr></thead>
      <tbody>
      <?cs each:u = Users ?>
        <tr>
          <td><?cs var:u.email ?></td>
          <td><?cs call:pill("role", u.role) ?></td>
          <td><?cs if:u.disabled ?><?cs call:pill("none", "disabled") ?><?cs else ?><?cs call:pill("ok", "active") ?><?cs /if ?></td>
          <td class="nowrap"><?cs var:u.created ?></td>
          <td class="nowrap"><?cs if:u.last_login ?><?cs var:u.last_login ?><?cs else ?><span class="muted">never</span><?cs /if ?></td>
          <td class="num"><?cs var:u.sessions ?></td>
        </tr>
      <?cs /each ?>
      </tbody>
    </table>
    </div>
    <?cs /if ?>
  </section>
  <section class="card">
    <h2>New user</h2>
    <form method="post" action="/admin/users" class="form" novalidate>
      <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
      <label for="email">Email</label>
      <input id="email" name="email" type="email" required value="<?cs var:Form.email ?>"<?cs if:Form.email_error ?> aria-invalid="true" aria-describedby="email-error"<?cs /if ?>>
      <?cs if:Form.email_error ?><p class="field-error" id="email-error"><?cs var:Form.email_error ?></p><?cs /if ?>
      <label for="role">Role</label>
      <select id="role" name="role"<?cs if:Form.role_error ?> aria-invalid="true" aria-describedby="role-error"<?cs /if ?>>
        <option value="viewer"<?cs if:Form.role == "viewer" ?> selected<?cs /if ?>>viewer &mdash; reads dashboards, alerts, rules</option>
        <option value="compliance"<?cs if:Form.role == "compliance" ?> selected<?cs /if ?>>compliance &mdash; viewer + SLA, reports, audit</option>
        <option value="editor"<?cs if:Form.role == "editor" ?> selected<?cs /if ?>>editor &mdash; compliance + changes rules, silences</option>
        <option value="admin"<?cs if:Form.role == "admin" ?> selected<?cs /if ?>>admin &mdash; everything, users too</option>
      </select>
      <?cs if:Form.role_error ?><p class="field-error" id="role-error"><?cs var:Form.role_error ?></p><?cs /if ?>
      <p class="small muted">A strong password is generated and shown once after creation.</p>
      <button type="submit" class="btn btn-primary">Create user</button>
    </form>
  </section>
</div>
<?cs /def ?>
