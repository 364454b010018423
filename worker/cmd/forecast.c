/* forecast.c: `llmwatch forecast`: a model's hourly measures (mean and
 * p95 latency, error rate, cost) over the last --history-days from the
 * 1h rollups, forecast --hours ahead by seasonal Holt-Winters with
 * prediction intervals at --confidence (lib/forecast.c states the model),
 * and when the SLA is likely exceeded. --backtest scores the same model
 * on the past: rolling origins, each fitted on what came before, their
 * forecasts compared with what happened (MAPE, interval coverage). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "db/costs.h"
#include "db/custom.h"
#include "fmt.h"
#include "forecast.h"
#include "times.h"
#include "usage.h"

#define SEASON 24
#define MAX_HOURS 168
#define STR_(x) #x
#define STR(x) STR_(x)

enum { M_LATENCY, M_P95, M_ERRORS, M_COST, M_COUNT };
/* custom metrics (custom.NAME) come after the built-in ones */
#define MAX_METRICS (M_COUNT + 4)

typedef struct {
    const char *name, *what;
    int unit;                 /* 0 ms, 1 ratio, 2 dollars, 3 a plain number */
} metric;

static metric metrics[MAX_METRICS] = {
    { "latency", "mean latency", 0 },
    { "p95_latency", "p95 latency", 0 },
    { "error_rate", "error rate", 1 },
    { "cost", "cost per hour", 2 },
};
static int n_metrics = M_COUNT;

struct opts {
    const char *model, *environment, *metrics, *at;
    long long hours, history_days, backtest_days;
    double confidence;
    int backtest;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;
    const char **const fields[] = { &o->model, &o->environment, &o->metrics, &o->at };

    if (lw_cli_keep(ch, arg, "meMt", fields))
        return 0;
    switch (ch) {
    case 'b': o->backtest = 1; return 0;
    case 'H':
        return lw_cli_int_opt(cli, arg, 1, MAX_HOURS, &o->hours, "--hours is 1 to " STR(MAX_HOURS));
    case 'D':
        return lw_cli_int_opt(cli, arg, 3, 365, &o->history_days, "--history-days is 3 to 365");
    case 'B':
        return lw_cli_int_opt(cli, arg, 1, 90, &o->backtest_days, "--backtest-days is 1 to 90");
    default:
        return lw_cli_real_opt(cli, arg, 0.5, 1, LW_CLI_LO, &o->confidence,
                               "--confidence is a probability from 0.5 to 0.999 (e.g. 0.95)");
    }
}

static void
fmt_value(int unit, double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (unit == 0)
        lw_fmt_ms(v, buf, size);
    else if (unit == 1)
        snprintf(buf, size, "%.2f%%", 100 * v);
    else if (unit == 2)
        snprintf(buf, size, "$%.4f", v);
    else
        snprintf(buf, size, "%.4g", v);
}

/* A custom metric's hourly means into y (NaN: no value that hour). */
static int
load_custom(lw_cli *cli, lw_db *db, long long model_id, const char *name, long long from,
            long long to, double *y, size_t n)
{
    PGresult *res = lw_db_custom_hourly(db, &cli->err, model_id, name, from, to);
    size_t i;
    long long h;
    int r;

    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    for (i = 0; i < n; i++)
        y[i] = NAN;
    for (r = 0; r < PQntuples(res); r++) {
        h = (lw_db_int(res, r, 0) - from) / 3600;
        if (h >= 0 && (size_t) h < n)
            y[h] = lw_db_isnull(res, r, 3) ? NAN : lw_db_double(res, r, 3);
    }
    PQclear(res);
    return 0;
}

/* The hourly series of each metric (NaN: no data that hour). */
static int
load_series(lw_cli *cli, lw_db *db, long long model_id, long long from, long long to,
            double *y[MAX_METRICS], size_t *n)
{
    PGresult *res = lw_db_costs_hourly(db, &cli->err, model_id, from, to);
    int i, k;

    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    *n = (size_t) PQntuples(res);
    for (k = 0; k < n_metrics; k++)
        y[k] = lw_pool_alloc(cli->pool, (*n + 1) * sizeof(double));
    for (i = 0; i < PQntuples(res); i++) {
        long long cnt = lw_db_int(res, i, 1);

        y[M_LATENCY][i] = lw_db_isnull(res, i, 3) ? NAN : lw_db_double(res, i, 3);
        y[M_P95][i] = lw_db_isnull(res, i, 4) ? NAN : lw_db_double(res, i, 4);
        y[M_ERRORS][i] = cnt > 0 ? (double) lw_db_int(res, i, 2) / (double) cnt : NAN;
        y[M_COST][i] = lw_db_double(res, i, 5);
    }
    PQclear(res);
    for (k = M_COUNT; k < n_metrics; k++)
        if (load_custom(cli, db, model_id, metrics[k].name + 7, from, to, y[k], *n) != 0)
            return 1;
    return 0;
}

static int
print_backtest(const struct opts *o, const unsigned want, double *y[MAX_METRICS], size_t n)
{
    lw_forecast_score sc;
    size_t first = n > (size_t) o->backtest_days * 24 ? n - (size_t) o->backtest_days * 24 : 0;
    char mape[32], cov[32];
    int k, any = 0;

    printf("Backtest: origins every 6 hours over the last %lld day%s, each fitted on the hours "
           "before it, forecasting %lld hours\n\n", o->backtest_days,
           o->backtest_days == 1 ? "" : "s", o->hours);
    printf("%-14s %8s %8s %10s %22s\n", "metric", "origins", "points", "MAPE",
           "interval coverage");
    for (k = 0; k < n_metrics; k++) {
        if (!(want & (1u << k)))
            continue;
        memset(&sc, 0, sizeof(sc));
        if (first < 2 * SEASON + 3)
            first = 2 * SEASON + 3;
        lw_forecast_hw_backtest(y[k], n, SEASON, k < M_COUNT, first, 6, (int) o->hours,
                                o->confidence, &sc);
        snprintf(mape, sizeof(mape), isnan(lw_forecast_mape(&sc)) ? "-" : "%.1f%%",
                 lw_forecast_mape(&sc));
        snprintf(cov, sizeof(cov), isnan(lw_forecast_coverage(&sc)) ? "-" : "%.1f%% (of %.0f%%)",
                 lw_forecast_coverage(&sc), 100 * o->confidence);
        printf("%-14s %8zu %8zu %10s %22s\n", metrics[k].name, sc.origins, sc.points, mape, cov);
        any |= sc.points > 0;
    }
    printf("\nMAPE: mean absolute percentage error over hours whose actual value is not 0.\n");
    return any ? 0 : 1;
}

static int
print_forecast(const struct opts *o, unsigned want, double *y[MAX_METRICS], size_t n, time_t to,
               double sla_ms)
{
    lw_forecast_hw f[MAX_METRICS];
    int ok[MAX_METRICS], k, h, likely = -1, possibly = -1;
    double p, lo, hi;
    char a[32], b[32], c[32], when[40], cell[112];

    for (k = 0; k < n_metrics; k++) {
        ok[k] = (want & (1u << k)) && lw_forecast_hw_fit(y[k], n, SEASON, k < M_COUNT,
                                                          (int) o->hours, o->confidence,
                                                          &f[k]) == LW_OK;
        if ((want & (1u << k)) && !ok[k])
            printf("%s: not enough hourly data to fit a model (needs two days)\n",
                   metrics[k].what);
    }
    printf("%-17s", "hour (UTC)");
    for (k = 0; k < n_metrics; k++)
        if (ok[k])
            printf("  %-34s", metrics[k].what);
    printf("\n");
    for (h = 1; h <= (int) o->hours; h++) {
        lw_time_format(to + (time_t) (h - 1) * 3600, LW_TIME_MINUTE, when, sizeof(when));
        printf("%-17.16s", when);
        for (k = 0; k < n_metrics; k++) {
            if (!ok[k])
                continue;
            lw_forecast_hw_predict(&f[k], h, o->confidence, &p, &lo, &hi);
            fmt_value(metrics[k].unit, p, a, sizeof(a));
            fmt_value(metrics[k].unit, lo, b, sizeof(b));
            fmt_value(metrics[k].unit, hi, c, sizeof(c));
            snprintf(cell, sizeof(cell), "%s [%s, %s]", a, b, c);
            printf("  %-34s", cell);
            if (k == M_P95 || (k == M_LATENCY && !ok[M_P95])) {
                if (likely < 0 && sla_ms > 0 && p > sla_ms)
                    likely = h;
                if (possibly < 0 && sla_ms > 0 && hi > sla_ms)
                    possibly = h;
            }
        }
        printf("\n");
    }
    printf("\nModel: additive Holt-Winters with a damped trend and a daily season on hourly "
           "rollups; %.0f%% prediction intervals.\n", 100 * o->confidence);
    for (k = 0; k < n_metrics; k++)
        if (ok[k])
            printf("  %s: alpha %.2f, beta %.3f, gamma %.2f, phi %.2f, residual sd %.4g\n",
                   metrics[k].name, f[k].alpha, f[k].beta, f[k].gamma, f[k].phi, f[k].sigma);
    if (sla_ms > 0 && (ok[M_P95] || ok[M_LATENCY])) {
        lw_fmt_ms(sla_ms, a, sizeof(a));
        if (likely > 0)
            printf("SLA: %s latency likely above the %s target in %d hour%s\n",
                   ok[M_P95] ? "p95" : "mean", a, likely, likely == 1 ? "" : "s");
        else if (possibly > 0)
            printf("SLA: likely within the %s target for the next %lld hours; the upper bound "
                   "crosses it in %d hour%s\n", a, o->hours, possibly, possibly == 1 ? "" : "s");
        else
            printf("SLA: within the %s target for the next %lld hours, interval included\n", a,
                   o->hours);
    }
    return 0;
}

int
lw_cmd_forecast(lw_cli *cli)
{
    static const char opts[] = "model:m environment:e metrics:M hours:H confidence:C "
                               "history-days:D backtest/b backtest-days:B at:t";
    struct opts o = { NULL, NULL, "latency,error_rate,cost", NULL, 24, 30, 7, 0.95, 0 };
    double *y[MAX_METRICS];
    unsigned want = 0;
    time_t at = time(NULL), to;
    const char *p;
    PGresult *res;
    lw_db *db;
    size_t n = 0, len;
    double sla;
    long long id;
    int rc, k;

    if ((rc = lw_cli_parse(cli, opts, on_opt, &o)) != LW_CLI_GO)
        return rc;
    if (o.model == NULL) {
        fprintf(stderr, "%s: --model NAME is required\n", cli->prog);
        return 2;
    }
    for (p = o.metrics; *p != '\0'; p += len + (p[len] == ',')) {
        len = strcspn(p, ",");
        for (k = 0; k < n_metrics; k++)
            if (strlen(metrics[k].name) == len && strncmp(p, metrics[k].name, len) == 0)
                break;
        if (k == n_metrics && len > 7 && strncmp(p, "custom.", 7) == 0 && n_metrics < MAX_METRICS
            && lw_usage_metric_name_ok(lw_pool_strndup(cli->pool, p + 7, len - 7))) {
            /* a custom metric: the scorers' or POST /api/v1/metrics' values */
            metrics[k].name = lw_pool_strndup(cli->pool, p, len);
            metrics[k].what = lw_pool_printf(cli->pool, "%.*s (mean)", (int) len - 7, p + 7);
            metrics[k].unit = 3;
            n_metrics++;
        }
        if (k < n_metrics) {
            want |= 1u << k;
        } else {
            fprintf(stderr, "%s: unknown metric '%.*s' (latency, p95_latency, error_rate, cost, "
                            "custom.NAME)\n",
                    cli->prog, (int) len, p);
            return 2;
        }
    }
    if (o.at != NULL && lw_time_parse(o.at, &at) != LW_OK) {
        fprintf(stderr, "%s: --at takes a time (Unix seconds or 'YYYY-MM-DD HH:MM' UTC)\n",
                cli->prog);
        return 2;
    }
    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    res = lw_db_costs_model(db, &cli->err, o.model, o.environment);
    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    if (PQntuples(res) != 1) {
        rc = PQntuples(res);
        PQclear(res);
        return lw_cli_fail(cli, rc == 0 ? "no model '%s'%s" : "model '%s' is in several "
                           "environments: say which with --environment", o.model,
                           o.environment ? " in that environment" : "");
    }
    id = lw_db_int(res, 0, 0);
    sla = lw_db_isnull(res, 0, 3) ? 0 : lw_db_double(res, 0, 3);
    printf("%s (%s): forecast from %lld days of hourly rollups\n\n", o.model,
           lw_db_str(res, 0, 2), o.history_days);
    PQclear(res);
    /* whole hours only: the one in progress would read low */
    to = at - at % 3600;
    if (load_series(cli, db, id, (long long) to - o.history_days * 86400, (long long) to, y, &n)
        != 0)
        return 1;
    return o.backtest ? print_backtest(&o, want, y, n) : print_forecast(&o, want, y, n, to, sla);
}
