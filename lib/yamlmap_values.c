/* yamlmap_values.c: the typed getters of yamlmap.h (strings, numbers,
 * exact decimals, durations, booleans, names from a list, lists of
 * strings, URLs): one common part decides absent, empty or not a scalar,
 * a converter per type the rest. */
#include "yamlmap.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "money.h"
#include "schedule.h"

/* ---- typed values: 1 = set, 0 = absent or empty, -1 = error (reported) ---- */

int
lw_ymap_want_scalar(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *expected)
{
    if (v->type == YAML_SCALAR_NODE)
        return 0;
    LW_YMAP_ERR(c, v, "'%s' must be %s, not %s", key, expected, lw_ymap_kind(v));
    return -1;
}

/* The text of key's value: 1 with *s set, 0 when it is absent, null or
 * empty, -1 when it is not a scalar (reported: "must be <expected>").
 * *node gets the value node (NULL when absent). */
static int
value_text(lw_ymap_doc *c, const lw_ymap *m, const char *key, const char *expected,
           yaml_node_t **node, const char **s)
{
    yaml_node_t *v = lw_ymap_get(c, m, key);

    *node = v;
    if (v == NULL)
        return 0;
    if (lw_ymap_want_scalar(c, v, key, expected) < 0)
        return -1;
    *s = lw_ymap_scalar(c, v, key);
    return *s != NULL && (*s)[0] != '\0' ? 1 : 0;
}

/* A conversion of a value's text s (of key, at node v) into out: 1, or -1
 * when it is not one (reported). arg is the getter's extra argument. */
typedef int (*convert_fn)(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *s,
                          void *out, const void *arg);

/* The getters' common part: absent or empty is 0, a non-scalar -1. */
static int
get_value(lw_ymap_doc *c, const lw_ymap *m, const char *key, const char *expected,
          convert_fn convert, void *out, const void *arg, yaml_node_t **node)
{
    yaml_node_t *v;
    const char *s = NULL;
    int rc = value_text(c, m, key, expected, &v, &s);

    if (node != NULL)
        *node = v;
    return rc <= 0 ? rc : convert(c, v, key, s, out, arg);
}

static int
to_str(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *s, void *out,
       const void *arg)
{
    (void) c;
    (void) v;
    (void) key;
    (void) arg;
    *(const char **) out = s;
    return 1;
}

int
lw_ymap_str(lw_ymap_doc *c, const lw_ymap *m, const char *key, const char **out)
{
    return get_value(c, m, key, "a string", to_str, out, NULL, NULL);
}

/* arg: the int64_t range { min, max } */
static int
to_int(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *s, void *out,
       const void *arg)
{
    const int64_t *range = arg;
    char *end;
    long long n;

    errno = 0;
    n = isspace((unsigned char) *s) ? 0 : strtoll(s, &end, 10);
    if (isspace((unsigned char) *s) || errno != 0 || *end != '\0') {
        LW_YMAP_ERR(c, v, "'%s' must be a whole number, not '%.60s'", key, s);
        return -1;
    }
    if (n < range[0] || n > range[1]) {
        LW_YMAP_ERR(c, v, "'%s' must be between %lld and %lld, not %lld", key,
                    (long long) range[0], (long long) range[1], n);
        return -1;
    }
    *(int64_t *) out = n;
    return 1;
}

int
lw_ymap_int(lw_ymap_doc *c, const lw_ymap *m, const char *key, int64_t min, int64_t max,
            int64_t *out)
{
    const int64_t range[2] = { min, max };

    return get_value(c, m, key, "a whole number", to_int, out, range, NULL);
}

static int
to_double(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *s, void *out,
          const void *arg)
{
    char *end;
    double d;

    (void) arg;
    errno = 0;
    d = strtod(s, &end);
    if (errno != 0 || *end != '\0' || end == s || !isfinite(d) || isspace((unsigned char) *s)) {
        LW_YMAP_ERR(c, v, "'%s' must be a number, not '%.60s'", key, s);
        return -1;
    }
    *(double *) out = d;
    return 1;
}

int
lw_ymap_double(lw_ymap_doc *c, const lw_ymap *m, const char *key, double *out,
               yaml_node_t **node)
{
    return get_value(c, m, key, "a number", to_double, out, NULL, node);
}

struct decimal {
    int         scale;
    const char *expected;
};

static int
to_decimal(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *s, void *out,
           const void *arg)
{
    const struct decimal *d = arg;
    int64_t *n = out;

    if (lw_money_parse_scaled(s, d->scale, n) != LW_OK) {
        LW_YMAP_ERR(c, v, "'%s' must be %s (at most %d decimals), not '%.60s'", key,
                    d->expected, d->scale, s);
        return -1;
    }
    if (*n < 0) {
        LW_YMAP_ERR(c, v, "'%s' must not be negative", key);
        return -1;
    }
    return 1;
}

int
lw_ymap_decimal(lw_ymap_doc *c, const lw_ymap *m, const char *key, int scale,
                const char *expected, int64_t *out)
{
    const struct decimal d = { scale, expected };

    return get_value(c, m, key, expected, to_decimal, out, &d, NULL);
}

static int
to_duration(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *s, void *out,
            const void *arg)
{
    lw_err err;

    (void) arg;
    if (lw_duration_parse(s, out, &err) != LW_OK) {
        LW_YMAP_ERR(c, v, "'%s': %s", key, err.msg);
        return -1;
    }
    return 1;
}

int
lw_ymap_duration(lw_ymap_doc *c, const lw_ymap *m, const char *key, int64_t *out)
{
    return get_value(c, m, key, "a duration", to_duration, out, NULL, NULL);
}

static int
to_bool(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *s, void *out,
        const void *arg)
{
    static const char *const yes[] = { "true", "yes", "on" };
    static const char *const no[] = { "false", "no", "off" };

    (void) arg;
    if (lw_ymap_index(s, yes, LW_ARRAY_LEN(yes), 1) >= 0)
        *(bool *) out = true;
    else if (lw_ymap_index(s, no, LW_ARRAY_LEN(no), 1) >= 0)
        *(bool *) out = false;
    else {
        LW_YMAP_ERR(c, v, "'%s' must be true or false, not '%.60s'", key, s);
        return -1;
    }
    return 1;
}

int
lw_ymap_bool(lw_ymap_doc *c, const lw_ymap *m, const char *key, bool *out)
{
    return get_value(c, m, key, "true or false", to_bool, out, NULL, NULL);
}

/* Matches a scalar against names; reports with a suggestion. */
int
lw_ymap_node_enum(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *what,
                  const char *const *names, size_t n, int nocase, int *out)
{
    const char *s;
    lw_buf list = { 0 };
    int i;

    if (lw_ymap_want_scalar(c, v, key, "a name") < 0)
        return -1;
    s = lw_ymap_scalar(c, v, key);
    if (s == NULL)
        s = "";
    i = lw_ymap_index(s, names, n, nocase);
    if (i >= 0) {
        *out = i;
        return 1;
    }
    lw_ymap_append_names(&list, names, n);
    i = lw_ymap_suggest(s, names, n);
    if (i >= 0)
        LW_YMAP_ERR(c, v, "unknown %s '%.60s' (did you mean '%s'?)", what, s, names[i]);
    else
        LW_YMAP_ERR(c, v, "unknown %s '%.60s' (expected one of: %s)", what, s,
                    list.data ? list.data : "");
    lw_buf_free(&list);
    return -1;
}

int
lw_ymap_enum(lw_ymap_doc *c, const lw_ymap *m, const char *key, const char *what,
             const char *const *names, size_t n, int nocase, int *out)
{
    yaml_node_t *v = lw_ymap_get(c, m, key);

    if (v == NULL)
        return 0;
    return lw_ymap_node_enum(c, v, key, what, names, n, nocase, out);
}

/* A list of strings; a single scalar counts as a list of one. The nodes of
 * the items are returned in *nodes when asked (pool memory). */
int
lw_ymap_list(lw_ymap_doc *c, const lw_ymap *m, const char *key, lw_strlist *out,
             yaml_node_t ***nodes)
{
    yaml_node_t *v = lw_ymap_get(c, m, key), *it;
    size_t n, i = 0;
    int rc = 1;

    if (v == NULL)
        return 0;
    if (v->type == YAML_MAPPING_NODE) {
        LW_YMAP_ERR(c, v, "'%s' must be a list (e.g. [a, b]), not a mapping", key);
        return -1;
    }
    n = v->type == YAML_SEQUENCE_NODE
        ? (size_t) (v->data.sequence.items.top - v->data.sequence.items.start) : 1;
    out->v = lw_ymap_alloc(c, (n + 1) * sizeof(*out->v));
    if (nodes)
        *nodes = lw_ymap_alloc(c, (n + 1) * sizeof(**nodes));
    if (out->v == NULL || (nodes && *nodes == NULL))
        return -1;
    out->n = 0;
    for (i = 0; i < n; i++) {
        it = v->type == YAML_SEQUENCE_NODE
             ? lw_ymap_node_at(c, v->data.sequence.items.start[i]) : v;
        if (it->type != YAML_SCALAR_NODE) {
            LW_YMAP_ERR(c, it, "items of '%s' must be strings, not %s", key, lw_ymap_kind(it));
            rc = -1;
            continue;
        }
        if (lw_ymap_is_null(it))
            continue;
        if (nodes)
            (*nodes)[out->n] = it;
        out->v[out->n++] = lw_ymap_scalar(c, it, key);
    }
    return rc;
}

int
lw_ymap_url(lw_ymap_doc *c, yaml_node_t *v, const char *key, const char *url,
            const char *const *schemes, int secret)
{
    size_t i, n;

    if (url == NULL || url[0] == '\0')
        return 0;
    for (i = 0; schemes[i]; i++) {
        n = strlen(schemes[i]);
        if (strncasecmp(url, schemes[i], n) == 0 && url[n] != '\0')
            return 0;
    }
    if (secret)
        LW_YMAP_ERR(c, v, "'%s' must be a URL starting with %s (value not shown: it is a secret)",
                    key, schemes[0]);
    else
        LW_YMAP_ERR(c, v, "'%s' must be a URL starting with %s, not '%.80s'", key, schemes[0], url);
    return -1;
}
