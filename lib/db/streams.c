/* streams.c: the SQL of a model's streams as its page shows them (see
 * streams.h). */
#include "db/streams.h"

#include "alert/measure.h"
#include "db/sql.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The probes of model $1 in (to_timestamp($2), to_timestamp($3)]. */
#define RANGE_PROBES \
    " FROM probes p JOIN models m ON m.id = $1::int AND p.model_id = m.id" \
    "   AND p.environment_id = m.environment_id" \
    " WHERE p.ts > to_timestamp($2::bigint) AND p.ts <= to_timestamp($3::bigint)"

static PGresult *
range_query(lw_db *db, lw_err *err, const char *sql, long long model_id, time_t from, time_t to)
{
    const long long v[3] = { model_id, (long long) from, (long long) to };

    return lw_db_query_ints(db, err, sql, 3, v);
}

PGresult *
lw_db_streams_counts(lw_db *db, lw_err *err, long long model_id, time_t from, time_t to)
{
    return range_query(db, err,
        "WITH r AS (SELECT p.ok, p.outcome, p.error_class, p.finish_reason, p.stream_end" RANGE_PROBES "),"
        " c AS (SELECT 'outcome' AS kind,"
        "     CASE WHEN ok THEN coalesce(outcome, 'text') ELSE coalesce(error_class, 'error') END AS name,"
        "     count(*) AS n FROM r GROUP BY 2"
        "   UNION ALL SELECT 'finish', finish_reason, count(*) FROM r"
        "     WHERE ok AND finish_reason IS NOT NULL GROUP BY 2"
        "   UNION ALL SELECT 'end', stream_end, count(*) FROM r WHERE stream_end IS NOT NULL GROUP BY 2)"
        " SELECT kind, name, n, CASE WHEN kind <> 'outcome' OR name IN ('text', 'tool_call') THEN 'ok'"
        "   WHEN name IN ('refusal', 'blocked') THEN 'warn' ELSE 'crit' END AS cls"
        " FROM c ORDER BY kind DESC, n DESC, name", model_id, from, to);
}

PGresult *
lw_db_streams_summary(lw_db *db, lw_err *err, long long model_id, time_t from, time_t to)
{
    return range_query(db, err,
        "SELECT count(*) AS probes, count(*) FILTER (WHERE p.ok) AS answers,"
        "  percentile_cont(0.5) WITHIN GROUP (ORDER BY p.first_output_ms) FILTER (WHERE p.ok)"
        "    AS first_output_p50_ms,"
        "  percentile_cont(0.5) WITHIN GROUP (ORDER BY p.ttft_ms) FILTER (WHERE p.ok) AS ttft_p50_ms,"
        "  percentile_cont(0.95) WITHIN GROUP (ORDER BY p.max_gap_ms) FILTER (WHERE p.ok)"
        "    AS max_gap_p95_ms,"
        "  round(100.0 * count(*) FILTER (WHERE p.ok AND p.max_gap_ms >= " STR(LW_STALL_GAP_MS) ")"
        "    / nullif(count(*) FILTER (WHERE p.ok), 0), 1) AS stall_pct,"
        "  round(100.0 * count(*) FILTER (WHERE p.ok AND p.outcome = 'refusal')"
        "    / nullif(count(*) FILTER (WHERE p.ok), 0), 1) AS refusal_pct,"
        "  round(avg(p.reasoning_tokens) FILTER (WHERE p.ok)) AS reasoning_avg,"
        "  percentile_cont(0.5) WITHIN GROUP (ORDER BY p.connect_ms) AS connect_p50_ms,"
        "  percentile_cont(0.5) WITHIN GROUP (ORDER BY p.headers_ms) AS headers_p50_ms,"
        "  (SELECT count(*) FROM model_versions v WHERE v.model_id = $1::int"
        "     AND v.first_seen > to_timestamp($2::bigint) AND v.first_seen <= to_timestamp($3::bigint)"
        "     AND EXISTS (SELECT 1 FROM model_versions v0 WHERE v0.model_id = v.model_id"
        "       AND v0.environment_id = v.environment_id AND v0.first_seen < v.first_seen))"
        "    AS version_changes"
        RANGE_PROBES, model_id, from, to);
}

PGresult *
lw_db_streams_answers(lw_db *db, lw_err *err, long long model_id, int limit)
{
    return lw_db_query_id_limit(db, err,
        "SELECT " TS("p.ts") " AS at, p.suite, p.case_id, coalesce(p.outcome, 'text') AS outcome,"
        "  p.finish_reason, p.finish_reason_raw, p.block_reason, p.stream_end, p.answer"
        " FROM probes p JOIN models m ON m.id = $1::int AND p.model_id = m.id"
        "   AND p.environment_id = m.environment_id"
        " WHERE p.ts > now() - interval '24 hours' AND p.ok"
        " ORDER BY p.ts DESC LIMIT $2::int", model_id, 0, limit);
}

PGresult *
lw_db_streams_versions(lw_db *db, lw_err *err, long long model_id, int limit)
{
    return lw_db_query_id_limit(db, err,
        "SELECT v.model_version, v.system_fingerprint, " TS("v.first_seen") " AS first_seen,"
        "  " TS("v.last_seen") " AS last_seen, v.probes"
        " FROM model_versions v JOIN models m ON m.id = $1::int AND v.model_id = m.id"
        "   AND v.environment_id = m.environment_id"
        " ORDER BY v.first_seen DESC, v.id DESC LIMIT $2::int", model_id, 0, limit);
}
