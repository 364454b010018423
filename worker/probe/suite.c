/* suite.c: loads a YAML test suite (cases with a prompt, a scorer, the
 * answer a correct model gives, for tool-use cases the tools offered, and
 * custom scorers for the suite or a case) into an lw_suite, through lib/yamlmap.h. Unknown keys and wrong types
 * are errors with file:line:column. */
#include "probe/probe.h"

#include <ctype.h>
#include <json.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "usage.h"
#include "yamlmap.h"

#define SUITE_MAX_BYTES (1024 * 1024)
#define SUITE_MAX_CASES 1000
#define JSON_MAX_DEPTH  32

static const char *const suite_keys[] = { "name", "description", "custom_scorers", "cases" };
static const char *const case_keys[] = {
    "id", "prompt", "max_tokens", "long_output", "scorer", "reference_answer", "tools",
    "custom_scorers",
};
static const char *const custom_keys[] = { "name", "command", "timeout" };
static const char *const scorer_keys[] = {
    "type", "value", "values", "pattern", "path", "equals", "tolerance", "case_insensitive",
    "name", "arguments",
};

/* A string as written (a prompt may hold "${...}": suites are not
 * configuration, nothing is expanded). 1 set (*out caller-freed), 0
 * absent, -1 not a scalar (reported). */
static int
text(lw_ymap_doc *d, const lw_ymap *m, const char *key, char **out)
{
    yaml_node_t *v = lw_ymap_get(d, m, key);

    if (v == NULL)
        return 0;
    if (lw_ymap_want_scalar(d, v, key, "a string") < 0)
        return -1;
    free(*out);
    *out = lw_strdup(lw_ymap_raw(v));
    return 1;
}

/* A YAML value as JSON: mappings are objects, lists arrays; a plain
 * scalar is null, true, false or a number when it reads as one, else (and
 * when quoted) a string. NULL when out of memory or too deep (reported). */
static json_object *
node_json(lw_ymap_doc *d, yaml_node_t *n, int depth)
{
    yaml_node_pair_t *p;
    yaml_node_item_t *it;
    json_object *o, *v;
    const char *s;
    char *end;
    double num;

    if (depth > JSON_MAX_DEPTH) {
        LW_YMAP_ERR(d, n, "nested more than %d deep", JSON_MAX_DEPTH);
        return NULL;
    }
    switch (n->type) {
    case YAML_MAPPING_NODE:
        if ((o = json_object_new_object()) == NULL)
            return NULL;
        for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            if ((v = node_json(d, lw_ymap_node_at(d, p->value), depth + 1)) == NULL &&
                lw_ymap_node_at(d, p->value)->type != YAML_SCALAR_NODE) {
                json_object_put(o);
                return NULL;
            }
            json_object_object_add(o, lw_ymap_raw(lw_ymap_node_at(d, p->key)), v);
        }
        return o;
    case YAML_SEQUENCE_NODE:
        if ((o = json_object_new_array()) == NULL)
            return NULL;
        for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            v = node_json(d, lw_ymap_node_at(d, *it), depth + 1);
            if (v == NULL && lw_ymap_node_at(d, *it)->type != YAML_SCALAR_NODE) {
                json_object_put(o);
                return NULL;
            }
            json_object_array_add(o, v);
        }
        return o;
    default:
        s = lw_ymap_raw(n);
        if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
            return json_object_new_string(s);
        if (lw_ymap_is_null(n))
            return NULL;
        if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
            return json_object_new_boolean(s[0] == 't');
        num = strtod(s, &end);
        if (end != s && *end == '\0' && isfinite(num))
            return strchr(s, '.') || strpbrk(s, "eE") ? json_object_new_double(num)
                   : json_object_new_int64((int64_t) num);
        return json_object_new_string(s);
    }
}

/* The JSON text of key's value (caller frees), or NULL when absent. */
static int
json_text(lw_ymap_doc *d, const lw_ymap *m, const char *key, json_type want, char **out)
{
    yaml_node_t *v = lw_ymap_get(d, m, key);
    json_object *o;

    if (v == NULL)
        return 0;
    o = node_json(d, v, 0);
    if (o == NULL || !json_object_is_type(o, want)) {
        if (o != NULL || v->type == YAML_SCALAR_NODE)
            LW_YMAP_ERR(d, v, "'%s' must be %s", key, want == json_type_array ? "a list" : "a mapping");
        json_object_put(o);
        return -1;
    }
    *out = lw_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return 1;
}

/* A list of strings, at least one. */
static int
strings(lw_ymap_doc *d, const lw_ymap *m, const char *key, char ***out, size_t *nout)
{
    yaml_node_t *v = lw_ymap_get(d, m, key), *item;
    size_t i, cnt;

    if (v == NULL)
        return 0;
    if (v->type != YAML_SEQUENCE_NODE) {
        LW_YMAP_ERR(d, v, "'%s' must be a list of strings", key);
        return -1;
    }
    cnt = lw_ymap_seq_len(v);
    if (cnt == 0) {
        LW_YMAP_ERR(d, v, "%s must not be empty", key);
        return -1;
    }
    *out = calloc(cnt, sizeof(char *));
    if (*out == NULL) {
        d->oom = 1;
        return -1;
    }
    for (i = 0; i < cnt; i++) {
        item = lw_ymap_seq_item(d, v, i);
        if (lw_ymap_want_scalar(d, item, key, "a list of strings") < 0)
            return -1;
        (*out)[(*nout)++] = lw_strdup(lw_ymap_raw(item));
    }
    return 1;
}

static void
load_scorer(lw_ymap_doc *d, yaml_node_t *n, lw_scorer *sc)
{
    static const char *const types[] = {
        "exact", "contains", "regex", "json_valid", "json_path", "numeric", "one_of", "tool_call",
    };
    yaml_node_t *tol;
    lw_ymap m;
    lw_err perr;
    bool ci = false;
    int t = -1, errors = d->diag->errors;

    if (lw_ymap_open(d, n, "scorer", scorer_keys, LW_ARRAY_LEN(scorer_keys), &m) < 0)
        return;
    if (lw_ymap_enum(d, &m, "type", "scorer type", types, LW_ARRAY_LEN(types), 0, &t) == 0 &&
        !lw_ymap_was_suggested(&m, "type"))
        LW_YMAP_ERR(d, n, "scorer needs a type");
    text(d, &m, "value", &sc->value);
    strings(d, &m, "values", &sc->values, &sc->n_values);
    text(d, &m, "pattern", &sc->pattern);
    text(d, &m, "path", &sc->path);
    text(d, &m, "equals", &sc->equals);
    text(d, &m, "name", &sc->name);
    json_text(d, &m, "arguments", json_type_object, &sc->arguments);
    lw_ymap_double(d, &m, "tolerance", &sc->tolerance, &tol);
    if (lw_ymap_bool(d, &m, "case_insensitive", &ci) == 1)
        sc->case_insensitive = ci;
    if (t < 0 || d->diag->errors > errors)
        return;
    sc->type = (lw_scorer_type) t;
    if (lw_scorer_prepare(sc, &perr) != LW_OK)
        LW_YMAP_ERR(d, n, "%s", perr.msg);
}

/* `custom_scorers:` of a suite or a case: a list of {name, command (a list:
 * the program then its arguments, never a shell line), timeout}. */
static void
load_custom(lw_ymap_doc *d, const lw_ymap *parent, lw_custom_scorer **out, size_t *nout)
{
    yaml_node_t *list = lw_ymap_seq(d, parent, "custom_scorers",
                                    "- name: user_satisfaction\n  command: [./grade, --strict]");
    yaml_node_t *item, *cmd;
    lw_custom_scorer *cs;
    lw_ymap m;
    lw_strlist argv;
    const char *name;
    int64_t timeout;
    size_t i, j, cnt;

    if (list == NULL || (cnt = lw_ymap_seq_len(list)) == 0)
        return;
    if ((*out = calloc(cnt, sizeof(**out))) == NULL) {
        d->oom = 1;
        return;
    }
    for (i = 0; i < cnt; i++) {
        item = lw_ymap_seq_item(d, list, i);
        if (lw_ymap_open(d, item, "custom scorer", custom_keys, LW_ARRAY_LEN(custom_keys), &m) < 0)
            continue;
        name = NULL;
        memset(&argv, 0, sizeof(argv));
        timeout = 0;
        if (lw_ymap_str(d, &m, "name", &name) == 1 && !lw_usage_metric_name_ok(name))
            LW_YMAP_ERR(d, item, "custom scorer name '%s' must be a-z, 0-9 and _, from a letter, "
                        "at most 63", name);
        else if (name == NULL)
            LW_YMAP_ERR(d, item, "custom scorer needs a name (the metric it measures)");
        for (j = 0; name != NULL && j < *nout; j++)
            if (strcmp((*out)[j].name, name) == 0)
                LW_YMAP_ERR(d, item, "custom scorer %s is named twice", name);
        cmd = lw_ymap_get(d, &m, "command");
        if (cmd != NULL && cmd->type != YAML_SEQUENCE_NODE)
            LW_YMAP_ERR(d, cmd, "'command' must be a list: the program then its arguments "
                        "(no shell runs it), e.g. [python3, grade.py]");
        else if (cmd == NULL)
            LW_YMAP_ERR(d, item, "custom scorer needs a command");
        else if (lw_ymap_list(d, &m, "command", &argv, NULL) == 1 && argv.n == 0)
            LW_YMAP_ERR(d, cmd, "'command' must not be empty");
        if (lw_ymap_duration(d, &m, "timeout", &timeout) == 1 && (timeout < 1 || timeout > 600))
            LW_YMAP_ERR(d, item, "custom scorer timeout must be 1s to 10m");
        if (name == NULL || argv.n == 0)
            continue;
        cs = &(*out)[(*nout)++];
        cs->name = lw_strdup(name);
        cs->timeout_ms = timeout > 0 ? (long) timeout * 1000 : 0;
        cs->argv = calloc(argv.n + 1, sizeof(char *));
        if (cs->argv == NULL) {
            d->oom = 1;
            return;
        }
        for (j = 0; j < argv.n; j++)
            ((char **) cs->argv)[j] = lw_strdup(argv.v[j]);
    }
}

static void
free_custom(lw_custom_scorer *v, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        free((char *) v[i].name);
        for (j = 0; v[i].argv != NULL && v[i].argv[j] != NULL; j++)
            free(v[i].argv[j]);
        free((char **) v[i].argv);
    }
    free(v);
}

static void
load_case(lw_ymap_doc *d, yaml_node_t *n, lw_suite_case *c)
{
    yaml_node_t *scorer;
    lw_ymap m;
    int64_t max_tokens;
    bool b = false;
    int col, has_id, has_prompt, has_answer;

    c->max_tokens = 256;
    if (lw_ymap_open_entry(d, n, "case", case_keys, LW_ARRAY_LEN(case_keys), &c->line, &col,
                           &m) < 0)
        return;
    has_id = text(d, &m, "id", &c->id);
    has_prompt = text(d, &m, "prompt", &c->prompt);
    has_answer = text(d, &m, "reference_answer", &c->reference_answer);
    if (lw_ymap_int(d, &m, "max_tokens", 1, 1000000, &max_tokens) == 1)
        c->max_tokens = (int) max_tokens;
    if (lw_ymap_bool(d, &m, "long_output", &b) == 1)
        c->long_output = b;
    json_text(d, &m, "tools", json_type_array, &c->tools_json);
    if ((scorer = lw_ymap_get(d, &m, "scorer")) != NULL)
        load_scorer(d, scorer, &c->scorer);
    load_custom(d, &m, &c->custom, &c->n_custom);
    /* what is missing, not what was wrong (already said) */
    if (has_id >= 0 && (c->id == NULL || c->id[0] == '\0'))
        LW_YMAP_ERR(d, n, "case needs an id");
    else if (has_id < 0)
        return;
    else if (has_prompt == 0 || (has_prompt > 0 && c->prompt[0] == '\0'))
        LW_YMAP_ERR(d, n, "case %s needs a prompt", c->id);
    else if (scorer == NULL)
        LW_YMAP_ERR(d, n, "case %s needs a scorer", c->id);
    else if (has_answer == 0)
        LW_YMAP_ERR(d, n, "case %s needs a reference_answer", c->id);
}

static void
load_doc(lw_ymap_doc *d, yaml_node_t *root, lw_suite *s)
{
    yaml_node_t *cases, *v;
    lw_ymap m;
    size_t i, j, cnt;

    if (lw_ymap_open(d, root, "a suite", suite_keys, LW_ARRAY_LEN(suite_keys), &m) < 0)
        return;
    text(d, &m, "name", &s->name);
    text(d, &m, "description", &s->description);
    load_custom(d, &m, &s->custom, &s->n_custom);
    if (s->name == NULL || s->name[0] == '\0')
        LW_YMAP_ERR(d, root, "suite needs a name");
    if ((cases = lw_ymap_seq(d, &m, "cases", "- id: ...")) == NULL) {
        if (lw_ymap_node(d, &m, "cases") == NULL)
            LW_YMAP_ERR(d, root, "suite needs cases");
        return;
    }
    cnt = lw_ymap_seq_len(cases);
    if (cnt == 0) {
        LW_YMAP_ERR(d, cases, "cases must not be empty");
        return;
    }
    if (cnt > SUITE_MAX_CASES) {
        LW_YMAP_ERR(d, cases, "more than %d cases", SUITE_MAX_CASES);
        return;
    }
    if ((s->cases = calloc(cnt, sizeof(*s->cases))) == NULL) {
        d->oom = 1;
        return;
    }
    for (i = 0; i < cnt; i++) {
        v = lw_ymap_seq_item(d, cases, i);
        load_case(d, v, &s->cases[s->n_cases++]);
        for (j = 0; s->cases[i].id != NULL && j < i; j++)
            if (s->cases[j].id != NULL && strcmp(s->cases[j].id, s->cases[i].id) == 0)
                LW_YMAP_ERR(d, v, "duplicate case id %s (first at line %d)", s->cases[i].id,
                            s->cases[j].line);
    }
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
    lw_ymap_doc d;
    yaml_node_t *root;
    lw_pool *pool = NULL;
    lw_diag diag;
    lw_buf text_buf = { 0 };
    char path[4096];
    lw_suite *s = NULL;
    size_t i;
    int rc;

    *out = NULL;
    lw_diag_init(&diag);
    if (path_or_name == NULL || path_or_name[0] == '\0') {
        lw_err_set(err, "no suite given");
        return LW_EINVAL;
    }
    rc = resolve(path_or_name, path, sizeof(path), err);
    if (rc != LW_OK)
        return rc;
    if ((rc = lw_file_read(path, SUITE_MAX_BYTES, &text_buf, err)) != LW_OK)
        goto cleanup;
    s = calloc(1, sizeof(*s));
    pool = lw_pool_create();
    if (s == NULL || pool == NULL) {
        lw_err_set(err, "out of memory");
        rc = LW_ENOMEM;
        goto cleanup;
    }
    s->path = lw_strdup(path);
    rc = lw_ymap_load(&d, path, text_buf.data ? text_buf.data : "", text_buf.len, pool, &diag,
                      "a suite with name, description and cases", &root);
    if (rc == LW_OK)
        load_doc(&d, root, s);
    if (d.oom)
        rc = LW_ENOMEM;
    lw_ymap_close(&d);
    if (rc == LW_ENOMEM) {
        lw_err_set(err, "out of memory");
        goto cleanup;
    }
    if (diag.errors > 0) {
        /* the first problem found, where it is */
        for (i = 0; i < diag.n; i++) {
            if (diag.v[i].level != LW_DIAG_ERROR)
                continue;
            if (diag.v[i].line > 0)
                lw_err_set(err, "%s:%d:%d: %s%s", path, diag.v[i].line, diag.v[i].col,
                           diag.v[i].msg, diag.errors > 1 ? " (and more)" : "");
            else
                lw_err_set(err, "%s: %s", path, diag.v[i].msg);
            break;
        }
        rc = LW_EINVAL;
        goto cleanup;
    }
    *out = s;
    s = NULL;
    rc = LW_OK;
cleanup:
    lw_suite_free(s);
    lw_pool_destroy(pool);
    lw_diag_free(&diag);
    lw_buf_free(&text_buf);
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
        free(s->cases[i].tools_json);
        lw_scorer_free(&s->cases[i].scorer);
        free_custom(s->cases[i].custom, s->cases[i].n_custom);
    }
    free_custom(s->custom, s->n_custom);
    free(s->cases);
    free(s->name);
    free(s->description);
    free(s->path);
    free(s);
}
