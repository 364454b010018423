/* scenario.c: the simulator's scenario file (YAML): per model name, glob or
 * "default", the latency distributions, failure rates and drift that shape
 * each reply. Unknown keys and wrong types are errors with file:line:col. */
#include "schedule.h"
#include "sim.h"
#include "times.h"

#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Rate keys, shared by scenarios and drift entries. */
static const struct {
    const char *key;
    int         outcome;
} rate_keys[] = {
    { "error_rate",       LW_SIM_OUT_ERROR_500 },
    { "rate_limit_rate",  LW_SIM_OUT_RATE_LIMITED },
    { "auth_error_rate",  LW_SIM_OUT_AUTH },
    { "overloaded_rate",  LW_SIM_OUT_OVERLOADED },
    { "truncate_rate",    LW_SIM_OUT_TRUNCATED },
    { "no_usage_rate",    LW_SIM_OUT_NO_USAGE },
    { "malformed_rate",   LW_SIM_OUT_MALFORMED },
    { "empty_rate",       LW_SIM_OUT_EMPTY },
    { "hang_rate",        LW_SIM_OUT_HANG },
    { "oversize_rate",    LW_SIM_OUT_OVERSIZE },
    { "tool_call_rate",   LW_SIM_OUT_TOOL_CALL },
    { "refusal_rate",     LW_SIM_OUT_REFUSAL },
    { "no_done_rate",     LW_SIM_OUT_NO_DONE },
    { "no_terminator_rate", LW_SIM_OUT_NO_TERMINATOR },
};

/* The keys of a scenario and of a drift entry: their own, then the rates. */
static const char *const scenario_own[] = {
    "ttft_ms", "inter_token_ms", "headers_ms", "output_tokens", "reasoning_tokens", "slow_drip",
    "retry_after", "api_key", "accuracy", "require_key", "late_input_tokens", "empty_delta_first",
    "sse_crlf", "thoughts_tokens", "oversize_bytes", "versions", "version_every_minutes", "drift",
};
static const char *const drift_own[] = {
    "after_minutes", "until_minutes", "from", "until", "weekday", "weekdays", "hours",
    "ttft_factor", "inter_token_factor",
};
#define MAX_KEYS (LW_ARRAY_LEN(scenario_own) + LW_ARRAY_LEN(rate_keys))

/* own[] followed by the rate keys, into keys (MAX_KEYS); returns the count. */
static size_t
with_rates(const char *const *own, size_t n, const char **keys)
{
    size_t i;

    for (i = 0; i < n; i++)
        keys[i] = own[i];
    for (i = 0; i < LW_ARRAY_LEN(rate_keys); i++)
        keys[n + i] = rate_keys[i].key;
    return n + LW_ARRAY_LEN(rate_keys);
}

/* A number at least lo (and at most hi when hi >= lo): 1 set, 0 absent,
 * -1 wrong (reported with `what`). */
static int
number(lw_ymap_doc *d, const lw_ymap *m, const char *key, double lo, double hi,
       const char *what, double *out)
{
    yaml_node_t *v;
    double x;
    int rc = lw_ymap_double(d, m, key, &x, &v);

    if (rc != 1)
        return rc;
    if (x < lo || (hi >= lo && x > hi)) {
        LW_YMAP_ERR(d, v, "%s", what);
        return -1;
    }
    *out = x;
    return 1;
}

static int
rate(lw_ymap_doc *d, const lw_ymap *m, const char *key, double *out)
{
    return number(d, m, key, 0, 1, "a rate must be between 0 and 1", out);
}

/* `600` (fixed) or {dist, mean, stddev, min, max}. */
static void
parse_dist(lw_ymap_doc *y, yaml_node_t *n, const char *key, lw_sim_dist *d)
{
    static const char *const kinds[] = { "fixed", "normal", "lognormal", "uniform" };
    static const char *const keys[] = { "dist", "mean", "stddev", "min", "max" };
    const char *s;
    char *end = NULL;
    lw_ymap m;
    int kind = -1, has_mean;

    memset(d, 0, sizeof(*d));
    if (n->type == YAML_SCALAR_NODE) {
        d->kind = LW_SIM_DIST_FIXED;
        s = lw_ymap_scalar(y, n, key);
        d->mean = s != NULL && *s != '\0' ? strtod(s, &end) : -1;
        if (s == NULL || *s == '\0' || *end != '\0' || !isfinite(d->mean) || d->mean < 0)
            LW_YMAP_ERR(y, n, "'%s' must be a number of at least 0 or {dist, mean, stddev, "
                        "min, max}", key);
        return;
    }
    if (lw_ymap_open(y, n, key, keys, LW_ARRAY_LEN(keys), &m) < 0)
        return;
    lw_ymap_enum(y, &m, "dist", "dist", kinds, LW_ARRAY_LEN(kinds), 0, &kind);
    has_mean = number(y, &m, "mean", 0, -1, "mean must not be negative", &d->mean) == 1;
    number(y, &m, "stddev", 0, -1, "stddev must not be negative", &d->stddev);
    d->has_min = number(y, &m, "min", 0, -1, "min must not be negative", &d->min) == 1;
    d->has_max = number(y, &m, "max", 0, -1, "max must not be negative", &d->max) == 1;
    d->kind = kind >= 0 ? kind
              : (!has_mean && d->has_min && d->has_max) ? LW_SIM_DIST_UNIFORM : LW_SIM_DIST_FIXED;
    if (d->kind == LW_SIM_DIST_UNIFORM && !(d->has_min && d->has_max))
        LW_YMAP_ERR(y, n, "a uniform distribution needs min and max");
    else if (d->kind != LW_SIM_DIST_UNIFORM && !has_mean)
        LW_YMAP_ERR(y, n, "this distribution needs a mean");
    else if (d->kind == LW_SIM_DIST_LOGNORMAL && d->mean <= 0)
        LW_YMAP_ERR(y, n, "a lognormal distribution needs a mean above 0");
    else if (d->has_min && d->has_max && d->min > d->max)
        LW_YMAP_ERR(y, n, "min is above max");
}

/* A day by its name or its first three letters, any case: its bit. */
static int
weekday_bit(const char *s)
{
    int i = lw_ymap_index(s, lw_sched_weekdays, 7, 1);

    while (i < 0 && strlen(s) == 3 && ++i < 7 && strncasecmp(s, lw_sched_weekdays[i], 3) != 0)
        ;
    return i < 7 ? i : -1;
}

/* A weekday or a list of them. */
static void
parse_weekdays(lw_ymap_doc *y, yaml_node_t *n, unsigned *out)
{
    size_t i, cnt = n->type == YAML_SEQUENCE_NODE ? lw_ymap_seq_len(n) : 1;
    yaml_node_t *e;
    int b;

    for (i = 0; i < cnt; i++) {
        e = n->type == YAML_SEQUENCE_NODE ? lw_ymap_seq_item(y, n, i) : n;
        if (e->type != YAML_SCALAR_NODE) {
            LW_YMAP_ERR(y, e, "expected a weekday or a list of weekdays");
            return;
        }
        if ((b = weekday_bit(lw_ymap_raw(e))) < 0) {
            LW_YMAP_ERR(y, e, "unknown weekday \"%s\"", lw_ymap_raw(e));
            return;
        }
        *out |= 1u << b;
    }
}

/* "9-17" (UTC, end exclusive; "22-6" wraps past midnight) or "9". */
static void
parse_hours(lw_ymap_doc *y, yaml_node_t *n, int *from, int *to)
{
    const char *s = lw_sim_yaml_scalar(n);
    char *end;
    long a, b = -1;

    if (s == NULL)
        goto bad;
    a = strtol(s, &end, 10);
    if (end == s)
        goto bad;
    if (*end == '\0') {
        b = a + 1;
    } else if (*end == '-') {
        s = end + 1;
        b = strtol(s, &end, 10);
        if (end == s || *end != '\0')
            goto bad;
    } else {
        goto bad;
    }
    if (a < 0 || a > 23 || b < 0 || b > 24 || a == b)
        goto bad;
    *from = (int) a;
    *to = (int) b;
    return;
bad:
    LW_YMAP_ERR(y, n, "hours must look like \"9-17\" (UTC, 0-24)");
}

/* An RFC3339 time: 1 set, 0 absent, -1 wrong (reported). */
static int
parse_time(lw_ymap_doc *y, const lw_ymap *m, const char *key, int64_t *out)
{
    yaml_node_t *v = lw_ymap_get(y, m, key);
    const char *s;

    if (lw_ymap_str(y, m, key, &s) != 1)
        return 0;
    if (lw_time_parse_us(s, out) != LW_OK) {
        LW_YMAP_ERR(y, v, "expected an RFC3339 time such as 2024-06-04T09:00:00Z");
        return -1;
    }
    return 1;
}

static double
rate_sum(const double *r)
{
    double s = 0;
    int i;

    for (i = 0; i < LW_SIM_OUT_N; i++)
        s += r[i];
    return s;
}

/* The rate keys of m into rate (has: which were set); how many were. */
static int
parse_rates(lw_ymap_doc *y, const lw_ymap *m, double *r, int *has)
{
    size_t i;
    int n = 0, o;

    for (i = 0; i < LW_ARRAY_LEN(rate_keys); i++) {
        o = rate_keys[i].outcome;
        if (rate(y, m, rate_keys[i].key, &r[o]) == 1) {
            if (has != NULL)
                has[o] = 1;
            n++;
        }
    }
    return n;
}

static void
parse_drift_entry(lw_ymap_doc *y, yaml_node_t *n, const lw_sim_scenario *sc, lw_sim_drift *dr)
{
    const char *keys[MAX_KEYS];
    size_t nkeys = with_rates(drift_own, LW_ARRAY_LEN(drift_own), keys);
    double merged[LW_SIM_OUT_N];
    yaml_node_t *v;
    lw_ymap m;
    int i, effects, errors = y->diag->errors;

    memset(dr, 0, sizeof(*dr));
    dr->hour_from = dr->hour_to = -1;
    dr->ttft_factor = dr->itl_factor = 1.0;
    if (lw_ymap_open(y, n, "a drift entry", keys, nkeys, &m) < 0)
        return;
    dr->has_after = number(y, &m, "after_minutes", 0, -1, "must not be negative", &dr->after_min) == 1;
    dr->has_until = number(y, &m, "until_minutes", 0, -1, "must not be negative", &dr->until_min) == 1;
    dr->has_from = parse_time(y, &m, "from", &dr->from_us) == 1;
    dr->has_to = parse_time(y, &m, "until", &dr->to_us) == 1;
    if ((v = lw_ymap_get(y, &m, "weekday")) != NULL || (v = lw_ymap_get(y, &m, "weekdays")) != NULL)
        parse_weekdays(y, v, &dr->weekdays);
    if ((v = lw_ymap_get(y, &m, "hours")) != NULL)
        parse_hours(y, v, &dr->hour_from, &dr->hour_to);
    effects = number(y, &m, "ttft_factor", 0, -1, "must not be negative", &dr->ttft_factor) == 1;
    effects += number(y, &m, "inter_token_factor", 0, -1, "must not be negative",
                      &dr->itl_factor) == 1;
    effects += parse_rates(y, &m, dr->rate, dr->has_rate);
    if (y->diag->errors > errors)
        return;
    if (effects == 0)
        LW_YMAP_ERR(y, n, "a drift entry needs an effect (ttft_factor, inter_token_factor or a "
                    "*_rate)");
    else if (dr->has_after && dr->has_until && dr->until_min <= dr->after_min)
        LW_YMAP_ERR(y, n, "until_minutes must be after after_minutes");
    else if (dr->has_from && dr->has_to && dr->to_us <= dr->from_us)
        LW_YMAP_ERR(y, n, "until must be after from");
    for (i = 0; i < LW_SIM_OUT_N; i++)
        merged[i] = dr->has_rate[i] ? dr->rate[i] : sc->rate[i];
    if (rate_sum(merged) > 1.0 + 1e-9)
        LW_YMAP_ERR(y, n, "with this drift the rates add up to more than 1");
}

static void
scenario_defaults(lw_sim_scenario *sc)
{
    memset(sc, 0, sizeof(*sc));
    sc->ttft.kind = LW_SIM_DIST_FIXED;
    sc->ttft.mean = 300;
    sc->itl.kind = LW_SIM_DIST_FIXED;
    sc->itl.mean = 20;
    sc->headers.kind = LW_SIM_DIST_FIXED;
    sc->out_tokens.kind = LW_SIM_DIST_UNIFORM;
    sc->out_tokens.min = 20;
    sc->out_tokens.max = 60;
    sc->out_tokens.has_min = sc->out_tokens.has_max = 1;
    sc->retry_after = 1;
    sc->accuracy = 0.95;
    sc->slow_drip_ms = 1000;
    sc->oversize_bytes = 3 * 1024 * 1024;
    sc->sse_crlf = -1;
    sc->require_key = 1;
}

static void
scenario_clear(lw_sim_scenario *sc)
{
    free(sc->name);
    free(sc->api_key);
    free(sc->drift);
    lw_sim_free_strings(sc->versions, sc->n_versions);
}

/* slow_drip: {rate, interval_ms}. */
static void
parse_slow_drip(lw_ymap_doc *y, yaml_node_t *n, lw_sim_scenario *sc)
{
    static const char *const keys[] = { "rate", "interval_ms" };
    lw_ymap m;

    if (lw_ymap_open(y, n, "slow_drip", keys, LW_ARRAY_LEN(keys), &m) < 0)
        return;
    rate(y, &m, "rate", &sc->rate[LW_SIM_OUT_SLOW_DRIP]);
    number(y, &m, "interval_ms", 1, -1, "interval_ms must be at least 1", &sc->slow_drip_ms);
}

/* versions: a version or a list of them. */
static void
parse_versions(lw_ymap_doc *y, const lw_ymap *m, lw_sim_scenario *sc)
{
    yaml_node_t *v = lw_ymap_get(y, m, "versions");
    lw_strlist l;
    size_t i;

    memset(&l, 0, sizeof(l));
    if (v == NULL || lw_ymap_list(y, m, "versions", &l, NULL) != 1)
        return;
    sc->versions = calloc(l.n, sizeof(char *));
    for (i = 0; sc->versions != NULL && i < l.n; i++)
        sc->versions[sc->n_versions++] = lw_strdup(l.v[i]);
}

static void
parse_scenario(lw_ymap_doc *y, yaml_node_t *kn, yaml_node_t *n, lw_sim_scenario *sc)
{
    const char *keys[MAX_KEYS], *s;
    size_t nkeys = with_rates(scenario_own, LW_ARRAY_LEN(scenario_own), keys), i;
    yaml_node_t *v;
    int64_t iv;
    bool b;
    lw_ymap m;
    int line;

    scenario_defaults(sc);
    sc->name = lw_strdup(lw_ymap_raw(kn));
    sc->is_default = strcmp(sc->name, "default") == 0;
    sc->is_glob = strpbrk(sc->name, "*?[") != NULL;
    lw_ymap_pos(kn, &sc->line, &line);
    if (lw_ymap_is_null(n))
        return;    /* "model:" with nothing: all defaults */
    if (lw_ymap_open(y, n, "a scenario", keys, nkeys, &m) < 0)
        return;
    if ((v = lw_ymap_get(y, &m, "ttft_ms")) != NULL)
        parse_dist(y, v, "ttft_ms", &sc->ttft);
    if ((v = lw_ymap_get(y, &m, "inter_token_ms")) != NULL)
        parse_dist(y, v, "inter_token_ms", &sc->itl);
    if ((v = lw_ymap_get(y, &m, "headers_ms")) != NULL)
        parse_dist(y, v, "headers_ms", &sc->headers);
    if ((v = lw_ymap_get(y, &m, "output_tokens")) != NULL)
        parse_dist(y, v, "output_tokens", &sc->out_tokens);
    if ((v = lw_ymap_get(y, &m, "reasoning_tokens")) != NULL) {
        parse_dist(y, v, "reasoning_tokens", &sc->reasoning);
        sc->has_reasoning = 1;
    }
    parse_rates(y, &m, sc->rate, NULL);
    if ((v = lw_ymap_get(y, &m, "slow_drip")) != NULL)
        parse_slow_drip(y, v, sc);
    if (lw_ymap_int(y, &m, "retry_after", 0, 86400, &iv) == 1)
        sc->retry_after = (long) iv;
    if (lw_ymap_str(y, &m, "api_key", &s) == 1)
        sc->api_key = lw_strdup(s);
    rate(y, &m, "accuracy", &sc->accuracy);
    if (lw_ymap_bool(y, &m, "require_key", &b) == 1)
        sc->require_key = b;
    if (lw_ymap_bool(y, &m, "late_input_tokens", &b) == 1)
        sc->late_input_tokens = b;
    if (lw_ymap_bool(y, &m, "empty_delta_first", &b) == 1)
        sc->empty_delta_first = b;
    if (lw_ymap_bool(y, &m, "sse_crlf", &b) == 1)
        sc->sse_crlf = b;
    if (lw_ymap_int(y, &m, "thoughts_tokens", 0, 100000000, &iv) == 1)
        sc->thoughts_tokens = (long) iv;
    if (lw_ymap_int(y, &m, "oversize_bytes", 1, 1024L * 1024 * 1024, &iv) == 1)
        sc->oversize_bytes = (long) iv;
    parse_versions(y, &m, sc);
    number(y, &m, "version_every_minutes", 0, -1, "must not be negative", &sc->version_minutes);
    if (rate_sum(sc->rate) > 1.0 + 1e-9)
        LW_YMAP_ERR(y, n, "the rates of \"%s\" add up to more than 1", sc->name);
    if ((v = lw_ymap_seq(y, &m, "drift", "- {after_minutes: 30, ttft_factor: 2}")) == NULL)
        return;
    sc->n_drift = lw_ymap_seq_len(v);
    if ((sc->drift = calloc(sc->n_drift ? sc->n_drift : 1, sizeof(*sc->drift))) == NULL) {
        y->oom = 1;
        return;
    }
    for (i = 0; i < sc->n_drift; i++)
        parse_drift_entry(y, lw_ymap_seq_item(y, v, i), sc, &sc->drift[i]);
}

int
lw_sim_scenarios_load(const char *path, lw_sim_scenarios **out, lw_err *err)
{
    static const char *const root_keys[] = { "seed", "models" };
    lw_sim_yaml y;
    lw_sim_scenarios *s = NULL;
    yaml_node_t *models, *kn;
    yaml_node_pair_t *p;
    lw_ymap m;
    int64_t seed;
    size_t i;
    int rc;

    *out = NULL;
    rc = lw_sim_yaml_load(&y, path, "a mapping with seed and models", err);
    if (rc != LW_OK)
        goto cleanup;
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        rc = LW_ENOMEM;
        goto cleanup;
    }
    s->path = lw_strdup(path);
    s->seed = 1;
    if (lw_ymap_open(&y.doc, y.root, "the top level", root_keys, LW_ARRAY_LEN(root_keys), &m) < 0)
        goto done;
    if (lw_ymap_int(&y.doc, &m, "seed", 0, INT64_MAX, &seed) == 1) {
        s->seed = (uint64_t) seed;
        s->has_seed = 1;
    }
    models = lw_ymap_get(&y.doc, &m, "models");
    if (models == NULL || models->type != YAML_MAPPING_NODE) {
        LW_YMAP_ERR(&y.doc, models != NULL ? models : y.root,
                    "models must be a mapping of model name to scenario");
        goto done;
    }
    s->v = calloc((size_t) (models->data.mapping.pairs.top - models->data.mapping.pairs.start) + 1,
                  sizeof(*s->v));
    if (s->v == NULL) {
        rc = LW_ENOMEM;
        goto cleanup;
    }
    for (p = models->data.mapping.pairs.start; p < models->data.mapping.pairs.top; p++) {
        kn = lw_ymap_node_at(&y.doc, p->key);
        if (kn->type != YAML_SCALAR_NODE || lw_ymap_raw(kn)[0] == '\0') {
            LW_YMAP_ERR(&y.doc, kn, "a model name must be a non-empty string");
            continue;
        }
        for (i = 0; i < s->n; i++)
            if (strcmp(s->v[i].name, lw_ymap_raw(kn)) == 0)
                LW_YMAP_ERR(&y.doc, kn, "model \"%s\" appears twice", lw_ymap_raw(kn));
        parse_scenario(&y.doc, kn, lw_ymap_node_at(&y.doc, p->value), &s->v[s->n++]);
    }
done:
    rc = lw_sim_yaml_done(&y, err);
cleanup:
    lw_sim_yaml_free(&y);
    if (rc != LW_OK) {
        lw_sim_scenarios_free(s);
        return rc;
    }
    *out = s;
    return LW_OK;
}

lw_sim_scenarios *
lw_sim_scenarios_builtin(void)
{
    lw_sim_scenarios *s = calloc(1, sizeof(*s));

    if (s == NULL || (s->v = calloc(1, sizeof(*s->v))) == NULL) {
        free(s);
        return NULL;
    }
    s->path = lw_strdup("(built-in)");
    s->seed = 1;
    scenario_defaults(&s->v[0]);
    s->v[0].name = lw_strdup("default");
    s->v[0].is_default = 1;
    s->n = 1;
    return s;
}

void
lw_sim_scenarios_free(lw_sim_scenarios *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n; i++)
        scenario_clear(&s->v[i]);
    free(s->v);
    free(s->path);
    free(s);
}

const lw_sim_scenario *
lw_sim_scenario_find(const lw_sim_scenarios *s, const char *model)
{
    const lw_sim_scenario *def = NULL;
    size_t i;

    if (model == NULL)
        return NULL;
    for (i = 0; i < s->n; i++)
        if (!s->v[i].is_glob && strcmp(s->v[i].name, model) == 0)
            return &s->v[i];
    for (i = 0; i < s->n; i++) {
        if (s->v[i].is_glob && fnmatch(s->v[i].name, model, 0) == 0)
            return &s->v[i];
        if (s->v[i].is_default)
            def = &s->v[i];
    }
    return def;
}

static int
drift_active(const lw_sim_drift *d, int64_t wall_us, double minutes)
{
    time_t t;
    struct tm tm;
    int hour;

    if (d->has_after && minutes < d->after_min)
        return 0;
    if (d->has_until && minutes >= d->until_min)
        return 0;
    if (d->has_from && wall_us < d->from_us)
        return 0;
    if (d->has_to && wall_us >= d->to_us)
        return 0;
    if (d->weekdays == 0 && d->hour_from < 0)
        return 1;
    t = (time_t) (wall_us / 1000000);
    gmtime_r(&t, &tm);
    if (d->weekdays != 0 && !(d->weekdays & (1u << tm.tm_wday)))
        return 0;
    if (d->hour_from >= 0) {
        hour = tm.tm_hour;
        if (d->hour_from < d->hour_to)
            return hour >= d->hour_from && hour < d->hour_to;
        return hour >= d->hour_from || hour < d->hour_to;
    }
    return 1;
}

void
lw_sim_scenario_effective(const lw_sim_scenario *sc, int64_t wall_us,
                          double minutes_since_start, lw_sim_effective *out)
{
    size_t i;
    int o;

    out->ttft_factor = out->itl_factor = 1.0;
    memcpy(out->rate, sc->rate, sizeof(out->rate));
    for (i = 0; i < sc->n_drift; i++) {
        const lw_sim_drift *d = &sc->drift[i];

        if (!drift_active(d, wall_us, minutes_since_start))
            continue;
        /* factors of overlapping entries multiply; rates: the last one wins */
        out->ttft_factor *= d->ttft_factor;
        out->itl_factor *= d->itl_factor;
        for (o = 0; o < LW_SIM_OUT_N; o++)
            if (d->has_rate[o])
                out->rate[o] = d->rate[o];
    }
}
