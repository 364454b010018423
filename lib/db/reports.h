/* reports.h: the SQL of reports: stored reports (the list, one report's
 * file, its HTML source, SLA evidence already made, storing one) and the
 * figures a report is computed from: per model over a period and the one
 * before it, per step, the hourly samples of the weekday and hour tests,
 * incidents and how often each rule fired. Aggregates come from the
 * rollups (lw_rollup_read); times are Unix seconds (UTC).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_REPORTS_H
#define LW_DB_REPORTS_H

#include <time.h>

#include "db/db.h"

/* The newest `limit` reports: id, name, kind, format, period_start,
 * period_end (days, the last one included), bytes, sha256, recipients,
 * emailed, created, created_by, schedule, data_sha256, has_source,
 * email_error. */
PGresult *lw_db_reports_list(lw_db *db, lw_err *err, int limit);
/* format, content (bytea, text form), sha256 of one report; zero rows
 * when unknown. With source, source_html (bytea, text form) and its
 * SHA-256 of a report that has one (a PDF); zero rows otherwise. */
PGresult *lw_db_reports_file(lw_db *db, lw_err *err, long long id, int source);
/* id, content, sha256 of the SLA evidence of [from, to) in format made
 * from data whose SHA-256 is data_sha256; zero rows when none. */
PGresult *lw_db_reports_evidence(lw_db *db, lw_err *err, time_t from, time_t to,
                                 const char *format, const char *data_sha256);

/* A row to insert; strings borrowed, NULL for SQL NULL. content_hex and
 * source_hex are bytea in hex form ("\x..."); recipients and sections
 * text[] literals. */
typedef struct {
    const char *name, *kind, *format;
    time_t      from, to;
    const char *content_hex, *sha256, *recipients;
    long long   created_by;               /* 0: none */
    const char *schedule;
    time_t      slot;                     /* 0: none */
    const char *sections, *data_sha256, *source_hex;
} lw_db_reports_row;

/* Inserts it unless its schedule's slot (or, for SLA evidence, its
 * period, format and data) already has a report: id, sha256, existed.
 * Zero rows when another transaction inserted that report since this
 * statement began: run it again. */
PGresult *lw_db_reports_insert(lw_db *db, lw_err *err, const lw_db_reports_row *w);
/* Records a mail of report id: sent (error NULL: emailed_at = now) or why
 * not. LW_OK or LW_EDB. */
int lw_db_reports_emailed(lw_db *db, lw_err *err, long long id, const char *error);

/* What lw_db_reports_compare reads of a period [from, to) against the one
 * before it, [prev_from, from). */
typedef enum {
    /* Per model (enabled, or with probes in either period): id, name,
     * environment, provider, sla_target_ms, then for each period (columns
     * 5.. and 20..): count, errors, sum_ms, total_n, avg_ms, p50_ms,
     * p95_ms, p99_ms, ttft_p95_ms, tps, quality, cost_pico, input_tokens,
     * output_tokens, error_counts (failed probes by class in the order of
     * lw_error_classes()); by environment, name. */
    LW_DB_REPORT_MODELS,
    /* Per rule fired in either period: rule, severity, fired (in [from,
     * to)), prev_fired (before from), models, false_positives, mttr_s,
     * firing_s, last_model; most fired first. */
    LW_DB_REPORT_RULES,
    LW_DB_REPORT_COMPARE_N
} lw_db_report_compare;
PGresult *lw_db_reports_compare(lw_db *db, lw_err *err, lw_db_report_compare which, time_t from,
                                time_t to, time_t prev_from);
/* Per model and step of step_s seconds: t, model_id, count, errors,
 * p95_ms, avg_ms, cost_pico; by model, time. */
PGresult *lw_db_reports_trend(lw_db *db, lw_err *err, time_t from, time_t to, long long step_s);
/* The samples of the weekday and hour tests over [from, to): each hour's
 * mean latency of successful probes, ranked among the model's hours; per
 * model and group (dim 'weekday', k 1..7 ISO, or 'hour', k 0..23 UTC):
 * model_id, dim, k, n, mean, rank_sum (the group's ranks, ties averaged),
 * and of every other hour of that model: rn, rmean. */
PGresult *lw_db_reports_hour_groups(lw_db *db, lw_err *err, time_t from, time_t to);
/* Alerts that fired before `to` and were not resolved before `from`:
 * id, rule, model, environment, severity, state, fired, resolved,
 * seconds_in_period, summary, false_positive; oldest first, at most limit. */
PGresult *lw_db_reports_incidents(lw_db *db, lw_err *err, time_t from, time_t to, int limit);

#endif
