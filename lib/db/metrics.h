/* metrics.h: the SQL behind /metrics (Prometheus text format): the
 * latest probe and the last hour of every enabled model, and failures by
 * class over the last hour.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_METRICS_H
#define LW_DB_METRICS_H

#include "db/db.h"

/* name, environment, provider, model, sla_target_ms, last_ok,
 * last_ttft_ms, last_total_ms, last_tps, last_epoch, hour_count, hour_ok,
 * hour_p95_ms; by environment and name. */
PGresult *lw_db_metrics_models(lw_db *db, lw_err *err);
/* name, environment, error_class ('unknown' when unset), n. */
PGresult *lw_db_metrics_errors(lw_db *db, lw_err *err);

#endif
