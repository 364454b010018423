/* api.c: the SQL of the JSON API (see api.h). */
#include "db/api.h"

#include <stdio.h>

#include "db/sql.h"

/* A timestamptz as the API writes it: 2025-01-07T10:00:00.000Z */
#define RFC(c) "to_char((" c ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* {"data": rows of x (newest first by id), "next_cursor": the last id when
 * the page is full} */
#define PAGE_OF(limit_param) \
    "SELECT json_build_object('data', coalesce(json_agg(to_json(x) ORDER BY x.id DESC), '[]'::json)," \
    " 'next_cursor', CASE WHEN count(*) = " limit_param "::int THEN min(x.id)::text END)::text FROM ("

static PGresult *
query_page(lw_db *db, lw_err *err, const char *sql, const char *a, const char *b, const char *c,
           long long from, long long to, int limit, long long cursor)
{
    char f[24], t[24], l[24], cur[24];
    const char *p[7] = { LL(f, from), LL(t, to), LL(l, limit), cursor > 0 ? LL(cur, cursor) : NULL,
                         a, b, c };

    return lw_db_query(db, err, sql, 7, p);
}

PGresult *
lw_db_api_probes(lw_db *db, lw_err *err, const char *model, long long from, long long to,
                 int limit, long long cursor)
{
    return query_page(db, err,
        PAGE_OF("$3")
        "SELECT p.id, " RFC("p.ts") " AS ts, m.name AS model, e.name AS environment, p.case_id,"
        " p.ok, CASE WHEN p.ok THEN coalesce(p.outcome, 'text') END AS outcome, p.error_class,"
        " p.http_status, p.ttft_ms, p.first_output_ms, p.total_ms, p.input_tokens, p.output_tokens,"
        " p.reasoning_tokens, p.tokens_estimated, p.decode_tps, p.cost_usd::float8 AS cost_usd,"
        " p.quality_score, p.finish_reason, p.finish_reason_raw, p.stream_end, p.model_version,"
        " p.cycle_id"
        " FROM probes p JOIN models m ON m.id = p.model_id JOIN environments e ON e.id = p.environment_id"
        " WHERE p.ts >= to_timestamp($1::bigint) AND p.ts < to_timestamp($2::bigint)"
        "   AND ($4::bigint IS NULL OR p.id < $4::bigint) AND ($5::text IS NULL OR m.name = $5)"
        "   AND $6::text IS NULL AND $7::text IS NULL"
        " ORDER BY p.id DESC LIMIT $3::int) x",
        model, NULL, NULL, from, to, limit, cursor);
}

PGresult *
lw_db_api_measures(lw_db *db, lw_err *err, long long model_id, long long from, long long to,
                   long long step_s)
{
    long long v[4] = { model_id, from, to, step_s };

    return lw_db_query_ints(db, err,
        "WITH m AS (SELECT m.id, m.name, e.name AS environment, m.provider, m.model, m.sla_target_ms"
        "   FROM models m JOIN environments e ON e.id = m.environment_id WHERE m.id = $1::int),"
        " r AS (SELECT * FROM lw_rollup_read(ARRAY[$1::int], to_timestamp($2::bigint),"
        "   to_timestamp($3::bigint), CASE WHEN $4::bigint > 0 THEN make_interval(secs => $4::bigint) END))"
        " SELECT json_build_object('model', (SELECT to_json(m) FROM m),"
        "   'from', " RFC("to_timestamp($2::bigint)") ", 'to', " RFC("to_timestamp($3::bigint)") ","
        "   'step_s', nullif($4::bigint, 0),"
        "   'data', coalesce((SELECT json_agg(json_build_object("
        "     'start', " RFC("r.bucket_start") ", 'probes', r.count, 'errors', r.errors,"
        "     'success_rate', round(1 - r.errors::numeric / nullif(r.count, 0), 6),"
        "     'refusals', r.refusals, 'blocked', r.blocked, 'tool_calls', r.tool_calls,"
        "     'error_classes', (SELECT json_object_agg(c.name, r.error_counts[c.i])"
        "        FROM unnest(lw_error_classes()) WITH ORDINALITY c(name, i)"
        "        WHERE coalesce(r.error_counts[c.i], 0) > 0),"
        "     'finish_reasons', (SELECT json_object_agg(c.name, r.finish_counts[c.i])"
        "        FROM unnest(lw_finish_reasons()) WITH ORDINALITY c(name, i)"
        "        WHERE coalesce(r.finish_counts[c.i], 0) > 0),"
        "     'latency_avg_ms', r.sum_total_ms / nullif(r.total_n, 0),"
        "     'latency_p50_ms', lw_hist_quantile(r.total_hist, 0.5),"
        "     'latency_p95_ms', lw_hist_quantile(r.total_hist, 0.95),"
        "     'latency_p99_ms', lw_hist_quantile(r.total_hist, 0.99),"
        "     'ttft_avg_ms', r.sum_ttft_ms / nullif(r.ttft_n, 0),"
        "     'ttft_p95_ms', lw_hist_quantile(r.ttft_hist, 0.95),"
        "     'first_output_avg_ms', r.first_output_sum / nullif(r.first_output_n, 0),"
        "     'decode_tps_avg', r.tps_sum / nullif(r.tps_n, 0),"
        "     'input_tokens', r.input_tokens, 'output_tokens', r.output_tokens,"
        "     'reasoning_tokens', r.reasoning_tokens, 'cost_usd', r.cost_usd::float8,"
        "     'quality_avg', r.quality_sum / nullif(r.quality_n, 0))"
        "     ORDER BY r.bucket_start) FROM r), '[]'::json))::text"
        " FROM m", 4, v);
}

PGresult *
lw_db_api_alerts(lw_db *db, lw_err *err, const char *state, const char *severity,
                 const char *model, long long from, long long to, int limit, long long cursor)
{
    return query_page(db, err,
        PAGE_OF("$3")
        "SELECT a.id, r.name AS rule, a.rule_id, m.name AS model, e.name AS environment,"
        " a.severity, a.state, " RFC("a.started_at") " AS started_at,"
        " " RFC("a.fired_at") " AS fired_at, " RFC("a.resolved_at") " AS resolved_at,"
        " a.value, a.threshold, a.summary, " RFC("a.acknowledged_at") " AS acknowledged_at,"
        " a.false_positive"
        " FROM alerts a JOIN rules r ON r.id = a.rule_id"
        " LEFT JOIN models m ON m.id = a.model_id LEFT JOIN environments e ON e.id = a.environment_id"
        " WHERE a.started_at >= to_timestamp($1::bigint) AND a.started_at < to_timestamp($2::bigint)"
        "   AND ($4::bigint IS NULL OR a.id < $4::bigint) AND ($5::text IS NULL OR a.state = $5)"
        "   AND ($6::text IS NULL OR a.severity = $6) AND ($7::text IS NULL OR m.name = $7)"
        " ORDER BY a.id DESC LIMIT $3::int) x",
        state, severity, model, from, to, limit, cursor);
}

PGresult *
lw_db_api_alert(lw_db *db, lw_err *err, long long id)
{
    return lw_db_query_id(db, err,
        "SELECT json_build_object('id', a.id, 'rule', r.name, 'rule_id', a.rule_id,"
        " 'model', m.name, 'environment', e.name, 'severity', a.severity, 'state', a.state,"
        " 'started_at', " RFC("a.started_at") ", 'fired_at', " RFC("a.fired_at") ","
        " 'resolved_at', " RFC("a.resolved_at") ", 'value', a.value, 'threshold', a.threshold,"
        " 'summary', a.summary, 'acknowledged_at', " RFC("a.acknowledged_at") ","
        " 'false_positive', a.false_positive,"
        " 'events', coalesce((SELECT json_agg(json_build_object('at', " RFC("ev.at") ","
        "   'from', ev.from_state, 'to', ev.to_state, 'value', ev.value, 'message', ev.message)"
        "   ORDER BY ev.at, ev.id) FROM alert_events ev WHERE ev.alert_id = a.id), '[]'::json),"
        " 'notifications', coalesce((SELECT json_agg(json_build_object('channel', c.name,"
        "   'status', n.status, 'attempts', n.attempts, 'last_error', n.last_error,"
        "   'created_at', " RFC("n.created_at") ", 'sent_at', " RFC("n.sent_at") ","
        "   'suppressed_reason', n.suppressed_reason) ORDER BY n.id)"
        "   FROM notifications n JOIN channels c ON c.id = n.channel_id"
        "   JOIN alert_events ev ON ev.id = n.alert_event_id WHERE ev.alert_id = a.id), '[]'::json)"
        " )::text FROM alerts a JOIN rules r ON r.id = a.rule_id"
        " LEFT JOIN models m ON m.id = a.model_id LEFT JOIN environments e ON e.id = a.environment_id"
        " WHERE a.id = $1::bigint", id);
}

PGresult *
lw_db_api_rules(lw_db *db, lw_err *err, long long id)
{
    /* the stored row as POST /api/v1/rules answers it (to_jsonb less
     * deleted_at), plus whether it has open alerts */
    return lw_db_query_id(db, err,
        "WITH x AS (SELECT (to_jsonb(r) - 'deleted_at') || jsonb_build_object('open_alerts',"
        "   (SELECT count(*) FROM alerts a WHERE a.rule_id = r.id AND a.state IN ('pending', 'firing')))"
        "   AS j, r.id FROM rules r WHERE r.deleted_at IS NULL AND ($1::int = 0 OR r.id = $1::int))"
        " SELECT CASE WHEN $1::int = 0"
        "   THEN jsonb_build_object('data', coalesce((SELECT jsonb_agg(j ORDER BY id) FROM x), '[]'::jsonb),"
        "     'next_cursor', NULL)"
        "   ELSE (SELECT j FROM x) END::text"
        " WHERE $1::int = 0 OR EXISTS (SELECT 1 FROM x)", id);
}

PGresult *
lw_db_api_silences(lw_db *db, lw_err *err, int active)
{
    return lw_db_query_id(db, err,
        "SELECT json_build_object('data', coalesce(json_agg(json_build_object('id', s.id,"
        " 'matchers', s.matchers, 'starts_at', " RFC("s.starts_at") ", 'ends_at', " RFC("s.ends_at") ","
        " 'recurrence', s.recurrence, 'duration_s', s.duration_s, 'comment', s.comment,"
        " 'expired_at', " RFC("s.expired_at") ","
        " 'in_force', " SILENCE_IN_FORCE("s") ") ORDER BY s.id DESC), '[]'::json),"
        " 'next_cursor', NULL)::text"
        " FROM silences s WHERE $1::int = 0 OR " SILENCE_IN_FORCE("s"), active);
}

PGresult *
lw_db_api_sla(lw_db *db, lw_err *err, long long from, long long to)
{
    long long v[2] = { from, to };

    return lw_db_query_ints(db, err,
        "WITH target AS (SELECT " SLA_TARGET_PCT " AS pct),"
        " r AS MATERIALIZED (SELECT * FROM lw_rollup_read(NULL, to_timestamp($1::bigint),"
        "   to_timestamp($2::bigint))),"
        " s AS (SELECT m.id, m.name, e.name AS environment, m.sla_target_ms,"
        "   coalesce(r.count, 0) AS probes, coalesce(r.count - r.errors, 0) AS ok_count,"
        "   lw_hist_quantile(r.total_hist, 0.95) AS p95_ms"
        "   FROM models m JOIN environments e ON e.id = m.environment_id"
        "   LEFT JOIN r ON r.model_id = m.id AND r.environment_id = m.environment_id"
        "   WHERE m.enabled AND m.removed_at IS NULL),"
        " v AS (SELECT s.*, round(100.0 * ok_count / nullif(probes, 0), 3) AS availability_pct,"
        "   t.pct AS availability_target_pct,"
        SLA_VERDICT("probes", "ok_count", "p95_ms", "sla_target_ms", "t.pct")
        "   FROM s CROSS JOIN target t)"
        " SELECT json_build_object('from', " RFC("to_timestamp($1::bigint)") ","
        " 'to', " RFC("to_timestamp($2::bigint)") ","
        " 'data', coalesce(json_agg(to_json(v) ORDER BY v.environment, v.name), '[]'::json),"
        " 'next_cursor', NULL)::text FROM v", 2, v);
}

PGresult *
lw_db_api_budgets(lw_db *db, lw_err *err)
{
    /* the spend /budgets shows: lw_budget_status of sql/012_costs.sql */
    return lw_db_query(db, err,
        "WITH s AS (SELECT b.id, b.name, b.model_name AS model, b.provider, e.name AS environment,"
        "   b.period, b.time_zone, b.amount_usd::float8 AS amount_usd, b.thresholds,"
        "   st.spent::float8 AS spent_usd, st.projected::float8 AS projected_usd,"
        "   st.period_start, st.period_end"
        "   FROM budgets b LEFT JOIN environments e ON e.id = b.environment_id"
        "   CROSS JOIN LATERAL lw_budget_status(b.id, now()) st WHERE b.enabled)"
        " SELECT json_build_object('data', coalesce(json_agg(json_build_object('id', s.id,"
        " 'name', s.name, 'model', s.model, 'provider', s.provider, 'environment', s.environment,"
        " 'period', s.period, 'time_zone', s.time_zone,"
        " 'amount_usd', s.amount_usd, 'spent_usd', s.spent_usd, 'projected_usd', s.projected_usd,"
        " 'used_pct', round((100 * s.spent_usd / s.amount_usd)::numeric, 2),"
        " 'thresholds_pct', s.thresholds, 'period_start', " RFC("s.period_start") ","
        " 'period_end', " RFC("s.period_end") ") ORDER BY s.name),"
        " '[]'::json), 'next_cursor', NULL)::text FROM s", 0, NULL);
}
