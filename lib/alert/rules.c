/* rules.c: alert rules: building and validating them (config, database row,
 * web form), the window statistics behind a decision (one PostgreSQL query
 * for every model in scope and many evaluation times), the decision of each
 * rule kind, the forecast and burn-rate math, the state machine and the
 * backtest. Semantics and defaults are described in rules.h. */
#include "alert/rules.h"

#include <ctype.h>
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/measures.h"
#include "db/rules.h"
#include "schedule.h"

#define MAX_NAME      200
#define MAX_WINDOW    (31 * 86400)
#define MAX_LOOKBACK  (366 * 86400)
#define FETCH_CHUNK   500
#define FORECAST_STEPS 240

/* ---- errors ---- */

static void add_err(lw_rule_errors *e, const char *field, int index, int col,
                    const char *fmt, ...) LW_PRINTF(5, 6);

static void
add_err(lw_rule_errors *e, const char *field, int index, int col, const char *fmt, ...)
{
    lw_rule_field_error *f;
    va_list ap;

    if (e == NULL)
        return;
    if (e->n < (int) LW_ARRAY_LEN(e->v)) {
        f = &e->v[e->n];
        f->field = field;
        f->index = index;
        f->col = col;
        va_start(ap, fmt);
        vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
        va_end(ap);
    }
    e->n++;
}

const char *
lw_rule_error_for(const lw_rule_errors *errs, const char *field)
{
    int i;

    for (i = 0; errs && i < errs->n && i < (int) LW_ARRAY_LEN(errs->v); i++)
        if (strcmp(errs->v[i].field, field) == 0)
            return errs->v[i].msg;
    return NULL;
}

/* ---- the rule object ---- */

void
lw_rule_free(lw_rule *r)
{
    size_t i;

    if (r == NULL)
        return;
    lw_expr_free(r->expr);
    for (i = 0; i < r->n_conds; i++)
        lw_expr_free(r->conds ? r->conds[i] : NULL);
    lw_pool_destroy(r->pool);
}

static lw_rule *
rule_new(void)
{
    lw_pool *pool = lw_pool_create();
    lw_rule *r;

    if (pool == NULL)
        return NULL;
    r = lw_pool_alloc(pool, sizeof(*r));
    if (r == NULL) {
        lw_pool_destroy(pool);
        return NULL;
    }
    r->pool = pool;
    r->kind = LW_RULE_THRESHOLD;
    r->severity = LW_SEV_WARNING;
    r->enabled = 1;
    r->send_resolved = 1;
    r->cooldown_s = 3600;
    r->repeat_interval_s = 14400;
    r->metric = LW_M_NONE;
    r->op = LW_OP_AND;
    return r;
}

static int
parse_expr_into(lw_rule *r, const char *text, unsigned flags, const char *field, int index,
                lw_expr **out, lw_rule_errors *errs)
{
    lw_expr_error ee;
    int rc = lw_expr_parse(text, flags | LW_EXPR_CONDITION, out, &ee);

    if (rc == LW_EINVAL)
        add_err(errs, field, index, ee.col, "%s", ee.msg);
    (void) r;
    return rc;
}

static const char *
fmt_num(lw_pool *pool, double v)
{
    return lw_pool_printf(pool, "%.10g", v);
}

/* Defaults and checks per kind; r holds what was given (0/NULL = unset). */
static int
finish(lw_rule *r, lw_rule_errors *errs)
{
    const unsigned cond_flags[LW_RULE_KIND_COUNT] = {
        [LW_RULE_THRESHOLD] = 0,
        [LW_RULE_STATISTICAL] = LW_EXPR_ALLOW_METRIC | LW_EXPR_ALLOW_STATS,
        [LW_RULE_TREND] = LW_EXPR_ALLOW_METRIC | LW_EXPR_ALLOW_SLOPE,
        [LW_RULE_COMPOSITE] = 0,
        [LW_RULE_FORECAST] = LW_EXPR_ALLOW_METRIC,
        [LW_RULE_BURN_RATE] = 0,
    };
    int start = errs ? errs->n : 0, rc;
    const char *text = r->expression;
    lw_measure first;
    size_t i;

    if (r->name == NULL || r->name[0] == '\0')
        add_err(errs, "name", -1, 0, "a rule needs a name");
    else if (strlen(r->name) > MAX_NAME)
        add_err(errs, "name", -1, 0, "the name is longer than %d characters", MAX_NAME);
    if (r->for_s < 0)
        add_err(errs, "for", -1, 0, "'for' cannot be negative");
    if (r->cooldown_s < 0)
        add_err(errs, "cooldown", -1, 0, "'cooldown' cannot be negative");
    if (r->repeat_interval_s < 0)
        add_err(errs, "repeat_interval", -1, 0, "'repeat_interval' cannot be negative");
    if (r->window_s < 0 || r->window_s > MAX_WINDOW)
        add_err(errs, "window", -1, 0, "'window' must be between 1 second and 31 days");
    if (r->lookback_s < 0 || r->lookback_s > MAX_LOOKBACK)
        add_err(errs, "lookback_window", -1, 0,
                "'lookback_window' must be between 1 second and 366 days");
    if (r->minimum_samples < 0)
        add_err(errs, "minimum_samples", -1, 0, "'minimum_samples' cannot be negative");
    if (text != NULL && text[strspn(text, " \t\r\n")] == '\0')
        text = NULL;

    switch (r->kind) {
    case LW_RULE_THRESHOLD:
        if (text == NULL)
            add_err(errs, "condition", -1, 0, "a threshold rule needs a condition, e.g. "
                    "avg_latency > sla_target * 1.5");
        else
            parse_expr_into(r, text, cond_flags[r->kind], "condition", -1, &r->expr, errs);
        if (r->window_s == 0)
            r->window_s = LW_RULE_DEFAULT_WINDOW;
        break;

    case LW_RULE_STATISTICAL:
        if (r->k == 0)
            r->k = LW_RULE_DEFAULT_K;
        else if (r->k < 0)
            add_err(errs, "k", -1, 0, "'k' must be more than 0");
        if (text == NULL)
            text = r->expression = lw_pool_printf(r->pool, "metric > mean + %s * std_dev",
                                                  fmt_num(r->pool, r->k));
        if (parse_expr_into(r, text, cond_flags[r->kind], "condition", -1, &r->expr, errs)
            == LW_OK && r->metric == LW_M_NONE) {
            first = lw_expr_first_measure(r->expr);
            r->metric = first != LW_M_NONE ? first : LW_M_AVG_LATENCY;
        }
        if (r->metric != LW_M_NONE && !lw_measure_per_probe(r->metric))
            add_err(errs, "metric", -1, 0, "%s has no value per request, so it has no mean "
                    "and standard deviation; use a per-request measure such as avg_latency",
                    lw_measure_name(r->metric));
        if (r->window_s == 0)
            r->window_s = LW_RULE_DEFAULT_WINDOW;
        if (r->lookback_s == 0)
            r->lookback_s = LW_RULE_DEFAULT_LOOKBACK;
        if (r->minimum_samples == 0)
            r->minimum_samples = LW_RULE_DEFAULT_STAT_SAMPLES;
        break;

    case LW_RULE_TREND:
        if (text == NULL && !r->has_threshold)
            add_err(errs, "condition", -1, 0, "a trend rule needs a condition (e.g. "
                    "linear_regression_slope > 0.1) or a threshold");
        if (text == NULL && r->has_threshold)
            text = r->expression = lw_pool_printf(r->pool, "linear_regression_slope > %s",
                                                  fmt_num(r->pool, r->threshold));
        if (text != NULL
            && parse_expr_into(r, text, cond_flags[r->kind], "condition", -1, &r->expr, errs)
               == LW_OK && r->metric == LW_M_NONE) {
            first = lw_expr_first_measure(r->expr);
            r->metric = first != LW_M_NONE ? first : LW_M_AVG_LATENCY;
        }
        if (r->expr != NULL && !(lw_expr_var_kinds(r->expr) & (1u << LW_VAR_SLOPE)))
            add_err(errs, "condition", -1, 1, "a trend rule's condition must use "
                    "linear_regression_slope");
        if (r->window_s == 0)
            r->window_s = LW_RULE_DEFAULT_TREND_WINDOW;
        if (r->minimum_samples == 0)
            r->minimum_samples = LW_RULE_DEFAULT_REGR_SAMPLES;
        break;

    case LW_RULE_FORECAST:
        if (r->horizon_s <= 0)
            add_err(errs, "horizon", -1, 0, "a forecast rule needs a horizon (how far ahead "
                    "to look, e.g. 6h)");
        else if (r->horizon_s > MAX_WINDOW)
            add_err(errs, "horizon", -1, 0, "'horizon' must be at most 31 days");
        if (text == NULL) {
            if (r->metric == LW_M_NONE)
                add_err(errs, "metric", -1, 0, "a forecast rule needs a metric and a threshold, "
                        "or a condition such as p95_latency > sla_target");
            else if (!r->has_threshold)
                add_err(errs, "threshold", -1, 0, "a forecast rule needs a threshold (the "
                        "limit the forecast must not cross)");
            else
                text = r->expression = lw_pool_printf(
                    r->pool, "metric %s %s", lw_measure_lower_is_worse(r->metric) ? "<" : ">",
                    fmt_num(r->pool, r->threshold));
        }
        if (text != NULL
            && parse_expr_into(r, text, cond_flags[r->kind], "condition", -1, &r->expr, errs)
               == LW_OK && r->metric == LW_M_NONE) {
            first = lw_expr_first_measure(r->expr);
            if (first == LW_M_NONE)
                add_err(errs, "condition", -1, 1, "the condition has no measure to forecast");
            r->metric = first;
        }
        if (r->lookback_s == 0)
            r->lookback_s = LW_RULE_DEFAULT_HISTORY;
        if (r->minimum_samples == 0)
            r->minimum_samples = LW_RULE_DEFAULT_REGR_SAMPLES;
        break;

    case LW_RULE_COMPOSITE:
        if (r->n_conds == 0)
            add_err(errs, "conditions", -1, 0, "a composite rule needs at least one condition");
        r->conds = lw_pool_alloc(r->pool, (r->n_conds + 1) * sizeof(lw_expr *));
        if (r->conds == NULL)
            return LW_ENOMEM;
        for (i = 0; i < r->n_conds; i++) {
            rc = parse_expr_into(r, r->cond_text[i], 0, "conditions", (int) i, &r->conds[i],
                                 errs);
            if (rc == LW_EINVAL && errs && errs->n > 0 && errs->n <= (int) LW_ARRAY_LEN(errs->v)) {
                lw_rule_field_error *fe = &errs->v[errs->n - 1];
                char tmp[sizeof(fe->msg)];

                snprintf(tmp, sizeof(tmp), "condition %zu: %s", i + 1, fe->msg);
                memcpy(fe->msg, tmp, sizeof(tmp));
            }
        }
        r->expression = NULL;
        if (r->window_s == 0)
            r->window_s = LW_RULE_DEFAULT_WINDOW;
        break;

    case LW_RULE_BURN_RATE:
        if (r->slo_target <= 0 || r->slo_target >= 1)
            add_err(errs, "slo_target", -1, 0, "a burn_rate rule needs slo_target between 0 "
                    "and 1 (e.g. 0.999)");
        if (r->metric != LW_M_NONE && r->metric != LW_M_ERROR_RATE)
            add_err(errs, "metric", -1, 0, "burn_rate rules measure the error ratio: metric "
                    "must be error_rate");
        r->metric = LW_M_ERROR_RATE;
        if (r->period_s == 0)
            r->period_s = LW_RULE_DEFAULT_PERIOD;
        else if (r->period_s < 86400)
            add_err(errs, "period", -1, 0, "the SLO period must be at least a day");
        r->expression = NULL;
        break;

    default:
        add_err(errs, "type", -1, 0, "unknown rule type");
        break;
    }
    if (errs && errs->n > start)
        return LW_EINVAL;
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
            add_err(errs, "metric", -1, 0, "'%s' is not a measure", name);
        } else {
            add_err(errs, "metric", -1, 0, "%s", ee.msg);
        }
    }
}

int
lw_rule_from_config(const lw_config_rule *cr, lw_rule **out, lw_rule_errors *errs)
{
    lw_rule *r = rule_new();
    int rc;
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
    rc = finish(r, errs);
    if (rc == LW_OK && errs && errs->n > 0)
        rc = LW_EINVAL;        /* a bad metric name */
    if (rc != LW_OK) {
        lw_rule_free(r);
        return rc;
    }
    *out = r;
    return LW_OK;
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
        add_err(errs, field, -1, 0, "%s", e.msg);
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
        add_err(errs, field, -1, 0, "'%.40s' is not a number", text);
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
    lw_rule *r = rule_new();
    int e, rc, start = errs ? errs->n : 0;
    double ms = 0;

    *out = NULL;
    if (r == NULL)
        return LW_ENOMEM;
    r->name = trimmed(r->pool, f->name);
    if (!blank(f->kind)) {
        e = lw_config_rule_kind_parse(trimmed(r->pool, f->kind));
        if (e < 0)
            add_err(errs, "type", -1, 0, "unknown rule type '%.40s' (threshold, statistical, "
                    "trend, composite, forecast or burn_rate)", f->kind);
        else
            r->kind = (lw_rule_kind) e;
    }
    if (!blank(f->severity)) {
        e = lw_config_severity_parse(trimmed(r->pool, f->severity));
        if (e < 0)
            add_err(errs, "severity", -1, 0, "severity must be critical, warning or info");
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
            add_err(errs, "operator", -1, 0, "operator must be AND or OR");
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
            add_err(errs, "minimum_samples", -1, 0, "minimum_samples must be a whole number "
                    "of at least 1");
        else
            r->minimum_samples = (int64_t) ms;
    }
    metric_from_name(r, trimmed(r->pool, f->metric), errs);
    r->has_threshold = form_double(f->threshold, "threshold", &r->threshold, errs);
    if (form_double(f->k, "k", &r->k, errs) && r->k <= 0)
        add_err(errs, "k", -1, 0, "'k' must be more than 0");
    form_double(f->slo_target, "slo_target", &r->slo_target, errs);
    r->send_resolved = form_bool(f->send_resolved, 1);
    r->enabled = form_bool(f->enabled, 1);
    r->runbook = blank(f->runbook) ? NULL : lw_pool_strdup(r->pool, f->runbook);
    r->scope_models.n = split(r->pool, f->models, ',', &r->scope_models.v);
    r->scope_environments.n = split(r->pool, f->environments, ',', &r->scope_environments.v);
    rc = finish(r, errs);
    if (rc == LW_OK && errs && errs->n > start)
        rc = LW_EINVAL;
    if (rc != LW_OK) {
        lw_rule_free(r);
        return rc;
    }
    *out = r;
    return LW_OK;
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
    lw_rule *r = rule_new();
    json_object *params = NULL, *a, *sm = NULL, *se = NULL;
    int e, rc, start = errs ? errs->n : 0;
    const char *s;

    *out = NULL;
    if (r == NULL)
        return LW_ENOMEM;
    r->id = lw_db_int(res, row, 0);
    r->name = lw_pool_strdup(r->pool, lw_db_str(res, row, 1));
    e = lw_config_rule_kind_parse(lw_db_str(res, row, 2));
    if (e < 0)
        add_err(errs, "type", -1, 0, "unknown rule type '%s'", lw_db_str(res, row, 2));
    else
        r->kind = (lw_rule_kind) e;
    r->expression = lw_pool_strdup(r->pool, lw_db_str(res, row, 3));
    params = json_tokener_parse(lw_db_str(res, row, 4) ? lw_db_str(res, row, 4) : "{}");
    if (params == NULL || !json_object_is_type(params, json_type_object)) {
        add_err(errs, "params", -1, 0, "the rule's parameters are not a JSON object");
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
    rc = finish(r, errs);
    if (rc == LW_OK && errs && errs->n > start)
        rc = LW_EINVAL;
    if (rc != LW_OK) {
        lw_rule_free(r);
        return rc;
    }
    *out = r;
    return LW_OK;
}

int
lw_rule_params_json(const lw_rule *r, lw_buf *out)
{
    json_object *o = json_object_new_object(), *a;
    size_t i;
    int rc;

    if (o == NULL)
        return LW_ENOMEM;
    if (r->kind == LW_RULE_COMPOSITE) {
        a = json_object_new_array();
        for (i = 0; i < r->n_conds; i++)
            json_object_array_add(a, json_object_new_string(r->cond_text[i]));
        json_object_object_add(o, "conditions", a);
        json_object_object_add(o, "operator", json_object_new_string(r->op == LW_OP_OR ? "OR"
                                                                                        : "AND"));
    }
    if (r->window_s)
        json_object_object_add(o, "window_s", json_object_new_int64(r->window_s));
    if (r->lookback_s && (r->kind == LW_RULE_STATISTICAL || r->kind == LW_RULE_FORECAST))
        json_object_object_add(o, "lookback_window_s", json_object_new_int64(r->lookback_s));
    if (r->horizon_s && r->kind == LW_RULE_FORECAST)
        json_object_object_add(o, "horizon_s", json_object_new_int64(r->horizon_s));
    if (r->period_s && r->kind == LW_RULE_BURN_RATE)
        json_object_object_add(o, "period_s", json_object_new_int64(r->period_s));
    if (r->minimum_samples)
        json_object_object_add(o, "minimum_samples", json_object_new_int64(r->minimum_samples));
    if (r->metric >= 0 && r->kind != LW_RULE_THRESHOLD && r->kind != LW_RULE_COMPOSITE)
        json_object_object_add(o, "metric", json_object_new_string(lw_measure_name(r->metric)));
    if (r->has_threshold)
        json_object_object_add(o, "threshold", json_object_new_double(r->threshold));
    if (r->kind == LW_RULE_STATISTICAL)
        json_object_object_add(o, "k", json_object_new_double(r->k));
    if (r->kind == LW_RULE_BURN_RATE)
        json_object_object_add(o, "slo_target", json_object_new_double(r->slo_target));
    rc = lw_buf_puts(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return rc;
}

int
lw_rules_load(lw_db *db, const char *name, int enabled_only, lw_rule ***out, size_t *n,
              size_t *invalid, lw_err *err)
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

void
lw_rules_free(lw_rule **v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++)
        lw_rule_free(v[i]);
    free(v);
}

/* ---- statistics ---- */

/* Rule measures that need daily cost: any use of daily_cost. */
static int
uses_daily_cost(const lw_rule *r)
{
    uint32_t bit = UINT32_C(1) << LW_M_DAILY_COST;
    size_t i;

    if (r->metric == LW_M_DAILY_COST || (r->expr && (lw_expr_measures(r->expr) & bit)))
        return 1;
    for (i = 0; i < r->n_conds; i++)
        if (r->conds[i] && (lw_expr_measures(r->conds[i]) & bit))
            return 1;
    return 0;
}

/* Window measures: for threshold-like kinds, or conditions naming any. */
static int
needs_window(const lw_rule *r)
{
    if (r->kind == LW_RULE_THRESHOLD || r->kind == LW_RULE_COMPOSITE
        || r->kind == LW_RULE_STATISTICAL)
        return 1;
    return r->expr != NULL && lw_expr_measures(r->expr) != 0;
}

/* The regression window and bucket of a trend or forecast rule. */
static void
regr_window(const lw_rule *r, int64_t *window, int64_t *bucket)
{
    *window = 0;
    *bucket = 60;
    if (r->kind == LW_RULE_TREND)
        *window = r->window_s;
    else if (r->kind == LW_RULE_FORECAST)
        *window = r->lookback_s;
    if (*window > 0) {
        *bucket = *window / 48;
        if (*bucket < 60)
            *bucket = 60;
        if (*bucket > 3600)
            *bucket = 3600;
    }
}

static char *
json_names(lw_pool *pool, const lw_strlist *l)
{
    json_object *a = json_object_new_array();
    char *s;
    size_t i;

    for (i = 0; i < l->n; i++)
        json_object_array_add(a, json_object_new_string(l->v[i]));
    s = lw_pool_strdup(pool, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
    json_object_put(a);
    return s;
}

static double
num(const PGresult *res, int row, int col)
{
    return lw_db_isnull(res, row, col) ? NAN : lw_db_double(res, row, col);
}

/* Appends the rows of lw_db_measures_fetch, in the column order of
 * measures.h. */
static int
append_rows(lw_rule_samples *out, const PGresult *res)
{
    int rows = PQntuples(res), i, j, c;
    lw_rule_sample *nv, *s;

    if (rows == 0)
        return LW_OK;
    nv = realloc(out->v, (out->n + (size_t) rows) * sizeof(*nv));
    if (nv == NULL)
        return LW_ENOMEM;
    out->v = nv;
    for (i = 0; i < rows; i++) {
        s = &out->v[out->n++];
        memset(s, 0, sizeof(*s));
        s->at = (time_t) lw_db_int(res, i, 0);
        s->model_id = lw_db_int(res, i, 1);
        s->environment_id = lw_db_int(res, i, 2);
        s->model = lw_pool_strdup(out->pool, lw_db_str(res, i, 3));
        s->environment = lw_pool_strdup(out->pool, lw_db_str(res, i, 4));
        s->sla_target = num(res, i, 5);
        c = LW_DB_MEASURES_FIRST;
        for (j = 0; j < LW_M_COUNT; j++)
            s->m[j] = num(res, i, c++);
        for (j = 0; j < LW_M_COUNT; j++)
            s->baseline[j] = num(res, i, c++);
        s->mean = num(res, i, c++);
        s->std_dev = num(res, i, c++);
        s->lookback_n = lw_db_int(res, i, c++);
        s->regr_n = lw_db_int(res, i, c++);
        s->regr_samples = lw_db_int(res, i, c++);
        s->slope = num(res, i, c++);
        s->intercept = num(res, i, c++);
        s->avgx = num(res, i, c++);
        s->sxx = num(res, i, c++);
        s->syy = num(res, i, c++);
        s->sxy = num(res, i, c++);
        for (j = 0; j < 5; j++) {
            s->br_count[j] = lw_db_int(res, i, c++);
            s->br_errors[j] = lw_db_int(res, i, c++);
        }
    }
    return LW_OK;
}

int
lw_rule_fetch(lw_db *db, const lw_rule *r, const time_t *at, size_t n_at,
              lw_rule_samples *out, lw_err *err)
{
    lw_db_measures_spec q;
    PGresult *res;
    int64_t rwin, bucket;
    size_t i, n;
    int rc = LW_OK;

    if (out->pool == NULL && (out->pool = lw_pool_create()) == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    regr_window(r, &rwin, &bucket);
    memset(&q, 0, sizeof(q));
    q.models_json = json_names(out->pool, &r->scope_models);
    q.environments_json = json_names(out->pool, &r->scope_environments);
    q.window_s = r->window_s > 0 ? r->window_s : LW_RULE_DEFAULT_WINDOW;
    q.window_measures = needs_window(r);
    q.daily_cost = uses_daily_cost(r);
    q.lookback_s = r->kind == LW_RULE_STATISTICAL ? r->lookback_s : 0;
    q.metric = r->metric >= 0 ? lw_measure_name(r->metric) : "avg_latency";
    q.regr_window_s = rwin;
    q.regr_bucket_s = bucket;
    q.burn = r->kind == LW_RULE_BURN_RATE;
    if (lw_db_measures_jit(db, err, 0) != LW_OK)
        return LW_EDB;
    for (i = 0; i < n_at && rc == LW_OK; i += n) {
        n = n_at - i < FETCH_CHUNK ? n_at - i : FETCH_CHUNK;
        res = lw_db_measures_fetch(db, err, &q, at + i, n);
        if (res == NULL) {
            rc = LW_EDB;
            break;
        }
        rc = append_rows(out, res);
        PQclear(res);
        if (rc != LW_OK)
            lw_err_set(err, "out of memory");
    }
    if (rc != LW_EDB)
        lw_db_measures_jit(db, err, 1);
    return rc;
}

void
lw_rule_samples_free(lw_rule_samples *s)
{
    if (s == NULL)
        return;
    free(s->v);
    lw_pool_destroy(s->pool);
    memset(s, 0, sizeof(*s));
}

/* ---- the math ---- */

const int64_t lw_burn_window_s[5] = { 300, 1800, 3600, 21600, 259200 };

const lw_burn_window lw_burn_windows[3] = {
    { 3600, 300, 0.02, "page", 2, 0 },
    { 21600, 1800, 0.05, "page", 3, 1 },
    { 259200, 21600, 0.10, "ticket", 4, 3 },
};

double
lw_burn_rate(long long errors, long long count, double slo_target)
{
    if (count <= 0 || slo_target >= 1.0)
        return NAN;
    return ((double) errors / (double) count) / (1.0 - slo_target);
}

double
lw_burn_threshold(const lw_burn_window *w, int64_t period_s)
{
    return w->budget_fraction * (double) period_s / (double) w->long_s;
}

/* Continued fraction of the regularised incomplete beta (Lentz). */
static double
betacf(double a, double b, double x)
{
    const double eps = 1e-14, fpmin = 1e-300;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0, c = 1.0, d, h, aa, del;
    int m, m2;

    d = 1.0 - qab * x / qap;
    if (fabs(d) < fpmin)
        d = fpmin;
    d = 1.0 / d;
    h = d;
    for (m = 1; m <= 300; m++) {
        m2 = 2 * m;
        aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < fpmin)
            d = fpmin;
        c = 1.0 + aa / c;
        if (fabs(c) < fpmin)
            c = fpmin;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < fpmin)
            d = fpmin;
        c = 1.0 + aa / c;
        if (fabs(c) < fpmin)
            c = fpmin;
        d = 1.0 / d;
        del = d * c;
        h *= del;
        if (fabs(del - 1.0) < eps)
            break;
    }
    return h;
}

static double
ibeta(double a, double b, double x)
{
    double bt;

    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1.0 - x));
    if (x < (a + 1.0) / (a + b + 2.0))
        return bt * betacf(a, b, x) / a;
    return 1.0 - bt * betacf(b, a, 1.0 - x) / b;
}

/* P(|T| <= t) for Student's t with df degrees of freedom */
static double
t_central(double t, double df)
{
    return 1.0 - ibeta(df / 2.0, 0.5, df / (df + t * t));
}

double
lw_t_quantile(double confidence, long long df)
{
    double lo = 0.0, hi = 1.0;
    int i;

    if (df < 1 || confidence <= 0.0 || confidence >= 1.0)
        return NAN;
    while (t_central(hi, (double) df) < confidence && hi < 1e7)
        hi *= 2.0;
    for (i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2.0;

        if (t_central(mid, (double) df) < confidence)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2.0;
}

int
lw_forecast_linear(long long n, double slope, double intercept, double avgx, double sxx,
                   double syy, double sxy, double horizon_h, double confidence,
                   double limit, int upward, lw_forecast *out)
{
    double s2, se, t, tc, dx;

    memset(out, 0, sizeof(*out));
    out->hours_until = NAN;
    if (n < 3 || !(sxx > 0) || !isfinite(slope) || !isfinite(intercept))
        return LW_EINVAL;
    out->now = intercept;
    out->at_horizon = intercept + slope * horizon_h;
    s2 = (syy - slope * sxy) / (double) (n - 2);
    if (!(s2 > 0))
        s2 = 0;
    dx = horizon_h - avgx;
    se = sqrt(s2 * (1.0 + 1.0 / (double) n + dx * dx / sxx));
    t = lw_t_quantile(confidence, n - 2);
    out->lo = out->at_horizon - t * se;
    out->hi = out->at_horizon + t * se;
    if (upward ? out->now > limit : out->now < limit) {
        out->hours_until = 0;
    } else if (slope != 0.0) {
        tc = (limit - intercept) / slope;
        if (tc >= 0 && tc <= horizon_h && (upward ? slope > 0 : slope < 0))
            out->hours_until = tc;
    }
    return LW_OK;
}

/* ---- decisions ---- */

typedef struct {
    const lw_rule        *r;
    const lw_rule_sample *s;
    int                   project;     /* forecast: metric replaced by proj */
    double                proj;
} lookup_ctx;

static int
have(double v, double *out)
{
    *out = v;
    return isfinite(v) ? 1 : 0;
}

static int
lookup(void *ud, const lw_expr_var *var, double *out)
{
    lookup_ctx *c = ud;
    const lw_rule_sample *s = c->s;
    lw_measure m;

    switch (var->kind) {
    case LW_VAR_MEASURE:
        if (c->project && var->measure == c->r->metric)
            return have(c->proj, out);
        return have(s->m[var->measure], out);
    case LW_VAR_METRIC:
        if (c->r->metric < 0)
            return 0;
        if (c->project)
            return have(c->proj, out);
        return have(s->m[c->r->metric], out);
    case LW_VAR_BASELINE:
        m = var->measure == LW_M_RULE_METRIC ? c->r->metric : var->measure;
        if (m < 0)
            return 0;
        return have(s->baseline[m], out);
    case LW_VAR_SLA_TARGET:
        return have(s->sla_target, out);
    case LW_VAR_MEAN:
        return have(s->mean, out);
    case LW_VAR_STDDEV:
        return have(s->std_dev, out);
    case LW_VAR_SLOPE:
        return have(s->slope, out);
    }
    return 0;
}

static lw_measure
unit_of(const lw_rule *r, lw_measure m)
{
    return m == LW_M_RULE_METRIC ? r->metric : m;
}

static void
set_from_result(const lw_rule *r, const lw_expr_result *res, lw_rule_decision *d)
{
    d->state = !res->known ? LW_DECIDE_NODATA : res->truth ? LW_DECIDE_FIRING : LW_DECIDE_OK;
    if (res->has_cmp) {
        d->value = res->lhs;
        d->threshold = res->rhs;
        d->unit = unit_of(r, res->lhs_measure);
    }
}

static void
summary_cmp(const lw_expr_result *res, lw_rule_decision *d, const char *suffix)
{
    char a[48], b[48];

    if (d->state == LW_DECIDE_NODATA) {
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    lw_measure_format(d->unit, d->value, a, sizeof(a));
    lw_measure_format(d->unit, d->threshold, b, sizeof(b));
    if (!res->has_cmp)
        snprintf(d->summary, sizeof(d->summary), "condition %s", d->state ? "holds" : "clear");
    else if (d->state == LW_DECIDE_FIRING)
        snprintf(d->summary, sizeof(d->summary), "value %s%s %s %s%s", a, suffix,
                 lw_expr_cmp_name(res->cmp), b, suffix);
    else
        snprintf(d->summary, sizeof(d->summary), "value %s%s (fires %s %s%s)", a, suffix,
                 lw_expr_cmp_name(res->cmp), b, suffix);
}

static void
decide_threshold(const lw_rule *r, const lw_rule_sample *s, const lw_rule_tuning *tune,
                 lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 0, 0 };
    lw_expr_result res;

    lw_expr_eval_scaled(r->expr, lookup, &c, tune ? tune->rhs_scale : 1.0, &res);
    set_from_result(r, &res, d);
    summary_cmp(&res, d, "");
}

static void
decide_statistical(const lw_rule *r, const lw_rule_sample *s, const lw_rule_tuning *tune,
                   lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 0, 0 };
    lw_expr_result res;
    char a[48], b[48], mu[48], sd[48];
    double z;
    int below;

    if (s->lookback_n < r->minimum_samples || s->lookback_n < 2) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data (%lld of %lld samples in the lookback)",
                 s->lookback_n, (long long) r->minimum_samples);
        return;
    }
    lw_expr_eval(r->expr, lookup, &c, &res);
    set_from_result(r, &res, d);
    if (tune != NULL && tune->has_k) {
        /* what-if: the same comparison with the reference at mean +- k sd */
        below = res.has_cmp && (res.cmp == LW_CMP_LT || res.cmp == LW_CMP_LE);
        if (!isfinite(d->value) || !isfinite(s->mean) || !(s->std_dev > 0)) {
            d->state = LW_DECIDE_NODATA;
        } else {
            z = (d->value - s->mean) / s->std_dev;
            d->threshold = s->mean + (below ? -tune->k : tune->k) * s->std_dev;
            d->state = (below ? -z : z) > tune->k ? LW_DECIDE_FIRING : LW_DECIDE_OK;
        }
    }
    if (d->state == LW_DECIDE_NODATA) {
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    lw_measure_format(d->unit, d->value, a, sizeof(a));
    lw_measure_format(d->unit, d->threshold, b, sizeof(b));
    lw_measure_format(r->metric, s->mean, mu, sizeof(mu));
    lw_measure_format(r->metric, s->std_dev, sd, sizeof(sd));
    snprintf(d->summary, sizeof(d->summary), "value %s %s %s (mean %s, std_dev %s over %lld "
             "samples)", a, d->state == LW_DECIDE_FIRING ? lw_expr_cmp_name(res.cmp) : "within",
             b, mu, sd, s->lookback_n);
}

static void
decide_trend(const lw_rule *r, const lw_rule_sample *s, lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 0, 0 };
    lw_expr_result res;
    char a[48], b[48], w[32];

    if (s->regr_n < 3 || s->regr_samples < r->minimum_samples) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data (%lld samples in %lld buckets)",
                 s->regr_samples, s->regr_n);
        return;
    }
    lw_expr_eval(r->expr, lookup, &c, &res);
    set_from_result(r, &res, d);
    if (res.has_cmp && res.lhs_measure == LW_M_NONE)
        d->unit = r->metric;     /* the slope has the metric's unit, per hour */
    if (d->state == LW_DECIDE_NODATA) {
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    lw_measure_format(d->unit, d->value, a, sizeof(a));
    lw_measure_format(d->unit, d->threshold, b, sizeof(b));
    lw_duration_format(r->window_s, w, sizeof(w));
    snprintf(d->summary, sizeof(d->summary), "%s slope %s/h %s %s/h over %s",
             lw_measure_name(r->metric), a,
             d->state == LW_DECIDE_FIRING ? lw_expr_cmp_name(res.cmp) : "vs", b, w);
}

static void
decide_forecast(const lw_rule *r, const lw_rule_sample *s, lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 1, 0 };
    lw_expr_result res, first;
    lw_forecast fc;
    double h = (double) r->horizon_s / 3600.0, t;
    char lim[48], lo[48], hi[48], hz[32];
    int i, upward, uses_sla, known = 0;

    if (s->regr_n < 3 || s->regr_samples < r->minimum_samples || !isfinite(s->slope)) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data (%lld samples in %lld buckets)",
                 s->regr_samples, s->regr_n);
        return;
    }
    d->state = LW_DECIDE_OK;
    memset(&first, 0, sizeof(first));
    for (i = 0; i <= FORECAST_STEPS; i++) {
        t = h * i / FORECAST_STEPS;
        c.proj = s->intercept + s->slope * t;
        lw_expr_eval(r->expr, lookup, &c, &res);
        if (i == 0)
            first = res;
        if (!res.known)
            continue;
        known = 1;
        if (res.truth) {
            d->state = LW_DECIDE_FIRING;
            d->hours_until = t;
            first = res;
            break;
        }
    }
    if (!known) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    d->unit = r->metric;
    d->threshold = first.rhs;
    d->value = s->intercept + s->slope * h;
    upward = !(first.has_cmp && (first.cmp == LW_CMP_LT || first.cmp == LW_CMP_LE));
    lw_forecast_linear(s->regr_n, s->slope, s->intercept, s->avgx, s->sxx, s->syy, s->sxy, h,
                       LW_RULE_FORECAST_CONFIDENCE, d->threshold, upward, &fc);
    lw_measure_format(d->unit, d->threshold, lim, sizeof(lim));
    /* every measure is non-negative: the interval is clipped at 0 */
    lw_measure_format(d->unit, fc.lo < 0 ? 0 : fc.lo, lo, sizeof(lo));
    lw_measure_format(d->unit, fc.hi, hi, sizeof(hi));
    lw_duration_format(r->horizon_s, hz, sizeof(hz));
    uses_sla = (lw_expr_var_kinds(r->expr) & (1u << LW_VAR_SLA_TARGET)) != 0;
    if (d->state == LW_DECIDE_FIRING)
        snprintf(d->summary, sizeof(d->summary), "%s likely to %s %s%s%s in %.1f hours "
                 "(95%% interval at +%s: %s .. %s)", lw_measure_name(r->metric),
                 upward ? "exceed" : "fall below", uses_sla ? "SLA (" : "", lim,
                 uses_sla ? ")" : "", d->hours_until, hz, lo, hi);
    else
        snprintf(d->summary, sizeof(d->summary), "%s forecast within %s over the next %s "
                 "(95%% interval at +%s: %s .. %s)", lw_measure_name(r->metric), lim, hz, hz,
                 lo, hi);
}

static void
decide_composite(const lw_rule *r, const lw_rule_sample *s, const lw_rule_tuning *tune,
                 lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 0, 0 };
    lw_expr_result res, shown;
    size_t i, holds = 0, known = 0, pick = 0;
    int any_unknown = 0;
    char a[48], b[48];

    memset(&shown, 0, sizeof(shown));
    for (i = 0; i < r->n_conds; i++) {
        lw_expr_eval_scaled(r->conds[i], lookup, &c, tune ? tune->rhs_scale : 1.0, &res);
        if (i == 0)
            shown = res;
        if (!res.known) {
            any_unknown = 1;
            continue;
        }
        known++;
        if (res.truth) {
            if (holds == 0) {
                shown = res;
                pick = i;
            }
            holds++;
        }
    }
    if (r->op == LW_OP_OR)
        d->state = holds > 0 ? LW_DECIDE_FIRING : any_unknown ? LW_DECIDE_NODATA : LW_DECIDE_OK;
    else
        d->state = known < r->n_conds ? (known > holds ? LW_DECIDE_OK : LW_DECIDE_NODATA)
                   : holds == r->n_conds ? LW_DECIDE_FIRING : LW_DECIDE_OK;
    if (shown.has_cmp) {
        d->value = shown.lhs;
        d->threshold = shown.rhs;
        d->unit = unit_of(r, shown.lhs_measure);
    }
    if (d->state == LW_DECIDE_NODATA) {
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    lw_measure_format(d->unit, d->value, a, sizeof(a));
    lw_measure_format(d->unit, d->threshold, b, sizeof(b));
    if (d->state == LW_DECIDE_FIRING)
        snprintf(d->summary, sizeof(d->summary), "%s: value %s %s %s (%zu of %zu conditions "
                 "hold, %s)", r->cond_text[pick], a, lw_expr_cmp_name(shown.cmp), b, holds,
                 r->n_conds, r->op == LW_OP_OR ? "OR" : "AND");
    else
        snprintf(d->summary, sizeof(d->summary), "%zu of %zu conditions hold (%s)", holds,
                 r->n_conds, r->op == LW_OP_OR ? "OR" : "AND");
}

static void
decide_burn(const lw_rule *r, const lw_rule_sample *s, lw_rule_decision *d)
{
    double lr, sr, th;
    int i, fired = -1, known = 0;
    char lw[16], sw[16];
    double best_l = NAN, best_s = NAN, best_t = NAN;

    for (i = 0; i < 3; i++) {
        const lw_burn_window *w = &lw_burn_windows[i];

        lr = lw_burn_rate(s->br_errors[w->long_idx], s->br_count[w->long_idx], r->slo_target);
        sr = lw_burn_rate(s->br_errors[w->short_idx], s->br_count[w->short_idx], r->slo_target);
        th = lw_burn_threshold(w, r->period_s);
        if (isnan(lr) || isnan(sr))
            continue;
        known = 1;
        if (i == 0 || isnan(best_l)) {
            best_l = lr;
            best_s = sr;
            best_t = th;
        }
        if (lr >= th && sr >= th) {
            fired = i;
            best_l = lr;
            best_s = sr;
            best_t = th;
            break;
        }
    }
    d->unit = LW_M_NONE;
    if (!known) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    d->value = best_l;
    d->threshold = best_t;
    if (fired < 0) {
        d->state = LW_DECIDE_OK;
        snprintf(d->summary, sizeof(d->summary), "burn rate %.2fx (1h), within budget of SLO "
                 "%.4g%%", best_l, r->slo_target * 100.0);
        return;
    }
    d->state = LW_DECIDE_FIRING;
    if (strcmp(lw_burn_windows[fired].action, "ticket") == 0 && d->severity == LW_SEV_CRITICAL)
        d->severity = LW_SEV_WARNING;
    lw_duration_format(lw_burn_windows[fired].long_s, lw, sizeof(lw));
    lw_duration_format(lw_burn_windows[fired].short_s, sw, sizeof(sw));
    snprintf(d->summary, sizeof(d->summary), "error budget burning %.1fx over %s and %.1fx over "
             "%s >= %.4gx (%s; SLO %.4g%%)", best_l, lw, best_s, sw, best_t,
             lw_burn_windows[fired].action, r->slo_target * 100.0);
}

void
lw_rule_decide(const lw_rule *r, const lw_rule_sample *s, const lw_rule_tuning *tune,
               lw_rule_decision *d)
{
    memset(d, 0, sizeof(*d));
    d->state = LW_DECIDE_NODATA;
    d->value = d->threshold = d->hours_until = NAN;
    d->unit = LW_M_NONE;
    d->severity = r->severity;
    switch (r->kind) {
    case LW_RULE_THRESHOLD:   decide_threshold(r, s, tune, d); break;
    case LW_RULE_STATISTICAL: decide_statistical(r, s, tune, d); break;
    case LW_RULE_TREND:       decide_trend(r, s, d); break;
    case LW_RULE_COMPOSITE:   decide_composite(r, s, tune, d); break;
    case LW_RULE_FORECAST:    decide_forecast(r, s, d); break;
    case LW_RULE_BURN_RATE:   decide_burn(r, s, d); break;
    default:
        snprintf(d->summary, sizeof(d->summary), "unknown rule type");
        break;
    }
}

/* ---- state ---- */

const char *
lw_alert_state_name(lw_alert_state s)
{
    switch (s) {
    case LW_ALERT_PENDING: return "pending";
    case LW_ALERT_FIRING:  return "firing";
    default:               return "ok";
    }
}

lw_transition
lw_alert_step(const lw_rule *r, lw_alert_track *t, lw_decide_state d, time_t now)
{
    int firing = d == LW_DECIDE_FIRING;

    switch (t->state) {
    case LW_ALERT_OK:
        if (!firing)
            return LW_TR_NONE;
        t->started_at = now;
        if (r->for_s > 0) {
            t->state = LW_ALERT_PENDING;
            return LW_TR_PENDING;
        }
        t->state = LW_ALERT_FIRING;
        t->fired_at = now;
        return LW_TR_FIRING;
    case LW_ALERT_PENDING:
        if (!firing) {
            t->state = LW_ALERT_OK;
            return LW_TR_CLEARED;
        }
        if (now - t->started_at >= r->for_s) {
            t->state = LW_ALERT_FIRING;
            t->fired_at = now;
            return LW_TR_FIRING;
        }
        return LW_TR_NONE;
    case LW_ALERT_FIRING:
        if (firing)
            return LW_TR_NONE;
        t->state = LW_ALERT_OK;
        return LW_TR_RESOLVED;
    }
    return LW_TR_NONE;
}

/* ---- backtest ---- */

typedef struct {
    long long      model_id, environment_id;
    lw_alert_track t;
    long           open;        /* index of the open firing in out->v, -1 */
} series;

int
lw_rules_backtest_samples(const lw_rule *rule, const lw_rule_samples *s,
                          const lw_rule_tuning *tune, lw_backtest *out)
{
    series *sv = NULL, *x;
    size_t ns = 0, i, j, cap = 0, cap_f = 0;
    time_t last_at = (time_t) -1;
    lw_rule_decision d;
    lw_transition tr;
    lw_backtest_firing *f;
    int rc = LW_OK;

    memset(out, 0, sizeof(*out));
    out->pool = lw_pool_create();
    if (out->pool == NULL)
        return LW_ENOMEM;
    for (i = 0; i < s->n; i++) {
        const lw_rule_sample *smp = &s->v[i];

        if (smp->at != last_at) {
            out->evaluations++;
            last_at = smp->at;
        }
        x = NULL;
        for (j = 0; j < ns; j++)
            if (sv[j].model_id == smp->model_id && sv[j].environment_id == smp->environment_id)
                x = &sv[j];
        if (x == NULL) {
            if (ns == cap) {
                size_t nc = cap ? cap * 2 : 8;
                series *nv = realloc(sv, nc * sizeof(*nv));

                if (nv == NULL) {
                    rc = LW_ENOMEM;
                    goto cleanup;
                }
                sv = nv;
                cap = nc;
            }
            x = &sv[ns++];
            memset(x, 0, sizeof(*x));
            x->model_id = smp->model_id;
            x->environment_id = smp->environment_id;
            x->open = -1;
        }
        lw_rule_decide(rule, smp, tune, &d);
        out->samples++;
        if (d.state == LW_DECIDE_NODATA)
            out->nodata++;
        tr = lw_alert_step(rule, &x->t, d.state, smp->at);
        if (tr == LW_TR_FIRING) {
            if (out->n == cap_f) {
                size_t nc = cap_f ? cap_f * 2 : 16;
                lw_backtest_firing *nv = realloc(out->v, nc * sizeof(*nv));

                if (nv == NULL) {
                    rc = LW_ENOMEM;
                    goto cleanup;
                }
                out->v = nv;
                cap_f = nc;
            }
            f = &out->v[out->n];
            memset(f, 0, sizeof(*f));
            f->model_id = smp->model_id;
            f->environment_id = smp->environment_id;
            f->model = lw_pool_strdup(out->pool, smp->model);
            f->environment = lw_pool_strdup(out->pool, smp->environment);
            f->fired_at = smp->at;
            f->value = d.value;
            f->threshold = d.threshold;
            f->unit = d.unit;
            lw_strlcpy(f->summary, d.summary, sizeof(f->summary));
            x->open = (long) out->n;
            out->n++;
            out->fired++;
        } else if (tr == LW_TR_RESOLVED && x->open >= 0) {
            out->v[x->open].resolved_at = smp->at;
            x->open = -1;
        }
    }
cleanup:
    free(sv);
    return rc;
}

int
lw_rules_backtest(lw_db *db, const lw_rule *rule, time_t from, time_t to, int64_t step,
                  lw_backtest *out, lw_err *err)
{
    lw_rule_samples s = { 0 };
    time_t *at = NULL, t;
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (step <= 0 || to < from) {
        lw_err_set(err, "backtest needs from <= to and a positive step");
        return LW_EINVAL;
    }
    if ((to - from) / step > 200000) {
        lw_err_set(err, "backtest of more than 200000 steps: use a larger step");
        return LW_EINVAL;
    }
    at = malloc((size_t) ((to - from) / step + 1) * sizeof(*at));
    if (at == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    for (t = from; t <= to; t += step)
        at[n++] = t;
    rc = lw_rule_fetch(db, rule, at, n, &s, err);
    if (rc == LW_OK) {
        rc = lw_rules_backtest_samples(rule, &s, NULL, out);
        if (rc != LW_OK)
            lw_err_set(err, "out of memory");
    }
    free(at);
    lw_rule_samples_free(&s);
    return rc;
}

void
lw_backtest_free(lw_backtest *b)
{
    if (b == NULL)
        return;
    free(b->v);
    lw_pool_destroy(b->pool);
    memset(b, 0, sizeof(*b));
}
