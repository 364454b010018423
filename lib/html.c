/* html.c: text into HTML or XML (see html.h): one escaper for the SVG
 * charts, the alert mail and the reports, and Markdown in cmark's safe
 * mode for runbooks and report commentary. */
#include "html.h"

#include <cmark.h>
#include <string.h>

#define TRY(x) do { if ((x) != LW_OK) return LW_ENOMEM; } while (0)

int
lw_html_escape_n(lw_buf *out, const char *s, size_t max_bytes)
{
    const unsigned char *p = (const unsigned char *) (s ? s : "");
    size_t n = strlen((const char *) p), k;
    unsigned cp;

    if (max_bytes > 0 && n > max_bytes)
        n = max_bytes;
    while (n > 0) {
        k = lw_utf8_seq(p, n, &cp);
        if (k == 0) {
            TRY(lw_buf_puts(out, "\xEF\xBF\xBD"));
            p++;
            n--;
            continue;
        }
        if (k == 1) {
            switch (cp) {
            case '&':  TRY(lw_buf_puts(out, "&amp;")); break;
            case '<':  TRY(lw_buf_puts(out, "&lt;")); break;
            case '>':  TRY(lw_buf_puts(out, "&gt;")); break;
            case '"':  TRY(lw_buf_puts(out, "&quot;")); break;
            case '\'': TRY(lw_buf_puts(out, "&#39;")); break;
            default:
                TRY(lw_buf_putc(out, cp < 0x20 || cp == 0x7F ? ' ' : (char) cp));
            }
        } else if (cp == 0xFFFE || cp == 0xFFFF) {
            TRY(lw_buf_puts(out, "\xEF\xBF\xBD"));   /* not XML characters */
        } else {
            TRY(lw_buf_append(out, (const char *) p, k));
        }
        p += k;
        n -= k;
    }
    return LW_OK;
}

int
lw_html_escape(lw_buf *out, const char *s)
{
    return lw_html_escape_n(out, s, 0);
}

char *
lw_html_markdown(const char *md)
{
    if (md == NULL)
        md = "";
    /* never CMARK_OPT_UNSAFE: raw HTML becomes a comment and javascript:
     * or data: links lose their target, so the result may go out raw
     * (uvar:, mail bodies); anyone who edits a rule writes runbooks */
    return cmark_markdown_to_html(md, strlen(md), CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
}
