/* forecast.c: seasonal Holt-Winters with prediction intervals, the linear
 * trend of the forecast rule kind, and rolling-origin backtests (see
 * forecast.h for the models as stated). Pure functions. */
#include "forecast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alert/stats.h"

/* The damping of the trend: a day ahead, a trend counts for about 80 %
 * of what a straight line would give. */
#define PHI 0.98

static const double alphas[] = { 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6 };
static const double betas[] = { 0.0, 0.005, 0.02 };
static const double gammas[] = { 0.02, 0.05, 0.1, 0.2, 0.35 };

double
lw_forecast_norm_quantile(double p)
{
    /* Acklam's rational approximation, then one Newton step on erfc */
    static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00 };
    static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01 };
    static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00, 2.938163982698783e+00 };
    static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00 };
    double q, r, x, e, u;

    if (!(p > 0 && p < 1))
        return NAN;
    if (p < 0.02425) {
        q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - 0.02425) {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    e = 0.5 * erfc(-x / sqrt(2)) - p;
    u = e * sqrt(2 * M_PI) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

/* ---- Holt-Winters ---- */

/* The first two seasons give the starting level, trend and season. */
static int
initial_state(const double *y, size_t n, int m, double *level, double *trend, double *season)
{
    double s1 = 0, s2 = 0;
    int i, n1 = 0, n2 = 0;

    if (n < (size_t) (2 * m))
        return LW_EINVAL;
    for (i = 0; i < m; i++) {
        if (!isnan(y[i])) {
            s1 += y[i];
            n1++;
        }
        if (!isnan(y[m + i])) {
            s2 += y[m + i];
            n2++;
        }
    }
    if (n1 == 0)
        return LW_EINVAL;
    s1 /= n1;
    s2 = n2 > 0 ? s2 / n2 : s1;
    *level = s1;
    *trend = (s2 - s1) / m;
    for (i = 0; i < m; i++)
        season[i] = isnan(y[i]) ? 0 : y[i] - s1;
    return LW_OK;
}

/* Errors of forecasts made from inside the training data, per horizon:
 * recorded by run() when asked. */
typedef struct {
    int     horizon;
    double *err;        /* err[(h - 1) * cap + i] */
    size_t  cap;
    int     n[LW_FORECAST_MAX_HORIZON];
} hstep;

/* From the state after point t, the forecasts of t + 1 .. t + horizon
 * against the values there. */
static void
record_hsteps(const double *y, size_t n, size_t t, int m, double level, double trend,
              const double *season, hstep *hs)
{
    double damp = 0, pj = 1, yhat;
    int h;

    for (h = 1; h <= hs->horizon && t + (size_t) h < n; h++) {
        pj *= PHI;
        damp += pj;
        if (isnan(y[t + (size_t) h]) || (size_t) hs->n[h - 1] == hs->cap)
            continue;
        yhat = level + damp * trend + season[(t + (size_t) h) % (size_t) m];
        hs->err[(size_t) (h - 1) * hs->cap + (size_t) hs->n[h - 1]++] = y[t + (size_t) h] - yhat;
    }
}

/* One pass with the given parameters: the sum of squared one-step errors
 * (and how many) and the final state; with hs, the h-step errors of
 * forecasts made after the second season. */
static double
run(const double *y, size_t n, int m, double al, double be, double ga, double clip,
    lw_forecast_hw *st, size_t *count, hstep *hs, double *resid)
{
    double level, trend, season[LW_FORECAST_MAX_SEASON], sse = 0, yhat, e, ll;
    size_t t, k = 0;
    int idx;

    if (initial_state(y, n, m, &level, &trend, season) != LW_OK)
        return NAN;
    for (t = 0; t < n; t++) {
        idx = (int) (t % (size_t) m);
        yhat = level + PHI * trend + season[idx];
        e = isnan(y[t]) ? 0 : y[t] - yhat;
        if (resid != NULL && !isnan(y[t]) && t >= (size_t) m)
            resid[k] = e;
        /* an outlier (an incident) moves the state no more than a 3-sigma
         * error would: it does not drag the level and season after it */
        if (clip > 0 && fabs(e) > clip)
            e = e > 0 ? clip : -clip;
        if (!isnan(y[t]) && t >= (size_t) m) {
            sse += e * e;
            k++;
        }
        ll = level;
        level = ll + PHI * trend + al * e;
        trend = PHI * trend + be * e;
        season[idx] += ga * e;
        if (hs != NULL && t >= (size_t) (2 * m))
            record_hsteps(y, n, t, m, level, trend, season, hs);
    }
    if (st != NULL) {
        st->level = level;
        st->trend = trend;
        /* season[k] for the point k + 1 steps after the last */
        for (idx = 0; idx < m; idx++)
            st->season[idx] = season[(n + (size_t) idx) % (size_t) m];
    }
    *count = k;
    return sse;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

/* The empirical interval of each horizon: the errors' quantiles at
 * (1 - c) / 2 and (1 + c) / 2, by linear interpolation. */
static void
empirical(lw_forecast_hw *f, hstep *hs, double confidence)
{
    double q, pos, *e;
    size_t lo;
    int h, side;

    f->conf = confidence;
    for (h = 0; h < hs->horizon; h++) {
        f->emp_n[h] = hs->n[h];
        if (hs->n[h] < 50)
            continue;
        e = hs->err + (size_t) h * hs->cap;
        qsort(e, (size_t) hs->n[h], sizeof(double), cmp_double);
        for (side = 0; side < 2; side++) {
            q = side == 0 ? (1 - confidence) / 2 : (1 + confidence) / 2;
            pos = q * (hs->n[h] - 1);
            lo = (size_t) floor(pos);
            if (lo + 1 >= (size_t) hs->n[h])
                lo = (size_t) hs->n[h] - 2;
            *(side == 0 ? &f->emp_lo[h] : &f->emp_hi[h])
                = e[lo] + (pos - (double) lo) * (e[lo + 1] - e[lo]);
        }
    }
}

/* A robust scale of the one-step errors of a plain fit: 1.4826 x their
 * median absolute deviation from 0 (the standard deviation for normal
 * errors, untouched by a few outliers). */
static double
robust_scale(const double *y, size_t n, int m)
{
    double *r = malloc((n + 1) * sizeof(double)), s = NAN;
    size_t k = 0, i;

    if (r == NULL)
        return NAN;
    run(y, n, m, 0.1, 0.002, 0.1, 0, NULL, &k, NULL, r);
    for (i = 0; i < k; i++)
        r[i] = fabs(r[i]);
    if (k > 0) {
        qsort(r, k, sizeof(double), cmp_double);
        s = 1.4826 * (k % 2 ? r[k / 2] : (r[k / 2 - 1] + r[k / 2]) / 2);
    }
    free(r);
    return s;
}

int
lw_forecast_hw_fit(const double *y, size_t n, int m, int nonneg, int horizon, double confidence,
                   lw_forecast_hw *out)
{
    double best = INFINITY, sse, clip;
    size_t i, j, k, cnt, valid = 0;
    int bi = -1, bj = 0, bk = 0;
    hstep hs;

    memset(out, 0, sizeof(*out));
    if (m < 2 || m > LW_FORECAST_MAX_SEASON || n < (size_t) (2 * m))
        return LW_EINVAL;
    for (i = 0; i < n; i++)
        valid += !isnan(y[i]);
    if (valid < (size_t) m + 3)
        return LW_EINVAL;
    clip = 3 * robust_scale(y, n, m);
    if (!(clip > 0))
        clip = 0;
    for (i = 0; i < LW_ARRAY_LEN(alphas); i++)
        for (j = 0; j < LW_ARRAY_LEN(betas); j++)
            for (k = 0; k < LW_ARRAY_LEN(gammas); k++) {
                sse = run(y, n, m, alphas[i], betas[j] * alphas[i], gammas[k], clip, NULL, &cnt,
                          NULL, NULL);
                if (isfinite(sse) && sse < best) {
                    best = sse;
                    bi = (int) i;
                    bj = (int) j;
                    bk = (int) k;
                }
            }
    if (bi < 0)
        return LW_EINVAL;
    out->m = m;
    out->alpha = alphas[bi];
    out->beta = betas[bj] * alphas[bi];
    out->gamma = gammas[bk];
    out->phi = PHI;
    out->nonneg = nonneg;
    out->n = n;
    out->n_valid = valid;
    memset(&hs, 0, sizeof(hs));
    hs.horizon = horizon < 1 ? 0 : horizon > LW_FORECAST_MAX_HORIZON ? LW_FORECAST_MAX_HORIZON
                 : horizon;
    hs.cap = n;
    hs.err = hs.horizon > 0 ? malloc((size_t) hs.horizon * n * sizeof(double)) : NULL;
    if (hs.err == NULL)
        hs.horizon = 0;
    run(y, n, m, out->alpha, out->beta, out->gamma, clip, out, &cnt, hs.horizon > 0 ? &hs : NULL,
        NULL);
    empirical(out, &hs, confidence);
    free(hs.err);
    /* three smoothing parameters were estimated */
    out->sigma = cnt > 3 ? sqrt(best / (double) (cnt - 3)) : NAN;
    return isfinite(out->sigma) ? LW_OK : LW_EINVAL;
}

void
lw_forecast_hw_predict(const lw_forecast_hw *f, int h, double confidence, double *point,
                       double *lo, double *hi)
{
    double damp = 0, pj = 1, v = 1, cj, z, half;
    int j;

    for (j = 1; j <= h; j++) {
        pj *= f->phi;
        damp += pj;               /* phi + ... + phi^j */
        if (j < h) {
            cj = f->alpha + f->beta * damp + (j % f->m == 0 ? f->gamma : 0);
            v += cj * cj;
        }
    }
    *point = f->level + damp * f->trend + f->season[(h - 1) % f->m];
    if (h <= LW_FORECAST_MAX_HORIZON && f->emp_n[h - 1] >= 50 && f->conf == confidence) {
        *lo = *point + f->emp_lo[h - 1];
        *hi = *point + f->emp_hi[h - 1];
    } else {
        z = lw_forecast_norm_quantile(0.5 + confidence / 2);
        half = z * f->sigma * sqrt(v);
        *lo = *point - half;
        *hi = *point + half;
    }
    if (f->nonneg) {
        if (*point < 0)
            *point = 0;
        if (*lo < 0)
            *lo = 0;
        if (*hi < 0)
            *hi = 0;
    }
}

void
lw_forecast_hw_backtest(const double *y, size_t n, int m, int nonneg, size_t first, size_t every,
                        int horizon, double confidence, lw_forecast_score *out)
{
    lw_forecast_hw f;
    double p, lo, hi, a;
    size_t o;
    int h;

    if (every == 0)
        every = 1;
    for (o = first; o < n; o += every) {
        if (lw_forecast_hw_fit(y, o, m, nonneg, horizon, confidence, &f) != LW_OK)
            continue;
        out->origins++;
        for (h = 1; h <= horizon && o + (size_t) h - 1 < n; h++) {
            a = y[o + (size_t) h - 1];
            if (isnan(a))
                continue;
            lw_forecast_hw_predict(&f, h, confidence, &p, &lo, &hi);
            out->points++;
            out->covered += a >= lo && a <= hi;
            if (a != 0) {
                out->ape_n++;
                out->ape_sum += fabs(a - p) / fabs(a);
            }
        }
    }
}

double
lw_forecast_coverage(const lw_forecast_score *s)
{
    return s->points > 0 ? 100.0 * (double) s->covered / (double) s->points : NAN;
}

double
lw_forecast_mape(const lw_forecast_score *s)
{
    return s->ape_n > 0 ? 100.0 * s->ape_sum / (double) s->ape_n : NAN;
}

/* ---- the linear trend of the forecast rule kind ---- */

int
lw_forecast_linear(long long n, double slope, double intercept, double avgx, double sxx,
                   double syy, double sxy, double horizon_h, double confidence, double limit,
                   int upward, lw_forecast_line *out)
{
    double s2, se, t, tc, dx;

    memset(out, 0, sizeof(*out));
    out->hours_until = NAN;
    if (n < 3 || !(sxx > 0) || !isfinite(slope) || !isfinite(intercept))
        return LW_EINVAL;
    out->now = intercept;
    out->at_horizon = intercept + slope * horizon_h;
    s2 = (syy - slope * sxy) / (double) (n - 2);
    if (!(s2 > 0))
        s2 = 0;
    dx = horizon_h - avgx;
    se = sqrt(s2 * (1.0 + 1.0 / (double) n + dx * dx / sxx));
    t = lw_stats_t_quantile(confidence, n - 2);
    out->lo = out->at_horizon - t * se;
    out->hi = out->at_horizon + t * se;
    if (upward ? out->now > limit : out->now < limit) {
        out->hours_until = 0;
    } else if (slope != 0.0) {
        tc = (limit - intercept) / slope;
        if (tc >= 0 && tc <= horizon_h && (upward ? slope > 0 : slope < 0))
            out->hours_until = tc;
    }
    return LW_OK;
}
