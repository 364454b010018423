/* jobs.h: the SQL of the worker's jobs: the slots of job_runs (claimed by
 * inserting the row, the unique (job, scheduled_for) index letting one
 * claimer win; missed slots recorded as skipped; ends recorded), and what
 * `maintain` and `init` do to the schema and settings (daily partitions,
 * retention, expired sessions, runs abandoned by a dead process). Times
 * are Unix seconds (UTC). */
#ifndef LW_DB_JOBS_H
#define LW_DB_JOBS_H

#include <time.h>

#include "db/db.h"

/* The latest slot recorded for job (*last = 0 when none). LW_OK or LW_EDB. */
int lw_db_jobs_last_slot(lw_db *db, lw_err *err, const char *job, time_t *last);
/* Records a slot nobody ran as 'skipped' with `why` (no-op when the slot
 * has a row already). LW_OK or LW_EDB. */
int lw_db_jobs_skip(lw_db *db, lw_err *err, const char *job, time_t slot, const char *why);
/* Inserts the run row: 1 and *run_id when this process won the slot, 0 when
 * another one has it, LW_EDB. slot 0 = a manual run (always claimed). */
int lw_db_jobs_claim(lw_db *db, lw_err *err, const char *job, time_t slot, const char *host,
                     int pid, long long *run_id);
/* Records the end of a run: status "ok", "failed" or "skipped", error (may
 * be NULL), details a JSON object text (NULL = {}). only_running: leave a
 * run that already recorded its end alone. LW_OK or LW_EDB. */
int lw_db_jobs_finish(lw_db *db, lw_err *err, long long run_id, const char *status,
                      const char *error, const char *details, int only_running);

/* ---- schema upkeep (maintain, init) ---- */

/* Daily partitions of the probe tables from today + from_days to today +
 * to_days; returns how many were created (>= 0) or LW_EDB. */
long long lw_db_jobs_ensure_partitions(lw_db *db, lw_err *err, int from_days, int to_days);
/* Drops the partitions older than `days` days; returns how many or LW_EDB. */
long long lw_db_jobs_drop_partitions(lw_db *db, lw_err *err, long long days);
/* Deletes expired web sessions; returns how many or LW_EDB. */
long long lw_db_jobs_expire_sessions(lw_db *db, lw_err *err);
/* Marks runs left 'running' for over six hours as failed (their process
 * went away); returns how many or LW_EDB. */
long long lw_db_jobs_fail_stale(lw_db *db, lw_err *err);

/* settings.value of key as a number: LW_OK with *out set, LW_ENOTFOUND
 * (*out untouched) or LW_EDB. */
int lw_db_jobs_setting_int(lw_db *db, lw_err *err, const char *key, long long *out);
/* Sets settings.key = value (insert or update). LW_OK or LW_EDB. */
int lw_db_jobs_setting_set(lw_db *db, lw_err *err, const char *key, const char *value);
/* Marks the installation initialised (settings.initialized_at, first time
 * only) and adds the environment `name`. LW_OK or LW_EDB. */
int lw_db_jobs_init_mark(lw_db *db, lw_err *err, const char *environment);
/* How many tables the schema has (partitions not counted), or LW_EDB. */
long long lw_db_jobs_table_count(lw_db *db, lw_err *err);

#endif
