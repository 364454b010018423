/* dash.c: the SQL of the dashboard and model page charts (see dash.h).
 * Every aggregation runs in PostgreSQL; C gets one row per model and step
 * at most. */
#include "db/dash.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "db/sql.h"

/* Steps are multiples of 5 minutes that divide a day, so every point is a
 * whole number of rollup buckets: 1h and 6h read 5-minute rows, 24h three
 * of them a point, 7d hours, 30d six hours a point, 90d days. */
static const lw_db_dash_range ranges[] = {
    { "1h",  "1 hour",   3600,    300,   0, 0 },
    { "6h",  "6 hours",  21600,   300,   0, 0 },
    { "24h", "24 hours", 86400,   900,   0, 0 },
    { "7d",  "7 days",   604800,  3600,  0, 0 },
    { "30d", "30 days",  2592000, 21600, 0, 0 },
    { "90d", "90 days",  7776000, 86400, 0, 0 },
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

/* Steps a range may take: whole rollup buckets that divide a day. */
static const long long steps[] = { 300, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400 };

void
lw_db_dash_range_fit(lw_db_dash_range *r, long long samples)
{
    long long step = r->step_s;
    size_t i;

    if (samples <= 0)
        return;
    for (i = 0; i < LW_ARRAY_LEN(steps); i++) {
        if (steps[i] <= step)
            continue;
        /* enough probes a step already, or the next step draws too few points */
        if ((double) samples * (double) step / (double) r->span_s >= LW_DB_DASH_MIN_SAMPLES
            || r->span_s / steps[i] < LW_DB_DASH_MIN_POINTS)
            break;
        step = steps[i];
    }
    if (step == r->step_s)
        return;
    r->step_s = step;
    r->from = r->from / step * step;
    r->to = (r->to + step - 1) / step * step;
    r->span_s = (long long) (r->to - r->from);
}

int
lw_db_dash_range_custom(time_t from, time_t to, lw_db_dash_range *out)
{
    size_t i;

    if (to <= from || to - from > LW_DB_DASH_MAX_SPAN)
        return LW_EINVAL;
    memset(out, 0, sizeof(*out));
    out->key = "custom";
    out->label = "custom range";
    for (i = 0; i + 1 < LW_ARRAY_LEN(steps) && (to - from) / steps[i] > 300; i++)
        ;
    out->step_s = steps[i];
    out->from = from / out->step_s * out->step_s;
    out->to = (to + out->step_s - 1) / out->step_s * out->step_s;
    out->span_s = (long long) (out->to - out->from);
    return LW_OK;
}

/* ---- the rows a range is built from ---------------------------------------
 * $1 model ids, $2 from, $3 to (Unix seconds), $4 step (s). lw_rollup_read()
 * (sql/008_read_path.sql) gives one merged rollup row per model and step
 * (or per model over the range with a NULL step); everything below is
 * arithmetic on those rows. */
#define READ(step) \
    "WITH p AS MATERIALIZED (SELECT * FROM lw_rollup_read($1::int[], to_timestamp($2::bigint)," \
    " to_timestamp($3::bigint), " step "))"
#define BY_STEP  READ("make_interval(secs => $4::int)")
#define WHOLE    READ("CASE WHEN $4::int > 0 THEN NULL::interval END")

typedef struct {
    char from[24], to[24], step[24];
    lw_buf ids;
    const char *p[4];
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
    q->p[1] = q->from;
    q->p[2] = q->to;
    q->p[3] = q->step;
    return LW_OK;
}

static PGresult *
run(lw_db *db, lw_err *err, const char *sql, const lw_db_dash_range *r, const long long *ids,
    size_t n)
{
    PGresult *res = NULL;
    params q;

    if (params_init(&q, r, ids, n) == LW_OK)
        res = lw_db_query(db, err, sql, 4, q.p);
    else
        lw_err_set(err, "out of memory");
    lw_buf_free(&q.ids);
    return res;
}

/* A point of a chart needs LW_DB_DASH_MIN_SAMPLES probes in its step: the
 * p95 of two probes, or one failure out of two drawn as 50%, is noise
 * (lw_db_dash_range_fit widens the step of a sparsely probed range). */
#define MIN_SAMPLES "3"
_Static_assert(LW_DB_DASH_MIN_SAMPLES == 3, "MIN_SAMPLES spells LW_DB_DASH_MIN_SAMPLES");

static const char series_sql[] =
    BY_STEP
    " SELECT p.model_id, extract(epoch FROM p.bucket_start)::bigint AS t, p.count, p.errors,"
    "  CASE WHEN p.count >= " MIN_SAMPLES " THEN round(100.0 * p.errors / p.count, 3) END AS error_pct,"
    "  CASE WHEN p.total_n >= " MIN_SAMPLES " THEN lw_hist_quantile(p.total_hist, 0.95) END AS p95_ms,"
    "  p.sum_total_ms / nullif(p.total_n, 0) AS avg_ms, p.cost_usd,"
    "  (sum(p.cost_usd) OVER (PARTITION BY p.model_id ORDER BY p.bucket_start))::float8 AS cum_cost"
    " FROM p ORDER BY p.model_id, p.bucket_start";

PGresult *
lw_db_dash_series(lw_db *db, lw_err *err, const lw_db_dash_range *r, const long long *ids, size_t n)
{
    return run(db, err, series_sql, r, ids, n);
}

static const char totals_sql[] =
    WHOLE ","
    " target AS (SELECT " SLA_TARGET_PCT " AS pct),"
    " t AS (SELECT mm.id AS model_id, mm.sla_target_ms, coalesce(p.count, 0) AS count,"
    "   coalesce(p.count - p.errors, 0) AS ok_count, coalesce(p.errors, 0) AS errors,"
    "   lw_hist_quantile(p.total_hist, 0.5) AS p50_ms, lw_hist_quantile(p.total_hist, 0.95) AS p95_ms,"
    "   lw_hist_quantile(p.total_hist, 0.99) AS p99_ms, p.sum_total_ms / nullif(p.total_n, 0) AS avg_ms,"
    "   p.max_total_ms AS max_ms, p.sum_ttft_ms / nullif(p.ttft_n, 0) AS ttft_avg_ms,"
    "   lw_hist_quantile(p.ttft_hist, 0.5) AS ttft_p50_ms,"
    "   lw_hist_quantile(p.ttft_hist, 0.95) AS ttft_p95_ms,"
    "   round((p.tps_sum / nullif(p.tps_n, 0))::numeric, 1) AS tps,"
    "   round((p.quality_sum / nullif(p.quality_n, 0))::numeric, 1) AS quality,"
    "   coalesce(p.cost_usd, 0) AS cost_usd, coalesce(p.input_tokens, 0) AS input_tokens,"
    "   coalesce(p.output_tokens, 0) AS output_tokens, coalesce(p.total_hist, '{}')::text AS total_hist"
    "   FROM models mm LEFT JOIN p ON p.model_id = mm.id AND p.environment_id = mm.environment_id"
    "   WHERE mm.id = ANY ($1::int[]))"
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

#define EC(i, name) " coalesce(p.error_counts[" #i "], 0) AS e_" name
static const char model_series_sql[] =
    BY_STEP
    " SELECT extract(epoch FROM p.bucket_start)::bigint AS t, p.count, p.errors,"
    "  CASE WHEN p.count >= " MIN_SAMPLES " THEN round(100.0 * p.errors / p.count, 3) END AS error_pct,"
    "  CASE WHEN p.total_n >= " MIN_SAMPLES " THEN lw_hist_quantile(p.total_hist, 0.5) END AS p50_ms,"
    "  CASE WHEN p.total_n >= " MIN_SAMPLES " THEN lw_hist_quantile(p.total_hist, 0.95) END AS p95_ms,"
    "  CASE WHEN p.ttft_n >= " MIN_SAMPLES " THEN lw_hist_quantile(p.ttft_hist, 0.5) END AS ttft_p50_ms,"
    "  p.tps_sum / nullif(p.tps_n, 0) AS tps,"
    "  p.quality_sum / nullif(p.quality_n, 0) AS quality,"
    EC(1, "timeout") "," EC(2, "connect") "," EC(3, "tls") "," EC(4, "http_4xx") ","
    EC(5, "rate_limited") "," EC(6, "http_5xx") "," EC(7, "protocol") "," EC(8, "empty") ","
    EC(9, "auth") "," EC(10, "config") "," EC(11, "other")
    " FROM p ORDER BY p.bucket_start";

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
