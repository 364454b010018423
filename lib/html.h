/* html.h: text into HTML or XML, one home for every escaper outside the
 * templates (ClearSilver escapes those itself with VarEscapeMode=html):
 * SVG chart labels, the alert mail, reports; and Markdown rendered safely. */
#ifndef LW_HTML_H
#define LW_HTML_H

#include <stddef.h>

#include "lw.h"

/* Appends s escaped for HTML/XML text and attribute values (& < > " '),
 * control characters as spaces, invalid UTF-8 as U+FFFD. NULL appends
 * nothing. LW_OK or LW_ENOMEM. */
int lw_html_escape(lw_buf *out, const char *s);
/* The same using at most max_bytes of s (0 = all), for truncated labels
 * (pass a count that ends on a character boundary). */
int lw_html_escape_n(lw_buf *out, const char *s, size_t max_bytes);

/* Markdown to HTML with cmark's safe mode (raw HTML and javascript:/data:
 * links dropped), so it may be sent out unescaped. Caller free()s; NULL
 * when out of memory. */
char *lw_html_markdown(const char *md);

#endif
