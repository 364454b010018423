/* stats.h: the statistics behind rule decisions, exposed for tests:
 * error-budget burn rates over paired windows, Student's t quantile and
 * the linear forecast. Pure. */
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

typedef struct {
    double now, at_horizon;           /* point forecasts */
    double lo, hi;                    /* prediction interval at the horizon */
    double hours_until;               /* first crossing in [0, horizon], NaN if none */
} lw_stats_forecast;

/* Linear forecast from regression sums (n points, x in hours, mean avgx,
 * sxx/syy/sxy as PostgreSQL's regr_* give them) at x = 0 (now) and
 * x = horizon_h; the crossing of `limit` going up (upward = 1) or down.
 * Returns 0, or LW_EINVAL when n < 3 or sxx is 0. */
int lw_stats_forecast_linear(long long n, double slope, double intercept, double avgx, double sxx,
                             double syy, double sxy, double horizon_h, double confidence,
                             double limit, int upward, lw_stats_forecast *out);

#endif
