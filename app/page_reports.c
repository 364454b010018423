/* page_reports.c: "/reports": the stored reports, newest first, each with
 * a link to its content in the format it was rendered in. */
#include "app.h"

#include "db/web.h"
#include "render.h"

int
lw_page_reports(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_dbw_reports(db, &r->err, 200));
    if (res == NULL)
        return LW_EDB;
    if (lw_hdf_rows(r, "Reports", res) != LW_OK)
        return LW_ENOMEM;
    lw_hdf_set(r, "Page.title", "Reports");
    r->template = "reports";
    return LW_OK;
}
