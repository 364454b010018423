/* measures.h: the query behind alert rule evaluation and backtests. For
 * every enabled model in a rule's scope and each evaluation time `at`, one
 * row with the measures of the window (at - window, at], the daily cost
 * (the 24 hours before at), the active baseline, the statistical reference
 * of the metric (at - window - lookback, at - window], regression sums of
 * the metric over buckets of the regression window, and probe and failure
 * counts of the burn-rate windows. What reaches back far is read once per
 * query with running sums, not once per time; the burn-rate windows, the
 * daily cost and the statistical reference read rollups inside and raw
 * probes only at their edges (docs/rollups.md, "What rule evaluation and
 * backtests read"), with the same counts, errors and cost as raw rows. lib/alert/fetch.c turns the
 * rows into samples; what each figure means is in alert/rule.h. */
#ifndef LW_DB_MEASURES_H
#define LW_DB_MEASURES_H

#include <stddef.h>
#include <time.h>

#include "db/db.h"

/* What to compute. Strings are borrowed. */
typedef struct {
    const char *models_json;        /* JSON array of model names; "[]": all */
    const char *environments_json;  /* JSON array of environment names; "[]": all */
    long long   window_s;           /* the window of the measures */
    int         window_measures;    /* compute the window's measures */
    int         daily_cost;         /* compute daily_cost */
    long long   lookback_s;         /* statistical reference; 0: none */
    const char *metric;             /* measure name ("avg_latency"...) of the
                                     * reference and the regression */
    long long   regr_window_s;      /* regression window; 0: none */
    long long   regr_bucket_s;      /* regression bucket */
    int         burn;               /* compute the burn-rate counts */
} lw_db_measures_spec;

/* The columns, in this order (figures are NULL when there is no data):
 *   at, model_id, environment_id, model, environment, sla_target (s),
 *   the LW_M_COUNT measures of the window in lw_measure order (avg_latency
 *   .. version_changes; latencies in seconds), the same of the active
 *   baseline (NULL where a baseline has none), mean, std_dev, n
 *   (statistical reference), regr_n (buckets),
 *   regr_samples (probes), slope, intercept, avgx, sxx, syy, sxy (x in
 *   hours relative to at), then count and failures of the burn-rate
 *   windows 5m, 30m, 1h, 6h, 3d (c0, e0 .. c4, e4).
 * Ordered by at, environment, model id. The caller PQclear()s; NULL with
 * a message in err on failure. */
#define LW_DB_MEASURES_FIRST 6      /* column of the first window measure */
PGresult *lw_db_measures_fetch(lw_db *db, lw_err *err, const lw_db_measures_spec *q,
                               const time_t *at, size_t n_at);

/* Custom metric `name` (custom.NAME in a rule) of every model at each
 * of at[0..n_at), through lw_custom_metric_read: its mean over the hours
 * overlapping (at - window_s, at]: at, model_id, environment_id, mean
 * (NULL when that window has no value). */
PGresult *lw_db_measures_custom(lw_db *db, lw_err *err, const char *name, const time_t *at,
                                size_t n_at, long long window_s);

/* The query's many laterals make the planner's estimates trigger JIT,
 * whose compilation (about a second) dwarfs the work (milliseconds):
 * callers turn it off for the session (on = 0) and back to the server's
 * setting (on = 1) around their fetches. LW_OK or LW_EDB. */
int lw_db_measures_jit(lw_db *db, lw_err *err, int on);

#endif
