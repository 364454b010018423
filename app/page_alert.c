/* page_alert.c: "/alerts/{id}": one incident: its timeline (state changes
 * and what people did), the rule's value against its limit around it, the
 * rule's runbook, the notifications and their delivery, and (for editors)
 * acknowledge, false positive and silence. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "db/topics.h"
#include "form_rule.h"
#include "view.h"

#define CHART_BEFORE_S (6 * 3600)   /* context before the alert started */
#define CHART_MAX_SPAN (7 * 86400)

/* the answers of page_alert_actions.c */
static const lw_view_flash_msg flash[] = {
    { "done", "ack", "You acknowledged this alert.", "ok" },
    { "done", "unack", "The acknowledgement was taken back: the alert is open to anyone again.", "ok" },
    { "done", "fp", "Marked as a false positive: alert tuning will learn from it.", "ok" },
    { "done", "notfp", "The false-positive mark was taken back.", "ok" },
};

/* The rule's value vs its limit for this model, from a little before the
 * alert started to its end: the same fetch and decisions as evaluate. A
 * rule that no longer validates has no chart (not an error). */
static int
value_chart(lw_req *r, lw_db *db, const PGresult *alert)
{
    long long rule_id = lw_db_int(alert, 0, PQfnumber(alert, "rule_id"));
    long long model_id = lw_db_int(alert, 0, PQfnumber(alert, "model_id"));
    long long env_id = lw_db_int(alert, 0, PQfnumber(alert, "environment_id"));
    time_t from = (time_t) lw_db_int(alert, 0, PQfnumber(alert, "started_epoch")) - CHART_BEFORE_S;
    time_t to = (time_t) lw_db_int(alert, 0, PQfnumber(alert, "end_epoch")) + 600;
    lw_rule_errors errs = { 0 };
    lw_rule *rule = NULL;
    lw_buf svg = { 0 };
    PGresult *row;
    size_t n = 0;
    int rc;

    if (model_id <= 0)
        return LW_OK;
    if (to - from > CHART_MAX_SPAN)
        from = to - CHART_MAX_SPAN;
    row = lw_req_keep(r, lw_db_rules_of(db, &r->err, LW_DB_RULE_ROW, rule_id));
    if (row == NULL)
        return LW_EDB;
    if (PQntuples(row) != 1 || lw_rule_from_row(row, 0, &rule, &errs) != LW_OK)
        return LW_OK;
    rc = lw_form_rule_chart(db, rule, from, to, (to - from) / 120, model_id, env_id, NULL, &svg,
                            &n, &r->err);
    lw_rule_free(rule);
    if (rc == LW_OK && n > 0)
        lw_hdf_set(&r->page, "Chart.svg", svg.data);     /* our own SVG: uvar: */
    lw_buf_free(&svg);
    return rc;
}

int
lw_page_alert(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *alert, *events, *notes;
    char title[64];
    int rc;

    if (db == NULL)
        return LW_EDB;
    alert = lw_req_keep(r, lw_db_alerts_of(db, &r->err, LW_DB_ALERT_ROW, lw_req_id(r)));
    if (alert == NULL)
        return LW_EDB;
    if (PQntuples(alert) == 0)
        return lw_req_error(r, 404, "There is no alert with that id.");
    events = lw_req_keep(r, lw_db_alerts_of(db, &r->err, LW_DB_ALERT_TIMELINE, lw_req_id(r)));
    notes = events ? lw_req_keep(r, lw_db_alerts_of(db, &r->err, LW_DB_ALERT_NOTIFICATIONS,
                                                    lw_req_id(r))) : NULL;
    if (notes == NULL)
        return LW_EDB;
    lw_hdf_row(&r->page, "Alert", alert, 0);
    lw_hdf_set_int(&r->page, "Alert.silenced", lw_view_silence(alert, 0, time(NULL)));
    lw_hdf_rows(&r->page, "Events", events);
    lw_hdf_rows(&r->page, "Notifications", notes);
    rc = lw_view_markdown(r, "Alert.runbook_html", lw_db_str(alert, 0, PQfnumber(alert, "runbook")));
    if (rc == LW_OK)
        rc = value_chart(r, db, alert);
    if (rc != LW_OK)
        return rc;
    lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    snprintf(title, sizeof(title), "Alert #%lld", lw_req_id(r));
    lw_hdf_set(&r->page, "Page.title", title);
    r->template = "alert";
    return LW_OK;
}
