/* alerts.c: the SQL of alerts as people see and handle them (see
 * alerts.h). */
#include "db/alerts.h"

#include <stdio.h>

#include "db/sql.h"

#define ALERT_COLS \
    "SELECT a.id, r.id AS rule_id, r.name AS rule, r.kind AS rule_kind, a.severity, a.state," \
    " m.id AS model_id, m.name AS model, e.name AS environment," \
    " " TS("a.started_at") " AS started, " TS("a.fired_at") " AS fired," \
    " " TS("a.resolved_at") " AS resolved, " TS("a.last_eval_at") " AS last_eval," \
    " round(a.value::numeric, 3) AS value, round(a.threshold::numeric, 3) AS threshold," \
    " a.summary, u.email AS acknowledged_by, " TS("a.acknowledged_at") " AS acknowledged," \
    " a.false_positive," \
    " lw_dur(CASE WHEN d.s >= 3600 THEN d.s - d.s % 60 ELSE d.s END) AS duration," \
    " sil.silence_id, sil.silence_windows" \
    " FROM alerts a JOIN rules r ON r.id = a.rule_id" \
    " LEFT JOIN models m ON m.id = a.model_id" \
    " LEFT JOIN environments e ON e.id = a.environment_id" \
    " LEFT JOIN users u ON u.id = a.acknowledged_by" \
    " CROSS JOIN LATERAL (SELECT extract(epoch FROM coalesce(a.resolved_at, now())" \
    "   - a.started_at)::bigint AS s) d" \
    /* what mutes an open alert now (a resolved one is past muting) */ \
    " LEFT JOIN LATERAL (SELECT " SILENCE_COLS("r.name", "m.name", "e.name", "a.severity") \
    "  WHERE a.state IN ('pending', 'firing')) sil ON true"

PGresult *
lw_db_alerts_list(lw_db *db, lw_err *err, const char *state, const char *severity,
                  const char *model, long long rule_id, int limit)
{
    char l[24], rid[24];
    const char *p[5] = { state && *state ? state : NULL, severity && *severity ? severity : NULL,
                         model && *model ? model : NULL, LL(l, limit),
                         rule_id > 0 ? LL(rid, rule_id) : NULL };

    return lw_db_query(db, err, ALERT_COLS
        " WHERE ($1::text IS NULL OR a.state = $1) AND ($2::text IS NULL OR a.severity = $2)"
        "  AND ($3::text IS NULL OR m.name = $3) AND ($5::int IS NULL OR a.rule_id = $5::int)"
        " ORDER BY array_position(ARRAY['firing','pending','resolved'], a.state),"
        " array_position(ARRAY['critical','warning','info'], a.severity),"
        " coalesce(a.resolved_at, a.started_at) DESC, a.id DESC"
        " LIMIT $4::int", 5, p);
}

PGresult *
lw_db_alerts_models(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT DISTINCT m.name FROM alerts a JOIN models m ON m.id = a.model_id ORDER BY 1",
        0, NULL);
}

/* The statements of lw_db_alerts_of, $1 the alert's id. */
static const char *const alert_parts[LW_DB_ALERT_N] = {
    [LW_DB_ALERT_ROW] =
        "SELECT q.*, r2.runbook, r2.deleted_at IS NOT NULL AS rule_deleted,"
        " a2.environment_id, extract(epoch FROM a2.started_at)::bigint AS started_epoch,"
        " extract(epoch FROM coalesce(a2.resolved_at, now()))::bigint AS end_epoch"
        " FROM (" ALERT_COLS " WHERE a.id = $1::bigint) q"
        " JOIN alerts a2 ON a2.id = q.id JOIN rules r2 ON r2.id = q.rule_id",
    [LW_DB_ALERT_TIMELINE] =
        "SELECT " TS("t.at") " AS at, t.kind, t.from_state, t.to_state, t.value, t.message, t.actor"
        " FROM (SELECT ev.at, ev.id, 'state' AS kind, ev.from_state, ev.to_state,"
        "   round(ev.value::numeric, 3) AS value, ev.message, u.email AS actor"
        "   FROM alert_events ev LEFT JOIN users u ON u.id = ev.actor WHERE ev.alert_id = $1::bigint"
        "  UNION ALL"
        "  SELECT l.at, l.id, 'action', NULL, NULL, NULL,"
        "   CASE l.action WHEN 'acknowledge' THEN 'acknowledged'"
        "    WHEN 'unacknowledge' THEN 'acknowledgement withdrawn'"
        "    WHEN 'false_positive' THEN 'marked as false positive'"
        "    WHEN 'not_false_positive' THEN 'marked as a real problem (not a false positive)'"
        "    WHEN 'silence' THEN 'silenced' ELSE l.action END, l.actor"
        "   FROM audit_log l WHERE l.object_type = 'alert' AND l.object_id = $1::bigint::text) t"
        " ORDER BY t.at, t.kind DESC, t.id",
    [LW_DB_ALERT_NOTIFICATIONS] =
        "SELECT n.id, c.name AS channel, c.type AS channel_type, n.kind, n.status, n.attempts,"
        " n.last_error, n.suppressed_reason, n.alert_count, ev.to_state AS event,"
        " " TS("n.created_at") " AS created, " TS("n.sent_at") " AS sent,"
        " " TS("n.last_attempt_at") " AS last_attempt, " TS("n.next_attempt_at") " AS next_attempt"
        " FROM notifications n JOIN channels c ON c.id = n.channel_id"
        " LEFT JOIN alert_events ev ON ev.id = n.alert_event_id"
        " WHERE n.alert_event_id IN (SELECT id FROM alert_events WHERE alert_id = $1::bigint)"
        "  OR n.id IN (SELECT ne.notification_id FROM notification_events ne"
        "   JOIN alert_events e2 ON e2.id = ne.alert_event_id WHERE e2.alert_id = $1::bigint)"
        " ORDER BY n.created_at, n.id LIMIT 200",
};

PGresult *
lw_db_alerts_of(lw_db *db, lw_err *err, lw_db_alert_part part, long long id)
{
    const char *sql = lw_db_statement(alert_parts, LW_DB_ALERT_N, (int) part, err);

    return sql ? lw_db_query_id(db, err, sql, id) : NULL;
}

/* The row of alert $4 before the change, locked. */
#define ALERT_OLD "WITH old AS (SELECT to_jsonb(a) AS j FROM alerts a WHERE a.id = $4::bigint FOR UPDATE),"

/* The marks, each one audited statement; $5 is on. */
static const char *const alert_marks[LW_DB_ALERT_MARK_N] = {
    [LW_DB_ALERT_ACK] = ALERT_OLD
        " up AS (UPDATE alerts SET acknowledged_by = CASE WHEN $5::boolean THEN $1::int END,"
        "  acknowledged_at = CASE WHEN $5::boolean THEN now() END"
        "  FROM old WHERE id = $4::bigint AND (acknowledged_at IS NULL) = $5::boolean"
        "  RETURNING id, to_jsonb(alerts.*) AS j)"
        AUDIT_FROM_UP("CASE WHEN $5::boolean THEN 'acknowledge' ELSE 'unacknowledge' END", "alert"),
    [LW_DB_ALERT_FALSE_POSITIVE] = ALERT_OLD
        " up AS (UPDATE alerts SET false_positive = $5::boolean"
        "  FROM old WHERE id = $4::bigint AND false_positive IS DISTINCT FROM $5::boolean"
        "  RETURNING id, to_jsonb(alerts.*) AS j)"
        AUDIT_FROM_UP("CASE WHEN $5::boolean THEN 'false_positive' ELSE 'not_false_positive' END",
                      "alert"),
};

int
lw_db_alerts_mark(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                  lw_db_alert_mark mark, int on)
{
    const char *sql = lw_db_statement(alert_marks, LW_DB_ALERT_MARK_N, (int) mark, err);

    return sql ? lw_db_audit_change_row(db, err, who, id, on != 0, sql) : LW_EINVAL;
}
