/* check_windows.c: the long windows of rule evaluation (burn rates, daily
 * cost, the statistical reference) read as rollups inside and raw probes at
 * their edges, checked against the same figures computed from raw probes
 * alone, after late rows, deleted rows, with a bucket still open, for one
 * time and for a backtest's many, and past the 5-minute rollups' retention. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alert/fetch.h"
#include "alert/rule.h"
#include "db/rollups.h"
#include "testdb.h"

static lw_testdb tdb;

static void
windows_db_setup(void)
{
    lw_testdb_setup(&tdb, "check_windows");
}

static void
windows_db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

/* Two models probed every minute for four days up to ten minutes from
 * now, every third probe 17 s past its minute (the others fall exactly on
 * window and bucket boundaries): failures, refusals, blocked prompts,
 * stalls, costs and ok probes without a latency among them. Then a late
 * row three days back and a handful of deleted ones, each its own
 * statement as a writer would make them. */
static lw_db *
windows_db(void)
{
    lw_db *db = lw_testdb_connect(&tdb);
    PGresult *res;
    lw_err err;

    res = lw_db_query(db, &err, "SELECT count(*) FROM models WHERE name = 'w1'", 0, NULL);
    ck_assert_ptr_nonnull(res);
    if (lw_db_int(res, 0, 0) > 0) {
        PQclear(res);
        return db;
    }
    PQclear(res);
    lw_testdb_exec(db, "INSERT INTO environments (name) VALUES ('production')");
    lw_testdb_exec(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms)"
                       " SELECT id, n, 'openai', n, 2000 FROM environments,"
                       " (VALUES ('w1'), ('w2')) v (n)");
    lw_testdb_exec(db, "SELECT llmwatch_ensure_partitions((now() - interval '6 days')::date,"
                       " now()::date + 1)");
    lw_testdb_exec(db, "INSERT INTO probes (ts, model_id, environment_id, ok, error_class, total_ms,"
                       "  ttft_ms, cost_usd, outcome, max_gap_ms)"
                       " SELECT date_trunc('minute', now()) + interval '10 minutes'"
                       "     - g * interval '1 minute' + CASE WHEN g % 3 = 0 THEN interval '17 s'"
                       "       ELSE interval '0' END,"
                       "   m.id, m.environment_id, (g + m.id) % 13 <> 0,"
                       "   CASE WHEN (g + m.id) % 13 = 0 THEN 'http_5xx' END,"
                       "   CASE WHEN g % 29 <> 0 THEN 400 + (g * 37 + m.id * 101) % 1500 END,"
                       "   100 + g % 50, 0.000123 * ((g + m.id) % 7),"
                       "   CASE WHEN (g + m.id) % 13 = 0 THEN NULL WHEN g % 11 = 0 THEN 'refusal'"
                       "        WHEN g % 11 = 1 THEN 'blocked' ELSE 'text' END,"
                       "   CASE WHEN g % 17 = 0 THEN 2500 ELSE 40 END"
                       " FROM models m, generate_series(0, 4 * 1440) g");
    lw_testdb_exec(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, cost_usd,"
                       "  outcome)"
                       " SELECT date_trunc('minute', now()) - interval '3 days 1 minute 30 s',"
                       "   id, environment_id, true, 9000, 0.5, 'text' FROM models WHERE name = 'w1'");
    lw_testdb_exec(db, "DELETE FROM probes WHERE extract(epoch FROM ts)::bigint % 9973 < 60");
    return db;
}

static lw_rule *
make_rule(const char *kind, const char *condition, const char *metric, const char *window,
          const char *lookback)
{
    lw_rule_form f;
    lw_rule_errors errs;
    lw_rule *r = NULL;

    memset(&f, 0, sizeof(f));
    memset(&errs, 0, sizeof(errs));
    f.name = kind;
    f.kind = kind;
    f.condition = condition;
    f.metric = metric;
    f.window = window;
    f.lookback_window = lookback;
    f.severity = "warning";
    if (strcmp(kind, "burn_rate") == 0)
        f.slo_target = "0.999";
    ck_assert_msg(lw_rule_from_form(&f, &r, &errs) == LW_OK, "%s: %s", kind,
                  errs.n > 0 ? errs.v[0].msg : "?");
    return r;
}

/* The evaluation times: hour-aligned, 5-minute aligned and not aligned,
 * an hour or so ago (their open buckets hold later probes); then a
 * backtest's minutes with odd seconds. */
static size_t
eval_times(time_t *at, size_t max)
{
    time_t h = time(NULL) / 3600 * 3600 - 3600;
    size_t n = 0, i;

    at[n++] = h;
    at[n++] = h + 300;
    at[n++] = h + 437;
    at[n++] = time(NULL) / 60 * 60;
    for (i = 0; n < max && i < 40; i++)
        at[n++] = h - 7200 + (time_t) i * 97;
    return n;
}

/* One raw figure over (from, to] of a sample's model: the SQL is given
 * whole, $1 model id, $2/$3 the ends in Unix seconds. NaN when NULL. */
static double
raw_figure(lw_db *db, const char *sql, long long model_id, long long from, long long to)
{
    char a[24], b[24], c[24];
    const char *p[3] = { a, b, c };
    PGresult *res;
    lw_err err;
    double v;

    snprintf(a, sizeof(a), "%lld", model_id);
    snprintf(b, sizeof(b), "%lld", from);
    snprintf(c, sizeof(c), "%lld", to);
    res = lw_db_query(db, &err, sql, 3, p);
    ck_assert_msg(res != NULL, "%s", err.msg);
    v = lw_db_isnull(res, 0, 0) ? NAN : lw_db_double(res, 0, 0);
    PQclear(res);
    return v;
}

#define RAW_WHERE " FROM probes p WHERE p.model_id = $1::int" \
    " AND p.ts > to_timestamp($2::bigint) AND p.ts <= to_timestamp($3::bigint)"

static void
assert_same(double got, double want, double tol, const char *what, time_t at, long long model)
{
    if (isnan(want)) {
        ck_assert_msg(isnan(got), "%s at %lld model %lld: %g, raw NULL", what, (long long) at,
                      model, got);
        return;
    }
    ck_assert_msg(fabs(got - want) <= tol * fmax(1, fabs(want)),
                  "%s at %lld model %lld: %.15g, raw %.15g", what, (long long) at, model, got,
                  want);
}

static void
fetch_all(lw_db *db, const lw_rule *r, lw_rule_samples *ss)
{
    time_t at[64];
    size_t n = eval_times(at, 64);
    lw_err err;

    memset(ss, 0, sizeof(*ss));
    ck_assert_msg(lw_rule_fetch(db, &err, r, at, n, ss) == LW_OK, "%s", err.msg);
    ck_assert_uint_eq(ss->n, n * 2);
}

static void
check_burn(lw_db *db)
{
    static const long long len[5] = { 300, 1800, 3600, 21600, 259200 };
    lw_rule *r = make_rule("burn_rate", NULL, NULL, NULL, NULL);
    lw_rule_samples ss;
    size_t i, j;

    fetch_all(db, r, &ss);
    for (i = 0; i < ss.n; i++) {
        const lw_rule_sample *s = &ss.v[i];

        for (j = 0; j < 5; j++) {
            assert_same((double) s->br_count[j],
                        raw_figure(db, "SELECT count(*)" RAW_WHERE, s->model_id, s->at - len[j], s->at),
                        0, "burn count", s->at, s->model_id);
            assert_same((double) s->br_errors[j],
                        raw_figure(db, "SELECT count(*) FILTER (WHERE NOT p.ok)" RAW_WHERE,
                                   s->model_id, s->at - len[j], s->at),
                        0, "burn errors", s->at, s->model_id);
        }
    }
    lw_rule_samples_free(&ss);
    lw_rule_free(r);
}

static void
check_daily_cost(lw_db *db)
{
    lw_rule *r = make_rule("threshold", "daily_cost > 100", NULL, "5m", NULL);
    lw_rule_samples ss;
    size_t i;

    fetch_all(db, r, &ss);
    for (i = 0; i < ss.n; i++)
        assert_same(ss.v[i].m[LW_M_DAILY_COST],
                    raw_figure(db, "SELECT sum(p.cost_usd)::float8" RAW_WHERE, ss.v[i].model_id,
                               ss.v[i].at - 86400, ss.v[i].at),
                    1e-12, "daily cost", ss.v[i].at, ss.v[i].model_id);
    lw_rule_samples_free(&ss);
    lw_rule_free(r);
}

/* The per-probe value of each metric, as the reference distribution
 * takes it. */
static const struct {
    const char *metric, *x;
} stat_metrics[] = {
    { "avg_latency", "CASE WHEN p.ok THEN p.total_ms / 1000.0 END" },
    { "p95_latency", "CASE WHEN p.ok THEN p.total_ms / 1000.0 END" },
    { "error_rate", "CASE WHEN p.ok THEN 0.0 ELSE 1.0 END" },
    { "success_rate", "CASE WHEN p.ok THEN 1.0 ELSE 0.0 END" },
    { "refusal_rate", "CASE WHEN p.ok THEN (p.outcome = 'refusal')::int END" },
    { "blocked_rate", "CASE WHEN p.ok THEN (p.outcome = 'blocked')::int END" },
    { "stall_rate", "CASE WHEN p.ok THEN (p.max_gap_ms >= 2000)::int END" },
    { "ttft", "CASE WHEN p.ok THEN p.ttft_ms / 1000.0 END" },  /* read raw */
};

static void
check_statistical(lw_db *db)
{
    char sql[512];
    size_t k, i;

    for (k = 0; k < sizeof(stat_metrics) / sizeof(stat_metrics[0]); k++) {
        lw_rule *r = make_rule("statistical", NULL, stat_metrics[k].metric, "10m", "2 days");
        lw_rule_samples ss;

        fetch_all(db, r, &ss);
        for (i = 0; i < ss.n; i++) {
            const lw_rule_sample *s = &ss.v[i];
            long long from = s->at - 600 - 2 * 86400, to = s->at - 600;

            snprintf(sql, sizeof(sql), "SELECT count(%s)" RAW_WHERE, stat_metrics[k].x);
            assert_same((double) s->lookback_n, raw_figure(db, sql, s->model_id, from, to), 0,
                        stat_metrics[k].metric, s->at, s->model_id);
            snprintf(sql, sizeof(sql), "SELECT avg(%s)::float8" RAW_WHERE, stat_metrics[k].x);
            assert_same(s->mean, raw_figure(db, sql, s->model_id, from, to), 1e-9,
                        stat_metrics[k].metric, s->at, s->model_id);
            snprintf(sql, sizeof(sql), "SELECT stddev_samp(%s)::float8" RAW_WHERE,
                     stat_metrics[k].x);
            assert_same(s->std_dev, raw_figure(db, sql, s->model_id, from, to), 1e-7,
                        stat_metrics[k].metric, s->at, s->model_id);
        }
        lw_rule_samples_free(&ss);
        lw_rule_free(r);
    }
}

/* With every 5-minute rollup row kept. */
START_TEST(test_windows_recent)
{
    lw_db *db = windows_db();

    check_burn(db);
    check_daily_cost(db);
    check_statistical(db);
    lw_db_close(db);
}
END_TEST

/* With 5-minute rows kept one day only: the older edges are hour-aligned
 * and read raw. */
START_TEST(test_windows_past_5m_retention)
{
    lw_db *db = windows_db();
    long long expired = 0;
    lw_err err;

    lw_testdb_exec(db, "INSERT INTO settings (key, value) VALUES ('rollups_5m_retention_days', '1')"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    ck_assert_msg(lw_db_rollups_expire(db, &err, &expired) == LW_OK, "%s", err.msg);
    ck_assert_int_gt(expired, 0);
    check_burn(db);
    check_daily_cost(db);
    check_statistical(db);
    lw_testdb_exec(db, "DELETE FROM settings WHERE key = 'rollups_5m_retention_days'");
    lw_db_close(db);
}
END_TEST

/* Retention drops a day of raw probes (a partition, no trigger): the 3-day
 * burn window still counts it from the rollups, as the pages do. */
START_TEST(test_windows_outlive_raw)
{
    lw_db *db = windows_db();
    lw_rule *r = make_rule("burn_rate", NULL, NULL, NULL, NULL);
    lw_rule_samples before, after;
    PGresult *day;
    time_t at = time(NULL) / 60 * 60;
    char sql[160];
    lw_err err;
    size_t i;

    memset(&before, 0, sizeof(before));
    memset(&after, 0, sizeof(after));
    ck_assert_msg(lw_rule_fetch(db, &err, r, &at, 1, &before) == LW_OK, "%s", err.msg);
    day = lw_db_query(db, &err, "SELECT to_char(now() - interval '2 days', 'YYYYMMDD')", 0, NULL);
    ck_assert_ptr_nonnull(day);
    snprintf(sql, sizeof(sql), "DROP TABLE probes_%s", lw_db_str(day, 0, 0));
    PQclear(day);
    lw_testdb_exec(db, sql);
    ck_assert_msg(lw_rule_fetch(db, &err, r, &at, 1, &after) == LW_OK, "%s", err.msg);
    ck_assert_uint_eq(after.n, before.n);
    for (i = 0; i < after.n; i++) {
        ck_assert_int_gt(before.v[i].br_count[4], 2000);
        ck_assert_int_eq(after.v[i].br_count[4], before.v[i].br_count[4]);
        ck_assert_int_eq(after.v[i].br_errors[4], before.v[i].br_errors[4]);
    }
    lw_rule_samples_free(&before);
    lw_rule_samples_free(&after);
    lw_rule_free(r);
    lw_db_close(db);
}
END_TEST

Suite *windows_suite(void)
{
    Suite *s = suite_create("windows");
    TCase *db = tcase_create("db");

    tcase_add_unchecked_fixture(db, windows_db_setup, windows_db_teardown);
    tcase_set_timeout(db, 120);
    tcase_add_test(db, test_windows_recent);
    tcase_add_test(db, test_windows_past_5m_retention);
    tcase_add_test(db, test_windows_outlive_raw);    /* last: drops raw rows */
    suite_add_tcase(s, db);
    return s;
}
