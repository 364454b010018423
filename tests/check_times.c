/* check_times.c: the one parser and formatter of points in time
 * (lib/times.c), which commands, pages, channels and the simulator share. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "times.h"
#include "lw.h"

static time_t
parsed(const char *s)
{
    time_t t = 0;

    ck_assert_msg(lw_time_parse(s, &t) == LW_OK, "'%s' should parse", s);
    return t;
}

START_TEST(accepts_every_form_commands_and_apis_use)
{
    /* 2025-01-07 10:00:00 UTC */
    ck_assert_int_eq(parsed("1736244000"), 1736244000);
    ck_assert_int_eq(parsed("2025-01-07T10:00:00Z"), 1736244000);
    ck_assert_int_eq(parsed("2025-01-07 10:00:00"), 1736244000);
    ck_assert_int_eq(parsed("2025-01-07 10:00"), 1736244000);
    ck_assert_int_eq(parsed("2025-01-07T10:00"), 1736244000);
    ck_assert_int_eq(parsed("2025-01-07 10:00 UTC"), 1736244000);
    ck_assert_int_eq(parsed("  2025-01-07 10:00:00 UTC  "), 1736244000);
    ck_assert_int_eq(parsed("2025-01-07 12:00:00.123456+02"), 1736244000);
    ck_assert_int_eq(parsed("2025-01-07T05:30:00-04:30"), 1736244000);
    ck_assert_int_eq(parsed("2025-01-07T15:30:00+0530"), 1736244000);
    ck_assert_int_eq(parsed("2025-01-07"), 1736208000);
    ck_assert_int_eq(parsed("2024-02-29"), 1709164800);     /* a leap day */
}
END_TEST

START_TEST(refuses_what_is_not_a_time)
{
    static const char *const bad[] = {
        "", "yesterday", "2025-13-01", "2025-02-29", "2025-01-32", "2025-01-07 24:00",
        "2025-01-07 10:60", "2025-01-07T10:00:00 junk", "2025-01-07T10:00:00+25:00",
        "1969-12-31", "2025-1-7", "2025-01-07 10", "2025-01-07 10:00:00.", "12:00",
        "-5", "2025-01-07T10:00:00ZZ",
    };
    time_t t;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(bad); i++)
        ck_assert_msg(lw_time_parse(bad[i], &t) == LW_EINVAL, "'%s' should not parse", bad[i]);
    ck_assert_int_eq(lw_time_parse(NULL, &t), LW_EINVAL);
}
END_TEST

START_TEST(keeps_microseconds)
{
    int64_t us;

    ck_assert_int_eq(lw_time_parse_us("2024-06-04T09:00:00.25Z", &us), LW_OK);
    ck_assert_int_eq(us, (int64_t) 1717491600 * 1000000 + 250000);
    ck_assert_int_eq(lw_time_parse_us("2024-06-04T09:00:00.1234567Z", &us), LW_OK);
    ck_assert_int_eq(us, (int64_t) 1717491600 * 1000000 + 123456);
}
END_TEST

START_TEST(formats_in_named_styles)
{
    char b[40];

    ck_assert_str_eq(lw_time_format(1736244000, LW_TIME_RFC3339, b, sizeof(b)), "2025-01-07T10:00:00Z");
    ck_assert_str_eq(lw_time_format(1736244000, LW_TIME_SQL, b, sizeof(b)), "2025-01-07 10:00:00+00");
    ck_assert_str_eq(lw_time_format(1736244000, LW_TIME_SECOND, b, sizeof(b)), "2025-01-07 10:00:00 UTC");
    ck_assert_str_eq(lw_time_format(1736244030, LW_TIME_MINUTE, b, sizeof(b)), "2025-01-07 10:00 UTC");
    ck_assert_str_eq(lw_time_format(1736244000, LW_TIME_DAY, b, sizeof(b)), "2025-01-07");
    /* too small a buffer gives an empty string, never a cut one */
    ck_assert_str_eq(lw_time_format(1736244000, LW_TIME_RFC3339, b, 8), "");
    /* what it writes, it reads back */
    ck_assert_int_eq(parsed(lw_time_format(1736244000, LW_TIME_SQL, b, sizeof(b))), 1736244000);
    ck_assert_int_eq(parsed(lw_time_format(1736244000, LW_TIME_SECOND, b, sizeof(b))), 1736244000);
}
END_TEST

Suite *
times_suite(void)
{
    Suite *s = suite_create("times");
    TCase *tc = tcase_create("times");

    tcase_add_test(tc, accepts_every_form_commands_and_apis_use);
    tcase_add_test(tc, refuses_what_is_not_a_time);
    tcase_add_test(tc, keeps_microseconds);
    tcase_add_test(tc, formats_in_named_styles);
    suite_add_tcase(s, tc);
    return s;
}
