/* check_rule_form.c: the rule form of llmwatch-web (app/form_rule*.c and
 * the pages that use it, app/page_rule_*.c, page_api_rules.c): reading
 * the form, validation with errors beside their fields (an expression
 * error with its column marked), missing fields per kind, hostile input
 * escaped when the form is shown again, the same rule from the form, the
 * API and the config; and, against the test database, saving, the
 * stale-edit check, roles and the JSON API. */
#include <json.h>

#include "webtest.h"
#include "config.h"
#include "alert/rules.h"
#include "form_rule.h"

#define HOSTILE "<script>alert(1)</script>\"'&"

/* A POST /rules/new request carrying `body` (no database). */
static void
form_request(wt_request *t, const char *body)
{
    wt_request_init(t, NULL, "POST", "/rules/new", NULL, body, NULL);
}

static const lw_rule_field_error *
error_of(const lw_rule_errors *e, const char *field)
{
    int i;

    for (i = 0; i < e->n && i < (int) LW_ARRAY_LEN(e->v); i++)
        if (e->v[i].field && strcmp(e->v[i].field, field) == 0)
            return &e->v[i];
    return NULL;
}

/* Validates a urlencoded form; returns the rc, errors in errs. */
static int
validate_body(const char *body, lw_rule_errors *errs, lw_rule **rule)
{
    wt_request t;
    lw_form_rule_input in;
    int rc;

    memset(errs, 0, sizeof(*errs));
    form_request(&t, body);
    ck_assert_int_eq(lw_form_rule_read_form(&t.r, &in), LW_OK);
    rc = lw_form_rule_validate(&in, NULL, rule, errs);
    wt_request_free(&t);
    return rc;
}

START_TEST(reads_every_field)
{
    wt_request t;
    lw_form_rule_input in;

    form_request(&t, "name=Slow&kind=statistical&severity=critical&condition=metric+%3E+mean"
                     "&window=15m&lookback_window=7+days&minimum_samples=30&metric=p95_latency"
                     "&k=2.5&for=5m&cooldown=1h&repeat_interval=4h&send_resolved=1"
                     "&models=gpt-4&models=a%2Cb&models=gpt-4&environments=production"
                     "&runbook=%23+Steps&version=v1");
    ck_assert_int_eq(lw_form_rule_read_form(&t.r, &in), LW_OK);
    ck_assert_str_eq(in.f.name, "Slow");
    ck_assert_str_eq(in.f.kind, "statistical");
    ck_assert_str_eq(in.f.condition, "metric > mean");
    ck_assert_str_eq(in.f.lookback_window, "7 days");
    ck_assert_str_eq(in.f.for_s, "5m");
    ck_assert_str_eq(in.f.send_resolved, "true");
    /* a checkbox that is not ticked is not sent, and means "no" */
    ck_assert_str_eq(in.f.enabled, "false");
    /* repeated names, a comma inside one, duplicates once */
    ck_assert_uint_eq(in.n_models, 2);
    ck_assert_str_eq(in.models[0], "gpt-4");
    ck_assert_str_eq(in.models[1], "a,b");
    ck_assert_uint_eq(in.n_envs, 1);
    ck_assert_str_eq(in.version, "v1");
    wt_request_free(&t);
}
END_TEST

START_TEST(expression_error_has_its_column)
{
    lw_rule_errors errs;
    lw_rule *rule = NULL;
    const lw_rule_field_error *e;

    ck_assert_int_eq(validate_body("name=x&kind=threshold&condition=avg_latency+%3E+(sla_targt+*+2",
                                   &errs, &rule), LW_EINVAL);
    ck_assert_ptr_null(rule);
    e = error_of(&errs, "condition");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->col, 16);
    ck_assert_ptr_nonnull(strstr(e->msg, "sla_targt"));
    /* an unclosed parenthesis points after the end */
    ck_assert_int_eq(validate_body("name=x&kind=threshold&condition=(error_rate+%3E+1",
                                   &errs, &rule), LW_EINVAL);
    e = error_of(&errs, "condition");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_gt(e->col, 0);
}
END_TEST

/* The marked expression in the HDF: text before, the word at the column,
 * the rest, and a caret line under it. */
START_TEST(error_marks_the_column)
{
    wt_request t;
    lw_form_rule_input in;
    lw_rule_errors errs = { 0 };
    lw_rule *rule = NULL;

    form_request(&t, "name=x&kind=threshold&condition=avg_latency+%3E+(sla_targt+*+2)");
    lw_form_rule_read_form(&t.r, &in);
    ck_assert_int_eq(lw_form_rule_validate(&in, NULL, &rule, &errs), LW_EINVAL);
    lw_form_rule_hdf_errors(&t.r, &in, &errs);
    ck_assert_msg(!t.r.page.failed, "%s", t.r.page.err.msg);
    ck_assert_str_eq(hdf_get_value(t.r.page.hdf, "Errors.condition_mark.before", ""), "avg_latency > (");
    ck_assert_str_eq(hdf_get_value(t.r.page.hdf, "Errors.condition_mark.at", ""), "sla_targt");
    ck_assert_str_eq(hdf_get_value(t.r.page.hdf, "Errors.condition_mark.after", ""), " * 2)");
    ck_assert_str_eq(hdf_get_value(t.r.page.hdf, "Errors.condition_mark.caret", ""),
                     "               ^~~~~~~~~");
    ck_assert_int_eq(hdf_get_int_value(t.r.page.hdf, "Errors.count", 0), errs.n);
    wt_request_free(&t);
    /* a composite condition: the line is named, the column marked in it */
    form_request(&t, "name=x&kind=composite&conditions=error_rate+%3E+0.1%0D%0Ap95_latency+%3E%3E+2");
    lw_form_rule_read_form(&t.r, &in);
    memset(&errs, 0, sizeof(errs));
    ck_assert_int_eq(lw_form_rule_validate(&in, NULL, &rule, &errs), LW_EINVAL);
    lw_form_rule_hdf_errors(&t.r, &in, &errs);
    ck_assert_msg(!t.r.page.failed, "%s", t.r.page.err.msg);
    ck_assert_int_eq(hdf_get_int_value(t.r.page.hdf, "Errors.conditions_line", 0), 2);
    ck_assert_ptr_nonnull(strstr(hdf_get_value(t.r.page.hdf, "Errors.conditions", ""), "2"));
    ck_assert_ptr_nonnull(hdf_get_value(t.r.page.hdf, "Errors.conditions_mark.caret", NULL));
    wt_request_free(&t);
}
END_TEST

START_TEST(missing_fields_per_kind)
{
    static const struct { const char *body, *field; } cases[] = {
        { "kind=threshold&condition=error_rate+%3E+0.5", "name" },
        { "name=x&kind=threshold", "condition" },
        { "name=x&kind=threshold&condition=error_rate+%3E+0.5&window=soon", "window" },
        { "name=x&kind=threshold&condition=error_rate+%3E+0.5&severity=loud", "severity" },
        { "name=x&kind=threshold&condition=error_rate+%2B+1", "condition" },   /* not a condition */
        { "name=x&kind=statistical&metric=p95_latency&k=-1", "k" },
        { "name=x&kind=statistical&metric=daily_cost", "metric" },             /* no per-probe value */
        { "name=x&kind=trend&metric=p95_latency", "condition" },  /* needs a condition or a limit */
        { "name=x&kind=composite", "conditions" },
        { "name=x&kind=composite&conditions=error_rate+%3E+1&operator=XOR", "operator" },
        { "name=x&kind=forecast&metric=p95_latency&threshold=2.5&horizon=-3h", "horizon" },
        { "name=x&kind=burn_rate", "slo_target" },
        { "name=x&kind=burn_rate&slo_target=1.5", "slo_target" },
        { "name=x&kind=sideways&condition=error_rate+%3E+1", "type" },
    };
    lw_rule_errors errs;
    lw_rule *rule = NULL;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(cases); i++) {
        ck_assert_msg(validate_body(cases[i].body, &errs, &rule) == LW_EINVAL, "accepted: %s",
                      cases[i].body);
        ck_assert_msg(error_of(&errs, cases[i].field) != NULL, "%s: no error on %s (first: %s: %s)",
                      cases[i].body, cases[i].field, errs.n ? errs.v[0].field : "-",
                      errs.n ? errs.v[0].msg : "-");
    }
}
END_TEST

START_TEST(every_kind_valid)
{
    static const char *bodies[] = {
        "name=a&kind=threshold&condition=avg_latency+%3E+sla_target+*+1.5&window=15m",
        "name=b&kind=statistical&metric=p95_latency&k=3&lookback_window=7+days&minimum_samples=100",
        "name=c&kind=statistical&condition=metric+%3E+mean+%2B+3+*+std_dev&lookback_window=7d",
        "name=d&kind=trend&metric=p95_latency&threshold=0.1&window=24h",
        "name=e&kind=composite&conditions=latency+%3E+baseline+*+1.5%0Aerror_rate+%3E+0.01&operator=OR",
        "name=f&kind=forecast&metric=p95_latency&threshold=2.5&horizon=5h&lookback_window=24h",
        "name=g&kind=burn_rate&slo_target=0.999&period=30+days",
    };
    lw_rule_errors errs;
    lw_rule *rule = NULL;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(bodies); i++) {
        ck_assert_msg(validate_body(bodies[i], &errs, &rule) == LW_OK, "%s: %s: %s", bodies[i],
                      errs.n ? errs.v[0].field : "-", errs.n ? errs.v[0].msg : "-");
        lw_rule_free(rule);
    }
}
END_TEST

/* The row the form stores for a rule is the one config sync stores for
 * the same rule written in the config file. */
START_TEST(same_rule_as_the_config)
{
    static const char yaml[] =
        "monitoring:\n"
        "  models:\n"
        "    - {provider: openai, model: gpt-4, sla_target: 2.0}\n"
        "  alerts:\n"
        "    rules:\n"
        "      - name: Forecast\n"
        "        type: forecast\n"
        "        metric: p95_latency\n"
        "        threshold: 2.5\n"
        "        horizon: 5h\n"
        "        severity: info\n"
        "        models: [gpt-4]\n"
        "        cooldown: 30m\n"
        "      - name: Burn\n"
        "        type: burn_rate\n"
        "        slo_target: 0.999\n"
        "        severity: critical\n"
        "      - name: Mixed\n"
        "        type: composite\n"
        "        conditions: [\"latency > baseline * 1.5\", \"error_rate > 0.01\"]\n"
        "        operator: OR\n";
    static const char *bodies[] = {
        "name=Forecast&kind=forecast&metric=p95_latency&threshold=2.5&horizon=5h&severity=info"
        "&models=gpt-4&cooldown=30m&send_resolved=1&enabled=1",
        "name=Burn&kind=burn_rate&slo_target=0.999&severity=critical&send_resolved=1&enabled=1",
        "name=Mixed&kind=composite&conditions=latency+%3E+baseline+*+1.5%0D%0Aerror_rate+%3E+0.01"
        "&operator=OR&send_resolved=1&enabled=1",
    };
    lw_diag diags = { 0 };
    lw_config *cfg = NULL;
    lw_rule_errors errs;
    lw_rule *from_cfg, *from_form;
    lw_buf a = { 0 }, b = { 0 };
    wt_request t;
    lw_form_rule_input in;
    lw_db_rules_def row;
    size_t i;

    ck_assert_msg(lw_config_load_string("t.yaml", yaml, strlen(yaml), &cfg, &diags) == LW_OK,
                  "%s", diags.n ? diags.v[0].msg : "?");
    for (i = 0; i < cfg->n_rules; i++) {
        memset(&errs, 0, sizeof(errs));
        ck_assert_int_eq(lw_rule_from_config(&cfg->rules[i], &from_cfg, &errs), LW_OK);
        form_request(&t, bodies[i]);
        lw_form_rule_read_form(&t.r, &in);
        ck_assert_msg(lw_form_rule_validate(&in, NULL, &from_form, &errs) == LW_OK, "%s", errs.v[0].msg);
        ck_assert_int_eq(lw_form_rule_to_row(&t.r, &in, from_form, &row), LW_OK);
        lw_buf_reset(&a);
        lw_buf_reset(&b);
        lw_rule_params_json(from_cfg, &a);
        lw_rule_params_json(from_form, &b);
        ck_assert_str_eq(a.data, b.data);
        ck_assert_str_eq(row.params_json, b.data);
        ck_assert_int_eq(from_cfg->kind, from_form->kind);
        ck_assert_int_eq(from_cfg->severity, from_form->severity);
        ck_assert_int_eq(from_cfg->cooldown_s, from_form->cooldown_s);
        ck_assert_int_eq(from_cfg->for_s, from_form->for_s);
        ck_assert_int_eq(from_cfg->send_resolved, from_form->send_resolved);
        ck_assert_uint_eq(from_cfg->scope_models.n, from_form->scope_models.n);
        ck_assert_ptr_null(row.expression);      /* the kind's default, as sync stores it */
        lw_rule_free(from_cfg);
        lw_rule_free(from_form);
        wt_request_free(&t);
    }
    lw_buf_free(&a);
    lw_buf_free(&b);
    lw_config_free(cfg);
    lw_diag_free(&diags);
}
END_TEST

START_TEST(json_body)
{
    wt_request t;
    lw_form_rule_input in;
    lw_rule_errors errs = { 0 };
    lw_rule *rule = NULL;
    json_object *o;

    wt_request_init(&t, NULL, "POST", "/api/v1/rules", NULL, NULL, NULL);
    o = json_tokener_parse("{\"name\": \"Api\", \"type\": \"composite\", \"severity\": \"critical\","
                           " \"conditions\": [\"error_rate > 0.1\", \"p95_latency > 3\"],"
                           " \"operator\": \"AND\", \"window\": 600, \"send_resolved\": false,"
                           " \"models\": [\"gpt-4\"], \"runbook\": null}");
    ck_assert_int_eq(lw_form_rule_read_json(&t.r, o, &in, &errs), LW_OK);
    ck_assert_str_eq(in.f.conditions, "error_rate > 0.1\np95_latency > 3");
    ck_assert_str_eq(in.f.window, "600");
    ck_assert_str_eq(in.f.send_resolved, "false");
    ck_assert_uint_eq(in.n_models, 1);
    ck_assert_int_eq(lw_form_rule_validate(&in, NULL, &rule, &errs), LW_OK);
    ck_assert_int_eq(rule->window_s, 600);
    ck_assert_int_eq(rule->send_resolved, 0);
    lw_rule_free(rule);
    json_object_put(o);
    /* wrong types and unknown keys are field errors */
    o = json_tokener_parse("{\"name\": [1], \"enabled\": \"yes\", \"colour\": \"red\","
                           " \"models\": \"gpt-4\"}");
    memset(&errs, 0, sizeof(errs));
    ck_assert_int_eq(lw_form_rule_read_json(&t.r, o, &in, &errs), LW_EINVAL);
    ck_assert_ptr_nonnull(error_of(&errs, "name"));
    ck_assert_ptr_nonnull(error_of(&errs, "enabled"));
    ck_assert_ptr_nonnull(error_of(&errs, "body"));
    ck_assert_ptr_nonnull(error_of(&errs, "models"));
    ck_assert_str_eq(error_of(&errs, "name")->msg, "'name' must be a string or a number");
    ck_assert_str_eq(error_of(&errs, "enabled")->msg, "'enabled' must be true or false");
    ck_assert_str_eq(error_of(&errs, "body")->msg, "unknown field 'colour'");
    ck_assert_str_eq(error_of(&errs, "models")->msg, "'models' must be an array of names");
    json_object_put(o);
    /* `kind` is reported as `type`; a condition is one line */
    o = json_tokener_parse("{\"kind\": true, \"conditions\": [\"a > 1\", \"b\\n> 2\"],"
                           " \"environments\": [\"prod\", 3]}");
    memset(&errs, 0, sizeof(errs));
    ck_assert_int_eq(lw_form_rule_read_json(&t.r, o, &in, &errs), LW_EINVAL);
    ck_assert_int_eq(errs.n, 3);
    ck_assert_str_eq(error_of(&errs, "type")->msg, "'type' must be a string or a number");
    ck_assert_str_eq(error_of(&errs, "conditions")->msg,
                     "'conditions' must be an array of one-line strings");
    ck_assert_str_eq(error_of(&errs, "environments")->msg, "'environments' must be an array of names");
    json_object_put(o);
    wt_request_free(&t);
}
END_TEST

START_TEST(templates_parse)
{
    static const char *pages[] = { "rule_form", "rule_delete", "silence_form", "rules", "rule",
                                   "alerts", "alert", "silences", "channels", "audit" };
    size_t i;

    wt_templates();
    for (i = 0; i < LW_ARRAY_LEN(pages); i++)
        ck_assert_msg(lw_render_has(pages[i]), "no template %s.cs", pages[i]);
    lw_render_shutdown();
}
END_TEST

/* ---- against the database ---- */

static int
run_status(lw_db *db, const char *method, const char *path, const char *cookie,
           const char *body, char *out, size_t outsz)
{
    wt_request t;
    const char *o;
    int status;

    wt_request_init(&t, db, method, path, cookie, body, NULL);
    o = wt_run(&t);
    status = t.r.status;
    if (out != NULL)
        snprintf(out, outsz, "%s", o);
    wt_request_free(&t);
    return status;
}

static long long
count_of(lw_db *db, const char *sql, const char *param)
{
    lw_err err = { { 0 } };
    const char *p[1] = { param };
    PGresult *res = lw_db_query(db, &err, sql, param ? 1 : 0, param ? p : NULL);
    long long n;

    ck_assert_msg(res != NULL, "%s", err.msg);
    n = lw_db_int(res, 0, 0);
    PQclear(res);
    return n;
}

static char page[200000];

/* Percent-encoding for a form body (caller frees). */
static char *
url_enc(const char *s)
{
    char *out = malloc(3 * strlen(s) + 1), *o = out;

    for (; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
            *o++ = *s;
        else
            o += sprintf(o, "%%%02X", (unsigned char) *s);
    }
    *o = '\0';
    return out;
}

START_TEST(db_hostile_form_is_escaped)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], body[1200];
    lw_db *db = wt_db("db_hostile_form_is_escaped");

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "editor", cookie, csrf);
    /* the name and the condition carry markup; the condition is invalid */
    snprintf(body, sizeof(body), "csrf_token=%s&action=save&kind=threshold&name=%%3Cscript%%3E"
             "alert(1)%%3C%%2Fscript%%3E%%22%%27%%26&condition=error_rate+%%3E+%%3Cimg+src%%3Dx"
             "+onerror%%3Dalert(2)%%3E&runbook=%%3Cscript%%3Ex%%3C%%2Fscript%%3E", csrf);
    ck_assert_int_eq(run_status(db, "POST", "/rules/new", cookie, body, page, sizeof(page)), 422);
    ck_assert_ptr_null(strstr(page, "<script>alert"));
    ck_assert_ptr_null(strstr(page, "<img src=x"));
    ck_assert_ptr_null(strstr(page, "<script>x"));
    ck_assert_ptr_nonnull(strstr(page, "value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;\""));
    ck_assert_ptr_nonnull(strstr(page, "&lt;img src=x onerror=alert(2)&gt;"));
    ck_assert_ptr_nonnull(strstr(page, "id=\"condition-error\""));
    ck_assert_ptr_nonnull(strstr(page, "&lt;script&gt;x&lt;/script&gt;</textarea>"));
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_save_edit_delete)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], body[1200], name[64], id[32], version[64];
    char vcookie[160], vcsrf[LW_TOKEN_LEN + 1], path[96];
    lw_db *db = wt_db("db_save_edit_delete");
    lw_err err = { { 0 } };
    PGresult *res;
    const char *p[1];

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "editor", cookie, csrf);
    wt_user(db, "viewer", vcookie, vcsrf);
    snprintf(name, sizeof(name), "Unit %.12s", csrf);
    /* a viewer may look at the list but not at the form, nor post it */
    ck_assert_int_eq(run_status(db, "GET", "/rules", vcookie, NULL, page, sizeof(page)), 200);
    ck_assert_ptr_null(strstr(page, "href=\"/rules/new\""));
    ck_assert_int_eq(run_status(db, "GET", "/rules/new", vcookie, NULL, NULL, 0), 403);
    snprintf(body, sizeof(body), "csrf_token=%s&action=save&kind=threshold&name=x"
             "&condition=error_rate+%%3E+0.5", vcsrf);
    ck_assert_int_eq(run_status(db, "POST", "/rules/new", vcookie, body, NULL, 0), 403);
    /* an editor sees the button and creates the rule */
    ck_assert_int_eq(run_status(db, "GET", "/rules", cookie, NULL, page, sizeof(page)), 200);
    ck_assert_ptr_nonnull(strstr(page, "href=\"/rules/new\""));
    snprintf(body, sizeof(body), "csrf_token=%s&action=save&kind=threshold&name=%s"
             "&condition=error_rate+%%3E+0.5&window=10m&severity=critical&send_resolved=1"
             "&enabled=1&runbook=%%23+Look", csrf, name);
    ck_assert_int_eq(run_status(db, "POST", "/rules/new", cookie, body, page, sizeof(page)), 303);
    p[0] = name;
    res = lw_db_query(db, &err, "SELECT id, updated_at::text, source, params::text, expression,"
                      " (SELECT count(*) FROM audit_log a WHERE a.object_type = 'rule'"
                      "   AND a.object_id = r.id::text AND a.action = 'create' AND a.before IS NULL"
                      "   AND a.after->>'name' = r.name) FROM rules r WHERE name = $1", 1, p);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    snprintf(id, sizeof(id), "%s", lw_db_str(res, 0, 0));
    snprintf(version, sizeof(version), "%s", lw_db_str(res, 0, 1));
    ck_assert_str_eq(lw_db_str(res, 0, 2), "ui");
    ck_assert_str_eq(lw_db_str(res, 0, 3), "{\"window_s\": 600}");
    ck_assert_str_eq(lw_db_str(res, 0, 4), "error_rate > 0.5");
    ck_assert_int_eq(lw_db_int(res, 0, 5), 1);
    PQclear(res);
    /* the same name again: an error beside the name, what was typed kept */
    ck_assert_int_eq(run_status(db, "POST", "/rules/new", cookie, body, page, sizeof(page)), 422);
    ck_assert_ptr_nonnull(strstr(page, "id=\"name-error\""));
    ck_assert_ptr_nonnull(strstr(page, "value=\"error_rate &gt; 0.5\""));
    /* edit with the version the form was loaded from */
    snprintf(path, sizeof(path), "/rules/%s/edit", id);
    ck_assert_int_eq(run_status(db, "GET", path, cookie, NULL, page, sizeof(page)), 200);
    ck_assert_ptr_nonnull(strstr(page, "name=\"version\""));
    ck_assert_ptr_nonnull(strstr(page, "value=\"10m\""));
    {
        char *ev = url_enc(version);

        snprintf(body, sizeof(body), "csrf_token=%s&action=save&kind=threshold&name=%s"
                 "&condition=error_rate+%%3E+0.7&severity=warning&enabled=1&version=%s", csrf, name, ev);
        free(ev);
    }
    ck_assert_int_eq(run_status(db, "POST", path, cookie, body, NULL, 0), 303);
    /* the same stale version a second time: refused, nothing saved */
    ck_assert_int_eq(run_status(db, "POST", path, cookie, body, page, sizeof(page)), 422);
    ck_assert_ptr_nonnull(strstr(page, "changed or deleted by someone else"));
    p[0] = id;
    ck_assert_int_eq(count_of(db, "SELECT count(*) FROM audit_log WHERE object_type = 'rule'"
                              " AND object_id = $1 AND action = 'update'"
                              " AND before->>'expression' = 'error_rate > 0.5'"
                              " AND after->>'expression' = 'error_rate > 0.7'", id), 1);
    /* disable, then delete (soft) */
    snprintf(path, sizeof(path), "/rules/%s/disable", id);
    snprintf(body, sizeof(body), "csrf_token=%s", csrf);
    ck_assert_int_eq(run_status(db, "POST", path, vcookie, body, NULL, 0), 403);
    ck_assert_int_eq(run_status(db, "POST", path, cookie, body, NULL, 0), 303);
    ck_assert_int_eq(count_of(db, "SELECT count(*) FROM rules WHERE id = $1::int AND NOT enabled", id), 1);
    snprintf(path, sizeof(path), "/rules/%s/delete", id);
    ck_assert_int_eq(run_status(db, "GET", path, cookie, NULL, page, sizeof(page)), 200);
    ck_assert_ptr_nonnull(strstr(page, "id=\"confirm-delete\""));
    ck_assert_int_eq(run_status(db, "POST", path, cookie, "csrf_token=nope", NULL, 0), 403);
    ck_assert_int_eq(run_status(db, "POST", path, cookie, body, NULL, 0), 303);
    ck_assert_int_eq(count_of(db, "SELECT count(*) FROM rules WHERE id = $1::int"
                              " AND deleted_at IS NOT NULL", id), 1);
    snprintf(path, sizeof(path), "/rules/%s", id);
    ck_assert_int_eq(run_status(db, "GET", path, cookie, NULL, NULL, 0), 404);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_config_rules_are_read_only)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], path[64], body[200], id[32];
    lw_db *db = wt_db("db_config_rules_are_read_only");
    lw_err err = { { 0 } };
    PGresult *res;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "admin", cookie, csrf);
    res = lw_db_query(db, &err, "INSERT INTO rules (name, kind, expression, source)"
                      " VALUES ('cfg-' || md5(random()::text), 'threshold', 'error_rate > 0.5',"
                      " 'config') RETURNING id", 0, NULL);
    ck_assert_msg(res != NULL, "%s", err.msg);
    snprintf(id, sizeof(id), "%s", lw_db_str(res, 0, 0));
    PQclear(res);
    snprintf(path, sizeof(path), "/rules/%s/edit", id);
    ck_assert_int_eq(run_status(db, "GET", path, cookie, NULL, page, sizeof(page)), 403);
    ck_assert_ptr_nonnull(strstr(page, "monitoring_config.yaml"));
    snprintf(path, sizeof(path), "/rules/%s/disable", id);
    snprintf(body, sizeof(body), "csrf_token=%s", csrf);
    ck_assert_int_eq(run_status(db, "POST", path, cookie, body, NULL, 0), 403);
    ck_assert_int_eq(count_of(db, "SELECT count(*) FROM rules WHERE id = $1::int AND enabled", id), 1);
    /* its page says where it comes from and offers a copy */
    snprintf(path, sizeof(path), "/rules/%s", id);
    ck_assert_int_eq(run_status(db, "GET", path, cookie, NULL, page, sizeof(page)), 200);
    ck_assert_ptr_nonnull(strstr(page, "Defined in <code>monitoring_config.yaml</code>"));
    ck_assert_ptr_nonnull(strstr(page, "/rules/new?copy="));
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

/* POST /api/v1/rules with a session: JSON in, JSON out. */
static int
api_post(lw_db *db, const char *cookie, const char *csrf, const char *json, char *out, size_t outsz)
{
    char len[48], hdr[100];
    const char *extra[4] = { "CONTENT_TYPE=application/json", len, hdr, NULL };
    wt_request t;
    int status;

    snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(json));
    snprintf(hdr, sizeof(hdr), "HTTP_X_CSRF_TOKEN=%s", csrf);
    wt_request_init(&t, db, "POST", "/api/v1/rules", cookie, NULL, extra);
    ck_assert_int_eq(lw_req_set_body(&t.r, json, strlen(json)), LW_OK);
    snprintf(out, outsz, "%s", wt_run(&t));
    status = t.r.status;
    wt_request_free(&t);
    return status;
}

START_TEST(db_api_create)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], json[600], vcookie[160], vcsrf[LW_TOKEN_LEN + 1];
    lw_db *db = wt_db("db_api_create");
    const char *body;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "editor", cookie, csrf);
    wt_user(db, "viewer", vcookie, vcsrf);
    snprintf(json, sizeof(json), "{\"name\": \"api %.12s\", \"type\": \"trend\", \"metric\":"
             " \"p95_latency\", \"threshold\": 0.2, \"window\": \"12h\", \"severity\": \"info\"}", csrf);
    ck_assert_int_eq(api_post(db, vcookie, vcsrf, json, page, sizeof(page)), 403);
    ck_assert_int_eq(api_post(db, cookie, csrf, json, page, sizeof(page)), 201);
    body = strstr(page, "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    ck_assert_ptr_nonnull(strstr(page, "Location: /rules/"));
    ck_assert_ptr_nonnull(strstr(body, "\"source\":\"api\""));
    ck_assert_ptr_nonnull(strstr(body, "\"window_s\":43200"));
    /* the same name: 422 with the field */
    ck_assert_int_eq(api_post(db, cookie, csrf, json, page, sizeof(page)), 422);
    ck_assert_ptr_nonnull(strstr(page, "\"field\":\"name\""));
    /* a bad expression: the column comes back */
    ck_assert_int_eq(api_post(db, cookie, csrf, "{\"name\": \"bad\", \"condition\": \"error_rate >> 1\"}",
                              page, sizeof(page)), 422);
    ck_assert_ptr_nonnull(strstr(page, "\"field\":\"condition\""));
    ck_assert_ptr_nonnull(strstr(page, "\"column\":"));
    ck_assert_int_eq(api_post(db, cookie, csrf, "{not json", page, sizeof(page)), 400);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

Suite *rule_form_suite(void)
{
    Suite *s = suite_create("rule_form");
    TCase *tc = tcase_create("rule_form");
    TCase *db = tcase_create("rule_form_db");

    tcase_add_test(tc, reads_every_field);
    tcase_add_test(tc, expression_error_has_its_column);
    tcase_add_test(tc, error_marks_the_column);
    tcase_add_test(tc, missing_fields_per_kind);
    tcase_add_test(tc, every_kind_valid);
    tcase_add_test(tc, same_rule_as_the_config);
    tcase_add_test(tc, json_body);
    tcase_add_test(tc, templates_parse);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_hostile_form_is_escaped);
    tcase_add_test(db, db_save_edit_delete);
    tcase_add_test(db, db_config_rules_are_read_only);
    tcase_add_test(db, db_api_create);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, db);
    return s;
}
