/* costs.h: the SQL of prices and cost analysis: price histories written
 * from the configuration (a change is a new row from its date on), spend
 * broken down by model, hour of day and day of week, cheaper alternatives
 * of equal quality with the monthly saving from real usage, and latency
 * per environment for comparisons. Every aggregate reads the rollups
 * (probes: lw_rollup_read, usage: lw_usage_read).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Times are Unix seconds. */
#ifndef LW_DB_COSTS_H
#define LW_DB_COSTS_H

#include "db/db.h"

/* Records the price histories of prices_json: [{environment, name,
 * source ("builtin"|"config"), entries: [{effective: time or null, input,
 * output}]}] (dollars per million tokens as decimal text). A dated entry
 * is the price from that day on (a second one for the same day corrects
 * it); an undated one starts now, when it differs from the price in
 * effect. *changed counts the rows written. */
int lw_db_costs_prices_sync(lw_db *db, lw_err *err, const char *prices_json, int *changed);

/* The price history of every model (or the one named `model`): model,
 * environment, effective (for people), input, output (decimal text),
 * source, current (bool); by model, environment, date. */
PGresult *lw_db_costs_prices(lw_db *db, lw_err *err, const char *model);

/* Breakdowns of the spend of [from, to) (hour-aligned for the hourly
 * ones), optionally in one environment: by "model" (key: model,
 * environment), "hour_of_day" (key 0..23, UTC) or "day_of_week" (key
 * 1..7, Monday first). Columns: key, label, probe, usage, total (numeric
 * text), probe_h, usage_h, total_h (for people), total_d (double, for charts), share (% of
 * the total), requests (probes and production requests), tokens; by key
 * (models by spend). NULL with LW_EINVAL in err for an unknown `by`. */
PGresult *lw_db_costs_breakdown(lw_db *db, lw_err *err, const char *by, long long from,
                                long long to, const char *environment);

/* The totals of [from, to): probe, usage, total (numeric text), probe_h,
 * usage_h, total_h (for people), probes, requests (production),
 * daily_h (the total per day, for people). */
PGresult *lw_db_costs_totals(lw_db *db, lw_err *err, long long from, long long to,
                             const char *environment);

/* For every enabled model with production usage in the 30 days before
 * `at`: each cheaper model of the same environment and test suite whose
 * mean quality over the `days` before `at` is at least threshold x the
 * model's own and whose p95 latency meets the model's SLA target, with
 * the saving of the model's real usage (its tokens of the 30 days, at
 * both models' prices of `at`). Columns: model, environment, alternative,
 * quality, alt_quality, ratio (alt / own), p95_ms, alt_p95_ms,
 * sla_target_ms, input_tokens, output_tokens, requests, own_cost,
 * alt_cost, saving (numeric text), own_cost_h, alt_cost_h, saving_h,
 * saving_pct; by saving, best first per model (rank = 1 is the best). */
PGresult *lw_db_costs_optimize(lw_db *db, lw_err *err, long long at, int days, double threshold,
                               const char *environment);

/* The monitored rows of a model name (optionally in one environment):
 * id, name, environment, sla_target_ms (NULL when none); by environment. */
PGresult *lw_db_costs_model(lw_db *db, lw_err *err, const char *name, const char *environment);

/* Hourly measures of model row `model_id` over [from, to) (hour-aligned),
 * one row per hour, gaps included: t (epoch of the hour), n (probes),
 * errors, mean_ms, p95_ms (ok probes; NULL without), cost (dollars of
 * probes and production usage, double). From the 1h rollups. */
PGresult *lw_db_costs_hourly(lw_db *db, lw_err *err, long long model_id, long long from,
                             long long to);

/* What lw_db_costs_env reads of environments envs (a text[] literal) over
 * [from, to), optionally only the models called `model`. */
typedef enum {
    /* Per environment and hour (hour-aligned) with probes: environment, t
     * (epoch), n, errors, mean_ms, ttft_ms (ok probes), cost (double,
     * probes and production usage of the hour); by environment, t. */
    LW_DB_COSTS_ENV_HOURLY,
    /* Per environment: environment, n, errors, models (how many),
     * total_hist and ttft_hist (merged, as PostgreSQL prints them),
     * p50_ms, p95_ms, p99_ms, cost (for people). */
    LW_DB_COSTS_ENV_TOTALS,
    LW_DB_COSTS_ENV_N
} lw_db_costs_env_set;
PGresult *lw_db_costs_env(lw_db *db, lw_err *err, lw_db_costs_env_set which, const char *envs,
                          const char *model, long long from, long long to);

/* The environments by name: name, models (how many). */
PGresult *lw_db_costs_environments(lw_db *db, lw_err *err);

#endif
