/* models.c: the SQL of the monitored models as the pages show them (see
 * models.h). */
#include "db/models.h"

#include "db/sql.h"

PGresult *
lw_db_models_overview(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT m.id, m.name, e.name AS environment, m.provider, m.model, m.priority,"
        " m.sla_target_ms, " TS("p.ts") " AS last_at, p.ok AS last_ok,"
        " p.error_class AS last_error, p.http_status AS last_http_status,"
        " p.ttft_ms AS last_ttft_ms, p.total_ms AS last_total_ms,"
        " round(p.decode_tps::numeric, 1) AS last_tps,"
        " round(p.e2e_tps::numeric, 1) AS last_e2e_tps,"
        " to_char(p.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS last_iso,"
        HEALTH_COLUMNS ","
        " lw_dur(greatest(0, extract(epoch FROM now() - p.ts))::bigint) AS last_ago,"
        " (p.total_ms IS NOT NULL AND m.sla_target_ms IS NOT NULL"
        "  AND p.total_ms > m.sla_target_ms) AS last_over_sla"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        LAST_PROBE HOUR_STATS DAY_STATS
        " WHERE m.enabled AND m.removed_at IS NULL"
        " ORDER BY e.name, array_position(ARRAY['high','medium','low'], m.priority), m.name",
        0, NULL);
}

PGresult *
lw_db_models_get(lw_db *db, lw_err *err, long long id)
{
    return lw_db_query_id(db, err,
        "SELECT m.id, m.name, e.name AS environment, m.provider, m.model, m.base_url,"
        " m.api_key_env, m.priority, m.sla_target_ms, m.timeout_ms AS timeout_ms,"
        " m.max_concurrency, m.suite, m.enabled, m.source,"
        " to_char(m.price_input_per_mtok, 'FM999,990.00999') AS price_input,"
        " to_char(m.price_output_per_mtok, 'FM999,990.00999') AS price_output,"
        " " TS("m.created_at") " AS created, " TS("m.updated_at") " AS updated,"
        " " TS("m.removed_at") " AS removed,"
        HEALTH_COLUMNS
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        HOUR_STATS DAY_STATS
        " WHERE m.id = $1::int", id);
}

PGresult *
lw_db_models_scope_choices(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT 'model' AS kind, name FROM models WHERE removed_at IS NULL"
        " GROUP BY name"
        " UNION ALL SELECT 'environment', name FROM environments"
        " ORDER BY 1 DESC, 2", 0, NULL);
}
