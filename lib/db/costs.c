/* costs.c: the SQL of prices and cost analysis (see costs.h). */
#include "db/costs.h"

#include <stdio.h>

#include "db/sql.h"

#define LL(buf, v) (snprintf((buf), sizeof(buf), "%lld", (long long) (v)), (buf))

/* $1: the models' price entries (see costs.h). Dated entries and undated
 * ones are two inserts of one statement: a model has one kind or the
 * other (built-in histories are dated, a config price may be). */
static const char prices_sync_sql[] =
    "WITH input AS ("
    "  SELECT m.id AS model_id, x.source, e.effective, e.input, e.output"
    "  FROM jsonb_to_recordset($1::jsonb) AS x(environment text, name text, source text, entries jsonb)"
    "  JOIN environments en ON en.name = x.environment"
    "  JOIN models m ON m.environment_id = en.id AND m.name = x.name"
    "  CROSS JOIN LATERAL jsonb_to_recordset(x.entries) AS e(effective timestamptz, input numeric,"
    "   output numeric)),"
    " dated AS (INSERT INTO model_prices (model_id, effective_from, input_per_mtok, output_per_mtok,"
    "   source)"
    "  SELECT model_id, effective, input, output, source FROM input WHERE effective IS NOT NULL"
    "  ON CONFLICT (model_id, effective_from) DO UPDATE SET input_per_mtok = EXCLUDED.input_per_mtok,"
    "   output_per_mtok = EXCLUDED.output_per_mtok, source = EXCLUDED.source, recorded_at = now()"
    "  WHERE (model_prices.input_per_mtok, model_prices.output_per_mtok, model_prices.source)"
    "   IS DISTINCT FROM (EXCLUDED.input_per_mtok, EXCLUDED.output_per_mtok, EXCLUDED.source)"
    "  RETURNING 1),"
    " undated AS (INSERT INTO model_prices (model_id, effective_from, input_per_mtok,"
    "   output_per_mtok, source)"
    "  SELECT i.model_id, now(), i.input, i.output, i.source FROM input i"
    "  LEFT JOIN LATERAL (SELECT p.input_per_mtok, p.output_per_mtok FROM model_prices p"
    "   WHERE p.model_id = i.model_id AND p.effective_from <= now()"
    "   ORDER BY p.effective_from DESC LIMIT 1) cur ON true"
    "  WHERE i.effective IS NULL AND (cur.input_per_mtok, cur.output_per_mtok)"
    "   IS DISTINCT FROM (i.input, i.output)"
    "  ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT (SELECT count(*) FROM dated) + (SELECT count(*) FROM undated)";

int
lw_db_costs_prices_sync(lw_db *db, lw_err *err, const char *prices_json, int *changed)
{
    const char *p[1] = { prices_json };
    PGresult *res = lw_db_query(db, err, prices_sync_sql, 1, p);

    if (res == NULL)
        return LW_EDB;
    *changed += (int) lw_db_int(res, 0, 0);
    PQclear(res);
    return LW_OK;
}

PGresult *
lw_db_costs_prices(lw_db *db, lw_err *err, const char *model)
{
    const char *p[1] = { model };

    return lw_db_query(db, err,
        "SELECT m.name AS model, e.name AS environment,"
        " to_char(p.effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS effective,"
        " p.input_per_mtok::text AS input, p.output_per_mtok::text AS output, p.source,"
        " p.effective_from = (SELECT max(q.effective_from) FROM model_prices q"
        "   WHERE q.model_id = p.model_id AND q.effective_from <= now()) AS current"
        " FROM model_prices p JOIN models m ON m.id = p.model_id"
        " JOIN environments e ON e.id = m.environment_id"
        " WHERE $1::text IS NULL OR m.name = $1"
        " ORDER BY m.name, e.name, p.effective_from", 1, p);
}

PGresult *
lw_db_costs_environments(lw_db *db, lw_err *err)
{
    if (db == NULL) {
        lw_err_set(err, "no database");
        return NULL;
    }
    return lw_db_query(db, err,
        "SELECT e.name, count(m.id) AS models FROM environments e"
        " LEFT JOIN models m ON m.environment_id = e.id AND m.removed_at IS NULL"
        " GROUP BY e.id ORDER BY e.name", 0, NULL);
}

PGresult *
lw_db_costs_model(lw_db *db, lw_err *err, const char *name, const char *environment)
{
    const char *p[2] = { name, environment };

    return lw_db_query(db, err,
        "SELECT m.id, m.name, e.name, m.sla_target_ms FROM models m"
        " JOIN environments e ON e.id = m.environment_id"
        " WHERE m.name = $1 AND ($2::text IS NULL OR e.name = $2) ORDER BY e.name", 2, p);
}

PGresult *
lw_db_costs_hourly(lw_db *db, lw_err *err, long long model_id, long long from, long long to)
{
    char m[24], f[24], t[24];
    const char *p[3] = { LL(m, model_id), LL(f, from), LL(t, to) };

    return lw_db_query(db, err,
        "SELECT extract(epoch FROM h)::bigint AS t, coalesce(r.count, 0) AS n,"
        " coalesce(r.errors, 0) AS errors,"
        " CASE WHEN r.total_n > 0 THEN r.sum_total_ms / r.total_n END AS mean_ms,"
        " lw_hist_quantile(r.total_hist, 0.95) AS p95_ms,"
        " (coalesce(r.cost_usd, 0) + coalesce(u.cost_usd, 0))::float8 AS cost"
        " FROM generate_series(to_timestamp($2::bigint), to_timestamp($3::bigint)"
        "   - interval '1 hour', interval '1 hour') h"
        " LEFT JOIN lw_rollup_read(ARRAY[$1::int], to_timestamp($2::bigint),"
        "   to_timestamp($3::bigint), interval '1 hour') r ON r.bucket_start = h"
        " LEFT JOIN lw_usage_read(ARRAY[$1::int], to_timestamp($2::bigint),"
        "   to_timestamp($3::bigint), interval '1 hour') u ON u.bucket_start = h"
        " ORDER BY h", 3, p);
}
