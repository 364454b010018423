/* page_sla.c: "/sla": per model over the last 30 days: availability against the
 * objective, p95 latency against the model's SLA target, pass or fail.
 */
#include "app.h"

#include "db/topics.h"
#include "view.h"

int
lw_page_sla(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res = db ? lw_db_sla_list(db, &r->err) : NULL;

    return lw_view_list(r, res, "Models", "SLA compliance", "sla") ? LW_OK : LW_EDB;
}
