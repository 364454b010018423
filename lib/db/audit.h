/* audit.h: the audit log: who changed what, with the row before and after
 * as JSON. Changes made through lib/db (rules, alerts, silences, routing)
 * write their audit row in the same statement as the change, so the change
 * and its record commit together or not at all; lw_db_audit_add is for
 * events without a row of their own (logins, user administration).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_AUDIT_H
#define LW_DB_AUDIT_H

#include "db/db.h"

/* Who makes a change. Strings are borrowed. */
typedef struct {
    long long   user_id;    /* 0 for none */
    const char *actor;      /* email or token name */
    const char *ip;         /* may be NULL */
} lw_db_audit_who;

/* Adds a row; user_id 0 for none; before/after are JSON texts or NULL.
 * LW_OK or LW_EDB. */
int lw_db_audit_add(lw_db *db, lw_err *err, long long user_id, const char *actor,
                    const char *action, const char *object_type, const char *object_id,
                    const char *before_json, const char *after_json, const char *ip);

/* id, at, actor, action, object_type, object_id, before, after, ip: newest
 * first, `limit` rows with id < before_id (0: from the newest). */
PGresult *lw_db_audit_list(lw_db *db, lw_err *err, long long before_id, int limit);

/* The keys that differ between before and after of audit rows with ids in
 * [min_id, max_id]: audit_id, key, before_value, after_value (text:
 * strings unquoted, timestamps as everywhere else, user ids as emails,
 * other JSON as written; NULL when absent). id and updated_at are left
 * out. */
PGresult *lw_db_audit_changes(lw_db *db, lw_err *err, long long min_id, long long max_id);

#endif
