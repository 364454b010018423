/* rollup.c: the latency histogram of the rollups read in C with the same
 * arithmetic as sql/006_rollups.sql, and the refresh job around the SQL of
 * lib/db/rollups.c. */
#include "rollup.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db/rollups.h"

const char *const lw_rollup_error_classes[LW_ROLLUP_ERROR_CLASSES] = {
    "timeout", "connect", "tls", "http_4xx", "rate_limited", "http_5xx",
    "protocol", "empty", "auth", "config", "other",
};

#define TOP_BUCKET (LW_ROLLUP_BUCKETS - 1)      /* 161: >= 2^20 ms */
#define LOG_BUCKETS (LW_ROLLUP_BUCKETS - 2)     /* 160 log-spaced buckets */

/* ---- the histogram ------------------------------------------------------- */

int
lw_rollup_bucket(double ms)
{
    double x;
    int k;

    if (isnan(ms))
        return TOP_BUCKET;
    if (ms < 1)
        return 0;
    x = log(ms);
    if (x >= LW_ROLLUP_LN_TOP)
        return TOP_BUCKET;
    /* exactly PostgreSQL 15's width_bucket(float8): count * (x - lo) /
     * (hi - lo) + 1 in double, then truncated; the order of the operations
     * decides values on a bucket boundary (16 computes it differently: see
     * db_bucket_sql_matches_c in tests/check_rollup.c) */
    k = (int) ((double) LOG_BUCKETS * (x - 0.0) / (LW_ROLLUP_LN_TOP - 0.0) + 1);
    return k > TOP_BUCKET ? TOP_BUCKET : k;
}

double
lw_rollup_bucket_lo(int k)
{
    if (k <= 0)
        return 0;
    if (k > TOP_BUCKET)
        k = TOP_BUCKET;
    return pow(2.0, (k - 1) / 8.0);
}

double
lw_rollup_bucket_hi(int k)
{
    if (k < 0)
        k = 0;
    if (k >= TOP_BUCKET)
        return INFINITY;
    return pow(2.0, k / 8.0);
}

double
lw_rollup_bucket_value(int k)
{
    double g = pow(2.0, 0.125);

    if (k <= 0)
        return 0.5;
    if (k >= TOP_BUCKET)
        return 1048576.0;
    return pow(2.0, (k - 1) / 8.0) * (2 * g / (g + 1));
}

double
lw_rollup_hist_percentile(const int *hist, size_t n, double q)
{
    long long total = 0, c = 0, i0, i1;
    double r, v0 = NAN, v1 = NAN;
    size_t k;

    if (hist == NULL)
        return NAN;
    if (n > LW_ROLLUP_BUCKETS)
        n = LW_ROLLUP_BUCKETS;
    for (k = 0; k < n; k++)
        total += hist[k] > 0 ? hist[k] : 0;
    if (total == 0)
        return NAN;
    if (!(q >= 0))              /* NaN too */
        q = 0;
    if (q > 1)
        q = 1;
    r = q * (double) (total - 1);
    i0 = (long long) floor(r);
    i1 = (long long) ceil(r);
    for (k = 0; k < n; k++) {
        c += hist[k] > 0 ? hist[k] : 0;
        if (isnan(v0) && c > i0)
            v0 = lw_rollup_bucket_value((int) k);
        if (c > i1) {
            v1 = lw_rollup_bucket_value((int) k);
            break;
        }
    }
    return v0 + (r - (double) i0) * (v1 - v0);
}

int
lw_rollup_hist_parse(const char *text, int *hist, size_t n, long long *total)
{
    const char *p = text;
    char *end;
    long lo = 1, hi = -1, k, v;
    long long sum = 0;

    if (total != NULL)
        *total = 0;
    if (hist == NULL || text == NULL)
        return LW_EINVAL;
    memset(hist, 0, n * sizeof(*hist));
    if (*p == '[') {
        errno = 0;
        lo = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end != ':' || errno != 0)
            return LW_EINVAL;
        p = end + 1;
        hi = strtol(p, &end, 10);
        if (end == p || strncmp(end, "]=", 2) != 0 || errno != 0 || hi < lo)
            return LW_EINVAL;
        p = end + 2;
    }
    if (*p++ != '{')
        return LW_EINVAL;
    if (*p == '}')
        return p[1] == '\0' ? LW_OK : LW_EINVAL;
    for (k = lo;; k++) {
        errno = 0;
        v = strtol(p, &end, 10);
        if (end == p || errno != 0 || v < 0 || v > INT_MAX)
            return LW_EINVAL;
        if (k < 0 || (size_t) k >= n || (hi >= lo && k > hi))
            return LW_EINVAL;
        hist[k] = (int) v;
        sum += v;
        p = end;
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '}' && p[1] == '\0')
            break;
        return LW_EINVAL;
    }
    if (hi >= lo && k != hi)
        return LW_EINVAL;
    if (total != NULL)
        *total = sum;
    return LW_OK;
}

/* ---- maintenance --------------------------------------------------------- */

int
lw_rollup_maintain(lw_db *db, lw_err *err, long long *expired)
{
    long long n = 0;
    int64_t t0 = lw_now_mono_us();

    if (lw_db_rollups_expire(db, err, &n) != LW_OK)
        return LW_EDB;
    if (n > 0)
        lw_log(LW_LOG_INFO, "rollups: %lld five-minute rows past their retention dropped (%.0f ms)",
               n, (lw_now_mono_us() - t0) / 1000.0);
    if (expired != NULL)
        *expired = n;
    return LW_OK;
}
