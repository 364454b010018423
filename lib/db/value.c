/* value.c: statements whose answer is one number (an inserted row's id, a
 * count, an epoch), read the one way (see sql.h). */
#include "db/sql.h"

int
lw_db_value(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p, long long *out)
{
    PGresult *res = lw_db_query(db, err, sql, n, p);

    *out = 0;
    if (res == NULL)
        return lw_db_last_was_conflict(db) ? LW_ECONFLICT : LW_EDB;
    *out = lw_db_int(res, 0, 0);
    PQclear(res);
    return LW_OK;
}

int
lw_db_value_time(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p, time_t *out)
{
    long long v;
    int rc = lw_db_value(db, err, sql, n, p, &v);

    *out = (time_t) v;
    return rc;
}

int
lw_db_value_row(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p,
                long long *out)
{
    PGresult *res = lw_db_query(db, err, sql, n, p);
    int found;

    if (res == NULL)
        return LW_EDB;
    found = PQntuples(res) == 1;
    if (found)
        *out = lw_db_int(res, 0, 0);
    PQclear(res);
    return found;
}

int
lw_db_value_add(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p, int *total)
{
    long long v = 0;

    if (lw_db_value_row(db, err, sql, n, p, &v) < 0)
        return LW_EDB;
    *total += (int) v;
    return LW_OK;
}

long long
lw_db_count(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p)
{
    long long v = 0;

    return lw_db_value_row(db, err, sql, n, p, &v) < 0 ? LW_EDB : v;
}
