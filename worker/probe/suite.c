/* suite.c: loads a YAML test suite (cases with a prompt, a scorer and the
 * answer a correct model gives) into an lw_suite. Unknown keys and wrong
 * types are errors with file:line:column. */
#include "probe/probe.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define SUITE_MAX_BYTES (1024 * 1024)
#define SUITE_MAX_CASES 1000

typedef struct {
    yaml_document_t *doc;
    const char      *file;
    lw_err          *err;
} ld;

static int
fail(ld *l, yaml_node_t *n, const char *fmt, ...) LW_PRINTF(3, 4);

static int
fail(ld *l, yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n)
        lw_err_set(l->err, "%s:%zu:%zu: %s", l->file, n->start_mark.line + 1,
                   n->start_mark.column + 1, msg);
    else
        lw_err_set(l->err, "%s: %s", l->file, msg);
    return LW_EINVAL;
}

static const char *
scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *) n->data.scalar.value : NULL;
}

static int
get_string(ld *l, yaml_node_t *n, const char *key, char **out)
{
    const char *s = scalar(n);

    if (s == NULL)
        return fail(l, n, "%s must be a string", key);
    free(*out);
    *out = lw_strdup(s);
    return LW_OK;
}

static int
get_bool(ld *l, yaml_node_t *n, const char *key, int *out)
{
    const char *s = scalar(n);

    if (s && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0))
        *out = 1;
    else if (s && (strcmp(s, "false") == 0 || strcmp(s, "no") == 0))
        *out = 0;
    else
        return fail(l, n, "%s must be true or false", key);
    return LW_OK;
}

static int
get_double(ld *l, yaml_node_t *n, const char *key, double *out)
{
    const char *s = scalar(n);
    char *end;

    errno = 0;
    if (s == NULL || *s == '\0' || (*out = strtod(s, &end), *end != '\0') || errno)
        return fail(l, n, "%s must be a number", key);
    return LW_OK;
}

static int
get_int(ld *l, yaml_node_t *n, const char *key, long lo, long hi, int *out)
{
    const char *s = scalar(n);
    char *end;
    long v;

    errno = 0;
    v = s && *s ? strtol(s, &end, 10) : 0;
    if (s == NULL || *s == '\0' || *end != '\0' || errno || v < lo || v > hi)
        return fail(l, n, "%s must be an integer from %ld to %ld", key, lo, hi);
    *out = (int) v;
    return LW_OK;
}

static int
get_string_list(ld *l, yaml_node_t *n, const char *key, char ***out, size_t *nout)
{
    yaml_node_item_t *it;
    yaml_node_t *item;
    size_t k = 0, cnt;

    if (n->type != YAML_SEQUENCE_NODE)
        return fail(l, n, "%s must be a list of strings", key);
    cnt = (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
    if (cnt == 0)
        return fail(l, n, "%s must not be empty", key);
    *out = calloc(cnt, sizeof(char *));
    if (*out == NULL)
        return fail(l, n, "out of memory");
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        item = yaml_document_get_node(l->doc, *it);
        if (scalar(item) == NULL) {
            *nout = k;
            return fail(l, item, "%s must be a list of strings", key);
        }
        (*out)[k++] = lw_strdup(scalar(item));
    }
    *nout = k;
    return LW_OK;
}

/* YAML allows nothing twice in a mapping; libyaml does not check. */
static int
dup_key(ld *l, yaml_node_t *map, yaml_node_pair_t *pr)
{
    yaml_node_pair_t *q;
    yaml_node_t *k = yaml_document_get_node(l->doc, pr->key);

    for (q = map->data.mapping.pairs.start; q < pr; q++)
        if (lw_streq(scalar(yaml_document_get_node(l->doc, q->key)), scalar(k)))
            return fail(l, k, "duplicate key %s", scalar(k));
    return LW_OK;
}

static int
load_scorer(ld *l, yaml_node_t *n, lw_scorer *sc)
{
    yaml_node_pair_t *pr;
    yaml_node_t *k, *v, *type_node = NULL;
    lw_err perr;
    const char *key;
    int rc, t;

    if (n->type != YAML_MAPPING_NODE)
        return fail(l, n, "scorer must be a mapping");
    for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        k = yaml_document_get_node(l->doc, pr->key);
        v = yaml_document_get_node(l->doc, pr->value);
        key = scalar(k);
        if (key == NULL)
            return fail(l, k, "keys must be strings");
        if ((rc = dup_key(l, n, pr)) != LW_OK)
            return rc;
        if (strcmp(key, "type") == 0) {
            t = lw_scorer_type_parse(scalar(v));
            if (t < 0)
                return fail(l, v, "unknown scorer type (exact, contains, regex, json_valid, "
                                  "json_path, numeric, one_of)");
            sc->type = (lw_scorer_type) t;
            type_node = v;
            rc = LW_OK;
        } else if (strcmp(key, "value") == 0) {
            rc = get_string(l, v, key, &sc->value);
        } else if (strcmp(key, "values") == 0) {
            rc = get_string_list(l, v, key, &sc->values, &sc->n_values);
        } else if (strcmp(key, "pattern") == 0) {
            rc = get_string(l, v, key, &sc->pattern);
        } else if (strcmp(key, "path") == 0) {
            rc = get_string(l, v, key, &sc->path);
        } else if (strcmp(key, "equals") == 0) {
            rc = get_string(l, v, key, &sc->equals);
        } else if (strcmp(key, "tolerance") == 0) {
            rc = get_double(l, v, key, &sc->tolerance);
        } else if (strcmp(key, "case_insensitive") == 0) {
            rc = get_bool(l, v, key, &sc->case_insensitive);
        } else {
            return fail(l, k, "unknown scorer key %s", key);
        }
        if (rc != LW_OK)
            return rc;
    }
    if (type_node == NULL)
        return fail(l, n, "scorer needs a type");
    if (lw_scorer_prepare(sc, &perr) != LW_OK)
        return fail(l, n, "%s", perr.msg);
    return LW_OK;
}

static int
load_case(ld *l, yaml_node_t *n, lw_suite_case *c)
{
    yaml_node_pair_t *pr;
    yaml_node_t *k, *v, *scorer = NULL;
    const char *key;
    int rc;

    c->line = (int) n->start_mark.line + 1;
    c->max_tokens = 256;
    if (n->type != YAML_MAPPING_NODE)
        return fail(l, n, "a case must be a mapping");
    for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        k = yaml_document_get_node(l->doc, pr->key);
        v = yaml_document_get_node(l->doc, pr->value);
        key = scalar(k);
        if (key == NULL)
            return fail(l, k, "keys must be strings");
        if ((rc = dup_key(l, n, pr)) != LW_OK)
            return rc;
        if (strcmp(key, "id") == 0)
            rc = get_string(l, v, key, &c->id);
        else if (strcmp(key, "prompt") == 0)
            rc = get_string(l, v, key, &c->prompt);
        else if (strcmp(key, "reference_answer") == 0)
            rc = get_string(l, v, key, &c->reference_answer);
        else if (strcmp(key, "max_tokens") == 0)
            rc = get_int(l, v, key, 1, 1000000, &c->max_tokens);
        else if (strcmp(key, "long_output") == 0)
            rc = get_bool(l, v, key, &c->long_output);
        else if (strcmp(key, "scorer") == 0) {
            scorer = v;
            rc = load_scorer(l, v, &c->scorer);
        } else
            return fail(l, k, "unknown case key %s", key);
        if (rc != LW_OK)
            return rc;
    }
    if (c->id == NULL || c->id[0] == '\0')
        return fail(l, n, "case needs an id");
    if (c->prompt == NULL || c->prompt[0] == '\0')
        return fail(l, n, "case %s needs a prompt", c->id);
    if (scorer == NULL)
        return fail(l, n, "case %s needs a scorer", c->id);
    if (c->reference_answer == NULL)
        return fail(l, n, "case %s needs a reference_answer", c->id);
    return LW_OK;
}

static int
load_doc(ld *l, yaml_node_t *root, lw_suite *s)
{
    yaml_node_pair_t *pr;
    yaml_node_item_t *it;
    yaml_node_t *k, *v, *cases = NULL;
    const char *key;
    size_t i, j, cnt;
    int rc;

    if (root == NULL)
        return fail(l, NULL, "empty file");
    if (root->type != YAML_MAPPING_NODE)
        return fail(l, root, "a suite must be a mapping with name, description and cases");
    for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
        k = yaml_document_get_node(l->doc, pr->key);
        v = yaml_document_get_node(l->doc, pr->value);
        key = scalar(k);
        if (key == NULL)
            return fail(l, k, "keys must be strings");
        if ((rc = dup_key(l, root, pr)) != LW_OK)
            return rc;
        if (strcmp(key, "name") == 0)
            rc = get_string(l, v, key, &s->name);
        else if (strcmp(key, "description") == 0)
            rc = get_string(l, v, key, &s->description);
        else if (strcmp(key, "cases") == 0) {
            if (v->type != YAML_SEQUENCE_NODE)
                return fail(l, v, "cases must be a list");
            cases = v;
            rc = LW_OK;
        } else
            return fail(l, k, "unknown key %s (name, description, cases)", key);
        if (rc != LW_OK)
            return rc;
    }
    if (s->name == NULL || s->name[0] == '\0')
        return fail(l, root, "suite needs a name");
    if (cases == NULL)
        return fail(l, root, "suite needs cases");
    cnt = (size_t) (cases->data.sequence.items.top - cases->data.sequence.items.start);
    if (cnt == 0)
        return fail(l, cases, "cases must not be empty");
    if (cnt > SUITE_MAX_CASES)
        return fail(l, cases, "more than %d cases", SUITE_MAX_CASES);
    s->cases = calloc(cnt, sizeof(*s->cases));
    if (s->cases == NULL)
        return fail(l, cases, "out of memory");
    for (it = cases->data.sequence.items.start; it < cases->data.sequence.items.top; it++) {
        v = yaml_document_get_node(l->doc, *it);
        rc = load_case(l, v, &s->cases[s->n_cases]);
        s->n_cases++;
        if (rc != LW_OK)
            return rc;
        for (j = 0, i = s->n_cases - 1; j < i; j++)
            if (strcmp(s->cases[j].id, s->cases[i].id) == 0)
                return fail(l, v, "duplicate case id %s (first at line %d)", s->cases[i].id,
                            s->cases[j].line);
    }
    return LW_OK;
}

/* A bare name is letters, digits, '-' and '_' only: no path tricks. */
static int
bare_name(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char) *s) && *s != '-' && *s != '_')
            return 0;
    return 1;
}

static int
resolve(const char *name, char *out, size_t outsz, lw_err *err)
{
    const char *env = getenv("LLMWATCH_DATADIR");
    const char *dirs[2];
    struct stat sb;
    size_t i, nd = 0;

    if (!bare_name(name)) {
        lw_strlcpy(out, name, outsz);
        return LW_OK;
    }
    if (env && env[0]) {
        dirs[nd++] = env;
    } else {
        /* installed data first, then the source tree */
        dirs[nd++] = lw_datadir();
        dirs[nd++] = ".";
    }
    for (i = 0; i < nd; i++) {
        snprintf(out, outsz, "%s/worker/suites/%s.yaml", dirs[i], name);
        if (stat(out, &sb) == 0)
            return LW_OK;
    }
    if (nd == 1)
        lw_err_set(err, "suite %s: %s not found", name, out);
    else
        lw_err_set(err, "suite %s: neither %s/worker/suites/%s.yaml nor "
                   "./worker/suites/%s.yaml exists (set LLMWATCH_DATADIR)",
                   name, lw_datadir(), name, name);
    return LW_ENOTFOUND;
}

int
lw_suite_load(const char *path_or_name, lw_suite **out, lw_err *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    char path[4096];
    int parser_ok = 0, doc_ok = 0, rc;
    lw_suite *s = NULL;
    FILE *f = NULL;
    struct stat sb;
    ld l;

    *out = NULL;
    if (path_or_name == NULL || path_or_name[0] == '\0') {
        lw_err_set(err, "no suite given");
        return LW_EINVAL;
    }
    rc = resolve(path_or_name, path, sizeof(path), err);
    if (rc != LW_OK)
        return rc;
    l.file = path;
    l.err = err;
    l.doc = &doc;
    f = fopen(path, "rb");
    if (f == NULL) {
        lw_err_set(err, "%s: %s", path, strerror(errno));
        rc = errno == ENOENT ? LW_ENOTFOUND : LW_EIO;
        goto cleanup;
    }
    if (fstat(fileno(f), &sb) == 0 && sb.st_size > SUITE_MAX_BYTES) {
        lw_err_set(err, "%s: larger than %d bytes", path, SUITE_MAX_BYTES);
        rc = LW_EINVAL;
        goto cleanup;
    }
    if (!yaml_parser_initialize(&parser)) {
        lw_err_set(err, "out of memory");
        rc = LW_ENOMEM;
        goto cleanup;
    }
    parser_ok = 1;
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        lw_err_set(err, "%s:%zu:%zu: %s%s%s", path, parser.problem_mark.line + 1,
                   parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML error",
                   parser.context ? " " : "", parser.context ? parser.context : "");
        rc = LW_EINVAL;
        goto cleanup;
    }
    doc_ok = 1;
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        lw_err_set(err, "out of memory");
        rc = LW_ENOMEM;
        goto cleanup;
    }
    s->path = lw_strdup(path);
    rc = load_doc(&l, yaml_document_get_root_node(&doc), s);
    if (rc != LW_OK)
        goto cleanup;
    *out = s;
    s = NULL;

cleanup:
    lw_suite_free(s);
    if (doc_ok)
        yaml_document_delete(&doc);
    if (parser_ok)
        yaml_parser_delete(&parser);
    if (f)
        fclose(f);
    return rc;
}

void
lw_suite_free(lw_suite *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n_cases; i++) {
        free(s->cases[i].id);
        free(s->cases[i].prompt);
        free(s->cases[i].reference_answer);
        lw_scorer_free(&s->cases[i].scorer);
    }
    free(s->cases);
    free(s->name);
    free(s->description);
    free(s->path);
    free(s);
}
