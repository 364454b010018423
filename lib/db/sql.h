/* sql.h: what the topic files of lib/db share and nothing outside lib/db
 * needs: SQL fragments (how a timestamp or an amount of dollars is shown,
 * the SLA verdict, the audited change) and the helpers that run the common
 * statement shapes. Include it from the .c files of lib/db only. */
#ifndef LW_DB_SQL_H
#define LW_DB_SQL_H

#include <stdio.h>
#include <time.h>

#include "db/audit.h"
#include "db/db.h"
#include "db/rules.h"

/* ---- how values are shown ---- */

/* A timestamptz as every page shows it: "2025-01-07 08:00:00 UTC". */
#define TS(c) "to_char((" c ") AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS \"UTC\"')"

/* Dollars for people: four decimals under a dollar, else cents. */
#define USD(x) "CASE WHEN (" x ") < 1 THEN to_char((" x "), 'FM0.0000') " \
               "ELSE to_char((" x "), 'FM999,999,999,990.00') END"

/* The origin of every time bucket (rollups, chart steps): a multiple of a
 * day, so Unix multiples of a step that divides a day are bucket starts. */
#define ORIGIN "TIMESTAMPTZ '2000-01-01 00:00:00+00'"

/* The setting a `settings` row holds as a number, or dflt when it is unset
 * or not a number. */
#define SETTING_NUMERIC(key, dflt) \
    "coalesce((SELECT value::numeric FROM settings WHERE key = '" key "'" \
    " AND value ~ '^[0-9]+(\\.[0-9]+)?$'), " dflt ")"
#define SETTING_INT(key, dflt) \
    "coalesce((SELECT value::int FROM settings WHERE key = '" key "'" \
    " AND value ~ '^[0-9]{1,6}$'), " dflt ")"

/* ---- the SLA, as /sla and the dashboard judge it ---- */

/* The availability objective in percent: the `sla_availability_pct`
 * setting, 99.9 by default. */
#define SLA_TARGET_PCT SETTING_NUMERIC("sla_availability_pct", "99.9")

/* The SLA columns of one model from its probe count n, successful probes
 * ok, p95 latency p95 and latency target target (ms), against the
 * availability objective pct: availability_ok, latency_ok and compliance
 * ('pass', 'fail' or 'no data'). A model without a latency target is
 * judged on availability alone. */
/* Below LW_SLA_MIN_PROBES probes a verdict would be noise: 'not enough
 * data' instead of a FAIL from the first minute. */
#define LW_SLA_MIN_PROBES 10
#define LW_SLA_MIN_PROBES_S "10"
#define SLA_VERDICT(n, ok, p95, target, pct) \
    " (" n " > 0 AND 100.0 * " ok " / " n " >= " pct ") AS availability_ok," \
    " (" p95 " IS NOT NULL AND " target " IS NOT NULL AND " p95 " <= " target ") AS latency_ok," \
    " CASE WHEN " n " = 0 THEN 'no data'" \
    "      WHEN " n " < " LW_SLA_MIN_PROBES_S " THEN 'not enough data'" \
    "      WHEN 100.0 * " ok " / " n " >= " pct \
    "       AND (" target " IS NULL OR " p95 " <= " target ") THEN 'pass'" \
    "      ELSE 'fail' END AS compliance"

/* ---- probes of a model, joined laterally to `models m` ---- */

/* The last hour from the rollups (its 5-minute buckets, the open one
 * included): n, ok_n, p50, p95 (ms), errors by class (error_counts, in
 * lw_error_classes() order). Percentiles are over successful probes: a
 * timeout's duration is the timeout, not the service's speed. */
#define HOUR_STATS \
    " LEFT JOIN (SELECT model_id, environment_id, count AS n, count - errors AS ok_n," \
    "   lw_hist_quantile(total_hist, 0.5) AS p50, lw_hist_quantile(total_hist, 0.95) AS p95," \
    "   error_counts FROM lw_rollup_read(NULL, now() - interval '1 hour', now())) h" \
    "  ON h.model_id = m.id AND h.environment_id = m.environment_id"
/* The same over the last 24 hours, as d: the health of a model probed
 * less often than every 20 minutes is judged on its day. */
#define DAY_STATS \
    " LEFT JOIN (SELECT model_id, environment_id, count AS n, count - errors AS ok_n," \
    "   lw_hist_quantile(total_hist, 0.5) AS p50, lw_hist_quantile(total_hist, 0.95) AS p95" \
    "   FROM lw_rollup_read(NULL, now() - interval '24 hours', now())) d" \
    "  ON d.model_id = m.id AND d.environment_id = m.environment_id"
/* The columns a model's health is judged on (app/view.c
 * lw_view_model_health), from HOUR_STATS h and DAY_STATS d: counts,
 * success, p50/p95 over the hour and the day, the availability target and
 * the model's colour. */
#define HEALTH_COLUMNS \
    " h.n AS hour_count, h.ok_n AS hour_ok," \
    " round(100.0 * h.ok_n / nullif(h.n, 0), 1) AS hour_success_pct," \
    " h.p50 AS hour_p50_ms, h.p95 AS hour_p95_ms," \
    " d.n AS day_count, d.ok_n AS day_ok," \
    " round(100.0 * d.ok_n / nullif(d.n, 0), 1) AS day_success_pct," \
    " d.p50 AS day_p50_ms, d.p95 AS day_p95_ms," \
    " " SLA_TARGET_PCT " AS availability_target_pct," MODEL_COLOUR
/* A model's colour on every chart of every page: its rank among the
 * enabled models by id, modulo the palette (lib/chart.h LW_CHART_COLOURS). */
#define MODEL_COLOUR \
    " (SELECT (count(*) - 1) % 8 FROM models x WHERE x.enabled AND x.removed_at IS NULL" \
    "   AND x.id <= m.id) AS colour"
/* The latest probe, as p (one index lookup per model: a bounded read). */
#define LAST_PROBE \
    " LEFT JOIN LATERAL (SELECT ts, ok, error_class, http_status, ttft_ms, total_ms," \
    "   decode_tps, e2e_tps FROM probes" \
    "   WHERE model_id = m.id AND environment_id = m.environment_id" \
    "   ORDER BY ts DESC LIMIT 1) p ON true"

/* ---- silences, as the evaluator applies them (worker/eval/mute.c) ---- */

/* Matcher `key` of silence s accepts v (SQL expressions): absent or null,
 * the same string, or a list holding it. A NULL v is accepted by no
 * matcher on it (an alert without a model is not muted by a model
 * matcher). */
#define SILENCE_MATCHER(s, key, v) \
    "(coalesce(jsonb_typeof(" s ".matchers -> '" key "'), 'null') = 'null'" \
    " OR (jsonb_typeof(" s ".matchers -> '" key "') = 'string'" \
    "     AND " s ".matchers ->> '" key "' = " v ")" \
    " OR (jsonb_typeof(" s ".matchers -> '" key "') = 'array'" \
    "     AND " s ".matchers -> '" key "' ? " v "))"
/* Silence s mutes an alert of rule, model, environment and severity:
 * every matcher accepts, and it has no other key (an unknown matcher
 * never matches: better loud than silently muted). */
#define SILENCE_MATCHES(s, rule, model, env, sev) \
    "(NOT EXISTS (SELECT 1 FROM jsonb_object_keys(" s ".matchers) mk(k)" \
    "  WHERE mk.k NOT IN ('rule', 'model', 'environment', 'severity'))" \
    " AND " SILENCE_MATCHER(s, "rule", rule) " AND " SILENCE_MATCHER(s, "model", model) \
    " AND " SILENCE_MATCHER(s, "environment", env) " AND " SILENCE_MATCHER(s, "severity", sev) ")"
/* Silence s is in its period now (a recurring window: in the period in
 * which it opens). */
#define SILENCE_IN_FORCE(s) \
    "(" s ".expired_at IS NULL AND " s ".starts_at <= now() AND " s ".ends_at > now())"
/* Two columns for what mutes such an alert now: silence_id, the first
 * matching one-off silence in force, and silence_windows, the matching
 * recurring windows in their period as JSON ([{id, recurrence,
 * duration_s}], NULL for none): whether one is open now is a schedule
 * computation, left to the caller (lib/schedule.h). */
#define SILENCE_COLS(rule, model, env, sev) \
    " (SELECT min(s.id) FROM silences s WHERE s.recurrence IS NULL" \
    "   AND " SILENCE_IN_FORCE("s") " AND " SILENCE_MATCHES("s", rule, model, env, sev) \
    " ) AS silence_id," \
    " (SELECT jsonb_agg(jsonb_build_object('id', s.id, 'recurrence', s.recurrence," \
    "   'duration_s', s.duration_s) ORDER BY s.id)::text FROM silences s" \
    "  WHERE s.recurrence IS NOT NULL AND " SILENCE_IN_FORCE("s") \
    "   AND " SILENCE_MATCHES("s", rule, model, env, sev) ") AS silence_windows"

/* ---- audited changes (lib/db/audit.c) ---- */

/* A change made from the web is one statement: `old` locks the row and
 * keeps it as it was (to_jsonb), `up` changes it and returns it as it is
 * (id, j), and this insert records both in audit_log; $1..$3 are who
 * (lw_db_audit_who_params). `up` reads FROM old so that the row is locked
 * and read before it is changed (a FOR UPDATE read after the change, in
 * the same statement, would find nothing). */
#define AUDIT_FROM_UP(action, type) \
    " INSERT INTO audit_log (user_id, actor, action, object_type, object_id, before, after, ip)" \
    " SELECT $1::int, $2, " action ", '" type "', up.id::text, (SELECT j FROM old), up.j, $3" \
    " FROM up RETURNING object_id"

/* ---- helpers (lib/db/db.c, lib/db/audit.c) ---- */

/* A libpq parameter: v printed into buf (a char array) and buf returned,
 * so that a parameter array can be initialized in one statement. */
#define LL(buf, v) (snprintf((buf), sizeof(buf), "%lld", (long long) (v)), (buf))
/* The same for a real number, every digit kept. */
#define DBL(buf, v) (snprintf((buf), sizeof(buf), "%.17g", (double) (v)), (buf))

/* Runs sql with $1..$n = v[0..n) (n <= 8). The result is the caller's
 * (PQclear), NULL with a message in err on failure. */
PGresult *lw_db_query_ints(lw_db *db, lw_err *err, const char *sql, int n, const long long *v);
/* The same for lw_db_exec: rows affected or a negative LW_E*. */
int lw_db_exec_ints(lw_db *db, lw_err *err, const char *sql, int n, const long long *v);
/* Statement `which` of a table of n (indexed by an enum of its module),
 * or NULL with a message in err when there is none: the one check of the
 * lw_db_*_of functions. */
const char *lw_db_statement(const char *const *table, size_t n, int which, lw_err *err);
/* Runs sql with $1 = from, $2 = to (Unix seconds) and $3 = text (NULL:
 * null), the shape of the period summaries (usage, costs, custom
 * metrics). The result is the caller's; NULL on failure. */
PGresult *lw_db_query_range(lw_db *db, lw_err *err, const char *sql, long long from, long long to,
                            const char *text);
/* Runs a batch insert with $1 = rows_json and $2 = source, whose answer is
 * one row: (inserted, known). LW_OK or LW_EDB. */
int lw_db_insert_batch(lw_db *db, lw_err *err, const char *sql, const char *rows_json,
                       const char *source, long long *inserted, long long *known);
/* Runs sql with $1 = id; as lw_db_query_ints. */
PGresult *lw_db_query_id(lw_db *db, lw_err *err, const char *sql, long long id);
/* Runs sql with $1 = text (NULL: null): a name, an email, a token, a JSON
 * document. The result is the caller's (PQclear), NULL on failure. */
PGresult *lw_db_query_text(lw_db *db, lw_err *err, const char *sql, const char *text);
/* The same for lw_db_exec: rows affected or a negative LW_E*. */
int lw_db_exec_text(lw_db *db, lw_err *err, const char *sql, const char *text);
/* Runs sql with $1 = id and $2 = text (NULL: null): a row and its error
 * (NULL when all went well), a user and a token, a cycle and a time. The
 * result is the caller's, NULL on failure. */
PGresult *lw_db_query_id_text(lw_db *db, lw_err *err, const char *sql, long long id,
                              const char *text);
/* The same for lw_db_run: LW_OK or LW_EDB. */
int lw_db_run_id_text(lw_db *db, lw_err *err, const char *sql, long long id, const char *text);

/* Runs sql, whose answer is one number: *out gets the first column of
 * its first row, 0 when there is no row or it is NULL. LW_OK, LW_ECONFLICT
 * on a unique violation, else LW_EDB (err says why). */
int lw_db_value(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p, long long *out);
/* Runs sql, whose answer is at most one row: *out gets that row's first
 * column. 1 (a row), 0 (none: *out untouched) or LW_EDB. */
int lw_db_value_row(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p,
                    long long *out);
/* Runs sql, whose answer is a count or a number: the first column of its
 * first row (0 when there is none), or LW_EDB. */
long long lw_db_count(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p);
/* Runs sql, whose answer is one count, and adds it to *total. LW_OK or
 * LW_EDB. */
int lw_db_value_add(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p,
                    int *total);
/* The same for an epoch in seconds (0 for none). */
int lw_db_value_time(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p,
                     time_t *out);

/* Runs sql with $1 = id and $2 = limit; id <= 0 is passed as NULL when
 * zero_is_null. The caller PQclear()s the result. */
PGresult *lw_db_query_id_limit(lw_db *db, lw_err *err, const char *sql, long long id,
                               int zero_is_null, int limit);

/* The first four parameters of an audited change: $1 user id (NULL for
 * none), $2 actor, $3 ip, $4 the changed row's id (statements that create
 * a row have no id yet and put their own $4 there). `room` holds the
 * numbers' text, so it lives as long as p. */
typedef struct {
    char uid[24], id[24];
} lw_db_audit_room;
void lw_db_audit_params(const lw_db_audit_who *who, long long id, lw_db_audit_room *room,
                        const char **p);

/* An audited change of the existing row `id`: $1..$4 as above and, when
 * flag is 0 or 1 (not -1), $5 = "false"/"true". Returns as
 * lw_db_audit_change. */
int lw_db_audit_change_row(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                           int flag, const char *sql);

/* An audited change of row `id` (or of the row an insert relates to):
 * $1..$4 as above and $5.. the n (at most 5) texts that follow. Returns as
 * lw_db_audit_change, *new_id (when not NULL) getting the changed row's id. */
int lw_db_audit_change_with(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                            long long *new_id, const char *sql, int n, ...);

/* Runs an audited change statement (AUDIT_FROM_UP) returning one row per
 * change: LW_OK (*id, when not NULL, gets the first row's object id),
 * LW_ENOTFOUND when nothing changed, LW_ECONFLICT on a unique violation,
 * LW_EDB. */
int lw_db_audit_change(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p,
                       long long *id);

/* ---- rules (lib/db/rules.c) ---- */

/* A rule's 13 values in statement order (name, kind, expression, params,
 * severity, for_s, cooldown_s, repeat_interval_s, send_resolved,
 * scope_models, scope_environments, runbook, enabled) into p[0..12], with
 * the table's defaults for what is NULL (source apart). */
void lw_db_rules_def_params(const lw_db_rules_def *rule, const char **p);

#endif
