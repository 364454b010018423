/* check_custom_metrics.c: custom scorers run a user's command on a reply:
 * the reply on stdin, the expected answer in the environment, a number on
 * stdout; no shell, a timeout that kills it, a long reply that cannot
 * deadlock it. Suites naming them, and rules on custom.NAME. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/expr.h"
#include "lw.h"
#include "probe/probe.h"
#include "usage.h"

static int
run(char *const *argv, long timeout, const char *reply, const char *expected, double *v,
    lw_err *err)
{
    lw_custom_scorer cs = { "user_satisfaction", argv, timeout };

    return lw_scorer_custom_run(&cs, reply, expected, "case-1", v, err);
}

START_TEST(test_reply_and_expected)
{
    char *wc[] = { "wc", "-c", NULL }, *env[] = { "printenv", "LLMWATCH_EXPECTED", NULL };
    char *metric[] = { "sh", "-c", "test \"$LLMWATCH_METRIC\" = user_satisfaction"
                                   " && test \"$LLMWATCH_CASE_ID\" = case-1 && echo 0.75", NULL };
    lw_err err;
    double v;

    ck_assert_int_eq(run(wc, 0, "hello", "x", &v, &err), LW_OK);
    ck_assert_double_eq(v, 5);
    ck_assert_int_eq(run(env, 0, "", "42.5", &v, &err), LW_OK);
    ck_assert_double_eq(v, 42.5);
    ck_assert_int_eq(run(metric, 0, "", "", &v, &err), LW_OK);
    ck_assert_double_eq(v, 0.75);
}
END_TEST

START_TEST(test_no_shell)
{
    char path[] = "/tmp/lw_custom_scorer_XXXXXX", *echo[4];
    lw_err err;
    double v;
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);
    /* the argument is text for echo, never a command */
    echo[0] = "echo";
    echo[1] = malloc(strlen(path) + 16);
    strcpy(echo[1], "$(touch ");
    strcat(echo[1], path);
    strcat(echo[1], ")");
    echo[2] = NULL;
    ck_assert_int_eq(run(echo, 0, "", "", &v, &err), LW_EINVAL);
    ck_assert(strstr(err.msg, "no number") != NULL);
    ck_assert_int_ne(access(path, F_OK), 0);
    free(echo[1]);
}
END_TEST

START_TEST(test_failures)
{
    char *sleep5[] = { "sleep", "5", NULL }, *fail[] = { "false", NULL };
    char *nothing[] = { "echo", "none", NULL }, *missing[] = { "no-such-scorer-command", NULL };
    char *inf[] = { "echo", "inf", NULL };
    lw_custom_scorer bad = { "Bad Name", fail, 0 };
    lw_err err;
    double v;

    ck_assert_int_eq(run(sleep5, 200, "", "", &v, &err), LW_ETIMEDOUT);
    ck_assert(isnan(v));
    ck_assert(strstr(err.msg, "no answer within 200 ms") != NULL);
    ck_assert_str_eq(lw_scorer_custom_failure(LW_ETIMEDOUT), "timeout");
    ck_assert_int_eq(run(fail, 0, "", "", &v, &err), LW_ERROR);
    ck_assert(strstr(err.msg, "exit status 1") != NULL);
    ck_assert_str_eq(lw_scorer_custom_failure(LW_ERROR), "exit");
    ck_assert_int_eq(run(nothing, 0, "", "", &v, &err), LW_EINVAL);
    ck_assert_int_eq(run(inf, 0, "", "", &v, &err), LW_EINVAL);
    ck_assert_str_eq(lw_scorer_custom_failure(LW_EINVAL), "no_number");
    ck_assert_int_eq(run(missing, 0, "", "", &v, &err), LW_EIO);
    ck_assert_str_eq(lw_scorer_custom_failure(LW_EIO), "cannot_run");
    ck_assert(lw_scorer_custom_failure(LW_OK) == NULL);
    ck_assert_int_eq(lw_scorer_custom_run(&bad, "", "", "", &v, &err), LW_EINVAL);
    ck_assert(lw_usage_metric_name_ok("user_satisfaction"));
    ck_assert(!lw_usage_metric_name_ok("9lives"));
    ck_assert(!lw_usage_metric_name_ok(""));
}
END_TEST

START_TEST(test_long_reply)
{
    char *wc[] = { "wc", "-c", NULL }, *head[] = { "head", "-c", "10", NULL };
    size_t n = 1 << 20;
    char *reply = malloc(n + 1);
    lw_err err;
    double v;

    memset(reply, 'a', n);
    reply[n] = '\0';
    ck_assert_int_eq(run(wc, 5000, reply, "", &v, &err), LW_OK);
    ck_assert_double_eq(v, (double) n);
    /* a command that stops reading early is fine: what it printed counts */
    memcpy(reply, "12345678901", 11);
    ck_assert_int_eq(run(head, 5000, reply, "", &v, &err), LW_OK);
    ck_assert_double_eq(v, 1234567890);
    free(reply);
}
END_TEST

static int
look_custom(void *ud, const lw_expr_var *v, double *out)
{
    if (v->kind != LW_VAR_CUSTOM || strcmp(v->custom, "user_satisfaction") != 0)
        return 0;
    *out = *(double *) ud;
    return 1;
}

START_TEST(test_rule_expression)
{
    const char *names[4];
    lw_expr_error ee;
    lw_expr_result res;
    lw_expr *e = NULL;
    lw_buf b = { 0 };
    double v = 3.2;

    ck_assert_int_eq(lw_expr_parse("custom.user_satisfaction < 3.5 and custom.grade < 1 or "
                                   "custom.user_satisfaction < 1", LW_EXPR_CONDITION, &e, &ee),
                     LW_OK);
    ck_assert_uint_eq(lw_expr_customs(e, names, 4), 2);
    ck_assert_str_eq(names[0], "user_satisfaction");
    ck_assert_str_eq(names[1], "grade");
    ck_assert_int_eq(lw_expr_format(e, &b), LW_OK);
    ck_assert(strstr(b.data, "(custom.user_satisfaction < 3.5)") != NULL);
    lw_buf_free(&b);
    lw_expr_free(e);
    ck_assert_int_eq(lw_expr_parse("custom.user_satisfaction < 3.5", LW_EXPR_CONDITION, &e, &ee),
                     LW_OK);
    ck_assert_int_eq(lw_expr_eval(e, look_custom, &v, &res), LW_OK);
    ck_assert(res.known && res.truth);
    v = 4;
    ck_assert_int_eq(lw_expr_eval(e, look_custom, &v, &res), LW_OK);
    ck_assert(res.known && !res.truth);
    lw_expr_free(e);
    ck_assert_int_eq(lw_expr_parse("custom.User < 1", LW_EXPR_CONDITION, &e, &ee), LW_EINVAL);
    ck_assert(strstr(ee.msg, "custom metric's name") != NULL);
    ck_assert_int_eq(ee.col, 1);
}
END_TEST

static char *
suite_file(const char *text)
{
    static char path[64];
    FILE *f;

    snprintf(path, sizeof(path), "/tmp/lw_custom_suite_%d.yaml", (int) getpid());
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(test_suite_scorers)
{
    static const char head[] = "name: s\ncustom_scorers:\n  - name: user_satisfaction\n"
                               "    command: [python3, grade.py, \"$(rm -rf x)\"]\n"
                               "    timeout: 2s\n";
    static const char cases[] = "cases:\n  - id: a\n    prompt: p\n    reference_answer: r\n"
                                "    scorer: {type: exact, value: r}\n";
    lw_suite *s = NULL;
    lw_err err;
    char text[1024];

    snprintf(text, sizeof(text), "%s%s    custom_scorers:\n      - {name: length, command: "
             "[wc, -c]}\n", head, cases);
    ck_assert_int_eq(lw_suite_load(suite_file(text), &s, &err), LW_OK);
    ck_assert_uint_eq(s->n_custom, 1);
    ck_assert_str_eq(s->custom[0].name, "user_satisfaction");
    ck_assert_str_eq(s->custom[0].argv[2], "$(rm -rf x)");
    ck_assert_ptr_null(s->custom[0].argv[3]);
    ck_assert_int_eq(s->custom[0].timeout_ms, 2000);
    ck_assert_uint_eq(s->cases[0].n_custom, 1);
    ck_assert_str_eq(s->cases[0].custom[0].argv[0], "wc");
    lw_suite_free(s);
    /* a shell line is not a command */
    snprintf(text, sizeof(text), "name: s\ncustom_scorers:\n  - {name: x, command: \"wc -c\"}\n%s",
             cases);
    ck_assert_int_eq(lw_suite_load(suite_file(text), &s, &err), LW_EINVAL);
    ck_assert(strstr(err.msg, "'command' must be a list") != NULL);
    snprintf(text, sizeof(text), "name: s\ncustom_scorers:\n  - {name: Bad, command: [wc]}\n%s",
             cases);
    ck_assert_int_eq(lw_suite_load(suite_file(text), &s, &err), LW_EINVAL);
    ck_assert(strstr(err.msg, "name 'Bad'") != NULL);
    snprintf(text, sizeof(text), "name: s\ncustom_scorers:\n  - {name: x, command: [wc], "
             "timeout: 1h}\n%s", cases);
    ck_assert_int_eq(lw_suite_load(suite_file(text), &s, &err), LW_EINVAL);
    ck_assert(strstr(err.msg, "timeout") != NULL);
    unlink(suite_file(""));
}
END_TEST

Suite *
custom_metrics_suite(void)
{
    Suite *s = suite_create("custom_metrics");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_reply_and_expected);
    tcase_add_test(tc, test_no_shell);
    tcase_add_test(tc, test_failures);
    tcase_add_test(tc, test_long_reply);
    tcase_add_test(tc, test_rule_expression);
    tcase_add_test(tc, test_suite_scorers);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return s;
}
