/* api.h: the SQL of the JSON API (/api/v1): each function returns ONE row
 * with ONE column, the JSON document PostgreSQL built (json_agg), so the
 * web process only passes it on. Times are RFC 3339 UTC with milliseconds,
 * durations in ms, money in dollars as numbers, absent values null.
 * Aggregates read the rollups (lw_rollup_read); raw probes only as pages
 * of at most `limit` rows.
 *
 * Ranges are [from, to) in Unix seconds; cursor is the last id of the
 * previous page (0: the first page). Lists are
 * {"data":[...],"next_cursor":"ID"|null}, newest first.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_API_H
#define LW_DB_API_H

#include "db/db.h"

/* Probes of model `model` (a name; NULL: all) in the range. */
PGresult *lw_db_api_probes(lw_db *db, lw_err *err, const char *model, long long from,
                           long long to, int limit, long long cursor);
/* {"model":{..},"from","to","step_s","data":[per bucket measures]} for
 * model id over the range, buckets of step_s seconds (a multiple of 300;
 * 0: one bucket for the whole range). Zero rows: no such model. */
PGresult *lw_db_api_measures(lw_db *db, lw_err *err, long long model_id, long long from,
                             long long to, long long step_s);
/* Alerts started in the range, optionally of one state, severity, model
 * name. */
PGresult *lw_db_api_alerts(lw_db *db, lw_err *err, const char *state, const char *severity,
                           const char *model, long long from, long long to, int limit,
                           long long cursor);
/* One alert with its history ("events") and notifications; zero rows
 * when unknown. */
PGresult *lw_db_api_alert(lw_db *db, lw_err *err, long long id);
/* Live rules ({"data":[...]}); one rule when id > 0 (zero rows when
 * unknown or deleted). */
PGresult *lw_db_api_rules(lw_db *db, lw_err *err, long long id);
/* Silences and maintenance windows; only those in force (or recurring)
 * when active. */
PGresult *lw_db_api_silences(lw_db *db, lw_err *err, int active);
/* Per enabled model over the range: probes, ok, availability_pct, p95_ms
 * against its target, compliance (as /sla judges it). */
PGresult *lw_db_api_sla(lw_db *db, lw_err *err, long long from, long long to);
/* Budgets with what was spent in their current period. */
PGresult *lw_db_api_budgets(lw_db *db, lw_err *err);

#endif
