/* status.h: the SQL of the public /status page: the models marked
 * `status_page: true`, each with its state now, 90 daily availability bars
 * from the daily rollups, and the incidents of its alert history, as one
 * JSON document (/status.json serves it as is; /status renders the same
 * document). Nothing private goes in: no endpoint, key, price, cost,
 * threshold or alert summary, and no alert of a rule about costs.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_STATUS_H
#define LW_DB_STATUS_H

#include "db/db.h"

#define LW_STATUS_DAYS 90

/* One row, one column:
 * {"generated_at","days":90,"overall":"operational|degraded|down|unknown",
 *  "models":[{"name","environment","state","availability_pct" (90 days),
 *    "last_hour":{"probes","availability_pct","p95_ms","target_ms"},
 *    "days":[{"date","probes","availability_pct"|null} x 90, oldest first]}],
 *  "incidents":[{"id","title","severity","model","environment","state",
 *    "started_at","fired_at","resolved_at","duration_s",
 *    "timeline":[{"at","state"}]}] (newest first, at most 50)}
 * A model is down when its last three probes failed or less than half of
 * its last hour succeeded, degraded when its last hour's p95 is over its
 * latency target, unknown without a probe in the last hour. */
PGresult *lw_db_status_json(lw_db *db, lw_err *err);

#endif
