/* baselines.h: the SQL of `llmwatch baseline`: a model's baseline
 * computed by PostgreSQL over the rows of one probe cycle and made the
 * active one, and what the baseline report shows. Every PGresult goes to
 * the caller (PQclear); NULL with a message in err on failure. */
#ifndef LW_DB_BASELINES_H
#define LW_DB_BASELINES_H

#include "db/db.h"

/* In one transaction: deactivates the current baseline of every model with
 * at least one successful request in cycle_id (rows not older than
 * `since`, a timestamptz text) and inserts the new ones: latency
 * mean/stddev/p95 and TTFT mean/p95 over successful requests, success rate
 * over all, tokens/s as the decode rate (sum(output - 1) / sum(total -
 * ttft)), exact cost per 1K tokens (input + output), quality mean, and the
 * average daily spend of the last 7 full days (probes and usage events;
 * NULL without history). iterations and suite (when the rows name none)
 * are recorded. Returns the new baselines: model_id, environment_id,
 * latency_mean_ms, latency_stddev_ms, latency_p95_ms, success_rate,
 * tokens_per_second, cost_per_1k_usd (6 decimals), quality_score. */
PGresult *lw_db_baselines_create(lw_db *db, lw_err *err, long long cycle_id, const char *since,
                                 int iterations, const char *suite);

/* The active baselines, by environment then model: id, model, environment,
 * suite, iterations, samples, latency_mean_ms, latency_stddev_ms,
 * latency_p95_ms, ttft_mean_ms, ttft_p95_ms, success_rate,
 * tokens_per_second, cost_per_1k_usd (6 decimals), quality_score, created
 * ("YYYY-MM-DD HH:MM UTC"), tokens_rate. */
PGresult *lw_db_baselines_active(lw_db *db, lw_err *err);

/* Latency histogram of each active baseline's run (successful requests):
 * between 5 and 30 equal bins (about the square root of the samples) from
 * the fastest to the slowest request. Rows: baseline id, bin (1..n),
 * count, lo, hi; by id then bin. */
PGresult *lw_db_baselines_histograms(lw_db *db, lw_err *err);

#endif
