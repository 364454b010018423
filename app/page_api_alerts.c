/* page_api_alerts.c: alerting as JSON: GET "/api/v1/alerts" (started in a
 * range, by ?state, ?severity, ?model; paged), "/api/v1/alerts/{id}" (one
 * alert with its history and notifications), "/api/v1/rules" and
 * "/api/v1/rules/{id}" (the stored rules; POST is page_api_rules.c),
 * "/api/v1/silences" (?active=true: those in force). */
#include "app.h"

#include <string.h>

#include "api.h"
#include "db/api.h"

int
lw_page_api_alerts(lw_req *r)
{
    static const char *const states[] = { "pending", "firing", "resolved", NULL };
    static const char *const sevs[] = { "critical", "warning", "info", NULL };
    lw_db *db = lw_req_db(r);
    const char *state, *sev;
    lw_api_page pg;
    int rc, bad;

    if ((rc = lw_api_page_params(r, 7 * 86400, &pg)) != LW_OK)
        return rc == LW_EINVAL ? LW_OK : rc;
    state = lw_api_choice(r, "state", states, &bad);
    sev = bad ? NULL : lw_api_choice(r, "severity", sevs, &bad);
    if (bad)
        return LW_OK;
    if (db == NULL)
        return LW_EDB;
    return lw_api_doc(r, lw_db_api_alerts(db, &r->err, state, sev, lw_req_query(r, "model"),
                                          pg.from, pg.to, pg.limit, pg.cursor), "page");
}

/* The document `get` makes of the path's {id}, as a `what`. */
static int
doc_of_id(lw_req *r, PGresult *(*get)(lw_db *, lw_err *, long long), const char *what)
{
    lw_db *db = lw_req_db(r);

    if (db == NULL)
        return LW_EDB;
    return lw_api_doc(r, get(db, &r->err, lw_req_id(r)), what);
}

int
lw_page_api_alert(lw_req *r)
{
    return doc_of_id(r, lw_db_api_alert, "alert");
}

int
lw_page_api_rules_get(lw_req *r)
{
    return doc_of_id(r, lw_db_api_rules, "rule");
}

int
lw_page_api_silences(lw_req *r)
{
    static const char *const flags[] = { "true", "false", NULL };
    lw_db *db = lw_req_db(r);
    const char *active;
    int bad;

    active = lw_api_choice(r, "active", flags, &bad);
    if (bad)
        return LW_OK;
    if (db == NULL)
        return LW_EDB;
    return lw_api_doc(r, lw_db_api_silences(db, &r->err, active && strcmp(active, "true") == 0),
                      "silence");
}
