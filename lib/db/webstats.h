/* webstats.h: the SQL over what llmwatch-web measures of itself
 * (web_timings, web_slow_queries: app/timings.c writes them), and over
 * PostgreSQL's pg_stat_statements when it is loaded: what `llmwatch
 * analyze-dashboard-performance` prints. Results: caller PQclear()s. */
#ifndef LW_DB_WEBSTATS_H
#define LW_DB_WEBSTATS_H

#include "db/db.h"

/* Per route over the last `hours`: route, requests, errors, avg_ms,
 * p50_ms, p95_ms, p99_ms, max_ms; slowest p95 first. */
PGresult *lw_db_webstats_pages(lw_db *db, lw_err *err, long long hours);

/* The `limit` slowest query samples of the last `hours`: at, route, ms,
 * sql, params (JSON text); slowest first. */
PGresult *lw_db_webstats_slow(lw_db *db, lw_err *err, long long hours, int limit);

/* Whether pg_stat_statements can be read (the extension exists, or could
 * be created, and the library is loaded). 1 yes, 0 no (*why says), LW_EDB. */
int lw_db_webstats_have_statements(lw_db *db, lw_err *err, char *why, size_t why_size);

/* The `limit` statements of this database with the largest mean time:
 * query, calls, mean_ms, max_ms, total_ms, rows. */
PGresult *lw_db_webstats_statements(lw_db *db, lw_err *err, int limit);

/* EXPLAIN (ANALYZE, BUFFERS) of sql with its parameters (a JSON array of
 * strings or nulls), in a transaction that is rolled back: the plan's
 * lines, one per row. */
PGresult *lw_db_webstats_explain(lw_db *db, lw_err *err, const char *sql, const char *params_json);

/* Drops timings and samples older than 14 days; the count deleted, or
 * LW_EDB. */
long long lw_db_webstats_expire(lw_db *db, lw_err *err);

#endif
