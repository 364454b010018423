/* stats.h: the statistics behind rule decisions, exposed for tests:
 * error-budget burn rates over paired windows and Student's t quantile
 * (the forecast kind's linear forecast is lib/forecast.h's). Pure. */
#ifndef LW_ALERT_STATS_H
#define LW_ALERT_STATS_H

#include <stdint.h>

#include "lw.h"

/* The burn-rate windows (the multiwindow, multi-burn-rate alerts of
 * Google's SRE workbook): long, short, fraction of the budget. */
typedef struct {
    int64_t     long_s, short_s;
    double      budget_fraction;
    const char *action;               /* "page" or "ticket" */
    int         long_idx, short_idx;  /* into lw_rule_sample.br_* */
} lw_stats_burn_window;
extern const lw_stats_burn_window lw_stats_burn_windows[3];
extern const int64_t lw_stats_burn_window_s[5];  /* 5m, 30m, 1h, 6h, 3d */

/* errors / count / (1 - slo); NaN when count is 0. */
double lw_stats_burn_rate(long long errors, long long count, double slo_target);
/* The rate a pair must exceed for an SLO period: 14.4, 6, 1 for 30 days. */
double lw_stats_burn_threshold(const lw_stats_burn_window *w, int64_t period_s);

/* Two-sided Student t quantile: t such that P(|T| <= t) = confidence with
 * df degrees of freedom (df >= 1). */
double lw_stats_t_quantile(double confidence, long long df);

/* Two-sided p-value of Student's t statistic with df > 0 degrees of
 * freedom (df need not be whole: Welch's). */
double lw_stats_t_pvalue(double t, double df);

/* Welch's t-test of the difference of two means (unequal variances). */
typedef struct {
    size_t na, nb;
    double mean_a, mean_b, sd_a, sd_b;
    double diff;                      /* mean_b - mean_a */
    double t, df, p;                  /* two-sided */
    double lo, hi;                    /* confidence interval of diff */
} lw_stats_welch;

/* a[0..na) against b[0..nb) (NaN values skipped) at `confidence` for the
 * interval. Returns 0, or LW_EINVAL with fewer than two values in either
 * or no variance at all. */
int lw_stats_welch_test(const double *a, size_t na, const double *b, size_t nb,
                        double confidence, lw_stats_welch *out);

#endif
