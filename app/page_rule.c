/* page_rule.c: "/rules/{id}": one rule in full, its runbook rendered from
 * Markdown by cmark in safe mode (raw HTML and unsafe links dropped), its
 * recent alerts, and (for editors) the buttons that change it. */
#include "app.h"

#include "db/topics.h"
#include "form_rule.h"
#include "view.h"

/* the answers of changes that redirect here */
static const lw_view_flash_msg flash[] = {
    { "created", "1", "The rule was created. It is evaluated from the next minute on.", "ok" },
    { "saved", "1", "Your changes were saved.", "ok" },
    { "enabled", "1", "The rule was enabled.", "ok" },
    { "disabled", "1", "The rule was disabled: it is no longer evaluated.", "ok" },
};

int
lw_page_rule(lw_req *r)
{
    PGresult *rule, *alerts;
    lw_db *db;
    int rc;

    if ((rc = lw_form_rule_load(r, 0, &db, &rule)) != LW_OK || rule == NULL)
        return rc;
    alerts = lw_req_keep(r, lw_db_alerts_list(db, &r->err, NULL, NULL, NULL, lw_req_id(r), 20));
    if (alerts == NULL)
        return LW_EDB;
    lw_hdf_row(&r->page, "Rule", rule, 0);
    lw_hdf_rows(&r->page, "Alerts", alerts);
    rc = lw_view_markdown(r, "Rule.runbook_html", lw_db_str(rule, 0, PQfnumber(rule, "runbook")));
    if (rc != LW_OK)
        return rc;
    lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    lw_hdf_set(&r->page, "Page.title", lw_db_str(rule, 0, PQfnumber(rule, "name")));
    r->template = "rule";
    return LW_OK;
}
