/* api.h: what every /api/v1 handler shares, so the API answers alike
 * everywhere:
 *  - errors: {"error":{"code":"...","message":"...","field":"..."|null}}
 *    with the HTTP status; `field` names the parameter or body member at
 *    fault;
 *  - lists: {"data":[...],"next_cursor":"..."|null}; ?limit= (1..1000,
 *    default 100) and ?cursor= (the next_cursor of the previous page);
 *  - time ranges: ?from= and ?to= (RFC 3339, "YYYY-MM-DD[ HH:MM[:SS]]" or
 *    Unix seconds; UTC), [from, to), default the last 24 hours;
 *  - JSON bodies: application/json, an object whose members are all known
 *    (an unknown one is a 400 naming it), no NUL, valid UTF-8.
 * Handlers answer through these and return LW_OK; a parameter or body
 * refused here has been answered already (LW_EINVAL tells the handler to
 * stop and return LW_OK). */
#ifndef LW_API_H
#define LW_API_H

#include <json.h>

#include "request.h"

#define LW_API_LIMIT_DEFAULT 100
#define LW_API_LIMIT_MAX     1000

typedef struct {
    long long from, to;        /* Unix seconds, [from, to) */
    int       limit;
    long long cursor;          /* 0: the first page */
} lw_api_page;

/* The error answer (pool memory). status 4xx/5xx; code a short word
 * ("bad_request", "unknown_field", "not_found"...); field NULL when the
 * error is not about one. Returns LW_EINVAL. */
int lw_api_fail(lw_req *r, int status, const char *code, const char *field, const char *fmt, ...)
    LW_PRINTF(5, 6);
/* The code of an HTTP status ("not_found" for 404). Static. */
const char *lw_api_code(int status);
/* The error document of r's status and error_message (routes.c, for
 * errors of /api/ routes raised before or outside the handler); pool
 * memory, never NULL. */
const char *lw_api_error_json(lw_req *r);

/* A JSON answer: text (borrowed for the request's life) as is. LW_OK. */
int lw_api_json(lw_req *r, int status, const char *text);
/* o serialised (and released with the request). LW_OK or LW_ENOMEM. */
int lw_api_json_object(lw_req *r, int status, json_object *o);

/* The one-row, one-column JSON document of res (lib/db/api.h; kept with
 * the request): 200, or a 404 `what` when res has no row. LW_EDB when res
 * is NULL (the query failed). */
int lw_api_doc(lw_req *r, PGresult *res, const char *what);

/* ?from, ?to, ?limit, ?cursor into p; default_span_s back from now when
 * ?from is absent. LW_OK, or LW_EINVAL after a 400 naming the parameter. */
int lw_api_page_params(lw_req *r, long long default_span_s, lw_api_page *p);

/* An optional text parameter among `allowed` (NULL-terminated); NULL when
 * absent. *bad is set after a 400 (the handler returns LW_OK). */
const char *lw_api_choice(lw_req *r, const char *name, const char *const *allowed, int *bad);

/* The request body as a JSON object whose members are all in `known`
 * (NULL-terminated; NULL: any). *out is released with the request.
 * LW_OK, or LW_EINVAL after a 400: not JSON (with where it broke), not an
 * object, an unknown member (named), a NUL or invalid UTF-8 (named). */
int lw_api_body(lw_req *r, const char *const *known, json_object **out);

/* A batch of rows: the body as a non-empty JSON array, bare or under `key`
 * of an object (*items released with the request). LW_OK, or LW_EINVAL
 * after the 400, as lw_api_body. */
int lw_api_rows(lw_req *r, const char *key, json_object **items);

/* The 422 of a batch checked whole: the error shape of every answer (its
 * field the first bad row's) plus "errors", the first `shown` bad rows
 * (index from 0, field, message). Returns what a handler returns. */
int lw_api_invalid_rows(lw_req *r, const char *what, int n_bad, int n, const long *index,
                        const char *const *field, const char *const *msg, int shown);

/* The answer of a batch stored: {what: n, "stored", "known"}, 201 when
 * anything was stored, else 200. Returns what a handler returns. */
int lw_api_stored(lw_req *r, const char *what, long long n, long long stored, long long known);

#endif
