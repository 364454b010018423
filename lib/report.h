/* report.h: llmwatch's reports, shared by the worker (`llmwatch report`,
 * the report schedules) and the web app (/reports, the SLA evidence):
 * report_config.yaml (report_config.c), periods (report_period.c), the
 * figures read from the rollups and the findings computed from them by
 * stated rules (report_data.c, report_findings.c, report_stats.c), the
 * document as HTML from templates/report.cs and as text (report_doc.c),
 * and PDF through WeasyPrint with the hashes that make a stored report
 * checkable (report_pdf.c). The SLA part is report_sla.h. */
#ifndef LW_REPORT_H
#define LW_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "db/db.h"
#include "diag.h"
#include "hdf.h"
#include "lw.h"
#include "schedule.h"

/* The file `llmwatch report`, the report schedules and `timers` read when
 * no --report-config and no $LLMWATCH_REPORT_CONFIG say. */
#define LW_REPORT_CONFIG_DEFAULT_FILE "report_config.yaml"

/* ---- sections, in the order the spec names them ---- */

typedef enum {
    LW_RSEC_EXECUTIVE_SUMMARY,
    LW_RSEC_PERFORMANCE_TRENDS,
    LW_RSEC_COST_ANALYSIS,
    LW_RSEC_COST_BREAKDOWN,
    LW_RSEC_INCIDENTS,
    LW_RSEC_INCIDENT_ANALYSIS,
    LW_RSEC_DETAILED_METRICS,
    LW_RSEC_MODEL_COMPARISON,
    LW_RSEC_SLA_COMPLIANCE,
    LW_RSEC_AVAILABILITY_METRICS,
    LW_RSEC_RECOMMENDATIONS,
    LW_RSEC_IMPROVEMENT_PLANS,
    LW_RSEC_COUNT
} lw_report_section;

/* "executive_summary"... (the config's words) and "Executive summary"...
 * (the headings); static strings. */
extern const char *const lw_report_section_keys[LW_RSEC_COUNT];
extern const char *const lw_report_section_titles[LW_RSEC_COUNT];

/* ---- report_config.yaml ---- */

typedef enum { LW_REPORT_HTML, LW_REPORT_PDF } lw_report_format;

/* What the findings' rules compare against; report_config.yaml may set
 * them under reporting.thresholds, every report states them. */
typedef struct {
    double cost_change_pct;    /* cost against the previous period: 20 */
    double quality_ratio;      /* a cheaper model's quality >= this x: 0.9 */
    double cheaper_pct;        /* ... and at least this much cheaper per call: 10 */
    double latency_pct;        /* a weekday or hour slower by at least: 10 */
    double p_value;            /* Bonferroni-adjusted significance: 0.01 */
    int    alert_fires;        /* a rule firing this often per period: 5 */
    int    lookback_days;      /* days of hourly rollups the weekday and
                                * hour tests read: 28 */
} lw_report_thresholds;

void lw_report_thresholds_default(lw_report_thresholds *t);

typedef struct {
    const char       *name;          /* "Weekly Deep Dive" */
    const char       *job;           /* its job name: "report:weekly_deep_dive" */
    const char       *slug;          /* "weekly-deep-dive", for unit names */
    const char       *frequency;     /* as written */
    lw_sched          sched;
    lw_strlist        recipients;
    lw_report_format  format;
    int               sections[LW_RSEC_COUNT];  /* in the order written */
    size_t            n_sections;
    int64_t           timeout;       /* seconds; default 600 */
    bool              enabled;
    const char       *commentary;    /* Markdown put under the title; NULL */
    int               line, col;
} lw_report_schedule;

typedef struct {
    lw_pool              *pool;      /* owns everything below */
    const char           *path;
    lw_report_schedule   *schedules;
    size_t                n_schedules;
    lw_report_thresholds  thresholds;
} lw_report_config;

/* Reads report_config.yaml ("reporting: schedules: [...]"); every problem
 * goes to diags as FILE:LINE:COL. 0 with *out (caller frees with
 * lw_report_config_free), LW_EINVAL, LW_ENOTFOUND (no such file), LW_EIO
 * or LW_ENOMEM. */
int  lw_report_config_load(const char *path, lw_report_config **out, lw_diag *diags);
int  lw_report_config_load_string(const char *name, const char *text, size_t len,
                                  lw_report_config **out, lw_diag *diags);
void lw_report_config_free(lw_report_config *rc);
/* The report config a command reads: explicit, else $LLMWATCH_REPORT_CONFIG,
 * else report_config.yaml beside `monitoring_config` (its directory), else
 * ./report_config.yaml; NULL when none exists. Pool-owned. */
const char *lw_report_config_path(lw_pool *pool, const char *explicit_path,
                                  const char *monitoring_config);
/* Borrowed; NULL when absent. By name or job name. */
const lw_report_schedule *lw_report_config_find(const lw_report_config *rc, const char *name);

/* ---- periods ---- */

typedef enum {
    LW_REPORT_DAILY, LW_REPORT_WEEKLY, LW_REPORT_MONTHLY, LW_REPORT_SLA, LW_REPORT_COSTS,
    LW_REPORT_TYPE_COUNT
} lw_report_type;

/* "daily"... as reports.kind stores them ("costs" for cost analysis). */
extern const char *const lw_report_type_names[LW_REPORT_TYPE_COUNT];
int lw_report_type_parse(const char *s);   /* -1 when unknown */

/* What a schedule's frequency makes of it: daily and shorter -> daily,
 * weekly -> weekly, monthly -> monthly. */
lw_report_type lw_report_type_of(const lw_sched *s);

/* The period a report made at `slot` covers, [*from, *to): the UTC day
 * before the slot's day (daily), the 7 days before it (weekly), the
 * calendar month before it (monthly); for an interval shorter than a day
 * the interval before the slot. */
void lw_report_period_of_slot(const lw_sched *s, time_t slot, time_t *from, time_t *to);
/* "2025-01-01:2025-01-07" (days, both included, UTC) into [*from, *to).
 * LW_EINVAL with a message. */
int lw_report_date_range(const char *s, time_t *from, time_t *to, lw_err *err);
/* The last whole period of `type` before `now` (yesterday, the last 7
 * days, last month). */
void lw_report_default_period(lw_report_type type, time_t now, time_t *from, time_t *to);
/* "2025-01-01 – 2025-01-07" (the last day shown is to - 1 s). */
void lw_report_period_label(time_t from, time_t to, char *buf, size_t size);

/* ---- one report ---- */

typedef struct {
    lw_report_type type;
    const char    *title;             /* "Weekly Deep Dive" */
    const char    *schedule;          /* the schedule's name, NULL by hand */
    time_t         from, to;          /* the period, [from, to) */
    int            sections[LW_RSEC_COUNT];
    size_t         n_sections;
    lw_report_thresholds thresholds;
    const char    *commentary;        /* Markdown or NULL */
    time_t         generated;         /* the time written on it */
    const char    *link;              /* where it is stored (mail text), NULL */
} lw_report_req;

/* The sections a type has without a schedule: all twelve for daily,
 * weekly and monthly; the SLA four for sla; cost analysis, breakdown and
 * recommendations for costs. */
void lw_report_req_sections(lw_report_req *q);

/* The document: HTML (a standalone page, templates/report.cs in
 * print_layout.cs, charts inline) into html, the same content as plain
 * text (the mail's text part, the CLI's summary) into text (may be NULL).
 * The render path must be initialised (lw_render_init). Reads the
 * rollups, alerts and models of db. LW_OK or LW_E* with err. */
int lw_report_build(lw_db *db, const lw_report_req *q, lw_buf *html, lw_buf *text, lw_err *err);

/* ---- PDF and hashes (report_pdf.c) ---- */

/* Lower-case hex SHA-256 of data. */
void lw_report_sha256_hex(const void *data, size_t len, char out[65]);

/* html -> PDF through `weasyprint - -` (stdin to stdout, $LLMWATCH_WEASYPRINT
 * to use another program), killed after timeout_s. The footer of every
 * page says "page X of Y" and "HTML SHA-256 <hex of html>": it is given
 * as a separate stylesheet, so the HTML whose hash it names is exactly
 * the bytes passed in. LW_OK, LW_EIO or LW_ETIMEDOUT with err. */
int lw_report_pdf(const char *html, size_t len, int timeout_s, lw_buf *pdf, lw_err *err);

/* A report to keep in the reports table. Strings are borrowed. */
typedef struct {
    const char    *name, *kind, *format;     /* kind: reports.kind; format: html|pdf|csv */
    time_t         from, to;
    const char    *schedule;                 /* NULL by hand */
    time_t         slot;                     /* 0 by hand */
    const int     *sections;
    size_t         n_sections;
    const char    *content;
    size_t         len;
    const char    *source_html;              /* for a PDF: its HTML; else NULL */
    size_t         source_len;
    const char    *data_sha256;              /* NULL unless known */
    const lw_strlist *recipients;            /* NULL: none */
    long long      created_by;               /* users.id, 0 when none */
} lw_report_doc;

/* Stores it: *id gets the new row, or the existing one when a report of
 * that schedule and slot (or SLA evidence of that period, format and
 * data) is already stored, with *existed = 1. *sha256 (65 bytes) gets the
 * stored content's hash. LW_OK or LW_EDB. */
int lw_report_store(lw_db *db, const lw_report_doc *d, long long *id, int *existed,
                    char sha256[65], lw_err *err);

#endif
