/* rule_form.c: what the rule form and POST /api/v1/rules share: reading
 * what was typed, validating it through lib/rules.c (the same code the
 * config and evaluate use), the row to store, the form's HDF with errors
 * beside their fields, and a rule's value-vs-threshold chart. */
#include "form_rule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chart.h"
#include "response.h"
#include "schedule.h"

/* ---- reading ---- */

static int
truthy(const char *v)
{
    return v != NULL && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0
                         || strcasecmp(v, "on") == 0 || strcasecmp(v, "yes") == 0);
}

static void
scope_add(const char **v, size_t *n, const char *name)
{
    size_t i;

    if (name == NULL || name[0] == '\0' || *n >= LW_RF_MAX_SCOPE)
        return;
    for (i = 0; i < *n; i++)
        if (strcmp(v[i], name) == 0)
            return;
    v[(*n)++] = name;
}

int
lw_rf_read_form(lw_req *r, lw_rf_input *in)
{
    lw_rule_form *f = &in->f;
    size_t i;

    memset(in, 0, sizeof(*in));
    f->name = lw_req_form(r, "name");
    f->kind = lw_req_form(r, "kind");
    f->severity = lw_req_form(r, "severity");
    f->condition = lw_req_form(r, "condition");
    f->conditions = lw_req_form(r, "conditions");
    f->op = lw_req_form(r, "operator");
    f->window = lw_req_form(r, "window");
    f->lookback_window = lw_req_form(r, "lookback_window");
    f->horizon = lw_req_form(r, "horizon");
    f->period = lw_req_form(r, "period");
    f->for_s = lw_req_form(r, "for");
    f->cooldown = lw_req_form(r, "cooldown");
    f->repeat_interval = lw_req_form(r, "repeat_interval");
    f->minimum_samples = lw_req_form(r, "minimum_samples");
    f->metric = lw_req_form(r, "metric");
    f->threshold = lw_req_form(r, "threshold");
    f->k = lw_req_form(r, "k");
    f->slo_target = lw_req_form(r, "slo_target");
    f->runbook = lw_req_form(r, "runbook");
    /* a checkbox that is not ticked is not sent at all */
    f->send_resolved = truthy(lw_req_form(r, "send_resolved")) ? "true" : "false";
    f->enabled = truthy(lw_req_form(r, "enabled")) ? "true" : "false";
    for (i = 0; i < r->form.n; i++) {
        if (strcmp(r->form.items[i].name, "models") == 0)
            scope_add(in->models, &in->n_models, r->form.items[i].value);
        else if (strcmp(r->form.items[i].name, "environments") == 0)
            scope_add(in->envs, &in->n_envs, r->form.items[i].value);
    }
    in->version = lw_req_form(r, "version");
    return LW_OK;
}

static void
add_error(lw_rule_errors *errs, const char *field, const char *fmt, const char *arg)
{
    lw_rule_field_error *e;

    if (errs->n < (int) LW_ARRAY_LEN(errs->v)) {
        e = &errs->v[errs->n];
        e->field = field;
        e->index = -1;
        e->col = 0;
        snprintf(e->msg, sizeof(e->msg), fmt, arg);
    }
    errs->n++;
}

/* The JSON keys, the lw_rule_form member each fills, and the field name
 * used in errors (static). */
enum { JS_TEXT, JS_BOOL, JS_LIST, JS_SCOPE };
static const struct {
    const char *key;
    size_t      off;
    int         type;
} json_keys[] = {
    { "name",            offsetof(lw_rule_form, name),            JS_TEXT },
    { "type",            offsetof(lw_rule_form, kind),            JS_TEXT },
    { "kind",            offsetof(lw_rule_form, kind),            JS_TEXT },
    { "severity",        offsetof(lw_rule_form, severity),        JS_TEXT },
    { "condition",       offsetof(lw_rule_form, condition),       JS_TEXT },
    { "conditions",      offsetof(lw_rule_form, conditions),      JS_LIST },
    { "operator",        offsetof(lw_rule_form, op),              JS_TEXT },
    { "window",          offsetof(lw_rule_form, window),          JS_TEXT },
    { "lookback_window", offsetof(lw_rule_form, lookback_window), JS_TEXT },
    { "horizon",         offsetof(lw_rule_form, horizon),         JS_TEXT },
    { "period",          offsetof(lw_rule_form, period),          JS_TEXT },
    { "for",             offsetof(lw_rule_form, for_s),           JS_TEXT },
    { "cooldown",        offsetof(lw_rule_form, cooldown),        JS_TEXT },
    { "repeat_interval", offsetof(lw_rule_form, repeat_interval), JS_TEXT },
    { "minimum_samples", offsetof(lw_rule_form, minimum_samples), JS_TEXT },
    { "metric",          offsetof(lw_rule_form, metric),          JS_TEXT },
    { "threshold",       offsetof(lw_rule_form, threshold),       JS_TEXT },
    { "k",               offsetof(lw_rule_form, k),               JS_TEXT },
    { "slo_target",      offsetof(lw_rule_form, slo_target),      JS_TEXT },
    { "send_resolved",   offsetof(lw_rule_form, send_resolved),   JS_BOOL },
    { "enabled",         offsetof(lw_rule_form, enabled),         JS_BOOL },
    { "runbook",         offsetof(lw_rule_form, runbook),         JS_TEXT },
    { "models",          0,                                       JS_SCOPE },
    { "environments",    0,                                       JS_SCOPE },
};

/* The static name of a JSON key for error messages (the table's own). */
static const char *
key_field(const char *key)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(json_keys); i++)
        if (strcmp(json_keys[i].key, key) == 0)
            return strcmp(json_keys[i].key, "kind") == 0 ? "type" : json_keys[i].key;
    return "body";
}

int
lw_rf_read_json(lw_req *r, json_object *o, lw_rf_input *in, lw_rule_errors *errs)
{
    struct json_object_iterator it, end;
    const char *key, **slot;
    json_object *v, *e;
    lw_buf b = { 0 };
    size_t i, j;
    int bad = 0;

    memset(in, 0, sizeof(*in));
    if (!json_object_is_type(o, json_type_object)) {
        add_error(errs, "body", "%s", "The body must be a JSON object.");
        return LW_EINVAL;
    }
    it = json_object_iter_begin(o);
    end = json_object_iter_end(o);
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        key = json_object_iter_peek_name(&it);
        v = json_object_iter_peek_value(&it);
        for (i = 0; i < LW_ARRAY_LEN(json_keys); i++)
            if (strcmp(json_keys[i].key, key) == 0)
                break;
        if (i == LW_ARRAY_LEN(json_keys)) {
            add_error(errs, "body", "unknown field '%.80s'", key);
            bad = 1;
            continue;
        }
        if (v == NULL || json_object_is_type(v, json_type_null))
            continue;
        slot = (const char **) ((char *) &in->f + json_keys[i].off);
        switch (json_keys[i].type) {
        case JS_TEXT:
            if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array)
                || json_object_is_type(v, json_type_boolean)) {
                add_error(errs, key_field(key), "'%s' must be a string or a number", key_field(key));
                bad = 1;
                break;
            }
            *slot = lw_pool_strdup(r->pool, json_object_get_string(v));
            break;
        case JS_BOOL:
            if (!json_object_is_type(v, json_type_boolean)) {
                add_error(errs, key_field(key), "'%s' must be true or false", key_field(key));
                bad = 1;
                break;
            }
            *slot = json_object_get_boolean(v) ? "true" : "false";
            break;
        case JS_LIST:
            /* conditions: an array of strings (one per line for the form) */
            if (json_object_is_type(v, json_type_string)) {
                *slot = lw_pool_strdup(r->pool, json_object_get_string(v));
                break;
            }
            if (!json_object_is_type(v, json_type_array)) {
                add_error(errs, key_field(key), "'%s' must be an array of strings", key_field(key));
                bad = 1;
                break;
            }
            lw_buf_reset(&b);
            for (j = 0; j < json_object_array_length(v); j++) {
                e = json_object_array_get_idx(v, j);
                if (!json_object_is_type(e, json_type_string)
                    || strchr(json_object_get_string(e), '\n') != NULL) {
                    add_error(errs, key_field(key), "'%s' must be an array of one-line strings",
                              key_field(key));
                    bad = 1;
                    break;
                }
                if (j > 0)
                    lw_buf_putc(&b, '\n');
                lw_buf_puts(&b, json_object_get_string(e));
            }
            *slot = lw_pool_strdup(r->pool, b.data ? b.data : "");
            break;
        case JS_SCOPE:
            if (!json_object_is_type(v, json_type_array)) {
                add_error(errs, key_field(key), "'%s' must be an array of names", key_field(key));
                bad = 1;
                break;
            }
            for (j = 0; j < json_object_array_length(v); j++) {
                e = json_object_array_get_idx(v, j);
                if (!json_object_is_type(e, json_type_string)) {
                    add_error(errs, key_field(key), "'%s' must be an array of names", key_field(key));
                    bad = 1;
                    break;
                }
                if (key[0] == 'm')
                    scope_add(in->models, &in->n_models, lw_pool_strdup(r->pool, json_object_get_string(e)));
                else
                    scope_add(in->envs, &in->n_envs, lw_pool_strdup(r->pool, json_object_get_string(e)));
            }
            break;
        }
    }
    lw_buf_free(&b);
    return bad ? LW_EINVAL : LW_OK;
}

static const char *
dur_text(lw_req *r, const char *seconds)
{
    char buf[64];

    if (seconds == NULL || *seconds == '\0')
        return NULL;
    if (lw_duration_format(strtoll(seconds, NULL, 10), buf, sizeof(buf)) != LW_OK)
        return seconds;
    return lw_pool_strdup(r->pool, buf);
}

static const char *
json_text(lw_req *r, json_object *o, const char *key)
{
    json_object *v;

    if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL
        || json_object_is_type(v, json_type_null))
        return NULL;
    return lw_pool_strdup(r->pool, json_object_get_string(v));
}

static void
json_scope(lw_req *r, const char *text, const char **v, size_t *n)
{
    json_object *a = text ? json_tokener_parse(text) : NULL;
    size_t i;

    if (a != NULL && json_object_is_type(a, json_type_array))
        for (i = 0; i < json_object_array_length(a); i++)
            scope_add(v, n, lw_pool_strdup(r->pool,
                                           json_object_get_string(json_object_array_get_idx(a, i))));
    json_object_put(a);
}

int
lw_rf_read_row(lw_req *r, const PGresult *res, int row, lw_rf_input *in)
{
    lw_rule_form *f = &in->f;
    json_object *p, *conds;
    lw_buf b = { 0 };
    size_t i;

#define COL(name) lw_db_str(res, row, PQfnumber(res, name))
    memset(in, 0, sizeof(*in));
    p = json_tokener_parse(COL("params") ? COL("params") : "{}");
    f->name = COL("name");
    f->kind = COL("kind");
    f->severity = COL("severity");
    f->condition = COL("expression");
    if (p != NULL && json_object_object_get_ex(p, "conditions", &conds)
        && json_object_is_type(conds, json_type_array)) {
        for (i = 0; i < json_object_array_length(conds); i++) {
            if (i > 0)
                lw_buf_putc(&b, '\n');
            lw_buf_puts(&b, json_object_get_string(json_object_array_get_idx(conds, i)));
        }
        f->conditions = lw_pool_strdup(r->pool, b.data ? b.data : "");
    }
    f->op = json_text(r, p, "operator");
    f->window = dur_text(r, json_text(r, p, "window_s"));
    f->lookback_window = dur_text(r, json_text(r, p, "lookback_window_s"));
    f->horizon = dur_text(r, json_text(r, p, "horizon_s"));
    f->period = dur_text(r, json_text(r, p, "period_s"));
    f->minimum_samples = json_text(r, p, "minimum_samples");
    f->metric = json_text(r, p, "metric");
    f->threshold = json_text(r, p, "threshold");
    f->k = json_text(r, p, "k");
    f->slo_target = json_text(r, p, "slo_target");
    f->for_s = dur_text(r, COL("for_s"));
    f->cooldown = dur_text(r, COL("cooldown_s"));
    f->repeat_interval = dur_text(r, COL("repeat_interval_s"));
    f->send_resolved = lw_streq(COL("send_resolved"), "t") ? "true" : "false";
    f->enabled = lw_streq(COL("enabled"), "t") ? "true" : "false";
    f->runbook = COL("runbook");
    json_scope(r, COL("scope_models_json"), in->models, &in->n_models);
    json_scope(r, COL("scope_environments_json"), in->envs, &in->n_envs);
    in->version = COL("version");
#undef COL
    json_object_put(p);
    lw_buf_free(&b);
    return LW_OK;
}

/* ---- validating ---- */

static int
chosen(const PGresult *choices, const char *kind, const char *name)
{
    int i;

    for (i = 0; i < PQntuples(choices); i++)
        if (lw_streq(lw_db_str(choices, i, 0), kind) && lw_streq(lw_db_str(choices, i, 1), name))
            return 1;
    return 0;
}

static int
scope_list(lw_pool *pool, const char *const *names, size_t n, lw_strlist *out)
{
    const char **v = lw_pool_alloc(pool, (n + 1) * sizeof(*v));
    size_t i;

    if (v == NULL)
        return LW_ENOMEM;
    for (i = 0; i < n; i++)
        if ((v[i] = lw_pool_strdup(pool, names[i])) == NULL)
            return LW_ENOMEM;
    out->v = v;
    out->n = n;
    return LW_OK;
}

int
lw_rf_validate(const lw_rf_input *in, const PGresult *choices, lw_rule **out,
               lw_rule_errors *errs)
{
    lw_rule_form f = in->f;
    lw_rule *rule = NULL;
    size_t i;
    int rc, scope_bad = 0;

    *out = NULL;
    /* the scope is checked here, against the database, and set as a list
     * (a name may contain a comma) */
    f.models = NULL;
    f.environments = NULL;
    if (choices != NULL) {
        for (i = 0; i < in->n_models; i++)
            if (!chosen(choices, "model", in->models[i])) {
                add_error(errs, "models", "there is no model named '%.80s'", in->models[i]);
                scope_bad = 1;
                break;
            }
        for (i = 0; i < in->n_envs; i++)
            if (!chosen(choices, "environment", in->envs[i])) {
                add_error(errs, "environments", "there is no environment named '%.80s'", in->envs[i]);
                scope_bad = 1;
                break;
            }
    }
    rc = lw_rule_from_form(&f, &rule, errs);
    if (rc == LW_ENOMEM)
        return rc;
    if (rc != LW_OK || scope_bad) {
        if (rule != NULL)
            lw_rule_free(rule);
        return LW_EINVAL;
    }
    if (scope_list(rule->pool, in->models, in->n_models, &rule->scope_models) != LW_OK
        || scope_list(rule->pool, in->envs, in->n_envs, &rule->scope_environments) != LW_OK) {
        lw_rule_free(rule);
        return LW_ENOMEM;
    }
    *out = rule;
    return LW_OK;
}

static int
blank(const char *s)
{
    if (s == NULL)
        return 1;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

int
lw_rf_to_row(lw_req *r, const lw_rf_input *in, const lw_rule *rule, lw_db_rules_def *row)
{
    lw_buf params = { 0 };

    memset(row, 0, sizeof(*row));
    if (lw_rule_params_json(rule, &params) != LW_OK) {
        lw_buf_free(&params);
        return LW_ENOMEM;
    }
    row->params_json = lw_pool_strdup(r->pool, params.data ? params.data : "{}");
    lw_buf_free(&params);
    /* copies: the row outlives the rule (it is freed right after saving) */
    row->name = lw_pool_strdup(r->pool, rule->name);
    row->kind = lw_config_rule_kind_name(rule->kind);
    /* as config sync stores it: the condition as written, NULL when the
     * kind's default applies (the default is a property of the code) */
    row->expression = (rule->kind == LW_RULE_COMPOSITE || rule->kind == LW_RULE_BURN_RATE
                       || blank(in->f.condition)) ? NULL : lw_pool_strdup(r->pool, rule->expression);
    row->severity = lw_config_severity_name(rule->severity);
    row->for_s = lw_pool_printf(r->pool, "%lld", (long long) rule->for_s);
    row->cooldown_s = lw_pool_printf(r->pool, "%lld", (long long) rule->cooldown_s);
    row->repeat_interval_s = rule->repeat_interval_s > 0
        ? lw_pool_printf(r->pool, "%lld", (long long) rule->repeat_interval_s) : NULL;
    row->send_resolved = rule->send_resolved ? "true" : "false";
    row->enabled = rule->enabled ? "true" : "false";
    row->scope_models = lw_db_text_array_pool(r->pool, (const char *const *) rule->scope_models.v, rule->scope_models.n);
    row->scope_environments = lw_db_text_array_pool(r->pool, (const char *const *) rule->scope_environments.v, rule->scope_environments.n);
    row->runbook = blank(rule->runbook) ? NULL : lw_pool_strdup(r->pool, rule->runbook);
    row->source = "ui";
    if (row->params_json == NULL || row->name == NULL || row->for_s == NULL || row->cooldown_s == NULL
        || row->scope_models == NULL || row->scope_environments == NULL)
        return LW_ENOMEM;
    return LW_OK;
}

/* ---- the HDF ---- */

int
lw_rf_hdf(lw_req *r, const lw_rf_input *in, const PGresult *choices)
{
    const lw_rule_form *f = &in->f;
    static const struct { const char *hdf; size_t off; } fields[] = {
        { "Form.name", offsetof(lw_rule_form, name) },
        { "Form.severity", offsetof(lw_rule_form, severity) },
        { "Form.condition", offsetof(lw_rule_form, condition) },
        { "Form.conditions", offsetof(lw_rule_form, conditions) },
        { "Form.operator", offsetof(lw_rule_form, op) },
        { "Form.window", offsetof(lw_rule_form, window) },
        { "Form.lookback_window", offsetof(lw_rule_form, lookback_window) },
        { "Form.horizon", offsetof(lw_rule_form, horizon) },
        { "Form.period", offsetof(lw_rule_form, period) },
        { "Form.for_s", offsetof(lw_rule_form, for_s) },
        { "Form.cooldown", offsetof(lw_rule_form, cooldown) },
        { "Form.repeat_interval", offsetof(lw_rule_form, repeat_interval) },
        { "Form.minimum_samples", offsetof(lw_rule_form, minimum_samples) },
        { "Form.metric", offsetof(lw_rule_form, metric) },
        { "Form.threshold", offsetof(lw_rule_form, threshold) },
        { "Form.k", offsetof(lw_rule_form, k) },
        { "Form.slo_target", offsetof(lw_rule_form, slo_target) },
        { "Form.runbook", offsetof(lw_rule_form, runbook) },
    };
    char name[96];
    const char *v, *kind;
    size_t i, j;
    int row, nm = 0, ne = 0, rc = LW_OK, m;

    kind = f->kind && lw_config_rule_kind_parse(f->kind) >= 0 ? f->kind : "threshold";
    lw_hdf_set(&r->page, "Form.kind", kind);
    for (i = 0; i < LW_ARRAY_LEN(fields); i++) {
        v = *(const char *const *) ((const char *) f + fields[i].off);
        lw_hdf_set(&r->page, fields[i].hdf, v);
    }
    /* new forms default to ticked boxes, as the config does */
    lw_hdf_set_int(&r->page, "Form.send_resolved", f->send_resolved ? truthy(f->send_resolved) : 1);
    lw_hdf_set_int(&r->page, "Form.enabled", f->enabled ? truthy(f->enabled) : 1);
    lw_hdf_set(&r->page, "Form.version", in->version);
    for (i = 0; i < in->n_models; i++) {
        snprintf(name, sizeof(name), "Form.models.%zu", i);
        lw_hdf_set(&r->page, name, in->models[i]);
    }
    for (i = 0; i < in->n_envs; i++) {
        snprintf(name, sizeof(name), "Form.environments.%zu", i);
        lw_hdf_set(&r->page, name, in->envs[i]);
    }
    for (row = 0; choices != NULL && row < PQntuples(choices); row++) {
        const char *k = lw_db_str(choices, row, 0), *n = lw_db_str(choices, row, 1);
        int sel = 0;

        if (lw_streq(k, "model")) {
            for (j = 0; j < in->n_models; j++)
                sel |= strcmp(in->models[j], n) == 0;
            snprintf(name, sizeof(name), "Choices.models.%d", nm++);
        } else {
            for (j = 0; j < in->n_envs; j++)
                sel |= strcmp(in->envs[j], n) == 0;
            snprintf(name, sizeof(name), "Choices.environments.%d", ne++);
        }
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.name", name), n);
        lw_hdf_set_int(&r->page, lw_pool_printf(r->pool, "%s.selected", name), sel);
    }
    for (m = 0; m < LW_M_COUNT; m++) {
        snprintf(name, sizeof(name), "Choices.metrics.%d.name", m);
        lw_hdf_set(&r->page, name, lw_measure_name((lw_measure) m));
        snprintf(name, sizeof(name), "Choices.metrics.%d.per_probe", m);
        lw_hdf_set_int(&r->page, name, lw_measure_per_probe((lw_measure) m));
    }
    return rc == LW_OK ? LW_OK : LW_ENOMEM;
}

/* The form's name of an error field (HDF names are code: only these). */
static const char *
hdf_field(const char *field)
{
    static const char *const known[] = {
        "name", "severity", "condition", "conditions", "operator", "window",
        "lookback_window", "horizon", "period", "minimum_samples", "metric", "threshold",
        "k", "slo_target", "cooldown", "repeat_interval", "models", "environments",
        "runbook", "send_resolved", "enabled",
    };
    size_t i;

    if (field == NULL)
        return NULL;
    if (strcmp(field, "type") == 0 || strcmp(field, "kind") == 0)
        return "kind";
    if (strcmp(field, "for") == 0)
        return "for_s";
    for (i = 0; i < LW_ARRAY_LEN(known); i++)
        if (strcmp(field, known[i]) == 0)
            return known[i];
    return NULL;
}

/* Line `index` (0-based) of text, pool copy; NULL when there is none. */
static const char *
nth_line(lw_req *r, const char *text, int index)
{
    const char *s = text, *e;
    int i;

    if (text == NULL || index < 0)
        return NULL;
    for (i = 0; i < index; i++) {
        s = strchr(s, '\n');
        if (s == NULL)
            return NULL;
        s++;
    }
    e = s + strcspn(s, "\r\n");
    return lw_pool_strndup(r->pool, s, (size_t) (e - s));
}

static int
is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Before/at/after the 1-based byte column col of text, and a caret line
 * with as many spaces as characters before it. */
static int
mark(lw_req *r, const char *field, const char *text, int col)
{
    size_t len = strlen(text), at = (size_t) (col - 1), n, i, chars = 0;
    lw_buf caret = { 0 };
    int rc = LW_OK;

    if (col < 1)
        return LW_OK;
    if (at > len)
        at = len;
    /* the whole UTF-8 character at the column, or the whole word (an
     * unknown measure is marked from its first to its last letter) */
    n = at < len ? 1 : 0;
    while (at + n < len && ((unsigned char) text[at + n] & 0xC0) == 0x80)
        n++;
    if (n == 1 && is_word(text[at]))
        while (at + n < len && (is_word(text[at + n]) || text[at + n] == '.'))
            n++;
    for (i = 0; i < at; i++)
        if (((unsigned char) text[i] & 0xC0) != 0x80)
            chars++;
    for (i = 0; i < chars; i++)
        lw_buf_putc(&caret, ' ');
    lw_buf_putc(&caret, '^');
    for (i = 1; i < n && is_word(text[at]); i++)
        lw_buf_putc(&caret, '~');
    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.before", field),
                     lw_pool_strndup(r->pool, text, at));
    /* past the end: the mark stands on an empty place */
    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.at", field),
                     n ? lw_pool_strndup(r->pool, text + at, n) : " ");
    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.after", field), text + at + n);
    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.caret", field), caret.data);
    lw_hdf_set_int(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.col", field), col);
    lw_buf_free(&caret);
    return rc == LW_OK ? LW_OK : LW_ENOMEM;
}

int
lw_rf_hdf_errors(lw_req *r, const lw_rf_input *in, const lw_rule_errors *errs)
{
    char name[96];
    const char *field, *text, *msg;
    int i, n = errs->n < (int) LW_ARRAY_LEN(errs->v) ? errs->n : (int) LW_ARRAY_LEN(errs->v);
    int rc = LW_OK, general = 0;

    lw_hdf_set_int(&r->page, "Errors.count", errs->n);
    for (i = 0; i < n; i++) {
        const lw_rule_field_error *e = &errs->v[i];

        field = hdf_field(e->field);
        msg = e->msg;
        /* "Line 2: ..." unless the message already names the condition */
        if (field != NULL && strcmp(field, "conditions") == 0 && e->index >= 0
            && strncmp(e->msg, "condition ", 10) != 0)
            msg = lw_pool_printf(r->pool, "Line %d: %s", e->index + 1, e->msg);
        if (field == NULL) {
            snprintf(name, sizeof(name), "Errors.general.%d", general++);
            lw_hdf_set(&r->page, name, msg);
            continue;
        }
        snprintf(name, sizeof(name), "Errors.%s", field);
        if (hdf_get_value(r->page.hdf, name, NULL) != NULL)
            continue;       /* the first problem of a field is shown */
        lw_hdf_set(&r->page, name, msg);
        if (e->col > 0 && (strcmp(field, "condition") == 0 || strcmp(field, "conditions") == 0)) {
            text = strcmp(field, "condition") == 0 ? in->f.condition
                                                   : nth_line(r, in->f.conditions, e->index);
            if (text != NULL)
                rc |= mark(r, field, text, e->col);
            if (strcmp(field, "conditions") == 0)
                lw_hdf_set_int(&r->page, "Errors.conditions_line", e->index + 1);
        }
    }
    return rc == LW_OK ? LW_OK : LW_ENOMEM;
}

json_object *
lw_rf_errors_json(const lw_rule_errors *errs)
{
    json_object *a = json_object_new_array(), *e;
    int i, n = errs->n < (int) LW_ARRAY_LEN(errs->v) ? errs->n : (int) LW_ARRAY_LEN(errs->v);

    for (i = 0; i < n; i++) {
        e = json_object_new_object();
        json_object_object_add(e, "field", json_object_new_string(errs->v[i].field ? errs->v[i].field : "body"));
        if (errs->v[i].index >= 0)
            json_object_object_add(e, "index", json_object_new_int(errs->v[i].index));
        if (errs->v[i].col > 0)
            json_object_object_add(e, "column", json_object_new_int(errs->v[i].col));
        json_object_object_add(e, "message", json_object_new_string(errs->v[i].msg));
        json_object_array_add(a, e);
    }
    return a;
}

/* ---- the chart ---- */

#define MAX_SERIES 6

/* Values for people: fractions as %, times in seconds. */
static double
scale_of(lw_measure m, const char **unit)
{
    switch (m) {
    case LW_M_ERROR_RATE:
    case LW_M_SUCCESS_RATE:
        *unit = "%";
        return 100;
    case LW_M_AVG_LATENCY: case LW_M_P50_LATENCY: case LW_M_P95_LATENCY:
    case LW_M_P99_LATENCY: case LW_M_TTFT: case LW_M_P95_TTFT:
        *unit = " s";
        return 1;
    default:
        *unit = NULL;
        return 1;
    }
}

int
lw_rf_chart(lw_db *db, const lw_rule *rule, time_t from, time_t to, int64_t step,
            long long model_id, long long environment_id, const char *title,
            lw_buf *svg, size_t *n_points, lw_err *err)
{
    struct pair { long long m, e; const char *name; double *t, *v, *th; size_t n, known; } pairs[MAX_SERIES];
    lw_chart_series series[2 * MAX_SERIES];
    lw_rule_samples s = { 0 };
    lw_rule_decision d;
    lw_chart_opts o = { 0 };
    time_t *at = NULL;
    size_t n_at, i, j, np = 0, ns = 0, cap;
    double ref = NAN, scale = 1;
    const char *unit = NULL;
    int same_ref = 1, unit_set = 0, rc = LW_OK;
    lw_pool *pool = lw_pool_create();

    *n_points = 0;
    if (pool == NULL)
        return LW_ENOMEM;
    if (step < 60)
        step = 60;
    n_at = (size_t) ((to - from) / step) + 1;
    if (n_at > 500) {
        step = (to - from) / 499;
        n_at = 500;
    }
    at = lw_pool_alloc(pool, n_at * sizeof(*at));
    if (at == NULL) {
        rc = LW_ENOMEM;
        goto done;
    }
    for (i = 0; i < n_at; i++)
        at[i] = from + (time_t) i * step;
    rc = lw_rule_fetch(db, err, rule, at, n_at, &s);
    if (rc != LW_OK)
        goto done;
    cap = n_at;
    for (i = 0; i < s.n; i++) {
        const lw_rule_sample *x = &s.v[i];
        struct pair *p = NULL;

        if (model_id > 0 && (x->model_id != model_id
                             || (environment_id > 0 && x->environment_id != environment_id)))
            continue;
        for (j = 0; j < np; j++)
            if (pairs[j].m == x->model_id && pairs[j].e == x->environment_id)
                p = &pairs[j];
        if (p == NULL) {
            if (np == MAX_SERIES)
                continue;
            p = &pairs[np++];
            p->m = x->model_id;
            p->e = x->environment_id;
            p->name = lw_pool_printf(pool, "%s (%s)", x->model ? x->model : "?",
                                     x->environment ? x->environment : "?");
            p->t = lw_pool_alloc(pool, cap * sizeof(double));
            p->v = lw_pool_alloc(pool, cap * sizeof(double));
            p->th = lw_pool_alloc(pool, cap * sizeof(double));
            p->n = p->known = 0;
            if (p->t == NULL || p->v == NULL || p->th == NULL) {
                rc = LW_ENOMEM;
                goto done;
            }
        }
        if (p->n == cap)
            continue;
        lw_rule_decide(rule, x, NULL, &d);
        if (!unit_set && d.state != LW_DECIDE_NODATA) {
            scale = scale_of(d.unit, &unit);
            unit_set = 1;
        }
        p->t[p->n] = (double) x->at;
        p->v[p->n] = d.value;
        p->th[p->n] = d.threshold;
        if (isfinite(d.value)) {
            (*n_points)++;
            p->known++;
        }
        if (isfinite(d.threshold) && isfinite(d.value)) {
            if (isnan(ref))
                ref = d.threshold;
            else if (fabs(ref - d.threshold) > 1e-9 * fmax(1, fabs(ref)))
                same_ref = 0;
        }
        p->n++;
    }
    /* models without any data in the range are left out of the picture */
    for (i = j = 0; j < np; j++)
        if (pairs[j].known > 0)
            pairs[i++] = pairs[j];
    np = i;
    for (j = 0; j < np; j++) {
        for (i = 0; i < pairs[j].n; i++) {
            pairs[j].v[i] *= scale;
            pairs[j].th[i] *= scale;
        }
        series[ns].name = pairs[j].name;
        series[ns].t = pairs[j].t;
        series[ns].v = pairs[j].v;
        series[ns++].n = pairs[j].n;
    }
    /* one limit for all: a reference line; limits per model (sla_target
     * * 1.5...): a line each */
    if (!same_ref) {
        for (j = 0; j < np; j++) {
            series[ns].name = lw_pool_printf(pool, "limit, %s", pairs[j].name);
            series[ns].t = pairs[j].t;
            series[ns].v = pairs[j].th;
            series[ns++].n = pairs[j].n;
        }
    }
    o.width = 1100;
    o.height = 280;
    o.title = title;
    o.unit = unit;
    if (same_ref && isfinite(ref)) {
        o.has_ref = 1;
        o.ref = ref * scale;
        o.ref_label = "limit";
    }
    rc = lw_chart_line(svg, &o, series, ns);
done:
    lw_rule_samples_free(&s);
    lw_pool_destroy(pool);
    return rc;
}
