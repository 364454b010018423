/* page_api_custom_metrics.c: POST "/api/v1/metrics": named values per
 * model measured outside llmwatch (user satisfaction, a grader's score):
 * a JSON batch of {time, model, environment, name, value,
 * idempotency_key}, checked whole (one bad row stores nothing: 422 naming
 * each bad row's index and field), idempotent on the key. They are stored
 * with the values of the suites' custom scorers (custom_metrics, with
 * hourly rollups: sql/012_costs.sql). */
#include "app.h"
#include "api.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "db/custom.h"
#include "db/usage.h"
#include "times.h"
#include "usage.h"

#define MAX_SHOWN 20

typedef struct {
    long        index[MAX_SHOWN];
    const char *field[MAX_SHOWN], *msg[MAX_SHOWN];
    int         n;
} bad_rows;

/* Records the problem of item i; returns 0 (the item is done). */
static int
bad(bad_rows *b, long i, const char *field, const char *msg)
{
    if (b->n < MAX_SHOWN) {
        b->index[b->n] = i + 1;
        b->field[b->n] = field;
        b->msg[b->n] = msg;
    }
    b->n++;
    return 0;
}

static const char *
text(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return lw_utf8_valid(json_object_get_string(v), (size_t) json_object_get_string_len(v))
           ? json_object_get_string(v) : NULL;
}

/* One item into a row of the stored batch, or its first problem. */
static int
check_item(json_object *o, long i, const PGresult *models, json_object *rows, bad_rows *b)
{
    const char *model = text(o, "model"), *env = text(o, "environment"), *name = text(o, "name");
    const char *key = text(o, "idempotency_key"), *t = text(o, "time");
    json_object *v, *row;
    int64_t us = 0, now = (int64_t) time(NULL) * 1000000;
    double value;
    char ts[48], day[40];
    int m;

    if (!json_object_is_type(o, json_type_object))
        return bad(b, i, "row", "must be an object of fields");
    if (t == NULL || lw_time_parse_us(t, &us) != LW_OK)
        return bad(b, i, "time", "must be a time (e.g. 2025-01-07T10:00:00Z)");
    if (us > now + INT64_C(3600000000))
        return bad(b, i, "time", "is in the future");
    if (name == NULL || !lw_usage_metric_name_ok(name))
        return bad(b, i, "name", "must be a metric name: a-z, 0-9 and _, from a letter, at most 63");
    if (!json_object_object_get_ex(o, "value", &v)
        || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
        || !isfinite(value = json_object_get_double(v)))
        return bad(b, i, "value", "must be a finite number");
    if (key != NULL && (strlen(key) == 0 || strlen(key) > LW_USAGE_MAX_KEY))
        return bad(b, i, "idempotency_key", "must be a text of 1 to 200 bytes");
    if (model == NULL || (m = lw_usage_find_model(models, model, env)) < 0)
        return bad(b, i, "model", model == NULL ? "must be a model's name"
                   : "is not a model llmwatch knows (in that environment)");
    lw_time_format((time_t) (us / 1000000), LW_TIME_SQL, day, sizeof(day));
    snprintf(ts, sizeof(ts), "%.19s.%06lld+00", day, (long long) (us % 1000000));
    row = json_object_new_object();
    json_object_object_add(row, "key", key ? json_object_new_string(key) : NULL);
    json_object_object_add(row, "ts", json_object_new_string(ts));
    json_object_object_add(row, "model_id", json_object_new_int64(lw_db_int(models, m, 0)));
    json_object_object_add(row, "environment_id", json_object_new_int64(lw_db_int(models, m, 3)));
    json_object_object_add(row, "name", json_object_new_string(name));
    json_object_object_add(row, "value", json_object_new_double(value));
    return json_object_array_add(rows, row);
}

int
lw_page_api_custom_metrics(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    json_object *items, *rows;
    long long stored, known;
    PGresult *models;
    bad_rows b;
    size_t i, n;
    int rc;

    if (db == NULL)
        return LW_EDB;
    if ((rc = lw_api_rows(r, "metrics", &items)) != LW_OK || items == NULL)
        return rc == LW_EINVAL ? LW_OK : rc;   /* the 400 is written */
    models = lw_req_keep(r, lw_db_usage_models(db, &r->err));
    if (models == NULL)
        return LW_EDB;
    memset(&b, 0, sizeof(b));
    rows = json_object_new_array();
    n = json_object_array_length(items);
    for (i = 0; i < n; i++)
        check_item(json_object_array_get_idx(items, i), (long) i, models, rows, &b);
    if (b.n > 0) {
        json_object_put(rows);
        return lw_api_invalid_rows(r, "values", b.n, (int) n, b.index, b.field, b.msg,
                             b.n < MAX_SHOWN ? b.n : MAX_SHOWN);
    }
    rc = lw_db_custom_insert(db, &r->err,
                                    json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PLAIN),
                                    "api", &stored, &known);
    json_object_put(rows);
    if (rc != LW_OK)
        return rc;
    return lw_api_stored(r, "values", (long long) n, stored, known);
}
