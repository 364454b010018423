/* usage.c: the SQL of production usage (see usage.h). */
#include "db/usage.h"

#include <stdio.h>

#include "db/sql.h"

PGresult *
lw_db_usage_models(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT m.id, m.name, m.model, m.environment_id, e.name,"
        " CASE WHEN " SETTING_INT("retention_days", "0") " > 0 THEN extract(epoch FROM"
        "   (current_date - " SETTING_INT("retention_days", "0") ")::timestamp AT TIME ZONE 'UTC')"
        "  ELSE 0 END::bigint"
        " FROM models m JOIN environments e ON e.id = m.environment_id"
        " ORDER BY m.id", 0, NULL);
}

/* $1 rows, $2 source. Keys first (the unique ones win; a key seen before
 * stops its row), then the rows of the keys just taken, costed at the
 * price of their time when they bring none. */
static const char insert_sql[] =
    "WITH input AS ("
    "  SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(key text, ts timestamptz, model_id integer,"
    "    environment_id integer, application text, input_tokens integer, output_tokens integer,"
    "    requests integer, cost numeric, ok boolean)),"
    " keys AS (INSERT INTO usage_keys (key, ts) SELECT key, ts FROM input"
    "   ON CONFLICT (key) DO NOTHING RETURNING key),"
    " ins AS (INSERT INTO usage_events (ts, model_id, environment_id, application, ok,"
    "   input_tokens, output_tokens, requests, cost_usd, cost_source, idempotency_key, source)"
    "  SELECT i.ts, i.model_id, i.environment_id, i.application, i.ok, i.input_tokens,"
    "   i.output_tokens, i.requests,"
    "   coalesce(i.cost, round((i.input_tokens * p.input_per_mtok"
    "     + i.output_tokens * p.output_per_mtok) / 1000000, 12)),"
    "   CASE WHEN i.cost IS NULL THEN 'prices' ELSE 'given' END, i.key, $2"
    "  FROM input i JOIN keys k ON k.key = i.key"
    "  CROSS JOIN LATERAL lw_price_at(i.model_id, i.ts) p"
    "  RETURNING 1)"
    " SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM input) - (SELECT count(*) FROM ins)";

int
lw_db_usage_insert(lw_db *db, lw_err *err, const char *rows_json, const char *source,
                   long long *inserted, long long *known)
{
    return lw_db_insert_batch(db, err, insert_sql, rows_json, source, inserted, known);
}

PGresult *
lw_db_usage_summary(lw_db *db, lw_err *err, long long from, long long to,
                    const char *environment)
{
    return lw_db_query_range(db, err,
        "SELECT m.name AS model, e.name AS environment, sum(u.requests) AS requests,"
        " sum(u.errors) AS errors, sum(u.input_tokens) AS input_tokens,"
        " sum(u.output_tokens) AS output_tokens, sum(u.cost_usd)::text AS cost,"
        " " USD("sum(u.cost_usd)") " AS cost_h, sum(u.events) AS events"
        " FROM lw_usage_read(NULL, to_timestamp($1::bigint), to_timestamp($2::bigint)) u"
        " JOIN models m ON m.id = u.model_id JOIN environments e ON e.id = u.environment_id"
        " WHERE $3::text IS NULL OR e.name = $3"
        " GROUP BY m.name, e.name ORDER BY sum(u.cost_usd) DESC, m.name, e.name",
        from, to, environment);
}
