/* rollup.h: the 5-minute, hourly and daily rollups of probes (the
 * `rollups` table: per model, environment and bucket, counts, sums and
 * latency histograms, so pages, reports and figures never scan raw probes)
 * and their fixed log-bucket latency histogram.
 *
 * Design (docs/rollups.md): every statement writing probes rebuilds the
 * buckets it touched, at every level, in its own transaction (statement
 * triggers of sql/008_read_path.sql); readers go through lw_rollup_read().
 * Late rows, backfills and deletes are therefore followed at once;
 * retention's partition drops are not (rollups outlive raw data).
 *
 * The histogram: bucket 0 is [0, 1 ms), bucket k in 1..160 is
 * [2^((k-1)/8), 2^(k/8)) ms, bucket 161 is >= 2^20 ms (17.5 min). The same
 * mapping exists in SQL (lw_lat_bucket, lw_hist_quantile). */
#ifndef LW_ROLLUP_H
#define LW_ROLLUP_H

#include <stddef.h>

#include "db/db.h"

#define LW_ROLLUP_BUCKETS  162
/* ln(2^20): the log of the start of the open last bucket */
#define LW_ROLLUP_LN_TOP   13.862943611198906
/* (g-1)/(g+1) for g = 2^(1/8): the bound on |estimate - exact| / exact of
 * lw_rollup_hist_percentile for values in [1 ms, 2^20 ms) */
#define LW_ROLLUP_REL_ERROR 0.0433

/* The failed-probe classes counted in rollups.error_counts, in order
 * (lw_error_classes() in SQL): the CHECK list of probes.error_class, then
 * "other". */
#define LW_ROLLUP_ERROR_CLASSES 11
extern const char *const lw_rollup_error_classes[LW_ROLLUP_ERROR_CLASSES];

/* The bucket of a latency in ms (as lw_lat_bucket in SQL). */
int    lw_rollup_bucket(double ms);
/* Lower and upper bound of bucket k in ms (the last one's upper bound is
 * infinite; bucket 0 starts at 0). */
double lw_rollup_bucket_lo(int k);
double lw_rollup_bucket_hi(int k);
/* The value bucket k stands for (lw_hist_value): 2g/(g+1) x its lower
 * bound, within LW_ROLLUP_REL_ERROR of anything in it. */
double lw_rollup_bucket_value(int k);

/* The q-quantile (0..1) of a histogram of n buckets (index = bucket
 * number; n <= LW_ROLLUP_BUCKETS): the rank q*(n-1) as percentile_cont()
 * takes it, the two order statistics around it read as their buckets'
 * values and interpolated. NAN when the histogram is empty. For values in
 * [1 ms, 2^20 ms) the result is within LW_ROLLUP_REL_ERROR of the exact
 * percentile_cont(). */
double lw_rollup_hist_percentile(const int *hist, size_t n, double q);

/* Parses a histogram as PostgreSQL prints it ("{1,2}", "[29:31]={1,0,4}",
 * "{}") into hist[0..n-1] (zeroed first; the subscripts are the bucket
 * numbers). *total gets the sum (may be NULL). LW_EINVAL when it is not
 * such an array or a subscript is outside 0..n-1. */
int lw_rollup_hist_parse(const char *text, int *hist, size_t n, long long *total);

/* Maintenance of the rollups: drops 5-minute rows past the setting
 * `rollups_5m_retention_days` (default 8; 0 keeps them), in its own
 * transaction, and logs what it did. Nothing else is needed: the probes'
 * triggers keep every level current. *expired gets the rows dropped (may
 * be NULL). */
int lw_rollup_maintain(lw_db *db, lw_err *err, long long *expired);

#endif
