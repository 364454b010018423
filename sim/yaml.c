/* yaml.c: libyaml document helpers for the simulator's scenario and suite
 * files; every error names file:line:col. */
#include "sim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int
lw_sim_yaml_load(lw_sim_yaml *y, const char *path, lw_err *err)
{
    yaml_parser_t parser;
    FILE *f;
    int rc = LW_OK;

    memset(y, 0, sizeof(*y));
    f = fopen(path, "rb");
    if (f == NULL) {
        lw_err_set(err, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? LW_ENOTFOUND : LW_EIO;
    }
    y->path = lw_strdup(path);
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        lw_err_set(err, "%s: cannot initialise the YAML parser", path);
        return LW_ENOMEM;
    }
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &y->doc)) {
        lw_err_set(err, "%s:%zu:%zu: %s%s%s", path,
                   parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                   parser.problem != NULL ? parser.problem : "YAML error",
                   parser.context != NULL ? " " : "",
                   parser.context != NULL ? parser.context : "");
        rc = LW_EINVAL;
    } else {
        y->loaded = 1;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

void
lw_sim_yaml_free(lw_sim_yaml *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = 0;
    free(y->path);
    y->path = NULL;
}

yaml_node_t *
lw_sim_yaml_root(lw_sim_yaml *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *
lw_sim_yaml_get(lw_sim_yaml *y, int id)
{
    return yaml_document_get_node(&y->doc, id);
}

const char *
lw_sim_yaml_scalar(const yaml_node_t *n)
{
    if (n == NULL || n->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *) n->data.scalar.value;
}

yaml_node_t *
lw_sim_yaml_lookup(lw_sim_yaml *y, yaml_node_t *map, const char *key)
{
    yaml_node_pair_t *p;

    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *k = lw_sim_yaml_scalar(lw_sim_yaml_get(y, p->key));

        if (k != NULL && strcmp(k, key) == 0)
            return lw_sim_yaml_get(y, p->value);
    }
    return NULL;
}

void
lw_sim_yaml_error(lw_err *err, const lw_sim_yaml *y, const yaml_node_t *n,
                  const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n != NULL)
        lw_err_set(err, "%s:%zu:%zu: %s", y->path, n->start_mark.line + 1,
                   n->start_mark.column + 1, msg);
    else
        lw_err_set(err, "%s: %s", y->path, msg);
}

int
lw_sim_yaml_str(lw_sim_yaml *y, yaml_node_t *n, const char **out, lw_err *err)
{
    const char *s = lw_sim_yaml_scalar(n);

    if (s == NULL) {
        lw_sim_yaml_error(err, y, n, "expected a string");
        return LW_EINVAL;
    }
    *out = s;
    return LW_OK;
}

int
lw_sim_yaml_num(lw_sim_yaml *y, yaml_node_t *n, double *out, lw_err *err)
{
    const char *s = lw_sim_yaml_scalar(n);
    char *end;
    double v;

    if (s == NULL || *s == '\0') {
        lw_sim_yaml_error(err, y, n, "expected a number");
        return LW_EINVAL;
    }
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v)) {
        lw_sim_yaml_error(err, y, n, "expected a number, got \"%s\"", s);
        return LW_EINVAL;
    }
    *out = v;
    return LW_OK;
}

int
lw_sim_yaml_int(lw_sim_yaml *y, yaml_node_t *n, long *out, lw_err *err)
{
    const char *s = lw_sim_yaml_scalar(n);
    char *end;
    long v;

    if (s == NULL || *s == '\0') {
        lw_sim_yaml_error(err, y, n, "expected an integer");
        return LW_EINVAL;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        lw_sim_yaml_error(err, y, n, "expected an integer, got \"%s\"", s);
        return LW_EINVAL;
    }
    *out = v;
    return LW_OK;
}

int
lw_sim_yaml_bool(lw_sim_yaml *y, yaml_node_t *n, int *out, lw_err *err)
{
    static const char *yes[] = { "true", "yes", "on" };
    static const char *no[] = { "false", "no", "off" };
    const char *s = lw_sim_yaml_scalar(n);
    size_t i;

    for (i = 0; s != NULL && i < LW_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return LW_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return LW_OK;
        }
    }
    lw_sim_yaml_error(err, y, n, "expected true or false");
    return LW_EINVAL;
}
