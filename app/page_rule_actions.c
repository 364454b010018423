/* page_rule_actions.c: what editors do to a rule besides editing it:
 * "/rules/{id}/delete" (GET: are you sure?, POST: a soft delete) and POST
 * "/rules/{id}/enable|disable". Each change is audit-logged (lib/db). Rules
 * from monitoring_config.yaml are read-only here, as in the form. */
#include "app.h"

#include <string.h>

#include "form_rule.h"
#include "view.h"

enum { DELETE, ENABLE, DISABLE };

/* An editable rule changed by `what`, then back where the button was. */
static int
change(lw_req *r, int what)
{
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    PGresult *res;
    lw_db *db;
    int rc;

    if ((rc = lw_form_rule_load(r, 1, &db, &res)) != LW_OK || res == NULL)
        return rc;
    if (what == DELETE) {
        if (strcmp(r->method, "POST") != 0) {   /* "are you sure?" */
            lw_hdf_row(&r->page, "Rule", res, 0);
            lw_hdf_set(&r->page, "Page.title", lw_pool_printf(r->pool, "Delete %s",
                                                       lw_db_str(res, 0, PQfnumber(res, "name"))));
            r->template = "rule_delete";
            return LW_OK;
        }
        rc = lw_db_rules_delete(db, &r->err, &who, lw_req_id(r));
        return lw_view_changed(r, rc, 404, "There is no rule with that id.", "/rules?deleted=1");
    }
    rc = lw_db_rules_set_enabled(db, &r->err, &who, lw_req_id(r), what == ENABLE);
    if (rc != LW_OK && rc != LW_ENOTFOUND)
        return rc;
    /* the list's buttons say back=list; the rule page's do not */
    if (lw_streq(lw_req_form(r, "back"), "list"))
        return lw_req_redirect(r, what == ENABLE ? "/rules?enabled=1" : "/rules?disabled=1");
    return lw_req_redirect(r, lw_pool_printf(r->pool, "/rules/%lld?%s", lw_req_id(r),
                                             what == ENABLE ? "enabled=1" : "disabled=1"));
}

int
lw_page_rule_delete(lw_req *r)
{
    return change(r, DELETE);
}

int
lw_page_rule_enable(lw_req *r)
{
    return change(r, ENABLE);
}

int
lw_page_rule_disable(lw_req *r)
{
    return change(r, DISABLE);
}
