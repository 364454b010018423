/* metrics.h: the SQL behind /metrics (Prometheus and OpenMetrics text):
 * the latest probe and the last hour of every enabled model (gauges), the
 * totals since the first probe (counters and histograms, from the daily
 * rollups, so they survive restarts of the web app), open alerts, job runs
 * and notification deliveries.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Histograms come as PostgreSQL prints an integer[] (lib/rollup.h
 * reads them). */
#ifndef LW_DB_METRICS_H
#define LW_DB_METRICS_H

#include "db/db.h"

/* The statements of /metrics, one result each. */
typedef enum {
    /* name, environment, provider, model, sla_target_ms, last_ok,
     * last_ttft_ms, last_total_ms, last_tps, last_epoch, hour_count, hour_ok,
     * hour_p95_ms; by environment and name. */
    LW_DB_METRICS_MODELS,
    /* name, environment, error_class ('unknown' when unset), n. */
    LW_DB_METRICS_ERRORS,

    /* Per enabled model, everything since its first probe (the sum of its
     * daily rollups, today's included: the levels are kept current in the
     * writers' transaction): name, environment, provider, count, errors,
     * refusals, blocked, tool_calls, error_counts (lw_error_classes()
     * order), finish_counts (lw_finish_reasons() order), input_tokens,
     * output_tokens, reasoning_tokens, cost_usd, total_n, sum_total_ms,
     * total_hist, ttft_n, sum_ttft_ms, ttft_hist, first_output_n,
     * first_output_sum, fo_hist, tpot_hist, in_tok_hist, out_tok_hist;
     * by environment and name. */
    LW_DB_METRICS_TOTALS,

    /* Open alerts: state ('firing', 'pending'), rule, severity, model and
     * environment ('' for alerts of no model), n. */
    LW_DB_METRICS_ALERTS,

    /* Each job that ever ran: job, last_success (Unix seconds, NULL when it
     * never succeeded), last_run (Unix seconds of its last start). A loose
     * index scan: one short probe of job_runs_job per job. */
    LW_DB_METRICS_JOBS,

    /* Notifications by channel and status: channel, type, status, n. */
    LW_DB_METRICS_DELIVERIES,

    /* The time from the probe that made an alert fire to its notification
     * leaving, over every such notification sent: n, sum_ms, hist (the
     * latency histogram of lib/rollup.h, in ms). One row. */
    LW_DB_METRICS_ALERT_LATENCY,
    LW_DB_METRICS_N
} lw_db_metrics_set;

/* Runs the statement `which`; NULL (message in err) on failure or for an
 * unknown set. */
PGresult *lw_db_metrics(lw_db *db, lw_db_metrics_set which, lw_err *err);

#endif
