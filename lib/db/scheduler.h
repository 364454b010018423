/* scheduler.h: the SQL that lets several hosts run the same timers (the
 * "backup scheduler"): a slot is claimed by inserting its job_runs row
 * under a PostgreSQL advisory lock of (job, slot), so exactly one host
 * runs it; the process running it holds the same lock for the session,
 * so a run whose process died is told from one still going; and the runs
 * `scheduler-status` lists. Times are Unix seconds (UTC). The rest of the
 * job bookkeeping (last slot, skipped slots, ends of runs) is jobs.h. */
#ifndef LW_DB_SCHEDULER_H
#define LW_DB_SCHEDULER_H

#include <time.h>

#include "db/db.h"

/* Inserts the run row of job's slot when no other process holds the
 * slot's lock nor has its row: 1 with *run_id when this one won, 0 when
 * another has it, LW_EDB. slot 0 = a run by hand (always claimed). */
int lw_db_scheduler_claim(lw_db *db, lw_err *err, const char *job, time_t slot,
                          const char *host, int pid, long long *run_id);
/* Takes (hold 1) or lets go (hold 0) the slot lock of run run_id on this
 * connection for as long as it runs; a run by hand has none. LW_OK,
 * LW_ECONFLICT when another session holds it, LW_EDB. */
int lw_db_scheduler_hold(lw_db *db, lw_err *err, long long run_id, int hold);
/* The runs of job with a slot in [from, to]: slot, status, error, host,
 * abandoned (still 'running' but its process is gone); by slot. */
PGresult *lw_db_scheduler_runs(lw_db *db, lw_err *err, const char *job, time_t from, time_t to);
/* The latest run of job: started (epoch), status, error, host, took_ms,
 * last_ok (epoch of the latest successful one, NULL if none); zero rows
 * when it never ran. */
PGresult *lw_db_scheduler_last(lw_db *db, lw_err *err, const char *job);

/* When this installation was initialised (settings.initialized_at): no
 * slot before it was missed. *since = 0 when unknown. LW_OK or LW_EDB. */
int lw_db_scheduler_since(lw_db *db, lw_err *err, time_t *since);

/* The first slot recorded for job (*first = 0 when none). LW_OK, LW_EDB. */
int lw_db_scheduler_first(lw_db *db, lw_err *err, const char *job, time_t *first);

#endif
