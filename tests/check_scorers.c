/* check_scorers.c: every scorer on passing and failing replies, and the
 * quality mean. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"

static char **
list(const char *a, const char *b, const char *c, size_t *n)
{
    char **v = calloc(3, sizeof(char *));

    *n = 0;
    if (a)
        v[(*n)++] = strdup(a);
    if (b)
        v[(*n)++] = strdup(b);
    if (c)
        v[(*n)++] = strdup(c);
    return v;
}

static void
prep(lw_scorer *s)
{
    lw_err err;

    ck_assert_msg(lw_scorer_prepare(s, &err) == LW_OK, "prepare: %s", err.msg);
}

START_TEST(test_exact)
{
    lw_scorer s = { 0 };

    s.type = LW_SCORER_EXACT;
    s.value = strdup("Paris");
    prep(&s);
    ck_assert_double_eq(lw_scorer_score(&s, "Paris"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "  Paris\n"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "paris"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "Paris."), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "The answer is Paris"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, ""), 0);
    ck_assert_double_eq(lw_scorer_score(&s, NULL), 0);
    s.case_insensitive = 1;
    ck_assert_double_eq(lw_scorer_score(&s, "PARIS "), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "Pari"), 0);
    lw_scorer_free(&s);
}
END_TEST

START_TEST(test_contains_and_one_of)
{
    lw_scorer s = { 0 };

    s.type = LW_SCORER_CONTAINS;
    s.values = list("red", "green", "blue", &s.n_values);
    prep(&s);
    ck_assert_double_eq(lw_scorer_score(&s, "red, green, blue"), 100);
    ck_assert_double_eq_tol(lw_scorer_score(&s, "red and green"), 200.0 / 3, 1e-9);
    ck_assert_double_eq(lw_scorer_score(&s, "Red, Green, Blue"), 0);
    s.case_insensitive = 1;
    ck_assert_double_eq(lw_scorer_score(&s, "Red, Green, Blue"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "purple"), 0);
    lw_scorer_free(&s);

    s.type = LW_SCORER_ONE_OF;
    s.values = list("yes", "y", NULL, &s.n_values);
    prep(&s);
    ck_assert_double_eq(lw_scorer_score(&s, " yes\n"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "y"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "yes!"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "no"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "YES"), 0);
    lw_scorer_free(&s);
}
END_TEST

START_TEST(test_regex)
{
    lw_scorer s = { 0 };
    lw_err err;

    s.type = LW_SCORER_REGEX;
    s.pattern = strdup("^[[:space:]]*[0-9]{4}-[0-9]{2}-[0-9]{2}[[:space:]]*$");
    prep(&s);
    ck_assert_double_eq(lw_scorer_score(&s, "2024-03-15"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, " 2024-03-15\n"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "It is 2024-03-15."), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "15/03/2024"), 0);
    lw_scorer_free(&s);

    s.type = LW_SCORER_REGEX;
    s.pattern = strdup("hello (world|there)");
    s.case_insensitive = 1;
    prep(&s);
    ck_assert_double_eq(lw_scorer_score(&s, "Oh, HELLO THERE friend"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "hello you"), 0);
    lw_scorer_free(&s);

    s.type = LW_SCORER_REGEX;
    s.pattern = strdup("(unclosed");
    ck_assert_int_eq(lw_scorer_prepare(&s, &err), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "bad pattern"));
    ck_assert_double_eq(lw_scorer_score(&s, "(unclosed"), 0);
    lw_scorer_free(&s);
}
END_TEST

START_TEST(test_json_valid)
{
    lw_scorer s = { 0 };

    s.type = LW_SCORER_JSON_VALID;
    prep(&s);
    ck_assert_double_eq(lw_scorer_score(&s, "{\"a\": 1}"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "  [1, 2, 3]  "), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "Here it is:\n```json\n{\"a\": {\"b\": \"}\"}}\n```\nDone."), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "Sure! [1, 2] is the list"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "{\"a\": 1,}"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "{'a': 1}"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "{\"a\": 01}"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "[1, 2,]"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "{\"a\": \"\\x\"}"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "{a: 1}"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "[NaN]"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "[\"\\u00e9\", -0.5e+3, true, false, null, {}, []]"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "{\"a\":{\"b\":{\"c\":[[[\"deep\"]]]}}}"), 100);
    ck_assert_double_eq(lw_scorer_score(&s, "{\"a\": 1"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, "no json here"), 0);
    ck_assert_double_eq(lw_scorer_score(&s, ""), 0);
    lw_scorer_free(&s);
}
END_TEST

static double
path_score(const char *path, const char *equals, const char *reply)
{
    lw_scorer s = { 0 };
    double d;

    s.type = LW_SCORER_JSON_PATH;
    s.path = strdup(path);
    s.equals = strdup(equals);
    prep(&s);
    d = lw_scorer_score(&s, reply);
    lw_scorer_free(&s);
    return d;
}

START_TEST(test_json_path)
{
    const char *doc = "Result: {\"a\": {\"b\": [{\"c\": \"x\"}, {\"c\": 2.5}]}, \"n\": 42, "
                      "\"t\": true, \"z\": null, \"arr\": [1, 2], \"k y\": \"v\"}";
    lw_scorer s = { 0 };
    lw_err err;

    ck_assert_double_eq(path_score("$.a.b[0].c", "x", doc), 100);
    ck_assert_double_eq(path_score("$.a.b[0].c", "y", doc), 0);
    ck_assert_double_eq(path_score("$.a.b[1].c", "2.5", doc), 100);
    ck_assert_double_eq(path_score("$.a.b[1].c", "2.50", doc), 100);
    ck_assert_double_eq(path_score("$.a.b[1].c", "3", doc), 0);
    ck_assert_double_eq(path_score("$.n", "42", doc), 100);
    ck_assert_double_eq(path_score("$.n", "42abc", doc), 0);
    ck_assert_double_eq(path_score("$.t", "true", doc), 100);
    ck_assert_double_eq(path_score("$.t", "false", doc), 0);
    ck_assert_double_eq(path_score("$.z", "null", doc), 100);
    ck_assert_double_eq(path_score("$.arr", "[1,2]", doc), 100);
    ck_assert_double_eq(path_score("$.arr", "[2,1]", doc), 0);
    ck_assert_double_eq(path_score("$[\"k y\"]", "v", doc), 100);
    ck_assert_double_eq(path_score("$.a.b[2].c", "x", doc), 0);     /* out of range */
    ck_assert_double_eq(path_score("$.missing", "x", doc), 0);
    ck_assert_double_eq(path_score("$[1]", "7", "[5, 7]"), 100);
    ck_assert_double_eq(path_score("$.n", "42", "not json"), 0);

    s.type = LW_SCORER_JSON_PATH;
    s.path = strdup("a.b");
    s.equals = strdup("1");
    ck_assert_int_eq(lw_scorer_prepare(&s, &err), LW_EINVAL);
    lw_scorer_free(&s);
}
END_TEST

static double
num_score(const char *value, double tol, const char *reply)
{
    lw_scorer s = { 0 };
    double d;

    s.type = LW_SCORER_NUMERIC;
    s.value = strdup(value);
    s.tolerance = tol;
    prep(&s);
    d = lw_scorer_score(&s, reply);
    lw_scorer_free(&s);
    return d;
}

START_TEST(test_numeric)
{
    lw_scorer s = { 0 };
    lw_err err;

    ck_assert_double_eq(num_score("391", 0, "391"), 100);
    ck_assert_double_eq(num_score("391", 0, "The answer is 391."), 100);
    ck_assert_double_eq(num_score("391", 0, "392"), 0);
    ck_assert_double_eq(num_score("391", 1, "392"), 100);
    ck_assert_double_eq(num_score("391", 0, "17 * 23 = 391"), 0);    /* first number only */
    ck_assert_double_eq(num_score("-27", 0, "-27"), 100);
    ck_assert_double_eq(num_score("-27", 0, "It is -27"), 100);
    ck_assert_double_eq(num_score("27", 0, "x-27"), 100);            /* a hyphen, not a sign */
    ck_assert_double_eq(num_score("1.75", 0.001, "1.75"), 100);
    ck_assert_double_eq(num_score("1.75", 0.001, "1.8"), 0);
    ck_assert_double_eq(num_score("0.5", 0, ".5"), 100);
    ck_assert_double_eq(num_score("1250000", 0, "1,250,000"), 100);
    ck_assert_double_eq(num_score("3", 0, "3,5"), 100);              /* not a thousands group */
    ck_assert_double_eq(num_score("1e3", 0, "1000"), 100);
    ck_assert_double_eq(num_score("42", 0, "no number"), 0);
    ck_assert_double_eq(num_score("42", 0, ""), 0);

    s.type = LW_SCORER_NUMERIC;
    s.value = strdup("abc");
    ck_assert_int_eq(lw_scorer_prepare(&s, &err), LW_EINVAL);
    lw_scorer_free(&s);
    s.type = LW_SCORER_NUMERIC;
    s.value = strdup("1");
    s.tolerance = -1;
    ck_assert_int_eq(lw_scorer_prepare(&s, &err), LW_EINVAL);
    lw_scorer_free(&s);
}
END_TEST

START_TEST(test_prepare_requirements)
{
    lw_scorer s = { 0 };
    lw_err err;

    s.type = LW_SCORER_EXACT;
    ck_assert_int_eq(lw_scorer_prepare(&s, &err), LW_EINVAL);
    s.type = LW_SCORER_CONTAINS;
    ck_assert_int_eq(lw_scorer_prepare(&s, &err), LW_EINVAL);
    s.type = LW_SCORER_ONE_OF;
    ck_assert_int_eq(lw_scorer_prepare(&s, &err), LW_EINVAL);
    s.type = LW_SCORER_REGEX;
    ck_assert_int_eq(lw_scorer_prepare(&s, &err), LW_EINVAL);
    s.type = LW_SCORER_JSON_PATH;
    ck_assert_int_eq(lw_scorer_prepare(&s, &err), LW_EINVAL);
    ck_assert_int_eq(lw_scorer_type_parse("json_path"), LW_SCORER_JSON_PATH);
    ck_assert_int_eq(lw_scorer_type_parse("one_of"), LW_SCORER_ONE_OF);
    ck_assert_int_eq(lw_scorer_type_parse("fuzzy"), -1);
    ck_assert_str_eq(lw_scorer_type_name(LW_SCORER_NUMERIC), "numeric");
}
END_TEST

START_TEST(test_quality_mean)
{
    double a[] = { 100, 0, 50, -1 };
    double none[] = { -1, -1 };

    ck_assert_double_eq(lw_quality_mean(a, 4), 50);
    ck_assert_double_eq(lw_quality_mean(none, 2), -1);
    ck_assert_double_eq(lw_quality_mean(a, 0), -1);
}
END_TEST

Suite *scorers_suite(void)
{
    Suite *s = suite_create("scorers");
    TCase *tc = tcase_create("scorers");

    tcase_add_test(tc, test_exact);
    tcase_add_test(tc, test_contains_and_one_of);
    tcase_add_test(tc, test_regex);
    tcase_add_test(tc, test_json_valid);
    tcase_add_test(tc, test_json_path);
    tcase_add_test(tc, test_numeric);
    tcase_add_test(tc, test_prepare_requirements);
    tcase_add_test(tc, test_quality_mean);
    suite_add_tcase(s, tc);
    return s;
}
