/* dash.c: the SQL of the dashboard and model page charts (see dash.h).
 * Every aggregation runs in PostgreSQL; C gets one row per model and step
 * at most. */
#include "db/dash.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "db/sql.h"

static const lw_db_dash_range ranges[] = {
    { "1h",  "1 hour",   3600,    60,    "raw", 0, 0 },
    { "6h",  "6 hours",  21600,   120,   "raw", 0, 0 },
    { "24h", "24 hours", 86400,   600,   "5m",  0, 0 },
    { "7d",  "7 days",   604800,  3600,  "1h",  0, 0 },
    { "30d", "30 days",  2592000, 14400, "1h",  0, 0 },
};

const lw_db_dash_range *
lw_db_dash_ranges(size_t *n)
{
    *n = LW_ARRAY_LEN(ranges);
    return ranges;
}

int
lw_db_dash_range_get(const char *key, time_t now, lw_db_dash_range *out)
{
    size_t i;

    if (key == NULL || *key == '\0')
        key = LW_DB_DASH_DEFAULT_RANGE;
    for (i = 0; i < LW_ARRAY_LEN(ranges); i++) {
        if (strcmp(ranges[i].key, key) == 0) {
            *out = ranges[i];
            /* steps divide a day and 2000-01-01 (the SQL origin) is a
             * multiple of a day: Unix multiples of step are bucket starts */
            out->to = (time_t) ((now / out->step_s) * out->step_s + out->step_s);
            out->from = out->to - (time_t) out->span_s;
            return LW_OK;
        }
    }
    return LW_EINVAL;
}

/* ---- the rows a range is built from ---------------------------------------
 * $1 model ids, $2 source, $3 from, $4 to (Unix seconds), $5 step (s).
 * `parts` is rollup-shaped: stored rollups of the source resolution for
 * buckets with no pending change, and lw_rollup_compute() over raw probes
 * for the buckets with one (rollup_dirty) or, with source 'raw', for the
 * whole range in steps. */
#define PART_COLS \
    " count, errors, total_n, sum_total_ms, max_total_ms, sum_ttft_ms, ttft_n, input_tokens," \
    " output_tokens, cost_usd, quality_sum, quality_n, tps_sum, tps_n, error_counts, total_hist," \
    " ttft_hist"
#define PARTS \
    "WITH m AS (SELECT id, environment_id FROM models WHERE id = ANY ($1::int[]))," \
    " w AS (SELECT to_timestamp($3::bigint) AS t0, to_timestamp($4::bigint) AS t1," \
    "   make_interval(secs => $5::int) AS step," \
    "   CASE $2::text WHEN '5m' THEN interval '5 minutes' ELSE interval '1 hour' END AS res)," \
    " d AS (SELECT DISTINCT date_bin(w.res, q.bucket, " ORIGIN ") AS b FROM rollup_dirty q, w" \
    "   WHERE $2::text <> 'raw' AND q.bucket >= w.t0 AND q.bucket < w.t1)," \
    " parts AS MATERIALIZED (" \
    "  SELECT r.model_id, r.bucket_start," PART_COLS \
    "   FROM w, m JOIN rollups r ON r.resolution = $2::text AND r.model_id = m.id" \
    "    AND r.environment_id = m.environment_id" \
    "  WHERE r.bucket_start >= w.t0 AND r.bucket_start < w.t1" \
    "    AND NOT EXISTS (SELECT 1 FROM d WHERE d.b = r.bucket_start)" \
    "  UNION ALL" \
    "  SELECT x.model_id, x.bucket_start," PART_COLS \
    "   FROM (SELECT d.b AS f, d.b + w.res AS t, w.res AS s FROM d, w" \
    "         UNION ALL SELECT w.t0, w.t1, w.step FROM w WHERE $2::text = 'raw') s" \
    "   CROSS JOIN LATERAL lw_rollup_compute(s.s, s.f, s.t, $1::int[]) x" \
    "   JOIN m ON m.id = x.model_id AND m.environment_id = x.environment_id)"

typedef struct {
    char from[24], to[24], step[24];
    lw_buf ids;
    const char *p[5];
} params;

static int
params_init(params *q, const lw_db_dash_range *r, const long long *ids, size_t n)
{
    size_t i;

    memset(q, 0, sizeof(*q));
    snprintf(q->from, sizeof(q->from), "%lld", (long long) r->from);
    snprintf(q->to, sizeof(q->to), "%lld", (long long) r->to);
    snprintf(q->step, sizeof(q->step), "%lld", r->step_s);
    if (lw_buf_putc(&q->ids, '{') != LW_OK)
        return LW_ENOMEM;
    for (i = 0; i < n; i++)
        if (lw_buf_printf(&q->ids, "%s%lld", i ? "," : "", ids[i]) != LW_OK)
            return LW_ENOMEM;
    if (lw_buf_putc(&q->ids, '}') != LW_OK)
        return LW_ENOMEM;
    q->p[0] = q->ids.data;
    q->p[1] = r->source;
    q->p[2] = q->from;
    q->p[3] = q->to;
    q->p[4] = q->step;
    return LW_OK;
}

static PGresult *
run(lw_db *db, lw_err *err, const char *sql, const lw_db_dash_range *r, const long long *ids,
    size_t n)
{
    PGresult *res = NULL;
    params q;

    if (params_init(&q, r, ids, n) == LW_OK)
        res = lw_db_query(db, err, sql, 5, q.p);
    else
        lw_err_set(err, "out of memory");
    lw_buf_free(&q.ids);
    return res;
}

static const char series_sql[] =
    PARTS ","
    " a AS (SELECT p.model_id, date_bin(w.step, p.bucket_start, " ORIGIN ") AS cb,"
    "   sum(p.count) AS n, sum(p.errors) AS e, sum(p.total_n) AS tn, sum(p.sum_total_ms) AS ts,"
    "   sum(p.cost_usd) AS cost FROM parts p, w GROUP BY 1, 2),"
    " hk AS (SELECT p.model_id, date_bin(w.step, p.bucket_start, " ORIGIN ") AS cb, i AS k,"
    "   sum(p.total_hist[i]) AS v FROM parts p CROSS JOIN w"
    "   CROSS JOIN LATERAL generate_subscripts(p.total_hist, 1) i GROUP BY 1, 2, 3),"
    " hq AS (SELECT model_id, cb, lw_hist_quantile(lw_hist_build(array_agg(k), array_agg(v)), 0.95) AS p95"
    "   FROM hk GROUP BY 1, 2)"
    " SELECT a.model_id, extract(epoch FROM a.cb)::bigint AS t, a.n AS count, a.e AS errors,"
    "  round(100.0 * a.e / nullif(a.n, 0), 3) AS error_pct, hq.p95 AS p95_ms,"
    "  a.ts / nullif(a.tn, 0) AS avg_ms, a.cost AS cost_usd,"
    "  (sum(a.cost) OVER (PARTITION BY a.model_id ORDER BY a.cb))::float8 AS cum_cost"
    " FROM a LEFT JOIN hq ON hq.model_id = a.model_id AND hq.cb = a.cb"
    " ORDER BY a.model_id, a.cb";

PGresult *
lw_db_dash_series(lw_db *db, lw_err *err, const lw_db_dash_range *r, const long long *ids, size_t n)
{
    return run(db, err, series_sql, r, ids, n);
}

static const char totals_sql[] =
    PARTS ","
    " a AS (SELECT model_id, sum(count) AS n, sum(errors) AS e, sum(total_n) AS tn,"
    "   sum(sum_total_ms) AS ts, max(max_total_ms) AS tmax, sum(sum_ttft_ms) AS fs, sum(ttft_n) AS fn,"
    "   sum(tps_sum) AS tps, sum(tps_n) AS tpn, sum(quality_sum) AS qs, sum(quality_n) AS qn,"
    "   sum(cost_usd) AS cost, sum(input_tokens) AS itok, sum(output_tokens) AS otok"
    "   FROM parts GROUP BY 1),"
    " hk AS (SELECT p.model_id, i AS k, sum(p.total_hist[i]) AS v FROM parts p"
    "   CROSS JOIN LATERAL generate_subscripts(p.total_hist, 1) i GROUP BY 1, 2),"
    " h AS (SELECT model_id, lw_hist_build(array_agg(k), array_agg(v)) AS h FROM hk GROUP BY 1),"
    " fk AS (SELECT p.model_id, i AS k, sum(p.ttft_hist[i]) AS v FROM parts p"
    "   CROSS JOIN LATERAL generate_subscripts(p.ttft_hist, 1) i GROUP BY 1, 2),"
    " f AS (SELECT model_id, lw_hist_build(array_agg(k), array_agg(v)) AS h FROM fk GROUP BY 1),"
    " target AS (SELECT " SLA_TARGET_PCT " AS pct),"
    " t AS (SELECT mm.id AS model_id, mm.sla_target_ms, coalesce(a.n, 0) AS count,"
    "   coalesce(a.n - a.e, 0) AS ok_count, coalesce(a.e, 0) AS errors,"
    "   lw_hist_quantile(h.h, 0.5) AS p50_ms, lw_hist_quantile(h.h, 0.95) AS p95_ms,"
    "   lw_hist_quantile(h.h, 0.99) AS p99_ms, a.ts / nullif(a.tn, 0) AS avg_ms, a.tmax AS max_ms,"
    "   a.fs / nullif(a.fn, 0) AS ttft_avg_ms, lw_hist_quantile(f.h, 0.5) AS ttft_p50_ms,"
    "   lw_hist_quantile(f.h, 0.95) AS ttft_p95_ms,"
    "   round((a.tps / nullif(a.tpn, 0))::numeric, 1) AS tps,"
    "   round((a.qs / nullif(a.qn, 0))::numeric, 1) AS quality,"
    "   coalesce(a.cost, 0) AS cost_usd, coalesce(a.itok, 0) AS input_tokens,"
    "   coalesce(a.otok, 0) AS output_tokens, coalesce(h.h, '{}')::text AS total_hist"
    "   FROM models mm JOIN m ON m.id = mm.id LEFT JOIN a ON a.model_id = mm.id"
    "   LEFT JOIN h ON h.model_id = mm.id LEFT JOIN f ON f.model_id = mm.id)"
    " SELECT t.model_id, t.sla_target_ms, t.count, t.ok_count, t.errors,"
    "  round(100.0 * t.ok_count / nullif(t.count, 0), 2) AS success_pct,"
    "  round(100.0 * t.errors / nullif(t.count, 0), 2) AS error_pct,"
    "  t.p50_ms, t.p95_ms, t.p99_ms, t.avg_ms, t.max_ms, t.ttft_avg_ms, t.ttft_p50_ms, t.ttft_p95_ms,"
    "  t.tps, t.quality, " USD("t.cost_usd") " AS cost, t.cost_usd, t.input_tokens, t.output_tokens,"
    "  t.total_hist, g.pct AS availability_target_pct,"
    SLA_VERDICT("t.count", "t.ok_count", "t.p95_ms", "t.sla_target_ms", "g.pct")
    " FROM t CROSS JOIN target g ORDER BY array_position($1::int[], t.model_id)";

PGresult *
lw_db_dash_totals(lw_db *db, lw_err *err, const lw_db_dash_range *r, const long long *ids, size_t n)
{
    return run(db, err, totals_sql, r, ids, n);
}

#define EC(i, name) " coalesce(sum(p.error_counts[" #i "]), 0) AS e_" name
static const char model_series_sql[] =
    PARTS ","
    " a AS (SELECT date_bin(w.step, p.bucket_start, " ORIGIN ") AS cb,"
    "   sum(p.count) AS n, sum(p.errors) AS e, sum(p.tps_sum) AS tps, sum(p.tps_n) AS tpn,"
    "   sum(p.quality_sum) AS qs, sum(p.quality_n) AS qn,"
    EC(1, "timeout") "," EC(2, "connect") "," EC(3, "tls") "," EC(4, "http_4xx") ","
    EC(5, "rate_limited") "," EC(6, "http_5xx") "," EC(7, "protocol") "," EC(8, "empty") ","
    EC(9, "auth") "," EC(10, "config") "," EC(11, "other")
    "   FROM parts p, w GROUP BY 1),"
    " hk AS (SELECT date_bin(w.step, p.bucket_start, " ORIGIN ") AS cb, i AS k,"
    "   sum(p.total_hist[i]) AS v FROM parts p CROSS JOIN w"
    "   CROSS JOIN LATERAL generate_subscripts(p.total_hist, 1) i GROUP BY 1, 2),"
    " h AS (SELECT cb, lw_hist_build(array_agg(k), array_agg(v)) AS h FROM hk GROUP BY 1),"
    " fk AS (SELECT date_bin(w.step, p.bucket_start, " ORIGIN ") AS cb, i AS k,"
    "   sum(p.ttft_hist[i]) AS v FROM parts p CROSS JOIN w"
    "   CROSS JOIN LATERAL generate_subscripts(p.ttft_hist, 1) i GROUP BY 1, 2),"
    " f AS (SELECT cb, lw_hist_build(array_agg(k), array_agg(v)) AS h FROM fk GROUP BY 1)"
    " SELECT extract(epoch FROM a.cb)::bigint AS t, a.n AS count, a.e AS errors,"
    "  round(100.0 * a.e / nullif(a.n, 0), 3) AS error_pct,"
    "  lw_hist_quantile(h.h, 0.5) AS p50_ms, lw_hist_quantile(h.h, 0.95) AS p95_ms,"
    "  lw_hist_quantile(f.h, 0.5) AS ttft_p50_ms, a.tps / nullif(a.tpn, 0) AS tps,"
    "  a.qs / nullif(a.qn, 0) AS quality,"
    "  a.e_timeout, a.e_connect, a.e_tls, a.e_http_4xx, a.e_rate_limited, a.e_http_5xx,"
    "  a.e_protocol, a.e_empty, a.e_auth, a.e_config, a.e_other"
    " FROM a LEFT JOIN h ON h.cb = a.cb LEFT JOIN f ON f.cb = a.cb ORDER BY a.cb";

PGresult *
lw_db_dash_model_series(lw_db *db, lw_err *err, const lw_db_dash_range *r, long long model_id)
{
    return run(db, err, model_series_sql, r, &model_id, 1);
}

PGresult *
lw_db_dash_alert_events(lw_db *db, lw_err *err, int limit)
{
    return lw_db_query_id(db, err,
        "SELECT ev.id, ev.alert_id, " TS("ev.at") " AS at,"
        /* two units at most: "42s", "5m12s", "2h5m", "3d4h" */
        " lw_dur(CASE WHEN x.s >= 86400 THEN x.s / 3600 * 3600 WHEN x.s >= 3600 THEN x.s / 60 * 60"
        "   ELSE x.s END) AS ago,"
        " ev.from_state, ev.to_state, r.name AS rule, a.severity, m.name AS model,"
        " e.name AS environment, round(ev.value::numeric, 3) AS value"
        " FROM alert_events ev"
        " CROSS JOIN LATERAL (SELECT greatest(0, extract(epoch FROM now() - ev.at))::bigint AS s) x"
        " JOIN alerts a ON a.id = ev.alert_id"
        " JOIN rules r ON r.id = a.rule_id"
        " LEFT JOIN models m ON m.id = a.model_id"
        " LEFT JOIN environments e ON e.id = a.environment_id"
        " ORDER BY ev.at DESC, ev.id DESC LIMIT $1::int", limit);
}

PGresult *
lw_db_dash_baseline(lw_db *db, lw_err *err, long long model_id)
{
    return lw_db_query_id(db, err,
        "SELECT b.id, b.suite, b.iterations, b.samples, b.latency_mean_ms, b.latency_stddev_ms,"
        " b.latency_p95_ms, b.ttft_mean_ms, b.ttft_p95_ms,"
        " round((100 * b.success_rate)::numeric, 2) AS success_pct,"
        " round(b.tokens_per_second::numeric, 1) AS tps, " USD("b.cost_per_1k_usd") " AS cost_per_1k,"
        " round(b.quality_score::numeric, 1) AS quality, " TS("b.created_at") " AS created"
        " FROM baselines b JOIN models m ON m.id = b.model_id AND m.environment_id = b.environment_id"
        " WHERE b.model_id = $1::int AND b.active ORDER BY b.id DESC LIMIT 1", model_id);
}

/* ---- from rows to chart series ------------------------------------------ */

int
lw_db_dash_points_from(lw_pool *pool, const PGresult *res, int key_col, long long key,
                       int t_col, int v_col, int den_col, double scale, double max_gap_s,
                       lw_db_dash_points *out)
{
    int i, rows = res ? PQntuples(res) : 0;
    size_t cap = 0;
    double t, v, prev_t = NAN;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < rows; i++)
        if (key_col < 0 || lw_db_int(res, i, key_col) == key)
            cap++;
    if (cap == 0 || t_col < 0 || v_col < 0)
        return LW_OK;
    cap *= 2;                                   /* room for the gap markers */
    out->t = lw_pool_alloc(pool, cap * sizeof(double));
    out->v = lw_pool_alloc(pool, cap * sizeof(double));
    if (out->t == NULL || out->v == NULL)
        return LW_ENOMEM;
    for (i = 0; i < rows; i++) {
        if ((key_col >= 0 && lw_db_int(res, i, key_col) != key) || lw_db_isnull(res, i, v_col))
            continue;
        v = lw_db_double(res, i, v_col) * scale;
        if (den_col >= 0) {
            if (lw_db_isnull(res, i, den_col) || lw_db_double(res, i, den_col) == 0)
                continue;
            v /= lw_db_double(res, i, den_col);
        }
        t = (double) lw_db_int(res, i, t_col);
        if (!isnan(prev_t) && t - prev_t > max_gap_s && out->n > 0) {
            out->t[out->n] = (prev_t + t) / 2;
            out->v[out->n++] = NAN;
        }
        out->t[out->n] = t;
        out->v[out->n++] = v;
        prev_t = t;
    }
    return LW_OK;
}

double
lw_db_dash_max_gap(const lw_db_dash_range *r)
{
    double a = 3.0 * (double) r->step_s, b = (double) r->span_s / 12.0;

    return a > b ? a : b;
}

const char *
lw_db_dash_latency_unit(double max_ms, double *scale)
{
    if (max_ms >= 1000) {
        *scale = 0.001;
        return "s";
    }
    *scale = 1;
    return "ms";
}
