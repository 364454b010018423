<?cs def:content() ?>
<section class="login">
  <h1>Log in to llmwatch</h1>
  <form method="post" action="/login" class="card form" novalidate>
    <input type="hidden" name="csrf_token" value="<?cs var:Login.csrf ?>">
    <input type="hidden" name="next" value="<?cs var:Login.next ?>">
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required autofocus value="<?cs var:Login.email ?>">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required<?cs if:Login.error ?> aria-invalid="true" aria-describedby="password-error"<?cs /if ?>>
    <?cs if:Login.error ?><p class="field-error" id="password-error"><?cs var:Login.error ?></p><?cs /if ?>
    <button type="submit" class="btn btn-primary">Log in</button>
  </form>
</section>
<?cs /def ?>
