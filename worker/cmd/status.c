/* cmd_status.c: `llmwatch status` (the jobs, their next and last runs, and
 * the last six hours at a glance) and `llmwatch metrics` (per model
 * measures over the last N hours as a table, JSON or CSV). Every number is
 * aggregated in PostgreSQL by lib/db_stats.c. */
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config.h"
#include "db/db.h"
#include "db/stats.h"
#include "jobs.h"
#include "fmt.h"
#include "schedule.h"

#define RECENT_HOURS 6

/* The config to describe the jobs with: --config, $LLMWATCH_CONFIG,
 * ./monitoring_config.yaml, else the built-in job defaults (a config must
 * name a model, so the defaults come from a one-model stand-in whose model
 * is never used here). Caller frees. */
static lw_config *
load_config(const char *path, const char *cmd)
{
    static const char defaults[] =
        "monitoring:\n  models:\n    - {provider: openai, model: stand-in, sla_target: 1}\n";
    lw_config *cfg = NULL;
    lw_diag diags;

    if (path == NULL) {
        path = getenv("LLMWATCH_CONFIG");
        if ((path == NULL || *path == '\0') && access("monitoring_config.yaml", R_OK) == 0)
            path = "monitoring_config.yaml";
        if (path != NULL && *path == '\0')
            path = NULL;
    }
    /* warnings (an unset ${VAR}...) are validate's business, not status' */
    lw_diag_init(&diags);
    if (path != NULL) {
        if (lw_config_load(path, &cfg, &diags) != LW_OK) {
            lw_diag_print(&diags, stderr);
            fprintf(stderr, "llmwatch %s: %s has errors\n", cmd, path);
        }
    } else if (lw_config_load_string("(built-in defaults)", defaults, sizeof(defaults) - 1,
                                     &cfg, &diags) != LW_OK) {
        lw_diag_print(&diags, stderr);
    }
    lw_diag_free(&diags);
    return cfg;
}

/* ---- status ---- */

static void
print_last_run(lw_db *db, const char *const *names, size_t n, time_t now)
{
    char ago[32], took[32], when[32];
    PGresult *res;
    lw_err err;
    long long missed;
    const char *status;

    res = lw_db_stats_last_run(db, &err, names, n);
    if (res == NULL) {
        printf("last run: unknown (%s)\n", err.msg);
        return;
    }
    missed = lw_db_int(res, 0, 6);
    if (lw_db_isnull(res, 0, 0)) {
        printf("last run: none yet");
    } else {
        status = lw_db_str(res, 0, 3);
        lw_fmt_time((time_t) lw_db_int(res, 0, 1), when, sizeof(when));
        lw_fmt_duration((int64_t) (now - (time_t) lw_db_int(res, 0, 1)), ago, sizeof(ago));
        if (strcmp(status, "running") == 0) {
            printf("last run %s UTC (%s ago): still running", when, ago);
        } else {
            lw_fmt_ms(lw_db_isnull(res, 0, 5) ? NAN : lw_db_double(res, 0, 5), took,
                             sizeof(took));
            printf("last run %s UTC (%s ago): %s in %s", when, ago, status, took);
            if (strcmp(status, "failed") == 0 && !lw_db_isnull(res, 0, 4))
                printf(": %.160s", lw_db_str(res, 0, 4));
        }
    }
    if (missed > 0)
        printf("; %lld missed slot%s since", missed, missed == 1 ? "" : "s");
    printf("\n");
    PQclear(res);
}

static void
print_jobs(lw_db *db, const lw_config *cfg, time_t now)
{
    const char *names[8];
    char next[96], desc[128];
    time_t at;
    size_t n, k;
    int j;

    printf("Active Jobs:\n");
    for (j = 0; j < LW_JOB_COUNT; j++) {
        const lw_config_job *cj = &cfg->jobs[j];

        /* a job is recorded under its schedule name and under the name of
         * any worker job registered for that schedule entry */
        n = 0;
        names[n++] = cj->name;
        for (k = 0; k < lw_jobs_count && n < LW_ARRAY_LEN(names); k++)
            if (lw_jobs[k].cfg_job == j && strcmp(lw_jobs[k].name, cj->name) != 0)
                names[n++] = lw_jobs[k].name;
        if (lw_sched_describe(&cj->sched, desc, sizeof(desc)) != LW_OK)
            lw_strlcpy(desc, cj->frequency ? cj->frequency : "?", sizeof(desc));
        if (!cj->enabled)
            printf("- %s: disabled\n", cj->name);
        else if (lw_fmt_next_run(&cj->sched, now, &at, next, sizeof(next)) != LW_OK)
            printf("- %s: never runs\n", cj->name);
        else
            printf("- %s: Next run %s\n", cj->name, next);
        printf("    %s; ", desc);
        print_last_run(db, names, n, now);
    }
}

/* "1 (High Latency - gpt-4)", "3 (Service Down - gemini-1.5-pro x2, ...)" */
static void
print_alerts(lw_db *db, time_t from, time_t to)
{
    PGresult *res;
    lw_err err;
    long long total = 0, firing;
    int i, shown = 0;

    res = lw_db_stats_alerts_fired(db, &err, from, to);
    if (res == NULL) {
        printf("- Alerts triggered: unknown (%s)\n", err.msg);
        return;
    }
    for (i = 0; i < PQntuples(res); i++)
        total += lw_db_int(res, i, 3);
    if (total == 0) {
        printf("- Alerts triggered: none");
    } else {
        printf("- Alerts triggered: %lld (", total);
        for (i = 0; i < PQntuples(res) && shown < 5; i++, shown++) {
            const char *model = lw_db_str(res, i, 1);
            long long k = lw_db_int(res, i, 3);

            printf("%s%s%s%s", i > 0 ? ", " : "", lw_db_str(res, i, 0),
                   model && *model ? " - " : "", model ? model : "");
            if (k > 1)
                printf(" x%lld", k);
        }
        if (i < PQntuples(res))
            printf(", ...");
        printf(")");
    }
    PQclear(res);
    firing = lw_db_stats_alerts_firing(db, &err);
    if (firing > 0)
        printf("; %lld firing now", firing);
    printf("\n");
}

static int
print_recent(lw_db *db, time_t now)
{
    lw_db_stats_filter f;
    lw_db_stats_window_row w;
    PGresult *models = NULL, *tot = NULL;
    lw_buf per = { 0 };
    char num[32], buf[32];
    long long first = -1, count;
    int i, same = 1, rc = LW_EDB;
    lw_err err;

    memset(&f, 0, sizeof(f));
    f.from = now - RECENT_HOURS * 3600;
    f.to = now + 1;
    f.include_idle = 1;
    models = lw_db_stats_window(db, &err, &f);
    if (models == NULL)
        goto cleanup;
    tot = lw_db_stats_totals(db, &err, &f);
    if (tot == NULL)
        goto cleanup;

    printf("\nRecent Metrics (last %d hours):\n", RECENT_HOURS);
    count = lw_db_int(tot, 0, 0);
    if (count == 0) {
        printf("- Total checks: none yet");
        if (PQntuples(models) == 0)
            printf(" (no enabled model: llmwatch init --config FILE loads them)");
        printf("\n");
    } else {
        for (i = 0; i < PQntuples(models); i++) {
            lw_db_stats_window_get(models, i, &w);
            if (first < 0)
                first = w.count;
            else if (w.count != first)
                same = 0;
            lw_fmt_count(w.count, num, sizeof(num));
            lw_buf_printf(&per, "%s%s %s", i > 0 ? ", " : "", w.model, num);
        }
        lw_fmt_count(count, num, sizeof(num));
        if (same && PQntuples(models) > 1) {
            lw_fmt_count(first, buf, sizeof(buf));
            printf("- Total checks: %s (%s per model)\n", num, buf);
        } else {
            printf("- Total checks: %s (%s)\n", num, per.data ? per.data : "");
        }
    }
    print_alerts(db, f.from, f.to);
    if (lw_db_isnull(tot, 0, 3)) {
        printf("- Average response time: none yet\n");
    } else {
        lw_fmt_ms(lw_db_double(tot, 0, 3), buf, sizeof(buf));
        printf("- Average response time: %s", buf);
        lw_fmt_ms(lw_db_double(tot, 0, 4), buf, sizeof(buf));
        printf(" (p95 %s)\n", buf);
    }
    if (lw_db_isnull(tot, 0, 2)) {
        printf("- Success rate: none yet\n");
    } else {
        lw_fmt_percent(lw_db_double(tot, 0, 2), buf, sizeof(buf));
        printf("- Success rate: %s\n", buf);
    }
    rc = LW_OK;
cleanup:
    if (rc != LW_OK)
        fprintf(stderr, "llmwatch status: %s\n", err.msg);
    PQclear(models);
    PQclear(tot);
    lw_buf_free(&per);
    return rc;
}

int
lw_cmd_status(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config",   required_argument, NULL, 'c' },
        { "database", required_argument, NULL, 'd' },
        { "help",     no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *url = NULL, *config = NULL;
    lw_config *cfg = NULL;
    lw_db *db = NULL;
    lw_err err;
    time_t now;
    int ch, rc = 1;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:d:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': config = optarg; break;
        case 'd': url = optarg; break;
        default:
            fprintf(stderr, "usage: llmwatch status [--config FILE] [--database URL]\n");
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: llmwatch status [--config FILE] [--database URL]\n");
        return 2;
    }
    cfg = load_config(config, "status");
    if (cfg == NULL)
        goto cleanup;
    db = lw_db_connect(lw_db_default_url(url), "llmwatch status", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch status: %s\n", err.msg);
        goto cleanup;
    }
    now = time(NULL);
    printf("🚀 LLM Monitoring Status\n");
    printf("================================================================================\n");
    print_jobs(db, cfg, now);
    if (print_recent(db, now) != LW_OK)
        goto cleanup;
    /* the public address is known where the deployment says it
     * (make run sets it; systemd installs put it in the environment file) */
    if (getenv("LLMWATCH_PUBLIC_URL") != NULL && getenv("LLMWATCH_PUBLIC_URL")[0] != '\0')
        printf("\nDashboard available at: %s/\n", getenv("LLMWATCH_PUBLIC_URL"));
    rc = 0;
cleanup:
    lw_config_free(cfg);
    lw_db_close(db);
    return rc;
}

/* ---- metrics ---- */

enum { FMT_TABLE, FMT_JSON, FMT_CSV };

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
    struct tm tm;
    int i, e;

    if (root == NULL || arr == NULL) {
        json_object_put(root);
        json_object_put(arr);
        return LW_ENOMEM;
    }
    gmtime_r(&f->from, &tm);
    strftime(a, sizeof(a), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_object_add(root, "from", json_object_new_string(a));
    gmtime_r(&f->to, &tm);
    strftime(a, sizeof(a), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_object_add(root, "to", json_object_new_string(a));
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

static int
metrics_usage(void)
{
    fprintf(stderr, "usage: llmwatch metrics [--hours N] [--model NAME] [--environment NAME]\n"
                    "                        [--format table|json|csv] [--database URL]\n");
    return 2;
}

int
lw_cmd_metrics(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "hours",       required_argument, NULL, 'H' },
        { "model",       required_argument, NULL, 'm' },
        { "environment", required_argument, NULL, 'e' },
        { "format",      required_argument, NULL, 'f' },
        { "config",      required_argument, NULL, 'c' },
        { "database",    required_argument, NULL, 'd' },
        { "help",        no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *url = NULL;
    PGresult *rows = NULL, *errs = NULL, *tot = NULL;
    lw_db_stats_filter f;
    lw_db *db = NULL;
    lw_err err;
    char *end;
    long hours = 24;
    int ch, fmt = FMT_TABLE, rc = 1;

    memset(&f, 0, sizeof(f));
    optind = 1;
    while ((ch = getopt_long(argc, argv, "H:m:e:f:c:d:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'H':
            hours = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || hours < 1 || hours > 24 * 366) {
                fprintf(stderr, "llmwatch metrics: --hours must be a number of hours (1..8784)\n");
                return 2;
            }
            break;
        case 'm': f.model = optarg; break;
        case 'e': f.environment = optarg; break;
        case 'f':
            if (strcmp(optarg, "table") == 0)
                fmt = FMT_TABLE;
            else if (strcmp(optarg, "json") == 0)
                fmt = FMT_JSON;
            else if (strcmp(optarg, "csv") == 0)
                fmt = FMT_CSV;
            else {
                fprintf(stderr, "llmwatch metrics: --format is table, json or csv\n");
                return 2;
            }
            break;
        case 'c': break;   /* accepted for symmetry; metrics read only the database */
        case 'd': url = optarg; break;
        default:
            return metrics_usage();
        }
    }
    if (optind != argc)
        return metrics_usage();

    db = lw_db_connect(lw_db_default_url(url), "llmwatch metrics", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch metrics: %s\n", err.msg);
        goto cleanup;
    }
    f.to = time(NULL) + 1;
    f.from = f.to - (time_t) hours * 3600;
    f.include_idle = 1;
    rows = lw_db_stats_window(db, &err, &f);
    if (rows == NULL) {
        fprintf(stderr, "llmwatch metrics: %s\n", err.msg);
        goto cleanup;
    }
    if (f.model != NULL && PQntuples(rows) == 0) {
        fprintf(stderr, "llmwatch metrics: no model named '%s'%s%s\n", f.model,
                f.environment ? " in environment " : "", f.environment ? f.environment : "");
        goto cleanup;
    }
    errs = lw_db_stats_error_classes(db, &err, &f);
    if (errs != NULL)
        tot = lw_db_stats_totals(db, &err, &f);
    if (errs == NULL || tot == NULL) {
        fprintf(stderr, "llmwatch metrics: %s\n", err.msg);
        goto cleanup;
    }
    switch (fmt) {
    case FMT_JSON:  rc = metrics_json(rows, errs, tot, &f, (int) hours); break;
    case FMT_CSV:   rc = metrics_csv(rows, errs); break;
    default:        rc = metrics_table(rows, errs, tot, &f, (int) hours); break;
    }
    if (rc != LW_OK) {
        fprintf(stderr, "llmwatch metrics: out of memory\n");
        rc = 1;
    }
cleanup:
    PQclear(rows);
    PQclear(errs);
    PQclear(tot);
    lw_db_close(db);
    return rc;
}
