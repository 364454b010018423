/* rule.h: the alert rule model shared by `evaluate`, `alerts`, the config
 * check and the web form: a rule loaded from a config entry, a database row
 * or a form is validated per kind (errors per field, so a form can show each
 * beside its input), its window statistics are fetched from PostgreSQL for
 * one or many evaluation times, each (model, environment) gets a decision,
 * and a pure state machine moves ok -> pending -> firing -> resolved.
 * Evaluation and backtest go through the very same SQL and state machine, so
 * a backtest preview matches what `evaluate` does over the same history.
 *
 * Defaults and meanings (documented for users in docs and the form):
 *   threshold   condition over measures of the last `window` (default 15m;
 *               daily_cost is always the last 24 h).
 *   statistical `metric` = the rule's metric over `window` (default 15m);
 *               `mean`, `std_dev` = of the metric's per-probe values over
 *               `lookback_window` (default 7 days) ending where `window`
 *               starts (the window being judged is not part of its own
 *               reference); fires only with >= minimum_samples (default 30)
 *               probes in the lookback. Condition default
 *               `metric > mean + k * std_dev` (k default 3). The metric is
 *               `metric:`, else the first measure of the condition, else
 *               avg_latency; it must have a per-probe value.
 *   trend       `linear_regression_slope` = regr_slope of the metric over
 *               `window` (default 24 h), in the metric's unit per hour,
 *               computed on buckets of window/48 (1 min .. 1 h) so that
 *               percentiles and rates regress too; buckets are aligned to
 *               the epoch and only complete ones count (so a trend lags by
 *               at most one bucket); needs >= minimum_samples probes
 *               (default 10) and 3 buckets. Condition default
 *               `linear_regression_slope > threshold`.
 *   composite   `conditions` (threshold expressions, same window) joined by
 *               `operator` AND|OR; the value shown is the first condition
 *               that holds (or the first one).
 *   forecast    linear regression of the metric over `lookback_window`
 *               (default 24 h, buckets as for trend) projected `horizon`
 *               ahead; fires when the POINT forecast crosses the limit
 *               within the horizon ("likely" = more likely than not: the
 *               point forecast is the median of the predictive
 *               distribution); the 95% prediction interval at the horizon
 *               is reported in the message, not used to fire (on noisy flat
 *               series its upper bound crosses almost any limit). Condition
 *               default `metric > threshold` (`<` for success_rate,
 *               tokens_per_second, quality_score); a condition such as
 *               `p95_latency > sla_target` works too (measures of the
 *               metric are projected, the rest is as measured).
 *   burn_rate   burn = error ratio / (1 - slo_target) over paired windows
 *               (the multiwindow alerts of Google's SRE workbook): page 1h &
 *               5m at 14.4, 6h & 30m at 6; ticket
 *               3d & 6h at 1. Windows of a pair ANDed, pairs ORed. The
 *               rates are budget_fraction * period / long window, i.e.
 *               exactly those numbers for the default 30-day period. A
 *               ticket-only burn of a critical rule is raised as warning.
 * Missing data (no probe, division by zero) is "no data": it never fires,
 * and an open alert with no data resolves. */
#ifndef LW_ALERT_RULE_H
#define LW_ALERT_RULE_H

#include <stdint.h>
#include <time.h>

#include "alert/expr.h"
#include "config.h"
#include "db/db.h"
#include "lw.h"

#define LW_RULE_DEFAULT_WINDOW        900          /* 15 min */
#define LW_RULE_DEFAULT_TREND_WINDOW  86400
#define LW_RULE_DEFAULT_LOOKBACK      (7 * 86400)  /* statistical */
#define LW_RULE_DEFAULT_HISTORY       86400        /* forecast */
#define LW_RULE_DEFAULT_STAT_SAMPLES  30
#define LW_RULE_DEFAULT_REGR_SAMPLES  10
#define LW_RULE_DEFAULT_K             3.0
#define LW_RULE_DEFAULT_PERIOD        (30 * 86400)
#define LW_RULE_FORECAST_CONFIDENCE   0.95
#define LW_RULE_MAX_CUSTOM            4            /* custom.NAME per rule */

/* A validated rule with defaults applied. Everything is owned by `pool`;
 * free with lw_rule_free. */
typedef struct lw_rule {
    lw_pool      *pool;
    long long     id;               /* rules.id; 0 when not stored */
    const char   *name;
    lw_rule_kind  kind;
    lw_severity   severity;
    int           enabled;
    const char   *expression;       /* the condition as written, or the
                                     * default one for the kind; NULL for
                                     * composite and burn_rate */
    lw_expr      *expr;             /* parsed `expression` */
    size_t        n_conds;          /* composite */
    const char  **cond_text;
    lw_expr     **conds;
    lw_rule_op    op;
    int64_t       for_s, cooldown_s, repeat_interval_s;
    int64_t       window_s;         /* threshold/composite/statistical/trend */
    int64_t       lookback_s;       /* statistical: reference; forecast: history */
    int64_t       horizon_s;        /* forecast */
    int64_t       period_s;         /* burn_rate */
    int64_t       minimum_samples;
    lw_measure    metric;           /* statistical, trend, forecast */
    int           has_threshold;
    double        threshold;
    double        k;
    double        slo_target;
    int           send_resolved;
    const char   *runbook;          /* Markdown, may be NULL */
    lw_strlist    scope_models;     /* empty = every model */
    lw_strlist    scope_environments;
} lw_rule;

void lw_rule_free(lw_rule *r);

/* ---- building and validating ---- */

/* One problem with one field of a rule. `field` is the name of the config
 * key / form input ("name", "type", "condition", "conditions", "window",
 * "lookback_window", "horizon", "period", "minimum_samples", "metric",
 * "threshold", "k", "slo_target", "severity", "operator", "cooldown", "for",
 * "repeat_interval", "models", "environments"); `index` is the 0-based
 * condition of a composite rule (-1 otherwise); `col` the column inside the
 * expression (0 when not an expression error). */
typedef struct {
    const char *field;              /* static */
    int         index;
    int         col;
    char        msg[300];
} lw_rule_field_error;

typedef struct {
    lw_rule_field_error v[16];
    int n;                          /* may exceed 16: only the first 16 kept */
} lw_rule_errors;

/* The message for a field, or NULL (first one when several); borrowed. */
const char *lw_rule_error_for(const lw_rule_errors *errs, const char *field);

/* A rule as typed into the web form (or an API body): every value is text
 * as entered, NULL or "" when empty. Durations accept lw_duration_parse
 * forms ("15m", "7 days", "3600"); booleans "1", "true", "on", "yes";
 * `conditions` one per line; `models`/`environments` comma-separated. */
typedef struct {
    const char *name, *kind, *severity;
    const char *condition, *conditions, *op;
    const char *window, *lookback_window, *horizon, *period;
    const char *for_s, *cooldown, *repeat_interval;
    const char *minimum_samples, *metric, *threshold, *k, *slo_target;
    const char *send_resolved, *enabled;
    const char *runbook;
    const char *models, *environments;
} lw_rule_form;

/* Each returns 0 with *out set (caller frees with lw_rule_free), or
 * LW_EINVAL with every problem in errs (*out NULL), or LW_ENOMEM. */
int lw_rule_from_form(const lw_rule_form *f, lw_rule **out, lw_rule_errors *errs);
int lw_rule_from_config(const lw_config_rule *cr, lw_rule **out, lw_rule_errors *errs);

/* From a row of LW_DB_RULE_ROW (lw_db_rules_of) or lw_db_rules_load
 * (db/rules.h gives the columns). */
int lw_rule_from_row(const PGresult *res, int row, lw_rule **out, lw_rule_errors *errs);

/* rules.params for a rule (the keys config sync writes: window_s,
 * lookback_window_s, horizon_s, period_s, minimum_samples, metric,
 * threshold, k, slo_target, conditions, operator); only what was set or
 * differs from the defaults. Appends JSON to out. */
int lw_rule_params_json(const lw_rule *r, lw_buf *out);

/* Checks every rule of a loaded config (expressions included) and adds
 * errors to diags at the rule's position: "rule 'X': condition: unknown
 * measure 'avg_latncy' at column 1 (did you mean 'avg_latency'?)".
 * Returns the number of errors added. For `validate` and `init`. */
int lw_rules_check_config(const lw_config *cfg, lw_diag *diags);

/* Loads enabled (or all) rules not deleted, in id order; a rule that no
 * longer validates is skipped with a warning in the log and counted in
 * *invalid. *out is an array of n rules (caller frees with
 * lw_rules_free). name: only that rule (NULL = all). */
int lw_rules_load(lw_db *db, lw_err *err, const char *name, int enabled_only, lw_rule ***out,
                  size_t *n, size_t *invalid);
void lw_rules_free(lw_rule **v, size_t n);

#endif
