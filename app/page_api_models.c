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

static void
add(json_object *o, const char *key, const PGresult *res, int row, const char *col)
{
    json_object_object_add(o, key, column(res, row, col));
}

int
lw_page_api_models(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    json_object *root, *list, *m, *last, *hour;
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
        m = json_object_new_object();
        add(m, "id", res, i, "id");
        add(m, "name", res, i, "name");
        add(m, "environment", res, i, "environment");
        add(m, "provider", res, i, "provider");
        add(m, "model", res, i, "model");
        add(m, "priority", res, i, "priority");
        add(m, "sla_target_ms", res, i, "sla_target_ms");
        last = NULL;
        if (!lw_db_isnull(res, i, PQfnumber(res, "last_iso"))) {
            last = json_object_new_object();
            add(last, "at", res, i, "last_iso");
            add(last, "ok", res, i, "last_ok");
            add(last, "error_class", res, i, "last_error");
            add(last, "http_status", res, i, "last_http_status");
            add(last, "ttft_ms", res, i, "last_ttft_ms");
            add(last, "total_ms", res, i, "last_total_ms");
            add(last, "decode_tokens_per_second", res, i, "last_tps");
        }
        json_object_object_add(m, "last_probe", last);
        hour = json_object_new_object();
        add(hour, "probes", res, i, "hour_count");
        add(hour, "ok", res, i, "hour_ok");
        add(hour, "success_pct", res, i, "hour_success_pct");
        add(hour, "p95_total_ms", res, i, "hour_p95_ms");
        json_object_object_add(m, "last_hour", hour);
        json_object_array_add(list, m);
    }
    s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    return lw_req_raw(r, 200, "application/json", s, strlen(s));
}
