/* form_rule_preview.c: what a rule would have done, drawn from stored
 * probes through the same fetch and decisions as evaluate: the rule
 * form's backtest preview and a rule's value-vs-threshold chart (the
 * preview's, and the alert page's). */
#include "form_rule.h"

#include <math.h>
#include <stdio.h>

#include "chart.h"
#include "schedule.h"
#include "times.h"

#define PREVIEW_DAYS   7
#define PREVIEW_STEP   60        /* evaluate runs every minute */
#define PREVIEW_LISTED 100
#define MAX_SERIES     6

static void
set_time(lw_req *r, const char *name, time_t t)
{
    char buf[40];

    lw_hdf_set(&r->page, name, t > 0 ? lw_time_format(t, LW_TIME_MINUTE, buf, sizeof(buf)) : "-");
}

int
lw_form_rule_preview(lw_req *r, lw_db *db, const lw_rule *rule)
{
    time_t now = time(NULL), from = now - PREVIEW_DAYS * 86400;
    lw_backtest bt = { 0 };
    lw_buf svg = { 0 };
    char v[64], th[64];
    const char *p;
    size_t i, n_points = 0;
    int rc;

    rc = lw_backtest_rule(db, &r->err, rule, from, now, PREVIEW_STEP, &bt);
    if (rc != LW_OK) {
        lw_backtest_free(&bt);
        return rc == LW_ENOMEM ? rc : LW_EDB;
    }
    lw_hdf_set_int(&r->page, "Preview.days", PREVIEW_DAYS);
    lw_hdf_set_int(&r->page, "Preview.fired", (long long) bt.fired);
    lw_hdf_set_int(&r->page, "Preview.evaluations", (long long) bt.evaluations);
    lw_hdf_set_int(&r->page, "Preview.samples", (long long) bt.samples);
    lw_hdf_set_int(&r->page, "Preview.nodata", (long long) bt.nodata);
    set_time(r, "Preview.from", from);
    set_time(r, "Preview.to", now);
    for (i = 0; i < bt.n && i < PREVIEW_LISTED; i++) {
        const lw_backtest_firing *f = &bt.v[i];

        p = lw_pool_printf(r->pool, "Preview.firings.%zu", i);
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.model", p), f->model);
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.environment", p), f->environment);
        set_time(r, lw_pool_printf(r->pool, "%s.fired", p), f->fired_at);
        if (f->resolved_at > 0) {
            set_time(r, lw_pool_printf(r->pool, "%s.resolved", p), f->resolved_at);
            lw_duration_format(f->resolved_at - f->fired_at, v, sizeof(v));
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.duration", p), v);
        }
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.value", p),
                   lw_measure_format(f->unit, f->value, v, sizeof(v)));
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.threshold", p),
                   lw_measure_format(f->unit, f->threshold, th, sizeof(th)));
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.summary", p), f->summary);
    }
    if (bt.n > PREVIEW_LISTED)
        lw_hdf_set_int(&r->page, "Preview.more", (long long) (bt.n - PREVIEW_LISTED));
    lw_backtest_free(&bt);
    /* hourly points: the chart shows the shape, the list the moments */
    rc = lw_form_rule_chart(db, rule, from, now, 3600, 0, 0, NULL, &svg, &n_points, &r->err);
    if (rc == LW_OK && n_points > 0)
        lw_hdf_set(&r->page, "Preview.chart", svg.data);   /* our own SVG: uvar: */
    lw_buf_free(&svg);
    if (rc == LW_EDB)
        return LW_EDB;
    lw_hdf_set_int(&r->page, "Preview.ran", 1);
    return rc;
}

/* Values for people: fractions as %, times in seconds. */
static double
scale_of(lw_measure m, const char **unit)
{
    switch (m) {
    case LW_M_ERROR_RATE:
    case LW_M_SUCCESS_RATE:
        *unit = "%";
        return 100;
    case LW_M_AVG_LATENCY: case LW_M_P50_LATENCY: case LW_M_P95_LATENCY:
    case LW_M_P99_LATENCY: case LW_M_TTFT: case LW_M_P95_TTFT:
        *unit = " s";
        return 1;
    default:
        *unit = NULL;
        return 1;
    }
}

int
lw_form_rule_chart(lw_db *db, const lw_rule *rule, time_t from, time_t to, int64_t step,
                   long long model_id, long long environment_id, const char *title,
                   lw_buf *svg, size_t *n_points, lw_err *err)
{
    struct pair { long long m, e; const char *name; double *t, *v, *th; size_t n, known; } pairs[MAX_SERIES];
    lw_chart_series series[2 * MAX_SERIES] = { { 0 } };
    lw_rule_samples s = { 0 };
    lw_rule_decision d;
    lw_chart_opts o = { 0 };
    time_t *at = NULL;
    size_t n_at, i, j, np = 0, ns = 0, cap;
    double ref = NAN, scale = 1;
    const char *unit = NULL;
    int same_ref = 1, unit_set = 0, rc = LW_OK;
    lw_pool *pool = lw_pool_create();

    *n_points = 0;
    if (pool == NULL)
        return LW_ENOMEM;
    if (step < 60)
        step = 60;
    n_at = (size_t) ((to - from) / step) + 1;
    if (n_at > 500) {
        step = (to - from) / 499;
        n_at = 500;
    }
    at = lw_pool_alloc(pool, n_at * sizeof(*at));
    if (at == NULL) {
        rc = LW_ENOMEM;
        goto done;
    }
    for (i = 0; i < n_at; i++)
        at[i] = from + (time_t) i * step;
    rc = lw_rule_fetch(db, err, rule, at, n_at, &s);
    if (rc != LW_OK)
        goto done;
    cap = n_at;
    for (i = 0; i < s.n; i++) {
        const lw_rule_sample *x = &s.v[i];
        struct pair *p = NULL;

        if (model_id > 0 && (x->model_id != model_id
                             || (environment_id > 0 && x->environment_id != environment_id)))
            continue;
        for (j = 0; j < np; j++)
            if (pairs[j].m == x->model_id && pairs[j].e == x->environment_id)
                p = &pairs[j];
        if (p == NULL) {
            if (np == MAX_SERIES)
                continue;
            p = &pairs[np++];
            p->m = x->model_id;
            p->e = x->environment_id;
            p->name = lw_pool_printf(pool, "%s (%s)", x->model ? x->model : "?",
                                     x->environment ? x->environment : "?");
            p->t = lw_pool_alloc(pool, cap * sizeof(double));
            p->v = lw_pool_alloc(pool, cap * sizeof(double));
            p->th = lw_pool_alloc(pool, cap * sizeof(double));
            p->n = p->known = 0;
            if (p->t == NULL || p->v == NULL || p->th == NULL) {
                rc = LW_ENOMEM;
                goto done;
            }
        }
        if (p->n == cap)
            continue;
        lw_rule_decide(rule, x, NULL, &d);
        if (!unit_set && d.state != LW_DECIDE_NODATA) {
            scale = scale_of(d.unit, &unit);
            unit_set = 1;
        }
        p->t[p->n] = (double) x->at;
        p->v[p->n] = d.value;
        p->th[p->n] = d.threshold;
        if (isfinite(d.value)) {
            (*n_points)++;
            p->known++;
        }
        if (isfinite(d.threshold) && isfinite(d.value)) {
            if (isnan(ref))
                ref = d.threshold;
            else if (fabs(ref - d.threshold) > 1e-9 * fmax(1, fabs(ref)))
                same_ref = 0;
        }
        p->n++;
    }
    /* models without any data in the range are left out of the picture */
    for (i = j = 0; j < np; j++)
        if (pairs[j].known > 0)
            pairs[i++] = pairs[j];
    np = i;
    for (j = 0; j < np; j++) {
        for (i = 0; i < pairs[j].n; i++) {
            pairs[j].v[i] *= scale;
            pairs[j].th[i] *= scale;
        }
        series[ns].name = pairs[j].name;
        series[ns].t = pairs[j].t;
        series[ns].v = pairs[j].v;
        series[ns++].n = pairs[j].n;
    }
    /* one limit for all: a reference line; limits per model (sla_target
     * * 1.5...): a line each */
    if (!same_ref) {
        for (j = 0; j < np; j++) {
            series[ns].name = lw_pool_printf(pool, "limit, %s", pairs[j].name);
            series[ns].t = pairs[j].t;
            series[ns].v = pairs[j].th;
            series[ns++].n = pairs[j].n;
        }
    }
    o.width = 1100;
    o.height = 280;
    o.title = title;
    o.unit = unit;
    if (same_ref && isfinite(ref)) {
        o.has_ref = 1;
        o.ref = ref * scale;
        o.ref_label = "limit";
    }
    rc = lw_chart_line(svg, &o, series, ns);
done:
    lw_rule_samples_free(&s);
    lw_pool_destroy(pool);
    return rc;
}
