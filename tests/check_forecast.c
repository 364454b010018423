/* check_forecast.c: the forecasting models of lib/forecast.c (seasonal
 * Holt-Winters, its intervals, its backtest) and the statistics behind the
 * environment comparison (Welch's t-test), on synthetic series whose truth
 * is known. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "alert/stats.h"
#include "forecast.h"
#include "lw.h"

/* A reproducible normal sample (xorshift64*, Box-Muller). */
static uint64_t rng_state;

static double
unif(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((rng_state * UINT64_C(2685821657736338717)) >> 11) * (1.0 / 9007199254740992.0);
}

static double
gauss(void)
{
    double u = unif(), v = unif();

    return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

/* n hours: level 1000 ms, a daily shape of +-25%, noise sd `sd`. */
static double *
series(size_t n, double sd, uint64_t seed)
{
    double *y = malloc(n * sizeof(double));
    size_t t;

    rng_state = seed;
    for (t = 0; t < n; t++)
        y[t] = 1000 * (1 + 0.25 * sin(2 * M_PI * (double) (t % 24) / 24)) + sd * gauss();
    return y;
}

START_TEST(test_norm_quantile)
{
    ck_assert_double_eq_tol(lw_forecast_norm_quantile(0.975), 1.959964, 1e-6);
    ck_assert_double_eq_tol(lw_forecast_norm_quantile(0.5), 0, 1e-12);
    ck_assert_double_eq_tol(lw_forecast_norm_quantile(0.05), -1.644854, 1e-6);
    ck_assert_double_eq_tol(lw_forecast_norm_quantile(0.001), -3.090232, 1e-6);
    ck_assert(isnan(lw_forecast_norm_quantile(0)));
    ck_assert(isnan(lw_forecast_norm_quantile(1)));
}
END_TEST

START_TEST(test_hw_recovers_the_season)
{
    double *y = series(24 * 21, 20, 1), p, lo, hi, truth;
    lw_forecast_hw f;
    int h;

    ck_assert_int_eq(lw_forecast_hw_fit(y, 24 * 21, 24, 1, 24, 0.95, &f), LW_OK);
    ck_assert(f.sigma > 10 && f.sigma < 30);
    for (h = 1; h <= 24; h++) {
        lw_forecast_hw_predict(&f, h, 0.95, &p, &lo, &hi);
        truth = 1000 * (1 + 0.25 * sin(2 * M_PI * (double) ((24 * 21 + h - 1) % 24) / 24));
        ck_assert_msg(fabs(p - truth) < 40, "h %d: %.1f vs %.1f", h, p, truth);
        ck_assert(lo < p && p < hi);
        /* a 95% interval of noise sd 20 is about +-40 wide */
        ck_assert_msg(hi - lo > 50 && hi - lo < 200, "h %d: width %.1f", h, hi - lo);
    }
    free(y);
}
END_TEST

START_TEST(test_hw_coverage_on_its_own_kind)
{
    double *y = series(24 * 30, 30, 7);
    lw_forecast_score sc = { 0 };
    double cov;

    lw_forecast_hw_backtest(y, 24 * 30, 24, 1, 24 * 23, 6, 24, 0.95, &sc);
    cov = lw_forecast_coverage(&sc);
    ck_assert_int_eq(sc.origins, 28);
    ck_assert_int_gt(sc.points, 600);
    ck_assert_msg(cov >= 88 && cov <= 99.5, "coverage %.1f%%", cov);
    ck_assert_msg(lw_forecast_mape(&sc) < 6, "MAPE %.2f%%", lw_forecast_mape(&sc));
    free(y);
}
END_TEST

START_TEST(test_hw_gaps_and_outliers)
{
    double *y = series(24 * 14, 10, 3), *z = series(24 * 14, 10, 3), p1, p2, lo, hi;
    lw_forecast_hw a, b;
    size_t t;

    /* hours without data carry the state on */
    for (t = 100; t < 110; t++)
        y[t] = NAN;
    ck_assert_int_eq(lw_forecast_hw_fit(y, 24 * 14, 24, 1, 0, 0.95, &a), LW_OK);
    ck_assert_int_eq(a.n_valid, 24 * 14 - 10);
    /* an incident (ten times the latency for three hours) two days before
     * the end moves the forecast little: its errors are clipped */
    for (t = 24 * 12; t < 24 * 12 + 3; t++)
        z[t] *= 10;
    ck_assert_int_eq(lw_forecast_hw_fit(z, 24 * 14, 24, 1, 0, 0.95, &b), LW_OK);
    lw_forecast_hw_predict(&a, 6, 0.95, &p1, &lo, &hi);
    lw_forecast_hw_predict(&b, 6, 0.95, &p2, &lo, &hi);
    ck_assert_msg(fabs(p1 - p2) < 60, "%.1f vs %.1f", p1, p2);
    free(y);
    free(z);
}
END_TEST

START_TEST(test_hw_refuses_too_little)
{
    double y[40];
    lw_forecast_hw f;
    int i;

    for (i = 0; i < 40; i++)
        y[i] = i;
    ck_assert_int_eq(lw_forecast_hw_fit(y, 40, 24, 1, 0, 0.95, &f), LW_EINVAL);   /* < 2 days */
    ck_assert_int_eq(lw_forecast_hw_fit(y, 40, 1, 1, 0, 0.95, &f), LW_EINVAL);
    for (i = 0; i < 40; i++)
        y[i] = NAN;
    ck_assert_int_eq(lw_forecast_hw_fit(y, 40, 12, 1, 0, 0.95, &f), LW_EINVAL);
}
END_TEST

START_TEST(test_hw_nonneg)
{
    double *y = series(24 * 7, 1, 5), p, lo, hi;
    lw_forecast_hw f;
    size_t t;

    /* a measure near zero (an error rate) never forecasts below 0 */
    for (t = 0; t < 24 * 7; t++)
        y[t] = t % 24 == 3 ? 0.05 : 0;
    ck_assert_int_eq(lw_forecast_hw_fit(y, 24 * 7, 24, 1, 24, 0.95, &f), LW_OK);
    for (t = 1; t <= 24; t++) {
        lw_forecast_hw_predict(&f, (int) t, 0.95, &p, &lo, &hi);
        ck_assert(p >= 0 && lo >= 0 && hi >= p);
    }
    free(y);
}
END_TEST

START_TEST(test_welch)
{
    /* Welch (1947) as in the usual worked example: t 2.22, df 24.5, p 0.036 */
    static const double a[] = { 19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0 };
    static const double b[] = { 28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7,
                                23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3 };
    double same[10];
    lw_stats_welch w;
    int i;

    ck_assert_int_eq(lw_stats_welch_test(a, 10, b, 20, 0.95, &w), LW_OK);
    ck_assert_double_eq_tol(w.t, 2.2255, 1e-3);
    ck_assert_double_eq_tol(w.df, 24.52, 1e-2);
    ck_assert_double_eq_tol(w.p, 0.0355, 1e-3);
    ck_assert(w.lo > 0 && w.lo < w.diff && w.diff < w.hi);
    for (i = 0; i < 10; i++)
        same[i] = a[9 - i];
    ck_assert_int_eq(lw_stats_welch_test(a, 10, same, 10, 0.95, &w), LW_OK);
    ck_assert_double_eq_tol(w.p, 1.0, 1e-9);
    ck_assert_int_eq(lw_stats_welch_test(a, 1, b, 20, 0.95, &w), LW_EINVAL);
    ck_assert_double_eq_tol(lw_stats_t_pvalue(1.959964, 1e6), 0.05, 1e-4);
}
END_TEST

Suite *
forecast_suite(void)
{
    Suite *s = suite_create("forecast");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_norm_quantile);
    tcase_add_test(tc, test_hw_recovers_the_season);
    tcase_add_test(tc, test_hw_coverage_on_its_own_kind);
    tcase_add_test(tc, test_hw_gaps_and_outliers);
    tcase_add_test(tc, test_hw_refuses_too_little);
    tcase_add_test(tc, test_hw_nonneg);
    tcase_add_test(tc, test_welch);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
