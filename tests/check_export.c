/* check_export.c: exports streamed by COPY on a private database: CSV
 * with a header and one line per probe, JSON an array, JSON Lines one
 * object per line (backslashes and quotes of the data intact), the model
 * and range filters, rollup levels, the row limit of downloads. */
#include <check.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "db/exports.h"
#include "testdb.h"

static lw_testdb tdb;

static void
private_db_setup(void)
{
    lw_testdb_setup(&tdb, "check_export");
}

static void
private_db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

static int
to_buf(void *ctx, const char *data, size_t len)
{
    return lw_buf_append(ctx, data, len) == LW_OK ? 0 : -1;
}

static lw_db *
seeded(long long *from, long long *to)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err;
    PGresult *res;

    lw_testdb_exec(db, "TRUNCATE probes");
    lw_testdb_exec(db, "INSERT INTO environments (name) VALUES ('production') ON CONFLICT DO NOTHING");
    lw_testdb_exec(db, "INSERT INTO models (environment_id, name, provider, model)"
                       " SELECT id, n, 'openai', 'gpt-4o' FROM environments, (VALUES ('a'), ('b')) v(n)"
                       " WHERE name = 'production' ON CONFLICT DO NOTHING");
    /* 10 probes per model yesterday from 10:00 (5-minute rollups are kept
     * for recent days only), one with a tricky case id */
    lw_testdb_exec(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, ttft_ms, case_id)"
                       " SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
                       "   - interval '14 hours' + make_interval(mins => g * 5),"
                       "   m.id, m.environment_id, true, 1000 + g, 200,"
                       "   CASE WHEN g = 3 THEN 'quote\" back\\slash, comma' ELSE 'c' || g END"
                       " FROM models m, generate_series(0, 9) g WHERE m.name IN ('a', 'b')");
    res = lw_db_query(db, &err, "SELECT extract(epoch FROM date_trunc('day', now() AT TIME ZONE 'UTC')"
                      " AT TIME ZONE 'UTC' - interval '1 day')::bigint", 0, NULL);
    ck_assert_ptr_nonnull(res);
    *from = lw_db_int(res, 0, 0);
    *to = *from + 86400;
    PQclear(res);
    return db;
}

static char *
run(lw_db *db, lw_export_spec *s, long long *rows)
{
    lw_buf b = { 0 };
    lw_err err;
    int rc;

    rc = lw_db_exports_run(db, &err, s, to_buf, &b, rows);
    ck_assert_msg(rc == LW_OK, "%s", err.msg);
    return b.data ? b.data : strdup("");
}

static int
lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

START_TEST(db_csv_json_jsonl)
{
    long long from, to, rows;
    lw_db *db = seeded(&from, &to);
    lw_export_spec s = { from, to, NULL, 0, "raw", LW_EXPORT_CSV, 0 };
    json_object *o, *first;
    char *out, *line, *save;
    int n = 0;

    out = run(db, &s, &rows);
    ck_assert_int_eq(rows, 20);
    ck_assert_int_eq(lines(out), 21);
    ck_assert_msg(strncmp(out, "id,ts,model,environment,provider,case_id,ok,", 44) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "\"quote\"\" back\\slash, comma\""));
    ck_assert_ptr_nonnull(strstr(out, "T10:00:00.000000Z"));
    free(out);

    s.format = LW_EXPORT_JSON;
    s.model = "a";
    out = run(db, &s, &rows);
    ck_assert_int_eq(rows, 10);
    o = json_tokener_parse(out);
    ck_assert_msg(o != NULL && json_object_is_type(o, json_type_array), "%.200s", out);
    ck_assert_uint_eq(json_object_array_length(o), 10);
    first = json_object_array_get_idx(o, 3);
    ck_assert_str_eq(json_object_get_string(json_object_object_get(first, "case_id")),
                     "quote\" back\\slash, comma");
    ck_assert_str_eq(json_object_get_string(json_object_object_get(first, "model")), "a");
    json_object_put(o);
    free(out);

    s.format = LW_EXPORT_JSONL;
    s.model = NULL;
    s.limit = 7;
    out = run(db, &s, &rows);
    ck_assert_int_eq(rows, 7);
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
        o = json_tokener_parse(line);
        ck_assert_msg(o != NULL, "not JSON: %s", line);
        json_object_put(o);
    }
    ck_assert_int_eq(n, 7);
    free(out);
    lw_db_close(db);
}
END_TEST

START_TEST(db_levels_and_range)
{
    long long from, to, rows, counted;
    lw_db *db = seeded(&from, &to);
    lw_export_spec s = { from, to, NULL, 0, "1h", LW_EXPORT_CSV, 0 };
    lw_err err;
    char *out;

    /* 10:00..10:45: one hour, two models */
    out = run(db, &s, &rows);
    ck_assert_int_eq(rows, 2);
    ck_assert_ptr_nonnull(strstr(out, "latency_p95_ms"));
    ck_assert_ptr_nonnull(strstr(out, "T10:00:00.000000Z,1h,a,production,openai,10,0,"));
    free(out);
    s.level = "5m";
    ck_assert_int_eq(lw_db_exports_count(db, &err, &s, &counted), LW_OK);
    ck_assert_int_eq(counted, 20);
    /* [from, to): the day after holds nothing */
    s.level = "raw";
    s.from = to;
    s.to = to + 86400;
    out = run(db, &s, &rows);
    ck_assert_int_eq(rows, 0);
    ck_assert_int_eq(lines(out), 1);   /* the header alone */
    free(out);
    s.level = "2h";
    ck_assert_int_eq(lw_db_exports_run(db, &err, &s, to_buf, NULL, &rows), LW_EINVAL);
    lw_db_close(db);
}
END_TEST

Suite *
export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *db = tcase_create("export_db");

    tcase_add_unchecked_fixture(db, private_db_setup, private_db_teardown);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_csv_json_jsonl);
    tcase_add_test(db, db_levels_and_range);
    suite_add_tcase(s, db);
    return s;
}
