/* timings.c: the web app's own timings (see timings.h). A route's figures
 * live in a small fixed table under one mutex: a request adds to it once,
 * at its end. */
#include "timings.h"

#include <json.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "rollup.h"

#define MAX_ROUTES 96
#define SQL_MAX    4000

struct slow {
    double ms;
    char   sql[SQL_MAX];
    char  *params;          /* JSON array (malloc'd), NULL when none */
};

struct route_stats {
    const char        *route;           /* the route's pattern (static) */
    /* since the last flush */
    unsigned long long n, errors;
    double             sum_ms, max_ms;
    int                hist[LW_ROLLUP_BUCKETS];
    struct slow        slow;
    /* since the process started, for /metrics */
    unsigned long long total_n, total_errors;
    double             total_ms;
};

static struct route_stats routes[MAX_ROUTES];
static size_t nroutes;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The request's slowest query, in the request's pool. */
static void
observe(void *ud, const char *sql, int nparams, const char *const *params, double ms)
{
    lw_req *r = ud;
    json_object *a;
    int i;

    if (ms < LW_TIMINGS_SLOW_MS || ms <= r->timing.slow_ms)
        return;
    r->timing.slow_ms = ms;
    r->timing.slow_sql = sql;
    a = json_object_new_array();
    for (i = 0; a != NULL && i < nparams; i++)
        json_object_array_add(a, params[i] ? json_object_new_string(params[i]) : NULL);
    r->timing.slow_params = a ? lw_pool_strdup(r->pool, json_object_to_json_string_ext(
                                    a, JSON_C_TO_STRING_PLAIN)) : NULL;
    json_object_put(a);
}

void
lw_timings_watch(lw_req *r, lw_db *db)
{
    lw_db_observe(db, observe, r);
}

void
lw_timings_begin(lw_req *r)
{
    r->timing.start_us = lw_now_mono_us();
    r->timing.slow_ms = 0;
    if (r->dbslot != NULL && *r->dbslot != NULL)
        lw_db_observe(*r->dbslot, observe, r);
    r->timing.observing = 1;
}

static struct route_stats *
stats_of(const char *route)
{
    size_t i;

    for (i = 0; i < nroutes; i++)
        if (routes[i].route == route)
            return &routes[i];
    if (nroutes == MAX_ROUTES)
        return NULL;
    routes[nroutes].route = route;
    return &routes[nroutes++];
}

void
lw_timings_end(lw_req *r)
{
    double ms = (double) (lw_now_mono_us() - r->timing.start_us) / 1000.0;
    const char *route = r->route ? r->route->pattern : "unmatched";
    struct route_stats *s;

    if (r->dbslot != NULL && *r->dbslot != NULL)
        lw_db_observe(*r->dbslot, NULL, NULL);
    pthread_mutex_lock(&lock);
    if ((s = stats_of(route)) != NULL) {
        s->n++;
        s->total_n++;
        if (r->status >= 500) {
            s->errors++;
            s->total_errors++;
        }
        s->sum_ms += ms;
        s->total_ms += ms;
        if (ms > s->max_ms)
            s->max_ms = ms;
        s->hist[lw_rollup_bucket(ms)]++;
        if (r->timing.slow_sql != NULL && r->timing.slow_ms > s->slow.ms) {
            s->slow.ms = r->timing.slow_ms;
            lw_strlcpy(s->slow.sql, r->timing.slow_sql, sizeof(s->slow.sql));
            free(s->slow.params);
            s->slow.params = r->timing.slow_params ? strdup(r->timing.slow_params) : NULL;
        }
    }
    pthread_mutex_unlock(&lock);
}

/* "[lo:hi]={...}" of a histogram, as PostgreSQL reads an integer[]. */
static void
hist_text(const int *h, lw_buf *b)
{
    int lo = -1, hi = -1, k;

    for (k = 0; k < LW_ROLLUP_BUCKETS; k++)
        if (h[k] > 0) {
            if (lo < 0)
                lo = k;
            hi = k;
        }
    if (lo < 0) {
        lw_buf_puts(b, "{}");
        return;
    }
    lw_buf_printf(b, "[%d:%d]={", lo, hi);
    for (k = lo; k <= hi; k++)
        lw_buf_printf(b, "%s%d", k > lo ? "," : "", h[k]);
    lw_buf_putc(b, '}');
}

int
lw_timings_flush(PGconn *conn, const char *host)
{
    struct route_stats copy[MAX_ROUTES];
    size_t n, i;
    char cnt[32], err[32], sum[32], mx[32], ms[32];
    lw_buf hist = { 0 };
    PGresult *res;
    int rc = LW_OK;

    pthread_mutex_lock(&lock);
    n = nroutes;
    memcpy(copy, routes, n * sizeof(copy[0]));
    for (i = 0; i < n; i++) {
        routes[i].n = routes[i].errors = 0;
        routes[i].sum_ms = routes[i].max_ms = 0;
        memset(routes[i].hist, 0, sizeof(routes[i].hist));
        routes[i].slow.ms = 0;
        routes[i].slow.params = NULL;        /* owned by the copy now */
    }
    pthread_mutex_unlock(&lock);

    for (i = 0; i < n; i++) {
        const char *p[6];

        if (copy[i].n == 0)
            continue;
        lw_buf_reset(&hist);
        hist_text(copy[i].hist, &hist);
        snprintf(cnt, sizeof(cnt), "%llu", copy[i].n);
        snprintf(err, sizeof(err), "%llu", copy[i].errors);
        snprintf(sum, sizeof(sum), "%.3f", copy[i].sum_ms);
        snprintf(mx, sizeof(mx), "%.3f", copy[i].max_ms);
        p[0] = copy[i].route;
        p[1] = cnt;
        p[2] = err;
        p[3] = sum;
        p[4] = mx;
        p[5] = hist.data;
        res = PQexecParams(conn,
            "INSERT INTO web_timings (minute, host, route, requests, errors, sum_ms, max_ms, hist)"
            " VALUES (date_trunc('minute', now()), $7, $1, $2::bigint, $3::bigint, $4::float8,"
            "  $5::float8, $6::int[])"
            " ON CONFLICT (minute, host, route) DO UPDATE SET"
            "  requests = web_timings.requests + EXCLUDED.requests,"
            "  errors = web_timings.errors + EXCLUDED.errors,"
            "  sum_ms = web_timings.sum_ms + EXCLUDED.sum_ms,"
            "  max_ms = greatest(web_timings.max_ms, EXCLUDED.max_ms),"
            "  hist = lw_hist_add(web_timings.hist, EXCLUDED.hist)",
            7, NULL, (const char *const[]) { p[0], p[1], p[2], p[3], p[4], p[5], host },
            NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = LW_EDB;
        PQclear(res);
        if (copy[i].slow.ms > 0) {
            snprintf(ms, sizeof(ms), "%.3f", copy[i].slow.ms);
            res = PQexecParams(conn,
                "INSERT INTO web_slow_queries (host, route, ms, sql, params)"
                " VALUES ($1, $2, $3::float8, $4, $5::jsonb)", 5, NULL,
                (const char *const[]) { host, copy[i].route, ms, copy[i].slow.sql,
                                        copy[i].slow.params ? copy[i].slow.params : "[]" },
                NULL, NULL, 0);
            if (PQresultStatus(res) != PGRES_COMMAND_OK)
                rc = LW_EDB;
            PQclear(res);
        }
        free(copy[i].slow.params);
    }
    lw_buf_free(&hist);
    return rc;
}

void
lw_timings_each(void (*fn)(void *ud, const char *route, unsigned long long n,
                           unsigned long long errors, double seconds), void *ud)
{
    struct route_stats copy[MAX_ROUTES];
    size_t n, i;

    pthread_mutex_lock(&lock);
    n = nroutes;
    for (i = 0; i < n; i++) {
        copy[i].route = routes[i].route;
        copy[i].total_n = routes[i].total_n;
        copy[i].total_errors = routes[i].total_errors;
        copy[i].total_ms = routes[i].total_ms;
    }
    pthread_mutex_unlock(&lock);
    for (i = 0; i < n; i++)
        fn(ud, copy[i].route, copy[i].total_n, copy[i].total_errors, copy[i].total_ms / 1000.0);
}
