/* page_healthz.c: "/healthz" for load balancers and systemd: 200 "ok" when
 * the database answers SELECT 1, else 503. No login, no session. */
#include "app.h"

#include <string.h>

#include "db/topics.h"
#include "replica.h"

int
lw_page_healthz(lw_req *r)
{
    static const char ok[] = "ok\n", down[] = "database unavailable\n";
    lw_db *db;

    if (lw_replica_wants_json(r))
        return lw_replica_healthz(r);
    db = lw_req_db(r);
    if (db == NULL || lw_db_ping(db, &r->err) != LW_OK) {
        lw_log(LW_LOG_WARN, "healthz: %s", r->err.msg);
        return lw_req_raw(r, 503, "text/plain; charset=utf-8", down, strlen(down));
    }
    return lw_req_raw(r, 200, "text/plain; charset=utf-8", ok, strlen(ok));
}
