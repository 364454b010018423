/* form_rule_read.c: what was typed into the rule form or sent to POST
 * /api/v1/rules (or stored, for the edit form), read into an
 * lw_form_rule_input, validated through lib/alert/rules.c (the code the
 * config and evaluate use) and turned into the row to store. */
#include "form_rule.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schedule.h"

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

    if (name == NULL || name[0] == '\0' || *n >= LW_FORM_RULE_MAX_SCOPE)
        return;
    for (i = 0; i < *n; i++)
        if (strcmp(v[i], name) == 0)
            return;
    v[(*n)++] = name;
}

int
lw_form_rule_read_form(lw_req *r, lw_form_rule_input *in)
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

/* One value of the JSON body into in (json_keys[k] says where); NULL, or
 * what the value must be ("true or false"). b is scratch space. */
static const char *
json_value(lw_req *r, lw_form_rule_input *in, size_t k, json_object *v, lw_buf *b)
{
    const char **slot = (const char **) ((char *) &in->f + json_keys[k].off);
    int models = json_keys[k].key[0] == 'm';
    json_object *e;
    size_t j;

    switch (json_keys[k].type) {
    case JS_TEXT:
        if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array)
            || json_object_is_type(v, json_type_boolean))
            return "a string or a number";
        *slot = lw_pool_strdup(r->pool, json_object_get_string(v));
        return NULL;
    case JS_BOOL:
        if (!json_object_is_type(v, json_type_boolean))
            return "true or false";
        *slot = json_object_get_boolean(v) ? "true" : "false";
        return NULL;
    case JS_LIST:
        /* conditions: an array of strings (one per line for the form) */
        if (json_object_is_type(v, json_type_string)) {
            *slot = lw_pool_strdup(r->pool, json_object_get_string(v));
            return NULL;
        }
        if (!json_object_is_type(v, json_type_array))
            return "an array of strings";
        lw_buf_reset(b);
        for (j = 0; j < json_object_array_length(v); j++) {
            e = json_object_array_get_idx(v, j);
            if (!json_object_is_type(e, json_type_string)
                || strchr(json_object_get_string(e), '\n') != NULL)
                return "an array of one-line strings";
            if (j > 0)
                lw_buf_putc(b, '\n');
            lw_buf_puts(b, json_object_get_string(e));
        }
        *slot = lw_pool_strdup(r->pool, b->data ? b->data : "");
        return NULL;
    case JS_SCOPE:
        if (!json_object_is_type(v, json_type_array))
            return "an array of names";
        for (j = 0; j < json_object_array_length(v); j++) {
            e = json_object_array_get_idx(v, j);
            if (!json_object_is_type(e, json_type_string))
                return "an array of names";
            scope_add(models ? in->models : in->envs, models ? &in->n_models : &in->n_envs,
                      lw_pool_strdup(r->pool, json_object_get_string(e)));
        }
        return NULL;
    }
    return NULL;
}

int
lw_form_rule_read_json(lw_req *r, json_object *o, lw_form_rule_input *in, lw_rule_errors *errs)
{
    struct json_object_iterator it, end;
    const char *key, *want;
    char msg[128];
    json_object *v;
    lw_buf b = { 0 };
    size_t i;
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
        if ((want = json_value(r, in, i, v, &b)) != NULL) {
            snprintf(msg, sizeof(msg), "'%s' must be %s", key_field(key), want);
            add_error(errs, key_field(key), "%s", msg);
            bad = 1;
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
lw_form_rule_read_row(lw_req *r, const PGresult *res, int row, lw_form_rule_input *in)
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
lw_form_rule_validate(const lw_form_rule_input *in, const PGresult *choices, lw_rule **out,
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
    /* the rules table keeps these in integer columns: beyond, a field
     * error rather than a database one */
    if (rc == LW_OK && (rule->for_s > INT32_MAX || rule->cooldown_s > INT32_MAX
                        || rule->repeat_interval_s > INT32_MAX)) {
        if (rule->for_s > INT32_MAX)
            add_error(errs, "for", "%s", "'for' must be at most 68 years");
        if (rule->cooldown_s > INT32_MAX)
            add_error(errs, "cooldown", "%s", "'cooldown' must be at most 68 years");
        if (rule->repeat_interval_s > INT32_MAX)
            add_error(errs, "repeat_interval", "%s", "'repeat_interval' must be at most 68 years");
        rc = LW_EINVAL;
    }
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
lw_form_rule_to_row(lw_req *r, const lw_form_rule_input *in, const lw_rule *rule, lw_db_rules_def *row)
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
