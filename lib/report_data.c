/* report_data.c: every figure a report shows, read once (see
 * report_impl.h): per model over the period and the one before it (from
 * the rollups), the trend per step, the hourly samples of the weekday and
 * hour tests, incidents, rule counts and the SLA of the period. */
#include "report_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db/reports.h"
#include "rollup.h"

#define DAY 86400

static double
num(const PGresult *res, int row, int col)
{
    return lw_db_isnull(res, row, col) ? NAN : lw_db_double(res, row, col);
}

/* "{0,3,0,...}": the class with the most failures. */
static void
top_error(const char *counts, lw_rp_fig *f)
{
    const char *p = counts;
    long long v;
    int i = 0;

    f->top_error = -1;
    f->top_error_n = 0;
    if (p == NULL || *p != '{')
        return;
    for (p++; *p && *p != '}' && i < LW_ROLLUP_ERROR_CLASSES; i++) {
        v = strtoll(p, (char **) &p, 10);
        if (v > f->top_error_n) {
            f->top_error_n = v;
            f->top_error = i;
        }
        if (*p == ',')
            p++;
    }
}

static void
fig(const PGresult *res, int row, int c, lw_rp_fig *f)
{
    f->count = lw_db_int(res, row, c);
    f->errors = lw_db_int(res, row, c + 1);
    f->sum_ms = lw_db_double(res, row, c + 2);
    f->total_n = lw_db_int(res, row, c + 3);
    f->avg_ms = num(res, row, c + 4);
    f->p50_ms = num(res, row, c + 5);
    f->p95_ms = num(res, row, c + 6);
    f->p99_ms = num(res, row, c + 7);
    f->ttft_p95_ms = num(res, row, c + 8);
    f->tps = num(res, row, c + 9);
    f->quality = num(res, row, c + 10);
    f->cost_pico = (int64_t) lw_db_int(res, row, c + 11);
    f->input_tokens = lw_db_int(res, row, c + 12);
    f->output_tokens = lw_db_int(res, row, c + 13);
    top_error(lw_db_str(res, row, c + 14), f);
}

static void
add(lw_rp_fig *t, const lw_rp_fig *f)
{
    t->count += f->count;
    t->errors += f->errors;
    t->sum_ms += f->sum_ms;
    t->total_n += f->total_n;
    t->cost_pico += f->cost_pico;
    t->input_tokens += f->input_tokens;
    t->output_tokens += f->output_tokens;
    t->avg_ms = t->total_n > 0 ? t->sum_ms / (double) t->total_n : NAN;
}

int
lw_rp_load(lw_db *db, const lw_report_req *q, lw_rp *rp, lw_err *err)
{
    time_t len = q->to - q->from, d0 = q->from - (q->from % DAY + DAY) % DAY;
    time_t d1 = q->to + (DAY - (q->to % DAY + DAY) % DAY) % DAY;
    size_t i, j;
    int rc;

    memset(rp, 0, sizeof(*rp));
    rp->q = q;
    rp->prev_from = q->from - len;
    rp->step_s = len <= 6 * 3600 ? 300 : len <= 8 * DAY ? 3600 : DAY;
    rp->total.top_error = rp->total_prev.top_error = -1;
    if ((rp->pool = lw_pool_create()) == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    if ((rp->models_res = lw_db_reports_compare(db, err, LW_DB_REPORT_MODELS, q->from, q->to,
                                                rp->prev_from)) == NULL
        || (rp->trend = lw_db_reports_trend(db, err, q->from, q->to, rp->step_s)) == NULL
        || (rp->groups = lw_db_reports_hour_groups(db, err,
                             q->to - (time_t) q->thresholds.lookback_days * DAY, q->to)) == NULL
        || (rp->incidents = lw_db_reports_incidents(db, err, q->from, q->to, 100)) == NULL
        || (rp->rules = lw_db_reports_compare(db, err, LW_DB_REPORT_RULES, q->from, q->to,
                                              rp->prev_from)) == NULL)
        return LW_EDB;
    /* the SLA counts whole days */
    if ((rc = lw_sla_load(db, d0, d1 > d0 ? d1 : d0 + DAY, &rp->sla, err)) != LW_OK)
        return rc;
    rp->n = (size_t) PQntuples(rp->models_res);
    rp->models = lw_pool_alloc(rp->pool, (rp->n + 1) * sizeof(*rp->models));
    if (rp->models == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    for (i = 0; i < rp->n; i++) {
        lw_rp_model *m = &rp->models[i];
        const PGresult *r = rp->models_res;

        m->id = lw_db_int(r, (int) i, 0);
        m->name = lw_db_str(r, (int) i, 1);
        m->environment = lw_db_str(r, (int) i, 2);
        m->provider = lw_db_str(r, (int) i, 3);
        m->target_ms = num(r, (int) i, 4);
        fig(r, (int) i, 5, &m->cur);
        fig(r, (int) i, 20, &m->prev);
        add(&rp->total, &m->cur);
        add(&rp->total_prev, &m->prev);
        for (j = 0; j < rp->sla.n; j++)
            if (rp->sla.models[j].id == m->id)
                m->sla = &rp->sla.models[j];
    }
    if ((rc = lw_rp_tests(rp)) != LW_OK) {
        lw_err_set(err, "out of memory");
        return rc;
    }
    lw_rp_findings(rp);
    return LW_OK;
}

void
lw_rp_free(lw_rp *rp)
{
    PQclear(rp->models_res);
    PQclear(rp->trend);
    PQclear(rp->groups);
    PQclear(rp->incidents);
    PQclear(rp->rules);
    lw_sla_free(&rp->sla);
    lw_pool_destroy(rp->pool);
    memset(rp, 0, sizeof(*rp));
}
