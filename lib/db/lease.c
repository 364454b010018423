/* lease.c: the SQL of probe leases and worker hosts (see lease.h). */
#include "db/lease.h"

#include <stdio.h>
#include <string.h>

#include "db/sql.h"

#define MAX_ATTEMPTS_S "3"   /* LW_LEASE_MAX_ATTEMPTS */
/* A lease (alias l) of a slot that is not done yet: being probed, or
 * failed but with attempts left. */
#define LEASE_UNDONE(l) \
    " " l ".done_at IS NULL AND (" l ".expires_at >= now() OR " l ".attempts < " MAX_ATTEMPTS_S ")"

int
lw_db_lease_poll(lw_db *db, lw_err *err, const char *job, const char *host, int pid,
                 time_t *slot)
{
    char p3[24];
    const char *p[3] = { job, host, LL(p3, pid) };
    long long s = 0;
    int found;

    /* one round trip a second per host and job: the heartbeat rides on it */
    found = lw_db_value_row(db, err,
        "WITH hb AS (INSERT INTO worker_hosts AS w (host, pid) VALUES ($2, $3::int)"
        "   ON CONFLICT (host) DO UPDATE SET seen_at = now(), pid = EXCLUDED.pid"
        "   WHERE w.seen_at < now() - interval '10 seconds' OR w.pid IS DISTINCT FROM EXCLUDED.pid"
        "   RETURNING 1)"
        " SELECT extract(epoch FROM s)::bigint FROM ("
        "  SELECT l.slot AS s FROM probe_leases l JOIN models m ON m.id = l.model_id AND m.enabled"
        "   WHERE l.job = $1 AND l.done_at IS NULL AND l.slot > now() - interval '6 hours'"
        "     AND (l.host IS NULL OR l.expires_at < now()) AND l.attempts < " MAX_ATTEMPTS_S
        "  UNION ALL"
        "  SELECT j.scheduled_for FROM job_runs j"
        "   WHERE j.job = $1 AND j.status = 'running' AND j.scheduled_for > now() - interval '6 hours'"
        "     AND j.host IS DISTINCT FROM $2"
        "     AND NOT EXISTS (SELECT 1 FROM probe_leases l WHERE l.job = j.job"
        "                     AND l.slot = j.scheduled_for)) x"
        " ORDER BY s DESC LIMIT 1", 3, p, &s);
    if (found == 1)
        *slot = (time_t) s;
    return found;
}

int
lw_db_lease_cycle_tag(lw_db *db, lw_err *err, long long cycle_id, const char *host, time_t slot)
{
    char id[24], s[24];
    const char *p[3] = { LL(id, cycle_id), host, LL(s, slot) };

    return lw_db_run(db, err, "UPDATE probe_cycles SET host = $2, slot = to_timestamp($3::bigint)"
                     " WHERE id = $1::bigint", 3, p);
}

int
lw_db_lease_offer(lw_db *db, lw_err *err, const char *job, time_t slot, const char *ids)
{
    char s[24];
    const char *p[3] = { job, LL(s, slot), ids };

    if (lw_db_exec(db, err, "DELETE FROM probe_leases WHERE job = $1"
                   " AND slot < to_timestamp($2::bigint) - interval '2 days'", 2, p) < 0)
        return LW_EDB;
    return lw_db_run(db, err,
                     "INSERT INTO probe_leases (job, slot, model_id)"
                     " SELECT $1, to_timestamp($2::bigint), m FROM unnest($3::int[]) m"
                     " ON CONFLICT (job, slot, model_id) DO NOTHING", 3, p);
}

/* The leases of $1/$2 among $3 that can be claimed now. */
#define CLAIMABLE \
    " job = $1 AND slot = to_timestamp($2::bigint) AND model_id = ANY($3::int[])" \
    " AND done_at IS NULL AND (host IS NULL OR expires_at < now())" \
    " AND attempts < " MAX_ATTEMPTS_S

PGresult *
lw_db_lease_claim(lw_db *db, lw_err *err, const char *job, time_t slot, const char *host,
                  long long cycle_id, const char *ids, int ttl_s)
{
    char s[24], c[24], t[16];
    const char *p[6] = { job, LL(s, slot), ids, host, LL(c, cycle_id), LL(t, ttl_s) };

    /* a fair share of the slot's models (of what is free, at most): each
     * live host probes its share in one round, in parallel, where a share
     * of what is free would halve from claim to claim and cost a round,
     * each at least one request long, per halving; a host alone takes
     * everything in one round, and the shares of a dead host are taken
     * over a share at a time */
    return lw_db_query(db, err,
        "WITH live AS (SELECT greatest(1, count(*)) AS n FROM worker_hosts"
        "              WHERE seen_at > now() - interval '90 seconds' OR host = $4),"
        " slot AS (SELECT count(*) AS n FROM probe_leases"
        "           WHERE job = $1 AND slot = to_timestamp($2::bigint) AND model_id = ANY($3::int[])),"
        " pick AS (SELECT model_id FROM probe_leases WHERE" CLAIMABLE
        "   ORDER BY model_id LIMIT (SELECT ceil(slot.n::numeric / live.n) FROM slot, live)"
        "   FOR UPDATE SKIP LOCKED)"
        " UPDATE probe_leases l SET host = $4, cycle_id = $5::bigint, attempts = l.attempts + 1,"
        "   claimed_at = now(), expires_at = now() + make_interval(secs => $6::int)"
        "  FROM pick WHERE l.job = $1 AND l.slot = to_timestamp($2::bigint)"
        "   AND l.model_id = pick.model_id"
        " RETURNING l.model_id", 6, p);
}

long long
lw_db_lease_open(lw_db *db, lw_err *err, const char *job, time_t slot, const char *ids)
{
    char s[24];
    const char *p[3] = { job, LL(s, slot), ids };

    return lw_db_count(db, err,
        "SELECT count(*) FROM probe_leases l WHERE job = $1 AND slot = to_timestamp($2::bigint)"
        " AND model_id = ANY($3::int[]) AND" LEASE_UNDONE("l"), 3, p);
}

long long
lw_db_lease_release(lw_db *db, lw_err *err, long long cycle_id)
{
    return lw_db_exec_ints(db, err,
                           "UPDATE probe_leases SET expires_at = now() - interval '1 second'"
                           " WHERE cycle_id = $1 AND done_at IS NULL", 1, &cycle_id);
}

int
lw_db_lease_complete(lw_db *db, lw_err *err, const char *job, time_t slot, const char *host)
{
    char s[24];
    const char *p[3] = { job, LL(s, slot), host };

    /* a run killed with its host stays 'running' (or 'failed' when its
     * scheduler saw the job die); the slot itself was done by the others */
    return lw_db_exec(db, err,
        "UPDATE job_runs SET status = 'ok', finished_at = now(), error = NULL,"
        "  details = details || jsonb_build_object('completed_by', $3::text)"
        " WHERE job = $1 AND scheduled_for = to_timestamp($2::bigint)"
        "   AND status IN ('running', 'failed') AND host IS DISTINCT FROM $3"
        "   AND EXISTS (SELECT 1 FROM probe_leases l WHERE l.job = $1"
        "       AND l.slot = to_timestamp($2::bigint))"
        "   AND NOT EXISTS (SELECT 1 FROM probe_leases l WHERE l.job = $1"
        "       AND l.slot = to_timestamp($2::bigint) AND" LEASE_UNDONE("l") ")", 3, p);
}

int
lw_db_lease_margin(lw_db *db, lw_err *err, int *seconds)
{
    long long v = lw_db_count(db, err,
                              "SELECT " SETTING_INT("probe_lease_margin_seconds", "30"), 0, NULL);

    if (v < 0)
        return LW_EDB;
    *seconds = (int) v;
    return LW_OK;
}
