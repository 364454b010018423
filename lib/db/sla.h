/* sla.h: the SQL of /sla and of SLA evidence: each model judged over a
 * period from the daily rollups (lw_rollup_read), its days, and the
 * former fixed 30 days judged the way the dashboard's totals are
 * (SLA_VERDICT in sql.h). What the figures mean is in report_sla.h.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_SLA_H
#define LW_DB_SLA_H

#include <time.h>

#include "db/db.h"

/* id, name, environment, priority, sla_target_ms, probes, ok_count,
 * p95_ms, avg_ms (successful probes), availability_pct,
 * availability_target_pct (the `sla_availability_pct` setting, 99.9 by
 * default), availability_ok, latency_ok, compliance ('pass', 'fail',
 * 'no data'); by environment and name. */
PGresult *lw_db_sla_list(lw_db *db, lw_err *err);

/* Over [from, to) (UTC midnights), up to now, the models enabled or with
 * probes in the period, by environment and name:
 * - per_day 0: one row each: id, name, environment, sla_target_ms,
 *   probes, errors, avg_ms, p95_ms, p99_ms (successful probes),
 *   expected_per_day (NULL when never probed), elapsed_min, period_min,
 *   unknown_min, down_min, objective_pct, min_samples, ended (the period
 *   is over);
 * - per_day 1: each one's days that have begun, by day: model_id, day
 *   ('YYYY-MM-DD'), day_epoch, probes, errors, expected, minutes,
 *   unknown_min, down_min, p95_ms, p99_ms. */
PGresult *lw_db_sla_period(lw_db *db, lw_err *err, time_t from, time_t to, int per_day);

#endif
