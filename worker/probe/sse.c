/* sse.c: server-sent events framing, incremental. Lines end with \r\n, \n
 * or \r (a \r\n pair may be split across two reads); a blank line
 * dispatches the event; `:` starts a comment; `data:` lines are joined
 * with \n; `event:` names the event; other fields are ignored. */
#include "probe/sse.h"

#include <string.h>

void
lw_sse_init(lw_sse *s, lw_sse_event_fn fn, void *ud)
{
    memset(s, 0, sizeof(*s));
    s->fn = fn;
    s->ud = ud;
    s->first_line = 1;
}

void
lw_sse_free(lw_sse *s)
{
    lw_buf_free(&s->line);
    lw_buf_free(&s->data);
    lw_buf_free(&s->event);
}

static int
dispatch(lw_sse *s)
{
    const char *name;
    int rc = 0;

    if (s->has_data) {
        /* the data buffer ends with the \n appended after the last line */
        if (s->data.len > 0)
            s->data.data[--s->data.len] = '\0';
        name = s->event.data ? s->event.data : "";
        s->n_events++;
        rc = s->fn(s->ud, name, s->data.data ? s->data.data : "", s->data.len);
    }
    lw_buf_reset(&s->data);
    lw_buf_reset(&s->event);
    s->has_data = 0;
    return rc;
}

static int
process_line(lw_sse *s, const char *l, size_t len)
{
    const char *colon, *val;
    size_t flen, vlen;

    if (s->first_line) {
        s->first_line = 0;
        if (len >= 3 && memcmp(l, "\xEF\xBB\xBF", 3) == 0) {
            l += 3;
            len -= 3;
        }
    }
    if (len == 0)
        return dispatch(s);
    if (l[0] == ':')
        return 0;
    colon = memchr(l, ':', len);
    if (colon) {
        flen = (size_t) (colon - l);
        val = colon + 1;
        vlen = len - flen - 1;
        if (vlen > 0 && val[0] == ' ') {
            val++;
            vlen--;
        }
    } else {
        flen = len;
        val = "";
        vlen = 0;
    }
    if (flen == 4 && memcmp(l, "data", 4) == 0) {
        if (lw_buf_append(&s->data, val, vlen) != LW_OK ||
            lw_buf_putc(&s->data, '\n') != LW_OK)
            return LW_ENOMEM;
        s->has_data = 1;
    } else if (flen == 5 && memcmp(l, "event", 5) == 0) {
        lw_buf_reset(&s->event);
        if (lw_buf_append(&s->event, val, vlen) != LW_OK)
            return LW_ENOMEM;
    }
    return 0;
}

int
lw_sse_feed(lw_sse *s, const char *buf, size_t n)
{
    size_t i = 0, j;
    int rc;

    while (i < n) {
        if (s->skip_lf) {
            s->skip_lf = 0;
            if (buf[i] == '\n') {
                i++;
                continue;
            }
        }
        /* the run up to the next line terminator */
        for (j = i; j < n && buf[j] != '\n' && buf[j] != '\r'; j++)
            ;
        if (j > i) {
            if (s->line.len + (j - i) > LW_SSE_MAX_LINE)
                return LW_EINVAL;
            if (lw_buf_append(&s->line, buf + i, j - i) != LW_OK)
                return LW_ENOMEM;
        }
        if (j == n)
            break;
        if (buf[j] == '\r')
            s->skip_lf = 1;
        rc = process_line(s, s->line.data ? s->line.data : "", s->line.len);
        lw_buf_reset(&s->line);
        if (rc != 0)
            return rc;
        i = j + 1;
    }
    return 0;
}

int
lw_sse_finish(lw_sse *s)
{
    int rc = 0;

    if (s->line.len > 0) {
        s->partial_eof = 1;
        if (s->eof_lines)
            rc = process_line(s, s->line.data, s->line.len);
        lw_buf_reset(&s->line);
    }
    if (rc != 0)
        return rc;
    s->at_eof = 1;
    rc = dispatch(s);
    s->at_eof = 0;
    return rc;
}
