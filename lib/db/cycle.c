/* cycle.c: the SQL of a probe cycle (see cycle.h). */
#include "db/cycle.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "db/jobs.h"
#include "db/sql.h"

#define COPY_CHUNK (1024 * 1024)    /* bytes per PQputCopyData */

int
lw_db_cycle_begin(lw_db *db, lw_err *err, const char *kind, const char *suite, int iterations,
                  int adhoc, long long *id)
{
    char iter[24];
    const char *p[4] = { kind, suite, LL(iter, iterations > 0 ? iterations : 1),
                         adhoc ? "true" : "false" };

    /* a cycle whose process was killed (a job past its timeout, a stopped
     * scheduler) wrote no row, its transaction being all or nothing; its
     * record says so instead of "running" forever */
    if (lw_db_exec(db, err,
                   "UPDATE probe_cycles SET status = 'failed', finished_at = now(), "
                   "error = 'abandoned: the process running it went away' "
                   "WHERE status = 'running' AND started_at < now() - interval '6 hours'", 0, NULL) < 0)
        return LW_EDB;
    return lw_db_value(db, err,
                       "INSERT INTO probe_cycles (kind, suite, iterations, adhoc) "
                       "VALUES ($1, $2, $3::int, $4::boolean) RETURNING id", 4, p, id);
}

int
lw_db_cycle_end(lw_db *db, lw_err *err, long long id, const char *error)
{
    return lw_db_run_id_text(db, err,
        "UPDATE probe_cycles SET finished_at = now(),"
        " status = CASE WHEN $2::text IS NULL THEN 'ok' ELSE 'failed' END, error = $2"
        " WHERE id = $1::bigint", id, error);
}

PGresult *
lw_db_cycle_model_ids(lw_db *db, lw_err *err, const char *pairs_json)
{
    return lw_db_query_text(db, err,
        "SELECT k.ord - 1, m.id, m.environment_id"
        " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS k(v, ord)"
        " JOIN environments e ON e.name = k.v->>0"
        " JOIN models m ON m.environment_id = e.id AND m.name = k.v->>1", pairs_json);
}

int
lw_db_cycle_adhoc_models(lw_db *db, lw_err *err, const char *models_json)
{
    /* never touches a model that exists: an ad-hoc run changes nothing of
     * what the instance monitors */
    return lw_db_exec_text(db, err,
        "WITH k AS (SELECT v->>'environment' AS environment, v->>'name' AS name,"
        "    v->>'provider' AS provider, v->>'model' AS model, v->>'base_url' AS base_url"
        "  FROM jsonb_array_elements($1::jsonb) v),"
        " e AS (INSERT INTO environments (name) SELECT DISTINCT environment FROM k"
        "  ON CONFLICT (name) DO NOTHING RETURNING id, name),"
        " env AS (SELECT id, name FROM e UNION SELECT id, name FROM environments"
        "  WHERE name IN (SELECT environment FROM k))"
        " INSERT INTO models (environment_id, name, provider, model, base_url, enabled, source)"
        " SELECT env.id, k.name, k.provider, k.model, nullif(k.base_url, ''), false, 'adhoc'"
        " FROM k JOIN env ON env.name = k.environment"
        " ON CONFLICT (environment_id, name) DO NOTHING", models_json);
}

int
lw_db_cycle_clear_answers(lw_db *db, lw_err *err)
{
    /* answers are evidence of what a model said lately (a changed answer,
     * a cut one), kept for days; the rest of the row stays for its own
     * retention */
    return lw_db_exec(db, err,
        "UPDATE probes SET answer = NULL WHERE answer IS NOT NULL"
        " AND ts < now() - make_interval(days => " SETTING_INT("answer_retention_days", "14") ")",
        0, NULL);
}

int
lw_db_cycle_copy_text(lw_buf *b, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t n, k;
    unsigned c, cp;

    if (s == NULL)
        return lw_buf_puts(b, "\\N");
    n = strlen(s);
    if (n > max)
        n = max;
    while (n > 0) {
        c = *p;
        if (c < 0x80) {
            k = 1;
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                if (lw_buf_puts(b, c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r")
                    != LW_OK)
                    return LW_ENOMEM;
            } else if (lw_buf_putc(b, c < 0x20 || c == 0x7F ? ' ' : (char) c) != LW_OK) {
                return LW_ENOMEM;
            }
        } else if ((k = lw_utf8_seq(p, n, &cp)) == 0) {
            /* invalid or cut by max: one replacement character */
            if (lw_buf_puts(b, "\xEF\xBF\xBD") != LW_OK)
                return LW_ENOMEM;
            k = 1;
        } else if (lw_buf_append(b, (const char *) p, k) != LW_OK) {
            return LW_ENOMEM;
        }
        p += k;
        n -= k;
    }
    return LW_OK;
}

int
lw_db_cycle_copy_num(lw_buf *b, double v, int ok, const char *fmt)
{
    if (!ok || !isfinite(v))
        return lw_buf_puts(b, "\t\\N");
    if (lw_buf_putc(b, '\t') != LW_OK)
        return LW_ENOMEM;
    return lw_buf_printf(b, fmt, v);
}

static const char COPY_SQL[] =
    "COPY probes (ts, model_id, environment_id, cycle_id, suite, case_id, request_id, ok, "
    "error_class, error_message, http_status, ttft_ms, total_ms, input_tokens, output_tokens, "
    "tokens_estimated, decode_tps, e2e_tps, cost_usd, quality_score, outcome, finish_reason, "
    "finish_reason_raw, block_reason, answer, first_output_ms, reasoning_tokens, connect_ms, "
    "tls_ms, headers_ms, max_gap_ms, stream_end, model_version, system_fingerprint) FROM STDIN";

/* The versions the round saw, one per model: the latest row of the model
 * is kept (last_seen, probes) when it is the same, else a new row starts
 * (a change). */
static const char VERSIONS_SQL[] =
    "WITH v AS (SELECT (x->>'model_id')::int AS model_id, (x->>'environment_id')::int AS environment_id,"
    "    x->>'model_version' AS mv, x->>'system_fingerprint' AS fp, (x->>'probes')::bigint AS n,"
    "    (x->>'at')::timestamptz AS at FROM jsonb_array_elements($1::jsonb) x),"
    " last AS (SELECT DISTINCT ON (m.model_id, m.environment_id) m.id, m.model_id,"
    "    m.environment_id, m.model_version, m.system_fingerprint"
    "  FROM model_versions m JOIN v USING (model_id, environment_id)"
    "  ORDER BY m.model_id, m.environment_id, m.first_seen DESC, m.id DESC),"
    " upd AS (UPDATE model_versions m SET last_seen = greatest(m.last_seen, v.at),"
    "    probes = m.probes + v.n"
    "  FROM v JOIN last l USING (model_id, environment_id)"
    "  WHERE m.id = l.id AND l.model_version IS NOT DISTINCT FROM v.mv"
    "    AND l.system_fingerprint IS NOT DISTINCT FROM v.fp"
    "  RETURNING m.model_id, m.environment_id)"
    " INSERT INTO model_versions (model_id, environment_id, model_version, system_fingerprint,"
    "   first_seen, last_seen, probes)"
    " SELECT v.model_id, v.environment_id, v.mv, v.fp, v.at, v.at, v.n FROM v"
    " WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.model_id = v.model_id"
    "   AND upd.environment_id = v.environment_id)";

/* Every row of the round in one transaction; the cycle's counters too. */
int
lw_db_cycle_store(lw_db *db, lw_err *err, long long cycle_id, const lw_buf *rows,
                  size_t n_rows, size_t n_ok, size_t n_models, double engine_ms,
                  const char *versions_json)
{
    PGconn *conn = lw_db_conn(db);
    PGresult *res;
    ExecStatusType st;
    char id[24], nr[24], no[24], nm[24], ems[32];
    const char *p[5] = { LL(id, cycle_id), LL(nr, n_rows), LL(no, n_ok), LL(nm, n_models), ems };
    size_t off, chunk = 0;
    int rc = LW_EDB, tries;

    /* rows must never land in the default partition for a day that later
     * gets its own partition (creating it would then fail) */
    for (tries = 0; tries < 2; tries++)
        if (lw_db_jobs_ensure_partitions(db, err, -1, 1) >= 0)
            break;
    if (tries == 2)
        return LW_EDB;
    if (lw_db_begin(db, err) != LW_OK)
        return LW_EDB;
    if ((rc = lw_db_copy_begin(db, err, COPY_SQL, PGRES_COPY_IN, "COPY probes")) != LW_OK)
        goto cleanup;
    for (off = 0; off < rows->len; off += chunk) {
        chunk = rows->len - off < COPY_CHUNK ? rows->len - off : COPY_CHUNK;
        if (PQputCopyData(conn, rows->data + off, (int) chunk) != 1) {
            lw_err_set(err, "COPY probes: %s", PQerrorMessage(conn));
            rc = LW_EDB;
            break;
        }
    }
    if (PQputCopyEnd(conn, rc == LW_OK ? NULL : "llmwatch could not send every row") != 1 && rc == LW_OK) {
        lw_err_set(err, "COPY probes: %s", PQerrorMessage(conn));
        rc = LW_EDB;
    }
    /* the connection leaves COPY only through its results */
    while ((res = PQgetResult(conn)) != NULL) {
        st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && rc == LW_OK) {
            lw_err_set(err, "COPY probes: %s", PQresultErrorMessage(res));
            rc = LW_EDB;
        }
        PQclear(res);
        if (st == PGRES_COPY_IN)
            break;          /* could not end the COPY: the connection is unusable */
    }
    if (rc != LW_OK)
        goto cleanup;
    snprintf(ems, sizeof(ems), "%.3f", engine_ms);
    rc = LW_EDB;
    if (lw_db_exec(db, err,
                   "UPDATE probe_cycles SET probes = probes + $2::int, ok = ok + $3::int, "
                   "models = greatest(models, $4::int), engine_ms = engine_ms + $5::float8 "
                   "WHERE id = $1::bigint", 5, p) < 0)
        goto cleanup;
    p[0] = versions_json;
    if (versions_json != NULL && lw_db_exec(db, err, VERSIONS_SQL, 1, p) < 0)
        goto cleanup;
    if (lw_db_commit(db, err) != LW_OK)
        goto cleanup;
    rc = LW_OK;
cleanup:
    if (rc != LW_OK) {
        err->msg[strcspn(err->msg, "\n")] = '\0';
        lw_db_rollback(db);
    }
    return rc;
}

PGresult *
lw_db_cycle_summary(lw_db *db, lw_err *err, long long cycle_id, const char *since)
{
    /* a cycle's rows are never older than since: partition pruning */
    return lw_db_query_id_text(db, err,
        "SELECT model_id, environment_id, count(*), count(*) FILTER (WHERE ok), "
        "  percentile_cont(0.5) WITHIN GROUP (ORDER BY ttft_ms) FILTER (WHERE ok), "
        "  percentile_cont(0.5) WITHIN GROUP (ORDER BY total_ms) FILTER (WHERE ok), "
        "  avg(decode_tps) FILTER (WHERE ok), "
        "  1000.0 * sum(output_tokens) FILTER (WHERE ok AND total_ms > 0)"
        "    / nullif(sum(total_ms) FILTER (WHERE ok AND total_ms > 0), 0), "
        "  avg(quality_score), round(coalesce(sum(cost_usd), 0), 6) "
        "FROM probes WHERE cycle_id = $1::bigint AND ts >= $2::timestamptz "
        "GROUP BY model_id, environment_id", cycle_id, since);
}

PGresult *
lw_db_cycle_errors(lw_db *db, lw_err *err, long long cycle_id, const char *since)
{
    return lw_db_query_id_text(db, err,
        "SELECT model_id, environment_id, error_class, count(*), min(error_message) "
        "FROM probes WHERE cycle_id = $1::bigint AND ts >= $2::timestamptz AND NOT ok "
        "GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC, 3", cycle_id, since);
}
