/* scheduler.c: the SQL of running scheduled slots safely across hosts
 * (see scheduler.h): claiming a slot under an advisory lock, the lock a
 * run holds while it runs, and what `scheduler-status` reads. */
#include "db/scheduler.h"

#include <stdio.h>

#include "db/sql.h"
#include "times.h"

/* The lock of a job's slot: (hash of the job, the slot in minutes). */
#define SLOT_LOCK(job, slot) \
    "hashtext('llmwatch job ' || " job "), (extract(epoch FROM " slot ") / 60)::bigint::int"

int
lw_db_scheduler_claim(lw_db *db, lw_err *err, const char *job, time_t slot, const char *host,
                      int pid, long long *run_id)
{
    char ts[40], pids[24];
    const char *p[4] = { job, NULL, host, LL(pids, pid) };

    if (slot != 0)
        p[1] = lw_time_format(slot, LW_TIME_SQL, ts, sizeof(ts));
    /* the lock is held for this statement: two claimers at the same time
     * cannot both pass it, one after the other meet the unique index */
    return lw_db_value_row(db, err,
            "INSERT INTO job_runs (job, scheduled_for, host, pid)"
            " SELECT $1, $2::timestamptz, $3, $4::int"
            " WHERE $2::timestamptz IS NULL OR pg_try_advisory_xact_lock("
            SLOT_LOCK("$1", "$2::timestamptz") ")"
            " ON CONFLICT (job, scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING"
            " RETURNING id", 4, p, run_id);
}

int
lw_db_scheduler_hold(lw_db *db, lw_err *err, long long run_id, int hold)
{
    PGresult *res;
    int got;

    res = lw_db_query_id(db, err, hold
        ? "SELECT pg_try_advisory_lock(" SLOT_LOCK("job", "scheduled_for") ")"
          " FROM job_runs WHERE id = $1::bigint AND scheduled_for IS NOT NULL"
        : "SELECT pg_advisory_unlock(" SLOT_LOCK("job", "scheduled_for") ")"
          " FROM job_runs WHERE id = $1::bigint AND scheduled_for IS NOT NULL", run_id);
    if (res == NULL)
        return LW_EDB;
    got = PQntuples(res) == 0 || lw_db_bool(res, 0, 0);
    PQclear(res);
    return got ? LW_OK : LW_ECONFLICT;
}

PGresult *
lw_db_scheduler_runs(lw_db *db, lw_err *err, const char *job, time_t from, time_t to)
{
    char a[40], b[40];
    const char *p[3] = { job, lw_time_format(from, LW_TIME_SQL, a, sizeof(a)),
                         lw_time_format(to, LW_TIME_SQL, b, sizeof(b)) };

    /* a run still "running" whose lock nobody holds lost its process: a
     * try-lock that succeeds proves it (and is let go at once) */
    return lw_db_query(db, err,
        "SELECT extract(epoch FROM scheduled_for)::bigint AS slot, status, coalesce(error, ''),"
        " host, CASE WHEN status = 'running' AND started_at < now() - interval '1 minute'"
        "  AND pg_try_advisory_lock(" SLOT_LOCK("job", "scheduled_for") ")"
        "  THEN pg_advisory_unlock(" SLOT_LOCK("job", "scheduled_for") ") ELSE false END AS abandoned"
        " FROM job_runs WHERE job = $1 AND scheduled_for >= $2 AND scheduled_for <= $3"
        " ORDER BY scheduled_for", 3, p);
}

PGresult *
lw_db_scheduler_last(lw_db *db, lw_err *err, const char *job)
{
    return lw_db_query_text(db, err,
        "SELECT extract(epoch FROM started_at)::bigint, status, coalesce(error, ''), host,"
        " extract(epoch FROM finished_at - started_at) * 1000,"
        " (SELECT extract(epoch FROM max(started_at))::bigint FROM job_runs o"
        "   WHERE o.job = $1 AND o.status = 'ok') AS last_ok"
        " FROM job_runs WHERE job = $1 ORDER BY started_at DESC, id DESC LIMIT 1", job);
}

int
lw_db_scheduler_since(lw_db *db, lw_err *err, time_t *since)
{
    return lw_db_value_time(db, err,
        "SELECT extract(epoch FROM value::timestamptz)::bigint FROM settings"
        " WHERE key = 'initialized_at'", 0, NULL, since);
}

int
lw_db_scheduler_first(lw_db *db, lw_err *err, const char *job, time_t *first)
{
    const char *p[1] = { job };

    return lw_db_value_time(db, err,
        "SELECT extract(epoch FROM min(scheduled_for))::bigint FROM job_runs WHERE job = $1", 1, p,
        first);
}
