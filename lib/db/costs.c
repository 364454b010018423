/* costs.c: the SQL of prices and cost analysis (see costs.h). */
#include "db/costs.h"

#include <stdio.h>
#include <string.h>

#include "db/sql.h"


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

    return lw_db_value_add(db, err, prices_sync_sql, 1, p, changed);
}

PGresult *
lw_db_costs_prices(lw_db *db, lw_err *err, const char *model)
{
    return lw_db_query_text(db, err,
        "SELECT m.name AS model, e.name AS environment,"
        " to_char(p.effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS effective,"
        " p.input_per_mtok::text AS input, p.output_per_mtok::text AS output, p.source,"
        " p.effective_from = (SELECT max(q.effective_from) FROM model_prices q"
        "   WHERE q.model_id = p.model_id AND q.effective_from <= now()) AS current"
        " FROM model_prices p JOIN models m ON m.id = p.model_id"
        " JOIN environments e ON e.id = m.environment_id"
        " WHERE $1::text IS NULL OR m.name = $1"
        " ORDER BY m.name, e.name, p.effective_from", model);
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

/* Spend per model and environment over [$1, $2) (epochs), probes and
 * production usage side by side, in environment $3 (NULL: all). */
#define SPEND_BY_MODEL \
    "SELECT m.id, m.name, e.name AS env, coalesce(r.cost_usd, 0) AS probe," \
    " coalesce(u.cost_usd, 0) AS usage, coalesce(r.count, 0) AS probes," \
    " coalesce(u.requests, 0) AS requests," \
    " coalesce(r.input_tokens + r.output_tokens, 0) + coalesce(u.input_tokens + u.output_tokens, 0)" \
    "   AS tokens" \
    " FROM models m JOIN environments e ON e.id = m.environment_id" \
    " LEFT JOIN lw_rollup_read(NULL, to_timestamp($1::bigint), to_timestamp($2::bigint)) r" \
    "   ON r.model_id = m.id AND r.environment_id = m.environment_id" \
    " LEFT JOIN lw_usage_read(NULL, to_timestamp($1::bigint), to_timestamp($2::bigint)) u" \
    "   ON u.model_id = m.id AND u.environment_id = m.environment_id" \
    " WHERE ($3::text IS NULL OR e.name = $3)"

/* The same per hour bucket: b (the hour), probe, usage, requests, tokens. */
#define SPEND_BY_HOUR \
    "SELECT x.b, sum(x.probe) AS probe, sum(x.usage) AS usage, sum(x.requests) AS requests," \
    " sum(x.tokens) AS tokens FROM (" \
    "  SELECT r.bucket_start AS b, r.cost_usd AS probe, 0 AS usage, r.count AS requests," \
    "   r.input_tokens + r.output_tokens AS tokens" \
    "  FROM lw_rollup_read(NULL, to_timestamp($1::bigint), to_timestamp($2::bigint)," \
    "   interval '1 hour') r JOIN environments e ON e.id = r.environment_id" \
    "  WHERE $3::text IS NULL OR e.name = $3" \
    "  UNION ALL SELECT u.bucket_start, 0, u.cost_usd, u.requests, u.input_tokens + u.output_tokens" \
    "  FROM lw_usage_read(NULL, to_timestamp($1::bigint), to_timestamp($2::bigint)," \
    "   interval '1 hour') u JOIN environments e ON e.id = u.environment_id" \
    "  WHERE $3::text IS NULL OR e.name = $3) x GROUP BY x.b"

/* The columns every breakdown ends with, from probe and usage sums. */
#define BREAKDOWN_TAIL \
    " (sum(probe))::text AS probe, (sum(usage))::text AS usage, " USD("sum(probe)") " AS probe_h," \
    " " USD("sum(usage)") " AS usage_h," \
    " (sum(probe) + sum(usage))::text AS total, " USD("sum(probe) + sum(usage)") " AS total_h," \
    " (sum(probe) + sum(usage))::float8 AS total_d," \
    " round(100 * (sum(probe) + sum(usage)) / nullif(sum(sum(probe) + sum(usage)) OVER (), 0), 1)" \
    "   AS share, sum(requests) AS requests, sum(tokens) AS tokens"

/* The statements of lw_db_costs_breakdown, by what the spend is split by. */
static const struct {
    const char *by, *sql;
} breakdowns[] = {
    { "model",
      "SELECT name || ' · ' || env AS key, name || ' (' || env || ')' AS label,"
      BREAKDOWN_TAIL " FROM (SELECT name, env, probe, usage, probes + requests AS requests,"
      " tokens FROM (" SPEND_BY_MODEL ") y) x GROUP BY name, env"
      " HAVING sum(probe) + sum(usage) > 0 OR sum(requests) > 0"
      " ORDER BY sum(probe) + sum(usage) DESC, name, env" },
    { "hour_of_day",
      "SELECT h AS key, lpad(h::text, 2, '0') || ':00' AS label, " BREAKDOWN_TAIL
      " FROM generate_series(0, 23) h"
      " LEFT JOIN (" SPEND_BY_HOUR ") x ON extract(hour FROM x.b AT TIME ZONE 'UTC') = h"
      " GROUP BY h ORDER BY h" },
    { "day_of_week",
      "SELECT d AS key, (ARRAY['Monday','Tuesday','Wednesday','Thursday','Friday','Saturday',"
      " 'Sunday'])[d] AS label, " BREAKDOWN_TAIL
      " FROM generate_series(1, 7) d"
      " LEFT JOIN (" SPEND_BY_HOUR ") x ON extract(isodow FROM x.b AT TIME ZONE 'UTC') = d"
      " GROUP BY d ORDER BY d" },
};

PGresult *
lw_db_costs_breakdown(lw_db *db, lw_err *err, const char *by, long long from, long long to,
                      const char *environment)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(breakdowns); i++)
        if (strcmp(by, breakdowns[i].by) == 0)
            return lw_db_query_range(db, err, breakdowns[i].sql, from, to, environment);
    lw_err_set(err, "unknown breakdown '%s' (model, hour_of_day, day_of_week)", by);
    return NULL;
}

PGresult *
lw_db_costs_totals(lw_db *db, lw_err *err, long long from, long long to, const char *environment)
{
    return lw_db_query_range(db, err,
        "SELECT sum(probe)::text AS probe, sum(usage)::text AS usage,"
        " (sum(probe) + sum(usage))::text AS total, " USD("sum(probe)") " AS probe_h,"
        " " USD("sum(usage)") " AS usage_h, " USD("sum(probe) + sum(usage)") " AS total_h,"
        " sum(probes) AS probes, sum(requests) AS requests,"
        " " USD("(sum(probe) + sum(usage)) * 86400 / greatest($2::bigint - $1::bigint, 1)")
        "   AS daily_h"
        " FROM (" SPEND_BY_MODEL ") x", from, to, environment);
}

PGresult *
lw_db_costs_optimize(lw_db *db, lw_err *err, long long at, int days, double threshold,
                     const char *environment)
{
    char a[24], d[24], th[32];
    const char *p[4] = { LL(a, at), LL(d, days), th, environment };

    snprintf(th, sizeof(th), "%.6f", threshold);
    return lw_db_query(db, err,
        "WITH q AS ("
        "  SELECT m.id, m.name, m.environment_id, e.name AS env, coalesce(m.suite, '') AS suite,"
        "   m.sla_target_ms, r.quality_sum / nullif(r.quality_n, 0) AS quality,"
        "   lw_hist_quantile(r.total_hist, 0.95) AS p95, pr.input_per_mtok AS pin,"
        "   pr.output_per_mtok AS pout"
        "  FROM models m JOIN environments e ON e.id = m.environment_id"
        "  JOIN lw_rollup_read(NULL, to_timestamp($1::bigint) - make_interval(days => $2::int),"
        "   to_timestamp($1::bigint)) r ON r.model_id = m.id AND r.environment_id = m.environment_id"
        "  CROSS JOIN LATERAL lw_price_at(m.id, to_timestamp($1::bigint)) pr"
        "  WHERE m.enabled AND ($4::text IS NULL OR e.name = $4)),"
        /* the real usage of the last 30 days, whatever its recorded cost */
        " u AS (SELECT model_id, sum(input_tokens) AS it, sum(output_tokens) AS ot,"
        "   sum(requests) AS n FROM lw_usage_read(NULL, to_timestamp($1::bigint) - interval '30 days',"
        "   to_timestamp($1::bigint)) GROUP BY model_id),"
        " c AS ("
        "  SELECT a.name AS model, a.env AS environment, b.name AS alternative,"
        "   round(a.quality::numeric, 1) AS quality, round(b.quality::numeric, 1) AS alt_quality,"
        "   round((b.quality / a.quality)::numeric, 3) AS ratio, round(a.p95) AS p95_ms,"
        "   round(b.p95) AS alt_p95_ms, a.sla_target_ms, u.it AS input_tokens,"
        "   u.ot AS output_tokens, u.n AS requests,"
        "   (u.it * a.pin + u.ot * a.pout) / 1000000 AS own,"
        "   (u.it * b.pin + u.ot * b.pout) / 1000000 AS alt"
        "  FROM q a JOIN u ON u.model_id = a.id"
        "  JOIN q b ON b.id <> a.id AND b.environment_id = a.environment_id AND b.suite = a.suite"
        "  WHERE a.quality > 0 AND b.quality >= $3::float8 * a.quality"
        "   AND a.sla_target_ms IS NOT NULL AND b.p95 <= a.sla_target_ms)"
        " SELECT c.model, c.environment, c.alternative, c.quality, c.alt_quality, c.ratio,"
        "  c.p95_ms, c.alt_p95_ms, c.sla_target_ms, c.input_tokens, c.output_tokens, c.requests,"
        "  c.own::text AS own_cost, c.alt::text AS alt_cost, (c.own - c.alt)::text AS saving,"
        "  " USD("c.own") " AS own_cost_h, " USD("c.alt") " AS alt_cost_h,"
        "  " USD("c.own - c.alt") " AS saving_h,"
        "  round(100 * (c.own - c.alt) / nullif(c.own, 0), 1) AS saving_pct,"
        "  row_number() OVER (PARTITION BY c.model, c.environment ORDER BY c.own - c.alt DESC) AS rank"
        " FROM c WHERE c.alt < c.own"
        " ORDER BY c.own - c.alt DESC, c.model, c.alternative", 4, p);
}

/* The models of environments $1 (text[]), only those called $2 if given,
 * as ids and names: the scope of an environment comparison. */
#define ENV_MODELS \
    "WITH mm AS (SELECT m.id, e.name AS env FROM models m JOIN environments e" \
    "  ON e.id = m.environment_id WHERE e.name = ANY ($1::text[]) AND ($2::text IS NULL OR m.name = $2))"
/* A read function (lw_rollup_read, lw_usage_read) over those models from
 * $3 to $4 (Unix seconds); the step argument, if any, follows. */
#define ENV_READ(fn) \
    " " fn "(coalesce((SELECT array_agg(id) FROM mm), '{}'), to_timestamp($3::bigint)," \
    "  to_timestamp($4::bigint)"

/* The statements of lw_db_costs_env, ENV_MODELS first. */
static const char *const env_statements[LW_DB_COSTS_ENV_N] = {
    [LW_DB_COSTS_ENV_HOURLY] =
        ENV_MODELS
        " SELECT mm.env AS environment, extract(epoch FROM r.bucket_start)::bigint AS t,"
        "  sum(r.count) AS n, sum(r.errors) AS errors,"
        "  sum(r.sum_total_ms) / nullif(sum(r.total_n), 0) AS mean_ms,"
        "  sum(r.sum_ttft_ms) / nullif(sum(r.ttft_n), 0) AS ttft_ms,"
        "  (sum(r.cost_usd) + coalesce(max(u.c), 0))::float8 AS cost"
        " FROM" ENV_READ("lw_rollup_read") ", interval '1 hour') r JOIN mm ON mm.id = r.model_id"
        " LEFT JOIN (SELECT mm.env, u.bucket_start, sum(u.cost_usd) AS c"
        "   FROM" ENV_READ("lw_usage_read") ", interval '1 hour') u JOIN mm ON mm.id = u.model_id"
        "   GROUP BY 1, 2) u ON u.env = mm.env AND u.bucket_start = r.bucket_start"
        " GROUP BY mm.env, r.bucket_start ORDER BY mm.env, r.bucket_start",
    [LW_DB_COSTS_ENV_TOTALS] =
        ENV_MODELS
        " SELECT x.env AS environment, x.n, x.errors, x.models, x.th::text AS total_hist,"
        "  x.fh::text AS ttft_hist, lw_hist_quantile(x.th, 0.5) AS p50_ms,"
        "  lw_hist_quantile(x.th, 0.95) AS p95_ms, lw_hist_quantile(x.th, 0.99) AS p99_ms,"
        "  " USD("x.cost") " AS cost"
        " FROM (SELECT mm.env, sum(r.count) AS n, sum(r.errors) AS errors,"
        "   count(DISTINCT mm.id) AS models, lw_hist_sum(r.total_hist) AS th,"
        "   lw_hist_sum(r.ttft_hist) AS fh, sum(r.cost_usd) AS cost"
        "  FROM" ENV_READ("lw_rollup_read") ") r JOIN mm ON mm.id = r.model_id"
        "  GROUP BY mm.env) x"
        " ORDER BY x.env",
};

PGresult *
lw_db_costs_env(lw_db *db, lw_err *err, lw_db_costs_env_set which, const char *envs,
                const char *model, long long from, long long to)
{
    char f[24], t[24];
    const char *p[4] = { envs, model, LL(f, from), LL(t, to) };
    const char *sql = lw_db_statement(env_statements, LW_DB_COSTS_ENV_N, (int) which, err);

    return sql ? lw_db_query(db, err, sql, 4, p) : NULL;
}
