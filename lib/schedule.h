/* schedule.h: job frequencies ("*\/6 hours", "daily at 2:00", cron...):
 * parsing (schedule.c), the next slot and the systemd and human forms
 * (schedule_calendar.c), and the time zone a calendar schedule may name
 * ("daily at 8:00 Europe/Berlin", schedule_tz.c). Without a zone all
 * calendar arithmetic is in UTC. Durations are duration.h, included here.
 * Not named sched.h: with -Ilib that would shadow the C library's <sched.h>
 * (and break every file including <pthread.h>). */
#ifndef LW_SCHEDULE_H
#define LW_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "duration.h"
#include "lw.h"

typedef enum {
    LW_SCHED_INTERVAL = 1, /* every N seconds, slots aligned to the Unix epoch */
    LW_SCHED_DAILY,
    LW_SCHED_WEEKLY,
    LW_SCHED_MONTHLY,
    LW_SCHED_CRON          /* 5-field cron: minute hour day-of-month month day-of-week */
} lw_sched_kind;

#define LW_SCHED_LAST_DAY (-1) /* lw_sched.mday for "monthly on last" */
#define LW_SCHED_TZ_LEN 64     /* a zone name and its NUL */

/* "sunday" .. "saturday" (index = lw_sched.weekday). */
extern const char *const lw_sched_weekdays[7];

/* A parsed frequency; plain value, nothing to free. */
typedef struct {
    lw_sched_kind kind;
    int64_t interval;        /* INTERVAL: seconds */
    int hour, minute;        /* DAILY, WEEKLY, MONTHLY */
    int weekday;             /* WEEKLY: 0 = Sunday .. 6 = Saturday */
    int mday;                /* MONTHLY: 1..31 (months without that day are
                              * skipped, as cron and systemd do) or LW_SCHED_LAST_DAY */
    struct {
        uint64_t minute;     /* bit n = minute n is allowed */
        uint32_t hour, mday; /* bits 0..23, 1..31 */
        uint16_t month;      /* bits 1..12 */
        uint8_t wday;        /* bits 0..6, 0 = Sunday */
        unsigned char mday_star, wday_star; /* field began with '*': cron
                              * ORs day-of-month and day-of-week only when
                              * both are restricted */
    } cron;
    char text[128];          /* the frequency as written (normalised) */
    char tz[LW_SCHED_TZ_LEN];/* the IANA zone its times are in ("Europe/Berlin");
                              * "" = UTC. Only calendar kinds (daily, weekly,
                              * monthly, cron) take one. */
} lw_sched;

/* Parses "*\/6 hours", "*\/5 minutes", "every 30 seconds", "every 10 minutes",
 * "hourly", "daily [at 2:00]", "weekly [on sunday] [at 3:00]",
 * "monthly [on 1st|last] [at 10:00]", "@hourly".."@monthly" and 5-field cron
 * ("0 *\/6 * * *"). Times are UTC ("UTC" may be written), or local time
 * of a zone named last, as the system's zoneinfo spells it
 * ("daily at 8:00 Europe/Berlin"; calendar kinds only: an interval counts
 * from the Unix epoch). Returns 0 or LW_EINVAL with a message in err. */
int lw_sched_parse(const char *s, lw_sched *out, lw_err *err);

/* First slot strictly after `after` (UTC). Interval schedules are aligned to
 * the epoch, so every host computes the same slots. In a zone, a local
 * time that does not exist (the hour skipped in spring) has no slot that
 * day and one that happens twice (autumn) runs at its first occurrence,
 * as systemd does. Returns 0, or LW_ENOTFOUND if a cron expression never
 * matches. */
int lw_sched_next(const lw_sched *s, time_t after, time_t *next);

/* Typical seconds between runs, for display and staleness checks (a month
 * counts 30 days; for cron, the gap between two consecutive slots). */
int64_t lw_sched_interval_hint(const lw_sched *s);

/* systemd OnCalendar= expression with the same slots: "*:0/5",
 * "*-*-* 00/6:00:00", "*-*-* 02:00:00", "Sun *-*-* 03:00:00",
 * "*-*-01 10:00:00", "*-*~01 10:00:00" (last day), followed by the zone
 * when there is one ("Mon *-*-* 09:00:00 Europe/Berlin"). Returns 0, LW_EINVAL when
 * buf is too small, or LW_ENOTFOUND when there is no exact equivalent (an
 * interval that does not divide a minute, an hour or a day; a cron
 * expression restricting both day-of-month and day-of-week). */
int lw_sched_to_oncalendar(const lw_sched *s, char *buf, size_t size);

/* For humans: "every 6 hours", "daily at 02:00 UTC",
 * "weekly on Sunday at 03:00 UTC", "monthly on the 1st at 10:00 UTC"
 * ("... at 08:00 Europe/Berlin" in a zone). */
int lw_sched_describe(const lw_sched *s, char *buf, size_t size);

/* ---- the civil calendar (proleptic Gregorian, days since 1970-01-01) ---- */

int64_t lw_sched_days_from_civil(int64_t y, int m, int d);
void    lw_sched_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* ---- time zones (schedule_tz.c): zoneinfo read once per zone and kept;
 * thread-safe; "" or NULL is UTC ---- */

/* 1 when the system knows the zone (a TZif file under $TZDIR or
 * /usr/share/zoneinfo), else 0. */
int lw_sched_tz_known(const char *zone);
/* Seconds east of UTC in force at `utc`. LW_OK, LW_ENOTFOUND. */
int lw_sched_tz_offset(const char *zone, time_t utc, int *offset);
/* The instant of a local time (seconds counted as if the local clock were
 * UTC): the first when it happens twice; LW_ENOTFOUND when the clock
 * skipped it or the zone is unknown. */
int lw_sched_tz_to_utc(const char *zone, int64_t local, time_t *utc);

#endif
