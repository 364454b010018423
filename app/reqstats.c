/* reqstats.c: the request counters of llmwatch-web (see reqstats.h). One
 * slot per route of the table and one for requests no route matched;
 * relaxed atomics: /metrics may read a request's count before its
 * duration, never a torn number. */
#include "reqstats.h"

#include <string.h>

#include "app.h"

#define MAX_ROUTES 128
#define CLASSES    5          /* 1xx..5xx */

/* Prometheus' default buckets, seconds (then +Inf) */
static const double bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NB (sizeof(bounds) / sizeof(bounds[0]))

typedef struct {
    uint64_t by_class[CLASSES];
    uint64_t buckets[NB];     /* not cumulative: bucket i holds (bounds[i-1], bounds[i]] */
    uint64_t count;
    uint64_t sum_us;
} slot;

static slot slots[MAX_ROUTES + 1];   /* the last: no route matched */

static size_t
slot_of(const struct lw_route *rt)
{
    const lw_route *base;
    size_t n;

    base = lw_routes(&n);
    if (rt == NULL || rt < base || rt >= base + n || (size_t) (rt - base) >= MAX_ROUTES)
        return MAX_ROUTES;
    return (size_t) (rt - base);
}

void
lw_reqstats_observe(const struct lw_route *rt, int status, int64_t us)
{
    slot *s = &slots[slot_of(rt)];
    int cls = status / 100 - 1;
    double secs = (double) (us < 0 ? 0 : us) / 1e6;
    size_t i;

    if (cls < 0 || cls >= CLASSES)
        cls = CLASSES - 1;
    __atomic_fetch_add(&s->by_class[cls], 1, __ATOMIC_RELAXED);
    for (i = 0; i < NB && secs > bounds[i]; i++)
        ;
    if (i < NB)
        __atomic_fetch_add(&s->buckets[i], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&s->sum_us, (uint64_t) (us < 0 ? 0 : us), __ATOMIC_RELAXED);
    __atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
}

static const char *
route_name(size_t i)
{
    const lw_route *base;
    size_t n;

    base = lw_routes(&n);
    return i < n ? base[i].pattern : "unmatched";
}

void
lw_reqstats_write(lw_buf *b, int openmetrics)
{
    const char *name = openmetrics ? "llmwatch_web_requests" : "llmwatch_web_requests_total";
    size_t i, k, n;
    uint64_t v, cum, count;

    lw_routes(&n);
    lw_buf_printf(b, "# HELP %s Requests answered by this llmwatch-web process, by route and "
                     "status class.\n# TYPE %s counter\n", name, name);
    for (i = 0; i <= MAX_ROUTES; i++) {
        if (i >= n && i != MAX_ROUTES)
            continue;
        for (k = 0; k < CLASSES; k++) {
            v = __atomic_load_n(&slots[i].by_class[k], __ATOMIC_RELAXED);
            if (v > 0)
                lw_buf_printf(b, "llmwatch_web_requests_total{route=\"%s\",code=\"%zuxx\"} %llu\n",
                              route_name(i), k + 1, (unsigned long long) v);
        }
    }
    lw_buf_puts(b, "# HELP llmwatch_web_request_duration_seconds Time from a request's routing "
                   "to its complete answer, by route.\n"
                   "# TYPE llmwatch_web_request_duration_seconds histogram\n");
    for (i = 0; i <= MAX_ROUTES; i++) {
        if (i >= n && i != MAX_ROUTES)
            continue;
        count = __atomic_load_n(&slots[i].count, __ATOMIC_RELAXED);
        if (count == 0)
            continue;
        cum = 0;
        for (k = 0; k < NB; k++) {
            cum += __atomic_load_n(&slots[i].buckets[k], __ATOMIC_RELAXED);
            lw_buf_printf(b, "llmwatch_web_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                          route_name(i), bounds[k], (unsigned long long) cum);
        }
        /* the bucket counts were read after count: +Inf is at least their sum */
        if (count < cum)
            count = cum;
        lw_buf_printf(b, "llmwatch_web_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                         "llmwatch_web_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                         "llmwatch_web_request_duration_seconds_count{route=\"%s\"} %llu\n",
                      route_name(i), (unsigned long long) count, route_name(i),
                      (double) __atomic_load_n(&slots[i].sum_us, __ATOMIC_RELAXED) / 1e6,
                      route_name(i), (unsigned long long) count);
    }
}
