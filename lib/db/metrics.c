/* metrics.c: the SQL behind /metrics (see metrics.h): one statement per
 * lw_db_metrics_set, none of them with parameters. */
#include "db/metrics.h"

#include "db/sql.h"

static const char *const statements[LW_DB_METRICS_N] = {
    [LW_DB_METRICS_MODELS] =
        "SELECT m.name, e.name AS environment, m.provider, m.model, m.sla_target_ms,"
        " p.ok AS last_ok, p.ttft_ms AS last_ttft_ms, p.total_ms AS last_total_ms,"
        " p.decode_tps AS last_tps, extract(epoch FROM p.ts) AS last_epoch,"
        " h.n AS hour_count, h.ok_n AS hour_ok, h.p95 AS hour_p95_ms"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        LAST_PROBE HOUR_STATS
        " WHERE m.enabled AND m.removed_at IS NULL ORDER BY e.name, m.name",
    [LW_DB_METRICS_ERRORS] =
        /* the last hour's failed probes by class, from the rollups */
        "SELECT m.name, e.name AS environment,"
        " CASE c.name WHEN 'other' THEN 'unknown' ELSE c.name END AS error_class,"
        " h.error_counts[c.i] AS n"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        HOUR_STATS
        " CROSS JOIN LATERAL unnest(lw_error_classes()) WITH ORDINALITY c(name, i)"
        " WHERE m.enabled AND m.removed_at IS NULL AND coalesce(h.error_counts[c.i], 0) > 0"
        " ORDER BY 1, 2, 3",
    [LW_DB_METRICS_TOTALS] =
        "WITH t AS (SELECT model_id, environment_id, sum(count) AS count, sum(errors) AS errors,"
        "   sum(refusals) AS refusals, sum(blocked) AS blocked, sum(tool_calls) AS tool_calls,"
        "   lw_hist_sum(error_counts) AS error_counts, lw_hist_sum(finish_counts) AS finish_counts,"
        "   sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,"
        "   sum(reasoning_tokens) AS reasoning_tokens, sum(cost_usd) AS cost_usd,"
        "   sum(total_n) AS total_n, sum(sum_total_ms) AS sum_total_ms,"
        "   lw_hist_sum(total_hist) AS total_hist, sum(ttft_n) AS ttft_n,"
        "   sum(sum_ttft_ms) AS sum_ttft_ms, lw_hist_sum(ttft_hist) AS ttft_hist,"
        "   sum(first_output_n) AS first_output_n, sum(first_output_sum) AS first_output_sum,"
        "   lw_hist_sum(fo_hist) AS fo_hist, lw_hist_sum(tpot_hist) AS tpot_hist,"
        "   lw_hist_sum(in_tok_hist) AS in_tok_hist, lw_hist_sum(out_tok_hist) AS out_tok_hist"
        "   FROM rollups WHERE resolution = '1d' GROUP BY model_id, environment_id)"
        " SELECT m.name, e.name AS environment, m.provider, t.count, t.errors, t.refusals,"
        " t.blocked, t.tool_calls, t.error_counts, t.finish_counts, t.input_tokens,"
        " t.output_tokens, t.reasoning_tokens, t.cost_usd, t.total_n, t.sum_total_ms, t.total_hist,"
        " t.ttft_n, t.sum_ttft_ms, t.ttft_hist, t.first_output_n, t.first_output_sum, t.fo_hist,"
        " t.tpot_hist, t.in_tok_hist, t.out_tok_hist"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        " JOIN t ON t.model_id = m.id AND t.environment_id = m.environment_id"
        " WHERE m.enabled AND m.removed_at IS NULL ORDER BY e.name, m.name",
    [LW_DB_METRICS_ALERTS] =
        "SELECT a.state, r.name AS rule, a.severity, coalesce(m.name, '') AS model,"
        " coalesce(e.name, '') AS environment, count(*) AS n"
        " FROM alerts a JOIN rules r ON r.id = a.rule_id"
        " LEFT JOIN models m ON m.id = a.model_id LEFT JOIN environments e ON e.id = a.environment_id"
        " WHERE a.state IN ('firing', 'pending')"
        " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 4, 5, 3",
    [LW_DB_METRICS_JOBS] =
        "WITH RECURSIVE j AS (SELECT min(job) AS job FROM job_runs"
        "   UNION ALL SELECT (SELECT min(job) FROM job_runs WHERE job > j.job) FROM j"
        "   WHERE j.job IS NOT NULL)"
        " SELECT j.job,"
        " (SELECT extract(epoch FROM coalesce(r.finished_at, r.started_at))::bigint FROM job_runs r"
        "   WHERE r.job = j.job AND r.status = 'ok' ORDER BY r.started_at DESC LIMIT 1) AS last_success,"
        " (SELECT extract(epoch FROM r.started_at)::bigint FROM job_runs r"
        "   WHERE r.job = j.job ORDER BY r.started_at DESC LIMIT 1) AS last_run"
        " FROM j WHERE j.job IS NOT NULL ORDER BY 1",
    [LW_DB_METRICS_DELIVERIES] =
        "SELECT c.name AS channel, c.type, n.status, count(*) AS n"
        " FROM notifications n JOIN channels c ON c.id = n.channel_id"
        " GROUP BY 1, 2, 3 ORDER BY 1, 3",
    [LW_DB_METRICS_ALERT_LATENCY] =
        "WITH l AS (SELECT greatest(extract(epoch FROM sent_at - crossed_at) * 1000, 0)::float8 AS ms"
        "   FROM notifications WHERE crossed_at IS NOT NULL AND status = 'sent'"
        "   AND sent_at IS NOT NULL)"
        " SELECT (SELECT count(*) FROM l) AS n, (SELECT coalesce(sum(ms), 0) FROM l) AS sum_ms,"
        " (SELECT lw_hist_build(array_agg(k), array_agg(c)) FROM"
        "   (SELECT lw_lat_bucket(ms) AS k, count(*) AS c FROM l GROUP BY 1) x) AS hist",
};

PGresult *
lw_db_metrics(lw_db *db, lw_db_metrics_set which, lw_err *err)
{
    const char *sql = lw_db_statement(statements, LW_DB_METRICS_N, (int) which, err);

    return sql ? lw_db_query(db, err, sql, 0, NULL) : NULL;
}
