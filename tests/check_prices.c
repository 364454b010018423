/* check_prices.c: the built-in price table with its effective dates, and
 * the price history in the database: a change is a new row from its date
 * on, what was recorded before keeps its price (lw_price_at). */
#include <check.h>
#include <string.h>

#include "db/costs.h"
#include "lw.h"
#include "prices.h"
#include "testdb.h"
#include "times.h"

static time_t
day(const char *s)
{
    time_t t;

    ck_assert_int_eq(lw_time_parse(s, &t), LW_OK);
    return t;
}

START_TEST(test_history)
{
    lw_price h[8];
    size_t n, i;

    ck_assert_int_eq(lw_prices_builtin_history("gpt-4o-2024-08-06", h, 8, &n), LW_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(h[0].provider, "openai");
    ck_assert_str_eq(h[0].prefix, "gpt-4o");
    ck_assert_int_eq(h[0].effective, day("2024-05-13"));
    ck_assert_int_eq(h[0].input_micros, 5000000);
    ck_assert_int_eq(h[1].effective, day("2024-10-02"));
    ck_assert_int_eq(h[1].output_micros, 10000000);
    /* every entry of every model in date order, each model one provider */
    static const char *const known[] = { "gpt-4", "gpt-4-turbo", "gpt-4o-mini", "gpt-3.5-turbo",
                                         "claude-3-5-sonnet", "claude-3-haiku", "gemini-1.5-pro",
                                         "gemini-1.5-flash", "gemini-2.0-flash" };
    for (i = 0; i < LW_ARRAY_LEN(known); i++) {
        size_t k;

        ck_assert_int_eq(lw_prices_builtin_history(known[i], h, 8, &n), LW_OK);
        ck_assert_int_ge(n, 1);
        for (k = 1; k < n; k++) {
            ck_assert(h[k].effective > h[k - 1].effective);
            ck_assert_str_eq(h[k].provider, h[0].provider);
        }
    }
    ck_assert_int_eq(lw_prices_builtin_history("llama-3", h, 8, &n), LW_ENOTFOUND);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(lw_prices_builtin_history("gpt-4o", h, 1, &n), LW_ERROR);   /* no room */
}
END_TEST

START_TEST(test_price_at)
{
    int64_t in, out;

    /* before the first entry: the first one (nothing else to go by) */
    ck_assert_int_eq(lw_prices_builtin_at("gpt-4o", day("2020-01-01"), &in, &out), LW_OK);
    ck_assert_int_eq(in, 5000000);
    ck_assert_int_eq(lw_prices_builtin_at("gpt-4o", day("2024-10-01 23:59:59"), &in, &out), LW_OK);
    ck_assert_int_eq(in, 5000000);
    /* from the day of the change on */
    ck_assert_int_eq(lw_prices_builtin_at("gpt-4o", day("2024-10-02"), &in, &out), LW_OK);
    ck_assert_int_eq(in, 2500000);
    ck_assert_int_eq(out, 10000000);
    ck_assert_int_eq(lw_prices_builtin_at("gemini-1.5-flash-002", day("2024-08-12"), &in, &out),
                     LW_OK);
    ck_assert_int_eq(in, 75000);
    /* now: the latest */
    ck_assert_int_eq(lw_prices_builtin("gpt-4o", &in, &out), LW_OK);
    ck_assert_int_eq(in, 2500000);
    ck_assert_int_eq(lw_prices_builtin_at("gpt-40", day("2025-01-01"), &in, &out), LW_ENOTFOUND);
}
END_TEST

/* ---- the history in the database ---- */

static lw_testdb tdb;

static void
db_setup(void)
{
    lw_testdb_setup(&tdb, "check_prices");
}

static void
db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

static const char *
one(lw_db *db, const char *sql)
{
    static char buf[256];
    lw_err err;
    PGresult *res = lw_db_query(db, &err, sql, 0, NULL);

    ck_assert_msg(res != NULL, "%s: %s", sql, err.msg);
    lw_strlcpy(buf, PQntuples(res) > 0 && lw_db_str(res, 0, 0) ? lw_db_str(res, 0, 0) : "",
               sizeof(buf));
    PQclear(res);
    return buf;
}

START_TEST(test_db_history)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err;
    int changed = 0;

    lw_testdb_exec(db, "INSERT INTO environments (name) VALUES ('production')");
    lw_testdb_exec(db, "INSERT INTO models (environment_id, name, provider, model,"
                       " price_input_per_mtok, price_output_per_mtok)"
                       " SELECT id, 'm', 'openai', 'x', 1, 2 FROM environments");
    /* dated entries, as the built-in table gives them */
    ck_assert_int_eq(lw_db_costs_prices_sync(db, &err,
        "[{\"environment\": \"production\", \"name\": \"m\", \"source\": \"builtin\", \"entries\": ["
        "{\"effective\": \"2024-01-01 00:00:00+00\", \"input\": \"5\", \"output\": \"15\"},"
        "{\"effective\": \"2024-06-01 00:00:00+00\", \"input\": \"2.5\", \"output\": \"10\"}]}]",
        &changed), LW_OK);
    ck_assert_int_eq(changed, 2);
    /* again: nothing changes */
    changed = 0;
    ck_assert_int_eq(lw_db_costs_prices_sync(db, &err,
        "[{\"environment\": \"production\", \"name\": \"m\", \"source\": \"builtin\", \"entries\": ["
        "{\"effective\": \"2024-01-01 00:00:00+00\", \"input\": \"5\", \"output\": \"15\"},"
        "{\"effective\": \"2024-06-01 00:00:00+00\", \"input\": \"2.5\", \"output\": \"10\"}]}]",
        &changed), LW_OK);
    ck_assert_int_eq(changed, 0);
    ck_assert_str_eq(one(db, "SELECT lw_price_at(id, '2023-01-01') FROM models"), "(5.000000,15.000000)");
    ck_assert_str_eq(one(db, "SELECT lw_price_at(id, '2024-05-31 23:59') FROM models"),
                     "(5.000000,15.000000)");
    ck_assert_str_eq(one(db, "SELECT lw_price_at(id, '2024-06-01') FROM models"), "(2.500000,10.000000)");
    /* an undated config price: from now, only when it differs */
    changed = 0;
    ck_assert_int_eq(lw_db_costs_prices_sync(db, &err,
        "[{\"environment\": \"production\", \"name\": \"m\", \"source\": \"config\", \"entries\": ["
        "{\"effective\": null, \"input\": \"2.5\", \"output\": \"10\"}]}]", &changed), LW_OK);
    ck_assert_int_eq(changed, 0);
    ck_assert_int_eq(lw_db_costs_prices_sync(db, &err,
        "[{\"environment\": \"production\", \"name\": \"m\", \"source\": \"config\", \"entries\": ["
        "{\"effective\": null, \"input\": \"1\", \"output\": \"3\"}]}]", &changed), LW_OK);
    ck_assert_int_eq(changed, 1);
    ck_assert_str_eq(one(db, "SELECT lw_price_at(id, now()) FROM models"), "(1.000000,3.000000)");
    ck_assert_str_eq(one(db, "SELECT lw_price_at(id, now() - interval '1 minute') FROM models"),
                     "(2.500000,10.000000)");
    /* usage priced at its time: exact numeric */
    lw_testdb_exec(db, "INSERT INTO usage_keys (key, ts) VALUES ('k', '2024-03-01')");
    ck_assert_str_eq(one(db,
        "SELECT round((123457 * p.input_per_mtok + 7 * p.output_per_mtok) / 1000000, 12)"
        " FROM models m, lw_price_at(m.id, '2024-03-01') p"), "0.617390000000");
    lw_db_close(db);
}
END_TEST

Suite *
prices_suite(void)
{
    Suite *s = suite_create("prices");
    TCase *tc = tcase_create("core"), *db = tcase_create("db");

    tcase_add_test(tc, test_history);
    tcase_add_test(tc, test_price_at);
    suite_add_tcase(s, tc);
    tcase_add_unchecked_fixture(db, db_setup, db_teardown);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, test_db_history);
    suite_add_tcase(s, db);
    return s;
}
