/* webstats.c: the SQL over the web app's own timings (see webstats.h). */
#include "db/webstats.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sql.h"

PGresult *
lw_db_webstats_pages(lw_db *db, lw_err *err, long long hours)
{
    const long long p[1] = { hours };

    return lw_db_query_ints(db, err,
        "SELECT route, sum(requests) AS requests, sum(errors) AS errors,"
        " sum(sum_ms) / nullif(sum(requests), 0) AS avg_ms,"
        " lw_hist_quantile(lw_hist_sum(hist), 0.50) AS p50_ms,"
        " lw_hist_quantile(lw_hist_sum(hist), 0.95) AS p95_ms,"
        " lw_hist_quantile(lw_hist_sum(hist), 0.99) AS p99_ms,"
        " max(max_ms) AS max_ms"
        " FROM web_timings WHERE minute > now() - make_interval(hours => $1::int)"
        " GROUP BY route ORDER BY p95_ms DESC NULLS LAST, requests DESC", 1, p);
}

PGresult *
lw_db_webstats_slow(lw_db *db, lw_err *err, long long hours, int limit)
{
    const long long p[2] = { hours, limit };

    return lw_db_query_ints(db, err,
        "SELECT " TS("at") " AS at, route, ms, sql, params::text AS params"
        " FROM web_slow_queries WHERE at > now() - make_interval(hours => $1::int)"
        " ORDER BY ms DESC LIMIT $2::int", 2, p);
}

int
lw_db_webstats_have_statements(lw_db *db, lw_err *err, char *why, size_t why_size)
{
    PGresult *res;
    lw_err ignored;
    int ok;

    /* creating it needs the right to; reading it needs the library loaded
     * (shared_preload_libraries): try, and say which is missing */
    res = lw_db_query(db, &ignored, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", 0, NULL);
    PQclear(res);
    res = lw_db_query(db, err,
        "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'),"
        " current_setting('shared_preload_libraries') ~ 'pg_stat_statements'", 0, NULL);
    if (res == NULL)
        return LW_EDB;
    ok = lw_db_bool(res, 0, 0) && lw_db_bool(res, 0, 1);
    if (!lw_db_bool(res, 0, 0))
        snprintf(why, why_size, "the pg_stat_statements extension is not installed in this "
                 "database (CREATE EXTENSION pg_stat_statements, as a superuser)");
    else if (!lw_db_bool(res, 0, 1))
        snprintf(why, why_size, "pg_stat_statements is not loaded: add it to "
                 "shared_preload_libraries in postgresql.conf and restart PostgreSQL");
    PQclear(res);
    return ok;
}

PGresult *
lw_db_webstats_statements(lw_db *db, lw_err *err, int limit)
{
    const long long p[1] = { limit };

    return lw_db_query_ints(db, err,
        "SELECT s.query, s.calls, s.mean_exec_time AS mean_ms, s.max_exec_time AS max_ms,"
        " s.total_exec_time AS total_ms, s.rows"
        " FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
        " WHERE d.datname = current_database() AND s.calls > 0"
        "   AND s.query !~* '^\\s*(BEGIN|COMMIT|ROLLBACK|SET|LISTEN|DEALLOCATE|EXPLAIN)'"
        " ORDER BY s.mean_exec_time DESC LIMIT $1::int", 1, p);
}

PGresult *
lw_db_webstats_explain(lw_db *db, lw_err *err, const char *sql, const char *params_json)
{
    json_object *arr = json_tokener_parse(params_json ? params_json : "[]"), *v;
    const char **p = NULL;
    PGresult *res = NULL;
    lw_buf q = { 0 };
    size_t n = 0, i;

    if (arr != NULL && json_object_is_type(arr, json_type_array))
        n = json_object_array_length(arr);
    if (n > 0 && (p = calloc(n, sizeof(*p))) == NULL) {
        lw_err_set(err, "out of memory");
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        v = json_object_array_get_idx(arr, i);
        p[i] = v ? json_object_get_string(v) : NULL;
    }
    /* the statement is ours (recorded by llmwatch-web), run as it ran,
     * inside a transaction that is rolled back whatever it does */
    if (lw_buf_printf(&q, "EXPLAIN (ANALYZE, BUFFERS) %s", sql) != LW_OK
        || lw_db_begin(db, err) != LW_OK)
        goto cleanup;
    if (lw_db_exec(db, err, "SET TRANSACTION READ ONLY", 0, NULL) >= 0)
        res = lw_db_query(db, err, q.data, (int) n, p);
    lw_db_rollback(db);
cleanup:
    json_object_put(arr);
    free(p);
    lw_buf_free(&q);
    return res;
}

long long
lw_db_webstats_expire(lw_db *db, lw_err *err)
{
    int a, b;

    a = lw_db_exec(db, err, "DELETE FROM web_timings WHERE minute < now() - interval '14 days'", 0, NULL);
    if (a < 0)
        return LW_EDB;
    b = lw_db_exec(db, err, "DELETE FROM web_slow_queries WHERE at < now() - interval '14 days'", 0, NULL);
    if (b < 0)
        return LW_EDB;
    return (long long) a + b;
}
