/* sync.c: configuration -> database, by name, in one transaction. */
#include "sync.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

#include "db/budgets.h"
#include "db/costs.h"
#include "db/sync.h"
#include "prices.h"
#include "times.h"

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
        json_object_object_add(o, "status_page", json_object_new_boolean(m->status_page));
        json_object_object_add(o, "config_line", json_object_new_int(m->line));
        json_object_array_add(rows, o);

        k = json_object_new_array();
        json_object_array_add(k, json_object_new_string(m->environment));
        json_object_array_add(k, json_object_new_string(m->name));
        json_object_array_add(keys, k);
    }
    return lw_db_sync_models(db, err, json_take(pool, rows), json_take(pool, keys), actor,
                             changed);
}

/* Channel settings as stored: secrets only as written (their ${VAR}
 * reference), resolved by the worker from its environment at send time. */
static char *
channel_settings(lw_pool *pool, const lw_config_channel *c)
{
    json_object *o = json_object_new_object();

    json_list(o, "recipients", &c->recipients);
    /* as written: its ${VAR} may hold credentials (user:password@) */
    json_str(o, "smtp_url", c->smtp_url_raw ? c->smtp_url_raw : c->smtp_url);
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
    size_t i, j;
    int s;

    for (i = 0; i < cfg->n_channels; i++) {
        const lw_config_channel *c = &cfg->channels[i];

        names[i] = c->name;
        if (lw_db_sync_channel(db, err, c->name, lw_config_channel_type_name(c->type),
                               channel_settings(pool, c), severity_array(pool, c->severities),
                               c->enabled ? "true" : "false", actor, changed) != LW_OK)
            return LW_EDB;
    }
    if (lw_db_sync_channels_retire(db, err, lw_db_text_array_pool(pool, names, cfg->n_channels),
                                   actor, changed) != LW_OK)
        return LW_EDB;

    /* routing: severity -> channels, replaced as a whole for config channels */
    if (lw_db_sync_routes_clear(db, err) != LW_OK)
        return LW_EDB;
    for (s = 0; s < LW_SEV_COUNT; s++)
        for (j = 0; j < cfg->routing[s].n; j++)
            if (lw_db_sync_route(db, err, lw_config_severity_name((lw_severity) s),
                                 cfg->channels[cfg->routing[s].channel[j]].name, (int) j)
                != LW_OK)
                return LW_EDB;
    return LW_OK;
}

/* key: v, only when v is set (not 0) */
static void
json_int_set(json_object *o, const char *key, int64_t v)
{
    if (v != 0)
        json_object_object_add(o, key, json_object_new_int64(v));
}

/* key: v, only when has */
static void
json_double_set(json_object *o, const char *key, bool has, double v)
{
    if (has)
        json_object_object_add(o, key, json_object_new_double(v));
}

/* rules.params as the config gives them: only what is set. */
static char *
rule_params(lw_pool *pool, const lw_config_rule *r)
{
    json_object *o = json_object_new_object();

    json_list(o, "conditions", &r->conditions);
    if (r->kind == LW_RULE_COMPOSITE)
        json_str(o, "operator", r->op == LW_OP_OR ? "OR" : "AND");
    json_int_set(o, "window_s", r->window);
    json_int_set(o, "lookback_window_s", r->lookback_window);
    json_int_set(o, "horizon_s", r->horizon);
    json_int_set(o, "period_s", r->period);
    json_int_set(o, "minimum_samples", r->minimum_samples);
    json_str(o, "metric", r->metric);
    json_double_set(o, "threshold", r->has_threshold, r->threshold);
    json_double_set(o, "k", r->has_k, r->k);
    json_double_set(o, "slo_target", r->has_slo_target, r->slo_target);
    return json_take(pool, o);
}

static int
sync_rules(lw_db *db, lw_pool *pool, const lw_config *cfg, const char *actor,
           int *changed, lw_err *err)
{
    const char **names = lw_pool_alloc(pool, (cfg->n_rules + 1) * sizeof(char *));
    lw_db_rules_def d;
    size_t i;

    for (i = 0; i < cfg->n_rules; i++) {
        const lw_config_rule *r = &cfg->rules[i];

        names[i] = r->name;
        memset(&d, 0, sizeof(d));
        d.name = r->name;
        d.kind = lw_config_rule_kind_name(r->kind);
        d.expression = r->condition;
        d.params_json = rule_params(pool, r);
        d.severity = lw_config_severity_name(r->severity);
        d.for_s = P_INT(pool, r->for_s);
        d.cooldown_s = P_INT(pool, r->cooldown);
        d.repeat_interval_s = r->repeat_interval > 0 ? P_INT(pool, r->repeat_interval) : NULL;
        d.send_resolved = r->send_resolved ? "true" : "false";
        d.scope_models = lw_db_text_array_pool(pool, r->models.v, r->models.n);
        d.scope_environments = lw_db_text_array_pool(pool, r->environments.v,
                                                     r->environments.n);
        d.runbook = r->runbook;
        d.enabled = r->enabled ? "true" : "false";
        if (lw_db_sync_rule(db, err, &d, r->line, actor, changed) != LW_OK) {
            if (lw_db_last_was_conflict(db))
                lw_err_set(err, "rule '%s' conflicts with an existing rule", r->name);
            return LW_EDB;
        }
    }
    return lw_db_sync_rules_retire(db, err, lw_db_text_array_pool(pool, names, cfg->n_rules),
                                   actor, changed);
}

/* ---- prices with their effective dates ---- */

static json_object *
price_entry(lw_pool *pool, time_t effective, int64_t in, int64_t out)
{
    json_object *e = json_object_new_object();
    char ts[40];

    json_object_object_add(e, "effective", effective > 0 ? json_object_new_string(
        lw_time_format(effective, LW_TIME_SQL, ts, sizeof(ts))) : NULL);
    json_str(e, "input", micros_decimal(pool, in));
    json_str(e, "output", micros_decimal(pool, out));
    return e;
}

/* Each model's prices: the built-in history of a well-known model (every
 * dated entry), or the configured price (from its `effective` day, else
 * from now when it changed). */
static int
sync_prices(lw_db *db, lw_pool *pool, const lw_config *cfg, int *changed, lw_err *err)
{
    json_object *rows = json_object_new_array(), *o, *entries;
    lw_price h[16];
    size_t i, j, n;

    for (i = 0; i < cfg->n_models; i++) {
        const lw_config_model *m = &cfg->models[i];

        o = json_object_new_object();
        entries = json_object_new_array();
        json_str(o, "environment", m->environment);
        json_str(o, "name", m->name);
        if (m->prices_source == LW_PRICES_BUILTIN
            && lw_prices_builtin_history(m->model, h, LW_ARRAY_LEN(h), &n) == LW_OK) {
            json_str(o, "source", "builtin");
            for (j = 0; j < n; j++)
                json_object_array_add(entries, price_entry(pool, h[j].effective,
                                                           h[j].input_micros, h[j].output_micros));
        } else {
            json_str(o, "source", "config");
            json_object_array_add(entries, price_entry(pool, m->price_effective,
                                                       m->price_input_micros,
                                                       m->price_output_micros));
        }
        json_object_object_add(o, "entries", entries);
        json_object_array_add(rows, o);
    }
    return lw_db_costs_prices_sync(db, err, json_take(pool, rows), changed);
}

/* ---- budgets ---- */

static int
sync_budgets(lw_db *db, lw_pool *pool, const lw_config *cfg, const char *actor,
             int *changed, lw_err *err)
{
    const char **names = lw_pool_alloc(pool, (cfg->n_budgets + 1) * sizeof(char *));
    lw_db_audit_who who = { 0, actor, NULL };
    json_object *o, *t;
    long long id;
    size_t i;
    int k, ch, rc;

    for (i = 0; i < cfg->n_budgets; i++) {
        const lw_config_budget *b = &cfg->budgets[i];

        names[i] = b->name;
        o = json_object_new_object();
        t = json_object_new_array();
        json_str(o, "name", b->name);
        json_str(o, "period", lw_config_budget_period_name(b->period));
        json_str(o, "amount", micros_decimal(pool, b->amount_micros));
        for (k = 0; k < b->n_tiers; k++)
            json_object_array_add(t, json_object_new_int(b->tiers[k]));
        json_object_object_add(o, "thresholds", t);
        json_str(o, "model", b->model);
        json_str(o, "provider", b->provider >= 0 ? lw_config_provider_name((lw_provider) b->provider)
                                                 : NULL);
        json_str(o, "environment", b->environment);
        json_str(o, "time_zone", b->time_zone);
        json_object_object_add(o, "enabled", json_object_new_boolean(b->enabled));
        json_object_object_add(o, "config_line", json_object_new_int(b->line));
        rc = lw_db_budgets_save(db, err, json_take(pool, o), "config", &who, &id, &ch);
        if (rc != LW_OK)
            return rc;
        *changed += ch;
    }
    return lw_db_budgets_retire(db, err, lw_db_text_array_pool(pool, names, cfg->n_budgets), actor,
                                changed);
}

int
lw_sync_config(lw_db *db, lw_err *err, const lw_config *cfg, const char *actor,
               lw_sync_counts *counts)
{
    lw_pool *pool = lw_pool_create();
    int changed = 0;

    memset(counts, 0, sizeof(*counts));
    if (pool == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    if (lw_db_begin(db, err) != LW_OK || lw_db_sync_lock(db, err) != LW_OK
        || lw_db_sync_environment(db, err, cfg->environment) != LW_OK)
        goto fail;
    if (sync_models(db, pool, cfg, actor, &changed, err) != LW_OK
        || sync_channels(db, pool, cfg, actor, &changed, err) != LW_OK
        || sync_rules(db, pool, cfg, actor, &changed, err) != LW_OK
        || sync_prices(db, pool, cfg, &changed, err) != LW_OK
        || sync_budgets(db, pool, cfg, actor, &changed, err) != LW_OK)
        goto fail;
    if (lw_db_commit(db, err) != LW_OK)
        goto fail;
    counts->models = (int) cfg->n_models;
    counts->schedules = (int) cfg->n_schedules;
    counts->channels = (int) cfg->n_channels;
    counts->rules = (int) cfg->n_rules;
    counts->budgets = (int) cfg->n_budgets;
    counts->changed = changed;
    lw_pool_destroy(pool);
    return LW_OK;
fail:
    lw_db_rollback(db);
    lw_pool_destroy(pool);
    return LW_EDB;
}
