/* jobs.c: the SQL of the worker's jobs (see jobs.h): job_runs slots and
 * records, partitions, retention, sessions and settings. */
#include "db/jobs.h"

#include <stdio.h>
#include <string.h>

#include "db/sql.h"
#include "times.h"

static const char *
ts_param(time_t t, char *buf, size_t size)
{
    return lw_time_format(t, LW_TIME_SQL, buf, size);
}

int
lw_db_jobs_last_slot(lw_db *db, lw_err *err, const char *job, time_t *last)
{
    const char *p[1] = { job };

    return lw_db_value_time(db, err,
                            "SELECT extract(epoch FROM max(scheduled_for))::bigint FROM job_runs "
                            "WHERE job = $1 AND scheduled_for IS NOT NULL", 1, p, last);
}

int
lw_db_jobs_skip(lw_db *db, lw_err *err, const char *job, time_t slot, const char *why)
{
    char ts[40];
    const char *p[3] = { job, ts_param(slot, ts, sizeof(ts)), why };

    return lw_db_run(db, err,
                     "INSERT INTO job_runs (job, scheduled_for, started_at, finished_at, status, error) "
                     "VALUES ($1, $2, $2, $2, 'skipped', $3) "
                     "ON CONFLICT (job, scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING",
                     3, p);
}

int
lw_db_jobs_claim(lw_db *db, lw_err *err, const char *job, time_t slot, const char *host,
                 int pid, long long *run_id)
{
    char ts[40], pids[24];
    const char *p[4] = { job, slot != 0 ? ts_param(slot, ts, sizeof(ts)) : NULL, host,
                         LL(pids, pid) };

    return lw_db_value_row(db, err,
                      "INSERT INTO job_runs (job, scheduled_for, host, pid) VALUES ($1, $2, $3, $4::int) "
                      "ON CONFLICT (job, scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING "
                      "RETURNING id", 4, p, run_id);
}

int
lw_db_jobs_finish(lw_db *db, lw_err *err, long long run_id, const char *status,
                  const char *error, const char *details, int only_running)
{
    char id[24];
    const char *p[4] = { LL(id, run_id), status, error, details && details[0] ? details : "{}" };

    if (only_running)
        return lw_db_run(db, err,
                         "UPDATE job_runs SET status = $2, finished_at = now(), error = $3 "
                         "WHERE id = $1::bigint AND status = 'running'", 3, p);
    return lw_db_run(db, err,
                     "UPDATE job_runs SET finished_at = now(), status = $2, error = $3, "
                     "details = $4::jsonb WHERE id = $1::bigint", 4, p);
}

long long
lw_db_jobs_ensure_partitions(lw_db *db, lw_err *err, int from_days, int to_days)
{
    char a[24], b[24];
    const char *p[2] = { LL(a, from_days), LL(b, to_days) };

    return lw_db_count(db, err, "SELECT llmwatch_ensure_partitions(current_date + $1::int, "
                       "current_date + $2::int)", 2, p);
}

long long
lw_db_jobs_drop_partitions(lw_db *db, lw_err *err, long long days)
{
    char d[24];
    const char *p[1] = { LL(d, days) };

    return lw_db_count(db, err, "SELECT llmwatch_drop_partitions(current_date - $1::int)", 1, p);
}

long long
lw_db_jobs_expire_sessions(lw_db *db, lw_err *err)
{
    return lw_db_exec(db, err, "DELETE FROM sessions WHERE expires_at < now()", 0, NULL);
}

long long
lw_db_jobs_fail_stale(lw_db *db, lw_err *err)
{
    return lw_db_exec(db, err,
                      "UPDATE job_runs SET status = 'failed', finished_at = now(), "
                      "error = 'abandoned: the process running it went away' "
                      "WHERE status = 'running' AND started_at < now() - interval '6 hours'", 0, NULL);
}

int
lw_db_jobs_setting_int(lw_db *db, lw_err *err, const char *key, long long *out)
{
    const char *p[1] = { key };
    PGresult *res;
    int rc = LW_ENOTFOUND;

    res = lw_db_query(db, err, "SELECT value FROM settings WHERE key = $1", 1, p);
    if (res == NULL)
        return LW_EDB;
    if (PQntuples(res) == 1) {
        *out = lw_db_int(res, 0, 0);
        rc = LW_OK;
    }
    PQclear(res);
    return rc;
}

int
lw_db_jobs_setting_set(lw_db *db, lw_err *err, const char *key, const char *value)
{
    const char *p[2] = { key, value };

    return lw_db_run(db, err,
                     "INSERT INTO settings (key, value) VALUES ($1, $2) "
                     "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
                     2, p);
}

int
lw_db_jobs_init_mark(lw_db *db, lw_err *err, const char *environment)
{
    const char *p[1] = { environment };

    if (lw_db_exec(db, err, "INSERT INTO environments (name) VALUES ($1) "
                   "ON CONFLICT (name) DO NOTHING", 1, p) < 0
        || lw_db_exec(db, err, "INSERT INTO settings (key, value) VALUES ('initialized_at', "
                      "now()::text) ON CONFLICT (key) DO NOTHING", 0, NULL) < 0)
        return LW_EDB;
    return LW_OK;
}

long long
lw_db_jobs_table_count(lw_db *db, lw_err *err)
{
    return lw_db_count(db, err, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                       "AND tablename !~ '_([0-9]{8}|default)$'", 0, NULL);
}
