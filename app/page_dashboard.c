/* page_dashboard.c: "/": one card per enabled model, grouped by
 * environment, with its latest probe and its last hour; then, over the
 * chosen range (?range=1h|6h|24h|7d|30d), latency, error rate and cost over
 * time per model, the models compared, SLA compliance, and the latest
 * alert events. Charts are lib/chart.c SVG; the data is aggregated in
 * PostgreSQL (lib/db/dash.c). */
#include "app.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "db/topics.h"
#include "times.h"
#include "view.h"

/* Lines per chart: the chart palette has 8 colours, and a model keeps its
 * colour (its index here) on every chart and on its card. */
#define MAX_CHARTED 8
#define ALERT_EVENTS 10

typedef struct {
    long long   id;
    const char *name;           /* borrowed from the overview result */
    double      sla_ms;         /* 0: no target */
    int         colour;         /* the model's colour everywhere (MODEL_COLOUR) */
} charted;

/* The colours of the charted models, in their order. */
static void
colours_of(const charted *cm, size_t n, int *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        out[i] = cm[i].colour;
}

/* One line chart: a series per charted model from column col of res, in
 * the models' order (which fixes each model's colour). */
static int
model_lines(lw_req *r, const char *hdf, const lw_chart_opts *o, const PGresult *res,
            const char *col, double scale, double max_gap, const charted *cm, size_t n,
            const char *const *names)
{
    lw_chart_series s[MAX_CHARTED] = { { 0 } };
    lw_chart_opts oc = *o;
    lw_db_dash_points pts;
    lw_buf svg = { 0 };
    int colours[MAX_CHARTED];
    size_t i;
    int rc;

    colours_of(cm, n, colours);
    oc.colours = colours;
    oc.hover = 1;
    for (i = 0; i < n; i++) {
        rc = lw_db_dash_points_from(r->pool, res, PQfnumber(res, "model_id"), cm[i].id,
                                 PQfnumber(res, "t"), PQfnumber(res, col), -1, scale, max_gap,
                                 &pts);
        if (rc != LW_OK)
            return rc;
        s[i].name = cm[i].name;
        s[i].legend = names ? names[i] : NULL;
        s[i].t = pts.t;
        s[i].v = pts.v;
        s[i].n = pts.n;
    }
    return lw_view_svg(r, hdf, &svg, lw_chart_line(&svg, &oc, s, n));
}

static int
charts(lw_req *r, lw_db *db, const lw_db_dash_range *rg, const charted *cm, size_t n)
{
    long long ids[MAX_CHARTED];
    lw_chart_bar bars[MAX_CHARTED];
    const char *names[MAX_CHARTED];
    lw_chart_opts o;
    lw_buf svg = { 0 };
    PGresult *series, *totals;
    lw_db_dash_range fit = *rg;
    char title[160], ref_label[64], prefix[64], v[32];
    const char *unit;
    double scale, gap, ref = 0;
    long long counts[MAX_CHARTED];
    size_t i, k;
    int rc, same_ref = 1, c;

    for (i = 0; i < n; i++)
        ids[i] = cm[i].id;
    totals = lw_req_keep(r, lw_db_dash_totals(db, &r->err, rg, ids, n));
    if (totals == NULL)
        return LW_EDB;
    /* points with enough probes for the median model (insertion sort of
     * at most MAX_CHARTED counts) */
    c = PQfnumber(totals, "count");
    for (i = 0; i < (size_t) PQntuples(totals) && i < n; i++) {
        long long x = lw_db_int(totals, (int) i, c);

        for (k = i; k > 0 && counts[k - 1] > x; k--)
            counts[k] = counts[k - 1];
        counts[k] = x;
    }
    if (i > 0)
        lw_db_dash_range_fit(&fit, counts[i / 2]);
    gap = lw_db_dash_max_gap(&fit);
    series = lw_req_keep(r, lw_db_dash_series(db, &r->err, &fit, ids, n));
    if (series == NULL)
        return LW_EDB;

    /* (a) latency: the p95 per step; the SLA target as a dashed line when
     * the charted models share one (the chart has one reference line) */
    for (i = 0; i < n; i++) {
        if (cm[i].sla_ms <= 0)
            continue;
        if (ref > 0 && fabs(ref - cm[i].sla_ms) > 0.5)
            same_ref = 0;
        ref = cm[i].sla_ms;
    }
    unit = lw_db_dash_latency_unit(fmax(lw_view_col_max(series, "p95_ms"), same_ref ? ref : 0), &scale);
    lw_view_chart_opts(&o, title, sizeof(title), "p95 latency of successful probes", rg);
    o.unit = unit;
    if (ref > 0 && same_ref) {
        lw_fmt_ms(ref, v, sizeof(v));
        snprintf(ref_label, sizeof(ref_label), "SLA target %s", v);
        o.has_ref = 1;
        o.ref = ref * scale;
        o.ref_label = ref_label;
    } else if (ref > 0) {
        lw_hdf_set(&r->page, "Charts.latency_note",
                   "The models have different SLA targets: each is in the table below.");
    }
    if ((rc = model_lines(r, "Charts.latency", &o, series, "p95_ms", scale, gap, cm, n, NULL)) != LW_OK)
        return rc;

    /* (b) error rate */
    lw_view_chart_opts(&o, title, sizeof(title), "Error rate (failed probes)", rg);
    o.unit = "%";
    if ((rc = model_lines(r, "Charts.errors", &o, series, "error_pct", 1, gap, cm, n, NULL)) != LW_OK)
        return rc;

    /* (c) cost: the running total, a line that only climbs; each legend
     * entry carries the model's exact total (numeric, formatted in SQL) */
    c = PQfnumber(totals, "cost");
    for (i = 0; i < n; i++) {
        names[i] = (int) i < PQntuples(totals)
                   ? lw_pool_printf(r->pool, "%s  $%s", cm[i].name, lw_db_str(totals, (int) i, c))
                   : cm[i].name;
        if (names[i] == NULL)
            return LW_ENOMEM;
    }
    lw_view_chart_opts(&o, title, sizeof(title), "Cumulative probe cost (USD)", rg);
    o.unit = "$";
    if ((rc = model_lines(r, "Charts.cost", &o, series, "cum_cost", 1, 1e18, cm, n, names)) != LW_OK)
        return rc;

    /* (d) comparison over the whole range */
    c = PQfnumber(totals, "p95_ms");
    unit = lw_db_dash_latency_unit(lw_view_col_max(totals, "p95_ms"), &scale);
    for (i = 0; i < n && (int) i < PQntuples(totals); i++) {
        bars[i].label = cm[i].name;
        bars[i].value = lw_db_isnull(totals, (int) i, c) ? NAN : lw_db_double(totals, (int) i, c) * scale;
    }
    lw_view_chart_opts(&o, title, sizeof(title), "p95 latency by model", rg);
    o.height = 0;       /* bars: from their count */
    o.unit = unit;
    if ((rc = lw_view_svg(r, "Charts.p95_bars", &svg, lw_chart_bars(&svg, &o, bars, i))) != LW_OK)
        return rc;
    c = PQfnumber(totals, "success_pct");
    for (i = 0; i < n && (int) i < PQntuples(totals); i++)
        bars[i].value = lw_db_isnull(totals, (int) i, c) ? NAN : lw_db_double(totals, (int) i, c);
    lw_view_chart_opts(&o, title, sizeof(title), "Success rate by model", rg);
    o.height = 0;
    o.unit = "%";
    if ((rc = lw_view_svg(r, "Charts.success_bars", &svg, lw_chart_bars(&svg, &o, bars, i))) != LW_OK)
        return rc;

    /* the table: legend, comparison and SLA compliance in one */
    for (i = 0; i < n && (int) i < PQntuples(totals); i++) {
        snprintf(prefix, sizeof(prefix), "Compare.%zu", i);
        lw_hdf_row(&r->page, prefix, totals, (int) i);
        snprintf(prefix, sizeof(prefix), "Compare.%zu.name", i);
        lw_hdf_set(&r->page, prefix, cm[i].name);
        snprintf(prefix, sizeof(prefix), "Compare.%zu.swatch", i);
        lw_hdf_set_int(&r->page, prefix, cm[i].colour);
    }
    return LW_OK;
}

int
lw_page_dashboard(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res, *events, *firing;
    const char *env, *prev = NULL, *only;
    char prefix[64], when[40];
    charted cm[MAX_CHARTED];
    lw_db_dash_range rg;
    lw_view_health h;
    time_t now = time(NULL);
    size_t n = 0;
    int i, e = -1, m = 0, rc, counts[4] = { 0, 0, 0, 0 }, muted = 0;

    if (db == NULL)
        return LW_EDB;
    if ((rc = lw_view_range(r, &rg)) != LW_OK || (rc = lw_view_env(r, &only)) != LW_OK)
        return rc;
    res = lw_req_keep(r, lw_db_models_overview(db, &r->err));
    firing = res ? lw_req_keep(r, lw_db_alerts_list(db, &r->err, "firing", NULL, NULL, 0, 1000)) : NULL;
    if (firing == NULL)
        return LW_EDB;
    /* rows come ordered by environment: Envs.E.name, Envs.E.models.M.* */
    for (i = 0; i < PQntuples(res); i++) {
        env = lw_db_str(res, i, PQfnumber(res, "environment"));
        if (only != NULL && strcmp(only, env) != 0)
            continue;
        if (prev == NULL || strcmp(prev, env) != 0) {
            e++;
            m = 0;
            prev = env;
            snprintf(prefix, sizeof(prefix), "Envs.%d.name", e);
            lw_hdf_set(&r->page, prefix, env);
        }
        snprintf(prefix, sizeof(prefix), "Envs.%d.models.%d", e, m++);
        lw_hdf_row(&r->page, prefix, res, i);
        lw_view_model_health(r, res, i, firing, now, &h);
        lw_view_health_hdf(r, prefix, &h);
        counts[h.health]++;
        muted += h.muted;
        if (n < MAX_CHARTED) {
            cm[n].id = lw_db_int(res, i, PQfnumber(res, "id"));
            cm[n].name = lw_db_str(res, i, PQfnumber(res, "name"));
            cm[n].sla_ms = lw_db_double(res, i, PQfnumber(res, "sla_target_ms"));
            cm[n].colour = (int) lw_db_int(res, i, PQfnumber(res, "colour"));
            snprintf(prefix, sizeof(prefix), "Envs.%d.models.%d.swatch", e, m - 1);
            lw_hdf_set_int(&r->page, prefix, cm[n].colour);
            n++;
        }
    }
    if (n > 0 && (rc = charts(r, db, &rg, cm, n)) != LW_OK)
        return rc;
    events = lw_req_keep(r, lw_db_dash_alert_events(db, &r->err, ALERT_EVENTS));
    if (events == NULL)
        return LW_EDB;
    lw_hdf_rows(&r->page, "AlertEvents", events);
    lw_hdf_set(&r->page, "Page.title", "Dashboard");
    lw_hdf_set(&r->page, "Page.updated", lw_time_format(now, LW_TIME_SECOND, when, sizeof(when)));
    lw_hdf_set_int(&r->page, "Summary.models",
                   counts[0] + counts[1] + counts[2] + counts[3]);   /* of the environment shown */
    lw_hdf_set_int(&r->page, "Summary.ok", counts[LW_HEALTH_OK]);
    lw_hdf_set_int(&r->page, "Summary.warning", counts[LW_HEALTH_WARNING]);
    lw_hdf_set_int(&r->page, "Summary.critical", counts[LW_HEALTH_CRITICAL]);
    lw_hdf_set_int(&r->page, "Summary.nodata", counts[LW_HEALTH_NODATA]);
    lw_hdf_set_int(&r->page, "Summary.muted", muted);
    lw_hdf_set_int(&r->page, "Summary.firing", PQntuples(firing));
    lw_hdf_set_int(&r->page, "Summary.charted", (long long) n);
    r->template = "dashboard";
    return LW_OK;
}
