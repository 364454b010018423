/* page_budgets.c: "/budgets": each budget with what has been spent in its current
 * period (probes and reported production usage).
 */
#include "app.h"

#include "db/topics.h"
#include "response.h"

int
lw_page_budgets(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_db_budgets_list(db, &r->err));
    if (res == NULL)
        return LW_EDB;
    lw_hdf_rows(&r->page, "Budgets", res);
    lw_hdf_set(&r->page, "Page.title", "Budgets");
    r->template = "budgets";
    return LW_OK;
}
