/* check_money.c: exact money parsing, formatting and pico-dollar costs. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "lw.h"
#include "money.h"

static int64_t
parsed(const char *s)
{
    int64_t v = -777;

    ck_assert_msg(lw_money_parse(s, &v) == LW_OK, "'%s' should parse", s);
    return v;
}

START_TEST(test_parse_exact)
{
    ck_assert_int_eq(parsed("2.50"), 2500000);
    ck_assert_int_eq(parsed("30"), 30000000);
    ck_assert_int_eq(parsed("0.075"), 75000);
    ck_assert_int_eq(parsed("0.15"), 150000);
    ck_assert_int_eq(parsed(".5"), 500000);
    ck_assert_int_eq(parsed("5."), 5000000);
    ck_assert_int_eq(parsed("-1.5"), -1500000);
    ck_assert_int_eq(parsed("+3"), 3000000);
    ck_assert_int_eq(parsed("0.000001"), 1);
    ck_assert_int_eq(parsed("0"), 0);
    /* zeros past the sixth decimal are still exact */
    ck_assert_int_eq(parsed("1.50000000"), 1500000);
    /* the largest amount an int64 of micro-dollars holds */
    ck_assert_int_eq(parsed("9223372036854.775807"), INT64_MAX);
    /* 0.1 + 0.2 style values stay exact (no float on the way) */
    ck_assert_int_eq(parsed("0.1") + parsed("0.2"), parsed("0.3"));
}
END_TEST

START_TEST(test_parse_rejects)
{
    static const char *const bad[] = {
        "", ".", "-", "+", "abc", "1,000", " 1", "1 ", "1e3", "2.5.1", "$3", "1.0000001",
        "0x10", "9223372036854.775808", "9223372036855", "99999999999999999999", "--1",
        "1-", "nan",
    };
    int64_t v = 42;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(bad); i++)
        ck_assert_msg(lw_money_parse(bad[i], &v) == LW_EINVAL, "'%s' should be rejected",
                      bad[i]);
    ck_assert_int_eq(v, 42); /* untouched on failure */
    ck_assert_int_eq(lw_money_parse(NULL, &v), LW_EINVAL);
}
END_TEST

START_TEST(test_parse_scaled)
{
    int64_t v;

    ck_assert_int_eq(lw_money_parse_scaled("2.5", 3, &v), LW_OK);
    ck_assert_int_eq(v, 2500);
    ck_assert_int_eq(lw_money_parse_scaled("0.001", 3, &v), LW_OK);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(lw_money_parse_scaled("0.0005", 3, &v), LW_EINVAL);
    ck_assert_int_eq(lw_money_parse_scaled("7", 0, &v), LW_OK);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(lw_money_parse_scaled("7.5", 0, &v), LW_EINVAL);
    ck_assert_int_eq(lw_money_parse_scaled("1", 10, &v), LW_EINVAL);
}
END_TEST

static const char *
fmt(int64_t micros)
{
    static char buf[64];

    ck_assert_int_eq(lw_money_format(micros, buf, sizeof(buf)), LW_OK);
    return buf;
}

static const char *
fine(int64_t micros)
{
    static char buf[64];

    ck_assert_int_eq(lw_money_format_fine(micros, buf, sizeof(buf)), LW_OK);
    return buf;
}

START_TEST(test_format)
{
    char small[6];

    ck_assert_str_eq(fmt(0), "$0.00");
    ck_assert_str_eq(fmt(1234560000), "$1,234.56");
    ck_assert_str_eq(fmt(3247820000), "$3,247.82");
    ck_assert_str_eq(fmt(999990000), "$999.99");
    ck_assert_str_eq(fmt(100000000000), "$100,000.00");
    ck_assert_str_eq(fmt(1000000000000), "$1,000,000.00");
    ck_assert_str_eq(fmt(5000), "$0.01");      /* half a cent rounds up */
    ck_assert_str_eq(fmt(4999), "$0.00");
    ck_assert_str_eq(fmt(-500000), "-$0.50");
    ck_assert_str_eq(fmt(-4000), "$0.00");     /* no "-$0.00" */
    ck_assert_str_eq(fmt(-1234565000), "-$1,234.57");
    ck_assert_str_eq(fmt(INT64_MAX), "$9,223,372,036,854.78");
    ck_assert_str_eq(fmt(INT64_MIN), "-$9,223,372,036,854.78");
    ck_assert_int_eq(lw_money_format(1234560000, small, sizeof(small)), LW_EINVAL);
}
END_TEST

START_TEST(test_format_fine)
{
    ck_assert_str_eq(fine(4500), "$0.0045");
    ck_assert_str_eq(fine(30000), "$0.03");
    ck_assert_str_eq(fine(15000), "$0.015");
    ck_assert_str_eq(fine(1), "$0.000001");
    ck_assert_str_eq(fine(2500000), "$2.50");
    ck_assert_str_eq(fine(0), "$0.00");
    ck_assert_str_eq(fine(1234567891), "$1,234.567891");
    ck_assert_str_eq(fine(-75000), "-$0.075");
}
END_TEST

START_TEST(test_cost_pico)
{
    char buf[40];

    /* 1000 tokens at $30 per million tokens = $0.03 = 3e10 pico-dollars */
    ck_assert_int_eq(lw_cost_pico(1000, 30000000), INT64_C(30000000000));
    /* one token at $0.075/M: 0.075e-6 $ = 75000 pico-dollars, exactly */
    ck_assert_int_eq(lw_cost_pico(1, 75000), 75000);
    /* 60 tokens at $0.075/M = $0.0000045 */
    ck_assert_int_eq(lw_cost_pico(60, 75000), 4500000);
    ck_assert_int_eq(lw_pico_to_decimal(lw_cost_pico(60, 75000), buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "0.000004500000");
    ck_assert_int_eq(lw_cost_pico(0, 30000000), 0);
    ck_assert_int_eq(lw_cost_pico(12345, 0), 0);
    /* a sum of exact costs is exact: 3 x 1 token at $0.1/M = 3 x 100000 */
    ck_assert_int_eq(lw_cost_pico(1, 100000) * 3, lw_cost_pico(3, 100000));
    ck_assert_int_eq(lw_cost_pico(-1, 30000000), -1);
    ck_assert_int_eq(lw_cost_pico(10, -1), -1);
    ck_assert_int_eq(lw_cost_pico(INT64_MAX, 2), -1);
    ck_assert_int_eq(lw_cost_pico(INT64_C(4611686018427387904), 2), -1);
    ck_assert_int_eq(lw_cost_pico(INT64_C(4611686018427387903), 2), INT64_MAX - 1);
    /* a billion tokens at the most expensive built-in price still fits */
    ck_assert_int_eq(lw_cost_pico(INT64_C(1000000000), 75000000), INT64_C(75000000000000000));
}
END_TEST

START_TEST(test_decimal_text)
{
    char buf[40], tiny[8];

    ck_assert_int_eq(lw_pico_to_decimal(0, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "0.000000000000");
    ck_assert_int_eq(lw_pico_to_decimal(INT64_C(30000000000), buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "0.030000000000");
    ck_assert_int_eq(lw_pico_to_decimal(INT64_C(1234567890123456), buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "1234.567890123456");
    ck_assert_int_eq(lw_pico_to_decimal(-1, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "-0.000000000001");
    ck_assert_int_eq(lw_pico_to_decimal(INT64_MIN, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "-9223372.036854775808");
    ck_assert_int_eq(lw_pico_to_decimal(1, tiny, sizeof(tiny)), LW_EINVAL);
    ck_assert_int_eq(lw_micros_to_decimal(2500000, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "2.500000");
    ck_assert_int_eq(lw_micros_to_decimal(75000, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "0.075000");
}
END_TEST

START_TEST(test_pico_to_micros)
{
    ck_assert_int_eq(lw_pico_to_micros(4500000), 5);   /* 4.5 micro-dollars */
    ck_assert_int_eq(lw_pico_to_micros(4499999), 4);
    ck_assert_int_eq(lw_pico_to_micros(-4500000), -5);
    ck_assert_int_eq(lw_pico_to_micros(0), 0);
    ck_assert_int_eq(lw_pico_to_micros(INT64_C(30000000000)), 30000);
}
END_TEST

Suite *money_suite(void)
{
    Suite *s = suite_create("money");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_parse_exact);
    tcase_add_test(tc, test_parse_rejects);
    tcase_add_test(tc, test_parse_scaled);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_format_fine);
    tcase_add_test(tc, test_cost_pico);
    tcase_add_test(tc, test_decimal_text);
    tcase_add_test(tc, test_pico_to_micros);
    suite_add_tcase(s, tc);
    return s;
}
