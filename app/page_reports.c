/* page_reports.c: "/reports": the stored reports, newest first, each with
 * a link to its content in the format it was rendered in. */
#include "app.h"

#include "db/topics.h"
#include "response.h"

int
lw_page_reports(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_db_reports_list(db, &r->err, 200));
    if (res == NULL)
        return LW_EDB;
    lw_hdf_rows(&r->page, "Reports", res);
    lw_hdf_set(&r->page, "Page.title", "Reports");
    r->template = "reports";
    return LW_OK;
}
