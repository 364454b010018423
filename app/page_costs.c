/* page_costs.c: "/costs": where the money goes over the chosen range
 * (?range=, ?env=): probe and production spend apart and together, by
 * model, hour of day and day of week with bar charts, and the savings of
 * cheaper models of equal quality; the same analysis and template as
 * `llmwatch costs analyze` (lib/costs_report.c). Nothing in it depends on
 * who asks: cached. */
#include "app.h"

#include <stdio.h>

#include "costs_report.h"
#include "view.h"

int
lw_page_costs(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    lw_costs_report_opts o;
    lw_db_dash_range rg;
    char label[64];
    int rc;

    if (db == NULL)
        return LW_EDB;
    if (lw_view_range(r, &rg) != LW_OK || (rc = lw_view_env(r, &o.environment)) == LW_EINVAL)
        return LW_EINVAL;
    if (rc != LW_OK)
        return rc;
    o.to = (long long) rg.to - (long long) rg.to % 3600 + 3600;
    o.from = o.to - ((long long) rg.to - (long long) rg.from + 3599) / 3600 * 3600;
    o.groups = LW_COSTS_BY_MODEL | LW_COSTS_BY_HOUR | LW_COSTS_BY_DAY;
    o.savings = 1;
    o.threshold = 0.9;
    o.quality_days = 7;
    snprintf(label, sizeof(label), "last %s", rg.label);
    o.range_label = label;
    rc = lw_costs_report(db, &r->page, &o, &r->err);
    if (rc != LW_OK)
        return rc;
    lw_hdf_set(&r->page, "Page.title", "Costs");
    r->template = "costs";
    return LW_OK;
}
