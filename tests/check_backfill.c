/* check_backfill.c: the synthetic history of `llmwatch backfill`
 * (lib/db/stats.c): its incident window, and on a private database (needs
 * $LW_TEST_DATABASE_URL) the rows it writes: counts, marker, patterns,
 * exact costs, determinism, replacement and removal. */
#include <check.h>

#include "testdb.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/stats.h"
#include "lw.h"

/* 2025-01-06 00:00 UTC, a Monday */
#define MON ((time_t) 1736121600)
#define DAY 86400

START_TEST(test_incident_window)
{
    time_t s, e;

    /* 30 days: 14:00 UTC on the day 60% in (day 18) */
    lw_db_stats_backfill_incident(MON, MON + 30 * DAY, 300, &s, &e);
    ck_assert_int_eq(s, MON + 18 * DAY + 14 * 3600);
    ck_assert_int_eq(e, s + 7200);
    /* shorter than the window: all of it */
    lw_db_stats_backfill_incident(MON, MON + 3600, 300, &s, &e);
    ck_assert_int_eq(s, MON);
    ck_assert_int_eq(e, MON + 3600);
    /* 14:00 before the start: moved to the start */
    lw_db_stats_backfill_incident(MON + 15 * 3600, MON + 18 * 3600, 300, &s, &e);
    ck_assert_int_eq(s, MON + 15 * 3600);
    ck_assert_int_eq(e, MON + 17 * 3600);
    /* 16:00 past the end: moved back to end inside */
    lw_db_stats_backfill_incident(MON, MON + 15 * 3600, 300, &s, &e);
    ck_assert_int_eq(s, MON + 13 * 3600);
    ck_assert_int_eq(e, MON + 15 * 3600);
}
END_TEST

/* ---- on a private database ---- */

static lw_testdb tdb;

static void
private_db_setup(void)
{
    lw_testdb_setup(&tdb, "check_backfill");
}

static void
private_db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

static lw_db *
test_db(void)
{
    return lw_testdb_connect(&tdb);
}

#define exec_ok(db, sql) lw_testdb_exec((db), (sql))

/* The first column of the first row of a query, as a number. */
static double
num(lw_db *db, const char *sql)
{
    lw_err err = { { 0 } };
    PGresult *res = lw_db_query(db, &err, sql, 0, NULL);
    double v;

    ck_assert_msg(res != NULL, "%s: %s", sql, err.msg);
    ck_assert_msg(PQntuples(res) == 1 && !lw_db_isnull(res, 0, 0), "%s: no value", sql);
    v = lw_db_double(res, 0, 0);
    PQclear(res);
    return v;
}

static void
seed_models(lw_db *db)
{
    exec_ok(db, "TRUNCATE probes, models, environments RESTART IDENTITY CASCADE");
    exec_ok(db, "INSERT INTO environments (name) VALUES ('production')");
    exec_ok(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms,"
                " price_input_per_mtok, price_output_per_mtok, enabled) VALUES"
                " (1, 'alpha', 'openai', 'gpt-4', 2000, 30, 60, true),"
                " (1, 'beta', 'anthropic', 'claude', 3000, 3, 15, true),"
                " (1, 'gamma', 'google', 'gemini', 2500, 1.25, 5, true),"
                " (1, 'off', 'openai', 'gpt-3', 1000, 1, 2, false)");
}

/* two weeks from a Monday, every five minutes: 4032 slots per model */
static void
two_weeks(lw_db_stats_backfill_opts *o, long long seed)
{
    memset(o, 0, sizeof(*o));
    o->from = MON;
    o->to = MON + 14 * DAY;
    o->interval_s = 300;
    o->seed = seed;
}

START_TEST(test_backfill_rows_and_patterns)
{
    lw_db_stats_backfill_opts o;
    lw_db_stats_backfill_result r;
    lw_err err = { { 0 } };
    double in_rate, out_rate, tue, other, slope, avg;
    lw_db *db = test_db();

    if (db == NULL)
        return;
    seed_models(db);
    two_weeks(&o, 42);
    ck_assert_msg(lw_db_stats_backfill(db, &err, &o, &r) == LW_OK, "%s", err.msg);
    ck_assert_int_eq(r.n_models, 3);
    ck_assert_int_eq(r.inserted, 3 * 4032);
    ck_assert_int_eq(r.removed, 0);
    ck_assert_str_eq(r.tuesday_model, "alpha");
    ck_assert_str_eq(r.drift_model, "beta");
    ck_assert_str_eq(r.incident_model, "gamma");
    ck_assert_int_eq(r.incident_from, MON + 8 * DAY + 14 * 3600);
    ck_assert_int_eq(r.incident_to, r.incident_from + 7200);

    /* every row marked, one per slot and enabled model, in the range */
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE backfill"), 3 * 4032);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE model_id = 4"), 0);
    ck_assert_int_eq(num(db, "SELECT count(DISTINCT (model_id, ts)) FROM probes"), 3 * 4032);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE ts < '2025-01-06 00:00+00'"
                             " OR ts >= '2025-01-20 00:00+00'"), 0);
    /* in daily partitions, none in the default one */
    ck_assert_int_eq(num(db, "SELECT count(*) FROM pg_class WHERE relname ~ '^probes_202501(0[6-9]|1[0-9])$'"), 14);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes_default"), 0);

    /* the incident: ~60% errors in its window, http_5xx and timeout only */
    in_rate = num(db, "SELECT avg((NOT ok)::int) FROM probes WHERE model_id = 3"
                      " AND ts >= '2025-01-14 14:00+00' AND ts < '2025-01-14 16:00+00'");
    out_rate = num(db, "SELECT avg((NOT ok)::int) FROM probes WHERE NOT (model_id = 3"
                       " AND ts >= '2025-01-14 14:00+00' AND ts < '2025-01-14 16:00+00')");
    ck_assert_msg(in_rate > 0.35 && in_rate < 0.85, "incident error rate %f", in_rate);
    ck_assert_msg(out_rate > 0 && out_rate < 0.01, "error rate elsewhere %f", out_rate);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE model_id = 3 AND NOT ok"
                             " AND ts >= '2025-01-14 14:00+00' AND ts < '2025-01-14 16:00+00'"
                             " AND error_class NOT IN ('http_5xx', 'timeout')"), 0);

    /* failed rows: a class, no TTFT, no tokens, no cost; timeouts no latency;
     * HTTP errors their status */
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE NOT ok AND (error_class IS NULL"
                             " OR ttft_ms IS NOT NULL OR input_tokens IS NOT NULL OR cost_usd IS NOT NULL"
                             " OR quality_score IS NOT NULL)"), 0);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE error_class = 'timeout'"
                             " AND (total_ms IS NOT NULL OR http_status IS NOT NULL)"), 0);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE error_class = 'http_5xx'"
                             " AND (http_status NOT BETWEEN 500 AND 599 OR total_ms IS NULL)"), 0);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE error_class = 'rate_limited'"
                             " AND http_status <> 429"), 0);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE ok AND (error_class IS NOT NULL"
                             " OR ttft_ms IS NULL OR total_ms <= ttft_ms OR output_tokens < 1"
                             " OR quality_score IS NULL)"), 0);

    /* costs exactly tokens x price per million / 10^6 */
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes p JOIN models m ON m.id = p.model_id"
                             " WHERE p.ok AND p.cost_usd <> (p.input_tokens * m.price_input_per_mtok"
                             " + p.output_tokens * m.price_output_per_mtok) / 1000000"), 0);
    ck_assert(num(db, "SELECT sum(cost_usd) FROM probes WHERE model_id = 1") > 0);
    /* the decode rate: output tokens after the first over the time after
     * the first token */
    ck_assert(num(db, "SELECT max(abs(decode_tps - (output_tokens - 1) / ((total_ms - ttft_ms) / 1000)))"
                      " FROM probes WHERE ok AND output_tokens > 1") < 1e-6);

    /* Tuesdays: alpha clearly slower, the others barely */
    tue = num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 1"
                  " AND extract(isodow FROM ts) = 2");
    other = num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 1"
                    " AND extract(isodow FROM ts) <> 2");
    ck_assert_msg(tue / other > 1.1, "alpha Tuesday ratio %f", tue / other);
    tue = num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 2"
                  " AND extract(isodow FROM ts) = 2");
    other = num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 2"
                    " AND extract(isodow FROM ts) <> 2");
    ck_assert_msg(tue / other < 1.1, "beta Tuesday ratio %f", tue / other);

    /* drift: beta about +1%/day, alpha flat */
    slope = num(db, "SELECT regr_slope(total_ms, extract(epoch FROM ts) / 86400) FROM probes"
                    " WHERE ok AND model_id = 2");
    avg = num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 2");
    ck_assert_msg(slope / avg > 0.005 && slope / avg < 0.02, "beta drift %f/day", slope / avg);
    slope = num(db, "SELECT regr_slope(total_ms, extract(epoch FROM ts) / 86400) FROM probes"
                    " WHERE ok AND model_id = 1");
    avg = num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 1");
    ck_assert_msg(slope / avg > -0.0055 && slope / avg < 0.0055, "alpha drift %f/day", slope / avg);

    /* business hours slower than the night */
    tue = num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 1"
                  " AND extract(hour FROM ts) IN (12, 13)");
    other = num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 1"
                    " AND extract(hour FROM ts) IN (2, 3)");
    ck_assert_msg(tue / other > 1.15, "midday/night %f", tue / other);

    /* latency from the SLA target, quality around 90 */
    avg = num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 1");
    ck_assert_msg(avg > 500 && avg < 2000, "alpha average %f", avg);
    ck_assert(num(db, "SELECT avg(total_ms) FROM probes WHERE ok AND model_id = 2") > avg);
    avg = num(db, "SELECT avg(quality_score) FROM probes");
    ck_assert_msg(avg > 87 && avg < 93, "quality %f", avg);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE quality_score NOT BETWEEN 0 AND 100"), 0);
    lw_db_close(db);
}
END_TEST

#define CHECKSUM "SELECT sum(coalesce(total_ms, 0)) + 1000 * count(*) FILTER (WHERE NOT ok) " \
                 "+ sum(coalesce(cost_usd, 0))::float8 FROM probes WHERE backfill"

START_TEST(test_backfill_replace_and_remove)
{
    lw_db_stats_backfill_opts o;
    lw_db_stats_backfill_result r;
    lw_err err = { { 0 } };
    PGresult *res;
    long long removed;
    double sum42, sum;
    lw_db *db = test_db();

    if (db == NULL)
        return;
    seed_models(db);
    /* a measured probe that no backfill may touch */
    exec_ok(db, "SELECT llmwatch_ensure_partitions('2025-01-08', '2025-01-08')");
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms)"
                " VALUES ('2025-01-08 12:00:01+00', 1, 1, true, 1234.5)");
    two_weeks(&o, 42);
    ck_assert_msg(lw_db_stats_backfill(db, &err, &o, &r) == LW_OK, "%s", err.msg);
    sum42 = num(db, CHECKSUM);

    /* again: replaced, not duplicated, and the same seed gives the same rows */
    ck_assert_msg(lw_db_stats_backfill(db, &err, &o, &r) == LW_OK, "%s", err.msg);
    ck_assert_int_eq(r.removed, 3 * 4032);
    ck_assert_int_eq(r.inserted, 3 * 4032);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes"), 3 * 4032 + 1);
    ck_assert_double_eq_tol(num(db, CHECKSUM), sum42, 1e-6);

    /* another seed, another history */
    two_weeks(&o, 43);
    ck_assert_msg(lw_db_stats_backfill(db, &err, &o, &r) == LW_OK, "%s", err.msg);
    sum = num(db, CHECKSUM);
    ck_assert_msg(sum != sum42, "seed 43 gave the same history as 42");

    /* the summary: rows per model */
    res = lw_db_stats_backfill_summary(db, &err);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 3);
    ck_assert_str_eq(lw_db_str(res, 0, 0), "alpha");
    ck_assert_int_eq(lw_db_int(res, 0, 2), 4032);
    ck_assert_int_eq(lw_db_int(res, 0, 4), MON);
    ck_assert_int_eq(lw_db_int(res, 0, 5), MON + 14 * DAY - 300);
    ck_assert(lw_db_int(res, 0, 7) > 0);
    PQclear(res);

    /* remove: exactly the backfill rows */
    ck_assert_int_eq(lw_db_stats_backfill_remove(db, &err, &removed), LW_OK);
    ck_assert_int_eq(removed, 3 * 4032);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes"), 1);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE NOT backfill AND total_ms = 1234.5"), 1);
    ck_assert_int_eq(lw_db_stats_backfill_remove(db, &err, &removed), LW_OK);
    ck_assert_int_eq(removed, 0);
    lw_db_close(db);
}
END_TEST

START_TEST(test_backfill_model_choice)
{
    static const char *const beta[] = { "beta" };
    static const char *const unknown[] = { "beta", "nope" };
    static const char *const disabled[] = { "off" };
    lw_db_stats_backfill_opts o;
    lw_db_stats_backfill_result r;
    lw_err err = { { 0 } };
    lw_db *db = test_db();

    if (db == NULL)
        return;
    seed_models(db);
    two_weeks(&o, 1);
    o.to = MON + DAY;
    o.interval_s = 3600;
    o.models = beta;
    o.n_models = 1;
    ck_assert_msg(lw_db_stats_backfill(db, &err, &o, &r) == LW_OK, "%s", err.msg);
    ck_assert_int_eq(r.inserted, 24);
    ck_assert_int_eq(r.n_models, 1);
    ck_assert_str_eq(r.tuesday_model, "beta");
    ck_assert_str_eq(r.drift_model, "beta");
    ck_assert_str_eq(r.incident_model, "beta");
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes WHERE model_id <> 2"), 0);

    /* unknown and disabled models are refused, and nothing changes */
    o.models = unknown;
    o.n_models = 2;
    ck_assert_int_eq(lw_db_stats_backfill(db, &err, &o, &r), LW_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "nope"));
    o.models = disabled;
    o.n_models = 1;
    ck_assert_int_eq(lw_db_stats_backfill(db, &err, &o, &r), LW_ENOTFOUND);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes"), 24);

    /* no enabled model at all */
    exec_ok(db, "UPDATE models SET enabled = false");
    o.models = NULL;
    o.n_models = 0;
    ck_assert_int_eq(lw_db_stats_backfill(db, &err, &o, &r), LW_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "no enabled model"));

    /* an empty range is refused before touching anything */
    exec_ok(db, "UPDATE models SET enabled = true");
    o.to = o.from;
    ck_assert_int_eq(lw_db_stats_backfill(db, &err, &o, &r), LW_EINVAL);
    ck_assert_int_eq(num(db, "SELECT count(*) FROM probes"), 24);
    lw_db_close(db);
}
END_TEST

Suite *backfill_suite(void)
{
    Suite *s = suite_create("backfill");
    TCase *tc = tcase_create("pure");
    TCase *db = tcase_create("db");

    tcase_add_test(tc, test_incident_window);
    suite_add_tcase(s, tc);

    tcase_add_unchecked_fixture(db, private_db_setup, private_db_teardown);
    tcase_set_timeout(db, 120);
    tcase_add_test(db, test_backfill_rows_and_patterns);
    tcase_add_test(db, test_backfill_replace_and_remove);
    tcase_add_test(db, test_backfill_model_choice);
    suite_add_tcase(s, db);
    return s;
}
