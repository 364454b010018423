/* check_lease.c: several worker hosts on one database (sql/015_scale_out.sql,
 * lib/db/lease.c, worker/probe/lease.c): a slot's models shared among live
 * hosts, the fence that refuses the rows of a lease another host took
 * over, the polls that make a host join a slot, a dead owner's run
 * completed by the others; and lib/db/db.c after its server went away: a
 * COMMIT is not retried on a new connection. Needs $LW_TEST_DATABASE_URL
 * (each run gets its own database, dropped after). */
#include <check.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testdb.h"
#include "db/db.h"
#include "db/lease.h"
#include "db/stats.h"
#include "probe/lease.h"

static lw_testdb tdb;

static void
private_db_setup(void)
{
    lw_testdb_setup(&tdb, "check_lease");
}

static void
private_db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

#define exec_ok(db, sql) lw_testdb_exec((db), (sql))

/* a slot of the current hour (the polls look back six hours) */
static time_t
slot_now(void)
{
    time_t t = time(NULL);

    return t - t % 3600;
}

static long long
num(lw_db *db, const char *sql)
{
    lw_err err;
    PGresult *res = lw_db_query(db, &err, sql, 0, NULL);
    long long v;

    ck_assert_msg(res != NULL, "%s: %s", sql, err.msg);
    v = lw_db_int(res, 0, 0);
    PQclear(res);
    return v;
}

/* Ten enabled models (ids 1..10), hosts a and b seen now, one cycle each
 * (ids 1 and 2) tagged with the slot. */
static lw_db *
fresh(time_t slot)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err;

    exec_ok(db, "TRUNCATE probes, probe_leases, worker_hosts, job_runs, probe_cycles, models,"
                " environments RESTART IDENTITY CASCADE");
    exec_ok(db, "INSERT INTO environments (name) VALUES ('production')");
    exec_ok(db, "INSERT INTO models (environment_id, name, provider, model)"
                " SELECT 1, 'm' || i, 'openai', 'gpt-4' FROM generate_series(1, 10) i");
    exec_ok(db, "INSERT INTO worker_hosts (host) VALUES ('a'), ('b')");
    exec_ok(db, "INSERT INTO probe_cycles (kind) VALUES ('probe'), ('probe')");
    exec_ok(db, "SELECT llmwatch_ensure_partitions(current_date - 1, current_date + 1)");
    ck_assert_int_eq(lw_db_lease_cycle_tag(db, &err, 1, "a", slot), LW_OK);
    ck_assert_int_eq(lw_db_lease_cycle_tag(db, &err, 2, "b", slot), LW_OK);
    ck_assert_int_eq(lw_db_lease_offer(db, &err, "probe", slot, "{1,2,3,4,5,6,7,8,9,10}"), LW_OK);
    return db;
}

static int
claim(lw_db *db, time_t slot, const char *host, long long cycle, int ttl)
{
    lw_err err;
    PGresult *res = lw_db_lease_claim(db, &err, "probe", slot, host, cycle,
                                      "{1,2,3,4,5,6,7,8,9,10}", ttl);
    int n;

    ck_assert_msg(res != NULL, "claim: %s", err.msg);
    n = PQntuples(res);
    PQclear(res);
    return n;
}

/* rows of one cycle for the models it holds, as the COPY of a round */
static int
store(lw_db *db, long long cycle, const char *models, lw_err *err)
{
    char sql[512];

    snprintf(sql, sizeof(sql),
             "INSERT INTO probes (ts, model_id, environment_id, cycle_id, ok, total_ms)"
             " SELECT now(), m, 1, %lld, true, 100 FROM unnest('%s'::int[]) m", cycle, models);
    return lw_db_exec(db, err, sql, 0, NULL);
}

/* Two live hosts: each claim takes half of the slot's models, so the two
 * hosts have all ten after one claim each; then nothing is free, and all
 * ten are still open. */
START_TEST(test_fair_share)
{
    time_t slot = slot_now();
    lw_db *db = fresh(slot);
    lw_err err;

    ck_assert_int_eq(claim(db, slot, "a", 1, 60), 5);
    ck_assert_int_eq(claim(db, slot, "b", 2, 60), 5);     /* ceil(10 / 2), not of the 5 free */
    ck_assert_int_eq(claim(db, slot, "a", 1, 60), 0);
    ck_assert_int_eq(claim(db, slot, "b", 2, 60), 0);
    ck_assert_int_eq(lw_db_lease_open(db, &err, "probe", slot, "{1,2,3,4,5,6,7,8,9,10}"), 10);
    ck_assert_int_eq(num(db, "SELECT count(DISTINCT model_id) FROM probe_leases WHERE host IS NOT NULL"), 10);
    /* a host alone (the other not seen for two minutes) takes everything */
    exec_ok(db, "UPDATE probe_leases SET host = NULL, expires_at = NULL, attempts = 0");
    exec_ok(db, "UPDATE worker_hosts SET seen_at = now() - interval '2 minutes' WHERE host = 'b'");
    ck_assert_int_eq(claim(db, slot, "a", 1, 60), 10);
    lw_db_close(db);
}
END_TEST

/* The run of `slot` recorded as claimed by host a: lw_db_stats_last_run
 * names the hosts that shared its models (what `llmwatch status` prints). */
static void
last_run_hosts(lw_db *db, time_t slot, const char *want)
{
    const char *names[] = { "probe" };
    char sql[160];
    lw_err err;
    PGresult *res;

    snprintf(sql, sizeof(sql), "INSERT INTO job_runs (job, scheduled_for, status, host)"
             " VALUES ('probe', to_timestamp(%lld), 'ok', 'a')", (long long) slot);
    exec_ok(db, sql);
    res = lw_db_stats_last_run(db, &err, names, 1);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_str_eq(lw_db_str(res, 0, 7), want);
    PQclear(res);
}

/* The fence: rows are accepted while their leases are held and make them
 * done; a lease taken over after expiry refuses the old holder's rows;
 * nothing is written twice. */
START_TEST(test_fence)
{
    time_t slot = slot_now();
    lw_db *db = fresh(slot);
    lw_err err;

    exec_ok(db, "DELETE FROM worker_hosts WHERE host = 'b'");
    ck_assert_int_eq(claim(db, slot, "a", 1, 60), 10);
    ck_assert_int_eq(store(db, 1, "{1,2,3}", &err), 3);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probe_leases WHERE done_at IS NOT NULL"), 3);
    /* b may not write models a holds */
    ck_assert_int_lt(store(db, 2, "{4}", &err), 0);
    ck_assert_msg(strstr(err.msg, "probe lease lost") != NULL, "%s", err.msg);
    /* a's leases of 4..10 expire (a died); b takes them over */
    exec_ok(db, "UPDATE probe_leases SET expires_at = now() - interval '1 second' WHERE done_at IS NULL");
    ck_assert_int_eq(claim(db, slot, "b", 2, 60), 7);
    ck_assert_int_lt(store(db, 1, "{4,5}", &err), 0);       /* a was only slow: refused */
    ck_assert_msg(strstr(err.msg, "probe lease lost") != NULL, "%s", err.msg);
    ck_assert_int_eq(store(db, 2, "{4,5,6,7,8,9,10}", &err), 7);
    /* done leases are never claimed again, nor written again */
    exec_ok(db, "UPDATE probe_leases SET expires_at = now() - interval '1 second'");
    ck_assert_int_eq(claim(db, slot, "a", 1, 60), 0);
    ck_assert_int_lt(store(db, 2, "{1}", &err), 0);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes"), 10);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM (SELECT model_id FROM probes GROUP BY 1"
                             " HAVING count(*) > 1) d"), 0);
    ck_assert_int_eq(lw_db_lease_open(db, &err, "probe", slot, "{1,2,3,4,5,6,7,8,9,10}"), 0);
    /* who probed what */
    ck_assert_int_eq(num(db, "SELECT models FROM probe_slot_hosts WHERE host = 'b'"), 7);
    /* ...and `llmwatch status` says so for the slot's run (claimed by a) */
    last_run_hosts(db, slot, "a (3 models), b (7 models)");
    /* rows of cycles that run for no slot are not fenced */
    exec_ok(db, "INSERT INTO probe_cycles (kind) VALUES ('probe')");
    ck_assert_int_eq(store(db, 3, "{1}", &err), 1);
    lw_db_close(db);
}
END_TEST

/* A lease given up after LW_LEASE_MAX_ATTEMPTS claims no longer keeps the
 * slot open. */
START_TEST(test_give_up)
{
    time_t slot = slot_now();
    lw_db *db = fresh(slot);
    lw_err err;
    int i;

    exec_ok(db, "DELETE FROM probe_leases WHERE model_id > 1");
    for (i = 0; i < LW_LEASE_MAX_ATTEMPTS; i++) {
        ck_assert_int_eq(claim(db, slot, "a", 1, 60), 1);
        exec_ok(db, "UPDATE probe_leases SET expires_at = now() - interval '1 second'");
    }
    ck_assert_int_eq(claim(db, slot, "a", 1, 60), 0);
    ck_assert_int_eq(lw_db_lease_open(db, &err, "probe", slot, "{1}"), 0);
    lw_db_close(db);
}
END_TEST

/* The scheduler's poll: a host joins a slot with free or expired leases,
 * or one another host claimed before its leases exist; never a slot
 * whose leases are all held or done, never a job that is not shared. */
START_TEST(test_poll_and_complete)
{
    time_t slot = slot_now(), got = 0;
    lw_db *db = fresh(slot);
    lw_err err;
    char sql[256];

    ck_assert_int_eq(lw_lease_shared("probe"), 1);
    ck_assert_int_eq(lw_lease_shared("full_benchmark"), 1);
    ck_assert_int_eq(lw_lease_shared("evaluate"), 0);
    ck_assert_int_eq(lw_lease_join(db, &err, "evaluate", &got), 0);
    ck_assert_int_eq(lw_db_lease_poll(db, &err, "probe", "c", 42, &got), 1);
    ck_assert_int_eq((long long) got, (long long) slot);
    ck_assert_int_eq(num(db, "SELECT pid FROM worker_hosts WHERE host = 'c'"), 42);
    ck_assert_int_eq(claim(db, slot, "a", 1, 60), 4);       /* ceil(10 / 3 live hosts) */
    ck_assert_int_eq(claim(db, slot, "b", 2, 60), 4);
    ck_assert_int_eq(claim(db, slot, "a", 1, 60), 2);       /* what is left (c only polls) */
    ck_assert_int_eq(claim(db, slot, "b", 2, 60), 0);
    ck_assert_int_eq(lw_db_lease_poll(db, &err, "probe", "c", 42, &got), 0);
    /* a dies holding its leases: once they expire, c joins */
    exec_ok(db, "UPDATE probe_leases SET expires_at = now() - interval '1 second' WHERE host = 'a'");
    ck_assert_int_eq(lw_db_lease_poll(db, &err, "probe", "c", 42, &got), 1);

    /* a's run of the slot is completed by b once every lease is done */
    snprintf(sql, sizeof(sql), "INSERT INTO job_runs (job, scheduled_for, host) VALUES"
             " ('probe', to_timestamp(%lld), 'a')", (long long) slot);
    exec_ok(db, sql);
    ck_assert_int_eq(lw_db_lease_complete(db, &err, "probe", slot, "b"), 0);
    exec_ok(db, "UPDATE worker_hosts SET seen_at = now() - interval '2 minutes' WHERE host <> 'b'");
    ck_assert_int_eq(claim(db, slot, "b", 2, 60), 6);      /* a's expired six */
    ck_assert_int_eq(store(db, 2, "{1,2,3,4,5,6,7,8,9,10}", &err), 10);
    ck_assert_int_eq(lw_db_lease_complete(db, &err, "probe", slot, "b"), 1);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM job_runs WHERE status = 'ok'"
                             " AND details->>'completed_by' = 'b'"), 1);
    /* the owner itself does not complete its own run this way */
    ck_assert_int_eq(lw_db_lease_complete(db, &err, "probe", slot, "a"), 0);

    /* another host's running slot without leases yet: join it */
    exec_ok(db, "TRUNCATE probe_leases, job_runs");
    exec_ok(db, sql);
    ck_assert_int_eq(lw_db_lease_poll(db, &err, "probe", "c", 42, &got), 1);
    ck_assert_int_eq(lw_db_lease_poll(db, &err, "probe", "a", 42, &got), 0);
    lw_db_close(db);
}
END_TEST

/* A transaction whose server connection dies before COMMIT is lost: the
 * COMMIT fails; it is not sent again on a fresh connection, where it
 * would "succeed" with nothing to commit. */
START_TEST(test_commit_after_lost_connection)
{
    lw_db *db = lw_testdb_connect(&tdb), *killer = lw_testdb_connect(&tdb);
    char sql[128];
    lw_err err;

    exec_ok(db, "CREATE TABLE IF NOT EXISTS t_commit (v int)");
    exec_ok(db, "TRUNCATE t_commit");
    ck_assert_int_eq(lw_db_begin(db, &err), LW_OK);
    ck_assert_int_ge(lw_db_exec(db, &err, "INSERT INTO t_commit VALUES (1)", 0, NULL), 0);
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", PQbackendPID(lw_db_conn(db)));
    exec_ok(killer, sql);
    ck_assert_int_eq(lw_db_commit(db, &err), LW_EDB);
    /* the connection comes back for the next statement */
    ck_assert_int_eq(num(db, "SELECT count(*) FROM t_commit"), 0);
    lw_db_close(killer);
    lw_db_close(db);
}
END_TEST

Suite *lease_suite(void)
{
    Suite *s = suite_create("lease");
    TCase *tc = tcase_create("database");

    tcase_add_unchecked_fixture(tc, private_db_setup, private_db_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_fair_share);
    tcase_add_test(tc, test_fence);
    tcase_add_test(tc, test_give_up);
    tcase_add_test(tc, test_poll_and_complete);
    tcase_add_test(tc, test_commit_after_lost_connection);
    suite_add_tcase(s, tc);
    return s;
}
