/* page_rule_edit.c: "/rules/{id}/edit": the rule form filled from the
 * stored rule, saved only over the version it was loaded from. Rules from
 * monitoring_config.yaml are not changed here: the file is their source
 * (403, docs/web.md). */
#include "app.h"

#include <string.h>

#include "form_rule.h"

int
lw_page_rule_edit(lw_req *r)
{
    PGresult *res, *choices;
    lw_form_rule_input in;
    lw_db *db;
    int rc;

    if ((rc = lw_form_rule_load(r, 1, &db, &res)) != LW_OK || res == NULL)
        return rc;
    if (strcmp(r->method, "POST") == 0)
        return lw_form_rule_post(r, lw_req_id(r));
    choices = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    if (choices == NULL)
        return LW_EDB;
    lw_form_rule_read_row(r, res, 0, &in);
    lw_form_rule_show(r, &in, choices, lw_req_id(r));
    return LW_OK;
}
