/* page_api_rules.c: POST "/api/v1/rules": a rule from a JSON body (the
 * config's keys), through the same reading and validation as the rule form
 * (form_rule*.c); 201 with the stored rule, or 422 with the field errors
 * as JSON. Rules made here have source "api". */
#include "app.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "form_rule.h"

/* 422: the error document of api.h naming the first field, and every
 * field error under "errors". */
static int
api_invalid(lw_req *r, const lw_rule_errors *errs)
{
    json_object *o = json_object_new_object(), *e = json_object_new_object();

    json_object_object_add(e, "code", json_object_new_string("invalid"));
    json_object_object_add(e, "message", json_object_new_string("The rule is not valid."));
    json_object_object_add(e, "field", errs->n > 0 && errs->v[0].field
                           ? json_object_new_string(errs->v[0].field) : NULL);
    json_object_object_add(o, "error", e);
    json_object_object_add(o, "status", json_object_new_int(422));
    json_object_object_add(o, "errors", lw_form_rule_errors_json(errs));
    return lw_api_json_object(r, 422, o);
}

int
lw_page_api_rules(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    lw_rule_errors errs;
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    json_object *body, *o, *stored;
    lw_form_rule_input in;
    lw_db_rules_def row;
    lw_rule *rule = NULL;
    PGresult *choices, *res;
    long long id = 0;
    int rc;

    if (db == NULL)
        return LW_EDB;
    rc = lw_api_body(r, NULL, &body);
    if (rc != LW_OK)
        return rc == LW_EINVAL ? LW_OK : rc;
    memset(&errs, 0, sizeof(errs));
    if (lw_form_rule_read_json(r, body, &in, &errs) != LW_OK)
        return api_invalid(r, &errs);
    choices = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    if (choices == NULL)
        return LW_EDB;
    rc = lw_form_rule_validate(&in, choices, &rule, &errs);
    if (rc == LW_ENOMEM)
        return rc;
    if (rc != LW_OK)
        return api_invalid(r, &errs);
    rc = lw_form_rule_to_row(r, &in, rule, &row);
    row.source = "api";
    if (rc == LW_OK)
        rc = lw_db_rules_create(db, &r->err, &who, &row, &id);
    lw_rule_free(rule);
    if (rc == LW_ECONFLICT) {
        memset(&errs, 0, sizeof(errs));
        errs.n = 1;
        errs.v[0].field = "name";
        errs.v[0].index = -1;
        snprintf(errs.v[0].msg, sizeof(errs.v[0].msg), "a rule named '%.200s' already exists",
                 row.name);
        return api_invalid(r, &errs);
    }
    if (rc != LW_OK)
        return rc;
    res = lw_req_keep(r, lw_db_rules_of(db, &r->err, LW_DB_RULE_JSON, id));
    if (res == NULL || PQntuples(res) != 1)
        return LW_EDB;
    stored = json_tokener_parse(lw_db_str(res, 0, 0));
    o = json_object_new_object();
    json_object_object_add(o, "rule", stored);
    json_object_object_add(o, "url", json_object_new_string(lw_pool_printf(r->pool, "/rules/%lld", id)));
    lw_req_add_header(r, "Location", lw_pool_printf(r->pool, "/rules/%lld", id));
    return lw_api_json_object(r, 201, o);
}
