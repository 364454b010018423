/* page_api_usage.c: POST "/api/v1/usage": production usage from
 * applications (bearer token, editor role): a JSON batch of rows {time,
 * model, environment, application, input_tokens, output_tokens, requests,
 * cost, idempotency_key, ok}, checked whole (lib/usage.c): one bad row and
 * nothing is stored, 422 naming every bad row's index and field; a row
 * whose key was seen before is skipped, so a retried batch adds nothing.
 * Also the JSON helpers the other POST endpoint of this area shares
 * (page_api_custom_metrics.c). */
#include "app.h"

#include <json.h>
#include <string.h>
#include <time.h>

#include "db/usage.h"
#include "usage.h"

static void
put_json(void *o)
{
    json_object_put(o);
}

int
lw_api_answer(lw_req *r, int status, json_object *o)
{
    const char *s;

    if (lw_pool_cleanup_add(r->pool, put_json, o) != LW_OK) {
        json_object_put(o);
        return LW_ENOMEM;
    }
    s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return lw_req_raw(r, status, "application/json", s, strlen(s));
}

int
lw_api_body(lw_req *r, const char *key, json_object **items)
{
    enum json_tokener_error jerr = json_tokener_success;
    const char *ct = lw_req_env(r, "CONTENT_TYPE");
    json_object *body, *v;

    *items = NULL;
    if (ct == NULL || strncmp(ct, "application/json", 16) != 0)
        return lw_req_error(r, 400, "Send JSON (Content-Type: application/json).");
    /* a NUL would cut a member's name short in json-c: refused whole */
    if (r->body_in == NULL || memchr(r->body_in, '\0', r->body_in_len) != NULL
        || strstr(r->body_in, "\\u0000") != NULL)
        return lw_req_error(r, 400, "The body is empty or holds a NUL character.");
    body = json_tokener_parse_verbose(r->body_in, &jerr);
    if (body == NULL)
        return lw_req_error(r, 400, lw_pool_printf(r->pool, "The body is not valid JSON: %s.",
                                                   json_tokener_error_desc(jerr)));
    if (lw_pool_cleanup_add(r->pool, put_json, body) != LW_OK) {
        json_object_put(body);
        return LW_ENOMEM;
    }
    if (json_object_is_type(body, json_type_object) && json_object_object_get_ex(body, key, &v))
        body = v;
    if (!json_object_is_type(body, json_type_array) || json_object_array_length(body) == 0)
        return lw_req_error(r, 400, lw_pool_printf(r->pool, "Send a non-empty array of rows, or "
                                                   "{\"%s\": [...]}.", key));
    *items = body;
    return LW_OK;
}

int
lw_api_refuse(lw_req *r, const char *what, int n_bad, int n, const long *index,
              const char *const *field, const char *const *msg, int shown)
{
    json_object *o = json_object_new_object(), *errs = json_object_new_array(), *e;
    int i;

    json_object_object_add(o, "error", json_object_new_string(lw_pool_printf(r->pool,
        "%d of %d %s %s not valid: nothing was stored.", n_bad, n, what,
        n_bad == 1 ? "is" : "are")));
    json_object_object_add(o, "status", json_object_new_int(422));
    for (i = 0; i < shown; i++) {
        e = json_object_new_object();
        json_object_object_add(e, "index", json_object_new_int64(index[i] - 1));
        json_object_object_add(e, "field", json_object_new_string(field[i]));
        json_object_object_add(e, "message", json_object_new_string(msg[i]));
        json_object_array_add(errs, e);
    }
    json_object_object_add(o, "errors", errs);
    return lw_api_answer(r, 422, o);
}

int
lw_page_api_usage(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    json_object *items, *o;
    lw_usage_batch ub;
    PGresult *models;
    lw_buf rows = { 0 };
    long long stored, known;
    long index[LW_USAGE_MAX_SHOWN];
    const char *field[LW_USAGE_MAX_SHOWN], *msg[LW_USAGE_MAX_SHOWN];
    size_t i, n;
    int rc, k;

    if (db == NULL)
        return LW_EDB;
    if ((rc = lw_api_body(r, "usage", &items)) != LW_OK || items == NULL)
        return rc;
    lw_usage_init(&ub, r->pool);
    n = json_object_array_length(items);
    for (i = 0; i < n; i++)
        if ((rc = lw_usage_add_json(&ub, json_object_array_get_idx(items, i), (long) i + 1))
            != LW_OK)
            return rc;
    if (ub.n_errors == 0) {
        models = lw_req_keep(r, lw_db_usage_models(db, &r->err));
        if (models == NULL)
            return LW_EDB;
        rc = lw_usage_resolve(&ub, models, PQntuples(models) > 0
                              ? lw_db_int(models, 0, 5) * 1000000 : 0,
                              (int64_t) time(NULL) * 1000000);
        if (rc != LW_OK)
            return rc;
    }
    if (ub.n_errors > 0) {
        for (k = 0; k < ub.n_errors && k < LW_USAGE_MAX_SHOWN; k++) {
            index[k] = ub.shown[k].line;
            field[k] = ub.shown[k].field;
            msg[k] = ub.shown[k].msg;
        }
        return lw_api_refuse(r, "rows", ub.n_errors, (int) n, index, field, msg, k);
    }
    rc = lw_usage_to_json(&ub, &rows);
    if (rc == LW_OK)
        rc = lw_db_usage_insert(db, &r->err, rows.data, "api", &stored, &known);
    lw_buf_free(&rows);
    if (rc != LW_OK)
        return rc;
    o = json_object_new_object();
    json_object_object_add(o, "rows", json_object_new_int64((int64_t) n));
    json_object_object_add(o, "stored", json_object_new_int64(stored));
    json_object_object_add(o, "known", json_object_new_int64(known));
    return lw_api_answer(r, stored > 0 ? 201 : 200, o);
}
