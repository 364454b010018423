/* page_alerts.c: "/alerts": firing alerts first, then pending, then the
 * resolved history, filtered by ?state=, ?severity=, ?model=, ?rule=, the
 * ones a silence mutes now marked so; deliveries that failed for good
 * below. */
#include "app.h"

#include <stdlib.h>

#include "db/topics.h"
#include "view.h"

#define LIST_ROWS 300

/* A filter value we know, else NULL (an unknown one filters nothing). */
static const char *
one_of(const char *v, const char *const *allowed, size_t n)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++)
        if (lw_streq(v, allowed[i]))
            return allowed[i];
    return NULL;
}

int
lw_page_alerts(lw_req *r)
{
    static const char *const states[] = { "firing", "pending", "resolved" };
    static const char *const severities[] = { "critical", "warning", "info" };
    lw_db *db = lw_req_db(r);
    const char *state = one_of(lw_req_query(r, "state"), states, 3);
    const char *severity = one_of(lw_req_query(r, "severity"), severities, 3);
    const char *model = lw_req_query(r, "model");
    long long rule_id = 0;
    PGresult *alerts, *failed, *models;
    int i, firing = 0, pending = 0;

    if (lw_req_query_id(r, "rule", LW_REQ_ID_INT, &rule_id) < 0)
        return LW_EINVAL;
    if (db == NULL)
        return LW_EDB;
    if (model != NULL && model[0] == '\0')
        model = NULL;
    alerts = lw_req_keep(r, lw_db_alerts_list(db, &r->err, state, severity, model,
                                          rule_id > 0 ? rule_id : 0, LIST_ROWS));
    failed = alerts ? lw_req_keep(r, lw_db_channels_notifications(db, &r->err, 0, 50)) : NULL;
    models = failed ? lw_req_keep(r, lw_db_alerts_models(db, &r->err)) : NULL;
    if (models == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(alerts); i++) {
        firing += lw_streq(lw_db_str(alerts, i, PQfnumber(alerts, "state")), "firing");
        pending += lw_streq(lw_db_str(alerts, i, PQfnumber(alerts, "state")), "pending");
    }
    lw_hdf_rows(&r->page, "Alerts", alerts);
    lw_view_silenced(r, alerts, "Alerts");
    lw_hdf_rows(&r->page, "Failed", failed);
    lw_hdf_rows(&r->page, "Models", models);
    lw_hdf_set_int(&r->page, "Summary.firing", firing);
    lw_hdf_set_int(&r->page, "Summary.pending", pending);
    lw_hdf_set_int(&r->page, "Summary.shown", PQntuples(alerts));
    lw_hdf_set_int(&r->page, "Summary.limit", LIST_ROWS);
    lw_hdf_set(&r->page, "Filter.state", state);
    lw_hdf_set(&r->page, "Filter.severity", severity);
    lw_hdf_set(&r->page, "Filter.model", model);
    if (rule_id > 0)
        lw_hdf_set_int(&r->page, "Filter.rule", rule_id);
    lw_hdf_set_int(&r->page, "Filter.any", state || severity || model || rule_id > 0);
    lw_hdf_set(&r->page, "Page.title", "Alerts");
    r->template = "alerts";
    return LW_OK;
}
