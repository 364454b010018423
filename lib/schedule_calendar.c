/* schedule_calendar.c: when a schedule runs (the next slot after a time,
 * in UTC, with the civil calendar and cron arithmetic) and how it is
 * written for systemd (OnCalendar=) and for people. */
#include "schedule.h"

#include <ctype.h>
#include <string.h>

#define DAY 86400
/* a cron expression that matches nothing within 28 years (the Gregorian
 * weekday/leap-year cycle, capped) never will */
#define CRON_SEARCH_DAYS (28 * 366)

static const char *const wday_cal[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };

/* ---- the civil calendar ---- */

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Howard Hinnant's civil-calendar algorithms (proleptic Gregorian). */
int64_t
lw_sched_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
lw_sched_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int) (doy - (153 * mp + 2) / 5 + 1);
    *m = (int) (mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int64_t y, int m)
{
    static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dim[m - 1];
}

static int
weekday(int64_t days)
{
    return (int) (((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
}

/* ---- the next slot ---- */

static int
cron_day_matches(const lw_sched *s, int64_t day)
{
    int64_t y;
    int m, d, dom, dow;

    lw_sched_civil_from_days(day, &y, &m, &d);
    if (!(s->cron.month & (1u << m)))
        return 0;
    dom = (s->cron.mday >> d) & 1;
    dow = (s->cron.wday >> weekday(day)) & 1;
    if (s->cron.mday_star || s->cron.wday_star)
        return dom && dow;
    return dom || dow;
}

static int
cron_next(const lw_sched *s, time_t after, time_t *next)
{
    int64_t t0 = (floor_div((int64_t) after, 60) + 1) * 60;
    int64_t day0 = floor_div(t0, DAY), day, i;
    int h, m, start;

    for (i = 0; i < CRON_SEARCH_DAYS; i++) {
        day = day0 + i;
        if (!cron_day_matches(s, day))
            continue;
        start = i == 0 ? (int) ((t0 - day * DAY) / 60) : 0;
        for (h = start / 60; h < 24; h++) {
            if (!(s->cron.hour & (1u << h)))
                continue;
            for (m = h == start / 60 ? start % 60 : 0; m < 60; m++) {
                if (s->cron.minute & (UINT64_C(1) << m)) {
                    *next = (time_t) (day * DAY + h * 3600 + m * 60);
                    return LW_OK;
                }
            }
        }
    }
    return LW_ENOTFOUND;
}

/* A calendar day (local) on which a daily, weekly or monthly schedule runs. */
static int
day_matches(const lw_sched *s, int64_t day)
{
    int64_t y;
    int m, d;

    switch (s->kind) {
    case LW_SCHED_DAILY:
        return 1;
    case LW_SCHED_WEEKLY:
        return weekday(day) == s->weekday;
    case LW_SCHED_MONTHLY:
        lw_sched_civil_from_days(day, &y, &m, &d);
        return s->mday == LW_SCHED_LAST_DAY ? d == days_in_month(y, m) : d == s->mday;
    default:
        return 0;
    }
}

/* The next slot of a calendar schedule whose times are a zone's local
 * time: candidates in local time, each turned into its instant (none when
 * the clock skipped it, the first when it happened twice). */
static int
zone_next(const lw_sched *s, time_t after, time_t *next)
{
    int64_t sec = (int64_t) s->hour * 3600 + s->minute * 60, day0, i, local;
    time_t t, u;
    int off;

    if (lw_sched_tz_offset(s->tz, after, &off) != LW_OK)
        return LW_EINVAL;
    if (s->kind == LW_SCHED_CRON) {
        /* two hours back covers a repeated hour; the loop ends at the
         * first candidate after `after` */
        t = (time_t) ((int64_t) after + off - 7200);
        for (i = 0; i < 200000; i++) {
            if (cron_next(s, t, &t) != LW_OK)
                return LW_ENOTFOUND;
            if (lw_sched_tz_to_utc(s->tz, (int64_t) t, &u) == LW_OK && u > after) {
                *next = u;
                return LW_OK;
            }
        }
        return LW_ENOTFOUND;
    }
    day0 = floor_div((int64_t) after + off, DAY) - 1;
    for (i = 0; i < 4 * 366 + 2; i++) {
        if (!day_matches(s, day0 + i))
            continue;
        local = (day0 + i) * DAY + sec;
        if (lw_sched_tz_to_utc(s->tz, local, &u) == LW_OK && u > after) {
            *next = u;
            return LW_OK;
        }
    }
    return LW_EINVAL;
}

int
lw_sched_next(const lw_sched *s, time_t after, time_t *next)
{
    int64_t a = (int64_t) after, day = floor_div(a, DAY), t, y, i;
    int64_t sec = (int64_t) s->hour * 3600 + s->minute * 60;
    int m, d, dd;

    if (s->tz[0] != '\0' && s->kind != LW_SCHED_INTERVAL)
        return zone_next(s, after, next);
    switch (s->kind) {
    case LW_SCHED_INTERVAL:
        if (s->interval <= 0)
            return LW_EINVAL;
        *next = (time_t) ((floor_div(a, s->interval) + 1) * s->interval);
        return LW_OK;
    case LW_SCHED_DAILY:
        t = day * DAY + sec;
        *next = (time_t) (t > a ? t : t + DAY);
        return LW_OK;
    case LW_SCHED_WEEKLY:
        for (i = 0; i <= 7; i++) {
            t = (day + i) * DAY + sec;
            if (weekday(day + i) == s->weekday && t > a) {
                *next = (time_t) t;
                return LW_OK;
            }
        }
        return LW_EINVAL;
    case LW_SCHED_MONTHLY:
        lw_sched_civil_from_days(day, &y, &m, &d);
        for (i = 0; i < 48; i++) {
            dd = s->mday == LW_SCHED_LAST_DAY ? days_in_month(y, m) : s->mday;
            if (dd <= days_in_month(y, m)) {
                t = lw_sched_days_from_civil(y, m, dd) * DAY + sec;
                if (t > a) {
                    *next = (time_t) t;
                    return LW_OK;
                }
            }
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
        return LW_EINVAL;
    case LW_SCHED_CRON:
        return cron_next(s, after, next);
    }
    return LW_EINVAL;
}

int64_t
lw_sched_interval_hint(const lw_sched *s)
{
    time_t a, b;

    switch (s->kind) {
    case LW_SCHED_INTERVAL:
        return s->interval;
    case LW_SCHED_DAILY:
        return DAY;
    case LW_SCHED_WEEKLY:
        return 7 * DAY;
    case LW_SCHED_MONTHLY:
        return 30 * DAY;
    case LW_SCHED_CRON:
        /* from 2024-01-01 00:00 UTC, a Monday */
        if (lw_sched_next(s, (time_t) 1704067200, &a) != LW_OK ||
            lw_sched_next(s, a, &b) != LW_OK)
            return 0;
        return (int64_t) (b - a);
    }
    return 0;
}

/* ---- systemd and people ---- */

/* One cron bit set as a systemd calendar component: "*", "05", "00/6",
 * "09..17" or "1,15". Weekdays use names. */
static int
calendar_field(uint64_t bits, int lo, int hi, int width, int weekdays,
               char *buf, size_t size, size_t *o)
{
    int v[64], n = 0, i, step, ap = 1, rc = LW_OK;

    for (i = lo; i <= hi; i++)
        if (bits & (UINT64_C(1) << i))
            v[n++] = i;
    if (n == hi - lo + 1 && !weekdays)
        return lw_putf(buf, size, o, "*");
    step = n >= 2 ? v[1] - v[0] : 0;
    for (i = 2; i < n; i++)
        if (v[i] - v[i - 1] != step)
            ap = 0;
    if (weekdays) {
        if (n >= 3 && ap && step == 1)
            return lw_putf(buf, size, o, "%s..%s", wday_cal[v[0]], wday_cal[v[n - 1]]);
        for (i = 0; i < n && rc == LW_OK; i++)
            rc = lw_putf(buf, size, o, "%s%s", i ? "," : "", wday_cal[v[i]]);
        return rc;
    }
    if (n >= 3 && ap && step > 1 && v[n - 1] + step > hi)
        return lw_putf(buf, size, o, "%0*d/%d", width, v[0], step);
    if (n >= 3 && ap && step == 1)
        return lw_putf(buf, size, o, "%0*d..%0*d", width, v[0], width, v[n - 1]);
    for (i = 0; i < n && rc == LW_OK; i++)
        rc = lw_putf(buf, size, o, "%s%0*d", i ? "," : "", width, v[i]);
    return rc;
}

static int
cron_calendar(const lw_sched *s, char *buf, size_t size)
{
    /* systemd's order: [weekdays] year-month-day hour:minute:second */
    const struct {
        uint64_t    bits;
        int         lo, hi;
        const char *after;
    } f[] = {
        { s->cron.month, 1, 12, "-" }, { s->cron.mday, 1, 31, " " },
        { s->cron.hour, 0, 23, ":" }, { s->cron.minute, 0, 59, ":00" },
    };
    size_t o = 0, i;
    int rc = LW_OK;

    if (!s->cron.mday_star && !s->cron.wday_star)
        return LW_ENOTFOUND; /* cron ORs the two day fields, systemd ANDs them */
    if (s->cron.wday != 0x7f) {
        rc = calendar_field(s->cron.wday, 0, 6, 0, 1, buf, size, &o);
        if (rc == LW_OK)
            rc = lw_putf(buf, size, &o, " ");
    }
    if (rc == LW_OK)
        rc = lw_putf(buf, size, &o, "*-");
    for (i = 0; i < LW_ARRAY_LEN(f) && rc == LW_OK; i++) {
        rc = calendar_field(f[i].bits, f[i].lo, f[i].hi, 2, 0, buf, size, &o);
        if (rc == LW_OK)
            rc = lw_putf(buf, size, &o, "%s", f[i].after);
    }
    return rc;
}

static int
oncalendar_utc(const lw_sched *s, char *buf, size_t size)
{
    int64_t iv = s->interval;
    size_t o = 0;

    switch (s->kind) {
    case LW_SCHED_INTERVAL:
        if (iv > 0 && iv < 60 && 60 % iv == 0)
            return lw_putf(buf, size, &o, "*:*:0/%d", (int) iv);
        if (iv % 60 == 0 && iv < 3600 && 3600 % iv == 0)
            return lw_putf(buf, size, &o, "*:0/%d", (int) (iv / 60));
        if (iv == 3600)
            return lw_putf(buf, size, &o, "*-*-* *:00:00");
        if (iv % 3600 == 0 && iv < DAY && DAY % iv == 0)
            return lw_putf(buf, size, &o, "*-*-* 00/%d:00:00", (int) (iv / 3600));
        if (iv == DAY)
            return lw_putf(buf, size, &o, "*-*-* 00:00:00");
        return LW_ENOTFOUND;
    case LW_SCHED_DAILY:
        return lw_putf(buf, size, &o, "*-*-* %02d:%02d:00", s->hour, s->minute);
    case LW_SCHED_WEEKLY:
        return lw_putf(buf, size, &o, "%s *-*-* %02d:%02d:00", wday_cal[s->weekday],
                   s->hour, s->minute);
    case LW_SCHED_MONTHLY:
        if (s->mday == LW_SCHED_LAST_DAY)
            return lw_putf(buf, size, &o, "*-*~01 %02d:%02d:00", s->hour, s->minute);
        return lw_putf(buf, size, &o, "*-*-%02d %02d:%02d:00", s->mday, s->hour, s->minute);
    case LW_SCHED_CRON:
        return cron_calendar(s, buf, size);
    }
    return LW_EINVAL;
}

int
lw_sched_to_oncalendar(const lw_sched *s, char *buf, size_t size)
{
    size_t o;
    int rc = oncalendar_utc(s, buf, size);

    if (rc != LW_OK || s->tz[0] == '\0')
        return rc;
    o = strlen(buf);
    return lw_putf(buf, size, &o, " %s", s->tz);
}

static const char *
ordinal_suffix(int v)
{
    if (v % 100 >= 11 && v % 100 <= 13)
        return "th";
    switch (v % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

int
lw_sched_describe(const lw_sched *s, char *buf, size_t size)
{
    static const char *const un[] = { "day", "hour", "minute", "second" };
    static const int64_t us[] = { DAY, 3600, 60, 1 };
    const char *zone = s->tz[0] ? s->tz : "UTC";
    size_t o = 0, i;
    int64_t n;
    char day[16];

    switch (s->kind) {
    case LW_SCHED_INTERVAL:
        for (i = 0; i < LW_ARRAY_LEN(us); i++)
            if (s->interval % us[i] == 0)
                break;
        if (i == LW_ARRAY_LEN(us))
            return LW_EINVAL;
        n = s->interval / us[i];
        if (n == 1)
            return lw_putf(buf, size, &o, "every %s", un[i]);
        return lw_putf(buf, size, &o, "every %lld %ss", (long long) n, un[i]);
    case LW_SCHED_DAILY:
        return lw_putf(buf, size, &o, "daily at %02d:%02d %s", s->hour, s->minute, zone);
    case LW_SCHED_WEEKLY:
        lw_strlcpy(day, lw_sched_weekdays[s->weekday], sizeof(day));
        day[0] = (char) toupper((unsigned char) day[0]);
        return lw_putf(buf, size, &o, "weekly on %s at %02d:%02d %s", day, s->hour, s->minute,
                       zone);
    case LW_SCHED_MONTHLY:
        if (s->mday == LW_SCHED_LAST_DAY)
            return lw_putf(buf, size, &o, "monthly on the last day at %02d:%02d %s",
                       s->hour, s->minute, zone);
        return lw_putf(buf, size, &o, "monthly on the %d%s at %02d:%02d %s", s->mday,
                   ordinal_suffix(s->mday), s->hour, s->minute, zone);
    case LW_SCHED_CRON:
        /* the text holds the zone too: only the cron fields go in quotes */
        return lw_putf(buf, size, &o, "cron '%.*s' (%s)",
                       (int) (strlen(s->text) - (s->tz[0] ? strlen(s->tz) + 1 : 0)), s->text, zone);
    }
    return LW_EINVAL;
}
