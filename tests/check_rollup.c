/* check_rollup.c: the rollups (lib/rollup.c, sql/006_rollups.sql) and what
 * the dashboard and model pages read from them (lib/db/dash.c, the two
 * pages): histogram buckets and percentiles against exact percentiles
 * (the error bound), C and SQL agreeing, rollups equal to the raw
 * aggregates, idempotent refresh, late, uncommitted-then-committed and
 * deleted rows, retention, ranges, and the pages end to end (charts,
 * escaping inside SVG, bad range, empty database). The DB parts use a
 * private database from $LW_TEST_DATABASE_URL and fail without it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testdb.h"
#include "webtest.h"
#include "db/dash.h"
#include "db/rollups.h"
#include "rollup.h"

#define HOSTILE "<script>alert(1)</script> \"'&"
#define HOSTILE_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&#39;&amp;"

/* ---- helpers ------------------------------------------------------------- */

static unsigned long long rng_state = 88172645463325252ULL;

static double
rnd(void)           /* xorshift64*, uniform in [0, 1) */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double) ((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double
gauss(void)
{
    double u = rnd(), v = rnd();

    return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

/* percentile_cont(q) of sorted x[0..n-1] */
static double
exact_percentile(const double *x, size_t n, double q)
{
    double r = q * (double) (n - 1);
    size_t lo = (size_t) floor(r), hi = (size_t) ceil(r);

    return x[lo] + (r - (double) lo) * (x[hi] - x[lo]);
}

/* ---- the histogram, without a database ----------------------------------- */

START_TEST(bucket_bounds)
{
    int k;
    double g = pow(2.0, 0.125), lo, hi, v;

    ck_assert_int_eq(lw_rollup_bucket(0), 0);
    ck_assert_int_eq(lw_rollup_bucket(-5), 0);
    ck_assert_int_eq(lw_rollup_bucket(0.999), 0);
    ck_assert_int_eq(lw_rollup_bucket(1), 1);
    ck_assert_int_eq(lw_rollup_bucket(1.0905), 1);
    ck_assert_int_eq(lw_rollup_bucket(1.0906), 2);
    ck_assert_int_eq(lw_rollup_bucket(1000), 80);              /* [935.4, 1024) */
    ck_assert_int_eq(lw_rollup_bucket(1048575), 160);
    ck_assert_int_eq(lw_rollup_bucket(1048576), 161);
    ck_assert_int_eq(lw_rollup_bucket(1e12), 161);
    ck_assert_int_eq(lw_rollup_bucket(INFINITY), 161);
    ck_assert_int_eq(lw_rollup_bucket(NAN), 161);
    ck_assert(lw_rollup_bucket_lo(0) == 0 && lw_rollup_bucket_hi(0) == 1);
    ck_assert(isinf(lw_rollup_bucket_hi(161)));
    for (k = 1; k <= 160; k++) {
        lo = lw_rollup_bucket_lo(k);
        hi = lw_rollup_bucket_hi(k);
        v = lw_rollup_bucket_value(k);
        ck_assert_double_eq_tol(hi / lo, g, 1e-12);
        ck_assert(v > lo && v < hi);
        ck_assert_double_eq_tol(v / lo, 2 * g / (g + 1), 1e-12);
        /* anything in the bucket is within the bound of its value */
        ck_assert((v - lo) / lo <= LW_ROLLUP_REL_ERROR + 1e-12);
        ck_assert((hi - v) / hi <= LW_ROLLUP_REL_ERROR + 1e-12);
        ck_assert_int_eq(lw_rollup_bucket(v), k);
        ck_assert_int_eq(lw_rollup_bucket(lo * (1 + 1e-9)), k);
        ck_assert_int_eq(lw_rollup_bucket(hi * (1 - 1e-9)), k);
    }
    ck_assert_double_eq_tol(LW_ROLLUP_REL_ERROR, (g - 1) / (g + 1), 1e-5);
    ck_assert((g - 1) / (g + 1) <= LW_ROLLUP_REL_ERROR);
    ck_assert_double_eq_tol(LW_ROLLUP_LN_TOP, 20 * log(2.0), 1e-15);
}
END_TEST

static void
fill_hist(int *hist, const double *x, size_t n)
{
    size_t i;

    memset(hist, 0, LW_ROLLUP_BUCKETS * sizeof(*hist));
    for (i = 0; i < n; i++)
        hist[lw_rollup_bucket(x[i])]++;
}

/* The promise: for values in [1 ms, 2^20 ms), every percentile read from
 * the histogram is within LW_ROLLUP_REL_ERROR of percentile_cont(). Many
 * shapes and sizes: log-normal (service latency), bimodal (short and long
 * prompts), uniform, a handful of samples, heavy ties. */
START_TEST(percentile_error_bound)
{
    static const double qs[] = { 0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1 };
    static double x[20000];
    int hist[LW_ROLLUP_BUCKETS];
    double est, exact, err, worst = 0, sum_err = 0;
    size_t n, i, q, trials = 0;
    int t;

    for (t = 0; t < 600; t++) {
        n = t % 7 == 0 ? 1 + (size_t) (rnd() * 5) : 10 + (size_t) (rnd() * (t % 3 ? 2000 : 19990));
        for (i = 0; i < n; i++) {
            switch (t % 4) {
            case 0: x[i] = exp(log(800) + 0.6 * gauss()); break;
            case 1: x[i] = rnd() < 0.7 ? exp(log(450) + 0.2 * gauss()) : exp(log(2300) + 0.15 * gauss()); break;
            case 2: x[i] = 1 + rnd() * 60000; break;
            default: x[i] = 100 * (1 + (int) (rnd() * 5)); break;       /* ties */
            }
            if (x[i] < 1)
                x[i] = 1;
            if (x[i] > 1000000)
                x[i] = 1000000;
        }
        fill_hist(hist, x, n);
        qsort(x, n, sizeof(double), cmp_double);
        for (q = 0; q < LW_ARRAY_LEN(qs); q++) {
            est = lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, qs[q]);
            exact = exact_percentile(x, n, qs[q]);
            err = fabs(est - exact) / exact;
            ck_assert_msg(err <= LW_ROLLUP_REL_ERROR + 1e-12,
                          "trial %d n=%zu q=%g: histogram %.6f vs exact %.6f (%.2f%%)",
                          t, n, qs[q], est, exact, 100 * err);
            worst = fmax(worst, err);
            sum_err += err;
            trials++;
        }
    }
    /* the bound is reached, not just respected by luck of generous data */
    ck_assert(worst > LW_ROLLUP_REL_ERROR * 0.8);
    printf("rollup histogram: worst relative error %.3f%%, mean %.3f%% over %zu percentiles\n",
           100 * worst, 100 * sum_err / (double) trials, trials);
}
END_TEST

START_TEST(percentile_edges)
{
    int hist[LW_ROLLUP_BUCKETS] = { 0 };

    ck_assert(isnan(lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, 0.5)));
    ck_assert(isnan(lw_rollup_hist_percentile(NULL, 0, 0.5)));
    hist[80] = 1;
    ck_assert_double_eq_tol(lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, 0.95),
                            lw_rollup_bucket_value(80), 1e-12);
    /* q outside [0, 1] is clamped */
    hist[90] = 1;
    ck_assert_double_eq(lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, -1),
                        lw_rollup_bucket_value(80));
    ck_assert_double_eq(lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, 7),
                        lw_rollup_bucket_value(90));
    /* halfway between the two order statistics */
    ck_assert_double_eq_tol(lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, 0.5),
                            (lw_rollup_bucket_value(80) + lw_rollup_bucket_value(90)) / 2, 1e-9);
    /* a shorter array is the same histogram */
    ck_assert_double_eq(lw_rollup_hist_percentile(hist, 91, 0.5),
                        lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, 0.5));
    /* below 1 ms and above 2^20 ms */
    memset(hist, 0, sizeof(hist));
    hist[0] = 3;
    ck_assert_double_eq(lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, 0.5), 0.5);
    hist[0] = 0;
    hist[161] = 2;
    ck_assert_double_eq(lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, 0.99), 1048576.0);
}
END_TEST

START_TEST(hist_parse)
{
    int h[LW_ROLLUP_BUCKETS];
    long long total;

    ck_assert_int_eq(lw_rollup_hist_parse("{}", h, LW_ROLLUP_BUCKETS, &total), LW_OK);
    ck_assert_int_eq(total, 0);
    ck_assert_int_eq(lw_rollup_hist_parse("{4,5}", h, LW_ROLLUP_BUCKETS, &total), LW_OK);
    ck_assert_int_eq(h[0], 0);      /* PostgreSQL's default lower bound is 1 */
    ck_assert_int_eq(h[1], 4);
    ck_assert_int_eq(h[2], 5);
    ck_assert_int_eq(total, 9);
    ck_assert_int_eq(lw_rollup_hist_parse("[29:31]={1,0,4}", h, LW_ROLLUP_BUCKETS, &total), LW_OK);
    ck_assert_int_eq(h[28], 0);
    ck_assert_int_eq(h[29], 1);
    ck_assert_int_eq(h[30], 0);
    ck_assert_int_eq(h[31], 4);
    ck_assert_int_eq(h[32], 0);
    ck_assert_int_eq(total, 5);
    ck_assert_int_eq(lw_rollup_hist_parse("[0:1]={7,8}", h, LW_ROLLUP_BUCKETS, NULL), LW_OK);
    ck_assert_int_eq(h[0], 7);
    /* what is not such an array */
    ck_assert_int_eq(lw_rollup_hist_parse("", h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(lw_rollup_hist_parse("{1,", h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(lw_rollup_hist_parse("{1,-2}", h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(lw_rollup_hist_parse("{1}x", h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(lw_rollup_hist_parse("[29:30]={1,0,4}", h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(lw_rollup_hist_parse("[29:32]={1,0,4}", h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(lw_rollup_hist_parse("[161:162]={1,1}", h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(lw_rollup_hist_parse("[-1:0]={1,1}", h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(lw_rollup_hist_parse("{99999999999}", h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(lw_rollup_hist_parse(NULL, h, LW_ROLLUP_BUCKETS, &total), LW_EINVAL);
    ck_assert_int_eq(total, 0);
}
END_TEST

START_TEST(ranges)
{
    const lw_db_dash_range *all;
    lw_db_dash_range r;
    time_t now = 1736213123;        /* 2025-01-07 01:25:23 UTC */
    size_t i, n;

    ck_assert_int_eq(lw_db_dash_range_get(NULL, now, &r), LW_OK);
    ck_assert_str_eq(r.key, "24h");
    ck_assert_int_eq(lw_db_dash_range_get("", now, &r), LW_OK);
    ck_assert_str_eq(r.key, "24h");
    all = lw_db_dash_ranges(&n);
    ck_assert_int_eq(n, 6);
    for (i = 0; i < n; i++) {
        ck_assert_int_eq(lw_db_dash_range_get(all[i].key, now, &r), LW_OK);
        ck_assert_int_eq(r.to - r.from, r.span_s);
        ck_assert_int_eq(r.to % r.step_s, 0);            /* bucket starts */
        ck_assert(r.to > now && r.to - r.step_s <= now); /* the open step is the last */
        ck_assert(r.span_s / r.step_s >= 12 && r.span_s / r.step_s <= 300);
        ck_assert_int_eq(86400 % r.step_s, 0);
        ck_assert_int_eq(r.step_s % 300, 0);             /* whole rollup buckets */
    }
    ck_assert_int_eq(lw_db_dash_range_get("30d", now, &r), LW_OK);
    ck_assert_int_eq(r.step_s % 3600, 0);
    ck_assert_int_eq(lw_db_dash_range_get("2h", now, &r), LW_EINVAL);
    ck_assert_int_eq(lw_db_dash_range_get("24H", now, &r), LW_EINVAL);
    ck_assert_int_eq(lw_db_dash_range_get("24h ", now, &r), LW_EINVAL);
    ck_assert_int_eq(lw_db_dash_range_get("<script>", now, &r), LW_EINVAL);
}
END_TEST

/* ---- with a database ----------------------------------------------------- */

static lw_testdb tdb;

static void
private_db_setup(void)
{
    lw_testdb_setup(&tdb, "check_rollup");
}

static void
private_db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

#define exec_ok(db, sql) lw_testdb_exec((db), (sql))

static PGresult *
q_ok(lw_db *db, const char *sql)
{
    lw_err err = { { 0 } };
    PGresult *res = lw_db_query(db, &err, sql, 0, NULL);

    ck_assert_msg(res != NULL, "%s: %s", sql, err.msg);
    return res;
}

static long long
q_int(lw_db *db, const char *sql)
{
    PGresult *res = q_ok(db, sql);
    long long v;

    ck_assert_msg(PQntuples(res) == 1, "%s: %d rows", sql, PQntuples(res));
    v = lw_db_int(res, 0, 0);
    PQclear(res);
    return v;
}

/* Empty probes, rollups, models... (TRUNCATE probes empties the rollups
 * through its trigger). */
static void
reset(lw_db *db)
{
    exec_ok(db, "TRUNCATE probes, alerts, alert_events, rules, baselines, models, environments"
                " RESTART IDENTITY CASCADE");
    exec_ok(db, "DELETE FROM settings WHERE key IN ('retention_days', 'rollups_5m_retention_days')");
    exec_ok(db, "SELECT llmwatch_ensure_partitions(current_date - 40, current_date + 1)");
    exec_ok(db, "INSERT INTO environments (name) VALUES ('production'), ('staging')");
    exec_ok(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms) VALUES"
                " (1, 'alpha', 'openai', 'gpt-4', 2000), (1, 'beta', 'anthropic', 'claude', 3000),"
                " (1, 'gamma', 'google', 'gemini', 2500), (2, 'alpha', 'openai', 'gpt-4', 2000)");
}

/* Six hours of probes for the four models, every 37 s, three days ago:
 * errors of every class (and none), latencies from 1 ms to 15 minutes,
 * NULL measures here and there, costs with 12 decimals. Deterministic. */
#define SYNTHETIC \
    "INSERT INTO probes (ts, model_id, environment_id, ok, error_class, ttft_ms, total_ms," \
    " input_tokens, output_tokens, decode_tps, cost_usd, quality_score)" \
    " SELECT t0 + i * interval '37 seconds' + (m.id * 3) * interval '1 second', m.id, m.environment_id," \
    "  NOT bad, CASE WHEN bad THEN (ARRAY['timeout','connect','tls','http_4xx','rate_limited'," \
    "   'http_5xx','protocol','empty','auth','config',NULL])[1 + (i / 13) % 11] END," \
    "  CASE WHEN i % 19 <> 0 THEN lat * 0.3 END," \
    "  CASE WHEN i % 23 <> 0 OR bad THEN lat END," \
    "  20 + i % 7, CASE WHEN i % 29 <> 0 THEN 5 + i % 50 END," \
    "  CASE WHEN i % 31 <> 0 AND NOT bad THEN 30 + (i % 40) * 0.37 END," \
    "  ((i * 7919 + m.id * 104729) % 1000003) * 0.000000000123::numeric," \
    "  CASE WHEN i % 11 <> 0 THEN (50 + i % 50)::real END" \
    " FROM (SELECT date_bin('1 hour', now() - interval '3 days', TIMESTAMPTZ '2000-01-01') AS t0) z," \
    "  models m, generate_series(0, 583) i," \
    "  LATERAL (SELECT (i * 7 + m.id) % 13 = 0 AS bad," \
    "   least(900000, greatest(1, exp(6 + m.id * 0.3 + 4 * sin(i * 1.3) + 3 * cos(i * 0.71)))) AS lat) x"

/* How many (resolution, bucket, model, environment) differ between the
 * rollups and an independent aggregation of the raw probes. */
static const char mismatch_sql[] =
    "WITH raw AS (SELECT r.res, date_bin(r.iv, p.ts, TIMESTAMPTZ '2000-01-01') AS b, p.model_id,"
    "   p.environment_id, count(*) AS n, count(*) FILTER (WHERE NOT p.ok) AS e,"
    "   count(p.total_ms) FILTER (WHERE p.ok) AS tn,"
    "   coalesce(sum(p.total_ms) FILTER (WHERE p.ok), 0) AS s,"
    "   coalesce(sum(p.total_ms ^ 2) FILTER (WHERE p.ok), 0) AS ss,"
    "   max(p.total_ms) FILTER (WHERE p.ok) AS mx,"
    "   coalesce(sum(p.ttft_ms) FILTER (WHERE p.ok), 0) AS fs, count(p.ttft_ms) FILTER (WHERE p.ok) AS fn,"
    "   coalesce(sum(p.input_tokens), 0) AS it, coalesce(sum(p.output_tokens), 0) AS ot,"
    "   coalesce(sum(p.cost_usd), 0) AS c, coalesce(sum(p.quality_score), 0) AS qs,"
    "   count(p.quality_score) AS qn, coalesce(sum(p.decode_tps) FILTER (WHERE p.ok), 0) AS ts,"
    "   count(p.decode_tps) FILTER (WHERE p.ok) AS tpn,"
    "   count(*) FILTER (WHERE NOT p.ok AND p.error_class = 'timeout') AS e_timeout,"
    "   count(*) FILTER (WHERE NOT p.ok AND p.error_class = 'http_5xx') AS e_5xx,"
    "   count(*) FILTER (WHERE NOT p.ok AND p.error_class IS NULL) AS e_other"
    "   FROM probes p, (VALUES ('5m', interval '5 minutes'), ('1h', interval '1 hour'),"
    "    ('1d', interval '1 day')) r(res, iv)"
    "  GROUP BY 1, 2, 3, 4)"
    " SELECT count(*) FROM raw FULL JOIN rollups r ON r.resolution = raw.res"
    "  AND r.bucket_start = raw.b AND r.model_id = raw.model_id AND r.environment_id = raw.environment_id"
    " WHERE raw.n IS NULL OR r.count IS NULL OR r.count <> raw.n OR r.errors <> raw.e"
    "  OR r.total_n <> raw.tn OR abs(r.sum_total_ms - raw.s) > 1e-9 * greatest(1, raw.s)"
    "  OR abs(r.sumsq_total_ms - raw.ss) > 1e-9 * greatest(1, raw.ss)"
    "  OR r.max_total_ms IS DISTINCT FROM raw.mx"
    "  OR abs(r.sum_ttft_ms - raw.fs) > 1e-9 * greatest(1, raw.fs) OR r.ttft_n <> raw.fn"
    "  OR r.input_tokens <> raw.it OR r.output_tokens <> raw.ot"
    "  OR r.cost_usd <> raw.c"
    "  OR abs(r.quality_sum - raw.qs) > 1e-6 * greatest(1, raw.qs) OR r.quality_n <> raw.qn"
    "  OR abs(r.tps_sum - raw.ts) > 1e-9 * greatest(1, raw.ts) OR r.tps_n <> raw.tpn"
    "  OR coalesce((SELECT sum(v) FROM unnest(r.total_hist) v), 0) <> raw.tn"
    "  OR coalesce((SELECT sum(v) FROM unnest(r.ttft_hist) v), 0) <> raw.fn"
    "  OR coalesce((SELECT sum(v) FROM unnest(r.error_counts) v), 0) <> raw.e"
    "  OR coalesce(r.error_counts[1], 0) <> raw.e_timeout OR coalesce(r.error_counts[6], 0) <> raw.e_5xx"
    "  OR coalesce(r.error_counts[11], 0) <> raw.e_other";

/* Every histogram bucket against the raw rows, and the p50/p95/p99 read
 * from each 5m and 1h histogram against percentile_cont() (latencies of
 * at least 1 ms: the relative bound starts there). */
static const char hist_mismatch_sql[] =
    "WITH h AS (SELECT r.resolution, r.bucket_start, r.model_id, r.environment_id, k, r.total_hist[k] AS v"
    "   FROM rollups r, generate_subscripts(r.total_hist, 1) k),"
    " raw AS (SELECT x.res, date_bin(x.iv, p.ts, TIMESTAMPTZ '2000-01-01') AS b, p.model_id,"
    "   p.environment_id, lw_lat_bucket(p.total_ms) AS k, count(*) AS v"
    "   FROM probes p, (VALUES ('5m', interval '5 minutes'), ('1h', interval '1 hour'),"
    "    ('1d', interval '1 day')) x(res, iv)"
    "  WHERE p.ok AND p.total_ms IS NOT NULL GROUP BY 1, 2, 3, 4, 5)"
    " SELECT count(*) FROM raw FULL JOIN (SELECT * FROM h WHERE v > 0) h ON h.resolution = raw.res"
    "  AND h.bucket_start = raw.b AND h.model_id = raw.model_id"
    "  AND h.environment_id = raw.environment_id AND h.k = raw.k"
    " WHERE h.v IS DISTINCT FROM raw.v";
static const char pct_violations_sql[] =
    "WITH ex AS (SELECT x.res, date_bin(x.iv, p.ts, TIMESTAMPTZ '2000-01-01') AS b, p.model_id,"
    "   p.environment_id,"
    "   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY p.total_ms) AS pc"
    "   FROM probes p, (VALUES ('5m', interval '5 minutes'), ('1h', interval '1 hour')) x(res, iv)"
    "  WHERE p.ok AND p.total_ms IS NOT NULL GROUP BY 1, 2, 3, 4)"
    " SELECT count(*) FILTER (WHERE abs(est - exact) / exact > 0.0433), count(*),"
    "  max(abs(est - exact) / exact)"
    " FROM (SELECT ex.pc[i] AS exact, lw_hist_quantile(r.total_hist, (ARRAY[0.5, 0.95, 0.99])[i]) AS est"
    "   FROM ex JOIN rollups r ON r.resolution = ex.res AND r.bucket_start = ex.b"
    "    AND r.model_id = ex.model_id AND r.environment_id = ex.environment_id,"
    "   generate_series(1, 3) i) z";

START_TEST(db_bucket_sql_matches_c)
{
    lw_db *db = lw_testdb_connect(&tdb);
    PGresult *res;
    int i, n;

    if (db == NULL)
        return;
    /* random latencies, exact bucket boundaries and their neighbours; the
     * text form of float8 round-trips exactly */
    res = q_ok(db,
        "SELECT v::text, lw_lat_bucket(v) FROM ("
        " SELECT exp(random() * 16 - 1.5) AS v FROM generate_series(1, 20000)"
        " UNION ALL SELECT power(2::float8, k / 8::float8) * f FROM generate_series(0, 170) k,"
        "  unnest(ARRAY[1, 1 + 1e-15, 1 - 1e-15, 1 + 1e-12, 1 - 1e-12]::float8[]) f"
        " UNION ALL SELECT unnest(ARRAY[0, 0.5, 1, 1048576, 1048575.999999, 1e9, 'Infinity', 'NaN']::float8[])) x");
    n = PQntuples(res);
    ck_assert(n > 20000);
    for (i = 0; i < n; i++)
        ck_assert_msg(lw_rollup_bucket(strtod(PQgetvalue(res, i, 0), NULL)) == lw_db_int(res, i, 1),
                      "%s: C %d, SQL %s", PQgetvalue(res, i, 0),
                      lw_rollup_bucket(strtod(PQgetvalue(res, i, 0), NULL)), PQgetvalue(res, i, 1));
    PQclear(res);
    /* the bucket values and the class list are the same on both sides */
    res = q_ok(db, "SELECT k, lw_hist_value(k)::text FROM generate_series(-1, 162) k");
    for (i = 0; i < PQntuples(res); i++)
        ck_assert_double_eq_tol(strtod(PQgetvalue(res, i, 1), NULL),
                                lw_rollup_bucket_value((int) lw_db_int(res, i, 0)),
                                1e-12 * lw_rollup_bucket_value((int) lw_db_int(res, i, 0)));
    PQclear(res);
    res = q_ok(db, "SELECT unnest(lw_error_classes())");
    ck_assert_int_eq(PQntuples(res), LW_ROLLUP_ERROR_CLASSES);
    for (i = 0; i < PQntuples(res); i++)
        ck_assert_str_eq(PQgetvalue(res, i, 0), lw_rollup_error_classes[i]);
    PQclear(res);
    lw_db_close(db);
}
END_TEST

START_TEST(db_quantile_sql_matches_c)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err = { { 0 } };
    int hist[LW_ROLLUP_BUCKETS], parsed[LW_ROLLUP_BUCKETS], t, k, lo, hi;
    char qs[32];
    const char *p[2];
    lw_buf text = { 0 };
    PGresult *res;
    double q, c, s;

    if (db == NULL)
        return;
    for (t = 0; t < 300; t++) {
        memset(hist, 0, sizeof(hist));
        lo = (int) (rnd() * 150);
        hi = lo + (int) (rnd() * (LW_ROLLUP_BUCKETS - lo));
        for (k = lo; k <= hi; k++)
            hist[k] = rnd() < 0.3 ? 0 : (int) (rnd() * (t % 2 ? 5 : 1000));
        hist[lo] += 1;
        lw_buf_reset(&text);
        lw_buf_printf(&text, "[%d:%d]={", lo, hi);
        for (k = lo; k <= hi; k++)
            lw_buf_printf(&text, "%s%d", k > lo ? "," : "", hist[k]);
        lw_buf_putc(&text, '}');
        ck_assert_int_eq(lw_rollup_hist_parse(text.data, parsed, LW_ROLLUP_BUCKETS, NULL), LW_OK);
        ck_assert_int_eq(memcmp(parsed, hist, sizeof(hist)), 0);
        q = t % 10 == 0 ? (t % 20 ? 0 : 1) : rnd();
        snprintf(qs, sizeof(qs), "%.17g", q);
        p[0] = text.data;
        p[1] = qs;
        res = lw_db_query(db, &err, "SELECT lw_hist_quantile($1::int[], $2::float8)::text", 2, p);
        ck_assert_msg(res != NULL, "%s", err.msg);
        s = strtod(PQgetvalue(res, 0, 0), NULL);
        c = lw_rollup_hist_percentile(hist, LW_ROLLUP_BUCKETS, q);
        ck_assert_msg(fabs(s - c) <= 1e-9 * c, "%s q=%s: SQL %.17g, C %.17g", text.data, qs, s, c);
        PQclear(res);
    }
    /* empty histograms have no quantile on either side */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM (VALUES (lw_hist_quantile('{}', 0.5)),"
                              " (lw_hist_quantile('{0,0}', 0.5))) x(v) WHERE v IS NULL"), 2);
    /* lw_hist_build: subscripts are bucket numbers, repeats add up */
    res = q_ok(db, "SELECT lw_hist_build(ARRAY[31, 29, 31], ARRAY[1, 2, 3]::bigint[])::text,"
                   " lw_hist_build(ARRAY[]::int[], ARRAY[]::bigint[])::text,"
                   " lw_hist_build(ARRAY[0], ARRAY[4]::bigint[])::text");
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "[29:31]={2,0,4}");
    ck_assert_str_eq(PQgetvalue(res, 0, 1), "{}");
    ck_assert_str_eq(PQgetvalue(res, 0, 2), "[0:0]={4}");
    PQclear(res);
    lw_buf_free(&text);
    lw_db_close(db);
}
END_TEST

START_TEST(db_rollups_equal_raw)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err = { { 0 } };
    long long written;
    PGresult *res;

    reset(db);
    exec_ok(db, SYNTHETIC);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM probes"), 4 * 584);
    /* rolled up by the INSERT itself: no job ran */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE resolution = '5m'"), 4 * 72);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE resolution = '1h'"), 4 * 6);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE resolution = '1d'"),
                     q_int(db, "SELECT count(DISTINCT (date_bin('1 day', ts, TIMESTAMPTZ '2000-01-01'), model_id))"
                               " FROM probes"));
    ck_assert_int_eq(q_int(db, mismatch_sql), 0);
    ck_assert_int_eq(q_int(db, hist_mismatch_sql), 0);
    res = q_ok(db, pct_violations_sql);
    ck_assert_msg(lw_db_int(res, 0, 0) == 0, "%s of %s percentiles outside the bound (worst %s)",
                  PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
    ck_assert(lw_db_int(res, 0, 1) > 900);
    PQclear(res);
    /* the exact cost, to the last of its 12 decimals, at every level */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM (SELECT resolution, sum(cost_usd) s FROM rollups"
                               " GROUP BY 1) r, (SELECT sum(cost_usd) s FROM probes) p"
                               " WHERE r.s = p.s AND r.s::text = p.s::text AND scale(r.s) = 12"), 3);
    ck_assert(q_int(db, "SELECT count(*) FROM rollups WHERE errors > 0") > 10);
    ck_assert(q_int(db, "SELECT count(*) FROM rollups WHERE max_total_ms > 600000") > 0);
    ck_assert(q_int(db, "SELECT count(*) FROM rollups WHERE array_lower(total_hist, 1) > 1") > 0);
    /* a full rebuild from raw probes gives the same rows */
    ck_assert_msg(lw_db_rollups_rebuild(db, &err, &written) == LW_OK, "%s", err.msg);
    ck_assert_int_eq(written, q_int(db, "SELECT count(*) FROM rollups"));
    ck_assert_int_eq(q_int(db, mismatch_sql), 0);
    ck_assert_int_eq(q_int(db, hist_mismatch_sql), 0);
    lw_db_close(db);
}
END_TEST

/* A probe arriving late for an old bucket, an UPDATE, a deleted bucket:
 * the statement that does it rebuilds exactly what it touched, at every
 * level, before it returns. */
START_TEST(db_late_rows_and_deletes)
{
    lw_db *db = lw_testdb_connect(&tdb);

    reset(db);
    exec_ok(db, SYNTHETIC);
    /* late: into an existing bucket (2 days after its time) and into an
     * empty one, in one statement */
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, cost_usd) VALUES"
                " (date_bin('1 hour', now() - interval '3 days', TIMESTAMPTZ '2000-01-01')"
                "   + interval '2 hours 1 minute', 2, 1, true, 1234.5, 0.000000000001),"
                " (date_bin('1 hour', now() - interval '5 days', TIMESTAMPTZ '2000-01-01'), 3, 1, false, NULL, 0)");
    ck_assert_int_eq(q_int(db, mismatch_sql), 0);
    ck_assert_int_eq(q_int(db, "SELECT errors FROM rollups WHERE resolution = '1h' AND model_id = 3"
                               " AND bucket_start = date_bin('1 hour', now() - interval '5 days',"
                               " TIMESTAMPTZ '2000-01-01')"), 1);
    /* an UPDATE moves a probe to another time: both buckets follow */
    exec_ok(db, "UPDATE probes SET ts = ts - interval '1 hour', total_ms = 99 WHERE model_id = 2"
                " AND total_ms = 1234.5");
    ck_assert_int_eq(q_int(db, mismatch_sql), 0);
    /* deletes: a bucket that loses every probe loses its rollup rows
     * (`backfill --remove`, or a re-run backfill over a shorter range) */
    exec_ok(db, "DELETE FROM probes WHERE model_id = 3 AND ts < now() - interval '4 days'");
    exec_ok(db, "DELETE FROM probes WHERE model_id = 1 AND ts >= date_bin('1 hour', now() - interval '3 days',"
                " TIMESTAMPTZ '2000-01-01') + interval '5 hours'");
    ck_assert_int_eq(q_int(db, mismatch_sql), 0);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE model_id = 3"
                               " AND bucket_start < now() - interval '4 days'"), 0);
    lw_db_close(db);
}
END_TEST

/* Two writers: a long transaction (a backfill) two days back and probes
 * now. Writers to different days do not wait for each other, and each
 * commit brings its own rows into the rollups; two writers to the same day
 * are serialised, so the second rebuild sees the first's rows. */
START_TEST(db_concurrent_writers)
{
    lw_db *db = lw_testdb_connect(&tdb), *slow, *fast;
    lw_err err = { { 0 } };

    reset(db);
    slow = lw_db_connect(tdb.url, "slow", &err);
    fast = lw_db_connect(tdb.url, "fast", &err);
    ck_assert(slow != NULL && fast != NULL);
    ck_assert_int_eq(lw_db_begin(slow, &err), LW_OK);
    ck_assert(lw_db_exec(slow, &err, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms)"
                         " VALUES (now() - interval '2 days', 1, 1, true, 700)", 0, NULL) == 1);
    /* another day: no waiting */
    ck_assert(lw_db_exec(fast, &err, "SET lock_timeout = '5s'", 0, NULL) >= 0);
    ck_assert_msg(lw_db_exec(fast, &err, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms)"
                             " VALUES (now() - interval '1 minute', 1, 1, true, 800)", 0, NULL) == 1,
                  "%s", err.msg);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups"), 3);    /* 5m, 1h, 1d of now */
    /* the same day: the second writer waits for the first */
    ck_assert(lw_db_exec(fast, &err, "SET lock_timeout = '200ms'", 0, NULL) >= 0);
    ck_assert_int_eq(lw_db_exec(fast, &err, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms)"
                                " VALUES (now() - interval '2 days 1 hour', 2, 1, true, 900)", 0, NULL),
                     LW_EDB);
    ck_assert_ptr_nonnull(strstr(err.msg, "lock timeout"));
    ck_assert_int_eq(lw_db_commit(slow, &err), LW_OK);
    ck_assert_msg(lw_db_exec(fast, &err, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms)"
                             " VALUES (now() - interval '2 days 1 hour', 2, 1, true, 900)", 0, NULL) == 1,
                  "%s", err.msg);
    ck_assert_int_eq(q_int(db, "SELECT sum(count) FROM rollups WHERE resolution = '1d'"), 3);
    ck_assert_int_eq(q_int(db, mismatch_sql), 0);
    lw_db_close(slow);
    lw_db_close(fast);
    lw_db_close(db);
}
END_TEST

/* Retention drops raw partitions, not rollups: a change older than
 * retention_days is not rolled up (its raw rows are going), and 5m rows
 * older than rollups_5m_retention_days go while hours and days stay. */
START_TEST(db_retention)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err = { { 0 } };
    long long expired = -1;

    reset(db);
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms) SELECT"
                " date_bin('1 day', now(), TIMESTAMPTZ '2000-01-01') - d * interval '1 day'"
                "  + interval '12 hours', 1, 1, true, 500 FROM generate_series(1, 10) d");
    /* hours and days of all ten, 5-minute rows of the last eight (the
     * default 5m retention) */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups"), 10 + 10 + 8);
    exec_ok(db, "INSERT INTO settings (key, value) VALUES ('retention_days', '5')");
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms)"
                " VALUES (now() - interval '9 days 1 hour', 2, 1, true, 500)");
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE model_id = 2"), 0);
    exec_ok(db, "INSERT INTO settings (key, value) VALUES ('rollups_5m_retention_days', '4')");
    ck_assert_msg(lw_rollup_maintain(db, &err, &expired) == LW_OK, "%s", err.msg);
    ck_assert_int_eq(expired, 4);           /* days 5..8 */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE resolution = '1h'"), 10);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE resolution = '1d'"), 10);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE resolution = '5m'"), 4);
    /* new probes older than the 5m retention get their hour and day only */
    exec_ok(db, "DELETE FROM settings WHERE key = 'retention_days'");
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms)"
                " VALUES (now() - interval '6 days', 3, 1, true, 500)");
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE model_id = 3 AND resolution = '1h'"), 1);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE model_id = 3 AND resolution = '1d'"), 1);
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups WHERE model_id = 3 AND resolution = '5m'"), 0);
    /* TRUNCATE probes empties everything */
    exec_ok(db, "TRUNCATE probes");
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM rollups"), 0);
    lw_db_close(db);
}
END_TEST

/* The one read path over any range: whole days, whole hours at the edges,
 * 5-minute buckets for the rest, and the bucket still open, against the
 * raw probes of the same span, after late rows and deletes: exactly for
 * counts, errors, tokens and cost, within one histogram bucket for the
 * percentiles. */
START_TEST(db_read_equals_raw)
{
    static const char *const spans[][2] = {
        { "now() - interval '3 days 7 hours 13 minutes'", "now()" },
        { "now() - interval '26 hours'", "now() - interval '2 hours 9 minutes'" },
        { "now() - interval '40 minutes'", "now()" },
        { "date_bin('1 day', now(), TIMESTAMPTZ '2000-01-01') - interval '2 days'",
          "date_bin('1 day', now(), TIMESTAMPTZ '2000-01-01')" },
        { "now() - interval '3 days'", "now() - interval '2 days 23 hours 58 minutes'" },
    };
    lw_db *db = lw_testdb_connect(&tdb);
    char sql[4096];
    size_t k;

    reset(db);
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, error_class, total_ms, ttft_ms,"
                " input_tokens, output_tokens, cost_usd)"
                " SELECT now() - i * interval '97 seconds', m.id, m.environment_id, i % 7 <> 0,"
                "  CASE WHEN i % 7 = 0 THEN 'timeout' END, 100 + (i * m.id * 37) % 4000, 50 + i % 300,"
                "  10 + i % 5, 20 + i % 9, (i % 1000) * 0.000000123456"
                " FROM models m, generate_series(0, 3500) i");
    /* late rows, a delete, and a probe in the bucket still open */
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, cost_usd) VALUES"
                " (now() - interval '2 days 3 hours', 1, 1, true, 2500, 0.5), (now(), 2, 1, true, 99, 0.25)");
    exec_ok(db, "DELETE FROM probes WHERE model_id = 3 AND ts BETWEEN now() - interval '30 hours'"
                " AND now() - interval '29 hours'");
    for (k = 0; k < LW_ARRAY_LEN(spans); k++) {
        /* the raw side over the same 5-minute-aligned span as the read */
        snprintf(sql, sizeof(sql),
            "WITH s AS (SELECT date_bin('5 minutes', %s, TIMESTAMPTZ '2000-01-01') AS f,"
            "   date_bin('5 minutes', (%s) - interval '1 microsecond', TIMESTAMPTZ '2000-01-01')"
            "    + interval '5 minutes' AS t, %s AS f0, %s AS t0),"
            " r AS (SELECT x.* FROM s, lw_rollup_read(ARRAY[1,2,3,4], s.f0, s.t0) x),"
            " w AS (SELECT p.model_id, count(*) AS n, count(*) FILTER (WHERE NOT p.ok) AS e,"
            "   sum(p.input_tokens) AS it, sum(p.output_tokens) AS ot, sum(p.cost_usd) AS c,"
            "   percentile_cont(0.95) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok) AS p95"
            "   FROM s, probes p WHERE p.ts >= s.f AND p.ts < s.t GROUP BY 1)"
            " SELECT count(*) FROM w FULL JOIN r ON r.model_id = w.model_id"
            " WHERE w.n IS DISTINCT FROM r.count OR w.e IS DISTINCT FROM r.errors"
            "  OR w.it IS DISTINCT FROM r.input_tokens OR w.ot IS DISTINCT FROM r.output_tokens"
            "  OR w.c IS DISTINCT FROM r.cost_usd"
            "  OR abs(lw_hist_quantile(r.total_hist, 0.95) - w.p95) > 0.0433 * w.p95",
            spans[k][0], spans[k][1], spans[k][0], spans[k][1]);
        ck_assert_msg(q_int(db, sql) == 0, "span %zu: rollups and raw probes differ", k);
    }
    /* every step of a series adds up to the whole */
    ck_assert_int_eq(q_int(db, "SELECT count(*) FROM (SELECT model_id, sum(count) n FROM lw_rollup_read("
                               " ARRAY[1,2,3,4], date_bin('1 hour', now() - interval '3 days', TIMESTAMPTZ '2000-01-01'),"
                               " now(), interval '1 hour') GROUP BY 1) a"
                               " JOIN (SELECT model_id, count(*) n FROM probes WHERE ts >= date_bin('1 hour',"
                               " now() - interval '3 days', TIMESTAMPTZ '2000-01-01') GROUP BY 1) b"
                               " USING (model_id) WHERE a.n <> b.n"), 0);
    lw_db_close(db);
}
END_TEST

/* What the pages read: the same numbers as the raw probes for every range,
 * also right after new probes arrive (no job in between). */
START_TEST(db_dash_totals_equal_raw)
{
    static const char *const keys[] = { "1h", "6h", "24h", "7d", "30d", "90d" };
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err = { { 0 } };
    long long ids[] = { 1, 2, 3, 4 };
    char sql[1024];
    lw_db_dash_range r;
    PGresult *res, *raw;
    size_t k;
    int i, pass;

    reset(db);
    /* a day of probes every 4 minutes ending half an hour ago; then newer
     * probes just before reading */
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, error_class, total_ms, ttft_ms,"
                " cost_usd, quality_score, decode_tps)"
                " SELECT now() - i * interval '4 minutes' - interval '30 minutes', m.id, m.environment_id,"
                "  i % 9 <> 0, CASE WHEN i % 9 = 0 THEN 'http_5xx' END, 200 + (i * m.id) % 900, 90,"
                "  0.000012345678, 80, 40"
                " FROM models m, generate_series(0, 8 * 24 * 15) i");
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1)
            exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, cost_usd)"
                        " SELECT now() - i * interval '1 minute', m.id, m.environment_id, i % 4 <> 0,"
                        "  5000, 0.5 FROM models m, generate_series(0, 25) i");
        for (k = 0; k < LW_ARRAY_LEN(keys); k++) {
            ck_assert_int_eq(lw_db_dash_range_get(keys[k], time(NULL), &r), LW_OK);
            res = lw_db_dash_totals(db, &err, &r, ids, 4);
            ck_assert_msg(res != NULL, "%s: %s", keys[k], err.msg);
            ck_assert_int_eq(PQntuples(res), 4);
            snprintf(sql, sizeof(sql),
                     "SELECT m.id, count(p.*), count(p.*) FILTER (WHERE NOT p.ok), coalesce(sum(p.cost_usd), 0),"
                     " percentile_cont(0.95) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok)"
                     " FROM models m LEFT JOIN probes p ON p.model_id = m.id AND p.environment_id = m.environment_id"
                     " AND p.ts >= to_timestamp(%lld) AND p.ts < to_timestamp(%lld)"
                     " GROUP BY m.id ORDER BY m.id", (long long) r.from, (long long) r.to);
            raw = q_ok(db, sql);
            for (i = 0; i < 4; i++) {
                ck_assert_int_eq(lw_db_int(res, i, PQfnumber(res, "model_id")), ids[i]);
                ck_assert_msg(lw_db_int(res, i, PQfnumber(res, "count")) == lw_db_int(raw, i, 1),
                              "%s pass %d model %d: count %s vs raw %s", keys[k], pass, i,
                              PQgetvalue(res, i, PQfnumber(res, "count")), PQgetvalue(raw, i, 1));
                ck_assert_int_eq(lw_db_int(res, i, PQfnumber(res, "errors")), lw_db_int(raw, i, 2));
                ck_assert_str_eq(PQgetvalue(res, i, PQfnumber(res, "cost_usd")), PQgetvalue(raw, i, 3));
                if (!lw_db_isnull(raw, i, 4))
                    ck_assert(fabs(lw_db_double(res, i, PQfnumber(res, "p95_ms")) - lw_db_double(raw, i, 4))
                              <= LW_ROLLUP_REL_ERROR * lw_db_double(raw, i, 4) + 1e-9);
            }
            PQclear(raw);
            PQclear(res);
            /* the series: bounded, within the range, and adding up to the totals */
            res = lw_db_dash_series(db, &err, &r, ids, 4);
            ck_assert_msg(res != NULL, "%s: %s", keys[k], err.msg);
            ck_assert(PQntuples(res) <= 4 * r.span_s / r.step_s);
            for (i = 0; i < PQntuples(res); i++) {
                ck_assert(lw_db_int(res, i, 1) >= r.from && lw_db_int(res, i, 1) < r.to);
                ck_assert_int_eq(lw_db_int(res, i, 1) % r.step_s, 0);
            }
            PQclear(res);
            res = lw_db_dash_model_series(db, &err, &r, 2);
            ck_assert_msg(res != NULL, "%s", err.msg);
            PQclear(res);
        }
    }
    lw_db_close(db);
}
END_TEST

START_TEST(db_points_and_gaps)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_pool *pool = lw_pool_create();
    lw_db_dash_points p;
    lw_db_dash_range r;
    PGresult *res;

    if (db == NULL) {
        lw_pool_destroy(pool);
        return;
    }
    res = q_ok(db, "SELECT * FROM (VALUES (1, 0, 10.0, 2), (1, 60, NULL, 2), (1, 120, 30.0, 0),"
                   " (2, 0, 5.0, 1), (1, 180, 40.0, 4), (1, 900, 50.0, 5)) v(model_id, t, v, n)");
    ck_assert_int_eq(lw_db_dash_points_from(pool, res, 0, 1, 1, 2, -1, 2, 100, &p), LW_OK);
    /* NULL skipped; 0 -> 120 (120 s > 100: a gap), 120 -> 180, 180 -> 900 (gap) */
    ck_assert_int_eq(p.n, 6);
    ck_assert_double_eq(p.t[0], 0);
    ck_assert_double_eq(p.v[0], 20);
    ck_assert(isnan(p.v[1]));
    ck_assert_double_eq(p.t[2], 120);
    ck_assert_double_eq(p.v[3], 80);
    ck_assert(isnan(p.v[4]));
    ck_assert_double_eq(p.v[5], 100);
    /* divided by n (0 skipped), no key */
    ck_assert_int_eq(lw_db_dash_points_from(pool, res, -1, 0, 1, 2, 3, 1, 1e9, &p), LW_OK);
    ck_assert_int_eq(p.n, 4);
    ck_assert_double_eq(p.v[0], 5);
    ck_assert_double_eq(p.v[1], 5);
    ck_assert_double_eq(p.v[2], 10);
    /* nothing for an unknown key */
    ck_assert_int_eq(lw_db_dash_points_from(pool, res, 0, 7, 1, 2, -1, 1, 100, &p), LW_OK);
    ck_assert_int_eq(p.n, 0);
    PQclear(res);
    ck_assert_int_eq(lw_db_dash_range_get("24h", 0, &r), LW_OK);
    ck_assert_double_eq(lw_db_dash_max_gap(&r), 7200);
    ck_assert_int_eq(lw_db_dash_range_get("1h", 0, &r), LW_OK);
    ck_assert_double_eq(lw_db_dash_max_gap(&r), 900);      /* three 5-minute steps */
    lw_pool_destroy(pool);
    lw_db_close(db);
}
END_TEST

/* ---- the pages ----------------------------------------------------------- */

static const char *
page(wt_request *t, lw_db *db, const char *uri, const char *cookie)
{
    wt_request_init(t, db, "GET", uri, cookie, NULL, NULL);
    return wt_run(t);
}

static int
count_of(const char *hay, const char *needle)
{
    int n = 0;

    while ((hay = strstr(hay, needle)) != NULL) {
        n++;
        hay += strlen(needle);
    }
    return n;
}

START_TEST(db_pages)
{
    static const char *const keys[] = { "1h", "6h", "24h", "7d", "30d" };
    char cookie[160], csrf[LW_TOKEN_LEN + 1], uri[96];
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err = { { 0 } };
    const char *p[1] = { HOSTILE }, *out;
    wt_request t;
    size_t k;

    if (db == NULL)
        return;
    (void) wt_db;           /* this suite uses its private database */
    reset(db);
    wt_templates();
    wt_user(db, "viewer", cookie, csrf);

    /* models without a single probe: every chart says "No data" */
    out = page(&t, db, "/", cookie);
    ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%.200s", out);
    ck_assert_int_eq(count_of(out, "<svg"), 5);
    ck_assert(count_of(out, ">No data<") == 5);
    ck_assert_ptr_nonnull(strstr(out, "no data"));
    ck_assert_ptr_nonnull(strstr(out, "No alert has fired yet."));
    wt_request_free(&t);
    out = page(&t, db, "/models/1?range=7d", cookie);
    ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%.200s", out);
    ck_assert_int_eq(count_of(out, "<svg"), 5);
    ck_assert_ptr_nonnull(strstr(out, "No probe in this range."));
    wt_request_free(&t);

    /* probes, an alert, a hostile name */
    ck_assert(lw_db_exec(db, &err, "UPDATE models SET name = $1 WHERE id = 2", 1, p) == 1);
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, error_class, ttft_ms, total_ms,"
                " cost_usd, quality_score, decode_tps)"
                " SELECT now() - i * interval '5 minutes', m.id, m.environment_id, i % 17 <> 0,"
                "  CASE WHEN i % 17 = 0 THEN 'timeout' END, 300, 900 + 50 * m.id + i % 300,"
                "  0.0001, 90, 45 FROM models m, generate_series(0, 12 * 24 * 8) i");
    exec_ok(db, "INSERT INTO rules (name, expression) VALUES ('High <b>latency</b>', 'avg_latency > 1')");
    exec_ok(db, "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at)"
                " VALUES (1, 2, 1, 'warning', 'firing', now() - interval '1 hour')");
    exec_ok(db, "INSERT INTO alert_events (alert_id, at, from_state, to_state)"
                " VALUES (1, now() - interval '1 hour', 'pending', 'firing')");
    exec_ok(db, "INSERT INTO baselines (model_id, environment_id, suite, iterations, samples,"
                " latency_mean_ms, latency_p95_ms, success_rate, tokens_per_second, quality_score)"
                " VALUES (2, 1, 'quick', 3, 12, 950, 1300, 0.99, 44, 91)");
    for (k = 0; k < LW_ARRAY_LEN(keys); k++) {
        snprintf(uri, sizeof(uri), "/?range=%s", keys[k]);
        out = page(&t, db, uri, cookie);
        ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%s: %.200s", uri, out);
        ck_assert_int_eq(count_of(out, "<svg"), 5);
        ck_assert_msg(count_of(out, ">No data<") == 0, "%s: a chart without data", uri);
        /* a line per model on each time chart, in the legend of each */
        ck_assert_int_eq(count_of(out, "class=\"lw-line\""), 3 * 4);
        ck_assert_int_eq(count_of(out, "class=\"lw-legend\""), 3 * 4);
        ck_assert_int_eq(count_of(out, "class=\"lw-bar\""), 2 * 4);
        /* escaped in the cards, the table and inside the SVG (legend, bars) */
        ck_assert_msg(count_of(out, HOSTILE_ESCAPED) >= 2 + 3 + 2, "%s: %d", uri,
                      count_of(out, HOSTILE_ESCAPED));
        ck_assert_ptr_null(strstr(out, "<script>alert"));
        ck_assert_ptr_null(strstr(out, "<b>latency"));
        ck_assert_ptr_nonnull(strstr(out, "High &lt;b&gt;latency&lt;/b&gt;"));
        ck_assert_ptr_nonnull(strstr(out, "href=\"/alerts/1\""));
        ck_assert_ptr_nonnull(strstr(out, "class=\"active\" aria-current=\"true\""));
        /* no inline style or script for the CSP */
        ck_assert_ptr_null(strstr(out, "style="));
        ck_assert_ptr_null(strstr(out, "<script"));
        ck_assert_ptr_null(strstr(out, "<style"));
        wt_request_free(&t);

        snprintf(uri, sizeof(uri), "/models/2?range=%s", keys[k]);
        out = page(&t, db, uri, cookie);
        ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%s: %.200s", uri, out);
        ck_assert_int_eq(count_of(out, "<svg"), 5);
        ck_assert_ptr_nonnull(strstr(out, "lw-histogram"));
        ck_assert_ptr_nonnull(strstr(out, "class=\"lw-ref\""));          /* the SLA target */
        ck_assert_ptr_nonnull(strstr(out, "baseline p95 (1.30 s)"));
        ck_assert_ptr_nonnull(strstr(out, ">timeout<"));                 /* an error class line */
        ck_assert_ptr_nonnull(strstr(out, HOSTILE_ESCAPED));
        ck_assert_ptr_null(strstr(out, "<script>alert"));
        ck_assert_ptr_null(strstr(out, "style="));
        wt_request_free(&t);
    }
    /* a range that does not exist is refused, not guessed */
    out = page(&t, db, "/?range=2h", cookie);
    ck_assert_msg(strncmp(out, "Status: 400 ", 12) == 0, "%.200s", out);
    wt_request_free(&t);
    out = page(&t, db, "/models/1?range=%3Cscript%3E", cookie);
    ck_assert_msg(strncmp(out, "Status: 400 ", 12) == 0, "%.200s", out);
    ck_assert_ptr_null(strstr(out, "<script>"));
    wt_request_free(&t);
    out = page(&t, db, "/models/99?range=2h", cookie);
    ck_assert_msg(strncmp(out, "Status: 404 ", 12) == 0, "%.200s", out);
    wt_request_free(&t);

    /* no model at all */
    exec_ok(db, "TRUNCATE probes, alerts, alert_events, rules, baselines, models RESTART IDENTITY CASCADE");
    out = page(&t, db, "/?range=30d", cookie);
    ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%.200s", out);
    ck_assert_ptr_nonnull(strstr(out, "No models are configured yet."));
    ck_assert_int_eq(count_of(out, "<svg"), 0);
    wt_request_free(&t);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

Suite *rollup_suite(void)
{
    Suite *s = suite_create("rollup");
    TCase *tc = tcase_create("rollup");
    TCase *db = tcase_create("rollup_db");

    tcase_add_test(tc, bucket_bounds);
    tcase_add_test(tc, percentile_error_bound);
    tcase_add_test(tc, percentile_edges);
    tcase_add_test(tc, hist_parse);
    tcase_add_test(tc, ranges);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tcase_add_unchecked_fixture(db, private_db_setup, private_db_teardown);
    tcase_set_timeout(db, 120);
    tcase_add_test(db, db_bucket_sql_matches_c);
    tcase_add_test(db, db_quantile_sql_matches_c);
    tcase_add_test(db, db_rollups_equal_raw);
    tcase_add_test(db, db_late_rows_and_deletes);
    tcase_add_test(db, db_concurrent_writers);
    tcase_add_test(db, db_read_equals_raw);
    tcase_add_test(db, db_retention);
    tcase_add_test(db, db_dash_totals_equal_raw);
    tcase_add_test(db, db_points_and_gaps);
    tcase_add_test(db, db_pages);
    suite_add_tcase(s, db);
    return s;
}
