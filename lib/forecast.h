/* forecast.h: the stated forecasting models of llmwatch, pure functions
 * shared by `llmwatch forecast`, its --backtest and the forecast rule
 * kind:
 *  - seasonal Holt-Winters (additive, damped trend: ETS(A,Ad,A) in error
 *    correction form) on hourly series, smoothing parameters chosen by
 *    least one-step squared error on a grid, errors clipped at 3 robust
 *    standard deviations when they update the state (an incident does not
 *    drag the level and season after it), prediction intervals from the
 *    model's h-step variance sigma^2 (1 + sum_{j<h} c_j^2) with
 *    c_j = alpha + beta (phi + ... + phi^j) + gamma [j mod m = 0], or,
 *    when the history allows (50 or more), from the empirical quantiles of
 *    the model's own h-step errors over its training data (which widens
 *    them for what the model misses, such as a weekday's own level);
 *  - the linear trend with Student-t prediction intervals the forecast
 *    rule kind uses on its regression sums;
 *  - rolling-origin backtests scoring either (MAPE and interval
 *    coverage). */
#ifndef LW_FORECAST_H
#define LW_FORECAST_H

#include <stddef.h>

#include "lw.h"

#define LW_FORECAST_MAX_SEASON 168
#define LW_FORECAST_MAX_HORIZON 168

typedef struct {
    int    m;                          /* season length (24: a day of hours) */
    double alpha, beta, gamma, phi;    /* smoothing parameters, damping */
    double level, trend;               /* state after the last point */
    double season[LW_FORECAST_MAX_SEASON];   /* season[k]: k steps after the last point - m */
    double sigma;                      /* one-step residual standard deviation */
    size_t n, n_valid;                 /* points seen, points with a value */
    int    nonneg;                     /* clip forecasts and intervals at 0 */
    /* the empirical interval: errors' quantiles per horizon (h - 1),
     * for confidence `conf`, when emp_n[h - 1] >= 50 */
    double conf;
    double emp_lo[LW_FORECAST_MAX_HORIZON], emp_hi[LW_FORECAST_MAX_HORIZON];
    int    emp_n[LW_FORECAST_MAX_HORIZON];
} lw_forecast_hw;

/* Fits the model on y[0..n) (NaN: no value that hour; the state carries
 * on without it) with season m (2 <= m <= LW_FORECAST_MAX_SEASON); needs
 * n >= 2m and at least m + 3 values. nonneg: the measure is never below 0
 * (latencies, rates, costs). The empirical intervals are prepared for
 * `horizon` steps (<= LW_FORECAST_MAX_HORIZON) at `confidence`. Returns 0
 * or LW_EINVAL. */
int lw_forecast_hw_fit(const double *y, size_t n, int m, int nonneg, int horizon,
                       double confidence, lw_forecast_hw *out);

/* The forecast h >= 1 steps after the last point and its prediction
 * interval at `confidence` (0.5 .. 0.9999): the empirical one when it was
 * prepared for this h and confidence, else the model's variance. */
void lw_forecast_hw_predict(const lw_forecast_hw *f, int h, double confidence, double *point,
                            double *lo, double *hi);

/* The standard normal quantile: z with P(Z <= z) = p, 0 < p < 1. */
double lw_forecast_norm_quantile(double p);

typedef struct {
    double now, at_horizon;           /* point forecasts */
    double lo, hi;                    /* prediction interval at the horizon */
    double hours_until;               /* first crossing in [0, horizon], NaN if none */
} lw_forecast_line;

/* Linear forecast from regression sums (n points, x in hours, mean avgx,
 * sxx/syy/sxy as PostgreSQL's regr_* give them) at x = 0 (now) and
 * x = horizon_h; the crossing of `limit` going up (upward = 1) or down.
 * Returns 0, or LW_EINVAL when n < 3 or sxx is 0. */
int lw_forecast_linear(long long n, double slope, double intercept, double avgx, double sxx,
                       double syy, double sxy, double horizon_h, double confidence, double limit,
                       int upward, lw_forecast_line *out);

/* A backtest's score: forecasts compared with what happened. */
typedef struct {
    size_t origins;                   /* fits made */
    size_t points;                    /* (origin, step) pairs with an actual value */
    size_t covered;                   /* ... inside their interval */
    size_t ape_n;                     /* ... with a non-zero actual (MAPE's) */
    double ape_sum;                   /* sum of |actual - forecast| / |actual| */
} lw_forecast_score;

/* Rolling origins over y[0..n): from `first` on, every `every` points,
 * the model is fitted on everything before the origin and scored on the
 * `horizon` points after it (those with a value). Adds to *out. */
void lw_forecast_hw_backtest(const double *y, size_t n, int m, int nonneg, size_t first,
                             size_t every, int horizon, double confidence, lw_forecast_score *out);

/* 100 * covered / points, and MAPE in percent; NaN without points. */
double lw_forecast_coverage(const lw_forecast_score *s);
double lw_forecast_mape(const lw_forecast_score *s);

#endif
