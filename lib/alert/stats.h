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

#endif
