/* config_impl.h: what config.c and config_alerts.c share while reading
 * monitoring_config.yaml; not for use elsewhere. */
#ifndef LW_CONFIG_IMPL_H
#define LW_CONFIG_IMPL_H

#include "config.h"
#include "yamlmap.h"

/* One load: the document being read and the config being filled. */
struct ctx {
    lw_ymap_doc *y;
    lw_config   *cfg;
};

#define ERR(c, n, ...)  LW_YMAP_ERR((c)->y, (n), __VA_ARGS__)
#define WARN(c, n, ...) LW_YMAP_WARN((c)->y, (n), __VA_ARGS__)

/* An enum's name from its table, "?" when out of range. */
#define LW_CONFIG_ENUM_NAME(tab, v) ((unsigned) (v) < LW_ARRAY_LEN(tab) ? tab[(v)] : "?")
/* An enum's value from its name (exact), -1 when unknown. */
#define LW_CONFIG_ENUM_PARSE(tab, s) lw_ymap_index((s), (tab), LW_ARRAY_LEN(tab), 0)
/* Defines lw_config_<what>_name and lw_config_<what>_parse (config.h) over
 * the names table tab: every enum of the config reads and prints alike. */
#define LW_CONFIG_ENUM_FUNCS(what, type, tab)       \
    const char *                                    \
    lw_config_##what##_name(type v)                 \
    {                                               \
        return LW_CONFIG_ENUM_NAME(tab, v);         \
    }                                               \
    int                                             \
    lw_config_##what##_parse(const char *s)         \
    {                                               \
        return LW_CONFIG_ENUM_PARSE(tab, s);        \
    }

/* The names of the config's enums, in enum order (config.c). */
extern const char *const lw_config_provider_names[LW_PROVIDER_COUNT];
extern const char *const lw_config_severity_names[LW_SEV_COUNT];
extern const char *const lw_config_channel_type_names[LW_CHANNEL_COUNT];
extern const char *const lw_config_rule_kind_names[LW_RULE_KIND_COUNT];
extern const char *const lw_config_operator_names[2];

/* URL schemes of HTTP endpoints (NULL-terminated). */
extern const char *const lw_config_http_schemes[];

/* Names become keys in the database (models, environments, channels and
 * rules are found by name): at most this many bytes. */
#define LW_CONFIG_MAX_NAME 200

/* Reports s (the value of key, at node n) when it is longer than
 * LW_CONFIG_MAX_NAME; `why` says what it names when it came from another
 * key (NULL otherwise). 0 or -1. */
int lw_config_check_name(struct ctx *c, yaml_node_t *n, const char *key, const char *s,
                         const char *why);

/* Reports env (the value at node v) unless it is a valid environment
 * name: letters, digits, '_', '.' and '-', at most LW_CONFIG_MAX_NAME. */
void lw_config_check_environment(struct ctx *c, yaml_node_t *v, const char *env);

/* The value of a required key of entry m, one of the names table tab (its
 * index in *out): as lw_ymap_enum (exact), with a missing key reported. */
#define LW_CONFIG_ENUM_REQUIRED(c, m, key, what, tab, out) \
    lw_config_enum_required((c), (m), (key), (what), (tab), LW_ARRAY_LEN(tab), (out))
int lw_config_enum_required(struct ctx *c, const lw_ymap *m, const char *key, const char *what,
                            const char *const *names, size_t n, int *out);

/* url without its trailing slashes (pool memory; NULL and oom set when out
 * of memory). */
const char *lw_config_strip_slashes(struct ctx *c, const char *url);

/* The first of n entries of `size` bytes each that is called `name`, when
 * the entries begin with their name (lw_config_model, _channel and _rule
 * do); NULL when none is or name is NULL. Borrowed. */
const void *lw_config_find_named(const void *v, size_t n, size_t size, const char *name);

/* Reads entry `index` of a list into entries (an array of them). */
typedef void (*lw_config_entry_fn)(struct ctx *c, yaml_node_t *n, void *entries, size_t index);
/* Reads every entry of the list seq (NULL: none) into a new array of
 * entries of `size` bytes (pool memory), counting them in *count as they
 * are read; NULL when the list is empty or memory ran out. */
void *lw_config_parse_list(struct ctx *c, yaml_node_t *seq, size_t size,
                           lw_config_entry_fn parse, size_t *count);

/* The models of a list (a file's `models:`) into a new array (pool
 * memory), each defaulting to c->cfg->environment (config.c). */
lw_config_model *lw_config_parse_model_list(struct ctx *c, yaml_node_t *seq, size_t *n);

/* `environments:` (files of models loaded side by side, read after this
 * file's models) and `budgets:` (after the models of every file):
 * config_costs.c. */
void lw_config_parse_environments(struct ctx *c, const lw_ymap *mon);
void lw_config_parse_budgets(struct ctx *c, const lw_ymap *mon);

/* Reads the `alerts:` mapping: channels, routing, rules (config_alerts.c;
 * models must be read first, rules are scoped to them). */
void lw_config_parse_alerts(struct ctx *c, const lw_ymap *alerts);

#endif
