/* rollups.c: the SQL that keeps the rollups table in step with probes
 * (see rollups.h; the design is in docs/rollups.md). */
#include "db/rollups.h"

#include "db/sql.h"

/* 5-minute rows past settings.rollups_5m_retention_days (default 8; 0
 * keeps them): hours and days are kept for ever. */
int
lw_db_rollups_expire(lw_db *db, lw_err *err, long long *expired)
{
    int n = lw_db_exec(db, err,
        "DELETE FROM rollups WHERE resolution = '5m' AND bucket_start <"
        " (SELECT CASE WHEN f.days > 0 THEN date_bin('1 day', now() - make_interval(days => f.days),"
        "   " ORIGIN ") END FROM (SELECT " SETTING_INT("rollups_5m_retention_days", "8") " AS days) f)",
        0, NULL);

    if (n < 0)
        return LW_EDB;
    *expired = n;
    return LW_OK;
}

/* Every bucket that has probes, rebuilt from raw probes (the triggers keep
 * them current; this is for a changed retention or a repaired table). */
int
lw_db_rollups_rebuild(lw_db *db, lw_err *err, long long *written)
{
    return lw_db_value(db, err,
        "SELECT lw_rollup_rebuild(array_agg(b)) FROM"
        " (SELECT DISTINCT date_bin('5 minutes', ts, " ORIGIN ") AS b FROM probes) x", 0, NULL,
        written);
}
