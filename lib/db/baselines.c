/* baselines.c: the SQL of `llmwatch baseline` (see baselines.h). */
#include "db/baselines.h"

#include <stdio.h>

#include "db/sql.h"

static const char DEACTIVATE_SQL[] =
    "UPDATE baselines SET active = false "
    "WHERE active AND (model_id, environment_id) IN ("
    "  SELECT model_id, environment_id FROM probes"
    "  WHERE cycle_id = $1::bigint AND ts >= $2::timestamptz AND ok)";

static const char INSERT_SQL[] =
    "INSERT INTO baselines (model_id, environment_id, suite, iterations, samples, latency_mean_ms,"
    "  latency_stddev_ms, latency_p95_ms, ttft_mean_ms, ttft_p95_ms, success_rate, tokens_per_second,"
    "  cost_per_1k_usd, daily_cost_usd, quality_score, active, cycle_id, tokens_rate) "
    "SELECT a.model_id, a.environment_id, a.suite, $3::int, a.samples, a.latency_mean_ms,"
    "  a.latency_stddev_ms, a.latency_p95_ms, a.ttft_mean_ms, a.ttft_p95_ms, a.success_rate,"
    "  a.tokens_per_second, a.cost_per_1k_usd,"
    "  (SELECT sum(d.c) / count(*) FROM ("
    "     SELECT date_trunc('day', x.ts) AS day, sum(x.cost_usd) AS c FROM ("
    "       SELECT ts, cost_usd FROM probes WHERE model_id = a.model_id"
    "         AND environment_id = a.environment_id AND ts >= current_date - 7 AND ts < current_date"
    "       UNION ALL"
    "       SELECT ts, cost_usd FROM usage_events WHERE model_id = a.model_id"
    "         AND environment_id = a.environment_id AND ts >= current_date - 7 AND ts < current_date"
    "     ) x GROUP BY 1) d),"
    "  a.quality_score, true, $1::bigint, 'decode' "
    "FROM ("
    "  SELECT model_id, environment_id, coalesce(min(suite), $4) AS suite, count(*) AS samples,"
    "    count(*) FILTER (WHERE ok) AS ok_n,"
    "    avg(total_ms) FILTER (WHERE ok) AS latency_mean_ms,"
    "    stddev_samp(total_ms) FILTER (WHERE ok) AS latency_stddev_ms,"
    "    percentile_cont(0.95) WITHIN GROUP (ORDER BY total_ms) FILTER (WHERE ok) AS latency_p95_ms,"
    "    avg(ttft_ms) FILTER (WHERE ok) AS ttft_mean_ms,"
    "    percentile_cont(0.95) WITHIN GROUP (ORDER BY ttft_ms) FILTER (WHERE ok) AS ttft_p95_ms,"
    "    avg(CASE WHEN ok THEN 1.0 ELSE 0.0 END)::float8 AS success_rate,"
    "    1000.0 * sum(output_tokens - 1) FILTER (WHERE ok AND output_tokens > 1 AND total_ms > ttft_ms)"
    "      / nullif(sum(total_ms - ttft_ms) FILTER (WHERE ok AND output_tokens > 1"
    "                                               AND total_ms > ttft_ms), 0) AS tokens_per_second,"
    "    1000 * sum(cost_usd) FILTER (WHERE cost_usd IS NOT NULL)"
    "      / nullif(sum(input_tokens + output_tokens) FILTER (WHERE cost_usd IS NOT NULL), 0)"
    "      AS cost_per_1k_usd,"
    "    avg(quality_score) AS quality_score"
    "  FROM probes WHERE cycle_id = $1::bigint AND ts >= $2::timestamptz"
    "  GROUP BY model_id, environment_id) a "
    "WHERE a.ok_n > 0";

static const char CREATED_SQL[] =
    "SELECT model_id, environment_id, latency_mean_ms, latency_stddev_ms, latency_p95_ms,"
    "  success_rate, tokens_per_second, round(cost_per_1k_usd, 6), quality_score "
    "FROM baselines WHERE cycle_id = $1::bigint AND active";

static const char ACTIVE_SQL[] =
    "SELECT b.id, m.name, e.name, b.suite, b.iterations, b.samples, b.latency_mean_ms,"
    "  b.latency_stddev_ms, b.latency_p95_ms, b.ttft_mean_ms, b.ttft_p95_ms, b.success_rate,"
    "  b.tokens_per_second, round(b.cost_per_1k_usd, 6), b.quality_score,"
    "  to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC', b.tokens_rate "
    "FROM baselines b JOIN models m ON m.id = b.model_id JOIN environments e ON e.id = b.environment_id "
    "WHERE b.active ORDER BY e.name, m.name";

static const char HIST_SQL[] =
    "WITH r AS ("
    "  SELECT b.id, p.total_ms FROM baselines b"
    "  JOIN probes p ON p.cycle_id = b.cycle_id AND p.model_id = b.model_id"
    "   AND p.environment_id = b.environment_id AND p.ok"
    "  WHERE b.active),"
    " lim AS ("
    "  SELECT id, min(total_ms) AS lo, max(total_ms) AS hi,"
    "    least(30, greatest(5, ceil(sqrt(count(*)))))::int AS n FROM r GROUP BY id),"
    " binned AS ("
    "  SELECT r.id, lim.lo, lim.hi, lim.n,"
    "    CASE WHEN lim.hi > lim.lo THEN least(width_bucket(r.total_ms, lim.lo, lim.hi, lim.n), lim.n)"
    "         ELSE 1 END AS bin"
    "  FROM r JOIN lim USING (id))"
    "SELECT id, bin, count(*),"
    "  CASE WHEN hi > lo THEN lo + (bin - 1) * (hi - lo) / n ELSE lo - 0.5 END,"
    "  CASE WHEN hi > lo THEN lo + bin * (hi - lo) / n ELSE lo + 0.5 END "
    "FROM binned GROUP BY id, bin, lo, hi, n ORDER BY id, bin";

PGresult *
lw_db_baselines_create(lw_db *db, lw_err *err, long long cycle_id, const char *since,
                       int iterations, const char *suite)
{
    char id[24], it[24];
    const char *p[4] = { LL(id, cycle_id), since, LL(it, iterations), suite };
    PGresult *res = NULL;

    if (lw_db_begin(db, err) != LW_OK)
        return NULL;
    if (lw_db_exec(db, err, DEACTIVATE_SQL, 2, p) < 0 || lw_db_exec(db, err, INSERT_SQL, 4, p) < 0
        || (res = lw_db_query(db, err, CREATED_SQL, 1, p)) == NULL
        || lw_db_commit(db, err) != LW_OK) {
        PQclear(res);
        lw_db_rollback(db);
        return NULL;
    }
    return res;
}

PGresult *
lw_db_baselines_active(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err, ACTIVE_SQL, 0, NULL);
}

PGresult *
lw_db_baselines_histograms(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err, HIST_SQL, 0, NULL);
}
