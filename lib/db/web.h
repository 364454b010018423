/* db_web.h: the SQL behind the web pages and the `user` command: users,
 * sessions, API tokens, the audit log, and one read per page. Every list
 * function returns a result the caller PQclear()s (NULL and a message in
 * err on failure); its columns are named for the page's HDF (see
 * docs/web.md): timestamps come formatted "YYYY-MM-DD HH:MM:SS UTC",
 * booleans as booleans, durations as *_ms numbers. */
#ifndef LW_DB_WEB_H
#define LW_DB_WEB_H

#include "db/db.h"

/* ---- users ---- */
/* id, email, role, password_hash, disabled (one row or none). */
PGresult *lw_dbw_user_by_email(lw_db *db, lw_err *err, const char *email);
/* Inserts a user; *id gets the new id. LW_ECONFLICT when the email is
 * taken (case-insensitively). */
int lw_dbw_user_create(lw_db *db, lw_err *err, const char *email,
                       const char *role, const char *password_hash, long long *id);
/* id, email, role, disabled, created, last_login, sessions (open ones). */
PGresult *lw_dbw_users(lw_db *db, lw_err *err);
/* Rows changed (0: no such user) or a negative LW_E*. Changing the
 * password or disabling a user also ends their sessions. */
int lw_dbw_user_set_password(lw_db *db, lw_err *err, const char *email, const char *hash);
int lw_dbw_user_disable(lw_db *db, lw_err *err, const char *email);
int lw_dbw_user_logged_in(lw_db *db, lw_err *err, long long user_id);

/* ---- sessions and API tokens (only SHA-256 hashes are stored) ---- */
int lw_dbw_session_create(lw_db *db, lw_err *err, const char *token, long long user_id,
                          const char *csrf, const char *ip, const char *user_agent);
/* id, email, role, csrf_token for a live session of an enabled user;
 * slides the 12 h expiry (at most once a minute). Zero rows: no session. */
PGresult *lw_dbw_session_user(lw_db *db, lw_err *err, const char *token);
int lw_dbw_session_delete(lw_db *db, lw_err *err, const char *token);
/* user_id, name, role for an unrevoked token of an enabled user. */
PGresult *lw_dbw_api_token_user(lw_db *db, lw_err *err, const char *token);
int lw_dbw_api_token_create(lw_db *db, lw_err *err, long long user_id, const char *name,
                            const char *role, const char *token, long long *id);

/* ---- audit log ---- */
/* user_id 0 for none; before/after are JSON texts or NULL. */
int lw_dbw_audit(lw_db *db, lw_err *err, long long user_id, const char *actor,
                 const char *action, const char *object_type, const char *object_id,
                 const char *before_json, const char *after_json, const char *ip);
/* id, at, actor, action, object_type, object_id, before, after, ip: newest
 * first, `limit` rows with id < before_id (0: from the newest). */
PGresult *lw_dbw_audit_list(lw_db *db, lw_err *err, long long before_id, int limit);

/* ---- pages ---- */
int lw_dbw_ping(lw_db *db, lw_err *err);
/* Enabled models with environment, latest probe (last_*) and the last
 * hour (hour_*), ordered by environment, priority, name. */
PGresult *lw_dbw_models_overview(lw_db *db, lw_err *err);
/* One model (any state) with its environment; zero rows when unknown. */
PGresult *lw_dbw_model(lw_db *db, lw_err *err, long long id);
/* The model's last `limit` probes, newest first. */
PGresult *lw_dbw_model_probes(lw_db *db, lw_err *err, long long id, int limit);
/* Firing first, then pending, then resolved newest first. */
PGresult *lw_dbw_alerts(lw_db *db, lw_err *err, int limit);
PGresult *lw_dbw_alert(lw_db *db, lw_err *err, long long id);
PGresult *lw_dbw_alert_events(lw_db *db, lw_err *err, long long id);
/* Notifications: of one alert (alert_id > 0) or the failed ones (0). */
PGresult *lw_dbw_notifications(lw_db *db, lw_err *err, long long alert_id, int limit);
PGresult *lw_dbw_rules(lw_db *db, lw_err *err);
PGresult *lw_dbw_rule(lw_db *db, lw_err *err, long long id);
PGresult *lw_dbw_silences(lw_db *db, lw_err *err);
/* Settings are masked in SQL: ${VAR} references shown, anything else
 * replaced by bullets; the secrets never reach the web process. */
PGresult *lw_dbw_channels(lw_db *db, lw_err *err);
PGresult *lw_dbw_budgets(lw_db *db, lw_err *err);
/* Per model over the last 30 days: availability, p95 vs SLA target. */
PGresult *lw_dbw_sla(lw_db *db, lw_err *err);
PGresult *lw_dbw_reports(lw_db *db, lw_err *err, int limit);
/* format, content (bytea, text form), created for one report. */
PGresult *lw_dbw_report_content(lw_db *db, lw_err *err, long long id);
/* /metrics: latest probe per enabled model, and errors by class over the
 * last hour. */
PGresult *lw_dbw_metrics_models(lw_db *db, lw_err *err);
PGresult *lw_dbw_metrics_errors(lw_db *db, lw_err *err);

#endif
