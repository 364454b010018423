/* stats.h: the SQL behind `status`, `metrics` and `backfill`, meant to
 * be reused by the dashboard, the reports and the alert evaluator: per
 * model window statistics (aggregated in PostgreSQL: avg, percentile_cont,
 * exact numeric cost sums), errors by class, alerts fired, the last run of
 * a job, and the synthetic history written by `llmwatch backfill`.
 *
 * Every function returning a PGresult gives it to the caller (PQclear), or
 * returns NULL with a message in err. Times are Unix seconds (UTC). */
#ifndef LW_DB_STATS_H
#define LW_DB_STATS_H

#include <stdint.h>
#include <time.h>

#include "db/db.h"

/* Which probes a statistic covers: ts in [from, to), optionally one model
 * and/or one environment. Strings are borrowed. */
typedef struct {
    time_t      from, to;
    const char *model;         /* models.name; NULL = every model */
    const char *environment;   /* environments.name; NULL = every environment */
    long long   model_id;      /* 0 = any */
    int         include_idle;  /* also list enabled models without a probe
                                * in the window (count 0, measures NULL) */
} lw_db_stats_filter;

/* ---- per model window statistics ---- */

/* One row per (model, environment) with probes in the window (plus idle
 * enabled models when asked), ordered by environment name then model id
 * (the config's order). Columns, by name and in this order:
 *   model_id, model, environment_id, environment, provider, sla_target_ms,
 *   count, ok_count, errors, success_rate,
 *   avg_total_ms, stddev_total_ms, p50_total_ms, p95_total_ms, p99_total_ms,
 *   avg_ttft_ms, p50_ttft_ms, p95_ttft_ms, decode_tps, e2e_tps,
 *   input_tokens, output_tokens, cost_usd, cost_pico, quality, last_ts
 * Latencies, token rates and quality are over successful probes only (a
 * failed request has no meaningful latency); success_rate is ok/count.
 * cost_usd is the exact numeric sum as text ("0.812345678900"), cost_pico
 * the same in integer pico-dollars. NULL measures when there is no data. */
PGresult *lw_db_stats_window(lw_db *db, lw_err *err, const lw_db_stats_filter *f);

/* The same row decoded. Strings are borrowed from the PGresult; a missing
 * measure is NAN (use isnan). */
typedef struct {
    long long   model_id, environment_id;
    const char *model, *environment, *provider;
    long long   sla_target_ms;         /* 0 when not set */
    long long   count, ok_count, errors;
    double      success_rate;
    double      avg_total_ms, stddev_total_ms, p50_total_ms, p95_total_ms, p99_total_ms;
    double      avg_ttft_ms, p50_ttft_ms, p95_ttft_ms;
    double      decode_tps, e2e_tps;
    long long   input_tokens, output_tokens;
    const char *cost_usd;              /* exact decimal text */
    int64_t     cost_pico;
    double      quality;
    time_t      last_ts;               /* 0 when no probe */
} lw_db_stats_window_row;

void lw_db_stats_window_get(const PGresult *res, int row, lw_db_stats_window_row *out);

/* What lw_db_stats_of sums up over the probes a filter selects. */
typedef enum {
    /* Failed probes by class in the window: model_id, environment_id,
     * error_class, n; ordered by model then most frequent first. */
    LW_DB_STATS_ERROR_CLASSES,
    /* One row over every probe the filter selects (all models together):
     * count, ok_count, success_rate, avg_total_ms, p95_total_ms, models
     * (how many distinct models had probes), cost_usd, cost_pico. */
    LW_DB_STATS_TOTALS,
    LW_DB_STATS_N
} lw_db_stats_part;
PGresult *lw_db_stats_of(lw_db *db, lw_err *err, lw_db_stats_part part,
                         const lw_db_stats_filter *f);

/* ---- alerts and jobs ---- */

/* Alerts that fired in [from, to), grouped: rule, model ('' for none),
 * severity, n, last_fired (Unix seconds); most recent first. */
PGresult *lw_db_stats_alerts_fired(lw_db *db, lw_err *err, time_t from, time_t to);
/* How many alerts are firing now. Returns the count or a negative LW_E*. */
long long lw_db_stats_alerts_firing(lw_db *db, lw_err *err);

/* The latest run of a job known under any of `names` (a job may be
 * recorded under its schedule name or its command name), skipped slots
 * aside. Always one row: job, started, finished (Unix seconds), status,
 * error, duration_ms, missed, hosts (the host that claimed it, or for a
 * shared probe slot "w1 (12 models), w2 (18 models)"); all but `missed`
 * (skipped slots after that run) are NULL when the job never ran. */
PGresult *lw_db_stats_last_run(lw_db *db, lw_err *err, const char *const *names, size_t n);

/* ---- synthetic history (`llmwatch backfill`) ---- */

typedef struct {
    time_t      from, to;          /* [from, to), multiples of interval_s */
    int64_t     interval_s;        /* one probe per model every interval */
    long long   seed;              /* the same seed gives the same rows */
    const char *const *models;     /* names to backfill; NULL = every enabled model */
    size_t      n_models;
} lw_db_stats_backfill_opts;

typedef struct {
    long long removed;             /* earlier backfill rows replaced */
    long long inserted;
    int       n_models;
    /* who carries which pattern (models in id order: the first is slower
     * on Tuesdays, the second drifts, the third has the incident; with
     * fewer models they double up) */
    long long tuesday_model_id, drift_model_id, incident_model_id;
    char      tuesday_model[128], drift_model[128], incident_model[128];
    time_t    incident_from, incident_to;
    int       retention_days;      /* settings.retention_days, 0 when unset */
} lw_db_stats_backfill_result;

/* The 2-hour incident window for a backfill of [from, to): 14:00 UTC on the
 * day 60% into the range, moved inside the range when it would not fit
 * (ranges shorter than 2 hours get the whole range). Pure. */
void lw_db_stats_backfill_incident(time_t from, time_t to, int64_t interval_s,
                                   time_t *start, time_t *end);

/* In one transaction (serialised by an advisory lock): deletes every earlier backfill row, makes sure the
 * daily partitions exist, and generates the history in SQL (generate_series
 * and random() seeded with setseed): diurnal and weekly patterns, drift,
 * an incident, errors, quality, and costs computed exactly from each
 * model's prices. Every row has backfill = true. LW_ENOTFOUND when there is
 * no model to backfill. */
int lw_db_stats_backfill(lw_db *db, lw_err *err, const lw_db_stats_backfill_opts *o,
                         lw_db_stats_backfill_result *r);

/* Deletes exactly the rows with backfill = true; *removed gets how many. */
int lw_db_stats_backfill_remove(lw_db *db, lw_err *err, long long *removed);

/* Per model over the backfill rows: model, environment, rows, ok_count,
 * first_ts, last_ts, avg_total_ms, cost_pico; in model id order. */
PGresult *lw_db_stats_backfill_summary(lw_db *db, lw_err *err);

#endif
