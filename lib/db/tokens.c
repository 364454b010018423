/* tokens.c: the SQL of /admin/tokens (see tokens.h). */
#include "db/tokens.h"

#include <stdio.h>

#include "db/sql.h"

#define ROLE_ORDER "ARRAY['viewer', 'compliance', 'editor', 'admin']"
#define TOKEN_HASH(p) "encode(sha256(convert_to(" p ", 'UTF8')), 'hex')"
/* a token as the audit log keeps it: never its hash */
#define TOKEN_JSON(t) "jsonb_build_object('name', " t ".name, 'user_id', " t ".user_id," \
                      " 'role', " t ".role, 'revoked_at', " t ".revoked_at)"

PGresult *
lw_db_tokens_list(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT t.id, t.name, u.email, t.role,"
        " CASE WHEN array_position(" ROLE_ORDER ", t.role) <= array_position(" ROLE_ORDER ", u.role)"
        "   THEN t.role ELSE u.role END AS effective_role, u.disabled,"
        " " TS("t.created_at") " AS created, " TS("t.last_used_at") " AS last_used,"
        " " TS("t.revoked_at") " AS revoked"
        " FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC, t.id DESC", 0, NULL);
}

PGresult *
lw_db_tokens_users(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT id, email, role FROM users WHERE NOT disabled ORDER BY lower(email)", 0, NULL);
}

int
lw_db_tokens_create(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long user_id,
                    const char *name, const char *role, const char *token, long long *id)
{
    /* $4 is the token's user */
    return lw_db_audit_change_with(db, err, who, user_id, id,
        "WITH old AS (SELECT NULL::jsonb AS j),"
        " up AS (INSERT INTO api_tokens (user_id, name, role, token_hash)"
        "   SELECT u.id, $5, $6, " TOKEN_HASH("$7") " FROM users u"
        "   WHERE u.id = $4::int AND NOT u.disabled"
        "     AND array_position(" ROLE_ORDER ", $6) <= array_position(" ROLE_ORDER ", u.role)"
        "   RETURNING id, " TOKEN_JSON("api_tokens") " AS j)"
        AUDIT_FROM_UP("'create'", "api_token"), 3, name, role, token);
}

int
lw_db_tokens_revoke(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id)
{
    return lw_db_audit_change_with(db, err, who, id, NULL,
        "WITH old AS (SELECT " TOKEN_JSON("t") " AS j FROM api_tokens t"
        "   WHERE t.id = $4::int AND t.revoked_at IS NULL FOR UPDATE),"
        " up AS (UPDATE api_tokens t SET revoked_at = now() FROM old"
        "   WHERE t.id = $4::int AND t.revoked_at IS NULL"
        "   RETURNING t.id, " TOKEN_JSON("t") " AS j)"
        AUDIT_FROM_UP("'revoke'", "api_token"), 0);
}
