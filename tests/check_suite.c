/* check_suite.c: the YAML suite loader (shipped suites, name resolution,
 * errors with file:line:col) and that every shipped reference answer
 * passes its own scorer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe.h"

static void
check_shipped(const char *name, size_t min_cases, size_t max_cases)
{
    lw_suite *s = NULL;
    lw_err err;
    size_t i, j, long_cases = 0;
    double score;

    setenv("LLMWATCH_DATADIR", ".", 1);
    ck_assert_msg(lw_suite_load(name, &s, &err) == LW_OK, "%s", err.msg);
    ck_assert_str_eq(s->name, name);
    ck_assert_ptr_nonnull(s->description);
    ck_assert_msg(s->n_cases >= min_cases && s->n_cases <= max_cases, "%s: %zu cases", name,
                  s->n_cases);
    for (i = 0; i < s->n_cases; i++) {
        lw_suite_case *c = &s->cases[i];

        score = lw_scorer_score(&c->scorer, c->reference_answer);
        ck_assert_msg(score == 100, "%s/%s: reference answer '%s' scores %.1f", name, c->id,
                      c->reference_answer, score);
        /* and the scorer can fail: an empty or wrong reply does not pass */
        ck_assert_msg(lw_scorer_score(&c->scorer, "") < 100, "%s/%s passes an empty reply",
                      name, c->id);
        ck_assert_msg(lw_scorer_score(&c->scorer, "I cannot help with that.") < 100,
                      "%s/%s passes a refusal", name, c->id);
        ck_assert_int_gt(c->max_tokens, 0);
        ck_assert_int_gt(c->line, 0);
        for (j = 0; j < i; j++)
            ck_assert_str_ne(s->cases[j].id, c->id);
        long_cases += c->long_output != 0;
    }
    ck_assert_uint_ge(long_cases, 1);
    lw_suite_free(s);
}

START_TEST(test_quick)
{
    check_shipped("quick", 3, 5);
}
END_TEST

START_TEST(test_comprehensive)
{
    lw_suite *s = NULL;
    lw_err err;
    size_t i, kinds[7] = { 0 };

    check_shipped("comprehensive", 20, 1000);
    ck_assert_int_eq(lw_suite_load("comprehensive", &s, &err), LW_OK);
    for (i = 0; i < s->n_cases; i++)
        kinds[s->cases[i].scorer.type]++;
    /* every scorer type is exercised by the shipped suite */
    for (i = 0; i < 7; i++)
        ck_assert_msg(kinds[i] > 0, "no %s case", lw_scorer_type_name((lw_scorer_type) i));
    lw_suite_free(s);
}
END_TEST

/* Tool cases: the tools go out as JSON in the neutral shape every
 * provider's request converts, and the reference call scores 100. */
START_TEST(test_tools)
{
    lw_suite *s = NULL;
    lw_probe_req rq;
    lw_http_req r;
    lw_err err;
    size_t i;

    setenv("LLMWATCH_DATADIR", ".", 1);
    ck_assert_msg(lw_suite_load("tools", &s, &err) == LW_OK, "%s", err.msg);
    ck_assert_uint_ge(s->n_cases, 3);
    for (i = 0; i < s->n_cases; i++) {
        lw_suite_case *c = &s->cases[i];

        ck_assert_int_eq(c->scorer.type, LW_SCORER_TOOL_CALL);
        ck_assert_ptr_nonnull(c->tools_json);
        ck_assert_msg(lw_scorer_score(&c->scorer, c->reference_answer) == 100, "%s", c->id);
        ck_assert_msg(lw_scorer_score(&c->scorer, "I cannot help with that.") == 0, "%s", c->id);
        ck_assert_msg(lw_scorer_score(&c->scorer, "[{\"name\":\"other\",\"arguments\":{}}]") == 0,
                      "%s", c->id);
    }
    ck_assert_str_eq(s->cases[0].tools_json,
                     "[{\"name\":\"get_weather\",\"description\":\"The current weather in a city.\","
                     "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\","
                     "\"description\":\"The city, e.g. Paris\"},\"unit\":{\"type\":\"string\",\"enum\":"
                     "[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\"]}}]");
    ck_assert_str_eq(s->cases[1].scorer.arguments, "{\"a\":17,\"b\":25}");
    /* a right function with half the arguments right: half the score */
    ck_assert_double_eq(lw_scorer_score(&s->cases[1].scorer,
                                        "[{\"name\":\"add\",\"arguments\":{\"a\":17,\"b\":26}}]"), 50);

    /* each protocol's request carries them in its own shape */
    memset(&rq, 0, sizeof(rq));
    rq.model = "m";
    rq.prompt = s->cases[0].prompt;
    rq.max_tokens = 16;
    rq.base_url = "http://127.0.0.1:9";
    rq.tools_json = s->cases[0].tools_json;
    ck_assert_int_eq(lw_provider_build(&lw_provider_openai, &rq, &r, &err), LW_OK);
    ck_assert_ptr_nonnull(strstr(r.body, "\"tools\":[{\"type\":\"function\",\"function\":"
                                         "{\"name\":\"get_weather\""));
    lw_http_req_free(&r);
    ck_assert_int_eq(lw_provider_build(&lw_provider_anthropic, &rq, &r, &err), LW_OK);
    ck_assert_ptr_nonnull(strstr(r.body, "\"tools\":[{\"name\":\"get_weather\",\"description\":"
                                         "\"The current weather in a city.\",\"input_schema\":{"));
    lw_http_req_free(&r);
    ck_assert_int_eq(lw_provider_build(&lw_provider_google, &rq, &r, &err), LW_OK);
    ck_assert_ptr_nonnull(strstr(r.body, "\"tools\":[{\"functionDeclarations\":[{\"name\":"
                                         "\"get_weather\""));
    lw_http_req_free(&r);
    rq.tools_json = "{\"not\": \"a list\"}";
    ck_assert_int_eq(lw_provider_build(&lw_provider_openai, &rq, &r, &err), LW_EINVAL);
    lw_suite_free(s);
}
END_TEST

START_TEST(test_path_and_resolution)
{
    lw_suite *s = NULL;
    lw_err err;

    ck_assert_int_eq(lw_suite_load("worker/suites/quick.yaml", &s, &err), LW_OK);
    ck_assert_str_eq(s->path, "worker/suites/quick.yaml");
    ck_assert_str_eq(s->cases[0].id, "arith-mul");
    ck_assert_int_eq(s->cases[0].scorer.type, LW_SCORER_NUMERIC);
    ck_assert_int_eq(s->cases[0].max_tokens, 16);
    lw_suite_free(s);

    setenv("LLMWATCH_DATADIR", "/nonexistent-dir", 1);
    ck_assert_int_eq(lw_suite_load("quick", &s, &err), LW_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent-dir/worker/suites/quick.yaml"));
    ck_assert_ptr_null(s);
    setenv("LLMWATCH_DATADIR", ".", 1);
    ck_assert_int_eq(lw_suite_load("no-such-suite", &s, &err), LW_ENOTFOUND);
    /* not a bare name: taken as a path, never joined to the data dir */
    ck_assert_int_eq(lw_suite_load("../quick", &s, &err), LW_ENOTFOUND);
    ck_assert_int_eq(lw_suite_load("", &s, &err), LW_EINVAL);
}
END_TEST

/* Writes text to a temporary file, loads it, expects failure with a message
 * containing want (after the file name). */
static void
expect_error(const char *text, const char *want)
{
    char path[] = "/tmp/lw-suite-XXXXXX.yaml";
    lw_suite *s = NULL;
    lw_err err;
    FILE *f;
    int fd;

    fd = mkstemps(path, 5);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    ck_assert_int_ne(lw_suite_load(path, &s, &err), LW_OK);
    ck_assert_ptr_null(s);
    ck_assert_msg(strncmp(err.msg, path, strlen(path)) == 0, "no file name: %s", err.msg);
    ck_assert_msg(strstr(err.msg, want) != NULL, "got '%s', want '%s'", err.msg, want);
    unlink(path);
}

#define CASE_OK "  - id: a\n    prompt: p\n    scorer: {type: exact, value: x}\n    reference_answer: x\n"

START_TEST(test_errors)
{
    expect_error("name: t\ncases:\n" CASE_OK "    colour: red\n", ":7:5: unknown key 'colour' in case");
    expect_error("name: t\nversion: 2\ncases:\n" CASE_OK, ":2:1: unknown key 'version' in a suite");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n    scorer: {type: fuzzy}\n"
                 "    reference_answer: x\n", ":5:20: unknown scorer type");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n    scorer: {value: x}\n"
                 "    reference_answer: x\n", ":5:13: scorer needs a type");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n    scorer: {type: regex, pattern: '('}\n"
                 "    reference_answer: x\n", ":5:13: scorer regex: bad pattern");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n    max_tokens: lots\n"
                 "    scorer: {type: exact, value: x}\n    reference_answer: x\n",
                 ":5:17: 'max_tokens' must be a whole number");
    expect_error("name: t\ncases:\n" CASE_OK CASE_OK, ":7:5: duplicate case id a (first at line 3)");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n    scorer: {type: exact, value: x}\n",
                 ":3:5: case a needs a reference_answer");
    expect_error("name: t\ncases:\n  - id: a\n    scorer: {type: exact, value: x}\n"
                 "    reference_answer: x\n", "case a needs a prompt");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n    prompt: q\n"
                 "    scorer: {type: exact, value: x}\n    reference_answer: x\n",
                 ":5:5: duplicate key 'prompt' in case");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: [p]\n", ":4:13: 'prompt' must be a string");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n    long_output: maybe\n",
                 ":5:18: 'long_output' must be true or false");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: \"unterminated\n", ":");
    expect_error("name: t\ncases: []\n", "cases must not be empty");
    expect_error("cases:\n" CASE_OK, "suite needs a name");
    expect_error("- just\n- a list\n", ":1:1: a suite must be a mapping");
    expect_error("", "the file is empty");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n"
                 "    scorer: {type: contains, values: []}\n    reference_answer: x\n",
                 "values must not be empty");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n"
                 "    scorer: {type: numeric, value: ten}\n    reference_answer: x\n",
                 "scorer numeric needs a number");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n    scorer: {type: tool_call}\n"
                 "    reference_answer: x\n", ":5:13: scorer tool_call needs the name");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n    tools: {name: f}\n"
                 "    scorer: {type: tool_call, name: f}\n    reference_answer: x\n",
                 ":5:12: 'tools' must be a list");
    expect_error("name: t\ncases:\n  - id: a\n    prompt: p\n"
                 "    scorer: {type: tool_call, name: f, arguments: [1]}\n    reference_answer: x\n",
                 ":5:51: 'arguments' must be a mapping");
}
END_TEST

START_TEST(test_scorer_fields)
{
    char path[] = "/tmp/lw-suite-XXXXXX.yaml";
    lw_suite *s = NULL;
    lw_err err;
    FILE *f;
    int fd;

    fd = mkstemps(path, 5);
    f = fdopen(fd, "w");
    fputs("name: t\ndescription: d\ncases:\n"
          "  - id: n\n    prompt: p\n    max_tokens: 7\n    long_output: true\n"
          "    scorer: {type: numeric, value: '2.5', tolerance: 0.1}\n    reference_answer: '2.55'\n"
          "  - id: j\n    prompt: p\n"
          "    scorer:\n      type: json_path\n      path: $.a[0]\n      equals: b\n"
          "      case_insensitive: yes\n    reference_answer: '{\"a\": [\"B\"]}'\n"
          "  - id: c\n    prompt: p\n    scorer: {type: contains, values: [x, y]}\n"
          "    reference_answer: xy\n", f);
    fclose(f);
    ck_assert_msg(lw_suite_load(path, &s, &err) == LW_OK, "%s", err.msg);
    unlink(path);
    ck_assert_uint_eq(s->n_cases, 3);
    ck_assert_str_eq(s->description, "d");
    ck_assert_int_eq(s->cases[0].max_tokens, 7);
    ck_assert_int_eq(s->cases[0].long_output, 1);
    ck_assert_double_eq(s->cases[0].scorer.tolerance, 0.1);
    ck_assert_int_eq(s->cases[0].line, 4);
    ck_assert_double_eq(lw_scorer_score(&s->cases[0].scorer, s->cases[0].reference_answer), 100);
    ck_assert_int_eq(s->cases[1].scorer.case_insensitive, 1);
    ck_assert_str_eq(s->cases[1].scorer.path, "$.a[0]");
    ck_assert_double_eq(lw_scorer_score(&s->cases[1].scorer, s->cases[1].reference_answer), 100);
    ck_assert_int_eq(s->cases[2].max_tokens, 256);       /* default */
    ck_assert_uint_eq(s->cases[2].scorer.n_values, 2);
    ck_assert_double_eq(lw_scorer_score(&s->cases[2].scorer, "x alone"), 50);
    lw_suite_free(s);
}
END_TEST

Suite *suite_suite(void)
{
    Suite *s = suite_create("suite");
    TCase *tc = tcase_create("suite");

    tcase_add_test(tc, test_quick);
    tcase_add_test(tc, test_comprehensive);
    tcase_add_test(tc, test_tools);
    tcase_add_test(tc, test_path_and_resolution);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_scorer_fields);
    suite_add_tcase(s, tc);
    return s;
}
