/* users.h: the SQL of people and how they prove who they are: users,
 * browser sessions and API tokens. Sessions and tokens are stored only as
 * their SHA-256 (computed by PostgreSQL from the token given), so the
 * database never holds a usable credential.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Timestamps come formatted "YYYY-MM-DD HH:MM:SS UTC". */
#ifndef LW_DB_USERS_H
#define LW_DB_USERS_H

#include "db/audit.h"
#include "db/db.h"

/* id, email, role, password_hash, disabled (one row or none); the email
 * is matched case-insensitively. */
PGresult *lw_db_users_by_email(lw_db *db, lw_err *err, const char *email);
/* Inserts a user; *id gets the new id. LW_ECONFLICT when the email is
 * taken (case-insensitively), LW_EDB. */
int lw_db_users_create(lw_db *db, lw_err *err, const char *email,
                       const char *role, const char *password_hash, long long *id);
/* id, email, role, disabled, created, last_login, sessions (open ones);
 * enabled users first, by email. */
PGresult *lw_db_users_list(lw_db *db, lw_err *err);
/* Rows changed (0: no such user) or a negative LW_E*. Changing the
 * password or disabling a user also ends their sessions. */
int lw_db_users_set_password(lw_db *db, lw_err *err, const char *email, const char *hash);
int lw_db_users_disable(lw_db *db, lw_err *err, const char *email);
/* Records a login (last_login_at) and drops the user's expired sessions. */
int lw_db_users_logged_in(lw_db *db, lw_err *err, long long user_id);

/* One user by id: id, email, role, disabled, active_admins (how many
 * enabled admins there are). Zero rows when unknown. */
PGresult *lw_db_users_get(lw_db *db, lw_err *err, long long id);
/* Changes of /admin/users, each one audited statement (the user row
 * before and after, never its password hash). LW_OK, LW_ENOTFOUND when
 * the user is unknown or nothing would change or the change would leave
 * no enabled admin (lw_db_users_get tells which), LW_EDB. Disabling ends
 * the user's sessions. */
int lw_db_users_set_disabled(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                             int disabled);
int lw_db_users_set_role(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                         const char *role);
/* A new password hash; `action` is what the audit says ("reset_password"
 * for a generated one, "set_password"). Ends the user's sessions. */
int lw_db_users_set_hash(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                         const char *hash, const char *action);

/* ---- sessions: 12 hours, sliding, within an absolute lifetime ---- */

/* LW_OK or LW_EDB. */
int lw_db_users_session_create(lw_db *db, lw_err *err, const char *token, long long user_id,
                               const char *csrf, const char *ip, const char *user_agent);
/* id, email, role, csrf_token for a live session of an enabled user that
 * began less than lifetime_s ago; slides the 12 h expiry (at most once a
 * minute), never past that lifetime. Zero rows: no session. */
PGresult *lw_db_users_by_session(lw_db *db, lw_err *err, const char *token, long long lifetime_s);
/* Rows deleted or LW_EDB. */
int lw_db_users_session_delete(lw_db *db, lw_err *err, const char *token);
/* Ends every session of a user ("log out everywhere"), audited as
 * `logout_all` with the number ended; who says who did it. The number of
 * sessions ended, or LW_EDB. */
int lw_db_users_sessions_end(lw_db *db, lw_err *err, const lw_db_audit_who *who,
                             long long user_id);
/* A user's live sessions, newest first: created, last_seen, expires, ip,
 * user_agent, current (the one of `token`). */
PGresult *lw_db_users_sessions(lw_db *db, lw_err *err, long long user_id, const char *token);

/* ---- failed logins: throttled per client address and per account ---- */

/* How long a login from addr as email must wait: *retry_s gets the
 * seconds left of the longer delay (0: none) and *scope "address" or
 * "account" (static). LW_OK or LW_EDB. */
int lw_db_users_throttle_check(lw_db *db, lw_err *err, const char *addr, const char *email,
                               int *retry_s, const char **scope);
/* Counts a failed login for addr and for email (case-insensitively, by its
 * hash: any text is a key) and sets the delay it earns: none for the first
 * few, then doubling up to a bound, the address's sooner and longer than
 * the account's (an attacker at one address is stopped before a user's
 * account is slowed down, and no one can lock an account for more than a
 * few minutes at a time). Counts start again after an hour without
 * failure. One row per scope: scope, failures, retry_s (NULL: no delay).
 * Rows untouched for a day are dropped on the way. */
PGresult *lw_db_users_throttle_fail(lw_db *db, lw_err *err, const char *addr, const char *email);
/* A successful login: the account's count starts again. LW_OK or LW_EDB. */
int lw_db_users_throttle_clear(lw_db *db, lw_err *err, const char *email);

/* ---- API tokens ---- */

/* user_id, email (the user's), role (the token's), name (the token's)
 * for an unrevoked token of an enabled user (and records its use). Zero
 * rows: no such token. */
PGresult *lw_db_users_by_api_token(lw_db *db, lw_err *err, const char *token);
/* Stores a new token (its hash); *id gets its id. LW_ECONFLICT when the
 * same token is stored already, LW_EDB. */
int lw_db_users_api_token_create(lw_db *db, lw_err *err, long long user_id, const char *name,
                                 const char *role, const char *token, long long *id);

#endif
