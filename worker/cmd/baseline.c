/* baseline.c: `llmwatch baseline create` runs a suite N rounds against
 * every model, stores those probes, computes each model's baseline in SQL
 * over that run (lib/db/baselines.c) and makes it the active one;
 * `llmwatch baseline report` writes a standalone HTML page of the active
 * baselines with a latency histogram per model (templates/baseline_report.cs
 * in templates/print_layout.cs, rendered by lib/render, charts by lib/chart). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "cmd/cmd.h"
#include "db/baselines.h"
#include "fmt.h"
#include "hdf.h"
#include "money.h"
#include "render.h"
#include "times.h"
#include "probe/probe.h"
#include "probe/cycle.h"

#define RULE "================================================================================"

/* ---- create ------------------------------------------------------------------ */

static void
progress(int round, int rounds, int tty)
{
    char bar[41];
    int i, filled = rounds > 0 ? round * 40 / rounds : 40;

    if (!tty) {
        printf("round %d/%d done\n", round, rounds);
        fflush(stdout);
        return;
    }
    for (i = 0; i < 40; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[40] = '\0';
    printf("\r[%s] round %d/%d", bar, round, rounds);
    if (round == rounds)
        printf("\n");
    fflush(stdout);
}

static void
print_model(const lw_cycle_model *m, const PGresult *res)
{
    char cost[40];
    int r;
    int64_t micros;

    printf("Model: %s\n", m->name);
    for (r = 0; r < PQntuples(res); r++) {
        if (lw_db_int(res, r, 0) != m->model_id || lw_db_int(res, r, 1) != m->environment_id)
            continue;
        printf("- Average Latency: %.2fs", lw_db_double(res, r, 2) / 1000.0);
        if (!lw_db_isnull(res, r, 3))
            printf(" (\xC2\xB1%.2fs)", lw_db_double(res, r, 3) / 1000.0);
        printf("\n- P95 Latency: %.2fs\n", lw_db_double(res, r, 4) / 1000.0);
        printf("- Success Rate: %.1f%%\n", lw_db_double(res, r, 5) * 100.0);
        if (lw_db_isnull(res, r, 6))
            printf("- Tokens/Second: n/a\n");
        else
            printf("- Tokens/Second: %.1f\n", lw_db_double(res, r, 6));
        if (lw_db_isnull(res, r, 7) || lw_money_parse(lw_db_str(res, r, 7), &micros) != LW_OK
            || lw_money_format_fine(micros, cost, sizeof(cost)) != LW_OK)
            printf("- Cost/1K Tokens: n/a\n");
        else
            printf("- Cost/1K Tokens: %s\n", cost);
        if (lw_db_isnull(res, r, 8))
            printf("- Quality Score: n/a (no scored case)\n");
        else
            printf("- Quality Score: %.1f/100\n", lw_db_double(res, r, 8));
        return;
    }
    printf("- No baseline: %ld/%ld requests succeeded", m->ok, m->n);
    if (m->errors[0] != '\0')
        printf(" (%s%s%s)", m->errors, m->first_error[0] ? ": " : "", m->first_error);
    printf("; the previous baseline stays active\n");
}

static int
cmd_create(lw_cli *cli)
{
    static const char opts[] = "iterations:n test-suite:s suite:s model:m";
    lw_cmd_cycle_args co;
    lw_cycle_opts *o = &co.cycle;
    lw_config *cfg;
    lw_db *db;
    lw_cycle c;
    lw_err err, ignored;
    PGresult *res = NULL;
    lw_suite *suite = NULL;
    size_t i;
    int round, rounds, rc, tty = isatty(STDOUT_FILENO), saved;

    memset(&co, 0, sizeof(co));
    memset(&c, 0, sizeof(c));
    o->kind = LW_CYCLE_BASELINE;
    co.suite = "comprehensive";
    co.iterations = 10;
    co.max_iterations = 10000;
    if ((rc = lw_cli_parse(cli, opts, lw_cmd_cycle_opt, &co)) != LW_CLI_GO)
        return rc;
    o->suite = co.suite;
    rounds = (int) co.iterations;
    if (o->n_models > 0)
        o->models = co.models;
    if (lw_cli_config(cli) != LW_CLI_GO)
        return 1;
    cfg = cli->cfg;
    rc = 1;
    if (lw_suite_load(o->suite, &suite, &err) != LW_OK) {
        fprintf(stderr, "llmwatch baseline create: %s\n", err.msg);
        goto cleanup;
    }
    lw_suite_free(suite);
    o->iterations = 1;   /* one round at a time: progress, and a spread over time */
    o->timeout_s = (int) cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].timeout;

    if ((db = lw_cli_db(cli)) == NULL)
        goto cleanup;
    if (lw_cycle_begin(db, cfg, o->kind, o->suite, rounds, &c, &err) != LW_OK) {
        fprintf(stderr, "llmwatch baseline create: %s\n", err.msg);
        goto cleanup;
    }
    for (round = 1; round <= rounds; round++) {
        if (lw_cycle_run(db, cfg, o, &c, &err) != LW_OK) {
            if (tty)
                printf("\n");
            fprintf(stderr, "llmwatch baseline create: round %d: %s\n", round, err.msg);
            lw_cycle_end(db, &c, err.msg, &ignored);
            goto cleanup;
        }
        progress(round, rounds, tty);
    }
    if (lw_cycle_summarize(db, &c, &err) != LW_OK
        || (res = lw_db_baselines_create(db, &err, c.cycle_id, c.since, rounds, o->suite)) == NULL) {
        fprintf(stderr, "llmwatch baseline create: %s\n", err.msg);
        lw_cycle_end(db, &c, err.msg, &ignored);
        goto cleanup;
    }
    lw_cycle_end(db, &c, NULL, &ignored);

    saved = PQntuples(res);
    printf("\n\xF0\x9F\x93\x8A Baseline Performance Established\n%s\n", RULE);
    for (i = 0; i < c.n_models; i++) {
        if (i > 0)
            printf("\n");
        print_model(&c.models[i], res);
    }
    printf("\n");
    if (saved > 0) {
        printf("\xE2\x9C\x93 Baselines saved for regression detection");
        if ((size_t) saved < c.n_models)
            printf(" (%d of %zu models)", saved, c.n_models);
        printf("\n");
        rc = 0;
    } else {
        printf("\xE2\x9C\x97 No baseline saved: no model answered successfully\n");
    }
cleanup:
    fflush(stdout);
    PQclear(res);
    lw_cycle_free(&c);
    return rc;
}

/* ---- report --------------------------------------------------------------------- */


/* Latency histogram of each active baseline's run (successful requests):
 * between 5 and 30 equal bins (about the square root of the samples) from
 * the fastest to the slowest request. */

static void
fmt_s(const PGresult *res, int r, int col, const char *prefix, char *buf, size_t size)
{
    if (lw_db_isnull(res, r, col))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%s%.2fs", prefix, lw_db_double(res, r, col) / 1000.0);
}

static void
hset(lw_hdf *h, int i, const char *field, const char *value)
{
    char name[64];

    snprintf(name, sizeof(name), "Baselines.%d.%s", i, field);
    lw_hdf_set(h, name, value);
}

/* A number of res in fmt, "-" when NULL. */
static void
hset_num(lw_hdf *h, int i, const char *field, const PGresult *res, int r, int col,
         const char *fmt)
{
    char a[64];

    if (lw_db_isnull(res, r, col))
        snprintf(a, sizeof(a), "-");
    else
        snprintf(a, sizeof(a), fmt, lw_db_double(res, r, col));
    hset(h, i, field, a);
}

/* One row of lw_db_baselines_active and its chart into Baselines.i. */
static void
fill_row(lw_hdf *h, int i, const PGresult *res, int r, const PGresult *hist, lw_buf *svg)
{
    char a[64], title[320];
    lw_chart_bin bins[30];
    lw_chart_opts co;
    int64_t micros;
    size_t nb = 0;
    int k;

    hset(h, i, "model", lw_db_str(res, r, 1));
    hset(h, i, "environment", lw_db_str(res, r, 2));
    hset(h, i, "suite", lw_db_str(res, r, 3));
    hset(h, i, "iterations", lw_db_str(res, r, 4));
    hset(h, i, "samples", lw_db_str(res, r, 5));
    fmt_s(res, r, 6, "", a, sizeof(a));
    hset(h, i, "latency_mean", a);
    fmt_s(res, r, 7, "\xC2\xB1", a, sizeof(a));
    hset(h, i, "latency_stddev", a);
    fmt_s(res, r, 8, "", a, sizeof(a));
    hset(h, i, "latency_p95", a);
    lw_fmt_ms(lw_db_isnull(res, r, 9) ? NAN : lw_db_double(res, r, 9), a, sizeof(a));
    hset(h, i, "ttft_mean", a);
    lw_fmt_ms(lw_db_isnull(res, r, 10) ? NAN : lw_db_double(res, r, 10), a, sizeof(a));
    hset(h, i, "ttft_p95", a);
    snprintf(a, sizeof(a), "%.1f%%", lw_db_double(res, r, 11) * 100.0);
    hset(h, i, "success_rate", a);
    hset_num(h, i, "tokens_per_second", res, r, 12, "%.1f");
    if (lw_db_isnull(res, r, 13) || lw_money_parse(lw_db_str(res, r, 13), &micros) != LW_OK
        || lw_money_format_fine(micros, a, sizeof(a)) != LW_OK)
        snprintf(a, sizeof(a), "-");
    hset(h, i, "cost_per_1k", a);
    hset_num(h, i, "quality", res, r, 14, "%.1f/100");
    hset(h, i, "created", lw_db_str(res, r, 15));
    hset(h, i, "tokens_rate", lw_db_str(res, r, 16));

    for (k = 0; k < PQntuples(hist) && nb < LW_ARRAY_LEN(bins); k++) {
        if (lw_db_int(hist, k, 0) != lw_db_int(res, r, 0))
            continue;
        bins[nb].count = lw_db_double(hist, k, 2);
        bins[nb].lo = lw_db_double(hist, k, 3);
        bins[nb].hi = lw_db_double(hist, k, 4);
        nb++;
    }
    snprintf(title, sizeof(title), "%s: total latency of successful requests",
             lw_db_str(res, r, 1) ? lw_db_str(res, r, 1) : "");
    memset(&co, 0, sizeof(co));
    co.title = title;
    co.unit = "ms";
    co.x_label = "total latency";
    co.y_label = "requests";
    co.width = 720;
    co.height = 260;
    lw_buf_reset(svg);
    if (lw_chart_histogram(svg, &co, bins, nb) != LW_OK) {
        h->failed = 1;
        lw_err_set(&h->err, "chart: out of memory");
        return;
    }
    hset(h, i, "chart", svg->data);
}

/* The report page (templates/baseline_report.cs) in the standalone print
 * layout: one document, no external resources. */
static int
render_report(lw_cli *cli, const PGresult *res, const PGresult *hist, lw_buf *html)
{
    lw_hdf h;
    lw_buf svg = { 0 };
    char now[40];
    int r, rc;

    if (lw_render_init(lw_cli_datapath(cli, "templates"), &cli->err) != LW_OK)
        return LW_ERROR;
    lw_hdf_init(&h);
    lw_time_format(time(NULL), LW_TIME_MINUTE, now, sizeof(now));
    lw_hdf_set(&h, "Page.title", "Baseline Performance");
    lw_hdf_set(&h, "Report.generated", now);
    lw_hdf_set_int(&h, "Report.count", PQntuples(res));
    for (r = 0; r < PQntuples(res); r++)
        fill_row(&h, r, res, r, hist, &svg);
    rc = lw_render(&h, "baseline_report", "print_layout", html, &cli->err);
    lw_hdf_destroy(&h);
    lw_buf_free(&svg);
    lw_render_shutdown();
    return rc;
}

/* Writes data to path through a temporary file and a rename. */
static int
write_file(const char *path, const char *data, size_t len, lw_err *err)
{
    lw_buf tmp = { 0 };
    FILE *f;
    int rc = LW_EIO;

    if (lw_buf_printf(&tmp, "%s.tmp.%d", path, (int) getpid()) != LW_OK) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    f = fopen(tmp.data, "w");
    if (f == NULL) {
        lw_err_set(err, "%s: %s", tmp.data, strerror(errno));
        goto cleanup;
    }
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        lw_err_set(err, "%s: %s", tmp.data, strerror(errno));
        if (f != NULL)
            unlink(tmp.data);
        goto cleanup;
    }
    if (rename(tmp.data, path) != 0) {
        lw_err_set(err, "%s: %s", path, strerror(errno));
        unlink(tmp.data);
        goto cleanup;
    }
    rc = LW_OK;
cleanup:
    lw_buf_free(&tmp);
    return rc;
}

static int
on_report_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    (void) cli;
    (void) ch;
    *(const char **) ctx = arg;
    return 0;
}

static int
cmd_report(lw_cli *cli)
{
    static const char opts[] = "output:o";
    const char *output = "baseline_report.html";
    PGresult *res = NULL, *hist = NULL;
    lw_buf html = { 0 };
    lw_db *db;
    int rc;

    if ((rc = lw_cli_parse_db(cli, opts, on_report_opt, &output, &db)) != LW_CLI_GO)
        return rc;
    rc = 1;
    res = lw_db_baselines_active(db, &cli->err);
    if (res != NULL)
        hist = lw_db_baselines_histograms(db, &cli->err);
    if (res == NULL || hist == NULL) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    if (render_report(cli, res, hist, &html) != LW_OK
        || write_file(output, html.data ? html.data : "", html.len, &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    printf("\xE2\x9C\x93 Baseline report written: %s (%d model%s)\n", output, PQntuples(res),
           PQntuples(res) == 1 ? "" : "s");
    rc = 0;
cleanup:
    PQclear(res);
    PQclear(hist);
    lw_buf_free(&html);
    return rc;
}

int
lw_cmd_baseline(lw_cli *cli)
{
    const char *sub = lw_cli_subcommand(cli);

    if (sub != NULL && strcmp(sub, "create") == 0)
        return cmd_create(cli);
    if (sub != NULL && strcmp(sub, "report") == 0)
        return cmd_report(cli);
    if (sub == NULL)
        return lw_cli_no_subcommand(cli);
    return lw_cli_usage(cli, stderr, 0);
}
