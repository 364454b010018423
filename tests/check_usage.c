/* check_usage.c: production usage rows read and checked whole (JSON
 * objects, CSV with a provider's names, JSON lines), their problems named
 * by line and field, keys derived from the content, and stored
 * idempotently with rollups equal to the raw rows (a private database). */
#include <check.h>
#include <json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db/usage.h"
#include "lw.h"
#include "testdb.h"
#include "usage.h"

static lw_pool *pool;
static lw_usage_batch ub;

static void
fresh(void)
{
    if (pool != NULL)
        lw_pool_destroy(pool);
    pool = lw_pool_create();
    lw_usage_init(&ub, pool);
}

static void
add(const char *json, long line)
{
    json_object *o = json_tokener_parse(json);

    ck_assert_ptr_nonnull(o);
    ck_assert_int_eq(lw_usage_add_json(&ub, o, line), LW_OK);
    json_object_put(o);
}

/* The first problem recorded: its field, and its line. */
static void
expect_error(const char *field, long line)
{
    ck_assert_int_ge(ub.n_errors, 1);
    ck_assert_str_eq(ub.shown[0].field, field);
    ck_assert_int_eq(ub.shown[0].line, line);
}

START_TEST(test_json_rows)
{
    fresh();
    add("{\"time\": \"2025-01-07T10:00:00.5Z\", \"model\": \"gpt-4\", \"input_tokens\": 10,"
        " \"output_tokens\": \"20\", \"requests\": 3, \"cost\": 0.10000000000000001,"
        " \"idempotency_key\": \"a\", \"ok\": false, \"application\": \"chat\"}", 1);
    ck_assert_int_eq(ub.n_errors, 1);       /* 17 decimals: not exact in numeric(20,12) */
    expect_error("cost", 1);
    fresh();
    add("{\"time\": \"2025-01-07T10:00:00.5Z\", \"model\": \"gpt-4\", \"input_tokens\": 10,"
        " \"output_tokens\": \"20\", \"requests\": 3, \"cost\": 0.000000000001,"
        " \"idempotency_key\": \"a\", \"ok\": false, \"application\": \"chat\"}", 1);
    ck_assert_int_eq(ub.n_errors, 0);
    ck_assert_int_eq(ub.n, 1);
    ck_assert_int_eq(ub.v[0].ts_us, INT64_C(1736244000500000));
    ck_assert_int_eq(ub.v[0].output_tokens, 20);
    ck_assert_str_eq(ub.v[0].cost, "0.000000000001");   /* the text as written */
    ck_assert_int_eq(ub.v[0].ok, 0);
    /* each problem names its field */
    add("{\"model\": \"gpt-4\"}", 2);
    ck_assert_str_eq(ub.shown[0].field, "time");
    add("{\"time\": 1736244000, \"model\": \"gpt-4\", \"input_tokens\": -1}", 3);
    ck_assert_str_eq(ub.shown[1].field, "input_tokens");
    add("{\"time\": 1736244000, \"model\": \"gpt-4\", \"requests\": 1.5}", 4);
    ck_assert_str_eq(ub.shown[2].field, "requests");
    add("{\"time\": 1736244000, \"model\": \"gpt-4\", \"cost\": \"-1\"}", 5);
    ck_assert_str_eq(ub.shown[3].field, "cost");
    add("{\"time\": 1736244000, \"model\": \"gpt-4\", \"cots\": 1}", 6);
    ck_assert_str_eq(ub.shown[4].field, "cots");
    add("{\"time\": 1736244000, \"model\": 4}", 7);
    ck_assert_str_eq(ub.shown[5].field, "model");
    add("[1]", 8);
    ck_assert_str_eq(ub.shown[6].field, "row");
    ck_assert_int_eq(ub.n_errors, 7);
    ck_assert_int_eq(ub.n, 1);
    ck_assert_int_eq(ub.rows, 8);
}
END_TEST

START_TEST(test_csv)
{
    static const char csv[] =
        "\xEF\xBB\xBFTimestamp,Model,prompt_tokens,completion_tokens,num_model_requests,project,extra\r\n"
        "2025-01-07 10:00,gpt-4,1,2,3,\"a, \"\"quoted\"\" one\",x\r\n"
        "\r\n"
        "2025-01-07 11:00,gpt-4,4,5,6,\"two\nlines\",y\n"
        "2025-01-07 12:00,gpt-4,seven,8,9,p,z\n"
        "2025-01-07 13:00,gpt-4,1,2\n";
    lw_err err;

    fresh();
    ck_assert_int_eq(lw_usage_parse_csv(&ub, csv, sizeof(csv) - 1, &err), LW_OK);
    ck_assert_int_eq(ub.n, 2);
    ck_assert_str_eq(ub.v[0].application, "a, \"quoted\" one");
    ck_assert_int_eq(ub.v[0].requests, 3);
    ck_assert_str_eq(ub.v[1].application, "two\nlines");
    ck_assert_int_eq(ub.v[1].line, 4);
    /* the lines are the file's: a quoted line break counts */
    ck_assert_int_eq(ub.n_errors, 2);
    ck_assert_int_eq(ub.shown[0].line, 6);
    ck_assert_str_eq(ub.shown[0].field, "input_tokens");
    ck_assert_int_eq(ub.shown[1].line, 7);
    ck_assert_str_eq(ub.shown[1].field, "row");
    fresh();
    ck_assert_int_eq(lw_usage_parse_csv(&ub, "a,b\n1,2\n", 8, &err), LW_EINVAL);
    ck_assert(strstr(err.msg, "no time column") != NULL);
    fresh();
    ck_assert_int_eq(lw_usage_parse_csv(&ub, "time,model\n\"2025,x\n", 19, &err), LW_OK);
    ck_assert_str_eq(ub.shown[0].msg, "a quoted field is not closed");
}
END_TEST

START_TEST(test_jsonl)
{
    static const char text[] =
        "{\"time\": \"2025-01-07T10:00:00Z\", \"model\": \"gpt-4\"}\n"
        "\n"
        "{\"time\": \"2025-01-07T10:00:00Z\", \"model\":\n";
    lw_err err;

    fresh();
    ck_assert_int_eq(lw_usage_parse_jsonl(&ub, text, sizeof(text) - 1, &err), LW_OK);
    ck_assert_int_eq(ub.n, 1);
    expect_error("row", 3);
    fresh();
    ck_assert_int_eq(lw_usage_parse_jsonl(&ub, "{\"a\":\0}", 7, &err), LW_EINVAL);
}
END_TEST

/* models as lw_db_usage_models gives them: id, name, model, env id, env */
static PGresult *
models_result(void)
{
    static const char *const rows[][5] = {
        { "1", "gpt-4", "gpt-4", "1", "production" },
        { "2", "chat", "gpt-4o", "1", "production" },
        { "3", "chat", "gpt-4o", "2", "staging" },
    };
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc att[5];
    int i, c;

    memset(att, 0, sizeof(att));
    for (c = 0; c < 5; c++)
        att[c].name = (char *) "c";
    PQsetResultAttrs(res, 5, att);
    for (i = 0; i < 3; i++)
        for (c = 0; c < 5; c++)
            PQsetvalue(res, i, c, (char *) rows[i][c], (int) strlen(rows[i][c]));
    return res;
}

START_TEST(test_resolve_and_keys)
{
    PGresult *models = models_result();
    int64_t now = INT64_C(1736244000) * 1000000;
    char k1[80], k2[80];

    fresh();
    add("{\"time\": 1736244000, \"model\": \"gpt-4\", \"input_tokens\": 5}", 1);
    add("{\"time\": 1736244000, \"model\": \"gpt-4\", \"input_tokens\": 5}", 2);
    add("{\"time\": 1736244000, \"model\": \"gpt-4o\", \"environment\": \"staging\"}", 3);
    ck_assert_int_eq(lw_usage_resolve(&ub, models, 0, now), LW_OK);
    ck_assert_int_eq(ub.n_errors, 0);
    ck_assert_int_eq(ub.v[2].model_id, 3);
    ck_assert_int_eq(ub.v[2].environment_id, 2);
    ck_assert(ub.keys_derived);
    /* identical rows get distinct keys, the same ones every time */
    lw_strlcpy(k1, ub.v[0].key, sizeof(k1));
    lw_strlcpy(k2, ub.v[1].key, sizeof(k2));
    ck_assert(strncmp(k1, "sha256:", 7) == 0);
    ck_assert_str_ne(k1, k2);
    fresh();
    add("{\"time\": 1736244000, \"model\": \"gpt-4\", \"input_tokens\": 5}", 1);
    add("{\"time\": 1736244000, \"model\": \"gpt-4\", \"input_tokens\": 5}", 2);
    ck_assert_int_eq(lw_usage_resolve(&ub, models, 0, now), LW_OK);
    ck_assert_str_eq(ub.v[0].key, k1);
    ck_assert_str_eq(ub.v[1].key, k2);
    /* names that do not resolve, times out of bounds, keys given twice */
    fresh();
    add("{\"time\": 1736244000, \"model\": \"chat\"}", 1);
    add("{\"time\": 1736244000, \"model\": \"nope\"}", 2);
    add("{\"time\": 1736250000, \"model\": \"gpt-4\"}", 3);
    add("{\"time\": 1000, \"model\": \"gpt-4\"}", 4);
    ck_assert_int_eq(lw_usage_resolve(&ub, models, INT64_C(1700000000) * 1000000, now), LW_OK);
    ck_assert_int_eq(ub.n_errors, 4);
    ck_assert(strstr(ub.shown[0].msg, "several environments") != NULL);
    ck_assert(strstr(ub.shown[1].msg, "no model 'nope'") != NULL);
    ck_assert(strstr(ub.shown[2].msg, "in the future") != NULL);
    ck_assert(strstr(ub.shown[3].msg, "retention") != NULL);
    fresh();
    add("{\"time\": 1736244000, \"model\": \"gpt-4\", \"idempotency_key\": \"x\"}", 1);
    add("{\"time\": 1736244001, \"model\": \"gpt-4\", \"idempotency_key\": \"x\"}", 9);
    ck_assert_int_eq(lw_usage_resolve(&ub, models, 0, now), LW_OK);
    expect_error("idempotency_key", 9);
    ck_assert_str_eq(ub.shown[0].msg, "the same key as line 1");
    PQclear(models);
}
END_TEST

/* ---- stored: idempotent, rollups equal to the rows ---- */

static lw_testdb tdb;

static void
db_setup(void)
{
    lw_testdb_setup(&tdb, "check_usage");
}

static void
db_teardown(void)
{
    lw_testdb_teardown(&tdb);
    if (pool != NULL)
        lw_pool_destroy(pool);
    pool = NULL;
}

static long long
count(lw_db *db, const char *sql)
{
    lw_err err;
    PGresult *res = lw_db_query(db, &err, sql, 0, NULL);
    long long v;

    ck_assert_msg(res != NULL, "%s: %s", sql, err.msg);
    v = lw_db_int(res, 0, 0);
    PQclear(res);
    return v;
}

START_TEST(test_store)
{
    lw_db *db = lw_testdb_connect(&tdb);
    PGresult *models;
    lw_buf json = { 0 };
    long long ins, known;
    lw_err err;
    int i;

    lw_testdb_exec(db, "INSERT INTO environments (name) VALUES ('production')");
    lw_testdb_exec(db, "INSERT INTO models (environment_id, name, provider, model,"
                       " price_input_per_mtok, price_output_per_mtok)"
                       " SELECT id, 'gpt-4', 'openai', 'gpt-4', 30, 60 FROM environments");
    models = lw_db_usage_models(db, &err);
    ck_assert_ptr_nonnull(models);
    fresh();
    /* 300 rows over 25 hours ending an hour ago, one with its own cost */
    for (i = 0; i < 300; i++) {
        char row[256];

        snprintf(row, sizeof(row), "{\"time\": %lld, \"model\": \"gpt-4\", \"input_tokens\": %d,"
                 " \"output_tokens\": %d, \"requests\": 2%s}",
                 (long long) time(NULL) - 3600 - i * 300, 100 + i, 7 * i,
                 i == 5 ? ", \"cost\": \"1.5\"" : "");
        add(row, i + 1);
    }
    ck_assert_int_eq(lw_usage_resolve(&ub, models, 0, (int64_t) time(NULL) * 1000000), LW_OK);
    ck_assert_int_eq(ub.n_errors, 0);
    ck_assert_int_eq(lw_usage_to_json(&ub, &json), LW_OK);
    ck_assert_int_eq(lw_db_usage_insert(db, &err, json.data, "import", &ins, &known), LW_OK);
    ck_assert_int_eq(ins, 300);
    ck_assert_int_eq(known, 0);
    ck_assert_int_eq(lw_db_usage_insert(db, &err, json.data, "import", &ins, &known), LW_OK);
    ck_assert_int_eq(ins, 0);
    ck_assert_int_eq(known, 300);
    ck_assert_int_eq(count(db, "SELECT count(*) FROM usage_events"), 300);
    /* tokens x price / 10^6, exact; the given cost kept */
    ck_assert_int_eq(count(db, "SELECT count(*) FROM usage_events WHERE cost_source = 'prices'"
                               " AND cost_usd = (input_tokens * 30 + output_tokens * 60) / 1000000.0"), 299);
    ck_assert_int_eq(count(db, "SELECT count(*) FROM usage_events WHERE cost_usd = 1.5"
                               " AND cost_source = 'given'"), 1);
    /* every level of the rollups adds up to the rows; the read path too,
     * over whole hours and over an unaligned range */
    ck_assert_int_eq(count(db, "SELECT count(DISTINCT (r.c, r.n)) FROM (SELECT sum(cost_usd) AS c,"
                               " sum(requests) AS n FROM usage_rollups GROUP BY resolution) r"), 1);
    ck_assert_int_eq(count(db, "SELECT ((SELECT sum(cost_usd) FROM usage_rollups WHERE resolution = '1h')"
                               " = (SELECT sum(cost_usd) FROM usage_events))::int"), 1);
    ck_assert_int_eq(count(db, "SELECT ((SELECT sum(cost_usd) FROM lw_usage_read(NULL,"
                               " now() - interval '30 hours 7 minutes', now()))"
                               " = (SELECT sum(cost_usd) FROM usage_events))::int"), 1);
    ck_assert_int_eq(count(db, "SELECT ((SELECT sum(requests) FROM lw_usage_read(NULL,"
                               " date_bin('1 hour', now() - interval '2 days', '2000-01-01'),"
                               " date_bin('1 hour', now(), '2000-01-01') + interval '1 hour', interval '1 hour'))"
                               " = 600)::int"), 1);
    /* a delete rebuilds what it touched */
    lw_testdb_exec(db, "DELETE FROM usage_events WHERE cost_source = 'given'");
    ck_assert_int_eq(count(db, "SELECT ((SELECT sum(cost_usd) FROM usage_rollups WHERE resolution = '1d')"
                               " = (SELECT sum(cost_usd) FROM usage_events))::int"), 1);
    PQclear(models);
    lw_buf_free(&json);
    lw_db_close(db);
}
END_TEST

Suite *
usage_suite(void)
{
    Suite *s = suite_create("usage");
    TCase *tc = tcase_create("core"), *db = tcase_create("db");

    tcase_add_test(tc, test_json_rows);
    tcase_add_test(tc, test_csv);
    tcase_add_test(tc, test_jsonl);
    tcase_add_test(tc, test_resolve_and_keys);
    suite_add_tcase(s, tc);
    tcase_add_unchecked_fixture(db, db_setup, db_teardown);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, test_store);
    suite_add_tcase(s, db);
    return s;
}
