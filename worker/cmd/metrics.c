/* metrics.c: `llmwatch metrics`: per model measures over the last N hours
 * as a table, JSON or CSV. Every number is aggregated in PostgreSQL by
 * lib/db/stats.c. */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "db/stats.h"
#include "fmt.h"
#include "times.h"

/* "http_5xx 3, timeout 1" (sep ", ", kv " ") or "http_5xx:3;timeout:1". */
static void
errors_of(const PGresult *errs, const lw_db_stats_window_row *w, const char *kv, const char *sep,
          lw_buf *out)
{
    int i, n = 0;

    lw_buf_reset(out);
    for (i = 0; i < PQntuples(errs); i++)
        if (lw_db_int(errs, i, 0) == w->model_id && lw_db_int(errs, i, 1) == w->environment_id)
            lw_buf_printf(out, "%s%s%s%lld", n++ > 0 ? sep : "", lw_db_str(errs, i, 2), kv,
                          lw_db_int(errs, i, 3));
}

static void
fmt_num(double v, const char *fmt, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, fmt, v);
}

static int
metrics_table(const PGresult *rows, const PGresult *errs, const PGresult *tot,
              const lw_db_stats_filter *f, int hours)
{
    static const char *const head_env[] = {
        "Model", "Env", "Requests", "Success", "TTFT p50", "TTFT p95", "Total p50", "Total p95",
        "Tok/s", "Cost", "Quality", "Errors"
    };
    const char *const *head = head_env;
    char c[11][48], a[32], b[32];
    const char *cells[12];
    lw_db_stats_window_row w;
    lw_fmt_table *t;
    lw_buf out = { 0 }, eb = { 0 };
    int i, k, multi_env = 0, rc = LW_ENOMEM;

    for (i = 1; i < PQntuples(rows); i++)
        if (lw_db_int(rows, i, 2) != lw_db_int(rows, 0, 2))
            multi_env = 1;
    lw_fmt_time(f->from, a, sizeof(a));
    lw_fmt_time(f->to, b, sizeof(b));
    printf("📊 Metrics for the last %d hour%s (%s → %s UTC)\n\n", hours, hours == 1 ? "" : "s",
           a, b);
    if (!multi_env) {
        static const char *const head_one[] = {
            "Model", "Requests", "Success", "TTFT p50", "TTFT p95", "Total p50", "Total p95",
            "Tok/s", "Cost", "Quality", "Errors"
        };
        head = head_one;
    }
    t = lw_fmt_table_new(multi_env ? 12 : 11, head, multi_env ? "llrrrrrrrrrl" : "lrrrrrrrrrl");
    if (t == NULL)
        goto cleanup;
    for (i = 0; i < PQntuples(rows); i++) {
        lw_db_stats_window_get(rows, i, &w);
        lw_fmt_count(w.count, c[0], sizeof(c[0]));
        lw_fmt_percent(w.success_rate, c[1], sizeof(c[1]));
        lw_fmt_ms(w.p50_ttft_ms, c[2], sizeof(c[2]));
        lw_fmt_ms(w.p95_ttft_ms, c[3], sizeof(c[3]));
        lw_fmt_ms(w.p50_total_ms, c[4], sizeof(c[4]));
        lw_fmt_ms(w.p95_total_ms, c[5], sizeof(c[5]));
        fmt_num(w.decode_tps, "%.1f", c[6], sizeof(c[6]));
        lw_fmt_dollars(w.cost_pico, c[7], sizeof(c[7]));
        fmt_num(w.quality, "%.1f", c[8], sizeof(c[8]));
        errors_of(errs, &w, " ", ", ", &eb);
        k = 0;
        cells[k++] = w.model;
        if (multi_env)
            cells[k++] = w.environment;
        cells[k++] = c[0];
        cells[k++] = c[1];
        cells[k++] = c[2];
        cells[k++] = c[3];
        cells[k++] = c[4];
        cells[k++] = c[5];
        cells[k++] = c[6];
        cells[k++] = c[7];
        cells[k++] = c[8];
        cells[k++] = eb.len > 0 ? eb.data : "-";
        if (lw_fmt_table_add(t, cells) != LW_OK)
            goto cleanup;
    }
    if (lw_fmt_table_render(t, &out) != LW_OK)
        goto cleanup;
    fputs(out.data, stdout);
    if (PQntuples(rows) == 0)
        printf("(no model: llmwatch init --config FILE loads them)\n");
    lw_fmt_count(lw_db_int(tot, 0, 0), c[0], sizeof(c[0]));
    lw_fmt_percent(lw_db_isnull(tot, 0, 2) ? NAN : lw_db_double(tot, 0, 2), c[1], sizeof(c[1]));
    lw_fmt_ms(lw_db_isnull(tot, 0, 3) ? NAN : lw_db_double(tot, 0, 3), c[2], sizeof(c[2]));
    lw_fmt_dollars((int64_t) lw_db_int(tot, 0, 7), c[3], sizeof(c[3]));
    printf("\nAll models: %s requests, %s success, average latency %s, cost %s\n",
           c[0], c[1], c[2], c[3]);
    printf("Latencies are over successful requests (TTFT = time to first token, Total = until "
           "the last byte);\nTok/s is the decode rate (output tokens - 1) / (total - TTFT).\n");
    rc = LW_OK;
cleanup:
    lw_fmt_table_free(t);
    lw_buf_free(&out);
    lw_buf_free(&eb);
    return rc;
}

/* A number printed with `decimals` decimals (json-c's default shows the
 * binary noise: 790.20000000000005); NULL (JSON null) for NaN. */
static json_object *
jdec(double v, int decimals)
{
    char buf[64];

    if (isnan(v))
        return NULL;
    snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    return json_object_new_double_s(v, buf);
}

static int
metrics_json(const PGresult *rows, const PGresult *errs, const PGresult *tot,
             const lw_db_stats_filter *f, int hours)
{
    json_object *root = json_object_new_object(), *arr = json_object_new_array(), *m, *o;
    lw_db_stats_window_row w;
    char a[40];
    int i, e;

    if (root == NULL || arr == NULL) {
        json_object_put(root);
        json_object_put(arr);
        return LW_ENOMEM;
    }
    json_object_object_add(root, "from", json_object_new_string(
        lw_time_format(f->from, LW_TIME_RFC3339, a, sizeof(a))));
    json_object_object_add(root, "to", json_object_new_string(
        lw_time_format(f->to, LW_TIME_RFC3339, a, sizeof(a))));
    json_object_object_add(root, "hours", json_object_new_int(hours));
    for (i = 0; i < PQntuples(rows); i++) {
        lw_db_stats_window_get(rows, i, &w);
        m = json_object_new_object();
        json_object_object_add(m, "model", json_object_new_string(w.model));
        json_object_object_add(m, "environment", json_object_new_string(w.environment));
        json_object_object_add(m, "provider", json_object_new_string(w.provider));
        json_object_object_add(m, "requests", json_object_new_int64(w.count));
        json_object_object_add(m, "ok", json_object_new_int64(w.ok_count));
        json_object_object_add(m, "errors", json_object_new_int64(w.errors));
        json_object_object_add(m, "success_rate", jdec(w.success_rate, 6));
        o = json_object_new_object();
        json_object_object_add(o, "p50", jdec(w.p50_ttft_ms, 1));
        json_object_object_add(o, "p95", jdec(w.p95_ttft_ms, 1));
        json_object_object_add(o, "avg", jdec(w.avg_ttft_ms, 1));
        json_object_object_add(m, "ttft_ms", o);
        o = json_object_new_object();
        json_object_object_add(o, "p50", jdec(w.p50_total_ms, 1));
        json_object_object_add(o, "p95", jdec(w.p95_total_ms, 1));
        json_object_object_add(o, "p99", jdec(w.p99_total_ms, 1));
        json_object_object_add(o, "avg", jdec(w.avg_total_ms, 1));
        json_object_object_add(m, "total_ms", o);
        json_object_object_add(m, "decode_tps", jdec(w.decode_tps, 1));
        json_object_object_add(m, "input_tokens", json_object_new_int64(w.input_tokens));
        json_object_object_add(m, "output_tokens", json_object_new_int64(w.output_tokens));
        /* exact: the numeric sum as a decimal string */
        json_object_object_add(m, "cost_usd", json_object_new_string(w.cost_usd ? w.cost_usd : "0"));
        json_object_object_add(m, "quality", jdec(w.quality, 1));
        o = json_object_new_object();
        for (e = 0; e < PQntuples(errs); e++)
            if (lw_db_int(errs, e, 0) == w.model_id && lw_db_int(errs, e, 1) == w.environment_id)
                json_object_object_add(o, lw_db_str(errs, e, 2),
                                       json_object_new_int64(lw_db_int(errs, e, 3)));
        json_object_object_add(m, "errors_by_class", o);
        json_object_array_add(arr, m);
    }
    json_object_object_add(root, "models", arr);
    o = json_object_new_object();
    json_object_object_add(o, "requests", json_object_new_int64(lw_db_int(tot, 0, 0)));
    json_object_object_add(o, "success_rate",
                           jdec(lw_db_isnull(tot, 0, 2) ? NAN : lw_db_double(tot, 0, 2), 6));
    json_object_object_add(o, "avg_total_ms",
                           jdec(lw_db_isnull(tot, 0, 3) ? NAN : lw_db_double(tot, 0, 3), 1));
    json_object_object_add(o, "cost_usd", json_object_new_string(lw_db_str(tot, 0, 6)));
    json_object_object_add(root, "all_models", o);
    puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                              | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    return LW_OK;
}

static int
metrics_csv(const PGresult *rows, const PGresult *errs)
{
    lw_buf out = { 0 }, eb = { 0 };
    lw_db_stats_window_row w;
    char v[12][40];
    int i, k, rc = LW_ENOMEM;

    lw_buf_puts(&out, "model,environment,requests,ok,errors,success_rate,ttft_p50_ms,ttft_p95_ms,"
                      "total_avg_ms,total_p50_ms,total_p95_ms,total_p99_ms,decode_tps,cost_usd,"
                      "quality,errors_by_class\r\n");
    for (i = 0; i < PQntuples(rows); i++) {
        lw_db_stats_window_get(rows, i, &w);
        lw_fmt_csv_field(&out, w.model);
        lw_buf_putc(&out, ',');
        lw_fmt_csv_field(&out, w.environment);
        snprintf(v[0], sizeof(v[0]), "%lld", w.count);
        snprintf(v[1], sizeof(v[1]), "%lld", w.ok_count);
        snprintf(v[2], sizeof(v[2]), "%lld", w.errors);
        fmt_num(w.success_rate, "%.6f", v[3], sizeof(v[3]));
        fmt_num(w.p50_ttft_ms, "%.1f", v[4], sizeof(v[4]));
        fmt_num(w.p95_ttft_ms, "%.1f", v[5], sizeof(v[5]));
        fmt_num(w.avg_total_ms, "%.1f", v[6], sizeof(v[6]));
        fmt_num(w.p50_total_ms, "%.1f", v[7], sizeof(v[7]));
        fmt_num(w.p95_total_ms, "%.1f", v[8], sizeof(v[8]));
        fmt_num(w.p99_total_ms, "%.1f", v[9], sizeof(v[9]));
        fmt_num(w.decode_tps, "%.2f", v[10], sizeof(v[10]));
        fmt_num(w.quality, "%.2f", v[11], sizeof(v[11]));
        /* missing measures are empty fields */
        for (k = 0; k < 11; k++) {
            lw_buf_putc(&out, ',');
            if (strcmp(v[k], "-") != 0)
                lw_buf_puts(&out, v[k]);
        }
        lw_buf_putc(&out, ',');
        lw_buf_puts(&out, w.cost_usd ? w.cost_usd : "0");
        lw_buf_putc(&out, ',');
        if (strcmp(v[11], "-") != 0)
            lw_buf_puts(&out, v[11]);
        lw_buf_putc(&out, ',');
        errors_of(errs, &w, ":", ";", &eb);
        lw_fmt_csv_field(&out, eb.data);
        if (lw_buf_puts(&out, "\r\n") != LW_OK)
            goto cleanup;
    }
    fputs(out.data, stdout);
    rc = LW_OK;
cleanup:
    lw_buf_free(&out);
    lw_buf_free(&eb);
    return rc;
}

struct metrics_opts {
    lw_db_stats_filter f;
    long long     hours;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct metrics_opts *o = ctx;

    switch (ch) {
    case 'H':
        return lw_cli_int_opt(cli, arg, 1, 24 * 366, &o->hours,
                              "--hours must be a number of hours (1..8784)");
    case 'm': o->f.model = arg; break;
    default:  o->f.environment = arg; break;
    }
    return 0;
}

int
lw_cmd_metrics(lw_cli *cli)
{
    static const char opts[] = "hours:H model:m environment:e";
    struct metrics_opts mo;
    lw_db_stats_filter *f = &mo.f;
    PGresult *rows = NULL, *errs = NULL, *tot = NULL;
    lw_db *db;
    lw_err *err = &cli->err;
    int rc;

    memset(&mo, 0, sizeof(mo));
    mo.hours = 24;
    if ((rc = lw_cli_parse_db(cli, opts, on_opt, &mo, &db)) != LW_CLI_GO)
        return rc;
    rc = 1;
    f->to = time(NULL) + 1;
    f->from = f->to - (time_t) mo.hours * 3600;
    f->include_idle = 1;
    rows = lw_db_stats_window(db, err, f);
    if (rows == NULL) {
        lw_cli_fail(cli, "%s", err->msg);
        goto cleanup;
    }
    if (f->model != NULL && PQntuples(rows) == 0) {
        lw_cli_fail(cli, "no model named '%s'%s%s", f->model,
                    f->environment ? " in environment " : "", f->environment ? f->environment : "");
        goto cleanup;
    }
    errs = lw_db_stats_of(db, err, LW_DB_STATS_ERROR_CLASSES, f);
    if (errs != NULL)
        tot = lw_db_stats_of(db, err, LW_DB_STATS_TOTALS, f);
    if (errs == NULL || tot == NULL) {
        lw_cli_fail(cli, "%s", err->msg);
        goto cleanup;
    }
    switch (cli->format) {
    case LW_CLI_JSON: rc = metrics_json(rows, errs, tot, f, (int) mo.hours); break;
    case LW_CLI_CSV:  rc = metrics_csv(rows, errs); break;
    default:          rc = metrics_table(rows, errs, tot, f, (int) mo.hours); break;
    }
    if (rc != LW_OK) {
        lw_cli_fail(cli, "out of memory");
        rc = 1;
    }
cleanup:
    PQclear(rows);
    PQclear(errs);
    PQclear(tot);
    return rc;
}
