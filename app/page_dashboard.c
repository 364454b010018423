/* page_dashboard.c: "/": one card per enabled model, grouped by
 * environment, with its latest probe and its last hour. */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "db_web.h"
#include "render.h"

int
lw_page_dashboard(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res;
    const char *env, *prev = NULL;
    char prefix[64];
    int i, e = -1, m = 0, healthy = 0, failing = 0, idle = 0;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_dbw_models_overview(db, &r->err));
    if (res == NULL)
        return LW_EDB;
    /* rows come ordered by environment: Envs.E.name, Envs.E.models.M.* */
    for (i = 0; i < PQntuples(res); i++) {
        env = lw_db_str(res, i, PQfnumber(res, "environment"));
        if (prev == NULL || strcmp(prev, env) != 0) {
            e++;
            m = 0;
            prev = env;
            snprintf(prefix, sizeof(prefix), "Envs.%d.name", e);
            lw_hdf_set(r, prefix, env);
        }
        snprintf(prefix, sizeof(prefix), "Envs.%d.models.%d", e, m++);
        if (lw_hdf_row(r, prefix, res, i) != LW_OK)
            return LW_ENOMEM;
        if (lw_db_isnull(res, i, PQfnumber(res, "last_ok")))
            idle++;
        else if (lw_db_bool(res, i, PQfnumber(res, "last_ok")))
            healthy++;
        else
            failing++;
    }
    lw_hdf_set(r, "Page.title", "Dashboard");
    lw_hdf_set_int(r, "Summary.models", PQntuples(res));
    lw_hdf_set_int(r, "Summary.healthy", healthy);
    lw_hdf_set_int(r, "Summary.failing", failing);
    lw_hdf_set_int(r, "Summary.idle", idle);
    r->template = "dashboard";
    return LW_OK;
}
