/* http.c: HTTP/1.x request heads for the simulator (strict enough to answer
 * garbage with 400/431/501/505 rather than guess) and response heads. */
#include "sim.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_HEADERS 100

static int
is_tchar(unsigned char c)
{
    return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Offset just past the blank line that ends the head, or 0 if not yet. */
static size_t
head_end(const char *buf, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (buf[i + 1] == '\n')
            return i + 2;
        if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static int
token_has(const char *v, const char *tok)
{
    size_t n = strlen(tok);
    const char *p = v;

    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (strncasecmp(p, tok, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return 1;
        while (*p != '\0' && *p != ',')
            p++;
    }
    return 0;
}

int
lw_sim_http_parse(const char *buf, size_t len, lw_pool *pool, lw_sim_http_req *r)
{
    size_t end, pos = 0, nhead = 0;
    const char *line, *eol, *sp1, *sp2, *q;
    int has_te = 0, conn_close = 0, conn_keep = 0;

    memset(r, 0, sizeof(*r));
    r->content_length = -1;
    /* robustness: ignore empty lines before the request line */
    while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n'))
        pos++;
    end = head_end(buf + pos, len - pos);
    if (end == 0)
        return len > LW_SIM_HEAD_MAX ? 431 : 1;
    end += pos;
    if (end > LW_SIM_HEAD_MAX)
        return 431;
    r->head_len = end;

    /* request line: METHOD SP target SP HTTP/1.x */
    line = buf + pos;
    eol = memchr(line, '\n', end - pos);
    if (eol == NULL)
        return 400;
    {
        const char *le = (eol > line && eol[-1] == '\r') ? eol - 1 : eol;
        size_t i;

        sp1 = memchr(line, ' ', (size_t) (le - line));
        if (sp1 == NULL || sp1 == line || (size_t) (sp1 - line) >= sizeof(r->method))
            return 400;
        for (i = 0; line + i < sp1; i++)
            if (!is_tchar((unsigned char) line[i]))
                return 400;
        memcpy(r->method, line, (size_t) (sp1 - line));
        r->method[sp1 - line] = '\0';
        sp2 = memchr(sp1 + 1, ' ', (size_t) (le - sp1 - 1));
        if (sp2 == NULL || sp2 == sp1 + 1 || sp1[1] != '/')
            return 400;
        for (q = sp1 + 1; q < sp2; q++)
            if ((unsigned char) *q <= 0x20 || *q == 0x7f)
                return 400;
        if (le - sp2 - 1 != 8 || strncmp(sp2 + 1, "HTTP/", 5) != 0 ||
            !isdigit((unsigned char) sp2[6]) || sp2[7] != '.' || !isdigit((unsigned char) sp2[8]))
            return 400;
        if (sp2[6] != '1')
            return 505;
        r->minor = sp2[8] - '0';
        q = memchr(sp1 + 1, '?', (size_t) (sp2 - sp1 - 1));
        if (q != NULL) {
            r->path = lw_pool_strndup(pool, sp1 + 1, (size_t) (q - sp1 - 1));
            r->query = lw_pool_strndup(pool, q + 1, (size_t) (sp2 - q - 1));
        } else {
            r->path = lw_pool_strndup(pool, sp1 + 1, (size_t) (sp2 - sp1 - 1));
            r->query = lw_pool_strdup(pool, "");
        }
    }

    /* header fields */
    pos = (size_t) (eol - buf) + 1;
    while (pos < end) {
        const char *colon, *v, *ve, *le;
        char *val;
        size_t nlen;

        line = buf + pos;
        eol = memchr(line, '\n', end - pos);
        if (eol == NULL)
            return 400;
        pos = (size_t) (eol - buf) + 1;
        le = (eol > line && eol[-1] == '\r') ? eol - 1 : eol;
        if (le == line)
            break;                                   /* the blank line */
        if (*line == ' ' || *line == '\t')
            return 400;                              /* obsolete line folding */
        if (++nhead > MAX_HEADERS)
            return 431;
        colon = memchr(line, ':', (size_t) (le - line));
        if (colon == NULL || colon == line)
            return 400;
        for (q = line; q < colon; q++)
            if (!is_tchar((unsigned char) *q))
                return 400;
        nlen = (size_t) (colon - line);
        for (v = colon + 1; v < le && (*v == ' ' || *v == '\t'); v++)
            ;
        for (ve = le; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
            ;
        for (q = v; q < ve; q++)
            if (((unsigned char) *q < 0x20 && *q != '\t') || *q == 0x7f)
                return 400;
        val = lw_pool_strndup(pool, v, (size_t) (ve - v));
#define IS(name) (nlen == sizeof(name) - 1 && strncasecmp(line, name, nlen) == 0)
        if (IS("content-length")) {
            char *e;
            long long cl;

            if (*val == '\0' || strspn(val, "0123456789") != strlen(val) || strlen(val) > 15)
                return 400;
            cl = strtoll(val, &e, 10);
            if (r->content_length >= 0 && r->content_length != cl)
                return 400;
            r->content_length = cl;
        } else if (IS("transfer-encoding")) {
            has_te = 1;
        } else if (IS("connection")) {
            conn_close |= token_has(val, "close");
            conn_keep |= token_has(val, "keep-alive");
        } else if (IS("expect")) {
            if (strcasecmp(val, "100-continue") == 0)
                r->expect_continue = 1;
        } else if (IS("authorization")) {
            r->authorization = val;
        } else if (IS("x-api-key")) {
            r->x_api_key = val;
        } else if (IS("x-goog-api-key")) {
            r->goog_api_key = val;
        } else if (IS("x-llmwatch-probe-id")) {
            r->probe_id = val;
        }
#undef IS
    }
    if (has_te)
        return 501;              /* chunked request bodies: not needed by any client here */
    r->keep_alive = r->minor >= 1 ? !conn_close : (conn_keep && !conn_close);
    return 0;
}

const char *
lw_sim_http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    case 529: return "Overloaded";
    default:  return "Unknown";
    }
}

static const char *
http_date(void)
{
    static char buf[64];
    static time_t last;
    time_t now = time(NULL);
    struct tm tm;

    if (now != last) {
        gmtime_r(&now, &tm);
        strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        last = now;
    }
    return buf;
}

void
lw_sim_http_head(lw_buf *out, int status, const char *ctype, long long clen,
                 int keep_alive, const char *extra)
{
    lw_sim_printf(out, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: llmwatch-sim\r\n",
                  status, lw_sim_http_reason(status), http_date());
    if (ctype != NULL)
        lw_sim_printf(out, "Content-Type: %s\r\n", ctype);
    if (clen >= 0)
        lw_sim_printf(out, "Content-Length: %lld\r\n", clen);
    else if (clen == -1)
        lw_sim_puts(out, "Transfer-Encoding: chunked\r\n");
    if (clen == -2 || !keep_alive)
        lw_sim_puts(out, "Connection: close\r\n");
    else
        lw_sim_puts(out, "Connection: keep-alive\r\n");
    if (extra != NULL)
        lw_sim_puts(out, extra);
    lw_sim_puts(out, "\r\n");
}

void
lw_sim_http_simple(lw_buf *out, int status, const char *ctype, const char *body,
                   size_t n, int keep_alive, const char *extra)
{
    lw_sim_http_head(out, status, ctype, (long long) n, keep_alive, extra);
    lw_sim_put(out, body, n);
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

char *
lw_sim_url_decode(lw_pool *pool, const char *s, size_t n)
{
    char *out = lw_pool_alloc(pool, n + 1);
    size_t i, o = 0;

    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval((unsigned char) s[i + 1]) >= 0 &&
            hexval((unsigned char) s[i + 2]) >= 0) {
            out[o++] = (char) (hexval((unsigned char) s[i + 1]) * 16 + hexval((unsigned char) s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

char *
lw_sim_query_get(lw_pool *pool, const char *query, const char *name)
{
    size_t nl = strlen(name);
    const char *p = query;

    while (p != NULL && *p != '\0') {
        const char *amp = strchr(p, '&');
        size_t seg = amp != NULL ? (size_t) (amp - p) : strlen(p);

        if (seg > nl && strncmp(p, name, nl) == 0 && p[nl] == '=')
            return lw_sim_url_decode(pool, p + nl + 1, seg - nl - 1);
        if (seg == nl && strncmp(p, name, nl) == 0)
            return lw_pool_strdup(pool, "");
        p = amp != NULL ? amp + 1 : NULL;
    }
    return NULL;
}
