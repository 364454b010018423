/* rollups.h: the SQL that maintains the rollups outside the probes' own
 * triggers (sql/008_read_path.sql keeps them current in the writers'
 * transactions): expiry of 5-minute rows and a full rebuild. */
#ifndef LW_DB_ROLLUPS_H
#define LW_DB_ROLLUPS_H

#include "db/db.h"

/* Deletes 5-minute rows past `rollups_5m_retention_days` (default 8);
 * *expired gets how many. LW_OK or LW_EDB. */
int lw_db_rollups_expire(lw_db *db, lw_err *err, long long *expired);
/* Rebuilds every level of every bucket with probes from raw probes; long
 * on a large history. *written gets the rows written. LW_OK or LW_EDB. */
int lw_db_rollups_rebuild(lw_db *db, lw_err *err, long long *written);

#endif
