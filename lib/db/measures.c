/* measures.c: the one query behind rule evaluation and backtests (see
 * measures.h): every figure a decision needs, for every model in a scope
 * and many evaluation times at once. */
#include "db/measures.h"

#include <stdio.h>

#include "alert/measure.h"
#include "db/sql.h"

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

/* Epoch seconds down or up to a multiple of g (rollup buckets start on
 * multiples of their length from 2000-01-01, itself a whole number of days
 * after the epoch). */
#define FLOOR_(x, g) "((" x ") / " g " * " g ")"
#define CEIL_(x, g) "(((" x ") + " g " - 1) / " g " * " g ")"

/* The statistical reference from rollup rows r: the count, sum and sum of
 * squares of PROBE_X, for the metrics the rollups hold exactly (0/1 rates
 * and the total latency); ROLLUP_X_OK is false for the others (time to
 * first token, tokens/s, quality and reasoning tokens of ok probes), which
 * are read raw. */
#define ROLLUP_X_OK \
    "($7::text NOT IN ('ttft', 'p95_ttft', 'tokens_per_second', 'quality_score'," \
    " 'reasoning_tokens'))"
#define ROLLUP_XN \
    "CASE $7::text WHEN 'error_rate' THEN r.count WHEN 'success_rate' THEN r.count" \
    " WHEN 'refusal_rate' THEN r.count - r.errors WHEN 'blocked_rate' THEN r.count - r.errors" \
    " WHEN 'stall_rate' THEN r.count - r.errors ELSE r.total_n END"
#define ROLLUP_XS_(sq) \
    "CASE $7::text WHEN 'error_rate' THEN r.errors::float8" \
    " WHEN 'success_rate' THEN (r.count - r.errors)::float8" \
    " WHEN 'refusal_rate' THEN r.refusals::float8 WHEN 'blocked_rate' THEN r.blocked::float8" \
    " WHEN 'stall_rate' THEN r.stalls::float8 ELSE " sq " END"
#define ROLLUP_XS ROLLUP_XS_("r.sum_total_ms / 1000.0")
#define ROLLUP_XSS ROLLUP_XS_("r.sumsq_total_ms / 1000000.0")

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
    /* The long windows: burn rates 5m .. 3d (i 0..4), daily cost (i 5)
     * and the statistical reference (i 6), each (a, b] for every time.
     * A window is read as an exact hybrid: raw probes only at its two
     * edges (a, a5) and [b5, b], 5-minute rollups over [a5, ah) and
     * [bh, b5), hourly rollups over the whole hours [ah, bh) between.
     * a5 and b5 are 5-minute aligned where 5-minute rollups are kept,
     * hour-aligned before. A metric the rollups cannot give exactly
     * (r false) is read raw over the whole window (a5 = b5 = b). */
    " k5 AS (SELECT CASE WHEN f.days > 0 THEN extract(epoch FROM date_bin('1 day',"
    "          now() - make_interval(days => f.days), " ORIGIN "))::bigint ELSE 0 END AS cut"
    "        FROM (SELECT " SETTING_INT("rollups_5m_retention_days", "8") " AS days) f),"
    " wl AS (SELECT v.i, v.a, v.b, true AS r FROM (VALUES (0, 300, 0), (1, 1800, 0), (2, 3600, 0),"
    "          (3, 21600, 0), (4, 259200, 0)) v (i, a, b) WHERE $10::boolean"
    "        UNION ALL SELECT 5, 86400, 0, true WHERE $5::boolean"
    "        UNION ALL SELECT 6, $4::bigint + $6::bigint, $4::bigint, " ROLLUP_X_OK
    "          WHERE $6::bigint > 0),"
    " wd1 AS (SELECT t.at, wl.i, t.at - wl.a AS a, t.at - wl.b AS b,"
    "           CASE WHEN NOT wl.r THEN t.at - wl.b"
    "             WHEN t.at - wl.a >= k5.cut THEN " CEIL_("t.at - wl.a", "300")
    "             ELSE " CEIL_("t.at - wl.a", "3600") " END AS a5,"
    "           CASE WHEN NOT wl.r THEN t.at - wl.b"
    "             WHEN " FLOOR_("t.at - wl.b", "300") " >= k5.cut THEN " FLOOR_("t.at - wl.b", "300")
    "             ELSE " FLOOR_("t.at - wl.b", "3600") " END AS b5"
    "         FROM t CROSS JOIN wl CROSS JOIN k5),"
    " wd2 AS (SELECT wd1.at, wd1.i, wd1.a, wd1.b, wd1.a5, greatest(wd1.b5, wd1.a5) AS b5 FROM wd1),"
    " wd AS (SELECT wd2.*, least(" CEIL_("wd2.a5", "3600") ", wd2.b5) AS ah,"
    "          greatest(" FLOOR_("wd2.b5", "3600") ", least(" CEIL_("wd2.a5", "3600") ", wd2.b5)) AS bh"
    "        FROM wd2),"
    /* what each source must hold, as closed ranges merged into islands */
    " rr AS (SELECT 'p' AS src, wd.a AS lo, wd.a5 AS hi FROM wd"
    "        UNION ALL SELECT 'p', wd.b5, wd.b FROM wd"
    "        UNION ALL SELECT '5', wd.a5, wd.ah - 1 FROM wd WHERE wd.ah > wd.a5"
    "        UNION ALL SELECT '5', wd.bh, wd.b5 - 1 FROM wd WHERE wd.b5 > wd.bh"
    "        UNION ALL SELECT 'h', wd.ah, wd.bh - 1 FROM wd WHERE wd.bh > wd.ah),"
    " ri AS (SELECT rr.*, CASE WHEN rr.lo <= max(rr.hi) OVER (PARTITION BY rr.src ORDER BY rr.lo, rr.hi"
    "          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS st FROM rr),"
    " rj AS (SELECT ri.*, sum(ri.st) OVER (PARTITION BY ri.src ORDER BY ri.lo, ri.hi"
    "          ROWS UNBOUNDED PRECEDING) AS g FROM ri),"
    " isl AS MATERIALIZED (SELECT rj.src, min(rj.lo) AS lo, max(rj.hi) AS hi FROM rj GROUP BY rj.src, rj.g),"
    /* two markers per range and window (pairs that cancel left out): a
     * running sum differenced at the markers is the window's figure */
    " mk AS (SELECT wd.at, wd.i, m.src, m.pt, m.ord, m.sg FROM wd CROSS JOIN LATERAL (VALUES"
    "          ('p', wd.b, 1, 1, true), ('p', wd.a, 1, -1, true),"
    "          ('p', wd.b5, -1, -1, wd.a5 <> wd.b5), ('p', wd.a5, -1, 1, wd.a5 <> wd.b5),"
    "          ('5', wd.ah, -1, 1, wd.ah <> wd.a5), ('5', wd.a5, -1, -1, wd.ah <> wd.a5),"
    "          ('5', wd.b5, -1, 1, wd.b5 <> wd.bh), ('5', wd.bh, -1, -1, wd.b5 <> wd.bh),"
    "          ('h', wd.bh, -1, 1, wd.bh <> wd.ah), ('h', wd.ah, -1, -1, wd.bh <> wd.ah))"
    "          m (src, pt, ord, sg, used) WHERE m.used),"
    /* the rows of the three sources and the points of the markers */
    " wev AS (SELECT s.model_id, s.environment_id, 'p'::text AS src, p.ts, 0 AS ord,"
    "           NULL::bigint AS pt, 1::bigint AS n,"
    "           CASE WHEN p.ok THEN 0 ELSE 1 END::bigint AS e, p.cost_usd AS c,"
    "           CASE WHEN px.x IS NULL THEN 0 ELSE 1 END::bigint AS xn,"
    "           px.x AS xs, px.x * px.x AS xss"
    /* OFFSET 0: one index range scan per island and series, never a
     * join of every probe with the islands */
    "         FROM isl CROSS JOIN s CROSS JOIN LATERAL (SELECT * FROM probes p WHERE" SAME_SERIES
    "           AND p.ts >= to_timestamp(isl.lo) AND p.ts <= to_timestamp(isl.hi) OFFSET 0) p"
    "           CROSS JOIN LATERAL (SELECT " PROBE_X " AS x) px"
    "         WHERE isl.src = 'p'"
    "       UNION ALL SELECT s.model_id, s.environment_id, isl.src, r.bucket_start, 0, NULL, r.count, r.errors, r.cost_usd, " ROLLUP_XN ", " ROLLUP_XS ", " ROLLUP_XSS
    "         FROM isl CROSS JOIN s CROSS JOIN LATERAL (SELECT * FROM rollups r"
    "           WHERE r.resolution = CASE isl.src WHEN '5' THEN '5m' ELSE '1h' END"
    "             AND r.model_id = s.model_id AND r.environment_id = s.environment_id"
    "             AND r.bucket_start >= to_timestamp(isl.lo)"
    "             AND r.bucket_start <= to_timestamp(isl.hi) OFFSET 0) r"
    "         WHERE isl.src <> 'p'"
    /* a marker of ord -1 sorts before the rows at its time (it sums what
     * is before), one of ord 1 after them (it sums what is at or before);
     * each point is summed once per series, however many windows share it */
    "       UNION ALL SELECT s.model_id, s.environment_id, mp.src, to_timestamp(mp.pt), mp.ord,"
    "           mp.pt, NULL, NULL, NULL, NULL, NULL, NULL"
    "         FROM (SELECT DISTINCT mk.src, mk.pt, mk.ord FROM mk) mp CROSS JOIN s),"
    " wrun AS (SELECT wev.model_id, wev.environment_id, wev.src, wev.pt, wev.ord,"
    "            coalesce(sum(wev.n) OVER w, 0) AS n, coalesce(sum(wev.e) OVER w, 0) AS e,"
    "            coalesce(sum(wev.c) OVER w, 0) AS c, coalesce(sum(wev.xn) OVER w, 0) AS xn,"
    "            coalesce(sum(wev.xs) OVER w, 0) AS xs, coalesce(sum(wev.xss) OVER w, 0) AS xss"
    "          FROM wev WINDOW w AS (PARTITION BY wev.model_id, wev.environment_id, wev.src"
    "                                ORDER BY wev.ts, wev.ord ROWS UNBOUNDED PRECEDING)),"
    " wsum AS (SELECT wrun.model_id, wrun.environment_id, mk.at, mk.i,"
    "            sum(mk.sg * wrun.n)::bigint AS n, sum(mk.sg * wrun.e)::bigint AS e,"
    "            sum(mk.sg * wrun.c) AS c, sum(mk.sg * wrun.xn)::bigint AS xn,"
    "            sum(mk.sg * wrun.xs) AS xs, sum(mk.sg * wrun.xss) AS xss"
    "          FROM mk JOIN wrun ON wrun.src = mk.src AND wrun.pt = mk.pt AND wrun.ord = mk.ord"
    "          GROUP BY wrun.model_id, wrun.environment_id, mk.at, mk.i),"
    " dc AS (SELECT wsum.model_id, wsum.environment_id, wsum.at,"
    "          CASE WHEN wsum.n > 0 THEN wsum.c::float8 END AS daily_cost FROM wsum WHERE wsum.i = 5),"
    " st AS (SELECT wsum.model_id, wsum.environment_id, wsum.at, wsum.xn AS n,"
    "          CASE WHEN wsum.xn > 0 THEN wsum.xs / wsum.xn END AS mean,"
    "          CASE WHEN wsum.xn > 1 THEN sqrt(greatest(0, (wsum.xss - wsum.xs * wsum.xs / wsum.xn)"
    "            / (wsum.xn - 1))) END AS std_dev"
    "        FROM wsum WHERE wsum.i = 6),"
    " br AS (SELECT wsum.model_id, wsum.environment_id, wsum.at,"
    "          sum(wsum.n) FILTER (WHERE wsum.i = 0) AS c0, sum(wsum.e) FILTER (WHERE wsum.i = 0) AS e0,"
    "          sum(wsum.n) FILTER (WHERE wsum.i = 1) AS c1, sum(wsum.e) FILTER (WHERE wsum.i = 1) AS e1,"
    "          sum(wsum.n) FILTER (WHERE wsum.i = 2) AS c2, sum(wsum.e) FILTER (WHERE wsum.i = 2) AS e2,"
    "          sum(wsum.n) FILTER (WHERE wsum.i = 3) AS c3, sum(wsum.e) FILTER (WHERE wsum.i = 3) AS e3,"
    "          sum(wsum.n) FILTER (WHERE wsum.i = 4) AS c4, sum(wsum.e) FILTER (WHERE wsum.i = 4) AS e4"
    "        FROM wsum WHERE wsum.i < 5 GROUP BY wsum.model_id, wsum.environment_id, wsum.at)"

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
    return lw_db_run(db, err, on ? "RESET jit" : "SET jit = off", 0, NULL);
}
