/* sync.c: configuration -> database, by name, in one transaction. */
#include "sync.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

#define P_INT(pool, v)  lw_pool_printf(pool, "%lld", (long long) (v))

/* "30.000000" from micro-dollars, for a numeric parameter */
static char *
micros_decimal(lw_pool *pool, int64_t micros)
{
    return lw_pool_printf(pool, "%s%lld.%06lld", micros < 0 ? "-" : "",
                          (long long) (micros < 0 ? -micros : micros) / 1000000,
                          (long long) (micros < 0 ? -micros : micros) % 1000000);
}

static void
json_str(json_object *o, const char *key, const char *val)
{
    if (val != NULL)
        json_object_object_add(o, key, json_object_new_string(val));
}

static void
json_list(json_object *o, const char *key, const lw_strlist *l)
{
    json_object *a;
    size_t i;

    if (l->n == 0)
        return;
    a = json_object_new_array();
    for (i = 0; i < l->n; i++)
        json_object_array_add(a, json_object_new_string(l->v[i]));
    json_object_object_add(o, key, a);
}

/* JSON text (pool-owned) of an object; frees the object. */
static char *
json_take(lw_pool *pool, json_object *o)
{
    char *s = lw_pool_strdup(pool, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

    json_object_put(o);
    return s;
}

/* Runs an audited upsert/update statement: the statement's RETURNING rows
 * count as changes. */
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

/* All models of the config in one statement (a config may list a thousand
 * models: one round trip each was most of a probe cycle's start-up). $1 is
 * a JSON array of objects with the columns below; environments exist
 * already (ENV_ENSURE). */
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
    "    enabled boolean, config_line integer)"
    "  JOIN environments e ON e.name = i.environment),"
    " old AS (SELECT m.id, to_jsonb(m) AS j FROM models m"
    "         JOIN input i ON i.environment_id = m.environment_id AND i.name = m.name),"
    " up AS ("
    "  INSERT INTO models (environment_id, name, provider, model, base_url, api_key_env, priority,"
    "    sla_target_ms, price_input_per_mtok, price_output_per_mtok, max_concurrency, timeout_ms, suite,"
    "    enabled, source, config_line)"
    "  SELECT environment_id, name, provider, model, base_url, api_key_env, priority, sla_target_ms,"
    "    price_input_per_mtok, price_output_per_mtok, max_concurrency, timeout_ms, suite, enabled,"
    "    'config', config_line FROM input ORDER BY config_line"   /* ids in file order */
    "  ON CONFLICT (environment_id, name) DO UPDATE SET provider = EXCLUDED.provider, model = EXCLUDED.model,"
    "    base_url = EXCLUDED.base_url, api_key_env = EXCLUDED.api_key_env, priority = EXCLUDED.priority,"
    "    sla_target_ms = EXCLUDED.sla_target_ms, price_input_per_mtok = EXCLUDED.price_input_per_mtok,"
    "    price_output_per_mtok = EXCLUDED.price_output_per_mtok, max_concurrency = EXCLUDED.max_concurrency,"
    "    timeout_ms = EXCLUDED.timeout_ms, suite = EXCLUDED.suite, enabled = EXCLUDED.enabled,"
    "    source = 'config', config_line = EXCLUDED.config_line, removed_at = NULL, updated_at = now()"
    "  WHERE (models.provider, models.model, models.base_url, models.api_key_env, models.priority,"
    "    models.sla_target_ms, models.price_input_per_mtok, models.price_output_per_mtok,"
    "    models.max_concurrency, models.timeout_ms, models.suite, models.enabled, models.source,"
    "    models.config_line, models.removed_at)"
    "    IS DISTINCT FROM (EXCLUDED.provider, EXCLUDED.model, EXCLUDED.base_url, EXCLUDED.api_key_env,"
    "    EXCLUDED.priority, EXCLUDED.sla_target_ms, EXCLUDED.price_input_per_mtok,"
    "    EXCLUDED.price_output_per_mtok, EXCLUDED.max_concurrency, EXCLUDED.timeout_ms, EXCLUDED.suite,"
    "    EXCLUDED.enabled, 'config', EXCLUDED.config_line, NULL::timestamptz)"
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

static void
json_int_or_null(json_object *o, const char *key, int64_t v)
{
    json_object_object_add(o, key, v > 0 ? json_object_new_int64(v) : NULL);
}

static int
sync_models(lw_db *db, lw_pool *pool, const lw_config *cfg, const char *actor,
            int *changed, lw_err *err)
{
    json_object *rows = json_object_new_array(), *keys = json_object_new_array(), *o, *k;
    const char *p[2];
    size_t i;

    for (i = 0; i < cfg->n_models; i++) {
        const lw_config_model *m = &cfg->models[i];

        o = json_object_new_object();
        json_str(o, "environment", m->environment);
        json_str(o, "name", m->name);
        json_str(o, "provider", lw_config_provider_name(m->provider));
        json_str(o, "model", m->model);
        json_str(o, "base_url", m->base_url);
        json_str(o, "api_key_env", m->api_key_env);
        json_str(o, "priority", lw_config_priority_name(m->priority));
        json_int_or_null(o, "sla_target_ms", m->sla_target_ms);
        /* exact decimals as strings: numeric never goes through a double */
        json_str(o, "price_input_per_mtok", micros_decimal(pool, m->price_input_micros));
        json_str(o, "price_output_per_mtok", micros_decimal(pool, m->price_output_micros));
        json_object_object_add(o, "max_concurrency",
                               json_object_new_int(m->max_concurrency > 0 ? m->max_concurrency : 4));
        json_int_or_null(o, "timeout_ms", m->timeout * 1000);
        json_str(o, "suite", m->suite);
        json_object_object_add(o, "enabled", json_object_new_boolean(m->enabled));
        json_object_object_add(o, "config_line", json_object_new_int(m->line));
        json_object_array_add(rows, o);

        k = json_object_new_array();
        json_object_array_add(k, json_object_new_string(m->environment));
        json_object_array_add(k, json_object_new_string(m->name));
        json_object_array_add(keys, k);
    }
    p[0] = json_take(pool, rows);
    p[1] = actor;
    if (lw_db_exec(db, err, ENV_ENSURE, 1, p) < 0
        || run(db, err, MODEL_UPSERT, 2, p, changed) != LW_OK) {
        json_object_put(keys);
        return LW_EDB;
    }
    p[0] = json_take(pool, keys);
    return run(db, err, MODEL_RETIRE, 2, p, changed);
}

/* Channel settings as stored: secrets only as written (their ${VAR}
 * reference), resolved by the worker from its environment at send time. */
static char *
channel_settings(lw_pool *pool, const lw_config_channel *c)
{
    json_object *o = json_object_new_object();

    json_list(o, "recipients", &c->recipients);
    json_str(o, "smtp_url", c->smtp_url);
    json_str(o, "from", c->from);
    json_str(o, "username", c->username);
    json_str(o, "password", c->password.raw);
    json_str(o, "password_env", c->password_env);
    json_str(o, "webhook_url", c->webhook_url.raw);
    json_str(o, "channel", c->channel);
    json_str(o, "routing_key", c->routing_key.raw);
    json_str(o, "url", c->url);
    json_str(o, "secret", c->secret.raw);
    json_str(o, "account_sid", c->account_sid);
    json_str(o, "auth_token", c->auth_token.raw);
    json_list(o, "to", &c->to);
    return json_take(pool, o);
}

static const char *
severity_array(lw_pool *pool, unsigned mask)
{
    const char *names[LW_SEV_COUNT];
    lw_strlist l = { names, 0 };
    int s;

    for (s = 0; s < LW_SEV_COUNT; s++)
        if (mask & (1u << s))
            names[l.n++] = lw_config_severity_name((lw_severity) s);
    return lw_db_text_array_pool(pool, (const char *const *) l.v, l.n);
}

static int
sync_channels(lw_db *db, lw_pool *pool, const lw_config *cfg, const char *actor,
              int *changed, lw_err *err)
{
    const char **names = lw_pool_alloc(pool, (cfg->n_channels + 1) * sizeof(char *));
    lw_strlist all = { names, cfg->n_channels };
    const char *p[6];
    size_t i, j;
    int s;

    for (i = 0; i < cfg->n_channels; i++) {
        const lw_config_channel *c = &cfg->channels[i];

        names[i] = c->name;
        p[0] = c->name;
        p[1] = lw_config_channel_type_name(c->type);
        p[2] = channel_settings(pool, c);
        p[3] = severity_array(pool, c->severities);
        p[4] = c->enabled ? "true" : "false";
        p[5] = actor;
        if (run(db, err, CHANNEL_UPSERT, 6, p, changed) != LW_OK)
            return LW_EDB;
    }
    p[0] = lw_db_text_array_pool(pool, (const char *const *) all.v, all.n);
    p[1] = actor;
    if (run(db, err, CHANNEL_RETIRE, 2, p, changed) != LW_OK)
        return LW_EDB;

    /* routing: severity -> channels, replaced as a whole for config channels */
    if (lw_db_exec(db, err, "DELETE FROM routes WHERE channel_id IN "
                   "(SELECT id FROM channels WHERE source = 'config')", 0, NULL) < 0)
        return LW_EDB;
    for (s = 0; s < LW_SEV_COUNT; s++) {
        for (j = 0; j < cfg->routing[s].n; j++) {
            p[0] = lw_config_severity_name((lw_severity) s);
            p[1] = cfg->channels[cfg->routing[s].channel[j]].name;
            p[2] = P_INT(pool, j);
            if (lw_db_exec(db, err,
                           "INSERT INTO routes (severity, channel_id, position) "
                           "SELECT $1, id, $3::int FROM channels WHERE name = $2 "
                           "ON CONFLICT DO NOTHING", 3, p) < 0)
                return LW_EDB;
        }
    }
    return LW_OK;
}

static char *
rule_params(lw_pool *pool, const lw_config_rule *r)
{
    json_object *o = json_object_new_object();

    json_list(o, "conditions", &r->conditions);
    if (r->kind == LW_RULE_COMPOSITE)
        json_str(o, "operator", r->op == LW_OP_OR ? "OR" : "AND");
    if (r->window)
        json_object_object_add(o, "window_s", json_object_new_int64(r->window));
    if (r->lookback_window)
        json_object_object_add(o, "lookback_window_s", json_object_new_int64(r->lookback_window));
    if (r->horizon)
        json_object_object_add(o, "horizon_s", json_object_new_int64(r->horizon));
    if (r->period)
        json_object_object_add(o, "period_s", json_object_new_int64(r->period));
    if (r->minimum_samples)
        json_object_object_add(o, "minimum_samples", json_object_new_int64(r->minimum_samples));
    json_str(o, "metric", r->metric);
    if (r->has_threshold)
        json_object_object_add(o, "threshold", json_object_new_double(r->threshold));
    if (r->has_k)
        json_object_object_add(o, "k", json_object_new_double(r->k));
    if (r->has_slo_target)
        json_object_object_add(o, "slo_target", json_object_new_double(r->slo_target));
    return json_take(pool, o);
}

static int
sync_rules(lw_db *db, lw_pool *pool, const lw_config *cfg, const char *actor,
           int *changed, lw_err *err)
{
    const char **names = lw_pool_alloc(pool, (cfg->n_rules + 1) * sizeof(char *));
    lw_strlist all = { names, cfg->n_rules };
    const char *p[15];
    size_t i;

    for (i = 0; i < cfg->n_rules; i++) {
        const lw_config_rule *r = &cfg->rules[i];

        names[i] = r->name;
        p[0] = r->name;
        p[1] = lw_config_rule_kind_name(r->kind);
        p[2] = r->condition;
        p[3] = rule_params(pool, r);
        p[4] = lw_config_severity_name(r->severity);
        p[5] = P_INT(pool, r->for_s);
        p[6] = P_INT(pool, r->cooldown);
        p[7] = r->repeat_interval > 0 ? P_INT(pool, r->repeat_interval) : NULL;
        p[8] = r->send_resolved ? "true" : "false";
        p[9] = lw_db_text_array_pool(pool, (const char *const *) r->models.v, r->models.n);
        p[10] = lw_db_text_array_pool(pool, (const char *const *) r->environments.v, r->environments.n);
        p[11] = r->runbook;
        p[12] = r->enabled ? "true" : "false";
        p[13] = P_INT(pool, r->line);
        p[14] = actor;
        if (run(db, err, RULE_UPSERT, 15, p, changed) != LW_OK) {
            if (lw_db_last_was_conflict(db))
                lw_err_set(err, "rule '%s' conflicts with an existing rule", r->name);
            return LW_EDB;
        }
    }
    p[0] = lw_db_text_array_pool(pool, (const char *const *) all.v, all.n);
    p[1] = actor;
    return run(db, err, RULE_RETIRE, 2, p, changed);
}

int
lw_sync_config(lw_db *db, const lw_config *cfg, const char *actor,
               lw_sync_counts *counts, lw_err *err)
{
    lw_pool *pool = lw_pool_create();
    const char *p[1];
    int changed = 0;

    memset(counts, 0, sizeof(*counts));
    if (pool == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    if (lw_db_begin(db, err) != LW_OK)
        goto fail;
    /* one sync at a time (several schedulers may reload together) */
    if (lw_db_exec(db, err, "SELECT pg_advisory_xact_lock(7023117438289454)", 0, NULL) < 0)
        goto fail;
    p[0] = cfg->environment;
    if (lw_db_exec(db, err, "INSERT INTO environments (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                   1, p) < 0)
        goto fail;
    if (sync_models(db, pool, cfg, actor, &changed, err) != LW_OK
        || sync_channels(db, pool, cfg, actor, &changed, err) != LW_OK
        || sync_rules(db, pool, cfg, actor, &changed, err) != LW_OK)
        goto fail;
    if (lw_db_commit(db, err) != LW_OK)
        goto fail;
    counts->models = (int) cfg->n_models;
    counts->schedules = (int) cfg->n_schedules;
    counts->channels = (int) cfg->n_channels;
    counts->rules = (int) cfg->n_rules;
    counts->changed = changed;
    lw_pool_destroy(pool);
    return LW_OK;
fail:
    lw_db_rollback(db);
    lw_pool_destroy(pool);
    return LW_EDB;
}
