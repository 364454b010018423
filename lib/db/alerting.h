/* db_alerting_web.h: the SQL behind the alerting pages of llmwatch-web:
 * rules (list, form, save, enable, soft delete), alerts (filters,
 * acknowledge, false positive, timeline), silences, channels and routing,
 * and the audit log's before/after diff.
 *
 * Conventions (as lib/db_web.h): list functions return a result the caller
 * PQclear()s, or NULL with a message in err; columns are named for the
 * page's HDF; timestamps are formatted "YYYY-MM-DD HH:MM:SS UTC".
 * Every change is one SQL statement that also writes audit_log with the
 * row's to_jsonb() before and after, so the change and its record commit
 * together or not at all. Change functions return LW_OK, LW_ENOTFOUND (no
 * such row, or a config rule where only UI rules may change, or an edit
 * made on a stale copy), LW_ECONFLICT (a unique name is taken) or LW_EDB. */
#ifndef LW_DB_ALERTING_WEB_H
#define LW_DB_ALERTING_WEB_H

#include "db/db.h"

/* Who makes a change, for audit_log. user_id 0 for none. */
typedef struct {
    long long   user_id;
    const char *actor;      /* email or token name */
    const char *ip;         /* may be NULL */
} lw_dba_who;

/* ---- rules ---- */

/* Every live rule: id, name, kind, severity, expression, params (text),
 * summary (the kind's parameters for people), scope_models,
 * scope_environments (", "-joined), for_s, cooldown_s, enabled, source,
 * firing, pending (open alerts), last_fired; critical first, by name. */
PGresult *lw_dba_rules(lw_db *db, lw_err *err);

/* One live rule as the form needs it: the columns above plus
 * repeat_interval_s, send_resolved, runbook, scope_models_json and
 * scope_environments_json (JSON arrays), version (updated_at, exact, for
 * the stale-edit check). Zero rows when unknown or deleted. */
PGresult *lw_dba_rule_form(lw_db *db, lw_err *err, long long id);

/* The stored rule as a JSON object (to_jsonb of the row without
 * deleted_at): the body of the API's answer. Caller PQclear()s. */
PGresult *lw_dba_rule_json(lw_db *db, lw_err *err, long long id);

/* The columns lw_rule_from_row (rules.h) reads, for any rule (deleted
 * ones too: an alert's rule may be gone). Zero rows when unknown. */
PGresult *lw_dba_rule_model_row(lw_db *db, lw_err *err, long long id);

/* A rule as it is written to the table; every field is text as PostgreSQL
 * reads it (NULL = SQL NULL). */
typedef struct {
    const char *name, *kind, *expression, *params_json, *severity;
    const char *for_s, *cooldown_s, *repeat_interval_s;  /* integers */
    const char *send_resolved, *enabled;                  /* "true"/"false" */
    const char *scope_models, *scope_environments;        /* text[] literals */
    const char *runbook;
    const char *source;                                   /* "ui" or "api" */
} lw_dba_rule;

/* Inserts a rule; *id gets its id. LW_ECONFLICT when the name is taken
 * (by any rule, deleted ones included: names stay unique). */
int lw_dba_rule_create(lw_db *db, lw_err *err, const lw_dba_who *who,
                       const lw_dba_rule *rule, long long *id);
/* Replaces a UI/API rule's definition (source kept). `version` is the
 * `version` column the form was filled from: LW_ENOTFOUND when the rule
 * changed (or went) meanwhile, or is a config rule. */
int lw_dba_rule_update(lw_db *db, lw_err *err, const lw_dba_who *who, long long id,
                       const char *version, const lw_dba_rule *rule);
/* enabled = 0/1 on any live rule that is not from the config. */
int lw_dba_rule_set_enabled(lw_db *db, lw_err *err, const lw_dba_who *who, long long id,
                            int enabled);
/* Soft delete (deleted_at, enabled = false) of a live UI/API rule. */
int lw_dba_rule_delete(lw_db *db, lw_err *err, const lw_dba_who *who, long long id);

/* The choices of the scope lists: kind ('model' | 'environment'), name;
 * models that are not removed and every environment, by name. */
PGresult *lw_dba_scope_choices(lw_db *db, lw_err *err);

/* ---- alerts ---- */

/* Alerts, firing first, then pending, then resolved (newest first), each
 * filter optional (NULL or "", rule_id 0): state, severity, model name,
 * rule. Columns as lw_dbw_alerts plus rule_kind and duration. */
PGresult *lw_dba_alerts(lw_db *db, lw_err *err, const char *state, const char *severity,
                        const char *model, long long rule_id, int limit);
/* Model names that have alerts (for the filter). */
PGresult *lw_dba_alert_models(lw_db *db, lw_err *err);
/* One alert with its rule's runbook, rule_deleted, the model and
 * environment_id and the epoch of started/resolved (started_epoch,
 * end_epoch: resolved or now). Zero rows when unknown. */
PGresult *lw_dba_alert(lw_db *db, lw_err *err, long long id);
/* The timeline: state changes (alert_events) and what people did
 * (audit_log rows of the alert), oldest first: at, kind ('state' |
 * 'action'), from_state, to_state, value, message, actor. */
PGresult *lw_dba_alert_timeline(lw_db *db, lw_err *err, long long id);
/* Notifications of the alert, grouped ones included (notification_events):
 * channel, channel_type, kind, status, attempts, last_error,
 * suppressed_reason, alert_count, event (the transition: firing,
 * resolved...), created, sent, last_attempt, next_attempt; oldest first. */
PGresult *lw_dba_alert_notifications(lw_db *db, lw_err *err, long long id);
/* Acknowledges (once; LW_ENOTFOUND when unknown or already acknowledged). */
int lw_dba_alert_ack(lw_db *db, lw_err *err, const lw_dba_who *who, long long id);
/* Sets false_positive to `value` (0/1). */
int lw_dba_alert_false_positive(lw_db *db, lw_err *err, const lw_dba_who *who, long long id,
                                int value);

/* ---- silences ---- */

/* Every silence with status: 'active' (now inside it; a recurring window
 * that is open now), 'recurring' (recurring, closed now), 'upcoming',
 * 'expired'; matchers for people, each matcher too (m_rule, m_model,
 * m_environment, m_severity); active first, then upcoming, recurring,
 * expired; 500 at most. */
PGresult *lw_dba_silences(lw_db *db, lw_err *err);

typedef struct {
    const char *matchers_json;  /* {"rule":..,"model":..} only keys given */
    const char *starts_at;      /* timestamptz text, NULL = now */
    const char *ends_at;        /* timestamptz text, or NULL with duration_s */
    const char *duration_s;     /* one-off: length from start; recurring: window length */
    const char *recurrence;     /* NULL for a one-off silence */
    const char *comment;
} lw_dba_silence;

/* Creates a silence. A recurring one runs from starts_at until ends_at
 * (NULL: for ten years). */
int lw_dba_silence_create(lw_db *db, lw_err *err, const lw_dba_who *who,
                          const lw_dba_silence *s, long long *id);
/* Expires a silence now (LW_ENOTFOUND when unknown or already expired). */
int lw_dba_silence_expire(lw_db *db, lw_err *err, const lw_dba_who *who, long long id);

/* ---- channels and routing ---- */

/* Channels with settings masked in SQL (a ${VAR} reference is shown as
 * written, anything else as bullets), enabled, source, severities, and
 * deliveries over the last 24 hours: sent_24h, failed_24h, pending,
 * last_sent, and route_critical/route_warning/route_info (booleans). */
PGresult *lw_dba_channels(lw_db *db, lw_err *err);
/* Replaces the whole routing table: `routes` is a JSON object
 * {"critical":[channel ids...],"warning":[...],"info":[...]} (ids of
 * unknown channels are ignored). Audit: before and after as
 * {"critical":["name",...],...}. */
int lw_dba_routing_set(lw_db *db, lw_err *err, const lw_dba_who *who, const char *routes_json);

/* ---- audit ---- */

/* The keys that differ between before and after of audit rows with ids in
 * [min_id, max_id]: audit_id, key, before_value, after_value (text:
 * strings unquoted, other JSON as written; NULL when absent). updated_at
 * is left out. */
PGresult *lw_dba_audit_changes(lw_db *db, lw_err *err, long long min_id, long long max_id);

#endif
