/* stats.c: window statistics per model (aggregated in PostgreSQL),
 * alerts fired, last job runs, and the synthetic history of `backfill`.
 * Every value reaches PostgreSQL as a $n parameter. */
#include "db/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sql.h"

/* ---- parameters ---- */

typedef struct {
    char from[24], to[24], model_id[24];
} filter_params;

static void
filter_fill(const lw_db_stats_filter *f, filter_params *fp, const char **p)
{
    p[0] = LL(fp->from, f->from);
    p[1] = LL(fp->to, f->to);
    p[2] = f->model;
    p[3] = f->environment;
    p[4] = f->model_id > 0 ? LL(fp->model_id, f->model_id) : NULL;
    p[5] = f->include_idle ? "true" : "false";
}

/* Runs sql with the filter's first n parameters. */
static PGresult *
query_filter(lw_db *db, lw_err *err, const lw_db_stats_filter *f, const char *sql, int n)
{
    filter_params fp;
    const char *p[6];

    filter_fill(f, &fp, p);
    return lw_db_query(db, err, sql, n, p);
}

/* The probes a filter selects, joined to their model and environment:
 * $1 from, $2 to (Unix seconds), $3 model name, $4 environment name,
 * $5 model id (NULL = any). */
#define FILTER_WHERE \
    " WHERE ($3::text IS NULL OR m.name = $3) AND ($4::text IS NULL OR e.name = $4)" \
    "   AND ($5::bigint IS NULL OR m.id = $5::bigint)"
#define PROBE_RANGE \
    " p.ts >= to_timestamp($1::bigint) AND p.ts < to_timestamp($2::bigint)"

/* ---- window statistics ----
 * From the rollups (lw_rollup_read over [$1, $2), taken to their 5-minute
 * buckets): percentiles within one histogram bucket of the exact ones,
 * counts, tokens and cost exact. The mean and standard deviation are those
 * of the successful probes' totals (sums and sums of squares); the
 * end-to-end rate is output tokens over total time. Only the time of the
 * latest probe is read from probes, one index lookup per model. */
#define ROLLED \
    " WITH r AS MATERIALIZED (SELECT * FROM lw_rollup_read(NULL, to_timestamp($1::bigint)," \
    "   to_timestamp($2::bigint)))"

static const char window_sql[] =
    ROLLED
    "SELECT m.id AS model_id, m.name AS model, e.id AS environment_id, e.name AS environment,"
    "       m.provider, m.sla_target_ms,"
    "       coalesce(r.count, 0) AS count,"
    "       coalesce(r.count - r.errors, 0) AS ok_count,"
    "       coalesce(r.errors, 0) AS errors,"
    "       (r.count - r.errors)::float8 / nullif(r.count, 0) AS success_rate,"
    "       r.sum_total_ms / nullif(r.total_n, 0) AS avg_total_ms,"
    "       CASE WHEN r.total_n > 1 THEN sqrt(greatest(0, (r.sumsq_total_ms"
    "         - r.sum_total_ms * r.sum_total_ms / r.total_n) / (r.total_n - 1))) END AS stddev_total_ms,"
    "       lw_hist_quantile(r.total_hist, 0.50) AS p50_total_ms,"
    "       lw_hist_quantile(r.total_hist, 0.95) AS p95_total_ms,"
    "       lw_hist_quantile(r.total_hist, 0.99) AS p99_total_ms,"
    "       r.sum_ttft_ms / nullif(r.ttft_n, 0) AS avg_ttft_ms,"
    "       lw_hist_quantile(r.ttft_hist, 0.50) AS p50_ttft_ms,"
    "       lw_hist_quantile(r.ttft_hist, 0.95) AS p95_ttft_ms,"
    "       r.tps_sum / nullif(r.tps_n, 0) AS decode_tps,"
    "       r.output_tokens * 1000.0 / nullif(r.sum_total_ms, 0) AS e2e_tps,"
    "       coalesce(r.input_tokens, 0) AS input_tokens,"
    "       coalesce(r.output_tokens, 0) AS output_tokens,"
    "       coalesce(r.cost_usd, 0)::text AS cost_usd,"
    "       (coalesce(r.cost_usd, 0) * 1000000000000)::bigint AS cost_pico,"
    "       r.quality_sum / nullif(r.quality_n, 0) AS quality,"
    "       extract(epoch FROM lp.ts)::bigint AS last_ts"
    "  FROM models m"
    "  JOIN environments e ON e.id = m.environment_id"
    "  LEFT JOIN r ON r.model_id = m.id AND r.environment_id = m.environment_id"
    "  LEFT JOIN LATERAL (SELECT p.ts FROM probes p WHERE p.model_id = m.id"
    "    AND p.environment_id = m.environment_id AND" PROBE_RANGE
    "    ORDER BY p.ts DESC LIMIT 1) lp ON r.count > 0"
    FILTER_WHERE
    "   AND (($6::boolean AND m.enabled) OR coalesce(r.count, 0) > 0)"
    " ORDER BY e.name, m.id";

PGresult *
lw_db_stats_window(lw_db *db, lw_err *err, const lw_db_stats_filter *f)
{
    return query_filter(db, err, f, window_sql, 6);
}

static double
num_or_nan(const PGresult *res, int row, const char *col)
{
    int c = PQfnumber(res, col);

    if (c < 0 || lw_db_isnull(res, row, c))
        return NAN;
    return lw_db_double(res, row, c);
}

static long long
int_col(const PGresult *res, int row, const char *col)
{
    int c = PQfnumber(res, col);

    return c < 0 ? 0 : lw_db_int(res, row, c);
}

static const char *
str_col(const PGresult *res, int row, const char *col)
{
    int c = PQfnumber(res, col);

    return c < 0 ? NULL : lw_db_str(res, row, c);
}

void
lw_db_stats_window_get(const PGresult *res, int row, lw_db_stats_window_row *o)
{
    memset(o, 0, sizeof(*o));
    o->model_id = int_col(res, row, "model_id");
    o->environment_id = int_col(res, row, "environment_id");
    o->model = str_col(res, row, "model");
    o->environment = str_col(res, row, "environment");
    o->provider = str_col(res, row, "provider");
    o->sla_target_ms = int_col(res, row, "sla_target_ms");
    o->count = int_col(res, row, "count");
    o->ok_count = int_col(res, row, "ok_count");
    o->errors = int_col(res, row, "errors");
    o->success_rate = num_or_nan(res, row, "success_rate");
    o->avg_total_ms = num_or_nan(res, row, "avg_total_ms");
    o->stddev_total_ms = num_or_nan(res, row, "stddev_total_ms");
    o->p50_total_ms = num_or_nan(res, row, "p50_total_ms");
    o->p95_total_ms = num_or_nan(res, row, "p95_total_ms");
    o->p99_total_ms = num_or_nan(res, row, "p99_total_ms");
    o->avg_ttft_ms = num_or_nan(res, row, "avg_ttft_ms");
    o->p50_ttft_ms = num_or_nan(res, row, "p50_ttft_ms");
    o->p95_ttft_ms = num_or_nan(res, row, "p95_ttft_ms");
    o->decode_tps = num_or_nan(res, row, "decode_tps");
    o->e2e_tps = num_or_nan(res, row, "e2e_tps");
    o->input_tokens = int_col(res, row, "input_tokens");
    o->output_tokens = int_col(res, row, "output_tokens");
    o->cost_usd = str_col(res, row, "cost_usd");
    o->cost_pico = (int64_t) int_col(res, row, "cost_pico");
    o->quality = num_or_nan(res, row, "quality");
    o->last_ts = (time_t) int_col(res, row, "last_ts");
}

/* The summaries over a filter's first five parameters (include_idle
 * apart: they count probes, not models). */
static const char *const filter_parts[LW_DB_STATS_N] = {
    /* the classes counted in the rollups, in lw_error_classes() order */
    [LW_DB_STATS_ERROR_CLASSES] =
        ROLLED
        "SELECT r.model_id, r.environment_id,"
        "       CASE c.name WHEN 'other' THEN 'unknown' ELSE c.name END AS error_class,"
        "       r.error_counts[c.i] AS n"
        "  FROM r"
        "  JOIN models m ON m.id = r.model_id"
        "  JOIN environments e ON e.id = r.environment_id"
        "  CROSS JOIN LATERAL unnest(lw_error_classes()) WITH ORDINALITY c(name, i)"
        FILTER_WHERE
        "   AND coalesce(r.error_counts[c.i], 0) > 0"
        " ORDER BY 1, 2, 4 DESC, 3",
    [LW_DB_STATS_TOTALS] =
        ROLLED
        "SELECT coalesce(sum(r.count), 0) AS count,"
        "       coalesce(sum(r.count - r.errors), 0) AS ok_count,"
        "       sum(r.count - r.errors)::float8 / nullif(sum(r.count), 0) AS success_rate,"
        "       sum(r.sum_total_ms) / nullif(sum(r.total_n), 0) AS avg_total_ms,"
        "       lw_hist_quantile(lw_hist_sum(r.total_hist), 0.95) AS p95_total_ms,"
        "       count(DISTINCT r.model_id) FILTER (WHERE r.count > 0) AS models,"
        "       coalesce(sum(r.cost_usd), 0)::text AS cost_usd,"
        "       (coalesce(sum(r.cost_usd), 0) * 1000000000000)::bigint AS cost_pico"
        "  FROM r"
        "  JOIN models m ON m.id = r.model_id"
        "  JOIN environments e ON e.id = r.environment_id"
        FILTER_WHERE,
};

PGresult *
lw_db_stats_of(lw_db *db, lw_err *err, lw_db_stats_part part, const lw_db_stats_filter *f)
{
    const char *sql = lw_db_statement(filter_parts, LW_DB_STATS_N, (int) part, err);

    return sql ? query_filter(db, err, f, sql, 5) : NULL;
}

/* ---- alerts and jobs ---- */

PGresult *
lw_db_stats_alerts_fired(lw_db *db, lw_err *err, time_t from, time_t to)
{
    const long long range[2] = { (long long) from, (long long) to };

    return lw_db_query_ints(db, err,
                       "SELECT r.name AS rule, coalesce(m.name, '') AS model, a.severity,"
                       "       count(*) AS n, extract(epoch FROM max(a.fired_at))::bigint AS last_fired"
                       "  FROM alerts a"
                       "  JOIN rules r ON r.id = a.rule_id"
                       "  LEFT JOIN models m ON m.id = a.model_id"
                       " WHERE a.fired_at >= to_timestamp($1::bigint)"
                       "   AND a.fired_at < to_timestamp($2::bigint)"
                       " GROUP BY r.name, m.name, a.severity"
                       " ORDER BY max(a.fired_at) DESC, r.name, 2", 2, range);
}

long long
lw_db_stats_alerts_firing(lw_db *db, lw_err *err)
{
    return lw_db_count(db, err, "SELECT count(*) FROM alerts WHERE state = 'firing'", 0, NULL);
}

PGresult *
lw_db_stats_last_run(lw_db *db, lw_err *err, const char *const *names, size_t n)
{
    lw_buf arr = { 0 };
    const char *p[1];
    PGresult *res = NULL;

    if (lw_db_text_array(&arr, names, n) != LW_OK) {
        lw_err_set(err, "out of memory");
        goto cleanup;
    }
    p[0] = arr.data;
    res = lw_db_query(db, err,
                      "WITH last AS ("
                      "  SELECT job, scheduled_for, started_at, finished_at, status, error, host"
                      "    FROM job_runs"
                      "   WHERE job = ANY($1::text[]) AND status <> 'skipped'"
                      "   ORDER BY started_at DESC, id DESC LIMIT 1)"
                      " SELECT l.job, extract(epoch FROM l.started_at)::bigint AS started,"
                      "        extract(epoch FROM l.finished_at)::bigint AS finished,"
                      "        l.status, l.error,"
                      "        extract(epoch FROM l.finished_at - l.started_at) * 1000 AS duration_ms,"
                      "        (SELECT count(*) FROM job_runs s"
                      "          WHERE s.job = ANY($1::text[]) AND s.status = 'skipped'"
                      "            AND (l.started_at IS NULL OR s.scheduled_for > l.started_at)) AS missed,"
                      /* who ran it: the host that claimed it, or the
                       * worker hosts that shared its models */
                      "        coalesce((SELECT string_agg(h.host || ' (' || h.models || ' models)', ', '"
                      "                                    ORDER BY h.host)"
                      "                    FROM probe_slot_hosts h"
                      "                   WHERE h.job = l.job AND h.slot = l.scheduled_for), l.host) AS hosts"
                      "   FROM (SELECT 1) one LEFT JOIN last l ON true", 1, p);
cleanup:
    lw_buf_free(&arr);
    return res;
}

/* ---- synthetic history ---- */

void
lw_db_stats_backfill_incident(time_t from, time_t to, int64_t interval_s, time_t *start, time_t *end)
{
    const time_t len = 2 * 3600;
    time_t s;
    int64_t days = (int64_t) (to - from) / 86400;

    (void) interval_s;
    if (to - from <= len) {
        *start = from;
        *end = to;
        return;
    }
    s = (time_t) ((from / 86400 + days * 6 / 10) * 86400 + 14 * 3600);
    if (s + len > to)
        s = to - len;
    if (s < from)
        s = from;
    *start = s;
    *end = s + len;
}

/* One row per slot and model. The layers: a) the slot, the model and this
 * row's random draws (always the same number of random() calls per row, so
 * a seed gives the same history); b) the latency factor (business hours
 * peak near 13:00 UTC, Tuesdays, drift, incident) and the outcome; c) the
 * measures. Costs are numeric: tokens x price per million / 10^6, exact. */
static const char backfill_sql[] =
    "INSERT INTO probes (ts, model_id, environment_id, suite, case_id, ok, error_class,"
    "                    error_message, http_status, ttft_ms, total_ms, input_tokens,"
    "                    output_tokens, tokens_estimated, decode_tps, e2e_tps, cost_usd,"
    "                    quality_score, backfill)"
    " SELECT ts, model_id, environment_id, suite, case_id, ok, error_class,"
    "        CASE error_class"
    "          WHEN 'timeout' THEN 'no response before the timeout (backfill)'"
    "          WHEN 'rate_limited' THEN 'HTTP 429: rate limited (backfill)'"
    "          WHEN 'http_5xx' THEN 'HTTP ' || http_status || ': server error (backfill)' END,"
    "        http_status,"
    "        CASE WHEN ok THEN ttft END,"
    "        CASE WHEN ok THEN total WHEN error_class = 'timeout' THEN NULL ELSE err_ms END,"
    "        CASE WHEN ok THEN in_tok END,"
    "        CASE WHEN ok THEN out_tok END,"
    "        false,"
    "        CASE WHEN ok AND out_tok > 1 THEN (out_tok - 1) / ((total - ttft) / 1000.0) END,"
    "        CASE WHEN ok THEN out_tok / (total / 1000.0) END,"
    "        CASE WHEN ok THEN (in_tok * pin + out_tok * pout) / 1000000 END,"
    "        CASE WHEN ok THEN round(least(100, greatest(0, 90 + qoff + 3.5 * z3))::numeric, 1)::real END,"
    "        true"
    " FROM ("
    "  SELECT c.*, ttft + decode_ms AS total"
    "  FROM ("
    "   SELECT b.*,"
    "          sla * 0.22 * f * exp(0.15 * z1) AS ttft,"
    "          (out_tok - 1) * 1000.0 / (tps_base * exp(0.08 * z2) / f) AS decode_ms,"
    "          sla * 0.1 * exp(0.3 * z1) AS err_ms"
    "   FROM ("
    "    SELECT a.ts, a.model_id, a.environment_id, a.suite, a.pin, a.pout, a.sla, a.qoff,"
    "           (ARRAY['arith-mul', 'capital-australia', 'json-object', 'long-hash-table'])[a.c + 1] AS case_id,"
    "           a.u_err >= CASE WHEN a.inc THEN 0.6 ELSE 0.003 END AS ok,"
    "           CASE WHEN a.u_err >= CASE WHEN a.inc THEN 0.6 ELSE 0.003 END THEN NULL"
    "                WHEN a.inc THEN CASE WHEN a.u_cls < 0.7 THEN 'http_5xx' ELSE 'timeout' END"
    "                WHEN a.u_cls < 0.4 THEN 'rate_limited'"
    "                WHEN a.u_cls < 0.8 THEN 'http_5xx' ELSE 'timeout' END AS error_class,"
    "           CASE WHEN a.u_err >= CASE WHEN a.inc THEN 0.6 ELSE 0.003 END THEN NULL"
    "                WHEN NOT a.inc AND a.u_cls < 0.4 THEN 429"
    "                WHEN (a.inc AND a.u_cls < 0.7) OR (NOT a.inc AND a.u_cls < 0.8) THEN"
    "                     CASE WHEN a.u_st < 0.6 THEN 503 WHEN a.u_st < 0.85 THEN 502 ELSE 500 END"
    "           END::smallint AS http_status,"
    "           (1 + 0.25 * greatest(0, sin(pi() * (a.hod - 7) / 12)))"
    "           * CASE WHEN a.dow = 2 THEN CASE WHEN a.tue THEN 1.18 ELSE 1.04 END ELSE 1 END"
    "           * CASE WHEN a.drift THEN 1 + 0.01 * a.day_n ELSE 1 END"
    "           * CASE WHEN a.inc THEN 1.6 ELSE 1 END AS f,"
    "           sqrt(-2 * ln(1 - a.u1)) * cos(2 * pi() * a.u2) AS z1,"
    "           sqrt(-2 * ln(1 - a.u1)) * sin(2 * pi() * a.u2) AS z2,"
    "           sqrt(-2 * ln(1 - a.u3)) * cos(2 * pi() * a.u4) AS z3,"
    "           90000.0 / a.sla AS tps_base,"
    "           CASE a.c WHEN 0 THEN 24 WHEN 1 THEN 21 WHEN 2 THEN 42 ELSE 27 END"
    "             + (a.model_id % 3)::int AS in_tok,"
    "           CASE a.c WHEN 0 THEN 2 + floor(a.u6 * 3)::int"
    "                    WHEN 1 THEN 2 + floor(a.u6 * 2)::int"
    "                    WHEN 2 THEN 15 + floor(a.u6 * 6)::int"
    "                    ELSE round(72 * (0.85 + 0.3 * a.u6))::int END AS out_tok"
    "    FROM ("
    "     SELECT s.ts, m.id AS model_id, m.environment_id, coalesce(m.suite, 'quick') AS suite,"
    "            m.price_input_per_mtok AS pin, m.price_output_per_mtok AS pout,"
    "            greatest(coalesce(m.sla_target_ms, 2000), 200)::float8 AS sla,"
    "            ((m.id * 7) % 5 - 1)::float8 AS qoff,"
    "            ((s.n + m.id) % 4)::int AS c,"
    "            m.id = $6::int AS tue,"
    "            m.id = $7::int AS drift,"
    "            m.id = $8::int AND s.ts >= to_timestamp($4::bigint)"
    "                           AND s.ts < to_timestamp($5::bigint) AS inc,"
    "            extract(epoch FROM s.ts - to_timestamp($1::bigint)) / 86400.0 AS day_n,"
    "            extract(hour FROM s.ts AT TIME ZONE 'UTC')"
    "              + extract(minute FROM s.ts AT TIME ZONE 'UTC') / 60.0 AS hod,"
    "            extract(isodow FROM s.ts AT TIME ZONE 'UTC') AS dow,"
    "            random() AS u_err, random() AS u_cls, random() AS u_st, random() AS u1,"
    "            random() AS u2, random() AS u3, random() AS u4, random() AS u6"
    "       FROM generate_series(to_timestamp($1::bigint),"
    "                            to_timestamp($2::bigint) - make_interval(secs => $3::int),"
    "                            make_interval(secs => $3::int)) WITH ORDINALITY AS s(ts, n)"
    "      CROSS JOIN models m"
    "      WHERE m.id = ANY($9::int[])"
    "      ORDER BY s.ts, m.id"
    "    ) a"
    "   ) b"
    "  ) c"
    " ) d";

static void
set_name(char *dst, size_t size, const PGresult *res, long long id)
{
    int i;

    for (i = 0; i < PQntuples(res); i++)
        if (lw_db_int(res, i, 0) == id) {
            lw_strlcpy(dst, lw_db_str(res, i, 1), size);
            return;
        }
    dst[0] = '\0';
}

int
lw_db_stats_backfill(lw_db *db, lw_err *err, const lw_db_stats_backfill_opts *o,
                     lw_db_stats_backfill_result *r)
{
    char from[24], to[24], ival[24], seed[24], ifrom[24], ito[24], tue[24], drift[24], inc[24];
    lw_buf names = { 0 }, ids = { 0 };
    const char *p[9];
    PGresult *models = NULL, *res = NULL;
    long long n;
    size_t i;
    int k, in_tx = 0, rc = LW_EDB;

    memset(r, 0, sizeof(*r));
    if (o->interval_s <= 0 || o->to <= o->from) {
        lw_err_set(err, "empty backfill range");
        return LW_EINVAL;
    }
    /* which models */
    p[0] = NULL;
    if (o->models != NULL) {
        if (lw_db_text_array(&names, o->models, o->n_models) != LW_OK) {
            lw_err_set(err, "out of memory");
            rc = LW_ENOMEM;
            goto cleanup;
        }
        p[0] = names.data;
    }
    models = lw_db_query(db, err,
                         "SELECT id, name FROM models"
                         " WHERE enabled AND ($1::text[] IS NULL OR name = ANY($1::text[]))"
                         " ORDER BY id", 1, p);
    if (models == NULL)
        goto cleanup;
    for (i = 0; o->models != NULL && i < o->n_models; i++) {
        for (k = 0; k < PQntuples(models); k++)
            if (strcmp(lw_db_str(models, k, 1), o->models[i]) == 0)
                break;
        if (k == PQntuples(models)) {
            lw_err_set(err, "model '%s' is not an enabled model of the database "
                       "(llmwatch init --config FILE loads the configured models)", o->models[i]);
            rc = LW_ENOTFOUND;
            goto cleanup;
        }
    }
    r->n_models = PQntuples(models);
    if (r->n_models == 0) {
        lw_err_set(err, "no enabled model in the database "
                   "(llmwatch init --config FILE loads the configured models)");
        rc = LW_ENOTFOUND;
        goto cleanup;
    }
    lw_buf_putc(&ids, '{');
    for (k = 0; k < r->n_models; k++)
        lw_buf_printf(&ids, "%s%lld", k > 0 ? "," : "", lw_db_int(models, k, 0));
    if (lw_buf_putc(&ids, '}') != LW_OK) {
        lw_err_set(err, "out of memory");
        rc = LW_ENOMEM;
        goto cleanup;
    }
    r->tuesday_model_id = lw_db_int(models, 0, 0);
    r->drift_model_id = lw_db_int(models, 1 % r->n_models, 0);
    r->incident_model_id = lw_db_int(models, 2 % r->n_models, 0);
    set_name(r->tuesday_model, sizeof(r->tuesday_model), models, r->tuesday_model_id);
    set_name(r->drift_model, sizeof(r->drift_model), models, r->drift_model_id);
    set_name(r->incident_model, sizeof(r->incident_model), models, r->incident_model_id);
    lw_db_stats_backfill_incident(o->from, o->to, o->interval_s, &r->incident_from, &r->incident_to);

    snprintf(from, sizeof(from), "%lld", (long long) o->from);
    snprintf(to, sizeof(to), "%lld", (long long) o->to);
    snprintf(ival, sizeof(ival), "%lld", (long long) o->interval_s);
    snprintf(seed, sizeof(seed), "%lld", o->seed);
    snprintf(ifrom, sizeof(ifrom), "%lld", (long long) r->incident_from);
    snprintf(ito, sizeof(ito), "%lld", (long long) r->incident_to);
    snprintf(tue, sizeof(tue), "%lld", r->tuesday_model_id);
    snprintf(drift, sizeof(drift), "%lld", r->drift_model_id);
    snprintf(inc, sizeof(inc), "%lld", r->incident_model_id);

    if (lw_db_begin(db, err) != LW_OK)
        goto cleanup;
    in_tx = 1;
    /* two backfills at once would both insert: the second waits here; a
     * month of history is one long statement (it rolls itself up too) */
    if (lw_db_exec(db, err, "SELECT pg_advisory_xact_lock(hashtext('llmwatch backfill'))", 0, NULL) < 0
        || lw_db_exec(db, err, "SET LOCAL statement_timeout = 0", 0, NULL) < 0)
        goto cleanup;
    n = lw_db_exec(db, err, "DELETE FROM probes WHERE backfill", 0, NULL);
    if (n < 0)
        goto cleanup;
    r->removed = n;
    p[0] = from;
    p[1] = to;
    if (lw_db_exec(db, err,
                   "SELECT llmwatch_ensure_partitions((to_timestamp($1::bigint) AT TIME ZONE 'UTC')::date,"
                   " (to_timestamp($2::bigint) AT TIME ZONE 'UTC')::date)", 2, p) < 0)
        goto cleanup;
    /* setseed wants [-1, 1]; random() in this session then repeats */
    p[0] = seed;
    if (lw_db_exec(db, err,
                   "SELECT setseed(($1::bigint % 2147483647)::float8 / 2147483647)", 1, p) < 0)
        goto cleanup;
    p[0] = from;
    p[1] = to;
    p[2] = ival;
    p[3] = ifrom;
    p[4] = ito;
    p[5] = tue;
    p[6] = drift;
    p[7] = inc;
    p[8] = ids.data;
    n = lw_db_exec(db, err, backfill_sql, 9, p);
    if (n < 0)
        goto cleanup;
    r->inserted = n;
    if (lw_db_commit(db, err) != LW_OK)
        goto cleanup;
    in_tx = 0;
    /* only informative: maintain drops partitions older than this */
    res = lw_db_query(db, NULL, "SELECT " SETTING_INT("retention_days", "0"), 0, NULL);
    if (res != NULL && PQntuples(res) == 1)
        r->retention_days = (int) lw_db_int(res, 0, 0);
    rc = LW_OK;
cleanup:
    if (in_tx)
        lw_db_rollback(db);
    PQclear(models);
    PQclear(res);
    lw_buf_free(&names);
    lw_buf_free(&ids);
    return rc;
}

int
lw_db_stats_backfill_remove(lw_db *db, lw_err *err, long long *removed)
{
    int n = lw_db_exec(db, err, "DELETE FROM probes WHERE backfill", 0, NULL);

    if (n < 0)
        return LW_EDB;
    *removed = n;
    return LW_OK;
}

PGresult *
lw_db_stats_backfill_summary(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
                       "SELECT m.name AS model, e.name AS environment, count(*) AS rows,"
                       "       count(*) FILTER (WHERE p.ok) AS ok_count,"
                       "       extract(epoch FROM min(p.ts))::bigint AS first_ts,"
                       "       extract(epoch FROM max(p.ts))::bigint AS last_ts,"
                       "       avg(p.total_ms) FILTER (WHERE p.ok) AS avg_total_ms,"
                       "       (coalesce(sum(p.cost_usd), 0) * 1000000000000)::bigint AS cost_pico"
                       "  FROM probes p"
                       "  JOIN models m ON m.id = p.model_id"
                       "  JOIN environments e ON e.id = p.environment_id"
                       " WHERE p.backfill"
                       " GROUP BY m.id, m.name, e.name"
                       " ORDER BY m.id", 0, NULL);
}
