/* notifier.c: the SQL of a notifier waiting on PostgreSQL (see
 * notifier.h). */
#include "db/notifier.h"

#include <stdlib.h>

int
lw_db_notifier_listen(lw_db *db, lw_err *err)
{
    return lw_db_run(db, err, "LISTEN llmwatch_outbox", 0, NULL);
}

int
lw_db_notifier_next_due(lw_db *db, lw_err *err, double *secs)
{
    PGresult *res = lw_db_query(db, err,
        "SELECT greatest(extract(epoch FROM min(next_attempt_at) - now()), 0)::float8"
        " FROM notifications WHERE status = 'pending'", 0, NULL);

    if (res == NULL)
        return LW_EDB;
    *secs = lw_db_isnull(res, 0, 0) ? -1 : lw_db_double(res, 0, 0);
    PQclear(res);
    return LW_OK;
}
