/* dash.h: the SQL behind the dashboard ("/") and the model page
 * ("/models/{id}") charts: time series and per-model totals over a time
 * range, read from the rollups through lw_rollup_read() (5-minute, hourly
 * or daily rows, whichever divides the step); the alert history; a model's
 * active baseline.
 *
 * Freshness: the rollups are rebuilt in the same transaction as the probes
 * they describe (sql/008_read_path.sql), so a chart is exact up to the
 * last committed probe, reads no raw probe, and costs the same whatever
 * the history (O(models x points)).
 *
 * Every function returning a PGresult gives it to the caller (PQclear),
 * or returns NULL with a message in err. Latency measures are over
 * successful probes; percentiles come from the log histogram (within
 * LW_ROLLUP_REL_ERROR of the exact value). */
#ifndef LW_DB_DASH_H
#define LW_DB_DASH_H

#include <stddef.h>
#include <time.h>

#include "db/db.h"

/* A time range of the pages: [from, to) cut in steps of step_s. to is the
 * end of the step holding now, so the last point is the bucket still
 * filling. */
typedef struct {
    const char *key;        /* "24h": the ?range= value */
    const char *label;      /* "24 hours" */
    long long   span_s;
    long long   step_s;     /* a multiple of 5 minutes dividing a day */
    time_t      from, to;
} lw_db_dash_range;

/* The ranges offered, in order (1h, 6h, 24h, 7d, 30d, 90d); *n gets the count. */
const lw_db_dash_range *lw_db_dash_ranges(size_t *n);
#define LW_DB_DASH_DEFAULT_RANGE "24h"

/* Widens r's step (keeping it a whole number of rollup buckets that
 * divides a day, at least LW_DB_DASH_MIN_POINTS points) until a model with `samples` probes
 * over the range has LW_DB_DASH_MIN_SAMPLES a step: a model probed every
 * 5 minutes is drawn at 15-minute points over an hour, not as noise.
 * from and to are widened to the new step. */
#define LW_DB_DASH_MIN_SAMPLES 3
#define LW_DB_DASH_MIN_POINTS  4
void lw_db_dash_range_fit(lw_db_dash_range *r, long long samples);

/* A custom range [from, to): the step is the smallest whole number of
 * rollup buckets (5 minutes .. 1 day) giving at most 300 points, from and
 * to widened to it. LW_EINVAL when to <= from or the span is over
 * LW_DB_DASH_MAX_SPAN. key is "custom". */
#define LW_DB_DASH_MAX_SPAN (400LL * 86400)
int lw_db_dash_range_custom(time_t from, time_t to, lw_db_dash_range *out);

/* The range named key (NULL or "" = the default) ending at the step that
 * holds `now`. LW_EINVAL for any other key. */
int lw_db_dash_range_get(const char *key, time_t now, lw_db_dash_range *out);

/* Per model of ids (n of them) and step of the range, only steps with
 * probes: model_id, t (unix seconds, step start), count, errors,
 * error_pct, p95_ms (NULL without a successful probe), avg_ms, cost_usd
 * (exact numeric text of the step), cum_cost (running total over the
 * range, float8, for plotting). Ordered by model_id, t. */
PGresult *lw_db_dash_series(lw_db *db, lw_err *err, const lw_db_dash_range *r,
                            const long long *ids, size_t n);

/* One row per model of ids, in the order given, over the whole range,
 * also for models without probes (count 0, measures NULL): model_id,
 * sla_target_ms, count, ok_count, errors, success_pct, error_pct,
 * p50_ms, p95_ms, p99_ms, avg_ms, max_ms, ttft_avg_ms, ttft_p50_ms,
 * ttft_p95_ms, tps, quality, cost (dollars for people), cost_usd (exact),
 * input_tokens, output_tokens, total_hist (the merged histogram as
 * PostgreSQL prints it), availability_target_pct, availability_ok,
 * latency_ok, compliance ('pass', 'fail' or 'no data'). Availability is
 * the success rate against the `sla_availability_pct` setting (99.9 by
 * default), latency p95 against the model's SLA target, as on /sla. */
PGresult *lw_db_dash_totals(lw_db *db, lw_err *err, const lw_db_dash_range *r,
                            const long long *ids, size_t n);

/* One model per step with probes: t, count, errors, error_pct, p50_ms,
 * p95_ms, ttft_p50_ms, tps (decode tokens/s), quality, then e_<class>
 * for every class of lw_rollup_error_classes (failed probes of that
 * class). Ordered by t. */
PGresult *lw_db_dash_model_series(lw_db *db, lw_err *err, const lw_db_dash_range *r,
                                  long long model_id);

/* The newest `limit` alert state changes: id, alert_id, at, ago,
 * from_state, to_state, rule, severity, model, environment, value. */
PGresult *lw_db_dash_alert_events(lw_db *db, lw_err *err, int limit);

/* The model's active baseline (zero or one row): id, suite, iterations,
 * samples, latency_mean_ms, latency_stddev_ms, latency_p95_ms,
 * ttft_mean_ms, ttft_p95_ms, success_pct, tps, cost_per_1k, quality,
 * created. */
PGresult *lw_db_dash_baseline(lw_db *db, lw_err *err, long long model_id);

/* ---- from rows to chart series ----------------------------------------- */

/* One line of a chart: points in time order; a NaN value breaks the line. */
typedef struct {
    double *t, *v;
    size_t  n;
} lw_db_dash_points;

/* The points of the rows of res whose column key_col equals key (key_col
 * < 0: every row): t from t_col (Unix seconds), v from v_col times scale,
 * divided by den_col when den_col >= 0 (rows where v or the divisor is
 * NULL, or the divisor 0, are skipped). Where two consecutive points are
 * more than max_gap_s apart a NaN is put between them, so a pause in
 * probing shows as a gap instead of a straight line across it. Arrays
 * come from pool. LW_OK or LW_ENOMEM. */
int lw_db_dash_points_from(lw_pool *pool, const PGresult *res, int key_col, long long key,
                           int t_col, int v_col, int den_col, double scale, double max_gap_s,
                           lw_db_dash_points *out);

/* The largest gap a line of range r bridges: 3 steps, or a twelfth of the
 * range when that is longer (probes every hour still draw a line over a
 * day; a day without probes is a gap on a month). */
double lw_db_dash_max_gap(const lw_db_dash_range *r);

/* A latency unit for values up to max_ms: "s" (*scale 0.001) from one
 * second up, else "ms" (*scale 1). Borrowed string. */
const char *lw_db_dash_latency_unit(double max_ms, double *scale);

#endif
