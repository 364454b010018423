/* report_impl.h: what the files of a report share and nothing else needs:
 * the figures read for one report (report_data.c), the findings computed
 * from them by stated rules (report_findings.c, with the test of
 * report_stats.c), and their words for the document (report_doc.c). */
#ifndef LW_REPORT_IMPL_H
#define LW_REPORT_IMPL_H

#include "report.h"
#include "report_sla.h"

/* One period's figures of a model (or of all): counts, latency of
 * successful probes (ms, NaN when none), exact cost. */
typedef struct {
    long long count, errors, total_n;
    double    sum_ms, avg_ms, p50_ms, p95_ms, p99_ms, ttft_p95_ms, tps, quality;
    int64_t   cost_pico;
    long long input_tokens, output_tokens;
    int       top_error;          /* index into lw_rollup_error_classes, -1 none */
    long long top_error_n;
} lw_rp_fig;

typedef struct {
    long long   id;
    const char *name, *environment, *provider;  /* borrowed from the result */
    double      target_ms;                       /* NaN: none */
    lw_rp_fig   cur, prev;
    const lw_sla_model *sla;                     /* its SLA over the period, or NULL */
} lw_rp_model;

/* One weekday or hour of a model against its other hours: Mann-Whitney U
 * on the hourly mean latencies (report_stats.c). */
typedef struct {
    const lw_rp_model *model;
    int         weekday;          /* 1 dimension: weekday (k 1..7), 0: hour (k 0..23) */
    int         k;
    long long   n, rn;
    double      mean, rmean, diff_pct, z, p, p_adj;
    int         significant;      /* p_adj below the threshold and |diff| large enough */
} lw_rp_test;

typedef enum { LW_RP_OK, LW_RP_INFO, LW_RP_WARN, LW_RP_CRIT } lw_rp_level;

/* The rules findings come from (report_findings.c). */
typedef enum {
    LW_RP_RULE_SLA, LW_RP_RULE_COST, LW_RP_RULE_LATENCY, LW_RP_RULE_CHEAPER,
    LW_RP_RULE_ALERTS, LW_RP_RULE_INCIDENTS, LW_RP_RULE_NONE, LW_RP_RULE_COUNT
} lw_rp_rule;

/* "sla", "cost"... and the rule in words; static. */
extern const char *const lw_rp_rule_keys[LW_RP_RULE_COUNT];
extern const char *const lw_rp_rule_texts[LW_RP_RULE_COUNT];

/* A finding or a recommendation: what the data says (pool-owned text)
 * and the rule that says it. */
typedef struct {
    lw_rp_level level;
    const char *text;
    lw_rp_rule  rule;
} lw_rp_note;

/* An improvement plan: a goal and its steps, each computed. */
typedef struct {
    const char *title;
    const char *steps[6];
    size_t      n_steps;
} lw_rp_plan;

#define LW_RP_MAX_NOTES 64

typedef struct {
    const lw_report_req *q;
    lw_pool     *pool;            /* text of notes and plans */
    time_t       prev_from;       /* the previous period: [prev_from, q->from) */
    long long    step_s;          /* trend step: an hour up to 8 days, else a day */
    PGresult    *models_res, *trend, *groups, *incidents, *rules;
    lw_rp_model *models;
    size_t       n;
    lw_rp_fig    total, total_prev;
    lw_sla       sla;
    lw_rp_test  *tests;
    size_t       ntests;
    lw_rp_note   findings[LW_RP_MAX_NOTES], recs[LW_RP_MAX_NOTES];
    size_t       nfindings, nrecs;
    lw_rp_plan   plans[LW_RP_MAX_NOTES];
    size_t       nplans;
} lw_rp;

/* report_data.c: reads every figure of q's period and the one before.
 * Free with lw_rp_free (also after a failure). */
int  lw_rp_load(lw_db *db, const lw_report_req *q, lw_rp *rp, lw_err *err);
void lw_rp_free(lw_rp *rp);

/* report_stats.c: the two-sided Mann-Whitney U test of a group of n1
 * samples whose ranks among all n1 + n2 sum to rank_sum (normal
 * approximation with continuity correction): z and p. */
void lw_rp_mann_whitney(long long n1, long long n2, double rank_sum, double *z, double *p);
/* Every weekday and hour test of rp, judged against q's thresholds with
 * Bonferroni's correction (31 tests per model). */
int  lw_rp_tests(lw_rp *rp);

/* report_findings.c: the findings, recommendations and plans by the
 * rules each one names. */
void lw_rp_findings(lw_rp *rp);

/* report_doc.c helpers shared with the findings: a change for people,
 * "↑ 5.2%" (arrow and percent of prev; "new" when prev is 0, "→ 0.0%"
 * below 0.05 %), and whether it is good news (better = 1 when up is good). */
void lw_rp_delta(double cur, double prev, char *buf, size_t size);
void lw_rp_money(int64_t pico, char *buf, size_t size);

#endif
