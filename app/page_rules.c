/* page_rules.c: "/rules": every rule with its kind, severity, timing,
 * scope, source (config or ui) and whether it is enabled. */
#include "app.h"

#include "db_web.h"
#include "render.h"

int
lw_page_rules(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *rules;

    if (db == NULL)
        return LW_EDB;
    rules = lw_req_keep(r, lw_dbw_rules(db, &r->err));
    if (rules == NULL)
        return LW_EDB;
    if (lw_hdf_rows(r, "Rules", rules) != LW_OK)
        return LW_ENOMEM;
    lw_hdf_set(r, "Page.title", "Rules");
    r->template = "rules";
    return LW_OK;
}
