/* page_channels.c: "/channels": notification channels with their settings
 * masked in SQL (a ${VAR} reference is shown as written, every other value
 * as bullets: secrets never reach the page), deliveries of the last 24
 * hours, and the routing (which channels receive critical, warning and
 * info alerts), editable by admins. */
#include "app.h"

#include "db/topics.h"
#include "response.h"

int
lw_page_channels(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_db_channels_list(db, &r->err));
    if (res == NULL)
        return LW_EDB;
    lw_hdf_rows(&r->page, "Channels", res);
    if (lw_streq(lw_req_query(r, "saved"), "1")) {
        lw_hdf_set(&r->page, "Flash.message", "The routing was saved.");
        lw_hdf_set(&r->page, "Flash.kind", "ok");
    }
    lw_hdf_set(&r->page, "Page.title", "Channels");
    r->template = "channels";
    return LW_OK;
}
