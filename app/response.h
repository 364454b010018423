/* response.h: what goes back for a request: its page rendered inside the
 * site layout (lib/render.c does the rendering) and the whole FastCGI
 * response. Pages fill r->page with the lw_hdf_* setters of hdf.h (through
 * request.h) and never render: routes.c does, once, after the handler. */
#ifndef LW_RESPONSE_H
#define LW_RESPONSE_H

#include "render.h"
#include "request.h"

/* Renders r->template inside layout.cs into body (appended). LW_OK, or an
 * error with the message in r->err (also when a setter failed earlier). */
int lw_response_render(lw_req *r, lw_buf *body);
/* The title of the error page of an HTTP status ("Page not found"); for
 * people, static. */
const char *lw_response_title(int status);
/* Builds r->out: status line, headers, body (copied; nothing for HEAD). */
int lw_response_build(lw_req *r, const char *content_type, const char *body, size_t len);
/* The same with the body in n borrowed pieces (n <= LW_REQ_TAIL), which
 * go out as r->tail without a copy (a cached /metrics of 700 KB), so they
 * must live until lw_req_free. */
int lw_response_build_pieces(lw_req *r, const char *content_type, const struct lw_piece *pieces,
                             int n);
/* The same with insert[0..insert_len) put at offset `at` of body (a cached
 * fragment into its freshly rendered layout): body is copied, insert is
 * borrowed like lw_response_build_borrowed's. */
int lw_response_build_spliced(lw_req *r, const char *content_type, const char *body, size_t len,
                              const char *insert, size_t insert_len, size_t at);
/* The whole response in r->out, the borrowed pieces appended (tests read
 * it so; the server writes the pieces from where they are). */
int lw_response_join(lw_req *r);

#endif
