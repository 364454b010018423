/* yaml.c: the simulator's YAML files (scenarios, suites), read through
 * lib/yamlmap.h (lw_ymap_*) as the configuration is: positions on every
 * node, problems collected in an lw_diag; the first one found becomes
 * the lw_err, as file:line:col: message. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YAML_MAX_BYTES (8 * 1024 * 1024)

int
lw_sim_yaml_load(lw_sim_yaml *y, const char *path, const char *expected, lw_err *err)
{
    lw_buf text = { 0 };
    int rc;

    memset(y, 0, sizeof(*y));
    lw_diag_init(&y->diag);
    if ((rc = lw_file_read(path, YAML_MAX_BYTES, &text, err)) != LW_OK) {
        lw_buf_free(&text);
        return rc;
    }
    if ((y->pool = lw_pool_create()) == NULL) {
        lw_buf_free(&text);
        return LW_ENOMEM;
    }
    y->path = lw_pool_strdup(y->pool, path);
    rc = lw_ymap_load(&y->doc, y->path, text.data ? text.data : "", text.len, y->pool, &y->diag,
                      expected, &y->root);
    y->loaded = 1;
    lw_buf_free(&text);
    if (rc != LW_OK) {
        y->root = NULL;
        return lw_sim_yaml_done(y, err) == LW_OK ? rc : LW_EINVAL;
    }
    return LW_OK;
}

int
lw_sim_yaml_done(lw_sim_yaml *y, lw_err *err)
{
    const lw_diag_entry *e;
    size_t i;

    if (y->doc.oom) {
        lw_err_set(err, "%s: out of memory", y->path);
        return LW_ENOMEM;
    }
    for (i = 0; i < y->diag.n; i++) {
        e = &y->diag.v[i];
        if (e->level != LW_DIAG_ERROR)
            continue;
        if (e->line > 0)
            lw_err_set(err, "%s:%d:%d: %s%s", y->path, e->line, e->col, e->msg,
                       y->diag.errors > 1 ? " (and more)" : "");
        else
            lw_err_set(err, "%s: %s", y->path, e->msg);
        return LW_EINVAL;
    }
    return LW_OK;
}

void
lw_sim_yaml_free(lw_sim_yaml *y)
{
    if (y->loaded)
        lw_ymap_close(&y->doc);
    lw_diag_free(&y->diag);
    lw_pool_destroy(y->pool);
    memset(y, 0, sizeof(*y));
}

yaml_node_t *
lw_sim_yaml_lookup(lw_sim_yaml *y, yaml_node_t *map, const char *key)
{
    yaml_node_pair_t *p;
    const char *k;

    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        k = lw_sim_yaml_scalar(lw_ymap_node_at(&y->doc, p->key));
        if (k != NULL && strcmp(k, key) == 0)
            return lw_ymap_node_at(&y->doc, p->value);
    }
    return NULL;
}

const char *
lw_sim_yaml_scalar(const yaml_node_t *n)
{
    return n != NULL && n->type == YAML_SCALAR_NODE ? lw_ymap_raw(n) : NULL;
}
