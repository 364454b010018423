/* config_costs.c: the parts of monitoring_config.yaml about money and
 * environments: `budgets:` (spending budgets with their alert tiers) and
 * `environments:` (one file of models per environment, loaded side by
 * side with this file's own). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_impl.h"

/* What budgets.amount_usd (numeric(14,6)) holds. */
#define MAX_BUDGET_MICROS INT64_C(99999999999999)

static const char *const period_names[LW_BUDGET_PERIOD_COUNT] = { "daily", "weekly", "monthly" };

LW_CONFIG_ENUM_FUNCS(budget_period, lw_budget_period, period_names)

int
lw_config_time_zone_ok(const char *tz)
{
    const char *dir = getenv("TZDIR");
    char path[512];
    struct stat st;
    size_t i;

    if (tz == NULL || tz[0] == '\0' || strlen(tz) > 64)
        return 0;
    if (strcmp(tz, "UTC") == 0)
        return 1;
    /* a name of the tz database, never a path out of it */
    for (i = 0; tz[i]; i++)
        if (!(tz[i] == '/' || tz[i] == '_' || tz[i] == '-' || tz[i] == '+'
              || (tz[i] >= 'a' && tz[i] <= 'z') || (tz[i] >= 'A' && tz[i] <= 'Z')
              || (tz[i] >= '0' && tz[i] <= '9')))
            return 0;
    if (tz[0] == '/' || strstr(tz, "..") != NULL)
        return 0;
    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- budgets ---- */

static const char *const budget_keys[] = {
    "name", "period", "amount", "alert_at", "model", "provider", "environment", "time_zone",
    "enabled",
};

static void
parse_tiers(struct ctx *c, const lw_ymap *m, lw_config_budget *b)
{
    lw_strlist l = { NULL, 0 };
    yaml_node_t **nodes = NULL;
    int64_t v;
    size_t i;
    char *end;

    b->n_tiers = 3;
    b->tiers[0] = 80;
    b->tiers[1] = 90;
    b->tiers[2] = 100;
    if (lw_ymap_list(c->y, m, "alert_at", &l, &nodes) != 1)
        return;
    if (l.n > LW_BUDGET_MAX_TIERS) {
        ERR(c, lw_ymap_get(c->y, m, "alert_at"), "'alert_at' has %zu tiers; a budget has at "
            "most %d", l.n, LW_BUDGET_MAX_TIERS);
        return;
    }
    b->n_tiers = 0;
    for (i = 0; i < l.n; i++) {
        errno = 0;
        v = strtoll(l.v[i], &end, 10);
        if (errno != 0 || end == l.v[i] || *end != '\0' || v < 1 || v > 1000) {
            ERR(c, nodes[i], "'alert_at' takes percents of the budget (1 to 1000), not '%.40s'",
                l.v[i]);
            continue;
        }
        if (b->n_tiers > 0 && v <= b->tiers[b->n_tiers - 1]) {
            ERR(c, nodes[i], "'alert_at' must go up: %lld after %d", (long long) v,
                b->tiers[b->n_tiers - 1]);
            continue;
        }
        b->tiers[b->n_tiers++] = (int) v;
    }
}

static void
parse_budget(struct ctx *c, yaml_node_t *n, void *entries, size_t index)
{
    lw_config_budget *b = (lw_config_budget *) entries + index;
    const lw_config_budget *first;
    yaml_node_t *v;
    lw_ymap m;
    int e, rc;

    b->provider = -1;
    b->enabled = true;
    b->time_zone = "UTC";
    if (lw_ymap_open_entry(c->y, n, "budget", budget_keys, LW_ARRAY_LEN(budget_keys), &b->line,
                           &b->col, &m) < 0)
        return;
    rc = LW_CONFIG_ENUM_REQUIRED(c, &m, "period", "period", period_names, &e);
    if (rc == 1)
        b->period = (lw_budget_period) e;
    if (lw_ymap_str(c->y, &m, "name", &b->name) <= 0) {
        /* the seed's --daily-budget makes "the daily budget" */
        b->name = rc == 1 ? period_names[b->period] : NULL;
    }
    lw_config_check_name(c, lw_ymap_name_node(c->y, &m, "name", "period"), "name", b->name, NULL);
    rc = lw_ymap_decimal(c->y, &m, "amount", 6, "an amount of dollars", &b->amount_micros);
    if (rc == 0)
        lw_ymap_require(c->y, &m, "amount", NULL);
    else if (rc == 1 && (b->amount_micros <= 0 || b->amount_micros > MAX_BUDGET_MICROS))
        ERR(c, lw_ymap_get(c->y, &m, "amount"), "'amount' must be more than 0 and less than "
            "100000000 dollars");
    parse_tiers(c, &m, b);
    if (lw_ymap_str(c->y, &m, "model", &b->model) == 1
        && lw_config_find_model(c->cfg, b->model) == NULL)
        WARN(c, lw_ymap_get(c->y, &m, "model"), "budget '%s': no model of this configuration is "
             "called '%s' (it counts that model's spend once one is)", b->name ? b->name : "?",
             b->model);
    if (lw_ymap_enum(c->y, &m, "provider", "provider", lw_config_provider_names,
                     LW_ARRAY_LEN(lw_config_provider_names), 0, &e) == 1)
        b->provider = e;
    if (lw_ymap_str(c->y, &m, "environment", &b->environment) == 1)
        lw_config_check_environment(c, lw_ymap_get(c->y, &m, "environment"), b->environment);
    if (lw_ymap_str(c->y, &m, "time_zone", &b->time_zone) == 1
        && !lw_config_time_zone_ok(b->time_zone)) {
        ERR(c, lw_ymap_get(c->y, &m, "time_zone"), "'time_zone' must be UTC or a name of the tz "
            "database (e.g. Europe/Paris), not '%.60s'", b->time_zone);
    } else if (b->time_zone == NULL) {
        b->time_zone = "UTC";
    }
    lw_ymap_bool(c->y, &m, "enabled", &b->enabled);
    if (b->name == NULL)
        return;
    first = lw_config_find_named(entries, index, sizeof(*b), b->name);
    if (first != NULL && (v = lw_ymap_name_node(c->y, &m, "name", "period")) != NULL)
        ERR(c, v, "duplicate budget name '%s' (first at line %d); give each budget its own "
            "'name'", b->name, first->line);
}

void
lw_config_parse_budgets(struct ctx *c, const lw_ymap *mon)
{
    yaml_node_t *seq = lw_ymap_seq(c->y, mon, "budgets",
                                   "- {period: daily, amount: 150, alert_at: [80, 90, 100]}");

    if (seq != NULL)
        c->cfg->budgets = lw_config_parse_list(c, seq, sizeof(lw_config_budget), parse_budget,
                                               &c->cfg->n_budgets);
}

/* ---- environments: one file of models each ---- */

static const char *const env_root_keys[] = { "monitoring" };
static const char *const env_monitoring_keys[] = {
    "environment", "models", "schedule", "alerts", "probe", "budgets", "environments",
};

/* The file's text (pool memory), or NULL after reporting why at n. */
static char *
read_file(struct ctx *c, yaml_node_t *n, const char *path, size_t *len)
{
    lw_buf b = { 0 };
    char chunk[8192], *s = NULL;
    size_t k;
    FILE *fp = fopen(path, "rb");

    if (fp == NULL) {
        ERR(c, n, "cannot open environment file %s: %s", path, strerror(errno));
        return NULL;
    }
    while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0 && b.len <= LW_YMAP_MAX_BYTES)
        if (lw_buf_append(&b, chunk, k) != LW_OK)
            c->y->oom = 1;
    if (ferror(fp))
        ERR(c, n, "cannot read environment file %s: %s", path, strerror(errno));
    else if (!c->y->oom)
        s = lw_pool_strndup(c->y->pool, b.data ? b.data : "", b.len);
    *len = b.len;
    fclose(fp);
    lw_buf_free(&b);
    return s;
}

/* The models of one environment's file, appended to the configuration's
 * (only its models are read: alerts, schedules and budgets are this
 * file's business). */
static void
load_env_file(struct ctx *c, yaml_node_t *at, lw_config_env_file *ef)
{
    lw_ymap_doc y;
    struct ctx c2;
    lw_ymap rm, mon;
    yaml_node_t *root, *seq, *v;
    lw_config_model *models, *all;
    const char *own = c->cfg->environment, *env, *text;
    size_t len = 0, n = 0, i;

    text = read_file(c, at, ef->path, &len);
    if (text == NULL)
        return;
    if (lw_ymap_load(&y, ef->path, text, len, c->y->pool, c->y->diag,
                     "'monitoring:' with 'models:'", &root) != LW_OK)
        goto cleanup;
    c2.y = &y;
    c2.cfg = c->cfg;
    if (lw_ymap_open(&y, root, "the top level", env_root_keys, LW_ARRAY_LEN(env_root_keys),
                     &rm) < 0
        || lw_ymap_open(&y, lw_ymap_get(&y, &rm, "monitoring"), "monitoring",
                        env_monitoring_keys, LW_ARRAY_LEN(env_monitoring_keys), &mon) < 0)
        goto cleanup;
    if (lw_ymap_str(&y, &mon, "environment", &env) == 1 && strcmp(env, ef->name) != 0)
        LW_YMAP_ERR(&y, lw_ymap_get(&y, &mon, "environment"), "this file holds the models of "
                    "environment '%s' (%s:%d), not '%.60s'", ef->name, c->cfg->path, ef->line, env);
    for (i = 2; i < LW_ARRAY_LEN(env_monitoring_keys); i++)
        if ((v = lw_ymap_key_node(&y, &mon, env_monitoring_keys[i])) != NULL)
            LW_YMAP_WARN(&y, v, "'%s' is ignored in an environment file: only its models are "
                         "read (the rest comes from %s)", env_monitoring_keys[i], c->cfg->path);
    seq = lw_ymap_seq(&y, &mon, "models", "- provider: ...");
    if (seq == NULL) {
        lw_ymap_require(&y, &mon, "models", NULL);
        goto cleanup;
    }
    /* the file's models are in its environment unless they say otherwise,
     * and they may not */
    c->cfg->environment = ef->name;
    models = lw_config_parse_model_list(&c2, seq, &n);
    c->cfg->environment = own;
    for (i = 0; models != NULL && i < n; i++)
        if (models[i].environment != NULL && strcmp(models[i].environment, ef->name) != 0)
            LW_YMAP_ERR(&y, lw_ymap_seq_item(&y, seq, i), "model '%s' of the file of environment "
                        "'%s' names environment '%s'", models[i].name ? models[i].name : "?",
                        ef->name, models[i].environment);
    if (models == NULL || n == 0)
        goto cleanup;
    all = lw_ymap_alloc(c->y, (c->cfg->n_models + n) * sizeof(*all));
    if (all == NULL)
        goto cleanup;
    if (c->cfg->n_models > 0)
        memcpy(all, c->cfg->models, c->cfg->n_models * sizeof(*all));
    memcpy(all + c->cfg->n_models, models, n * sizeof(*all));
    c->cfg->models = all;
    c->cfg->n_models += n;
    ef->n_models = n;
cleanup:
    if (y.oom)
        c->y->oom = 1;
    lw_ymap_close(&y);
}

void
lw_config_parse_environments(struct ctx *c, const lw_ymap *mon)
{
    yaml_node_t *map = lw_ymap_get(c->y, mon, "environments"), *k, *v;
    const char *dir_end, *name, *file;
    yaml_node_pair_t *pair;
    lw_config_env_file *ef;
    size_t i, n;

    if (map == NULL)
        return;
    if (map->type != YAML_MAPPING_NODE) {
        ERR(c, map, "'environments' must be a mapping of environment names to files of models "
            "(e.g. staging: staging.yaml)");
        return;
    }
    n = (size_t) (map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    c->cfg->env_files = n > 0 ? lw_ymap_alloc(c->y, n * sizeof(*ef)) : NULL;
    dir_end = c->cfg->path ? strrchr(c->cfg->path, '/') : NULL;
    for (i = 0; c->cfg->env_files != NULL && i < n; i++) {
        pair = map->data.mapping.pairs.start + i;
        k = lw_ymap_node_at(c->y, pair->key);
        v = lw_ymap_node_at(c->y, pair->value);
        name = k != NULL ? lw_ymap_scalar(c->y, k, "environments") : NULL;
        if (name == NULL || lw_ymap_want_scalar(c->y, v, name, "a file name") < 0
            || (file = lw_ymap_scalar(c->y, v, name)) == NULL || file[0] == '\0') {
            ERR(c, v ? v : k, "each environment names its file of models (staging: staging.yaml)");
            continue;
        }
        lw_config_check_environment(c, k, name);
        if (strcmp(name, c->cfg->environment) == 0) {
            ERR(c, k, "'%s' is this file's own environment: its models are the ones above", name);
            continue;
        }
        if (lw_config_find_named(c->cfg->env_files, c->cfg->n_env_files, sizeof(*ef), name)) {
            ERR(c, k, "environment '%s' is listed twice", name);
            continue;
        }
        ef = &c->cfg->env_files[c->cfg->n_env_files++];
        ef->name = name;
        ef->path = file[0] == '/' || dir_end == NULL ? file
                   : lw_pool_printf(c->y->pool, "%.*s/%s", (int) (dir_end - c->cfg->path),
                                    c->cfg->path, file);
        lw_ymap_pos(k, &ef->line, &ef->col);
        if (ef->path == NULL)
            c->y->oom = 1;
        else
            load_env_file(c, v, ef);
    }
}
