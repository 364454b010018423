/* rule.c: the alert rule model: defaults and checks per kind (one place,
 * whatever the rule came from), errors per field, and rules.params as
 * JSON. Where rules come from is rule_input.c. */
#include "alert/rule.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/rule_impl.h"

#define MAX_NAME      200
#define MAX_WINDOW    (31 * 86400)
#define MAX_LOOKBACK  (366 * 86400)

/* ---- errors ---- */

void
lw_rule_add_error(lw_rule_errors *e, const char *field, int index, int col, const char *fmt,
                  ...)
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

lw_rule *
lw_rule_new(void)
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

    const char *names[LW_RULE_MAX_CUSTOM + 1];

    if (rc == LW_EINVAL)
        lw_rule_add_error(errs, field, index, ee.col, "%s", ee.msg);
    if (rc == LW_OK && lw_expr_customs(*out, names, LW_ARRAY_LEN(names)) > LW_RULE_MAX_CUSTOM) {
        lw_rule_add_error(errs, field, index, 0, "at most %d custom metrics in one rule",
                          LW_RULE_MAX_CUSTOM);
        rc = LW_EINVAL;
    }
    (void) r;
    return rc;
}

/* Parses a rule's condition into r->expr (text NULL: nothing to parse).
 * When it parses and no metric was given, the metric is the condition's
 * first measure, else dflt. 1 when it parsed. */
static int
parse_condition(lw_rule *r, const char *text, unsigned flags, lw_measure dflt,
                lw_rule_errors *errs)
{
    lw_measure first;

    if (text == NULL
        || parse_expr_into(r, text, flags, "condition", -1, &r->expr, errs) != LW_OK)
        return 0;
    if (r->metric == LW_M_NONE) {
        first = lw_expr_first_measure(r->expr);
        r->metric = first != LW_M_NONE ? first : dflt;
    }
    return 1;
}

static const char *
fmt_num(lw_pool *pool, double v)
{
    return lw_pool_printf(pool, "%.10g", v);
}

int
lw_rule_finish(lw_rule *r, lw_rule_errors *errs)
{
    /* per kind: the variables its condition may use, and the defaults of
     * what was not given (0: the kind has no such parameter) */
    static const struct {
        unsigned flags;
        int64_t  window_s, lookback_s, minimum_samples;
    } kinds[LW_RULE_KIND_COUNT] = {
        [LW_RULE_THRESHOLD] = { 0, LW_RULE_DEFAULT_WINDOW, 0, 0 },
        [LW_RULE_STATISTICAL] = { LW_EXPR_ALLOW_METRIC | LW_EXPR_ALLOW_STATS,
                                  LW_RULE_DEFAULT_WINDOW, LW_RULE_DEFAULT_LOOKBACK,
                                  LW_RULE_DEFAULT_STAT_SAMPLES },
        [LW_RULE_TREND] = { LW_EXPR_ALLOW_METRIC | LW_EXPR_ALLOW_SLOPE,
                            LW_RULE_DEFAULT_TREND_WINDOW, 0, LW_RULE_DEFAULT_REGR_SAMPLES },
        [LW_RULE_COMPOSITE] = { 0, LW_RULE_DEFAULT_WINDOW, 0, 0 },
        [LW_RULE_FORECAST] = { LW_EXPR_ALLOW_METRIC, 0, LW_RULE_DEFAULT_HISTORY,
                               LW_RULE_DEFAULT_REGR_SAMPLES },
        [LW_RULE_BURN_RATE] = { 0, 0, 0, 0 },
    };
    int start = errs ? errs->n : 0, rc;
    const char *text = r->expression;
    size_t i;

    if (r->name == NULL || r->name[0] == '\0')
        lw_rule_add_error(errs, "name", -1, 0, "a rule needs a name");
    else if (strlen(r->name) > MAX_NAME)
        lw_rule_add_error(errs, "name", -1, 0, "the name is longer than %d characters", MAX_NAME);
    if (r->for_s < 0)
        lw_rule_add_error(errs, "for", -1, 0, "'for' cannot be negative");
    if (r->cooldown_s < 0)
        lw_rule_add_error(errs, "cooldown", -1, 0, "'cooldown' cannot be negative");
    if (r->repeat_interval_s < 0)
        lw_rule_add_error(errs, "repeat_interval", -1, 0, "'repeat_interval' cannot be negative");
    if (r->window_s < 0 || r->window_s > MAX_WINDOW)
        lw_rule_add_error(errs, "window", -1, 0, "'window' must be between 1 second and 31 days");
    if (r->lookback_s < 0 || r->lookback_s > MAX_LOOKBACK)
        lw_rule_add_error(errs, "lookback_window", -1, 0,
                          "'lookback_window' must be between 1 second and 366 days");
    if (r->minimum_samples < 0)
        lw_rule_add_error(errs, "minimum_samples", -1, 0, "'minimum_samples' cannot be negative");
    if (text != NULL && text[strspn(text, " \t\r\n")] == '\0')
        text = NULL;

    switch (r->kind) {
    case LW_RULE_THRESHOLD:
        if (text == NULL)
            lw_rule_add_error(errs, "condition", -1, 0, "a threshold rule needs a condition, e.g. "
                              "avg_latency > sla_target * 1.5");
        else
            parse_expr_into(r, text, kinds[r->kind].flags, "condition", -1, &r->expr, errs);
        break;

    case LW_RULE_STATISTICAL:
        if (r->k == 0)
            r->k = LW_RULE_DEFAULT_K;
        else if (r->k < 0)
            lw_rule_add_error(errs, "k", -1, 0, "'k' must be more than 0");
        if (text == NULL)
            text = r->expression = lw_pool_printf(r->pool, "metric > mean + %s * std_dev",
                                                  fmt_num(r->pool, r->k));
        parse_condition(r, text, kinds[r->kind].flags, LW_M_AVG_LATENCY, errs);
        if (r->metric != LW_M_NONE && !lw_measure_per_probe(r->metric))
            lw_rule_add_error(errs, "metric", -1, 0, "%s has no value per request, so it has no "
                              "mean and standard deviation; use a per-request measure such as "
                              "avg_latency", lw_measure_name(r->metric));
        break;

    case LW_RULE_TREND:
        if (text == NULL && !r->has_threshold)
            lw_rule_add_error(errs, "condition", -1, 0, "a trend rule needs a condition (e.g. "
                              "linear_regression_slope > 0.1) or a threshold");
        if (text == NULL && r->has_threshold)
            text = r->expression = lw_pool_printf(r->pool, "linear_regression_slope > %s",
                                                  fmt_num(r->pool, r->threshold));
        parse_condition(r, text, kinds[r->kind].flags, LW_M_AVG_LATENCY, errs);
        if (r->expr != NULL && !(lw_expr_var_kinds(r->expr) & (1u << LW_VAR_SLOPE)))
            lw_rule_add_error(errs, "condition", -1, 1, "a trend rule's condition must use "
                              "linear_regression_slope");
        break;

    case LW_RULE_FORECAST:
        if (r->horizon_s <= 0)
            lw_rule_add_error(errs, "horizon", -1, 0, "a forecast rule needs a horizon (how far "
                              "ahead to look, e.g. 6h)");
        else if (r->horizon_s > MAX_WINDOW)
            lw_rule_add_error(errs, "horizon", -1, 0, "'horizon' must be at most 31 days");
        if (text == NULL) {
            if (r->metric == LW_M_NONE)
                lw_rule_add_error(errs, "metric", -1, 0, "a forecast rule needs a metric and a "
                                  "threshold, or a condition such as p95_latency > sla_target");
            else if (!r->has_threshold)
                lw_rule_add_error(errs, "threshold", -1, 0, "a forecast rule needs a threshold "
                                  "(the limit the forecast must not cross)");
            else
                text = r->expression = lw_pool_printf(
                    r->pool, "metric %s %s", lw_measure_lower_is_worse(r->metric) ? "<" : ">",
                    fmt_num(r->pool, r->threshold));
        }
        if (parse_condition(r, text, kinds[r->kind].flags, LW_M_NONE, errs)
            && r->metric == LW_M_NONE)
            lw_rule_add_error(errs, "condition", -1, 1, "the condition has no measure to "
                              "forecast");
        break;

    case LW_RULE_COMPOSITE:
        if (r->n_conds == 0)
            lw_rule_add_error(errs, "conditions", -1, 0, "a composite rule needs at least one "
                              "condition");
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
        break;

    case LW_RULE_BURN_RATE:
        if (r->slo_target <= 0 || r->slo_target >= 1)
            lw_rule_add_error(errs, "slo_target", -1, 0, "a burn_rate rule needs slo_target "
                              "between 0 and 1 (e.g. 0.999)");
        if (r->metric != LW_M_NONE && r->metric != LW_M_ERROR_RATE)
            lw_rule_add_error(errs, "metric", -1, 0, "burn_rate rules measure the error ratio: "
                              "metric must be error_rate");
        r->metric = LW_M_ERROR_RATE;
        if (r->period_s == 0)
            r->period_s = LW_RULE_DEFAULT_PERIOD;
        else if (r->period_s < 86400)
            lw_rule_add_error(errs, "period", -1, 0, "the SLO period must be at least a day");
        r->expression = NULL;
        break;

    default:
        lw_rule_add_error(errs, "type", -1, 0, "unknown rule type");
        break;
    }
    if ((unsigned) r->kind < LW_RULE_KIND_COUNT) {
        if (r->window_s == 0)
            r->window_s = kinds[r->kind].window_s;
        if (r->lookback_s == 0)
            r->lookback_s = kinds[r->kind].lookback_s;
        if (r->minimum_samples == 0)
            r->minimum_samples = kinds[r->kind].minimum_samples;
    }
    if (errs && errs->n > start)
        return LW_EINVAL;
    return LW_OK;
}

/* ---- as stored ---- */

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

void
lw_rules_free(lw_rule **v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++)
        lw_rule_free(v[i]);
    free(v);
}
