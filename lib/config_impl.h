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

/* URL schemes of HTTP endpoints (NULL-terminated). */
extern const char *const lw_config_http_schemes[];

/* url without its trailing slashes (pool memory; NULL and oom set when out
 * of memory). */
const char *lw_config_strip_slashes(struct ctx *c, const char *url);

/* Reads the `alerts:` mapping: channels, routing, rules (config_alerts.c;
 * models must be read first, rules are scoped to them). */
void lw_config_parse_alerts(struct ctx *c, const lw_ymap *alerts);

#endif
