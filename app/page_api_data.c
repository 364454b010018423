/* page_api_data.c: the measured data as JSON: GET "/api/v1/probes" (raw
 * probes, paged), "/api/v1/models/{id}/measures" (aggregates over a range
 * from the rollups, optionally per ?step=), "/api/v1/sla" (per model over
 * a range, as /sla judges it) and "/api/v1/budgets". Parameters and
 * errors as api.h says. */
#include "app.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db/api.h"
#include "duration.h"

int
lw_page_api_probes(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    lw_api_page pg;
    int rc;

    if ((rc = lw_api_page_params(r, 86400, &pg)) != LW_OK)
        return rc == LW_EINVAL ? LW_OK : rc;
    if (db == NULL)
        return LW_EDB;
    return lw_api_doc(r, lw_db_api_probes(db, &r->err, lw_req_query(r, "model"), pg.from, pg.to,
                                          pg.limit, pg.cursor), "page");
}

int
lw_page_api_measures(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    const char *step = lw_req_query(r, "step");
    int64_t step_s = 0;
    lw_api_page pg;
    lw_err err;
    int rc;

    if ((rc = lw_api_page_params(r, 86400, &pg)) != LW_OK)
        return rc == LW_EINVAL ? LW_OK : rc;
    if (step != NULL && *step != '\0') {
        if (lw_duration_parse(step, &step_s, &err) != LW_OK || step_s < 300 || step_s % 300 != 0
            || step_s > 366 * 86400LL)
        {
            lw_api_fail(r, 400, "bad_parameter", "step", "'step' must be a duration of whole "
                        "5 minutes (300, 5m, 1h, 1d), at most a year.");
            return LW_OK;
        }
        /* buckets start on multiples of the step (from 2000-01-01 UTC) */
        pg.from -= (pg.from - 946684800LL) % step_s;
        if ((pg.to - pg.from) / step_s > 10000) {
            lw_api_fail(r, 400, "bad_parameter", "step", "That range holds more than "
                        "10000 steps: take a longer step.");
            return LW_OK;
        }
    }
    if (db == NULL)
        return LW_EDB;
    return lw_api_doc(r, lw_db_api_measures(db, &r->err, lw_req_id(r), pg.from, pg.to, step_s),
                      "model");
}

int
lw_page_api_sla(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    lw_api_page pg;
    int rc;

    /* the SLA period of /sla: the last 30 days */
    if ((rc = lw_api_page_params(r, 30 * 86400, &pg)) != LW_OK)
        return rc == LW_EINVAL ? LW_OK : rc;
    if (db == NULL)
        return LW_EDB;
    return lw_api_doc(r, lw_db_api_sla(db, &r->err, pg.from, pg.to), "period");
}

int
lw_page_api_budgets(lw_req *r)
{
    lw_db *db = lw_req_db(r);

    if (db == NULL)
        return LW_EDB;
    return lw_api_doc(r, lw_db_api_budgets(db, &r->err), "budget");
}
