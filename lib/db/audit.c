/* audit.c: the audit log (see audit.h) and the helpers that make every
 * change of lib/db one audited statement (see AUDIT_FROM_UP in sql.h). */
#include "db/audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "db/sql.h"

void
lw_db_audit_params(const lw_db_audit_who *who, long long id, lw_db_audit_room *room,
                   const char **p)
{
    p[0] = who->user_id > 0 ? LL(room->uid, who->user_id) : NULL;
    p[1] = who->actor ? who->actor : "unknown";
    p[2] = who->ip;
    p[3] = LL(room->id, id);
}

int
lw_db_audit_change(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p,
                   long long *id)
{
    PGresult *res = lw_db_query(db, err, sql, n, p);

    if (res == NULL)
        return lw_db_last_was_conflict(db) ? LW_ECONFLICT : LW_EDB;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return LW_ENOTFOUND;
    }
    if (id != NULL)
        *id = strtoll(lw_db_str(res, 0, 0) ? lw_db_str(res, 0, 0) : "0", NULL, 10);
    PQclear(res);
    return LW_OK;
}

int
lw_db_audit_change_row(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                       int flag, const char *sql)
{
    const char *p[5];
    lw_db_audit_room room;

    lw_db_audit_params(who, id, &room, p);
    p[4] = flag ? "true" : "false";
    return lw_db_audit_change(db, err, sql, flag < 0 ? 4 : 5, p, NULL);
}

int
lw_db_audit_change_with(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                        long long *new_id, const char *sql, int n, ...)
{
    const char *p[9];
    lw_db_audit_room room;
    va_list ap;
    int i;

    if (n < 0 || n > 5) {
        lw_err_set(err, "lw_db_audit_change_with: %d values", n);
        return LW_EINVAL;
    }
    lw_db_audit_params(who, id, &room, p);
    va_start(ap, n);
    for (i = 0; i < n; i++)
        p[4 + i] = va_arg(ap, const char *);
    va_end(ap);
    return lw_db_audit_change(db, err, sql, 4 + n, p, new_id);
}

int
lw_db_audit_add(lw_db *db, lw_err *err, long long user_id, const char *actor,
                const char *action, const char *object_type, const char *object_id,
                const char *before_json, const char *after_json, const char *ip)
{
    char uid[24];
    const char *p[8] = { user_id > 0 ? LL(uid, user_id) : NULL, actor, action, object_type,
                         object_id, before_json, after_json, ip };

    return lw_db_run(db, err,
        "INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before, after, ip)"
        " VALUES ($1::int, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)", 8, p);
}

PGresult *
lw_db_audit_list(lw_db *db, lw_err *err, long long before_id, int limit)
{
    return lw_db_query_id_limit(db, err,
        "SELECT id, " TS("at") " AS at, actor, action, object_type, object_id,"
        " before::text AS before, after::text AS after, ip"
        " FROM audit_log WHERE ($1::bigint IS NULL OR id < $1::bigint)"
        " ORDER BY id DESC LIMIT $2::int", before_id, 1, limit);
}

/* One side of a changed key for people: JSON null as SQL NULL, strings
 * unquoted, timestamps as everywhere else, user ids as their email. */
#define AUDIT_VALUE(side) \
    "CASE WHEN jsonb_typeof(" side " -> k.key) = 'null' THEN NULL" \
    " WHEN k.key IN ('acknowledged_by', 'created_by', 'user_id') AND jsonb_typeof(" side " -> k.key) = 'number'" \
    "  THEN coalesce((SELECT u.email FROM users u WHERE u.id = (" side " ->> k.key)::int), " side " ->> k.key)" \
    " WHEN jsonb_typeof(" side " -> k.key) = 'string' AND (" side " ->> k.key)" \
    "  ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?\\+00:00$'" \
    "  THEN " TS("(" side " ->> k.key)::timestamptz") \
    " WHEN jsonb_typeof(" side " -> k.key) = 'string' THEN " side " ->> k.key" \
    " ELSE (" side " -> k.key)::text END"

PGresult *
lw_db_audit_changes(lw_db *db, lw_err *err, long long min_id, long long max_id)
{
    const long long range[2] = { min_id, max_id };

    return lw_db_query_ints(db, err,
        "SELECT l.id AS audit_id, k.key, " AUDIT_VALUE("l.before") " AS before_value,"
        " " AUDIT_VALUE("l.after") " AS after_value"
        " FROM audit_log l CROSS JOIN LATERAL ("
        "  SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(l.before) = 'object' THEN l.before"
        "   ELSE '{}' END) AS key"
        "  UNION SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(l.after) = 'object' THEN l.after"
        "   ELSE '{}' END)) k"
        " WHERE l.id BETWEEN $1::bigint AND $2::bigint AND k.key NOT IN ('id', 'updated_at')"
        "  AND (l.before -> k.key) IS DISTINCT FROM (l.after -> k.key)"
        "  AND NOT (l.before IS NULL AND l.after -> k.key = 'null'::jsonb)"
        " ORDER BY l.id, k.key", 2, range);
}
