/* page_budgets_form.c: "/budgets/new" (editors): a budget (period,
 * amount, alert tiers, scope: model, provider, environment; time zone),
 * checked as `llmwatch budget add` checks it (lib/budget.c) and stored
 * with its rule; and "/budgets/{id}/delete": a confirmation, then the
 * budget removed (its alerts stay in the history). Budgets of the
 * configuration file are changed there, not here. */
#include "app.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "db/budgets.h"
#include "db/topics.h"
#include "render.h"     /* hdf_get_value */

static const char *const form_fields[] = {
    "name", "period", "amount", "alert_at", "model", "provider", "environment", "time_zone",
};

static int
choices(lw_req *r, lw_db *db)
{
    PGresult *scope = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    int i, nm = 0, ne = 0;

    if (scope == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(scope); i++) {
        if (lw_streq(lw_db_str(scope, i, 0), "model"))
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Choices.models.%d", nm++),
                       lw_db_str(scope, i, 1));
        else
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Choices.environments.%d", ne++),
                       lw_db_str(scope, i, 1));
    }
    return LW_OK;
}

static int
show_form(lw_req *r, lw_db *db)
{
    size_t i;
    const char *v;
    int rc = choices(r, db);

    if (rc != LW_OK)
        return rc;
    for (i = 0; i < LW_ARRAY_LEN(form_fields); i++) {
        v = lw_req_form(r, form_fields[i]);
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Form.%s", form_fields[i]), v);
    }
    if (lw_req_form(r, "alert_at") == NULL)
        lw_hdf_set(&r->page, "Form.alert_at", "80, 90, 100");
    if (lw_req_form(r, "time_zone") == NULL)
        lw_hdf_set(&r->page, "Form.time_zone", "UTC");
    lw_hdf_set(&r->page, "Page.title", "New budget");
    r->template = "budgets_form";
    return LW_OK;
}

/* Is v one of the names of the list (Choices.models...)? */
static int
known(lw_req *r, const char *list, const char *v)
{
    const char *x;
    int i;

    for (i = 0; (x = hdf_get_value(r->page.hdf, lw_pool_printf(r->pool, "%s.%d", list, i),
                                   NULL)) != NULL; i++)
        if (strcmp(x, v) == 0)
            return 1;
    return 0;
}

int
lw_page_budget_new(lw_req *r)
{
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    lw_db *db = lw_req_db(r);
    lw_budget_input in;
    lw_budget_errors errs;
    const char *json;
    long long id;
    int i, rc, changed;

    if (db == NULL)
        return LW_EDB;
    if (strcmp(r->method, "POST") != 0)
        return show_form(r, db);
    if ((rc = show_form(r, db)) != LW_OK)
        return rc;
    memset(&in, 0, sizeof(in));
    in.name = lw_req_form(r, "name");
    in.period = lw_req_form(r, "period");
    in.amount = lw_req_form(r, "amount");
    in.alert_at = lw_req_form(r, "alert_at");
    in.model = lw_req_form(r, "model");
    in.provider = lw_req_form(r, "provider");
    in.environment = lw_req_form(r, "environment");
    in.time_zone = lw_req_form(r, "time_zone");
    rc = lw_budget_check(&in, r->pool, &json, &errs);
    if (rc == LW_ENOMEM)
        return rc;
    if (rc == LW_OK && in.environment && *in.environment
        && !known(r, "Choices.environments", in.environment)) {
        errs.v[errs.n].field = "environment";
        snprintf(errs.v[errs.n++].msg, sizeof(errs.v[0].msg), "There is no such environment.");
    }
    if (errs.n == 0) {
        rc = lw_db_budgets_save(db, &r->err, json, "ui", &who, &id, &changed);
        if (rc == LW_OK)
            return lw_req_redirect(r, "/budgets?added=1");
        if (rc != LW_ECONFLICT)
            return rc;
        errs.v[0].field = "name";
        snprintf(errs.v[0].msg, sizeof(errs.v[0].msg), "This name is taken: choose another.");
        errs.n = 1;
    }
    for (i = 0; i < errs.n; i++)
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Errors.%s", errs.v[i].field),
                   errs.v[i].msg);
    lw_hdf_set_int(&r->page, "Errors.count", errs.n);
    r->status = 422;
    return LW_OK;
}

int
lw_page_budget_delete(lw_req *r)
{
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    lw_db *db = lw_req_db(r);
    long long id = lw_req_id(r);
    PGresult *res;
    int i, rc;

    if (db == NULL)
        return LW_EDB;
    res = lw_req_keep(r, lw_db_budgets_list(db, &r->err, (long long) time(NULL), NULL));
    if (res == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(res) && lw_db_int(res, i, 0) != id; i++)
        ;
    if (i == PQntuples(res))
        return LW_ENOTFOUND;
    if (lw_streq(lw_db_str(res, i, PQfnumber(res, "source")), "config"))
        return lw_req_error(r, 409, "This budget is defined in the configuration file: remove it "
                                    "there and apply the configuration.");
    if (strcmp(r->method, "POST") == 0) {
        rc = lw_db_budgets_remove(db, &r->err, id, NULL, &who);
        if (rc == LW_ENOTFOUND || rc == LW_OK)
            return lw_req_redirect(r, "/budgets?removed=1");
        return rc;
    }
    lw_hdf_row(&r->page, "Budget", res, i);
    lw_hdf_set(&r->page, "Page.title", "Remove a budget");
    r->template = "budgets_delete";
    return LW_OK;
}
