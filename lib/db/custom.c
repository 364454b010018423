/* custom.c: the SQL of custom metrics (see custom.h). */
#include "db/custom.h"

#include <stdio.h>

#include "db/sql.h"

int
lw_db_custom_insert(lw_db *db, lw_err *err, const char *rows_json, const char *source,
                    long long *inserted, long long *known)
{
    return lw_db_insert_batch(db, err,
        "WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(key text, ts timestamptz,"
        "   model_id integer, environment_id integer, name text, value float8, failure text,"
        "   case_id text, request_id text)),"
        " ins AS (INSERT INTO custom_metrics (ts, model_id, environment_id, name, value, failure,"
        "   source, case_id, probe_request_id, idempotency_key)"
        "  SELECT ts, model_id, environment_id, name, value, failure, $2, case_id, request_id, key"
        "  FROM input ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1)"
        " SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM input) - (SELECT count(*) FROM ins)",
        rows_json, source, inserted, known);
}

PGresult *
lw_db_custom_hourly(lw_db *db, lw_err *err, long long model_id, const char *name,
                    long long from, long long to)
{
    char m[24], f[24], t[24];
    const char *p[4] = { LL(m, model_id), name, LL(f, from), LL(t, to) };

    return lw_db_query(db, err,
        "SELECT extract(epoch FROM bucket_start)::bigint AS t, n, failed, mean, min, max"
        " FROM lw_custom_metric_read(ARRAY[$1::int], $2, to_timestamp($3::bigint),"
        "   to_timestamp($4::bigint), interval '1 hour')"
        " ORDER BY bucket_start", 4, p);
}

PGresult *
lw_db_custom_series(lw_db *db, lw_err *err, long long model_id, long long from, long long to,
                    long long step_s)
{
    char m[24], f[24], t[24], s[24];
    const char *p[4] = { LL(m, model_id), LL(f, from), LL(t, to), LL(s, step_s) };

    return lw_db_query(db, err,
        "SELECT name, extract(epoch FROM bucket_start)::bigint AS t, n, failed, mean"
        " FROM lw_custom_metric_read(ARRAY[$1::int], NULL, to_timestamp($2::bigint),"
        "   to_timestamp($3::bigint), make_interval(secs => $4::bigint))"
        " ORDER BY name, bucket_start", 4, p);
}

PGresult *
lw_db_custom_summary(lw_db *db, lw_err *err, long long from, long long to,
                     const char *environment)
{
    return lw_db_query_range(db, err,
        "SELECT m.name AS model, e.name AS environment, c.name, c.n, c.failed,"
        " round(c.mean::numeric, 4) AS mean, round(c.sd::numeric, 4) AS sd,"
        " round(c.min::numeric, 4) AS min, round(c.max::numeric, 4) AS max"
        " FROM lw_custom_metric_read(NULL, NULL, to_timestamp($1::bigint),"
        "   to_timestamp($2::bigint)) c"
        " JOIN models m ON m.id = c.model_id JOIN environments e ON e.id = c.environment_id"
        " WHERE $3::text IS NULL OR e.name = $3"
        " ORDER BY m.name, e.name, c.name", from, to, environment);
}
