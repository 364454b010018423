/* page_silences.c: "/silences": silences and maintenance windows, active ones first, with
 * their matchers shown as text.
 */
#include "app.h"

#include "db_web.h"
#include "render.h"

int
lw_page_silences(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_dbw_silences(db, &r->err));
    if (res == NULL)
        return LW_EDB;
    if (lw_hdf_rows(r, "Silences", res) != LW_OK)
        return LW_ENOMEM;
    lw_hdf_set(r, "Page.title", "Silences");
    r->template = "silences";
    return LW_OK;
}
