/* custom.h: the SQL of custom metrics: named values per model from a
 * suite's custom scorers and POST /api/v1/metrics, stored in
 * custom_metrics and read only through lw_custom_metric_read (the hourly
 * and daily rollups of sql/012_costs.sql).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a
 * message in err. */
#ifndef LW_DB_CUSTOM_H
#define LW_DB_CUSTOM_H

#include "db/db.h"

/* Stores the values of rows_json, source "scorer" or "api": [{key (NULL:
 * none), ts, model_id, environment_id, name, value (NULL for a failed
 * scorer), failure (NULL, "timeout", "exit", "no_number", "cannot_run"),
 * case_id, request_id}] in one statement; a row whose key was stored
 * before is skipped. *inserted and *known (skipped). LW_OK or LW_EDB. */
int lw_db_custom_insert(lw_db *db, lw_err *err, const char *rows_json, const char *source,
                        long long *inserted, long long *known);

/* Metric `name` of model row model_id over [from, to) (Unix seconds,
 * hour-aligned): one row per hour that has one: t (epoch), n, failed,
 * mean (NULL without values), min, max. */
PGresult *lw_db_custom_hourly(lw_db *db, lw_err *err, long long model_id, const char *name,
                              long long from, long long to);

/* Every metric of model row model_id over [from, to) in steps of step_s
 * seconds (from aligned to it): name, t (epoch), n, failed, mean; by name
 * then time. */
PGresult *lw_db_custom_series(lw_db *db, lw_err *err, long long model_id, long long from,
                              long long to, long long step_s);

/* Per model and metric over [from, to), in environment `environment`
 * (NULL: all): model, environment, name, n, failed, mean, sd, min, max
 * (numbers as text, NULL without values); by model, environment, name. */
PGresult *lw_db_custom_summary(lw_db *db, lw_err *err, long long from, long long to,
                               const char *environment);

#endif
