/* report_config.c: report_config.yaml (see report.h): the schedules of
 * reports with their frequency, recipients, format and sections, read
 * through lib/yamlmap.h so every mistake is reported at FILE:LINE:COL. */
#include "report.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "yamlmap.h"

#define ERR(y, n, ...) LW_YMAP_ERR((y), (n), __VA_ARGS__)

const char *const lw_report_section_keys[LW_RSEC_COUNT] = {
    "executive_summary", "performance_trends", "cost_analysis", "cost_breakdown",
    "incidents", "incident_analysis", "detailed_metrics", "model_comparison",
    "sla_compliance", "availability_metrics", "recommendations", "improvement_plans",
};
const char *const lw_report_section_titles[LW_RSEC_COUNT] = {
    "Executive summary", "Performance trends", "Cost analysis", "Cost breakdown",
    "Incidents", "Incident analysis", "Detailed metrics", "Model comparison",
    "SLA compliance", "Availability", "Recommendations", "Improvement plans",
};

static const char *const format_names[] = { "html", "pdf" };
static const char *const root_keys[] = { "reporting" };
static const char *const reporting_keys[] = { "schedules", "thresholds" };
static const char *const schedule_keys[] = {
    "name", "frequency", "recipients", "format", "sections", "timeout", "enabled", "commentary",
};
static const char *const threshold_keys[] = {
    "cost_change_pct", "quality_ratio", "cheaper_pct", "latency_pct", "p_value",
    "alert_fires", "lookback_days",
};

void
lw_report_thresholds_default(lw_report_thresholds *t)
{
    t->cost_change_pct = 20;
    t->quality_ratio = 0.9;
    t->cheaper_pct = 10;
    t->latency_pct = 10;
    t->p_value = 0.01;
    t->alert_fires = 5;
    t->lookback_days = 28;
}

/* A number in [lo, hi] under key; 1 set, 0 absent, -1 wrong (reported). */
static int
number(lw_ymap_doc *y, const lw_ymap *m, const char *key, double lo, double hi, double *out)
{
    yaml_node_t *v;
    double d;
    int rc = lw_ymap_double(y, m, key, &d, &v);

    if (rc != 1)
        return rc;
    if (d < lo || d > hi) {
        ERR(y, v, "'%s' must be from %g to %g", key, lo, hi);
        return -1;
    }
    *out = d;
    return 1;
}

static void
parse_thresholds(lw_ymap_doc *y, yaml_node_t *n, lw_report_thresholds *t)
{
    lw_ymap m;
    int64_t i;

    if (lw_ymap_open(y, n, "thresholds", threshold_keys, LW_ARRAY_LEN(threshold_keys), &m) < 0)
        return;
    number(y, &m, "cost_change_pct", 0, 10000, &t->cost_change_pct);
    number(y, &m, "quality_ratio", 0, 1, &t->quality_ratio);
    number(y, &m, "cheaper_pct", 0, 100, &t->cheaper_pct);
    number(y, &m, "latency_pct", 0, 1000, &t->latency_pct);
    number(y, &m, "p_value", 1e-12, 0.5, &t->p_value);
    if (lw_ymap_int(y, &m, "alert_fires", 1, 100000, &i) == 1)
        t->alert_fires = (int) i;
    if (lw_ymap_int(y, &m, "lookback_days", 7, 366, &i) == 1)
        t->lookback_days = (int) i;
}

/* "Weekly Deep Dive" -> "weekly_deep_dive" (sep '_') or "weekly-deep-dive". */
static const char *
slug(lw_ymap_doc *y, const char *name, char sep)
{
    char buf[96];
    size_t o = 0;
    int gap = 0;

    for (; *name && o + 2 < sizeof(buf); name++) {
        if (isalnum((unsigned char) *name)) {
            if (gap && o > 0)
                buf[o++] = sep;
            buf[o++] = (char) tolower((unsigned char) *name);
            gap = 0;
        } else {
            gap = 1;
        }
    }
    buf[o] = '\0';
    return lw_ymap_strdup(y, buf);
}

static void
parse_sections(lw_ymap_doc *y, const lw_ymap *m, lw_report_schedule *s)
{
    lw_strlist list = { 0 };
    yaml_node_t **nodes = NULL;
    unsigned seen = 0;
    size_t i;
    int k, near;

    if (lw_ymap_list(y, m, "sections", &list, &nodes) < 0)
        return;
    if (list.n == 0) {
        if (lw_ymap_node(y, m, "sections") == NULL)
            lw_ymap_require(y, m, "sections", s->name);
        else
            ERR(y, lw_ymap_node(y, m, "sections"), "'sections' is empty: name at least one");
        return;
    }
    for (i = 0; i < list.n; i++) {
        k = lw_ymap_index(list.v[i], lw_report_section_keys, LW_RSEC_COUNT, 0);
        if (k < 0) {
            near = lw_ymap_suggest(list.v[i], lw_report_section_keys, LW_RSEC_COUNT);
            if (near >= 0)
                ERR(y, nodes ? nodes[i] : NULL, "unknown section '%s' (did you mean '%s'?)",
                    list.v[i], lw_report_section_keys[near]);
            else
                ERR(y, nodes ? nodes[i] : NULL, "unknown section '%s' (known: executive_summary, "
                    "performance_trends, cost_analysis, cost_breakdown, incidents, "
                    "incident_analysis, detailed_metrics, model_comparison, sla_compliance, "
                    "availability_metrics, recommendations, improvement_plans)", list.v[i]);
            continue;
        }
        if (seen & (1u << k)) {
            ERR(y, nodes ? nodes[i] : NULL, "section '%s' is listed twice", list.v[i]);
            continue;
        }
        seen |= 1u << k;
        s->sections[s->n_sections++] = k;
    }
}

static void
parse_schedule(lw_ymap_doc *y, yaml_node_t *n, lw_report_config *rc, size_t index)
{
    lw_report_schedule *s = &rc->schedules[index];
    yaml_node_t **nodes = NULL;
    lw_ymap m;
    lw_err err;
    size_t i;
    int f;

    s->format = LW_REPORT_HTML;
    s->timeout = 600;
    s->enabled = true;
    if (lw_ymap_open_entry(y, n, "schedule", schedule_keys, LW_ARRAY_LEN(schedule_keys),
                           &s->line, &s->col, &m) < 0)
        return;
    if (lw_ymap_str(y, &m, "name", &s->name) <= 0) {
        lw_ymap_require(y, &m, "name", NULL);
        s->name = "";
    }
    s->job = lw_ymap_strdup(y, "");
    s->slug = slug(y, s->name, '-');
    if (s->slug != NULL && s->slug[0] == '\0' && s->name[0] != '\0')
        ERR(y, lw_ymap_get(y, &m, "name"), "a schedule's name needs a letter or a digit");
    if (s->slug != NULL) {
        char job[128];

        snprintf(job, sizeof(job), "report:%s", slug(y, s->name, '_'));
        s->job = lw_ymap_strdup(y, job);
    }
    for (i = 0; i < index && s->job != NULL; i++)
        if (lw_streq(rc->schedules[i].job, s->job) && s->slug[0] != '\0')
            ERR(y, lw_ymap_name_node(y, &m, "name", NULL), "schedule '%s' has the name of the "
                "one at line %d (names must differ in more than case and punctuation)",
                s->name, rc->schedules[i].line);
    if (lw_ymap_str(y, &m, "frequency", &s->frequency) == 1) {
        if (lw_sched_parse(s->frequency, &s->sched, &err) != LW_OK)
            ERR(y, lw_ymap_get(y, &m, "frequency"), "bad frequency: %s", err.msg);
    } else {
        lw_ymap_require(y, &m, "frequency", s->name);
    }
    if (lw_ymap_list(y, &m, "recipients", &s->recipients, &nodes) == 1) {
        for (i = 0; i < s->recipients.n; i++) {
            const char *at = strchr(s->recipients.v[i], '@');

            if (at == NULL || at == s->recipients.v[i] || at[1] == '\0'
                || strpbrk(s->recipients.v[i], " \t\r\n,;<>\"") != NULL)
                ERR(y, nodes ? nodes[i] : NULL, "'%.80s' is not an email address",
                    s->recipients.v[i]);
        }
    }
    if (lw_ymap_enum(y, &m, "format", "format", format_names, LW_ARRAY_LEN(format_names), 1,
                     &f) == 1)
        s->format = (lw_report_format) f;
    parse_sections(y, &m, s);
    if (lw_ymap_duration(y, &m, "timeout", &s->timeout) == 1 && s->timeout == 0)
        ERR(y, lw_ymap_get(y, &m, "timeout"), "'timeout' must be more than 0 seconds");
    lw_ymap_bool(y, &m, "enabled", &s->enabled);
    lw_ymap_str(y, &m, "commentary", &s->commentary);
}

static void
parse_root(lw_ymap_doc *y, yaml_node_t *root, lw_report_config *rc)
{
    lw_ymap rm, rep;
    yaml_node_t *seq, *v;
    size_t i;

    if (lw_ymap_open(y, root, "the file", root_keys, LW_ARRAY_LEN(root_keys), &rm) < 0)
        return;
    if (lw_ymap_open(y, lw_ymap_get(y, &rm, "reporting"), "reporting", reporting_keys,
                     LW_ARRAY_LEN(reporting_keys), &rep) < 0) {
        lw_ymap_require(y, &rm, "reporting", NULL);
        return;
    }
    if ((v = lw_ymap_get(y, &rep, "thresholds")) != NULL)
        parse_thresholds(y, v, &rc->thresholds);
    seq = lw_ymap_seq(y, &rep, "schedules", "- name: ...");
    if (seq == NULL) {
        lw_ymap_require(y, &rep, "schedules", NULL);
        return;
    }
    rc->n_schedules = lw_ymap_seq_len(seq);
    rc->schedules = lw_ymap_alloc(y, (rc->n_schedules + 1) * sizeof(*rc->schedules));
    if (rc->schedules == NULL)
        return;
    for (i = 0; i < rc->n_schedules; i++)
        parse_schedule(y, lw_ymap_seq_item(y, seq, i), rc, i);
}

/* The lw_ymap_parse_fn of report_config.yaml. */
static void
parse_report_config(lw_ymap_doc *y, yaml_node_t *root, void *obj)
{
    lw_report_config *rc = obj;

    rc->pool = y->pool;
    rc->path = lw_pool_strdup(y->pool, y->file);
    lw_report_thresholds_default(&rc->thresholds);
    parse_root(y, root, rc);
}

int
lw_report_config_load_string(const char *name, const char *text, size_t len,
                             lw_report_config **out, lw_diag *diags)
{
    void *rc;
    int ret = lw_ymap_load_new(name, text, len, "'reporting:' with 'schedules:'", sizeof(**out),
                               parse_report_config, diags, &rc);

    *out = rc;
    return ret;
}

int
lw_report_config_load(const char *path, lw_report_config **out, lw_diag *diags)
{
    lw_buf b = { 0 };
    lw_err err;
    int rc;

    *out = NULL;
    if ((rc = lw_file_read(path, LW_YMAP_MAX_BYTES + 1, &b, &err)) != LW_OK)
        lw_diag_add(diags, LW_DIAG_ERROR, path, 0, 0, "%s", err.msg);
    else
        rc = lw_report_config_load_string(path, b.data, b.len, out, diags);
    lw_buf_free(&b);
    return rc;
}

void
lw_report_config_free(lw_report_config *rc)
{
    if (rc != NULL)
        lw_pool_destroy(rc->pool);
}

const char *
lw_report_config_path(lw_pool *pool, const char *explicit_path, const char *monitoring_config)
{
    const char *env = getenv("LLMWATCH_REPORT_CONFIG"), *slash;
    char *beside;

    if (explicit_path != NULL && explicit_path[0] != '\0')
        return explicit_path;
    if (env != NULL && env[0] != '\0')
        return env;
    if (monitoring_config != NULL && (slash = strrchr(monitoring_config, '/')) != NULL) {
        beside = lw_pool_printf(pool, "%.*s/%s", (int) (slash - monitoring_config),
                                monitoring_config, LW_REPORT_CONFIG_DEFAULT_FILE);
        if (beside != NULL && access(beside, R_OK) == 0)
            return beside;
    }
    return access(LW_REPORT_CONFIG_DEFAULT_FILE, R_OK) == 0 ? LW_REPORT_CONFIG_DEFAULT_FILE : NULL;
}

const lw_report_schedule *
lw_report_config_find(const lw_report_config *rc, const char *name)
{
    size_t i;

    for (i = 0; rc != NULL && i < rc->n_schedules; i++)
        if (lw_streq(rc->schedules[i].name, name) || lw_streq(rc->schedules[i].job, name))
            return &rc->schedules[i];
    return NULL;
}
