/* sla.c: the SQL of /sla (see sla.h). */
#include "db/sla.h"

#include "db/sql.h"

PGresult *
lw_db_sla_list(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "WITH target AS (SELECT " SLA_TARGET_PCT " AS pct),"
        " s AS (SELECT m.id, m.name, e.name AS environment, m.priority, m.sla_target_ms,"
        "   count(p.id) AS probes, count(p.id) FILTER (WHERE p.ok) AS ok_count,"
        "   percentile_cont(0.95) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok) AS p95_ms,"
        "   avg(p.total_ms) FILTER (WHERE p.ok) AS avg_ms"
        "   FROM models m JOIN environments e ON e.id = m.environment_id"
        "   LEFT JOIN probes p ON p.model_id = m.id AND p.environment_id = m.environment_id"
        "    AND p.ts > now() - interval '30 days'"
        "   WHERE m.enabled AND m.removed_at IS NULL"
        "   GROUP BY m.id, e.name)"
        " SELECT s.*, round(100.0 * ok_count / nullif(probes, 0), 3) AS availability_pct,"
        " t.pct AS availability_target_pct,"
        SLA_VERDICT("probes", "ok_count", "p95_ms", "sla_target_ms", "t.pct")
        " FROM s CROSS JOIN target t ORDER BY s.environment, s.name", 0, NULL);
}
