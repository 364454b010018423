<?cs def:content() ?>
<div class="page-head"><h1>Your account</h1></div>
<div class="grid-2 grid-wide-left">
  <section class="card">
    <h2>Open sessions</h2>
    <p class="small muted">A session ends after 12 hours without use, and in any case <?cs var:Account.lifetime ?> after its login.</p>
    <?cs if:!subcount(Sessions) ?>
    <?cs call:empty("No open session.") ?>
    <?cs else ?>
    <div class="table-wrap">
    <table class="table">
      <thead><tr><th>Logged in</th><th>Last seen</th><th>Ends</th><th>Address</th><th>Browser</th></tr></thead>
      <tbody>
      <?cs each:s = Sessions ?>
        <tr>
          <td class="nowrap"><?cs var:s.created ?><?cs if:s.current ?> <?cs call:pill("ok", "this one") ?><?cs /if ?></td>
          <td class="nowrap"><?cs var:s.last_seen ?></td>
          <td class="nowrap"><?cs var:s.expires ?></td>
          <td><?cs call:dash(s.ip) ?></td>
          <td class="small"><?cs call:dash(s.user_agent) ?></td>
        </tr>
      <?cs /each ?>
      </tbody>
    </table>
    </div>
    <?cs /if ?>
  </section>
  <section class="card">
    <h2>Log out everywhere</h2>
    <p>Ends every session of <strong><?cs var:User.email ?></strong>, this one included: each browser has to log in again.</p>
    <form method="post" action="/logout/everywhere" class="form">
      <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
      <button type="submit" class="btn btn-danger" id="logout-everywhere">Log out everywhere</button>
    </form>
  </section>
</div>
<?cs /def ?>
