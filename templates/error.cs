<?cs def:content() ?>
<section class="error-page">
  <div class="error-code"><?cs var:Error.status ?></div>
  <h1><?cs var:Error.title ?></h1>
  <p><?cs var:Error.message ?></p>
  <p><a class="btn" href="/">Back to the dashboard</a></p>
</section>
<?cs /def ?>
