/* rollups.c: the SQL that keeps the rollups table in step with probes
 * (see rollups.h; the design is in docs/rollups.md). */
#include "db/rollups.h"

#include "db/sql.h"

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
    "   FROM (SELECT " SETTING_INT("retention_days", "0") " AS days) r,"
    "        (SELECT " SETTING_INT("rollups_5m_retention_days", "35") " AS days) f),"
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
lw_db_rollups_refresh(lw_db *db, lw_err *err, lw_rollup_stats *st)
{
    PGresult *res;

    /* two refreshes at once would each upsert from their own snapshot and
     * the older could win: the second waits, then sees the first's work */
    if (lw_db_exec(db, err, "SELECT pg_advisory_xact_lock(hashtext('llmwatch rollups'))",
                   0, NULL) < 0)
        return LW_EDB;
    res = lw_db_query(db, err, refresh_sql, 0, NULL);
    if (res == NULL)
        return LW_EDB;
    st->queued = lw_db_int(res, 0, 0);
    st->buckets = lw_db_int(res, 0, 1);
    st->hours = lw_db_int(res, 0, 2);
    st->written = lw_db_int(res, 0, 3);
    st->deleted = lw_db_int(res, 0, 4);
    st->expired = lw_db_int(res, 0, 5);
    PQclear(res);
    if (lw_db_exec(db, err,
                   "INSERT INTO settings (key, value) VALUES ('rollups_refreshed_at',"
                   " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
                   " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
                   0, NULL) < 0)
        return LW_EDB;
    return LW_OK;
}
