/* timings.h: what llmwatch-web measures of itself, so slow pages can be
 * found from the data instead of guessed: per route, the requests, the
 * errors and a latency histogram (the rollups' log buckets); per route and
 * minute, the slowest query with its parameters. Kept in memory, written
 * to PostgreSQL (web_timings, web_slow_queries) every 30 seconds by the
 * page cache's listener thread, read by `llmwatch
 * analyze-dashboard-performance`, and counted in /metrics. */
#ifndef LW_TIMINGS_H
#define LW_TIMINGS_H

#include <libpq-fe.h>

#include "request.h"

/* How often the figures are written (by the page cache's listener;
 * $LLMWATCH_WEB_TIMINGS_FLUSH seconds overrides it, for tests). */
#define LW_TIMINGS_FLUSH_S 30
/* A query slower than this is kept as a sample (its text and parameters). */
#define LW_TIMINGS_SLOW_MS 20.0

/* Around one request: begin starts its clock and watches its queries,
 * end files it under its route (r->route, or "unmatched"). */
void lw_timings_begin(lw_req *r);
void lw_timings_end(lw_req *r);

/* Writes what was gathered since the last flush, then forgets it (on a
 * failed write too: these are measurements, not data). LW_OK or LW_EDB. */
int  lw_timings_flush(PGconn *conn, const char *host);
/* Watches db's queries for r (when the request's connection is opened
 * after lw_timings_begin). */
void lw_timings_watch(lw_req *r, lw_db *db);

/* For /metrics: per route, requests and the sum of their seconds since the
 * process started. fn is called once per route with traffic. */
void lw_timings_each(void (*fn)(void *ud, const char *route, unsigned long long n,
                                unsigned long long errors, double seconds), void *ud);

#endif
