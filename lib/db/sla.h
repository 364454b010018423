/* sla.h: the SQL of /sla: each enabled model over the last 30 days,
 * judged against the availability objective and its latency target the
 * same way the dashboard's totals are (SLA_VERDICT in sql.h).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_SLA_H
#define LW_DB_SLA_H

#include "db/db.h"

/* id, name, environment, priority, sla_target_ms, probes, ok_count,
 * p95_ms, avg_ms (successful probes), availability_pct,
 * availability_target_pct (the `sla_availability_pct` setting, 99.9 by
 * default), availability_ok, latency_ok, compliance ('pass', 'fail',
 * 'no data'); by environment and name. */
PGresult *lw_db_sla_list(lw_db *db, lw_err *err);

#endif
