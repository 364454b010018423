/* tokens.h: the SQL of /admin/tokens: API tokens as admins see and
 * manage them (stored as their SHA-256 only; their role is at most their
 * user's, and follows the user down when the user is demoted). Every
 * creation and revocation is audited.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Timestamps come formatted "YYYY-MM-DD HH:MM:SS UTC". */
#ifndef LW_DB_TOKENS_H
#define LW_DB_TOKENS_H

#include "db/audit.h"
#include "db/db.h"

/* id, name, email (its user), role (the token's), effective_role (what it
 * may do now), created, last_used (NULL: never), revoked (NULL: live);
 * live tokens first, newest first. */
PGresult *lw_db_tokens_list(lw_db *db, lw_err *err);
/* Users who may hold a token: id, email, role; enabled ones, by email. */
PGresult *lw_db_tokens_users(lw_db *db, lw_err *err);
/* Stores a token (its hash) for user_id with `role`, audited. LW_OK (*id
 * set), LW_ENOTFOUND when the user is unknown, disabled or has a lower
 * role than `role`, LW_EDB. */
int lw_db_tokens_create(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long user_id,
                        const char *name, const char *role, const char *token, long long *id);
/* Revokes token id, audited. LW_OK, LW_ENOTFOUND (unknown or already
 * revoked), LW_EDB. */
int lw_db_tokens_revoke(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id);

#endif
