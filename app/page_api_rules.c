/* page_api_rules.c: POST "/api/v1/rules": a rule from a JSON body (the
 * config's keys), through the same reading and validation as the rule form
 * (form_rule*.c); 201 with the stored rule, or 422 with the field errors
 * as JSON. Rules made here have source "api". */
#include "app.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

#include "form_rule.h"

static void
put_json(void *o)
{
    json_object_put(o);
}

static int
json_answer(lw_req *r, int status, json_object *o)
{
    const char *s;

    if (lw_pool_cleanup_add(r->pool, put_json, o) != LW_OK) {
        json_object_put(o);
        return LW_ENOMEM;
    }
    s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return lw_req_raw(r, status, "application/json", s, strlen(s));
}

/* The first text of the body PostgreSQL would refuse (a NUL, which C would
 * silently cut the string at, or invalid UTF-8): a member's name or any
 * string value, at any depth. NULL when there is none, else the message
 * naming the top-level field (pool memory). */
static const char *
text_problem(lw_req *r, json_object *v, const char *field)
{
    struct json_object_iterator it, end;
    const char *why, *key, *bad;
    size_t i, n;

    switch (json_object_get_type(v)) {
    case json_type_string:
        why = lw_req_text_problem(json_object_get_string(v), (size_t) json_object_get_string_len(v));
        return why ? lw_pool_printf(r->pool, "The field '%s' %s.", field, why) : NULL;
    case json_type_array:
        n = json_object_array_length(v);
        for (i = 0; i < n; i++)
            if ((bad = text_problem(r, json_object_array_get_idx(v, i), field)) != NULL)
                return bad;
        return NULL;
    case json_type_object:
        it = json_object_iter_begin(v);
        end = json_object_iter_end(v);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            key = json_object_iter_peek_name(&it);
            /* json-c keeps a name only up to a NUL: its length is lost */
            if ((why = lw_req_text_problem(key, strlen(key))) != NULL)
                return lw_pool_printf(r->pool, "A field name %s.", why);
            bad = text_problem(r, json_object_iter_peek_value(&it),
                               field ? field : lw_pool_strdup(r->pool, key));
            if (bad != NULL)
                return bad;
        }
        return NULL;
    default:
        return NULL;
    }
}

/* 1 when the JSON text has a NUL anywhere: raw, or as the escape \u0000
 * (an odd run of backslashes before it), e.g. in a member's name, which
 * json-c keeps only up to the NUL. */
static int
json_has_nul(const char *s, size_t len)
{
    size_t i, k;

    if (memchr(s, '\0', len) != NULL)
        return 1;
    for (i = 1; i + 4 < len; i++) {
        if (s[i] != 'u' || s[i - 1] != '\\' || strncmp(s + i + 1, "0000", 4) != 0)
            continue;
        for (k = 0; k < i && s[i - 1 - k] == '\\'; k++)
            ;
        if (k % 2 == 1)
            return 1;
    }
    return 0;
}

static int
api_invalid(lw_req *r, const lw_rule_errors *errs)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "error", json_object_new_string("The rule is not valid."));
    json_object_object_add(o, "status", json_object_new_int(422));
    json_object_object_add(o, "errors", lw_form_rule_errors_json(errs));
    return json_answer(r, 422, o);
}

int
lw_page_api_rules(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    const char *ct = lw_req_env(r, "CONTENT_TYPE"), *bad;
    enum json_tokener_error jerr = json_tokener_success;
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
    if (ct == NULL || strncmp(ct, "application/json", 16) != 0)
        return lw_req_error(r, 400, "Send the rule as JSON (Content-Type: application/json).");
    body = json_tokener_parse_verbose(r->body_in ? r->body_in : "", &jerr);
    if (body == NULL)
        return lw_req_error(r, 400, lw_pool_printf(r->pool, "The body is not valid JSON: %s.",
                                                   json_tokener_error_desc(jerr)));
    if (lw_pool_cleanup_add(r->pool, put_json, body) != LW_OK) {
        json_object_put(body);
        return LW_ENOMEM;
    }
    if ((bad = text_problem(r, body, NULL)) != NULL)
        return lw_req_error(r, 400, bad);
    if (json_has_nul(r->body_in, r->body_in_len))
        return lw_req_error(r, 400, "A field name contains a NUL character.");
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
    res = lw_req_keep(r, lw_db_rules_json(db, &r->err, id));
    if (res == NULL || PQntuples(res) != 1)
        return LW_EDB;
    stored = json_tokener_parse(lw_db_str(res, 0, 0));
    o = json_object_new_object();
    json_object_object_add(o, "rule", stored);
    json_object_object_add(o, "url", json_object_new_string(lw_pool_printf(r->pool, "/rules/%lld", id)));
    lw_req_add_header(r, "Location", lw_pool_printf(r->pool, "/rules/%lld", id));
    return json_answer(r, 201, o);
}
