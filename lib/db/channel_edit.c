/* channel_edit.c: the SQL of channels edited in the web interface (see
 * channel_edit.h). */
#include "db/channel_edit.h"

#include <stdio.h>

#include "db/sql.h"

PGresult *
lw_db_channel_edit_get(lw_db *db, lw_err *err, long long id)
{
    return lw_db_query_id(db, err,
        "SELECT id, name, type, settings::text, severities::text, enabled, source"
        " FROM channels WHERE id = $1::int", id);
}

int
lw_db_channel_edit_save(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                        const lw_db_channel_def *c, long long *new_id)
{
    /* $4 is the channel, none for a new one */
    return lw_db_audit_change_with(db, err, who, id, id <= 0 ? new_id : NULL, id <= 0
        ? "WITH old AS (SELECT NULL::jsonb AS j, $4::int AS none),"
          " up AS (INSERT INTO channels (name, type, settings, severities, enabled, source)"
          "   VALUES ($5, $6, $7::jsonb, $8::text[], $9::boolean, 'ui')"
          "   RETURNING id, to_jsonb(channels.*) AS j)"
          AUDIT_FROM_UP("'create'", "channel")
        : "WITH old AS (SELECT to_jsonb(c) AS j FROM channels c"
          "   WHERE c.id = $4::int AND c.source <> 'config' FOR UPDATE),"
          " up AS (UPDATE channels c SET name = $5, type = $6, settings = $7::jsonb,"
          "   severities = $8::text[], enabled = $9::boolean, updated_at = now() FROM old"
          "   WHERE c.id = $4::int RETURNING c.id, to_jsonb(c.*) AS j)"
          AUDIT_FROM_UP("'update'", "channel"),
        5, c->name, c->type, c->settings_json, c->severities, c->enabled ? "true" : "false");
}

int
lw_db_channel_edit_enable(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                          int enabled)
{
    return lw_db_audit_change_row(db, err, who, id, enabled,
        "WITH old AS (SELECT to_jsonb(c) AS j FROM channels c"
        "   WHERE c.id = $4::int AND c.source <> 'config' FOR UPDATE),"
        " up AS (UPDATE channels c SET enabled = $5::boolean, updated_at = now() FROM old"
        "   WHERE c.id = $4::int RETURNING c.id, to_jsonb(c.*) AS j)"
        AUDIT_FROM_UP("CASE WHEN $5::boolean THEN 'enable' ELSE 'disable' END", "channel"));
}

int
lw_db_channel_edit_test(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                        const char *payload_json, const char *idempotency_key,
                        long long *notification_id)
{
    return lw_db_audit_change_with(db, err, who, id, notification_id,
        "WITH old AS (SELECT NULL::jsonb AS j),"
        " up AS (INSERT INTO notifications (channel_id, kind, status, payload, idempotency_key)"
        "   SELECT c.id, 'test', 'pending', $5::jsonb, $6 FROM channels c WHERE c.id = $4::int"
        "   RETURNING id, jsonb_build_object('channel_id', channel_id, 'kind', 'test') AS j)"
        AUDIT_FROM_UP("'test'", "notification"), 2, payload_json, idempotency_key);
}

PGresult *
lw_db_channel_edit_log(lw_db *db, lw_err *err, long long id, int limit)
{
    return lw_db_query_id_limit(db, err,
        "SELECT n.id, n.kind, n.status, n.attempts, n.last_error, " TS("n.created_at") " AS created,"
        " " TS("n.sent_at") " AS sent, " TS("n.next_attempt_at") " AS next_attempt,"
        " ae.alert_id, n.suppressed_reason"
        " FROM notifications n LEFT JOIN alert_events ae ON ae.id = n.alert_event_id"
        " WHERE n.channel_id = $1::int ORDER BY n.id DESC LIMIT $2::int", id, 0, limit);
}
