/* page_api_openapi.c: GET "/api/v1/openapi.json": the hand-written OpenAPI
 * 3.1 description of /api/v1 (templates/openapi.cs, loaded and checked
 * with the other templates at start). tests/check_api.c validates it and
 * holds it against the route table both ways. */
#include "app.h"

#include <string.h>

#include "api.h"
#include "render.h"

int
lw_page_api_openapi(lw_req *r)
{
    lw_buf *b = lw_req_buf(r);

    if (b == NULL)
        return LW_ENOMEM;
    if (lw_render(&r->page, "openapi", "fragment_layout", b, &r->err) != LW_OK || b->data == NULL)
        return LW_ERROR;
    lw_req_add_header(r, "Cache-Control", "public, max-age=300");
    return lw_req_raw(r, 200, "application/json", b->data, b->len);
}
