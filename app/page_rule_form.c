/* page_rule_form.c: changing rules: "/rules/new" and "/rules/{id}/edit"
 * (one form for every kind, errors beside their fields, a backtest
 * preview before saving), "/rules/{id}/delete" (confirmation, then a soft
 * delete), "/rules/{id}/enable|disable", and POST "/api/v1/rules" (JSON,
 * the same validation). Rules from monitoring_config.yaml are not changed
 * here: the file is their source (docs/web.md). */
#include "app.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/topics.h"
#include "response.h"
#include "form_rule.h"

#define PREVIEW_DAYS     7
#define PREVIEW_STEP     60        /* evaluate runs every minute */
#define PREVIEW_LISTED   100
#define CONFIG_READ_ONLY "This rule is defined in monitoring_config.yaml: change it there " \
                         "(or duplicate it as a rule of the web interface)."

static lw_db_audit_who
who_of(lw_req *r)
{
    lw_db_audit_who w = { r->user.id, r->user.email, r->remote_addr };

    return w;
}

static void
fmt_time(time_t t, char *buf, size_t size)
{
    struct tm tm;

    if (t <= 0) {
        snprintf(buf, size, "-");
        return;
    }
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm);
}

/* ---- the form ---- */

static int
render_form(lw_req *r, const lw_rf_input *in, const PGresult *choices, long long id)
{
    int rc = lw_rf_hdf(r, in, choices);

    if (rc != LW_OK)
        return rc;
    if (id > 0) {
        lw_hdf_set(&r->page, "Form.mode", "edit");
        lw_hdf_set_int(&r->page, "Form.id", id);
        lw_hdf_set(&r->page, "Form.action", lw_pool_printf(r->pool, "/rules/%lld/edit", id));
        lw_hdf_set(&r->page, "Page.title", lw_pool_printf(r->pool, "Edit %s", in->f.name ? in->f.name : "rule"));
    } else {
        lw_hdf_set(&r->page, "Form.mode", "new");
        lw_hdf_set(&r->page, "Form.action", "/rules/new");
        lw_hdf_set(&r->page, "Page.title", "New rule");
    }
    r->template = "rule_form";
    return LW_OK;
}

/* "over the last 7 days this rule would have fired N times": the very
 * backtest of lib/rules.c (same SQL, decisions and state machine as
 * evaluate), and the value against the limit as a chart. */
static int
preview(lw_req *r, lw_db *db, const lw_rule *rule)
{
    time_t now = time(NULL), from = now - PREVIEW_DAYS * 86400;
    lw_backtest bt = { 0 };
    lw_buf svg = { 0 };
    char name[64], t[64], v[64], th[64];
    size_t i, n_points = 0;
    int rc;

    rc = lw_backtest_rule(db, &r->err, rule, from, now, PREVIEW_STEP, &bt);
    if (rc != LW_OK) {
        lw_backtest_free(&bt);
        return rc == LW_ENOMEM ? rc : LW_EDB;
    }
    lw_hdf_set_int(&r->page, "Preview.days", PREVIEW_DAYS);
    lw_hdf_set_int(&r->page, "Preview.fired", (long long) bt.fired);
    lw_hdf_set_int(&r->page, "Preview.evaluations", (long long) bt.evaluations);
    lw_hdf_set_int(&r->page, "Preview.samples", (long long) bt.samples);
    lw_hdf_set_int(&r->page, "Preview.nodata", (long long) bt.nodata);
    fmt_time(from, t, sizeof(t));
    lw_hdf_set(&r->page, "Preview.from", t);
    fmt_time(now, t, sizeof(t));
    lw_hdf_set(&r->page, "Preview.to", t);
    for (i = 0; i < bt.n && i < PREVIEW_LISTED; i++) {
        const lw_backtest_firing *f = &bt.v[i];

        snprintf(name, sizeof(name), "Preview.firings.%zu", i);
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.model", name), f->model);
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.environment", name), f->environment);
        fmt_time(f->fired_at, t, sizeof(t));
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.fired", name), t);
        if (f->resolved_at > 0) {
            fmt_time(f->resolved_at, t, sizeof(t));
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.resolved", name), t);
            lw_duration_format(f->resolved_at - f->fired_at, t, sizeof(t));
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.duration", name), t);
        }
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.value", name),
                   lw_measure_format(f->unit, f->value, v, sizeof(v)));
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.threshold", name),
                   lw_measure_format(f->unit, f->threshold, th, sizeof(th)));
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.summary", name), f->summary);
    }
    if (bt.n > PREVIEW_LISTED)
        lw_hdf_set_int(&r->page, "Preview.more", (long long) (bt.n - PREVIEW_LISTED));
    lw_backtest_free(&bt);
    /* hourly points: the chart shows the shape, the list the moments */
    rc = lw_rf_chart(db, rule, from, now, 3600, 0, 0, NULL, &svg, &n_points, &r->err);
    if (rc == LW_OK && n_points > 0)
        lw_hdf_set(&r->page, "Preview.chart", svg.data);   /* our own SVG: uvar: */
    lw_buf_free(&svg);
    if (rc == LW_EDB)
        return LW_EDB;
    lw_hdf_set_int(&r->page, "Preview.ran", 1);
    return rc;
}

/* POST of the form: switch kind, preview or save. */
static int
form_post(lw_req *r, long long id)
{
    const char *action = lw_req_form(r, "action");
    lw_db *db = lw_req_db(r);
    lw_rule_errors errs;
    lw_db_audit_who who = who_of(r);
    lw_rf_input in;
    lw_db_rules_def row;
    PGresult *choices;
    lw_rule *rule = NULL;
    long long new_id = 0;
    int rc;

    if (db == NULL)
        return LW_EDB;
    memset(&errs, 0, sizeof(errs));
    lw_rf_read_form(r, &in);
    choices = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    if (choices == NULL)
        return LW_EDB;
    if (lw_streq(action, "kind"))       /* "Change kind": keep what was typed, no checks yet */
        return render_form(r, &in, choices, id);
    rc = lw_rf_validate(&in, choices, &rule, &errs);
    if (rc == LW_ENOMEM)
        return rc;
    if (rc != LW_OK) {
        r->status = 422;
        if ((rc = lw_rf_hdf_errors(r, &in, &errs)) != LW_OK)
            return rc;
        return render_form(r, &in, choices, id);
    }
    if (lw_streq(action, "preview")) {
        rc = preview(r, db, rule);
        lw_rule_free(rule);
        if (rc != LW_OK)
            return rc;
        return render_form(r, &in, choices, id);
    }
    rc = lw_rf_to_row(r, &in, rule, &row);
    if (rc == LW_OK)
        rc = id > 0 ? lw_db_rules_update(db, &r->err, &who, id, in.version, &row)
                    : lw_db_rules_create(db, &r->err, &who, &row, &new_id);
    lw_rule_free(rule);
    if (rc == LW_ECONFLICT || rc == LW_ENOTFOUND) {
        r->status = 422;
        if (rc == LW_ECONFLICT) {
            lw_hdf_set(&r->page, "Errors.name", "A rule with this name already exists (deleted rules "
                                         "keep their names). Choose another name.");
        } else {
            lw_hdf_set(&r->page, "Errors.general.0", "This rule was changed or deleted by someone else "
                                              "since you opened it. Reload the page to see the "
                                              "current version; nothing was saved.");
        }
        lw_hdf_set_int(&r->page, "Errors.count", 1);
        return render_form(r, &in, choices, id);
    }
    if (rc != LW_OK)
        return rc;
    return lw_req_redirect(r, lw_pool_printf(r->pool, "/rules/%lld?%s", id > 0 ? id : new_id,
                                             id > 0 ? "saved=1" : "created=1"));
}

/* "/rules/new": a new rule (?kind=trend to start with that kind,
 * ?copy=ID to start from a copy of a rule, config rules included). */
int
lw_page_rule_new(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    const char *copy = lw_req_query(r, "copy");
    PGresult *choices, *res;
    lw_rf_input in;

    if (strcmp(r->method, "POST") == 0)
        return form_post(r, 0);
    if (db == NULL)
        return LW_EDB;
    choices = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    if (choices == NULL)
        return LW_EDB;
    memset(&in, 0, sizeof(in));
    if (copy != NULL && strtoll(copy, NULL, 10) > 0) {
        res = lw_req_keep(r, lw_db_rules_form(db, &r->err, strtoll(copy, NULL, 10)));
        if (res == NULL)
            return LW_EDB;
        if (PQntuples(res) == 1) {
            lw_rf_read_row(r, res, 0, &in);
            in.version = NULL;
            in.f.name = lw_pool_printf(r->pool, "%s (copy)", in.f.name ? in.f.name : "rule");
        }
    }
    if (in.f.kind == NULL)
        in.f.kind = lw_req_query(r, "kind");
    return render_form(r, &in, choices, 0);
}

/* Loads a live rule; 404 page when there is none, the read-only answer
 * for a config rule. *res NULL means the answer is already set. */
static int
load_rule(lw_req *r, lw_db *db, PGresult **res)
{
    *res = lw_req_keep(r, lw_db_rules_form(db, &r->err, lw_req_id(r)));
    if (*res == NULL)
        return LW_EDB;
    if (PQntuples(*res) == 0) {
        *res = NULL;
        return lw_req_error(r, 404, "There is no rule with that id.");
    }
    if (lw_streq(lw_db_str(*res, 0, PQfnumber(*res, "source")), "config")) {
        *res = NULL;
        return lw_req_error(r, 403, CONFIG_READ_ONLY);
    }
    return LW_OK;
}

int
lw_page_rule_edit(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res, *choices;
    lw_rf_input in;
    int rc;

    if (db == NULL)
        return LW_EDB;
    if ((rc = load_rule(r, db, &res)) != LW_OK || res == NULL)
        return rc;
    if (strcmp(r->method, "POST") == 0)
        return form_post(r, lw_req_id(r));
    choices = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    if (choices == NULL)
        return LW_EDB;
    lw_rf_read_row(r, res, 0, &in);
    return render_form(r, &in, choices, lw_req_id(r));
}

/* GET: "are you sure?"; POST: soft delete (deleted_at), back to the list. */
int
lw_page_rule_delete(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    lw_db_audit_who who = who_of(r);
    PGresult *res;
    int rc;

    if (db == NULL)
        return LW_EDB;
    if ((rc = load_rule(r, db, &res)) != LW_OK || res == NULL)
        return rc;
    if (strcmp(r->method, "POST") == 0) {
        rc = lw_db_rules_delete(db, &r->err, &who, lw_req_id(r));
        if (rc == LW_ENOTFOUND)
            return lw_req_error(r, 404, "There is no rule with that id.");
        if (rc != LW_OK)
            return rc;
        return lw_req_redirect(r, "/rules?deleted=1");
    }
    lw_hdf_row(&r->page, "Rule", res, 0);
    lw_hdf_set(&r->page, "Page.title", lw_pool_printf(r->pool, "Delete %s",
                                               lw_db_str(res, 0, PQfnumber(res, "name"))));
    r->template = "rule_delete";
    return LW_OK;
}

static int
set_enabled(lw_req *r, int enabled)
{
    lw_db *db = lw_req_db(r);
    lw_db_audit_who who = who_of(r);
    PGresult *res;
    int rc;

    if (db == NULL)
        return LW_EDB;
    if ((rc = load_rule(r, db, &res)) != LW_OK || res == NULL)
        return rc;
    rc = lw_db_rules_set_enabled(db, &r->err, &who, lw_req_id(r), enabled);
    if (rc != LW_OK && rc != LW_ENOTFOUND)
        return rc;
    /* back where the button was: the list or the rule's page */
    if (lw_streq(lw_req_form(r, "back"), "list"))
        return lw_req_redirect(r, enabled ? "/rules?enabled=1" : "/rules?disabled=1");
    return lw_req_redirect(r, lw_pool_printf(r->pool, "/rules/%lld?%s", lw_req_id(r),
                                             enabled ? "enabled=1" : "disabled=1"));
}

int
lw_page_rule_enable(lw_req *r)
{
    return set_enabled(r, 1);
}

int
lw_page_rule_disable(lw_req *r)
{
    return set_enabled(r, 0);
}

/* ---- POST /api/v1/rules ---- */

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

static int
api_invalid(lw_req *r, const lw_rule_errors *errs)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "error", json_object_new_string("The rule is not valid."));
    json_object_object_add(o, "status", json_object_new_int(422));
    json_object_object_add(o, "errors", lw_rf_errors_json(errs));
    return json_answer(r, 422, o);
}

int
lw_page_api_rules(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    const char *ct = lw_req_env(r, "CONTENT_TYPE");
    enum json_tokener_error jerr = json_tokener_success;
    lw_rule_errors errs;
    lw_db_audit_who who = who_of(r);
    json_object *body, *o, *stored;
    lw_rf_input in;
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
    memset(&errs, 0, sizeof(errs));
    if (lw_rf_read_json(r, body, &in, &errs) != LW_OK)
        return api_invalid(r, &errs);
    choices = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    if (choices == NULL)
        return LW_EDB;
    rc = lw_rf_validate(&in, choices, &rule, &errs);
    if (rc == LW_ENOMEM)
        return rc;
    if (rc != LW_OK)
        return api_invalid(r, &errs);
    rc = lw_rf_to_row(r, &in, rule, &row);
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
