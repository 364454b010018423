/* config.c: monitoring_config.yaml into lw_config: the schema's top
 * level, models and schedule (the `alerts:` section is config_alerts.c),
 * read through yamlmap.c so every problem has its FILE:LINE:COL; and how
 * commands find and load their config. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_impl.h"
#include "prices.h"
#include "times.h"

/* What the models table holds: times in ms in an integer (a day is far
 * more than any probe needs), prices in numeric(14,6). */
#define MAX_MODEL_MS      86400000
#define MAX_PRICE_MICROS  INT64_C(99999999999999)

/* ---- names ---- */

const char *const lw_config_provider_names[LW_PROVIDER_COUNT] = {
    "openai", "anthropic", "google", "openai-compatible"
};
static const char *const priority_names[] = { "critical", "high", "medium", "low" };

static const struct {
    const char *name, *frequency;
    int64_t timeout;
} job_defaults[LW_JOB_COUNT] = {
    { "performance_checks", "*/6 hours", 300 },
    { "cost_analysis", "daily at 2:00", 600 },
    { "full_benchmark", "weekly on sunday at 3:00", 3600 },
    { "evaluate", "*/1 minutes", 60 },
    { "notify", "*/1 minutes", 60 },
    { "maintain", "hourly", 600 },
};

static const struct {
    const char *base_url, *api_key_env;
} provider_defaults[LW_PROVIDER_COUNT] = {
    { "https://api.openai.com", "OPENAI_API_KEY" },
    { "https://api.anthropic.com", "ANTHROPIC_API_KEY" },
    { "https://generativelanguage.googleapis.com", "GEMINI_API_KEY" },
    { NULL, NULL },
};

const char *const lw_config_severity_names[LW_SEV_COUNT] = { "critical", "warning", "info" };
const char *const lw_config_channel_type_names[LW_CHANNEL_COUNT] = {
    "email", "slack", "pagerduty", "webhook", "sms", "alertmanager"
};
const char *const lw_config_rule_kind_names[LW_RULE_KIND_COUNT] = {
    "threshold", "statistical", "trend", "composite", "forecast", "burn_rate"
};
const char *const lw_config_operator_names[2] = { "AND", "OR" };

const char *const lw_config_http_schemes[] = { "https://", "http://", NULL };

LW_CONFIG_ENUM_FUNCS(provider, lw_provider, lw_config_provider_names)
LW_CONFIG_ENUM_FUNCS(severity, lw_severity, lw_config_severity_names)
LW_CONFIG_ENUM_FUNCS(channel_type, lw_channel_type, lw_config_channel_type_names)
LW_CONFIG_ENUM_FUNCS(rule_kind, lw_rule_kind, lw_config_rule_kind_names)

const char *
lw_config_priority_name(lw_priority p)
{
    return LW_CONFIG_ENUM_NAME(priority_names, p);
}

const char *
lw_config_job_name(lw_job j)
{
    return (unsigned) j < LW_JOB_COUNT ? job_defaults[j].name : "?";
}

/* ---- values ---- */

int
lw_config_enum_required(struct ctx *c, const lw_ymap *m, const char *key, const char *what,
                        const char *const *names, size_t n, int *out)
{
    int rc = lw_ymap_enum(c->y, m, key, what, names, n, 0, out);

    if (rc == 0)
        lw_ymap_require(c->y, m, key, NULL);
    return rc;
}

const char *
lw_config_strip_slashes(struct ctx *c, const char *url)
{
    size_t n = strlen(url);
    char *s;

    while (n > 0 && url[n - 1] == '/')
        n--;
    s = lw_pool_strndup(c->y->pool, url, n);
    if (s == NULL)
        c->y->oom = 1;
    return s;
}

int
lw_config_check_name(struct ctx *c, yaml_node_t *n, const char *key, const char *s,
                     const char *why)
{
    if (s == NULL || strlen(s) <= LW_CONFIG_MAX_NAME)
        return 0;
    ERR(c, n, "'%s' is %zu bytes long%s%s; a name has at most %d", key, strlen(s),
        why ? ", and " : "", why ? why : "", LW_CONFIG_MAX_NAME);
    return -1;
}

void
lw_config_check_environment(struct ctx *c, yaml_node_t *v, const char *env)
{
    if (strspn(env, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        != strlen(env))
        ERR(c, v, "'environment' may only contain letters, digits, '_', '.' and '-', not '%.60s'",
            env);
    else
        lw_config_check_name(c, v, "environment", env, NULL);
}

static int
ends_with_api_version(const char *url)
{
    const char *slash = strrchr(url, '/');

    return slash != NULL && slash > url && slash[-1] != '/' &&
           (strcmp(slash, "/v1") == 0 || strcmp(slash, "/v1beta") == 0);
}

/* ---- lists ---- */

void *
lw_config_parse_list(struct ctx *c, yaml_node_t *seq, size_t size, lw_config_entry_fn parse,
                     size_t *count)
{
    size_t i, n = seq != NULL ? lw_ymap_seq_len(seq) : 0;
    void *v = n > 0 ? lw_ymap_alloc(c->y, n * size) : NULL;

    for (i = 0; v != NULL && i < n; i++) {
        parse(c, lw_ymap_seq_item(c->y, seq, i), v, i);
        *count = i + 1;
    }
    return v;
}

/* ---- models ---- */

static const char *const model_keys[] = {
    "name", "provider", "model", "priority", "sla_target", "base_url", "api_key_env",
    "environment", "enabled", "prices", "max_concurrency", "timeout", "suite", "status_page",
};
static const char *const price_keys[] = { "input", "output", "effective" };

static void
parse_prices(struct ctx *c, yaml_node_t *n, lw_config_model *md)
{
    static const char per_mtok[] = "dollars per million tokens";
    const char *eff;
    lw_ymap m;
    int a, b;

    if (lw_ymap_open(c->y, n, "prices", price_keys, LW_ARRAY_LEN(price_keys), &m) < 0)
        return;
    a = lw_ymap_decimal(c->y, &m, "input", 6, per_mtok, &md->price_input_micros);
    b = lw_ymap_decimal(c->y, &m, "output", 6, per_mtok, &md->price_output_micros);
    if (a == 1 && md->price_input_micros > MAX_PRICE_MICROS)
        ERR(c, lw_ymap_get(c->y, &m, "input"), "'input' must be less than 100000000 dollars");
    if (b == 1 && md->price_output_micros > MAX_PRICE_MICROS)
        ERR(c, lw_ymap_get(c->y, &m, "output"), "'output' must be less than 100000000 dollars");
    if (a == 0)
        lw_ymap_require(c->y, &m, "input", NULL);
    if (b == 0)
        lw_ymap_require(c->y, &m, "output", NULL);
    /* a price change from a stated day on (costs before it keep theirs) */
    if (lw_ymap_str(c->y, &m, "effective", &eff) == 1
        && (lw_time_parse(eff, &md->price_effective) != LW_OK || md->price_effective % 86400 != 0))
        ERR(c, lw_ymap_get(c->y, &m, "effective"), "'effective' must be a day (YYYY-MM-DD, UTC), "
            "not '%.40s'", eff);
    md->prices_source = LW_PRICES_CONFIG;
}

static void
parse_model(struct ctx *c, yaml_node_t *n, void *entries, size_t index)
{
    lw_config_model *md = (lw_config_model *) entries + index;
    lw_ymap m;
    yaml_node_t *v;
    const lw_config_model *first;
    int e, rc, have_provider = 0;
    int64_t i64;

    md->priority = LW_PRIORITY_MEDIUM;
    md->enabled = true;
    md->max_concurrency = 4;
    md->prices_source = LW_PRICES_UNKNOWN;
    if (lw_ymap_open_entry(c->y, n, "model", model_keys, LW_ARRAY_LEN(model_keys), &md->line,
                           &md->col, &m) < 0)
        return;

    rc = LW_CONFIG_ENUM_REQUIRED(c, &m, "provider", "provider", lw_config_provider_names, &e);
    if (rc == 1) {
        md->provider = (lw_provider) e;
        have_provider = 1;
    }
    if (lw_ymap_str(c->y, &m, "model", &md->model) == 0)
        lw_ymap_require(c->y, &m, "model", NULL);
    if (lw_ymap_str(c->y, &m, "name", &md->name) <= 0) {
        md->name = md->model;
        lw_config_check_name(c, lw_ymap_get(c->y, &m, "model"), "model", md->name,
                             "it is the model's name when 'name' is not given");
    } else {
        lw_config_check_name(c, lw_ymap_get(c->y, &m, "name"), "name", md->name, NULL);
    }
    if (lw_ymap_enum(c->y, &m, "priority", "priority", priority_names, LW_ARRAY_LEN(priority_names),
                     0, &e) == 1)
        md->priority = (lw_priority) e;
    rc = lw_ymap_decimal(c->y, &m, "sla_target", 3, "a number of seconds", &md->sla_target_ms);
    if (rc == 0)
        lw_ymap_require(c->y, &m, "sla_target", NULL);
    else if (rc == 1 && (md->sla_target_ms == 0 || md->sla_target_ms > MAX_MODEL_MS))
        ERR(c, lw_ymap_get(c->y, &m, "sla_target"), "'sla_target' must be more than 0 seconds "
            "and at most %d", MAX_MODEL_MS / 1000);

    if (lw_ymap_str(c->y, &m, "base_url", &md->base_url) == 1) {
        v = lw_ymap_get(c->y, &m, "base_url");
        if (lw_ymap_url(c->y, v, "base_url", md->base_url, lw_config_http_schemes, 0) == 0) {
            md->base_url = lw_config_strip_slashes(c, md->base_url);
            if (md->base_url != NULL && ends_with_api_version(md->base_url))
                WARN(c, v, "base_url '%.80s' ends with an API version: llmwatch appends "
                     "/v1/... (or /v1beta/...) itself, so give the server root", md->base_url);
        }
    } else if (have_provider && md->provider == LW_PROVIDER_OPENAI_COMPATIBLE) {
        if (lw_ymap_get(c->y, &m, "base_url") == NULL)
            ERR(c, m.node, "openai-compatible model '%s' needs 'base_url' (e.g. "
                "http://127.0.0.1:8000)", md->name ? md->name : "?");
    } else if (have_provider) {
        md->base_url = provider_defaults[md->provider].base_url;
    }
    if (lw_ymap_str(c->y, &m, "api_key_env", &md->api_key_env) == 1) {
        if (!lw_env_name_ok(md->api_key_env, strlen(md->api_key_env)))
            ERR(c, lw_ymap_get(c->y, &m, "api_key_env"), "'api_key_env' must be the name of an "
                "environment variable (letters, digits, _), not '%.60s'", md->api_key_env);
    } else if (have_provider) {
        md->api_key_env = provider_defaults[md->provider].api_key_env;
    }
    if (lw_ymap_str(c->y, &m, "environment", &md->environment) <= 0)
        md->environment = c->cfg->environment;
    else
        lw_config_check_environment(c, lw_ymap_get(c->y, &m, "environment"), md->environment);
    lw_ymap_bool(c->y, &m, "enabled", &md->enabled);
    lw_ymap_bool(c->y, &m, "status_page", &md->status_page);
    if (lw_ymap_int(c->y, &m, "max_concurrency", 1, 1024, &i64) == 1)
        md->max_concurrency = (int) i64;
    if (lw_ymap_duration(c->y, &m, "timeout", &md->timeout) == 1
        && (md->timeout == 0 || md->timeout > MAX_MODEL_MS / 1000))
        ERR(c, lw_ymap_get(c->y, &m, "timeout"), "'timeout' must be more than 0 seconds and at "
            "most %d", MAX_MODEL_MS / 1000);
    lw_ymap_str(c->y, &m, "suite", &md->suite);

    if ((v = lw_ymap_get(c->y, &m, "prices")) != NULL) {
        parse_prices(c, v, md);
    } else if (md->model != NULL) {
        if (lw_prices_builtin(md->model, &md->price_input_micros,
                                     &md->price_output_micros) == LW_OK)
            md->prices_source = LW_PRICES_BUILTIN;
        else
            WARN(c, m.node, "no known price for model '%s': its costs will be recorded as $0 "
                 "(add 'prices: {input: X, output: Y}' in dollars per million tokens)",
                 md->model);
    }

    first = lw_config_find_named(entries, index, sizeof(*md), md->name);
    if (first != NULL)
        ERR(c, lw_ymap_name_node(c->y, &m, "name", "model"), "duplicate model name '%s' (first "
            "at line %d); give each model its own 'name'", md->name, first->line);
}

static void
parse_models(struct ctx *c, const lw_ymap *mon)
{
    yaml_node_t *seq = lw_ymap_seq(c->y, mon, "models", "- provider: ...");

    if (seq == NULL) {
        if (lw_ymap_is_null(lw_ymap_node(c->y, mon, "models")))
            lw_ymap_require(c->y, mon, "models", NULL);
        return;
    }
    if (lw_ymap_seq_len(seq) == 0)
        ERR(c, seq, "'models' is empty: there is nothing to monitor");
    c->cfg->models = lw_config_parse_model_list(c, seq, &c->cfg->n_models);
}

lw_config_model *
lw_config_parse_model_list(struct ctx *c, yaml_node_t *seq, size_t *n)
{
    return lw_config_parse_list(c, seq, sizeof(lw_config_model), parse_model, n);
}

/* ---- schedule ---- */

static const char *const job_keys[] = { "frequency", "timeout", "enabled", "suite" };

static void
set_job_defaults(struct ctx *c)
{
    lw_err err;
    int i;

    for (i = 0; i < LW_JOB_COUNT; i++) {
        lw_config_job *j = &c->cfg->jobs[i];

        j->name = job_defaults[i].name;
        j->frequency = job_defaults[i].frequency;
        j->timeout = job_defaults[i].timeout;
        j->enabled = true;
        if (lw_sched_parse(j->frequency, &j->sched, &err) != LW_OK)
            c->y->oom = 1; /* cannot happen: the defaults are known good */
    }
}

static void
parse_job(struct ctx *c, yaml_node_t *n, lw_config_job *j)
{
    lw_ymap m;
    yaml_node_t *v;
    lw_err err;
    lw_sched s;
    char cal[128];
    const char *f;

    lw_ymap_pos(n, &j->line, &j->col);
    j->configured = true;
    if (lw_ymap_open(c->y, n, j->name, job_keys, LW_ARRAY_LEN(job_keys), &m) < 0)
        return;
    if (lw_ymap_str(c->y, &m, "frequency", &f) == 1) {
        v = lw_ymap_get(c->y, &m, "frequency");
        if (lw_sched_parse(f, &s, &err) != LW_OK) {
            ERR(c, v, "bad frequency for %s: %s", j->name, err.msg);
        } else {
            j->frequency = f;
            j->sched = s;
            if (lw_sched_to_oncalendar(&s, cal, sizeof(cal)) == LW_ENOTFOUND)
                WARN(c, v, "frequency '%s' has no exact systemd OnCalendar form; prefer an "
                     "interval that divides a minute, an hour or a day", f);
        }
    } else {
        lw_ymap_require(c->y, &m, "frequency", NULL);
    }
    if (lw_ymap_duration(c->y, &m, "timeout", &j->timeout) == 1 && j->timeout == 0)
        ERR(c, lw_ymap_get(c->y, &m, "timeout"), "'timeout' must be more than 0 seconds");
    lw_ymap_bool(c->y, &m, "enabled", &j->enabled);
    lw_ymap_str(c->y, &m, "suite", &j->suite);
}

static void
parse_schedule(struct ctx *c, const lw_ymap *mon)
{
    const char *names[LW_JOB_COUNT];
    lw_ymap m;
    yaml_node_t *v;
    int i;

    for (i = 0; i < LW_JOB_COUNT; i++)
        names[i] = job_defaults[i].name;
    if (lw_ymap_open(c->y, lw_ymap_get(c->y, mon, "schedule"), "schedule", names, LW_JOB_COUNT,
                     &m) < 0)
        return;
    for (i = 0; i < LW_JOB_COUNT; i++) {
        if ((v = lw_ymap_get(c->y, &m, names[i])) != NULL) {
            parse_job(c, v, &c->cfg->jobs[i]);
            c->cfg->n_schedules++;
        }
    }
}

/* ---- the top level ---- */

static const char *const root_keys[] = { "monitoring" };
static const char *const monitoring_keys[] = {
    "environment", "models", "schedule", "alerts", "probe", "budgets", "environments",
};
static const char *const alerts_keys[] = { "channels", "rules", "routing" };
static const char *const probe_keys[] = { "suite" };

static void
parse_root(struct ctx *c, yaml_node_t *root)
{
    lw_ymap rm, mon, alerts, probe;
    yaml_node_t *v;
    const char *env;

    c->cfg->environment = "production";
    c->cfg->probe_suite = "quick";
    set_job_defaults(c);
    if (lw_ymap_open(c->y, root, "the top level", root_keys, LW_ARRAY_LEN(root_keys), &rm) < 0)
        return;
    v = lw_ymap_get(c->y, &rm, "monitoring");
    if (v == NULL) {
        lw_ymap_require(c->y, &rm, "monitoring", NULL);
        return;
    }
    if (lw_ymap_open(c->y, v, "monitoring", monitoring_keys, LW_ARRAY_LEN(monitoring_keys),
                     &mon) < 0)
        return;
    if (lw_ymap_str(c->y, &mon, "environment", &env) == 1) {
        lw_config_check_environment(c, lw_ymap_get(c->y, &mon, "environment"), env);
        c->cfg->environment = env;
    }
    parse_models(c, &mon);
    lw_config_parse_environments(c, &mon);
    if (lw_ymap_get(c->y, &mon, "schedule") != NULL)
        parse_schedule(c, &mon);
    v = lw_ymap_get(c->y, &mon, "alerts");
    if (v != NULL && lw_ymap_open(c->y, v, "alerts", alerts_keys, LW_ARRAY_LEN(alerts_keys),
                                  &alerts) == 0) {
        lw_config_parse_alerts(c, &alerts);
    }
    lw_config_parse_budgets(c, &mon);
    v = lw_ymap_get(c->y, &mon, "probe");
    if (v != NULL && lw_ymap_open(c->y, v, "probe", probe_keys, LW_ARRAY_LEN(probe_keys),
                                  &probe) == 0)
        lw_ymap_str(c->y, &probe, "suite", &c->cfg->probe_suite);
}

/* The lw_ymap_parse_fn of monitoring_config.yaml. */
static void
parse_config(lw_ymap_doc *y, yaml_node_t *root, void *obj)
{
    struct ctx c;

    c.y = y;
    c.cfg = obj;
    c.cfg->pool = y->pool;
    c.cfg->path = lw_pool_strdup(y->pool, y->file);
    parse_root(&c, root);
}

int
lw_config_load_string(const char *name, const char *text, size_t len, lw_config **out,
                      lw_diag *diags)
{
    void *cfg;
    int rc = lw_ymap_load_new(name, text, len, "'monitoring:' with at least 'models:'",
                              sizeof(**out), parse_config, diags, &cfg);

    *out = cfg;
    return rc;
}

int
lw_config_load(const char *path, lw_config **out, lw_diag *diags)
{
    FILE *fp;
    lw_buf b = { 0 };
    char chunk[8192];
    size_t n;
    int rc = LW_OK;

    *out = NULL;
    fp = fopen(path, "rb");
    if (fp == NULL) {
        lw_diag_add(diags, LW_DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return LW_EIO;
    }
    while (rc == LW_OK && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        rc = lw_buf_append(&b, chunk, n);
    if (rc != LW_OK)
        goto cleanup;
    if (ferror(fp)) {
        lw_diag_add(diags, LW_DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
        rc = LW_EIO;
        goto cleanup;
    }
    rc = lw_config_load_string(path, b.data ? b.data : "", b.len, out, diags);

cleanup:
    fclose(fp);
    lw_buf_free(&b);
    return rc;
}

void
lw_config_free(lw_config *cfg)
{
    if (cfg != NULL)
        lw_pool_destroy(cfg->pool);
}

const char *
lw_config_path(const char *explicit_path, int required)
{
    const char *env = getenv("LLMWATCH_CONFIG");

    if (explicit_path != NULL && explicit_path[0] != '\0')
        return explicit_path;
    if (env != NULL && env[0] != '\0')
        return env;
    if (required || access(LW_CONFIG_DEFAULT_FILE, R_OK) == 0)
        return LW_CONFIG_DEFAULT_FILE;
    return NULL;
}

lw_config *
lw_config_load_report(const char *path, const char *prog, int warnings)
{
    lw_config *cfg = NULL;
    lw_diag diags;

    lw_diag_init(&diags);
    if (lw_config_load(path, &cfg, &diags) != LW_OK) {
        lw_diag_print(&diags, stderr);
        fprintf(stderr, "%s: %s has errors\n", prog, path);
        cfg = NULL;
    } else if (warnings) {
        lw_diag_print(&diags, stderr);
    }
    lw_diag_free(&diags);
    return cfg;
}

const void *
lw_config_find_named(const void *v, size_t n, size_t size, const char *name)
{
    const char *p = v;
    size_t i;

    for (i = 0; i < n; i++, p += size)
        if (name != NULL && lw_streq(*(const char *const *) (const void *) p, name))
            return p;
    return NULL;
}

const lw_config_model *
lw_config_find_model(const lw_config *cfg, const char *name)
{
    return cfg ? lw_config_find_named(cfg->models, cfg->n_models, sizeof(*cfg->models), name)
               : NULL;
}

const lw_config_channel *
lw_config_find_channel(const lw_config *cfg, const char *name)
{
    return cfg ? lw_config_find_named(cfg->channels, cfg->n_channels, sizeof(*cfg->channels), name)
               : NULL;
}

const lw_config_rule *
lw_config_find_rule(const lw_config *cfg, const char *name)
{
    return cfg ? lw_config_find_named(cfg->rules, cfg->n_rules, sizeof(*cfg->rules), name) : NULL;
}
