/* check_metrics.c: /metrics on a private database: counters of probes by
 * outcome, error class and finish reason read from the daily rollups; the
 * OpenTelemetry GenAI histograms with their boundaries (token buckets exact
 * at their edges, a value on an edge counted in it); OpenMetrics on
 * Accept; the web app's own request counters. */
#include <check.h>

#include "reqstats.h"
#include "testdb.h"
#include "webtest.h"

static lw_testdb tdb;

static void
private_db_setup(void)
{
    (void) wt_db;   /* this suite has a private database */
    lw_testdb_setup(&tdb, "check_metrics");
}

static void
private_db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

static lw_db *
seeded(void)
{
    lw_db *db = lw_testdb_connect(&tdb);

    lw_testdb_exec(db, "TRUNCATE probes");
    lw_testdb_exec(db, "INSERT INTO environments (name) VALUES ('production') ON CONFLICT DO NOTHING");
    lw_testdb_exec(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms)"
                       " SELECT id, 'm1', 'openai', 'gpt-4o', 2000 FROM environments"
                       " WHERE name = 'production' ON CONFLICT DO NOTHING");
    /* four ok probes (one of each outcome) and two failures, yesterday
     * and today (the counters cover every day) */
    lw_testdb_exec(db,
        "INSERT INTO probes (ts, model_id, environment_id, ok, outcome, finish_reason, error_class,"
        " total_ms, ttft_ms, first_output_ms, input_tokens, output_tokens, decode_tps, cost_usd)"
        " SELECT now() - v.ago, m.id, m.environment_id, v.ok, v.outcome, v.fin, v.cls, v.total,"
        "   v.total / 4, v.total / 5, 10, v.otok, 8, 0.001"
        " FROM models m, (VALUES"
        "   (interval '1 day', true, 'text', 'stop', NULL, 300.0, 4),"
        "   (interval '1 minute', true, 'tool_call', 'tool_calls', NULL, 1000.0, 5),"
        "   (interval '1 minute', true, 'refusal', 'refusal', NULL, 3000.0, 16),"
        "   (interval '1 minute', true, 'blocked', 'safety', NULL, 7000.0, 17),"
        "   (interval '1 minute', false, NULL, NULL, 'timeout', 60000.0, NULL),"
        "   (interval '1 minute', false, NULL, NULL, 'http_5xx', 100.0, NULL))"
        "   v(ago, ok, outcome, fin, cls, total, otok)"
        " WHERE m.name = 'm1'");
    return db;
}

static char *
scrape(lw_db *db, const char *accept)
{
    char cookie[256], csrf[80], hdr[128];
    const char *extra[2] = { NULL, NULL };
    wt_request t;
    char *out;

    wt_templates();
    wt_user(db, "viewer", cookie, csrf);
    if (accept != NULL) {
        snprintf(hdr, sizeof(hdr), "HTTP_ACCEPT=%s", accept);
        extra[0] = hdr;
    }
    wt_request_init(&t, db, "GET", "/metrics", cookie, NULL, extra);
    out = strdup(wt_run(&t));
    wt_request_free(&t);
    return out;
}

#define HAS(out, s) ck_assert_msg(strstr((out), (s)) != NULL, "missing: %s", (s))
#define LBL "model=\"m1\",environment=\"production\",provider=\"openai\""

START_TEST(db_counters_from_rollups)
{
    lw_db *db = seeded();
    char *out = scrape(db, NULL);

    HAS(out, "Content-Type: text/plain; version=0.0.4");
    HAS(out, "# TYPE llmwatch_probes_total counter");
    HAS(out, "llmwatch_probes_total{" LBL ",result=\"ok\"} 1\n");
    HAS(out, "llmwatch_probes_total{" LBL ",result=\"tool_call\"} 1\n");
    HAS(out, "llmwatch_probes_total{" LBL ",result=\"refusal\"} 1\n");
    HAS(out, "llmwatch_probes_total{" LBL ",result=\"blocked\"} 1\n");
    HAS(out, "llmwatch_probes_total{" LBL ",result=\"error\"} 2\n");
    HAS(out, "llmwatch_probe_errors_total{" LBL ",error_class=\"timeout\"} 1\n");
    HAS(out, "llmwatch_probe_errors_total{" LBL ",error_class=\"http_5xx\"} 1\n");
    HAS(out, "llmwatch_probe_finish_reasons_total{" LBL ",finish_reason=\"safety\"} 1\n");
    HAS(out, "llmwatch_probe_finish_reasons_total{" LBL ",finish_reason=\"tool_calls\"} 1\n");
    HAS(out, "llmwatch_tokens_total{" LBL ",type=\"output\"} 42\n");
    HAS(out, "llmwatch_tokens_total{" LBL ",type=\"input\"} 60\n");
    lw_db_close(db);
    free(out);
}
END_TEST

START_TEST(db_histograms_have_genai_buckets)
{
    lw_db *db = seeded();
    char *out = scrape(db, NULL);

    /* output tokens 4, 5, 16, 17: le is inclusive and exact at powers of 4 */
    HAS(out, "gen_ai_client_token_usage_bucket{" LBL ",gen_ai_token_type=\"output\",le=\"1\"} 0\n");
    HAS(out, "gen_ai_client_token_usage_bucket{" LBL ",gen_ai_token_type=\"output\",le=\"4\"} 1\n");
    HAS(out, "gen_ai_client_token_usage_bucket{" LBL ",gen_ai_token_type=\"output\",le=\"16\"} 3\n");
    HAS(out, "gen_ai_client_token_usage_bucket{" LBL ",gen_ai_token_type=\"output\",le=\"64\"} 4\n");
    HAS(out, "gen_ai_client_token_usage_bucket{" LBL ",gen_ai_token_type=\"output\",le=\"67108864\"} 4\n");
    HAS(out, "gen_ai_client_token_usage_sum{" LBL ",gen_ai_token_type=\"output\"} 42\n");
    HAS(out, "gen_ai_client_token_usage_count{" LBL ",gen_ai_token_type=\"output\"} 4\n");
    /* durations of the ok probes: 0.3, 1, 3, 7 s */
    HAS(out, "gen_ai_client_operation_duration_seconds_bucket{" LBL ",le=\"0.16\"} 0\n");
    HAS(out, "gen_ai_client_operation_duration_seconds_bucket{" LBL ",le=\"0.32\"} 1\n");
    HAS(out, "gen_ai_client_operation_duration_seconds_bucket{" LBL ",le=\"1.28\"} 2\n");
    HAS(out, "gen_ai_client_operation_duration_seconds_bucket{" LBL ",le=\"5.12\"} 3\n");
    HAS(out, "gen_ai_client_operation_duration_seconds_bucket{" LBL ",le=\"10.24\"} 4\n");
    HAS(out, "gen_ai_client_operation_duration_seconds_bucket{" LBL ",le=\"+Inf\"} 4\n");
    HAS(out, "gen_ai_client_operation_duration_seconds_sum{" LBL "} 11.3\n");
    HAS(out, "gen_ai_client_operation_duration_seconds_count{" LBL "} 4\n");
    HAS(out, "# TYPE gen_ai_client_operation_time_to_first_chunk_seconds histogram");
    HAS(out, "llmwatch_ttft_seconds_count{" LBL "} 4\n");
    /* 8 tokens/s: 0.125 s per token */
    HAS(out, "llmwatch_time_per_output_token_seconds_bucket{" LBL ",le=\"0.1\"} 0\n");
    HAS(out, "llmwatch_time_per_output_token_seconds_bucket{" LBL ",le=\"0.15\"} 4\n");
    HAS(out, "llmwatch_up 1\n");
    lw_db_close(db);
    free(out);
}
END_TEST

START_TEST(db_openmetrics_on_accept)
{
    lw_db *db = seeded();
    char *out = scrape(db, "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
    size_t len = strlen(out);

    HAS(out, "Content-Type: application/openmetrics-text; version=1.0.0");
    HAS(out, "# TYPE llmwatch_probes counter\n");
    HAS(out, "llmwatch_probes_total{" LBL ",result=\"ok\"} 1\n");
    ck_assert_msg(strstr(out, "# TYPE llmwatch_probes_total") == NULL, "OpenMetrics family with _total");
    ck_assert_str_eq(out + len - 6, "# EOF\n");
    lw_db_close(db);
    free(out);
}
END_TEST

START_TEST(request_counters)
{
    const lw_route *routes;
    lw_buf b = { 0 };
    size_t n;

    routes = lw_routes(&n);
    lw_reqstats_observe(&routes[0], 200, 3000);
    lw_reqstats_observe(&routes[0], 503, 2000000);
    lw_reqstats_observe(NULL, 404, 10);
    lw_reqstats_write(&b, 0);
    ck_assert_ptr_nonnull(strstr(b.data, "llmwatch_web_requests_total{route=\"/\",code=\"2xx\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "llmwatch_web_requests_total{route=\"/\",code=\"5xx\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "llmwatch_web_requests_total{route=\"unmatched\",code=\"4xx\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "llmwatch_web_request_duration_seconds_bucket{route=\"/\",le=\"0.005\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "llmwatch_web_request_duration_seconds_bucket{route=\"/\",le=\"2.5\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "llmwatch_web_request_duration_seconds_count{route=\"/\"} 2\n"));
    lw_buf_reset(&b);
    lw_reqstats_write(&b, 1);
    ck_assert_ptr_nonnull(strstr(b.data, "# TYPE llmwatch_web_requests counter\n"));
    lw_buf_free(&b);
}
END_TEST

Suite *
metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *db = tcase_create("metrics_db");
    TCase *pure = tcase_create("metrics_pure");

    tcase_add_unchecked_fixture(db, private_db_setup, private_db_teardown);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_counters_from_rollups);
    tcase_add_test(db, db_histograms_have_genai_buckets);
    tcase_add_test(db, db_openmetrics_on_accept);
    tcase_add_test(pure, request_counters);
    suite_add_tcase(s, db);
    suite_add_tcase(s, pure);
    return s;
}
