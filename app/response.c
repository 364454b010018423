/* response.c: a request's page rendered inside the site layout (through
 * lib/render.c) and the whole FastCGI response: status, security headers,
 * body. */
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"


static const char default_csp[] =
    "default-src 'self'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

int
lw_response_render(lw_req *r, lw_buf *body)
{
    if (r->template == NULL || !lw_render_has(r->template)) {
        lw_err_set(&r->err, "no template for page %s", r->template ? r->template : "(none)");
        return LW_ERROR;
    }
    if (r->splice != NULL && strcmp(r->template, "cached_page") == 0)
        return lw_shell_render(&r->page, body, &r->err);
    return lw_render(&r->page, r->template, "layout", body, &r->err);
}

/* The statuses pages answer with: the reason phrase of the status line
 * and, for errors, the title of the error page. */
static const struct {
    int         status;
    const char *reason, *title;
} statuses[] = {
    { 200, "OK",                    NULL },
    { 303, "See Other",             NULL },
    { 400, "Bad Request",           "Bad request" },
    { 401, "Unauthorized",          "Login required" },
    { 403, "Forbidden",             "Forbidden" },
    { 404, "Not Found",             "Page not found" },
    { 405, "Method Not Allowed",    "Method not allowed" },
    { 413, "Content Too Large",     "Request too large" },
    { 500, "Internal Server Error", "Internal error" },
    { 503, "Service Unavailable",   "Service unavailable" },
};

static const char *
status_text(int status)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(statuses); i++)
        if (statuses[i].status == status)
            return statuses[i].reason;
    return "Status";
}

const char *
lw_response_title(int status)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(statuses); i++)
        if (statuses[i].status == status && statuses[i].title != NULL)
            return statuses[i].title;
    return "Internal error";
}

/* Status line and headers into r->out for a body of `total` bytes. */
static int
head(lw_req *r, const char *content_type, size_t total)
{
    lw_buf_reset(&r->out);
    r->ntail = 0;
    /* no-store unless the page says how it may be cached (public pages) */
    return lw_buf_printf(&r->out,
        "Status: %d %s\r\n"
        "Content-Type: %s\r\n"
        "Content-Length: %zu\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "X-Frame-Options: DENY\r\n"
        "Referrer-Policy: same-origin\r\n"
        "Content-Security-Policy: %s\r\n"
        "%s"
        "%s\r\n",
        r->status, status_text(r->status), content_type ? content_type : "text/plain; charset=utf-8",
        total, r->csp ? r->csp : default_csp,
        r->headers.data && strcasestr(r->headers.data, "Cache-Control:") ? "" : "Cache-Control: no-store\r\n",
        r->headers.data ? r->headers.data : "");
}

int
lw_response_build(lw_req *r, const char *content_type, const char *body, size_t len)
{
    int rc = head(r, content_type, len);

    if (rc != LW_OK || r->head || len == 0)
        return rc;
    return lw_buf_append(&r->out, body, len);
}

int
lw_response_build_pieces(lw_req *r, const char *content_type, const struct lw_piece *pieces, int n)
{
    size_t total = 0;
    int i, rc;

    if (n > LW_REQ_TAIL)
        return LW_EINVAL;
    for (i = 0; i < n; i++)
        total += pieces[i].len;
    rc = head(r, content_type, total);
    if (rc != LW_OK || r->head)
        return rc;
    for (i = 0; i < n; i++)
        if (pieces[i].len > 0)
            r->tail[r->ntail++] = pieces[i];
    return LW_OK;
}

int
lw_response_build_spliced(lw_req *r, const char *content_type, const char *body, size_t len,
                          const char *insert, size_t insert_len, size_t at)
{
    char *after = NULL;
    int rc = head(r, content_type, len + insert_len);

    if (rc != LW_OK || r->head)
        return rc;
    if ((rc = lw_buf_append(&r->out, body, at)) != LW_OK)
        return rc;
    /* what follows the insert lives as long as the request: a pool copy */
    if (len > at && (after = lw_pool_strndup(r->pool, body + at, len - at)) == NULL)
        return LW_ENOMEM;
    r->tail[r->ntail].data = insert;
    r->tail[r->ntail++].len = insert_len;
    if (after != NULL) {
        r->tail[r->ntail].data = after;
        r->tail[r->ntail++].len = len - at;
    }
    return LW_OK;
}

int
lw_response_join(lw_req *r)
{
    int i, rc = LW_OK;

    for (i = 0; i < r->ntail && rc == LW_OK; i++)
        rc = lw_buf_append(&r->out, r->tail[i].data, r->tail[i].len);
    r->ntail = 0;
    return rc;
}
