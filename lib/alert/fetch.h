/* fetch.h: the samples behind rule decisions: for every enabled model in
 * a rule's scope and each evaluation time, the figures the rule's kind
 * needs (rule.h says what each means), read by lib/db/measures.c. */
#ifndef LW_ALERT_FETCH_H
#define LW_ALERT_FETCH_H

#include <time.h>

#include "alert/rule.h"
#include "db/db.h"

/* The numbers a decision needs for one (model, environment) at one time.
 * Every double is NaN when there is no data. */
typedef struct {
    time_t      at;
    long long   model_id, environment_id;
    const char *model, *environment;   /* owned by the sample set's pool */
    double      m[LW_M_COUNT];         /* measures over the window */
    double      baseline[LW_M_COUNT];  /* the active baseline */
    double      sla_target;            /* seconds */
    /* statistical: per-probe values of the metric in the lookback */
    double      mean, std_dev;
    long long   lookback_n;
    /* trend / forecast: regression of bucketed metric values y on x =
     * hours relative to `at` (x <= 0), over the regression window */
    long long   regr_n;                /* buckets */
    long long   regr_samples;          /* probes */
    double      slope, intercept, avgx, sxx, syy, sxy;
    /* burn_rate: probes and failures in 5m, 30m, 1h, 6h, 3d */
    long long   br_count[5], br_errors[5];
    /* the custom metrics the rule names (custom.NAME): their means over
     * the hours the window overlaps; names borrowed from the rule */
    size_t      n_custom;
    const char *custom_name[LW_RULE_MAX_CUSTOM];
    double      custom[LW_RULE_MAX_CUSTOM];
} lw_rule_sample;

typedef struct {
    lw_pool        *pool;              /* owns v and its strings */
    lw_rule_sample *v;                 /* ordered by at, environment, model */
    size_t          n;
} lw_rule_samples;

/* One query (per 500 times) for every model in the rule's scope (enabled
 * models only) at each time of at[0..n_at); what reaches back far (daily
 * cost, lookbacks, regression buckets, burn windows) is read once per query
 * with running sums, so a 7-day backtest every minute takes about a second.
 * Turns JIT off for the session (RESET after). Appends to out (initialise
 * it zeroed; free with lw_rule_samples_free). */
int lw_rule_fetch(lw_db *db, lw_err *err, const lw_rule *r, const time_t *at, size_t n_at,
                  lw_rule_samples *out);
void lw_rule_samples_free(lw_rule_samples *s);

#endif
