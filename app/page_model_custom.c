/* page_model_custom.c: the custom metrics part of "/models/{id}": each
 * metric the model has over the page's range (a suite's custom scorers,
 * POST /api/v1/metrics) with its values, failed scorer runs and mean, and
 * a chart of its mean per step, read through lw_custom_metric_read (the
 * hourly rollups: no step finer than an hour). */
#include "app.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "db/custom.h"
#include "view.h"

#define HOUR 3600

/* The rows [first, end) of one metric into a chart under Custom.k. */
static int
metric_chart(lw_req *r, const PGresult *res, int first, int end, int k,
             const lw_db_dash_range *rg)
{
    lw_chart_series s = { .name = "mean" };
    double *t = lw_pool_alloc(r->pool, (size_t) (end - first) * sizeof(double));
    double *v = lw_pool_alloc(r->pool, (size_t) (end - first) * sizeof(double));
    double sum = 0;
    long long n = 0, failed = 0, cnt;
    lw_chart_opts o;
    lw_buf svg = { 0 };
    char title[160], what[120], hdf[64];
    int i;

    if (t == NULL || v == NULL)
        return LW_ENOMEM;
    for (i = first; i < end; i++) {
        cnt = lw_db_int(res, i, 2);
        failed += lw_db_int(res, i, 3);
        if (lw_db_isnull(res, i, 4))
            continue;
        t[s.n] = (double) lw_db_int(res, i, 1);
        v[s.n++] = lw_db_double(res, i, 4);
        sum += lw_db_double(res, i, 4) * (double) cnt;
        n += cnt;
    }
    s.t = t;
    s.v = v;
    snprintf(hdf, sizeof(hdf), "Custom.%d.name", k);
    lw_hdf_set(&r->page, hdf, lw_db_str(res, first, 0));
    snprintf(hdf, sizeof(hdf), "Custom.%d.values", k);
    lw_hdf_set_int(&r->page, hdf, n);
    snprintf(hdf, sizeof(hdf), "Custom.%d.failed", k);
    lw_hdf_set_int(&r->page, hdf, failed);
    if (n > 0) {
        snprintf(what, sizeof(what), "%.4g", sum / (double) n);
        snprintf(hdf, sizeof(hdf), "Custom.%d.mean", k);
        lw_hdf_set(&r->page, hdf, what);
    }
    snprintf(what, sizeof(what), "%s (custom metric, mean)", lw_db_str(res, first, 0));
    lw_view_chart_opts(&o, title, sizeof(title), what, rg);
    snprintf(hdf, sizeof(hdf), "Custom.%d.chart", k);
    return lw_view_svg(r, hdf, &svg, lw_chart_line(&svg, &o, &s, 1));
}

int
lw_page_model_custom(lw_req *r, long long model_id, const lw_db_dash_range *rg)
{
    lw_db *db = lw_req_db(r);
    long long step = rg->step_s > HOUR ? rg->step_s : HOUR;
    long long from = rg->from - (long long) rg->from % step;
    PGresult *res;
    int i, first = 0, k = 0, rc = LW_OK;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_db_custom_series(db, &r->err, model_id, from, (long long) rg->to,
                                             step));
    if (res == NULL)
        return LW_EDB;
    for (i = 1; rc == LW_OK && i <= PQntuples(res); i++) {
        if (i < PQntuples(res) && strcmp(lw_db_str(res, i, 0), lw_db_str(res, first, 0)) == 0)
            continue;
        rc = metric_chart(r, res, first, i, k++, rg);
        first = i;
    }
    return rc;
}
