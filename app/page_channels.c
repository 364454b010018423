/* page_channels.c: "/channels": notification channels with their settings
 * masked in SQL (a ${VAR} reference is shown as written, every other value
 * as bullets: secrets never reach the page), deliveries of the last 24
 * hours, and the routing (which channels receive critical, warning and
 * info alerts), editable by admins. */
#include "app.h"

#include "db/topics.h"
#include "view.h"

static const lw_view_flash_msg flash[] = {
    { "saved", "1", "The routing was saved.", "ok" },
};

int
lw_page_channels(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res = db ? lw_db_channels_list(db, &r->err) : NULL;

    if (lw_view_list(r, res, "Channels", "Channels", "channels") == NULL)
        return LW_EDB;
    lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    return LW_OK;
}
