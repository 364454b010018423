/* check_custom_metrics.c: custom scorers run a user's command on a reply:
 * the reply on stdin, the expected answer in the environment, a number on
 * stdout; no shell, a timeout that kills it, a long reply that cannot
 * deadlock it. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    ck_assert_int_eq(run(fail, 0, "", "", &v, &err), LW_EINVAL);
    ck_assert(strstr(err.msg, "exit status 1") != NULL);
    ck_assert_int_eq(run(nothing, 0, "", "", &v, &err), LW_EINVAL);
    ck_assert_int_eq(run(inf, 0, "", "", &v, &err), LW_EINVAL);
    ck_assert_int_eq(run(missing, 0, "", "", &v, &err), LW_EIO);
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

Suite *
custom_metrics_suite(void)
{
    Suite *s = suite_create("custom_metrics");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_reply_and_expected);
    tcase_add_test(tc, test_no_shell);
    tcase_add_test(tc, test_failures);
    tcase_add_test(tc, test_long_reply);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return s;
}
