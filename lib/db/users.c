/* users.c: the SQL of users, sessions and API tokens (see users.h). */
#include "db/users.h"

#include <stdio.h>

#include "db/sql.h"

/* The roles, least first (auth.h's order). */
#define ROLE_ORDER "ARRAY['viewer', 'compliance', 'editor', 'admin']"

/* The stored form of a token: hex SHA-256, computed by the server. */
#define TOKEN_HASH(p) "encode(sha256(convert_to(" p ", 'UTF8')), 'hex')"

PGresult *
lw_db_users_by_email(lw_db *db, lw_err *err, const char *email)
{
    return lw_db_query_text(db, err,
        "SELECT id, email, role, password_hash, disabled FROM users"
        " WHERE lower(email) = lower($1)", email);
}

int
lw_db_users_create(lw_db *db, lw_err *err, const char *email, const char *role,
                   const char *password_hash, long long *id)
{
    const char *p[3] = { email, role, password_hash };

    return lw_db_value(db, err,
        "INSERT INTO users (email, role, password_hash) VALUES ($1, $2, $3)"
        " RETURNING id", 3, p, id);
}

PGresult *
lw_db_users_list(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT u.id, u.email, u.role, u.disabled, " TS("u.created_at") " AS created,"
        " " TS("u.last_login_at") " AS last_login,"
        " (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > now()) AS sessions"
        " FROM users u ORDER BY u.disabled, lower(u.email)", 0, NULL);
}

/* Changes a user found by email and ends their sessions; $1 is the email. */
#define USER_CHANGE(set) \
    "WITH u AS (UPDATE users SET " set " WHERE lower(email) = lower($1)" \
    " RETURNING id), s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u))" \
    " SELECT 1 FROM u"

int
lw_db_users_set_password(lw_db *db, lw_err *err, const char *email, const char *hash)
{
    const char *p[2] = { email, hash };

    return lw_db_exec(db, err, USER_CHANGE("password_hash = $2"), 2, p);
}

int
lw_db_users_disable(lw_db *db, lw_err *err, const char *email)
{
    return lw_db_exec_text(db, err, USER_CHANGE("disabled = true"), email);
}

int
lw_db_users_logged_in(lw_db *db, lw_err *err, long long user_id)
{
    /* the user's expired sessions go at the same time: no sweeper needed */
    return lw_db_exec_ints(db, err,
        "WITH d AS (DELETE FROM sessions WHERE user_id = $1::int AND expires_at < now())"
        " UPDATE users SET last_login_at = now() WHERE id = $1::int", 1, &user_id);
}

/* ---- /admin/users: audited changes by id ---- */

/* A user row as the audit keeps it: without its password hash. */
#define USER_J(u) "(to_jsonb(" u ") - 'password_hash')"
/* The enabled admins, locked, and the user $4 as it was: two admins
 * demoting each other at once cannot both succeed (the second sees the
 * first's change once it gets the lock). */
#define USER_OLD \
    "WITH admins AS (SELECT id FROM users WHERE role = 'admin' AND NOT disabled FOR UPDATE)," \
    " old AS (SELECT " USER_J("u") " AS j FROM users u WHERE u.id = $4::int FOR UPDATE),"
/* The change leaves an enabled admin: users is not one, or not the last. */
#define KEEPS_AN_ADMIN \
    "(users.role <> 'admin' OR users.disabled" \
    " OR EXISTS (SELECT 1 FROM admins WHERE admins.id <> $4::int))"

PGresult *
lw_db_users_get(lw_db *db, lw_err *err, long long id)
{
    return lw_db_query_id(db, err,
        "SELECT id, email, role, disabled,"
        " (SELECT count(*) FROM users a WHERE a.role = 'admin' AND NOT a.disabled) AS active_admins"
        " FROM users WHERE id = $1::int", id);
}

int
lw_db_users_set_disabled(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                         int disabled)
{
    return lw_db_audit_change_row(db, err, who, id, disabled != 0, USER_OLD
        " up AS (UPDATE users SET disabled = $5::boolean FROM old"
        "  WHERE users.id = $4::int AND users.disabled <> $5::boolean"
        "   AND (NOT $5::boolean OR " KEEPS_AN_ADMIN ")"
        "  RETURNING users.id, " USER_J("users") " AS j),"
        " s AS (DELETE FROM sessions WHERE $5::boolean AND user_id IN (SELECT id FROM up))"
        AUDIT_FROM_UP("CASE WHEN $5::boolean THEN 'disable' ELSE 'enable' END", "user"));
}

int
lw_db_users_set_role(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                     const char *role)
{
    return lw_db_audit_change_with(db, err, who, id, NULL, USER_OLD
        " up AS (UPDATE users SET role = $5 FROM old"
        "  WHERE users.id = $4::int AND users.role <> $5 AND ($5 = 'admin' OR " KEEPS_AN_ADMIN ")"
        "  RETURNING users.id, " USER_J("users") " AS j)"
        AUDIT_FROM_UP("'role'", "user"), 1, role);
}

int
lw_db_users_set_hash(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                     const char *hash, const char *action)
{
    return lw_db_audit_change_with(db, err, who, id, NULL,
        "WITH old AS (SELECT " USER_J("u") " AS j FROM users u WHERE u.id = $4::int FOR UPDATE),"
        " up AS (UPDATE users SET password_hash = $5 FROM old WHERE users.id = $4::int"
        "  RETURNING users.id, " USER_J("users") " || '{\"password\": \"changed\"}' AS j),"
        " s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM up))"
        AUDIT_FROM_UP("$6", "user"), 2, hash, action);
}

/* ---- sessions ---- */

int
lw_db_users_session_create(lw_db *db, lw_err *err, const char *token, long long user_id,
                           const char *csrf, const char *ip, const char *user_agent)
{
    char id[24];
    const char *p[5] = { token, LL(id, user_id), csrf, ip, user_agent };

    return lw_db_run(db, err,
        "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, ip, user_agent)"
        " VALUES (" TOKEN_HASH("$1") ", $2::int, $3, now() + interval '12 hours', $4,"
        " left($5, 300))", 5, p);
}

PGresult *
lw_db_users_by_session(lw_db *db, lw_err *err, const char *token, long long lifetime_s)
{
    char life[24];
    const char *p[2] = { token, LL(life, lifetime_s) };

    return lw_db_query(db, err,
        "WITH hit AS (SELECT s.token_hash, s.last_seen_at, s.csrf_token, u.id, u.email, u.role"
        "   FROM sessions s JOIN users u ON u.id = s.user_id"
        "  WHERE s.token_hash = " TOKEN_HASH("$1") " AND s.expires_at > now() AND NOT u.disabled"
        "    AND s.created_at > now() - make_interval(secs => $2::bigint)),"
        " touch AS (UPDATE sessions SET last_seen_at = now(),"
        "   expires_at = least(now() + interval '12 hours', created_at + make_interval(secs => $2::bigint))"
        "  WHERE token_hash = (SELECT token_hash FROM hit)"
        "    AND last_seen_at < now() - interval '1 minute')"
        " SELECT id, email, role, csrf_token FROM hit", 2, p);
}

int
lw_db_users_session_delete(lw_db *db, lw_err *err, const char *token)
{
    return lw_db_exec_text(db, err,
        "DELETE FROM sessions WHERE token_hash = " TOKEN_HASH("$1"), token);
}

int
lw_db_users_sessions_end(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long user_id)
{
    const char *p[4];
    lw_db_audit_room room;

    lw_db_audit_params(who, user_id, &room, p);
    return (int) lw_db_count(db, err,
        "WITH d AS (DELETE FROM sessions WHERE user_id = $4::int RETURNING 1),"
        " a AS (INSERT INTO audit_log (user_id, actor, action, object_type, object_id, after, ip)"
        "  SELECT $1::int, $2, 'logout_all', 'session', $4, jsonb_build_object('sessions', count(*)), $3"
        "  FROM d)"
        " SELECT count(*) FROM d", 4, p);
}

PGresult *
lw_db_users_sessions(lw_db *db, lw_err *err, long long user_id, const char *token)
{
    return lw_db_query_id_text(db, err,
        "SELECT " TS("created_at") " AS created, " TS("last_seen_at") " AS last_seen,"
        " " TS("expires_at") " AS expires, ip, user_agent,"
        " token_hash = " TOKEN_HASH("$2") " AS current"
        " FROM sessions WHERE user_id = $1::int AND expires_at > now()"
        " ORDER BY created_at DESC LIMIT 100", user_id, token);
}

/* ---- failed logins ---- */

/* The policy (see users.h): free failures, then 2^(n - free) seconds up to
 * a bound; per address 5 free and 15 minutes at most, per account 10 free
 * and 5 minutes at most. */
#define FREE(scope)  "(CASE " scope " WHEN 'address' THEN 5 ELSE 10 END)"
#define BOUND(scope) "(CASE " scope " WHEN 'address' THEN 900 ELSE 300 END)"
/* The keys of $1 (address) and $2 (email). */
#define THROTTLE_KEYS \
    "(VALUES ('address', left(coalesce($1, 'unknown'), 64))," \
    " ('account', " TOKEN_HASH("lower($2)") ")) AS k(scope, key)"

int
lw_db_users_throttle_check(lw_db *db, lw_err *err, const char *addr, const char *email,
                           int *retry_s, const char **scope)
{
    const char *p[2] = { addr, email };
    PGresult *res = lw_db_query(db, err,
        "SELECT t.scope, ceil(extract(epoch FROM t.blocked_until - now()))::int"
        " FROM login_throttle t JOIN " THROTTLE_KEYS " ON k.scope = t.scope AND k.key = t.key"
        " WHERE t.blocked_until > now() ORDER BY t.blocked_until DESC LIMIT 1", 2, p);

    *retry_s = 0;
    *scope = "address";
    if (res == NULL)
        return LW_EDB;
    if (PQntuples(res) == 1) {
        *scope = lw_streq(lw_db_str(res, 0, 0), "account") ? "account" : "address";
        *retry_s = (int) lw_db_int(res, 0, 1);
        if (*retry_s < 1)
            *retry_s = 1;
    }
    PQclear(res);
    return LW_OK;
}

/* A row's failures once this one is counted: they start again after an
 * hour without any. */
#define NEW_FAILURES \
    "(CASE WHEN t.last_at < now() - interval '1 hour' THEN 1" \
    " ELSE least(t.failures, 1000000) + 1 END)"

PGresult *
lw_db_users_throttle_fail(lw_db *db, lw_err *err, const char *addr, const char *email)
{
    const char *p[2] = { addr, email };

    if (lw_db_exec(db, err, "DELETE FROM login_throttle WHERE last_at < now() - interval '1 day'",
                   0, NULL) < 0)
        return NULL;
    return lw_db_query(db, err,
        "INSERT INTO login_throttle AS t (scope, key, failures, last_at)"
        " SELECT scope, key, 1, now() FROM " THROTTLE_KEYS
        " ON CONFLICT (scope, key) DO UPDATE SET failures = " NEW_FAILURES ", last_at = now(),"
        "  blocked_until = CASE WHEN " NEW_FAILURES " > " FREE("t.scope") " THEN now()"
        "   + make_interval(secs => least(power(2, least(" NEW_FAILURES " - " FREE("t.scope") ", 30)),"
        "                                 " BOUND("t.scope") ")) END"
        " RETURNING t.scope, t.failures,"
        "  ceil(extract(epoch FROM t.blocked_until - now()))::int AS retry_s", 2, p);
}

int
lw_db_users_throttle_clear(lw_db *db, lw_err *err, const char *email)
{
    const char *p[2] = { NULL, email };

    return lw_db_run(db, err,
        "DELETE FROM login_throttle t USING " THROTTLE_KEYS
        " WHERE k.scope = 'account' AND t.scope = k.scope AND t.key = k.key", 2, p);
}

/* ---- API tokens ---- */

PGresult *
lw_db_users_by_api_token(lw_db *db, lw_err *err, const char *token)
{
    return lw_db_query_text(db, err,
        "UPDATE api_tokens t SET last_used_at = now() FROM users u"
        " WHERE t.token_hash = " TOKEN_HASH("$1") " AND t.revoked_at IS NULL"
        "   AND u.id = t.user_id AND NOT u.disabled"
        " RETURNING t.user_id, u.email,"
        /* never more than its user has now (a demoted user's tokens follow) */
        "  CASE WHEN array_position(" ROLE_ORDER ", t.role) <= array_position(" ROLE_ORDER ", u.role)"
        "   THEN t.role ELSE u.role END AS role, t.name", token);
}

int
lw_db_users_api_token_create(lw_db *db, lw_err *err, long long user_id, const char *name,
                             const char *role, const char *token, long long *id)
{
    char uid[24];
    const char *p[4] = { LL(uid, user_id), name, role, token };

    return lw_db_value(db, err,
        "INSERT INTO api_tokens (user_id, name, role, token_hash)"
        " VALUES ($1::int, $2, $3, " TOKEN_HASH("$4") ") RETURNING id", 4, p, id);
}
