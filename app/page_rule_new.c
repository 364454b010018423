/* page_rule_new.c: "/rules/new": the rule form for a new rule (one form
 * for every kind; ?kind=trend starts with that kind, ?copy=ID from a copy
 * of a rule, config rules included); its POST is the form's
 * (form_rule.c): errors beside their fields, a backtest preview, save. */
#include "app.h"

#include <stdlib.h>
#include <string.h>

#include "form_rule.h"

int
lw_page_rule_new(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    long long copy = 0;
    PGresult *choices, *res;
    lw_form_rule_input in;

    if (strcmp(r->method, "POST") == 0)
        return lw_form_rule_post(r, 0);
    if (lw_req_query_id(r, "copy", LW_REQ_ID_INT, &copy) < 0)
        return LW_EINVAL;
    if (db == NULL)
        return LW_EDB;
    choices = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    if (choices == NULL)
        return LW_EDB;
    memset(&in, 0, sizeof(in));
    if (copy > 0) {
        res = lw_req_keep(r, lw_db_rules_of(db, &r->err, LW_DB_RULE_FORM, copy));
        if (res == NULL)
            return LW_EDB;
        if (PQntuples(res) == 1) {
            lw_form_rule_read_row(r, res, 0, &in);
            in.version = NULL;
            in.f.name = lw_pool_printf(r->pool, "%s (copy)", in.f.name ? in.f.name : "rule");
        }
    }
    if (in.f.kind == NULL)
        in.f.kind = lw_req_query(r, "kind");
    lw_form_rule_show(r, &in, choices, 0);
    return LW_OK;
}
