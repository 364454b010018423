/* page_channels.c: "/channels": notification channels with their settings masked in SQL
 * (${VAR} references shown, every other value replaced by bullets) and
 * the severities routed to them.
 */
#include "app.h"

#include "db_web.h"
#include "render.h"

int
lw_page_channels(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_dbw_channels(db, &r->err));
    if (res == NULL)
        return LW_EDB;
    if (lw_hdf_rows(r, "Channels", res) != LW_OK)
        return LW_ENOMEM;
    lw_hdf_set(r, "Page.title", "Channels");
    r->template = "channels";
    return LW_OK;
}
