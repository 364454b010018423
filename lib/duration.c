/* duration.c: durations as people write them ("90", "5m", "1h30m",
 * "7 days") and as llmwatch shows them ("1h30m"). */
#include "duration.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define DAY 86400

static const struct {
    const char *name;
    int64_t     seconds;
} units[] = {
    { "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 }, { "seconds", 1 },
    { "m", 60 }, { "min", 60 }, { "mins", 60 }, { "minute", 60 }, { "minutes", 60 },
    { "h", 3600 }, { "hr", 3600 }, { "hrs", 3600 }, { "hour", 3600 }, { "hours", 3600 },
    { "d", DAY }, { "day", DAY }, { "days", DAY },
    { "w", 7 * DAY }, { "week", 7 * DAY }, { "weeks", 7 * DAY },
};

int64_t
lw_duration_unit(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(units); i++)
        if (strlen(units[i].name) == n && strncasecmp(units[i].name, s, n) == 0)
            return units[i].seconds;
    return 0;
}

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
        if (nd == 0 || lw_parse_uint(num, nd, INT64_C(999999999999), &v) != LW_OK)
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
        } else if ((mul = lw_duration_unit(unit, nu)) == 0) {
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
        return lw_putf(buf, size, &o, "0s");
    for (i = 0; i < LW_ARRAY_LEN(us) && rc == LW_OK; i++) {
        if (seconds >= us[i]) {
            rc = lw_putf(buf, size, &o, "%lld%c", (long long) (seconds / us[i]), un[i]);
            seconds %= us[i];
        }
    }
    return rc;
}
