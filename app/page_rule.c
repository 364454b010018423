/* page_rule.c: "/rules/{id}": one rule in full, its runbook rendered from
 * Markdown by cmark in safe mode (raw HTML and unsafe links dropped), its
 * recent alerts (those a silence mutes now marked so, and the rule itself
 * when a silence mutes all of it), and (for editors) the buttons that
 * change it. */
#include "app.h"

#include <time.h>

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
    PGresult *rule, *alerts, *muted;
    lw_db *db;
    int rc;

    if ((rc = lw_form_rule_load(r, 0, &db, &rule)) != LW_OK || rule == NULL)
        return rc;
    alerts = lw_req_keep(r, lw_db_alerts_list(db, &r->err, NULL, NULL, NULL, lw_req_id(r), 20));
    muted = alerts ? lw_req_keep(r, lw_db_silences_rule(db, &r->err, lw_req_id(r))) : NULL;
    if (muted == NULL)
        return LW_EDB;
    lw_hdf_row(&r->page, "Rule", rule, 0);
    lw_hdf_rows(&r->page, "Alerts", alerts);
    lw_hdf_set_int(&r->page, "Rule.silenced_alerts", lw_view_silenced(r, alerts, "Alerts"));
    if (PQntuples(muted) == 1)
        lw_hdf_set_int(&r->page, "Rule.silenced", lw_view_silence(muted, 0, time(NULL)));
    rc = lw_view_markdown(r, "Rule.runbook_html", lw_db_str(rule, 0, PQfnumber(rule, "runbook")));
    if (rc != LW_OK)
        return rc;
    lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    lw_hdf_set(&r->page, "Page.title", lw_db_str(rule, 0, PQfnumber(rule, "name")));
    r->template = "rule";
    return LW_OK;
}
