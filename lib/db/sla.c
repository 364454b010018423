/* sla.c: the SQL of /sla (see sla.h). */
#include "db/sla.h"

#include "db/sql.h"

PGresult *
lw_db_sla_list(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        /* the last 30 days from the rollups: 29 whole days and today */
        "WITH target AS (SELECT " SLA_TARGET_PCT " AS pct),"
        " r AS MATERIALIZED (SELECT * FROM lw_rollup_read(NULL,"
        "   date_bin('1 day', now(), " ORIGIN ") - interval '29 days', now())),"
        " s AS (SELECT m.id, m.name, e.name AS environment, m.priority, m.sla_target_ms,"
        "   coalesce(r.count, 0) AS probes, coalesce(r.count - r.errors, 0) AS ok_count,"
        "   lw_hist_quantile(r.total_hist, 0.95) AS p95_ms,"
        "   r.sum_total_ms / nullif(r.total_n, 0) AS avg_ms"
        "   FROM models m JOIN environments e ON e.id = m.environment_id"
        "   LEFT JOIN r ON r.model_id = m.id AND r.environment_id = m.environment_id"
        "   WHERE m.enabled AND m.removed_at IS NULL)"
        " SELECT s.*, round(100.0 * ok_count / nullif(probes, 0), 3) AS availability_pct,"
        " t.pct AS availability_target_pct,"
        SLA_VERDICT("probes", "ok_count", "p95_ms", "sla_target_ms", "t.pct")
        " FROM s CROSS JOIN target t ORDER BY s.environment, s.name", 0, NULL);
}
