/* page_metrics.c: "/metrics" in the Prometheus text format, or OpenMetrics
 * when the scraper's Accept asks for it. Three parts:
 *  - the data: counters and histograms since the first probe, computed
 *    from the daily rollups (so they are monotonic across restarts of the
 *    web app: nothing is counted in process memory), the latest probe and
 *    the last hour as gauges, open alerts, budgets, SLA, deliveries and
 *    the alert latency. It is cached (app/cache.h) and so invalidated by
 *    the data changes themselves;
 *  - per scrape: whether the database answered, job run timestamps;
 *  - this process: page cache and request counters.
 * Histograms use the bucket boundaries of the OpenTelemetry GenAI semantic
 * conventions; the rollups' log-scale histograms are folded into them
 * (lib/rollup.h: each rollup bucket counts where the value it stands for
 * falls; token buckets are exact, their edges being powers of two). */
#include "app.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "replica.h"
#include "db/topics.h"
#include "reqstats.h"
#include "rollup.h"

/* gen_ai.client.operation.duration (and time to first chunk), seconds */
static const double dur_bounds[] = { 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56,
                                     5.12, 10.24, 20.48, 40.96, 81.92 };
/* gen_ai.server.time_per_output_token, seconds */
static const double tpot_bounds[] = { 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
                                      0.75, 1.0, 2.5 };
/* gen_ai.client.token.usage, tokens */
static const double tok_bounds[] = { 1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144,
                                     1048576, 4194304, 16777216, 67108864 };
/* from a crossing probe to its notification leaving, seconds */
static const double alert_bounds[] = { 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 120, 300 };

/* The normalised finish reasons in rollups.finish_counts order
 * (lw_finish_reasons() of sql/013_dataout.sql). */
static const char *const finish_reasons[] = { "stop", "length", "tool_calls", "content_filter",
                                              "refusal", "safety", "other" };

#define TOK_BUCKETS 64

typedef struct {
    lw_buf *b;
    int     om;       /* OpenMetrics */
} mw;

/* HELP and TYPE of a family. Counters are named without _total: the text
 * format wants the suffix on the family, OpenMetrics only on the sample. */
static void
fam(mw *w, const char *name, const char *type, const char *help)
{
    const char *sfx = !w->om && strcmp(type, "counter") == 0 ? "_total" : "";

    lw_buf_printf(w->b, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, sfx, help, name, sfx, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void
put_label(lw_buf *b, const char *name, const char *v)
{
    lw_buf_printf(b, "%s=\"", name);
    for (; v && *v; v++) {
        if (*v == '\\')
            lw_buf_puts(b, "\\\\");
        else if (*v == '"')
            lw_buf_puts(b, "\\\"");
        else if (*v == '\n')
            lw_buf_puts(b, "\\n");
        else
            lw_buf_putc(b, *v);
    }
    lw_buf_putc(b, '"');
}

/* model, environment, provider of row i (columns 0..2) as a label list. */
static const char *
model_labels(lw_pool *pool, const PGresult *res, int i)
{
    lw_buf l = { 0 };
    const char *s;

    put_label(&l, "model", lw_db_str(res, i, 0));
    lw_buf_putc(&l, ',');
    put_label(&l, "environment", lw_db_str(res, i, 1));
    lw_buf_putc(&l, ',');
    put_label(&l, "provider", lw_db_str(res, i, 2));
    s = l.data ? lw_pool_strndup(pool, l.data, l.len) : NULL;
    lw_buf_free(&l);
    return s ? s : "";
}

/* name{labels[,extra="v"]} value */
static void
sample(mw *w, const char *name, const char *labels, const char *extra, const char *ev, double v)
{
    lw_buf_printf(w->b, "%s{%s", name, labels);
    if (extra != NULL) {
        if (labels[0] != '\0')
            lw_buf_putc(w->b, ',');
        put_label(w->b, extra, ev);
    }
    lw_buf_printf(w->b, "} %.15g\n", v);
}

/* name{k1="v1",k2="v2"...} value with n label pairs (label values
 * escaped): the samples whose labels are not a model's. */
static void
line(mw *w, const char *name, double v, int n, ...)
{
    va_list ap;
    int i;

    lw_buf_printf(w->b, "%s%s", name, n > 0 ? "{" : "");
    va_start(ap, n);
    for (i = 0; i < n; i++) {
        const char *k = va_arg(ap, const char *), *lv = va_arg(ap, const char *);

        if (i > 0)
            lw_buf_putc(w->b, ',');
        put_label(w->b, k, lv);
    }
    va_end(ap);
    lw_buf_printf(w->b, "%s %.15g\n", n > 0 ? "}" : "", v);
}

/* ---- histograms ---- */

enum { SCALE_MS, SCALE_TOKENS };

/* The value rollup bucket k stands for, in the unit of the boundaries:
 * latency buckets their representative value in seconds, token buckets
 * their inclusive upper edge. */
static double
bucket_value(int scale, int k)
{
    if (scale == SCALE_TOKENS)
        return ldexp(1.0, k);
    return lw_rollup_bucket_value(k) / 1000.0;
}

/* One histogram's samples from a rollup histogram (PostgreSQL text). */
static void
hist(mw *w, const char *name, const char *labels, const char *extra, const char *ev,
     int scale, const char *text, const double *bounds, size_t nb, double sum)
{
    int h[TOK_BUCKETS > LW_ROLLUP_BUCKETS ? TOK_BUCKETS : LW_ROLLUP_BUCKETS];
    size_t n = scale == SCALE_TOKENS ? TOK_BUCKETS : LW_ROLLUP_BUCKETS, j, k;
    long long cum[32], total = 0;
    char le[32];

    if (text == NULL || lw_rollup_hist_parse(text, h, n, &total) != LW_OK || total == 0)
        return;
    memset(cum, 0, sizeof(cum));
    for (k = 0; k < n; k++) {
        if (h[k] == 0)
            continue;
        for (j = 0; j < nb && bucket_value(scale, (int) k) > bounds[j]; j++)
            ;
        cum[j] += h[k];
    }
    for (j = 1; j <= nb; j++)
        cum[j] += cum[j - 1];
    for (j = 0; j <= nb; j++) {
        if (j < nb)
            snprintf(le, sizeof(le), "%.15g", bounds[j]);
        else
            strcpy(le, "+Inf");
        lw_buf_printf(w->b, "%s_bucket{%s%s", name, labels, labels[0] ? "," : "");
        if (extra != NULL) {
            put_label(w->b, extra, ev);
            lw_buf_putc(w->b, ',');
        }
        lw_buf_printf(w->b, "le=\"%s\"} %lld\n", le, cum[j]);
    }
    for (j = 0; j < 2; j++) {
        /* no braces at all for a histogram without labels */
        lw_buf_printf(w->b, "%s_%s%s%s", name, j == 0 ? "sum" : "count",
                      labels[0] || extra ? "{" : "", labels);
        if (extra != NULL) {
            if (labels[0] != '\0')
                lw_buf_putc(w->b, ',');
            put_label(w->b, extra, ev);
        }
        if (j == 0)
            lw_buf_printf(w->b, "%s %.15g\n", labels[0] || extra ? "}" : "", sum);
        else
            lw_buf_printf(w->b, "%s %lld\n", labels[0] || extra ? "}" : "", total);
    }
}

/* The sum a latency histogram's buckets stand for, seconds: for measures
 * whose exact sum the rollups do not keep (time per output token). */
static double
hist_value_sum(const char *text)
{
    int h[LW_ROLLUP_BUCKETS];
    double s = 0;
    size_t k;

    if (text == NULL || lw_rollup_hist_parse(text, h, LW_ROLLUP_BUCKETS, NULL) != LW_OK)
        return 0;
    for (k = 0; k < LW_ROLLUP_BUCKETS; k++)
        s += h[k] * lw_rollup_bucket_value((int) k) / 1000.0;
    return s;
}

/* ---- the gauges of the latest probe and the last hour ---- */

struct gauge {
    const char *name, *help;
    const char *column;     /* of LW_DB_METRICS_MODELS */
    double scale;           /* ms -> s */
};

static const struct gauge gauges[] = {
    { "llmwatch_probe_success", "Whether the latest probe of the model succeeded (1) or failed (0).",
      "last_ok", 1 },
    { "llmwatch_probe_ttft_seconds", "Time to first token of the latest probe.",
      "last_ttft_ms", 0.001 },
    { "llmwatch_probe_duration_seconds", "Total latency of the latest probe.",
      "last_total_ms", 0.001 },
    { "llmwatch_probe_decode_tokens_per_second", "Decode rate of the latest probe: (output tokens - 1) / (total - TTFT).",
      "last_tps", 1 },
    { "llmwatch_probe_last_timestamp_seconds", "Unix time of the latest probe.",
      "last_epoch", 1 },
    { "llmwatch_model_sla_target_seconds", "The model's latency SLA target.",
      "sla_target_ms", 0.001 },
    { "llmwatch_probes_last_hour", "Probes of the model in the last hour.",
      "hour_count", 1 },
    { "llmwatch_probe_success_ratio_last_hour", "Share of successful probes in the last hour.",
      NULL, 1 },
    { "llmwatch_probe_duration_p95_seconds_last_hour", "95th percentile of successful probes' total latency over the last hour.",
      "hour_p95_ms", 0.001 },
};

static void
latest_and_hour(mw *w, lw_pool *pool, const PGresult *models, const PGresult *errors)
{
    const char *v;
    size_t f;
    int i, col;

    fam(w, "llmwatch_model_info", "gauge", "A monitored model: its provider and the provider's model id.");
    for (i = 0; i < PQntuples(models); i++)
        sample(w, "llmwatch_model_info", model_labels(pool, models, i), "provider_model",
               lw_db_str(models, i, 3), 1);
    for (f = 0; f < LW_ARRAY_LEN(gauges); f++) {
        fam(w, gauges[f].name, "gauge", gauges[f].help);
        for (i = 0; i < PQntuples(models); i++) {
            if (gauges[f].column == NULL) {   /* the success ratio */
                if (lw_db_int(models, i, PQfnumber(models, "hour_count")) == 0)
                    continue;
                sample(w, gauges[f].name, model_labels(pool, models, i), NULL, NULL,
                       (double) lw_db_int(models, i, PQfnumber(models, "hour_ok"))
                       / (double) lw_db_int(models, i, PQfnumber(models, "hour_count")));
                continue;
            }
            col = PQfnumber(models, gauges[f].column);
            v = lw_db_str(models, i, col);
            if (v == NULL)
                continue;   /* no probe yet: no sample rather than a made-up 0 */
            sample(w, gauges[f].name, model_labels(pool, models, i), NULL, NULL,
                   PQftype(models, col) == 16 ? (v[0] == 't') : strtod(v, NULL) * gauges[f].scale);
        }
    }
    fam(w, "llmwatch_probe_errors_last_hour", "gauge", "Failed probes in the last hour by error class.");
    for (i = 0; i < PQntuples(errors); i++)
        sample(w, "llmwatch_probe_errors_last_hour", model_labels(pool, errors, i), "error_class",
               lw_db_str(errors, i, 2), (double) lw_db_int(errors, i, 3));
}

/* ---- totals since the first probe ---- */

static double
col_d(const PGresult *res, int i, const char *name)
{
    return lw_db_double(res, i, PQfnumber(res, name));
}

static const char *
col_s(const PGresult *res, int i, const char *name)
{
    return lw_db_str(res, i, PQfnumber(res, name));
}

/* Counters by element of an array column (error classes, finish reasons). */
static void
by_index(mw *w, lw_pool *pool, const PGresult *t, const char *name, const char *column,
         const char *label, const char *const *names, size_t n)
{
    int h[16];
    size_t k;
    int i;

    for (i = 0; i < PQntuples(t); i++) {
        if (lw_rollup_hist_parse(col_s(t, i, column), h, n + 1, NULL) != LW_OK)
            continue;
        for (k = 0; k < n; k++)
            if (h[k + 1] > 0)
                sample(w, name, model_labels(pool, t, i), label, names[k], h[k + 1]);
    }
}

static void
totals(mw *w, lw_pool *pool, const PGresult *t)
{
    static const char *const results[] = { "ok", "tool_call", "refusal", "blocked", "error" };
    static const char *const toks[] = { "input", "output", "reasoning" };
    static const char *const tok_cols[] = { "input_tokens", "output_tokens", "reasoning_tokens" };
    double n[5];
    size_t k;
    int i;

    fam(w, "llmwatch_probes", "counter", "Probes since the first one, by result: ok (an answer in "
        "text), tool_call, refusal, blocked (the provider blocked the prompt) or error.");
    for (i = 0; i < PQntuples(t); i++) {
        n[1] = col_d(t, i, "tool_calls");
        n[2] = col_d(t, i, "refusals");
        n[3] = col_d(t, i, "blocked");
        n[4] = col_d(t, i, "errors");
        n[0] = col_d(t, i, "count") - n[1] - n[2] - n[3] - n[4];
        for (k = 0; k < 5; k++)
            sample(w, "llmwatch_probes_total", model_labels(pool, t, i), "result", results[k], n[k]);
    }
    fam(w, "llmwatch_probe_errors", "counter", "Failed probes since the first one, by error class.");
    by_index(w, pool, t, "llmwatch_probe_errors_total", "error_counts", "error_class",
             lw_rollup_error_classes, LW_ROLLUP_ERROR_CLASSES);
    fam(w, "llmwatch_probe_finish_reasons", "counter", "Probes since the first one by the "
        "finish reason of their stream, normalised across providers.");
    by_index(w, pool, t, "llmwatch_probe_finish_reasons_total", "finish_counts", "finish_reason",
             finish_reasons, LW_ARRAY_LEN(finish_reasons));
    fam(w, "llmwatch_tokens", "counter", "Tokens of every probe since the first one, by type "
        "(reasoning tokens are part of output tokens).");
    for (i = 0; i < PQntuples(t); i++)
        for (k = 0; k < 3; k++)
            sample(w, "llmwatch_tokens_total", model_labels(pool, t, i), "type", toks[k],
                   col_d(t, i, tok_cols[k]));
    fam(w, "llmwatch_cost_usd", "counter", "What the probes cost since the first one, in dollars.");
    for (i = 0; i < PQntuples(t); i++)
        sample(w, "llmwatch_cost_usd_total", model_labels(pool, t, i), NULL, NULL,
               col_d(t, i, "cost_usd"));

    fam(w, "gen_ai_client_operation_duration_seconds", "histogram", "Total duration of "
        "successful probes (OpenTelemetry gen_ai.client.operation.duration).");
    for (i = 0; i < PQntuples(t); i++)
        hist(w, "gen_ai_client_operation_duration_seconds", model_labels(pool, t, i), NULL, NULL,
             SCALE_MS, col_s(t, i, "total_hist"), dur_bounds, LW_ARRAY_LEN(dur_bounds),
             col_d(t, i, "sum_total_ms") / 1000.0);
    fam(w, "gen_ai_client_operation_time_to_first_chunk_seconds", "histogram", "Time to the "
        "first output of successful probes, reasoning included (OpenTelemetry "
        "gen_ai.client.operation.time_to_first_chunk).");
    for (i = 0; i < PQntuples(t); i++)
        hist(w, "gen_ai_client_operation_time_to_first_chunk_seconds", model_labels(pool, t, i),
             NULL, NULL, SCALE_MS, col_s(t, i, "fo_hist"), dur_bounds, LW_ARRAY_LEN(dur_bounds),
             col_d(t, i, "first_output_sum") / 1000.0);
    fam(w, "llmwatch_ttft_seconds", "histogram", "Time to the first answer token of successful "
        "probes (the buckets of gen_ai.client.operation.duration).");
    for (i = 0; i < PQntuples(t); i++)
        hist(w, "llmwatch_ttft_seconds", model_labels(pool, t, i), NULL, NULL, SCALE_MS,
             col_s(t, i, "ttft_hist"), dur_bounds, LW_ARRAY_LEN(dur_bounds),
             col_d(t, i, "sum_ttft_ms") / 1000.0);
    fam(w, "llmwatch_time_per_output_token_seconds", "histogram", "Time per output token after "
        "the first of successful probes, 1 / decode rate (the buckets of "
        "gen_ai.server.time_per_output_token; the sum is read from the buckets, within 4.4%).");
    for (i = 0; i < PQntuples(t); i++)
        hist(w, "llmwatch_time_per_output_token_seconds", model_labels(pool, t, i), NULL, NULL,
             SCALE_MS, col_s(t, i, "tpot_hist"), tpot_bounds, LW_ARRAY_LEN(tpot_bounds),
             hist_value_sum(col_s(t, i, "tpot_hist")));
    fam(w, "gen_ai_client_token_usage", "histogram", "Tokens per probe by type "
        "(OpenTelemetry gen_ai.client.token.usage).");
    for (i = 0; i < PQntuples(t); i++) {
        hist(w, "gen_ai_client_token_usage", model_labels(pool, t, i), "gen_ai_token_type", "input",
             SCALE_TOKENS, col_s(t, i, "in_tok_hist"), tok_bounds, LW_ARRAY_LEN(tok_bounds),
             col_d(t, i, "input_tokens"));
        hist(w, "gen_ai_client_token_usage", model_labels(pool, t, i), "gen_ai_token_type", "output",
             SCALE_TOKENS, col_s(t, i, "out_tok_hist"), tok_bounds, LW_ARRAY_LEN(tok_bounds),
             col_d(t, i, "output_tokens"));
    }
}

/* ---- alerts, budgets, SLA, deliveries ---- */

static void
alerts(mw *w, const PGresult *a, const char *state)
{
    int i;

    fam(w, strcmp(state, "firing") == 0 ? "llmwatch_alerts_firing" : "llmwatch_alerts_pending",
        "gauge", strcmp(state, "firing") == 0 ? "Alerts firing now, by rule and model."
                                               : "Alerts pending (waiting for their 'for') now.");
    for (i = 0; i < PQntuples(a); i++) {
        if (strcmp(lw_db_str(a, i, 0), state) == 0)
            line(w, strcmp(state, "firing") == 0 ? "llmwatch_alerts_firing" : "llmwatch_alerts_pending",
                 (double) lw_db_int(a, i, 5), 4, "rule", lw_db_str(a, i, 1), "severity",
                 lw_db_str(a, i, 2), "model", lw_db_str(a, i, 3), "environment", lw_db_str(a, i, 4));
    }
}

static void
budgets_sla(mw *w, const PGresult *bud, const PGresult *sla)
{
    const char *v;
    int i;

    fam(w, "llmwatch_budget_used_ratio", "gauge", "Share of each budget spent in its current period.");
    for (i = 0; i < PQntuples(bud); i++) {
        if ((v = col_s(bud, i, "used_pct")) != NULL)
            line(w, "llmwatch_budget_used_ratio", strtod(v, NULL) / 100.0, 2,
                 "budget", col_s(bud, i, "name"), "period", col_s(bud, i, "period"));
    }
    fam(w, "llmwatch_sla_availability_ratio", "gauge", "Share of successful probes over the last 30 days.");
    for (i = 0; i < PQntuples(sla); i++) {
        if ((v = col_s(sla, i, "availability_pct")) != NULL)
            line(w, "llmwatch_sla_availability_ratio", strtod(v, NULL) / 100.0, 2,
                 "model", col_s(sla, i, "name"), "environment", col_s(sla, i, "environment"));
    }
    fam(w, "llmwatch_sla_availability_objective_ratio", "gauge", "The availability objective of the SLA.");
    if (PQntuples(sla) > 0)
        line(w, "llmwatch_sla_availability_objective_ratio",
             col_d(sla, 0, "availability_target_pct") / 100.0, 0);
    fam(w, "llmwatch_sla_compliant", "gauge", "Whether the model meets its SLA over the last 30 days "
        "(availability and p95 latency against its target): 1 or 0; absent without data.");
    for (i = 0; i < PQntuples(sla); i++) {
        v = col_s(sla, i, "compliance");
        if (v != NULL && strcmp(v, "no data") != 0)
            line(w, "llmwatch_sla_compliant", strcmp(v, "pass") == 0, 2,
                 "model", col_s(sla, i, "name"), "environment", col_s(sla, i, "environment"));
    }
}

static void
deliveries(mw *w, const PGresult *d, const PGresult *lat)
{
    int i;

    fam(w, "llmwatch_notifications", "gauge", "Notifications in the outbox by channel and status.");
    for (i = 0; i < PQntuples(d); i++)
        line(w, "llmwatch_notifications", (double) lw_db_int(d, i, 3), 3, "channel",
             lw_db_str(d, i, 0), "type", lw_db_str(d, i, 1), "status", lw_db_str(d, i, 2));
    fam(w, "llmwatch_alert_notification_latency_seconds", "histogram", "From the completion of "
        "the probe that made an alert fire to its notification leaving llmwatch.");
    if (PQntuples(lat) == 1 && lw_db_int(lat, 0, 0) > 0)
        hist(w, "llmwatch_alert_notification_latency_seconds", "", NULL, NULL, SCALE_MS,
             lw_db_str(lat, 0, 2), alert_bounds, LW_ARRAY_LEN(alert_bounds),
             lw_db_double(lat, 0, 1) / 1000.0);
}

/* Everything read from stored data. LW_OK or LW_EDB (message in r->err). */
static int
data_part(lw_req *r, lw_db *db, mw *w)
{
    PGresult *res[8];
    size_t i;

    res[0] = lw_req_keep(r, lw_db_metrics(db, LW_DB_METRICS_MODELS, &r->err));
    res[1] = res[0] ? lw_req_keep(r, lw_db_metrics(db, LW_DB_METRICS_ERRORS, &r->err)) : NULL;
    res[2] = res[1] ? lw_req_keep(r, lw_db_metrics(db, LW_DB_METRICS_TOTALS, &r->err)) : NULL;
    res[3] = res[2] ? lw_req_keep(r, lw_db_metrics(db, LW_DB_METRICS_ALERTS, &r->err)) : NULL;
    res[4] = res[3] ? lw_req_keep(r, lw_db_budgets_list(db, &r->err, (long long) time(NULL), NULL)) : NULL;
    res[5] = res[4] ? lw_req_keep(r, lw_db_sla_list(db, &r->err)) : NULL;
    res[6] = res[5] ? lw_req_keep(r, lw_db_metrics(db, LW_DB_METRICS_DELIVERIES, &r->err)) : NULL;
    res[7] = res[6] ? lw_req_keep(r, lw_db_metrics(db, LW_DB_METRICS_ALERT_LATENCY, &r->err)) : NULL;
    for (i = 0; i < LW_ARRAY_LEN(res); i++)
        if (res[i] == NULL)
            return LW_EDB;
    latest_and_hour(w, r->pool, res[0], res[1]);
    totals(w, r->pool, res[2]);
    alerts(w, res[3], "firing");
    alerts(w, res[3], "pending");
    budgets_sla(w, res[4], res[5]);
    deliveries(w, res[6], res[7]);
    return LW_OK;
}

/* ---- per scrape and per process ---- */

static void
jobs(mw *w, const PGresult *j)
{
    int i;

    fam(w, "llmwatch_job_last_success_timestamp_seconds", "gauge", "When each job last succeeded (Unix time).");
    for (i = 0; i < PQntuples(j); i++)
        if (!lw_db_isnull(j, i, 1))
            line(w, "llmwatch_job_last_success_timestamp_seconds", (double) lw_db_int(j, i, 1), 1,
                 "job", lw_db_str(j, i, 0));
    fam(w, "llmwatch_job_last_run_timestamp_seconds", "gauge", "When each job last started (Unix time).");
    for (i = 0; i < PQntuples(j); i++)
        line(w, "llmwatch_job_last_run_timestamp_seconds", (double) lw_db_int(j, i, 2), 1,
             "job", lw_db_str(j, i, 0));
}

/* The page cache of this web process (cache.h): counters since it started. */
static void
cache_metrics(mw *w)
{
    lw_cache_stats st;
    lw_buf *b = w->b;
    size_t i;

    lw_cache_get_stats(&st);
    fam(w, "llmwatch_web_cache_requests", "counter", "Cacheable page requests of this web process, by outcome.");
    lw_buf_printf(b, "llmwatch_web_cache_requests_total{outcome=\"hit\"} %llu\n"
                     "llmwatch_web_cache_requests_total{outcome=\"stale_hit\"} %llu\n"
                     "llmwatch_web_cache_requests_total{outcome=\"miss\"} %llu\n"
                     "llmwatch_web_cache_requests_total{outcome=\"bypass\"} %llu\n",
                  st.hits, st.stale_hits, st.misses, st.bypasses);
    {
        const struct {
            const char *name, *type, *help;
            unsigned long long v;
        } one[] = {
            { "llmwatch_web_cache_evictions", "counter",
              "Pages dropped to stay within the cache size.", st.evictions },
            { "llmwatch_web_cache_invalidations", "counter",
              "Changes of the data the cached pages show.", st.invalidations },
            { "llmwatch_web_cache_bytes", "gauge", "Bytes the page cache holds.", st.bytes },
            { "llmwatch_web_cache_max_bytes", "gauge", "The page cache's size limit.", st.max_bytes },
            { "llmwatch_web_cache_entries", "gauge", "Pages the page cache holds.", st.entries },
            { "llmwatch_web_cache_listening", "gauge",
              "Whether the cache hears data changes (0: bypassed).", (unsigned long long) st.listening },
        };

        for (i = 0; i < LW_ARRAY_LEN(one); i++) {
            fam(w, one[i].name, one[i].type, one[i].help);
            lw_buf_printf(b, "%s%s %llu\n", one[i].name,
                          strcmp(one[i].type, "counter") == 0 ? "_total" : "", one[i].v);
        }
    }
    fam(w, "llmwatch_web_auth_cache_requests", "counter", "Session and token checks, answered from memory or not.");
    lw_buf_printf(b, "llmwatch_web_auth_cache_requests_total{outcome=\"hit\"} %llu\n"
                     "llmwatch_web_auth_cache_requests_total{outcome=\"miss\"} %llu\n",
                  st.auth_hits, st.auth_misses);
}

/* Whether the scraper asked for OpenMetrics (Prometheus does, first). */
static int
wants_openmetrics(lw_req *r)
{
    const char *a = lw_req_env(r, "HTTP_ACCEPT");

    return a != NULL && strstr(a, "application/openmetrics-text") != NULL;
}

int
lw_page_metrics(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *j = NULL;
    lw_cache_value cached;
    unsigned long gen = 0;
    const char *key, *part = "";
    lw_buf *data;
    size_t part_len = 0;
    mw w;
    int up = 0, how;

    /* the figures of the data (cached, hundreds of KB for many models) and
     * this process's own, live, go out as two parts without a copy */
    w.om = wants_openmetrics(r);
    if ((w.b = lw_req_buf(r)) == NULL || (data = lw_req_buf(r)) == NULL)
        return LW_ENOMEM;
    key = w.om ? "/metrics#data|openmetrics" : "/metrics#data|text";
    how = lw_cache_lookup(key, r->pool, &cached, &gen);
    if (how == LW_CACHE_HIT) {
        part = cached.body;
        part_len = cached.len;
        up = 1;
    } else if (db != NULL) {
        mw dw = { data, w.om };

        up = data_part(r, db, &dw) == LW_OK && data->data != NULL;
        if (up) {
            part = data->data;
            part_len = data->len;
            if (how == LW_CACHE_MISS) {
                cached.content_type = "text/plain";
                cached.title = NULL;
                cached.body = data->data;
                cached.len = data->len;
                lw_cache_store(key, gen, &cached);
            }
        }
    }
    if (how == LW_CACHE_MISS && !up)
        lw_cache_abandon(key);
    if (db != NULL && up)
        j = lw_req_keep(r, lw_db_metrics(db, LW_DB_METRICS_JOBS, &r->err));
    if (!up || j == NULL)
        lw_log(LW_LOG_WARN, "metrics: %s", r->err.msg);
    fam(&w, "llmwatch_up", "gauge", "Whether llmwatch-web could read the database.");
    lw_buf_printf(w.b, "llmwatch_up %d\n", up && j != NULL);
    if (j != NULL)
        jobs(&w, j);
    cache_metrics(&w);
    lw_replica_metrics(r, w.b);
    lw_reqstats_write(w.b, w.om);
    if (w.om)
        lw_buf_puts(w.b, "# EOF\n");
    if (w.b->data == NULL)
        return LW_ENOMEM;
    return lw_req_raw2(r, 200, w.om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                     : "text/plain; version=0.0.4; charset=utf-8",
                       part, part_len, w.b->data, w.b->len);
}
