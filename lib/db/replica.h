/* replica.h: the SQL of reading from a standby: how far a server is
 * behind its primary, and whether it has replayed a primary's position. */
#ifndef LW_DB_REPLICA_H
#define LW_DB_REPLICA_H

#include "db/db.h"

/* What the server behind db is: *standby 1 when it is in recovery, and
 * then *lag_s how far it is behind: 0 when it replayed all it received
 * while streaming, else the age of its last replayed transaction (the
 * primary's clock on the standby's: a standby cut off from its primary
 * lags more and more). LW_OK or LW_EDB. */
int lw_db_replica_lag(lw_db *db, lw_err *err, int *standby, double *lag_s);

/* The primary's current WAL position as text ("0/3000148") into lsn.
 * LW_OK or LW_EDB. */
int lw_db_replica_primary_lsn(lw_db *db, lw_err *err, char *lsn, size_t size);

/* 1 when the server behind db has replayed the primary's position lsn
 * (or is no standby), 0 when not yet, LW_EDB. */
int lw_db_replica_caught_up(lw_db *db, lw_err *err, const char *lsn);

#endif
