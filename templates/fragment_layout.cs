<?cs # fragment_layout.cs: renders a page's content() alone, for the page
  cache (app/cache.c); the site layout wraps it per request. ?><?cs call:content() ?>
