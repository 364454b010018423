/* jobs.c: the job table, due-slot computation, claiming and recording of
 * runs in job_runs. Used by `llmwatch run` and `llmwatch run-due`. */
#include "jobs.h"
#include "probe/cycle.h"
#include "rollup.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Notifications written by an evaluation go out at once, not a minute
 * later: the evaluate run delivers right after committing (notify's own
 * slot still runs for retries; SKIP LOCKED keeps the two apart). */
static int
job_evaluate_then_notify(lw_job_ctx *ctx)
{
    lw_buf details = { 0 };
    int rc = lw_job_evaluate(ctx);

    if (rc != LW_OK)
        return rc;
    /* keep evaluate's summary; notify's goes in as "notify" */
    lw_buf_append(&details, ctx->details.data ? ctx->details.data : "{}", ctx->details.len);
    lw_buf_reset(&ctx->details);
    rc = lw_job_notify(ctx);
    if (details.len > 1 && details.data[details.len - 1] == '}' && ctx->details.len > 0) {
        details.len--;
        lw_buf_printf(&details, "%s\"notify\":%s}", details.len > 1 ? "," : "", ctx->details.data);
    }
    lw_buf_reset(&ctx->details);
    lw_buf_append(&ctx->details, details.data ? details.data : "{}", details.len);
    lw_buf_free(&details);
    return rc;
}

const lw_job_def lw_jobs[] = {
    /* name            schedule entry          no-config default at start fn */
    { "probe",         LW_JOB_PERFORMANCE_CHECKS, "*/6 hours",    1, lw_job_probe },
    { "full_benchmark", LW_JOB_FULL_BENCHMARK, "weekly on sunday at 3:00", 0, lw_job_full_benchmark },
    { "evaluate",      LW_JOB_EVALUATE,        "*/1 minutes",   1, job_evaluate_then_notify },
    { "notify",        LW_JOB_NOTIFY,          "*/1 minutes",   0, lw_job_notify },
    { "maintain",      LW_JOB_MAINTAIN,        "hourly",        1, lw_job_maintain },
};
const size_t lw_jobs_count = LW_ARRAY_LEN(lw_jobs);

const lw_job_def *
lw_job_find(const char *name)
{
    size_t i;

    for (i = 0; i < lw_jobs_count; i++)
        if (strcmp(lw_jobs[i].name, name) == 0)
            return &lw_jobs[i];
    return NULL;
}

int
lw_job_schedule(const lw_job_def *def, lw_config *cfg, lw_sched *out,
                int *timeout_s, lw_err *err)
{
    const lw_config_job *cj;

    *timeout_s = 0;
    if (cfg != NULL && def->cfg_job >= 0 && def->cfg_job < LW_JOB_COUNT) {
        cj = &cfg->jobs[def->cfg_job];
        *out = cj->sched;
        *timeout_s = (int) cj->timeout;
        return LW_OK;
    }
    return lw_sched_parse(def->default_freq, out, err);
}

int
lw_job_enabled(const lw_job_def *def, const lw_config *cfg)
{
    if (cfg == NULL || def->cfg_job < 0 || def->cfg_job >= LW_JOB_COUNT)
        return 1;
    return cfg->jobs[def->cfg_job].enabled;
}

static void
fmt_ts(time_t t, char *buf, size_t size)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S+00", &tm);
}

/* The latest slot <= now, searching back a few typical intervals. */
static int
latest_slot(const lw_sched *s, time_t now, time_t from, time_t *out)
{
    time_t t = from, next;
    int found = 0, steps = 0;

    while (lw_sched_next(s, t, &next) == LW_OK && next <= now && steps++ < 100000) {
        *out = next;
        found = 1;
        t = next;
    }
    return found;
}

int
lw_job_due(lw_db *db, const lw_job_def *def, const lw_sched *s, time_t now,
           time_t *slot, lw_err *err)
{
    const char *params[3];
    PGresult *res;
    time_t last = 0, next, t, horizon;
    int64_t hint = lw_sched_interval_hint(s);
    char ts[40];
    int skipped = 0;

    params[0] = def->name;
    res = lw_db_query(db, err,
                      "SELECT extract(epoch FROM max(scheduled_for))::bigint FROM job_runs "
                      "WHERE job = $1 AND scheduled_for IS NOT NULL", 1, params);
    if (res == NULL)
        return LW_EDB;
    if (!lw_db_isnull(res, 0, 0))
        last = (time_t) lw_db_int(res, 0, 0);
    PQclear(res);

    horizon = now - (time_t) (hint > 0 ? 2 * hint : 3600) - 1;
    if (last == 0) {
        /* fresh install: run the current slot only for jobs that want it,
         * others wait for their next slot */
        if (!def->run_at_start)
            return 0;
        return latest_slot(s, now, horizon, slot);
    }
    if (lw_sched_next(s, last, &next) != LW_OK || next > now)
        return 0;
    /* Slots missed while nothing ran are recorded as skipped, so that
     * `scheduler-status --show-missed-jobs` can show them; only the latest
     * one runs (no catch-up storm after downtime). */
    if (!latest_slot(s, now, last, slot))
        return 0;
    for (t = next; t < *slot && skipped < 1000; skipped++) {
        fmt_ts(t, ts, sizeof(ts));
        params[1] = ts;
        params[2] = "missed: no scheduler was running at that time";
        lw_db_exec(db, NULL,
                   "INSERT INTO job_runs (job, scheduled_for, started_at, finished_at, status, error) "
                   "VALUES ($1, $2, $2, $2, 'skipped', $3) "
                   "ON CONFLICT (job, scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING",
                   3, params);
        if (lw_sched_next(s, t, &t) != LW_OK)
            break;
    }
    return 1;
}

int
lw_job_claim(lw_db *db, const char *job, time_t slot, long long *run_id, lw_err *err)
{
    char ts[40], host[256], pid[16];
    const char *params[4];
    PGresult *res;
    int won;

    if (gethostname(host, sizeof(host)) != 0)
        lw_strlcpy(host, "unknown", sizeof(host));
    host[sizeof(host) - 1] = '\0';
    snprintf(pid, sizeof(pid), "%d", (int) getpid());
    params[0] = job;
    params[1] = NULL;
    if (slot != 0) {
        fmt_ts(slot, ts, sizeof(ts));
        params[1] = ts;
    }
    params[2] = host;
    params[3] = pid;
    res = lw_db_query(db, err,
                      "INSERT INTO job_runs (job, scheduled_for, host, pid) VALUES ($1, $2, $3, $4::int) "
                      "ON CONFLICT (job, scheduled_for) WHERE scheduled_for IS NOT NULL DO NOTHING "
                      "RETURNING id", 4, params);
    if (res == NULL)
        return LW_EDB;
    won = PQntuples(res) == 1;
    if (won)
        *run_id = lw_db_int(res, 0, 0);
    PQclear(res);
    return won;
}

int
lw_job_finish(lw_db *db, long long run_id, const char *status, const char *error,
              const char *details_json, lw_err *err)
{
    char id[24];
    const char *params[4];

    snprintf(id, sizeof(id), "%lld", run_id);
    params[0] = id;
    params[1] = status;
    params[2] = error;
    params[3] = details_json && details_json[0] ? details_json : "{}";
    return lw_db_exec(db, err,
                      "UPDATE job_runs SET finished_at = now(), status = $2, error = $3, "
                      "details = $4::jsonb WHERE id = $1::bigint", 4, params) < 0 ? LW_EDB : LW_OK;
}

int
lw_job_run_now(lw_db *db, lw_config *cfg, const char *config_path,
               const lw_job_def *def, time_t slot, long long run_id)
{
    lw_job_ctx ctx;
    lw_sched s;
    lw_err err;
    int rc;

    memset(&ctx, 0, sizeof(ctx));
    ctx.db = db;
    ctx.cfg = cfg;
    ctx.config_path = config_path;
    ctx.job = def->name;
    ctx.slot = slot;
    lw_job_schedule(def, cfg, &s, &ctx.timeout_s, &err);
    rc = def->fn(&ctx);
    if (rc != LW_OK)
        lw_log(LW_LOG_ERROR, "job %s failed: %s", def->name, ctx.err.msg);
    else
        lw_log(LW_LOG_INFO, "job %s done %s", def->name, ctx.details.data ? ctx.details.data : "");
    if (lw_job_finish(db, run_id, rc == LW_OK ? "ok" : "failed",
                      rc == LW_OK ? NULL : ctx.err.msg, ctx.details.data, &err) != LW_OK)
        lw_log(LW_LOG_ERROR, "cannot record the end of job %s: %s", def->name, err.msg);
    lw_buf_free(&ctx.details);
    return rc;
}

/* maintain: daily partitions ahead, retention by dropping whole partitions,
 * expired sessions and runs left "running" by a crashed host. */
int
lw_job_maintain(lw_job_ctx *ctx)
{
    PGresult *res;
    long long made, dropped = 0, sessions, stale;
    long long retention = 90;

    if (lw_rollup_refresh(ctx->db, &ctx->err) != LW_OK)
        return LW_EDB;
    res = lw_db_query(ctx->db, &ctx->err,
                      "SELECT llmwatch_ensure_partitions(current_date - 1, current_date + 7)", 0, NULL);
    if (res == NULL)
        return LW_EDB;
    made = lw_db_int(res, 0, 0);
    PQclear(res);

    res = lw_db_query(ctx->db, &ctx->err,
                      "SELECT value FROM settings WHERE key = 'retention_days'", 0, NULL);
    if (res == NULL)
        return LW_EDB;
    if (PQntuples(res) == 1)
        retention = lw_db_int(res, 0, 0);
    PQclear(res);
    if (retention > 0) {
        char days[24];
        const char *p[1] = { days };

        snprintf(days, sizeof(days), "%lld", retention);
        res = lw_db_query(ctx->db, &ctx->err,
                          "SELECT llmwatch_drop_partitions(current_date - $1::int)", 1, p);
        if (res == NULL)
            return LW_EDB;
        dropped = lw_db_int(res, 0, 0);
        PQclear(res);
    }
    sessions = lw_db_exec(ctx->db, &ctx->err, "DELETE FROM sessions WHERE expires_at < now()", 0, NULL);
    if (sessions < 0)
        return LW_EDB;
    stale = lw_db_exec(ctx->db, &ctx->err,
                       "UPDATE job_runs SET status = 'failed', finished_at = now(), "
                       "error = 'abandoned: the process running it went away' "
                       "WHERE status = 'running' AND started_at < now() - interval '6 hours'", 0, NULL);
    if (stale < 0)
        return LW_EDB;
    lw_buf_printf(&ctx->details,
                  "{\"partitions_created\":%lld,\"partitions_dropped\":%lld,"
                  "\"sessions_expired\":%lld,\"stale_runs\":%lld,\"retention_days\":%lld}",
                  made, dropped, sessions, stale, retention);
    return LW_OK;
}
