/* db_alerting_web.c: the SQL of the alerting pages (rules, alerts,
 * silences, channels and routing, audit diff). Every value is a parameter;
 * every change is a single statement that writes its audit_log row with
 * to_jsonb() of the row before and after, in the same transaction. */
#include "db/alerting.h"

#include <stdio.h>
#include <stdlib.h>

#include "alert/rules.h"

/* A timestamptz as shown everywhere: "2025-01-07 08:00:00 UTC". */
#define TS(c) "to_char((" c ") AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"')"

/* Changes are one statement: `old` locks the row and keeps it as it was
 * (to_jsonb), `up` changes it and returns it as it is, and the audit_log
 * insert below records both. `up` reads FROM old so that the row is locked
 * and read before it is changed (a FOR UPDATE read after the change, in the
 * same statement, would find nothing).
 *
 * The audit_log insert closing every change: `up` is the CTE of the
 * change (id, j = the row after), `old` the row before (j), $1..$3 who. */
#define AUDIT_FROM_UP(action, type) \
    " INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before, after, ip)" \
    " SELECT $1::int, $2, " action ", '" type "', up.id::text, (SELECT j FROM old), up.j, $3" \
    " FROM up RETURNING object_id"

static int
who_params(const lw_dba_who *who, char *uid, size_t uidsz, const char **p)
{
    snprintf(uid, uidsz, "%lld", who->user_id);
    p[0] = who->user_id > 0 ? uid : NULL;
    p[1] = who->actor ? who->actor : "unknown";
    p[2] = who->ip;
    return 3;
}

/* Runs a change statement returning one row per audited change. */
static int
change(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p, long long *id)
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

/* ---- rules ---- */

/* The condition of a rule for people, whatever its kind. */
#define RULE_CONDITION \
    " CASE WHEN r.kind = 'composite' THEN (SELECT string_agg('(' || c || ')'," \
    "   ' ' || coalesce(r.params->>'operator', 'AND') || ' ')" \
    "   FROM jsonb_array_elements_text(coalesce(r.params->'conditions', '[]')) AS x(c))" \
    "  WHEN r.kind = 'burn_rate' THEN 'error budget burn, SLO ' ||" \
    "   coalesce((100 * (r.params->>'slo_target')::numeric)::float8::text || '%', '?')" \
    "  WHEN r.expression IS NOT NULL THEN r.expression" \
    "  WHEN r.kind = 'statistical' THEN 'metric > mean + ' || coalesce(r.params->>'k', '3') || ' * std_dev'" \
    "  WHEN r.kind = 'trend' THEN 'linear_regression_slope > ' || coalesce(r.params->>'threshold', '?')" \
    "  WHEN r.kind = 'forecast' THEN coalesce(r.params->>'metric', 'metric') || ' crosses '" \
    "   || coalesce(r.params->>'threshold', '?')" \
    "  END AS condition"

/* The kind's parameters for people ("window 15m, lookback 7d"). */
#define RULE_SUMMARY \
    " concat_ws(', ', 'metric ' || (r.params->>'metric')," \
    "  'window ' || lw_dur((r.params->>'window_s')::bigint)," \
    "  CASE WHEN r.kind = 'forecast' THEN 'history ' ELSE 'lookback ' END" \
    "   || lw_dur((r.params->>'lookback_window_s')::bigint)," \
    "  'horizon ' || lw_dur((r.params->>'horizon_s')::bigint)," \
    "  'period ' || lw_dur((r.params->>'period_s')::bigint)," \
    "  'k ' || (r.params->>'k')," \
    "  CASE WHEN r.kind IN ('trend') THEN 'limit ' || (r.params->>'threshold') || '/h'" \
    "   ELSE 'limit ' || (r.params->>'threshold') END," \
    "  'min samples ' || (r.params->>'minimum_samples')," \
    "  'SLO ' || (r.params->>'slo_target')) AS summary"

PGresult *
lw_dba_rules(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT r.id, r.name, r.kind, r.severity, r.expression, r.params::text AS params,"
        RULE_CONDITION "," RULE_SUMMARY ","
        " array_to_string(r.scope_models, ', ') AS scope_models,"
        " array_to_string(r.scope_environments, ', ') AS scope_environments,"
        " r.for_s, lw_dur(r.for_s) AS for_h, r.cooldown_s, lw_dur(r.cooldown_s) AS cooldown_h,"
        " r.enabled, r.source,"
        " count(a.id) FILTER (WHERE a.state = 'firing') AS firing,"
        " count(a.id) FILTER (WHERE a.state = 'pending') AS pending,"
        " " TS("max(a.fired_at)") " AS last_fired"
        " FROM rules r LEFT JOIN alerts a ON a.rule_id = r.id"
        " WHERE r.deleted_at IS NULL GROUP BY r.id"
        " ORDER BY array_position(ARRAY['critical','warning','info'], r.severity), lower(r.name), r.id",
        0, NULL);
}

static PGresult *
query_id(lw_db *db, lw_err *err, const char *sql, long long id)
{
    char s[32];
    const char *p[1] = { s };

    snprintf(s, sizeof(s), "%lld", id);
    return lw_db_query(db, err, sql, 1, p);
}

PGresult *
lw_dba_rule_form(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err,
        "SELECT r.id, r.name, r.kind, r.severity, r.expression, r.params::text AS params,"
        RULE_CONDITION "," RULE_SUMMARY ","
        " r.for_s, r.cooldown_s, r.repeat_interval_s, r.send_resolved, r.runbook, r.enabled,"
        " lw_dur(r.for_s) AS for_h, lw_dur(r.cooldown_s) AS cooldown_h,"
        " lw_dur(r.repeat_interval_s) AS repeat_h, r.source, r.config_line,"
        " (SELECT count(*) FROM alerts a WHERE a.rule_id = r.id AND a.state = 'firing') AS firing,"
        " array_to_string(r.scope_models, ', ') AS scope_models,"
        " array_to_string(r.scope_environments, ', ') AS scope_environments,"
        " array_to_json(r.scope_models)::text AS scope_models_json,"
        " array_to_json(r.scope_environments)::text AS scope_environments_json,"
        " r.updated_at::text AS version"
        " FROM rules r WHERE r.id = $1::int AND r.deleted_at IS NULL", id);
}

PGresult *
lw_dba_rule_json(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err,
        "SELECT (to_jsonb(r) - 'deleted_at')::text FROM rules r WHERE r.id = $1::int", id);
}

/* $4..$16 of the rule statements, in lw_dba_rule order (source apart). */
static void
rule_params(const lw_dba_rule *rule, const char **p)
{
    p[0] = rule->name;
    p[1] = rule->kind;
    p[2] = rule->expression;
    p[3] = rule->params_json ? rule->params_json : "{}";
    p[4] = rule->severity;
    p[5] = rule->for_s ? rule->for_s : "0";
    p[6] = rule->cooldown_s ? rule->cooldown_s : "3600";
    p[7] = rule->repeat_interval_s;
    p[8] = rule->send_resolved ? rule->send_resolved : "true";
    p[9] = rule->scope_models ? rule->scope_models : "{}";
    p[10] = rule->scope_environments ? rule->scope_environments : "{}";
    p[11] = rule->runbook;
    p[12] = rule->enabled ? rule->enabled : "true";
}

int
lw_dba_rule_create(lw_db *db, lw_err *err, const lw_dba_who *who, const lw_dba_rule *rule,
                   long long *id)
{
    const char *p[17];
    char uid[32];

    who_params(who, uid, sizeof(uid), p);
    rule_params(rule, p + 3);
    p[16] = rule->source ? rule->source : "ui";
    return change(db, err,
        "WITH old AS (SELECT NULL::jsonb AS j),"
        " up AS (INSERT INTO rules (name, kind, expression, params, severity, for_s, cooldown_s,"
        "   repeat_interval_s, send_resolved, scope_models, scope_environments, runbook, enabled,"
        "   source, created_by)"
        "  VALUES ($4, $5, $6, $7::jsonb, $8, $9::int, $10::int, coalesce($11::int, 14400),"
        "   $12::boolean, $13::text[], $14::text[], $15, $16::boolean, $17, $1::int)"
        "  RETURNING id, to_jsonb(rules.*) AS j)"
        AUDIT_FROM_UP("'create'", "rule"), 17, p, id);
}

int
lw_dba_rule_update(lw_db *db, lw_err *err, const lw_dba_who *who, long long id,
                   const char *version, const lw_dba_rule *rule)
{
    const char *p[18];
    char uid[32], sid[32];

    who_params(who, uid, sizeof(uid), p);
    rule_params(rule, p + 3);
    snprintf(sid, sizeof(sid), "%lld", id);
    p[16] = sid;
    p[17] = version;
    /* the source stays what it was (ui or api); config rules are not
     * edited here (the file is their source) */
    return change(db, err,
        "WITH old AS (SELECT to_jsonb(r) AS j FROM rules r WHERE r.id = $17::int FOR UPDATE),"
        " up AS (UPDATE rules SET name = $4, kind = $5, expression = $6, params = $7::jsonb,"
        "   severity = $8, for_s = $9::int, cooldown_s = $10::int,"
        "   repeat_interval_s = coalesce($11::int, 14400), send_resolved = $12::boolean,"
        "   scope_models = $13::text[], scope_environments = $14::text[], runbook = $15,"
        "   enabled = $16::boolean, updated_at = now()"
        "  FROM old WHERE id = $17::int AND deleted_at IS NULL AND source <> 'config'"
        "   AND ($18::timestamptz IS NULL OR updated_at = $18::timestamptz)"
        "  RETURNING id, to_jsonb(rules.*) AS j)"
        AUDIT_FROM_UP("'update'", "rule"), 18, p, NULL);
}

int
lw_dba_rule_set_enabled(lw_db *db, lw_err *err, const lw_dba_who *who, long long id, int enabled)
{
    const char *p[5];
    char uid[32], sid[32];

    who_params(who, uid, sizeof(uid), p);
    snprintf(sid, sizeof(sid), "%lld", id);
    p[3] = sid;
    p[4] = enabled ? "true" : "false";
    return change(db, err,
        "WITH old AS (SELECT to_jsonb(r) AS j FROM rules r WHERE r.id = $4::int FOR UPDATE),"
        " up AS (UPDATE rules SET enabled = $5::boolean, updated_at = now()"
        "  FROM old WHERE id = $4::int AND deleted_at IS NULL AND source <> 'config'"
        "  RETURNING id, to_jsonb(rules.*) AS j)"
        AUDIT_FROM_UP("CASE WHEN $5::boolean THEN 'enable' ELSE 'disable' END", "rule"),
        5, p, NULL);
}

int
lw_dba_rule_delete(lw_db *db, lw_err *err, const lw_dba_who *who, long long id)
{
    const char *p[4];
    char uid[32], sid[32];

    who_params(who, uid, sizeof(uid), p);
    snprintf(sid, sizeof(sid), "%lld", id);
    p[3] = sid;
    return change(db, err,
        "WITH old AS (SELECT to_jsonb(r) AS j FROM rules r WHERE r.id = $4::int FOR UPDATE),"
        " up AS (UPDATE rules SET deleted_at = now(), enabled = false, updated_at = now()"
        "  FROM old WHERE id = $4::int AND deleted_at IS NULL AND source <> 'config'"
        "  RETURNING id, to_jsonb(rules.*) AS j)"
        AUDIT_FROM_UP("'delete'", "rule"), 4, p, NULL);
}

PGresult *
lw_dba_rule_model_row(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err, "SELECT " LW_RULE_COLUMNS " FROM rules r WHERE r.id = $1::int", id);
}

PGresult *
lw_dba_scope_choices(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT 'model' AS kind, name FROM models WHERE removed_at IS NULL"
        " GROUP BY name"
        " UNION ALL SELECT 'environment', name FROM environments"
        " ORDER BY 1 DESC, 2", 0, NULL);
}

/* ---- alerts ---- */

#define ALERT_COLS \
    "SELECT a.id, r.id AS rule_id, r.name AS rule, r.kind AS rule_kind, a.severity, a.state," \
    " m.id AS model_id, m.name AS model, e.name AS environment," \
    " " TS("a.started_at") " AS started, " TS("a.fired_at") " AS fired," \
    " " TS("a.resolved_at") " AS resolved, " TS("a.last_eval_at") " AS last_eval," \
    " round(a.value::numeric, 3) AS value, round(a.threshold::numeric, 3) AS threshold," \
    " a.summary, u.email AS acknowledged_by, " TS("a.acknowledged_at") " AS acknowledged," \
    " a.false_positive," \
    " lw_dur(CASE WHEN d.s >= 3600 THEN d.s - d.s % 60 ELSE d.s END) AS duration" \
    " FROM alerts a JOIN rules r ON r.id = a.rule_id" \
    " LEFT JOIN models m ON m.id = a.model_id" \
    " LEFT JOIN environments e ON e.id = a.environment_id" \
    " LEFT JOIN users u ON u.id = a.acknowledged_by" \
    " CROSS JOIN LATERAL (SELECT extract(epoch FROM coalesce(a.resolved_at, now())" \
    "   - a.started_at)::bigint AS s) d"

PGresult *
lw_dba_alerts(lw_db *db, lw_err *err, const char *state, const char *severity,
              const char *model, long long rule_id, int limit)
{
    char l[32], rid[32];
    const char *p[5];

    snprintf(l, sizeof(l), "%d", limit);
    snprintf(rid, sizeof(rid), "%lld", rule_id);
    p[0] = state && *state ? state : NULL;
    p[1] = severity && *severity ? severity : NULL;
    p[2] = model && *model ? model : NULL;
    p[3] = l;
    p[4] = rule_id > 0 ? rid : NULL;
    return lw_db_query(db, err, ALERT_COLS
        " WHERE ($1::text IS NULL OR a.state = $1) AND ($2::text IS NULL OR a.severity = $2)"
        "  AND ($3::text IS NULL OR m.name = $3) AND ($5::int IS NULL OR a.rule_id = $5::int)"
        " ORDER BY array_position(ARRAY['firing','pending','resolved'], a.state),"
        " array_position(ARRAY['critical','warning','info'], a.severity),"
        " coalesce(a.resolved_at, a.started_at) DESC, a.id DESC"
        " LIMIT $4::int", 5, p);
}

PGresult *
lw_dba_alert_models(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT DISTINCT m.name FROM alerts a JOIN models m ON m.id = a.model_id ORDER BY 1",
        0, NULL);
}

PGresult *
lw_dba_alert(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err,
        "SELECT q.*, r2.runbook, r2.deleted_at IS NOT NULL AS rule_deleted,"
        " a2.environment_id, extract(epoch FROM a2.started_at)::bigint AS started_epoch,"
        " extract(epoch FROM coalesce(a2.resolved_at, now()))::bigint AS end_epoch"
        " FROM (" ALERT_COLS " WHERE a.id = $1::bigint) q"
        " JOIN alerts a2 ON a2.id = q.id JOIN rules r2 ON r2.id = q.rule_id", id);
}

PGresult *
lw_dba_alert_timeline(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err,
        "SELECT " TS("t.at") " AS at, t.kind, t.from_state, t.to_state, t.value, t.message, t.actor"
        " FROM (SELECT ev.at, ev.id, 'state' AS kind, ev.from_state, ev.to_state,"
        "   round(ev.value::numeric, 3) AS value, ev.message, u.email AS actor"
        "   FROM alert_events ev LEFT JOIN users u ON u.id = ev.actor WHERE ev.alert_id = $1::bigint"
        "  UNION ALL"
        "  SELECT l.at, l.id, 'action', NULL, NULL, NULL,"
        "   CASE l.action WHEN 'acknowledge' THEN 'acknowledged'"
        "    WHEN 'false_positive' THEN 'marked as false positive'"
        "    WHEN 'not_false_positive' THEN 'marked as a real problem (not a false positive)'"
        "    WHEN 'silence' THEN 'silenced' ELSE l.action END, l.actor"
        "   FROM audit_log l WHERE l.object_type = 'alert' AND l.object_id = $1::bigint::text) t"
        " ORDER BY t.at, t.kind DESC, t.id", id);
}

PGresult *
lw_dba_alert_notifications(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err,
        "SELECT n.id, c.name AS channel, c.type AS channel_type, n.kind, n.status, n.attempts,"
        " n.last_error, n.suppressed_reason, n.alert_count, ev.to_state AS event,"
        " " TS("n.created_at") " AS created, " TS("n.sent_at") " AS sent,"
        " " TS("n.last_attempt_at") " AS last_attempt, " TS("n.next_attempt_at") " AS next_attempt"
        " FROM notifications n JOIN channels c ON c.id = n.channel_id"
        " LEFT JOIN alert_events ev ON ev.id = n.alert_event_id"
        " WHERE n.alert_event_id IN (SELECT id FROM alert_events WHERE alert_id = $1::bigint)"
        "  OR n.id IN (SELECT ne.notification_id FROM notification_events ne"
        "   JOIN alert_events e2 ON e2.id = ne.alert_event_id WHERE e2.alert_id = $1::bigint)"
        " ORDER BY n.created_at, n.id LIMIT 200", id);
}

int
lw_dba_alert_ack(lw_db *db, lw_err *err, const lw_dba_who *who, long long id)
{
    const char *p[4];
    char uid[32], sid[32];

    who_params(who, uid, sizeof(uid), p);
    snprintf(sid, sizeof(sid), "%lld", id);
    p[3] = sid;
    return change(db, err,
        "WITH old AS (SELECT to_jsonb(a) AS j FROM alerts a WHERE a.id = $4::bigint FOR UPDATE),"
        " up AS (UPDATE alerts SET acknowledged_by = $1::int, acknowledged_at = now()"
        "  FROM old WHERE id = $4::bigint AND acknowledged_at IS NULL"
        "  RETURNING id, to_jsonb(alerts.*) AS j)"
        AUDIT_FROM_UP("'acknowledge'", "alert"), 4, p, NULL);
}

int
lw_dba_alert_false_positive(lw_db *db, lw_err *err, const lw_dba_who *who, long long id,
                            int value)
{
    const char *p[5];
    char uid[32], sid[32];

    who_params(who, uid, sizeof(uid), p);
    snprintf(sid, sizeof(sid), "%lld", id);
    p[3] = sid;
    p[4] = value ? "true" : "false";
    return change(db, err,
        "WITH old AS (SELECT to_jsonb(a) AS j FROM alerts a WHERE a.id = $4::bigint FOR UPDATE),"
        " up AS (UPDATE alerts SET false_positive = $5::boolean"
        "  FROM old WHERE id = $4::bigint AND false_positive IS DISTINCT FROM $5::boolean"
        "  RETURNING id, to_jsonb(alerts.*) AS j)"
        AUDIT_FROM_UP("CASE WHEN $5::boolean THEN 'false_positive' ELSE 'not_false_positive' END",
                      "alert"), 5, p, NULL);
}

/* ---- silences ---- */

PGresult *
lw_dba_silences(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT s.id, (SELECT string_agg(k || ' = ' || v, ', ' ORDER BY k)"
        "   FROM jsonb_each_text(s.matchers) AS j(k, v)) AS matchers,"
        " s.matchers->>'rule' AS m_rule, s.matchers->>'model' AS m_model,"
        " s.matchers->>'environment' AS m_environment, s.matchers->>'severity' AS m_severity,"
        " " TS("s.starts_at") " AS starts, " TS("s.ends_at") " AS ends,"
        " " TS("s.expired_at") " AS expired,"
        " extract(epoch FROM s.starts_at)::bigint AS starts_epoch,"
        " extract(epoch FROM s.ends_at)::bigint AS ends_epoch,"
        " s.recurrence, s.duration_s, lw_dur(s.duration_s) AS duration_h,"
        " lw_dur(extract(epoch FROM s.ends_at - s.starts_at)::bigint) AS length_h,"
        " s.comment, u.email AS created_by, " TS("s.created_at") " AS created,"
        " CASE WHEN s.expired_at IS NOT NULL OR s.ends_at <= now() THEN 'expired'"
        "      WHEN s.starts_at > now() THEN 'upcoming'"
        "      WHEN s.recurrence IS NOT NULL THEN 'recurring' ELSE 'active' END AS status"
        " FROM silences s LEFT JOIN users u ON u.id = s.created_by"
        " ORDER BY CASE WHEN s.expired_at IS NOT NULL OR s.ends_at <= now() THEN 3"
        "   WHEN s.starts_at > now() THEN 1 WHEN s.recurrence IS NOT NULL THEN 2 ELSE 0 END,"
        " CASE WHEN s.expired_at IS NOT NULL OR s.ends_at <= now() THEN NULL ELSE s.starts_at END,"
        " coalesce(s.expired_at, s.ends_at) DESC, s.id DESC LIMIT 500", 0, NULL);
}

int
lw_dba_silence_create(lw_db *db, lw_err *err, const lw_dba_who *who, const lw_dba_silence *s,
                      long long *id)
{
    const char *p[9];
    char uid[32];

    who_params(who, uid, sizeof(uid), p);
    p[3] = s->matchers_json ? s->matchers_json : "{}";
    p[4] = s->starts_at;
    p[5] = s->ends_at;
    p[6] = s->duration_s;
    p[7] = s->recurrence;
    p[8] = s->comment ? s->comment : "";
    /* one-off: ends = starts + duration when no end is given; recurring:
     * windows of duration_s from starts_at until ends_at (ten years when
     * open-ended: "until someone expires it") */
    return change(db, err,
        "WITH old AS (SELECT NULL::jsonb AS j),"
        " t AS (SELECT coalesce($5::timestamptz, now()) AS st),"
        " up AS (INSERT INTO silences (matchers, starts_at, ends_at, recurrence, duration_s,"
        "   comment, created_by)"
        "  SELECT $4::jsonb, t.st,"
        "   coalesce($6::timestamptz, CASE WHEN $8::text IS NULL"
        "     THEN t.st + make_interval(secs => $7::int) ELSE t.st + interval '10 years' END),"
        "   $8, CASE WHEN $8::text IS NULL THEN NULL ELSE $7::int END, $9, $1::int FROM t"
        "  RETURNING id, to_jsonb(silences.*) AS j)"
        AUDIT_FROM_UP("'create'", "silence"), 9, p, id);
}

int
lw_dba_silence_expire(lw_db *db, lw_err *err, const lw_dba_who *who, long long id)
{
    const char *p[4];
    char uid[32], sid[32];

    who_params(who, uid, sizeof(uid), p);
    snprintf(sid, sizeof(sid), "%lld", id);
    p[3] = sid;
    /* expired_at is the record; ends_at is also brought to now when the
     * silence has begun, for readers that only look at the interval */
    return change(db, err,
        "WITH old AS (SELECT to_jsonb(s) AS j FROM silences s WHERE s.id = $4::int FOR UPDATE),"
        " up AS (UPDATE silences SET expired_at = now(),"
        "   ends_at = CASE WHEN starts_at < now() THEN least(ends_at, now()) ELSE ends_at END"
        "  FROM old WHERE id = $4::int AND expired_at IS NULL AND ends_at > now()"
        "  RETURNING id, to_jsonb(silences.*) AS j)"
        AUDIT_FROM_UP("'expire'", "silence"), 4, p, NULL);
}

/* ---- channels and routing ---- */

PGresult *
lw_dba_channels(lw_db *db, lw_err *err)
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
lw_dba_routing_set(lw_db *db, lw_err *err, const lw_dba_who *who, const char *routes_json)
{
    const char *p[4];
    char uid[32];
    PGresult *res;
    int rc;

    if (lw_db_begin(db, err) != LW_OK)
        return LW_EDB;
    /* serialise routing edits (and config syncs): the before of one is
     * the after of the other */
    if (lw_db_exec(db, err, "LOCK TABLE routes IN SHARE ROW EXCLUSIVE MODE", 0, NULL) < 0)
        goto fail;
    res = lw_db_query(db, err, "SELECT " ROUTING_JSON "::text", 0, NULL);
    if (res == NULL)
        goto fail;
    p[0] = routes_json;
    if (lw_db_exec(db, err, "DELETE FROM routes", 0, NULL) < 0
        || lw_db_exec(db, err,
            "INSERT INTO routes (severity, channel_id, position)"
            " SELECT s.sv, c.id, min(e.pos)::int - 1 FROM jsonb_each($1::jsonb) AS s(sv, ids)"
            " CROSS JOIN LATERAL jsonb_array_elements_text(s.ids) WITH ORDINALITY AS e(cid, pos)"
            " JOIN channels c ON c.id::text = e.cid"
            " WHERE s.sv IN ('critical', 'warning', 'info') AND jsonb_typeof(s.ids) = 'array'"
            " GROUP BY s.sv, c.id", 1, p) < 0) {
        PQclear(res);
        goto fail;
    }
    who_params(who, uid, sizeof(uid), p);
    p[3] = lw_db_str(res, 0, 0);
    rc = lw_db_exec(db, err,
        "INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before, after, ip)"
        " VALUES ($1::int, $2, 'update', 'routing', NULL, $4::jsonb, " ROUTING_JSON ", $3)", 4, p);
    PQclear(res);
    if (rc < 0 || lw_db_commit(db, err) != LW_OK)
        goto fail;
    return LW_OK;
fail:
    lw_db_rollback(db);
    return LW_EDB;
}

/* ---- audit ---- */

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
lw_dba_audit_changes(lw_db *db, lw_err *err, long long min_id, long long max_id)
{
    char lo[32], hi[32];
    const char *p[2] = { lo, hi };

    snprintf(lo, sizeof(lo), "%lld", min_id);
    snprintf(hi, sizeof(hi), "%lld", max_id);
    return lw_db_query(db, err,
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
        " ORDER BY l.id, k.key", 2, p);
}
