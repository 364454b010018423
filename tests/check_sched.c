/* check_sched.c: frequency parsing, next slots against hand-computed UTC
 * times (month ends, leap days, "last"), OnCalendar output and durations. */
#include <check.h>
#include <string.h>
#include <time.h>

#include "lw.h"
#include "schedule.h"

/* UTC time from calendar fields (timegm is the reference here; the code
 * under test does its own calendar arithmetic). */
static time_t
utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return timegm(&tm);
}

static lw_sched
parse_ok(const char *s)
{
    lw_sched sc;
    lw_err err;

    lw_err_clear(&err);
    ck_assert_msg(lw_sched_parse(s, &sc, &err) == LW_OK, "'%s': %s", s, err.msg);
    return sc;
}

static void
expect_next(const char *freq, time_t after, time_t want)
{
    lw_sched sc = parse_ok(freq);
    time_t got = 0;
    char g[32], w[32];
    struct tm tm;

    ck_assert_int_eq(lw_sched_next(&sc, after, &got), LW_OK);
    gmtime_r(&got, &tm);
    strftime(g, sizeof(g), "%Y-%m-%d %H:%M:%S", &tm);
    gmtime_r(&want, &tm);
    strftime(w, sizeof(w), "%Y-%m-%d %H:%M:%S", &tm);
    ck_assert_msg(got == want, "'%s' after %lld: got %s, want %s", freq, (long long) after, g, w);
}

START_TEST(test_intervals)
{
    lw_sched sc = parse_ok("*/6 hours");

    ck_assert_int_eq(sc.kind, LW_SCHED_INTERVAL);
    ck_assert_int_eq(sc.interval, 6 * 3600);
    expect_next("*/6 hours", utc(2025, 1, 1, 5, 59, 59), utc(2025, 1, 1, 6, 0, 0));
    /* strictly after: a slot time itself moves on to the next slot */
    expect_next("*/6 hours", utc(2025, 1, 1, 6, 0, 0), utc(2025, 1, 1, 12, 0, 0));
    expect_next("*/6 hours", utc(2025, 12, 31, 23, 0, 0), utc(2026, 1, 1, 0, 0, 0));
    expect_next("*/5 minutes", utc(2025, 3, 9, 10, 7, 30), utc(2025, 3, 9, 10, 10, 0));
    expect_next("*/1 minutes", utc(2025, 3, 9, 10, 7, 0), utc(2025, 3, 9, 10, 8, 0));
    expect_next("every 30 seconds", utc(2025, 3, 9, 10, 0, 15), utc(2025, 3, 9, 10, 0, 30));
    expect_next("every 10 minutes", utc(2025, 3, 9, 10, 59, 59), utc(2025, 3, 9, 11, 0, 0));
    expect_next("hourly", utc(2025, 3, 9, 10, 0, 0), utc(2025, 3, 9, 11, 0, 0));
    expect_next("every minute", utc(2025, 3, 9, 10, 0, 1), utc(2025, 3, 9, 10, 1, 0));
    /* 2-day slots count from 1970-01-01: 2025-01-01 is day 20089, odd */
    expect_next("Every  2   Days", utc(2025, 1, 1, 0, 0, 0), utc(2025, 1, 2, 0, 0, 0));
    expect_next("*/30s", utc(2025, 1, 1, 0, 0, 29), utc(2025, 1, 1, 0, 0, 30));
    /* epoch alignment: two hosts agree on the slots whenever they ask */
    expect_next("every 7 hours", utc(1970, 1, 1, 0, 0, 1), utc(1970, 1, 1, 7, 0, 0));
    ck_assert_int_eq(parse_ok("@hourly").interval, 3600);
}
END_TEST

START_TEST(test_calendar)
{
    lw_sched sc = parse_ok("daily at 2:00");

    ck_assert_int_eq(sc.kind, LW_SCHED_DAILY);
    ck_assert_int_eq(sc.hour, 2);
    ck_assert_int_eq(sc.minute, 0);
    expect_next("daily at 2:00", utc(2025, 1, 1, 1, 59, 59), utc(2025, 1, 1, 2, 0, 0));
    expect_next("daily at 2:00", utc(2025, 1, 1, 2, 0, 0), utc(2025, 1, 2, 2, 0, 0));
    expect_next("daily at 02:00 UTC", utc(2024, 12, 31, 3, 0, 0), utc(2025, 1, 1, 2, 0, 0));
    expect_next("daily", utc(2024, 2, 28, 12, 0, 0), utc(2024, 2, 29, 0, 0, 0));
    expect_next("daily at 23:59", utc(2024, 2, 29, 23, 59, 0), utc(2024, 3, 1, 23, 59, 0));

    /* 2025-01-01 is a Wednesday */
    sc = parse_ok("weekly on sunday at 3:00");
    ck_assert_int_eq(sc.kind, LW_SCHED_WEEKLY);
    ck_assert_int_eq(sc.weekday, 0);
    expect_next("weekly on sunday at 3:00", utc(2025, 1, 1, 0, 0, 0), utc(2025, 1, 5, 3, 0, 0));
    expect_next("weekly on sunday at 3:00", utc(2025, 1, 5, 2, 59, 0), utc(2025, 1, 5, 3, 0, 0));
    expect_next("weekly on sunday at 3:00", utc(2025, 1, 5, 3, 0, 0), utc(2025, 1, 12, 3, 0, 0));
    expect_next("weekly on monday at 9:00", utc(2025, 12, 30, 0, 0, 0), utc(2026, 1, 5, 9, 0, 0));
    expect_next("weekly on Wed", utc(2025, 1, 1, 0, 0, 0), utc(2025, 1, 8, 0, 0, 0));

    sc = parse_ok("monthly on 1st at 10:00");
    ck_assert_int_eq(sc.kind, LW_SCHED_MONTHLY);
    ck_assert_int_eq(sc.mday, 1);
    expect_next("monthly on 1st at 10:00", utc(2024, 12, 15, 0, 0, 0), utc(2025, 1, 1, 10, 0, 0));
    expect_next("monthly on 1st at 10:00", utc(2025, 1, 1, 10, 0, 0), utc(2025, 2, 1, 10, 0, 0));
    /* months without the day are skipped, as cron and systemd do */
    expect_next("monthly on 31st at 10:00", utc(2025, 1, 31, 10, 0, 0), utc(2025, 3, 31, 10, 0, 0));
    expect_next("monthly on 31st at 10:00", utc(2025, 3, 31, 10, 0, 0), utc(2025, 5, 31, 10, 0, 0));
    expect_next("monthly on the 29th", utc(2024, 1, 29, 0, 0, 0), utc(2024, 2, 29, 0, 0, 0));
    expect_next("monthly on the 29th", utc(2025, 1, 29, 0, 0, 0), utc(2025, 3, 29, 0, 0, 0));
    expect_next("monthly on 22nd at 8:15", utc(2025, 6, 22, 8, 15, 1), utc(2025, 7, 22, 8, 15, 0));

    sc = parse_ok("monthly on last at 23:30");
    ck_assert_int_eq(sc.mday, LW_SCHED_LAST_DAY);
    expect_next("monthly on last at 23:30", utc(2024, 2, 1, 0, 0, 0), utc(2024, 2, 29, 23, 30, 0));
    expect_next("monthly on last at 23:30", utc(2025, 2, 1, 0, 0, 0), utc(2025, 2, 28, 23, 30, 0));
    expect_next("monthly on last at 23:30", utc(2024, 2, 29, 23, 30, 0), utc(2024, 3, 31, 23, 30, 0));
    expect_next("monthly on last at 23:30", utc(2025, 4, 2, 0, 0, 0), utc(2025, 4, 30, 23, 30, 0));
    expect_next("monthly on last day at 23:30", utc(2024, 12, 31, 23, 30, 0),
                utc(2025, 1, 31, 23, 30, 0));
    /* 1900 was not a leap year, 2000 was */
    expect_next("monthly on last", utc(1900, 2, 2, 0, 0, 0), utc(1900, 2, 28, 0, 0, 0));
    expect_next("monthly on last", utc(2000, 2, 2, 0, 0, 0), utc(2000, 2, 29, 0, 0, 0));
}
END_TEST

START_TEST(test_cron)
{
    lw_sched sc = parse_ok("0 */6 * * *");

    ck_assert_int_eq(sc.kind, LW_SCHED_CRON);
    expect_next("0 */6 * * *", utc(2025, 1, 1, 5, 0, 0), utc(2025, 1, 1, 6, 0, 0));
    expect_next("0 */6 * * *", utc(2025, 1, 1, 18, 0, 0), utc(2025, 1, 2, 0, 0, 0));
    /* weekdays only: Friday 2025-01-03 -> Monday 2025-01-06 */
    expect_next("30 2 * * 1-5", utc(2025, 1, 3, 3, 0, 0), utc(2025, 1, 6, 2, 30, 0));
    expect_next("30 2 * * mon-fri", utc(2025, 1, 3, 3, 0, 0), utc(2025, 1, 6, 2, 30, 0));
    /* seconds within the minute: the same minute is not "after" */
    expect_next("* * * * *", utc(2025, 1, 1, 0, 0, 30), utc(2025, 1, 1, 0, 1, 0));
    /* the next 29th of February */
    expect_next("0 0 29 2 *", utc(2025, 1, 1, 0, 0, 0), utc(2028, 2, 29, 0, 0, 0));
    /* both day fields restricted: cron ORs them (Sunday 2025-01-05 first) */
    expect_next("0 0 15 * 0", utc(2025, 1, 1, 0, 0, 0), utc(2025, 1, 5, 0, 0, 0));
    /* 7 is Sunday too; names are case-insensitive */
    expect_next("0 12 * JUL 7", utc(2025, 1, 1, 0, 0, 0), utc(2025, 7, 6, 12, 0, 0));
    expect_next("5/15 * * * *", utc(2025, 1, 1, 0, 51, 0), utc(2025, 1, 1, 1, 5, 0));
    expect_next("0 9 1,15 * *", utc(2025, 1, 1, 9, 0, 0), utc(2025, 1, 15, 9, 0, 0));
    expect_next("59 23 31 12 *", utc(2025, 12, 31, 23, 59, 0), utc(2026, 12, 31, 23, 59, 0));
}
END_TEST

START_TEST(test_bad_frequencies)
{
    static const char *const bad[] = {
        "", "   ", "*/6 hourz", "every 0 minutes", "every minutes please", "daily at 25:00",
        "daily at 2:60", "daily at 2", "daily at", "daily at 2:00 PST", "weekly on funday",
        "weekly on", "monthly on 32nd", "monthly on 2st", "monthly on 0th", "sometimes",
        "every 2 weeks", "*/0 hours", "0 0 30 2 *", "61 * * * *", "* 24 * * *",
        "* * 0 * *", "* * * 13 *", "* * * * 8", "*/x * * * *", "5-1 * * * *",
        "every 400 days", "hourly at 5",
    };
    lw_sched sc;
    lw_err err;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(bad); i++) {
        lw_err_clear(&err);
        ck_assert_msg(lw_sched_parse(bad[i], &sc, &err) == LW_EINVAL, "'%s' should be "
                      "rejected", bad[i]);
        ck_assert_msg(err.msg[0] != '\0', "'%s': no message", bad[i]);
    }
    ck_assert_int_eq(lw_sched_parse("*/6 hourz", &sc, &err), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown unit 'hourz'"));
    ck_assert_int_eq(lw_sched_parse("0 0 30 2 *", &sc, &err), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "never matches"));
}
END_TEST

static const char *
cal(const char *freq)
{
    static char buf[128];
    lw_sched sc = parse_ok(freq);

    ck_assert_int_eq(lw_sched_to_oncalendar(&sc, buf, sizeof(buf)), LW_OK);
    return buf;
}

START_TEST(test_oncalendar)
{
    char buf[128], tiny[4];
    lw_sched sc;

    ck_assert_str_eq(cal("*/6 hours"), "*-*-* 00/6:00:00");
    ck_assert_str_eq(cal("daily at 2:00"), "*-*-* 02:00:00");
    ck_assert_str_eq(cal("weekly on sunday at 3:00"), "Sun *-*-* 03:00:00");
    ck_assert_str_eq(cal("monthly on 1st at 10:00"), "*-*-01 10:00:00");
    ck_assert_str_eq(cal("monthly on last at 10:00"), "*-*~01 10:00:00");
    ck_assert_str_eq(cal("*/5 minutes"), "*:0/5");
    ck_assert_str_eq(cal("*/1 minutes"), "*:0/1");
    ck_assert_str_eq(cal("every 30 seconds"), "*:*:0/30");
    ck_assert_str_eq(cal("hourly"), "*-*-* *:00:00");
    ck_assert_str_eq(cal("every 1 day"), "*-*-* 00:00:00");
    ck_assert_str_eq(cal("0 */6 * * *"), "*-*-* 00/6:00:00");
    ck_assert_str_eq(cal("*/15 9-17 * * 1-5"), "Mon..Fri *-*-* 09..17:00/15:00");
    ck_assert_str_eq(cal("0 12 1 1,7 *"), "*-01,07-01 12:00:00");
    ck_assert_str_eq(cal("0 0 * * 1,3"), "Mon,Wed *-*-* 00:00:00");
    /* no exact equivalent: an interval that does not divide the day, and
     * cron's OR of day-of-month and day-of-week */
    sc = parse_ok("every 7 hours");
    ck_assert_int_eq(lw_sched_to_oncalendar(&sc, buf, sizeof(buf)), LW_ENOTFOUND);
    sc = parse_ok("every 45 minutes");
    ck_assert_int_eq(lw_sched_to_oncalendar(&sc, buf, sizeof(buf)), LW_ENOTFOUND);
    sc = parse_ok("0 0 15 * 0");
    ck_assert_int_eq(lw_sched_to_oncalendar(&sc, buf, sizeof(buf)), LW_ENOTFOUND);
    sc = parse_ok("daily at 2:00");
    ck_assert_int_eq(lw_sched_to_oncalendar(&sc, tiny, sizeof(tiny)), LW_EINVAL);
}
END_TEST

static const char *
describe(const char *freq)
{
    static char buf[128];
    lw_sched sc = parse_ok(freq);

    ck_assert_int_eq(lw_sched_describe(&sc, buf, sizeof(buf)), LW_OK);
    return buf;
}

START_TEST(test_describe_and_hint)
{
    lw_sched sc;

    ck_assert_str_eq(describe("*/6 hours"), "every 6 hours");
    ck_assert_str_eq(describe("*/1 minutes"), "every minute");
    ck_assert_str_eq(describe("every 30 seconds"), "every 30 seconds");
    ck_assert_str_eq(describe("every 90 minutes"), "every 90 minutes");
    ck_assert_str_eq(describe("hourly"), "every hour");
    ck_assert_str_eq(describe("daily at 2:00"), "daily at 02:00 UTC");
    ck_assert_str_eq(describe("weekly on sunday at 3:00"), "weekly on Sunday at 03:00 UTC");
    ck_assert_str_eq(describe("monthly on 1st at 10:00"), "monthly on the 1st at 10:00 UTC");
    ck_assert_str_eq(describe("monthly on 22nd at 10:00"), "monthly on the 22nd at 10:00 UTC");
    ck_assert_str_eq(describe("monthly on 11th at 10:00"), "monthly on the 11th at 10:00 UTC");
    ck_assert_str_eq(describe("monthly on last at 10:00"),
                     "monthly on the last day at 10:00 UTC");
    ck_assert_str_eq(describe("0 */6 * * *"), "cron '0 */6 * * *' (UTC)");

    sc = parse_ok("*/6 hours");
    ck_assert_int_eq(lw_sched_interval_hint(&sc), 21600);
    sc = parse_ok("0 */6 * * *");
    ck_assert_int_eq(lw_sched_interval_hint(&sc), 21600);
    sc = parse_ok("30 2 * * 1-5");
    ck_assert_int_eq(lw_sched_interval_hint(&sc), 86400);
    sc = parse_ok("weekly on sunday at 3:00");
    ck_assert_int_eq(lw_sched_interval_hint(&sc), 7 * 86400);
    sc = parse_ok("monthly on 1st at 10:00");
    ck_assert_int_eq(lw_sched_interval_hint(&sc), 30 * 86400);
}
END_TEST

/* Zones against what `systemd-analyze calendar --base-time=...` says for
 * the same OnCalendar= (systemd 252, tzdata 2025): a local time skipped
 * in spring has no slot that day, one repeated in autumn runs first. */
START_TEST(test_time_zones)
{
    lw_sched sc = parse_ok("weekly on monday at 9:00 Europe/Berlin");
    char buf[128];
    lw_err err;
    static const char *const bad[] = {
        "every 15 minutes Europe/Berlin", "*/6 hours America/New_York", "hourly Europe/Berlin",
        "daily at 8:00 Mars/Olympus", "daily at 8:00 ../../etc/passwd", "daily at 8:00 europe/berlin",
    };
    size_t i;

    ck_assert_int_eq(sc.kind, LW_SCHED_WEEKLY);
    ck_assert_str_eq(sc.tz, "Europe/Berlin");
    ck_assert_int_eq(lw_sched_to_oncalendar(&sc, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "Mon *-*-* 09:00:00 Europe/Berlin");
    ck_assert_str_eq(describe("weekly on monday at 9:00 Europe/Berlin"),
                     "weekly on Monday at 09:00 Europe/Berlin");
    ck_assert_str_eq(describe("0 */6 * * * America/New_York"),
                     "cron '0 */6 * * *' (America/New_York)");
    ck_assert_str_eq(cal("monthly on 1st at 10:00 Asia/Kolkata"), "*-*-01 10:00:00 Asia/Kolkata");
    /* UTC written out is no zone */
    ck_assert_str_eq(parse_ok("daily at 2:00 UTC").tz, "");
    expect_next("weekly on monday at 9:00 Europe/Berlin", utc(2026, 12, 3, 12, 0, 0),
                utc(2026, 12, 7, 8, 0, 0));
    expect_next("weekly on monday at 9:00 Europe/Berlin", utc(2025, 6, 30, 7, 0, 0),
                utc(2025, 6, 30, 7, 0, 0) + 7 * 86400);
    /* spring: 2025-03-30 02:30 does not exist in Berlin */
    expect_next("daily at 2:30 Europe/Berlin", utc(2025, 3, 29, 12, 0, 0), utc(2025, 3, 31, 0, 30, 0));
    /* autumn: 2025-10-26 02:30 happens twice; the first one counts */
    expect_next("daily at 2:30 Europe/Berlin", utc(2025, 10, 25, 12, 0, 0), utc(2025, 10, 26, 0, 30, 0));
    expect_next("daily at 2:30 Europe/Berlin", utc(2025, 10, 26, 0, 30, 0), utc(2025, 10, 27, 1, 30, 0));
    expect_next("0 */6 * * * America/New_York", utc(2025, 3, 9, 0, 0, 0), utc(2025, 3, 9, 5, 0, 0));
    expect_next("0 */6 * * * America/New_York", utc(2025, 3, 9, 5, 0, 0), utc(2025, 3, 9, 10, 0, 0));
    /* the southern hemisphere: Sydney leaves daylight time in April */
    expect_next("daily at 2:30 Australia/Sydney", utc(2025, 4, 5, 0, 0, 0), utc(2025, 4, 5, 15, 30, 0));
    /* ... and skips 02:30 on 2025-10-05, when it enters daylight time */
    expect_next("daily at 2:30 Australia/Sydney", utc(2025, 10, 4, 0, 0, 0), utc(2025, 10, 5, 15, 30, 0));
    expect_next("daily at 2:30 Australia/Sydney", utc(2025, 4, 5, 15, 30, 0), utc(2025, 4, 6, 16, 30, 0));
    expect_next("monthly on last at 23:00 Asia/Kolkata", utc(2025, 2, 1, 0, 0, 0),
                utc(2025, 2, 28, 17, 30, 0));
    /* past the zone's listed transitions: its POSIX rule (CET-1CEST,M3.5.0,M10.5.0/3) */
    expect_next("daily at 12:00 Europe/Berlin", utc(2040, 7, 1, 0, 0, 0), utc(2040, 7, 1, 10, 0, 0));
    expect_next("daily at 12:00 Europe/Berlin", utc(2040, 12, 1, 0, 0, 0), utc(2040, 12, 1, 11, 0, 0));
    expect_next("daily at 2:30 Europe/Berlin", utc(2040, 3, 24, 12, 0, 0), utc(2040, 3, 26, 0, 30, 0));
    for (i = 0; i < LW_ARRAY_LEN(bad); i++) {
        lw_err_clear(&err);
        ck_assert_msg(lw_sched_parse(bad[i], &sc, &err) == LW_EINVAL, "'%s' accepted", bad[i]);
        ck_assert_msg(err.msg[0] != '\0', "'%s': no message", bad[i]);
    }
    ck_assert_int_eq(lw_sched_parse("every 15 minutes Europe/Berlin", &sc, &err), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "time zone applies to daily"));
}
END_TEST

/* Every frequency of the spec's two files parses, names its systemd form
 * and agrees with it on the next slot. */
START_TEST(test_seed_frequencies)
{
    static const struct { const char *freq, *cal; } seed[] = {
        { "*/6 hours", "*-*-* 00/6:00:00" },
        { "every 15 minutes", "*:0/15" },
        { "hourly", "*-*-* *:00:00" },
        { "daily at 2:00", "*-*-* 02:00:00" },
        { "daily at 8:00", "*-*-* 08:00:00" },
        { "weekly on sunday at 3:00", "Sun *-*-* 03:00:00" },
        { "weekly on monday at 9:00", "Mon *-*-* 09:00:00" },
        { "monthly on 1st at 10:00", "*-*-01 10:00:00" },
    };
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(seed); i++)
        ck_assert_str_eq(cal(seed[i].freq), seed[i].cal);
    expect_next("daily at 8:00", utc(2025, 1, 7, 8, 0, 0), utc(2025, 1, 8, 8, 0, 0));
    expect_next("every 15 minutes", utc(2025, 1, 7, 8, 0, 0), utc(2025, 1, 7, 8, 15, 0));
}
END_TEST

static int64_t
dur(const char *s)
{
    int64_t v = -1;
    lw_err err;

    lw_err_clear(&err);
    ck_assert_msg(lw_duration_parse(s, &v, &err) == LW_OK, "'%s': %s", s, err.msg);
    return v;
}

START_TEST(test_durations)
{
    static const char *const bad[] = {
        "", "  ", "5 parsecs", "h", "-5m", "1.5h", "5m 10", "ten minutes", "5 m m",
        "99999999999999w",
    };
    char buf[32];
    lw_err err;
    int64_t v;
    size_t i;

    ck_assert_int_eq(dur("30s"), 30);
    ck_assert_int_eq(dur("5m"), 300);
    ck_assert_int_eq(dur("1h"), 3600);
    ck_assert_int_eq(dur("1h30m"), 5400);
    ck_assert_int_eq(dur("1h 30m"), 5400);
    ck_assert_int_eq(dur("1 hour 30 minutes"), 5400);
    ck_assert_int_eq(dur("7 days"), 604800);
    ck_assert_int_eq(dur("24 hours"), 86400);
    ck_assert_int_eq(dur("2 weeks"), 1209600);
    ck_assert_int_eq(dur("90"), 90);
    ck_assert_int_eq(dur("0"), 0);
    ck_assert_int_eq(dur("1d"), 86400);
    ck_assert_int_eq(dur("3600 seconds"), 3600);
    for (i = 0; i < LW_ARRAY_LEN(bad); i++)
        ck_assert_msg(lw_duration_parse(bad[i], &v, &err) == LW_EINVAL, "'%s' should be "
                      "rejected", bad[i]);
    ck_assert_int_eq(lw_duration_parse("5 parsecs", &v, &err), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown unit 'parsecs'"));

    ck_assert_int_eq(lw_duration_format(5400, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "1h30m");
    ck_assert_int_eq(lw_duration_format(604800, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "7d");
    ck_assert_int_eq(lw_duration_format(0, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "0s");
    ck_assert_int_eq(lw_duration_format(90061, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "1d1h1m1s");
    ck_assert_int_eq(lw_duration_format(59, buf, sizeof(buf)), LW_OK);
    ck_assert_str_eq(buf, "59s");
    ck_assert_int_eq(lw_duration_format(-1, buf, sizeof(buf)), LW_EINVAL);
    /* round trip */
    ck_assert_int_eq(lw_duration_format(dur("2 weeks 1h"), buf, sizeof(buf)), LW_OK);
    ck_assert_int_eq(dur(buf), 1209600 + 3600);
}
END_TEST

Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_intervals);
    tcase_add_test(tc, test_calendar);
    tcase_add_test(tc, test_cron);
    tcase_add_test(tc, test_bad_frequencies);
    tcase_add_test(tc, test_oncalendar);
    tcase_add_test(tc, test_describe_and_hint);
    tcase_add_test(tc, test_time_zones);
    tcase_add_test(tc, test_seed_frequencies);
    tcase_add_test(tc, test_durations);
    suite_add_tcase(s, tc);
    return s;
}
