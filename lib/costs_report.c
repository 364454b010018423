/* costs_report.c: the cost analysis into page data (see costs_report.h),
 * with the custom metrics of the same range beside it. */
#include "costs_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "db/costs.h"
#include "db/custom.h"

static const struct {
    const char *name, *hdf, *title;
    unsigned bit;
} groups[] = {
    { "model", "Costs.by_model", "Spend by model", LW_COSTS_BY_MODEL },
    { "hour_of_day", "Costs.by_hour", "Spend by hour of day (UTC)", LW_COSTS_BY_HOUR },
    { "day_of_week", "Costs.by_day", "Spend by day of week", LW_COSTS_BY_DAY },
};

int
lw_costs_report_groups(const char *list)
{
    const char *p = list;
    size_t len, i;
    int bits = 0;

    while (*p != '\0') {
        len = strcspn(p, ",");
        for (i = 0; i < LW_ARRAY_LEN(groups); i++)
            if (strlen(groups[i].name) == len && strncmp(p, groups[i].name, len) == 0)
                break;
        if (i == LW_ARRAY_LEN(groups))
            return -1;
        bits |= (int) groups[i].bit;
        p += len + (p[len] == ',');
    }
    return bits;
}

/* One breakdown: its rows and its bar chart (our own SVG). */
static int
breakdown(lw_db *db, lw_hdf *h, const lw_costs_report_opts *o, size_t g, lw_err *err)
{
    PGresult *res = lw_db_costs_breakdown(db, err, groups[g].name, o->from, o->to,
                                          o->environment);
    lw_chart_bar *bars;
    lw_chart_opts co;
    lw_buf svg = { 0 };
    char name[64];
    int i, n, rc;

    if (res == NULL)
        return LW_EDB;
    n = PQntuples(res);
    lw_hdf_rows(h, groups[g].hdf, res);
    bars = calloc((size_t) n + 1, sizeof(*bars));
    if (bars == NULL) {
        PQclear(res);
        return LW_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        bars[i].label = lw_db_str(res, i, 1);
        bars[i].value = lw_db_double(res, i, PQfnumber(res, "total_d"));
    }
    memset(&co, 0, sizeof(co));
    co.width = 640;
    co.title = groups[g].title;
    co.unit = "$";
    rc = lw_chart_bars(&svg, &co, bars, (size_t) n);
    snprintf(name, sizeof(name), "%s_chart", groups[g].hdf);
    if (rc == LW_OK)
        lw_hdf_set(h, name, svg.data ? svg.data : "");
    snprintf(name, sizeof(name), "%s_title", groups[g].hdf);
    lw_hdf_set(h, name, groups[g].title);
    free(bars);
    lw_buf_free(&svg);
    PQclear(res);
    return rc;
}

static int
savings(lw_db *db, lw_hdf *h, const lw_costs_report_opts *o, lw_err *err)
{
    PGresult *res = lw_db_costs_optimize(db, err, o->to, o->quality_days, o->threshold,
                                         o->environment);
    char name[64], th[32];
    int i, k = 0;

    if (res == NULL)
        return LW_EDB;
    /* the best alternative of each model */
    for (i = 0; i < PQntuples(res); i++) {
        if (lw_db_int(res, i, PQfnumber(res, "rank")) != 1)
            continue;
        snprintf(name, sizeof(name), "Costs.savings.%d", k++);
        lw_hdf_row(h, name, res, i);
    }
    snprintf(th, sizeof(th), "%.0f%%", 100 * o->threshold);
    lw_hdf_set(h, "Costs.threshold", th);
    lw_hdf_set_int(h, "Costs.quality_days", o->quality_days);
    PQclear(res);
    return LW_OK;
}

int
lw_costs_report(lw_db *db, lw_hdf *h, const lw_costs_report_opts *o, lw_err *err)
{
    PGresult *res;
    size_t g;
    int rc;

    res = lw_db_costs_totals(db, err, o->from, o->to, o->environment);
    if (res == NULL)
        return LW_EDB;
    lw_hdf_row(h, "Costs.totals", res, 0);
    /* probing is a cost of its own: worth saying when it weighs */
    if (!lw_db_isnull(res, 0, 2) && strtod(lw_db_str(res, 0, 2), NULL) > 0) {
        double share = strtod(lw_db_str(res, 0, 0), NULL) / strtod(lw_db_str(res, 0, 2), NULL);

        lw_hdf_set_int(h, "Costs.probe_share", (long long) (100 * share + 0.5));
    }
    PQclear(res);
    lw_hdf_set(h, "Costs.range", o->range_label);
    lw_hdf_set(h, "Costs.environment", o->environment);
    for (g = 0; g < LW_ARRAY_LEN(groups); g++)
        if ((o->groups & groups[g].bit) && (rc = breakdown(db, h, o, g, err)) != LW_OK)
            return rc;
    if (o->savings && (rc = savings(db, h, o, err)) != LW_OK)
        return rc;
    lw_hdf_set_int(h, "Costs.look_for_savings", o->savings);
    /* what the money bought, as the users' own measures say */
    if ((res = lw_db_custom_summary(db, err, o->from, o->to, o->environment)) == NULL)
        return LW_EDB;
    lw_hdf_rows(h, "Costs.custom", res);
    PQclear(res);
    return h->failed ? LW_ENOMEM : LW_OK;
}
