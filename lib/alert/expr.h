/* expr.h: the alert rule expression language (`avg_latency > sla_target *
 * 1.5`): a hand-written recursive-descent parser whose errors carry the
 * column, and an evaluator over a variable lookup callback in which missing
 * data or a division by zero gives "no data", never a crash or a firing.
 *
 * Grammar (keywords are case-insensitive, identifiers are not):
 *
 *   condition  := or
 *   or         := and { ("or" | "||") and }
 *   and        := not { ("and" | "&&") not }
 *   not        := ("not" | "!") not | comparison
 *   comparison := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
 *   sum        := product { ("+" | "-") product }
 *   product    := unary { ("*" | "/") unary }
 *   unary      := ("-" | "+") unary | primary
 *   primary    := number | variable | "(" or ")"
 *   number     := digits ["." digits] [("e"|"E") ["+"|"-"] digits] [unit]
 *   unit       := "ms" | "s" | "%"       (written right after the digits)
 *   variable   := measure | "sla_target" | "baseline" | "baseline." measure
 *               | "metric" | "mean" | "std_dev" | "stddev"
 *               | "linear_regression_slope" | "custom." name
 *
 * Units of values inside expressions:
 *   - time is in SECONDS: avg_latency, p50/p95/p99_latency, ttft, p95_ttft and
 *     sla_target (the model's sla_target from the config, in seconds), so the
 *     seed's `avg_latency > sla_target * 1.5` compares seconds with seconds.
 *     `500ms` is the number 0.5 and `2s` the number 2.
 *   - error_rate and success_rate are fractions (0..1); `5%` is 0.05.
 *   - tokens_per_second: output tokens per second of decoding (decode_tps,
 *     the end-to-end rate where the decode rate is unknown).
 *   - cost_per_1k: dollars per 1000 tokens (input + output) over the window;
 *     daily_cost: dollars spent over the 24 hours before the evaluation
 *     (always 24 hours, whatever the rule's window).
 *   - quality_score: 0..100; request_count: probes in the window.
 *   - refusal_rate, blocked_rate and stall_rate are fractions (0..1) of the
 *     answers (successful probes): answers that were refusals, prompts the
 *     provider blocked, answers with a silence of LW_STALL_GAP_MS (2 s) or
 *     more between two output chunks.
 *   - reasoning_tokens: mean reasoning tokens per answer, over the answers
 *     whose provider reported them (OpenAI reasoning_tokens, Gemini
 *     thoughtsTokenCount).
 *   - version_changes: how many times the model version the provider
 *     reports (model, modelVersion, system_fingerprint) changed in the
 *     window; it has no value per probe, nor per regression bucket.
 *   - `latency` is avg_latency, `avg_ttft` is ttft.
 *   - custom.NAME: the mean of custom metric NAME (a suite's custom scorer
 *     or POST /api/v1/metrics, in its own unit) over the hours the window
 *     overlaps (read from its hourly rollups); no data without a value.
 *
 * Precedence, loosest first: or, and, not, comparisons (not chainable:
 * `a < b < c` is an error), + -, * /, unary minus. Comparisons and logic
 * produce conditions; arithmetic needs numbers: `(a > b) + 1` and `a and 2`
 * are type errors, and a rule condition must be a condition.
 *
 * `baseline`: alone, it is the active baseline of the measure on the other
 * side of its comparison: the first measure of the left side, else of the
 * right side (`daily_cost > baseline * 2` reads baseline.daily_cost;
 * `baseline * 2 < daily_cost` too). Where that side has `metric` (statistical,
 * trend and forecast rules) it is the baseline of the rule's metric. With no
 * measure in the comparison it is an error; write `baseline.<measure>`.
 * Baselines have avg_latency, p95_latency, ttft, p95_ttft, error_rate,
 * success_rate, tokens_per_second, cost_per_1k, daily_cost and
 * quality_score; any other baseline is "no data".
 *
 * Rule-kind variables (allowed only with the matching LW_EXPR_ALLOW_* flag):
 * `metric` (the rule's metric over its window), `mean` and `std_dev` (of the
 * metric over the lookback window; statistical rules), and
 * `linear_regression_slope` (of the metric over the window, in its unit per
 * hour; trend rules).
 *
 * No data: a variable the lookup cannot supply, a division by zero or a
 * non-finite result makes the value unknown. Logic is three-valued (Kleene):
 * `false and unknown` is false, `true or unknown` is true, anything else
 * with an unknown is unknown, and an unknown condition does not fire.
 *
 * Errors: the message names the problem and ends with its 1-based column,
 * e.g. "unknown measure 'avg_latncy' at column 1 (did you mean
 * 'avg_latency'?)", "expected ')' at column 17"; `col` holds the column
 * alone for a form to point at. */
#ifndef LW_EXPR_H
#define LW_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "alert/measure.h"
#include "lw.h"

typedef enum {
    LW_VAR_MEASURE,     /* measure */
    LW_VAR_BASELINE,    /* measure, or LW_M_RULE_METRIC */
    LW_VAR_SLA_TARGET,
    LW_VAR_METRIC,
    LW_VAR_MEAN,
    LW_VAR_STDDEV,
    LW_VAR_SLOPE,
    LW_VAR_CUSTOM       /* custom.NAME: a custom metric */
} lw_var_kind;

#define LW_EXPR_CUSTOM_MAX 64   /* a custom metric's name, NUL included */

typedef struct {
    lw_var_kind kind;
    lw_measure  measure;  /* LW_VAR_MEASURE, LW_VAR_BASELINE; else LW_M_NONE */
    char        custom[LW_EXPR_CUSTOM_MAX];  /* LW_VAR_CUSTOM: the metric's name */
} lw_expr_var;

/* lw_expr_parse flags */
#define LW_EXPR_ALLOW_METRIC 0x01u  /* `metric` */
#define LW_EXPR_ALLOW_STATS  0x02u  /* `mean`, `std_dev`, `stddev` */
#define LW_EXPR_ALLOW_SLOPE  0x04u  /* `linear_regression_slope` */
#define LW_EXPR_ALLOW_ALL    0x07u
#define LW_EXPR_CONDITION    0x10u  /* the whole text must be a condition */

typedef struct {
    int  col;           /* 1-based column of the problem (0 when none) */
    char msg[256];      /* complete message, column included */
} lw_expr_error;

typedef struct lw_expr lw_expr;

/* Parses `text` (a rule condition, or a numeric expression without
 * LW_EXPR_CONDITION). Returns 0 with *out set (caller frees with
 * lw_expr_free), LW_EINVAL with err filled, or LW_ENOMEM. */
int  lw_expr_parse(const char *text, unsigned flags, lw_expr **out, lw_expr_error *err);
void lw_expr_free(lw_expr *e);

/* The text it was parsed from (borrowed). */
const char *lw_expr_text(const lw_expr *e);
/* 1 when the expression is a condition (comparison or logic). */
int lw_expr_is_condition(const lw_expr *e);
/* Bitmask (1u << lw_var_kind) of the kinds of variables used. */
unsigned lw_expr_var_kinds(const lw_expr *e);
/* Bitmask (1u << lw_measure) of measures used directly (not baselines). */
uint32_t lw_expr_measures(const lw_expr *e);
/* The distinct custom metric names used (custom.NAME), in reading order,
 * into out[0..max) (borrowed from e); returns how many there are (may
 * exceed max). */
size_t lw_expr_customs(const lw_expr *e, const char **out, size_t max);
/* The first measure in reading order (LW_M_NONE when there is none). */
lw_measure lw_expr_first_measure(const lw_expr *e);
/* Canonical, fully parenthesised form ("((avg_latency > (sla_target * 1.5)))"
 * without the outer pair): for tests and for showing how a text was read.
 * Appends to out; 0 or LW_ENOMEM. */
int lw_expr_format(const lw_expr *e, lw_buf *out);

/* The lookup gives a variable's value: return 1 with *out set, or 0 when
 * there is no data for it. */
typedef int (*lw_expr_lookup)(void *ud, const lw_expr_var *var, double *out);

typedef enum { LW_CMP_LT, LW_CMP_LE, LW_CMP_GT, LW_CMP_GE, LW_CMP_EQ, LW_CMP_NE } lw_expr_cmp;

/* "<", "<=", ... (static) */
const char *lw_expr_cmp_name(lw_expr_cmp op);

typedef struct {
    int    known;       /* 0: no data */
    int    truth;       /* conditions: 1 when true (only when known) */
    double value;       /* numbers: the value; conditions: 1 or 0 */
    /* The primary comparison, the first one in reading order: its sides,
     * for "value 3.41 s > 3.00 s" (the left side is the alert's value, the
     * right side its threshold). lhs/rhs are NaN when unknown. */
    int         has_cmp;
    lw_expr_cmp cmp;
    double      lhs, rhs;
    lw_measure  lhs_measure;  /* first measure of the left side (its unit),
                               * LW_M_RULE_METRIC for `metric`, else LW_M_NONE */
} lw_expr_result;

/* Evaluates with every variable from lookup. Never fails on data: missing
 * values give known = 0. Returns 0, or LW_EINVAL on NULL arguments. */
int lw_expr_eval(const lw_expr *e, lw_expr_lookup lookup, void *ud, lw_expr_result *out);

/* Same, with the right side of the primary comparison multiplied by
 * rhs_scale (alert tuning replays "what if the threshold were 1.2 times
 * higher"). rhs_scale 1 is lw_expr_eval. */
int lw_expr_eval_scaled(const lw_expr *e, lw_expr_lookup lookup, void *ud, double rhs_scale,
                        lw_expr_result *out);

/* The names a form may offer for completion: every measure, alias and
 * variable allowed under `flags` (static strings) into out[0..max); returns
 * how many there are (may exceed max). */
size_t lw_expr_names(unsigned flags, const char **out, size_t max);

#endif
