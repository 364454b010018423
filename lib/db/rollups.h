/* rollups.h: the SQL of the rollup refresh (lib/rollup.c runs it in a
 * transaction and logs what it did). */
#ifndef LW_DB_ROLLUPS_H
#define LW_DB_ROLLUPS_H

#include "db/db.h"
#include "rollup.h"

/* Inside a transaction: waits for any other refresh, claims the
 * rollup_dirty queue, recomputes the 5m and 1h buckets it names from raw
 * probes (rows written only when they changed), deletes rollup rows whose
 * probes are gone and 5m rows past `rollups_5m_retention_days`, and
 * records `rollups_refreshed_at`. Fills every count of *st but
 * elapsed_ms. LW_OK or LW_EDB. */
int lw_db_rollups_refresh(lw_db *db, lw_err *err, lw_rollup_stats *st);

#endif
