/* replica.c: the SQL of reading from a standby (see replica.h). */
#include "db/replica.h"

#include <string.h>

int
lw_db_replica_lag(lw_db *db, lw_err *err, int *standby, double *lag_s)
{
    PGresult *res;

    res = lw_db_query(db, err,
        "SELECT pg_is_in_recovery(),"
        " CASE WHEN NOT pg_is_in_recovery() THEN 0"
        "      WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()"
        "       AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0"
        "      ELSE greatest(0, coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0))"
        " END", 0, NULL);
    if (res == NULL)
        return LW_EDB;
    *standby = lw_db_bool(res, 0, 0);
    *lag_s = lw_db_double(res, 0, 1);
    PQclear(res);
    return LW_OK;
}

int
lw_db_replica_primary_lsn(lw_db *db, lw_err *err, char *lsn, size_t size)
{
    PGresult *res = lw_db_query(db, err, "SELECT pg_current_wal_lsn()::text", 0, NULL);

    if (res == NULL)
        return LW_EDB;
    lw_strlcpy(lsn, lw_db_str(res, 0, 0) ? lw_db_str(res, 0, 0) : "0/0", size);
    PQclear(res);
    return LW_OK;
}

int
lw_db_replica_caught_up(lw_db *db, lw_err *err, const char *lsn)
{
    const char *p[1] = { lsn };
    PGresult *res;
    int ok;

    res = lw_db_query(db, err,
                      "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn",
                      1, p);
    if (res == NULL)
        return LW_EDB;
    ok = lw_db_bool(res, 0, 0);
    PQclear(res);
    return ok;
}
