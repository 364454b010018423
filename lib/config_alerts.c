/* config_alerts.c: the `alerts:` section of monitoring_config.yaml:
 * channels (with the keys each type takes), routing (which channels get
 * which severity) and rules (with the keys each kind takes; expressions
 * are checked by the rules module). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "config_impl.h"

static const char *const smtp_schemes[] = { "smtp://", "smtps://", NULL };

/* ---- channels ---- */

static int
get_secret(struct ctx *c, const lw_ymap *m, const char *key, lw_secret *out)
{
    yaml_node_t *v = lw_ymap_get(c->y, m, key);

    if (v == NULL)
        return 0;
    if (lw_ymap_want_scalar(c->y, v, key, "a string") < 0)
        return -1;
    out->value = lw_ymap_scalar(c->y, v, key);
    out->raw = lw_ymap_strdup(c->y, lw_ymap_raw(v));
    if (out->raw != NULL && out->raw[0] != '\0' && strstr(out->raw, "${") == NULL)
        WARN(c, v, "'%s' is a secret written in clear in the file; prefer \"${VARIABLE}\" "
             "so it stays out of the file and the database", key);
    return 1;
}

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

/* An SMTP URL may carry user:password@: the password must come from the
 * environment (the whole URL, or the password part, as ${VAR}), or it
 * would be stored in clear with the channel. */
static void
smtp_url_secret(struct ctx *c, const lw_ymap *m, lw_config_channel *ch)
{
    yaml_node_t *v = lw_ymap_get(c->y, m, "smtp_url");
    const char *raw, *p, *end, *colon;

    if (v == NULL || v->type != YAML_SCALAR_NODE)
        return;
    raw = lw_ymap_raw(v);
    ch->smtp_url_raw = lw_ymap_strdup(c->y, raw);
    if ((p = strstr(raw, "://")) == NULL)
        return;
    p += 3;
    end = p + strcspn(p, "@/");
    if (*end != '@')
        return;
    colon = memchr(p, ':', (size_t) (end - p));
    if (colon != NULL && colon + 1 < end && strncmp(colon + 1, "${", 2) != 0)
        ERR(c, v, "'smtp_url' holds a password in clear, which would be stored with the channel: "
            "write \"${VARIABLE}\" for the URL (or for its password) and set it in the "
            "environment, or use 'password_env'");
}

/* A URL setting checked against schemes: as lw_ymap_str, and when it is
 * not set (or not a string) *out gets dflt unless that is NULL. */
static int
get_url(struct ctx *c, const lw_ymap *m, const char *key, const char *const *schemes,
        const char *dflt, const char **out)
{
    int rc = lw_ymap_str(c->y, m, key, out);

    if (rc == 1)
        lw_ymap_url(c->y, lw_ymap_get(c->y, m, key), key, *out, schemes, 0);
    else if (dflt != NULL)
        *out = dflt;
    return rc;
}

static unsigned
parse_severity_list(struct ctx *c, const lw_ymap *m, const char *key)
{
    lw_strlist l = { 0 };
    yaml_node_t **nodes = NULL;
    unsigned bits = 0;
    size_t i;
    int s;

    if (lw_ymap_list(c->y, m, key, &l, &nodes) <= 0 && l.n == 0)
        return 0;
    for (i = 0; i < l.n; i++)
        if (lw_ymap_node_enum(c->y, nodes[i], key, "severity", lw_config_severity_names,
                              LW_ARRAY_LEN(lw_config_severity_names), 0, &s) == 1)
            bits |= 1u << s;
    return bits;
}

static void
parse_channel(struct ctx *c, yaml_node_t *n, void *entries, size_t index)
{
    lw_config_channel *ch = (lw_config_channel *) entries + index;
    static const char *const pd_default = "https://events.pagerduty.com/v2/enqueue";
    lw_ymap m;
    yaml_node_t **nodes = NULL;
    const lw_config_channel *first;
    const char *what;
    size_t i;
    int t = -1, rc;

    ch->enabled = true;
    if (lw_ymap_open_entry(c->y, n, "channel", channel_keys, LW_ARRAY_LEN(channel_keys),
                           &ch->line, &ch->col, &m) < 0)
        return;
    rc = LW_CONFIG_ENUM_REQUIRED(c, &m, "type", "channel type", lw_config_channel_type_names, &t);
    if (rc == 1) {
        ch->type = (lw_channel_type) t;
        /* keys of other channel types are mistakes, not silently ignored */
        lw_ymap_check_kinds(c->y, &m, channel_key_types, t, LW_DIAG_ERROR,
                            "'%s' does not apply to %s channels", lw_config_channel_type_names[t]);
    } else {
        t = -1;
    }
    if (lw_ymap_str(c->y, &m, "name", &ch->name) <= 0 && t >= 0)
        ch->name = lw_config_channel_type_names[t];
    else
        lw_config_check_name(c, lw_ymap_get(c->y, &m, "name"), "name", ch->name, NULL);
    what = ch->name ? ch->name : "channel";
    ch->severities = parse_severity_list(c, &m, "severity");
    if (lw_ymap_get(c->y, &m, "severity") == NULL)
        ch->severities = (1u << LW_SEV_COUNT) - 1;
    lw_ymap_bool(c->y, &m, "enabled", &ch->enabled);

    switch (t) {
    case LW_CHANNEL_EMAIL:
        rc = lw_ymap_list(c->y, &m, "recipients", &ch->recipients, &nodes);
        if (rc == 0 || (rc == 1 && ch->recipients.n == 0))
            lw_ymap_require(c->y, &m, "recipients", what);
        for (i = 0; i < ch->recipients.n; i++)
            if (ch->recipients.v[i][0] != '\0' && strchr(ch->recipients.v[i], '@') == NULL)
                ERR(c, nodes[i], "'%.80s' is not an email address", ch->recipients.v[i]);
        get_url(c, &m, "smtp_url", smtp_schemes, "smtp://localhost:25", &ch->smtp_url);
        smtp_url_secret(c, &m, ch);
        if (lw_ymap_str(c->y, &m, "from", &ch->from) <= 0)
            ch->from = "llmwatch@localhost";
        lw_ymap_str(c->y, &m, "username", &ch->username);
        get_secret(c, &m, "password", &ch->password);
        if (lw_ymap_str(c->y, &m, "password_env", &ch->password_env) == 1 &&
            !lw_env_name_ok(ch->password_env, strlen(ch->password_env)))
            ERR(c, lw_ymap_get(c->y, &m, "password_env"), "'password_env' must be the name of an "
                "environment variable, not '%.60s'", ch->password_env);
        if (ch->password.raw && ch->password_env)
            ERR(c, lw_ymap_get(c->y, &m, "password_env"), "give either 'password' or "
                "'password_env', not both");
        break;
    case LW_CHANNEL_SLACK:
        if (get_secret(c, &m, "webhook_url", &ch->webhook_url) == 0)
            lw_ymap_require(c->y, &m, "webhook_url", what);
        else
            lw_ymap_url(c->y, lw_ymap_get(c->y, &m, "webhook_url"), "webhook_url",
                        ch->webhook_url.value, lw_config_http_schemes, 1);
        lw_ymap_str(c->y, &m, "channel", &ch->channel);
        break;
    case LW_CHANNEL_PAGERDUTY:
        if (lw_ymap_get(c->y, &m, "routing_key") && lw_ymap_get(c->y, &m, "api_key"))
            ERR(c, lw_ymap_key_node(c->y, &m, "api_key"), "give either 'routing_key' or 'api_key' "
                "(the same PagerDuty integration key), not both");
        if (get_secret(c, &m, "routing_key", &ch->routing_key) == 0 &&
            get_secret(c, &m, "api_key", &ch->routing_key) == 0 &&
            !lw_ymap_was_suggested(&m, "api_key"))
            lw_ymap_require(c->y, &m, "routing_key", what);
        get_url(c, &m, "url", lw_config_http_schemes, pd_default, &ch->url);
        break;
    case LW_CHANNEL_WEBHOOK:
    case LW_CHANNEL_ALERTMANAGER:
        if (get_url(c, &m, "url", lw_config_http_schemes, NULL, &ch->url) == 0)
            lw_ymap_require(c->y, &m, "url", what);
        if (t == LW_CHANNEL_WEBHOOK)
            get_secret(c, &m, "secret", &ch->secret);
        break;
    case LW_CHANNEL_SMS:
        get_url(c, &m, "url", lw_config_http_schemes, "https://api.twilio.com", &ch->url);
        if (lw_ymap_str(c->y, &m, "account_sid", &ch->account_sid) == 0)
            lw_ymap_require(c->y, &m, "account_sid", what);
        if (get_secret(c, &m, "auth_token", &ch->auth_token) == 0)
            lw_ymap_require(c->y, &m, "auth_token", what);
        if (lw_ymap_str(c->y, &m, "from", &ch->from) == 0)
            lw_ymap_require(c->y, &m, "from", what);
        rc = lw_ymap_list(c->y, &m, "to", &ch->to, NULL);
        if (rc == 0 || (rc == 1 && ch->to.n == 0))
            lw_ymap_require(c->y, &m, "to", what);
        break;
    default:
        break;
    }
    if (ch->url != NULL)
        ch->url = lw_config_strip_slashes(c, ch->url);

    first = lw_config_find_named(entries, index, sizeof(*ch), ch->name);
    if (first != NULL)
        ERR(c, lw_ymap_name_node(c->y, &m, "name", "type"), "duplicate channel name '%s' (first "
            "at line %d); give each channel its own 'name'", ch->name, first->line);
}

static void
parse_channels(struct ctx *c, const lw_ymap *alerts)
{
    c->cfg->channels = lw_config_parse_list(c, lw_ymap_seq(c->y, alerts, "channels",
                                                           "- type: email ..."),
                                            sizeof(lw_config_channel), parse_channel,
                                            &c->cfg->n_channels);
}

/* ---- routing ---- */

static int
add_route(struct ctx *c, lw_config_route *r, size_t ch)
{
    size_t *v, i;

    for (i = 0; i < r->n; i++)
        if (r->channel[i] == ch)
            return 0;
    v = lw_ymap_alloc(c->y, (r->n + 1) * sizeof(*v));
    if (v == NULL)
        return -1;
    if (r->n)
        memcpy(v, r->channel, r->n * sizeof(*v));
    v[r->n++] = ch;
    r->channel = v;
    return 0;
}

static void
parse_routing(struct ctx *c, const lw_ymap *alerts)
{
    lw_ymap m;
    lw_strlist l;
    yaml_node_t *v, **nodes;
    const char **chnames;
    size_t i, j, nch = c->cfg->n_channels;
    int s, sg, hit;

    v = lw_ymap_get(c->y, alerts, "routing");
    if (v == NULL) {
        for (i = 0; i < nch; i++)
            for (s = 0; s < LW_SEV_COUNT; s++)
                if (c->cfg->channels[i].severities & (1u << s))
                    add_route(c, &c->cfg->routing[s], i);
        return;
    }
    c->cfg->routing_explicit = true;
    if (lw_ymap_open(c->y, v, "routing", lw_config_severity_names,
                     LW_ARRAY_LEN(lw_config_severity_names), &m) < 0)
        return;
    chnames = lw_ymap_alloc(c->y, (nch + 1) * sizeof(*chnames));
    if (chnames == NULL)
        return;
    for (i = 0; i < nch; i++)
        chnames[i] = c->cfg->channels[i].name ? c->cfg->channels[i].name : "";
    for (s = 0; s < LW_SEV_COUNT; s++) {
        memset(&l, 0, sizeof(l));
        nodes = NULL;
        if (lw_ymap_list(c->y, &m, lw_config_severity_names[s], &l, &nodes) <= 0 && l.n == 0)
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
            sg = lw_ymap_suggest(l.v[i], chnames, nch);
            if (sg >= 0)
                ERR(c, nodes[i], "routing for %s names channel '%.60s', which does not "
                    "exist (did you mean '%s'?)", lw_config_severity_names[s], l.v[i], chnames[sg]);
            else
                ERR(c, nodes[i], "routing for %s names channel '%.60s', which does not "
                    "exist (channels are named by 'name', or by 'type' when unnamed)",
                    lw_config_severity_names[s], l.v[i]);
        }
    }
}

/* ---- rules ---- */

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
get_positive_duration(struct ctx *c, const lw_ymap *m, const char *key, int64_t *out)
{
    int rc = lw_ymap_duration(c->y, m, key, out);

    if (rc == 1 && *out == 0) {
        ERR(c, lw_ymap_get(c->y, m, key), "'%s' must be more than 0 seconds", key);
        return -1;
    }
    return rc;
}

/* A duration the rules table keeps in an integer column (seconds). */
static void
get_int_duration(struct ctx *c, const lw_ymap *m, const char *key, int64_t *out)
{
    if (lw_ymap_duration(c->y, m, key, out) == 1 && *out > INT32_MAX) {
        ERR(c, lw_ymap_get(c->y, m, key), "'%s' must be at most %d seconds (68 years)", key,
            INT32_MAX);
        *out = 0;
    }
}

static void
rule_needs(struct ctx *c, const lw_ymap *m, lw_config_rule *r, const char *key)
{
    lw_buf label = { 0 };

    lw_buf_printf(&label, "('%s', a %s rule)", r->name ? r->name : "?",
                  lw_config_rule_kind_names[r->kind]);
    lw_ymap_require(c->y, m, key, label.data);
    lw_buf_free(&label);
}

static void
rule_needs_either(struct ctx *c, const lw_ymap *m, lw_config_rule *r, const char *a,
                  const char *b)
{
    int ia = lw_ymap_index(a, rule_keys, LW_ARRAY_LEN(rule_keys), 0);
    int ib = lw_ymap_index(b, rule_keys, LW_ARRAY_LEN(rule_keys), 0);

    if (m->suggested & ((UINT64_C(1) << ia) | (UINT64_C(1) << ib)))
        return;
    ERR(c, m->node, "%s rule '%s' needs '%s' or '%s'", lw_config_rule_kind_names[r->kind],
        r->name ? r->name : "?", a, b);
}

static void
check_scope(struct ctx *c, const lw_ymap *m, lw_config_rule *r)
{
    yaml_node_t **nodes = NULL;
    const char **names;
    size_t i, j, nm = c->cfg->n_models;
    int s, found;

    if (lw_ymap_list(c->y, m, "models", &r->models, &nodes) == 1) {
        names = lw_ymap_alloc(c->y, (nm + 1) * sizeof(*names));
        for (i = 0; names && i < nm; i++)
            names[i] = c->cfg->models[i].name ? c->cfg->models[i].name : "";
        for (i = 0; names && i < r->models.n; i++) {
            found = 0;
            for (j = 0; j < nm && !found; j++)
                found = strcmp(names[j], r->models.v[i]) == 0;
            if (found)
                continue;
            s = lw_ymap_suggest(r->models.v[i], names, nm);
            if (s >= 0)
                ERR(c, nodes[i], "rule '%s' is scoped to model '%.60s', which is not "
                    "configured (did you mean '%s'?)", r->name, r->models.v[i], names[s]);
            else
                ERR(c, nodes[i], "rule '%s' is scoped to model '%.60s', which is not "
                    "configured", r->name, r->models.v[i]);
        }
    }
    nodes = NULL;
    if (lw_ymap_list(c->y, m, "environments", &r->environments, &nodes) == 1) {
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
parse_rule(struct ctx *c, yaml_node_t *n, void *entries, size_t index)
{
    lw_config_rule *r = (lw_config_rule *) entries + index;
    lw_ymap m;
    yaml_node_t *v;
    const lw_config_rule *first;
    int e, rc, has_metric, has_cond;

    r->kind = LW_RULE_THRESHOLD;
    r->severity = LW_SEV_WARNING;
    r->enabled = true;
    r->send_resolved = true;
    r->cooldown = 3600;
    r->op = LW_OP_AND;
    if (lw_ymap_open_entry(c->y, n, "rule", rule_keys, LW_ARRAY_LEN(rule_keys), &r->line,
                           &r->col, &m) < 0)
        return;
    if (lw_ymap_str(c->y, &m, "name", &r->name) == 0)
        lw_ymap_require(c->y, &m, "name", NULL);
    rc = lw_ymap_enum(c->y, &m, "type", "rule type", lw_config_rule_kind_names,
                      LW_ARRAY_LEN(lw_config_rule_kind_names), 0, &e);
    if (rc == 1)
        r->kind = (lw_rule_kind) e;
    if (rc >= 0)
        lw_ymap_check_kinds(c->y, &m, rule_key_kinds, (int) r->kind, LW_DIAG_WARNING,
                            "'%s' is ignored for %s rules", lw_config_rule_kind_names[r->kind]);
    if (lw_ymap_enum(c->y, &m, "severity", "severity", lw_config_severity_names,
                     LW_ARRAY_LEN(lw_config_severity_names), 0, &e) == 1)
        r->severity = (lw_severity) e;
    lw_ymap_bool(c->y, &m, "enabled", &r->enabled);
    lw_ymap_bool(c->y, &m, "send_resolved", &r->send_resolved);
    get_int_duration(c, &m, "cooldown", &r->cooldown);
    get_int_duration(c, &m, "for", &r->for_s);
    get_int_duration(c, &m, "repeat_interval", &r->repeat_interval);
    get_positive_duration(c, &m, "window", &r->window);
    get_positive_duration(c, &m, "lookback_window", &r->lookback_window);
    get_positive_duration(c, &m, "horizon", &r->horizon);
    get_positive_duration(c, &m, "period", &r->period);
    lw_ymap_int(c->y, &m, "minimum_samples", 1, INT64_C(1000000000), &r->minimum_samples);
    has_cond = lw_ymap_str(c->y, &m, "condition", &r->condition) != 0;
    has_metric = lw_ymap_str(c->y, &m, "metric", &r->metric) != 0;
    r->has_threshold = lw_ymap_double(c->y, &m, "threshold", &r->threshold, &v) != 0;
    r->has_k = lw_ymap_double(c->y, &m, "k", &r->k, &v) == 1;
    if (r->has_k && r->k <= 0)
        ERR(c, v, "'k' must be more than 0");
    r->has_slo_target = lw_ymap_double(c->y, &m, "slo_target", &r->slo_target, &v) == 1;
    if (r->has_slo_target && (r->slo_target <= 0 || r->slo_target >= 1))
        ERR(c, v, "'slo_target' must be between 0 and 1 (e.g. 0.999), not %g", r->slo_target);
    if (lw_ymap_enum(c->y, &m, "operator", "operator", lw_config_operator_names,
                     LW_ARRAY_LEN(lw_config_operator_names), 1, &e) == 1)
        r->op = (lw_rule_op) e;
    rc = lw_ymap_list(c->y, &m, "conditions", &r->conditions, NULL);
    lw_ymap_str(c->y, &m, "runbook", &r->runbook);
    check_scope(c, &m, r);

    switch (r->kind) {
    case LW_RULE_THRESHOLD:
        if (!has_cond)
            rule_needs(c, &m, r, "condition");
        break;
    case LW_RULE_STATISTICAL:
        if (!has_cond && !has_metric)
            rule_needs_either(c, &m, r, "condition", "metric");
        if (lw_ymap_get(c->y, &m, "lookback_window") == NULL)
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
        if (r->kind == LW_RULE_TREND && lw_ymap_get(c->y, &m, "window") == NULL)
            rule_needs(c, &m, r, "window");
        if (r->kind == LW_RULE_FORECAST && lw_ymap_get(c->y, &m, "horizon") == NULL)
            rule_needs(c, &m, r, "horizon");
        break;
    case LW_RULE_COMPOSITE:
        if (rc == 0 || (rc == 1 && r->conditions.n == 0))
            rule_needs(c, &m, r, "conditions");
        break;
    case LW_RULE_BURN_RATE:
        if (!r->has_slo_target && lw_ymap_get(c->y, &m, "slo_target") == NULL)
            rule_needs(c, &m, r, "slo_target");
        if (r->period == 0)
            r->period = 30 * 86400;
        if (r->metric == NULL)
            r->metric = "error_rate";
        break;
    default:
        break;
    }

    first = lw_config_find_named(entries, index, sizeof(*r), r->name);
    if (first != NULL)
        ERR(c, lw_ymap_name_node(c->y, &m, "name", NULL), "duplicate rule name '%s' (first at "
            "line %d)", r->name, first->line);
}

static void
parse_rules(struct ctx *c, const lw_ymap *alerts)
{
    lw_config_rule *r;
    size_t i;

    c->cfg->rules = lw_config_parse_list(c, lw_ymap_seq(c->y, alerts, "rules", "- name: ..."),
                                         sizeof(lw_config_rule), parse_rule, &c->cfg->n_rules);
    for (i = 0; i < c->cfg->n_rules; i++) {
        r = &c->cfg->rules[i];
        if (r->enabled && r->name && c->cfg->routing[r->severity].n == 0)
            lw_diag_add(c->y->diag, LW_DIAG_WARNING, c->y->file, r->line, r->col,
                        "no channel receives %s alerts: rule '%s' will be recorded but "
                        "not sent", lw_config_severity_names[r->severity], r->name);
    }
}


void
lw_config_parse_alerts(struct ctx *c, const lw_ymap *alerts)
{
    parse_channels(c, alerts);
    parse_routing(c, alerts);
    parse_rules(c, alerts);
}
