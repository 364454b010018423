/* times.c: reading and writing points in time (see times.h). */
#include "times.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lw.h"

/* n digits at *p as a number, advancing *p; -1 when they are not digits */
static int
digits(const char **p, int n)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char) (*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return v;
}

static int
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* "Z", " UTC", "UTC", "+hh", "+hh:mm", "+hhmm" (or '-') at p, then the end
 * (blanks allowed). *offset gets seconds east of UTC. */
static int
zone(const char *p, long *offset)
{
    int sign, h, m = 0;

    *offset = 0;
    while (*p == ' ')
        p++;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (strncmp(p, "UTC", 3) == 0) {
        p += 3;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        p++;
        if ((h = digits(&p, 2)) < 0 || h > 23)
            return -1;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char) *p) && ((m = digits(&p, 2)) < 0 || m > 59))
            return -1;
        *offset = sign * (h * 3600L + m * 60L);
    }
    while (*p == ' ')
        p++;
    return *p == '\0' ? 0 : -1;
}

int
lw_time_parse(const char *s, time_t *out)
{
    int64_t us;
    int rc = lw_time_parse_us(s, &us);

    if (rc == LW_OK)
        *out = (time_t) (us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
    return rc;
}

int
lw_time_parse_us(const char *s, int64_t *out)
{
    const char *p;
    struct tm tm;
    char *end;
    long long v;
    long off = 0;
    int64_t frac = 0, scale = 100000;
    int y, mo, d, h = 0, mi = 0, sec = 0;

    if (s == NULL)
        return LW_EINVAL;
    while (*s == ' ')
        s++;
    /* Unix seconds: digits only (a date always has a '-') */
    v = strtoll(s, &end, 10);
    if (end != s && (*end == '\0' || *end == ' ')) {
        for (p = end; *p == ' '; p++)
            ;
        if (*p != '\0' || v < 0 || v > 253402300799LL)
            return LW_EINVAL;
        *out = (int64_t) v * 1000000;
        return LW_OK;
    }
    p = s;
    if ((y = digits(&p, 4)) < 1970 || *p++ != '-' || (mo = digits(&p, 2)) < 1 || mo > 12
        || *p++ != '-' || (d = digits(&p, 2)) < 1 || d > month_days(y, mo))
        return LW_EINVAL;
    if ((*p == 'T' || *p == 't' || *p == ' ') && isdigit((unsigned char) p[1])) {
        p++;
        if ((h = digits(&p, 2)) < 0 || h > 23 || *p++ != ':' || (mi = digits(&p, 2)) < 0 || mi > 59)
            return LW_EINVAL;
        if (*p == ':') {
            p++;
            if ((sec = digits(&p, 2)) < 0 || sec > 60)
                return LW_EINVAL;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char) *p))
                    return LW_EINVAL;
                for (; isdigit((unsigned char) *p); p++, scale /= 10)
                    frac += (*p - '0') * scale;     /* digits past 1 us add 0 */
            }
        }
    }
    if (zone(p, &off) != 0)
        return LW_EINVAL;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = ((int64_t) timegm(&tm) - off) * 1000000 + frac;
    return LW_OK;
}

const char *
lw_time_format(time_t t, lw_time_style style, char *buf, size_t size)
{
    static const char *const fmts[] = {
        [LW_TIME_RFC3339] = "%Y-%m-%dT%H:%M:%SZ",
        [LW_TIME_SQL]     = "%Y-%m-%d %H:%M:%S+00",
        [LW_TIME_SECOND]  = "%Y-%m-%d %H:%M:%S UTC",
        [LW_TIME_MINUTE]  = "%Y-%m-%d %H:%M UTC",
        [LW_TIME_DAY]     = "%Y-%m-%d",
    };
    struct tm tm;

    if (size == 0)
        return buf;
    if ((unsigned) style >= LW_ARRAY_LEN(fmts) || gmtime_r(&t, &tm) == NULL
        || strftime(buf, size, fmts[style], &tm) == 0)
        buf[0] = '\0';
    return buf;
}
