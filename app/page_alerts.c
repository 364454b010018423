/* page_alerts.c: "/alerts": firing alerts first, then pending, then the
 * resolved history; deliveries that failed for good below. */
#include "app.h"

#include "db_web.h"
#include "render.h"

int
lw_page_alerts(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *alerts, *failed;
    int i, firing = 0;

    if (db == NULL)
        return LW_EDB;
    alerts = lw_req_keep(r, lw_dbw_alerts(db, &r->err, 300));
    if (alerts == NULL)
        return LW_EDB;
    failed = lw_req_keep(r, lw_dbw_notifications(db, &r->err, 0, 50));
    if (failed == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(alerts); i++)
        firing += lw_streq(lw_db_str(alerts, i, PQfnumber(alerts, "state")), "firing");
    if (lw_hdf_rows(r, "Alerts", alerts) != LW_OK || lw_hdf_rows(r, "Failed", failed) != LW_OK)
        return LW_ENOMEM;
    lw_hdf_set_int(r, "Summary.firing", firing);
    lw_hdf_set(r, "Page.title", "Alerts");
    r->template = "alerts";
    return LW_OK;
}
