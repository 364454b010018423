/* page_rule.c: "/rules/{id}": one rule in full, its runbook rendered from
 * Markdown by cmark in safe mode (raw HTML and unsafe links dropped). */
#include "app.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "db_web.h"
#include "render.h"

int
lw_page_rule(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *rule;
    const char *runbook;
    char *html;
    int rc;

    if (db == NULL)
        return LW_EDB;
    rule = lw_req_keep(r, lw_dbw_rule(db, &r->err, lw_req_id(r)));
    if (rule == NULL)
        return LW_EDB;
    if (PQntuples(rule) == 0)
        return lw_req_error(r, 404, "There is no rule with that id.");
    if (lw_hdf_row(r, "Rule", rule, 0) != LW_OK)
        return LW_ENOMEM;
    runbook = lw_db_str(rule, 0, PQfnumber(rule, "runbook"));
    if (runbook != NULL && runbook[0] != '\0') {
        /* CMARK_OPT_SAFE is the default since 0.29; said anyway, and never
         * CMARK_OPT_UNSAFE: this HTML goes out with uvar: */
        html = cmark_markdown_to_html(runbook, strlen(runbook), CMARK_OPT_SAFE);
        if (html == NULL)
            return LW_ENOMEM;
        rc = lw_hdf_set(r, "Rule.runbook_html", html);
        free(html);
        if (rc != LW_OK)
            return rc;
    }
    lw_hdf_set(r, "Page.title", lw_db_str(rule, 0, PQfnumber(rule, "name")));
    r->template = "rule";
    return LW_OK;
}
