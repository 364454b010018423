/* metrics.c: the SQL behind /metrics (see metrics.h). */
#include "db/metrics.h"

#include "db/sql.h"

PGresult *
lw_db_metrics_models(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT m.name, e.name AS environment, m.provider, m.model, m.sla_target_ms,"
        " p.ok AS last_ok, p.ttft_ms AS last_ttft_ms, p.total_ms AS last_total_ms,"
        " p.decode_tps AS last_tps, extract(epoch FROM p.ts) AS last_epoch,"
        " h.n AS hour_count, h.ok_n AS hour_ok, h.p95 AS hour_p95_ms"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        LAST_PROBE HOUR_STATS
        " WHERE m.enabled AND m.removed_at IS NULL ORDER BY e.name, m.name", 0, NULL);
}

PGresult *
lw_db_metrics_errors(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT m.name, e.name AS environment, coalesce(p.error_class, 'unknown') AS error_class,"
        " count(*) AS n"
        " FROM probes p JOIN models m ON m.id = p.model_id"
        " JOIN environments e ON e.id = p.environment_id"
        " WHERE p.ts > now() - interval '1 hour' AND NOT p.ok"
        "   AND m.enabled AND m.removed_at IS NULL"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", 0, NULL);
}
