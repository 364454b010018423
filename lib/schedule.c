/* schedule.c: parses job frequencies ("*\/6 hours", "daily at 2:00",
 * "weekly on sunday at 3:00 Europe/Berlin", 5-field cron...) into
 * lw_sched. When they run is schedule_calendar.c (in a zone with
 * schedule_tz.c); durations are duration.c. */
#include "schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAY 86400

const char *const lw_sched_weekdays[7] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"
};
static const char *const month_abbr[] = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL
};

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

/* "2:00", "02:00", "14:30" */
static int
parse_time(const char *s, int *hour, int *minute, lw_err *err)
{
    const char *colon = strchr(s, ':');
    int64_t h, m;

    if (colon == NULL || lw_parse_uint(s, (size_t) (colon - s), 23, &h) != LW_OK ||
        strlen(colon + 1) != 2 || lw_parse_uint(colon + 1, 2, 59, &m) != LW_OK) {
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

    for (i = 0; i < LW_ARRAY_LEN(lw_sched_weekdays); i++)
        if (strcmp(s, lw_sched_weekdays[i]) == 0 || (n == 3 && strncmp(s, lw_sched_weekdays[i], 3) == 0))
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
    if (lw_parse_uint(s, n, 31, &v) != LW_OK || v < 1)
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
    if (ndig > 0 && lw_parse_uint(num, ndig, 1000000, &count) != LW_OK)
        goto bad;
    if (count == 0) {
        lw_err_set(err, "'%s': the interval must be at least 1", orig);
        return LW_EINVAL;
    }
    secs = lw_duration_unit(unit, strlen(unit));
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
    if (lw_parse_uint(p, strlen(p), hi, out) != LW_OK || *out < lo)
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
            if (lw_parse_uint(slash + 1, strlen(slash + 1), hi, &step) != LW_OK || step == 0)
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

static int
parse_plain(const char *s, lw_sched *out, lw_err *err)
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

/* A time zone written last ("... at 8:00 Europe/Berlin"): the text
 * before it into rest and the zone into zone (case kept: zone names are
 * file names). 0 when the last word is no zone the system knows; UTC is
 * the default and stays with the words ("at 2:00 UTC"). */
static int
split_zone(const char *s, char *rest, size_t size, char zone[LW_SCHED_TZ_LEN])
{
    size_t end = strlen(s), start, i;
    int letter = 0;

    while (end > 0 && isspace((unsigned char) s[end - 1]))
        end--;
    start = end;
    while (start > 0 && !isspace((unsigned char) s[start - 1]))
        start--;
    if (start == 0 || end - start >= LW_SCHED_TZ_LEN || start >= size)
        return 0;
    for (i = start; i < end; i++) {
        if (!isalnum((unsigned char) s[i]) && strchr("/_+-", s[i]) == NULL)
            return 0;
        letter |= isalpha((unsigned char) s[i]) != 0;
    }
    memcpy(zone, s + start, end - start);
    zone[end - start] = '\0';
    if (!letter || strcasecmp(zone, "utc") == 0 || strcasecmp(zone, "etc/utc") == 0
        || !lw_sched_tz_known(zone))
        return 0;
    memcpy(rest, s, start);
    rest[start] = '\0';
    return 1;
}

int
lw_sched_parse(const char *s, lw_sched *out, lw_err *err)
{
    char zone[LW_SCHED_TZ_LEN], rest[sizeof(out->text)];
    size_t len;

    if (s == NULL || !split_zone(s, rest, sizeof(rest), zone))
        return parse_plain(s, out, err);
    if (parse_plain(rest, out, err) != LW_OK)
        return LW_EINVAL;
    if (out->kind == LW_SCHED_INTERVAL) {
        lw_err_set(err, "'%s %s': a time zone applies to daily, weekly, monthly and cron "
                   "schedules; intervals count from the Unix epoch", out->text, zone);
        return LW_EINVAL;
    }
    len = strlen(out->text);
    if (len + 1 + strlen(zone) >= sizeof(out->text)) {
        lw_err_set(err, "frequency is too long");
        return LW_EINVAL;
    }
    snprintf(out->text + len, sizeof(out->text) - len, " %s", zone);
    lw_strlcpy(out->tz, zone, sizeof(out->tz));
    return LW_OK;
}
