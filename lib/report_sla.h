/* report_sla.h: SLA compliance over a period, for /sla, its evidence
 * downloads and the reports' SLA sections: the period picker, each
 * model's figures from the daily rollups (lib/db/sla.c) and its state by
 * the rules below, the evidence CSV, and the daily availability bars.
 *
 * What the figures mean (every page and document that shows them says so):
 * - availability: successful probes / probes. A probe is up when it got a
 *   complete answer; periods without probes are unknown, never up.
 * - expected probes per day: the most the model had on any whole day of
 *   the 30 days before the period ends (the probe schedule as it ran);
 *   a day with fewer has (1 - probes/expected) of its minutes unknown.
 * - downtime: a day's known minutes times its failed share of probes.
 * - error budget: (1 - objective) of the period's minutes; burn rate:
 *   downtime per known minute over (1 - objective) (1 = on budget).
 * - state, in this order: "not enough data" below the minimum sample
 *   count (setting sla_min_samples, 50); "breached" when the downtime
 *   has used the whole budget, or the period is over with availability
 *   below the objective or p95 above the latency target; "at risk" while
 *   the period runs, when at the burn rate so far (above 1) the budget
 *   runs out before it ends, or the p95 so far is above the target;
 *   otherwise "met". */
#ifndef LW_REPORT_SLA_H
#define LW_REPORT_SLA_H

#include <time.h>

#include "db/db.h"
#include "hdf.h"
#include "lw.h"

/* ---- the period picker ---- */

typedef struct {
    const char *key;            /* "30d", "last-month"...: static */
    time_t      from, to;       /* [from, to), UTC midnights */
    char        label[64];      /* "last 30 days", "November 2026", "Q4 2026" */
    char        first_day[16];  /* the first and last day, YYYY-MM-DD */
    char        last_day[16];
} lw_sla_period;

/* The picker's choices in order ("custom" last), NULL-terminated. */
extern const char *const lw_sla_period_keys[];
/* The choice's words for people ("last 7 days", "this month"). */
const char *lw_sla_period_title(const char *key);
/* key (NULL: "30d") with, for "custom", the first and last days
 * (YYYY-MM-DD, both included); the last N days end with today (whole days
 * and today so far). LW_EINVAL with a message for people in err. */
int lw_sla_period_parse(const char *key, const char *first, const char *last, time_t now,
                        lw_sla_period *p, lw_err *err);

/* ---- the figures ---- */

typedef enum { LW_SLA_MET, LW_SLA_AT_RISK, LW_SLA_BREACHED, LW_SLA_NO_DATA } lw_sla_state;

/* "met", "at risk", "breached", "not enough data" */
extern const char *const lw_sla_state_names[4];

typedef struct {
    long long   id;
    const char *name, *environment;     /* borrowed from the result */
    double      target_ms;              /* NaN: no latency target */
    long long   probes, errors;
    double      avg_ms, p95_ms, p99_ms; /* NaN when no successful probe */
    double      expected_per_day;       /* NaN when never probed */
    double      elapsed_min, period_min, unknown_min, down_min;
    double      objective;              /* 0.999 */
    long long   min_samples;
    int         ended;
    /* what lw_sla_judge derives */
    double      availability, error_rate;  /* NaN without probes */
    double      budget_min, remaining_min, remaining_pct, burn;
    lw_sla_state state;
    const char *reason;                 /* why, for people (static) */
    int         day0, ndays;            /* its rows in days */
} lw_sla_model;

typedef struct {
    time_t        from, to;
    PGresult     *totals, *days;        /* owned */
    lw_sla_model *models;               /* owned */
    size_t        n;
} lw_sla;

/* Reads and judges every model over [from, to). Free with lw_sla_free
 * (also after a failure). LW_OK, LW_EDB, LW_ENOMEM. */
int  lw_sla_load(lw_db *db, time_t from, time_t to, lw_sla *s, lw_err *err);
void lw_sla_free(lw_sla *s);
/* The derived figures and the state of m from its read figures. */
void lw_sla_judge(lw_sla_model *m);

/* The evidence: one row per model per day, then one total row per model
 * (day "total"), fixed decimals, so the same data gives the same bytes.
 * LW_OK or LW_ENOMEM. */
int lw_sla_csv(const lw_sla *s, lw_buf *out);

/* prefix.N.{id, name, environment, probes, errors, availability,
 * objective, error_rate, avg_ms, p95_ms, p99_ms, target_ms (each *_ms
 * with a _h twin), p95_over, downtime, unknown, budget, remaining,
 * remaining_pct, burn, state, state_class, reason, expected}; with days,
 * prefix.N.days.M.{day, probes, errors, availability, downtime, unknown,
 * p95_ms_h}; with charts LW_SLA_BARS, prefix.N.chart (daily availability
 * bars, our SVG: documents), with LW_SLA_STRIPS prefix.N.strip (the thin
 * strip of lw_report_chart_strip: the /sla page). */
enum { LW_SLA_NO_CHART, LW_SLA_BARS, LW_SLA_STRIPS };
void lw_sla_hdf(const lw_sla *s, lw_hdf *h, const char *prefix, int days, int charts);

/* ---- evidence (report_evidence.c) ---- */

/* The evidence document of s as HTML (templates/report_sla.cs in
 * print_layout.cs): the method, the period (label: "November 2026"), each
 * model's figures, state and daily bars, its days for periods up to a
 * quarter, and data_sha256, the SHA-256 of the evidence CSV. The render
 * path must be initialised. LW_OK or LW_E* with err. */
int lw_sla_evidence_html(const lw_sla *s, const char *label, const char *data_sha256,
                         time_t generated, lw_buf *html, lw_err *err);
/* The SLA evidence of [from, to) as format "csv", "pdf" or "html" into content:
 * the stored document when one was made from the same data (same CSV
 * bytes), else made now and stored (kind 'sla', created_by user_id, 0 for
 * none). *id gets its reports row, sha256 its stored SHA-256. LW_OK or
 * LW_E* with err. */
int lw_sla_evidence(lw_db *db, time_t from, time_t to, const char *label, const char *format,
                    long long user_id, lw_buf *content, long long *id, char sha256[65],
                    lw_err *err);

/* The daily availability bars of one model (report_chart.c): day[i] Unix
 * seconds, pct[i] availability in percent or NaN for a day without probes;
 * objective_pct drawn as a dashed line. LW_OK or LW_ENOMEM. */
int lw_report_chart_days(lw_buf *out, const char *title, const double *day, const double *pct,
                         size_t n, double objective_pct);
/* The daily availability strip of one model (report_chart.c): a cell per
 * day (day[i] Unix seconds, n[i] probes, errors[i] failed ones), green at
 * or above objective_pct, orange under it, grey without a probe, its value
 * on hover; beyond LW_STRIP_MAX_CELLS days a cell per week (7 days
 * pooled). label names it for screen readers. LW_OK or LW_ENOMEM. */
#define LW_STRIP_MAX_CELLS 92
#define LW_STRIP_HEIGHT 18
int lw_report_chart_strip(lw_buf *out, const char *label, const double *day, const long long *n,
                          const long long *errors, size_t ndays, double objective_pct);

#endif
