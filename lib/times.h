/* times.h: reading and writing points in time, one home for every command,
 * page and message. Storage and parameters are UTC (timestamptz); these
 * helpers never use the local time zone. */
#ifndef LW_TIMES_H
#define LW_TIMES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Reads a point in time (UTC unless it names an offset):
 *   "1736244000"                         Unix seconds
 *   "2025-01-07"                         midnight
 *   "2025-01-07 10:00", "2025-01-07T10:00:30", "...:30.123"
 * each optionally followed by "Z", " UTC" or an offset "+01:00", "-0530".
 * Fields are range-checked (month 1-12, day within the month, 23:59:60);
 * years 1970-9999. Leading and trailing blanks are ignored.
 * LW_OK with *out set, or LW_EINVAL. */
int lw_time_parse(const char *s, time_t *out);
/* The same in microseconds since the epoch (fractions of a second kept). */
int lw_time_parse_us(const char *s, int64_t *out);

typedef enum {
    LW_TIME_RFC3339,    /* 2025-01-07T10:00:00Z   (JSON, APIs, Alertmanager) */
    LW_TIME_SQL,        /* 2025-01-07 10:00:00+00 (a timestamptz parameter) */
    LW_TIME_SECOND,     /* 2025-01-07 10:00:00 UTC (logs, CLI detail) */
    LW_TIME_MINUTE,     /* 2025-01-07 10:00 UTC   (pages, mail) */
    LW_TIME_DAY         /* 2025-01-07 */
} lw_time_style;

/* Formats t into buf (at least 32 bytes always suffice). Returns buf. */
const char *lw_time_format(time_t t, lw_time_style style, char *buf, size_t size);

#endif
