/* api.c: the shared answers and parameters of /api/v1 (see api.h): one
 * error document, one way to page and to say a time range, one reading
 * of JSON bodies. */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "response.h"
#include "times.h"

static void
put_json(void *o)
{
    json_object_put(o);
}

const char *
lw_api_code(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "too_large";
    case 422: return "invalid";
    case 503: return "unavailable";
    default:  return status >= 500 ? "internal" : "error";
    }
}

static const char *
error_doc(lw_req *r, int status, const char *code, const char *field, const char *msg)
{
    json_object *o = json_object_new_object(), *e = json_object_new_object();
    const char *s;

    json_object_object_add(e, "code", json_object_new_string(code));
    json_object_object_add(e, "message", json_object_new_string(msg));
    json_object_object_add(e, "field", field ? json_object_new_string(field) : NULL);
    json_object_object_add(o, "error", e);
    json_object_object_add(o, "status", json_object_new_int(status));
    s = lw_pool_strdup(r->pool, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                                  | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s ? s : "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\",\"field\":null}}";
}

const char *
lw_api_error_json(lw_req *r)
{
    return error_doc(r, r->status, lw_api_code(r->status), NULL,
                     r->error_message ? r->error_message : lw_response_title(r->status));
}

int
lw_api_fail(lw_req *r, int status, const char *code, const char *field, const char *fmt, ...)
{
    char msg[600];
    const char *s;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    s = error_doc(r, status, code ? code : lw_api_code(status), field, msg);
    lw_req_raw(r, status, "application/json", s, strlen(s));
    return LW_EINVAL;
}

int
lw_api_json(lw_req *r, int status, const char *text)
{
    return lw_req_raw(r, status, "application/json", text, strlen(text));
}

int
lw_api_json_object(lw_req *r, int status, json_object *o)
{
    const char *s;

    if (o == NULL || lw_pool_cleanup_add(r->pool, put_json, o) != LW_OK) {
        json_object_put(o);
        return LW_ENOMEM;
    }
    s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return lw_api_json(r, status, s);
}

int
lw_api_doc(lw_req *r, PGresult *res, const char *what)
{
    if (lw_req_keep(r, res) == NULL)
        return LW_EDB;
    if (PQntuples(res) == 0 || lw_db_isnull(res, 0, 0)) {
        lw_api_fail(r, 404, "not_found", NULL, "There is no such %s.", what);
        return LW_OK;
    }
    return lw_api_json(r, 200, lw_db_str(res, 0, 0));
}

/* ---- parameters ---- */

static int
time_param(lw_req *r, const char *name, long long *out)
{
    const char *v = lw_req_query(r, name);
    time_t t;

    if (v == NULL || *v == '\0')
        return 0;
    if (lw_time_parse(v, &t) != LW_OK)
        return lw_api_fail(r, 400, "bad_parameter", name, "'%s' is not a time: give RFC 3339 "
                           "(2025-01-07T10:00:00Z), 'YYYY-MM-DD HH:MM' or Unix seconds.", name);
    *out = (long long) t;
    return 1;
}

static int
int_param(lw_req *r, const char *name, long long lo, long long hi, long long *out)
{
    const char *v = lw_req_query(r, name);
    char *end;
    long long x;

    if (v == NULL || *v == '\0')
        return 0;
    x = strtoll(v, &end, 10);
    if (*end != '\0' || end == v || x < lo || x > hi)
        return lw_api_fail(r, 400, "bad_parameter", name, "'%s' must be a whole number from %lld to %lld.",
                           name, lo, hi);
    *out = x;
    return 1;
}

int
lw_api_page_params(lw_req *r, long long default_span_s, lw_api_page *p)
{
    long long v;
    int rc;

    p->to = (long long) time(NULL) + 1;
    p->from = p->to - 1 - default_span_s;
    p->limit = LW_API_LIMIT_DEFAULT;
    p->cursor = 0;
    if ((rc = time_param(r, "to", &p->to)) < 0 || (rc = time_param(r, "from", &p->from)) < 0)
        return rc;
    if (p->from >= p->to)
        return lw_api_fail(r, 400, "bad_parameter", "from", "'from' must be before 'to'.");
    if ((rc = int_param(r, "limit", 1, LW_API_LIMIT_MAX, &v)) < 0)
        return rc;
    if (rc == 1)
        p->limit = (int) v;
    if ((rc = int_param(r, "cursor", 1, LW_REQ_ID_BIGINT, &v)) < 0)
        return rc;
    if (rc == 1)
        p->cursor = v;
    return LW_OK;
}

const char *
lw_api_choice(lw_req *r, const char *name, const char *const *allowed, int *bad)
{
    const char *v = lw_req_query(r, name);
    lw_buf list = { 0 };
    size_t i;

    *bad = 0;
    if (v == NULL || *v == '\0')
        return NULL;
    for (i = 0; allowed[i] != NULL; i++)
        if (strcmp(v, allowed[i]) == 0)
            return allowed[i];
    for (i = 0; allowed[i] != NULL; i++)
        lw_buf_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
    lw_api_fail(r, 400, "bad_parameter", name, "'%s' must be one of: %s.", name,
                list.data ? list.data : "");
    lw_buf_free(&list);
    *bad = 1;
    return NULL;
}

/* ---- bodies ---- */

/* The first text PostgreSQL would refuse (a NUL, which C would silently
 * cut the string at, or invalid UTF-8): a member's name or any string
 * value, at any depth. NULL when there is none, else the message naming
 * the top-level member (*field gets it, pool memory). */
static const char *
text_problem(lw_req *r, json_object *v, const char *field, const char **bad_field)
{
    struct json_object_iterator it, end;
    const char *why, *key, *bad;
    size_t i, n;

    switch (json_object_get_type(v)) {
    case json_type_string:
        why = lw_req_text_problem(json_object_get_string(v), (size_t) json_object_get_string_len(v));
        if (why == NULL)
            return NULL;
        *bad_field = field;
        return lw_pool_printf(r->pool, "The field '%s' %s.", field, why);
    case json_type_array:
        n = json_object_array_length(v);
        for (i = 0; i < n; i++)
            if ((bad = text_problem(r, json_object_array_get_idx(v, i), field, bad_field)) != NULL)
                return bad;
        return NULL;
    case json_type_object:
        it = json_object_iter_begin(v);
        end = json_object_iter_end(v);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            key = json_object_iter_peek_name(&it);
            /* json-c keeps a name only up to a NUL: its length is lost */
            if ((why = lw_req_text_problem(key, strlen(key))) != NULL)
                return lw_pool_printf(r->pool, "A field name %s.", why);
            bad = text_problem(r, json_object_iter_peek_value(&it),
                               field ? field : lw_pool_strdup(r->pool, key), bad_field);
            if (bad != NULL)
                return bad;
        }
        return NULL;
    default:
        return NULL;
    }
}

/* 1 when the JSON text has a NUL anywhere: raw, or as the escape \u0000
 * (an odd run of backslashes before it), e.g. in a member's name, which
 * json-c keeps only up to the NUL. */
static int
json_has_nul(const char *s, size_t len)
{
    size_t i, k;

    if (memchr(s, '\0', len) != NULL)
        return 1;
    for (i = 1; i + 4 < len; i++) {
        if (s[i] != 'u' || s[i - 1] != '\\' || strncmp(s + i + 1, "0000", 4) != 0)
            continue;
        for (k = 0; k < i && s[i - 1 - k] == '\\'; k++)
            ;
        if (k % 2 == 1)
            return 1;
    }
    return 0;
}

/* The request body parsed as strict JSON (RFC 8259) into *out, released
 * with the request; LW_EINVAL after a 400 naming what is wrong. */
static int
parse_json(lw_req *r, json_object **out)
{
    const char *ct = lw_req_env(r, "CONTENT_TYPE"), *bad, *bad_field = NULL;
    struct json_tokener *tok;
    enum json_tokener_error jerr;
    json_object *body;

    *out = NULL;
    if (ct == NULL || strncmp(ct, "application/json", 16) != 0)
        return lw_api_fail(r, 400, "bad_request", NULL,
                           "Send the body as JSON (Content-Type: application/json).");
    tok = json_tokener_new();
    if (tok == NULL)
        return LW_ENOMEM;
    /* RFC 8259, not json-c's leniency (trailing commas, single quotes) */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    body = json_tokener_parse_ex(tok, r->body_in ? r->body_in : "", (int) r->body_in_len);
    jerr = json_tokener_get_error(tok);
    if (body != NULL && (size_t) json_tokener_get_parse_end(tok) < r->body_in_len) {
        json_object_put(body);
        body = NULL;
        jerr = json_tokener_error_parse_unexpected;
    }
    if (body == NULL) {
        if (jerr == json_tokener_continue || jerr == json_tokener_success)
            jerr = json_tokener_error_parse_eof;
        lw_api_fail(r, 400, "invalid_json", NULL, "The body is not valid JSON: %s (at byte %zu).",
                    json_tokener_error_desc(jerr), json_tokener_get_parse_end(tok));
        json_tokener_free(tok);
        return LW_EINVAL;
    }
    json_tokener_free(tok);
    if (lw_pool_cleanup_add(r->pool, put_json, body) != LW_OK) {
        json_object_put(body);
        return LW_ENOMEM;
    }
    if ((bad = text_problem(r, body, NULL, &bad_field)) != NULL)
        return lw_api_fail(r, 400, "bad_text", bad_field, "%s", bad);
    if (json_has_nul(r->body_in, r->body_in_len))
        return lw_api_fail(r, 400, "bad_text", NULL, "A field name contains a NUL character.");
    *out = body;
    return LW_OK;
}

int
lw_api_body(lw_req *r, const char *const *known, json_object **out)
{
    struct json_object_iterator it, end;
    json_object *body;
    const char *key;
    size_t i;
    int found, rc;

    *out = NULL;
    if ((rc = parse_json(r, &body)) != LW_OK)
        return rc;
    if (!json_object_is_type(body, json_type_object))
        return lw_api_fail(r, 400, "invalid_json", NULL, "The body must be a JSON object.");
    it = json_object_iter_begin(body);
    end = json_object_iter_end(body);
    for (; known != NULL && !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        key = json_object_iter_peek_name(&it);
        for (i = 0, found = 0; known[i] != NULL && !found; i++)
            found = strcmp(known[i], key) == 0;
        if (!found)
            return lw_api_fail(r, 400, "unknown_field", lw_pool_strdup(r->pool, key),
                               "Unknown field '%s'.", key);
    }
    *out = body;
    return LW_OK;
}

int
lw_api_rows(lw_req *r, const char *key, json_object **items)
{
    json_object *body, *v;
    int rc;

    *items = NULL;
    if ((rc = parse_json(r, &body)) != LW_OK)
        return rc;
    if (json_object_is_type(body, json_type_object) && json_object_object_get_ex(body, key, &v))
        body = v;
    if (!json_object_is_type(body, json_type_array) || json_object_array_length(body) == 0)
        return lw_api_fail(r, 400, "bad_request", key, "Send a non-empty array of rows, or "
                           "{\"%s\": [...]}.", key);
    *items = body;
    return LW_OK;
}

int
lw_api_invalid_rows(lw_req *r, const char *what, int n_bad, int n, const long *index,
                    const char *const *field, const char *const *msg, int shown)
{
    json_object *o = json_object_new_object(), *err = json_object_new_object();
    json_object *errs = json_object_new_array(), *e;
    int i;

    json_object_object_add(err, "code", json_object_new_string("invalid_rows"));
    json_object_object_add(err, "message", json_object_new_string(lw_pool_printf(r->pool,
        "%d of %d %s %s not valid: nothing was stored.", n_bad, n, what,
        n_bad == 1 ? "is" : "are")));
    json_object_object_add(err, "field", shown > 0 ? json_object_new_string(field[0]) : NULL);
    json_object_object_add(o, "error", err);
    for (i = 0; i < shown; i++) {
        e = json_object_new_object();
        json_object_object_add(e, "index", json_object_new_int64(index[i] - 1));
        json_object_object_add(e, "field", json_object_new_string(field[i]));
        json_object_object_add(e, "message", json_object_new_string(msg[i]));
        json_object_array_add(errs, e);
    }
    json_object_object_add(o, "errors", errs);
    return lw_api_json_object(r, 422, o);
}

int
lw_api_stored(lw_req *r, const char *what, long long n, long long stored, long long known)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, what, json_object_new_int64((int64_t) n));
    json_object_object_add(o, "stored", json_object_new_int64((int64_t) stored));
    json_object_object_add(o, "known", json_object_new_int64((int64_t) known));
    return lw_api_json_object(r, stored > 0 ? 201 : 200, o);
}
