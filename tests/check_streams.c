/* check_streams.c: real provider streams (tests/fixtures/streams, sources
 * in SOURCES.md there) through the parsers, whole and split at every byte,
 * and through lw_probe_finalize: one test per point of the issue on real
 * streams (tool calls, refusals, blocked prompts, finish reasons and the
 * answer, reasoning models, a last event without its blank line), each on
 * the three protocols and the OpenAI-compatible reasoning stream; then
 * the measurement points (decode window, [DONE]-less streams, the longest
 * gap, model versions). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "streams.h"

#define MS 1000                  /* microseconds */
#define STEP (20 * MS)           /* one event per read, 20 ms apart */

/* What a recorded stream must give. Tokens -1: not reported. */
struct want {
    const char *name;
    const lw_provider_ops *p;
    int ok;
    lw_answer_kind outcome;
    const char *finish, *norm;   /* raw and normalised ("" / NULL: none) */
    const char *answer;          /* NULL: none */
    int64_t in, out, reasoning;
    int estimated;
    lw_stream_end ending;
    const char *version, *fingerprint;
};

#define OAI (&lw_provider_openai)
#define COMPAT (&lw_provider_openai_compatible)
#define ANT (&lw_provider_anthropic)
#define GEM (&lw_provider_google)

static const struct want W[] = {
    { "openai_tool_call.sse", OAI, 1, LW_ANSWER_TOOL_CALL, "tool_calls", "tool_calls",
      "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"San Francisco\",\"state\":\"CA\"}}]",
      48, 19, -1, 0, LW_END_CLEAN, "gpt-4o-2024-08-06", "fp_baa7103b2c" },
    { "openai_tool_call_gpt4turbo_no_done.sse", OAI, 1, LW_ANSWER_TOOL_CALL, "tool_calls",
      "tool_calls", "[{\"name\":\"get_current_weather\",\"arguments\":{\"location\":\"Boston, MA\"}}]",
      83, 17, -1, 0, LW_END_NO_DONE, "gpt-4-turbo-2024-04-09", "fp_9d7f5c6195" },
    { "anthropic_tool_call.sse", ANT, 1, LW_ANSWER_TOOL_CALL, "tool_use", "tool_calls",
      "[{\"name\":\"json\",\"arguments\":{\"elements\":[{\"location\":\"San Francisco\","
      "\"temperature\":58,\"condition\":\"sunny\"}]}}]",
      849, 47, -1, 0, LW_END_CLEAN, "claude-haiku-4-5-20251001", "" },
    { "anthropic_text_then_tool_call.sse", ANT, 1, LW_ANSWER_TOOL_CALL, "tool_use", "tool_calls",
      "[{\"name\":\"weather\",\"arguments\":{\"location\":\"Florence,Italy\"}}]",
      394, 66, -1, 0, LW_END_CLEAN, "claude-sonnet-4-20250514", "" },
    { "gemini_tool_call.sse", GEM, 1, LW_ANSWER_TOOL_CALL, "STOP", "stop",
      "[{\"name\":\"weather\",\"arguments\":{\"location\":\"Florence,Italy\"}}]",
      54, 69, 54, 0, LW_END_CLEAN, "gemini-2.5-flash", "" },
    { "gemini_thinking.sse", GEM, 1, LW_ANSWER_TOOL_CALL, "STOP", "stop",
      "[{\"name\":\"weather\",\"arguments\":{\"location\":\"Florence, Italy\"}}]",
      54, 76, 62, 0, LW_END_CLEAN, "gemini-2.5-flash", "" },
    { "openai_compat_deepseek_reasoning.sse", COMPAT, 1, LW_ANSWER_TEXT, "stop", "stop",
      "The word \"strawberry\" contains three \"r\"s.",
      18, 219, 205, 0, LW_END_CLEAN, "deepseek-reasoner", "fp_eaab8d114b_prod0820_fp8_kvcache" },
    { "openai_refusal.sse", OAI, 1, LW_ANSWER_REFUSAL, "stop", "stop",
      "I'm sorry, but I can't assist with that request.",
      17, 12, -1, 0, LW_END_CLEAN, "gpt-4o-2024-08-06", "fp_845eaabc1f" },
    { "anthropic_refusal.sse", ANT, 1, LW_ANSWER_REFUSAL, "refusal", "refusal", NULL,
      20, 120, 67, 0, LW_END_NO_TERMINATOR, "claude-opus-4-7", "" },
    { "anthropic_refusal_no_content_block.sse", ANT, 1, LW_ANSWER_REFUSAL, "refusal", "refusal",
      NULL, 18, 5, -1, 0, LW_END_CLEAN, "claude-fable-5", "" },
    { "anthropic_refusal_after_text.sse", ANT, 1, LW_ANSWER_REFUSAL, "refusal", "refusal",
      "Hello..", 10, 5, -1, 0, LW_END_CLEAN, "claude-opus-4-20250514", "" },
    { "gemini_finish_safety.sse", GEM, 1, LW_ANSWER_REFUSAL, "SAFETY", "safety", NULL,
      14, 0, -1, 0, LW_END_CLEAN, "gemini-2.5-flash", "" },
    { "gemini_prompt_blocked.sse", GEM, 1, LW_ANSWER_BLOCKED, "", NULL, NULL,
      9, 0, -1, 0, LW_END_CLEAN, "gemini-3.7-flash", "" },
    { "openai_content_filter_azure.sse", OAI, 1, LW_ANSWER_TEXT, "content_filter",
      "content_filter", "Hey Jude, better", -1, -1, -1, 1, LW_END_CLEAN, "gpt-35-turbo", "" },
    { "openai_length.sse", OAI, 1, LW_ANSWER_TEXT, "length", "length", "{\"",
      17, 1, -1, 0, LW_END_CLEAN, "gpt-4o-2024-08-06", "fp_845eaabc1f" },
    { "anthropic_max_tokens.sse", ANT, 1, LW_ANSWER_TOOL_CALL, "max_tokens", "length", NULL,
      450, 124, -1, 0, LW_END_NO_TERMINATOR, "claude-3-7-sonnet-20250219", "" },
    { "anthropic_text_clean.sse", ANT, 1, LW_ANSWER_TEXT, "end_turn", "stop",
      "The current weather in Florence, Italy shows a temperature of 40\xC2\xB0" "C (104\xC2\xB0"
      "F). That's quite hot! Make sure to stay hydrated and seek shade or air conditioning if "
      "you're planning to be outdoors.",
      475, 49, -1, 0, LW_END_CLEAN, "claude-sonnet-4-20250514", "" },
    { "anthropic_no_trailing_blank_line_lf.sse", ANT, 1, LW_ANSWER_TEXT, "end_turn", "stop",
      "The current weather in Florence, Italy shows a temperature of 40\xC2\xB0" "C (104\xC2\xB0"
      "F). That's quite hot! Make sure to stay hydrated and seek shade or air conditioning if "
      "you're planning to be outdoors.",
      475, 49, -1, 0, LW_END_NO_TERMINATOR, "claude-sonnet-4-20250514", "" },
    { "anthropic_no_trailing_newline.sse", ANT, 1, LW_ANSWER_TEXT, "end_turn", "stop",
      "Hello there!", 11, 6, -1, 0, LW_END_NO_TERMINATOR, "claude-3-opus-latest", "" },
    { "anthropic_thinking.sse", ANT, 1, LW_ANSWER_TEXT, "end_turn", "stop", NULL,
      43, 277, -1, 0, LW_END_CLEAN, "claude-sonnet-4-20250514", "" },
    { "gemini_text.sse", GEM, 1, LW_ANSWER_TEXT, "STOP", "stop",
      "The weather in Florence, Italy is 40 C.", 84, 12, -1, 0, LW_END_CLEAN,
      "gemini-2.5-flash", "" },
    { "gemini_max_tokens.sse", GEM, 1, LW_ANSWER_TEXT, "MAX_TOKENS", "length",
      "The capital of France is", 15, 5, -1, 0, LW_END_CLEAN, "gemini-2.5-flash", "" },
    { "openai_gpt4o_text_usage.sse", OAI, 1, LW_ANSWER_TEXT, "stop", "stop", NULL,
      14, 47, -1, 0, LW_END_CLEAN, "gpt-4o-2024-08-06", "fp_845eaabc1f" },
    { "openai_no_done.sse", OAI, 1, LW_ANSWER_TEXT, "stop", "stop", NULL,
      14, 47, -1, 0, LW_END_NO_DONE, "gpt-4o-2024-08-06", "fp_845eaabc1f" },
    { "openai_o3mini_reasoning_usage.sse", OAI, 1, LW_ANSWER_TEXT, "stop", "stop", "hello",
      22, 203, 192, 0, LW_END_NO_TERMINATOR, "o3-mini-2025-01-31", "fp_ef58bd3122" },
};

static const struct want *
want(const char *name)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(W); i++)
        if (strcmp(W[i].name, name) == 0)
            return &W[i];
    ck_abort_msg("no expectations for %s", name);
    return NULL;
}

/* The result of a stream as lw_probe_run would make it: a 200, sent at 0,
 * read whole at 10 ms (step 0) or one event per read, event k at
 * (k + 1) * step; the body ended 10 s after it was sent. */
static void
result_of(const lw_provider_ops *p, const char *buf, size_t len, int64_t step,
          const lw_scorer *sc, lw_probe_job *job)
{
    lw_probe_outcome oc;
    lw_stream st;

    memset(job, 0, sizeof(*job));
    memset(&oc, 0, sizeof(oc));
    job->prompt = "What is the weather like?";
    job->scorer = sc;
    oc.http_status = 200;
    oc.t_sent_us = 0;
    oc.t_end_us = 10000 * MS;
    oc.body_bytes = len;
    oc.connect_ms = oc.tls_ms = oc.headers_ms = -1;
    lw_stream_init(&st, p);
    if (step > 0)
        stream_feed_events(&st, buf, len, step, step);
    else
        ck_assert_int_eq(lw_stream_feed(&st, buf, len, 10 * MS), LW_OK);
    ck_assert_int_eq(lw_stream_finish(&st), LW_OK);
    ck_assert_int_eq(lw_probe_finalize(job, &oc, &st, 16 * 1024), LW_OK);
    lw_stream_free(&st);
}

static void
fixture_result(const char *name, int64_t step, const lw_scorer *sc, lw_probe_job *job)
{
    const struct want *w = want(name);
    size_t len;
    char *buf = providers_fixture(name, &len);

    result_of(w->p, buf, len, step, sc, job);
    free(buf);
}

/* What a whole parse of a fixture makes (the splits are checked by the
 * test the fixture belongs to). */
static void
summary_of(const char *name, struct stream_summary *s)
{
    const struct want *w = want(name);
    lw_stream st;
    size_t len;
    char *buf = providers_fixture(name, &len);

    lw_stream_init(&st, w->p);
    ck_assert_int_eq(lw_stream_feed(&st, buf, len, 1), LW_OK);
    ck_assert_int_eq(lw_stream_finish(&st), LW_OK);
    stream_summarize(&st, s);
    lw_stream_free(&st);
    free(buf);
}

/* Everything the table says of a stream, whole for the result; for the
 * parse split at every byte too when `splits` (each stream is split in one
 * test, the one of the point it belongs to: a parse that splits the same
 * way once does for every test). */
static void
check_stream(const char *name, int splits)
{
    const struct want *w = want(name);
    struct stream_summary s;
    lw_probe_job job;
    lw_probe_result *r = &job.result;

    if (splits)
        check_all_splits(w->p, name, &s);
    else
        summary_of(name, &s);
    ck_assert_msg(s.perr == 0, "%s: %s", name, s.perr_msg);
    ck_assert_int_eq(s.ending, w->ending);
    ck_assert_str_eq(s.model_version, w->version);
    ck_assert_str_eq(s.fingerprint, w->fingerprint);
    fixture_result(name, 0, NULL, &job);
    ck_assert_msg(r->ok == w->ok, "%s: ok %d (%s: %s)", name, r->ok,
                  lw_probe_errclass_name(r->err_class), r->error_msg);
    ck_assert_msg(r->outcome == w->outcome, "%s: outcome %s", name,
                  lw_answer_kind_name(r->outcome) ? lw_answer_kind_name(r->outcome) : "none");
    ck_assert_str_eq(r->finish_reason, w->finish);
    if (w->norm == NULL)
        ck_assert_ptr_null(r->finish_norm);
    else
        ck_assert_str_eq(r->finish_norm, w->norm);
    if (w->answer != NULL)
        ck_assert_msg(r->answer != NULL && strcmp(r->answer, w->answer) == 0,
                      "%s: answer '%s'", name, r->answer ? r->answer : "(none)");
    else if (w->outcome != LW_ANSWER_TOOL_CALL && w->outcome != LW_ANSWER_TEXT)
        ck_assert_ptr_null(r->answer);
    ck_assert_int_eq(r->tokens_estimated, w->estimated);
    if (!w->estimated) {
        ck_assert_int_eq(r->input_tokens, w->in);
        ck_assert_int_eq(r->output_tokens, w->out);
    }
    ck_assert_int_eq(r->reasoning_tokens, w->reasoning);
    ck_assert_int_eq(r->stream_end, (int) w->ending);
    ck_assert_str_eq(r->model_version, w->version);
    ck_assert_str_eq(r->system_fingerprint, w->fingerprint);
    lw_probe_result_free(r);
}

static void
scorer_tool(lw_scorer *sc, const char *name, const char *args)
{
    lw_err err;

    memset(sc, 0, sizeof(*sc));
    sc->type = LW_SCORER_TOOL_CALL;
    sc->name = strdup(name);
    sc->arguments = args ? strdup(args) : NULL;
    ck_assert_msg(lw_scorer_prepare(sc, &err) == LW_OK, "%s", err.msg);
}

static void
scorer_contains(lw_scorer *sc, const char *value)
{
    lw_err err;

    memset(sc, 0, sizeof(*sc));
    sc->type = LW_SCORER_CONTAINS;
    sc->values = calloc(1, sizeof(char *));
    sc->values[0] = strdup(value);
    sc->n_values = 1;
    ck_assert_int_eq(lw_scorer_prepare(sc, &err), LW_OK);
}

/* ---- 1. a tool call is output ----------------------------------------------- */

START_TEST(test_tool_calls)
{
    static const struct { const char *name; int splits; } names[] = {
        { "openai_tool_call.sse", 1 },
        { "openai_tool_call_gpt4turbo_no_done.sse", 1 },
        { "anthropic_tool_call.sse", 1 },
        { "anthropic_text_then_tool_call.sse", 1 },
        { "gemini_tool_call.sse", 1 },
        { "gemini_thinking.sse", 1 },
        { "openai_compat_deepseek_reasoning.sse", 0 },
    };
    struct stream_summary s;
    lw_probe_job job;
    lw_scorer sc;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(names); i++)
        check_stream(names[i].name, names[i].splits);
    /* the calls as they streamed, fragments joined */
    summary_of("openai_tool_call.sse", &s);
    ck_assert_uint_eq(s.n_tools, 1);
    ck_assert_str_eq(s.tool_name[0], "get_weather");
    ck_assert_str_eq(s.tool_args[0], "{\"city\":\"San Francisco\",\"state\":\"CA\"}");
    ck_assert_str_eq(s.text, "");
    summary_of("anthropic_text_then_tool_call.sse", &s);
    ck_assert_str_eq(s.text, "I'll check the weather in Florence, Italy for you.");
    ck_assert_str_eq(s.tool_name[0], "weather");
    ck_assert_str_eq(s.tool_args[0], "{\"location\": \"Florence,Italy\"}");

    /* time to first output: the first piece of the call */
    fixture_result("openai_tool_call.sse", STEP, NULL, &job);
    ck_assert_double_eq_tol(job.result.ttft_ms, 20.0, 1e-9);
    ck_assert_double_eq_tol(job.result.first_output_ms, 20.0, 1e-9);
    lw_probe_result_free(&job.result);
    fixture_result("anthropic_tool_call.sse", STEP, NULL, &job);
    ck_assert_double_eq_tol(job.result.ttft_ms, 40.0, 1e-9);      /* content_block_start */
    lw_probe_result_free(&job.result);
    fixture_result("gemini_tool_call.sse", STEP, NULL, &job);
    ck_assert_double_eq_tol(job.result.ttft_ms, 20.0, 1e-9);
    lw_probe_result_free(&job.result);

    /* a tool case is scored on the call: its function, then its arguments */
    scorer_tool(&sc, "get_weather", "{\"city\": \"San Francisco\"}");
    fixture_result("openai_tool_call.sse", 0, &sc, &job);
    ck_assert_double_eq(job.result.quality, 100);
    lw_probe_result_free(&job.result);
    lw_scorer_free(&sc);
    scorer_tool(&sc, "weather", "{\"location\": \"Paris\", \"unit\": \"C\"}");
    fixture_result("gemini_tool_call.sse", 0, &sc, &job);
    ck_assert_double_eq(job.result.quality, 0);                   /* neither argument */
    lw_probe_result_free(&job.result);
    fixture_result("anthropic_text_then_tool_call.sse", 0, &sc, &job);
    ck_assert_double_eq(job.result.quality, 0);
    lw_probe_result_free(&job.result);
    lw_scorer_free(&sc);
    scorer_tool(&sc, "weather", "{\"location\": \"florence,italy\"}");
    sc.case_insensitive = 1;
    fixture_result("anthropic_text_then_tool_call.sse", 0, &sc, &job);
    ck_assert_double_eq(job.result.quality, 100);
    lw_probe_result_free(&job.result);
    /* a text answer to a tool case: 0 */
    fixture_result("openai_compat_deepseek_reasoning.sse", 0, &sc, &job);
    ck_assert_double_eq(job.result.quality, 0);
    lw_probe_result_free(&job.result);
    lw_scorer_free(&sc);
    scorer_tool(&sc, "get_current_weather", NULL);
    fixture_result("openai_tool_call_gpt4turbo_no_done.sse", 0, &sc, &job);
    ck_assert_double_eq(job.result.quality, 100);
    lw_probe_result_free(&job.result);
    lw_scorer_free(&sc);
}
END_TEST

/* ---- 2. a refusal is its own outcome ---------------------------------------- */

START_TEST(test_refusals)
{
    static const struct { const char *name; int splits; } names[] = {
        { "openai_refusal.sse", 1 },
        { "anthropic_refusal.sse", 1 },
        { "anthropic_refusal_no_content_block.sse", 1 },
        { "anthropic_refusal_after_text.sse", 1 },
        { "gemini_finish_safety.sse", 1 },
        { "openai_compat_deepseek_reasoning.sse", 0 },
    };
    struct stream_summary s;
    lw_probe_job job;
    lw_scorer sc;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(names); i++)
        check_stream(names[i].name, names[i].splits);
    summary_of("openai_refusal.sse", &s);
    ck_assert_str_eq(s.refusal, "I'm sorry, but I can't assist with that request.");
    ck_assert_str_eq(s.text, "");
    /* a golden case answered with a refusal scores 0, whatever it says */
    scorer_contains(&sc, "sorry");
    for (i = 0; i < LW_ARRAY_LEN(names) - 1; i++) {
        fixture_result(names[i].name, 0, &sc, &job);
        ck_assert_msg(job.result.ok && job.result.quality == 0, "%s: quality %.1f", names[i].name,
                      job.result.quality);
        lw_probe_result_free(&job.result);
    }
    lw_scorer_free(&sc);
    /* the refusal was output: its first piece is the time to first token */
    fixture_result("openai_refusal.sse", STEP, NULL, &job);
    ck_assert_double_eq_tol(job.result.ttft_ms, 40.0, 1e-9);
    lw_probe_result_free(&job.result);
}
END_TEST

/* ---- 3. a blocked prompt ----------------------------------------------------- */

START_TEST(test_blocked_prompt)
{
    static const struct { const char *name; int splits; } names[] = {
        { "gemini_prompt_blocked.sse", 1 },
        { "gemini_finish_safety.sse", 0 },
        { "openai_content_filter_azure.sse", 1 },
        { "anthropic_refusal_no_content_block.sse", 0 },
        { "openai_compat_deepseek_reasoning.sse", 0 },
    };
    struct stream_summary s;
    lw_probe_job job;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(names); i++)
        check_stream(names[i].name, names[i].splits);
    summary_of("gemini_prompt_blocked.sse", &s);
    ck_assert_str_eq(s.block_reason, "PROHIBITED_CONTENT");
    ck_assert_str_eq(s.finish, "");
    fixture_result("gemini_prompt_blocked.sse", 0, NULL, &job);
    ck_assert_str_eq(job.result.block_reason, "PROHIBITED_CONTENT");
    ck_assert_double_eq(job.result.ttft_ms, -1);
    ck_assert_double_eq(job.result.first_output_ms, -1);
    lw_probe_result_free(&job.result);
    /* a candidate stopped for safety is not a blocked prompt */
    for (i = 1; i < LW_ARRAY_LEN(names); i++) {
        fixture_result(names[i].name, 0, NULL, &job);
        ck_assert_str_eq(job.result.block_reason, "");
        lw_probe_result_free(&job.result);
    }
}
END_TEST

/* ---- 4. the finish reason and the answer are kept ------------------------------ */

START_TEST(test_finish_and_answer)
{
    static const struct { const char *name; int splits; } names[] = {
        { "openai_length.sse", 1 },
        { "openai_content_filter_azure.sse", 0 },
        { "openai_gpt4o_text_usage.sse", 1 },
        { "anthropic_max_tokens.sse", 1 },
        { "anthropic_text_clean.sse", 1 },
        { "gemini_max_tokens.sse", 1 },
        { "gemini_text.sse", 1 },
        { "openai_compat_deepseek_reasoning.sse", 0 },
    };
    lw_probe_job job;
    lw_buf big = { 0 };
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(names); i++)
        check_stream(names[i].name, names[i].splits);
    fixture_result("openai_gpt4o_text_usage.sse", 0, NULL, &job);
    ck_assert_ptr_nonnull(strstr(job.result.answer, "I'm unable to provide real-time updates"));
    ck_assert_ptr_nonnull(strstr(job.result.answer, "a local San Francisco news station."));
    lw_probe_result_free(&job.result);
    /* a tool call cut by max_tokens keeps the text that came */
    fixture_result("anthropic_max_tokens.sse", 0, NULL, &job);
    ck_assert_ptr_nonnull(strstr(job.result.answer, "[{\"name\":\"make_file\",\"arguments\":\""));
    ck_assert_ptr_nonnull(strstr(job.result.answer, "Filing taxes"));
    lw_probe_result_free(&job.result);
    /* the answer is bounded, on a UTF-8 boundary */
    lw_buf_puts(&big, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"");
    for (i = 0; i < 3000; i++)
        lw_buf_puts(&big, "\xC3\xA9");
    lw_buf_puts(&big, "\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    result_of(OAI, big.data, big.len, 0, NULL, &job);
    ck_assert_int_eq(job.result.ok, 1);
    ck_assert_uint_eq(strlen(job.result.answer), LW_PROBE_ANSWER_MAX);
    ck_assert_int_eq(lw_utf8_valid(job.result.answer, strlen(job.result.answer)), 1);
    lw_probe_result_free(&job.result);
    lw_buf_free(&big);

    ck_assert_str_eq(lw_finish_normalize("end_turn"), "stop");
    ck_assert_str_eq(lw_finish_normalize("MAX_TOKENS"), "length");
    ck_assert_str_eq(lw_finish_normalize("tool_use"), "tool_calls");
    ck_assert_str_eq(lw_finish_normalize("RECITATION"), "content_filter");
    ck_assert_str_eq(lw_finish_normalize("PROHIBITED_CONTENT"), "safety");
    ck_assert_str_eq(lw_finish_normalize("pause_turn"), "other");
    ck_assert_ptr_null(lw_finish_normalize(""));
}
END_TEST

/* ---- 5. reasoning models ---------------------------------------------------------- */

/* Event k arrives at (k + 1) * STEP; a, b, c: the events of the first
 * output, the first answer output and the last output. */
static void
check_reasoning(const char *name, int a, int b, int c, int64_t counted)
{
    lw_probe_job job;
    double want_tps = counted > 1 && c > a ? (double) (counted - 1) / ((c - a) * STEP / 1e6) : -1;

    fixture_result(name, STEP, NULL, &job);
    ck_assert_msg(job.result.ok, "%s: %s", name, job.result.error_msg);
    ck_assert_double_eq_tol(job.result.first_output_ms, (a + 1) * STEP / 1000.0, 1e-9);
    ck_assert_double_eq_tol(job.result.ttft_ms, (b + 1) * STEP / 1000.0, 1e-9);
    ck_assert_msg(want_tps < 0 ? job.result.decode_tps == -1
                  : job.result.decode_tps > want_tps - 1e-6 && job.result.decode_tps < want_tps + 1e-6,
                  "%s: decode %.3f tok/s, want %.3f", name, job.result.decode_tps, want_tps);
    lw_probe_result_free(&job.result);
}

START_TEST(test_reasoning)
{
    static const struct { const char *name; int splits; } names[] = {
        { "openai_compat_deepseek_reasoning.sse", 1 },
        { "anthropic_thinking.sse", 1 },
        { "gemini_thinking.sse", 0 },
        { "openai_o3mini_reasoning_usage.sse", 1 },
        { "openai_gpt4o_text_usage.sse", 0 },
    };
    struct stream_summary s;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(names); i++)
        check_stream(names[i].name, names[i].splits);
    summary_of("openai_compat_deepseek_reasoning.sse", &s);
    ck_assert_uint_eq(s.reasoning_len, strlen("We need to count the number of the letter \"r\" in "
                                              "the word \"strawberry\". So yes, 3.\n\nThus, the "
                                              "answer is 3."));
    ck_assert_str_eq(s.text, "The word \"strawberry\" contains three \"r\"s.");
    summary_of("anthropic_thinking.sse", &s);
    ck_assert_uint_eq(s.reasoning_len, strlen("This is a straightforward question about pedestrian "
                                              "safety. I should provide clear, practical advice for "
                                              "crossing streets safely. This is basic safety "
                                              "information that could help prevent accidents."));
    ck_assert_uint_eq(strlen(s.text), 999);
    summary_of("gemini_thinking.sse", &s);
    ck_assert_uint_gt(s.reasoning_len, 0);
    ck_assert_str_eq(s.text, "");

    /* first output (reasoning included) and first answer token; the decode
     * rate over the window the counted tokens were produced in */
    check_reasoning("openai_compat_deepseek_reasoning.sse", 1, 35, 47, 219);
    check_reasoning("anthropic_thinking.sse", 3, 20, 110, 277);
    check_reasoning("gemini_thinking.sse", 0, 1, 1, 76);
    /* 192 reasoning tokens counted, none streamed: the answer's 11 tokens
     * came in one read, so no decode rate at all */
    check_reasoning("openai_o3mini_reasoning_usage.sse", 1, 1, 1, 11);
    check_reasoning("openai_gpt4o_text_usage.sse", 1, 1, 47, 47);
}
END_TEST

/* ---- 6. a complete stream without its last blank line ------------------------------ */

/* A fixture without its last n bytes: how it ended, whether it is ok,
 * whether its tokens had to be estimated. */
static void
check_cut(const lw_provider_ops *p, const char *name, size_t n, lw_stream_end ending, int ok,
          int estimated)
{
    struct stream_summary s;
    lw_probe_job job;
    size_t len;
    char *buf = providers_fixture(name, &len);

    ck_assert_uint_gt(len, n);
    check_all_splits_buf(p, name, buf, len - n, &s);
    ck_assert_msg(s.ending == (int) ending, "%s less %zu bytes: ending %s", name, n,
                  lw_stream_end_name((lw_stream_end) s.ending));
    ck_assert_int_eq(s.perr, 0);
    result_of(p, buf, len - n, 0, NULL, &job);
    ck_assert_msg(job.result.ok == ok, "%s less %zu bytes: %s", name, n, job.result.error_msg);
    if (!ok) {
        ck_assert_int_eq(job.result.err_class, LW_PERR_PROTOCOL);
        ck_assert_ptr_nonnull(strstr(job.result.error_msg, "truncated"));
    }
    ck_assert_int_eq(job.result.tokens_estimated, estimated);
    lw_probe_result_free(&job.result);
    free(buf);
}

START_TEST(test_no_trailing_blank_line)
{
    static const struct { const char *name; int splits; } names[] = {
        { "anthropic_no_trailing_blank_line_lf.sse", 1 },
        { "anthropic_no_trailing_newline.sse", 1 },
        { "anthropic_refusal.sse", 0 },
        { "anthropic_max_tokens.sse", 0 },
        { "openai_o3mini_reasoning_usage.sse", 0 },
        { "openai_tool_call_gpt4turbo_no_done.sse", 0 },
        { "anthropic_text_clean.sse", 0 },
        { "gemini_text.sse", 0 },
        { "openai_compat_deepseek_reasoning.sse", 0 },
    };
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(names); i++)
        check_stream(names[i].name, names[i].splits);
    /* Gemini, OpenAI and the reasoning stream without their last blank
     * line, and without their last line end */
    check_cut(GEM, "gemini_text.sse", 2, LW_END_NO_TERMINATOR, 1, 0);
    check_cut(GEM, "gemini_text.sse", 4, LW_END_NO_TERMINATOR, 1, 0);
    check_cut(OAI, "openai_length.sse", 1, LW_END_NO_TERMINATOR, 1, 0);
    check_cut(OAI, "openai_length.sse", 2, LW_END_NO_TERMINATOR, 1, 0);
    check_cut(COMPAT, "openai_compat_deepseek_reasoning.sse", 2, LW_END_NO_TERMINATOR, 1, 0);
    check_cut(ANT, "anthropic_text_clean.sse", 2, LW_END_NO_TERMINATOR, 1, 0);
    /* cut inside the last event: truncated, as before */
    check_cut(GEM, "gemini_text.sse", 30, LW_END_TRUNCATED, 0, 1);
    check_cut(ANT, "anthropic_text_clean.sse", 8, LW_END_TRUNCATED, 0, 1);
    check_cut(ANT, "anthropic_no_trailing_newline.sse", 3, LW_END_TRUNCATED, 0, 1);
    check_cut(OAI, "openai_length.sse", 4, LW_END_NO_DONE, 1, 0);   /* "[DO" */
    check_cut(OAI, "openai_length.sse", 100, LW_END_NO_DONE, 1, 1);  /* half the usage */
    check_cut(COMPAT, "openai_compat_deepseek_reasoning.sse", 300, LW_END_TRUNCATED, 0, 1);
}
END_TEST

/* ---- measurement ------------------------------------------------------------------ */

/* Decode rates at identical pacing (one event per read, 20 ms apart): the
 * window is first to last output, so the metadata events after the last
 * content token (finish chunk, usage chunk, message_delta, [DONE]) do not
 * dilute one protocol's rate and not another's. */
START_TEST(test_decode_window)
{
    static const struct {
        const char *name;
        int first, last;             /* events of the first and last content */
        int64_t out;
    } c[] = {
        { "openai_gpt4o_text_usage.sse", 1, 47, 47 },
        { "anthropic_text_clean.sse", 2, 7, 49 },
        { "gemini_text.sse", 0, 1, 12 },
    };
    lw_probe_outcome oc;
    lw_probe_job job;
    lw_stream st;
    size_t i, len;
    char *buf;

    for (i = 0; i < LW_ARRAY_LEN(c); i++) {
        fixture_result(c[i].name, STEP, NULL, &job);
        ck_assert_msg(job.result.decode_tps > 0, "%s: no decode rate", c[i].name);
        ck_assert_double_eq_tol(job.result.decode_tps,
                                (double) (c[i].out - 1) / ((c[i].last - c[i].first) * STEP / 1e6),
                                1e-6);
        lw_probe_result_free(&job.result);
        /* the whole stream in one read: a burst has no rate */
        fixture_result(c[i].name, 0, NULL, &job);
        ck_assert_double_eq(job.result.decode_tps, -1);
        ck_assert(job.result.e2e_tps > 0);
        lw_probe_result_free(&job.result);
    }
    /* a failed (cut) stream has no decode rate either */
    buf = providers_fixture("openai_cut.sse", &len);
    result_of(OAI, buf, len, STEP, NULL, &job);
    ck_assert_int_eq(job.result.ok, 0);
    ck_assert_double_eq(job.result.decode_tps, -1);
    lw_probe_result_free(&job.result);
    free(buf);
    /* reads 1 us apart: an absurd rate is no rate */
    buf = providers_fixture("openai_gpt4o_text_usage.sse", &len);
    memset(&job, 0, sizeof(job));
    memset(&oc, 0, sizeof(oc));
    oc.http_status = 200;
    oc.t_end_us = 1000;
    oc.body_bytes = len;
    lw_stream_init(&st, OAI);
    stream_feed_events(&st, buf, len, 1, 1);
    lw_stream_finish(&st);
    ck_assert_int_eq(lw_probe_finalize(&job, &oc, &st, 16 * 1024), LW_OK);
    ck_assert_int_eq(job.result.ok, 1);
    ck_assert_double_eq(job.result.decode_tps, -1);
    lw_probe_result_free(&job.result);
    lw_stream_free(&st);
    free(buf);
}
END_TEST

/* A [DONE]-less stream is complete when it gave a finish reason. */
START_TEST(test_no_done)
{
    struct stream_summary s;
    lw_probe_job job;

    check_stream("openai_no_done.sse", 1);
    fixture_result("openai_no_done.sse", 0, NULL, &job);
    ck_assert_int_eq(job.result.ok, 1);
    ck_assert_int_eq(job.result.stream_end, LW_END_NO_DONE);
    ck_assert_int_eq(job.result.output_tokens, 47);
    ck_assert_int_eq(job.result.tokens_estimated, 0);
    lw_probe_result_free(&job.result);
    /* no finish reason and no [DONE]: truncated, as before */
    check_all_splits(OAI, "openai_cut.sse", &s);
    ck_assert_int_eq(s.ending, LW_END_TRUNCATED);
    fixture_result("openai_gpt4o_text_usage.sse", 0, NULL, &job);
    ck_assert_int_eq(job.result.stream_end, LW_END_CLEAN);
    lw_probe_result_free(&job.result);
}
END_TEST

/* Feeds name one event per read, STEP apart, with `pause` more before the
 * event holding `at`; returns the result's longest gap. */
static double
gap_with_pause(const char *name, const char *at, int64_t pause)
{
    const struct want *w = want(name);
    lw_probe_outcome oc;
    lw_probe_job job;
    lw_stream st;
    size_t len, cut, k;
    char *buf = providers_fixture(name, &len), *p = strstr(buf, at);
    double gap;

    ck_assert_ptr_nonnull(p);
    /* back to the start of that event */
    for (cut = (size_t) (p - buf); cut > 0 && !(buf[cut - 1] == '\n' && cut > 1 &&
                                                 buf[cut - 2] == '\n') &&
         !(cut > 3 && memcmp(buf + cut - 4, "\r\n\r\n", 4) == 0); cut--)
        ;
    memset(&job, 0, sizeof(job));
    memset(&oc, 0, sizeof(oc));
    oc.http_status = 200;
    oc.t_end_us = 100000 * MS;
    oc.body_bytes = len;
    lw_stream_init(&st, w->p);
    k = stream_feed_events(&st, buf, cut, STEP, STEP);
    stream_feed_events(&st, buf + cut, len - cut, (int64_t) (k + 1) * STEP + pause, STEP);
    lw_stream_finish(&st);
    ck_assert_int_eq(lw_probe_finalize(&job, &oc, &st, 16 * 1024), LW_OK);
    ck_assert_int_eq(job.result.ok, 1);
    gap = job.result.max_gap_ms;
    lw_probe_result_free(&job.result);
    lw_stream_free(&st);
    free(buf);
    return gap;
}

/* The longest silence between output chunks, on each protocol and inside
 * a reasoning stream's thinking; the model version each reply named. */
START_TEST(test_gap_and_version)
{
    lw_probe_job job;

    ck_assert_double_eq_tol(gap_with_pause("openai_gpt4o_text_usage.sse", "\"content\":\" latest",
                                           3000 * MS), 3020.0, 1e-9);
    ck_assert_double_eq_tol(gap_with_pause("anthropic_text_clean.sse", "\"text\":\"doors.",
                                           2500 * MS), 2520.0, 1e-9);
    ck_assert_double_eq_tol(gap_with_pause("gemini_text.sse", ", Italy is 40 C.", 2000 * MS),
                            2020.0, 1e-9);
    ck_assert_double_eq_tol(gap_with_pause("openai_compat_deepseek_reasoning.sse",
                                           "\"reasoning_content\":\" So", 4000 * MS), 4020.0, 1e-9);
    /* a pause before the first output is time to first token, not a gap */
    ck_assert_double_eq_tol(gap_with_pause("openai_gpt4o_text_usage.sse", "\"content\":\"I",
                                           3000 * MS), 20.0, 1e-9);
    /* one output read: no gap to measure */
    fixture_result("gemini_tool_call.sse", STEP, NULL, &job);
    ck_assert_double_eq(job.result.max_gap_ms, -1);
    lw_probe_result_free(&job.result);
    /* the versions: every protocol's own field */
    check_stream("openai_gpt4o_text_usage.sse", 0);
    check_stream("anthropic_text_clean.sse", 0);
    check_stream("gemini_text.sse", 0);
    check_stream("openai_compat_deepseek_reasoning.sse", 0);
}
END_TEST

Suite *streams_suite(void)
{
    Suite *s = suite_create("streams");
    TCase *tc = tcase_create("streams");

    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_tool_calls);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_blocked_prompt);
    tcase_add_test(tc, test_finish_and_answer);
    tcase_add_test(tc, test_reasoning);
    tcase_add_test(tc, test_no_trailing_blank_line);
    tcase_add_test(tc, test_decode_window);
    tcase_add_test(tc, test_no_done);
    tcase_add_test(tc, test_gap_and_version);
    suite_add_tcase(s, tc);
    return s;
}
