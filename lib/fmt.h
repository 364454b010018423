/* fmt.h: formatting for people, shared by the web pages, the CLI, mail and
 * reports so one figure reads the same everywhere: durations, latencies,
 * percentages, dollars, thousands separators, aligned tables and CSV. */
#ifndef LW_FMT_H
#define LW_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lw.h"
#include "schedule.h"

/* Each formatter writes a NUL-terminated string into buf and returns 0, or
 * LW_EINVAL when buf is too small (buf then holds a truncated string). */

/* A span of time for humans, the two largest units: 8100 -> "2h 15m",
 * 7200 -> "2h", 273600 -> "3d 4h", 65 -> "1m 5s", 45 -> "45s", 0 -> "0s".
 * Negative values are formatted as their absolute value. */
int lw_fmt_duration(int64_t seconds, char *buf, size_t size);

/* A latency or duration in milliseconds, the one format of the web pages,
 * the CLI, mail and reports: 0.8 -> "0.8 ms", 612 -> "612 ms",
 * 1850 -> "1.85 s", 125000 -> "2m 05s"; NaN, infinite or negative -> "-". */
int lw_fmt_ms(double ms, char *buf, size_t size);

/* A ratio as a percentage with one decimal: 0.994 -> "99.4%". Exactly 1 is
 * "100%" and exactly 0 is "0%"; anything else never rounds to them (0.99996
 * -> "99.9%", 0.00001 -> "0.1%"), so one failure in 30,000 still shows.
 * NaN -> "-". */
int lw_fmt_percent(double ratio, char *buf, size_t size);

/* Exact pico-dollars for display: under one dollar with four decimals
 * ("$0.0123", rounded half away from zero; "<$0.0001" when smaller but not
 * zero), otherwise (and for zero) cents with thousands separators
 * ("$3,247.82", "$0.00"). */
int lw_fmt_dollars(int64_t pico, char *buf, size_t size);

/* 34560 -> "34,560". */
int lw_fmt_count(long long n, char *buf, size_t size);

/* A Unix time in UTC to the minute: "2025-01-07 14:05". */
int lw_fmt_time(time_t t, char *buf, size_t size);

/* When a schedule runs next, after `now`, for the status page:
 * intervals and cron "in 2h 15m"; daily "at 02:00 UTC (in 5h 12m)";
 * weekly "on Sunday 03:00 UTC (in 3d 4h)"; monthly
 * "on 2025-02-01 10:00 UTC (in 12d 3h)". *next gets the time. Returns 0,
 * LW_ENOTFOUND (never runs) or LW_EINVAL (buf too small). */
int lw_fmt_next_run(const lw_sched *s, time_t now, time_t *next, char *buf, size_t size);

/* ---- aligned text tables ---- */

typedef struct lw_fmt_table lw_fmt_table;

/* ncols columns; headers[ncols] are copied; align is a string of ncols
 * characters, 'l' or 'r'. Returns the table (caller frees with
 * lw_fmt_table_free) or NULL when out of memory. */
lw_fmt_table *lw_fmt_table_new(size_t ncols, const char *const *headers, const char *align);
/* Appends one row of ncols cells (copied; NULL prints as ""). 0 or LW_ENOMEM. */
int  lw_fmt_table_add(lw_fmt_table *t, const char *const *cells);
/* Appends the table to out: header, a rule of dashes, the rows; columns are
 * separated by two spaces and sized in UTF-8 characters; no trailing
 * spaces. 0 or LW_ENOMEM. */
int  lw_fmt_table_render(const lw_fmt_table *t, lw_buf *out);
void lw_fmt_table_free(lw_fmt_table *t);

/* Appends s as one CSV field (RFC 4180: quoted when it holds a comma, a
 * quote, CR or LF; quotes doubled). NULL is an empty field. */
int lw_fmt_csv_field(lw_buf *out, const char *s);

#endif
