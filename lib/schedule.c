/* schedule.c: parses job frequencies and durations, computes the next slot in
 * UTC, and renders them for systemd (OnCalendar=) and for humans. */
#include "schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAY 86400
/* a cron expression that matches nothing within 28 years (the Gregorian
 * weekday/leap-year cycle, capped) never will */
#define CRON_SEARCH_DAYS (28 * 366)

static const char *const wday_names[] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"
};
static const char *const wday_cal[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const month_abbr[] = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL
};

struct unit {
    const char *name;
    int64_t seconds;
};

static const struct unit units[] = {
    { "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 }, { "seconds", 1 },
    { "m", 60 }, { "min", 60 }, { "mins", 60 }, { "minute", 60 }, { "minutes", 60 },
    { "h", 3600 }, { "hr", 3600 }, { "hrs", 3600 }, { "hour", 3600 }, { "hours", 3600 },
    { "d", DAY }, { "day", DAY }, { "days", DAY },
    { "w", 7 * DAY }, { "week", 7 * DAY }, { "weeks", 7 * DAY },
};

static int64_t
unit_seconds(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(units); i++)
        if (strlen(units[i].name) == n && strncasecmp(units[i].name, s, n) == 0)
            return units[i].seconds;
    return 0;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Howard Hinnant's civil-calendar algorithms (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
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

/* ---- parsing ---- */

/* Lower-cases, trims and collapses runs of blanks into one space. */
static int
normalise(const char *s, char *out, size_t size)
{
    size_t o = 0;
    int space = 0;

    for (; *s; s++) {
        if (isspace((unsigned char) *s)) {
            space = o > 0;
            continue;
        }
        if (o + 2 >= size)
            return LW_EINVAL;
        if (space)
            out[o++] = ' ';
        space = 0;
        out[o++] = (char) tolower((unsigned char) *s);
    }
    out[o] = '\0';
    return LW_OK;
}

static int
split(char *s, char **tok, int max)
{
    int n = 0;
    char *save = NULL, *t;

    for (t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (n == max)
            return max + 1;
        tok[n++] = t;
    }
    return n;
}

/* Non-negative decimal integer covering the whole of [s, s+n). */
static int
parse_uint(const char *s, size_t n, int64_t max, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (n == 0 || n > 18)
        return LW_EINVAL;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char) s[i]))
            return LW_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max)
        return LW_EINVAL;
    *out = v;
    return LW_OK;
}

/* "2:00", "02:00", "14:30" */
static int
parse_time(const char *s, int *hour, int *minute, lw_err *err)
{
    const char *colon = strchr(s, ':');
    int64_t h, m;

    if (colon == NULL || parse_uint(s, (size_t) (colon - s), 23, &h) != LW_OK ||
        strlen(colon + 1) != 2 || parse_uint(colon + 1, 2, 59, &m) != LW_OK) {
        lw_err_set(err, "bad time '%s' (expected HH:MM, 24-hour, UTC)", s);
        return LW_EINVAL;
    }
    *hour = (int) h;
    *minute = (int) m;
    return LW_OK;
}

/* Optional tail "at HH:MM [utc]" starting at tok[i]. */
static int
parse_at(char **tok, int n, int i, lw_sched *out, lw_err *err)
{
    out->hour = out->minute = 0;
    if (i == n)
        return LW_OK;
    if (strcmp(tok[i], "at") != 0 || i + 1 >= n) {
        lw_err_set(err, "expected 'at HH:MM' after '%s'", tok[i - 1]);
        return LW_EINVAL;
    }
    if (parse_time(tok[i + 1], &out->hour, &out->minute, err) != LW_OK)
        return LW_EINVAL;
    i += 2;
    if (i < n && strcmp(tok[i], "utc") == 0)
        i++;
    if (i < n) {
        lw_err_set(err, "unexpected '%s' after the time", tok[i]);
        return LW_EINVAL;
    }
    return LW_OK;
}

static int
parse_weekday(const char *s)
{
    size_t i, n = strlen(s);

    for (i = 0; i < LW_ARRAY_LEN(wday_names); i++)
        if (strcmp(s, wday_names[i]) == 0 || (n == 3 && strncmp(s, wday_names[i], 3) == 0))
            return (int) i;
    return -1;
}

/* "1st", "2nd", "3rd", "4th" .. "31st", or a bare number. */
static int
parse_ordinal(const char *s)
{
    static const char *const sfx[] = { "th", "st", "nd", "rd" };
    size_t n = 0;
    int64_t v;
    int k;

    while (isdigit((unsigned char) s[n]))
        n++;
    if (parse_uint(s, n, 31, &v) != LW_OK || v < 1)
        return -1;
    if (s[n] == '\0')
        return (int) v;
    k = (v % 100 >= 11 && v % 100 <= 13) || v % 10 > 3 ? 0 : (int) (v % 10);
    return strcmp(s + n, sfx[k]) == 0 ? (int) v : -1;
}

/* "N unit", "Nunit" or "unit" (N = 1) spread over 1 or 2 tokens. */
static int
parse_every(char **tok, int n, const char *orig, lw_sched *out, lw_err *err)
{
    const char *num, *unit;
    size_t ndig = 0;
    int64_t count = 1, secs;

    if (n < 1 || n > 2)
        goto bad;
    num = tok[0];
    while (isdigit((unsigned char) num[ndig]))
        ndig++;
    if (n == 2) {
        if (num[ndig] != '\0')
            goto bad;
        unit = tok[1];
    } else {
        unit = num + ndig;
    }
    if (ndig > 0 && parse_uint(num, ndig, 1000000, &count) != LW_OK)
        goto bad;
    if (count == 0) {
        lw_err_set(err, "'%s': the interval must be at least 1", orig);
        return LW_EINVAL;
    }
    secs = unit_seconds(unit, strlen(unit));
    if (secs == 0) {
        lw_err_set(err, "'%s': unknown unit '%s' (expected seconds, minutes, hours or days)",
                   orig, unit);
        return LW_EINVAL;
    }
    if (secs == 7 * DAY) {
        lw_err_set(err, "'%s': use 'weekly on DAY at HH:MM' for weekly jobs", orig);
        return LW_EINVAL;
    }
    if (count * secs > 366 * (int64_t) DAY) {
        lw_err_set(err, "'%s': intervals longer than a year are not supported", orig);
        return LW_EINVAL;
    }
    out->kind = LW_SCHED_INTERVAL;
    out->interval = count * secs;
    return LW_OK;
bad:
    lw_err_set(err, "'%s': expected a count and a unit, e.g. '*/5 minutes' or 'every 30 seconds'",
               orig);
    return LW_EINVAL;
}

/* One cron value: a number in lo..hi or a name (names[i] is names_base + i). */
static int
cron_value(const char *p, int lo, int hi, const char *const *names, int names_base,
           int64_t *out)
{
    size_t i;

    for (i = 0; names && names[i]; i++) {
        if (strcmp(p, names[i]) == 0) {
            *out = (int64_t) i + names_base;
            return LW_OK;
        }
    }
    if (parse_uint(p, strlen(p), hi, out) != LW_OK || *out < lo)
        return LW_EINVAL;
    return LW_OK;
}

/* One cron field: comma list of '*', N, N-M, each optionally '/STEP'; names
 * for months and weekdays. Sets bits lo..hi. */
static int
parse_cron_field(const char *f, int lo, int hi, const char *const *names,
                 int names_base, uint64_t *bits, lw_err *err, const char *what)
{
    char copy[128], *save = NULL, *item, *slash, *dash;
    int64_t a, b, step, v;

    *bits = 0;
    if (strlen(f) >= sizeof(copy))
        goto bad;
    strcpy(copy, f);
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        step = 1;
        slash = strchr(item, '/');
        if (slash) {
            *slash = '\0';
            if (parse_uint(slash + 1, strlen(slash + 1), hi, &step) != LW_OK || step == 0)
                goto bad;
        }
        if (strcmp(item, "*") == 0) {
            a = lo;
            b = hi;
        } else {
            dash = strchr(item, '-');
            if (dash)
                *dash = '\0';
            if (cron_value(item, lo, hi, names, names_base, &a) != LW_OK)
                goto bad;
            if (dash) {
                if (cron_value(dash + 1, lo, hi, names, names_base, &b) != LW_OK || b < a)
                    goto bad;
            } else {
                b = slash ? hi : a; /* "5/15" means 5-max/15, as in Vixie cron */
            }
        }
        for (v = a; v <= b; v += step)
            *bits |= UINT64_C(1) << v;
    }
    if (*bits == 0)
        goto bad;
    return LW_OK;
bad:
    lw_err_set(err, "bad cron %s field '%s' (allowed %d-%d)", what, f, lo, hi);
    return LW_EINVAL;
}

static int
parse_cron(char **tok, lw_sched *out, lw_err *err)
{
    static const char *const dow3[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };
    uint64_t b;
    time_t t;

    out->kind = LW_SCHED_CRON;
    if (parse_cron_field(tok[0], 0, 59, NULL, 0, &b, err, "minute") != LW_OK)
        return LW_EINVAL;
    out->cron.minute = b;
    if (parse_cron_field(tok[1], 0, 23, NULL, 0, &b, err, "hour") != LW_OK)
        return LW_EINVAL;
    out->cron.hour = (uint32_t) b;
    if (parse_cron_field(tok[2], 1, 31, NULL, 0, &b, err, "day-of-month") != LW_OK)
        return LW_EINVAL;
    out->cron.mday = (uint32_t) b;
    if (parse_cron_field(tok[3], 1, 12, month_abbr, 1, &b, err, "month") != LW_OK)
        return LW_EINVAL;
    out->cron.month = (uint16_t) b;
    if (parse_cron_field(tok[4], 0, 7, dow3, 0, &b, err, "day-of-week") != LW_OK)
        return LW_EINVAL;
    if (b & (1u << 7)) /* 7 is Sunday too */
        b = (b | 1u) & 0x7f;
    out->cron.wday = (uint8_t) b;
    out->cron.mday_star = tok[2][0] == '*';
    out->cron.wday_star = tok[4][0] == '*';
    if (lw_sched_next(out, 0, &t) != LW_OK) {
        lw_err_set(err, "cron expression '%s' never matches", out->text);
        return LW_EINVAL;
    }
    return LW_OK;
}

static int
looks_like_cron(char **tok, int n)
{
    int i;

    if (n != 5)
        return 0;
    for (i = 0; i < 2; i++)
        if (strspn(tok[i], "0123456789*/,-") != strlen(tok[i]))
            return 0;
    return 1;
}

int
lw_sched_parse(const char *s, lw_sched *out, lw_err *err)
{
    char buf[128], *tok[8];
    int n, rc = LW_EINVAL, v;

    memset(out, 0, sizeof(*out));
    if (s == NULL || normalise(s, out->text, sizeof(out->text)) != LW_OK) {
        lw_err_set(err, "frequency is too long");
        return LW_EINVAL;
    }
    strcpy(buf, out->text);
    n = split(buf, tok, (int) LW_ARRAY_LEN(tok));
    if (n == 0) {
        lw_err_set(err, "empty frequency");
        return LW_EINVAL;
    }
    if (n > (int) LW_ARRAY_LEN(tok))
        goto unknown;
    if (looks_like_cron(tok, n))
        return parse_cron(tok, out, err);
    if (n == 1 && (strcmp(tok[0], "hourly") == 0 || strcmp(tok[0], "@hourly") == 0)) {
        out->kind = LW_SCHED_INTERVAL;
        out->interval = 3600;
        return LW_OK;
    }
    if (strcmp(tok[0], "daily") == 0 || (n == 1 && strcmp(tok[0], "@daily") == 0)) {
        out->kind = LW_SCHED_DAILY;
        return parse_at(tok, n, 1, out, err);
    }
    if (strcmp(tok[0], "weekly") == 0 || (n == 1 && strcmp(tok[0], "@weekly") == 0)) {
        out->kind = LW_SCHED_WEEKLY;
        out->weekday = 0;
        if (n >= 2 && strcmp(tok[1], "on") == 0) {
            if (n < 3 || (v = parse_weekday(tok[2])) < 0) {
                lw_err_set(err, "'%s': expected a weekday after 'on' (sunday..saturday)",
                           out->text);
                return LW_EINVAL;
            }
            out->weekday = v;
            return parse_at(tok, n, 3, out, err);
        }
        return parse_at(tok, n, 1, out, err);
    }
    if (strcmp(tok[0], "monthly") == 0 || (n == 1 && strcmp(tok[0], "@monthly") == 0)) {
        int i = 1;

        out->kind = LW_SCHED_MONTHLY;
        out->mday = 1;
        if (i < n && strcmp(tok[i], "on") == 0) {
            i++;
            if (i < n && strcmp(tok[i], "the") == 0)
                i++;
            if (i < n && strcmp(tok[i], "last") == 0)
                v = LW_SCHED_LAST_DAY;
            else if (i >= n || (v = parse_ordinal(tok[i])) < 0) {
                lw_err_set(err, "'%s': expected a day of the month after 'on' (1st..31st or last)",
                           out->text);
                return LW_EINVAL;
            }
            out->mday = v;
            i++;
            if (i < n && strcmp(tok[i], "day") == 0)
                i++;
        }
        return parse_at(tok, n, i, out, err);
    }
    if (strcmp(tok[0], "every") == 0)
        return parse_every(tok + 1, n - 1, out->text, out, err);
    if (strncmp(tok[0], "*/", 2) == 0) {
        tok[0] += 2;
        rc = parse_every(tok, n, out->text, out, err);
        tok[0] -= 2;
        return rc;
    }
unknown:
    lw_err_set(err, "unknown frequency '%s' (expected e.g. '*/6 hours', 'every 30 seconds', "
               "'hourly', 'daily at 2:00', 'weekly on sunday at 3:00', "
               "'monthly on 1st at 10:00' or a 5-field cron expression)", out->text);
    return rc;
}

/* ---- next slot ---- */

static int
cron_day_matches(const lw_sched *s, int64_t day)
{
    int64_t y;
    int m, d, dom, dow;

    civil_from_days(day, &y, &m, &d);
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

int
lw_sched_next(const lw_sched *s, time_t after, time_t *next)
{
    int64_t a = (int64_t) after, day = floor_div(a, DAY), t, y, i;
    int64_t sec = (int64_t) s->hour * 3600 + s->minute * 60;
    int m, d, dd;

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
        civil_from_days(day, &y, &m, &d);
        for (i = 0; i < 48; i++) {
            dd = s->mday == LW_SCHED_LAST_DAY ? days_in_month(y, m) : s->mday;
            if (dd <= days_in_month(y, m)) {
                t = days_from_civil(y, m, dd) * DAY + sec;
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

/* ---- rendering ---- */

static int
put(char *buf, size_t size, size_t *o, const char *fmt, ...) LW_PRINTF(4, 5);

static int
put(char *buf, size_t size, size_t *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*o >= size)
        return LW_EINVAL;
    va_start(ap, fmt);
    n = vsnprintf(buf + *o, size - *o, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t) n >= size - *o)
        return LW_EINVAL;
    *o += (size_t) n;
    return LW_OK;
}

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
        return put(buf, size, o, "*");
    step = n >= 2 ? v[1] - v[0] : 0;
    for (i = 2; i < n; i++)
        if (v[i] - v[i - 1] != step)
            ap = 0;
    if (weekdays) {
        if (n >= 3 && ap && step == 1)
            return put(buf, size, o, "%s..%s", wday_cal[v[0]], wday_cal[v[n - 1]]);
        for (i = 0; i < n && rc == LW_OK; i++)
            rc = put(buf, size, o, "%s%s", i ? "," : "", wday_cal[v[i]]);
        return rc;
    }
    if (n >= 3 && ap && step > 1 && v[n - 1] + step > hi)
        return put(buf, size, o, "%0*d/%d", width, v[0], step);
    if (n >= 3 && ap && step == 1)
        return put(buf, size, o, "%0*d..%0*d", width, v[0], width, v[n - 1]);
    for (i = 0; i < n && rc == LW_OK; i++)
        rc = put(buf, size, o, "%s%0*d", i ? "," : "", width, v[i]);
    return rc;
}

static int
cron_calendar(const lw_sched *s, char *buf, size_t size)
{
    size_t o = 0;
    int rc = LW_OK;

    if (!s->cron.mday_star && !s->cron.wday_star)
        return LW_ENOTFOUND; /* cron ORs the two day fields, systemd ANDs them */
    if (s->cron.wday != 0x7f) {
        rc = calendar_field(s->cron.wday, 0, 6, 0, 1, buf, size, &o);
        if (rc == LW_OK)
            rc = put(buf, size, &o, " ");
    }
    if (rc == LW_OK)
        rc = put(buf, size, &o, "*-");
    if (rc == LW_OK)
        rc = calendar_field(s->cron.month, 1, 12, 2, 0, buf, size, &o);
    if (rc == LW_OK)
        rc = put(buf, size, &o, "-");
    if (rc == LW_OK)
        rc = calendar_field(s->cron.mday, 1, 31, 2, 0, buf, size, &o);
    if (rc == LW_OK)
        rc = put(buf, size, &o, " ");
    if (rc == LW_OK)
        rc = calendar_field(s->cron.hour, 0, 23, 2, 0, buf, size, &o);
    if (rc == LW_OK)
        rc = put(buf, size, &o, ":");
    if (rc == LW_OK)
        rc = calendar_field(s->cron.minute, 0, 59, 2, 0, buf, size, &o);
    if (rc == LW_OK)
        rc = put(buf, size, &o, ":00");
    return rc;
}

int
lw_sched_to_oncalendar(const lw_sched *s, char *buf, size_t size)
{
    int64_t iv = s->interval;
    size_t o = 0;

    switch (s->kind) {
    case LW_SCHED_INTERVAL:
        if (iv > 0 && iv < 60 && 60 % iv == 0)
            return put(buf, size, &o, "*:*:0/%d", (int) iv);
        if (iv % 60 == 0 && iv < 3600 && 3600 % iv == 0)
            return put(buf, size, &o, "*:0/%d", (int) (iv / 60));
        if (iv == 3600)
            return put(buf, size, &o, "*-*-* *:00:00");
        if (iv % 3600 == 0 && iv < DAY && DAY % iv == 0)
            return put(buf, size, &o, "*-*-* 00/%d:00:00", (int) (iv / 3600));
        if (iv == DAY)
            return put(buf, size, &o, "*-*-* 00:00:00");
        return LW_ENOTFOUND;
    case LW_SCHED_DAILY:
        return put(buf, size, &o, "*-*-* %02d:%02d:00", s->hour, s->minute);
    case LW_SCHED_WEEKLY:
        return put(buf, size, &o, "%s *-*-* %02d:%02d:00", wday_cal[s->weekday],
                   s->hour, s->minute);
    case LW_SCHED_MONTHLY:
        if (s->mday == LW_SCHED_LAST_DAY)
            return put(buf, size, &o, "*-*~01 %02d:%02d:00", s->hour, s->minute);
        return put(buf, size, &o, "*-*-%02d %02d:%02d:00", s->mday, s->hour, s->minute);
    case LW_SCHED_CRON:
        return cron_calendar(s, buf, size);
    }
    return LW_EINVAL;
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
            return put(buf, size, &o, "every %s", un[i]);
        return put(buf, size, &o, "every %lld %ss", (long long) n, un[i]);
    case LW_SCHED_DAILY:
        return put(buf, size, &o, "daily at %02d:%02d UTC", s->hour, s->minute);
    case LW_SCHED_WEEKLY:
        lw_strlcpy(day, wday_names[s->weekday], sizeof(day));
        day[0] = (char) toupper((unsigned char) day[0]);
        return put(buf, size, &o, "weekly on %s at %02d:%02d UTC", day, s->hour, s->minute);
    case LW_SCHED_MONTHLY:
        if (s->mday == LW_SCHED_LAST_DAY)
            return put(buf, size, &o, "monthly on the last day at %02d:%02d UTC",
                       s->hour, s->minute);
        return put(buf, size, &o, "monthly on the %d%s at %02d:%02d UTC", s->mday,
                   ordinal_suffix(s->mday), s->hour, s->minute);
    case LW_SCHED_CRON:
        return put(buf, size, &o, "cron '%s' (UTC)", s->text);
    }
    return LW_EINVAL;
}

/* ---- durations ---- */

int
lw_duration_parse(const char *s, int64_t *seconds, lw_err *err)
{
    const char *p = s, *num, *unit;
    int64_t total = 0, v, mul;
    size_t nd, nu;
    int parts = 0;

    if (s == NULL)
        goto bad;
    while (isspace((unsigned char) *p))
        p++;
    if (*p == '\0') {
        lw_err_set(err, "empty duration");
        return LW_EINVAL;
    }
    while (*p) {
        num = p;
        while (isdigit((unsigned char) *p))
            p++;
        nd = (size_t) (p - num);
        if (nd == 0 || parse_uint(num, nd, INT64_C(999999999999), &v) != LW_OK)
            goto bad;
        while (isspace((unsigned char) *p))
            p++;
        unit = p;
        while (isalpha((unsigned char) *p))
            p++;
        nu = (size_t) (p - unit);
        if (nu == 0) {
            /* a bare number is seconds, but only on its own */
            if (parts > 0 || *p != '\0')
                goto bad;
            mul = 1;
        } else if ((mul = unit_seconds(unit, nu)) == 0) {
            lw_err_set(err, "bad duration '%s': unknown unit '%.*s' (use s, m, h, d or w)",
                       s, (int) nu, unit);
            return LW_EINVAL;
        }
        if (__builtin_mul_overflow(v, mul, &v) || __builtin_add_overflow(total, v, &total))
            goto bad;
        parts++;
        while (isspace((unsigned char) *p) || *p == ',')
            p++;
    }
    *seconds = total;
    return LW_OK;
bad:
    lw_err_set(err, "bad duration '%s' (expected e.g. 300, '30s', '5m', '1h30m', '7 days')",
               s ? s : "");
    return LW_EINVAL;
}

int
lw_duration_format(int64_t seconds, char *buf, size_t size)
{
    static const char un[] = { 'd', 'h', 'm', 's' };
    static const int64_t us[] = { DAY, 3600, 60, 1 };
    size_t o = 0, i;
    int rc = LW_OK;

    if (seconds < 0)
        return LW_EINVAL;
    if (seconds == 0)
        return put(buf, size, &o, "0s");
    for (i = 0; i < LW_ARRAY_LEN(us) && rc == LW_OK; i++) {
        if (seconds >= us[i]) {
            rc = put(buf, size, &o, "%lld%c", (long long) (seconds / us[i]), un[i]);
            seconds %= us[i];
        }
    }
    return rc;
}
