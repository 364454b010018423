/* eval.h: the SQL of the alert evaluator (`llmwatch evaluate` and its job)
 * and of `llmwatch alerts`: open alerts and when each series was last
 * announced, silences, routes, the alert state machine's rows (alerts,
 * alert_events), the outbox rows an evaluation writes (notifications and
 * their members) in the same transaction, and the history the alert
 * quality reports read. Times are Unix seconds (UTC); a NaN number is
 * SQL NULL. Every PGresult goes to the caller (PQclear); NULL (or LW_EDB)
 * with a message in err on failure. */
#ifndef LW_DB_EVAL_H
#define LW_DB_EVAL_H

#include <time.h>

#include "db/db.h"

/* One evaluator at a time (transaction-scoped advisory lock): the
 * scheduler and a manual run never interleave their state changes. */
int lw_db_eval_lock(lw_db *db, lw_err *err);

/* ---- state read at the start of an evaluation ---- */

/* Pending and firing alerts by id: id, rule_id, model_id (0 = none),
 * environment_id (0 = none), state, started_at, fired_at (0 = never),
 * last_notified_at (0 = never). */
PGresult *lw_db_eval_open(lw_db *db, lw_err *err);
/* Per series (rule_id, model_id, environment_id), the last firing or
 * repeat notification within window_s before at: rule_id, model_id,
 * environment_id, at. */
PGresult *lw_db_eval_last_notified(lw_db *db, lw_err *err, time_t at, long long window_s);
/* Silences and maintenance windows in force at `at`: id, matchers (JSON
 * text), starts_at, ends_at, recurrence, duration_s, comment. */
PGresult *lw_db_eval_silences(lw_db *db, lw_err *err, time_t at);
/* Severity routes to enabled channels, in routing order: severity,
 * channel id, name, type. */
PGresult *lw_db_eval_routes(lw_db *db, lw_err *err);

/* ---- the state machine's rows ---- */

/* A new alert in state `state` (pending or firing) at `at`; *id gets it. */
int lw_db_eval_alert_insert(lw_db *db, lw_err *err, long long rule_id, long long model_id,
                            long long environment_id, const char *severity, const char *state,
                            time_t at, double value, double threshold, const char *summary,
                            long long *id);
/* Moves alert id to `state` at `at`; value, threshold (NaN), summary and
 * severity (NULL) keep their old values when not given. */
int lw_db_eval_alert_update(lw_db *db, lw_err *err, long long id, const char *state, time_t at,
                            double value, double threshold, const char *summary,
                            const char *severity);
/* A transition of alert_id; *event_id gets its id. */
int lw_db_eval_event_insert(lw_db *db, lw_err *err, long long alert_id, time_t at,
                            const char *from, const char *to, double value, const char *message,
                            long long *event_id);
/* An open alert's rule and names, for resolving it when nothing evaluates
 * it any more: severity, send_resolved, rule, model (''), environment (''). */
PGresult *lw_db_eval_orphan(lw_db *db, lw_err *err, long long alert_id);
/* An alert's rule, model and environment names (NULL when none). */
PGresult *lw_db_eval_names(lw_db *db, lw_err *err, long long alert_id);
/* A firing critical alert, other than alert_id, on the same model and
 * environment: id, rule name (no row when there is none). */
PGresult *lw_db_eval_inhibitor(lw_db *db, lw_err *err, long long alert_id, long long model_id,
                               long long environment_id);
/* Records that alert_id was announced at `at`. */
int lw_db_eval_notified(lw_db *db, lw_err *err, long long alert_id, time_t at);

/* ---- the outbox written by an evaluation ---- */

/* What a notification says about the alert of event_id: alert id, rule
 * id, rule, runbook, model (''), environment (''), severity, value,
 * threshold, summary, fingerprint, started_at, fired_at, resolved_at
 * (RFC 3339 or NULL), from_state, to_state. */
PGresult *lw_db_eval_payload(lw_db *db, lw_err *err, long long event_id);
/* One outbox row for channel_id listing the events in event_ids (a text[]
 * literal of bigints, first_event the smallest): status "pending" or
 * "suppressed" (with reason), payload a JSON document; its idempotency
 * key derives from (first_event, channel). *id gets the row. */
int lw_db_eval_notification_insert(lw_db *db, lw_err *err, long long first_event,
                                   long long channel_id, const char *status, const char *payload,
                                   const char *group_key, long long count, const char *reason,
                                   const char *event_ids, long long *id);

/* ---- history for `llmwatch alerts` ---- */

/* Alert quality per rule over the `days` days before at: name, kind,
 * fired, acked, false positives, median duration in seconds (NULL), fired
 * again within flap_s of resolving, and suspects (not marked false
 * positive, resolved within short_s or flapping). */
PGresult *lw_db_eval_quality(lw_db *db, lw_err *err, time_t at, int days, int flap_s,
                             int short_s);
/* The alerts of rule_id that fired in (from, to]: model_id, environment_id,
 * fired_at, resolved_at (to when still open), false_positive. */
PGresult *lw_db_eval_labeled(lw_db *db, lw_err *err, long long rule_id, time_t from, time_t to);

#endif
