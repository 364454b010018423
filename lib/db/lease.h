/* lease.h: the SQL of probe leases (sql/015_scale_out.sql): the models of
 * a shared job's slot (probe, full_benchmark) claimed by the worker hosts
 * in parts, so that together they probe each model once per slot, and the
 * hosts seen lately. Times are Unix seconds; model id arrays are PostgreSQL
 * int[] literals ("{1,2,3}"). LW_OK/counts, or LW_EDB with a message. */
#ifndef LW_DB_LEASE_H
#define LW_DB_LEASE_H

#include <time.h>

#include "db/db.h"

/* A lease is given up after this many claims (each of them expired or
 * failed): one model that kills every host must not stop the slot. */
#define LW_LEASE_MAX_ATTEMPTS 3

/* Records that `host` (pid) is alive, at most once per 10 s, and returns
 * the slot of `job` this host could help with now: leases of enabled
 * models free or expired in the last 6 hours, or a slot another host
 * claimed whose leases do not exist yet. 1 and *slot, 0 when none. */
int lw_db_lease_poll(lw_db *db, lw_err *err, const char *job, const char *host, int pid,
                     time_t *slot);

/* Tags a cycle with the host and slot it runs for (the fence trigger
 * then holds its rows to the leases it holds). */
int lw_db_lease_cycle_tag(lw_db *db, lw_err *err, long long cycle_id, const char *host,
                          time_t slot);

/* Creates the slot's lease rows for these models (those that exist stay
 * as they are) and drops the leases of slots over two days old. */
int lw_db_lease_offer(lw_db *db, lw_err *err, const char *job, time_t slot, const char *ids);

/* Claims this host's share of the slot's free or expired leases among ids:
 * ceil(models of the slot / live hosts), at most what is free, for ttl_s
 * seconds, for cycle_id. The result
 * (caller PQclear()s) has one row per model claimed: model_id. NULL on
 * error. */
PGresult *lw_db_lease_claim(lw_db *db, lw_err *err, const char *job, time_t slot,
                            const char *host, long long cycle_id, const char *ids, int ttl_s);

/* Leases among ids that are not done and may still be: held by a live
 * claim, or free to claim. >= 0, or LW_EDB. */
long long lw_db_lease_open(lw_db *db, lw_err *err, const char *job, time_t slot, const char *ids);

/* Hands back the leases cycle_id holds and has not finished (a failed
 * round): they may be claimed again at once. Count, or LW_EDB. */
long long lw_db_lease_release(lw_db *db, lw_err *err, long long cycle_id);

/* When no lease of the slot is left to do, records the slot's job_runs
 * row as done (it may belong to a host that died); details gets
 * "completed_by": host. Rows changed, or LW_EDB. */
int lw_db_lease_complete(lw_db *db, lw_err *err, const char *job, time_t slot, const char *host);

/* The setting `probe_lease_margin_seconds` (default 30): what a lease
 * gives beyond the longest a round may take. */
int lw_db_lease_margin(lw_db *db, lw_err *err, int *seconds);

#endif
