/* duration.h: durations as people write them and as llmwatch shows them,
 * shared by job schedules, rule windows and the config. */
#ifndef LW_DURATION_H
#define LW_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "lw.h"

/* Durations: "90" (seconds), "30s", "5m", "1h", "1h30m", "7 days",
 * "24 hours", "2 weeks", "1 hour 30 minutes". Units: s/sec/second(s),
 * m/min/minute(s), h/hr/hour(s), d/day(s), w/week(s). Not negative.
 * Returns 0 or LW_EINVAL with a message in err. */
int lw_duration_parse(const char *s, int64_t *seconds, lw_err *err);

/* Compact form: 5400 -> "1h30m", 604800 -> "7d", 0 -> "0s". */
int lw_duration_format(int64_t seconds, char *buf, size_t size);

/* Seconds of a unit name s[0..n) ("m", "minutes", "h", "days"...,
 * any case); 0 when unknown. */
int64_t lw_duration_unit(const char *s, size_t n);

#endif
