/* page_sla.c: "/sla": per model over the last 30 days: availability against the
 * objective, p95 latency against the model's SLA target, pass or fail.
 */
#include "app.h"

#include "db/topics.h"
#include "response.h"

int
lw_page_sla(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_db_sla_list(db, &r->err));
    if (res == NULL)
        return LW_EDB;
    lw_hdf_rows(&r->page, "Models", res);
    lw_hdf_set(&r->page, "Page.title", "SLA compliance");
    r->template = "sla";
    return LW_OK;
}
