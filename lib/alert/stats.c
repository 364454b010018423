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

double
lw_stats_t_pvalue(double t, double df)
{
    if (!(df > 0) || isnan(t))
        return NAN;
    return 1.0 - t_central(fabs(t), df);
}

/* Mean and sample standard deviation of the values that are numbers. */
static size_t
mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double s = 0, ss = 0;
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        if (!isnan(v[i])) {
            s += v[i];
            k++;
        }
    *mean = k > 0 ? s / (double) k : NAN;
    for (i = 0; i < n; i++)
        if (!isnan(v[i]))
            ss += (v[i] - *mean) * (v[i] - *mean);
    *sd = k > 1 ? sqrt(ss / (double) (k - 1)) : NAN;
    return k;
}

int
lw_stats_welch_test(const double *a, size_t na, const double *b, size_t nb, double confidence,
                    lw_stats_welch *out)
{
    double va, vb, se, tq;
    long long dfi;

    memset(out, 0, sizeof(*out));
    out->na = mean_sd(a, na, &out->mean_a, &out->sd_a);
    out->nb = mean_sd(b, nb, &out->mean_b, &out->sd_b);
    out->diff = out->mean_b - out->mean_a;
    out->t = out->df = out->p = out->lo = out->hi = NAN;
    if (out->na < 2 || out->nb < 2)
        return LW_EINVAL;
    va = out->sd_a * out->sd_a / (double) out->na;
    vb = out->sd_b * out->sd_b / (double) out->nb;
    se = sqrt(va + vb);
    if (!(se > 0))
        return LW_EINVAL;
    out->t = out->diff / se;
    /* Welch-Satterthwaite */
    out->df = (va + vb) * (va + vb)
              / (va * va / (double) (out->na - 1) + vb * vb / (double) (out->nb - 1));
    out->p = lw_stats_t_pvalue(out->t, out->df);
    dfi = (long long) floor(out->df);
    tq = lw_stats_t_quantile(confidence, dfi < 1 ? 1 : dfi);
    out->lo = out->diff - tq * se;
    out->hi = out->diff + tq * se;
    return LW_OK;
}
