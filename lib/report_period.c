/* report_period.c: which days a report covers (see report.h): the period
 * before a schedule's slot, a typed date range, the default of a type.
 * Periods are whole UTC days, the daily level of the rollups. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "times.h"

#define DAY 86400

const char *const lw_report_type_names[LW_REPORT_TYPE_COUNT] = {
    "daily", "weekly", "monthly", "sla", "costs",
};

int
lw_report_type_parse(const char *s)
{
    int i;

    for (i = 0; i < LW_REPORT_TYPE_COUNT; i++)
        if (lw_streq(s, lw_report_type_names[i]))
            return i;
    return -1;
}

lw_report_type
lw_report_type_of(const lw_sched *s)
{
    switch (s->kind) {
    case LW_SCHED_WEEKLY:
        return LW_REPORT_WEEKLY;
    case LW_SCHED_MONTHLY:
        return LW_REPORT_MONTHLY;
    default:
        return lw_sched_interval_hint(s) >= 28 * DAY ? LW_REPORT_MONTHLY
             : lw_sched_interval_hint(s) >= 7 * DAY ? LW_REPORT_WEEKLY : LW_REPORT_DAILY;
    }
}

static time_t
day_of(time_t t)
{
    return (time_t) (((int64_t) t - (((int64_t) t % DAY) + DAY) % DAY));
}

/* The first day of the month holding day t, and of the month before. */
static void
month_bounds(time_t t, time_t *this_month, time_t *prev_month)
{
    int64_t y;
    int m, d;

    lw_sched_civil_from_days((int64_t) day_of(t) / DAY, &y, &m, &d);
    *this_month = (time_t) (lw_sched_days_from_civil(y, m, 1) * DAY);
    *prev_month = (time_t) (lw_sched_days_from_civil(m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1, 1) * DAY);
}

void
lw_report_period_of_slot(const lw_sched *s, time_t slot, time_t *from, time_t *to)
{
    int64_t hint = lw_sched_interval_hint(s);
    time_t first, prev;

    switch (lw_report_type_of(s)) {
    case LW_REPORT_MONTHLY:
        month_bounds(slot, &first, &prev);
        *from = prev;
        *to = first;
        return;
    case LW_REPORT_WEEKLY:
        *to = day_of(slot);
        *from = *to - 7 * DAY;
        return;
    default:
        if (s->kind == LW_SCHED_INTERVAL && hint > 0 && hint < DAY) {
            *to = slot;
            *from = slot - (time_t) hint;
            return;
        }
        *to = day_of(slot);
        *from = *to - DAY;
        return;
    }
}

int
lw_report_date_range(const char *s, time_t *from, time_t *to, lw_err *err)
{
    char a[16], b[16];
    const char *colon = s ? strchr(s, ':') : NULL;
    time_t f, t;

    if (colon == NULL || colon - s >= (long) sizeof(a) || strlen(colon + 1) >= sizeof(b)
        || colon - s != 10 || strlen(colon + 1) != 10) {
        lw_err_set(err, "--date-range must be FIRST:LAST days, e.g. 2025-01-01:2025-01-07");
        return LW_EINVAL;
    }
    memcpy(a, s, (size_t) (colon - s));
    a[colon - s] = '\0';
    lw_strlcpy(b, colon + 1, sizeof(b));
    if (lw_time_parse(a, &f) != LW_OK || lw_time_parse(b, &t) != LW_OK) {
        lw_err_set(err, "--date-range: '%s' is not two days YYYY-MM-DD:YYYY-MM-DD", s);
        return LW_EINVAL;
    }
    if (t < f) {
        lw_err_set(err, "--date-range: the last day %s is before the first %s", b, a);
        return LW_EINVAL;
    }
    if (t - f > 3660 * (time_t) DAY) {
        lw_err_set(err, "--date-range: at most ten years");
        return LW_EINVAL;
    }
    *from = f;
    *to = t + DAY;
    return LW_OK;
}

void
lw_report_default_period(lw_report_type type, time_t now, time_t *from, time_t *to)
{
    time_t first, prev;

    switch (type) {
    case LW_REPORT_MONTHLY:
    case LW_REPORT_SLA:
        month_bounds(now, &first, &prev);
        *from = prev;
        *to = first;
        return;
    case LW_REPORT_WEEKLY:
        *to = day_of(now);
        *from = *to - 7 * DAY;
        return;
    default:
        *to = day_of(now);
        *from = *to - DAY;
        return;
    }
}

void
lw_report_period_label(time_t from, time_t to, char *buf, size_t size)
{
    char a[32], b[32];

    lw_time_format(from, LW_TIME_DAY, a, sizeof(a));
    lw_time_format(to - 1, LW_TIME_DAY, b, sizeof(b));
    if (strcmp(a, b) == 0)
        snprintf(buf, size, "%s", a);
    else
        snprintf(buf, size, "%s \xE2\x80\x93 %s", a, b);
}
