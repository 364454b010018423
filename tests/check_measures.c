/* check_measures.c: a probe's result from what its request produced:
 * classification, times, tokens, rates, cost, messages; and the figures
 * rules read from stored probes (refusal_rate, blocked_rate,
 * reasoning_tokens, stall_rate, version_changes) through evaluation and
 * backtests on a real database, and the streams part of the model page. */
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

#include <math.h>

#include "alert/backtest.h"
#include "alert/fetch.h"
#include "alert/measure.h"
#include "alert/rule.h"
#include "db/cycle.h"
#include "eval/eval.h"
#include "money.h"
#include "probe/probe.h"
#include "testdb.h"
#include "webtest.h"

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

/* ---- the rule measures of streams, on a private database ------------------- */

static lw_testdb tdb;

static void
private_db_setup(void)
{
    lw_testdb_setup(&tdb, "check_measures");
}

static void
private_db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

#define exec_ok(db, sql) lw_testdb_exec((db), (sql))

/* Model "streams" (production): in the half hour before now, ten answers
 * (two refusals, one blocked prompt, three with a 2.5 s gap, reasoning
 * tokens 100, 200 and 300 on three of them) and two failures; its version
 * changed twice in the last 40 minutes (one change three hours ago). Model
 * "steady": ten plain answers, one version. */
static lw_db *
streams_db(void)
{
    lw_db *db = lw_testdb_connect(&tdb);
    PGresult *res;
    lw_err err;

    res = lw_db_query(db, &err, "SELECT count(*) FROM models WHERE name = 'streams'", 0, NULL);
    ck_assert_ptr_nonnull(res);
    if (lw_db_int(res, 0, 0) > 0) {
        PQclear(res);
        return db;
    }
    PQclear(res);
    exec_ok(db, "INSERT INTO environments (name) VALUES ('production')");
    exec_ok(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms)"
                " SELECT id, n, 'openai', n, 2000 FROM environments, (VALUES ('streams'), ('steady')) v (n)");
    exec_ok(db, "SELECT llmwatch_ensure_partitions((now() - interval '2 days')::date, now()::date + 1)");
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, error_class, ttft_ms, total_ms,"
                "  outcome, reasoning_tokens, max_gap_ms)"
                " SELECT now() - (g * interval '2 minutes'), m.id, m.environment_id, g <= 10,"
                "   CASE WHEN g > 10 THEN 'http_5xx' END, 100, 1000,"
                "   CASE WHEN g > 10 THEN NULL WHEN g IN (1, 2) THEN 'refusal' WHEN g = 3 THEN 'blocked'"
                "        ELSE 'text' END,"
                "   CASE WHEN g IN (4, 5, 6) THEN g * 100 - 300 END,"
                "   CASE WHEN g IN (7, 8, 9) THEN 2500 WHEN g <= 10 THEN 40 END"
                " FROM models m, generate_series(1, 12) g WHERE m.name = 'streams'");
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, ttft_ms, total_ms, outcome)"
                " SELECT now() - (g * interval '2 minutes'), m.id, m.environment_id, true, 100, 1000, 'text'"
                " FROM models m, generate_series(1, 10) g WHERE m.name = 'steady'");
    exec_ok(db, "INSERT INTO model_versions (model_id, environment_id, model_version, system_fingerprint,"
                "  first_seen, last_seen)"
                " SELECT m.id, m.environment_id, v.mv, v.fp, now() - v.ago, now() - v.ago + interval '1 minute'"
                " FROM models m, (VALUES ('gpt-x', 'fp_a', interval '5 hours'), ('gpt-x', 'fp_b', interval '3 hours'),"
                "   ('gpt-x', 'fp_c', interval '40 minutes'), ('gpt-y', 'fp_c', interval '10 minutes')) v (mv, fp, ago)"
                " WHERE m.name = 'streams'");
    exec_ok(db, "INSERT INTO model_versions (model_id, environment_id, model_version, first_seen, last_seen)"
                " SELECT id, environment_id, 'steady-1', now() - interval '1 hour', now() FROM models"
                " WHERE name = 'steady'");
    return db;
}

static lw_rule *
form_rule(const char *name, const char *kind, const char *condition, const char *window,
          const char *metric)
{
    lw_rule_form f;
    lw_rule_errors errs;
    lw_rule *r = NULL;

    memset(&f, 0, sizeof(f));
    memset(&errs, 0, sizeof(errs));
    f.name = name;
    f.kind = kind;
    f.condition = condition;
    f.window = window;
    f.metric = metric;
    f.severity = "warning";
    f.models = "streams";
    ck_assert_msg(lw_rule_from_form(&f, &r, &errs) == LW_OK, "%s: %s", name,
                  errs.n > 0 ? errs.v[0].msg : "?");
    return r;
}

/* The five measures over a window, as evaluate and backtests read them. */
START_TEST(test_stream_measures)
{
    lw_db *db = streams_db();
    lw_rule_samples ss;
    lw_rule *r = form_rule("m", "threshold", "refusal_rate > 0", "45m", NULL);
    lw_err err;
    time_t at = time(NULL);
    char buf[64];

    memset(&ss, 0, sizeof(ss));
    ck_assert_msg(lw_rule_fetch(db, &err, r, &at, 1, &ss) == LW_OK, "%s", err.msg);
    ck_assert_uint_eq(ss.n, 1);
    ck_assert_str_eq(ss.v[0].model, "streams");
    ck_assert_double_eq_tol(ss.v[0].m[LW_M_REFUSAL_RATE], 0.2, 1e-9);     /* 2 of 10 answers */
    ck_assert_double_eq_tol(ss.v[0].m[LW_M_BLOCKED_RATE], 0.1, 1e-9);
    ck_assert_double_eq_tol(ss.v[0].m[LW_M_REASONING_TOKENS], 200, 1e-9);
    ck_assert_double_eq_tol(ss.v[0].m[LW_M_STALL_RATE], 0.3, 1e-9);
    ck_assert_double_eq_tol(ss.v[0].m[LW_M_VERSION_CHANGES], 2, 1e-9);
    ck_assert_double_eq_tol(ss.v[0].m[LW_M_ERROR_RATE], 2.0 / 12, 1e-9);
    ck_assert(isnan(ss.v[0].baseline[LW_M_REFUSAL_RATE]));
    lw_rule_samples_free(&ss);
    lw_rule_free(r);
    ck_assert_str_eq(lw_measure_format(LW_M_REFUSAL_RATE, 0.2, buf, sizeof(buf)), "20.0%");
    ck_assert_str_eq(lw_measure_format(LW_M_REASONING_TOKENS, 200, buf, sizeof(buf)), "200 tokens");
    ck_assert_str_eq(lw_measure_format(LW_M_VERSION_CHANGES, 2, buf, sizeof(buf)), "2");
    lw_db_close(db);
}
END_TEST

/* evaluate fires rules on each of them; the steady model fires none */
START_TEST(test_stream_measures_evaluate)
{
    lw_db *db = streams_db();
    lw_pool *pool = lw_pool_create();
    lw_eval_result res;
    PGresult *q;
    lw_err err;

    exec_ok(db, "INSERT INTO rules (name, expression, params) VALUES"
                " ('refusals', 'refusal_rate > 15%', '{\"window_s\": 2700}'),"
                " ('blocked', 'blocked_rate >= 10%', '{\"window_s\": 2700}'),"
                " ('thinking', 'reasoning_tokens > 150', '{\"window_s\": 2700}'),"
                " ('stalls', 'stall_rate > 0.25', '{\"window_s\": 2700}'),"
                " ('versions', 'version_changes >= 2', '{\"window_s\": 2700}'),"
                " ('quiet', 'refusal_rate > 50%', '{\"window_s\": 2700}')");
    memset(&res, 0, sizeof(res));
    ck_assert_msg(lw_eval_run(db, pool, time(NULL), &res, &err) == LW_OK, "%s", err.msg);
    ck_assert_uint_eq(res.invalid_rules, 0);
    q = lw_db_query(db, &err, "SELECT string_agg(r.name || '/' || m.name || '/' || a.state, ' '"
                              " ORDER BY r.name) FROM alerts a JOIN rules r ON r.id = a.rule_id"
                              " JOIN models m ON m.id = a.model_id", 0, NULL);
    ck_assert_ptr_nonnull(q);
    ck_assert_str_eq(lw_db_str(q, 0, 0), "blocked/streams/firing refusals/streams/firing "
                     "stalls/streams/firing thinking/streams/firing versions/streams/firing");
    PQclear(q);
    lw_eval_result_free(&res);
    lw_pool_destroy(pool);
    lw_db_close(db);
}
END_TEST

/* a backtest over the last hour, every 5 minutes: they fire there too */
START_TEST(test_stream_measures_backtest)
{
    static const char *conds[] = {
        "refusal_rate > 15%", "blocked_rate >= 10%", "reasoning_tokens > 150",
        "stall_rate > 0.25", "version_changes >= 1",
    };
    lw_db *db = streams_db();
    lw_backtest bt;
    lw_rule *r;
    lw_err err;
    time_t now = time(NULL);
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(conds); i++) {
        r = form_rule("bt", "threshold", conds[i], "45m", NULL);
        ck_assert_msg(lw_backtest_rule(db, &err, r, now - 3600, now, 300, &bt) == LW_OK, "%s",
                      err.msg);
        ck_assert_msg(bt.fired >= 1, "%s: fired %zu times", conds[i], bt.fired);
        ck_assert_str_eq(bt.v[0].model, "streams");
        lw_backtest_free(&bt);
        lw_rule_free(r);
    }
    /* statistical rules take the per-probe ones */
    r = form_rule("st", "statistical", NULL, "15m", "stall_rate");
    ck_assert_int_eq(r->metric, LW_M_STALL_RATE);
    ck_assert_int_eq(lw_backtest_rule(db, &err, r, now - 3600, now, 600, &bt), LW_OK);
    lw_backtest_free(&bt);
    lw_rule_free(r);
    lw_db_close(db);
}
END_TEST

/* what the rule form accepts and says about them */
START_TEST(test_stream_measures_form)
{
    lw_rule_form f;
    lw_rule_errors errs;
    lw_rule *r = NULL;
    lw_expr *e;
    lw_expr_error ee;

    ck_assert_int_eq(lw_measure_parse("refusal_rate"), LW_M_REFUSAL_RATE);
    ck_assert_int_eq(lw_measure_parse("blocked_rate"), LW_M_BLOCKED_RATE);
    ck_assert_int_eq(lw_measure_parse("reasoning_tokens"), LW_M_REASONING_TOKENS);
    ck_assert_int_eq(lw_measure_parse("stall_rate"), LW_M_STALL_RATE);
    ck_assert_int_eq(lw_measure_parse("version_changes"), LW_M_VERSION_CHANGES);
    ck_assert(lw_measure_per_probe(LW_M_STALL_RATE));
    ck_assert(!lw_measure_per_probe(LW_M_VERSION_CHANGES));
    ck_assert_int_eq(lw_expr_parse("refusal_rate > 5% or blocked_rate > 1% or version_changes > 0",
                                   LW_EXPR_CONDITION, &e, &ee), LW_OK);
    lw_expr_free(e);
    ck_assert_int_eq(lw_expr_parse("refusal_rat > 5%", LW_EXPR_CONDITION, &e, &ee), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(ee.msg, "did you mean 'refusal_rate'"));

    memset(&f, 0, sizeof(f));
    memset(&errs, 0, sizeof(errs));
    f.name = "form";
    f.kind = "threshold";
    f.severity = "warning";
    f.condition = "stall_rate > 10% and reasoning_tokens > 1000";
    ck_assert_int_eq(lw_rule_from_form(&f, &r, &errs), LW_OK);
    lw_rule_free(r);
    /* version_changes has no per-request value: no statistical rule on it */
    f.kind = "statistical";
    f.condition = NULL;
    f.metric = "version_changes";
    memset(&errs, 0, sizeof(errs));
    ck_assert_int_eq(lw_rule_from_form(&f, &r, &errs), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(lw_rule_error_for(&errs, "metric"), "no value per request"));
}
END_TEST

/* a round's versions: the same one extends its row, another starts one */
START_TEST(test_model_versions_store)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_buf rows = { 0 };
    long long cycle, id, env;
    PGresult *q;
    lw_err err;
    char json[256];
    int i;

    exec_ok(db, "INSERT INTO environments (name) VALUES ('versions') ON CONFLICT DO NOTHING");
    exec_ok(db, "INSERT INTO models (environment_id, name, provider, model)"
                " SELECT id, 'versioned', 'openai', 'gpt' FROM environments WHERE name = 'versions'");
    q = lw_db_query(db, &err, "SELECT id, environment_id FROM models WHERE name = 'versioned'", 0, NULL);
    id = lw_db_int(q, 0, 0);
    ck_assert_int_eq(lw_db_cycle_begin(db, &err, "probe", NULL, 1, 1, &cycle), LW_OK);
    env = lw_db_int(q, 0, 1);
    PQclear(q);
    for (i = 0; i < 3; i++) {
        snprintf(json, sizeof(json), "[{\"model_id\":%lld,\"environment_id\":%lld,\"model_version\":"
                 "\"gpt-4o\",\"system_fingerprint\":\"fp_%d\",\"probes\":3,"
                 "\"at\":\"2026-01-01 10:0%d:00+00\"}]", id, env, i < 2 ? 1 : 2, i);
        ck_assert_msg(lw_db_cycle_store(db, &err, cycle, &rows, 0, 0, 1, 1.0, json) == LW_OK, "%s",
                      err.msg);
    }
    q = lw_db_query(db, &err, "SELECT string_agg(system_fingerprint || ':' || probes, ' ' ORDER BY v.id)"
                              " FROM model_versions v JOIN models m ON m.id = v.model_id"
                              " WHERE m.name = 'versioned'", 0, NULL);
    ck_assert_str_eq(lw_db_str(q, 0, 0), "fp_1:6 fp_2:3");
    PQclear(q);
    q = lw_db_query(db, &err, "SELECT adhoc FROM probe_cycles ORDER BY id DESC LIMIT 1", 0, NULL);
    ck_assert_str_eq(lw_db_str(q, 0, 0), "t");
    PQclear(q);
    lw_db_close(db);
}
END_TEST

/* answers past their retention are cleared, the rows stay; ad-hoc models
 * never touch the ones that exist */
START_TEST(test_answers_and_adhoc_models)
{
    lw_db *db = lw_testdb_connect(&tdb);
    PGresult *q;
    lw_err err;

    exec_ok(db, "INSERT INTO environments (name) VALUES ('answers') ON CONFLICT DO NOTHING");
    exec_ok(db, "INSERT INTO models (environment_id, name, provider, model)"
                " SELECT id, 'answering', 'openai', 'gpt' FROM environments WHERE name = 'answers'");
    exec_ok(db, "SELECT llmwatch_ensure_partitions((now() - interval '30 days')::date, now()::date + 1)");
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, ok, answer)"
                " SELECT now() - d * interval '1 day', id, environment_id, true, 'said ' || d"
                " FROM models, (VALUES (1), (13), (15), (20)) v (d) WHERE name = 'answering'");
    ck_assert_int_eq(lw_db_cycle_clear_answers(db, &err), 2);
    q = lw_db_query(db, &err, "SELECT count(*), count(answer), string_agg(answer, ',' ORDER BY ts DESC)"
                              " FROM probes p JOIN models m ON m.id = p.model_id WHERE m.name = 'answering'",
                    0, NULL);
    ck_assert_str_eq(lw_db_str(q, 0, 2), "said 1,said 13");
    ck_assert_int_eq(lw_db_int(q, 0, 0), 4);
    PQclear(q);
    exec_ok(db, "INSERT INTO settings (key, value) VALUES ('answer_retention_days', '2')");
    ck_assert_int_eq(lw_db_cycle_clear_answers(db, &err), 1);

    ck_assert_int_eq(lw_db_cycle_adhoc_models(db, &err,
        "[{\"environment\":\"answers\",\"name\":\"answering\",\"provider\":\"google\",\"model\":\"g\","
        "\"base_url\":\"\"},{\"environment\":\"elsewhere\",\"name\":\"tried\",\"provider\":\"anthropic\","
        "\"model\":\"claude\",\"base_url\":\"http://x\"}]"), 1);
    q = lw_db_query(db, &err, "SELECT string_agg(e.name || '/' || m.name || ':' || m.provider || ':' ||"
                              " m.enabled || ':' || m.source, ' ' ORDER BY m.name) FROM models m"
                              " JOIN environments e ON e.id = m.environment_id"
                              " WHERE m.name IN ('answering', 'tried')", 0, NULL);
    ck_assert_str_eq(lw_db_str(q, 0, 0), "answers/answering:openai:true:config "
                     "elsewhere/tried:anthropic:false:adhoc");
    PQclear(q);
    lw_db_close(db);
}
END_TEST

/* The streams part of the model page: outcome counts, finish reasons,
 * stream ends, first output and first answer token, the last answers
 * (escaped) and the version history. */
START_TEST(test_model_page_streams)
{
    lw_db *db = streams_db();
    char cookie[160], csrf[LW_TOKEN_LEN + 1], uri[64];
    wt_request t;
    PGresult *q;
    lw_err err;
    const char *out;

    (void) wt_db;
    wt_templates();
    exec_ok(db, "INSERT INTO probes (ts, model_id, environment_id, case_id, ok, ttft_ms, total_ms,"
                "  first_output_ms, outcome, finish_reason, finish_reason_raw, stream_end, answer)"
                " SELECT now() - interval '30 seconds', id, environment_id, 'hostile', true, 300, 900,"
                "   120, 'text', 'stop', 'end_turn', 'no_terminator', '<script>alert(1)</script> & more'"
                " FROM models WHERE name = 'streams'");
    exec_ok(db, "UPDATE probes SET finish_reason = 'refusal', finish_reason_raw = 'refusal',"
                " stream_end = 'clean' WHERE outcome = 'refusal'");
    q = lw_db_query(db, &err, "SELECT id FROM models WHERE name = 'streams'", 0, NULL);
    snprintf(uri, sizeof(uri), "/models/%lld?range=1h", lw_db_int(q, 0, 0));
    PQclear(q);
    wt_user(db, "viewer", cookie, csrf);
    wt_request_init(&t, db, "GET", uri, cookie, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strstr(out, "id=\"streams\"") != NULL, "%s", out);
    /* outcomes: 8 text (7 + the hostile one), 2 refusals, 1 blocked, 2 http_5xx */
    ck_assert_ptr_nonnull(strstr(out, "pill-ok\">text</span></td><td class=\"num\">8<"));
    ck_assert_ptr_nonnull(strstr(out, "pill-warn\">refusal</span></td><td class=\"num\">2<"));
    ck_assert_ptr_nonnull(strstr(out, "pill-warn\">blocked</span></td><td class=\"num\">1<"));
    ck_assert_ptr_nonnull(strstr(out, "pill-crit\">http_5xx</span></td><td class=\"num\">2<"));
    ck_assert_ptr_nonnull(strstr(out, "<code>refusal</code></td><td class=\"num\">2<"));
    ck_assert_ptr_nonnull(strstr(out, "<code>no_terminator</code></td><td class=\"num\">1<"));
    ck_assert_ptr_nonnull(strstr(out, "<dt>First output p50</dt><dd>120 ms</dd>"));
    ck_assert_ptr_nonnull(strstr(out, "<dt>Refusals</dt><dd>18.2%</dd>"));     /* 2 of 11 */
    ck_assert_ptr_nonnull(strstr(out, "<dt>Version changes</dt><dd>2</dd>"));
    /* the answer, escaped; the version history */
    ck_assert_ptr_null(strstr(out, "<script>alert(1)"));
    ck_assert_ptr_nonnull(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
    ck_assert_ptr_nonnull(strstr(out, "<code>gpt-y</code>"));
    ck_assert_ptr_nonnull(strstr(out, "<code>fp_a</code>"));
    wt_request_free(&t);
    lw_db_close(db);
}
END_TEST

Suite *measures_suite(void)
{
    Suite *s = suite_create("measures");
    TCase *tc = tcase_create("measures");
    TCase *db = tcase_create("db");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_classify_status);
    tcase_add_test(tc, test_finalize_ok_measures);
    tcase_add_test(tc, test_finalize_estimated);
    tcase_add_test(tc, test_finalize_errors);
    tcase_add_test(tc, test_sanitize_msg);
    tcase_add_test(tc, test_estimate_and_cost);
    suite_add_tcase(s, tc);

    tcase_add_unchecked_fixture(db, private_db_setup, private_db_teardown);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, test_stream_measures);
    tcase_add_test(db, test_stream_measures_evaluate);
    tcase_add_test(db, test_stream_measures_backtest);
    tcase_add_test(db, test_stream_measures_form);
    tcase_add_test(db, test_model_versions_store);
    tcase_add_test(db, test_answers_and_adhoc_models);
    tcase_add_test(db, test_model_page_streams);
    suite_add_tcase(s, db);
    return s;
}
