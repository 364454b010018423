/* reqstats.h: what llmwatch-web itself served since it started: requests
 * per route and status class, and their duration as a histogram, kept in
 * lock-free counters for /metrics. Process counters: a restart starts them
 * again at 0, which Prometheus reads as a counter reset. */
#ifndef LW_REQSTATS_H
#define LW_REQSTATS_H

#include <stdint.h>

#include "lw.h"

struct lw_route;

/* One request answered: its route (NULL when no route matched), HTTP
 * status and duration in microseconds. Thread-safe. */
void lw_reqstats_observe(const struct lw_route *rt, int status, int64_t us);

/* Appends the families llmwatch_web_requests_total{route,code} and
 * llmwatch_web_request_duration_seconds{route} to b, in the Prometheus
 * text format or, with openmetrics, in OpenMetrics (counter families named
 * without _total). Routes without a request are left out. */
void lw_reqstats_write(lw_buf *b, int openmetrics);

#endif
