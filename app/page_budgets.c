/* page_budgets.c: "/budgets": each budget with what has been spent in its current
 * period (probes and reported production usage).
 */
#include "app.h"

#include "db/topics.h"
#include "view.h"

int
lw_page_budgets(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res = db ? lw_db_budgets_list(db, &r->err) : NULL;

    return lw_view_list(r, res, "Budgets", "Budgets", "budgets") ? LW_OK : LW_EDB;
}
