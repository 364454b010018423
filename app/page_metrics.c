/* page_metrics.c: "/metrics" in the Prometheus text format: llmwatch_up,
 * the latest probe of each model, and the last hour (counts, success
 * ratio, p95, errors by class). Windowed counts are gauges: they go down
 * as the hour slides, which a Prometheus counter must never do. */
#include "app.h"

#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "replica.h"
#include "db/topics.h"

static void
free_buf(void *b)
{
    lw_buf_free(b);
}

/* A label value: backslash, double quote and newline escaped. */
static void
put_label(lw_buf *b, const char *name, const char *v)
{
    lw_buf_printf(b, "%s=\"", name);
    for (; v && *v; v++) {
        if (*v == '\\')
            lw_buf_puts(b, "\\\\");
        else if (*v == '"')
            lw_buf_puts(b, "\\\"");
        else if (*v == '\n')
            lw_buf_puts(b, "\\n");
        else
            lw_buf_putc(b, *v);
    }
    lw_buf_putc(b, '"');
}

static void
model_labels(lw_buf *b, const char *metric, const PGresult *res, int row)
{
    lw_buf_printf(b, "%s{", metric);
    put_label(b, "model", lw_db_str(res, row, 0));
    lw_buf_putc(b, ',');
    put_label(b, "environment", lw_db_str(res, row, 1));
    lw_buf_putc(b, ',');
    put_label(b, "provider", lw_db_str(res, row, 2));
    lw_buf_puts(b, "} ");
}

struct family {
    const char *name, *help;
    const char *column;     /* of lw_db_metrics_models */
    double scale;           /* ms -> s */
};

static const struct family families[] = {
    { "llmwatch_probe_success", "Whether the latest probe of the model succeeded (1) or failed (0).",
      "last_ok", 1 },
    { "llmwatch_probe_ttft_seconds", "Time to first token of the latest probe.",
      "last_ttft_ms", 0.001 },
    { "llmwatch_probe_duration_seconds", "Total latency of the latest probe.",
      "last_total_ms", 0.001 },
    { "llmwatch_probe_decode_tokens_per_second", "Decode rate of the latest probe: (output tokens - 1) / (total - TTFT).",
      "last_tps", 1 },
    { "llmwatch_probe_last_timestamp_seconds", "Unix time of the latest probe.",
      "last_epoch", 1 },
    { "llmwatch_model_sla_target_seconds", "The model's latency SLA target.",
      "sla_target_ms", 0.001 },
    { "llmwatch_probes_last_hour", "Probes of the model in the last hour.",
      "hour_count", 1 },
    { "llmwatch_probe_success_ratio_last_hour", "Share of successful probes in the last hour.",
      NULL, 1 },
    { "llmwatch_probe_duration_p95_seconds_last_hour", "95th percentile of successful probes' total latency over the last hour.",
      "hour_p95_ms", 0.001 },
};

/* The page cache of this web process (cache.h): counters since it started. */
static void
cache_metrics(lw_buf *b)
{
    lw_cache_stats st;

    lw_cache_get_stats(&st);
    lw_buf_printf(b,
        "# HELP llmwatch_web_cache_requests_total Cacheable page requests of this web process, by outcome.\n"
        "# TYPE llmwatch_web_cache_requests_total counter\n"
        "llmwatch_web_cache_requests_total{outcome=\"hit\"} %llu\n"
        "llmwatch_web_cache_requests_total{outcome=\"stale_hit\"} %llu\n"
        "llmwatch_web_cache_requests_total{outcome=\"miss\"} %llu\n"
        "llmwatch_web_cache_requests_total{outcome=\"bypass\"} %llu\n"
        "# HELP llmwatch_web_cache_evictions_total Pages dropped to stay within the cache size.\n"
        "# TYPE llmwatch_web_cache_evictions_total counter\n"
        "llmwatch_web_cache_evictions_total %llu\n"
        "# HELP llmwatch_web_cache_invalidations_total Changes of the data the cached pages show.\n"
        "# TYPE llmwatch_web_cache_invalidations_total counter\n"
        "llmwatch_web_cache_invalidations_total %llu\n"
        "# HELP llmwatch_web_cache_bytes Bytes the page cache holds.\n"
        "# TYPE llmwatch_web_cache_bytes gauge\n"
        "llmwatch_web_cache_bytes %zu\n"
        "# HELP llmwatch_web_cache_max_bytes The page cache's size limit.\n"
        "# TYPE llmwatch_web_cache_max_bytes gauge\n"
        "llmwatch_web_cache_max_bytes %zu\n"
        "# HELP llmwatch_web_cache_entries Pages the page cache holds.\n"
        "# TYPE llmwatch_web_cache_entries gauge\n"
        "llmwatch_web_cache_entries %zu\n"
        "# HELP llmwatch_web_cache_listening Whether the cache hears data changes (0: bypassed).\n"
        "# TYPE llmwatch_web_cache_listening gauge\n"
        "llmwatch_web_cache_listening %d\n"
        "# HELP llmwatch_web_auth_cache_requests_total Session and token checks, answered from memory or not.\n"
        "# TYPE llmwatch_web_auth_cache_requests_total counter\n"
        "llmwatch_web_auth_cache_requests_total{outcome=\"hit\"} %llu\n"
        "llmwatch_web_auth_cache_requests_total{outcome=\"miss\"} %llu\n",
        st.hits, st.stale_hits, st.misses, st.bypasses, st.evictions, st.invalidations,
        st.bytes, st.max_bytes, st.entries, st.listening, st.auth_hits, st.auth_misses);
}

int
lw_page_metrics(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *models = NULL, *errors = NULL;
    const char *v;
    lw_buf *b;
    size_t f;
    int i, col, up;

    b = lw_pool_alloc(r->pool, sizeof(*b));
    if (b == NULL || lw_pool_cleanup_add(r->pool, free_buf, b) != LW_OK)
        return LW_ENOMEM;
    if (db != NULL) {
        models = lw_req_keep(r, lw_db_metrics_models(db, &r->err));
        errors = models ? lw_req_keep(r, lw_db_metrics_errors(db, &r->err)) : NULL;
    }
    up = models != NULL && errors != NULL;
    if (!up)
        lw_log(LW_LOG_WARN, "metrics: %s", r->err.msg);
    lw_buf_printf(b, "# HELP llmwatch_up Whether llmwatch-web could read the database.\n"
                     "# TYPE llmwatch_up gauge\nllmwatch_up %d\n", up);
    for (f = 0; up && f < LW_ARRAY_LEN(families); f++) {
        lw_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", families[f].name, families[f].help,
                      families[f].name);
        for (i = 0; i < PQntuples(models); i++) {
            if (families[f].column == NULL) {   /* the success ratio */
                if (lw_db_int(models, i, PQfnumber(models, "hour_count")) == 0)
                    continue;
                model_labels(b, families[f].name, models, i);
                lw_buf_printf(b, "%.15g\n", (double) lw_db_int(models, i, PQfnumber(models, "hour_ok"))
                              / (double) lw_db_int(models, i, PQfnumber(models, "hour_count")));
                continue;
            }
            col = PQfnumber(models, families[f].column);
            v = lw_db_str(models, i, col);
            if (v == NULL)
                continue;   /* no probe yet: no sample rather than a made-up 0 */
            model_labels(b, families[f].name, models, i);
            if (PQftype(models, col) == 16)
                lw_buf_printf(b, "%d\n", v[0] == 't');
            else
                lw_buf_printf(b, "%.15g\n", strtod(v, NULL) * families[f].scale);
        }
    }
    if (up) {
        lw_buf_puts(b, "# HELP llmwatch_probe_errors_last_hour Failed probes in the last hour by error class.\n"
                       "# TYPE llmwatch_probe_errors_last_hour gauge\n");
        for (i = 0; i < PQntuples(errors); i++) {
            lw_buf_puts(b, "llmwatch_probe_errors_last_hour{");
            put_label(b, "model", lw_db_str(errors, i, 0));
            lw_buf_putc(b, ',');
            put_label(b, "environment", lw_db_str(errors, i, 1));
            lw_buf_putc(b, ',');
            put_label(b, "error_class", lw_db_str(errors, i, 2));
            lw_buf_printf(b, "} %lld\n", lw_db_int(errors, i, 3));
        }
    }
    cache_metrics(b);
    lw_replica_metrics(r, b);
    if (b->data == NULL)
        return LW_ENOMEM;
    return lw_req_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", b->data, b->len);
}
