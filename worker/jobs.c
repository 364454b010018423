/* jobs.c: the job table, due-slot computation, claiming, running under a
 * timeout and recording of runs in job_runs. Used by `llmwatch run`,
 * `llmwatch run-due` and the report schedules. */
#include "jobs.h"

#include "db/cycle.h"
#include "db/jobs.h"
#include "db/scheduler.h"
#include "db/webstats.h"
#include "probe/cycle.h"
#include "report/reporting.h"
#include "probe/lease.h"
#include "rollup.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
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
    { "cost_analysis", LW_JOB_COST_ANALYSIS,   "daily at 2:00", 0, lw_job_cost_analysis },
    { "evaluate",      LW_JOB_EVALUATE,        "*/1 minutes",   1, job_evaluate_then_notify },
    { "notify",        LW_JOB_NOTIFY,          "*/1 minutes",   0, lw_job_notify },
    { "maintain",      LW_JOB_MAINTAIN,        "hourly",        1, lw_job_maintain },
    /* every report schedule of report_config.yaml, each under its own job
     * name and slots (worker/report/schedules.c); this tick only looks */
    { "report",        -1,                     "*/1 minutes",   1, lw_job_reports },
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
lw_job_due(lw_db *db, lw_err *err, const lw_job_def *def, const lw_sched *s, time_t now,
           time_t *slot)
{
    time_t last, next, t, horizon;
    int64_t hint = lw_sched_interval_hint(s);
    int skipped = 0;

    if (lw_db_jobs_last_slot(db, err, def->name, &last) != LW_OK)
        return LW_EDB;
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
     * `llmwatch status` counts them; only the latest one runs (no catch-up
     * storm after downtime). */
    if (!latest_slot(s, now, last, slot))
        return 0;
    for (t = next; t < *slot && skipped < 1000; skipped++) {
        lw_db_jobs_skip(db, NULL, def->name, t, "missed: no scheduler was running at that time");
        if (lw_sched_next(s, t, &t) != LW_OK)
            break;
    }
    return 1;
}

int
lw_job_claim(lw_db *db, lw_err *err, const char *job, time_t slot, long long *run_id)
{
    return lw_db_scheduler_claim(db, err, job, slot, lw_lease_host(), (int) getpid(), run_id);
}

int
lw_job_finish(lw_db *db, lw_err *err, long long run_id, const char *status, const char *error,
              const char *details_json)
{
    return lw_db_jobs_finish(db, err, run_id, status, error, details_json, 0);
}

/* The run in this process: the slot's lock held while fn runs (so other
 * hosts can tell it is alive), its end recorded. */
static int
run_here(lw_db *db, lw_config *cfg, const char *config_path, const char *job, lw_job_fn fn,
         const void *arg, time_t slot, long long run_id, int timeout_s)
{
    lw_job_ctx ctx = { .db = db, .cfg = cfg, .config_path = config_path, .job = job,
                       .slot = slot, .timeout_s = timeout_s, .arg = arg };
    lw_err err;
    int rc;

    ctx.pool = lw_pool_create();
    if (ctx.pool == NULL) {
        lw_err_set(&ctx.err, "out of memory");
        rc = LW_ENOMEM;
    } else if (lw_db_scheduler_hold(db, &ctx.err, run_id, 1) == LW_ECONFLICT) {
        lw_err_set(&ctx.err, "another process holds this slot");
        rc = LW_ECONFLICT;
    } else {
        rc = fn(&ctx);
    }
    if (rc != LW_OK)
        lw_log(LW_LOG_ERROR, "job %s failed: %s", job, ctx.err.msg);
    else
        lw_log(LW_LOG_INFO, "job %s done %s", job, ctx.details.data ? ctx.details.data : "");
    if (lw_job_finish(db, &err, run_id, rc == LW_OK ? "ok" : "failed",
                      rc == LW_OK ? NULL : ctx.err.msg, ctx.details.data) != LW_OK)
        lw_log(LW_LOG_ERROR, "cannot record the end of job %s: %s", job, err.msg);
    lw_db_scheduler_hold(db, &err, run_id, 0);
    lw_buf_free(&ctx.details);
    lw_pool_destroy(ctx.pool);
    return rc;
}

/* A connection of our own to the database db is connected to (a child
 * must not speak on its parent's socket): the live connection's
 * parameters as a conninfo string. Caller closes. */
static lw_db *
connect_again(lw_db *db, const char *app, lw_err *err)
{
    PQconninfoOption *opts = PQconninfo(lw_db_conn(db)), *o;
    lw_buf ci = { 0 };
    const char *v;
    lw_db *out;

    for (o = opts; o != NULL && o->keyword != NULL; o++) {
        if (o->val == NULL || o->val[0] == '\0' || strstr(o->keyword, "application_name"))
            continue;
        lw_buf_printf(&ci, "%s%s='", ci.len ? " " : "", o->keyword);
        for (v = o->val; *v; v++) {
            if (*v == '\'' || *v == '\\')
                lw_buf_putc(&ci, '\\');
            lw_buf_putc(&ci, *v);
        }
        lw_buf_putc(&ci, '\'');
    }
    PQconninfoFree(opts);
    out = lw_db_connect(ci.data ? ci.data : "", app, err);
    if (ci.data != NULL)
        explicit_bzero(ci.data, ci.len);    /* it may hold the password */
    lw_buf_free(&ci);
    return out;
}

int
lw_job_run_bounded(lw_db *db, lw_config *cfg, const char *config_path, const char *job,
                   lw_job_fn fn, const void *arg, time_t slot, long long run_id, int timeout_s)
{
    struct timespec tick = { 0, 100 * 1000 * 1000 };
    int64_t deadline, killed_at = 0;
    char why[128];
    lw_db *own;
    lw_err err;
    pid_t pid, w;
    int st = 0, rc;

    if (timeout_s <= 0)
        return run_here(db, cfg, config_path, job, fn, arg, slot, run_id, 0);
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        lw_log(LW_LOG_WARN, "job %s: fork: %s; running it without its timeout", job,
               strerror(errno));
        return run_here(db, cfg, config_path, job, fn, arg, slot, run_id, timeout_s);
    }
    if (pid == 0) {
        /* the run must not outlive whoever waits for it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_IGN);
        if ((own = connect_again(db, job, &err)) == NULL) {
            lw_log(LW_LOG_ERROR, "job %s: %s", job, err.msg);
            _exit(1);
        }
        rc = run_here(own, cfg, config_path, job, fn, arg, slot, run_id, timeout_s);
        lw_db_close(own);
        fflush(NULL);
        _exit(rc == LW_OK ? 0 : 1);
    }
    deadline = lw_now_mono_us() + (int64_t) timeout_s * 1000000;
    for (;;) {
        w = waitpid(pid, &st, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        if (killed_at == 0 && lw_now_mono_us() >= deadline) {
            lw_log(LW_LOG_ERROR, "job %s: still running after its timeout of %d s: stopping it",
                   job, timeout_s);
            kill(pid, SIGTERM);
            killed_at = lw_now_mono_us();
        } else if (killed_at != 0 && lw_now_mono_us() >= killed_at + 10 * 1000000) {
            kill(pid, SIGKILL);
        }
        nanosleep(&tick, NULL);
    }
    if (killed_at != 0)
        snprintf(why, sizeof(why), "timed out after %d s: killed", timeout_s);
    else if (w == pid && WIFSIGNALED(st))
        snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(st));
    else
        return w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? LW_OK : LW_ERROR;
    /* the child could not say it: unless it did just in time */
    lw_db_check(db, &err);
    if (lw_db_jobs_finish(db, &err, run_id, "failed", why, NULL, 1) != LW_OK)
        lw_log(LW_LOG_ERROR, "cannot record the end of job %s: %s", job, err.msg);
    lw_log(LW_LOG_ERROR, "job %s: %s", job, why);
    return killed_at != 0 ? LW_ETIMEDOUT : LW_ERROR;
}

int
lw_job_run_now(lw_db *db, lw_config *cfg, const char *config_path,
               const lw_job_def *def, time_t slot, long long run_id)
{
    lw_sched s;
    lw_err err;
    int timeout = 0;

    if (lw_job_schedule(def, cfg, &s, &timeout, &err) != LW_OK)
        timeout = 0;
    return lw_job_run_bounded(db, cfg, config_path, def->name, def->fn, NULL, slot, run_id,
                              timeout);
}

/* maintain: daily partitions ahead, retention by dropping whole partitions,
 * expired sessions and runs left "running" by a crashed host. */
int
lw_job_maintain(lw_job_ctx *ctx)
{
    long long made, dropped = 0, sessions, stale, retention = 90;

    if (lw_rollup_maintain(ctx->db, &ctx->err, NULL) != LW_OK)
        return LW_EDB;
    /* answers past settings.answer_retention_days (default 14) */
    if (lw_db_cycle_clear_answers(ctx->db, &ctx->err) < 0)
        return LW_EDB;
    /* llmwatch-web's own timings past 14 days */
    if (lw_db_webstats_expire(ctx->db, &ctx->err) < 0)
        return LW_EDB;
    made = lw_db_jobs_ensure_partitions(ctx->db, &ctx->err, -1, 7);
    if (made < 0)
        return LW_EDB;
    if (lw_db_jobs_setting_int(ctx->db, &ctx->err, "retention_days", &retention) == LW_EDB)
        return LW_EDB;
    if (retention > 0) {
        dropped = lw_db_jobs_drop_partitions(ctx->db, &ctx->err, retention);
        if (dropped < 0)
            return LW_EDB;
    }
    sessions = lw_db_jobs_expire_sessions(ctx->db, &ctx->err);
    if (sessions < 0)
        return LW_EDB;
    stale = lw_db_jobs_fail_stale(ctx->db, &ctx->err);
    if (stale < 0)
        return LW_EDB;
    lw_buf_printf(&ctx->details,
                  "{\"partitions_created\":%lld,\"partitions_dropped\":%lld,"
                  "\"sessions_expired\":%lld,\"stale_runs\":%lld,\"retention_days\":%lld}",
                  made, dropped, sessions, stale, retention);
    return LW_OK;
}
