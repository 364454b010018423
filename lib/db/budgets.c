/* budgets.c: the SQL of spending budgets (see budgets.h). Spend is read
 * through lw_budget_status (sql/012_costs.sql): probe and usage rollups,
 * never raw rows. */
#include "db/budgets.h"

#include <stdio.h>

#include "db/sql.h"


/* "21st" of a day of the month. */
#define ORDINAL_DAY(t) \
    "to_char(" t ", 'FMDD') || CASE WHEN extract(day FROM " t ") IN (11, 12, 13) THEN 'th'" \
    " WHEN extract(day FROM " t ")::int % 10 = 1 THEN 'st' WHEN extract(day FROM " t ")::int % 10 = 2" \
    " THEN 'nd' WHEN extract(day FROM " t ")::int % 10 = 3 THEN 'rd' ELSE 'th' END"

/* A budget's scope for people. */
#define SCOPE \
    "coalesce(nullif(concat_ws(' · ', b.model_name, b.provider, e.name), ''), 'everything')"

PGresult *
lw_db_budgets_list(lw_db *db, lw_err *err, long long at, const char *env)
{
    return lw_db_query_id_text(db, err,
        "SELECT b.id, b.name, " SCOPE " AS scope, b.period, b.time_zone,"
        " " USD("b.amount_usd") " AS amount, " USD("s.spent") " AS spent,"
        " " USD("s.probe_usd") " AS probe, " USD("s.usage_usd") " AS usage,"
        " " USD("greatest(b.amount_usd - s.spent, 0)") " AS remaining,"
        " " USD("coalesce(s.projected, s.spent)") " AS projected,"
        " b.amount_usd::text AS amount_n, s.spent::text AS spent_n,"
        " round(100 * s.spent / b.amount_usd, 1) AS used_pct,"
        " round(100 * coalesce(s.projected, s.spent) / b.amount_usd, 1) AS projected_pct,"
        " array_to_string(b.thresholds, '%, ') || '%' AS thresholds,"
        " to_char(s.period_start AT TIME ZONE b.time_zone, 'YYYY-MM-DD HH24:MI') AS since,"
        " to_char(s.period_end AT TIME ZONE b.time_zone, 'YYYY-MM-DD HH24:MI') AS until,"
        " extract(epoch FROM s.period_start)::bigint AS start_epoch,"
        " extract(epoch FROM s.period_end)::bigint AS end_epoch,"
        " CASE WHEN s.runs_out_at IS NOT NULL THEN to_char(s.runs_out_at AT TIME ZONE b.time_zone,"
        "   CASE b.period WHEN 'daily' THEN 'HH24:MI' ELSE 'Dy DD Mon HH24:MI' END) END AS runs_out,"
        " " USD("coalesce(s.rate_usd_per_h, 0)") " AS rate_h, b.source, b.enabled,"
        " (SELECT string_agg(c.threshold::text || '%', ', ' ORDER BY c.threshold)"
        "   FROM budget_crossings c WHERE c.budget_id = b.id AND c.period_start = s.period_start"
        "    AND c.kind = 'tier') AS crossed"
        " FROM budgets b LEFT JOIN environments e ON e.id = b.environment_id"
        " CROSS JOIN LATERAL lw_budget_status(b.id, to_timestamp($1::bigint)) s"
        " WHERE $2::text IS NULL OR b.environment_id IS NULL OR e.name = $2"
        " ORDER BY b.name", at, env);
}

PGresult *
lw_db_budgets_series(lw_db *db, lw_err *err, long long id, long long at)
{
    char i[24], a[24];
    const char *p[2] = { LL(i, id), LL(a, at) };

    /* whole steps from the one holding the period's start, cumulated */
    return lw_db_query(db, err,
        "WITH b AS (SELECT b.*, s.start, s.stop, lw_budget_models(b.id) AS ids,"
        "   CASE b.period WHEN 'daily' THEN interval '1 hour' WHEN 'weekly' THEN interval '6 hours'"
        "   ELSE interval '1 day' END AS step"
        "  FROM budgets b CROSS JOIN LATERAL lw_budget_period(b.period, b.time_zone,"
        "   to_timestamp($2::bigint)) s WHERE b.id = $1::int),"
        " g AS (SELECT date_bin(b.step, b.start, " ORIGIN ") AS f, b.step, b.ids FROM b),"
        " x AS (SELECT r.bucket_start, sum(r.cost_usd) AS c FROM g, lw_rollup_read(g.ids, g.f,"
        "   to_timestamp($2::bigint), g.step) r WHERE g.ids IS NOT NULL GROUP BY 1"
        "  UNION ALL SELECT u.bucket_start, sum(u.cost_usd) FROM g, lw_usage_read(g.ids, g.f,"
        "   to_timestamp($2::bigint), g.step) u WHERE g.ids IS NOT NULL GROUP BY 1)"
        " SELECT extract(epoch FROM least(s.t + g.step, to_timestamp($2::bigint)))::bigint AS t,"
        "  (sum(coalesce(x.c, 0)) OVER (ORDER BY s.t))::float8 AS spent"
        " FROM g CROSS JOIN LATERAL generate_series(g.f, to_timestamp($2::bigint), g.step) s(t)"
        " LEFT JOIN (SELECT bucket_start, sum(c) AS c FROM x GROUP BY 1) x ON x.bucket_start = s.t"
        " ORDER BY 1", 2, p);
}

int
lw_db_budgets_save(lw_db *db, lw_err *err, const char *json, const char *source,
                   const lw_db_audit_who *who, long long *id, int *changed)
{
    lw_db_audit_room room;
    const char *a[4], *p[5];
    PGresult *res;

    lw_db_audit_params(who, 0, &room, a);
    p[0] = json;
    p[1] = source;
    p[2] = a[0];
    p[3] = a[1];
    p[4] = a[2];
    res = lw_db_query(db, err, "SELECT budget_id, changed FROM lw_budget_save($1::jsonb, $2,"
                      " $3::int, $4, $5)", 5, p);
    if (res == NULL)
        return lw_db_last_was_conflict(db) ? LW_ECONFLICT : LW_EDB;
    *id = lw_db_int(res, 0, 0);
    *changed = lw_db_bool(res, 0, 1);
    PQclear(res);
    return LW_OK;
}

int
lw_db_budgets_remove(lw_db *db, lw_err *err, long long id, const char *only_source,
                     const lw_db_audit_who *who)
{
    lw_db_audit_room room;
    const char *a[4], *p[5];
    PGresult *res;
    int gone;

    lw_db_audit_params(who, id, &room, a);
    p[0] = a[3];
    p[1] = only_source;
    p[2] = a[0];
    p[3] = a[1];
    p[4] = a[2];
    res = lw_db_query(db, err, "SELECT lw_budget_remove($1::int, $2, $3::int, $4, $5)", 5, p);
    if (res == NULL)
        return LW_EDB;
    gone = lw_db_bool(res, 0, 0);
    PQclear(res);
    return gone ? LW_OK : LW_ENOTFOUND;
}

PGresult *
lw_db_budgets_find(lw_db *db, lw_err *err, const char *name)
{
    return lw_db_query_text(db, err, "SELECT id, source FROM budgets WHERE name = $1", name);
}

int
lw_db_budgets_retire(lw_db *db, lw_err *err, const char *names, const char *actor, int *changed)
{
    const char *p[2] = { names, actor };

    return lw_db_value_add(db, err,
        "SELECT count(*) FILTER (WHERE lw_budget_remove(id, 'config', NULL, $2, NULL))"
        " FROM budgets WHERE source = 'config' AND NOT (name = ANY ($1::text[]))", 2, p, changed);
}

PGresult *
lw_db_budgets_eval(lw_db *db, lw_err *err, long long at)
{
    char a[24];
    const char *p[1] = { LL(a, at) };

    return lw_db_query(db, err,
        "SELECT b.id, b.name, b.rule_id, b.period, extract(epoch FROM s.period_start)::bigint,"
        " extract(epoch FROM s.period_end)::bigint, b.amount_usd::text, s.spent::text,"
        " s.spent::float8, b.amount_usd::float8, b.thresholds::text,"
        " coalesce((SELECT array_agg(c.threshold ORDER BY c.threshold) FROM budget_crossings c"
        "   WHERE c.budget_id = b.id AND c.period_start = s.period_start AND c.kind = 'tier'),"
        "   '{}')::text,"
        " EXISTS (SELECT 1 FROM budget_crossings c WHERE c.budget_id = b.id"
        "   AND c.period_start = s.period_start AND c.kind = 'pace'),"
        " extract(epoch FROM s.runs_out_at)::bigint, coalesce(s.projected, s.spent)::text,"
        " " USD("s.spent") ", " USD("b.amount_usd") ", " USD("coalesce(s.projected, s.spent)") ","
        " CASE WHEN s.runs_out_at IS NULL THEN NULL WHEN b.period = 'daily'"
        "  THEN to_char(s.runs_out_at AT TIME ZONE b.time_zone, 'HH24:MI')"
        "  ELSE 'the ' || " ORDINAL_DAY("(s.runs_out_at AT TIME ZONE b.time_zone)") " END,"
        " b.time_zone,"
        /* the tiers reached, compared exactly */
        " ARRAY(SELECT t FROM unnest(b.thresholds) t WHERE s.spent * 100 >= b.amount_usd * t"
        "   ORDER BY t)::text"
        " FROM budgets b CROSS JOIN LATERAL lw_budget_status(b.id, to_timestamp($1::bigint)) s"
        " WHERE b.enabled AND b.rule_id IS NOT NULL ORDER BY b.id", 1, p);
}

int
lw_db_budgets_cross(lw_db *db, lw_err *err, long long id, long long period_start,
                    const char *kind, int threshold, const char *spent, int *fresh)
{
    char i[24], ps[24], t[24];
    const char *p[5] = { LL(i, id), LL(ps, period_start), kind, LL(t, threshold), spent };
    int n = lw_db_exec(db, err,
        "INSERT INTO budget_crossings (budget_id, period_start, kind, threshold, spent_usd)"
        " VALUES ($1::int, to_timestamp($2::bigint), $3, $4::int, $5::numeric)"
        " ON CONFLICT DO NOTHING", 5, p);

    if (n < 0)
        return LW_EDB;
    *fresh = n > 0;
    return LW_OK;
}

int
lw_db_budgets_alert_open(lw_db *db, lw_err *err, long long rule_id, const char *severity,
                         long long at, double value, double threshold, const char *summary,
                         long long *id)
{
    char r[24], a[24], v[32], t[32];
    const char *p[6] = {
        LL(r, rule_id), severity, LL(a, at), DBL(v, value), DBL(t, threshold), summary
    };

    return lw_db_value_row(db, err,
        "INSERT INTO alerts (rule_id, severity, state, started_at, fired_at, last_eval_at, value,"
        "   threshold, summary, fingerprint)"
        " VALUES ($1::int, $2, 'firing', to_timestamp($3::bigint), to_timestamp($3::bigint),"
        "   to_timestamp($3::bigint), $4::float8, $5::float8, $6,"
        "   left(encode(sha256(convert_to('budget/' || $1, 'UTF8')), 'hex'), 16))"
        " RETURNING id", 6, p, id) < 0 ? LW_EDB : LW_OK;
}
