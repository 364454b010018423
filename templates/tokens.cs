<?cs # tokens.cs: /admin/tokens (app/page_tokens.c): API tokens, a new one shown once, revocation. ?><?cs def:content() ?>
<div class="page-head"><h1>API tokens</h1></div>
<p class="lead">For scripts, Prometheus and Grafana: send <code>Authorization: Bearer TOKEN</code> to <code>/api/v1/</code> (described at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>) and <code>/metrics</code>. A token never has more rights than its user, and follows the user down when the user's role is lowered.</p>
<?cs if:Created.token ?>
<div class="flash flash-ok" role="status" id="created-token">
  <p>Token <strong><?cs var:Created.name ?></strong> (<?cs var:Created.role ?>) was created. It is shown only this once:</p>
  <p><code class="secret"><?cs var:Created.token ?></code></p>
</div>
<?cs /if ?>
<div class="grid-2 grid-wide-left">
  <section class="card">
    <h2>Tokens</h2>
    <?cs if:!subcount(Tokens) ?>
    <?cs call:empty("No API tokens yet.") ?>
    <?cs else ?>
    <div class="table-wrap">
    <table class="table" id="tokens">
      <thead><tr><th>Name</th><th>User</th><th>Role</th><th>Created</th><th>Last used</th><th>Status</th><th></th></tr></thead>
      <tbody>
      <?cs each:t = Tokens ?>
        <tr<?cs if:t.revoked ?> class="row-muted"<?cs /if ?>>
          <td><?cs var:t.name ?></td>
          <td><?cs var:t.email ?></td>
          <td><?cs call:pill("role", t.effective_role) ?><?cs if:t.effective_role != t.role ?> <span class="muted small">(made as <?cs var:t.role ?>)</span><?cs /if ?></td>
          <td class="nowrap small"><?cs var:t.created ?></td>
          <td class="nowrap small"><?cs if:t.last_used ?><?cs var:t.last_used ?><?cs else ?><span class="muted">never</span><?cs /if ?></td>
          <td><?cs if:t.revoked ?><?cs call:pill("none", "revoked") ?> <span class="muted small"><?cs var:t.revoked ?></span><?cs else ?><?cs call:pill("ok", "live") ?><?cs /if ?></td>
          <td><?cs if:!t.revoked ?><form method="post" action="/admin/tokens/<?cs var:t.id ?>/revoke" class="inline"><input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>"><button type="submit" class="btn btn-danger">Revoke</button></form><?cs /if ?></td>
        </tr>
      <?cs /each ?>
      </tbody>
    </table>
    </div>
    <?cs /if ?>
  </section>
  <section class="card">
    <h2>New token</h2>
    <form method="post" action="/admin/tokens" class="form" id="token-form">
      <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
      <label for="t-name">Name (what uses it)</label>
      <input id="t-name" name="name" maxlength="100" required value="<?cs var:Form.name ?>">
      <label for="t-user">For user</label>
      <select id="t-user" name="user">
        <?cs each:u = Users ?><option value="<?cs var:u.id ?>"<?cs if:u.id == Self.id ?> selected<?cs /if ?>><?cs var:u.email ?> (<?cs var:u.role ?>)</option><?cs /each ?>
      </select>
      <label for="t-role">Role</label>
      <select id="t-role" name="role">
        <option value="viewer" selected>viewer</option><option value="compliance">compliance</option><option value="editor">editor</option><option value="admin">admin</option>
      </select>
      <div class="form-actions"><button type="submit" class="btn btn-primary">Create token</button></div>
    </form>
  </section>
</div>
<?cs /def ?>
