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
/* Builds r->out: status line, headers, body (nothing for HEAD). */
int lw_response_build(lw_req *r, const char *content_type, const char *body, size_t len);
/* The same with insert[0..insert_len) put at offset `at` of body (a cached
 * fragment into its freshly rendered layout, copied once). */
int lw_response_build_spliced(lw_req *r, const char *content_type, const char *body, size_t len,
                              const char *insert, size_t insert_len, size_t at);

#endif
