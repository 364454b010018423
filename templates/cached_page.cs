<?cs # cached_page.cs: a page served from the page cache (app/cache.c): its
  content() is the fragment rendered when the page was computed, by our own
  escaping templates, so it goes out with uvar:. ?><?cs def:content() ?><?cs uvar:Cached.html ?><?cs /def ?>
