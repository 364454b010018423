/* check_stats.c: the formatting for people of lib/fmt.c (durations, money,
 * tables, CSV) and the per model window statistics of lib/db/stats.c on
 * probes whose percentiles, averages and exact costs are known in advance
 * (these need $LW_TEST_DATABASE_URL; each run gets its own database,
 * dropped after). */
#include <check.h>

#include "testdb.h"
#include "rollup.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/stats.h"
#include "lw.h"
#include "fmt.h"
#include "schedule.h"

/* ---- formatting ---- */

static char out[256];

static const char *
dur(int64_t s)
{
    ck_assert_int_eq(lw_fmt_duration(s, out, sizeof(out)), LW_OK);
    return out;
}

START_TEST(test_duration)
{
    ck_assert_str_eq(dur(8100), "2h 15m");
    ck_assert_str_eq(dur(7200), "2h");
    ck_assert_str_eq(dur(273600), "3d 4h");
    ck_assert_str_eq(dur(273600 + 59 * 60), "3d 4h");   /* two units only */
    ck_assert_str_eq(dur(86400), "1d");
    ck_assert_str_eq(dur(3599), "59m 59s");
    ck_assert_str_eq(dur(65), "1m 5s");
    ck_assert_str_eq(dur(60), "1m");
    ck_assert_str_eq(dur(45), "45s");
    ck_assert_str_eq(dur(0), "0s");
    ck_assert_str_eq(dur(-90), "1m 30s");
    ck_assert_int_eq(lw_fmt_duration(8100, out, 4), LW_EINVAL);
}
END_TEST

static const char *
ms(double v)
{
    ck_assert_int_eq(lw_fmt_ms(v, out, sizeof(out)), LW_OK);
    return out;
}

/* one latency format for the web, the CLI, mail and reports */
START_TEST(test_elapsed_and_seconds)
{
    ck_assert_str_eq(ms(850), "850 ms");
    ck_assert_str_eq(ms(0), "0.0 ms");
    ck_assert_str_eq(ms(3.24), "3.2 ms");
    ck_assert_str_eq(ms(999.7), "1.00 s");
    ck_assert_str_eq(ms(3240), "3.24 s");
    ck_assert_str_eq(ms(2144.9), "2.14 s");
    ck_assert_str_eq(ms(59940), "59.94 s");
    ck_assert_str_eq(ms(125000), "2m 05s");
    ck_assert_str_eq(ms(NAN), "-");
    ck_assert_str_eq(ms(INFINITY), "-");
    ck_assert_str_eq(ms(-1), "-");
    ck_assert_int_eq(lw_fmt_ms(1850, out, 4), LW_EINVAL);
}
END_TEST

static const char *
pct(double r)
{
    ck_assert_int_eq(lw_fmt_percent(r, out, sizeof(out)), LW_OK);
    return out;
}

START_TEST(test_percent)
{
    ck_assert_str_eq(pct(0.994), "99.4%");
    ck_assert_str_eq(pct(0.5), "50.0%");
    ck_assert_str_eq(pct(1.0), "100%");
    ck_assert_str_eq(pct(0.0), "0%");
    /* one failure in 30,000 is not "100%", one success is not "0%" */
    ck_assert_str_eq(pct(29999.0 / 30000.0), "99.9%");
    ck_assert_str_eq(pct(1.0 / 30000.0), "0.1%");
    ck_assert_str_eq(pct(NAN), "-");
}
END_TEST

static const char *
usd(int64_t pico)
{
    ck_assert_int_eq(lw_fmt_dollars(pico, out, sizeof(out)), LW_OK);
    return out;
}

START_TEST(test_dollars)
{
    ck_assert_str_eq(usd(0), "$0.00");
    ck_assert_str_eq(usd(INT64_C(12345678900)), "$0.0123");        /* $0.0123456789 */
    ck_assert_str_eq(usd(INT64_C(50000000)), "$0.0001");           /* half rounds up */
    ck_assert_str_eq(usd(INT64_C(49999999)), "<$0.0001");          /* small, not free */
    ck_assert_str_eq(usd(INT64_C(1)), "<$0.0001");
    ck_assert_str_eq(usd(INT64_C(999999950000)), "$1.00");         /* rounds to a dollar */
    ck_assert_str_eq(usd(INT64_C(3247820000000000)), "$3,247.82");
    ck_assert_str_eq(usd(INT64_C(19886310000000)), "$19.89");
    ck_assert_str_eq(usd(-INT64_C(12345678900)), "-$0.0123");
}
END_TEST

static const char *
cnt(long long n)
{
    ck_assert_int_eq(lw_fmt_count(n, out, sizeof(out)), LW_OK);
    return out;
}

START_TEST(test_count_and_time)
{
    ck_assert_str_eq(cnt(34560), "34,560");
    ck_assert_str_eq(cnt(999), "999");
    ck_assert_str_eq(cnt(1000), "1,000");
    ck_assert_str_eq(cnt(0), "0");
    ck_assert_str_eq(cnt(-1234567), "-1,234,567");
    ck_assert_int_eq(lw_fmt_count(34560, out, 6), LW_EINVAL);
    ck_assert_int_eq(lw_fmt_time(0, out, sizeof(out)), LW_OK);
    ck_assert_str_eq(out, "1970-01-01 00:00");
    ck_assert_int_eq(lw_fmt_time(1736243100, out, sizeof(out)), LW_OK);
    ck_assert_str_eq(out, "2025-01-07 09:45");
}
END_TEST

/* Tuesday 2025-01-07 09:45:00 UTC */
#define NOW ((time_t) 1736243100)

static const char *
next(const char *freq, time_t *at)
{
    lw_sched s;
    lw_err err;

    ck_assert_msg(lw_sched_parse(freq, &s, &err) == LW_OK, "%s: %s", freq, err.msg);
    ck_assert_int_eq(lw_fmt_next_run(&s, NOW, at, out, sizeof(out)), LW_OK);
    return out;
}

START_TEST(test_next_run)
{
    time_t at;

    ck_assert_str_eq(next("*/6 hours", &at), "in 2h 15m");
    ck_assert_int_eq(at, NOW + 8100);
    ck_assert_str_eq(next("*/1 minutes", &at), "in 1m");
    ck_assert_int_eq(at, NOW + 60);
    ck_assert_str_eq(next("daily at 2:00", &at), "at 02:00 UTC (in 16h 15m)");
    ck_assert_str_eq(next("weekly on sunday at 3:00", &at), "on Sunday 03:00 UTC (in 4d 17h)");
    ck_assert_str_eq(next("monthly on 1st at 10:00", &at), "on 2025-02-01 10:00 UTC (in 25d)");
    ck_assert_str_eq(next("0 */6 * * *", &at), "in 2h 15m");
}
END_TEST

START_TEST(test_table)
{
    static const char *const head[] = { "Model", "Requests", "Cost" };
    static const char *const r1[] = { "gpt-4", "288", "$0.6583" };
    static const char *const r2[] = { "claude-3-5-sonnet", "1,152", NULL };
    static const char *const r3[] = { "modèle", "7", "$0.00" };
    lw_fmt_table *t = lw_fmt_table_new(3, head, "lrr");
    lw_buf b = { 0 };

    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(lw_fmt_table_add(t, r1), LW_OK);
    ck_assert_int_eq(lw_fmt_table_add(t, r2), LW_OK);
    ck_assert_int_eq(lw_fmt_table_add(t, r3), LW_OK);
    ck_assert_int_eq(lw_fmt_table_render(t, &b), LW_OK);
    ck_assert_str_eq(b.data,
                     "Model              Requests     Cost\n"
                     "------------------------------------\n"
                     "gpt-4                   288  $0.6583\n"
                     "claude-3-5-sonnet     1,152\n"
                     "modèle                    7    $0.00\n");
    lw_fmt_table_free(t);
    lw_buf_free(&b);
}
END_TEST

START_TEST(test_csv_field)
{
    lw_buf b = { 0 };

    lw_fmt_csv_field(&b, "gpt-4");
    lw_buf_putc(&b, ',');
    lw_fmt_csv_field(&b, "a,b");
    lw_buf_putc(&b, ',');
    lw_fmt_csv_field(&b, "say \"hi\"");
    lw_buf_putc(&b, ',');
    lw_fmt_csv_field(&b, NULL);
    lw_buf_putc(&b, ',');
    lw_fmt_csv_field(&b, "two\nlines");
    ck_assert_str_eq(b.data, "gpt-4,\"a,b\",\"say \"\"hi\"\"\",,\"two\nlines\"");
    lw_buf_free(&b);
}
END_TEST

/* ---- window statistics on a private database ---- */

static lw_testdb tdb;

static void
private_db_setup(void)
{
    lw_testdb_setup(&tdb, "check_stats");
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

/* 2025-01-07 00:00 UTC */
#define T0 ((time_t) 1736208000)

/* Model "alpha": ten successful probes 100..1000 ms (ttft a tenth of that,
 * cost 0.000001234567 $ each) and two failures, in [T0, T0 + 1 h); one
 * probe the day before, outside every window used here. Model "beta":
 * enabled, never probed. Model "gamma": disabled, never probed. */
static void
seed_known(lw_db *db)
{
    exec_ok(db, "TRUNCATE probes, alerts, alert_events, job_runs, rules, models, environments "
                "RESTART IDENTITY CASCADE");
    exec_ok(db, "SELECT llmwatch_ensure_partitions('2025-01-05', '2025-01-08')");
    exec_ok(db, "INSERT INTO environments (name) VALUES ('production'), ('staging')");
    exec_ok(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms, enabled) VALUES "
                "(1, 'alpha', 'openai', 'gpt-4', 2000, true),"
                "(1, 'beta', 'anthropic', 'claude', 3000, true),"
                "(1, 'gamma', 'google', 'gemini', 2500, false),"
                "(2, 'alpha', 'openai', 'gpt-4', 2000, true)");
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, ttft_ms, total_ms, input_tokens,"
                " output_tokens, decode_tps, cost_usd, quality_score)"
                " SELECT '2025-01-07 00:00+00'::timestamptz + i * interval '1 minute', 1, 1, true,"
                "        i * 10, i * 100, 20, 10, 40 + i, 0.000001234567, 80 + i"
                "   FROM generate_series(1, 10) i");
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, error_class, http_status) VALUES"
                " ('2025-01-07 00:30+00', 1, 1, false, 'timeout', NULL),"
                " ('2025-01-07 00:31+00', 1, 1, false, 'http_5xx', 503),"
                " ('2025-01-06 12:00+00', 1, 1, false, 'http_5xx', 500)");
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, ttft_ms, total_ms, input_tokens,"
                " output_tokens, decode_tps, cost_usd, quality_score)"
                " VALUES ('2025-01-07 00:10+00', 4, 2, true, 5, 50, 1, 1, 1, 1.5, 50)");
}

START_TEST(test_window_known_values)
{
    lw_db_stats_filter f = { 0 };
    lw_db_stats_window_row w;
    lw_err err = { { 0 } };
    PGresult *res;
    lw_db *db = test_db();

    if (db == NULL)
        return;
    seed_known(db);
    f.from = T0;
    f.to = T0 + 3600;
    f.environment = "production";
    res = lw_db_stats_window(db, &err, &f);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);    /* idle models left out */
    lw_db_stats_window_get(res, 0, &w);
    ck_assert_str_eq(w.model, "alpha");
    ck_assert_str_eq(w.environment, "production");
    ck_assert_str_eq(w.provider, "openai");
    ck_assert_int_eq(w.sla_target_ms, 2000);
    ck_assert_int_eq(w.count, 12);
    ck_assert_int_eq(w.ok_count, 10);
    ck_assert_int_eq(w.errors, 2);
    ck_assert_double_eq_tol(w.success_rate, 10.0 / 12.0, 1e-12);
    /* latencies over the successful probes only: 100..1000. Means and the
     * deviation are exact (sums); percentiles come from the rollups'
     * histograms, within one bucket of the exact percentile_cont() */
    ck_assert_double_eq_tol(w.avg_total_ms, 550, 1e-9);
    ck_assert_double_eq_tol(w.p50_total_ms, 550, 550 * LW_ROLLUP_REL_ERROR);
    ck_assert_double_eq_tol(w.p95_total_ms, 955, 955 * LW_ROLLUP_REL_ERROR);   /* 100 + 0.95 * 900 */
    ck_assert_double_eq_tol(w.p99_total_ms, 991, 991 * LW_ROLLUP_REL_ERROR);
    ck_assert_double_eq_tol(w.stddev_total_ms, 302.7650354097492, 1e-6);
    ck_assert_double_eq_tol(w.avg_ttft_ms, 55, 1e-9);
    ck_assert_double_eq_tol(w.p95_ttft_ms, 95.5, 95.5 * LW_ROLLUP_REL_ERROR);
    ck_assert_double_eq_tol(w.decode_tps, 45.5, 1e-9);
    ck_assert_double_eq_tol(w.quality, 85.5, 1e-9);
    ck_assert_int_eq(w.input_tokens, 200);
    ck_assert_int_eq(w.output_tokens, 100);
    /* ten times 0.000001234567 $, exactly */
    ck_assert_str_eq(w.cost_usd, "0.000012345670");
    ck_assert_int_eq(w.cost_pico, INT64_C(12345670));
    ck_assert_int_eq(w.last_ts, T0 + 31 * 60);
    PQclear(res);

    /* with idle models: beta (enabled) shows with count 0, gamma (disabled) does not */
    f.include_idle = 1;
    res = lw_db_stats_window(db, &err, &f);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 2);
    lw_db_stats_window_get(res, 1, &w);
    ck_assert_str_eq(w.model, "beta");
    ck_assert_int_eq(w.count, 0);
    ck_assert(isnan(w.success_rate));
    ck_assert(isnan(w.p95_total_ms));
    ck_assert_int_eq(w.cost_pico, 0);
    ck_assert_int_eq(w.last_ts, 0);
    PQclear(res);

    /* by model name across environments: both alphas, environment order */
    memset(&f, 0, sizeof(f));
    f.from = T0;
    f.to = T0 + 3600;
    f.model = "alpha";
    res = lw_db_stats_window(db, &err, &f);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 2);
    lw_db_stats_window_get(res, 0, &w);
    ck_assert_str_eq(w.environment, "production");
    lw_db_stats_window_get(res, 1, &w);
    ck_assert_str_eq(w.environment, "staging");
    ck_assert_int_eq(w.count, 1);
    ck_assert_str_eq(w.cost_usd, "1.500000000000");
    PQclear(res);

    /* the day before holds only the one failure */
    f.from = T0 - 86400;
    f.to = T0;
    f.environment = "production";
    res = lw_db_stats_window(db, &err, &f);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    lw_db_stats_window_get(res, 0, &w);
    ck_assert_int_eq(w.count, 1);
    ck_assert_int_eq(w.errors, 1);
    ck_assert(isnan(w.avg_total_ms));
    PQclear(res);
    lw_db_close(db);
}
END_TEST

START_TEST(test_errors_and_totals)
{
    lw_db_stats_filter f = { 0 };
    lw_err err = { { 0 } };
    PGresult *res;
    lw_db *db = test_db();

    if (db == NULL)
        return;
    seed_known(db);
    f.from = T0;
    f.to = T0 + 3600;
    res = lw_db_stats_of(db, &err, LW_DB_STATS_ERROR_CLASSES, &f);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 2);
    ck_assert_str_eq(lw_db_str(res, 0, 2), "http_5xx");   /* same count: by name */
    ck_assert_int_eq(lw_db_int(res, 0, 3), 1);
    ck_assert_str_eq(lw_db_str(res, 1, 2), "timeout");
    PQclear(res);

    /* all models together: 13 probes, 11 ok, average of 100..1000 and 50 */
    res = lw_db_stats_of(db, &err, LW_DB_STATS_TOTALS, &f);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(lw_db_int(res, 0, PQfnumber(res, "count")), 13);
    ck_assert_int_eq(lw_db_int(res, 0, PQfnumber(res, "ok_count")), 11);
    ck_assert_double_eq_tol(lw_db_double(res, 0, PQfnumber(res, "avg_total_ms")), 5550.0 / 11, 1e-9);
    ck_assert_int_eq(lw_db_int(res, 0, PQfnumber(res, "models")), 2);
    ck_assert_str_eq(lw_db_str(res, 0, PQfnumber(res, "cost_usd")), "1.500012345670");
    ck_assert_int_eq(lw_db_int(res, 0, PQfnumber(res, "cost_pico")), INT64_C(1500012345670));
    PQclear(res);

    /* an empty window: zero, and NULL measures */
    f.from = T0 + 86400;
    f.to = T0 + 2 * 86400;
    res = lw_db_stats_of(db, &err, LW_DB_STATS_TOTALS, &f);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(lw_db_int(res, 0, 0), 0);
    ck_assert(lw_db_isnull(res, 0, PQfnumber(res, "avg_total_ms")));
    ck_assert(lw_db_isnull(res, 0, PQfnumber(res, "success_rate")));
    PQclear(res);
    lw_db_close(db);
}
END_TEST

START_TEST(test_alerts_and_runs)
{
    static const char *const names[] = { "performance_checks", "probe" };
    static const char *const never[] = { "full_benchmark" };
    lw_err err = { { 0 } };
    PGresult *res;
    lw_db *db = test_db();

    if (db == NULL)
        return;
    seed_known(db);
    exec_ok(db, "INSERT INTO rules (name, expression, severity) VALUES"
                " ('High Latency', 'avg_latency > sla_target * 1.5', 'warning'),"
                " ('Service Down', 'error_rate > 0.5', 'critical')");
    exec_ok(db, "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at, fired_at)"
                " VALUES (1, 1, 1, 'warning', 'firing', '2025-01-07 00:10+00', '2025-01-07 00:15+00'),"
                " (2, 2, 1, 'critical', 'resolved', '2025-01-07 00:20+00', '2025-01-07 00:20+00'),"
                " (2, 2, 1, 'critical', 'resolved', '2025-01-07 00:40+00', '2025-01-07 00:41+00'),"
                " (2, 1, 1, 'critical', 'resolved', '2025-01-06 00:40+00', '2025-01-06 00:41+00')");
    exec_ok(db, "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at)"
                " VALUES (1, 2, 1, 'warning', 'pending', '2025-01-07 00:50+00')");
    res = lw_db_stats_alerts_fired(db, &err, T0, T0 + 3600);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 2);        /* pending never fired; the day before left out */
    ck_assert_str_eq(lw_db_str(res, 0, 0), "Service Down");
    ck_assert_str_eq(lw_db_str(res, 0, 1), "beta");
    ck_assert_int_eq(lw_db_int(res, 0, 3), 2);
    ck_assert_str_eq(lw_db_str(res, 1, 0), "High Latency");
    ck_assert_str_eq(lw_db_str(res, 1, 1), "alpha");
    PQclear(res);
    ck_assert_int_eq(lw_db_stats_alerts_firing(db, &err), 1);

    /* the last run under either name, skipped slots aside, missed counted */
    exec_ok(db, "INSERT INTO job_runs (job, scheduled_for, started_at, finished_at, status, error) VALUES"
                " ('performance_checks', '2025-01-07 00:00+00', '2025-01-07 00:00+00',"
                "  '2025-01-07 00:00:04.5+00', 'ok', NULL),"
                " ('probe', '2025-01-07 06:00+00', '2025-01-07 06:00+00',"
                "  '2025-01-07 06:00:01.25+00', 'failed', 'boom'),"
                " ('performance_checks', '2025-01-07 12:00+00', '2025-01-07 12:00+00',"
                "  '2025-01-07 12:00+00', 'skipped', 'missed'),"
                " ('performance_checks', '2025-01-07 18:00+00', '2025-01-07 18:00+00',"
                "  '2025-01-07 18:00+00', 'skipped', 'missed')");
    res = lw_db_stats_last_run(db, &err, names, 2);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    ck_assert_str_eq(lw_db_str(res, 0, 0), "probe");
    ck_assert_int_eq(lw_db_int(res, 0, 1), T0 + 6 * 3600);
    ck_assert_str_eq(lw_db_str(res, 0, 3), "failed");
    ck_assert_str_eq(lw_db_str(res, 0, 4), "boom");
    ck_assert_double_eq_tol(lw_db_double(res, 0, 5), 1250, 1e-6);
    ck_assert_int_eq(lw_db_int(res, 0, 6), 2);
    PQclear(res);
    res = lw_db_stats_last_run(db, &err, never, 1);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    ck_assert(lw_db_isnull(res, 0, 0));
    ck_assert_int_eq(lw_db_int(res, 0, 6), 0);
    PQclear(res);
    lw_db_close(db);
}
END_TEST

Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("format");
    TCase *db = tcase_create("db");

    tcase_add_test(tc, test_duration);
    tcase_add_test(tc, test_elapsed_and_seconds);
    tcase_add_test(tc, test_percent);
    tcase_add_test(tc, test_dollars);
    tcase_add_test(tc, test_count_and_time);
    tcase_add_test(tc, test_next_run);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_csv_field);
    suite_add_tcase(s, tc);

    tcase_add_unchecked_fixture(db, private_db_setup, private_db_teardown);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, test_window_known_values);
    tcase_add_test(db, test_errors_and_totals);
    tcase_add_test(db, test_alerts_and_runs);
    suite_add_tcase(s, db);
    return s;
}
