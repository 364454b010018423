/* channels.c: the SQL of channels, routing and deliveries as the pages
 * show them (see channels.h). */
#include "db/channels.h"

#include "db/sql.h"

PGresult *
lw_db_channels_list(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT c.id, c.name, c.type, c.enabled, c.source,"
        " array_to_string(c.severities, ', ') AS severities,"
        " (SELECT string_agg(k || ': ' || CASE WHEN v ~ '^\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}$'"
        "   THEN v ELSE '\u2022\u2022\u2022\u2022' END, ', ' ORDER BY k)"
        "   FROM jsonb_each_text(c.settings) AS j(k, v)) AS settings,"
        " EXISTS (SELECT 1 FROM routes r WHERE r.channel_id = c.id AND r.severity = 'critical')"
        "   AS route_critical,"
        " EXISTS (SELECT 1 FROM routes r WHERE r.channel_id = c.id AND r.severity = 'warning')"
        "   AS route_warning,"
        " EXISTS (SELECT 1 FROM routes r WHERE r.channel_id = c.id AND r.severity = 'info')"
        "   AS route_info,"
        " (SELECT count(*) FROM notifications n WHERE n.channel_id = c.id AND n.status = 'sent'"
        "   AND n.sent_at > now() - interval '24 hours') AS sent_24h,"
        " (SELECT count(*) FROM notifications n WHERE n.channel_id = c.id AND n.status = 'failed'"
        "   AND n.created_at > now() - interval '24 hours') AS failed_24h,"
        " (SELECT count(*) FROM notifications n WHERE n.channel_id = c.id"
        "   AND n.status IN ('pending', 'sending')) AS pending,"
        " " TS("(SELECT max(n.sent_at) FROM notifications n WHERE n.channel_id = c.id)") " AS last_sent"
        " FROM channels c ORDER BY c.enabled DESC, c.name", 0, NULL);
}

/* The routing as {"critical":["name",...],...} */
#define ROUTING_JSON \
    "(SELECT coalesce(jsonb_object_agg(sv, names), '{}') FROM (SELECT r.severity AS sv," \
    "  jsonb_agg(c.name ORDER BY r.position, c.name) AS names FROM routes r" \
    "  JOIN channels c ON c.id = r.channel_id GROUP BY r.severity) x)"

int
lw_db_channels_routing_set(lw_db *db, lw_err *err, const lw_db_audit_who *who,
                           const char *routes_json)
{
    const char *p[4];
    lw_db_audit_room room;
    PGresult *before = NULL;
    int rc = LW_EDB;

    if (lw_db_begin(db, err) != LW_OK)
        return LW_EDB;
    /* serialise routing edits (and config syncs): the before of one is
     * the after of the other */
    if (lw_db_exec(db, err, "LOCK TABLE routes IN SHARE ROW EXCLUSIVE MODE", 0, NULL) < 0)
        goto cleanup;
    before = lw_db_query(db, err, "SELECT " ROUTING_JSON "::text", 0, NULL);
    if (before == NULL)
        goto cleanup;
    p[0] = routes_json;
    if (lw_db_exec(db, err, "DELETE FROM routes", 0, NULL) < 0
        || lw_db_exec(db, err,
            "INSERT INTO routes (severity, channel_id, position)"
            " SELECT s.sv, c.id, min(e.pos)::int - 1 FROM jsonb_each($1::jsonb) AS s(sv, ids)"
            " CROSS JOIN LATERAL jsonb_array_elements_text(s.ids) WITH ORDINALITY AS e(cid, pos)"
            " JOIN channels c ON c.id::text = e.cid"
            " WHERE s.sv IN ('critical', 'warning', 'info') AND jsonb_typeof(s.ids) = 'array'"
            " GROUP BY s.sv, c.id", 1, p) < 0)
        goto cleanup;
    lw_db_audit_params(who, 0, &room, p);
    p[3] = lw_db_str(before, 0, 0);
    if (lw_db_exec(db, err,
            "INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before,"
            " after, ip)"
            " VALUES ($1::int, $2, 'update', 'routing', NULL, $4::jsonb, " ROUTING_JSON ", $3)",
            4, p) < 0
        || lw_db_commit(db, err) != LW_OK)
        goto cleanup;
    rc = LW_OK;
cleanup:
    if (rc != LW_OK)
        lw_db_rollback(db);
    PQclear(before);
    return rc;
}

PGresult *
lw_db_channels_notifications(lw_db *db, lw_err *err, long long alert_id, int limit)
{
    return lw_db_query_id_limit(db, err,
        "SELECT n.id, c.name AS channel, c.type AS channel_type, n.kind, n.status, n.attempts,"
        " n.last_error, " TS("n.created_at") " AS created, " TS("n.sent_at") " AS sent,"
        " " TS("n.next_attempt_at") " AS next_attempt, ev.alert_id"
        " FROM notifications n JOIN channels c ON c.id = n.channel_id"
        " LEFT JOIN alert_events ev ON ev.id = n.alert_event_id"
        " WHERE ($1::bigint IS NULL AND n.status = 'failed') OR ev.alert_id = $1::bigint"
        " ORDER BY n.created_at DESC LIMIT $2::int", alert_id, 1, limit);
}
