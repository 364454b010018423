/* response.c: a request's page rendered inside the site layout (through
 * lib/render.c) and the whole FastCGI response: status, security headers,
 * body. */
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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

int
lw_response_build(lw_req *r, const char *content_type, const char *body, size_t len)
{
    return lw_response_build_spliced(r, content_type, body, len, NULL, 0, 0);
}

int
lw_response_build_spliced(lw_req *r, const char *content_type, const char *body, size_t len,
                          const char *insert, size_t insert_len, size_t at)
{
    lw_buf *o = &r->out;
    size_t total = len + insert_len;
    int rc;

    lw_buf_reset(o);
    /* no-store unless the page says how it may be cached (public pages) */
    rc = lw_buf_printf(o,
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
    if (rc != LW_OK || r->head || total == 0)
        return rc;
    if (insert == NULL)
        return lw_buf_append(o, body, len);
    if ((rc = lw_buf_append(o, body, at)) == LW_OK && (rc = lw_buf_append(o, insert, insert_len)) == LW_OK)
        rc = lw_buf_append(o, body + at, len - at);
    return rc;
}
