/* lease.h: the worker hosts of one installation and the jobs they share.
 * Each `llmwatch run`/`run-due` host has a name ($LLMWATCH_HOST, else the
 * machine's host name). The slot of a shared job (probe, full_benchmark)
 * is claimed in job_runs by one host as every job's is, but its models are
 * then shared by every host that joins it, through leases in PostgreSQL
 * (lib/db/lease.h, the loop in cycle.c): docs/scaling.md. */
#ifndef LW_PROBE_LEASE_H
#define LW_PROBE_LEASE_H

#include <time.h>

#include "db/db.h"
#include "probe/cycle.h"

/* This host's name: $LLMWATCH_HOST, else gethostname(). Borrowed (static). */
const char *lw_lease_host(void);

/* Whether the slots of `job` are shared by the hosts (probe cycles). */
int lw_lease_shared(const char *job);

/* For a scheduler whose claim of a shared job's slot found it taken (or
 * not due): 1 and *slot when this host should run the job now as a
 * helper of that slot (models are free or their holder died), 0 when not
 * (and always for jobs that are not shared), LW_EDB. Also records that
 * this host is alive. */
int lw_lease_join(lw_db *db, lw_err *err, const char *job, time_t *slot);

/* The rounds of a cycle run for a slot (o->slot, o->scheduled): claims a
 * share of the slot's models, probes and stores them (lw_cycle_run; the
 * rows are accepted only while their leases are held), and again until
 * no model of the slot is left to do, waiting for the leases of other
 * hosts to end or expire (then taking them over). c->models gets the
 * models this host probed. Then marks the slot's job_runs row done when
 * its owner could not. */
int lw_lease_rounds(lw_db *db, const lw_config *cfg, const lw_cycle_opts *o, lw_cycle *c,
                    lw_err *err);

#endif
