/* check_measures.c: a probe's result from what its request produced:
 * classification, times, tokens, rates, cost, messages; and the figures
 * rules read from stored probes (refusal_rate, blocked_rate,
 * reasoning_tokens, stall_rate, version_changes) through evaluation and
 * backtests on a real database. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "money.h"
#include "probe/probe.h"

#include "streams.h"

/* ---- classification and measures ------------------------------------------ */

START_TEST(test_classify_status)
{
    ck_assert_int_eq(lw_probe_classify_status(200), LW_PERR_NONE);
    ck_assert_int_eq(lw_probe_classify_status(401), LW_PERR_AUTH);
    ck_assert_int_eq(lw_probe_classify_status(403), LW_PERR_AUTH);
    ck_assert_int_eq(lw_probe_classify_status(429), LW_PERR_RATE_LIMITED);
    ck_assert_int_eq(lw_probe_classify_status(400), LW_PERR_HTTP_4XX);
    ck_assert_int_eq(lw_probe_classify_status(404), LW_PERR_HTTP_4XX);
    ck_assert_int_eq(lw_probe_classify_status(500), LW_PERR_HTTP_5XX);
    ck_assert_int_eq(lw_probe_classify_status(529), LW_PERR_HTTP_5XX);
    ck_assert_int_eq(lw_probe_classify_status(302), LW_PERR_PROTOCOL);
    ck_assert_str_eq(lw_probe_errclass_name(LW_PERR_RATE_LIMITED), "rate_limited");
    ck_assert_str_eq(lw_probe_errclass_name(LW_PERR_HTTP_4XX), "http_4xx");
    ck_assert_str_eq(lw_probe_errclass_name(LW_PERR_NONE), "ok");
    ck_assert_str_eq(lw_probe_errclass_name(LW_PERR_EMPTY), "empty");
}
END_TEST

/* Runs a fixture through finalize with a given outcome: whole in one read
 * at t_first, or with a step one event per read from t_first on. */
static void
finalize_events(const lw_provider_ops *p, const char *name, lw_probe_outcome *oc,
                lw_probe_job *job, int64_t t_first, int64_t step)
{
    size_t len;
    char *buf = providers_fixture(name, &len);
    lw_stream st;

    lw_stream_init(&st, p);
    if (step > 0)
        stream_feed_events(&st, buf, len, t_first, step);
    else
        ck_assert_int_eq(lw_stream_feed(&st, buf, len, t_first), LW_OK);
    lw_stream_finish(&st);
    oc->body_bytes = len;
    ck_assert_int_eq(lw_probe_finalize(job, oc, &st, 16 * 1024), LW_OK);
    lw_stream_free(&st);
    free(buf);
}

static void
finalize_fixture(const lw_provider_ops *p, const char *name, lw_probe_outcome *oc,
                 lw_probe_job *job, int64_t t_first)
{
    finalize_events(p, name, oc, job, t_first, 0);
}

START_TEST(test_finalize_ok_measures)
{
    lw_probe_outcome oc = { 0 };
    lw_probe_job job = { 0 };
    lw_probe_result *r = &job.result;

    job.prompt = "What is the capital of France?";
    job.price_in_micros_per_mtok = 150000;     /* $0.15 / Mtok */
    job.price_out_micros_per_mtok = 600000;    /* $0.60 / Mtok */
    oc.http_status = 200;
    oc.t_sent_us = 1000000;
    oc.t_end_us = 1000000 + 1500000;           /* 1.5 s */
    /* event k at 150.5 + 100 k ms: the role chunk at 150.5, "The" at
     * 250.5, "." at 850.5, then finish, usage and [DONE] */
    finalize_events(&lw_provider_openai, "openai_full.sse", &oc, &job, 1000000 + 150500, 100000);
    ck_assert_int_eq(r->ok, 1);
    ck_assert_int_eq(r->err_class, LW_PERR_NONE);
    ck_assert_str_eq(r->error_msg, "");
    ck_assert_double_eq_tol(r->ttft_ms, 250.5, 1e-9);
    ck_assert_double_eq_tol(r->total_ms, 1500.0, 1e-9);
    ck_assert_int_eq(r->input_tokens, 14);
    ck_assert_int_eq(r->output_tokens, 8);
    ck_assert_int_eq(r->tokens_estimated, 0);
    /* (8-1) tokens between the first and the last content token (0.6 s);
     * 8 over 1.5 s */
    ck_assert_double_eq_tol(r->decode_tps, 7.0 / 0.6, 1e-9);
    ck_assert_double_eq_tol(r->e2e_tps, 8.0 / 1.5, 1e-9);
    /* 14 x 150000 + 8 x 600000 pico-dollars */
    ck_assert_int_eq(r->cost_pico, 2100000 + 4800000);
    ck_assert_str_eq(r->text, "The capital of France is Paris.");
    ck_assert_str_eq(r->finish_reason, "stop");
    ck_assert_double_eq(r->quality, -1);
    lw_probe_result_free(r);
}
END_TEST

START_TEST(test_finalize_estimated)
{
    lw_probe_outcome oc = { 0 };
    lw_probe_job job = { 0 };
    lw_probe_result *r = &job.result;
    lw_scorer sc = { 0 };
    lw_err err;

    job.prompt = "What is the capital of France?";      /* 30 characters */
    sc.type = LW_SCORER_CONTAINS;
    sc.values = calloc(1, sizeof(char *));
    sc.values[0] = strdup("Paris");
    sc.n_values = 1;
    ck_assert_int_eq(lw_scorer_prepare(&sc, &err), LW_OK);
    job.scorer = &sc;
    oc.http_status = 200;
    oc.t_sent_us = 0;
    oc.t_end_us = 1000000;
    finalize_fixture(&lw_provider_openai, "openai_no_usage.sse", &oc, &job, 200000);
    ck_assert_int_eq(r->ok, 1);
    ck_assert_int_eq(r->tokens_estimated, 1);
    ck_assert_int_eq(r->output_tokens, 8);       /* 31 characters / 4, rounded up */
    ck_assert_int_eq(r->input_tokens, 8);        /* 30 / 4 rounded up */
    ck_assert_double_eq(r->quality, 100);
    lw_probe_result_free(r);

    /* cut stream: protocol, partial text and measures kept, estimated */
    finalize_fixture(&lw_provider_openai, "openai_cut.sse", &oc, &job, 200000);
    ck_assert_int_eq(r->ok, 0);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_ptr_nonnull(strstr(r->error_msg, "truncated"));
    ck_assert_str_eq(r->text, "The capital of France");
    ck_assert_int_eq(r->tokens_estimated, 1);
    ck_assert_int_eq(r->output_tokens, 6);
    ck_assert_double_eq_tol(r->ttft_ms, 200.0, 1e-9);
    ck_assert_double_eq(r->quality, -1);         /* failed requests are not scored */
    lw_probe_result_free(r);

    /* malformed chunk: protocol even though the stream ended */
    finalize_fixture(&lw_provider_openai, "openai_malformed.sse", &oc, &job, 1);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_str_eq(r->error_msg, "malformed JSON in stream");
    lw_probe_result_free(r);

    /* Anthropic error event */
    finalize_fixture(&lw_provider_anthropic, "anthropic_error.sse", &oc, &job, 1);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_str_eq(r->error_msg, "overloaded_error: Overloaded");
    ck_assert_int_eq(r->input_tokens, 21);
    ck_assert_int_eq(r->tokens_estimated, 1);
    lw_probe_result_free(r);

    /* gateway quirk: input from message_delta, not estimated */
    finalize_fixture(&lw_provider_anthropic, "anthropic_gateway.sse", &oc, &job, 1);
    ck_assert_int_eq(r->ok, 1);
    ck_assert_int_eq(r->input_tokens, 21);
    ck_assert_int_eq(r->output_tokens, 9);
    ck_assert_int_eq(r->tokens_estimated, 0);
    lw_probe_result_free(r);

    lw_scorer_free(&sc);
}
END_TEST

static void
finalize_body(const char *body, long status, lw_probe_job *job)
{
    lw_probe_outcome oc = { 0 };
    lw_stream st;

    lw_stream_init(&st, &lw_provider_openai);
    oc.http_status = status;
    oc.t_sent_us = 10;
    oc.t_end_us = 20;
    oc.retry_after_s = -1;
    if (status >= 200 && status < 300) {
        lw_stream_feed(&st, body, strlen(body), 15);
        lw_stream_finish(&st);
        oc.body_bytes = strlen(body);
    } else {
        oc.err_body = body;
        oc.err_body_len = strlen(body);
    }
    ck_assert_int_eq(lw_probe_finalize(job, &oc, status >= 200 && status < 300 ? &st : NULL, 100),
                     LW_OK);
    lw_stream_free(&st);
}

START_TEST(test_finalize_errors)
{
    lw_probe_job job = { 0 };
    lw_probe_result *r = &job.result;
    lw_probe_outcome oc = { 0 };

    job.prompt = "x";
    job.api_key = "sk-test-0123456789abcdef";

    /* a 200 with a role chunk and [DONE] only */
    finalize_body("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                  "\"finish_reason\":null}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{},"
                  "\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n", 200, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_EMPTY);
    ck_assert_ptr_nonnull(strstr(r->error_msg, "length"));
    ck_assert_double_eq(r->ttft_ms, -1);
    ck_assert_int_eq(r->tokens_estimated, 1);    /* usage absent: never a silent 0 */
    lw_probe_result_free(r);

    /* a 200 that is not an event stream */
    finalize_body("{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}", 200, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_str_eq(r->error_msg, "reply is not an event stream");
    lw_probe_result_free(r);

    /* 429 with the key echoed by the provider: redacted */
    finalize_body("{\"error\":{\"message\":\"Rate limit reached for key sk-test-0123456789abcdef "
                  "on requests\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}", 429, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_RATE_LIMITED);
    ck_assert_int_eq(r->ok, 0);
    ck_assert_str_eq(r->error_msg, "requests: Rate limit reached for key [redacted] on requests");
    ck_assert_int_eq(r->input_tokens, 0);
    ck_assert_int_eq(r->tokens_estimated, 0);
    ck_assert_int_eq(r->cost_pico, 0);
    lw_probe_result_free(r);

    /* a masked piece of the key is still a piece of the key */
    finalize_body("{\"error\":{\"message\":\"Incorrect API key provided: sk-test-01**********cdef.\"}}",
                  401, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_AUTH);
    ck_assert_ptr_null(strstr(r->error_msg, "sk-test-01"));
    lw_probe_result_free(r);

    finalize_body("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
                  529, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_HTTP_5XX);
    ck_assert_str_eq(r->error_msg, "overloaded_error: Overloaded");
    lw_probe_result_free(r);

    finalize_body("<html>Bad Gateway</html>\r\n", 502, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_HTTP_5XX);
    ck_assert_str_eq(r->error_msg, "HTTP 502: <html>Bad Gateway</html>");
    lw_probe_result_free(r);

    finalize_body("", 404, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_HTTP_4XX);
    ck_assert_str_eq(r->error_msg, "HTTP 404");
    lw_probe_result_free(r);

    /* transport failures */
    oc.transport_failed = 1;
    oc.transport_class = LW_PERR_CONNECT;
    oc.transport_msg = "Failed to connect to 127.0.0.1 port 9: Connection refused";
    oc.t_sent_us = 5;
    oc.t_end_us = 7005;
    ck_assert_int_eq(lw_probe_finalize(&job, &oc, NULL, 100), LW_OK);
    ck_assert_int_eq(r->err_class, LW_PERR_CONNECT);
    ck_assert_double_eq_tol(r->total_ms, 7.0, 1e-9);
    ck_assert_ptr_nonnull(strstr(r->error_msg, "Connection refused"));
    lw_probe_result_free(r);

    oc.oversize = 1;
    oc.body_cap = 1024 * 1024;
    oc.http_status = 200;
    ck_assert_int_eq(lw_probe_finalize(&job, &oc, NULL, 100), LW_OK);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_str_eq(r->error_msg, "reply over 1 MiB");
    lw_probe_result_free(r);
}
END_TEST

START_TEST(test_sanitize_msg)
{
    char out[32];

    lw_probe_sanitize_msg(out, sizeof(out), "a\tb\nc\x01 d", 9, NULL);
    ck_assert_str_eq(out, "a b c  d");
    /* truncation never splits a UTF-8 character: "é" is 2 bytes */
    lw_probe_sanitize_msg(out, 6, "abcd\xC3\xA9xyz", 9, NULL);
    ck_assert_str_eq(out, "abcd");
    lw_probe_sanitize_msg(out, sizeof(out), "key=KEY123 ok", 13, "KEY123");
    ck_assert_str_eq(out, "key=[redacted] ok");
    lw_probe_sanitize_msg(out, sizeof(out), "partial abcdefghij", 18, "zzabcdefghzz");
    ck_assert_str_eq(out, "partial [redacted]ij");
}
END_TEST

START_TEST(test_estimate_and_cost)
{
    ck_assert_int_eq(lw_estimate_tokens("", 0), 0);
    ck_assert_int_eq(lw_estimate_tokens("a", 1), 1);
    ck_assert_int_eq(lw_estimate_tokens("abcd", 4), 1);
    ck_assert_int_eq(lw_estimate_tokens("abcde", 5), 2);
    /* three CJK characters: one token each */
    ck_assert_int_eq(lw_estimate_tokens("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 9), 3);
    /* "café" is 4 characters, not 5 bytes */
    ck_assert_int_eq(lw_estimate_tokens("caf\xC3\xA9", 5), 1);
    /* a truncated UTF-8 sequence does not read past the end */
    ck_assert_int_eq(lw_estimate_tokens("\xE6\x97", 2), 1);

    ck_assert_int_eq(lw_cost_pico(1000, 2500000), 2500000000LL);   /* 1000 tok at $2.50/M = $0.0025 */
    ck_assert_int_eq(lw_cost_pico(0, 2500000), 0);
    ck_assert_int_eq(lw_cost_pico(INT64_MAX / 2, 3), -1);
}
END_TEST

Suite *measures_suite(void)
{
    Suite *s = suite_create("measures");
    TCase *tc = tcase_create("measures");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_classify_status);
    tcase_add_test(tc, test_finalize_ok_measures);
    tcase_add_test(tc, test_finalize_estimated);
    tcase_add_test(tc, test_finalize_errors);
    tcase_add_test(tc, test_sanitize_msg);
    tcase_add_test(tc, test_estimate_and_cost);
    suite_add_tcase(s, tc);
    return s;
}
