/* rollup.h: the 5-minute and 1-hour rollups of probes (the `rollups`
 * table of sql/001_schema.sql: per model, environment and bucket, counts,
 * sums and latency histograms, so charts over days and months never scan
 * raw probes) and their fixed log-bucket latency histogram.
 *
 * Design (docs/rollups.md): every statement writing probes queues the
 * 5-minute buckets it touched in `rollup_dirty` (triggers of
 * sql/006_rollups.sql); lw_rollup_refresh claims the queue and recomputes
 * exactly those buckets (and their hours) from the raw rows, in SQL, in
 * one statement. Late rows, backfills and deletes are therefore followed;
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

typedef struct {
    long long queued;       /* rollup_dirty rows claimed */
    long long buckets;      /* distinct 5-minute buckets recomputed */
    long long hours;        /* distinct hours recomputed */
    long long written;      /* rollup rows inserted or changed (5m + 1h) */
    long long deleted;      /* rollup rows of recomputed buckets without probes left */
    long long expired;      /* 5m rows past their retention */
    double    elapsed_ms;
} lw_rollup_stats;

/* Brings the rollups up to date with every committed change to probes:
 * claims the queue, recomputes the 5m buckets and 1h buckets it names from
 * raw probes (INSERT ... SELECT ... GROUP BY date_bin ... ON CONFLICT DO
 * UPDATE, only rows that changed are written), deletes rollup rows whose
 * probes are gone, and drops 5m rows older than the setting
 * `rollups_5m_retention_days` (default 35; 0 keeps them). Buckets older
 * than `retention_days` are not recomputed (their raw rows are being
 * dropped). One transaction, serialised with other refreshes by an
 * advisory lock; cheap when little changed (the probe job may call it
 * after each cycle). Records `rollups_refreshed_at` in settings. */
int lw_rollup_refresh(lw_db *db, lw_err *err);
/* The same, with what it did in *st. */
int lw_rollup_refresh_stats(lw_db *db, lw_err *err, lw_rollup_stats *st);

#endif
