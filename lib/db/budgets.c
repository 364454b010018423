/* budgets.c: the SQL of spending budgets (see budgets.h). */
#include "db/budgets.h"

#include "db/sql.h"

/* The probe spend since w.since in budget b's scope, from the rollups. */
#define PROBE_SPEND \
    "coalesce((SELECT sum(r.cost_usd) FROM lw_rollup_read(NULL, w.since, now()) r" \
    "     WHERE (b.model_id IS NULL OR r.model_id = b.model_id)" \
    "     AND (b.environment_id IS NULL OR r.environment_id = b.environment_id)), 0)"
/* Production usage since w.since (usage_events has no writer yet, so
 * this reads an empty table; its rollups come with the usage API). */
#define USAGE_SPEND \
    "coalesce((SELECT sum(cost_usd) FROM usage_events p WHERE p.ts >= w.since" \
    "     AND (b.model_id IS NULL OR p.model_id = b.model_id)" \
    "     AND (b.environment_id IS NULL OR p.environment_id = b.environment_id)), 0)"

PGresult *
lw_db_budgets_list(lw_db *db, lw_err *err)
{
    /* spend of the current period: probes and production usage alike */
    return lw_db_query(db, err,
        "SELECT b.id, b.name, coalesce(m.name, 'all models') AS model,"
        " coalesce(e.name, 'all environments') AS environment, b.period,"
        " " USD("b.amount_usd") " AS amount, array_to_string(b.thresholds, '%, ') || '%' AS thresholds,"
        " " USD("s.spent") " AS spent, round(100 * s.spent / b.amount_usd, 1) AS used_pct,"
        " " TS("s.since") " AS since"
        " FROM budgets b LEFT JOIN models m ON m.id = b.model_id"
        " LEFT JOIN environments e ON e.id = b.environment_id"
        " CROSS JOIN LATERAL (SELECT date_trunc(CASE b.period WHEN 'daily' THEN 'day'"
        "   WHEN 'weekly' THEN 'week' ELSE 'month' END, now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS since) w"
        " CROSS JOIN LATERAL (SELECT w.since,"
        "   " PROBE_SPEND " + " USAGE_SPEND " AS spent) s"
        " ORDER BY b.name", 0, NULL);
}
