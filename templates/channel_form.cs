<?cs # channel_form.cs: a channel made or changed in the web interface (app/page_channel_edit.c). Secrets are never shown back. ?><?cs def:content() ?>
<div class="page-head"><div><p class="crumbs"><a href="/channels">Channels</a></p><h1><?cs if:Form.id > 0 ?>Edit <?cs var:Form.name ?><?cs else ?>New channel<?cs /if ?></h1></div></div>
<?cs if:!Form.id ?>
<nav class="range-picker" aria-label="Channel type"><?cs each:k = Kinds ?><a href="/channels/new?type=<?cs var:k.type ?>"<?cs if:k.type == Form.type ?> class="active" aria-current="true"<?cs /if ?>><?cs var:k.label ?></a><?cs /each ?></nav>
<?cs /if ?>
<section class="card">
  <h2><?cs var:Form.type_label ?></h2>
  <form method="post" action="<?cs var:Form.action ?>" class="form" id="channel-form">
    <input type="hidden" name="csrf_token" value="<?cs var:CSRF.token ?>">
    <label for="c-name">Name</label>
    <input id="c-name" name="name" maxlength="100" required value="<?cs var:Form.name ?>">
    <?cs if:Form.name_error ?><p class="field-error"><?cs var:Form.name_error ?></p><?cs /if ?>
    <?cs each:f = Fields ?>
    <label for="c-<?cs var:f.key ?>"><?cs var:f.label ?><?cs if:f.secret ?> <span class="muted small">(secret: stored encrypted, or give a <code>${VARIABLE}</code>)</span><?cs /if ?></label>
    <?cs if:f.secret ?>
    <input id="c-<?cs var:f.key ?>" name="s_<?cs var:f.key ?>" type="password" autocomplete="off" value="" placeholder="<?cs if:f.reference ?><?cs var:f.reference ?> (leave empty to keep)<?cs elif:f.is_set ?>stored (leave empty to keep)<?cs /if ?>">
    <?cs else ?>
    <input id="c-<?cs var:f.key ?>" name="s_<?cs var:f.key ?>" value="<?cs var:f.value ?>"<?cs if:f.required ?> required<?cs /if ?>>
    <?cs /if ?>
    <?cs if:f.error ?><p class="field-error"><?cs var:f.error ?></p><?cs /if ?>
    <?cs /each ?>
    <label><input type="checkbox" name="enabled" value="1"<?cs if:Form.enabled ?> checked<?cs /if ?>> Enabled</label>
    <p class="hint">Which alerts it receives is set in the routing on <a href="/channels">Channels</a>.</p>
    <div class="form-actions"><button type="submit" class="btn btn-primary" id="save-channel">Save</button></div>
  </form>
</section>
<?cs /def ?>
