/* check_budget.c: spending budgets: as people type them (lib/budget.c)
 * and as the configuration gives them (`budgets:`), their periods in a
 * time zone, their spend from the probe and usage rollups and the stated
 * pace (sql/012_costs.sql), and the evaluator's budget step: each tier
 * announced once per period, again in the next period only when crossed
 * again, never twice for the same evaluation repeated (a private
 * database). */
#include <check.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "config.h"
#include "db/budgets.h"
#include "eval/eval.h"
#include "lw.h"
#include "testdb.h"
#include "times.h"

START_TEST(test_check_input)
{
    lw_pool *pool = lw_pool_create();
    lw_budget_input in;
    lw_budget_errors errs;
    const char *json;

    memset(&in, 0, sizeof(in));
    in.period = "weekly";
    in.amount = "900";
    in.alert_at = "50%, 75,100 ";
    in.environment = "production";
    ck_assert_int_eq(lw_budget_check(&in, pool, &json, &errs), LW_OK);
    ck_assert_str_eq(json, "{\"name\":\"weekly\",\"period\":\"weekly\",\"amount\":\"900.000000\","
                     "\"thresholds\":[50,75,100],\"environment\":\"production\","
                     "\"time_zone\":\"UTC\"}");
    memset(&in, 0, sizeof(in));
    in.period = "daily";
    in.amount = "0.0000001";        /* below a micro-dollar: not exact */
    in.alert_at = "90, 80";
    in.time_zone = "../../etc/passwd";
    in.provider = "acme";
    ck_assert_int_eq(lw_budget_check(&in, pool, &json, &errs), LW_EINVAL);
    ck_assert_int_eq(errs.n, 4);
    ck_assert_str_eq(errs.v[0].field, "amount");
    ck_assert_str_eq(errs.v[1].field, "alert_at");
    ck_assert_str_eq(errs.v[2].field, "provider");
    ck_assert_str_eq(errs.v[3].field, "time_zone");
    memset(&in, 0, sizeof(in));
    in.amount = "5";
    in.alert_at = "80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180";
    ck_assert_int_eq(lw_budget_check(&in, pool, &json, &errs), LW_EINVAL);
    ck_assert_str_eq(errs.v[0].field, "period");
    ck_assert_str_eq(errs.v[1].field, "name");
    ck_assert_str_eq(errs.v[2].field, "alert_at");
    ck_assert(lw_config_time_zone_ok("Europe/Paris"));
    ck_assert(lw_config_time_zone_ok("UTC"));
    ck_assert(!lw_config_time_zone_ok("Mars/Olympus"));
    ck_assert(!lw_config_time_zone_ok("/etc/passwd"));
    lw_pool_destroy(pool);
}
END_TEST

static lw_config *
load(const char *yaml, lw_diag *d, int *rc)
{
    lw_config *cfg = NULL;

    lw_diag_init(d);
    *rc = lw_config_load_string("test.yaml", yaml, strlen(yaml), &cfg, d);
    return cfg;
}

START_TEST(test_config_budgets)
{
    static const char good[] =
        "monitoring:\n"
        "  models:\n"
        "    - {provider: openai, model: gpt-4, sla_target: 2, prices: {input: 1, output: 2, effective: 2025-03-01}}\n"
        "  budgets:\n"
        "    - {period: daily, amount: 150}\n"
        "    - {name: gpt4, period: monthly, amount: 3500.25, alert_at: [50, 100], model: gpt-4,\n"
        "       provider: openai, environment: production, time_zone: Europe/Paris, enabled: false}\n";
    static const char bad[] =
        "monitoring:\n"
        "  models:\n"
        "    - {provider: openai, model: gpt-4, sla_target: 2, prices: {input: 1, output: 2, effective: soon}}\n"
        "  budgets:\n"
        "    - {period: daily, amount: 150}\n"
        "    - {period: daily, amount: 20, alert_at: [0, 2000], modle: x}\n";
    lw_config *cfg;
    lw_diag d;
    char *s = NULL;
    size_t len = 0;
    FILE *fp;
    int rc;

    cfg = load(good, &d, &rc);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_int_eq(cfg->n_budgets, 2);
    ck_assert_str_eq(cfg->budgets[0].name, "daily");
    ck_assert_int_eq(cfg->budgets[0].n_tiers, 3);
    ck_assert_int_eq(cfg->budgets[0].tiers[2], 100);
    ck_assert_str_eq(cfg->budgets[0].time_zone, "UTC");
    ck_assert_int_eq(cfg->budgets[1].amount_micros, 3500250000);
    ck_assert_int_eq(cfg->budgets[1].period, LW_BUDGET_MONTHLY);
    ck_assert_int_eq(cfg->budgets[1].provider, LW_PROVIDER_OPENAI);
    ck_assert_str_eq(cfg->budgets[1].time_zone, "Europe/Paris");
    ck_assert(!cfg->budgets[1].enabled);
    ck_assert_int_eq(cfg->models[0].price_effective, 1740787200);
    lw_config_free(cfg);
    lw_diag_free(&d);

    cfg = load(bad, &d, &rc);
    ck_assert_int_eq(rc, LW_EINVAL);
    ck_assert_ptr_null(cfg);
    fp = open_memstream(&s, &len);
    lw_diag_print(&d, fp);
    fclose(fp);
    ck_assert_msg(strstr(s, "test.yaml:3:") && strstr(s, "'effective' must be a day"), "%s", s);
    ck_assert_msg(strstr(s, "duplicate budget name 'daily'"), "%s", s);
    ck_assert_msg(strstr(s, "'alert_at' takes percents"), "%s", s);
    ck_assert_msg(strstr(s, "modle"), "%s", s);
    free(s);
    lw_diag_free(&d);
}
END_TEST

/* ---- periods, spend, pace and the evaluator, on a private database ---- */

static lw_testdb tdb;

static void
db_setup(void)
{
    lw_testdb_setup(&tdb, "check_budget");
}

static void
db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

static char *
one(lw_db *db, const char *sql)
{
    static char buf[512];
    lw_err err;
    PGresult *res = lw_db_query(db, &err, sql, 0, NULL);

    ck_assert_msg(res != NULL, "%s: %s", sql, err.msg);
    lw_strlcpy(buf, PQntuples(res) > 0 && lw_db_str(res, 0, 0) ? lw_db_str(res, 0, 0) : "",
               sizeof(buf));
    PQclear(res);
    return buf;
}

/* One evaluation at `at`; its lines (pool memory). */
static const char *
evaluate(lw_db *db, lw_pool *pool, const char *at)
{
    lw_eval_result res;
    lw_err err;
    time_t t;
    const char *lines;

    ck_assert_int_eq(lw_time_parse(at, &t), LW_OK);
    ck_assert_msg(lw_eval_run(db, pool, t, &res, &err) == LW_OK, "%s", err.msg);
    lines = lw_pool_strdup(pool, res.lines.data ? res.lines.data : "");
    lw_eval_result_free(&res);
    return lines;
}

static void
spend(lw_db *db, const char *at, const char *cost, const char *table)
{
    char sql[512];

    if (strcmp(table, "usage") == 0)
        snprintf(sql, sizeof(sql), "INSERT INTO usage_events (ts, model_id, environment_id, cost_usd)"
                 " SELECT '%s', id, environment_id, %s FROM models", at, cost);
    else
        snprintf(sql, sizeof(sql), "INSERT INTO probes (ts, model_id, environment_id, ok, cost_usd)"
                 " SELECT '%s', id, environment_id, true, %s FROM models", at, cost);
    lw_testdb_exec(db, sql);
}

START_TEST(test_periods_spend_pace)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_db_audit_who who = { 0, "test", NULL };
    long long id;
    lw_err err;
    int changed;

    lw_testdb_exec(db, "INSERT INTO environments (name) VALUES ('production')");
    lw_testdb_exec(db, "INSERT INTO models (environment_id, name, provider, model)"
                       " SELECT id, 'gpt-4', 'openai', 'gpt-4' FROM environments");
    lw_testdb_exec(db, "INSERT INTO settings (key, value) VALUES ('retention_days', '3650')");
    ck_assert_int_eq(lw_db_budgets_save(db, &err, "{\"name\": \"paris\", \"period\": \"daily\","
                     " \"amount\": \"10\", \"thresholds\": [50, 100], \"time_zone\": \"Europe/Paris\"}",
                     "cli", &who, &id, &changed), LW_OK);
    ck_assert(changed);
    /* a day of Paris in winter starts at 23:00 UTC; a week on Monday */
    ck_assert_str_eq(one(db, "SELECT period_start || ' ' || period_end FROM lw_budget_status(1,"
                             " '2025-01-15 22:30+00')"), "2025-01-14 23:00:00+00 2025-01-15 23:00:00+00");
    ck_assert_str_eq(one(db, "SELECT start FROM lw_budget_period('weekly', 'UTC', '2025-01-12 10:00+00')"),
                     "2025-01-06 00:00:00+00");
    ck_assert_str_eq(one(db, "SELECT stop FROM lw_budget_period('monthly', 'UTC', '2024-02-10 10:00+00')"),
                     "2024-03-01 00:00:00+00");
    /* probes and usage, exact, from the rollups; before the period: not counted */
    spend(db, "2025-01-14 22:59+00", "100", "usage");
    spend(db, "2025-01-15 01:00+00", "1.000000000001", "probes");
    spend(db, "2025-01-15 10:00+00", "2.5", "usage");
    ck_assert_str_eq(one(db, "SELECT probe_usd || ' ' || usage_usd || ' ' || spent FROM"
                             " lw_budget_status(1, '2025-01-15 17:00+00')"),
                     "1.000000000001 2.500000000000 3.500000000001");
    /* the pace: the last quarter of the day (6 h: 11:00-17:00) spent
     * nothing, so nothing is projected beyond what was spent */
    ck_assert_str_eq(one(db, "SELECT projected || ' ' || coalesce(runs_out_at::text, '-') FROM"
                             " lw_budget_status(1, '2025-01-15 17:00+00')"), "3.500000 -");
    /* at 13:00 the last 6 h hold the 2.50 of 10:00: 2.5 / 6 h for 10 h
     * more; the budget would run out after the day's end */
    ck_assert_str_eq(one(db, "SELECT projected || ' ' || coalesce(runs_out_at::text, '-') FROM"
                             " lw_budget_status(1, '2025-01-15 13:00+00')"), "7.666667 -");
    /* 6 more at 12:00: 8.5 in the last 6 h, 0.50 left: out 21 min later */
    spend(db, "2025-01-15 12:00+00", "6", "usage");
    ck_assert_str_eq(one(db, "SELECT projected || ' ' || date_trunc('second', runs_out_at) FROM"
                             " lw_budget_status(1, '2025-01-15 13:00+00')"),
                     "23.666667 2025-01-15 13:21:10+00");
    ck_assert_int_eq(lw_db_budgets_remove(db, &err, id, "config", &who), LW_ENOTFOUND);
    ck_assert_int_eq(lw_db_budgets_remove(db, &err, id, NULL, &who), LW_OK);
    ck_assert_str_eq(one(db, "SELECT deleted_at IS NOT NULL FROM rules WHERE name = 'Budget: paris'"), "t");
    lw_db_close(db);
}
END_TEST

START_TEST(test_evaluator)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_db_audit_who who = { 0, "test", NULL };
    lw_pool *pool = lw_pool_create();
    const char *lines;
    long long id;
    lw_err err;
    int changed;

    lw_testdb_exec(db, "TRUNCATE usage_events, probes");
    lw_testdb_exec(db, "DELETE FROM budgets");
    ck_assert_int_eq(lw_db_budgets_save(db, &err, "{\"name\": \"day\", \"period\": \"daily\","
                     " \"amount\": \"100\", \"thresholds\": [80, 100]}", "cli", &who, &id, &changed),
                     LW_OK);
    spend(db, "2025-02-03 08:00+00", "85", "usage");
    lines = evaluate(db, pool, "2025-02-03 09:00");
    ck_assert_msg(strstr(lines, "Budget: day: ok -> firing, 80% of the daily budget reached: $85.00 of $100.00"),
                  "%s", lines);
    ck_assert_msg(strstr(lines, "at this pace the daily budget runs out at"), "%s", lines);
    ck_assert_msg(strstr(lines, "100%") == NULL, "%s", lines);
    /* the same evaluation again, and a later one: nothing new */
    ck_assert_str_eq(evaluate(db, pool, "2025-02-03 09:00"), "");
    ck_assert_str_eq(evaluate(db, pool, "2025-02-03 12:00"), "");
    spend(db, "2025-02-03 12:30+00", "15", "probes");
    lines = evaluate(db, pool, "2025-02-03 13:00");
    ck_assert_msg(strstr(lines, "Budget: day: firing -> firing, 100% of the daily budget reached"), "%s", lines);
    ck_assert_str_eq(one(db, "SELECT severity FROM alerts"), "critical");
    /* the next day: the alert resolves quietly; nothing until crossed again */
    lines = evaluate(db, pool, "2025-02-04 01:00");
    ck_assert_msg(strstr(lines, "Budget: day: firing -> resolved, the daily period ended"), "%s", lines);
    ck_assert_str_eq(evaluate(db, pool, "2025-02-04 09:00"), "");
    spend(db, "2025-02-04 09:30+00", "80", "usage");
    lines = evaluate(db, pool, "2025-02-04 10:00");
    ck_assert_msg(strstr(lines, "Budget: day: ok -> firing, 80% of the daily budget reached: $80.00"), "%s", lines);
    ck_assert_str_eq(one(db, "SELECT count(*) FROM budget_crossings WHERE kind = 'tier'"), "3");
    ck_assert_str_eq(one(db, "SELECT count(*) FROM alerts"), "2");
    /* a disabled budget stops: its open alert is resolved */
    lw_testdb_exec(db, "UPDATE budgets SET enabled = false");
    evaluate(db, pool, "2025-02-04 11:00");
    ck_assert_str_eq(one(db, "SELECT count(*) FROM alerts WHERE state <> 'resolved'"), "0");
    lw_pool_destroy(pool);
    lw_db_close(db);
}
END_TEST

Suite *
budget_suite(void)
{
    Suite *s = suite_create("budget");
    TCase *tc = tcase_create("core"), *db = tcase_create("db");

    tcase_add_test(tc, test_check_input);
    tcase_add_test(tc, test_config_budgets);
    suite_add_tcase(s, tc);
    tcase_add_unchecked_fixture(db, db_setup, db_teardown);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, test_periods_spend_pace);
    tcase_add_test(db, test_evaluator);
    suite_add_tcase(s, db);
    return s;
}
