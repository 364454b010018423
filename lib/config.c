/* config.c: loads monitoring_config.yaml (libyaml document API, so every
 * node keeps its position) into lw_config through tables of known keys;
 * collects every error and warning with FILE:LINE:COL. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <yaml.h>

#include "money.h"

/* ==== diagnostics ==== */

void
lw_diag_init(lw_diag *d)
{
    memset(d, 0, sizeof(*d));
}

void
lw_diag_free(lw_diag *d)
{
    size_t i;

    if (d == NULL)
        return;
    for (i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].msg);
    }
    free(d->v);
    memset(d, 0, sizeof(*d));
}

void
lw_diag_addv(lw_diag *d, lw_diag_level level, const char *file, int line, int col,
             const char *fmt, va_list ap)
{
    lw_buf b = { 0 };
    lw_diag_entry *e;
    size_t cap;

    if (d == NULL)
        return;
    if (level == LW_DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
    if (d->n == d->cap) {
        cap = d->cap ? d->cap * 2 : 16;
        e = realloc(d->v, cap * sizeof(*e));
        if (e == NULL)
            return; /* counted, not kept: the caller still sees the failure */
        d->v = e;
        d->cap = cap;
    }
    if (lw_buf_vprintf(&b, fmt, ap) != LW_OK) {
        lw_buf_free(&b);
        return;
    }
    e = &d->v[d->n++];
    e->level = level;
    e->file = lw_strdup(file ? file : "");
    e->line = line;
    e->col = col;
    e->msg = lw_buf_steal(&b);
}

void
lw_diag_add(lw_diag *d, lw_diag_level level, const char *file, int line, int col,
            const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    lw_diag_addv(d, level, file, line, col, fmt, ap);
    va_end(ap);
}

/* Insertion sort of v[from..n): stable, and the lists are short. */
static void
diag_sort_from(lw_diag *d, size_t from)
{
    lw_diag_entry t;
    size_t i, j;

    for (i = from + 1; i < d->n; i++) {
        t = d->v[i];
        for (j = i; j > from && (d->v[j - 1].line > t.line ||
                                 (d->v[j - 1].line == t.line && d->v[j - 1].col > t.col)); j--)
            d->v[j] = d->v[j - 1];
        d->v[j] = t;
    }
}

void
lw_diag_sort(lw_diag *d)
{
    diag_sort_from(d, 0);
}

void
lw_diag_print(const lw_diag *d, FILE *fp)
{
    const lw_diag_entry *e;
    size_t i;

    for (i = 0; i < d->n; i++) {
        e = &d->v[i];
        if (e->line > 0)
            fprintf(fp, "%s:%d:%d: %s: %s\n", e->file, e->line, e->col,
                    e->level == LW_DIAG_ERROR ? "error" : "warning", e->msg);
        else
            fprintf(fp, "%s: %s: %s\n", e->file,
                    e->level == LW_DIAG_ERROR ? "error" : "warning", e->msg);
    }
}

/* ==== enums ==== */

static const char *const provider_names[] = { "openai", "anthropic", "google", "openai-compatible" };
static const char *const priority_names[] = { "critical", "high", "medium", "low" };
static const char *const severity_names[] = { "critical", "warning", "info" };
static const char *const channel_type_names[] = {
    "email", "slack", "pagerduty", "webhook", "sms", "alertmanager"
};
static const char *const rule_kind_names[] = {
    "threshold", "statistical", "trend", "composite", "forecast", "burn_rate"
};
static const char *const operator_names[] = { "AND", "OR" };

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

static int
enum_parse(const char *s, const char *const *names, size_t n, int nocase)
{
    size_t i;

    for (i = 0; s != NULL && i < n; i++)
        if (nocase ? strcasecmp(s, names[i]) == 0 : strcmp(s, names[i]) == 0)
            return (int) i;
    return -1;
}

#define ENUM_NAME(tab, v) ((unsigned) (v) < LW_ARRAY_LEN(tab) ? tab[(v)] : "?")

const char *
lw_config_provider_name(lw_provider p)
{
    return ENUM_NAME(provider_names, p);
}

const char *
lw_config_priority_name(lw_priority p)
{
    return ENUM_NAME(priority_names, p);
}

const char *
lw_config_severity_name(lw_severity s)
{
    return ENUM_NAME(severity_names, s);
}

const char *
lw_config_channel_type_name(lw_channel_type t)
{
    return ENUM_NAME(channel_type_names, t);
}

const char *
lw_config_rule_kind_name(lw_rule_kind k)
{
    return ENUM_NAME(rule_kind_names, k);
}

const char *
lw_config_job_name(lw_job j)
{
    return (unsigned) j < LW_JOB_COUNT ? job_defaults[j].name : "?";
}

int
lw_config_provider_parse(const char *s)
{
    return enum_parse(s, provider_names, LW_ARRAY_LEN(provider_names), 0);
}

int
lw_config_severity_parse(const char *s)
{
    return enum_parse(s, severity_names, LW_ARRAY_LEN(severity_names), 0);
}

int
lw_config_rule_kind_parse(const char *s)
{
    return enum_parse(s, rule_kind_names, LW_ARRAY_LEN(rule_kind_names), 0);
}

int
lw_config_channel_type_parse(const char *s)
{
    return enum_parse(s, channel_type_names, LW_ARRAY_LEN(channel_type_names), 0);
}

/* ==== built-in prices ($ per million tokens, as exact decimal text) ==== */

static const struct {
    const char *prefix, *input, *output;
} builtin_prices[] = {
    { "gpt-4", "30", "60" },
    { "gpt-4-turbo", "10", "30" },
    { "gpt-4o", "2.5", "10" },
    { "gpt-4o-mini", "0.15", "0.6" },
    { "gpt-3.5-turbo", "0.5", "1.5" },
    { "claude-3-5-sonnet", "3", "15" },
    { "claude-3-5-haiku", "0.8", "4" },
    { "claude-3-opus", "15", "75" },
    { "claude-3-haiku", "0.25", "1.25" },
    { "gemini-1.5-pro", "1.25", "5" },
    { "gemini-1.5-flash", "0.075", "0.3" },
    { "gemini-2.0-flash", "0.1", "0.4" },
};

int
lw_config_builtin_prices(const char *model, int64_t *input_micros, int64_t *output_micros)
{
    size_t i, n, best_len = 0, best = 0;

    if (model == NULL)
        return LW_ENOTFOUND;
    for (i = 0; i < LW_ARRAY_LEN(builtin_prices); i++) {
        n = strlen(builtin_prices[i].prefix);
        /* a prefix must end at a name boundary: "gpt-4" is not "gpt-4o" */
        if (strncmp(model, builtin_prices[i].prefix, n) == 0 &&
            (model[n] == '\0' || model[n] == '-' || model[n] == '@') && n > best_len) {
            best_len = n;
            best = i;
        }
    }
    if (best_len == 0)
        return LW_ENOTFOUND;
    if (lw_money_parse(builtin_prices[best].input, input_micros) != LW_OK ||
        lw_money_parse(builtin_prices[best].output, output_micros) != LW_OK)
        return LW_ERROR;
    return LW_OK;
}

/* ==== parse context ==== */

struct ctx {
    lw_pool *pool;
    lw_diag *diag;
    const char *file;
    yaml_document_t *doc;
    const char **expanded;  /* per node index: env-expanded scalar, cached so
                             * an unset variable is reported once */
    size_t nnodes;
    lw_config *cfg;
    int oom;
};

/* A mapping being read: its node, what it is called in messages, its table
 * of known keys and which of them an unknown key was taken for (so a typo
 * yields one error, not also "missing required key"). */
struct map {
    yaml_node_t *node;
    const char *what;
    const char *const *keys;
    size_t nkeys;
    uint64_t suggested;
};

static yaml_node_t *
node_at(struct ctx *c, int id)
{
    return yaml_document_get_node(c->doc, id);
}

static void
report(struct ctx *c, lw_diag_level level, const yaml_node_t *n, const char *fmt, ...)
    LW_PRINTF(4, 5);

static void
report(struct ctx *c, lw_diag_level level, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    lw_diag_addv(c->diag, level, c->file, n ? (int) n->start_mark.line + 1 : 0,
                 n ? (int) n->start_mark.column + 1 : 0, fmt, ap);
    va_end(ap);
}

#define ERR(c, n, ...)  report((c), LW_DIAG_ERROR, (n), __VA_ARGS__)
#define WARN(c, n, ...) report((c), LW_DIAG_WARNING, (n), __VA_ARGS__)

static const char *
kind_of(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:   return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE:  return "a mapping";
    default:                 return "nothing";
    }
}

static const char *
raw_text(const yaml_node_t *n)
{
    return (const char *) n->data.scalar.value;
}

static int
is_null(const yaml_node_t *n)
{
    const char *s;

    if (n == NULL)
        return 1;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    s = raw_text(n);
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
}

static void *
cx_alloc(struct ctx *c, size_t n)
{
    void *p = lw_pool_alloc(c->pool, n);

    if (p == NULL)
        c->oom = 1;
    return p;
}

static const char *
cx_strdup(struct ctx *c, const char *s)
{
    char *p = lw_pool_strdup(c->pool, s);

    if (p == NULL && s != NULL)
        c->oom = 1;
    return p;
}

/* Expands ${VAR} and ${VAR:-default}; unset variables without a default
 * go to `unset` (see lw_env_expand). */
static int
expand_env(const char *s, lw_buf *out, lw_buf *unset, lw_err *err)
{
    return lw_env_expand(s, out, unset, 0, err);
}

/* The scalar's text with the environment expanded (cached per node); NULL
 * for a null or a non-scalar. `key` names the setting in messages. */
static const char *
scalar(struct ctx *c, yaml_node_t *n, const char *key)
{
    size_t id;
    lw_buf out = { 0 }, unset = { 0 };
    lw_err err;

    if (n == NULL || n->type != YAML_SCALAR_NODE || is_null(n))
        return NULL;
    id = (size_t) (n - c->doc->nodes.start);
    if (id < c->nnodes && c->expanded[id] != NULL)
        return c->expanded[id];
    lw_err_clear(&err);
    if (expand_env(raw_text(n), &out, &unset, &err) != LW_OK) {
        ERR(c, n, "'%s': %s", key, err.msg);
        lw_buf_reset(&out);
        lw_buf_puts(&out, "");
    } else if (unset.len) {
        WARN(c, n, "environment variable %s is not set and has no default; '%s' is empty",
             unset.data, key);
    }
    if (id < c->nnodes)
        c->expanded[id] = cx_strdup(c, out.data);
    lw_buf_free(&out);
    lw_buf_free(&unset);
    return id < c->nnodes ? c->expanded[id] : "";
}

/* ==== keys and suggestions ==== */

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
static int
suggest(const char *s, const char *const *names, size_t n)
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

static void
append_names(lw_buf *b, const char *const *names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        lw_buf_printf(b, "%s%s", i ? ", " : "", names[i]);
}

/* Opens a mapping: checks it is one, reports unknown keys (with a
 * suggestion), duplicate keys and non-scalar keys. Returns 0, or -1 when the
 * node is not a mapping (reported). */
static int
map_open(struct ctx *c, yaml_node_t *n, const char *what, const char *const *keys,
         size_t nkeys, struct map *m)
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
            ERR(c, n, "%s must be a mapping (key: value lines), not %s", what, kind_of(n));
        return -1;
    }
    m->node = n;
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        k = node_at(c, p->key);
        if (k->type != YAML_SCALAR_NODE) {
            ERR(c, k, "keys in %s must be plain names, not %s", what, kind_of(k));
            continue;
        }
        for (q = n->data.mapping.pairs.start; q < p; q++) {
            k2 = node_at(c, q->key);
            if (k2->type == YAML_SCALAR_NODE && strcmp(raw_text(k2), raw_text(k)) == 0) {
                ERR(c, k, "duplicate key '%s' in %s (first at line %d)", raw_text(k), what,
                    (int) k2->start_mark.line + 1);
                break;
            }
        }
        if (enum_parse(raw_text(k), keys, nkeys, 0) >= 0)
            continue;
        s = suggest(raw_text(k), keys, nkeys);
        if (s >= 0) {
            m->suggested |= UINT64_C(1) << s;
            ERR(c, k, "unknown key '%s' in %s (did you mean '%s'?)", raw_text(k), what, keys[s]);
        } else {
            lw_buf_reset(&list);
            append_names(&list, keys, nkeys);
            ERR(c, k, "unknown key '%s' in %s (known keys: %s)", raw_text(k), what,
                list.data ? list.data : "");
        }
    }
    lw_buf_free(&list);
    return 0;
}

/* The value node of `key` (first occurrence), NULL when absent. */
static yaml_node_t *
map_node(struct ctx *c, const struct map *m, const char *key)
{
    yaml_node_pair_t *p;
    yaml_node_t *k;

    if (m->node == NULL)
        return NULL;
    for (p = m->node->data.mapping.pairs.start; p < m->node->data.mapping.pairs.top; p++) {
        k = node_at(c, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp(raw_text(k), key) == 0)
            return node_at(c, p->value);
    }
    return NULL;
}

/* The key node of `key`, for messages about the key itself. */
static yaml_node_t *
map_key_node(struct ctx *c, const struct map *m, const char *key)
{
    yaml_node_pair_t *p;
    yaml_node_t *k;

    for (p = m->node->data.mapping.pairs.start; p < m->node->data.mapping.pairs.top; p++) {
        k = node_at(c, p->key);
        if (k->type == YAML_SCALAR_NODE && strcmp(raw_text(k), key) == 0)
            return k;
    }
    return NULL;
}

/* Value node unless absent or null. */
static yaml_node_t *
map_get(struct ctx *c, const struct map *m, const char *key)
{
    yaml_node_t *v = map_node(c, m, key);

    return is_null(v) ? NULL : v;
}

/* Reports a required key that is missing (or set to nothing), unless an
 * unknown key was already taken for a misspelling of it. */
static void
map_require(struct ctx *c, const struct map *m, const char *key, const char *label)
{
    int i = enum_parse(key, m->keys, m->nkeys, 0);
    yaml_node_t *v;

    if (m->node == NULL || (i >= 0 && (m->suggested & (UINT64_C(1) << i))))
        return;
    v = map_node(c, m, key);
    if (v != NULL)
        ERR(c, v, "'%s' in %s%s%s must have a value", key, m->what, label ? " " : "",
            label ? label : "");
    else
        ERR(c, m->node, "%s%s%s is missing required key '%s'", m->what, label ? " " : "",
            label ? label : "", key);
}

/* ==== typed getters: 1 = set, 0 = absent/empty, -1 = error (reported) ==== */

static int
want_scalar(struct ctx *c, yaml_node_t *v, const char *key, const char *expected)
{
    if (v->type == YAML_SCALAR_NODE)
        return 0;
    ERR(c, v, "'%s' must be %s, not %s", key, expected, kind_of(v));
    return -1;
}

static int
get_str(struct ctx *c, const struct map *m, const char *key, const char **out)
{
    yaml_node_t *v = map_get(c, m, key);
    const char *s;

    if (v == NULL)
        return 0;
    if (want_scalar(c, v, key, "a string") < 0)
        return -1;
    s = scalar(c, v, key);
    if (s == NULL || s[0] == '\0')
        return 0;
    *out = s;
    return 1;
}

static int
get_secret(struct ctx *c, const struct map *m, const char *key, lw_secret *out)
{
    yaml_node_t *v = map_get(c, m, key);

    if (v == NULL)
        return 0;
    if (want_scalar(c, v, key, "a string") < 0)
        return -1;
    out->value = scalar(c, v, key);
    out->raw = cx_strdup(c, raw_text(v));
    if (out->raw != NULL && out->raw[0] != '\0' && strstr(out->raw, "${") == NULL)
        WARN(c, v, "'%s' is a secret written in clear in the file; prefer \"${VARIABLE}\" "
             "so it stays out of the file and the database", key);
    return 1;
}

/* A numeric field's text, or an error naming what was expected. */
static const char *
num_text(struct ctx *c, const struct map *m, const char *key, const char *expected,
         yaml_node_t **node, int *rc)
{
    yaml_node_t *v = map_get(c, m, key);
    const char *s;

    *node = v;
    *rc = 0;
    if (v == NULL)
        return NULL;
    if (want_scalar(c, v, key, expected) < 0) {
        *rc = -1;
        return NULL;
    }
    s = scalar(c, v, key);
    if (s == NULL || s[0] == '\0')
        return NULL;
    *rc = 1;
    return s;
}

static int
parse_int(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0' || isspace((unsigned char) *s))
        return LW_EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return LW_EINVAL;
    *out = v;
    return LW_OK;
}

static int
get_int(struct ctx *c, const struct map *m, const char *key, int64_t min, int64_t max,
        int64_t *out)
{
    yaml_node_t *v;
    int rc;
    const char *s = num_text(c, m, key, "a whole number", &v, &rc);
    int64_t n;

    if (rc <= 0)
        return rc;
    if (parse_int(s, &n) != LW_OK) {
        ERR(c, v, "'%s' must be a whole number, not '%.60s'", key, s);
        return -1;
    }
    if (n < min || n > max) {
        ERR(c, v, "'%s' must be between %lld and %lld, not %lld", key, (long long) min,
            (long long) max, (long long) n);
        return -1;
    }
    *out = n;
    return 1;
}

static int
get_double(struct ctx *c, const struct map *m, const char *key, double *out, yaml_node_t **node)
{
    yaml_node_t *v;
    int rc;
    const char *s = num_text(c, m, key, "a number", &v, &rc);
    char *end;
    double d;

    *node = v;
    if (rc <= 0)
        return rc;
    errno = 0;
    d = strtod(s, &end);
    if (errno != 0 || *end != '\0' || end == s || !isfinite(d) || isspace((unsigned char) *s)) {
        ERR(c, v, "'%s' must be a number, not '%.60s'", key, s);
        return -1;
    }
    *out = d;
    return 1;
}

/* Exact decimal scaled by 10^scale (sla_target in ms, prices in micros). */
static int
get_decimal(struct ctx *c, const struct map *m, const char *key, int scale,
            const char *expected, int64_t *out)
{
    yaml_node_t *v;
    int rc;
    const char *s = num_text(c, m, key, expected, &v, &rc);

    if (rc <= 0)
        return rc;
    if (lw_money_parse_scaled(s, scale, out) != LW_OK) {
        ERR(c, v, "'%s' must be %s (at most %d decimals), not '%.60s'", key, expected,
            scale, s);
        return -1;
    }
    if (*out < 0) {
        ERR(c, v, "'%s' must not be negative", key);
        return -1;
    }
    return 1;
}

static int
get_duration(struct ctx *c, const struct map *m, const char *key, int64_t *out)
{
    yaml_node_t *v;
    int rc;
    const char *s = num_text(c, m, key, "a duration", &v, &rc);
    lw_err err;

    if (rc <= 0)
        return rc;
    if (lw_duration_parse(s, out, &err) != LW_OK) {
        ERR(c, v, "'%s': %s", key, err.msg);
        return -1;
    }
    return 1;
}

static int
get_bool(struct ctx *c, const struct map *m, const char *key, bool *out)
{
    static const char *const yes[] = { "true", "yes", "on" };
    static const char *const no[] = { "false", "no", "off" };
    yaml_node_t *v;
    int rc;
    const char *s = num_text(c, m, key, "true or false", &v, &rc);

    if (rc <= 0)
        return rc;
    if (enum_parse(s, yes, LW_ARRAY_LEN(yes), 1) >= 0)
        *out = true;
    else if (enum_parse(s, no, LW_ARRAY_LEN(no), 1) >= 0)
        *out = false;
    else {
        ERR(c, v, "'%s' must be true or false, not '%.60s'", key, s);
        return -1;
    }
    return 1;
}

/* Matches a scalar against names; reports with a suggestion. */
static int
node_enum(struct ctx *c, yaml_node_t *v, const char *key, const char *what,
          const char *const *names, size_t n, int nocase, int *out)
{
    const char *s;
    lw_buf list = { 0 };
    int i;

    if (want_scalar(c, v, key, "a name") < 0)
        return -1;
    s = scalar(c, v, key);
    if (s == NULL)
        s = "";
    i = enum_parse(s, names, n, nocase);
    if (i >= 0) {
        *out = i;
        return 1;
    }
    append_names(&list, names, n);
    i = suggest(s, names, n);
    if (i >= 0)
        ERR(c, v, "unknown %s '%.60s' (did you mean '%s'?)", what, s, names[i]);
    else
        ERR(c, v, "unknown %s '%.60s' (expected one of: %s)", what, s,
            list.data ? list.data : "");
    lw_buf_free(&list);
    return -1;
}

static int
get_enum(struct ctx *c, const struct map *m, const char *key, const char *what,
         const char *const *names, size_t n, int nocase, int *out)
{
    yaml_node_t *v = map_get(c, m, key);

    if (v == NULL)
        return 0;
    return node_enum(c, v, key, what, names, n, nocase, out);
}

static int
was_suggested(const struct map *m, const char *key)
{
    int i = enum_parse(key, m->keys, m->nkeys, 0);

    return i >= 0 && (m->suggested & (UINT64_C(1) << i));
}

/* A list of strings; a single scalar counts as a list of one. The nodes of
 * the items are returned in *nodes when asked (pool memory). */
static int
get_list(struct ctx *c, const struct map *m, const char *key, lw_strlist *out,
         yaml_node_t ***nodes)
{
    yaml_node_t *v = map_get(c, m, key), *it;
    size_t n, i = 0;
    int rc = 1;

    if (v == NULL)
        return 0;
    if (v->type == YAML_MAPPING_NODE) {
        ERR(c, v, "'%s' must be a list (e.g. [a, b]), not a mapping", key);
        return -1;
    }
    n = v->type == YAML_SEQUENCE_NODE
        ? (size_t) (v->data.sequence.items.top - v->data.sequence.items.start) : 1;
    out->v = cx_alloc(c, (n + 1) * sizeof(*out->v));
    if (nodes)
        *nodes = cx_alloc(c, (n + 1) * sizeof(**nodes));
    if (out->v == NULL || (nodes && *nodes == NULL))
        return -1;
    out->n = 0;
    for (i = 0; i < n; i++) {
        it = v->type == YAML_SEQUENCE_NODE ? node_at(c, v->data.sequence.items.start[i]) : v;
        if (it->type != YAML_SCALAR_NODE) {
            ERR(c, it, "items of '%s' must be strings, not %s", key, kind_of(it));
            rc = -1;
            continue;
        }
        if (is_null(it))
            continue;
        if (nodes)
            (*nodes)[out->n] = it;
        out->v[out->n++] = scalar(c, it, key);
    }
    return rc;
}

static int
check_url(struct ctx *c, yaml_node_t *v, const char *key, const char *url,
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
        ERR(c, v, "'%s' must be a URL starting with %s (value not shown: it is a secret)",
            key, schemes[0]);
    else
        ERR(c, v, "'%s' must be a URL starting with %s, not '%.80s'", key, schemes[0], url);
    return -1;
}

static const char *const http_schemes[] = { "https://", "http://", NULL };
static const char *const smtp_schemes[] = { "smtp://", "smtps://", NULL };

static const char *
strip_slashes(struct ctx *c, const char *url)
{
    size_t n = strlen(url);
    char *s;

    while (n > 0 && url[n - 1] == '/')
        n--;
    s = lw_pool_strndup(c->pool, url, n);
    if (s == NULL)
        c->oom = 1;
    return s;
}

static int
ends_with_api_version(const char *url)
{
    const char *slash = strrchr(url, '/');

    return slash != NULL && slash > url && slash[-1] != '/' &&
           (strcmp(slash, "/v1") == 0 || strcmp(slash, "/v1beta") == 0);
}

static size_t
seq_len(const yaml_node_t *n)
{
    return (size_t) (n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *
seq_item(struct ctx *c, const yaml_node_t *n, size_t i)
{
    return node_at(c, n->data.sequence.items.start[i]);
}

/* Sections that are lists: NULL (absent, reported when not a list). */
static yaml_node_t *
get_seq(struct ctx *c, const struct map *m, const char *key, const char *example)
{
    yaml_node_t *v = map_get(c, m, key);

    if (v == NULL)
        return NULL;
    if (v->type != YAML_SEQUENCE_NODE) {
        ERR(c, v, "'%s' must be a list (%s), not %s", key, example, kind_of(v));
        return NULL;
    }
    return v;
}

static void
set_pos(const yaml_node_t *n, int *line, int *col)
{
    *line = (int) n->start_mark.line + 1;
    *col = (int) n->start_mark.column + 1;
}

/* Node to point at for a name that defaulted from another key. */
static yaml_node_t *
name_node(struct ctx *c, const struct map *m, const char *key, const char *fallback)
{
    yaml_node_t *v = map_get(c, m, key);

    if (v == NULL && fallback)
        v = map_get(c, m, fallback);
    return v ? v : m->node;
}

/* ==== models ==== */

static const char *const model_keys[] = {
    "name", "provider", "model", "priority", "sla_target", "base_url", "api_key_env",
    "environment", "enabled", "prices", "max_concurrency", "timeout", "suite",
};
static const char *const price_keys[] = { "input", "output" };

static void
parse_prices(struct ctx *c, yaml_node_t *n, lw_config_model *md)
{
    struct map m;
    int a, b;

    if (map_open(c, n, "prices", price_keys, LW_ARRAY_LEN(price_keys), &m) < 0)
        return;
    a = get_decimal(c, &m, "input", 6, "dollars per million tokens", &md->price_input_micros);
    b = get_decimal(c, &m, "output", 6, "dollars per million tokens", &md->price_output_micros);
    if (a == 0)
        map_require(c, &m, "input", NULL);
    if (b == 0)
        map_require(c, &m, "output", NULL);
    md->prices_source = LW_PRICES_CONFIG;
}

static void
parse_model(struct ctx *c, yaml_node_t *n, lw_config_model *md, size_t index)
{
    struct map m;
    yaml_node_t *v;
    int e, rc, have_provider = 0;
    int64_t i64;
    size_t j;

    md->priority = LW_PRIORITY_MEDIUM;
    md->enabled = true;
    md->max_concurrency = 4;
    md->prices_source = LW_PRICES_UNKNOWN;
    if (n->type == YAML_MAPPING_NODE)
        set_pos(n, &md->line, &md->col);
    if (map_open(c, n, "model", model_keys, LW_ARRAY_LEN(model_keys), &m) < 0)
        return;

    rc = get_enum(c, &m, "provider", "provider", provider_names,
                  LW_ARRAY_LEN(provider_names), 0, &e);
    if (rc == 0)
        map_require(c, &m, "provider", NULL);
    if (rc == 1) {
        md->provider = (lw_provider) e;
        have_provider = 1;
    }
    if (get_str(c, &m, "model", &md->model) == 0)
        map_require(c, &m, "model", NULL);
    if (get_str(c, &m, "name", &md->name) <= 0)
        md->name = md->model;
    if (get_enum(c, &m, "priority", "priority", priority_names, LW_ARRAY_LEN(priority_names),
                 0, &e) == 1)
        md->priority = (lw_priority) e;
    rc = get_decimal(c, &m, "sla_target", 3, "a number of seconds", &md->sla_target_ms);
    if (rc == 0)
        map_require(c, &m, "sla_target", NULL);
    else if (rc == 1 && md->sla_target_ms == 0)
        ERR(c, map_get(c, &m, "sla_target"), "'sla_target' must be more than 0 seconds");

    if (get_str(c, &m, "base_url", &md->base_url) == 1) {
        v = map_get(c, &m, "base_url");
        if (check_url(c, v, "base_url", md->base_url, http_schemes, 0) == 0) {
            md->base_url = strip_slashes(c, md->base_url);
            if (md->base_url != NULL && ends_with_api_version(md->base_url))
                WARN(c, v, "base_url '%.80s' ends with an API version: llmwatch appends "
                     "/v1/... (or /v1beta/...) itself, so give the server root", md->base_url);
        }
    } else if (have_provider && md->provider == LW_PROVIDER_OPENAI_COMPATIBLE) {
        if (map_get(c, &m, "base_url") == NULL)
            ERR(c, m.node, "openai-compatible model '%s' needs 'base_url' (e.g. "
                "http://127.0.0.1:8000)", md->name ? md->name : "?");
    } else if (have_provider) {
        md->base_url = provider_defaults[md->provider].base_url;
    }
    if (get_str(c, &m, "api_key_env", &md->api_key_env) == 1) {
        if (!lw_env_name_ok(md->api_key_env, strlen(md->api_key_env)))
            ERR(c, map_get(c, &m, "api_key_env"), "'api_key_env' must be the name of an "
                "environment variable (letters, digits, _), not '%.60s'", md->api_key_env);
    } else if (have_provider) {
        md->api_key_env = provider_defaults[md->provider].api_key_env;
    }
    if (get_str(c, &m, "environment", &md->environment) <= 0)
        md->environment = c->cfg->environment;
    get_bool(c, &m, "enabled", &md->enabled);
    if (get_int(c, &m, "max_concurrency", 1, 1024, &i64) == 1)
        md->max_concurrency = (int) i64;
    if (get_duration(c, &m, "timeout", &md->timeout) == 1 && md->timeout == 0)
        ERR(c, map_get(c, &m, "timeout"), "'timeout' must be more than 0 seconds");
    get_str(c, &m, "suite", &md->suite);

    if ((v = map_get(c, &m, "prices")) != NULL) {
        parse_prices(c, v, md);
    } else if (md->model != NULL) {
        if (lw_config_builtin_prices(md->model, &md->price_input_micros,
                                     &md->price_output_micros) == LW_OK)
            md->prices_source = LW_PRICES_BUILTIN;
        else
            WARN(c, m.node, "no known price for model '%s': its costs will be recorded as $0 "
                 "(add 'prices: {input: X, output: Y}' in dollars per million tokens)",
                 md->model);
    }

    if (md->name != NULL) {
        for (j = 0; j < index; j++) {
            if (lw_streq(c->cfg->models[j].name, md->name)) {
                ERR(c, name_node(c, &m, "name", "model"), "duplicate model name '%s' (first "
                    "at line %d); give each model its own 'name'", md->name,
                    c->cfg->models[j].line);
                break;
            }
        }
    }
}

static void
parse_models(struct ctx *c, const struct map *mon)
{
    yaml_node_t *seq = get_seq(c, mon, "models", "- provider: ...");
    size_t i, n;

    if (seq == NULL) {
        if (map_node(c, mon, "models") == NULL || is_null(map_node(c, mon, "models")))
            map_require(c, mon, "models", NULL);
        return;
    }
    n = seq_len(seq);
    if (n == 0) {
        ERR(c, seq, "'models' is empty: there is nothing to monitor");
        return;
    }
    c->cfg->models = cx_alloc(c, n * sizeof(lw_config_model));
    if (c->cfg->models == NULL)
        return;
    for (i = 0; i < n; i++) {
        parse_model(c, seq_item(c, seq, i), &c->cfg->models[i], i);
        c->cfg->n_models = i + 1;
    }
}

/* ==== schedule ==== */

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
            c->oom = 1; /* cannot happen: the defaults are known good */
    }
}

static void
parse_job(struct ctx *c, yaml_node_t *n, lw_config_job *j)
{
    struct map m;
    yaml_node_t *v;
    lw_err err;
    lw_sched s;
    char cal[128];
    const char *f;

    set_pos(n, &j->line, &j->col);
    j->configured = true;
    if (map_open(c, n, j->name, job_keys, LW_ARRAY_LEN(job_keys), &m) < 0)
        return;
    if (get_str(c, &m, "frequency", &f) == 1) {
        v = map_get(c, &m, "frequency");
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
        map_require(c, &m, "frequency", NULL);
    }
    if (get_duration(c, &m, "timeout", &j->timeout) == 1 && j->timeout == 0)
        ERR(c, map_get(c, &m, "timeout"), "'timeout' must be more than 0 seconds");
    get_bool(c, &m, "enabled", &j->enabled);
    get_str(c, &m, "suite", &j->suite);
}

static void
parse_schedule(struct ctx *c, const struct map *mon)
{
    const char *names[LW_JOB_COUNT];
    struct map m;
    yaml_node_t *v;
    int i;

    for (i = 0; i < LW_JOB_COUNT; i++)
        names[i] = job_defaults[i].name;
    if (map_open(c, map_get(c, mon, "schedule"), "schedule", names, LW_JOB_COUNT, &m) < 0)
        return;
    for (i = 0; i < LW_JOB_COUNT; i++) {
        if ((v = map_get(c, &m, names[i])) != NULL) {
            parse_job(c, v, &c->cfg->jobs[i]);
            c->cfg->n_schedules++;
        }
    }
}

/* ==== channels ==== */

static const char *const channel_keys[] = {
    "name", "type", "severity", "enabled",
    "recipients", "smtp_url", "from", "username", "password", "password_env",
    "webhook_url", "channel", "api_key", "routing_key", "url", "secret",
    "account_sid", "auth_token", "to",
};

#define CH(t) (1u << LW_CHANNEL_##t)
#define CH_ALL ((1u << LW_CHANNEL_COUNT) - 1)
static const unsigned channel_key_types[] = {
    CH_ALL, CH_ALL, CH_ALL, CH_ALL,
    CH(EMAIL), CH(EMAIL), CH(EMAIL) | CH(SMS), CH(EMAIL), CH(EMAIL), CH(EMAIL),
    CH(SLACK), CH(SLACK), CH(PAGERDUTY), CH(PAGERDUTY),
    CH(PAGERDUTY) | CH(WEBHOOK) | CH(SMS) | CH(ALERTMANAGER), CH(WEBHOOK),
    CH(SMS), CH(SMS), CH(SMS),
};

static unsigned
parse_severity_list(struct ctx *c, const struct map *m, const char *key)
{
    lw_strlist l = { 0 };
    yaml_node_t **nodes = NULL;
    unsigned bits = 0;
    size_t i;
    int s;

    if (get_list(c, m, key, &l, &nodes) <= 0 && l.n == 0)
        return 0;
    for (i = 0; i < l.n; i++)
        if (node_enum(c, nodes[i], key, "severity", severity_names,
                      LW_ARRAY_LEN(severity_names), 0, &s) == 1)
            bits |= 1u << s;
    return bits;
}

static void
parse_channel(struct ctx *c, yaml_node_t *n, lw_config_channel *ch, size_t index)
{
    static const char *const pd_default = "https://events.pagerduty.com/v2/enqueue";
    struct map m;
    yaml_node_pair_t *p;
    yaml_node_t *k, *v, **nodes = NULL;
    const char *what;
    size_t i;
    int t = -1, ki, rc;

    ch->enabled = true;
    if (n->type == YAML_MAPPING_NODE)
        set_pos(n, &ch->line, &ch->col);
    if (map_open(c, n, "channel", channel_keys, LW_ARRAY_LEN(channel_keys), &m) < 0)
        return;
    rc = get_enum(c, &m, "type", "channel type", channel_type_names,
                  LW_ARRAY_LEN(channel_type_names), 0, &t);
    if (rc == 0)
        map_require(c, &m, "type", NULL);
    if (rc == 1) {
        ch->type = (lw_channel_type) t;
        /* keys of other channel types are mistakes, not silently ignored */
        for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            k = node_at(c, p->key);
            if (k->type != YAML_SCALAR_NODE)
                continue;
            ki = enum_parse(raw_text(k), channel_keys, LW_ARRAY_LEN(channel_keys), 0);
            if (ki >= 0 && !(channel_key_types[ki] & (1u << t)))
                ERR(c, k, "'%s' does not apply to %s channels", raw_text(k),
                    channel_type_names[t]);
        }
    } else {
        t = -1;
    }
    if (get_str(c, &m, "name", &ch->name) <= 0 && t >= 0)
        ch->name = channel_type_names[t];
    what = ch->name ? ch->name : "channel";
    ch->severities = parse_severity_list(c, &m, "severity");
    if (map_get(c, &m, "severity") == NULL)
        ch->severities = (1u << LW_SEV_COUNT) - 1;
    get_bool(c, &m, "enabled", &ch->enabled);

    switch (t) {
    case LW_CHANNEL_EMAIL:
        rc = get_list(c, &m, "recipients", &ch->recipients, &nodes);
        if (rc == 0 || (rc == 1 && ch->recipients.n == 0))
            map_require(c, &m, "recipients", what);
        for (i = 0; i < ch->recipients.n; i++)
            if (ch->recipients.v[i][0] != '\0' && strchr(ch->recipients.v[i], '@') == NULL)
                ERR(c, nodes[i], "'%.80s' is not an email address", ch->recipients.v[i]);
        if (get_str(c, &m, "smtp_url", &ch->smtp_url) == 1)
            check_url(c, map_get(c, &m, "smtp_url"), "smtp_url", ch->smtp_url, smtp_schemes, 0);
        else
            ch->smtp_url = "smtp://localhost:25";
        if (get_str(c, &m, "from", &ch->from) <= 0)
            ch->from = "llmwatch@localhost";
        get_str(c, &m, "username", &ch->username);
        get_secret(c, &m, "password", &ch->password);
        if (get_str(c, &m, "password_env", &ch->password_env) == 1 &&
            !lw_env_name_ok(ch->password_env, strlen(ch->password_env)))
            ERR(c, map_get(c, &m, "password_env"), "'password_env' must be the name of an "
                "environment variable, not '%.60s'", ch->password_env);
        if (ch->password.raw && ch->password_env)
            ERR(c, map_get(c, &m, "password_env"), "give either 'password' or "
                "'password_env', not both");
        break;
    case LW_CHANNEL_SLACK:
        if (get_secret(c, &m, "webhook_url", &ch->webhook_url) == 0)
            map_require(c, &m, "webhook_url", what);
        else
            check_url(c, map_get(c, &m, "webhook_url"), "webhook_url", ch->webhook_url.value,
                      http_schemes, 1);
        get_str(c, &m, "channel", &ch->channel);
        break;
    case LW_CHANNEL_PAGERDUTY:
        if (map_get(c, &m, "routing_key") && map_get(c, &m, "api_key"))
            ERR(c, map_key_node(c, &m, "api_key"), "give either 'routing_key' or 'api_key' "
                "(the same PagerDuty integration key), not both");
        if (get_secret(c, &m, "routing_key", &ch->routing_key) == 0 &&
            get_secret(c, &m, "api_key", &ch->routing_key) == 0 &&
            !was_suggested(&m, "api_key"))
            map_require(c, &m, "routing_key", what);
        if (get_str(c, &m, "url", &ch->url) == 1)
            check_url(c, map_get(c, &m, "url"), "url", ch->url, http_schemes, 0);
        else
            ch->url = pd_default;
        break;
    case LW_CHANNEL_WEBHOOK:
    case LW_CHANNEL_ALERTMANAGER:
        if (get_str(c, &m, "url", &ch->url) == 0)
            map_require(c, &m, "url", what);
        else
            check_url(c, map_get(c, &m, "url"), "url", ch->url, http_schemes, 0);
        if (t == LW_CHANNEL_WEBHOOK)
            get_secret(c, &m, "secret", &ch->secret);
        break;
    case LW_CHANNEL_SMS:
        if (get_str(c, &m, "url", &ch->url) == 1)
            check_url(c, map_get(c, &m, "url"), "url", ch->url, http_schemes, 0);
        else
            ch->url = "https://api.twilio.com";
        if (get_str(c, &m, "account_sid", &ch->account_sid) == 0)
            map_require(c, &m, "account_sid", what);
        if (get_secret(c, &m, "auth_token", &ch->auth_token) == 0)
            map_require(c, &m, "auth_token", what);
        if (get_str(c, &m, "from", &ch->from) == 0)
            map_require(c, &m, "from", what);
        rc = get_list(c, &m, "to", &ch->to, NULL);
        if (rc == 0 || (rc == 1 && ch->to.n == 0))
            map_require(c, &m, "to", what);
        break;
    default:
        break;
    }
    if (ch->url != NULL)
        ch->url = strip_slashes(c, ch->url);

    if (ch->name != NULL) {
        for (i = 0; i < index; i++) {
            if (lw_streq(c->cfg->channels[i].name, ch->name)) {
                v = name_node(c, &m, "name", "type");
                ERR(c, v, "duplicate channel name '%s' (first at line %d); give each channel "
                    "its own 'name'", ch->name, c->cfg->channels[i].line);
                break;
            }
        }
    }
}

static void
parse_channels(struct ctx *c, const struct map *alerts)
{
    yaml_node_t *seq = get_seq(c, alerts, "channels", "- type: email ...");
    size_t i, n;

    if (seq == NULL || (n = seq_len(seq)) == 0)
        return;
    c->cfg->channels = cx_alloc(c, n * sizeof(lw_config_channel));
    if (c->cfg->channels == NULL)
        return;
    for (i = 0; i < n; i++) {
        parse_channel(c, seq_item(c, seq, i), &c->cfg->channels[i], i);
        c->cfg->n_channels = i + 1;
    }
}

/* ==== routing ==== */

static int
add_route(struct ctx *c, lw_config_route *r, size_t ch)
{
    size_t *v, i;

    for (i = 0; i < r->n; i++)
        if (r->channel[i] == ch)
            return 0;
    v = cx_alloc(c, (r->n + 1) * sizeof(*v));
    if (v == NULL)
        return -1;
    if (r->n)
        memcpy(v, r->channel, r->n * sizeof(*v));
    v[r->n++] = ch;
    r->channel = v;
    return 0;
}

static void
parse_routing(struct ctx *c, const struct map *alerts)
{
    struct map m;
    lw_strlist l;
    yaml_node_t *v, **nodes;
    const char **chnames;
    size_t i, j, nch = c->cfg->n_channels;
    int s, sg, hit;

    v = map_get(c, alerts, "routing");
    if (v == NULL) {
        for (i = 0; i < nch; i++)
            for (s = 0; s < LW_SEV_COUNT; s++)
                if (c->cfg->channels[i].severities & (1u << s))
                    add_route(c, &c->cfg->routing[s], i);
        return;
    }
    c->cfg->routing_explicit = true;
    if (map_open(c, v, "routing", severity_names, LW_ARRAY_LEN(severity_names), &m) < 0)
        return;
    chnames = cx_alloc(c, (nch + 1) * sizeof(*chnames));
    if (chnames == NULL)
        return;
    for (i = 0; i < nch; i++)
        chnames[i] = c->cfg->channels[i].name ? c->cfg->channels[i].name : "";
    for (s = 0; s < LW_SEV_COUNT; s++) {
        memset(&l, 0, sizeof(l));
        nodes = NULL;
        if (get_list(c, &m, severity_names[s], &l, &nodes) <= 0 && l.n == 0)
            continue;
        for (i = 0; i < l.n; i++) {
            hit = 0;
            for (j = 0; j < nch && !hit; j++) {
                if (strcmp(chnames[j], l.v[i]) == 0) {
                    add_route(c, &c->cfg->routing[s], j);
                    hit = 1;
                }
            }
            if (hit)
                continue;
            sg = suggest(l.v[i], chnames, nch);
            if (sg >= 0)
                ERR(c, nodes[i], "routing for %s names channel '%.60s', which does not "
                    "exist (did you mean '%s'?)", severity_names[s], l.v[i], chnames[sg]);
            else
                ERR(c, nodes[i], "routing for %s names channel '%.60s', which does not "
                    "exist (channels are named by 'name', or by 'type' when unnamed)",
                    severity_names[s], l.v[i]);
        }
    }
}

/* ==== rules ==== */

static const char *const rule_keys[] = {
    "name", "type", "condition", "conditions", "operator", "severity", "cooldown", "for",
    "repeat_interval", "window", "lookback_window", "horizon", "period", "minimum_samples",
    "metric", "threshold", "slo_target", "k", "send_resolved", "runbook", "models",
    "environments", "enabled",
};

#define RK(k) (1u << LW_RULE_##k)
#define RK_ALL ((1u << LW_RULE_KIND_COUNT) - 1)
/* which rule kinds use each key (others get a warning that it is ignored) */
static const unsigned rule_key_kinds[] = {
    RK_ALL, RK_ALL,
    RK(THRESHOLD) | RK(STATISTICAL) | RK(TREND) | RK(FORECAST),
    RK(COMPOSITE), RK(COMPOSITE),
    RK_ALL, RK_ALL, RK_ALL, RK_ALL,
    RK(THRESHOLD) | RK(STATISTICAL) | RK(TREND) | RK(COMPOSITE) | RK(FORECAST),
    RK(STATISTICAL) | RK(TREND) | RK(FORECAST),
    RK(FORECAST), RK(BURN_RATE),
    RK(THRESHOLD) | RK(STATISTICAL) | RK(TREND) | RK(FORECAST),
    RK(STATISTICAL) | RK(TREND) | RK(FORECAST) | RK(BURN_RATE),
    RK(STATISTICAL) | RK(TREND) | RK(FORECAST) | RK(BURN_RATE),
    RK(BURN_RATE), RK(STATISTICAL),
    RK_ALL, RK_ALL, RK_ALL, RK_ALL, RK_ALL,
};

static int
get_positive_duration(struct ctx *c, const struct map *m, const char *key, int64_t *out)
{
    int rc = get_duration(c, m, key, out);

    if (rc == 1 && *out == 0) {
        ERR(c, map_get(c, m, key), "'%s' must be more than 0 seconds", key);
        return -1;
    }
    return rc;
}

static void
rule_needs(struct ctx *c, const struct map *m, lw_config_rule *r, const char *key)
{
    lw_buf label = { 0 };

    lw_buf_printf(&label, "('%s', a %s rule)", r->name ? r->name : "?",
                  rule_kind_names[r->kind]);
    map_require(c, m, key, label.data);
    lw_buf_free(&label);
}

static void
rule_needs_either(struct ctx *c, const struct map *m, lw_config_rule *r, const char *a,
                  const char *b)
{
    int ia = enum_parse(a, rule_keys, LW_ARRAY_LEN(rule_keys), 0);
    int ib = enum_parse(b, rule_keys, LW_ARRAY_LEN(rule_keys), 0);

    if (m->suggested & ((UINT64_C(1) << ia) | (UINT64_C(1) << ib)))
        return;
    ERR(c, m->node, "%s rule '%s' needs '%s' or '%s'", rule_kind_names[r->kind],
        r->name ? r->name : "?", a, b);
}

static void
check_scope(struct ctx *c, const struct map *m, lw_config_rule *r)
{
    yaml_node_t **nodes = NULL;
    const char **names;
    size_t i, j, nm = c->cfg->n_models;
    int s, found;

    if (get_list(c, m, "models", &r->models, &nodes) == 1) {
        names = cx_alloc(c, (nm + 1) * sizeof(*names));
        for (i = 0; names && i < nm; i++)
            names[i] = c->cfg->models[i].name ? c->cfg->models[i].name : "";
        for (i = 0; names && i < r->models.n; i++) {
            found = 0;
            for (j = 0; j < nm && !found; j++)
                found = strcmp(names[j], r->models.v[i]) == 0;
            if (found)
                continue;
            s = suggest(r->models.v[i], names, nm);
            if (s >= 0)
                ERR(c, nodes[i], "rule '%s' is scoped to model '%.60s', which is not "
                    "configured (did you mean '%s'?)", r->name, r->models.v[i], names[s]);
            else
                ERR(c, nodes[i], "rule '%s' is scoped to model '%.60s', which is not "
                    "configured", r->name, r->models.v[i]);
        }
    }
    nodes = NULL;
    if (get_list(c, m, "environments", &r->environments, &nodes) == 1) {
        for (i = 0; i < r->environments.n; i++) {
            found = 0;
            for (j = 0; j < nm && !found; j++)
                found = lw_streq(c->cfg->models[j].environment, r->environments.v[i]);
            if (!found)
                WARN(c, nodes[i], "no model runs in environment '%.60s': rule '%s' will "
                     "never apply there", r->environments.v[i], r->name);
        }
    }
}

static void
parse_rule(struct ctx *c, yaml_node_t *n, lw_config_rule *r, size_t index)
{
    struct map m;
    yaml_node_pair_t *p;
    yaml_node_t *k, *v;
    int e, ki, rc, has_metric, has_cond;
    size_t i;

    r->kind = LW_RULE_THRESHOLD;
    r->severity = LW_SEV_WARNING;
    r->enabled = true;
    r->send_resolved = true;
    r->cooldown = 3600;
    r->op = LW_OP_AND;
    if (n->type == YAML_MAPPING_NODE)
        set_pos(n, &r->line, &r->col);
    if (map_open(c, n, "rule", rule_keys, LW_ARRAY_LEN(rule_keys), &m) < 0)
        return;
    if (get_str(c, &m, "name", &r->name) == 0)
        map_require(c, &m, "name", NULL);
    rc = get_enum(c, &m, "type", "rule type", rule_kind_names, LW_ARRAY_LEN(rule_kind_names),
                  0, &e);
    if (rc == 1)
        r->kind = (lw_rule_kind) e;
    if (rc >= 0) {
        for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            k = node_at(c, p->key);
            if (k->type != YAML_SCALAR_NODE)
                continue;
            ki = enum_parse(raw_text(k), rule_keys, LW_ARRAY_LEN(rule_keys), 0);
            if (ki >= 0 && !(rule_key_kinds[ki] & (1u << r->kind)))
                WARN(c, k, "'%s' is ignored for %s rules", raw_text(k),
                     rule_kind_names[r->kind]);
        }
    }
    if (get_enum(c, &m, "severity", "severity", severity_names, LW_ARRAY_LEN(severity_names),
                 0, &e) == 1)
        r->severity = (lw_severity) e;
    get_bool(c, &m, "enabled", &r->enabled);
    get_bool(c, &m, "send_resolved", &r->send_resolved);
    get_duration(c, &m, "cooldown", &r->cooldown);
    get_duration(c, &m, "for", &r->for_s);
    get_duration(c, &m, "repeat_interval", &r->repeat_interval);
    get_positive_duration(c, &m, "window", &r->window);
    get_positive_duration(c, &m, "lookback_window", &r->lookback_window);
    get_positive_duration(c, &m, "horizon", &r->horizon);
    get_positive_duration(c, &m, "period", &r->period);
    get_int(c, &m, "minimum_samples", 1, INT64_C(1000000000), &r->minimum_samples);
    has_cond = get_str(c, &m, "condition", &r->condition) != 0;
    has_metric = get_str(c, &m, "metric", &r->metric) != 0;
    r->has_threshold = get_double(c, &m, "threshold", &r->threshold, &v) != 0;
    r->has_k = get_double(c, &m, "k", &r->k, &v) == 1;
    if (r->has_k && r->k <= 0)
        ERR(c, v, "'k' must be more than 0");
    r->has_slo_target = get_double(c, &m, "slo_target", &r->slo_target, &v) == 1;
    if (r->has_slo_target && (r->slo_target <= 0 || r->slo_target >= 1))
        ERR(c, v, "'slo_target' must be between 0 and 1 (e.g. 0.999), not %g", r->slo_target);
    if (get_enum(c, &m, "operator", "operator", operator_names, LW_ARRAY_LEN(operator_names),
                 1, &e) == 1)
        r->op = (lw_rule_op) e;
    rc = get_list(c, &m, "conditions", &r->conditions, NULL);
    get_str(c, &m, "runbook", &r->runbook);
    check_scope(c, &m, r);

    switch (r->kind) {
    case LW_RULE_THRESHOLD:
        if (!has_cond)
            rule_needs(c, &m, r, "condition");
        break;
    case LW_RULE_STATISTICAL:
        if (!has_cond && !has_metric)
            rule_needs_either(c, &m, r, "condition", "metric");
        if (map_get(c, &m, "lookback_window") == NULL)
            rule_needs(c, &m, r, "lookback_window");
        if (!r->has_k)
            r->k = 3.0;
        break;
    case LW_RULE_TREND:
    case LW_RULE_FORECAST:
        if (!has_cond && !(has_metric && r->has_threshold)) {
            if (has_metric)
                rule_needs(c, &m, r, "threshold");
            else
                rule_needs_either(c, &m, r, "condition", "metric");
        }
        if (r->kind == LW_RULE_TREND && map_get(c, &m, "window") == NULL)
            rule_needs(c, &m, r, "window");
        if (r->kind == LW_RULE_FORECAST && map_get(c, &m, "horizon") == NULL)
            rule_needs(c, &m, r, "horizon");
        break;
    case LW_RULE_COMPOSITE:
        if (rc == 0 || (rc == 1 && r->conditions.n == 0))
            rule_needs(c, &m, r, "conditions");
        break;
    case LW_RULE_BURN_RATE:
        if (!r->has_slo_target && map_get(c, &m, "slo_target") == NULL)
            rule_needs(c, &m, r, "slo_target");
        if (r->period == 0)
            r->period = 30 * 86400;
        if (r->metric == NULL)
            r->metric = "error_rate";
        break;
    default:
        break;
    }

    if (r->name != NULL) {
        for (i = 0; i < index; i++) {
            if (lw_streq(c->cfg->rules[i].name, r->name)) {
                ERR(c, name_node(c, &m, "name", NULL), "duplicate rule name '%s' (first at "
                    "line %d)", r->name, c->cfg->rules[i].line);
                break;
            }
        }
    }
}

static void
parse_rules(struct ctx *c, const struct map *alerts)
{
    yaml_node_t *seq = get_seq(c, alerts, "rules", "- name: ...");
    lw_config_rule *r;
    size_t i, n;

    if (seq == NULL || (n = seq_len(seq)) == 0)
        return;
    c->cfg->rules = cx_alloc(c, n * sizeof(lw_config_rule));
    if (c->cfg->rules == NULL)
        return;
    for (i = 0; i < n; i++) {
        parse_rule(c, seq_item(c, seq, i), &c->cfg->rules[i], i);
        c->cfg->n_rules = i + 1;
    }
    for (i = 0; i < n; i++) {
        r = &c->cfg->rules[i];
        if (r->enabled && r->name && c->cfg->routing[r->severity].n == 0)
            lw_diag_add(c->diag, LW_DIAG_WARNING, c->file, r->line, r->col,
                        "no channel receives %s alerts: rule '%s' will be recorded but "
                        "not sent", severity_names[r->severity], r->name);
    }
}

/* ==== top level ==== */

static const char *const root_keys[] = { "monitoring" };
static const char *const monitoring_keys[] = {
    "environment", "models", "schedule", "alerts", "probe",
};
static const char *const alerts_keys[] = { "channels", "rules", "routing" };
static const char *const probe_keys[] = { "suite" };

static void
parse_root(struct ctx *c, yaml_node_t *root)
{
    struct map rm, mon, alerts, probe;
    yaml_node_t *v;
    const char *env;

    c->cfg->environment = "production";
    c->cfg->probe_suite = "quick";
    set_job_defaults(c);
    if (map_open(c, root, "the top level", root_keys, LW_ARRAY_LEN(root_keys), &rm) < 0)
        return;
    v = map_get(c, &rm, "monitoring");
    if (v == NULL) {
        map_require(c, &rm, "monitoring", NULL);
        return;
    }
    if (map_open(c, v, "monitoring", monitoring_keys, LW_ARRAY_LEN(monitoring_keys), &mon) < 0)
        return;
    if (get_str(c, &mon, "environment", &env) == 1) {
        if (strspn(env, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
            != strlen(env))
            ERR(c, map_get(c, &mon, "environment"), "'environment' may only contain letters, "
                "digits, '_', '.' and '-', not '%.60s'", env);
        c->cfg->environment = env;
    }
    parse_models(c, &mon);
    if (map_get(c, &mon, "schedule") != NULL)
        parse_schedule(c, &mon);
    v = map_get(c, &mon, "alerts");
    if (v != NULL && map_open(c, v, "alerts", alerts_keys, LW_ARRAY_LEN(alerts_keys),
                              &alerts) == 0) {
        parse_channels(c, &alerts);
        parse_routing(c, &alerts);
        parse_rules(c, &alerts);
    }
    v = map_get(c, &mon, "probe");
    if (v != NULL && map_open(c, v, "probe", probe_keys, LW_ARRAY_LEN(probe_keys), &probe) == 0)
        get_str(c, &probe, "suite", &c->cfg->probe_suite);
}

static void
yaml_error(struct ctx *c, yaml_parser_t *p)
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

int
lw_config_load_string(const char *name, const char *text, size_t len, lw_config **out,
                      lw_diag *diags)
{
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    yaml_node_t *root, *second;
    struct ctx c;
    lw_config *cfg = NULL;
    int rc = LW_OK, have_doc = 0, errors0 = diags->errors;
    size_t n0 = diags->n;

    *out = NULL;
    memset(&c, 0, sizeof(c));
    c.diag = diags;
    c.file = name;
    c.doc = &doc;
    if (!yaml_parser_initialize(&parser))
        return LW_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
    c.pool = lw_pool_create();
    if (c.pool == NULL || (cfg = lw_pool_alloc(c.pool, sizeof(*cfg))) == NULL) {
        rc = LW_ENOMEM;
        goto cleanup;
    }
    cfg->pool = c.pool;
    cfg->path = lw_pool_strdup(c.pool, name);
    c.cfg = cfg;
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_error(&c, &parser);
        rc = c.oom ? LW_ENOMEM : LW_EINVAL;
        goto cleanup;
    }
    have_doc = 1;
    root = yaml_document_get_root_node(&doc);
    if (root == NULL) {
        lw_diag_add(diags, LW_DIAG_ERROR, name, 1, 1, "the file is empty: expected "
                    "'monitoring:' with at least 'models:'");
        rc = LW_EINVAL;
        goto cleanup;
    }
    /* a second document ("---") would be silently ignored: refuse it */
    if (!yaml_parser_load(&parser, &extra)) {
        yaml_error(&c, &parser);
    } else {
        second = yaml_document_get_root_node(&extra);
        if (second != NULL)
            lw_diag_add(diags, LW_DIAG_ERROR, name, (int) second->start_mark.line + 1,
                        (int) second->start_mark.column + 1, "only one YAML document is "
                        "allowed ('---' starts another)");
        yaml_document_delete(&extra);
    }
    c.nnodes = (size_t) (doc.nodes.top - doc.nodes.start);
    c.expanded = lw_pool_alloc(c.pool, (c.nnodes + 1) * sizeof(*c.expanded));
    if (c.expanded == NULL) {
        rc = LW_ENOMEM;
        goto cleanup;
    }
    parse_root(&c, root);
    if (c.oom)
        rc = LW_ENOMEM;
    else if (diags->errors > errors0)
        rc = LW_EINVAL;

cleanup:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    diag_sort_from(diags, n0);
    if (rc != LW_OK) {
        lw_pool_destroy(c.pool);
        return rc;
    }
    *out = cfg;
    return LW_OK;
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

const lw_config_model *
lw_config_find_model(const lw_config *cfg, const char *name)
{
    size_t i;

    for (i = 0; cfg && i < cfg->n_models; i++)
        if (lw_streq(cfg->models[i].name, name))
            return &cfg->models[i];
    return NULL;
}

const lw_config_channel *
lw_config_find_channel(const lw_config *cfg, const char *name)
{
    size_t i;

    for (i = 0; cfg && i < cfg->n_channels; i++)
        if (lw_streq(cfg->channels[i].name, name))
            return &cfg->channels[i];
    return NULL;
}

const lw_config_rule *
lw_config_find_rule(const lw_config *cfg, const char *name)
{
    size_t i;

    for (i = 0; cfg && i < cfg->n_rules; i++)
        if (lw_streq(cfg->rules[i].name, name))
            return &cfg->rules[i];
    return NULL;
}
