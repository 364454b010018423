/* page_rule.c: "/rules/{id}": one rule in full, its runbook rendered from
 * Markdown by cmark in safe mode (raw HTML and unsafe links dropped), its
 * recent alerts, and (for editors) the buttons that change it. */
#include "app.h"
#include "form_rule.h"

#include <stdlib.h>
#include <string.h>

#include "db/topics.h"
#include "html.h"
#include "response.h"

static void
flash(lw_req *r)
{
    static const struct { const char *param, *text; } done[] = {
        { "created", "The rule was created. It is evaluated from the next minute on." },
        { "saved", "Your changes were saved." },
        { "enabled", "The rule was enabled." },
        { "disabled", "The rule was disabled: it is no longer evaluated." },
    };
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(done); i++) {
        if (lw_streq(lw_req_query(r, done[i].param), "1")) {
            lw_hdf_set(&r->page, "Flash.message", done[i].text);
            lw_hdf_set(&r->page, "Flash.kind", "ok");
        }
    }
}

/* Markdown to HTML that may go out with uvar: (cmark's safe mode). */
int
lw_page_runbook_html(lw_req *r, const char *hdf_name, const char *markdown)
{
    char *html;

    if (markdown == NULL || markdown[0] == '\0')
        return LW_OK;
    /* safe mode (lib/html.c): this HTML goes out with uvar: */
    html = lw_html_markdown(markdown);
    if (html == NULL)
        return LW_ENOMEM;
    lw_hdf_set(&r->page, hdf_name, html);
    free(html);
    return LW_OK;
}

int
lw_page_rule(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *rule, *alerts;
    int rc;

    if (db == NULL)
        return LW_EDB;
    rule = lw_req_keep(r, lw_db_rules_form(db, &r->err, lw_req_id(r)));
    if (rule == NULL)
        return LW_EDB;
    if (PQntuples(rule) == 0)
        return lw_req_error(r, 404, "There is no rule with that id.");
    alerts = lw_req_keep(r, lw_db_alerts_list(db, &r->err, NULL, NULL, NULL, lw_req_id(r), 20));
    if (alerts == NULL)
        return LW_EDB;
    lw_hdf_row(&r->page, "Rule", rule, 0);
    lw_hdf_rows(&r->page, "Alerts", alerts);
    rc = lw_page_runbook_html(r, "Rule.runbook_html",
                              lw_db_str(rule, 0, PQfnumber(rule, "runbook")));
    if (rc != LW_OK)
        return rc;
    flash(r);
    lw_hdf_set(&r->page, "Page.title", lw_db_str(rule, 0, PQfnumber(rule, "name")));
    r->template = "rule";
    return LW_OK;
}
