/* scenario.c: the simulator's scenario file (YAML): per model name, glob or
 * "default", the latency distributions, failure rates and drift that shape
 * each reply. Unknown keys and wrong types are errors with file:line:col. */
#include "sim.h"
#include "times.h"

#include <ctype.h>
#include <fnmatch.h>
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

static int
rate_key(const char *k)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(rate_keys); i++)
        if (strcmp(rate_keys[i].key, k) == 0)
            return rate_keys[i].outcome;
    return -1;
}

static int
parse_rate(lw_sim_yaml *y, yaml_node_t *n, double *out, lw_err *err)
{
    if (lw_sim_yaml_num(y, n, out, err) != LW_OK)
        return LW_EINVAL;
    if (*out < 0 || *out > 1) {
        lw_sim_yaml_error(err, y, n, "a rate must be between 0 and 1");
        return LW_EINVAL;
    }
    return LW_OK;
}

static int
parse_nonneg(lw_sim_yaml *y, yaml_node_t *n, double *out, lw_err *err)
{
    if (lw_sim_yaml_num(y, n, out, err) != LW_OK)
        return LW_EINVAL;
    if (*out < 0) {
        lw_sim_yaml_error(err, y, n, "must not be negative");
        return LW_EINVAL;
    }
    return LW_OK;
}

/* `600` (fixed) or {dist, mean, stddev, min, max}. */
static int
parse_dist(lw_sim_yaml *y, yaml_node_t *n, lw_sim_dist *d, lw_err *err)
{
    static const char *kinds[] = { "fixed", "normal", "lognormal", "uniform" };
    yaml_node_pair_t *p;
    int has_mean = 0, has_kind = 0;
    size_t i;

    memset(d, 0, sizeof(*d));
    if (n->type == YAML_SCALAR_NODE) {
        d->kind = LW_SIM_DIST_FIXED;
        return parse_nonneg(y, n, &d->mean, err);
    }
    if (n->type != YAML_MAPPING_NODE) {
        lw_sim_yaml_error(err, y, n, "expected a number or {dist, mean, stddev, min, max}");
        return LW_EINVAL;
    }
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = lw_sim_yaml_get(y, p->key), *vn = lw_sim_yaml_get(y, p->value);
        const char *k = lw_sim_yaml_scalar(kn), *v;
        int rc;

        if (k == NULL) {
            lw_sim_yaml_error(err, y, kn, "expected a key");
            return LW_EINVAL;
        }
        if (strcmp(k, "dist") == 0) {
            if (lw_sim_yaml_str(y, vn, &v, err) != LW_OK)
                return LW_EINVAL;
            for (i = 0; i < LW_ARRAY_LEN(kinds); i++)
                if (strcmp(v, kinds[i]) == 0)
                    break;
            if (i == LW_ARRAY_LEN(kinds)) {
                lw_sim_yaml_error(err, y, vn, "unknown dist \"%s\" (fixed, normal, lognormal, uniform)", v);
                return LW_EINVAL;
            }
            d->kind = (int) i;
            has_kind = 1;
            continue;
        }
        if (strcmp(k, "mean") == 0) {
            rc = parse_nonneg(y, vn, &d->mean, err);
            has_mean = 1;
        } else if (strcmp(k, "stddev") == 0) {
            rc = parse_nonneg(y, vn, &d->stddev, err);
        } else if (strcmp(k, "min") == 0) {
            rc = parse_nonneg(y, vn, &d->min, err);
            d->has_min = 1;
        } else if (strcmp(k, "max") == 0) {
            rc = parse_nonneg(y, vn, &d->max, err);
            d->has_max = 1;
        } else {
            lw_sim_yaml_error(err, y, kn, "unknown key \"%s\" (dist, mean, stddev, min, max)", k);
            return LW_EINVAL;
        }
        if (rc != LW_OK)
            return rc;
    }
    if (!has_kind)
        d->kind = (!has_mean && d->has_min && d->has_max) ? LW_SIM_DIST_UNIFORM : LW_SIM_DIST_FIXED;
    if (d->kind == LW_SIM_DIST_UNIFORM && !(d->has_min && d->has_max)) {
        lw_sim_yaml_error(err, y, n, "a uniform distribution needs min and max");
        return LW_EINVAL;
    }
    if (d->kind != LW_SIM_DIST_UNIFORM && !has_mean) {
        lw_sim_yaml_error(err, y, n, "this distribution needs a mean");
        return LW_EINVAL;
    }
    if (d->kind == LW_SIM_DIST_LOGNORMAL && d->mean <= 0) {
        lw_sim_yaml_error(err, y, n, "a lognormal distribution needs a mean above 0");
        return LW_EINVAL;
    }
    if (d->has_min && d->has_max && d->min > d->max) {
        lw_sim_yaml_error(err, y, n, "min is above max");
        return LW_EINVAL;
    }
    return LW_OK;
}

static int
weekday_bit(const char *s)
{
    static const char *days[] = { "sunday", "monday", "tuesday", "wednesday",
                                  "thursday", "friday", "saturday" };
    size_t i, n = strlen(s);

    for (i = 0; i < LW_ARRAY_LEN(days); i++)
        if (strcasecmp(s, days[i]) == 0 || (n == 3 && strncasecmp(s, days[i], 3) == 0))
            return (int) i;
    return -1;
}

static int
parse_weekdays(lw_sim_yaml *y, yaml_node_t *n, unsigned *out, lw_err *err)
{
    yaml_node_item_t *it;
    int b;

    if (n->type == YAML_SCALAR_NODE) {
        b = weekday_bit(lw_sim_yaml_scalar(n));
        if (b < 0) {
            lw_sim_yaml_error(err, y, n, "unknown weekday \"%s\"", lw_sim_yaml_scalar(n));
            return LW_EINVAL;
        }
        *out |= 1u << b;
        return LW_OK;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        lw_sim_yaml_error(err, y, n, "expected a weekday or a list of weekdays");
        return LW_EINVAL;
    }
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *e = lw_sim_yaml_get(y, *it);

        if (e->type != YAML_SCALAR_NODE) {
            lw_sim_yaml_error(err, y, e, "expected a weekday");
            return LW_EINVAL;
        }
        if (parse_weekdays(y, e, out, err) != LW_OK)
            return LW_EINVAL;
    }
    return LW_OK;
}

/* "9-17" (UTC, end exclusive; "22-6" wraps past midnight) or "9". */
static int
parse_hours(lw_sim_yaml *y, yaml_node_t *n, int *from, int *to, lw_err *err)
{
    const char *s = lw_sim_yaml_scalar(n);
    char *end;
    long a, b;

    if (s == NULL)
        goto bad;
    a = strtol(s, &end, 10);
    if (end == s)
        goto bad;
    if (*end == '\0') {
        b = a + 1;
    } else {
        const char *p = end;

        if (*p != '-')
            goto bad;
        b = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end != '\0')
            goto bad;
    }
    if (a < 0 || a > 23 || b < 0 || b > 24 || a == b)
        goto bad;
    *from = (int) a;
    *to = (int) b;
    return LW_OK;
bad:
    lw_sim_yaml_error(err, y, n, "hours must look like \"9-17\" (UTC, 0-24)");
    return LW_EINVAL;
}

static int
parse_time(lw_sim_yaml *y, yaml_node_t *n, int64_t *out, lw_err *err)
{
    const char *s;

    if (lw_sim_yaml_str(y, n, &s, err) != LW_OK)
        return LW_EINVAL;
    if (lw_time_parse_us(s, out) != LW_OK) {
        lw_sim_yaml_error(err, y, n, "expected an RFC3339 time such as 2024-06-04T09:00:00Z");
        return LW_EINVAL;
    }
    return LW_OK;
}

static double
rate_sum(const double *rate)
{
    double s = 0;
    int i;

    for (i = 0; i < LW_SIM_OUT_N; i++)
        s += rate[i];
    return s;
}

static int
parse_drift_entry(lw_sim_yaml *y, yaml_node_t *n, const lw_sim_scenario *sc,
                  lw_sim_drift *dr, lw_err *err)
{
    yaml_node_pair_t *p;
    double merged[LW_SIM_OUT_N];
    int i, effects = 0;

    memset(dr, 0, sizeof(*dr));
    dr->hour_from = dr->hour_to = -1;
    dr->ttft_factor = dr->itl_factor = 1.0;
    if (n->type != YAML_MAPPING_NODE) {
        lw_sim_yaml_error(err, y, n, "a drift entry is a mapping");
        return LW_EINVAL;
    }
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = lw_sim_yaml_get(y, p->key), *vn = lw_sim_yaml_get(y, p->value);
        const char *k = lw_sim_yaml_scalar(kn);
        int rc, o;

        if (k == NULL) {
            lw_sim_yaml_error(err, y, kn, "expected a key");
            return LW_EINVAL;
        }
        if (strcmp(k, "after_minutes") == 0) {
            rc = parse_nonneg(y, vn, &dr->after_min, err);
            dr->has_after = 1;
        } else if (strcmp(k, "until_minutes") == 0) {
            rc = parse_nonneg(y, vn, &dr->until_min, err);
            dr->has_until = 1;
        } else if (strcmp(k, "from") == 0) {
            rc = parse_time(y, vn, &dr->from_us, err);
            dr->has_from = 1;
        } else if (strcmp(k, "until") == 0) {
            rc = parse_time(y, vn, &dr->to_us, err);
            dr->has_to = 1;
        } else if (strcmp(k, "weekday") == 0 || strcmp(k, "weekdays") == 0) {
            rc = parse_weekdays(y, vn, &dr->weekdays, err);
        } else if (strcmp(k, "hours") == 0) {
            rc = parse_hours(y, vn, &dr->hour_from, &dr->hour_to, err);
        } else if (strcmp(k, "ttft_factor") == 0) {
            rc = parse_nonneg(y, vn, &dr->ttft_factor, err);
            effects++;
        } else if (strcmp(k, "inter_token_factor") == 0) {
            rc = parse_nonneg(y, vn, &dr->itl_factor, err);
            effects++;
        } else if ((o = rate_key(k)) >= 0) {
            rc = parse_rate(y, vn, &dr->rate[o], err);
            dr->has_rate[o] = 1;
            effects++;
        } else {
            lw_sim_yaml_error(err, y, kn, "unknown drift key \"%s\" (after_minutes, until_minutes, "
                              "from, until, weekday, hours, ttft_factor, inter_token_factor, "
                              "or a *_rate)", k);
            return LW_EINVAL;
        }
        if (rc != LW_OK)
            return rc;
    }
    if (effects == 0) {
        lw_sim_yaml_error(err, y, n, "a drift entry needs an effect (ttft_factor, "
                          "inter_token_factor or a *_rate)");
        return LW_EINVAL;
    }
    if (dr->has_after && dr->has_until && dr->until_min <= dr->after_min) {
        lw_sim_yaml_error(err, y, n, "until_minutes must be after after_minutes");
        return LW_EINVAL;
    }
    if (dr->has_from && dr->has_to && dr->to_us <= dr->from_us) {
        lw_sim_yaml_error(err, y, n, "until must be after from");
        return LW_EINVAL;
    }
    for (i = 0; i < LW_SIM_OUT_N; i++)
        merged[i] = dr->has_rate[i] ? dr->rate[i] : sc->rate[i];
    if (rate_sum(merged) > 1.0 + 1e-9) {
        lw_sim_yaml_error(err, y, n, "with this drift the rates add up to more than 1");
        return LW_EINVAL;
    }
    return LW_OK;
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
    size_t i;

    free(sc->name);
    free(sc->api_key);
    free(sc->drift);
    for (i = 0; i < sc->n_versions; i++)
        free(sc->versions[i]);
    free(sc->versions);
}

/* versions: a version string or a list of them. */
static int
parse_versions(lw_sim_yaml *y, yaml_node_t *n, lw_sim_scenario *sc, lw_err *err)
{
    yaml_node_item_t *it;
    const char *v;

    if (n->type == YAML_SCALAR_NODE) {
        sc->versions = calloc(1, sizeof(char *));
        if (sc->versions == NULL)
            return LW_ENOMEM;
        sc->versions[sc->n_versions++] = lw_strdup(lw_sim_yaml_scalar(n));
        return LW_OK;
    }
    if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top == n->data.sequence.items.start) {
        lw_sim_yaml_error(err, y, n, "versions is a version or a list of versions");
        return LW_EINVAL;
    }
    sc->versions = calloc((size_t) (n->data.sequence.items.top - n->data.sequence.items.start),
                          sizeof(char *));
    if (sc->versions == NULL)
        return LW_ENOMEM;
    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        if (lw_sim_yaml_str(y, lw_sim_yaml_get(y, *it), &v, err) != LW_OK)
            return LW_EINVAL;
        sc->versions[sc->n_versions++] = lw_strdup(v);
    }
    return LW_OK;
}

static int
parse_slow_drip(lw_sim_yaml *y, yaml_node_t *n, lw_sim_scenario *sc, lw_err *err)
{
    yaml_node_pair_t *p;

    if (n->type != YAML_MAPPING_NODE) {
        lw_sim_yaml_error(err, y, n, "slow_drip is {rate: R, interval_ms: N}");
        return LW_EINVAL;
    }
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = lw_sim_yaml_get(y, p->key), *vn = lw_sim_yaml_get(y, p->value);
        const char *k = lw_sim_yaml_scalar(kn);

        if (k != NULL && strcmp(k, "rate") == 0) {
            if (parse_rate(y, vn, &sc->rate[LW_SIM_OUT_SLOW_DRIP], err) != LW_OK)
                return LW_EINVAL;
        } else if (k != NULL && strcmp(k, "interval_ms") == 0) {
            if (parse_nonneg(y, vn, &sc->slow_drip_ms, err) != LW_OK)
                return LW_EINVAL;
            if (sc->slow_drip_ms < 1) {
                lw_sim_yaml_error(err, y, vn, "interval_ms must be at least 1");
                return LW_EINVAL;
            }
        } else {
            lw_sim_yaml_error(err, y, kn, "unknown slow_drip key (rate, interval_ms)");
            return LW_EINVAL;
        }
    }
    return LW_OK;
}

static int
parse_scenario(lw_sim_yaml *y, yaml_node_t *kn, yaml_node_t *n, lw_sim_scenario *sc,
               lw_err *err)
{
    yaml_node_pair_t *p;
    yaml_node_t *drift = NULL;
    const char *name = lw_sim_yaml_scalar(kn);
    int o;

    scenario_defaults(sc);
    if (name == NULL || *name == '\0') {
        lw_sim_yaml_error(err, y, kn, "a model name must be a non-empty string");
        return LW_EINVAL;
    }
    sc->name = lw_strdup(name);
    sc->is_default = strcmp(name, "default") == 0;
    sc->is_glob = strpbrk(name, "*?[") != NULL;
    sc->line = (int) kn->start_mark.line + 1;
    if (n->type == YAML_SCALAR_NODE && *lw_sim_yaml_scalar(n) == '\0')
        return LW_OK;    /* "model:" with nothing: all defaults */
    if (n->type != YAML_MAPPING_NODE) {
        lw_sim_yaml_error(err, y, n, "the scenario of \"%s\" must be a mapping", name);
        return LW_EINVAL;
    }
    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k2 = lw_sim_yaml_get(y, p->key), *vn = lw_sim_yaml_get(y, p->value);
        const char *k = lw_sim_yaml_scalar(k2), *s;
        double num;
        long iv;
        int rc = LW_OK;

        if (k == NULL) {
            lw_sim_yaml_error(err, y, k2, "expected a key");
            return LW_EINVAL;
        }
        if (strcmp(k, "ttft_ms") == 0) {
            rc = parse_dist(y, vn, &sc->ttft, err);
        } else if (strcmp(k, "inter_token_ms") == 0) {
            rc = parse_dist(y, vn, &sc->itl, err);
        } else if (strcmp(k, "headers_ms") == 0) {
            rc = parse_dist(y, vn, &sc->headers, err);
        } else if (strcmp(k, "output_tokens") == 0) {
            rc = parse_dist(y, vn, &sc->out_tokens, err);
        } else if ((o = rate_key(k)) >= 0) {
            rc = parse_rate(y, vn, &sc->rate[o], err);
        } else if (strcmp(k, "slow_drip") == 0) {
            rc = parse_slow_drip(y, vn, sc, err);
        } else if (strcmp(k, "retry_after") == 0) {
            rc = lw_sim_yaml_int(y, vn, &iv, err);
            if (rc == LW_OK && iv < 0) {
                lw_sim_yaml_error(err, y, vn, "retry_after must not be negative");
                rc = LW_EINVAL;
            }
            sc->retry_after = iv;
        } else if (strcmp(k, "api_key") == 0) {
            rc = lw_sim_yaml_str(y, vn, &s, err);
            if (rc == LW_OK)
                sc->api_key = lw_strdup(s);
        } else if (strcmp(k, "accuracy") == 0) {
            rc = parse_rate(y, vn, &num, err);
            sc->accuracy = num;
        } else if (strcmp(k, "require_key") == 0) {
            rc = lw_sim_yaml_bool(y, vn, &sc->require_key, err);
        } else if (strcmp(k, "late_input_tokens") == 0) {
            rc = lw_sim_yaml_bool(y, vn, &sc->late_input_tokens, err);
        } else if (strcmp(k, "empty_delta_first") == 0) {
            rc = lw_sim_yaml_bool(y, vn, &sc->empty_delta_first, err);
        } else if (strcmp(k, "sse_crlf") == 0) {
            rc = lw_sim_yaml_bool(y, vn, &sc->sse_crlf, err);
        } else if (strcmp(k, "thoughts_tokens") == 0) {
            rc = lw_sim_yaml_int(y, vn, &sc->thoughts_tokens, err);
            if (rc == LW_OK && sc->thoughts_tokens < 0) {
                lw_sim_yaml_error(err, y, vn, "thoughts_tokens must not be negative");
                rc = LW_EINVAL;
            }
        } else if (strcmp(k, "oversize_bytes") == 0) {
            rc = lw_sim_yaml_int(y, vn, &sc->oversize_bytes, err);
            if (rc == LW_OK && (sc->oversize_bytes < 1 || sc->oversize_bytes > 1024L * 1024 * 1024)) {
                lw_sim_yaml_error(err, y, vn, "oversize_bytes must be between 1 and 1 GiB");
                rc = LW_EINVAL;
            }
        } else if (strcmp(k, "reasoning_tokens") == 0) {
            rc = parse_dist(y, vn, &sc->reasoning, err);
            sc->has_reasoning = 1;
        } else if (strcmp(k, "versions") == 0) {
            rc = parse_versions(y, vn, sc, err);
        } else if (strcmp(k, "version_every_minutes") == 0) {
            rc = parse_nonneg(y, vn, &sc->version_minutes, err);
        } else if (strcmp(k, "drift") == 0) {
            drift = vn;
        } else {
            lw_sim_yaml_error(err, y, k2, "unknown scenario key \"%s\"", k);
            return LW_EINVAL;
        }
        if (rc != LW_OK)
            return rc;
    }
    if (rate_sum(sc->rate) > 1.0 + 1e-9) {
        lw_sim_yaml_error(err, y, n, "the rates of \"%s\" add up to more than 1", name);
        return LW_EINVAL;
    }
    if (drift != NULL) {
        yaml_node_item_t *it;
        size_t i = 0;

        if (drift->type != YAML_SEQUENCE_NODE) {
            lw_sim_yaml_error(err, y, drift, "drift is a list of entries");
            return LW_EINVAL;
        }
        sc->n_drift = (size_t) (drift->data.sequence.items.top - drift->data.sequence.items.start);
        sc->drift = calloc(sc->n_drift ? sc->n_drift : 1, sizeof(*sc->drift));
        if (sc->drift == NULL)
            return LW_ENOMEM;
        for (it = drift->data.sequence.items.start; it < drift->data.sequence.items.top; it++)
            if (parse_drift_entry(y, lw_sim_yaml_get(y, *it), sc, &sc->drift[i++], err) != LW_OK)
                return LW_EINVAL;
    }
    return LW_OK;
}

int
lw_sim_scenarios_load(const char *path, lw_sim_scenarios **out, lw_err *err)
{
    lw_sim_yaml y;
    lw_sim_scenarios *s;
    yaml_node_t *root, *models = NULL;
    yaml_node_pair_t *p;
    int rc;

    *out = NULL;
    rc = lw_sim_yaml_load(&y, path, err);
    if (rc != LW_OK) {
        lw_sim_yaml_free(&y);
        return rc;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        lw_sim_yaml_free(&y);
        return LW_ENOMEM;
    }
    s->path = lw_strdup(path);
    s->seed = 1;
    root = lw_sim_yaml_root(&y);
    if (root == NULL || root->type != YAML_MAPPING_NODE) {
        lw_sim_yaml_error(err, &y, root, "expected a mapping with seed and models");
        rc = LW_EINVAL;
        goto cleanup;
    }
    for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = lw_sim_yaml_get(&y, p->key), *vn = lw_sim_yaml_get(&y, p->value);
        const char *k = lw_sim_yaml_scalar(kn);

        if (k != NULL && strcmp(k, "seed") == 0) {
            long v;

            if ((rc = lw_sim_yaml_int(&y, vn, &v, err)) != LW_OK)
                goto cleanup;
            s->seed = (uint64_t) v;
            s->has_seed = 1;
        } else if (k != NULL && strcmp(k, "models") == 0) {
            models = vn;
        } else {
            lw_sim_yaml_error(err, &y, kn, "unknown key \"%s\" (seed, models)", k != NULL ? k : "?");
            rc = LW_EINVAL;
            goto cleanup;
        }
    }
    if (models == NULL || models->type != YAML_MAPPING_NODE) {
        lw_sim_yaml_error(err, &y, models != NULL ? models : root,
                          "models must be a mapping of model name to scenario");
        rc = LW_EINVAL;
        goto cleanup;
    }
    s->v = calloc((size_t) (models->data.mapping.pairs.top - models->data.mapping.pairs.start) + 1,
                  sizeof(*s->v));
    if (s->v == NULL) {
        rc = LW_ENOMEM;
        goto cleanup;
    }
    for (p = models->data.mapping.pairs.start; p < models->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = lw_sim_yaml_get(&y, p->key);
        size_t i;

        rc = parse_scenario(&y, kn, lw_sim_yaml_get(&y, p->value), &s->v[s->n], err);
        s->n++;
        if (rc != LW_OK)
            goto cleanup;
        for (i = 0; i + 1 < s->n; i++)
            if (strcmp(s->v[i].name, s->v[s->n - 1].name) == 0) {
                lw_sim_yaml_error(err, &y, kn, "model \"%s\" appears twice", s->v[i].name);
                rc = LW_EINVAL;
                goto cleanup;
            }
    }
    rc = LW_OK;
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
