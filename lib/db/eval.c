/* eval.c: the SQL of the alert evaluator and of `llmwatch alerts` (see
 * eval.h). */
#include "db/eval.h"

#include <math.h>
#include <stdio.h>

#include "db/sql.h"

/* Parameters as text: numbers in caller-provided buffers. */

static const char *
num(char *buf, size_t size, double v)
{
    if (!isfinite(v))
        return NULL;
    snprintf(buf, size, "%.17g", v);
    return buf;
}

static const char open_sql[] =
    "SELECT a.id, a.rule_id, coalesce(a.model_id, 0), coalesce(a.environment_id, 0), a.state,"
    "  extract(epoch FROM a.started_at)::bigint, coalesce(extract(epoch FROM a.fired_at), 0)::bigint,"
    "  coalesce(extract(epoch FROM a.last_notified_at), 0)::bigint"
    " FROM alerts a WHERE a.state IN ('pending', 'firing') ORDER BY a.id";

static const char last_sql[] =
    "SELECT rule_id, coalesce(model_id, 0), coalesce(environment_id, 0),"
    "  extract(epoch FROM max(last_notified_at))::bigint"
    " FROM alerts WHERE last_notified_at IS NOT NULL"
    "   AND last_notified_at > to_timestamp($1::bigint) - make_interval(secs => $2::bigint)"
    " GROUP BY 1, 2, 3";

static const char silences_sql[] =
    "SELECT id, matchers::text, extract(epoch FROM starts_at)::bigint,"
    "  extract(epoch FROM ends_at)::bigint, recurrence, coalesce(duration_s, 0), comment"
    " FROM silences WHERE expired_at IS NULL AND starts_at <= to_timestamp($1::bigint)"
    "   AND ends_at > to_timestamp($1::bigint) ORDER BY id";

static const char routes_sql[] =
    "SELECT r.severity, c.id, c.name, c.type FROM routes r JOIN channels c ON c.id = r.channel_id"
    " WHERE c.enabled ORDER BY r.severity, r.position, c.id";

static const char insert_alert_sql[] =
    "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at, fired_at,"
    "   last_eval_at, value, threshold, summary, fingerprint)"
    " VALUES ($1::int, $2::int, $3::int, $4, $5, to_timestamp($6::bigint),"
    "   CASE WHEN $5 = 'firing' THEN to_timestamp($6::bigint) END, to_timestamp($6::bigint),"
    "   $7::float8, $8::float8, $9,"
    "   left(encode(sha256(convert_to($1 || '/' || $2 || '/' || $3, 'UTF8')), 'hex'), 16))"
    " RETURNING id";

static const char update_alert_sql[] =
    "UPDATE alerts SET state = $2,"
    "   fired_at = CASE WHEN $2 = 'firing' AND fired_at IS NULL THEN to_timestamp($3::bigint)"
    "                   ELSE fired_at END,"
    "   resolved_at = CASE WHEN $2 = 'resolved' THEN to_timestamp($3::bigint) END,"
    "   last_eval_at = to_timestamp($3::bigint),"
    "   value = coalesce($4::float8, value), threshold = coalesce($5::float8, threshold),"
    "   summary = coalesce($6, summary), severity = coalesce($7, severity)"
    " WHERE id = $1::bigint";

static const char insert_event_sql[] =
    "INSERT INTO alert_events (alert_id, at, from_state, to_state, value, message)"
    " VALUES ($1::bigint, to_timestamp($2::bigint), $3, $4, $5::float8, $6) RETURNING id";

static const char orphan_sql[] =
    "SELECT a.severity, r.send_resolved, r.name, coalesce(m.name, ''), coalesce(e.name, '')"
    " FROM alerts a JOIN rules r ON r.id = a.rule_id LEFT JOIN models m ON m.id = a.model_id"
    " LEFT JOIN environments e ON e.id = a.environment_id WHERE a.id = $1::bigint";

static const char inhibit_sql[] =
    "SELECT a.id, r.name FROM alerts a JOIN rules r ON r.id = a.rule_id"
    " WHERE a.state = 'firing' AND a.severity = 'critical' AND a.id <> $1::bigint"
    "   AND coalesce(a.model_id, 0) = $2::bigint AND coalesce(a.environment_id, 0) = $3::bigint"
    " ORDER BY a.id LIMIT 1";

static const char names_sql[] =
    "SELECT r.name, m.name, e.name FROM alerts a JOIN rules r ON r.id = a.rule_id"
    " LEFT JOIN models m ON m.id = a.model_id LEFT JOIN environments e ON e.id = a.environment_id"
    " WHERE a.id = $1::bigint";

static const char payload_sql[] =
    "SELECT a.id, r.id, r.name, r.runbook, coalesce(m.name, ''), coalesce(e.name, ''), a.severity,"
    "  a.value, a.threshold, a.summary, a.fingerprint,"
    "  to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    "  to_char(a.fired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    "  to_char(a.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    "  ev.from_state, ev.to_state"
    " FROM alert_events ev JOIN alerts a ON a.id = ev.alert_id JOIN rules r ON r.id = a.rule_id"
    " LEFT JOIN models m ON m.id = a.model_id LEFT JOIN environments e ON e.id = a.environment_id"
    " WHERE ev.id = $1::bigint";

static const char insert_notification_sql[] =
    "INSERT INTO notifications (alert_event_id, channel_id, kind, status, payload, idempotency_key,"
    "   group_key, alert_count, suppressed_reason)"
    " VALUES ($1::bigint, $2::int, 'alert', $3, $4::jsonb,"
    "   encode(sha256(convert_to('llmwatch:' || $1 || ':' || $2, 'UTF8')), 'hex'),"
    "   $5, $6::int, $7)"
    " RETURNING id";

static const char insert_member_sql[] =
    "INSERT INTO notification_events (notification_id, alert_event_id, channel_id)"
    " SELECT $1::bigint, unnest($2::bigint[]), $3::int";

static const char analyze_sql[] =
    "WITH a AS ("
    "  SELECT a.*, lag(a.resolved_at) OVER (PARTITION BY a.rule_id, a.model_id, a.environment_id"
    "                                       ORDER BY a.fired_at) AS prev_resolved"
    "  FROM alerts a WHERE a.fired_at IS NOT NULL AND a.fired_at <= to_timestamp($1::bigint)),"
    " w AS (SELECT * FROM a WHERE a.fired_at > to_timestamp($1::bigint) - make_interval(days => $2::int))"
    " SELECT r.name, r.kind, count(w.id) AS fired,"
    "   count(w.id) FILTER (WHERE w.acknowledged_at IS NOT NULL) AS acked,"
    "   count(w.id) FILTER (WHERE w.false_positive) AS fp,"
    "   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM w.resolved_at - w.fired_at))"
    "     FILTER (WHERE w.resolved_at IS NOT NULL) AS median_s,"
    "   count(w.id) FILTER (WHERE w.prev_resolved IS NOT NULL"
    "     AND w.fired_at - w.prev_resolved <= make_interval(secs => $3::int)) AS flapping,"
    "   count(w.id) FILTER (WHERE NOT w.false_positive AND ((w.resolved_at IS NOT NULL"
    "     AND w.resolved_at - w.fired_at < make_interval(secs => $4::int))"
    "     OR (w.prev_resolved IS NOT NULL AND w.fired_at - w.prev_resolved"
    "         <= make_interval(secs => $3::int)))) AS suspects"
    " FROM rules r LEFT JOIN w ON w.rule_id = r.id"
    " WHERE r.deleted_at IS NULL"
    " GROUP BY r.id, r.name, r.kind ORDER BY r.id";

static const char labeled_sql[] =
    "SELECT coalesce(model_id, 0), coalesce(environment_id, 0),"
    "  extract(epoch FROM fired_at)::bigint,"
    "  extract(epoch FROM coalesce(resolved_at, to_timestamp($2::bigint)))::bigint, false_positive"
    " FROM alerts WHERE rule_id = $1::int AND fired_at IS NOT NULL"
    "   AND fired_at > to_timestamp($3::bigint) AND fired_at <= to_timestamp($2::bigint)"
    " ORDER BY fired_at";

int
lw_db_eval_lock(lw_db *db, lw_err *err)
{
    return lw_db_run(db, err, "SELECT pg_advisory_xact_lock(hashtext('llmwatch:evaluate'))",
                     0, NULL);
}

PGresult *
lw_db_eval_open(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err, open_sql, 0, NULL);
}

PGresult *
lw_db_eval_last_notified(lw_db *db, lw_err *err, time_t at, long long window_s)
{
    char a[24], w[24];
    const char *p[2] = { LL(a, at), LL(w, window_s) };

    return lw_db_query(db, err, last_sql, 2, p);
}

PGresult *
lw_db_eval_silences(lw_db *db, lw_err *err, time_t at)
{
    char a[24];
    const char *p[1] = { LL(a, at) };

    return lw_db_query(db, err, silences_sql, 1, p);
}

PGresult *
lw_db_eval_routes(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err, routes_sql, 0, NULL);
}

int
lw_db_eval_alert_insert(lw_db *db, lw_err *err, long long rule_id, long long model_id,
                        long long environment_id, const char *severity, const char *state,
                        time_t at, double value, double threshold, const char *summary,
                        long long *id)
{
    char r[24], m[24], e[24], a[24], v[32], t[32];
    const char *p[9] = { LL(r, rule_id), LL(m, model_id), LL(e, environment_id), severity, state,
                         LL(a, at), num(v, sizeof(v), value), num(t, sizeof(t), threshold),
                         summary };

    return lw_db_value(db, err, insert_alert_sql, 9, p, id);
}

int
lw_db_eval_alert_update(lw_db *db, lw_err *err, long long id, const char *state, time_t at,
                        double value, double threshold, const char *summary,
                        const char *severity)
{
    char i[24], a[24], v[32], t[32];
    const char *p[7] = { LL(i, id), state, LL(a, at), num(v, sizeof(v), value),
                         num(t, sizeof(t), threshold), summary, severity };

    return lw_db_run(db, err, update_alert_sql, 7, p);
}

int
lw_db_eval_event_insert(lw_db *db, lw_err *err, long long alert_id, time_t at, const char *from,
                        const char *to, double value, const char *message, long long *event_id)
{
    char i[24], a[24], v[32];
    const char *p[6] = { LL(i, alert_id), LL(a, at), from, to, num(v, sizeof(v), value), message };

    return lw_db_value(db, err, insert_event_sql, 6, p, event_id);
}

PGresult *
lw_db_eval_orphan(lw_db *db, lw_err *err, long long alert_id)
{
    return lw_db_query_id(db, err, orphan_sql, alert_id);
}

PGresult *
lw_db_eval_names(lw_db *db, lw_err *err, long long alert_id)
{
    return lw_db_query_id(db, err, names_sql, alert_id);
}

PGresult *
lw_db_eval_inhibitor(lw_db *db, lw_err *err, long long alert_id, long long model_id,
                     long long environment_id)
{
    const long long v[3] = { alert_id, model_id, environment_id };

    return lw_db_query_ints(db, err, inhibit_sql, 3, v);
}

int
lw_db_eval_notified(lw_db *db, lw_err *err, long long alert_id, time_t at)
{
    char i[24], a[24];
    const char *p[2] = { LL(i, alert_id), LL(a, at) };

    return lw_db_run(db, err, "UPDATE alerts SET last_notified_at = to_timestamp($2::bigint)"
                     " WHERE id = $1::bigint", 2, p);
}

PGresult *
lw_db_eval_payload(lw_db *db, lw_err *err, long long event_id)
{
    return lw_db_query_id(db, err, payload_sql, event_id);
}

int
lw_db_eval_notification_insert(lw_db *db, lw_err *err, long long first_event,
                               long long channel_id, const char *status, const char *payload,
                               const char *group_key, long long count, const char *reason,
                               const char *event_ids, long long *id)
{
    char f[24], c[24], n[24], i[24];
    const char *p[7] = { LL(f, first_event), LL(c, channel_id), status, payload, group_key,
                         LL(n, count), reason };

    if (lw_db_value(db, err, insert_notification_sql, 7, p, id) != LW_OK)
        return LW_EDB;
    p[0] = LL(i, *id);
    p[1] = event_ids;
    p[2] = c;
    return lw_db_run(db, err, insert_member_sql, 3, p);
}

PGresult *
lw_db_eval_quality(lw_db *db, lw_err *err, time_t at, int days, int flap_s, int short_s)
{
    char a[24], d[16], f[16], s[16];
    const char *p[4] = { LL(a, at), LL(d, days), LL(f, flap_s), LL(s, short_s) };

    return lw_db_query(db, err, analyze_sql, 4, p);
}

PGresult *
lw_db_eval_labeled(lw_db *db, lw_err *err, long long rule_id, time_t from, time_t to)
{
    char r[24], t[24], f[24];
    const char *p[3] = { LL(r, rule_id), LL(t, to), LL(f, from) };

    return lw_db_query(db, err, labeled_sql, 3, p);
}
