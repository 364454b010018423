/* rule_input.c: where alert rules come from: a config entry, a web form
 * (or API body) and a database row, each checked by lw_rule_finish
 * (rule.c); loading the rules of the database and checking those of a
 * config. */
#include "alert/rule.h"

#include <ctype.h>
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alert/rule_impl.h"
#include "db/rules.h"
#include "schedule.h"

/* Checks r (lw_rule_finish) and hands it to *out; any problem added
 * since errs had `start` entries (such as a bad metric name, found while
 * reading) fails it too. r is freed on failure. */
static int
finish_out(lw_rule *r, lw_rule_errors *errs, int start, lw_rule **out)
{
    int rc = lw_rule_finish(r, errs);

    if (rc == LW_OK && errs && errs->n > start)
        rc = LW_EINVAL;
    if (rc != LW_OK) {
        lw_rule_free(r);
        return rc;
    }
    *out = r;
    return LW_OK;
}

/* ---- from a config entry ---- */

static lw_strlist
copy_list(lw_pool *pool, const lw_strlist *l)
{
    lw_strlist out = { NULL, 0 };
    size_t i;

    if (l == NULL || l->n == 0)
        return out;
    out.v = lw_pool_alloc(pool, l->n * sizeof(char *));
    if (out.v == NULL)
        return out;
    for (i = 0; i < l->n; i++)
        out.v[i] = lw_pool_strdup(pool, l->v[i]);
    out.n = l->n;
    return out;
}

static void
metric_from_name(lw_rule *r, const char *name, lw_rule_errors *errs)
{
    if (name == NULL || *name == '\0' || strcmp(name, "metric") == 0)
        return;
    r->metric = lw_measure_parse(name);
    if (r->metric == LW_M_NONE) {
        lw_expr *e = NULL;
        lw_expr_error ee;

        /* the expression parser knows how to suggest a close name */
        if (lw_expr_parse(name, 0, &e, &ee) == LW_OK) {
            lw_expr_free(e);
            lw_rule_add_error(errs, "metric", -1, 0, "'%s' is not a measure", name);
        } else {
            lw_rule_add_error(errs, "metric", -1, 0, "%s", ee.msg);
        }
    }
}

int
lw_rule_from_config(const lw_config_rule *cr, lw_rule **out, lw_rule_errors *errs)
{
    lw_rule *r = lw_rule_new();
    size_t i;

    *out = NULL;
    if (r == NULL)
        return LW_ENOMEM;
    r->name = lw_pool_strdup(r->pool, cr->name);
    r->kind = cr->kind;
    r->severity = cr->severity;
    r->enabled = cr->enabled;
    r->expression = lw_pool_strdup(r->pool, cr->condition);
    r->op = cr->op;
    r->cooldown_s = cr->cooldown;
    r->for_s = cr->for_s;
    if (cr->repeat_interval > 0)
        r->repeat_interval_s = cr->repeat_interval;
    r->window_s = cr->window;
    r->lookback_s = cr->lookback_window;
    r->horizon_s = cr->horizon;
    r->period_s = cr->period;
    r->minimum_samples = cr->minimum_samples;
    metric_from_name(r, cr->metric, errs);
    r->has_threshold = cr->has_threshold;
    r->threshold = cr->threshold;
    r->k = cr->has_k || cr->kind == LW_RULE_STATISTICAL ? cr->k : 0;
    r->slo_target = cr->slo_target;
    r->send_resolved = cr->send_resolved;
    r->runbook = lw_pool_strdup(r->pool, cr->runbook);
    r->scope_models = copy_list(r->pool, &cr->models);
    r->scope_environments = copy_list(r->pool, &cr->environments);
    r->n_conds = cr->conditions.n;
    r->cond_text = lw_pool_alloc(r->pool, (r->n_conds + 1) * sizeof(char *));
    for (i = 0; r->cond_text && i < r->n_conds; i++)
        r->cond_text[i] = lw_pool_strdup(r->pool, cr->conditions.v[i]);
    return finish_out(r, errs, 0, out);
}

int
lw_rules_check_config(const lw_config *cfg, lw_diag *diags)
{
    lw_rule_errors errs;
    lw_rule *r = NULL;
    size_t i;
    int j, added = 0;

    for (i = 0; cfg && i < cfg->n_rules; i++) {
        const lw_config_rule *cr = &cfg->rules[i];

        memset(&errs, 0, sizeof(errs));
        if (lw_rule_from_config(cr, &r, &errs) == LW_OK) {
            lw_rule_free(r);
            continue;
        }
        for (j = 0; j < errs.n && j < (int) LW_ARRAY_LEN(errs.v); j++) {
            lw_diag_add(diags, LW_DIAG_ERROR, cfg->path, cr->line, cr->col, "rule '%s': %s: %s",
                        cr->name ? cr->name : "?", errs.v[j].field, errs.v[j].msg);
            added++;
        }
    }
    return added;
}

/* ---- from a form ---- */

static int
blank(const char *s)
{
    return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

static const char *
trimmed(lw_pool *pool, const char *s)
{
    size_t n;

    if (blank(s))
        return NULL;
    s += strspn(s, " \t\r\n");
    n = strlen(s);
    while (n > 0 && isspace((unsigned char) s[n - 1]))
        n--;
    return lw_pool_strndup(pool, s, n);
}

static void
form_duration(const char *text, const char *field, int64_t *out, lw_rule_errors *errs)
{
    lw_err e;

    if (blank(text))
        return;
    if (lw_duration_parse(text, out, &e) != LW_OK)
        lw_rule_add_error(errs, field, -1, 0, "%s", e.msg);
}

static int
form_double(const char *text, const char *field, double *out, lw_rule_errors *errs)
{
    char *end;

    if (blank(text))
        return 0;
    *out = strtod(text, &end);
    while (*end && isspace((unsigned char) *end))
        end++;
    if (*end != '\0' || !isfinite(*out)) {
        lw_rule_add_error(errs, field, -1, 0, "'%.40s' is not a number", text);
        return 0;
    }
    return 1;
}

static int
form_bool(const char *s, int dflt)
{
    if (blank(s))
        return dflt;
    return strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0 || strcasecmp(s, "on") == 0
           || strcasecmp(s, "yes") == 0;
}

/* Splits on `sep` (and newlines), trimming, skipping empty items. */
static size_t
split(lw_pool *pool, const char *s, char sep, const char ***out)
{
    const char **v;
    size_t n = 0, cap = 1, len;
    const char *p, *q;

    *out = NULL;
    if (blank(s))
        return 0;
    for (p = s; *p; p++)
        if (*p == sep || *p == '\n')
            cap++;
    v = lw_pool_alloc(pool, cap * sizeof(char *));
    if (v == NULL)
        return 0;
    for (p = s; *p; p = *q ? q + 1 : q) {
        q = p;
        while (*q && *q != sep && *q != '\n')
            q++;
        len = (size_t) (q - p);
        while (len > 0 && isspace((unsigned char) *p)) {
            p++;
            len--;
        }
        while (len > 0 && isspace((unsigned char) p[len - 1]))
            len--;
        if (len > 0)
            v[n++] = lw_pool_strndup(pool, p, len);
    }
    *out = v;
    return n;
}

int
lw_rule_from_form(const lw_rule_form *f, lw_rule **out, lw_rule_errors *errs)
{
    lw_rule *r = lw_rule_new();
    int e, start = errs ? errs->n : 0;
    double ms = 0;

    *out = NULL;
    if (r == NULL)
        return LW_ENOMEM;
    r->name = trimmed(r->pool, f->name);
    if (!blank(f->kind)) {
        e = lw_config_rule_kind_parse(trimmed(r->pool, f->kind));
        if (e < 0)
            lw_rule_add_error(errs, "type", -1, 0, "unknown rule type '%.40s' (threshold, "
                              "statistical, trend, composite, forecast or burn_rate)", f->kind);
        else
            r->kind = (lw_rule_kind) e;
    }
    if (!blank(f->severity)) {
        e = lw_config_severity_parse(trimmed(r->pool, f->severity));
        if (e < 0)
            lw_rule_add_error(errs, "severity", -1, 0, "severity must be critical, warning or "
                              "info");
        else
            r->severity = (lw_severity) e;
    }
    r->expression = trimmed(r->pool, f->condition);
    r->n_conds = split(r->pool, f->conditions, '\n', &r->cond_text);
    if (!blank(f->op)) {
        const char *op = trimmed(r->pool, f->op);

        if (strcasecmp(op, "and") == 0)
            r->op = LW_OP_AND;
        else if (strcasecmp(op, "or") == 0)
            r->op = LW_OP_OR;
        else
            lw_rule_add_error(errs, "operator", -1, 0, "operator must be AND or OR");
    }
    form_duration(f->window, "window", &r->window_s, errs);
    form_duration(f->lookback_window, "lookback_window", &r->lookback_s, errs);
    form_duration(f->horizon, "horizon", &r->horizon_s, errs);
    form_duration(f->period, "period", &r->period_s, errs);
    form_duration(f->for_s, "for", &r->for_s, errs);
    form_duration(f->cooldown, "cooldown", &r->cooldown_s, errs);
    form_duration(f->repeat_interval, "repeat_interval", &r->repeat_interval_s, errs);
    if (form_double(f->minimum_samples, "minimum_samples", &ms, errs)) {
        if (ms < 1 || ms > 1e9 || ms != floor(ms))
            lw_rule_add_error(errs, "minimum_samples", -1, 0, "minimum_samples must be a whole "
                              "number of at least 1");
        else
            r->minimum_samples = (int64_t) ms;
    }
    metric_from_name(r, trimmed(r->pool, f->metric), errs);
    r->has_threshold = form_double(f->threshold, "threshold", &r->threshold, errs);
    if (form_double(f->k, "k", &r->k, errs) && r->k <= 0)
        lw_rule_add_error(errs, "k", -1, 0, "'k' must be more than 0");
    form_double(f->slo_target, "slo_target", &r->slo_target, errs);
    r->send_resolved = form_bool(f->send_resolved, 1);
    r->enabled = form_bool(f->enabled, 1);
    r->runbook = blank(f->runbook) ? NULL : lw_pool_strdup(r->pool, f->runbook);
    r->scope_models.n = split(r->pool, f->models, ',', &r->scope_models.v);
    r->scope_environments.n = split(r->pool, f->environments, ',', &r->scope_environments.v);
    return finish_out(r, errs, start, out);
}

/* ---- from a database row ---- */

static int64_t
jint(json_object *o, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static int
jdouble(json_object *o, const char *key, double *out)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    *out = json_object_get_double(v);
    return 1;
}

static const char *
jstr(lw_pool *pool, json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return lw_pool_strdup(pool, json_object_get_string(v));
}

static size_t
jlist(lw_pool *pool, json_object *a, const char ***out)
{
    size_t n, i, k = 0;
    const char **v;

    *out = NULL;
    if (a == NULL || !json_object_is_type(a, json_type_array))
        return 0;
    n = json_object_array_length(a);
    v = lw_pool_alloc(pool, (n + 1) * sizeof(char *));
    if (v == NULL)
        return 0;
    for (i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(a, i);

        if (s && json_object_is_type(s, json_type_string))
            v[k++] = lw_pool_strdup(pool, json_object_get_string(s));
    }
    *out = v;
    return k;
}

int
lw_rule_from_row(const PGresult *res, int row, lw_rule **out, lw_rule_errors *errs)
{
    lw_rule *r = lw_rule_new();
    json_object *params = NULL, *a, *sm = NULL, *se = NULL;
    int e, start = errs ? errs->n : 0;
    const char *s;

    *out = NULL;
    if (r == NULL)
        return LW_ENOMEM;
    r->id = lw_db_int(res, row, 0);
    r->name = lw_pool_strdup(r->pool, lw_db_str(res, row, 1));
    e = lw_config_rule_kind_parse(lw_db_str(res, row, 2));
    if (e < 0)
        lw_rule_add_error(errs, "type", -1, 0, "unknown rule type '%s'", lw_db_str(res, row, 2));
    else
        r->kind = (lw_rule_kind) e;
    r->expression = lw_pool_strdup(r->pool, lw_db_str(res, row, 3));
    params = json_tokener_parse(lw_db_str(res, row, 4) ? lw_db_str(res, row, 4) : "{}");
    if (params == NULL || !json_object_is_type(params, json_type_object)) {
        lw_rule_add_error(errs, "params", -1, 0, "the rule's parameters are not a JSON object");
    } else {
        r->window_s = jint(params, "window_s");
        r->lookback_s = jint(params, "lookback_window_s");
        r->horizon_s = jint(params, "horizon_s");
        r->period_s = jint(params, "period_s");
        r->minimum_samples = jint(params, "minimum_samples");
        metric_from_name(r, jstr(r->pool, params, "metric"), errs);
        r->has_threshold = jdouble(params, "threshold", &r->threshold);
        jdouble(params, "k", &r->k);
        jdouble(params, "slo_target", &r->slo_target);
        s = jstr(r->pool, params, "operator");
        r->op = s && strcasecmp(s, "or") == 0 ? LW_OP_OR : LW_OP_AND;
        a = NULL;
        json_object_object_get_ex(params, "conditions", &a);
        r->n_conds = jlist(r->pool, a, &r->cond_text);
    }
    e = lw_config_severity_parse(lw_db_str(res, row, 5));
    r->severity = e < 0 ? LW_SEV_WARNING : (lw_severity) e;
    r->for_s = lw_db_int(res, row, 6);
    r->cooldown_s = lw_db_int(res, row, 7);
    r->repeat_interval_s = lw_db_int(res, row, 8);
    r->send_resolved = lw_db_bool(res, row, 9);
    sm = json_tokener_parse(lw_db_str(res, row, 10) ? lw_db_str(res, row, 10) : "[]");
    se = json_tokener_parse(lw_db_str(res, row, 11) ? lw_db_str(res, row, 11) : "[]");
    r->scope_models.n = jlist(r->pool, sm, &r->scope_models.v);
    r->scope_environments.n = jlist(r->pool, se, &r->scope_environments.v);
    r->runbook = lw_pool_strdup(r->pool, lw_db_str(res, row, 12));
    r->enabled = lw_db_bool(res, row, 13);
    json_object_put(params);
    json_object_put(sm);
    json_object_put(se);
    return finish_out(r, errs, start, out);
}

/* ---- from the database ---- */

int
lw_rules_load(lw_db *db, lw_err *err, const char *name, int enabled_only, lw_rule ***out,
              size_t *n, size_t *invalid)
{
    PGresult *res;
    lw_rule **v = NULL, *r;
    lw_rule_errors errs;
    int i, rows, rc = LW_OK;

    *out = NULL;
    *n = 0;
    if (invalid)
        *invalid = 0;
    res = lw_db_rules_load(db, err, name, enabled_only);
    if (res == NULL)
        return LW_EDB;
    rows = PQntuples(res);
    v = calloc((size_t) rows + 1, sizeof(*v));
    if (v == NULL) {
        rc = LW_ENOMEM;
        goto cleanup;
    }
    for (i = 0; i < rows; i++) {
        memset(&errs, 0, sizeof(errs));
        rc = lw_rule_from_row(res, i, &r, &errs);
        if (rc == LW_ENOMEM)
            goto cleanup;
        if (rc != LW_OK) {
            lw_log(LW_LOG_WARN, "rule '%s' skipped: %s: %s", lw_db_str(res, i, 1),
                   errs.n > 0 ? errs.v[0].field : "?", errs.n > 0 ? errs.v[0].msg : "invalid");
            if (invalid)
                (*invalid)++;
            rc = LW_OK;
            continue;
        }
        v[(*n)++] = r;
    }
    *out = v;
    v = NULL;
cleanup:
    if (v != NULL) {
        lw_rules_free(v, *n);
        *n = 0;
    }
    if (rc == LW_ENOMEM)
        lw_err_set(err, "out of memory");
    PQclear(res);
    return rc;
}
