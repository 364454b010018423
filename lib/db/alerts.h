/* alerts.h: the SQL of alerts as people see and handle them: the list with
 * its filters, one alert with its timeline and notifications, and the two
 * things people do to an alert (acknowledge, mark as false positive). The
 * evaluator's writes are elsewhere (worker).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Timestamps come formatted "YYYY-MM-DD HH:MM:SS UTC". Changes
 * write their audit_log row in the same statement and return LW_OK,
 * LW_ENOTFOUND (no such alert, or nothing to change) or LW_EDB. */
#ifndef LW_DB_ALERTS_H
#define LW_DB_ALERTS_H

#include "db/audit.h"
#include "db/db.h"

/* Alerts, firing first, then pending, then resolved (newest first), each
 * filter optional (NULL or "", rule_id 0): state, severity, model name,
 * rule. Columns: id, rule_id, rule, rule_kind, severity, state, model_id,
 * model, environment, started, fired, resolved, last_eval, value,
 * threshold, summary, acknowledged_by, acknowledged, false_positive,
 * duration, and for an open alert what mutes it now: silence_id and
 * silence_windows (see SILENCE_COLS; app/view.h's lw_view_silence reads
 * them). */
PGresult *lw_db_alerts_list(lw_db *db, lw_err *err, const char *state, const char *severity,
                            const char *model, long long rule_id, int limit);
/* Model names that have alerts (for the filter). */
PGresult *lw_db_alerts_models(lw_db *db, lw_err *err);
/* What of one alert lw_db_alerts_of reads. */
typedef enum {
    /* The columns of the list plus its rule's runbook, rule_deleted,
     * environment_id and the epoch of started/resolved (started_epoch,
     * end_epoch: resolved or now). Zero rows when unknown. */
    LW_DB_ALERT_ROW,
    /* The timeline: state changes (alert_events) and what people did
     * (audit_log rows of the alert), oldest first: at, kind ('state' |
     * 'action'), from_state, to_state, value, message, actor. */
    LW_DB_ALERT_TIMELINE,
    /* Notifications of the alert, grouped ones included
     * (notification_events): channel, channel_type, kind, status,
     * attempts, last_error, suppressed_reason, alert_count, event (the
     * transition: firing, resolved...), created, sent, last_attempt,
     * next_attempt; oldest first. */
    LW_DB_ALERT_NOTIFICATIONS,
    LW_DB_ALERT_N
} lw_db_alert_part;
PGresult *lw_db_alerts_of(lw_db *db, lw_err *err, lw_db_alert_part part, long long id);

/* What people mark on an alert with lw_db_alerts_mark, on or off. */
typedef enum {
    /* Acknowledged (on: once; LW_ENOTFOUND when unknown or already
     * acknowledged) or the acknowledgement taken back (off; LW_ENOTFOUND
     * when unknown or not acknowledged). */
    LW_DB_ALERT_ACK,
    /* A false positive, or not (LW_ENOTFOUND when unknown or unchanged). */
    LW_DB_ALERT_FALSE_POSITIVE,
    LW_DB_ALERT_MARK_N
} lw_db_alert_mark;
int lw_db_alerts_mark(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                      lw_db_alert_mark mark, int on);

#endif
