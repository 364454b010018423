/* page_audit.c: "/admin/audit": who changed what, newest first, 100 rows
 * a page ("?before=ID" for older ones), each with the fields that changed
 * between the row before and after (computed in SQL from the jsonb). */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>

#include "db/topics.h"

#define PAGE_ROWS 100
#define MAX_CHANGES 40      /* per row; a created rule lists every field */

int
lw_page_audit(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    long long before = 0, id, min_id, max_id;
    PGresult *res, *changes;
    char prefix[32], name[64];
    int i, k, n, nc, shown, c;

    if (lw_req_query_id(r, "before", LW_REQ_ID_BIGINT, &before) < 0)
        return LW_EINVAL;
    if (db == NULL)
        return LW_EDB;
    /* one row more than shown tells whether there is an older page */
    res = lw_req_keep(r, lw_db_audit_list(db, &r->err, before, PAGE_ROWS + 1));
    if (res == NULL)
        return LW_EDB;
    n = PQntuples(res);
    shown = n < PAGE_ROWS ? n : PAGE_ROWS;
    for (i = 0; i < shown; i++) {
        snprintf(prefix, sizeof(prefix), "Audit.%d", i);
        lw_hdf_row(&r->page, prefix, res, i);
    }
    if (shown > 0) {
        max_id = lw_db_int(res, 0, 0);
        min_id = lw_db_int(res, shown - 1, 0);
        changes = lw_req_keep(r, lw_db_audit_changes(db, &r->err, min_id, max_id));
        if (changes == NULL)
            return LW_EDB;
        nc = PQntuples(changes);
        /* rows come newest first, changes by ascending id: walk the rows
         * from the oldest with one cursor through the changes */
        for (i = shown - 1, k = 0; i >= 0; i--) {
            id = lw_db_int(res, i, 0);
            while (k < nc && lw_db_int(changes, k, 0) < id)
                k++;
            for (c = 0; k < nc && lw_db_int(changes, k, 0) == id; k++) {
                if (c == MAX_CHANGES) {
                    snprintf(name, sizeof(name), "Audit.%d.more", i);
                    lw_hdf_set_int(&r->page, name, 1);
                    continue;
                }
                snprintf(name, sizeof(name), "Audit.%d.changes.%d", i, c++);
                lw_hdf_row(&r->page, name, changes, k);
            }
        }
    }
    if (n > PAGE_ROWS)
        lw_hdf_set(&r->page, "Older", lw_db_str(res, PAGE_ROWS - 1, 0));
    if (before > 0)
        lw_hdf_set(&r->page, "Newer", "1");
    lw_hdf_set(&r->page, "Page.title", "Audit log");
    r->template = "audit";
    return LW_OK;
}
