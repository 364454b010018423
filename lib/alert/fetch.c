/* fetch.c: the samples a decision needs, read through lib/db/measures.c
 * for every model in a rule's scope at many evaluation times at once. */
#include "alert/fetch.h"

#include <json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db/measures.h"

#define FETCH_CHUNK 500         /* evaluation times per query */

/* Rule measures that need daily cost: any use of daily_cost. */
static int
uses_daily_cost(const lw_rule *r)
{
    uint32_t bit = UINT32_C(1) << LW_M_DAILY_COST;
    size_t i;

    if (r->metric == LW_M_DAILY_COST || (r->expr && (lw_expr_measures(r->expr) & bit)))
        return 1;
    for (i = 0; i < r->n_conds; i++)
        if (r->conds[i] && (lw_expr_measures(r->conds[i]) & bit))
            return 1;
    return 0;
}

/* Window measures: for threshold-like kinds, or conditions naming any. */
static int
needs_window(const lw_rule *r)
{
    if (r->kind == LW_RULE_THRESHOLD || r->kind == LW_RULE_COMPOSITE
        || r->kind == LW_RULE_STATISTICAL)
        return 1;
    return r->expr != NULL && lw_expr_measures(r->expr) != 0;
}

/* The regression window and bucket of a trend or forecast rule. */
static void
regr_window(const lw_rule *r, int64_t *window, int64_t *bucket)
{
    *window = 0;
    *bucket = 60;
    if (r->kind == LW_RULE_TREND)
        *window = r->window_s;
    else if (r->kind == LW_RULE_FORECAST)
        *window = r->lookback_s;
    if (*window > 0) {
        *bucket = *window / 48;
        if (*bucket < 60)
            *bucket = 60;
        if (*bucket > 3600)
            *bucket = 3600;
    }
}

static double
num(const PGresult *res, int row, int col)
{
    return lw_db_isnull(res, row, col) ? NAN : lw_db_double(res, row, col);
}

/* The distinct custom metrics (custom.NAME) of the rule's expressions,
 * at most LW_RULE_MAX_CUSTOM (more cannot pass validation): borrowed. */
static size_t
custom_names(const lw_rule *r, const char **out)
{
    const char *v[LW_RULE_MAX_CUSTOM];
    size_t n = 0, k, i, j, m;

    for (i = 0; i <= r->n_conds; i++) {
        const lw_expr *e = i < r->n_conds ? (r->conds ? r->conds[i] : NULL) : r->expr;

        k = lw_expr_customs(e, v, LW_RULE_MAX_CUSTOM);
        for (j = 0; j < k && j < LW_RULE_MAX_CUSTOM; j++) {
            for (m = 0; m < n && strcmp(out[m], v[j]) != 0; m++)
                ;
            if (m == n && n < LW_RULE_MAX_CUSTOM)
                out[n++] = v[j];
        }
    }
    return n;
}

/* The custom metrics' window means into the samples v[0..n) of the times
 * at[0..n_at) (samples are ordered by time: each row finds its time by
 * bisection, then its model among that time's samples). */
static int
fetch_custom(lw_db *db, lw_err *err, const lw_rule *r, const time_t *at, size_t n_at,
             lw_rule_sample *v, size_t n)
{
    const char *names[LW_RULE_MAX_CUSTOM];
    size_t n_names = custom_names(r, names), i, k, lo, hi, mid;
    long long window = r->window_s > 0 ? r->window_s : LW_RULE_DEFAULT_WINDOW;
    PGresult *res;
    time_t t;
    int row;

    for (i = 0; i < n; i++) {
        v[i].n_custom = n_names;
        for (k = 0; k < n_names; k++) {
            v[i].custom_name[k] = names[k];
            v[i].custom[k] = NAN;
        }
    }
    for (k = 0; k < n_names; k++) {
        res = lw_db_measures_custom(db, err, names[k], at, n_at, window);
        if (res == NULL)
            return LW_EDB;
        for (row = 0; row < PQntuples(res); row++) {
            t = (time_t) lw_db_int(res, row, 0);
            for (lo = 0, hi = n; lo < hi;) {
                mid = lo + (hi - lo) / 2;
                if (v[mid].at < t)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (i = lo; i < n && v[i].at == t; i++)
                if (v[i].model_id == lw_db_int(res, row, 1)
                    && v[i].environment_id == lw_db_int(res, row, 2))
                    v[i].custom[k] = num(res, row, 3);
        }
        PQclear(res);
    }
    return LW_OK;
}

static char *
json_names(lw_pool *pool, const lw_strlist *l)
{
    json_object *a = json_object_new_array();
    char *s;
    size_t i;

    for (i = 0; i < l->n; i++)
        json_object_array_add(a, json_object_new_string(l->v[i]));
    s = lw_pool_strdup(pool, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
    json_object_put(a);
    return s;
}

/* Appends the rows of lw_db_measures_fetch, in the column order of
 * measures.h. */
static int
append_rows(lw_rule_samples *out, const PGresult *res)
{
    int rows = PQntuples(res), i, j, c;
    lw_rule_sample *nv, *s;

    if (rows == 0)
        return LW_OK;
    nv = realloc(out->v, (out->n + (size_t) rows) * sizeof(*nv));
    if (nv == NULL)
        return LW_ENOMEM;
    out->v = nv;
    for (i = 0; i < rows; i++) {
        s = &out->v[out->n++];
        memset(s, 0, sizeof(*s));
        s->at = (time_t) lw_db_int(res, i, 0);
        s->model_id = lw_db_int(res, i, 1);
        s->environment_id = lw_db_int(res, i, 2);
        s->model = lw_pool_strdup(out->pool, lw_db_str(res, i, 3));
        s->environment = lw_pool_strdup(out->pool, lw_db_str(res, i, 4));
        s->sla_target = num(res, i, 5);
        c = LW_DB_MEASURES_FIRST;
        for (j = 0; j < LW_M_COUNT; j++)
            s->m[j] = num(res, i, c++);
        for (j = 0; j < LW_M_COUNT; j++)
            s->baseline[j] = num(res, i, c++);
        s->mean = num(res, i, c++);
        s->std_dev = num(res, i, c++);
        s->lookback_n = lw_db_int(res, i, c++);
        s->regr_n = lw_db_int(res, i, c++);
        s->regr_samples = lw_db_int(res, i, c++);
        s->slope = num(res, i, c++);
        s->intercept = num(res, i, c++);
        s->avgx = num(res, i, c++);
        s->sxx = num(res, i, c++);
        s->syy = num(res, i, c++);
        s->sxy = num(res, i, c++);
        for (j = 0; j < 5; j++) {
            s->br_count[j] = lw_db_int(res, i, c++);
            s->br_errors[j] = lw_db_int(res, i, c++);
        }
    }
    return LW_OK;
}

int
lw_rule_fetch(lw_db *db, lw_err *err, const lw_rule *r, const time_t *at, size_t n_at,
              lw_rule_samples *out)
{
    lw_db_measures_spec q;
    PGresult *res;
    int64_t rwin, bucket;
    size_t i, n, first;
    int rc = LW_OK;

    if (out->pool == NULL && (out->pool = lw_pool_create()) == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    regr_window(r, &rwin, &bucket);
    memset(&q, 0, sizeof(q));
    q.models_json = json_names(out->pool, &r->scope_models);
    q.environments_json = json_names(out->pool, &r->scope_environments);
    q.window_s = r->window_s > 0 ? r->window_s : LW_RULE_DEFAULT_WINDOW;
    q.window_measures = needs_window(r);
    q.daily_cost = uses_daily_cost(r);
    q.lookback_s = r->kind == LW_RULE_STATISTICAL ? r->lookback_s : 0;
    q.metric = r->metric >= 0 ? lw_measure_name(r->metric) : "avg_latency";
    q.regr_window_s = rwin;
    q.regr_bucket_s = bucket;
    q.burn = r->kind == LW_RULE_BURN_RATE;
    if (lw_db_measures_jit(db, err, 0) != LW_OK)
        return LW_EDB;
    for (i = 0; i < n_at && rc == LW_OK; i += n) {
        n = n_at - i < FETCH_CHUNK ? n_at - i : FETCH_CHUNK;
        first = out->n;
        res = lw_db_measures_fetch(db, err, &q, at + i, n);
        if (res == NULL) {
            rc = LW_EDB;
            break;
        }
        rc = append_rows(out, res);
        PQclear(res);
        if (rc != LW_OK)
            lw_err_set(err, "out of memory");
        else
            rc = fetch_custom(db, err, r, at + i, n, out->v + first, out->n - first);
    }
    if (rc != LW_EDB)
        lw_db_measures_jit(db, err, 1);
    return rc;
}

void
lw_rule_samples_free(lw_rule_samples *s)
{
    if (s == NULL)
        return;
    free(s->v);
    lw_pool_destroy(s->pool);
    memset(s, 0, sizeof(*s));
}
