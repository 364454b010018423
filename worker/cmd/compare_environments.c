/* compare_environments.c: `llmwatch compare-environments`: one metric
 * (latency, ttft, error_rate, cost) of two or more environments over a
 * period, from the rollups: each environment's distribution (percentiles
 * and histogram of the merged latency histograms; hourly values), and for
 * each environment against the first, Welch's t-test on the hourly means
 * (unequal variances; the hours are the samples) with Holm's correction
 * for the comparisons made, at --alpha. --output writes the HTML
 * (templates/costs_environments.cs in print_layout.cs, charts by
 * lib/chart.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert/stats.h"
#include "chart.h"
#include "cmd/cmd.h"
#include "db/costs.h"
#include "duration.h"
#include "fmt.h"
#include "render.h"
#include "rollup.h"
#include "times.h"

#define MAX_ENVS 8

enum { X_LATENCY, X_TTFT, X_ERRORS, X_COST, X_COUNT };
static const char *const metric_names[X_COUNT] = { "latency", "ttft", "error_rate", "cost" };
static const char *const metric_what[X_COUNT] = {
    "mean latency of the hour", "mean time to first token of the hour", "error rate of the hour",
    "cost of the hour"
};

struct opts {
    const char *envs, *metric, *period, *model, *output, *at;
    double alpha;
};

typedef struct {
    const char *name;
    double *v;                 /* hourly values (no gaps: hours with probes) */
    double *t;
    size_t n;
    lw_stats_welch w;          /* against the first environment */
    double p_adj;
    int tested, significant;
} env_series;

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;
    const char **const fields[] = {
        &o->envs, &o->metric, &o->period, &o->model, &o->output, &o->at
    };

    if (lw_cli_keep(ch, arg, "EMpmot", fields))
        return 0;
    return lw_cli_real_opt(cli, arg, 0, 0.5, 0, &o->alpha,
                           "--alpha is a significance level such as 0.05");
}

static void
fmt_metric(int metric, double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (metric == X_LATENCY || metric == X_TTFT)
        lw_fmt_ms(v, buf, size);
    else if (metric == X_ERRORS)
        snprintf(buf, size, "%.3f%%", 100 * v);
    else
        snprintf(buf, size, "$%.4f", v);
}

/* "= 0.0312" or "< 0.0001" (pool memory). */
static const char *
pval(lw_pool *pool, double p)
{
    return p < 0.0001 ? "< 0.0001" : lw_pool_printf(pool, "= %.3g", p);
}

/* Holm's step-down: p-values adjusted for the m comparisons made. */
static void
holm(env_series *e, size_t n)
{
    size_t i, j, order[MAX_ENVS], m = 0, tmp;
    double run = 0, a;

    for (i = 1; i < n; i++)
        if (e[i].tested)
            order[m++] = i;
    for (i = 0; i < m; i++)
        for (j = i + 1; j < m; j++)
            if (e[order[j]].w.p < e[order[i]].w.p) {
                tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
    for (i = 0; i < m; i++) {
        a = (double) (m - i) * e[order[i]].w.p;
        run = a > run ? a : run;
        e[order[i]].p_adj = run > 1 ? 1 : run;
    }
}

static int
load(lw_cli *cli, lw_db *db, const struct opts *o, int metric, const char *envs_arr,
     long long from, long long to, env_series *e, size_t ne)
{
    PGresult *res = lw_db_costs_env(db, &cli->err, LW_DB_COSTS_ENV_HOURLY, envs_arr, o->model,
                                    from, to);
    size_t k;
    int i, col = metric == X_LATENCY ? 4 : metric == X_TTFT ? 5 : 6;

    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    for (k = 0; k < ne; k++) {
        e[k].v = lw_pool_alloc(cli->pool, ((size_t) PQntuples(res) + 1) * sizeof(double));
        e[k].t = lw_pool_alloc(cli->pool, ((size_t) PQntuples(res) + 1) * sizeof(double));
        if (e[k].v == NULL || e[k].t == NULL)
            return lw_cli_fail(cli, "out of memory");
    }
    for (i = 0; i < PQntuples(res); i++) {
        for (k = 0; k < ne && !lw_streq(e[k].name, lw_db_str(res, i, 0)); k++)
            ;
        if (k == ne)
            continue;
        if (metric == X_ERRORS) {
            e[k].v[e[k].n] = lw_db_int(res, i, 2) > 0
                ? (double) lw_db_int(res, i, 3) / (double) lw_db_int(res, i, 2) : NAN;
        } else {
            e[k].v[e[k].n] = lw_db_isnull(res, i, col) ? NAN : lw_db_double(res, i, col);
        }
        e[k].t[e[k].n++] = (double) lw_db_int(res, i, 1);
    }
    PQclear(res);
    return 0;
}

/* The merged latency histogram of an environment as chart bins, four
 * rollup buckets to a bin. */
static size_t
hist_bins(const char *text, lw_chart_bin *bins, size_t max)
{
    int h[LW_ROLLUP_BUCKETS];
    long long total;
    size_t n = 0;
    int k, j;

    if (text == NULL || lw_rollup_hist_parse(text, h, LW_ROLLUP_BUCKETS, &total) != LW_OK)
        return 0;
    for (k = 0; k + 3 < LW_ROLLUP_BUCKETS && n < max; k += 4) {
        double c = 0;

        for (j = 0; j < 4; j++)
            c += h[k + j];
        if (c == 0)
            continue;
        bins[n].lo = lw_rollup_bucket_lo(k);
        bins[n].hi = lw_rollup_bucket_hi(k + 3);
        bins[n++].count = c;
    }
    return n;
}

static int
write_html(lw_cli *cli, const struct opts *o, int metric, env_series *e, size_t ne,
           const PGresult *tot, const char *label)
{
    lw_chart_series s[MAX_ENVS];
    lw_chart_bin bins[LW_ROLLUP_BUCKETS / 4 + 1];
    lw_chart_opts co;
    lw_hdf h = { 0 };
    lw_buf html = { 0 }, svg = { 0 };
    char name[64], a[40], b[40], c[40];
    size_t k, nb;
    FILE *fp;
    int i, rc = 1;

    if (lw_render_init(lw_cli_datapath(cli, "templates"), &cli->err) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    lw_hdf_init(&h);
    lw_hdf_set(&h, "Page.title", "Environment comparison");
    lw_hdf_set(&h, "Cmp.metric", metric_names[metric]);
    lw_hdf_set(&h, "Cmp.what", metric_what[metric]);
    lw_hdf_set(&h, "Cmp.period", label);
    lw_hdf_set(&h, "Cmp.model", o->model);
    snprintf(a, sizeof(a), "%g", o->alpha);
    lw_hdf_set(&h, "Cmp.alpha", a);
    for (k = 0; k < ne; k++) {
        snprintf(name, sizeof(name), "Cmp.envs.%zu", k);
        lw_hdf_set(&h, lw_pool_printf(cli->pool, "%s.name", name), e[k].name);
        lw_hdf_set_int(&h, lw_pool_printf(cli->pool, "%s.hours", name), (long long) e[k].w.nb);
        fmt_metric(metric, k == 0 ? e[1 % ne].w.mean_a : e[k].w.mean_b, a, sizeof(a));
        lw_hdf_set(&h, lw_pool_printf(cli->pool, "%s.mean", name), a);
        fmt_metric(metric, k == 0 ? e[1 % ne].w.sd_a : e[k].w.sd_b, a, sizeof(a));
        lw_hdf_set(&h, lw_pool_printf(cli->pool, "%s.sd", name), a);
        for (i = 0; i < PQntuples(tot); i++)
            if (lw_streq(lw_db_str(tot, i, 0), e[k].name))
                lw_hdf_row(&h, name, tot, i);
        if (k > 0 && e[k].tested) {
            fmt_metric(metric, e[k].w.diff, a, sizeof(a));
            fmt_metric(metric, e[k].w.lo, b, sizeof(b));
            fmt_metric(metric, e[k].w.hi, c, sizeof(c));
            lw_hdf_set(&h, lw_pool_printf(cli->pool, "%s.diff", name),
                       lw_pool_printf(cli->pool, "%s [%s, %s]", a, b, c));
            lw_hdf_set(&h, lw_pool_printf(cli->pool, "%s.rel", name), lw_pool_printf(cli->pool,
                       "%+.1f%%", 100 * e[k].w.diff / e[k].w.mean_a));
            lw_hdf_set(&h, lw_pool_printf(cli->pool, "%s.test", name), lw_pool_printf(cli->pool,
                       "t = %.2f, df = %.1f, p %s (Holm: %s)", e[k].w.t, e[k].w.df,
                       pval(cli->pool, e[k].w.p), pval(cli->pool, e[k].p_adj)));
            lw_hdf_set_int(&h, lw_pool_printf(cli->pool, "%s.significant", name),
                           e[k].significant);
        }
        s[k] = (lw_chart_series) { .name = e[k].name, .t = e[k].t, .v = e[k].v, .n = e[k].n };
        nb = 0;
        for (i = 0; i < PQntuples(tot); i++)
            if (lw_streq(lw_db_str(tot, i, 0), e[k].name))
                nb = hist_bins(lw_db_str(tot, i, 4), bins, LW_ARRAY_LEN(bins));
        memset(&co, 0, sizeof(co));
        co.title = lw_pool_printf(cli->pool, "%s: latency of successful probes", e[k].name);
        co.unit = "ms";
        co.height = 200;
        lw_buf_reset(&svg);
        if (lw_chart_histogram(&svg, &co, bins, nb) == LW_OK)
            lw_hdf_set(&h, lw_pool_printf(cli->pool, "%s.hist", name), svg.data ? svg.data : "");
    }
    memset(&co, 0, sizeof(co));
    co.title = lw_pool_printf(cli->pool, "%s, by environment", metric_what[metric]);
    co.unit = metric == X_LATENCY || metric == X_TTFT ? "ms" : NULL;
    lw_buf_reset(&svg);
    if (lw_chart_line(&svg, &co, s, ne) == LW_OK)
        lw_hdf_set(&h, "Cmp.chart", svg.data ? svg.data : "");
    if (lw_render(&h, "costs_environments", "print_layout", &html, &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    fp = fopen(o->output, "w");
    if (fp == NULL || fwrite(html.data, 1, html.len, fp) != html.len || fclose(fp) != 0) {
        lw_cli_fail(cli, "cannot write %s", o->output);
        goto cleanup;
    }
    printf("\n✓ report written: %s\n", o->output);
    rc = 0;
cleanup:
    lw_hdf_destroy(&h);
    lw_buf_free(&html);
    lw_buf_free(&svg);
    lw_render_shutdown();
    return rc;
}

int
lw_cmd_compare_environments(lw_cli *cli)
{
    static const char opts[] = "envs:E metric:M period:p model:m output:o alpha:a at:t";
    struct opts o = { NULL, "latency", "7d", NULL, NULL, NULL, 0.05 };
    const char *names[MAX_ENVS], *p, *arr;
    env_series e[MAX_ENVS];
    char a[40], b[40], label[160];
    time_t at = time(NULL), from, to;
    int64_t period;
    size_t ne = 0, k, len;
    PGresult *tot;
    lw_db *db;
    int rc, metric, i;

    if ((rc = lw_cli_parse(cli, opts, on_opt, &o)) != LW_CLI_GO)
        return rc;
    for (metric = 0; metric < X_COUNT && strcmp(o.metric, metric_names[metric]) != 0; metric++)
        ;
    if (metric == X_COUNT || o.envs == NULL
        || lw_duration_parse(o.period, &period, &cli->err) != LW_OK || period < 3600
        || (o.at != NULL && lw_time_parse(o.at, &at) != LW_OK)) {
        fprintf(stderr, "%s: --envs A,B[,C...] is required; --metric is latency, ttft, "
                        "error_rate or cost; --period at least 1h (7d); --at a time\n", cli->prog);
        return 2;
    }
    for (p = o.envs; *p != '\0' && ne < MAX_ENVS; p += len + (p[len] == ',')) {
        len = strcspn(p, ",");
        if (len > 0)
            names[ne++] = lw_pool_strndup(cli->pool, p, len);
    }
    if (ne < 2) {
        fprintf(stderr, "%s: --envs names two environments or more (at most %d)\n", cli->prog,
                MAX_ENVS);
        return 2;
    }
    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    to = at - at % 3600;
    from = to - (time_t) ((period + 3599) / 3600 * 3600);
    arr = lw_db_text_array_pool(cli->pool, names, ne);
    memset(e, 0, sizeof(e));
    for (k = 0; k < ne; k++)
        e[k].name = names[k];
    if (load(cli, db, &o, metric, arr, (long long) from, (long long) to, e, ne) != 0)
        return 1;
    tot = lw_db_costs_env(db, &cli->err, LW_DB_COSTS_ENV_TOTALS, arr, o.model, (long long) from,
                          (long long) to);
    if (tot == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    for (k = 1; k < ne; k++) {
        e[k].tested = lw_stats_welch_test(e[0].v, e[0].n, e[k].v, e[k].n, 0.95, &e[k].w) == LW_OK;
    }
    holm(e, ne);
    lw_time_format(from, LW_TIME_MINUTE, a, sizeof(a));
    lw_time_format(to, LW_TIME_MINUTE, b, sizeof(b));
    snprintf(label, sizeof(label), "%s to %s", a, b);
    printf("Environments compared on the %s, %s%s%s\n", metric_what[metric], label,
           o.model ? ", model " : "", o.model ? o.model : "");
    printf("Test: Welch's t-test on hourly means (unequal variances), each environment against "
           "%s, Holm-adjusted, alpha %g\n\n", names[0], o.alpha);
    printf("%-16s %6s %12s %12s %10s %10s %10s\n", "environment", "hours", "mean", "sd", "p50",
           "p95", "p99");
    for (k = 0; k < ne; k++) {
        const char *p50 = "-", *p95 = "-", *p99 = "-";

        for (i = 0; i < PQntuples(tot); i++)
            if (lw_streq(lw_db_str(tot, i, 0), names[k])) {
                p50 = lw_pool_printf(cli->pool, "%.0f", lw_db_double(tot, i, 6));
                p95 = lw_pool_printf(cli->pool, "%.0f", lw_db_double(tot, i, 7));
                p99 = lw_pool_printf(cli->pool, "%.0f", lw_db_double(tot, i, 8));
            }
        fmt_metric(metric, k == 0 ? e[1].w.mean_a : e[k].w.mean_b, a, sizeof(a));
        fmt_metric(metric, k == 0 ? e[1].w.sd_a : e[k].w.sd_b, b, sizeof(b));
        printf("%-16s %6zu %12s %12s %10s %10s %10s\n", names[k], e[k].n, a, b, p50, p95, p99);
    }
    printf("\n");
    rc = 0;
    for (k = 1; k < ne; k++) {
        if (!e[k].tested) {
            printf("%s vs %s: not enough hourly data to test (two hours with probes each)\n",
                   names[k], names[0]);
            rc = 1;
            continue;
        }
        e[k].significant = e[k].p_adj < o.alpha;
        printf("%s vs %s: %+.1f%% (t = %.2f, df = %.1f, p %s, Holm %s): %s\n", names[k],
               names[0], 100 * e[k].w.diff / e[k].w.mean_a, e[k].w.t, e[k].w.df,
               pval(cli->pool, e[k].w.p), pval(cli->pool, e[k].p_adj),
               e[k].significant ? "SIGNIFICANT" : "not significant");
    }
    if (o.output != NULL && write_html(cli, &o, metric, e, ne, tot, label) != 0)
        rc = 1;
    PQclear(tot);
    return rc;
}
