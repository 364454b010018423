/* rollup.c: keeps the rollups table in step with probes (the refresh, all
 * in SQL) and reads the latency histogram in C with the same arithmetic as
 * sql/006_rollups.sql. */
#include "rollup.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the refresh --------------------------------------------------------- */

#define ORIGIN "TIMESTAMPTZ '2000-01-01 00:00:00+00'"
#define ROLLUP_COLS \
    "bucket_start, model_id, environment_id, count, errors, total_n, sum_total_ms," \
    " sumsq_total_ms, max_total_ms, sum_ttft_ms, ttft_n, input_tokens, output_tokens," \
    " cost_usd, quality_sum, quality_n, tps_sum, tps_n, error_counts, total_hist, ttft_hist"
/* An upsert that leaves a row alone when nothing in it changed: a second
 * refresh over the same data writes nothing. */
#define UPSERT(res, src) \
    "INSERT INTO rollups (resolution, " ROLLUP_COLS ")" \
    " SELECT '" res "', " ROLLUP_COLS " FROM " src \
    " ON CONFLICT (resolution, model_id, environment_id, bucket_start) DO UPDATE SET" \
    " count = EXCLUDED.count, errors = EXCLUDED.errors, total_n = EXCLUDED.total_n," \
    " sum_total_ms = EXCLUDED.sum_total_ms, sumsq_total_ms = EXCLUDED.sumsq_total_ms," \
    " max_total_ms = EXCLUDED.max_total_ms, sum_ttft_ms = EXCLUDED.sum_ttft_ms," \
    " ttft_n = EXCLUDED.ttft_n, input_tokens = EXCLUDED.input_tokens," \
    " output_tokens = EXCLUDED.output_tokens, cost_usd = EXCLUDED.cost_usd," \
    " quality_sum = EXCLUDED.quality_sum, quality_n = EXCLUDED.quality_n," \
    " tps_sum = EXCLUDED.tps_sum, tps_n = EXCLUDED.tps_n, error_counts = EXCLUDED.error_counts," \
    " total_hist = EXCLUDED.total_hist, ttft_hist = EXCLUDED.ttft_hist" \
    " WHERE (rollups.count, rollups.errors, rollups.total_n, rollups.sum_total_ms," \
    "  rollups.sumsq_total_ms, rollups.max_total_ms, rollups.sum_ttft_ms, rollups.ttft_n," \
    "  rollups.input_tokens, rollups.output_tokens, rollups.cost_usd, rollups.quality_sum," \
    "  rollups.quality_n, rollups.tps_sum, rollups.tps_n, rollups.error_counts," \
    "  rollups.total_hist, rollups.ttft_hist)" \
    " IS DISTINCT FROM (EXCLUDED.count, EXCLUDED.errors, EXCLUDED.total_n, EXCLUDED.sum_total_ms," \
    "  EXCLUDED.sumsq_total_ms, EXCLUDED.max_total_ms, EXCLUDED.sum_ttft_ms, EXCLUDED.ttft_n," \
    "  EXCLUDED.input_tokens, EXCLUDED.output_tokens, EXCLUDED.cost_usd, EXCLUDED.quality_sum," \
    "  EXCLUDED.quality_n, EXCLUDED.tps_sum, EXCLUDED.tps_n, EXCLUDED.error_counts," \
    "  EXCLUDED.total_hist, EXCLUDED.ttft_hist)" \
    " RETURNING 1"

/* One statement, so one snapshot: the queue rows it claims and the probes
 * it reads are the same committed state. The 5m and 1h sets are each a
 * per-bucket LATERAL call of lw_rollup_compute (an index/BRIN range scan
 * of one bucket's probes), so a lone late row costs one bucket and one
 * hour, not a range scan from it to now. */
static const char refresh_sql[] =
    "WITH claimed AS (DELETE FROM rollup_dirty RETURNING bucket),"
    " cfg AS (SELECT"
    "   CASE WHEN r.days > 0 THEN ((current_date - r.days)::timestamp AT TIME ZONE 'UTC') END AS raw_from,"
    "   CASE WHEN f.days > 0 THEN date_bin('1 hour', now() - make_interval(days => f.days), " ORIGIN ") END"
    "     AS keep5_from"
    "   FROM (SELECT coalesce((SELECT value::int FROM settings WHERE key = 'retention_days'"
    "          AND value ~ '^[0-9]{1,6}$'), 0) AS days) r,"
    "        (SELECT coalesce((SELECT value::int FROM settings WHERE key = 'rollups_5m_retention_days'"
    "          AND value ~ '^[0-9]{1,6}$'), 35) AS days) f),"
    /* buckets whose raw rows retention is dropping are left as they are */
    " live AS (SELECT DISTINCT c.bucket AS b FROM claimed c, cfg"
    "   WHERE cfg.raw_from IS NULL OR c.bucket >= cfg.raw_from),"
    " b5 AS (SELECT l.b FROM live l, cfg WHERE cfg.keep5_from IS NULL OR l.b >= cfg.keep5_from),"
    " b1 AS (SELECT DISTINCT date_bin('1 hour', b, " ORIGIN ") AS b FROM live),"
    " x5 AS (SELECT x.* FROM b5 CROSS JOIN LATERAL"
    "   lw_rollup_compute(interval '5 minutes', b5.b, b5.b + interval '5 minutes') x),"
    " x1 AS (SELECT x.* FROM b1 CROSS JOIN LATERAL"
    "   lw_rollup_compute(interval '1 hour', b1.b, b1.b + interval '1 hour') x),"
    " u5 AS (" UPSERT("5m", "x5") "),"
    " u1 AS (" UPSERT("1h", "x1") "),"
    /* a recomputed bucket with no probe left (deleted backfill) goes */
    " d5 AS (DELETE FROM rollups r USING b5 WHERE r.resolution = '5m' AND r.bucket_start = b5.b"
    "   AND NOT EXISTS (SELECT 1 FROM x5 WHERE x5.bucket_start = r.bucket_start"
    "    AND x5.model_id = r.model_id AND x5.environment_id = r.environment_id) RETURNING 1),"
    " d1 AS (DELETE FROM rollups r USING b1 WHERE r.resolution = '1h' AND r.bucket_start = b1.b"
    "   AND NOT EXISTS (SELECT 1 FROM x1 WHERE x1.bucket_start = r.bucket_start"
    "    AND x1.model_id = r.model_id AND x1.environment_id = r.environment_id) RETURNING 1),"
    " old5 AS (DELETE FROM rollups r USING cfg WHERE r.resolution = '5m'"
    "   AND r.bucket_start < cfg.keep5_from RETURNING 1)"
    " SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM live),"
    "  (SELECT count(*) FROM b1), (SELECT count(*) FROM u5) + (SELECT count(*) FROM u1),"
    "  (SELECT count(*) FROM d5) + (SELECT count(*) FROM d1), (SELECT count(*) FROM old5)";

int
lw_rollup_refresh_stats(lw_db *db, lw_rollup_stats *st, lw_err *err)
{
    PGresult *res = NULL;
    int64_t t0 = lw_now_mono_us();
    int rc = LW_EDB;

    memset(st, 0, sizeof(*st));
    if (lw_db_begin(db, err) != LW_OK)
        return LW_EDB;
    /* two refreshes at once would each upsert from their own snapshot and
     * the older could win: the second waits, then sees the first's work */
    if (lw_db_exec(db, err, "SELECT pg_advisory_xact_lock(hashtext('llmwatch rollups'))", 0, NULL) < 0)
        goto cleanup;
    res = lw_db_query(db, err, refresh_sql, 0, NULL);
    if (res == NULL)
        goto cleanup;
    st->queued = lw_db_int(res, 0, 0);
    st->buckets = lw_db_int(res, 0, 1);
    st->hours = lw_db_int(res, 0, 2);
    st->written = lw_db_int(res, 0, 3);
    st->deleted = lw_db_int(res, 0, 4);
    st->expired = lw_db_int(res, 0, 5);
    if (lw_db_exec(db, err,
                   "INSERT INTO settings (key, value) VALUES ('rollups_refreshed_at',"
                   " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
                   " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
                   0, NULL) < 0)
        goto cleanup;
    if (lw_db_commit(db, err) != LW_OK)
        goto cleanup;
    rc = LW_OK;
cleanup:
    if (rc != LW_OK)
        lw_db_rollback(db);
    PQclear(res);
    st->elapsed_ms = (lw_now_mono_us() - t0) / 1000.0;
    if (rc == LW_OK && st->queued > 0)
        lw_log(LW_LOG_INFO, "rollups: %lld five-minute buckets and %lld hours recomputed, "
               "%lld rows written, %lld deleted, %lld expired (%.0f ms)", st->buckets, st->hours,
               st->written, st->deleted, st->expired, st->elapsed_ms);
    return rc;
}

int
lw_rollup_refresh(lw_db *db, lw_err *err)
{
    lw_rollup_stats st;

    return lw_rollup_refresh_stats(db, &st, err);
}
