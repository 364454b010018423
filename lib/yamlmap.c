/* yamlmap.c: a YAML document read whole with positions (see yamlmap.h):
 * loading, nodes, mappings against their known keys (with suggestions
 * for typos), lists. The typed getters are yamlmap_values.c. */
#include "yamlmap.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void
lw_ymap_report(lw_ymap_doc *c, lw_diag_level level, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    lw_diag_addv(c->diag, level, c->file, n ? (int) n->start_mark.line + 1 : 0,
                 n ? (int) n->start_mark.column + 1 : 0, fmt, ap);
    va_end(ap);
}

/* ---- names ---- */

int
lw_ymap_index(const char *s, const char *const *names, size_t n, int nocase)
{
    size_t i;

    for (i = 0; s != NULL && i < n; i++)
        if (nocase ? strcasecmp(s, names[i]) == 0 : strcmp(s, names[i]) == 0)
            return (int) i;
    return -1;
}

/* ---- nodes ---- */

yaml_node_t *
lw_ymap_node_at(lw_ymap_doc *c, int id)
{
    return yaml_document_get_node(&c->doc, id);
}

const char *
lw_ymap_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:   return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE:  return "a mapping";
    default:                 return "nothing";
    }
}

const char *
lw_ymap_raw(const yaml_node_t *n)
{
    return (const char *) n->data.scalar.value;
}

int
lw_ymap_is_null(const yaml_node_t *n)
{
    const char *s;

    if (n == NULL)
        return 1;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    s = lw_ymap_raw(n);
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
}

void *
lw_ymap_alloc(lw_ymap_doc *c, size_t n)
{
    void *p = lw_pool_alloc(c->pool, n);

    if (p == NULL)
        c->oom = 1;
    return p;
}

const char *
lw_ymap_strdup(lw_ymap_doc *c, const char *s)
{
    char *p = lw_pool_strdup(c->pool, s);

    if (p == NULL && s != NULL)
        c->oom = 1;
    return p;
}

/* The scalar's text with the environment expanded (cached per node); NULL
 * for a null or a non-scalar. `key` names the setting in messages. */
const char *
lw_ymap_scalar(lw_ymap_doc *c, yaml_node_t *n, const char *key)
{
    size_t id;
    lw_buf out = { 0 }, unset = { 0 };
    lw_err err;

    if (n == NULL || n->type != YAML_SCALAR_NODE || lw_ymap_is_null(n))
        return NULL;
    id = (size_t) (n - c->doc.nodes.start);
    if (id < c->nnodes && c->expanded[id] != NULL)
        return c->expanded[id];
    lw_err_clear(&err);
    if (lw_env_expand(lw_ymap_raw(n), &out, &unset, 0, &err) != LW_OK) {
        LW_YMAP_ERR(c, n, "'%s': %s", key, err.msg);
        lw_buf_reset(&out);
        lw_buf_puts(&out, "");
    } else if (out.len > LW_YMAP_MAX_SCALAR || !lw_utf8_valid(out.data ? out.data : "", out.len)) {
        /* the environment's bytes go to the database as text */
        LW_YMAP_ERR(c, n, "'%s': the value from the environment is %s", key,
                    out.len > LW_YMAP_MAX_SCALAR ? "too long" : "not valid UTF-8");
        lw_buf_reset(&out);
        lw_buf_puts(&out, "");
    } else if (unset.len) {
        LW_YMAP_WARN(c, n, "environment variable %s is not set and has no default; '%s' is empty",
                     unset.data, key);
    }
    if (id < c->nnodes)
        c->expanded[id] = lw_ymap_strdup(c, out.data);
    lw_buf_free(&out);
    lw_buf_free(&unset);
    return id < c->nnodes ? c->expanded[id] : "";
}

/* Optimal string alignment distance (a swap of two letters counts 1). */
static size_t
edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j, cost, v;
    size_t d[40][40];

    if (la >= 40 || lb >= 40)
        return 99;
    for (i = 0; i <= la; i++)
        d[i][0] = i;
    for (j = 0; j <= lb; j++)
        d[0][j] = j;
    for (i = 1; i <= la; i++) {
        for (j = 1; j <= lb; j++) {
            cost = tolower((unsigned char) a[i - 1]) != tolower((unsigned char) b[j - 1]);
            v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

/* Index of the closest name, or -1 when none is close enough to be a typo. */
int
lw_ymap_suggest(const char *s, const char *const *names, size_t n)
{
    size_t i, d, best_d = 99, limit;
    int best = -1;

    for (i = 0; i < n; i++) {
        if (names[i][0] == '\0')
            continue;
        d = edit_distance(s, names[i]);
        limit = strlen(names[i]) / 3;
        if (limit < 1)
            limit = 1;
        if (d <= limit && d < best_d) {
            best_d = d;
            best = (int) i;
        }
    }
    return best;
}

void
lw_ymap_append_names(lw_buf *b, const char *const *names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        lw_buf_printf(b, "%s%s", i ? ", " : "", names[i]);
}

/* ---- mappings ---- */

/* Opens a mapping: checks it is one, reports unknown keys (with a
 * suggestion), duplicate keys and non-scalar keys. Returns 0, or -1 when the
 * node is not a mapping (reported). */
int
lw_ymap_open(lw_ymap_doc *c, yaml_node_t *n, const char *what, const char *const *keys,
             size_t nkeys, lw_ymap *m)
{
    yaml_node_pair_t *p, *q;
    yaml_node_t *k, *k2;
    lw_buf list = { 0 };
    int s;

    memset(m, 0, sizeof(*m));
    m->what = what;
    m->keys = keys;
    m->nkeys = nkeys;
    if (n == NULL || n->type != YAML_MAPPING_NODE) {
        if (n != NULL)
            LW_YMAP_ERR(c, n, "%s must be a mapping (key: value lines), not %s", what,
                        lw_ymap_kind(n));
        return -1;
    }
    m->node = n;
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        k = lw_ymap_node_at(c, p->key);
        if (k->type != YAML_SCALAR_NODE) {
            LW_YMAP_ERR(c, k, "keys in %s must be plain names, not %s", what, lw_ymap_kind(k));
            continue;
        }
        for (q = n->data.mapping.pairs.start; q < p; q++) {
            k2 = lw_ymap_node_at(c, q->key);
            if (k2->type == YAML_SCALAR_NODE && strcmp(lw_ymap_raw(k2), lw_ymap_raw(k)) == 0) {
                LW_YMAP_ERR(c, k, "duplicate key '%s' in %s (first at line %d)", lw_ymap_raw(k),
                            what, (int) k2->start_mark.line + 1);
                break;
            }
        }
        if (lw_ymap_index(lw_ymap_raw(k), keys, nkeys, 0) >= 0)
            continue;
        s = lw_ymap_suggest(lw_ymap_raw(k), keys, nkeys);
        if (s >= 0) {
            m->suggested |= UINT64_C(1) << s;
            LW_YMAP_ERR(c, k, "unknown key '%s' in %s (did you mean '%s'?)", lw_ymap_raw(k), what,
                        keys[s]);
        } else {
            lw_buf_reset(&list);
            lw_ymap_append_names(&list, keys, nkeys);
            LW_YMAP_ERR(c, k, "unknown key '%s' in %s (known keys: %s)", lw_ymap_raw(k), what,
                        list.data ? list.data : "");
        }
    }
    lw_buf_free(&list);
    return 0;
}

int
lw_ymap_open_entry(lw_ymap_doc *c, yaml_node_t *n, const char *what, const char *const *keys,
                   size_t nkeys, int *line, int *col, lw_ymap *m)
{
    if (n != NULL && n->type == YAML_MAPPING_NODE)
        lw_ymap_pos(n, line, col);
    return lw_ymap_open(c, n, what, keys, nkeys, m);
}

/* The value node of `key` (first occurrence), NULL when absent. */
yaml_node_t *
lw_ymap_node(lw_ymap_doc *c, const lw_ymap *m, const char *key)
{
    yaml_node_pair_t *p;
    yaml_node_t *k;

    if (m->node == NULL)
        return NULL;
    for (p = m->node->data.mapping.pairs.start; p < m->node->data.mapping.pairs.top; p++) {
        k = lw_ymap_node_at(c, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp(lw_ymap_raw(k), key) == 0)
            return lw_ymap_node_at(c, p->value);
    }
    return NULL;
}

/* The key node of `key`, for messages about the key itself. */
yaml_node_t *
lw_ymap_key_node(lw_ymap_doc *c, const lw_ymap *m, const char *key)
{
    yaml_node_pair_t *p;
    yaml_node_t *k;

    for (p = m->node->data.mapping.pairs.start; p < m->node->data.mapping.pairs.top; p++) {
        k = lw_ymap_node_at(c, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp(lw_ymap_raw(k), key) == 0)
            return k;
    }
    return NULL;
}

/* Value node unless absent or null. */
yaml_node_t *
lw_ymap_get(lw_ymap_doc *c, const lw_ymap *m, const char *key)
{
    yaml_node_t *v = lw_ymap_node(c, m, key);

    return lw_ymap_is_null(v) ? NULL : v;
}

/* Reports a required key that is missing (or set to nothing), unless an
 * unknown key was already taken for a misspelling of it. */
void
lw_ymap_require(lw_ymap_doc *c, const lw_ymap *m, const char *key, const char *label)
{
    int i = lw_ymap_index(key, m->keys, m->nkeys, 0);
    yaml_node_t *v;

    if (m->node == NULL || (i >= 0 && (m->suggested & (UINT64_C(1) << i))))
        return;
    v = lw_ymap_node(c, m, key);
    if (v != NULL)
        LW_YMAP_ERR(c, v, "'%s' in %s%s%s must have a value", key, m->what, label ? " " : "",
                    label ? label : "");
    else
        LW_YMAP_ERR(c, m->node, "%s%s%s is missing required key '%s'", m->what, label ? " " : "",
                    label ? label : "", key);
}

void
lw_ymap_check_kinds(lw_ymap_doc *c, const lw_ymap *m, const unsigned *kinds, int kind,
                    lw_diag_level level, const char *fmt, const char *kind_name)
{
    yaml_node_pair_t *p;
    yaml_node_t *k;
    int i;

    for (p = m->node->data.mapping.pairs.start; p < m->node->data.mapping.pairs.top; p++) {
        k = lw_ymap_node_at(c, p->key);
        if (k->type != YAML_SCALAR_NODE)
            continue;
        i = lw_ymap_index(lw_ymap_raw(k), m->keys, m->nkeys, 0);
        if (i >= 0 && !(kinds[i] & (1u << kind)))
            lw_ymap_report(c, level, k, fmt, lw_ymap_raw(k), kind_name);
    }
}

int
lw_ymap_was_suggested(const lw_ymap *m, const char *key)
{
    int i = lw_ymap_index(key, m->keys, m->nkeys, 0);

    return i >= 0 && (m->suggested & (UINT64_C(1) << i));
}

/* ---- lists and positions ---- */

size_t
lw_ymap_seq_len(const yaml_node_t *n)
{
    return (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *
lw_ymap_seq_item(lw_ymap_doc *c, const yaml_node_t *n, size_t i)
{
    return lw_ymap_node_at(c, n->data.sequence.items.start[i]);
}

/* Sections that are lists: NULL (absent, reported when not a list). */
yaml_node_t *
lw_ymap_seq(lw_ymap_doc *c, const lw_ymap *m, const char *key, const char *example)
{
    yaml_node_t *v = lw_ymap_get(c, m, key);

    if (v == NULL)
        return NULL;
    if (v->type != YAML_SEQUENCE_NODE) {
        LW_YMAP_ERR(c, v, "'%s' must be a list (%s), not %s", key, example, lw_ymap_kind(v));
        return NULL;
    }
    return v;
}

void
lw_ymap_pos(const yaml_node_t *n, int *line, int *col)
{
    *line = (int) n->start_mark.line + 1;
    *col = (int) n->start_mark.column + 1;
}

/* Node to point at for a name that defaulted from another key. */
yaml_node_t *
lw_ymap_name_node(lw_ymap_doc *c, const lw_ymap *m, const char *key, const char *fallback)
{
    yaml_node_t *v = lw_ymap_get(c, m, key);

    if (v == NULL && fallback)
        v = lw_ymap_get(c, m, fallback);
    return v ? v : m->node;
}

/* ---- the document ---- */

static void
yaml_error(lw_ymap_doc *c, yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "unknown error";
    yaml_mark_t mk = p->problem_mark;

    if (p->error == YAML_MEMORY_ERROR) {
        c->oom = 1;
        return;
    }
    if (p->context != NULL)
        lw_diag_add(c->diag, LW_DIAG_ERROR, c->file, (int) mk.line + 1, (int) mk.column + 1,
                    "YAML syntax error: %s (%s at line %d, column %d)", problem, p->context,
                    (int) p->context_mark.line + 1, (int) p->context_mark.column + 1);
    else
        lw_diag_add(c->diag, LW_DIAG_ERROR, c->file, (int) mk.line + 1, (int) mk.column + 1,
                    "YAML syntax error: %s", problem);
}

/* One event of the pass that checks the document's shape before it is
 * built: depth, sizes, NUL. 0, or -1 when a limit is passed (reported). */
struct shape {
    int          depth;
    size_t       items[LW_YMAP_MAX_DEPTH + 1];    /* events in it: 2 per pair */
    size_t       limit[LW_YMAP_MAX_DEPTH + 1];
    yaml_mark_t  start[LW_YMAP_MAX_DEPTH + 1];
};

#define SHAPE_ERR(c, mk, ...) lw_diag_add((c)->diag, LW_DIAG_ERROR, (c)->file, \
                                          (int) (mk)->line + 1, (int) (mk)->column + 1, __VA_ARGS__)

static int
shape_event(lw_ymap_doc *c, struct shape *sh, const yaml_event_t *ev)
{
    int d = sh->depth;

    if (ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT) {
        sh->depth--;
        return 0;
    }
    if (ev->type != YAML_SCALAR_EVENT && ev->type != YAML_ALIAS_EVENT
        && ev->type != YAML_SEQUENCE_START_EVENT && ev->type != YAML_MAPPING_START_EVENT)
        return 0;
    if (d > 0 && ++sh->items[d] > sh->limit[d]) {
        SHAPE_ERR(c, &sh->start[d], "this list or mapping has more than %d entries",
                  LW_YMAP_MAX_ITEMS);
        return -1;
    }
    if (ev->type == YAML_SCALAR_EVENT) {
        if (ev->data.scalar.length > LW_YMAP_MAX_SCALAR) {
            SHAPE_ERR(c, &ev->start_mark, "this value is longer than %d bytes (%zu)",
                      LW_YMAP_MAX_SCALAR, ev->data.scalar.length);
            return -1;
        }
        if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL) {
            SHAPE_ERR(c, &ev->start_mark, "this value holds a NUL character (\\0)");
            return -1;
        }
        return 0;
    }
    if (ev->type == YAML_ALIAS_EVENT)
        return 0;
    if (d + 1 > LW_YMAP_MAX_DEPTH) {
        SHAPE_ERR(c, &ev->start_mark, "lists and mappings are nested more than %d levels deep "
                  "here", LW_YMAP_MAX_DEPTH);
        return -1;
    }
    sh->depth = d + 1;
    sh->items[d + 1] = 0;
    /* a mapping's pairs are two events each */
    sh->limit[d + 1] = (size_t) LW_YMAP_MAX_ITEMS * (ev->type == YAML_MAPPING_START_EVENT ? 2 : 1);
    sh->start[d + 1] = ev->start_mark;
    return 0;
}

/* The shape of the whole stream, event by event, stopping at the first
 * excess: libyaml builds a document (and some of its work grows with the
 * depth for every token) before anything could be checked on it. */
static int
check_shape(lw_ymap_doc *c, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    struct shape sh;
    int rc = 0, end = 0;

    if (len > LW_YMAP_MAX_BYTES) {
        lw_diag_add(c->diag, LW_DIAG_ERROR, c->file, 1, 1, "the file is larger than %d bytes "
                    "(%zu): a configuration is a few kilobytes", LW_YMAP_MAX_BYTES, len);
        return -1;
    }
    if (!yaml_parser_initialize(&parser)) {
        c->oom = 1;
        return -1;
    }
    memset(&sh, 0, sizeof(sh));
    yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
    while (rc == 0 && !end) {
        if (!yaml_parser_parse(&parser, &ev)) {
            yaml_error(c, &parser);
            rc = -1;
            break;
        }
        end = ev.type == YAML_STREAM_END_EVENT;
        rc = shape_event(c, &sh, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

int
lw_ymap_load(lw_ymap_doc *d, const char *name, const char *text, size_t len, lw_pool *pool,
             lw_diag *diag, const char *expected, yaml_node_t **root)
{
    yaml_parser_t parser;
    yaml_document_t extra;
    yaml_node_t *second;
    int rc = LW_EINVAL;

    memset(d, 0, sizeof(*d));
    d->pool = pool;
    d->diag = diag;
    d->file = name;
    *root = NULL;
    if (check_shape(d, text, len) != 0)
        return d->oom ? LW_ENOMEM : LW_EINVAL;
    if (!yaml_parser_initialize(&parser))
        return LW_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
    if (!yaml_parser_load(&parser, &d->doc)) {
        yaml_error(d, &parser);
        goto cleanup;
    }
    d->have_doc = 1;
    *root = yaml_document_get_root_node(&d->doc);
    if (*root == NULL) {
        lw_diag_add(diag, LW_DIAG_ERROR, name, 1, 1, "the file is empty: expected %s", expected);
        goto cleanup;
    }
    /* a second document ("---") would be silently ignored: refuse it */
    if (!yaml_parser_load(&parser, &extra)) {
        yaml_error(d, &parser);
    } else {
        second = yaml_document_get_root_node(&extra);
        if (second != NULL)
            lw_diag_add(diag, LW_DIAG_ERROR, name, (int) second->start_mark.line + 1,
                        (int) second->start_mark.column + 1, "only one YAML document is "
                        "allowed ('---' starts another)");
        yaml_document_delete(&extra);
    }
    d->nnodes = (size_t) (d->doc.nodes.top - d->doc.nodes.start);
    d->expanded = lw_ymap_alloc(d, (d->nnodes + 1) * sizeof(*d->expanded));
    rc = LW_OK;
cleanup:
    yaml_parser_delete(&parser);
    return d->oom ? LW_ENOMEM : rc;
}

void
lw_ymap_close(lw_ymap_doc *d)
{
    if (d->have_doc)
        yaml_document_delete(&d->doc);
    d->have_doc = 0;
}

int
lw_ymap_load_new(const char *name, const char *text, size_t len, const char *expected,
                 size_t size, lw_ymap_parse_fn parse, lw_diag *diags, void **out)
{
    lw_ymap_doc y;
    yaml_node_t *root;
    lw_pool *p = lw_pool_create();
    void *obj = p ? lw_pool_alloc(p, size) : NULL;
    int rc, errors0 = diags->errors;
    size_t n0 = diags->n;

    *out = NULL;
    if (obj == NULL) {
        lw_pool_destroy(p);
        return LW_ENOMEM;
    }
    rc = lw_ymap_load(&y, name, text, len, p, diags, expected, &root);
    if (rc == LW_OK) {
        parse(&y, root, obj);
        if (y.oom)
            rc = LW_ENOMEM;
        else if (diags->errors > errors0)
            rc = LW_EINVAL;
    }
    lw_ymap_close(&y);
    lw_diag_sort_from(diags, n0);
    if (rc != LW_OK) {
        lw_pool_destroy(p);
        return rc;
    }
    *out = obj;
    return LW_OK;
}
