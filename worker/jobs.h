/* jobs.h: the scheduled jobs of the worker and the slot bookkeeping in
 * job_runs that lets several schedulers (or systemd timers on several
 * hosts: the backup scheduler) share them: a slot is claimed by inserting
 * its row under an advisory lock of (job, slot), and the unique (job,
 * scheduled_for) index lets exactly one claimer win; the run holds the
 * lock while it runs, in a child process killed past the job's timeout. */
#ifndef LW_JOBS_H
#define LW_JOBS_H

#include <time.h>

#include "lw.h"
#include "db/db.h"
#include "config.h"

typedef struct lw_job_ctx {
    lw_db       *db;
    lw_pool     *pool;         /* the run's memory, freed when it ends */
    lw_config   *cfg;          /* borrowed; may be NULL when no config */
    const char  *config_path;
    const char  *job;          /* name of the job */
    time_t       slot;         /* scheduled time, 0 when run by hand */
    int          timeout_s;    /* from the schedule, 0 = none */
    lw_buf       details;      /* JSON object text recorded in job_runs.details */
    const void  *arg;          /* what the runner passed (report schedules) */
    lw_err       err;
} lw_job_ctx;

typedef int (*lw_job_fn)(lw_job_ctx *ctx);

typedef struct lw_job_def {
    const char *name;
    int         cfg_job;        /* lw_job of monitoring.schedule (with its
                                 * built-in default when absent) */
    const char *default_freq;   /* used when there is no config at all */
    int         run_at_start;   /* on a fresh install run the current slot */
    lw_job_fn   fn;
} lw_job_def;

extern const lw_job_def lw_jobs[];
extern const size_t lw_jobs_count;

const lw_job_def *lw_job_find(const char *name);

/* Frequency and timeout of a job under the given config. Returns 0 or
 * LW_EINVAL (bad frequency). */
int lw_job_schedule(const lw_job_def *def, lw_config *cfg, lw_sched *out,
                    int *timeout_s, lw_err *err);

/* 0 when the config turns the job off (schedule entry `enabled: false`). */
int lw_job_enabled(const lw_job_def *def, const lw_config *cfg);

/* The slot to run now, if any: *slot = the latest slot <= now not yet in
 * job_runs (older unrun slots are recorded as skipped). Returns 1 when due,
 * 0 when not, negative on error. */
int lw_job_due(lw_db *db, lw_err *err, const lw_job_def *def, const lw_sched *s, time_t now,
               time_t *slot);

/* Claims a slot: 1 and *run_id when this process won it, 0 when another
 * one has it (its row exists, or a claim of it is under way elsewhere),
 * negative on error. slot 0 = a manual run (always claimed). */
int lw_job_claim(lw_db *db, lw_err *err, const char *job, time_t slot, long long *run_id);

/* Records the end of a run. status: "ok", "failed" or "skipped". */
int lw_job_finish(lw_db *db, lw_err *err, long long run_id, const char *status,
                  const char *error, const char *details_json);

/* Runs the job of a claimed run with its schedule's timeout, as
 * lw_job_run_bounded; returns its code. */
int lw_job_run_now(lw_db *db, lw_config *cfg, const char *config_path,
                   const lw_job_def *def, time_t slot, long long run_id);

/* Runs fn (ctx->arg = arg) for the claimed run run_id of job, with a pool
 * and the run's lock, and records its end. With timeout_s > 0 it runs in a
 * child process (its own database connection; it dies with its parent)
 * that is stopped with SIGTERM past the timeout and SIGKILL 10 s later:
 * the run is then recorded failed, "timed out after N s", and
 * LW_ETIMEDOUT returned. With 0 it runs in this process. Returns fn's
 * code. */
int lw_job_run_bounded(lw_db *db, lw_config *cfg, const char *config_path, const char *job,
                       lw_job_fn fn, const void *arg, time_t slot, long long run_id,
                       int timeout_s);

/* The jobs themselves. */
int lw_job_maintain(lw_job_ctx *ctx);
int lw_job_evaluate(lw_job_ctx *ctx);
int lw_job_notify(lw_job_ctx *ctx);

#endif
