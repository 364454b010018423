/* sla.c: the SQL of /sla and of SLA evidence (see sla.h). */
#include "db/sla.h"

#include <stdio.h>

#include "db/sql.h"
#include "times.h"

PGresult *
lw_db_sla_list(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        /* the last 30 days from the rollups: 29 whole days and today */
        "WITH target AS (SELECT " SLA_TARGET_PCT " AS pct),"
        " r AS MATERIALIZED (SELECT * FROM lw_rollup_read(NULL,"
        "   date_bin('1 day', now(), " ORIGIN ") - interval '29 days', now())),"
        " s AS (SELECT m.id, m.name, e.name AS environment, m.priority, m.sla_target_ms,"
        "   coalesce(r.count, 0) AS probes, coalesce(r.count - r.errors, 0) AS ok_count,"
        "   lw_hist_quantile(r.total_hist, 0.95) AS p95_ms,"
        "   r.sum_total_ms / nullif(r.total_n, 0) AS avg_ms"
        "   FROM models m JOIN environments e ON e.id = m.environment_id"
        "   LEFT JOIN r ON r.model_id = m.id AND r.environment_id = m.environment_id"
        "   WHERE m.enabled AND m.removed_at IS NULL)"
        " SELECT s.*, round(100.0 * ok_count / nullif(probes, 0), 3) AS availability_pct,"
        " t.pct AS availability_target_pct,"
        SLA_VERDICT("probes", "ok_count", "p95_ms", "sla_target_ms", "t.pct")
        " FROM s CROSS JOIN target t ORDER BY s.environment, s.name", 0, NULL);
}

/* Each model's days of [$1, $2) that have begun, from the daily rollups:
 * probes, errors, the latency histogram, and what was expected of the day.
 * Expected probes per day = the most the model had on any whole day of the
 * 30 days before the period ends (the probe schedule as it ran); a day
 * that has begun counts its minutes up to now. known = the share of the
 * day's expected probes that exist (1 with no expectation but probes). */
#define SLA_DAYS \
    "WITH p AS (SELECT $1::timestamptz AS f, $2::timestamptz AS t," \
    "    least($2::timestamptz, greatest($1::timestamptz, now())) AS e)," \
    " r AS MATERIALIZED (SELECT r.* FROM p," \
    "    lw_rollup_read(NULL, p.f - interval '30 days', p.t, interval '1 day') r)," \
    " d AS (SELECT g AS day, least(g + interval '1 day', p.e) AS day_end FROM p," \
    "    generate_series(p.f, p.t - interval '1 day', interval '1 day') g WHERE g < p.e)," \
    " mm AS (SELECT m.id, m.name, e.name AS environment, m.environment_id, m.sla_target_ms" \
    "    FROM models m JOIN environments e ON e.id = m.environment_id CROSS JOIN p" \
    "    WHERE (m.enabled AND m.removed_at IS NULL) OR EXISTS (SELECT 1 FROM r" \
    "      WHERE r.model_id = m.id AND r.environment_id = m.environment_id AND r.bucket_start >= p.f))," \
    " x AS (SELECT r.model_id, r.environment_id, max(r.count) AS per_day FROM r, p" \
    "    WHERE r.bucket_start + interval '1 day' <= p.e GROUP BY 1, 2)," \
    " dd AS (SELECT mm.id AS model_id, mm.environment_id, d.day," \
    "    extract(epoch FROM d.day_end - d.day)::float8 / 60 AS minutes," \
    "    coalesce(r.count, 0) AS n, coalesce(r.errors, 0) AS err, r.total_hist," \
    "    coalesce(r.sum_total_ms, 0) AS sum_ms, coalesce(r.total_n, 0) AS total_n," \
    "    coalesce(x.per_day, 0) * extract(epoch FROM d.day_end - d.day)::float8 / 86400 AS expected" \
    "    FROM mm CROSS JOIN d" \
    "    LEFT JOIN r ON r.model_id = mm.id AND r.environment_id = mm.environment_id" \
    "     AND r.bucket_start = d.day" \
    "    LEFT JOIN x ON x.model_id = mm.id AND x.environment_id = mm.environment_id)," \
    " k AS (SELECT dd.*, CASE WHEN expected > 0 THEN least(1.0, n / expected)" \
    "    WHEN n > 0 THEN 1.0 ELSE 0.0 END AS known FROM dd)"

/* downtime minutes of a day: its known minutes times its failed share */
#define SLA_DOWN "CASE WHEN k.n > 0 THEN k.minutes * k.known * k.err / k.n ELSE 0 END"

/* per model over the period */
static const char totals_sql[] = SLA_DAYS
    " SELECT mm.id, mm.name, mm.environment, mm.sla_target_ms,"
    "  coalesce(sum(k.n), 0)::bigint AS probes, coalesce(sum(k.err), 0)::bigint AS errors,"
    "  sum(k.sum_ms) / nullif(sum(k.total_n), 0) AS avg_ms,"
    "  lw_hist_quantile(lw_hist_sum(k.total_hist), 0.95) AS p95_ms,"
    "  lw_hist_quantile(lw_hist_sum(k.total_hist), 0.99) AS p99_ms,"
    "  (SELECT x.per_day FROM x WHERE x.model_id = mm.id AND x.environment_id = mm.environment_id)"
    "   AS expected_per_day,"
    "  coalesce(sum(k.minutes), 0) AS elapsed_min,"
    "  (SELECT extract(epoch FROM p.t - p.f)::float8 / 60 FROM p) AS period_min,"
    "  coalesce(sum(k.minutes * (1 - k.known)), 0) AS unknown_min,"
    "  coalesce(sum(" SLA_DOWN "), 0) AS down_min,"
    "  " SLA_TARGET_PCT "::float8 AS objective_pct,"
    "  " SETTING_INT("sla_min_samples", "50") " AS min_samples,"
    "  (SELECT now() >= p.t FROM p) AS ended"
    " FROM mm LEFT JOIN k ON k.model_id = mm.id AND k.environment_id = mm.environment_id"
    " GROUP BY mm.id, mm.name, mm.environment, mm.environment_id, mm.sla_target_ms"
    " ORDER BY mm.environment, mm.name, mm.id";

/* per model and day */
static const char days_sql[] = SLA_DAYS
    " SELECT k.model_id, to_char(k.day AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,"
    "  extract(epoch FROM k.day)::bigint AS day_epoch, k.n AS probes, k.err AS errors,"
    "  k.expected, k.minutes, k.minutes * (1 - k.known) AS unknown_min,"
    "  " SLA_DOWN " AS down_min,"
    "  lw_hist_quantile(k.total_hist, 0.95) AS p95_ms,"
    "  lw_hist_quantile(k.total_hist, 0.99) AS p99_ms"
    " FROM k JOIN mm ON mm.id = k.model_id AND mm.environment_id = k.environment_id"
    " ORDER BY mm.environment, mm.name, mm.id, k.day";

PGresult *
lw_db_sla_period(lw_db *db, lw_err *err, time_t from, time_t to, int per_day)
{
    char a[40], b[40];
    const char *p[2] = { lw_time_format(from, LW_TIME_SQL, a, sizeof(a)),
                         lw_time_format(to, LW_TIME_SQL, b, sizeof(b)) };

    return lw_db_query(db, err, per_day ? days_sql : totals_sql, 2, p);
}
