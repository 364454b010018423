/* page_budgets.c: "/budgets": each budget with what has been spent in its
 * current period (probe spend and production usage apart and together),
 * what remains, the pace (the stated forecast: the rate of the last
 * quarter of the period continued to its end), the projected spend at the
 * end of the period and a chart of the period so far. Cached per role
 * (the links to change budgets are an editor's); the changes themselves
 * are on page_budgets_form.c. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "db/budgets.h"
#include "view.h"

static const lw_view_flash_msg flash[] = {
    { "added", "1", "The budget was added: evaluate announces each tier once per period.", "ok" },
    { "removed", "1", "The budget was removed.", "ok" },
};

/* The period so far and, from now to its end, the stated pace. */
static int
budget_chart(lw_req *r, lw_db *db, const PGresult *list, int row, time_t now)
{
    lw_chart_series s[2];
    lw_chart_opts o;
    lw_buf svg = { 0 };
    PGresult *res;
    double *t, *v, pt[2], pv[2], amount, projected;
    char title[160], name[64];
    long long id = lw_db_int(list, row, PQfnumber(list, "id"));
    int i, n;

    res = lw_req_keep(r, lw_db_budgets_series(db, &r->err, id, (long long) now));
    if (res == NULL)
        return LW_EDB;
    n = PQntuples(res);
    t = lw_pool_alloc(r->pool, ((size_t) n + 1) * sizeof(double));
    v = lw_pool_alloc(r->pool, ((size_t) n + 1) * sizeof(double));
    if (t == NULL || v == NULL)
        return LW_ENOMEM;
    for (i = 0; i < n; i++) {
        t[i] = (double) lw_db_int(res, i, 0);
        v[i] = lw_db_double(res, i, 1);
    }
    amount = strtod(lw_db_str(list, row, PQfnumber(list, "amount_n")), NULL);
    projected = amount * strtod(lw_db_str(list, row, PQfnumber(list, "projected_pct")), NULL) / 100;
    pt[0] = (double) now;
    pv[0] = n > 0 ? v[n - 1] : 0;
    pt[1] = (double) lw_db_int(list, row, PQfnumber(list, "end_epoch"));
    pv[1] = projected > pv[0] ? projected : pv[0];
    memset(&o, 0, sizeof(o));
    snprintf(title, sizeof(title), "%s: spent this %s (dollars)",
             lw_db_str(list, row, PQfnumber(list, "name")),
             lw_streq(lw_db_str(list, row, PQfnumber(list, "period")), "daily") ? "day"
             : lw_streq(lw_db_str(list, row, PQfnumber(list, "period")), "weekly") ? "week"
             : "month");
    o.width = 640;
    o.height = 220;
    o.title = title;
    o.unit = "$";
    o.has_ref = 1;
    o.ref = amount;
    o.ref_label = "budget";
    s[0] = (lw_chart_series) { .name = "spent", .t = t, .v = v, .n = (size_t) n };
    s[1] = (lw_chart_series) { .name = "at this pace", .t = pt, .v = pv, .n = 2 };
    snprintf(name, sizeof(name), "Budgets.%d.chart", row);
    return lw_view_svg(r, name, &svg, lw_chart_line(&svg, &o, s, 2));
}

int
lw_page_budgets(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    time_t now = time(NULL);
    const char *env;
    PGresult *res;
    int i, rc;

    if (db == NULL)
        return LW_EDB;
    if ((rc = lw_view_env(r, &env)) != LW_OK)
        return rc;
    res = lw_view_list(r, lw_db_budgets_list(db, &r->err, (long long) now, env), "Budgets",
                       "Budgets", "budgets");
    if (res == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(res); i++)
        if ((rc = budget_chart(r, db, res, i, now)) != LW_OK)
            return rc;
    /* the cache keys pages by role: an editor's copy has the links */
    lw_hdf_set_int(&r->page, "Can.edit_budgets",
                   r->user.id > 0 && lw_auth_role_allows(r->user.role, LW_ROLE_EDITOR));
    lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    return LW_OK;
}
