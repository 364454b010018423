/* page_reports.c: "/reports": the stored reports, newest first, each with
 * a link to its content in the format it was rendered in. */
#include "app.h"

#include "db/topics.h"
#include "view.h"

int
lw_page_reports(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res = db ? lw_db_reports_list(db, &r->err, 200) : NULL;

    return lw_view_list(r, res, "Reports", "Reports", "reports") ? LW_OK : LW_EDB;
}
