/* page_model.c: "/models/{id}": a model's settings, its last hour, its
 * health (lw_view_model_health, as on the dashboard), its charts over the
 * chosen range (?range=1h|6h|24h|7d|30d|90d or ?from=&to=: latency p50/p95
 * and TTFT against its SLA target and baseline, error rate by class,
 * tokens/s, quality, the latency histogram, its custom metrics) and its
 * last 50 probes. */
#include "app.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "db/topics.h"
#include "rollup.h"
#include "times.h"
#include "view.h"

/* The first and last step of res (a baseline line spans the data, so
 * every chart of the page covers the same time: the chart scales its time
 * axis to its points). 0 when there is no row. */
static int
span(const PGresult *res, double *t0, double *t1)
{
    int n = PQntuples(res), c = PQfnumber(res, "t");

    if (n == 0 || c < 0)
        return 0;
    *t0 = (double) lw_db_int(res, 0, c);
    *t1 = (double) lw_db_int(res, n - 1, c);
    return 1;
}

/* A flat line at value over the time the data spans (a baseline) into *s,
 * its two points in t and v: 1, or 0 without a value or data. */
static int
flat_line(const PGresult *series, double value, const char *name, double *t, double *v,
          lw_chart_series *s)
{
    if (isnan(value) || !span(series, &t[0], &t[1]))
        return 0;
    v[0] = v[1] = value;
    s->name = name;
    s->t = t;
    s->v = v;
    s->n = 2;
    return 1;
}

/* Series of columns of res (one per name), in this order. */
static int
lines(lw_req *r, const PGresult *res, const char *const *cols, const char *const *names,
      size_t n, int den_col, double scale, double gap, lw_chart_series *s)
{
    lw_db_dash_points p;
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        rc = lw_db_dash_points_from(r->pool, res, -1, 0, PQfnumber(res, "t"), PQfnumber(res, cols[i]),
                                 den_col, scale, gap, &p);
        if (rc != LW_OK)
            return rc;
        s[i].name = names[i];
        s[i].t = p.t;
        s[i].v = p.v;
        s[i].n = p.n;
    }
    return LW_OK;
}

/* The mean of column col per step under the HDF node hdf, with the
 * baseline value (NAN: none) as a flat line. */
static int
mean_chart(lw_req *r, const PGresult *series, const char *col, const char *name, double base,
           const char *what, const char *hdf, const lw_db_dash_range *rg)
{
    lw_chart_series s[2] = { { 0 } };
    double bt[2], bv[2];
    lw_chart_opts o;
    lw_buf svg = { 0 };
    char title[160];
    size_t n;
    int rc;

    lw_view_chart_opts(&o, title, sizeof(title), what, rg);
    if ((rc = lines(r, series, &col, &name, 1, -1, 1, lw_db_dash_max_gap(rg), s)) != LW_OK)
        return rc;
    n = 1 + (size_t) flat_line(series, base, "baseline", bt, bv, &s[1]);
    return lw_view_svg(r, hdf, &svg, lw_chart_line(&svg, &o, s, n));
}

/* A signed change against the baseline: "+3.1% vs baseline", class
 * worse/better by which direction is good for this measure. */
static void
delta(lw_req *r, const char *name, double now, double base, int higher_is_better)
{
    char hdf[64], text[64];
    double d;

    if (isnan(now) || isnan(base) || base == 0)
        return;
    d = 100.0 * (now - base) / base;
    snprintf(text, sizeof(text), "%+.1f%% vs baseline", d);
    snprintf(hdf, sizeof(hdf), "Delta.%s", name);
    lw_hdf_set(&r->page, hdf, text);
    snprintf(hdf, sizeof(hdf), "Delta.%s_class", name);
    lw_hdf_set(&r->page, hdf, fabs(d) < 5 ? "" : ((d > 0) == (higher_is_better != 0)) ? "better" : "worse");
}

static double
num(const PGresult *res, const char *col)
{
    int c = res && PQntuples(res) > 0 ? PQfnumber(res, col) : -1;

    return c < 0 || lw_db_isnull(res, 0, c) ? NAN : lw_db_double(res, 0, c);
}

/* The latency histogram over the range, from the merged rollup
 * histograms; bins past the 99.5th percentile are left out when they would
 * squash the rest (a few timeouts), and said so. */
static int
histogram(lw_req *r, const PGresult *totals, const lw_db_dash_range *rg)
{
    int hist[LW_ROLLUP_BUCKETS];
    lw_chart_bin bins[LW_ROLLUP_BUCKETS];
    lw_chart_opts o;
    lw_buf svg = { 0 };
    char title[160], text[160], a[32], b[32];
    const char *unit;
    long long total = 0, hidden = 0;
    double scale, p995, tail_max = 0;
    int k, first = -1, last = -1, cut;
    size_t n = 0;

    if (lw_rollup_hist_parse(lw_db_str(totals, 0, PQfnumber(totals, "total_hist")), hist,
                             LW_ROLLUP_BUCKETS, &total) != LW_OK)
        total = 0;
    for (k = 0; total > 0 && k < LW_ROLLUP_BUCKETS; k++) {
        if (hist[k] > 0) {
            if (first < 0)
                first = k;
            last = k;
        }
    }
    cut = last;
    if (total > 0) {
        p995 = lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, 0.995);
        k = lw_rollup_bucket(p995);
        if (k < last && lw_rollup_bucket_lo(last) > 3 * lw_rollup_bucket_hi(k)) {
            cut = k;
            for (k = cut + 1; k <= last; k++) {
                hidden += hist[k];
                if (hist[k] > 0)
                    tail_max = lw_rollup_bucket_hi(k);
            }
        }
    }
    unit = lw_db_dash_latency_unit(first >= 0 ? lw_rollup_bucket_lo(cut) : 0, &scale);
    for (k = first; first >= 0 && k <= cut; k++) {
        bins[n].lo = lw_rollup_bucket_lo(k) * scale;
        bins[n].hi = (k == LW_ROLLUP_BUCKETS - 1 ? lw_rollup_bucket_lo(k) * 1.0905 : lw_rollup_bucket_hi(k))
                     * scale;
        bins[n++].count = hist[k];
    }
    snprintf(text, sizeof(text), "Latency distribution of %lld successful probes", total);
    lw_view_chart_opts(&o, title, sizeof(title), text, rg);
    o.unit = unit;
    o.x_label = "total latency (log-spaced bins, 8 per doubling)";
    o.y_label = "probes";
    if (hidden > 0) {
        lw_fmt_ms(lw_rollup_bucket_lo(cut + 1), a, sizeof(a));
        lw_fmt_ms(tail_max, b, sizeof(b));
        snprintf(text, sizeof(text), "%lld slower probe%s (%s to %s) not drawn.", hidden,
                 hidden == 1 ? "" : "s", a, b);
        lw_hdf_set(&r->page, "Charts.hist_note", text);
    }
    return lw_view_svg(r, "Charts.hist", &svg, lw_chart_histogram(&svg, &o, bins, n));
}

static int
charts(lw_req *r, const PGresult *model, const PGresult *series, const PGresult *totals,
       const PGresult *baseline, const lw_db_dash_range *rg)
{
    static const char *const lat_cols[] = { "p50_ms", "p95_ms", "ttft_p50_ms" };
    static const char *const lat_names[] = { "p50 total", "p95 total", "p50 time to first token" };
    char ecols[LW_ROLLUP_ERROR_CLASSES + 1][32];
    const char *ecp[LW_ROLLUP_ERROR_CLASSES + 1], *enames[LW_ROLLUP_ERROR_CLASSES + 1];
    lw_chart_series s[LW_ROLLUP_ERROR_CLASSES + 1] = { { 0 } };
    double bt[2], bv[2], sla = num(model, "sla_target_ms"), base_p95 = num(baseline, "latency_p95_ms");
    double scale, gap = lw_db_dash_max_gap(rg), top;
    char title[160], ref_label[64], v[32], base_name[64];
    lw_chart_opts o;
    lw_buf svg = { 0 };
    const char *unit;
    size_t n, i;
    int rc, c;

    /* latency: p50, p95, TTFT; the baseline p95 as a flat line over the
     * data; the SLA target as the dashed reference */
    top = fmax(lw_view_col_max(series, "p95_ms"),
               fmax(isnan(sla) ? 0 : sla, isnan(base_p95) ? 0 : base_p95));
    unit = lw_db_dash_latency_unit(top, &scale);
    lw_view_chart_opts(&o, title, sizeof(title), "Latency of successful probes", rg);
    o.unit = unit;
    if (!isnan(sla) && sla > 0) {
        lw_fmt_ms(sla, v, sizeof(v));
        snprintf(ref_label, sizeof(ref_label), "SLA target %s", v);
        o.has_ref = 1;
        o.ref = sla * scale;
        o.ref_label = ref_label;
    }
    if ((rc = lines(r, series, lat_cols, lat_names, 3, -1, scale, gap, s)) != LW_OK)
        return rc;
    lw_fmt_ms(base_p95, v, sizeof(v));
    snprintf(base_name, sizeof(base_name), "baseline p95 (%s)", v);
    n = 3 + (size_t) flat_line(series, base_p95 * scale, base_name, bt, bv, &s[3]);
    if ((rc = lw_view_svg(r, "Charts.latency", &svg, lw_chart_line(&svg, &o, s, n))) != LW_OK)
        return rc;

    /* error rate, all classes together, then each class seen in the range */
    ecp[0] = "error_pct";
    enames[0] = "all failures";
    n = 1;
    for (i = 0; i < LW_ROLLUP_ERROR_CLASSES; i++) {
        snprintf(ecols[n], sizeof(ecols[n]), "e_%s", lw_rollup_error_classes[i]);
        if (lw_view_col_max(series, ecols[n]) <= 0)
            continue;
        ecp[n] = ecols[n];
        enames[n] = lw_rollup_error_classes[i];
        n++;
    }
    lw_view_chart_opts(&o, title, sizeof(title), "Error rate by class (% of probes)", rg);
    o.unit = "%";
    c = PQfnumber(series, "count");
    if ((rc = lines(r, series, ecp, enames, 1, -1, 1, gap, s)) != LW_OK
        || (n > 1 && (rc = lines(r, series, ecp + 1, enames + 1, n - 1, c, 100, gap, s + 1)) != LW_OK))
        return rc;
    if ((rc = lw_view_svg(r, "Charts.errors", &svg, lw_chart_line(&svg, &o, s, n))) != LW_OK)
        return rc;

    /* throughput (against its baseline) and quality */
    if ((rc = mean_chart(r, series, "tps", "decode tokens/s", num(baseline, "tps"),
                         "Decode throughput (tokens/s, mean)", "Charts.tps", rg)) != LW_OK
        || (rc = mean_chart(r, series, "quality", "quality score", NAN,
                            "Quality score (0-100, mean)", "Charts.quality", rg)) != LW_OK)
        return rc;

    if ((rc = histogram(r, totals, rg)) != LW_OK)
        return rc;

    delta(r, "p95", num(totals, "p95_ms"), base_p95, 0);
    delta(r, "avg", num(totals, "avg_ms"), num(baseline, "latency_mean_ms"), 0);
    delta(r, "success", num(totals, "success_pct"), num(baseline, "success_pct"), 1);
    delta(r, "tps", num(totals, "tps"), num(baseline, "tps"), 1);
    delta(r, "quality", num(totals, "quality"), num(baseline, "quality"), 1);
    return LW_OK;
}

int
lw_page_model(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *model, *probes, *series, *totals, *baseline, *firing;
    lw_db_dash_range rg, fit;
    lw_view_health h;
    char when[40];
    time_t now = time(NULL);
    long long id = lw_req_id(r);
    int rc;

    if (db == NULL)
        return LW_EDB;
    model = lw_req_keep(r, lw_db_models_get(db, &r->err, id));
    if (model == NULL)
        return LW_EDB;
    if (PQntuples(model) == 0)
        return lw_req_error(r, 404, "There is no model with that id.");
    if ((rc = lw_view_range(r, &rg)) != LW_OK)
        return rc;
    fit = rg;
    probes = lw_req_keep(r, lw_db_probes_recent(db, &r->err, id, 50));
    totals = probes ? lw_req_keep(r, lw_db_dash_totals(db, &r->err, &rg, &id, 1)) : NULL;
    if (totals != NULL && PQntuples(totals) > 0)
        lw_db_dash_range_fit(&fit, lw_db_int(totals, 0, PQfnumber(totals, "count")));
    series = totals ? lw_req_keep(r, lw_db_dash_model_series(db, &r->err, &fit, id)) : NULL;
    baseline = series ? lw_req_keep(r, lw_db_dash_baseline(db, &r->err, id)) : NULL;
    firing = baseline ? lw_req_keep(r, lw_db_alerts_list(db, &r->err, "firing", NULL,
                                    lw_db_str(model, 0, PQfnumber(model, "name")), 0, 1000)) : NULL;
    if (firing == NULL)
        return LW_EDB;
    lw_hdf_row(&r->page, "Model", model, 0);
    lw_view_model_health(r, model, 0, firing, now, &h);
    lw_view_health_hdf(r, "Model", &h);
    lw_hdf_set(&r->page, "Page.updated", lw_time_format(now, LW_TIME_SECOND, when, sizeof(when)));
    lw_hdf_rows(&r->page, "Probes", probes);
    if (PQntuples(totals) > 0)
        lw_hdf_row(&r->page, "Totals", totals, 0);
    if (PQntuples(baseline) > 0)
        lw_hdf_row(&r->page, "Baseline", baseline, 0);
    if (PQntuples(totals) > 0 && (rc = charts(r, model, series, totals, baseline, &fit)) != LW_OK)
        return rc;
    if ((rc = lw_page_model_streams(r, id, rg.from, rg.to)) != LW_OK
        || (rc = lw_page_model_custom(r, id, &rg)) != LW_OK)
        return rc;
    lw_hdf_set(&r->page, "Page.title", lw_db_str(model, 0, PQfnumber(model, "name")));
    r->template = "model";
    return LW_OK;
}
