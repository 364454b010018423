/* page_api_models.c: "/api/v1/models": the dashboard's data as JSON, for
 * scripts (Authorization: Bearer <token>) and the browser alike. */
#include "app.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "db/topics.h"

static void
put_json(void *o)
{
    json_object_put(o);
}

/* A column as a JSON string, number or null, by its SQL type. */
static json_object *
column(const PGresult *res, int row, const char *name)
{
    int c = PQfnumber(res, name);
    const char *v = lw_db_str(res, row, c);

    if (v == NULL)
        return NULL;
    switch (PQftype(res, c)) {
    case 16:                        /* bool */
        return json_object_new_boolean(v[0] == 't');
    case 20: case 21: case 23:      /* int8, int2, int4 */
        return json_object_new_int64(strtoll(v, NULL, 10));
    case 700: case 701: case 1700:  /* float4, float8, numeric */
        /* serialised as PostgreSQL wrote it: 38.2, not 38.200000000000003 */
        return json_object_new_double_s(strtod(v, NULL), v);
    default:
        return json_object_new_string(v);
    }
}

/* JSON keys and the overview's columns, per object of a model */
typedef struct {
    const char *key, *column;
} field;

static const field model_fields[] = {
    { "id", "id" }, { "name", "name" }, { "environment", "environment" },
    { "provider", "provider" }, { "model", "model" }, { "priority", "priority" },
    { "sla_target_ms", "sla_target_ms" },
};
static const field last_fields[] = {
    { "at", "last_iso" }, { "ok", "last_ok" }, { "error_class", "last_error" },
    { "http_status", "last_http_status" }, { "ttft_ms", "last_ttft_ms" },
    { "total_ms", "last_total_ms" }, { "decode_tokens_per_second", "last_tps" },
};
static const field hour_fields[] = {
    { "probes", "hour_count" }, { "ok", "hour_ok" }, { "success_pct", "hour_success_pct" },
    { "p95_total_ms", "hour_p95_ms" },
};

/* An object with fields of row `row` of res. */
static json_object *
object(const PGresult *res, int row, const field *f, size_t n)
{
    json_object *o = json_object_new_object();
    size_t i;

    for (i = 0; i < n; i++)
        json_object_object_add(o, f[i].key, column(res, row, f[i].column));
    return o;
}

int
lw_page_api_models(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    json_object *root, *list, *m;
    PGresult *res;
    const char *s;
    int i;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_db_models_overview(db, &r->err));
    if (res == NULL)
        return LW_EDB;
    root = json_object_new_object();
    if (root == NULL || lw_pool_cleanup_add(r->pool, put_json, root) != LW_OK) {
        json_object_put(root);
        return LW_ENOMEM;
    }
    list = json_object_new_array();
    json_object_object_add(root, "models", list);
    for (i = 0; i < PQntuples(res); i++) {
        m = object(res, i, model_fields, LW_ARRAY_LEN(model_fields));
        /* null until the model's first probe */
        json_object_object_add(m, "last_probe", lw_db_isnull(res, i, PQfnumber(res, "last_iso"))
                               ? NULL : object(res, i, last_fields, LW_ARRAY_LEN(last_fields)));
        json_object_object_add(m, "last_hour", object(res, i, hour_fields, LW_ARRAY_LEN(hour_fields)));
        json_object_array_add(list, m);
    }
    s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    return lw_req_raw(r, 200, "application/json", s, strlen(s));
}
