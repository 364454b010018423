/* exports.c: the SQL of exports and the COPY stream (see exports.h). */
#include "db/exports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sql.h"

#define SETTING(k) "current_setting('llmwatch.export_" k "')"
#define RFC(c) "to_char((" c ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define IN_RANGE(c) c " >= " SETTING("from") "::timestamptz AND " c " < " SETTING("to") "::timestamptz"
#define MODEL_OK \
    " AND (" SETTING("model") " = '' OR m.name = " SETTING("model") ")" \
    " AND (" SETTING("model_id") " = '0' OR m.id = " SETTING("model_id") "::int)"
#define LIMIT " LIMIT nullif(" SETTING("limit") ", '0')::bigint"

/* one row per probe, in time order */
#define RAW_ROWS \
    "SELECT p.id, " RFC("p.ts") " AS ts, m.name AS model, e.name AS environment, m.provider," \
    " p.case_id, p.ok, CASE WHEN p.ok THEN coalesce(p.outcome, 'text') END AS outcome," \
    " p.error_class, p.http_status, p.ttft_ms, p.first_output_ms, p.total_ms, p.input_tokens," \
    " p.output_tokens, p.reasoning_tokens, p.decode_tps, p.cost_usd, p.quality_score," \
    " p.finish_reason, p.stream_end" \
    " FROM probes p JOIN models m ON m.id = p.model_id JOIN environments e ON e.id = p.environment_id" \
    " WHERE " IN_RANGE("p.ts") MODEL_OK " ORDER BY p.ts, p.id" LIMIT

/* one row per rollup bucket of the level, in time order */
#define ROLLUP_ROWS \
    "SELECT " RFC("r.bucket_start") " AS bucket_start, r.resolution AS level, m.name AS model," \
    " e.name AS environment, m.provider, r.count AS probes, r.errors," \
    " round(1 - r.errors::numeric / nullif(r.count, 0), 6) AS success_rate," \
    " r.refusals, r.blocked, r.tool_calls," \
    " round((r.sum_total_ms / nullif(r.total_n, 0))::numeric, 3) AS latency_avg_ms," \
    " round(lw_hist_quantile(r.total_hist, 0.5)::numeric, 3) AS latency_p50_ms," \
    " round(lw_hist_quantile(r.total_hist, 0.95)::numeric, 3) AS latency_p95_ms," \
    " round(lw_hist_quantile(r.total_hist, 0.99)::numeric, 3) AS latency_p99_ms," \
    " round((r.sum_ttft_ms / nullif(r.ttft_n, 0))::numeric, 3) AS ttft_avg_ms," \
    " round(lw_hist_quantile(r.ttft_hist, 0.95)::numeric, 3) AS ttft_p95_ms," \
    " r.input_tokens, r.output_tokens, r.reasoning_tokens, r.cost_usd" \
    " FROM rollups r JOIN models m ON m.id = r.model_id JOIN environments e ON e.id = r.environment_id" \
    " WHERE r.resolution = " SETTING("level") " AND " IN_RANGE("r.bucket_start") MODEL_OK \
    " ORDER BY r.bucket_start, e.name, m.name" LIMIT

/* JSON: one object per line. CSV with a quote and a delimiter that JSON
 * text never holds (row_to_json escapes control characters) writes each
 * line as it is, where COPY's text format would double every backslash. */
#define AS_JSON(q) "COPY (SELECT row_to_json(x)::text FROM (" q ") x)" \
                   " TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
#define AS_CSV(q)  "COPY (" q ") TO STDOUT WITH (FORMAT csv, HEADER true)"

static const char raw_csv[] = AS_CSV(RAW_ROWS);
static const char raw_json[] = AS_JSON(RAW_ROWS);
static const char rollup_csv[] = AS_CSV(ROLLUP_ROWS);
static const char rollup_json[] = AS_JSON(ROLLUP_ROWS);

int
lw_db_exports_format_parse(const char *s)
{
    if (lw_streq(s, "csv"))
        return LW_EXPORT_CSV;
    if (lw_streq(s, "json"))
        return LW_EXPORT_JSON;
    if (lw_streq(s, "jsonl"))
        return LW_EXPORT_JSONL;
    return -1;
}

int
lw_db_exports_level_ok(const char *s)
{
    return lw_streq(s, "raw") || lw_streq(s, "5m") || lw_streq(s, "1h") || lw_streq(s, "1d");
}

/* The export's values as session settings, for the COPY to read, once
 * its level is known to be one. */
static int
set_params(lw_db *db, lw_err *err, const lw_export_spec *s)
{
    char f[24], t[24], id[24], lim[24];
    const char *p[6] = { LL(f, s->from), LL(t, s->to), s->model ? s->model : "",
                         LL(id, s->model_id > 0 ? s->model_id : 0), s->level,
                         LL(lim, s->limit > 0 ? s->limit : 0) };

    if (!lw_db_exports_level_ok(s->level)) {
        lw_err_set(err, "unknown level '%s' (raw, 5m, 1h or 1d)", s->level ? s->level : "");
        return LW_EINVAL;
    }
    return lw_db_run(db, err,
        "SELECT set_config('llmwatch.export_from', to_timestamp($1::bigint)::text, false),"
        " set_config('llmwatch.export_to', to_timestamp($2::bigint)::text, false),"
        " set_config('llmwatch.export_model', $3, false),"
        " set_config('llmwatch.export_model_id', $4::int::text, false),"
        " set_config('llmwatch.export_level', $5, false),"
        " set_config('llmwatch.export_limit', $6::bigint::text, false)", 6, p);
}

int
lw_db_exports_count(lw_db *db, lw_err *err, const lw_export_spec *s, long long *rows)
{
    int rc;

    *rows = 0;
    if ((rc = set_params(db, err, s)) != LW_OK)
        return rc;
    return lw_db_value(db, err, lw_streq(s->level, "raw")
        ? "SELECT count(*) FROM (" RAW_ROWS ") x"
        : "SELECT count(*) FROM (" ROLLUP_ROWS ") x", 0, NULL, rows) == LW_OK ? LW_OK : LW_EDB;
}

int
lw_db_exports_run(lw_db *db, lw_err *err, const lw_export_spec *s, lw_export_sink sink,
                  void *ctx, long long *rows)
{
    PGconn *conn;
    PGresult *res;
    const char *sql;
    char *buf;
    int n, rc = LW_OK, raw = lw_streq(s->level, "raw"), json = s->format == LW_EXPORT_JSON;

    *rows = 0;
    lw_err_clear(err);
    if ((rc = set_params(db, err, s)) != LW_OK)
        return rc;
    sql = s->format == LW_EXPORT_CSV ? (raw ? raw_csv : rollup_csv) : (raw ? raw_json : rollup_json);
    if (lw_db_copy_begin(db, err, sql, PGRES_COPY_OUT, "export") != LW_OK)
        return LW_EDB;
    conn = lw_db_conn(db);
    if (json && sink(ctx, "[", 1) != 0)
        rc = LW_EIO;
    /* every row in turn: libpq hands one row per call */
    while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
        if (rc == LW_OK) {
            if (json) {
                /* "[" row ",\n" row ... "\n]": the row without its newline */
                if ((*rows > 0 && sink(ctx, ",\n", 2) != 0) || (*rows == 0 && sink(ctx, "\n", 1) != 0)
                    || sink(ctx, buf, (size_t) n - (buf[n - 1] == '\n')) != 0)
                    rc = LW_EIO;
            } else if (sink(ctx, buf, (size_t) n) != 0) {
                rc = LW_EIO;
            }
        }
        PQfreemem(buf);
        (*rows)++;
    }
    /* the CSV header is not a row */
    if (s->format == LW_EXPORT_CSV && *rows > 0)
        (*rows)--;
    if (n == -2) {
        lw_err_set(err, "export: %s", PQerrorMessage(conn));
        rc = LW_EDB;
    }
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == LW_OK) {
            lw_err_set(err, "export: %s", PQresultErrorMessage(res));
            rc = LW_EDB;
        }
        PQclear(res);
    }
    if (rc == LW_OK && json && sink(ctx, "\n]\n", 3) != 0)
        rc = LW_EIO;
    if (rc == LW_EIO && err->msg[0] == '\0')
        lw_err_set(err, "export: the output could not be written");
    return rc;
}

/* ---- Grafana ---- */

/* The step of a panel's buckets from the dashboard's range: 5 minutes up
 * to a day, hours up to a week, days beyond; the range starts on a bucket. */
#define G_RANGE \
    "WITH g AS (SELECT $__timeFrom()::timestamptz AS t0, $__timeTo()::timestamptz AS t1)," \
    " s AS (SELECT CASE WHEN t1 - t0 > interval '7 days' THEN interval '1 day'" \
    "   WHEN t1 - t0 > interval '1 day' THEN interval '1 hour' ELSE interval '5 minutes' END AS step," \
    "   t0, t1 FROM g)," \
    " r AS (SELECT x.* FROM s, lw_rollup_read(NULL, date_bin(s.step, s.t0, " ORIGIN "), s.t1, s.step) x)"
#define G_MODEL " JOIN models m ON m.id = r.model_id WHERE m.name LIKE '$model'"

static const lw_grafana_panel grafana_panels[] = {
    { "Availability", "stat", "percentunit",
      "WITH r AS (SELECT * FROM lw_rollup_read(NULL, $__timeFrom()::timestamptz, $__timeTo()::timestamptz))"
      " SELECT m.name AS metric, 1 - sum(r.errors)::float8 / nullif(sum(r.count), 0) AS value"
      " FROM r" G_MODEL " GROUP BY m.name ORDER BY m.name",
      "sum by (model) (increase(llmwatch_probes_total{model=~\"$model\",result!=\"error\"}[$__range]))"
      " / sum by (model) (increase(llmwatch_probes_total{model=~\"$model\"}[$__range]))",
      "{{model}}", 24, 4 },
    { "Latency p95", "timeseries", "ms",
      G_RANGE " SELECT r.bucket_start AS time, m.name AS metric, lw_hist_quantile(r.total_hist, 0.95) AS value"
      " FROM r" G_MODEL " ORDER BY 1, 2",
      "1000 * histogram_quantile(0.95, sum by (model, le) (rate(gen_ai_client_operation_duration_seconds_bucket{model=~\"$model\"}[$__rate_interval])))",
      "{{model}}", 12, 8 },
    { "Latency p50", "timeseries", "ms",
      G_RANGE " SELECT r.bucket_start AS time, m.name AS metric, lw_hist_quantile(r.total_hist, 0.5) AS value"
      " FROM r" G_MODEL " ORDER BY 1, 2",
      "1000 * histogram_quantile(0.5, sum by (model, le) (rate(gen_ai_client_operation_duration_seconds_bucket{model=~\"$model\"}[$__rate_interval])))",
      "{{model}}", 12, 8 },
    { "Time to first token p95", "timeseries", "ms",
      G_RANGE " SELECT r.bucket_start AS time, m.name AS metric, lw_hist_quantile(r.ttft_hist, 0.95) AS value"
      " FROM r" G_MODEL " ORDER BY 1, 2",
      "1000 * histogram_quantile(0.95, sum by (model, le) (rate(llmwatch_ttft_seconds_bucket{model=~\"$model\"}[$__rate_interval])))",
      "{{model}}", 12, 8 },
    { "Success rate", "timeseries", "percentunit",
      G_RANGE " SELECT r.bucket_start AS time, m.name AS metric,"
      " 1 - r.errors::float8 / nullif(r.count, 0) AS value FROM r" G_MODEL " ORDER BY 1, 2",
      "sum by (model) (rate(llmwatch_probes_total{model=~\"$model\",result!=\"error\"}[$__rate_interval]))"
      " / sum by (model) (rate(llmwatch_probes_total{model=~\"$model\"}[$__rate_interval]))",
      "{{model}}", 12, 8 },
    { "Decode tokens/s", "timeseries", "none",
      G_RANGE " SELECT r.bucket_start AS time, m.name AS metric, r.tps_sum / nullif(r.tps_n, 0) AS value"
      " FROM r" G_MODEL " ORDER BY 1, 2",
      "1 / (sum by (model) (rate(llmwatch_time_per_output_token_seconds_sum{model=~\"$model\"}[$__rate_interval]))"
      " / sum by (model) (rate(llmwatch_time_per_output_token_seconds_count{model=~\"$model\"}[$__rate_interval])))",
      "{{model}}", 12, 8 },
    { "Errors by class", "timeseries", "short",
      G_RANGE " SELECT r.bucket_start AS time, c.name AS metric, sum(r.error_counts[c.i]) AS value"
      " FROM r JOIN models m ON m.id = r.model_id"
      " CROSS JOIN LATERAL unnest(lw_error_classes()) WITH ORDINALITY c(name, i)"
      " WHERE m.name LIKE '$model' AND r.errors > 0 GROUP BY 1, 2 ORDER BY 1, 2",
      "sum by (error_class) (increase(llmwatch_probe_errors_total{model=~\"$model\"}[$__rate_interval]))",
      "{{error_class}}", 12, 8 },
    { "Outcomes", "timeseries", "short",
      G_RANGE " SELECT r.bucket_start AS time, o.name AS metric, sum(o.n) AS value"
      " FROM r JOIN models m ON m.id = r.model_id"
      " CROSS JOIN LATERAL (VALUES ('text', r.count - r.errors - r.refusals - r.blocked - r.tool_calls),"
      "   ('tool_call', r.tool_calls), ('refusal', r.refusals), ('blocked', r.blocked),"
      "   ('error', r.errors)) o(name, n)"
      " WHERE m.name LIKE '$model' GROUP BY 1, 2 ORDER BY 1, 2",
      "sum by (result) (increase(llmwatch_probes_total{model=~\"$model\"}[$__rate_interval]))",
      "{{result}}", 12, 8 },
    { "Cost", "timeseries", "currencyUSD",
      G_RANGE " SELECT r.bucket_start AS time, m.name AS metric, r.cost_usd::float8 AS value"
      " FROM r" G_MODEL " ORDER BY 1, 2",
      "sum by (model) (increase(llmwatch_cost_usd_total{model=~\"$model\"}[$__rate_interval]))",
      "{{model}}", 12, 8 },
    { "Tokens", "timeseries", "short",
      G_RANGE " SELECT r.bucket_start AS time, m.name AS metric, (r.input_tokens + r.output_tokens)::float8 AS value"
      " FROM r" G_MODEL " ORDER BY 1, 2",
      "sum by (model) (increase(llmwatch_tokens_total{model=~\"$model\",type!=\"reasoning\"}[$__rate_interval]))",
      "{{model}}", 12, 8 },
    { "Alerts firing", "stat", "short",
      "SELECT count(*) AS value FROM alerts a LEFT JOIN models m ON m.id = a.model_id"
      " WHERE a.state = 'firing' AND coalesce(m.name, '') LIKE '$model'",
      "sum(llmwatch_alerts_firing{model=~\"$model\"}) or vector(0)",
      "firing", 24, 4 },
};

const lw_grafana_panel *
lw_db_exports_grafana(size_t *n)
{
    *n = LW_ARRAY_LEN(grafana_panels);
    return grafana_panels;
}

const char *
lw_db_exports_grafana_models_sql(void)
{
    return "SELECT name FROM models WHERE enabled AND removed_at IS NULL ORDER BY name";
}
