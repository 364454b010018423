/* sync.c: the statements that write a configuration into the database
 * (see sync.h). Each upsert changes a row only when something in it
 * differs, and records the row before and after in audit_log. */
#include "db/sync.h"

#include <stdio.h>

#include "db/sql.h"

/* $1: the models as JSON (see sync.h), $2: actor. */
static const char ENV_ENSURE[] =
    "INSERT INTO environments (name)"
    " SELECT DISTINCT x->>'environment' FROM jsonb_array_elements($1::jsonb) x"
    " ON CONFLICT (name) DO NOTHING";

static const char MODEL_UPSERT[] =
    "WITH input AS ("
    "  SELECT e.id AS environment_id, i.* FROM jsonb_to_recordset($1::jsonb) AS i("
    "    environment text, name text, provider text, model text, base_url text, api_key_env text,"
    "    priority text, sla_target_ms integer, price_input_per_mtok numeric,"
    "    price_output_per_mtok numeric, max_concurrency integer, timeout_ms integer, suite text,"
    "    enabled boolean, config_line integer, status_page boolean)"
    "  JOIN environments e ON e.name = i.environment),"
    " old AS (SELECT m.id, to_jsonb(m) AS j FROM models m"
    "         JOIN input i ON i.environment_id = m.environment_id AND i.name = m.name),"
    " up AS ("
    "  INSERT INTO models (environment_id, name, provider, model, base_url, api_key_env, priority,"
    "    sla_target_ms, price_input_per_mtok, price_output_per_mtok, max_concurrency, timeout_ms, suite,"
    "    enabled, source, config_line, status_page)"
    "  SELECT environment_id, name, provider, model, base_url, api_key_env, priority, sla_target_ms,"
    "    price_input_per_mtok, price_output_per_mtok, max_concurrency, timeout_ms, suite, enabled,"
    "    'config', config_line, coalesce(status_page, false) FROM input ORDER BY config_line"   /* ids in file order */
    "  ON CONFLICT (environment_id, name) DO UPDATE SET provider = EXCLUDED.provider, model = EXCLUDED.model,"
    "    base_url = EXCLUDED.base_url, api_key_env = EXCLUDED.api_key_env, priority = EXCLUDED.priority,"
    "    sla_target_ms = EXCLUDED.sla_target_ms, price_input_per_mtok = EXCLUDED.price_input_per_mtok,"
    "    price_output_per_mtok = EXCLUDED.price_output_per_mtok, max_concurrency = EXCLUDED.max_concurrency,"
    "    timeout_ms = EXCLUDED.timeout_ms, suite = EXCLUDED.suite, enabled = EXCLUDED.enabled,"
    "    source = 'config', config_line = EXCLUDED.config_line, removed_at = NULL, updated_at = now(),"
    "    status_page = EXCLUDED.status_page"
    "  WHERE (models.provider, models.model, models.base_url, models.api_key_env, models.priority,"
    "    models.sla_target_ms, models.price_input_per_mtok, models.price_output_per_mtok,"
    "    models.max_concurrency, models.timeout_ms, models.suite, models.enabled, models.source,"
    "    models.config_line, models.removed_at, models.status_page)"
    "    IS DISTINCT FROM (EXCLUDED.provider, EXCLUDED.model, EXCLUDED.base_url, EXCLUDED.api_key_env,"
    "    EXCLUDED.priority, EXCLUDED.sla_target_ms, EXCLUDED.price_input_per_mtok,"
    "    EXCLUDED.price_output_per_mtok, EXCLUDED.max_concurrency, EXCLUDED.timeout_ms, EXCLUDED.suite,"
    "    EXCLUDED.enabled, 'config', EXCLUDED.config_line, NULL::timestamptz, EXCLUDED.status_page)"
    "  RETURNING id, to_jsonb(models.*) AS j)"
    " INSERT INTO audit_log (actor, action, object_type, object_id, before, after)"
    " SELECT $2, CASE WHEN old.id IS NULL THEN 'create' ELSE 'update' END, 'model',"
    "   up.id::text, old.j, up.j FROM up LEFT JOIN old ON old.id = up.id RETURNING id";

/* Models of the config are listed as [[environment, name], ...]. */
static const char MODEL_RETIRE[] =
    "WITH gone AS ("
    "  UPDATE models m SET enabled = false, removed_at = now(), updated_at = now()"
    "  FROM environments e WHERE e.id = m.environment_id AND m.source = 'config' AND m.removed_at IS NULL"
    "   AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements($1::jsonb) k"
    "                   WHERE k->>0 = e.name AND k->>1 = m.name)"
    "  RETURNING m.id, to_jsonb(m.*) AS j)"
    " INSERT INTO audit_log (actor, action, object_type, object_id, after)"
    " SELECT $2, 'disable', 'model', id::text, j FROM gone RETURNING id";

static const char CHANNEL_UPSERT[] =
    "WITH old AS (SELECT to_jsonb(c) AS j FROM channels c WHERE name = $1),"
    " up AS ("
    "  INSERT INTO channels (name, type, settings, severities, enabled, source)"
    "  VALUES ($1, $2, $3::jsonb, $4::text[], $5::boolean, 'config')"
    "  ON CONFLICT (name) DO UPDATE SET type = EXCLUDED.type, settings = EXCLUDED.settings,"
    "    severities = EXCLUDED.severities, enabled = EXCLUDED.enabled, source = 'config', updated_at = now()"
    "  WHERE (channels.type, channels.settings, channels.severities, channels.enabled, channels.source)"
    "    IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.settings, EXCLUDED.severities, EXCLUDED.enabled, 'config')"
    "  RETURNING id, to_jsonb(channels.*) AS j)"
    " INSERT INTO audit_log (actor, action, object_type, object_id, before, after)"
    " SELECT $6, CASE WHEN (SELECT j FROM old) IS NULL THEN 'create' ELSE 'update' END, 'channel',"
    "   up.id::text, (SELECT j FROM old), up.j FROM up RETURNING id";

static const char CHANNEL_RETIRE[] =
    "WITH gone AS ("
    "  UPDATE channels SET enabled = false, updated_at = now()"
    "  WHERE source = 'config' AND enabled AND NOT (name = ANY ($1::text[]))"
    "  RETURNING id, to_jsonb(channels.*) AS j)"
    " INSERT INTO audit_log (actor, action, object_type, object_id, after)"
    " SELECT $2, 'disable', 'channel', id::text, j FROM gone RETURNING id";

static const char RULE_UPSERT[] =
    "WITH old AS (SELECT to_jsonb(r) AS j FROM rules r WHERE name = $1),"
    " up AS ("
    "  INSERT INTO rules (name, kind, expression, params, severity, for_s, cooldown_s, repeat_interval_s,"
    "    send_resolved, scope_models, scope_environments, runbook, enabled, source, config_line)"
    "  VALUES ($1, $2, $3, $4::jsonb, $5, $6::int, $7::int, coalesce($8::int, 14400), $9::boolean,"
    "    $10::text[], $11::text[], $12, $13::boolean, 'config', $14::int)"
    "  ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, expression = EXCLUDED.expression,"
    "    params = EXCLUDED.params, severity = EXCLUDED.severity, for_s = EXCLUDED.for_s,"
    "    cooldown_s = EXCLUDED.cooldown_s, repeat_interval_s = EXCLUDED.repeat_interval_s,"
    "    send_resolved = EXCLUDED.send_resolved, scope_models = EXCLUDED.scope_models,"
    "    scope_environments = EXCLUDED.scope_environments, runbook = EXCLUDED.runbook,"
    "    enabled = EXCLUDED.enabled, source = 'config', config_line = EXCLUDED.config_line,"
    "    deleted_at = NULL, updated_at = now()"
    "  WHERE rules.source = 'config' AND (rules.kind, rules.expression, rules.params, rules.severity,"
    "    rules.for_s, rules.cooldown_s, rules.repeat_interval_s, rules.send_resolved, rules.scope_models,"
    "    rules.scope_environments, rules.runbook, rules.enabled, rules.config_line, rules.deleted_at)"
    "    IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.expression, EXCLUDED.params, EXCLUDED.severity,"
    "    EXCLUDED.for_s, EXCLUDED.cooldown_s, EXCLUDED.repeat_interval_s, EXCLUDED.send_resolved,"
    "    EXCLUDED.scope_models, EXCLUDED.scope_environments, EXCLUDED.runbook, EXCLUDED.enabled,"
    "    EXCLUDED.config_line, NULL::timestamptz)"
    "  RETURNING id, to_jsonb(rules.*) AS j)"
    " INSERT INTO audit_log (actor, action, object_type, object_id, before, after)"
    " SELECT $15, CASE WHEN (SELECT j FROM old) IS NULL THEN 'create' ELSE 'update' END, 'rule',"
    "   up.id::text, (SELECT j FROM old), up.j FROM up RETURNING id";

static const char RULE_RETIRE[] =
    "WITH gone AS ("
    "  UPDATE rules SET enabled = false, deleted_at = now(), updated_at = now()"
    "  WHERE source = 'config' AND deleted_at IS NULL AND NOT (name = ANY ($1::text[]))"
    "  RETURNING id, to_jsonb(rules.*) AS j)"
    " INSERT INTO audit_log (actor, action, object_type, object_id, after)"
    " SELECT $2, 'delete', 'rule', id::text, j FROM gone RETURNING id";

/* Runs an audited statement whose RETURNING rows are the changes. */
static int
run(lw_db *db, lw_err *err, const char *sql, int n, const char *const *p, int *changed)
{
    PGresult *res = lw_db_query(db, err, sql, n, p);

    if (res == NULL)
        return LW_EDB;
    *changed += PQntuples(res);
    PQclear(res);
    return LW_OK;
}

/* Runs a retire statement: $1 the names kept (text[]), $2 actor. */
static int
retire(lw_db *db, lw_err *err, const char *sql, const char *names, const char *actor,
       int *changed)
{
    const char *p[2] = { names, actor };

    return run(db, err, sql, 2, p, changed);
}

int
lw_db_sync_lock(lw_db *db, lw_err *err)
{
    return lw_db_run(db, err, "SELECT pg_advisory_xact_lock(7023117438289454)", 0, NULL);
}

int
lw_db_sync_environment(lw_db *db, lw_err *err, const char *name)
{
    const char *p[1] = { name };

    return lw_db_run(db, err,
                     "INSERT INTO environments (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                     1, p);
}

int
lw_db_sync_models(lw_db *db, lw_err *err, const char *models_json, const char *keys_json,
                  const char *actor, int *changed)
{
    const char *p[2] = { models_json, actor };

    if (lw_db_exec(db, err, ENV_ENSURE, 1, p) < 0
        || run(db, err, MODEL_UPSERT, 2, p, changed) != LW_OK)
        return LW_EDB;
    p[0] = keys_json;
    return run(db, err, MODEL_RETIRE, 2, p, changed);
}

int
lw_db_sync_channel(lw_db *db, lw_err *err, const char *name, const char *type,
                   const char *settings_json, const char *severities, const char *enabled,
                   const char *actor, int *changed)
{
    const char *p[6] = { name, type, settings_json, severities, enabled, actor };

    return run(db, err, CHANNEL_UPSERT, 6, p, changed);
}

int
lw_db_sync_channels_retire(lw_db *db, lw_err *err, const char *names, const char *actor,
                           int *changed)
{
    return retire(db, err, CHANNEL_RETIRE, names, actor, changed);
}

int
lw_db_sync_routes_clear(lw_db *db, lw_err *err)
{
    return lw_db_run(db, err, "DELETE FROM routes WHERE channel_id IN "
                     "(SELECT id FROM channels WHERE source = 'config')", 0, NULL);
}

int
lw_db_sync_route(lw_db *db, lw_err *err, const char *severity, const char *channel,
                 int position)
{
    char pos[24];
    const char *p[3] = { severity, channel, LL(pos, position) };

    return lw_db_run(db, err,
                     "INSERT INTO routes (severity, channel_id, position) "
                     "SELECT $1, id, $3::int FROM channels WHERE name = $2 "
                     "ON CONFLICT DO NOTHING", 3, p);
}

int
lw_db_sync_rule(lw_db *db, lw_err *err, const lw_db_rules_def *rule, int config_line,
                const char *actor, int *changed)
{
    char line[24];
    const char *p[15];

    lw_db_rules_def_params(rule, p);
    p[13] = LL(line, config_line);
    p[14] = actor;
    return run(db, err, RULE_UPSERT, 15, p, changed);
}

int
lw_db_sync_rules_retire(lw_db *db, lw_err *err, const char *names, const char *actor,
                        int *changed)
{
    return retire(db, err, RULE_RETIRE, names, actor, changed);
}
