/* page_alert.c: "/alerts/{id}": one incident, its state history and its
 * notifications. */
#include "app.h"

#include <stdio.h>

#include "db_web.h"
#include "render.h"

int
lw_page_alert(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *alert, *events, *notes;
    char title[64];

    if (db == NULL)
        return LW_EDB;
    alert = lw_req_keep(r, lw_dbw_alert(db, &r->err, lw_req_id(r)));
    if (alert == NULL)
        return LW_EDB;
    if (PQntuples(alert) == 0)
        return lw_req_error(r, 404, "There is no alert with that id.");
    events = lw_req_keep(r, lw_dbw_alert_events(db, &r->err, lw_req_id(r)));
    notes = events ? lw_req_keep(r, lw_dbw_notifications(db, &r->err, lw_req_id(r), 200)) : NULL;
    if (notes == NULL)
        return LW_EDB;
    if (lw_hdf_row(r, "Alert", alert, 0) != LW_OK || lw_hdf_rows(r, "Events", events) != LW_OK
        || lw_hdf_rows(r, "Notifications", notes) != LW_OK)
        return LW_ENOMEM;
    snprintf(title, sizeof(title), "Alert #%lld", lw_req_id(r));
    lw_hdf_set(r, "Page.title", title);
    r->template = "alert";
    return LW_OK;
}
