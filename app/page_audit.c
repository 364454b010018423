/* page_audit.c: "/admin/audit": who changed what, newest first, 100 rows
 * a page ("?before=ID" for older ones). */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>

#include "db_web.h"
#include "render.h"

#define PAGE_ROWS 100

int
lw_page_audit(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    const char *b = lw_req_query(r, "before");
    long long before = b ? strtoll(b, NULL, 10) : 0;
    PGresult *res;
    char prefix[32];
    int i, n;

    if (db == NULL)
        return LW_EDB;
    if (before < 0)
        before = 0;
    /* one row more than shown tells whether there is an older page */
    res = lw_req_keep(r, lw_dbw_audit_list(db, &r->err, before, PAGE_ROWS + 1));
    if (res == NULL)
        return LW_EDB;
    n = PQntuples(res);
    for (i = 0; i < n && i < PAGE_ROWS; i++) {
        snprintf(prefix, sizeof(prefix), "Audit.%d", i);
        if (lw_hdf_row(r, prefix, res, i) != LW_OK)
            return LW_ENOMEM;
    }
    if (n > PAGE_ROWS)
        lw_hdf_set(r, "Older", lw_db_str(res, PAGE_ROWS - 1, 0));
    if (before > 0)
        lw_hdf_set(r, "Newer", "1");
    lw_hdf_set(r, "Page.title", "Audit log");
    r->template = "audit";
    return LW_OK;
}
