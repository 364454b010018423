/* measures.c: the one query behind rule evaluation and backtests (see
 * measures.h): every figure a decision needs, for every model in a scope
 * and many evaluation times at once. */
#include "db/measures.h"

#include <stdio.h>

#include "alert/measure.h"

#define STR_(x) #x
#define STR(x) STR_(x)
/* an answer with a stall (max_gap_ms >= LW_STALL_GAP_MS) */
#define STALLED "p.max_gap_ms >= " STR(LW_STALL_GAP_MS)

/* The per-probe value of a metric (statistical reference distribution). */
#define PROBE_X \
    "CASE $7::text WHEN 'error_rate' THEN CASE WHEN p.ok THEN 0.0 ELSE 1.0 END::float8" \
    " WHEN 'success_rate' THEN CASE WHEN p.ok THEN 1.0 ELSE 0.0 END::float8" \
    " ELSE CASE WHEN p.ok THEN CASE $7::text" \
    "   WHEN 'ttft' THEN p.ttft_ms / 1000.0 WHEN 'p95_ttft' THEN p.ttft_ms / 1000.0" \
    "   WHEN 'tokens_per_second' THEN coalesce(p.decode_tps, p.e2e_tps)" \
    "   WHEN 'quality_score' THEN p.quality_score::float8" \
    "   WHEN 'refusal_rate' THEN CASE WHEN p.outcome = 'refusal' THEN 1.0 ELSE 0.0 END::float8" \
    "   WHEN 'blocked_rate' THEN CASE WHEN p.outcome = 'blocked' THEN 1.0 ELSE 0.0 END::float8" \
    "   WHEN 'reasoning_tokens' THEN p.reasoning_tokens::float8" \
    "   WHEN 'stall_rate' THEN CASE WHEN " STALLED " THEN 1.0 ELSE 0.0 END::float8" \
    "   ELSE p.total_ms / 1000.0 END END END"

/* The metric over a group of probes (a regression bucket of $9 seconds). */
#define GROUP_Y \
    "CASE $7::text" \
    " WHEN 'avg_latency' THEN avg(p.total_ms) FILTER (WHERE p.ok) / 1000.0" \
    " WHEN 'p50_latency' THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok) / 1000.0" \
    " WHEN 'p95_latency' THEN percentile_cont(0.95) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok) / 1000.0" \
    " WHEN 'p99_latency' THEN percentile_cont(0.99) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok) / 1000.0" \
    " WHEN 'ttft' THEN avg(p.ttft_ms) FILTER (WHERE p.ok) / 1000.0" \
    " WHEN 'p95_ttft' THEN percentile_cont(0.95) WITHIN GROUP (ORDER BY p.ttft_ms) FILTER (WHERE p.ok) / 1000.0" \
    " WHEN 'error_rate' THEN (count(*) FILTER (WHERE NOT p.ok))::float8 / count(*)" \
    " WHEN 'success_rate' THEN (count(*) FILTER (WHERE p.ok))::float8 / count(*)" \
    " WHEN 'tokens_per_second' THEN avg(coalesce(p.decode_tps, p.e2e_tps)) FILTER (WHERE p.ok)" \
    " WHEN 'cost_per_1k' THEN (sum(p.cost_usd) * 1000 / nullif(sum(coalesce(p.input_tokens, 0)" \
    "   + coalesce(p.output_tokens, 0)), 0))::float8" \
    " WHEN 'daily_cost' THEN sum(p.cost_usd)::float8 * 86400.0 / $9::bigint" \
    " WHEN 'quality_score' THEN avg(p.quality_score) FILTER (WHERE p.ok)" \
    " WHEN 'request_count' THEN count(*)::float8" \
    " WHEN 'refusal_rate' THEN (count(*) FILTER (WHERE p.ok AND p.outcome = 'refusal'))::float8" \
    "   / nullif(count(*) FILTER (WHERE p.ok), 0)" \
    " WHEN 'blocked_rate' THEN (count(*) FILTER (WHERE p.ok AND p.outcome = 'blocked'))::float8" \
    "   / nullif(count(*) FILTER (WHERE p.ok), 0)" \
    " WHEN 'reasoning_tokens' THEN avg(p.reasoning_tokens) FILTER (WHERE p.ok)" \
    " WHEN 'stall_rate' THEN (count(*) FILTER (WHERE p.ok AND " STALLED "))::float8" \
    "   / nullif(count(*) FILTER (WHERE p.ok), 0) END"

#define SAME_SERIES " p.model_id = s.model_id AND p.environment_id = s.environment_id"

/* $1 evaluation times (Unix seconds), $2/$3 scope (JSON arrays of model and
 * environment names, empty = all), $4 window, $5 daily cost wanted,
 * $6 statistical lookback (0 = none), $7 metric, $8 regression window
 * (0 = none), $9 regression bucket, $10 burn-rate counts wanted, $11 window
 * measures wanted. Windows are (at - w, at]. Everything is computed for
 * all the times at once: what reaches back further than a few minutes
 * (daily cost, the statistical reference, regression buckets, burn-rate
 * windows) is read once per query, not once per time. */
static const char fetch_sql[] =
    "WITH t AS (SELECT DISTINCT unnest($1::bigint[]) AS at),"
    " s AS (SELECT m.id AS model_id, m.environment_id, m.name AS model, e.name AS environment,"
    "         m.sla_target_ms / 1000.0 AS sla_target"
    "       FROM models m JOIN environments e ON e.id = m.environment_id"
    "       WHERE m.enabled"
    "         AND (json_array_length($2::json) = 0"
    "              OR m.name IN (SELECT json_array_elements_text($2::json)))"
    "         AND (json_array_length($3::json) = 0"
    "              OR e.name IN (SELECT json_array_elements_text($3::json)))),"
    /* daily cost at every time in one pass: running sums over the probes
     * and the window's two ends (a probe at exactly `at` is in, one at
     * exactly at - 24h is out), instead of re-reading 24 hours per time */
    " ev AS (SELECT p.model_id, p.environment_id, p.ts, 0 AS kind, NULL::bigint AS at, p.cost_usd AS c"
    "        FROM probes p WHERE $5::boolean"
    "          AND p.ts > to_timestamp((SELECT min(at) FROM t) - 86400)"
    "          AND p.ts <= to_timestamp((SELECT max(at) FROM t))"
    "          AND (p.model_id, p.environment_id) IN (SELECT model_id, environment_id FROM s)"
    "      UNION ALL SELECT s.model_id, s.environment_id, to_timestamp(t.at), 2, t.at, NULL"
    "        FROM t CROSS JOIN s WHERE $5::boolean"
    "      UNION ALL SELECT s.model_id, s.environment_id, to_timestamp(t.at - 86400), 1, t.at, NULL"
    "        FROM t CROSS JOIN s WHERE $5::boolean),"
    " run AS (SELECT ev.*, sum(ev.c) OVER w AS cum, count(ev.c) OVER w AS n FROM ev"
    "         WINDOW w AS (PARTITION BY ev.model_id, ev.environment_id ORDER BY ev.ts, ev.kind"
    "                      ROWS UNBOUNDED PRECEDING)),"
    " dc AS (SELECT run.model_id, run.environment_id, run.at,"
    "          CASE WHEN sum(CASE run.kind WHEN 2 THEN run.n ELSE -run.n END) > 0 THEN"
    "            sum(CASE run.kind WHEN 2 THEN coalesce(run.cum, 0) ELSE -coalesce(run.cum, 0) END)::float8"
    "          END AS daily_cost"
    "        FROM run WHERE run.kind > 0 GROUP BY run.model_id, run.environment_id, run.at),"
    /* the statistical reference (at - window - lookback, at - window], the
     * same way: running count, sum and sum of squares of the per-probe
     * metric, differenced at the two ends */
    " sev AS (SELECT p.model_id, p.environment_id, p.ts, 0 AS kind, NULL::bigint AS at,"
    "           " PROBE_X " AS x"
    "         FROM probes p WHERE $6::bigint > 0"
    "           AND p.ts > to_timestamp((SELECT min(at) FROM t) - $4::bigint - $6::bigint)"
    "           AND p.ts <= to_timestamp((SELECT max(at) FROM t) - $4::bigint)"
    "           AND (p.model_id, p.environment_id) IN (SELECT model_id, environment_id FROM s)"
    "       UNION ALL SELECT s.model_id, s.environment_id, to_timestamp(t.at - $4::bigint), 2, t.at,"
    "           NULL FROM t CROSS JOIN s WHERE $6::bigint > 0"
    "       UNION ALL SELECT s.model_id, s.environment_id,"
    "           to_timestamp(t.at - $4::bigint - $6::bigint), 1, t.at, NULL"
    "         FROM t CROSS JOIN s WHERE $6::bigint > 0),"
    " srun AS (SELECT sev.*, count(sev.x) OVER w AS n, sum(sev.x) OVER w AS sx,"
    "            sum(sev.x * sev.x) OVER w AS sxx FROM sev"
    "          WINDOW w AS (PARTITION BY sev.model_id, sev.environment_id ORDER BY sev.ts, sev.kind"
    "                       ROWS UNBOUNDED PRECEDING)),"
    " sagg AS (SELECT srun.model_id, srun.environment_id, srun.at,"
    "            sum(CASE srun.kind WHEN 2 THEN srun.n ELSE -srun.n END) AS n,"
    "            sum(CASE srun.kind WHEN 2 THEN coalesce(srun.sx, 0) ELSE -coalesce(srun.sx, 0) END) AS sx,"
    "            sum(CASE srun.kind WHEN 2 THEN coalesce(srun.sxx, 0) ELSE -coalesce(srun.sxx, 0) END) AS sxx"
    "          FROM srun WHERE srun.kind > 0 GROUP BY srun.model_id, srun.environment_id, srun.at),"
    " st AS (SELECT sagg.model_id, sagg.environment_id, sagg.at, sagg.n,"
    "          CASE WHEN sagg.n > 0 THEN sagg.sx / sagg.n END AS mean,"
    "          CASE WHEN sagg.n > 1 THEN sqrt(greatest(0, (sagg.sxx - sagg.sx * sagg.sx / sagg.n)"
    "            / (sagg.n - 1))) END AS std_dev"
    "        FROM sagg),"
    /* regression: buckets of $9 seconds aligned to the epoch, bucket k
     * holding (k * $9, (k + 1) * $9], computed once for all times; a time
     * regresses over the complete buckets inside (at - $8, at] */
    " bk AS (SELECT p.model_id, p.environment_id,"
    "          ceil(extract(epoch FROM p.ts) / $9::bigint)::bigint - 1 AS k,"
    "          avg(extract(epoch FROM p.ts))::float8 AS xe, count(*) AS c,"
    "          (" GROUP_Y ")::float8 AS y"
    "        FROM probes p WHERE $8::bigint > 0"
    "          AND p.ts > to_timestamp((SELECT min(at) FROM t) - $8::bigint)"
    "          AND p.ts <= to_timestamp((SELECT max(at) FROM t))"
    "          AND (p.model_id, p.environment_id) IN (SELECT model_id, environment_id FROM s)"
    "        GROUP BY 1, 2, 3),"
    " rg AS (SELECT t.at, bk.model_id, bk.environment_id, sum(bk.c) AS samples,"
    "          regr_count(bk.y, (bk.xe - t.at) / 3600.0) AS n,"
    "          regr_slope(bk.y, (bk.xe - t.at) / 3600.0) AS slope,"
    "          regr_intercept(bk.y, (bk.xe - t.at) / 3600.0) AS intercept,"
    "          regr_avgx(bk.y, (bk.xe - t.at) / 3600.0) AS avgx,"
    "          regr_sxx(bk.y, (bk.xe - t.at) / 3600.0) AS sxx,"
    "          regr_syy(bk.y, (bk.xe - t.at) / 3600.0) AS syy,"
    "          regr_sxy(bk.y, (bk.xe - t.at) / 3600.0) AS sxy"
    "        FROM t JOIN bk ON (bk.k + 1) * $9::bigint <= t.at AND bk.k * $9::bigint >= t.at - $8::bigint"
    "        GROUP BY t.at, bk.model_id, bk.environment_id),"
    /* burn rate: running counts of probes and failures, differenced at
     * at - 5m, 30m, 1h, 6h, 3d */
    " bev AS (SELECT p.model_id, p.environment_id, p.ts, 0 AS kind, NULL::bigint AS at,"
    "           NULL::int AS wi, CASE WHEN p.ok THEN 0 ELSE 1 END AS e"
    "         FROM probes p WHERE $10::boolean"
    "           AND p.ts > to_timestamp((SELECT min(at) FROM t) - 259200)"
    "           AND p.ts <= to_timestamp((SELECT max(at) FROM t))"
    "           AND (p.model_id, p.environment_id) IN (SELECT model_id, environment_id FROM s)"
    "       UNION ALL SELECT s.model_id, s.environment_id, to_timestamp(t.at - w.len), 1, t.at, w.i,"
    "           NULL FROM t CROSS JOIN s"
    "           CROSS JOIN (VALUES (0, 300), (1, 1800), (2, 3600), (3, 21600), (4, 259200)) w (i, len)"
    "         WHERE $10::boolean"
    "       UNION ALL SELECT s.model_id, s.environment_id, to_timestamp(t.at), 2, t.at, NULL, NULL"
    "         FROM t CROSS JOIN s WHERE $10::boolean),"
    " brun AS (SELECT bev.*, count(bev.e) OVER w AS c, coalesce(sum(bev.e) OVER w, 0) AS er FROM bev"
    "          WINDOW w AS (PARTITION BY bev.model_id, bev.environment_id ORDER BY bev.ts, bev.kind"
    "                       ROWS UNBOUNDED PRECEDING)),"
    " br AS (SELECT brun.model_id, brun.environment_id, brun.at,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.c WHEN brun.wi = 0 THEN -brun.c ELSE 0 END) AS c0,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.er WHEN brun.wi = 0 THEN -brun.er ELSE 0 END) AS e0,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.c WHEN brun.wi = 1 THEN -brun.c ELSE 0 END) AS c1,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.er WHEN brun.wi = 1 THEN -brun.er ELSE 0 END) AS e1,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.c WHEN brun.wi = 2 THEN -brun.c ELSE 0 END) AS c2,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.er WHEN brun.wi = 2 THEN -brun.er ELSE 0 END) AS e2,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.c WHEN brun.wi = 3 THEN -brun.c ELSE 0 END) AS c3,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.er WHEN brun.wi = 3 THEN -brun.er ELSE 0 END) AS e3,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.c WHEN brun.wi = 4 THEN -brun.c ELSE 0 END) AS c4,"
    "          sum(CASE WHEN brun.kind = 2 THEN brun.er WHEN brun.wi = 4 THEN -brun.er ELSE 0 END) AS e4"
    "        FROM brun WHERE brun.kind > 0 GROUP BY brun.model_id, brun.environment_id, brun.at)"
    " SELECT t.at, s.model_id, s.environment_id, s.model, s.environment, s.sla_target,"
    "   w.avg_latency, w.p50_latency, w.p95_latency, w.p99_latency, w.ttft, w.p95_ttft,"
    "   w.error_rate, w.success_rate, w.tokens_per_second, w.cost_per_1k, dc.daily_cost,"
    "   w.quality_score, w.request_count, w.refusal_rate, w.blocked_rate, w.reasoning_tokens,"
    "   w.stall_rate, vc.version_changes,"
    "   b.latency_mean_ms / 1000.0, NULL::float8, b.latency_p95_ms / 1000.0, NULL::float8,"
    "   b.ttft_mean_ms / 1000.0, b.ttft_p95_ms / 1000.0, 1 - b.success_rate, b.success_rate,"
    "   b.tokens_per_second, b.cost_per_1k_usd::float8, b.daily_cost_usd::float8,"
    "   b.quality_score, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8,"
    "   NULL::float8,"
    "   st.mean, st.std_dev, st.n,"
    "   rg.n, rg.samples, rg.slope, rg.intercept, rg.avgx, rg.sxx, rg.syy, rg.sxy,"
    "   br.c0, br.e0, br.c1, br.e1, br.c2, br.e2, br.c3, br.e3, br.c4, br.e4"
    " FROM t CROSS JOIN s"
    " LEFT JOIN LATERAL (SELECT count(*)::float8 AS request_count,"
    "     avg(p.total_ms) FILTER (WHERE p.ok) / 1000.0 AS avg_latency,"
    "     percentile_cont(0.5) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok) / 1000.0 AS p50_latency,"
    "     percentile_cont(0.95) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok) / 1000.0 AS p95_latency,"
    "     percentile_cont(0.99) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok) / 1000.0 AS p99_latency,"
    "     avg(p.ttft_ms) FILTER (WHERE p.ok) / 1000.0 AS ttft,"
    "     percentile_cont(0.95) WITHIN GROUP (ORDER BY p.ttft_ms) FILTER (WHERE p.ok) / 1000.0 AS p95_ttft,"
    "     (count(*) FILTER (WHERE NOT p.ok))::float8 / nullif(count(*), 0) AS error_rate,"
    "     (count(*) FILTER (WHERE p.ok))::float8 / nullif(count(*), 0) AS success_rate,"
    "     avg(coalesce(p.decode_tps, p.e2e_tps)) FILTER (WHERE p.ok) AS tokens_per_second,"
    "     (sum(p.cost_usd) * 1000 / nullif(sum(coalesce(p.input_tokens, 0)"
    "       + coalesce(p.output_tokens, 0)), 0))::float8 AS cost_per_1k,"
    "     avg(p.quality_score) FILTER (WHERE p.ok) AS quality_score,"
    "     (count(*) FILTER (WHERE p.ok AND p.outcome = 'refusal'))::float8"
    "       / nullif(count(*) FILTER (WHERE p.ok), 0) AS refusal_rate,"
    "     (count(*) FILTER (WHERE p.ok AND p.outcome = 'blocked'))::float8"
    "       / nullif(count(*) FILTER (WHERE p.ok), 0) AS blocked_rate,"
    "     avg(p.reasoning_tokens) FILTER (WHERE p.ok)::float8 AS reasoning_tokens,"
    "     (count(*) FILTER (WHERE p.ok AND " STALLED "))::float8"
    "       / nullif(count(*) FILTER (WHERE p.ok), 0) AS stall_rate"
    "   FROM probes p WHERE $11::boolean AND" SAME_SERIES
    "     AND p.ts > to_timestamp(t.at - $4::bigint) AND p.ts <= to_timestamp(t.at)) w ON true"
    /* a version row that follows an earlier one of the model is a change */
    " LEFT JOIN LATERAL (SELECT count(*)::float8 AS version_changes FROM model_versions v"
    "   WHERE $11::boolean AND v.model_id = s.model_id AND v.environment_id = s.environment_id"
    "     AND v.first_seen > to_timestamp(t.at - $4::bigint) AND v.first_seen <= to_timestamp(t.at)"
    "     AND EXISTS (SELECT 1 FROM model_versions v0 WHERE v0.model_id = v.model_id"
    "       AND v0.environment_id = v.environment_id AND v0.first_seen < v.first_seen)) vc"
    "   ON $11::boolean"
    " LEFT JOIN dc ON dc.at = t.at AND dc.model_id = s.model_id"
    "   AND dc.environment_id = s.environment_id"
    " LEFT JOIN baselines b ON b.model_id = s.model_id AND b.environment_id = s.environment_id"
    "   AND b.active"
    " LEFT JOIN st ON st.at = t.at AND st.model_id = s.model_id"
    "   AND st.environment_id = s.environment_id"
    " LEFT JOIN rg ON rg.at = t.at AND rg.model_id = s.model_id"
    "   AND rg.environment_id = s.environment_id"
    " LEFT JOIN br ON br.at = t.at AND br.model_id = s.model_id"
    "   AND br.environment_id = s.environment_id"
    " ORDER BY t.at, s.environment, s.model_id";

/* The times as a bigint[] literal into b: LW_OK, or LW_ENOMEM (said in err). */
static int
times_array(lw_buf *b, const time_t *at, size_t n_at, lw_err *err)
{
    size_t i;

    lw_buf_putc(b, '{');
    for (i = 0; i < n_at; i++)
        lw_buf_printf(b, "%s%lld", i > 0 ? "," : "", (long long) at[i]);
    if (lw_buf_putc(b, '}') != LW_OK) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    return LW_OK;
}

PGresult *
lw_db_measures_fetch(lw_db *db, lw_err *err, const lw_db_measures_spec *q, const time_t *at,
                     size_t n_at)
{
    char window[24], lookback[24], rwin[24], bucket[24];
    const char *p[11];
    lw_buf times = { 0 };
    PGresult *res = NULL;

    if (times_array(&times, at, n_at, err) != LW_OK)
        goto cleanup;
    snprintf(window, sizeof(window), "%lld", q->window_s);
    snprintf(lookback, sizeof(lookback), "%lld", q->lookback_s);
    snprintf(rwin, sizeof(rwin), "%lld", q->regr_window_s);
    snprintf(bucket, sizeof(bucket), "%lld", q->regr_bucket_s);
    p[0] = times.data;
    p[1] = q->models_json;
    p[2] = q->environments_json;
    p[3] = window;
    p[4] = q->daily_cost ? "true" : "false";
    p[5] = lookback;
    p[6] = q->metric;
    p[7] = rwin;
    p[8] = bucket;
    p[9] = q->burn ? "true" : "false";
    p[10] = q->window_measures ? "true" : "false";
    res = lw_db_query(db, err, fetch_sql, 11, p);
cleanup:
    lw_buf_free(&times);
    return res;
}

PGresult *
lw_db_measures_custom(lw_db *db, lw_err *err, const char *name, const time_t *at, size_t n_at,
                      long long window_s)
{
    char w[24];
    const char *p[3] = { NULL, name, w };
    lw_buf times = { 0 };
    PGresult *res = NULL;

    snprintf(w, sizeof(w), "%lld", window_s);
    if (times_array(&times, at, n_at, err) != LW_OK)
        goto cleanup;
    p[0] = times.data;
    res = lw_db_query(db, err,
        "SELECT t.at, c.model_id, c.environment_id, c.mean"
        " FROM unnest($1::bigint[]) AS t(at),"
        " LATERAL lw_custom_metric_read(NULL, $2, to_timestamp(t.at - $3::bigint),"
        "   to_timestamp(t.at) + interval '1 microsecond') c", 3, p);
cleanup:
    lw_buf_free(&times);
    return res;
}

int
lw_db_measures_jit(lw_db *db, lw_err *err, int on)
{
    return lw_db_exec(db, err, on ? "RESET jit" : "SET jit = off", 0, NULL) < 0 ? LW_EDB : LW_OK;
}
