/* check_expr.c: the rule expression language: precedence (through the
 * canonical form), units, baseline resolution, every parse error with its
 * column, three-valued evaluation with missing data, and a fuzz run that
 * must never crash or leak. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/expr.h"
#include "lw.h"

static char *
canon(const char *text, unsigned flags)
{
    lw_expr *e = NULL;
    lw_expr_error err;
    lw_buf b = { 0 };
    int rc = lw_expr_parse(text, flags, &e, &err);

    ck_assert_msg(rc == LW_OK, "'%s' did not parse: %s", text, err.msg);
    ck_assert_int_eq(lw_expr_format(e, &b), LW_OK);
    lw_expr_free(e);
    return lw_buf_steal(&b);
}

static void
expect_canon(const char *text, const char *want)
{
    char *got = canon(text, LW_EXPR_ALLOW_ALL);

    ck_assert_msg(strcmp(got, want) == 0, "'%s' read as '%s', want '%s'", text, got, want);
    free(got);
}

static void
expect_error(const char *text, unsigned flags, int col, const char *needle)
{
    lw_expr *e = NULL;
    lw_expr_error err;
    int rc = lw_expr_parse(text, flags, &e, &err);

    ck_assert_msg(rc == LW_EINVAL, "'%s' parsed but should not", text);
    ck_assert_ptr_null(e);
    ck_assert_msg(err.col == col, "'%s': column %d, want %d (%s)", text, err.col, col, err.msg);
    ck_assert_msg(strstr(err.msg, needle) != NULL, "'%s': message '%s' lacks '%s'", text,
                  err.msg, needle);
}

START_TEST(test_precedence)
{
    expect_canon("1 + 2 * 3", "(1 + (2 * 3))");
    expect_canon("(1 + 2) * 3", "((1 + 2) * 3)");
    expect_canon("1 - 2 - 3", "((1 - 2) - 3)");
    expect_canon("8 / 4 / 2", "((8 / 4) / 2)");
    expect_canon("-2 * 3", "((-2) * 3)");
    expect_canon("- - 2", "(-(-2))");
    expect_canon("+2", "2");
    expect_canon("avg_latency > sla_target * 1.5", "(avg_latency > (sla_target * 1.5))");
}
END_TEST

START_TEST(test_logic_precedence)
{
    expect_canon("error_rate > 0.5 or avg_latency > 2 and ttft > 1",
                 "((error_rate > 0.5) or ((avg_latency > 2) and (ttft > 1)))");
    expect_canon("error_rate > 0.5 OR avg_latency > 2 AND ttft > 1",
                 "((error_rate > 0.5) or ((avg_latency > 2) and (ttft > 1)))");
    expect_canon("error_rate > 0.5 || avg_latency > 2 && ttft > 1",
                 "((error_rate > 0.5) or ((avg_latency > 2) and (ttft > 1)))");
    expect_canon("not error_rate > 0.5 and ttft > 1",
                 "((not (error_rate > 0.5)) and (ttft > 1))");
    expect_canon("!(error_rate > 0.5)", "(not (error_rate > 0.5))");
    /* keywords are whole words: a measure may contain "or" */
    expect_canon("error_rate > 1 or p95_ttft > 2", "((error_rate > 1) or (p95_ttft > 2))");
}
END_TEST

START_TEST(test_units_and_names)
{
    expect_canon("avg_latency > 500ms", "(avg_latency > 0.5)");
    expect_canon("avg_latency > 2s", "(avg_latency > 2)");
    expect_canon("error_rate >= 5%", "(error_rate >= 0.05)");
    expect_canon("error_rate < 1.5e-2", "(error_rate < 0.015)");
    expect_canon("latency > .5", "(avg_latency > 0.5)");
    expect_canon("avg_ttft != 1", "(ttft != 1)");
    expect_canon("p95_ttft == 1", "(p95_ttft == 1)");
    expect_canon("metric > mean + (3 * std_dev)", "(metric > (mean + (3 * std_dev)))");
    expect_canon("metric > mean + 3 * stddev", "(metric > (mean + (3 * std_dev)))");
    expect_canon("linear_regression_slope > 0.1", "(linear_regression_slope > 0.1)");
}
END_TEST

START_TEST(test_baseline)
{
    expect_canon("daily_cost > baseline * 2", "(daily_cost > (baseline.daily_cost * 2))");
    expect_canon("baseline * 2 < daily_cost", "((baseline.daily_cost * 2) < daily_cost)");
    expect_canon("latency > baseline * 1.5", "(avg_latency > (baseline.avg_latency * 1.5))");
    expect_canon("metric > baseline", "(metric > baseline.metric)");
    expect_canon("p95_latency > baseline.avg_latency * 2",
                 "(p95_latency > (baseline.avg_latency * 2))");
    /* each comparison resolves its own */
    expect_canon("ttft > baseline or error_rate > baseline",
                 "((ttft > baseline.ttft) or (error_rate > baseline.error_rate))");
}
END_TEST

/* Every error the parser reports, with its column. */
START_TEST(test_errors)
{
    const unsigned C = LW_EXPR_CONDITION;

    expect_error("avg_latncy > 2", C, 1, "unknown measure 'avg_latncy' at column 1 (did you "
                 "mean 'avg_latency'?)");
    expect_error("(avg_latency > 2 and ttft > 1", C, 30, "expected ')' at column 30");
    expect_error("avg_latency > (sla_target * 1.5", C, 32, "expected ')' at column 32");
    expect_error("avg_latency > 2)", C, 16, "unmatched ')' at column 16");
    expect_error("avg_latency >", C, 14, "expected a number, a measure or '(' at column 14");
    expect_error("avg_latency > * 2", C, 15, "not '*'");
    expect_error("", C, 1, "empty");
    expect_error("   ", C, 1, "empty");
    expect_error("avg_latency = 2", C, 13, "use '==' to compare at column 13");
    expect_error("a > 1 & b > 2", C, 1, "unknown measure 'a'");
    expect_error("avg_latency > 1 & ttft > 2", C, 17, "use 'and' or '&&' at column 17");
    expect_error("avg_latency > 1 | ttft > 2", C, 17, "use 'or' or '||' at column 17");
    expect_error("avg_latency > 2 $", C, 17, "unexpected character '$' at column 17");
    expect_error("avg_latency > 2h", C, 16, "unknown unit 'h' at column 16");
    expect_error("avg_latency > 2 3", C, 17, "unexpected '3' at column 17");
    expect_error("1 < avg_latency < 3", C, 17, "comparisons cannot be chained at column 17");
    expect_error("avg_latency + (ttft > 1) > 2", C, 15, "expected a number at column 15");
    expect_error("avg_latency > 1 and 2", C, 21, "expected a condition at column 21");
    expect_error("not 2", C, 5, "expected a condition at column 5");
    expect_error("avg_latency * 2", C, 1, "must be a condition");
    expect_error("baseline > 2", C, 1, "'baseline' at column 1 has no measure");
    expect_error("daily_cost > baseline.dayli_cost", C, 14,
                 "unknown measure 'dayli_cost' in 'baseline.dayli_cost' at column 14 (did you "
                 "mean 'baseline.daily_cost'?)");
    expect_error("metric > mean + 3 * std_dev", C, 1, "'metric' at column 1 is only available");
    expect_error("avg_latency > mean", C | LW_EXPR_ALLOW_METRIC, 15,
                 "'mean' at column 15 is only available in statistical rules");
    expect_error("linear_regression_slope > 0.1", C, 1, "only available in trend rules");
    expect_error("AVG_LATENCY > 1", C, 1, "did you mean 'avg_latency'?");
    expect_error("frobnicate > 1", C, 1, "unknown measure 'frobnicate' at column 1");
    expect_error("avg_latency > 1e999", C, 15, "number out of range at column 15");
    expect_error("avg_latency > 1 and", C, 20, "expected a number, a measure or '(' at "
                 "column 20");
    expect_error("((((avg_latency > 1)", C, 21, "expected ')' at column 21");
}
END_TEST

START_TEST(test_deep_nesting)
{
    char text[1024];
    int i, n = 0;

    for (i = 0; i < 300; i++)
        text[n++] = '(';
    memcpy(text + n, "1", 2);
    expect_error(text, 0, 101, "nested too deeply at column 101");
    n = 0;
    for (i = 0; i < 300; i++)
        text[n++] = '-';
    memcpy(text + n, "1", 2);
    expect_error(text, 0, 101, "nested too deeply");
}
END_TEST

/* ---- evaluation ---- */

typedef struct {
    double m[LW_M_COUNT], b[LW_M_COUNT], sla, metric, mean, sd, slope;
} vars;

static int
look(void *ud, const lw_expr_var *v, double *out)
{
    vars *x = ud;

    switch (v->kind) {
    case LW_VAR_MEASURE:    *out = x->m[v->measure]; break;
    case LW_VAR_BASELINE:   *out = v->measure >= 0 ? x->b[v->measure] : NAN; break;
    case LW_VAR_SLA_TARGET: *out = x->sla; break;
    case LW_VAR_METRIC:     *out = x->metric; break;
    case LW_VAR_MEAN:       *out = x->mean; break;
    case LW_VAR_STDDEV:     *out = x->sd; break;
    case LW_VAR_SLOPE:      *out = x->slope; break;
    case LW_VAR_CUSTOM:     *out = NAN; break;  /* check_custom_metrics.c */
    }
    return !isnan(*out);
}

static void
nodata(vars *x)
{
    int i;

    for (i = 0; i < LW_M_COUNT; i++)
        x->m[i] = x->b[i] = NAN;
    x->sla = x->metric = x->mean = x->sd = x->slope = NAN;
}

/* 1 firing, 0 not, -1 no data */
static int
run(const char *text, vars *x, lw_expr_result *out)
{
    lw_expr *e = NULL;
    lw_expr_error err;
    lw_expr_result r;

    ck_assert_msg(lw_expr_parse(text, LW_EXPR_ALLOW_ALL, &e, &err) == LW_OK, "%s: %s", text,
                  err.msg);
    ck_assert_int_eq(lw_expr_eval(e, look, x, &r), LW_OK);
    lw_expr_free(e);
    if (out)
        *out = r;
    return r.known ? r.truth : -1;
}

START_TEST(test_eval_seed_rules)
{
    vars x;
    lw_expr_result r;

    nodata(&x);
    x.m[LW_M_AVG_LATENCY] = 3.41;
    x.sla = 2.0;
    ck_assert_int_eq(run("avg_latency > sla_target * 1.5", &x, &r), 1);
    ck_assert(r.has_cmp);
    ck_assert_int_eq(r.cmp, LW_CMP_GT);
    ck_assert_double_eq_tol(r.lhs, 3.41, 1e-12);
    ck_assert_double_eq_tol(r.rhs, 3.0, 1e-12);
    ck_assert_int_eq(r.lhs_measure, LW_M_AVG_LATENCY);
    x.m[LW_M_AVG_LATENCY] = 2.99;
    ck_assert_int_eq(run("avg_latency > sla_target * 1.5", &x, NULL), 0);
    x.m[LW_M_ERROR_RATE] = 0.6;
    ck_assert_int_eq(run("error_rate > 0.5", &x, NULL), 1);
    x.m[LW_M_ERROR_RATE] = 0.5;
    ck_assert_int_eq(run("error_rate > 0.5", &x, NULL), 0);
    ck_assert_int_eq(run("error_rate >= 50%", &x, NULL), 1);
    /* Cost Spike without a baseline: no data, never firing */
    x.m[LW_M_DAILY_COST] = 100;
    ck_assert_int_eq(run("daily_cost > baseline * 2", &x, NULL), -1);
    x.b[LW_M_DAILY_COST] = 40;
    ck_assert_int_eq(run("daily_cost > baseline * 2", &x, &r), 1);
    ck_assert_double_eq_tol(r.rhs, 80, 1e-9);
    x.b[LW_M_DAILY_COST] = 60;
    ck_assert_int_eq(run("daily_cost > baseline * 2", &x, NULL), 0);
}
END_TEST

START_TEST(test_eval_nodata_logic)
{
    vars x;
    lw_expr_result r;

    nodata(&x);
    x.m[LW_M_ERROR_RATE] = 0.2;
    /* Kleene: false and unknown = false; true or unknown = true */
    ck_assert_int_eq(run("error_rate > 0.5 and ttft > 1", &x, NULL), 0);
    ck_assert_int_eq(run("error_rate > 0.1 and ttft > 1", &x, NULL), -1);
    ck_assert_int_eq(run("error_rate > 0.1 or ttft > 1", &x, NULL), 1);
    ck_assert_int_eq(run("error_rate > 0.5 or ttft > 1", &x, NULL), -1);
    ck_assert_int_eq(run("not ttft > 1", &x, NULL), -1);
    ck_assert_int_eq(run("not error_rate > 0.5", &x, NULL), 1);
    /* division by zero is no data, not infinity */
    x.m[LW_M_REQUEST_COUNT] = 0;
    ck_assert_int_eq(run("error_rate / request_count > 1", &x, &r), -1);
    ck_assert(isnan(r.lhs));
    ck_assert_int_eq(run("1 / 0 > 1 or error_rate > 0.1", &x, NULL), 1);
    /* the primary comparison is the first one even when another decides */
    x.m[LW_M_TTFT] = 2;
    ck_assert_int_eq(run("error_rate > 0.5 or ttft > 1", &x, &r), 1);
    ck_assert_double_eq_tol(r.lhs, 0.2, 1e-12);
    ck_assert_int_eq(run("-error_rate < -0.1", &x, NULL), 1);
    ck_assert_int_eq(run("error_rate * 2 - 0.4 == 0", &x, NULL), 1);
    ck_assert_int_eq(run("error_rate != 0.2", &x, NULL), 0);
    ck_assert_int_eq(run("error_rate <= 0.2 and error_rate >= 0.2 and error_rate < 0.3", &x,
                         NULL), 1);
}
END_TEST

START_TEST(test_eval_statistical_and_scale)
{
    vars x;
    lw_expr *e = NULL;
    lw_expr_error err;
    lw_expr_result r;

    nodata(&x);
    x.metric = 2.5;
    x.mean = 1.8;
    x.sd = 0.2;
    ck_assert_int_eq(run("metric > mean + (3 * std_dev)", &x, &r), 1);
    ck_assert_double_eq_tol(r.rhs, 2.4, 1e-12);
    ck_assert_int_eq(r.lhs_measure, LW_M_RULE_METRIC);
    x.metric = 2.3;
    ck_assert_int_eq(run("metric > mean + (3 * std_dev)", &x, NULL), 0);
    /* scaling the right side for tuning */
    x.m[LW_M_AVG_LATENCY] = 3.41;
    x.sla = 2.0;
    ck_assert_int_eq(lw_expr_parse("avg_latency > sla_target * 1.5", LW_EXPR_CONDITION, &e, &err),
                     LW_OK);
    lw_expr_eval_scaled(e, look, &x, 1.2, &r);
    ck_assert(r.known && !r.truth);
    ck_assert_double_eq_tol(r.rhs, 3.6, 1e-12);
    lw_expr_eval_scaled(e, look, &x, 1.1, &r);
    ck_assert(r.known && r.truth);
    ck_assert_uint_eq(lw_expr_measures(e), 1u << LW_M_AVG_LATENCY);
    ck_assert_uint_eq(lw_expr_var_kinds(e), (1u << LW_VAR_MEASURE) | (1u << LW_VAR_SLA_TARGET));
    ck_assert_int_eq(lw_expr_first_measure(e), LW_M_AVG_LATENCY);
    ck_assert(lw_expr_is_condition(e));
    ck_assert_str_eq(lw_expr_text(e), "avg_latency > sla_target * 1.5");
    lw_expr_free(e);
    /* a lookup that knows nothing: still no crash */
    ck_assert_int_eq(lw_expr_parse("avg_latency > 1", 0, &e, &err), LW_OK);
    ck_assert_int_eq(lw_expr_eval(e, NULL, NULL, &r), LW_OK);
    ck_assert(!r.known);
    ck_assert_int_eq(lw_expr_eval(NULL, NULL, NULL, &r), LW_EINVAL);
    lw_expr_free(e);
}
END_TEST

START_TEST(test_measures_api)
{
    char buf[32];
    const char *names[64];
    size_t n, i;
    int found = 0;

    ck_assert_int_eq(lw_measure_parse("latency"), LW_M_AVG_LATENCY);
    ck_assert_int_eq(lw_measure_parse("request_count"), LW_M_REQUEST_COUNT);
    ck_assert_int_eq(lw_measure_parse("nope"), LW_M_NONE);
    ck_assert_str_eq(lw_measure_name(LW_M_P95_TTFT), "p95_ttft");
    ck_assert_ptr_null(lw_measure_name(LW_M_COUNT));
    ck_assert_str_eq(lw_measure_format(LW_M_AVG_LATENCY, 3.412, buf, sizeof(buf)), "3.41 s");
    ck_assert_str_eq(lw_measure_format(LW_M_ERROR_RATE, 0.52, buf, sizeof(buf)), "52.0%");
    ck_assert_str_eq(lw_measure_format(LW_M_DAILY_COST, 12.345, buf, sizeof(buf)), "$12.35");
    ck_assert_str_eq(lw_measure_format(LW_M_TOKENS_PER_SECOND, 47.26, buf, sizeof(buf)),
                     "47.3 tok/s");
    ck_assert_str_eq(lw_measure_format(LW_M_AVG_LATENCY, NAN, buf, sizeof(buf)), "no data");
    ck_assert(lw_measure_lower_is_worse(LW_M_SUCCESS_RATE));
    ck_assert(!lw_measure_lower_is_worse(LW_M_P95_LATENCY));
    ck_assert(lw_measure_per_probe(LW_M_ERROR_RATE));
    ck_assert(!lw_measure_per_probe(LW_M_DAILY_COST));
    n = lw_expr_names(0, names, LW_ARRAY_LEN(names));
    for (i = 0; i < n && i < LW_ARRAY_LEN(names); i++) {
        ck_assert_str_ne(names[i], "mean");
        found |= strcmp(names[i], "sla_target") == 0;
    }
    ck_assert(found);
    ck_assert_uint_gt(lw_expr_names(LW_EXPR_ALLOW_ALL, names, LW_ARRAY_LEN(names)), n);
}
END_TEST

/* Random texts from the language's alphabet and mutations of valid ones:
 * every parse either succeeds (and evaluates) or reports a column inside
 * the text (or just past it). Under ASan this also proves no overflow or
 * leak. */
START_TEST(test_fuzz)
{
    static const char *const atoms[] = {
        "avg_latency", "sla_target", "baseline", "baseline.daily_cost", "daily_cost", "error_rate",
        "metric", "mean", "std_dev", "linear_regression_slope", "1", "0", "2.5", "500ms", "5%",
        "1e3", "(", ")", "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or", "not",
        "&&", "||", "!", " ", "=", "&", "|", "$", ".", "baseline.", "3s", "x", "\t",
    };
    static const char *const seeds[] = {
        "avg_latency > sla_target * 1.5", "error_rate > 0.5", "daily_cost > baseline * 2",
        "metric > mean + (3 * std_dev)", "not (error_rate > 1% or -ttft <= 2s) and p95_latency != 0",
    };
    char text[256];
    unsigned seed = 12345;
    int round, k, parsed = 0, failed = 0;
    size_t len;

    for (round = 0; round < 20000; round++) {
        lw_expr *e = NULL;
        lw_expr_error err;
        lw_expr_result r;
        vars x;
        int rc;

        text[0] = '\0';
        len = 0;
        if (round % 2 == 0) {
            int n = 1 + (int) (rand_r(&seed) % 12);

            for (k = 0; k < n; k++) {
                const char *a = atoms[rand_r(&seed) % LW_ARRAY_LEN(atoms)];

                if (len + strlen(a) + 2 >= sizeof(text))
                    break;
                memcpy(text + len, a, strlen(a));
                len += strlen(a);
                if (rand_r(&seed) % 2)
                    text[len++] = ' ';
                text[len] = '\0';
            }
        } else {
            const char *s = seeds[rand_r(&seed) % LW_ARRAY_LEN(seeds)];

            len = strlen(s);
            memcpy(text, s, len + 1);
            for (k = 0; k < 3; k++) {
                size_t pos = rand_r(&seed) % len;

                switch (rand_r(&seed) % 3) {
                case 0: text[pos] = (char) (1 + rand_r(&seed) % 255); break;
                case 1: memmove(text + pos, text + pos + 1, len - pos); len--; break;
                default:
                    if (len + 1 < sizeof(text)) {
                        memmove(text + pos + 1, text + pos, len - pos + 1);
                        text[pos] = "()+-*/<>=!&| .%"[rand_r(&seed) % 15];
                        len++;
                    }
                }
                if (len == 0)
                    break;
            }
        }
        rc = lw_expr_parse(text, (unsigned) (rand_r(&seed) % 32), &e, &err);
        if (rc == LW_OK) {
            parsed++;
            nodata(&x);
            x.m[LW_M_AVG_LATENCY] = 1;
            x.sla = 0;           /* divisions by zero happen */
            ck_assert_int_eq(lw_expr_eval(e, look, &x, &r), LW_OK);
            lw_expr_free(e);
        } else {
            failed++;
            ck_assert_int_eq(rc, LW_EINVAL);
            ck_assert_msg(err.col >= 1 && err.col <= (int) strlen(text) + 1,
                          "'%s': column %d out of range (%s)", text, err.col, err.msg);
            ck_assert_msg(strstr(err.msg, "column") != NULL || strstr(err.msg, "empty"),
                          "'%s': message without a column: %s", text, err.msg);
        }
    }
    ck_assert_int_gt(parsed, 100);
    ck_assert_int_gt(failed, 100);
}
END_TEST

Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_precedence);
    tcase_add_test(tc, test_logic_precedence);
    tcase_add_test(tc, test_units_and_names);
    tcase_add_test(tc, test_baseline);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_eval_seed_rules);
    tcase_add_test(tc, test_eval_nodata_logic);
    tcase_add_test(tc, test_eval_statistical_and_scale);
    tcase_add_test(tc, test_measures_api);
    tcase_add_test(tc, test_fuzz);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
