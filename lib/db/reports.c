/* reports.c: the SQL of reports (see reports.h): stored reports, and the
 * figures a report is computed from, every one read from the rollups
 * (lw_rollup_read) or, for incidents, from the alerts. */
#include "db/reports.h"

#include <stdio.h>
#include <string.h>

#include "db/sql.h"
#include "times.h"

/* A time as a timestamptz parameter (room: 40 bytes). */
static const char *
ts(time_t t, char *buf)
{
    return lw_time_format(t, LW_TIME_SQL, buf, 40);
}

/* sql with $1..$n the times t[0..n) (n <= 3) and, when extra is not
 * NULL, $(n+1) = extra. */
static PGresult *
query_times(lw_db *db, lw_err *err, const char *sql, int n, const time_t *t, const char *extra)
{
    char room[3][40];
    const char *p[4];
    int i;

    for (i = 0; i < n; i++)
        p[i] = ts(t[i], room[i]);
    p[n] = extra;
    return lw_db_query(db, err, sql, n + (extra != NULL), p);
}

/* ---- stored reports ---- */

PGresult *
lw_db_reports_list(lw_db *db, lw_err *err, int limit)
{
    return lw_db_query_id(db, err,
        "SELECT r.id, r.name, r.kind, r.format,"
        " to_char(r.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period_start,"
        " to_char((r.period_end - interval '1 second') AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period_end,"
        " octet_length(r.content) AS bytes, r.sha256,"
        " array_to_string(r.recipients, ', ') AS recipients,"
        " " TS("r.emailed_at") " AS emailed, " TS("r.created_at") " AS created,"
        " u.email AS created_by, r.schedule, r.data_sha256,"
        " r.source_html IS NOT NULL AS has_source, r.email_error"
        " FROM reports r LEFT JOIN users u ON u.id = r.created_by"
        " ORDER BY r.created_at DESC, r.id DESC LIMIT $1::int", limit);
}

PGresult *
lw_db_reports_file(lw_db *db, lw_err *err, long long id, int source)
{
    static const char *const sql[2] = {
        "SELECT format, content, sha256 FROM reports WHERE id = $1::bigint",
        "SELECT source_html, encode(sha256(source_html), 'hex') FROM reports"
        " WHERE id = $1::bigint AND source_html IS NOT NULL",
    };

    return lw_db_query_id(db, err, sql[source != 0], id);
}

PGresult *
lw_db_reports_evidence(lw_db *db, lw_err *err, time_t from, time_t to, const char *format,
                       const char *data_sha256)
{
    char a[40], b[40];
    const char *p[4] = { ts(from, a), ts(to, b), format, data_sha256 };

    return lw_db_query(db, err,
        "SELECT id, content, sha256 FROM reports WHERE kind = 'sla' AND period_start = $1"
        " AND period_end = $2 AND format = $3 AND data_sha256 = $4", 4, p);
}

PGresult *
lw_db_reports_insert(lw_db *db, lw_err *err, const lw_db_reports_row *w)
{
    char a[40], b[40], c[40], uid[24];
    const char *p[15];

    p[0] = w->name;
    p[1] = w->kind;
    p[2] = ts(w->from, a);
    p[3] = ts(w->to, b);
    p[4] = w->format;
    p[5] = w->content_hex;
    p[6] = w->sha256;
    p[7] = w->recipients;
    p[8] = w->created_by > 0 ? LL(uid, w->created_by) : NULL;
    p[9] = w->schedule;
    p[10] = w->slot ? ts(w->slot, c) : NULL;
    p[11] = w->sections;
    p[12] = w->data_sha256;
    p[13] = w->source_hex;
    /* a slot or a period's evidence already made keeps its first report;
     * the second statement part finds it */
    return lw_db_query(db, err,
        "WITH ins AS (INSERT INTO reports (name, kind, period_start, period_end, format, content,"
        "  sha256, recipients, created_by, schedule, slot, sections, data_sha256, source_html)"
        " VALUES ($1, $2, $3, $4, $5, $6::bytea, $7, coalesce($8::text[], '{}'), $9::int, $10, $11,"
        "  coalesce($12::text[], '{}'), $13, $14::bytea)"
        " ON CONFLICT DO NOTHING RETURNING id, sha256)"
        " SELECT id, sha256, false AS existed FROM ins"
        " UNION ALL"
        " SELECT r.id, r.sha256, true FROM reports r WHERE NOT EXISTS (SELECT 1 FROM ins)"
        "  AND ((r.schedule = $10 AND r.slot = $11)"
        "   OR (r.kind = 'sla' AND $2 = 'sla' AND r.period_start = $3 AND r.period_end = $4"
        "       AND r.format = $5 AND r.data_sha256 = $13))"
        " LIMIT 1", 14, p);
}

int
lw_db_reports_emailed(lw_db *db, lw_err *err, long long id, const char *error)
{
    return lw_db_run_id_text(db, err,
        "UPDATE reports SET emailed_at = CASE WHEN $2::text IS NULL THEN now() ELSE emailed_at END,"
        " email_error = $2 WHERE id = $1::bigint", id, error);
}

/* ---- the figures of a report ---- */

/* One period's columns of a model from rollup row x (prefix p). */
#define PERIOD_COLS(x) \
    " coalesce(" x ".count, 0) AS count, coalesce(" x ".errors, 0) AS errors," \
    " coalesce(" x ".sum_total_ms, 0) AS sum_ms, coalesce(" x ".total_n, 0) AS total_n," \
    " " x ".sum_total_ms / nullif(" x ".total_n, 0) AS avg_ms," \
    " lw_hist_quantile(" x ".total_hist, 0.5) AS p50_ms," \
    " lw_hist_quantile(" x ".total_hist, 0.95) AS p95_ms," \
    " lw_hist_quantile(" x ".total_hist, 0.99) AS p99_ms," \
    " lw_hist_quantile(" x ".ttft_hist, 0.95) AS ttft_p95_ms," \
    " " x ".tps_sum / nullif(" x ".tps_n, 0) AS tps," \
    " " x ".quality_sum / nullif(" x ".quality_n, 0) AS quality," \
    " round(coalesce(" x ".cost_usd, 0) * 1000000000000)::bigint AS cost_pico," \
    " coalesce(" x ".input_tokens, 0) AS input_tokens, coalesce(" x ".output_tokens, 0) AS output_tokens," \
    " " x ".error_counts"

static const char *const compare_sql[LW_DB_REPORT_COMPARE_N] = {
    [LW_DB_REPORT_MODELS] =
        "WITH cur AS MATERIALIZED (SELECT * FROM lw_rollup_read(NULL, $1, $2)),"
        " prv AS MATERIALIZED (SELECT * FROM lw_rollup_read(NULL, $3, $1))"
        " SELECT m.id, m.name, e.name AS environment, m.provider, m.sla_target_ms,"
        PERIOD_COLS("c") ","
        PERIOD_COLS("v")
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        " LEFT JOIN cur c ON c.model_id = m.id AND c.environment_id = m.environment_id"
        " LEFT JOIN prv v ON v.model_id = m.id AND v.environment_id = m.environment_id"
        " WHERE (m.enabled AND m.removed_at IS NULL) OR c.count > 0 OR v.count > 0"
        " ORDER BY e.name, m.name, m.id",
    [LW_DB_REPORT_RULES] =
        "SELECT r.name AS rule, r.severity,"
        " count(*) FILTER (WHERE a.fired_at >= $1) AS fired,"
        " count(*) FILTER (WHERE a.fired_at < $1) AS prev_fired,"
        " count(DISTINCT a.model_id) FILTER (WHERE a.fired_at >= $1) AS models,"
        " count(*) FILTER (WHERE a.fired_at >= $1 AND a.false_positive) AS false_positives,"
        " avg(extract(epoch FROM a.resolved_at - a.fired_at))"
        "  FILTER (WHERE a.fired_at >= $1 AND a.resolved_at IS NOT NULL) AS mttr_s,"
        " coalesce(sum(extract(epoch FROM least(coalesce(a.resolved_at, now()), $2) - a.fired_at))"
        "  FILTER (WHERE a.fired_at >= $1), 0)::bigint AS firing_s,"
        " (array_agg(m.name ORDER BY a.fired_at DESC) FILTER (WHERE a.fired_at >= $1))[1] AS last_model"
        " FROM alerts a JOIN rules r ON r.id = a.rule_id LEFT JOIN models m ON m.id = a.model_id"
        " WHERE a.fired_at >= $3 AND a.fired_at < $2"
        " GROUP BY r.name, r.severity ORDER BY fired DESC, r.name",
};

PGresult *
lw_db_reports_compare(lw_db *db, lw_err *err, lw_db_report_compare which, time_t from, time_t to,
                      time_t prev_from)
{
    const time_t t[3] = { from, to, prev_from };
    const char *sql = lw_db_statement(compare_sql, LW_DB_REPORT_COMPARE_N, (int) which, err);

    return sql ? query_times(db, err, sql, 3, t, NULL) : NULL;
}

PGresult *
lw_db_reports_trend(lw_db *db, lw_err *err, time_t from, time_t to, long long step_s)
{
    const time_t t[2] = { from, to };
    char x[24];

    return query_times(db, err,
        "SELECT extract(epoch FROM r.bucket_start)::bigint AS t, r.model_id,"
        " r.count, r.errors, lw_hist_quantile(r.total_hist, 0.95) AS p95_ms,"
        " r.sum_total_ms / nullif(r.total_n, 0) AS avg_ms,"
        " round(coalesce(r.cost_usd, 0) * 1000000000000)::bigint AS cost_pico"
        " FROM lw_rollup_read(NULL, $1, $2, make_interval(secs => $3::int)) r"
        " ORDER BY r.model_id, r.bucket_start", 2, t, LL(x, step_s));
}

PGresult *
lw_db_reports_hour_groups(lw_db *db, lw_err *err, time_t from, time_t to)
{
    const time_t t[2] = { from, to };

    return query_times(db, err,
        "WITH h AS (SELECT model_id, environment_id, bucket_start AS b,"
        "   sum_total_ms / total_n AS v"
        "   FROM lw_rollup_read(NULL, $1, $2, interval '1 hour') WHERE total_n > 0),"
        " r AS (SELECT h.*, rank() OVER (PARTITION BY model_id, environment_id ORDER BY v)"
        "   + (count(*) OVER (PARTITION BY model_id, environment_id, v) - 1) / 2.0 AS rk FROM h),"
        " g AS (SELECT model_id, environment_id, 'weekday' AS dim,"
        "   extract(isodow FROM b AT TIME ZONE 'UTC')::int AS k,"
        "   count(*) AS n, sum(rk) AS rs, sum(v) AS s FROM r GROUP BY 1, 2, 4"
        "  UNION ALL"
        "  SELECT model_id, environment_id, 'hour', extract(hour FROM b AT TIME ZONE 'UTC')::int,"
        "   count(*), sum(rk), sum(v) FROM r GROUP BY 1, 2, 4),"
        " t AS (SELECT model_id, environment_id, count(*) AS n, sum(v) AS s FROM h GROUP BY 1, 2)"
        " SELECT g.model_id, g.dim, g.k, g.n, g.s / g.n AS mean, g.rs AS rank_sum,"
        "  t.n - g.n AS rn, (t.s - g.s) / nullif(t.n - g.n, 0) AS rmean"
        " FROM g JOIN t USING (model_id, environment_id)"
        " ORDER BY g.model_id, g.dim, g.k", 2, t, NULL);
}

PGresult *
lw_db_reports_incidents(lw_db *db, lw_err *err, time_t from, time_t to, int limit)
{
    const time_t t[2] = { from, to };
    char x[24];

    return query_times(db, err,
        "SELECT a.id, r.name AS rule, m.name AS model, e.name AS environment, a.severity,"
        " a.state, " TS("a.fired_at") " AS fired, " TS("a.resolved_at") " AS resolved,"
        " extract(epoch FROM least(coalesce(a.resolved_at, now()), $2) - greatest(a.fired_at, $1))"
        "  ::bigint AS seconds_in_period,"
        " a.summary, a.false_positive"
        " FROM alerts a JOIN rules r ON r.id = a.rule_id"
        " LEFT JOIN models m ON m.id = a.model_id LEFT JOIN environments e ON e.id = a.environment_id"
        " WHERE a.fired_at IS NOT NULL AND a.fired_at < $2"
        "  AND coalesce(a.resolved_at, 'infinity') > $1"
        " ORDER BY a.fired_at, a.id LIMIT $3::int", 2, t, LL(x, limit));
}
