<?cs # macros.cs: small pieces every page uses. Values always go out through
     var: (HTML-escaped); class names are chosen here, from fixed words. ?><?cs
def:pill(kind, text) ?><span class="pill pill-<?cs var:kind ?>"><?cs var:text ?></span><?cs /def ?><?cs
def:empty(text) ?><div class="empty"><?cs var:text ?></div><?cs /def ?><?cs
def:severity(s) ?><?cs if:s == "critical" ?><?cs call:pill("crit", s) ?><?cs
  elif:s == "warning" ?><?cs call:pill("warn", s) ?><?cs
  else ?><?cs call:pill("info", s) ?><?cs /if ?><?cs /def ?><?cs
def:state(s) ?><?cs if:s == "firing" ?><?cs call:pill("crit", s) ?><?cs
  elif:s == "pending" ?><?cs call:pill("warn", s) ?><?cs
  elif:s == "resolved" ?><?cs call:pill("ok", s) ?><?cs
  else ?><?cs call:pill("none", s) ?><?cs /if ?><?cs /def ?><?cs
def:yesno(b, yes, no) ?><?cs if:b ?><?cs call:pill("ok", yes) ?><?cs else ?><?cs call:pill("none", no) ?><?cs /if ?><?cs /def ?><?cs
def:probe_result(ok, cls) ?><?cs if:ok ?><?cs call:pill("ok", "ok") ?><?cs
  elif:cls ?><?cs call:pill("crit", cls) ?><?cs else ?><?cs call:pill("crit", "error") ?><?cs /if ?><?cs /def ?><?cs
def:dash(v) ?><?cs if:?v ?><?cs var:v ?><?cs else ?><span class="muted">&mdash;</span><?cs /if ?><?cs /def ?><?cs
def:source(s) ?><?cs call:pill("src", s) ?><?cs /def ?><?cs
def:silenced(id) ?><a class="pill pill-none pill-silenced" href="/silences" title="muted by silence #<?cs var:id ?>">silenced<span class="sr-only"> by silence #<?cs var:id ?></span></a><?cs /def ?><?cs
def:env_selector() ?><?cs if:subcount(EnvSelect) > 2 ?><nav class="range-picker env-picker" aria-label="Environment"><?cs each:x = EnvSelect ?><a href="<?cs var:x.href ?>"<?cs if:x.current ?> class="active" aria-current="true"<?cs /if ?>><?cs var:x.label ?></a><?cs /each ?></nav><?cs /if ?><?cs /def ?>
