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
    /* the last hour's failed probes by class, from the rollups */
    return lw_db_query(db, err,
        "SELECT m.name, e.name AS environment,"
        " CASE c.name WHEN 'other' THEN 'unknown' ELSE c.name END AS error_class,"
        " h.error_counts[c.i] AS n"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        HOUR_STATS
        " CROSS JOIN LATERAL unnest(lw_error_classes()) WITH ORDINALITY c(name, i)"
        " WHERE m.enabled AND m.removed_at IS NULL AND coalesce(h.error_counts[c.i], 0) > 0"
        " ORDER BY 1, 2, 3", 0, NULL);
}
