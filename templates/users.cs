<?cs def:content() ?>
<div class="page-head"><h1>Users</h1></div>
<?cs if:Created.password ?>
<div class="flash flash-ok" role="status">
  <p>User <strong><?cs var:Created.email ?></strong> (<?cs var:Created.role ?>) was created. Their password is shown only this once:</p>
  <p><code class="secret"><?cs var:Created.password ?></code></p>
</div>
<?cs /if ?>
<?cs if:Reset.password ?>
<div class="flash flash-ok" role="status">
  <p>The password of <strong><?cs var:Reset.email ?></strong> was reset and their sessions closed. The new password is shown only this once:</p>
  <p><code class="secret"><?cs var:Reset.password ?></code></p>
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
      <thead><tr><th>Email</th><th>Role</th><th>Status</th><th>Created</th><th>Last login</th><th class="num">Sessions</th><th>Change</th></tr></thead>
      <tbody>
      <?cs each:u = Users ?>
        <tr>
          <td><?cs var:u.email ?></td>
          <td><?cs call:pill("role", u.role) ?></td>
          <td><?cs if:u.disabled ?><?cs call:pill("none", "disabled") ?><?cs else ?><?cs call:pill("ok", "active") ?><?cs /if ?></td>
          <td class="nowrap"><?cs var:u.created ?></td>
          <td class="nowrap"><?cs if:u.last_login ?><?cs var:u.last_login ?><?cs else ?><span class="muted">never</span><?cs /if ?></td>
          <td class="num"><?cs var:u.sessions ?></td>
          <td>
            <details class="user-actions">
              <summary>Change&hellip;</summary>
              <form method="post" action="/admin/users/<?cs var:u.id ?>" class="form form-inline">
                <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
                <input type="hidden" name="action" value="role">
                <label for="role-<?cs var:u.id ?>">Role</label>
                <select id="role-<?cs var:u.id ?>" name="role">
                  <?cs each:k = Roles ?><option value="<?cs var:k ?>"<?cs if:u.role == k ?> selected<?cs /if ?>><?cs var:k ?></option><?cs /each ?>
                </select>
                <button type="submit" class="btn">Change role</button>
              </form>
              <form method="post" action="/admin/users/<?cs var:u.id ?>" class="inline">
                <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
                <?cs if:u.disabled ?>
                <button type="submit" name="action" value="enable" class="btn">Enable</button>
                <?cs else ?>
                <button type="submit" name="action" value="disable" class="btn btn-danger"><?cs if:u.id == Self.id ?>Disable (yourself)<?cs else ?>Disable<?cs /if ?></button>
                <?cs /if ?>
                <button type="submit" name="action" value="reset" class="btn">Reset password</button>
              </form>
              <form method="post" action="/admin/users/<?cs var:u.id ?>" class="form form-inline">
                <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
                <input type="hidden" name="action" value="password">
                <label for="pw-<?cs var:u.id ?>">New password</label>
                <input id="pw-<?cs var:u.id ?>" name="password" type="password" autocomplete="new-password" minlength="<?cs var:Policy.min ?>">
                <button type="submit" class="btn">Set password</button>
              </form>
            </details>
          </td>
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
      <p class="small muted">A strong password is generated and shown once after creation. One set later (Change&hellip;) must have at least <?cs var:Policy.min ?> characters and be neither a well-known password nor the email.</p>
      <button type="submit" class="btn btn-primary">Create user</button>
    </form>
  </section>
</div>
<?cs /def ?>
