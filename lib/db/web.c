/* db_web.c: the SQL of the web pages and the `user` command. Every value is
 * a parameter; aggregates (success rates, percentiles) run in PostgreSQL. */
#include "db/web.h"

#include <stdio.h>
#include <stdlib.h>

/* A timestamptz as shown everywhere: "2025-01-07 08:00:00 UTC". */
#define TS(c) "to_char((" c ") AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"')"
/* The stored form of a token: hex SHA-256, computed by the server. */
#define TOKEN_HASH(p) "encode(sha256(convert_to(" p ", 'UTF8')), 'hex')"
/* Dollars for people: four decimals under a dollar, else cents. */
#define USD(x) "CASE WHEN (" x ") < 1 THEN to_char((" x "), 'FM0.0000') " \
               "ELSE to_char((" x "), 'FM999,999,999,990.00') END"

static PGresult *
query_id(lw_db *db, lw_err *err, const char *sql, long long id)
{
    char s[32];
    const char *p[1] = { s };

    snprintf(s, sizeof(s), "%lld", id);
    return lw_db_query(db, err, sql, 1, p);
}

static PGresult *
query_limit(lw_db *db, lw_err *err, const char *sql, int limit)
{
    return query_id(db, err, sql, limit);
}

/* ---- users ---- */

PGresult *
lw_dbw_user_by_email(lw_db *db, lw_err *err, const char *email)
{
    const char *p[1] = { email };

    return lw_db_query(db, err,
        "SELECT id, email, role, password_hash, disabled FROM users"
        " WHERE lower(email) = lower($1)", 1, p);
}

int
lw_dbw_user_create(lw_db *db, lw_err *err, const char *email, const char *role,
                   const char *password_hash, long long *id)
{
    const char *p[3] = { email, role, password_hash };
    PGresult *res;

    res = lw_db_query(db, err,
        "INSERT INTO users (email, role, password_hash) VALUES ($1, $2, $3)"
        " RETURNING id", 3, p);
    if (res == NULL)
        return lw_db_last_was_conflict(db) ? LW_ECONFLICT : LW_EDB;
    *id = lw_db_int(res, 0, 0);
    PQclear(res);
    return LW_OK;
}

PGresult *
lw_dbw_users(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT u.id, u.email, u.role, u.disabled, " TS("u.created_at") " AS created,"
        " " TS("u.last_login_at") " AS last_login,"
        " (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > now()) AS sessions"
        " FROM users u ORDER BY u.disabled, lower(u.email)", 0, NULL);
}

int
lw_dbw_user_set_password(lw_db *db, lw_err *err, const char *email, const char *hash)
{
    const char *p[2] = { email, hash };

    return lw_db_exec(db, err,
        "WITH u AS (UPDATE users SET password_hash = $2 WHERE lower(email) = lower($1)"
        " RETURNING id), s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u))"
        " SELECT 1 FROM u", 2, p);
}

int
lw_dbw_user_disable(lw_db *db, lw_err *err, const char *email)
{
    const char *p[1] = { email };

    return lw_db_exec(db, err,
        "WITH u AS (UPDATE users SET disabled = true WHERE lower(email) = lower($1)"
        " RETURNING id), s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u))"
        " SELECT 1 FROM u", 1, p);
}

int
lw_dbw_user_logged_in(lw_db *db, lw_err *err, long long user_id)
{
    char id[32];
    const char *p[1] = { id };

    snprintf(id, sizeof(id), "%lld", user_id);
    /* the user's expired sessions go at the same time: no sweeper needed */
    return lw_db_exec(db, err,
        "WITH d AS (DELETE FROM sessions WHERE user_id = $1::int AND expires_at < now())"
        " UPDATE users SET last_login_at = now() WHERE id = $1::int", 1, p);
}

/* ---- sessions and tokens ---- */

int
lw_dbw_session_create(lw_db *db, lw_err *err, const char *token, long long user_id,
                      const char *csrf, const char *ip, const char *user_agent)
{
    char id[32];
    const char *p[5] = { token, id, csrf, ip, user_agent };

    snprintf(id, sizeof(id), "%lld", user_id);
    return lw_db_exec(db, err,
        "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, ip, user_agent)"
        " VALUES (" TOKEN_HASH("$1") ", $2::int, $3, now() + interval '12 hours', $4,"
        " left($5, 300))", 5, p) < 0 ? LW_EDB : LW_OK;
}

PGresult *
lw_dbw_session_user(lw_db *db, lw_err *err, const char *token)
{
    const char *p[1] = { token };

    return lw_db_query(db, err,
        "WITH hit AS (SELECT s.token_hash, s.last_seen_at, s.csrf_token, u.id, u.email, u.role"
        "   FROM sessions s JOIN users u ON u.id = s.user_id"
        "  WHERE s.token_hash = " TOKEN_HASH("$1") " AND s.expires_at > now() AND NOT u.disabled),"
        " touch AS (UPDATE sessions SET last_seen_at = now(), expires_at = now() + interval '12 hours'"
        "  WHERE token_hash = (SELECT token_hash FROM hit)"
        "    AND last_seen_at < now() - interval '1 minute')"
        " SELECT id, email, role, csrf_token FROM hit", 1, p);
}

int
lw_dbw_session_delete(lw_db *db, lw_err *err, const char *token)
{
    const char *p[1] = { token };

    return lw_db_exec(db, err,
        "DELETE FROM sessions WHERE token_hash = " TOKEN_HASH("$1"), 1, p);
}

PGresult *
lw_dbw_api_token_user(lw_db *db, lw_err *err, const char *token)
{
    const char *p[1] = { token };

    return lw_db_query(db, err,
        "UPDATE api_tokens t SET last_used_at = now() FROM users u"
        " WHERE t.token_hash = " TOKEN_HASH("$1") " AND t.revoked_at IS NULL"
        "   AND u.id = t.user_id AND NOT u.disabled"
        " RETURNING t.user_id, t.name, t.role", 1, p);
}

int
lw_dbw_api_token_create(lw_db *db, lw_err *err, long long user_id, const char *name,
                        const char *role, const char *token, long long *id)
{
    char uid[32];
    const char *p[4] = { uid, name, role, token };
    PGresult *res;

    snprintf(uid, sizeof(uid), "%lld", user_id);
    res = lw_db_query(db, err,
        "INSERT INTO api_tokens (user_id, name, role, token_hash)"
        " VALUES ($1::int, $2, $3, " TOKEN_HASH("$4") ") RETURNING id", 4, p);
    if (res == NULL)
        return lw_db_last_was_conflict(db) ? LW_ECONFLICT : LW_EDB;
    *id = lw_db_int(res, 0, 0);
    PQclear(res);
    return LW_OK;
}

/* ---- audit ---- */

int
lw_dbw_audit(lw_db *db, lw_err *err, long long user_id, const char *actor,
             const char *action, const char *object_type, const char *object_id,
             const char *before_json, const char *after_json, const char *ip)
{
    char uid[32];
    const char *p[8] = { user_id > 0 ? uid : NULL, actor, action, object_type,
                         object_id, before_json, after_json, ip };

    snprintf(uid, sizeof(uid), "%lld", user_id);
    return lw_db_exec(db, err,
        "INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before, after, ip)"
        " VALUES ($1::int, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)", 8, p) < 0 ? LW_EDB : LW_OK;
}

PGresult *
lw_dbw_audit_list(lw_db *db, lw_err *err, long long before_id, int limit)
{
    char b[32], l[32];
    const char *p[2] = { before_id > 0 ? b : NULL, l };

    snprintf(b, sizeof(b), "%lld", before_id);
    snprintf(l, sizeof(l), "%d", limit);
    return lw_db_query(db, err,
        "SELECT id, " TS("at") " AS at, actor, action, object_type, object_id,"
        " before::text AS before, after::text AS after, ip"
        " FROM audit_log WHERE ($1::bigint IS NULL OR id < $1::bigint)"
        " ORDER BY id DESC LIMIT $2::int", 2, p);
}

/* ---- pages ---- */

int
lw_dbw_ping(lw_db *db, lw_err *err)
{
    return lw_db_exec(db, err, "SELECT 1", 0, NULL) < 0 ? LW_EDB : LW_OK;
}

/* The last hour of one model, joined laterally. p95 is over successful
 * probes: a timeout's duration is the timeout, not the service's speed. */
#define HOUR_STATS \
    " LEFT JOIN LATERAL (SELECT count(*) AS n, count(*) FILTER (WHERE ok) AS ok_n," \
    "   percentile_cont(0.95) WITHIN GROUP (ORDER BY total_ms) FILTER (WHERE ok) AS p95" \
    "   FROM probes WHERE model_id = m.id AND environment_id = m.environment_id" \
    "    AND ts > now() - interval '1 hour') h ON true"
#define LAST_PROBE \
    " LEFT JOIN LATERAL (SELECT ts, ok, error_class, http_status, ttft_ms, total_ms," \
    "   decode_tps, e2e_tps FROM probes" \
    "   WHERE model_id = m.id AND environment_id = m.environment_id" \
    "   ORDER BY ts DESC LIMIT 1) p ON true"

PGresult *
lw_dbw_models_overview(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT m.id, m.name, e.name AS environment, m.provider, m.model, m.priority,"
        " m.sla_target_ms, " TS("p.ts") " AS last_at, p.ok AS last_ok,"
        " p.error_class AS last_error, p.http_status AS last_http_status,"
        " p.ttft_ms AS last_ttft_ms, p.total_ms AS last_total_ms,"
        " round(p.decode_tps::numeric, 1) AS last_tps,"
        " round(p.e2e_tps::numeric, 1) AS last_e2e_tps,"
        " to_char(p.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS last_iso,"
        " h.n AS hour_count, h.ok_n AS hour_ok,"
        " round(100.0 * h.ok_n / nullif(h.n, 0), 1) AS hour_success_pct,"
        " h.p95 AS hour_p95_ms,"
        " (p.total_ms IS NOT NULL AND m.sla_target_ms IS NOT NULL"
        "  AND p.total_ms > m.sla_target_ms) AS last_over_sla"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        LAST_PROBE HOUR_STATS
        " WHERE m.enabled AND m.removed_at IS NULL"
        " ORDER BY e.name, array_position(ARRAY['high','medium','low'], m.priority), m.name",
        0, NULL);
}

PGresult *
lw_dbw_model(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err,
        "SELECT m.id, m.name, e.name AS environment, m.provider, m.model, m.base_url,"
        " m.api_key_env, m.priority, m.sla_target_ms, m.timeout_ms AS timeout_ms,"
        " m.max_concurrency, m.suite, m.enabled, m.source,"
        " to_char(m.price_input_per_mtok, 'FM999,990.00999') AS price_input,"
        " to_char(m.price_output_per_mtok, 'FM999,990.00999') AS price_output,"
        " " TS("m.created_at") " AS created, " TS("m.updated_at") " AS updated,"
        " " TS("m.removed_at") " AS removed,"
        " h.n AS hour_count, round(100.0 * h.ok_n / nullif(h.n, 0), 1) AS hour_success_pct,"
        " h.p95 AS hour_p95_ms"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        HOUR_STATS
        " WHERE m.id = $1::int", id);
}

PGresult *
lw_dbw_model_probes(lw_db *db, lw_err *err, long long id, int limit)
{
    char s[32], l[32];
    const char *p[2] = { s, l };

    snprintf(s, sizeof(s), "%lld", id);
    snprintf(l, sizeof(l), "%d", limit);
    return lw_db_query(db, err,
        "SELECT p.id, " TS("p.ts") " AS at, p.suite, p.case_id, p.ok, p.error_class,"
        " p.error_message, p.http_status, p.ttft_ms, p.total_ms, p.input_tokens,"
        " p.output_tokens, p.tokens_estimated, round(p.decode_tps::numeric, 1) AS tps,"
        " " USD("p.cost_usd") " AS cost, round(p.quality_score::numeric, 1) AS quality"
        " FROM probes p JOIN models m ON m.id = p.model_id AND m.environment_id = p.environment_id"
        " WHERE p.model_id = $1::int ORDER BY p.ts DESC LIMIT $2::int", 2, p);
}

#define ALERT_COLS \
    "SELECT a.id, r.id AS rule_id, r.name AS rule, a.severity, a.state," \
    " m.id AS model_id, m.name AS model, e.name AS environment," \
    " " TS("a.started_at") " AS started, " TS("a.fired_at") " AS fired," \
    " " TS("a.resolved_at") " AS resolved, " TS("a.last_eval_at") " AS last_eval," \
    " round(a.value::numeric, 3) AS value, round(a.threshold::numeric, 3) AS threshold," \
    " a.summary, u.email AS acknowledged_by, " TS("a.acknowledged_at") " AS acknowledged," \
    " a.false_positive" \
    " FROM alerts a JOIN rules r ON r.id = a.rule_id" \
    " LEFT JOIN models m ON m.id = a.model_id" \
    " LEFT JOIN environments e ON e.id = a.environment_id" \
    " LEFT JOIN users u ON u.id = a.acknowledged_by"

PGresult *
lw_dbw_alerts(lw_db *db, lw_err *err, int limit)
{
    return query_limit(db, err, ALERT_COLS
        " ORDER BY array_position(ARRAY['firing','pending','resolved'], a.state),"
        " array_position(ARRAY['critical','warning','info'], a.severity), a.started_at DESC"
        " LIMIT $1::int", limit);
}

PGresult *
lw_dbw_alert(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err, ALERT_COLS " WHERE a.id = $1::bigint", id);
}

PGresult *
lw_dbw_alert_events(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err,
        "SELECT ev.id, " TS("ev.at") " AS at, ev.from_state, ev.to_state,"
        " round(ev.value::numeric, 3) AS value, ev.message, u.email AS actor"
        " FROM alert_events ev LEFT JOIN users u ON u.id = ev.actor"
        " WHERE ev.alert_id = $1::bigint ORDER BY ev.at, ev.id", id);
}

PGresult *
lw_dbw_notifications(lw_db *db, lw_err *err, long long alert_id, int limit)
{
    char a[32], l[32];
    const char *p[2] = { alert_id > 0 ? a : NULL, l };

    snprintf(a, sizeof(a), "%lld", alert_id);
    snprintf(l, sizeof(l), "%d", limit);
    return lw_db_query(db, err,
        "SELECT n.id, c.name AS channel, c.type AS channel_type, n.kind, n.status, n.attempts,"
        " n.last_error, " TS("n.created_at") " AS created, " TS("n.sent_at") " AS sent,"
        " " TS("n.next_attempt_at") " AS next_attempt, ev.alert_id"
        " FROM notifications n JOIN channels c ON c.id = n.channel_id"
        " LEFT JOIN alert_events ev ON ev.id = n.alert_event_id"
        " WHERE ($1::bigint IS NULL AND n.status = 'failed') OR ev.alert_id = $1::bigint"
        " ORDER BY n.created_at DESC LIMIT $2::int", 2, p);
}

#define RULE_COLS \
    "SELECT r.id, r.name, r.kind, r.expression, r.params::text AS params, r.severity," \
    " r.for_s, r.cooldown_s, r.repeat_interval_s, r.send_resolved," \
    " array_to_string(r.scope_models, ', ') AS scope_models," \
    " array_to_string(r.scope_environments, ', ') AS scope_environments," \
    " r.runbook, r.enabled, r.source, r.config_line, u.email AS created_by," \
    " " TS("r.created_at") " AS created, " TS("r.updated_at") " AS updated," \
    " (SELECT count(*) FROM alerts a WHERE a.rule_id = r.id AND a.state = 'firing') AS firing" \
    " FROM rules r LEFT JOIN users u ON u.id = r.created_by"

PGresult *
lw_dbw_rules(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err, RULE_COLS
        " WHERE r.deleted_at IS NULL"
        " ORDER BY array_position(ARRAY['critical','warning','info'], r.severity), r.name",
        0, NULL);
}

PGresult *
lw_dbw_rule(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err, RULE_COLS " WHERE r.id = $1::int AND r.deleted_at IS NULL", id);
}

PGresult *
lw_dbw_silences(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT s.id, (SELECT string_agg(k || ' = ' || v, ', ' ORDER BY k)"
        "   FROM jsonb_each_text(s.matchers) AS j(k, v)) AS matchers,"
        " " TS("s.starts_at") " AS starts, " TS("s.ends_at") " AS ends,"
        " s.recurrence, s.duration_s, s.comment, u.email AS created_by,"
        " CASE WHEN s.expired_at IS NOT NULL OR (s.ends_at <= now() AND s.recurrence IS NULL)"
        "      THEN 'expired' WHEN s.starts_at > now() THEN 'scheduled'"
        "      WHEN s.recurrence IS NOT NULL THEN 'recurring' ELSE 'active' END AS status"
        " FROM silences s LEFT JOIN users u ON u.id = s.created_by"
        " ORDER BY (s.expired_at IS NULL AND (s.ends_at > now() OR s.recurrence IS NOT NULL)) DESC,"
        " s.starts_at DESC LIMIT 500", 0, NULL);
}

PGresult *
lw_dbw_channels(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT c.id, c.name, c.type, c.enabled, c.source,"
        " array_to_string(c.severities, ', ') AS severities,"
        " (SELECT string_agg(k || ': ' || CASE WHEN v ~ '^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$'"
        "   THEN v ELSE '\u2022\u2022\u2022\u2022' END, ', ' ORDER BY k)"
        "   FROM jsonb_each_text(c.settings) AS j(k, v)) AS settings,"
        " (SELECT string_agg(r.severity, ', ' ORDER BY"
        "   array_position(ARRAY['critical','warning','info'], r.severity))"
        "   FROM routes r WHERE r.channel_id = c.id) AS routes,"
        " (SELECT count(*) FROM notifications n WHERE n.channel_id = c.id AND n.status = 'failed')"
        "   AS failed,"
        " " TS("(SELECT max(n.sent_at) FROM notifications n WHERE n.channel_id = c.id)") " AS last_sent"
        " FROM channels c ORDER BY c.name", 0, NULL);
}

PGresult *
lw_dbw_budgets(lw_db *db, lw_err *err)
{
    /* spend of the current period: probes and production usage alike */
    return lw_db_query(db, err,
        "SELECT b.id, b.name, coalesce(m.name, 'all models') AS model,"
        " coalesce(e.name, 'all environments') AS environment, b.period,"
        " " USD("b.amount_usd") " AS amount, array_to_string(b.thresholds, '%, ') || '%' AS thresholds,"
        " " USD("s.spent") " AS spent, round(100 * s.spent / b.amount_usd, 1) AS used_pct,"
        " " TS("s.since") " AS since"
        " FROM budgets b LEFT JOIN models m ON m.id = b.model_id"
        " LEFT JOIN environments e ON e.id = b.environment_id"
        " CROSS JOIN LATERAL (SELECT date_trunc(CASE b.period WHEN 'daily' THEN 'day'"
        "   WHEN 'weekly' THEN 'week' ELSE 'month' END, now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS since) w"
        " CROSS JOIN LATERAL (SELECT w.since,"
        "   coalesce((SELECT sum(cost_usd) FROM probes p WHERE p.ts >= w.since"
        "     AND (b.model_id IS NULL OR p.model_id = b.model_id)"
        "     AND (b.environment_id IS NULL OR p.environment_id = b.environment_id)), 0)"
        " + coalesce((SELECT sum(cost_usd) FROM usage_events p WHERE p.ts >= w.since"
        "     AND (b.model_id IS NULL OR p.model_id = b.model_id)"
        "     AND (b.environment_id IS NULL OR p.environment_id = b.environment_id)), 0) AS spent) s"
        " ORDER BY b.name", 0, NULL);
}

PGresult *
lw_dbw_sla(lw_db *db, lw_err *err)
{
    /* The availability objective is the `sla_availability_pct` setting
     * (99.9 by default); latency compliance is p95 <= the model's target. */
    return lw_db_query(db, err,
        "WITH target AS (SELECT coalesce((SELECT value::numeric FROM settings"
        "   WHERE key = 'sla_availability_pct' AND value ~ '^[0-9]+(\\.[0-9]+)?$'), 99.9) AS pct),"
        " s AS (SELECT m.id, m.name, e.name AS environment, m.priority, m.sla_target_ms,"
        "   count(p.id) AS probes, count(p.id) FILTER (WHERE p.ok) AS ok_count,"
        "   percentile_cont(0.95) WITHIN GROUP (ORDER BY p.total_ms) FILTER (WHERE p.ok) AS p95_ms,"
        "   avg(p.total_ms) FILTER (WHERE p.ok) AS avg_ms"
        "   FROM models m JOIN environments e ON e.id = m.environment_id"
        "   LEFT JOIN probes p ON p.model_id = m.id AND p.environment_id = m.environment_id"
        "    AND p.ts > now() - interval '30 days'"
        "   WHERE m.enabled AND m.removed_at IS NULL"
        "   GROUP BY m.id, e.name)"
        " SELECT s.*, round(100.0 * ok_count / nullif(probes, 0), 3) AS availability_pct,"
        " t.pct AS availability_target_pct,"
        " (probes > 0 AND 100.0 * ok_count / probes >= t.pct) AS availability_ok,"
        " (p95_ms IS NOT NULL AND sla_target_ms IS NOT NULL AND p95_ms <= sla_target_ms) AS latency_ok,"
        " CASE WHEN probes = 0 THEN 'no data'"
        "      WHEN 100.0 * ok_count / probes >= t.pct"
        "       AND (sla_target_ms IS NULL OR p95_ms <= sla_target_ms) THEN 'pass'"
        "      ELSE 'fail' END AS compliance"
        " FROM s CROSS JOIN target t ORDER BY s.environment, s.name", 0, NULL);
}

PGresult *
lw_dbw_reports(lw_db *db, lw_err *err, int limit)
{
    return query_limit(db, err,
        "SELECT r.id, r.name, r.kind, r.format,"
        " to_char(r.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period_start,"
        " to_char(r.period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period_end,"
        " octet_length(r.content) AS bytes, r.sha256,"
        " array_to_string(r.recipients, ', ') AS recipients,"
        " " TS("r.emailed_at") " AS emailed, " TS("r.created_at") " AS created,"
        " u.email AS created_by"
        " FROM reports r LEFT JOIN users u ON u.id = r.created_by"
        " ORDER BY r.created_at DESC LIMIT $1::int", limit);
}

PGresult *
lw_dbw_report_content(lw_db *db, lw_err *err, long long id)
{
    return query_id(db, err,
        "SELECT format, content, sha256 FROM reports WHERE id = $1::bigint", id);
}

PGresult *
lw_dbw_metrics_models(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT m.name, e.name AS environment, m.provider, m.model, m.sla_target_ms,"
        " p.ok AS last_ok, p.ttft_ms AS last_ttft_ms, p.total_ms AS last_total_ms,"
        " p.decode_tps AS last_tps, extract(epoch FROM p.ts) AS last_epoch,"
        " h.n AS hour_count, h.ok_n AS hour_ok, h.p95 AS hour_p95_ms"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        LAST_PROBE HOUR_STATS
        " WHERE m.enabled AND m.removed_at IS NULL ORDER BY e.name, m.name", 0, NULL);
}

PGresult *
lw_dbw_metrics_errors(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT m.name, e.name AS environment, coalesce(p.error_class, 'unknown') AS error_class,"
        " count(*) AS n"
        " FROM probes p JOIN models m ON m.id = p.model_id"
        " JOIN environments e ON e.id = p.environment_id"
        " WHERE p.ts > now() - interval '1 hour' AND NOT p.ok"
        "   AND m.enabled AND m.removed_at IS NULL"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", 0, NULL);
}
