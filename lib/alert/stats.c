/* stats.c: the statistics behind rule decisions: error-budget burn rates
 * over paired windows and Student's t quantile; the linear forecast with
 * its prediction interval is lib/forecast.c's, shared with `llmwatch
 * forecast`. Pure functions. */
#include "alert/stats.h"

#include <math.h>
#include <string.h>

const int64_t lw_stats_burn_window_s[5] = { 300, 1800, 3600, 21600, 259200 };

const lw_stats_burn_window lw_stats_burn_windows[3] = {
    { 3600, 300, 0.02, "page", 2, 0 },
    { 21600, 1800, 0.05, "page", 3, 1 },
    { 259200, 21600, 0.10, "ticket", 4, 3 },
};

double
lw_stats_burn_rate(long long errors, long long count, double slo_target)
{
    if (count <= 0 || slo_target >= 1.0)
        return NAN;
    return ((double) errors / (double) count) / (1.0 - slo_target);
}

double
lw_stats_burn_threshold(const lw_stats_burn_window *w, int64_t period_s)
{
    return w->budget_fraction * (double) period_s / (double) w->long_s;
}

/* One step of Lentz's method: the coefficient aa updates c and d (kept
 * away from zero); returns the factor the fraction is multiplied by. */
static double
lentz_step(double aa, double *c, double *d)
{
    const double fpmin = 1e-300;

    *d = 1.0 + aa * *d;
    if (fabs(*d) < fpmin)
        *d = fpmin;
    *c = 1.0 + aa / *c;
    if (fabs(*c) < fpmin)
        *c = fpmin;
    *d = 1.0 / *d;
    return *d * *c;
}

/* Continued fraction of the regularised incomplete beta (Lentz). */
static double
betacf(double a, double b, double x)
{
    const double eps = 1e-14, fpmin = 1e-300;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0, c = 1.0, d, h, del;
    int m, m2;

    d = 1.0 - qab * x / qap;
    if (fabs(d) < fpmin)
        d = fpmin;
    d = 1.0 / d;
    h = d;
    for (m = 1; m <= 300; m++) {
        m2 = 2 * m;
        h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &c, &d);
        del = lentz_step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), &c, &d);
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
lw_stats_t_quantile(double confidence, long long df)
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
