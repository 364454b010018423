/* config.h: monitoring_config.yaml parsed once into a typed struct; every
 * problem is reported as FILE:LINE:COL with all errors collected. */
#ifndef LW_CONFIG_H
#define LW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "diag.h"
#include "lw.h"
#include "schedule.h"

/* The file a command reads when no --config and no $LLMWATCH_CONFIG say. */
#define LW_CONFIG_DEFAULT_FILE "monitoring_config.yaml"

/* ---- enums ---- */

typedef enum {
    LW_PROVIDER_OPENAI,
    LW_PROVIDER_ANTHROPIC,
    LW_PROVIDER_GOOGLE,
    LW_PROVIDER_OPENAI_COMPATIBLE,
    LW_PROVIDER_COUNT
} lw_provider;

typedef enum { LW_PRIORITY_CRITICAL, LW_PRIORITY_HIGH, LW_PRIORITY_MEDIUM, LW_PRIORITY_LOW } lw_priority;

typedef enum { LW_SEV_CRITICAL, LW_SEV_WARNING, LW_SEV_INFO, LW_SEV_COUNT } lw_severity;

typedef enum {
    LW_CHANNEL_EMAIL,
    LW_CHANNEL_SLACK,
    LW_CHANNEL_PAGERDUTY,
    LW_CHANNEL_WEBHOOK,
    LW_CHANNEL_SMS,
    LW_CHANNEL_ALERTMANAGER,
    LW_CHANNEL_COUNT
} lw_channel_type;

typedef enum {
    LW_RULE_THRESHOLD,
    LW_RULE_STATISTICAL,
    LW_RULE_TREND,
    LW_RULE_COMPOSITE,
    LW_RULE_FORECAST,
    LW_RULE_BURN_RATE,
    LW_RULE_KIND_COUNT
} lw_rule_kind;

typedef enum { LW_OP_AND, LW_OP_OR } lw_rule_op;

/* The jobs of the `schedule:` section. The first three are the seed's;
 * evaluate, notify and maintain have built-in defaults. */
typedef enum {
    LW_JOB_PERFORMANCE_CHECKS,
    LW_JOB_COST_ANALYSIS,
    LW_JOB_FULL_BENCHMARK,
    LW_JOB_EVALUATE,
    LW_JOB_NOTIFY,
    LW_JOB_MAINTAIN,
    LW_JOB_COUNT
} lw_job;

typedef enum { LW_BUDGET_DAILY, LW_BUDGET_WEEKLY, LW_BUDGET_MONTHLY, LW_BUDGET_PERIOD_COUNT }
    lw_budget_period;

typedef enum { LW_PRICES_CONFIG, LW_PRICES_BUILTIN, LW_PRICES_UNKNOWN } lw_prices_source;

/* Names as written in the config ("openai-compatible", "burn_rate"...);
 * static strings. The _parse functions return the enum value or -1. */
const char *lw_config_provider_name(lw_provider p);
const char *lw_config_priority_name(lw_priority p);
const char *lw_config_severity_name(lw_severity s);
const char *lw_config_channel_type_name(lw_channel_type t);
const char *lw_config_rule_kind_name(lw_rule_kind k);
const char *lw_config_job_name(lw_job j);
int lw_config_provider_parse(const char *s);
int lw_config_severity_parse(const char *s);
int lw_config_rule_kind_parse(const char *s);
int lw_config_channel_type_parse(const char *s);
/* "daily", "weekly", "monthly" and back (-1 when unknown). */
const char *lw_config_budget_period_name(lw_budget_period p);
int lw_config_budget_period_parse(const char *s);
/* A time zone name as budgets take it: "UTC", or an IANA name known to the
 * system's tz database ("Europe/Paris"). */
int lw_config_time_zone_ok(const char *tz);

/* ---- the configuration ---- */

/* A secret as written in the file and as expanded from the environment.
 * Store and display only `raw` (e.g. "${SLACK_WEBHOOK_URL}"); `value` is for
 * the one call that needs it and must never be logged or stored. Both are
 * NULL when the key is absent. */
typedef struct {
    const char *raw;
    const char *value;
} lw_secret;

typedef struct {
    const char *name;            /* unique key; defaults to model */
    lw_provider provider;
    const char *model;           /* the provider's model id */
    const char *base_url;        /* without trailing '/' */
    const char *api_key_env;     /* env var holding the key; NULL for none */
    const char *environment;
    lw_priority priority;
    int64_t sla_target_ms;
    bool enabled;
    int64_t price_input_micros;  /* $ per million tokens, in micro-dollars */
    int64_t price_output_micros;
    lw_prices_source prices_source;
    time_t price_effective;      /* prices.effective (UTC midnight), 0 = not
                                  * given: a change counts from when it is
                                  * applied */
    int max_concurrency;
    int64_t timeout;             /* seconds; 0 = the schedule's timeout */
    const char *suite;           /* NULL = probe.suite */
    bool status_page;            /* shown on the public /status page */
    int line, col;
} lw_config_model;

typedef struct {
    const char *name;            /* "performance_checks"... */
    bool configured;             /* present in the file (else defaults) */
    bool enabled;
    const char *frequency;       /* as written (expanded) */
    lw_sched sched;
    int64_t timeout;             /* seconds */
    const char *suite;           /* NULL unless given */
    int line, col;
} lw_config_job;

typedef struct {
    const char *name;            /* unique; defaults to the type */
    lw_channel_type type;
    unsigned severities;         /* bit (1 << lw_severity); all when absent */
    bool enabled;
    /* email */
    lw_strlist recipients;
    const char *smtp_url;        /* default smtp://localhost:25; expanded: it may
                                  * hold credentials, never store or log it */
    const char *smtp_url_raw;    /* as written (what is stored: a ${VAR}
                                  * reference stays one); NULL when absent */
    const char *from;            /* default llmwatch@localhost */
    const char *username;
    lw_secret password;          /* inline (normally "${VAR}") */
    const char *password_env;    /* or the name of the variable holding it */
    /* slack */
    lw_secret webhook_url;
    const char *channel;
    /* pagerduty (routing_key; `api_key` as in the seed is the same field) */
    lw_secret routing_key;
    /* url: pagerduty events endpoint (default https://events.pagerduty.com
     * /v2/enqueue), webhook target, sms API base (default
     * https://api.twilio.com), alertmanager base URL */
    const char *url;
    /* webhook: HMAC key for X-Llmwatch-Signature */
    lw_secret secret;
    /* sms */
    const char *account_sid;
    lw_secret auth_token;
    /* `from` above is the sender number for sms */
    lw_strlist to;
    int line, col;
} lw_config_channel;

typedef struct {
    const char *name;
    lw_rule_kind kind;
    lw_severity severity;        /* default warning */
    bool enabled;
    const char *condition;       /* expression; checked by the rules module */
    lw_strlist conditions;       /* composite */
    lw_rule_op op;               /* composite; default AND */
    int64_t cooldown;            /* seconds; default 3600 */
    int64_t for_s;               /* pending time before firing; default 0 */
    int64_t repeat_interval;     /* 0 = not set */
    int64_t window, lookback_window, horizon, period; /* 0 = not set */
    int64_t minimum_samples;     /* 0 = not set */
    const char *metric;
    double threshold, k, slo_target;
    bool has_threshold, has_k, has_slo_target;
    bool send_resolved;          /* default true */
    const char *runbook;         /* Markdown */
    lw_strlist models;           /* scope by model name; empty = all */
    lw_strlist environments;     /* empty = all */
    int line, col;
} lw_config_rule;

#define LW_BUDGET_MAX_TIERS 10

/* A spending budget (`budgets:`): per period, scoped to everything, a model
 * (by name, in any environment), a provider and/or an environment. */
typedef struct {
    const char *name;            /* unique */
    lw_budget_period period;
    int64_t amount_micros;       /* dollars, exact */
    int tiers[LW_BUDGET_MAX_TIERS];  /* alert_at: percents, ascending */
    int n_tiers;                 /* default 80, 90, 100 */
    const char *model;           /* NULL: every model */
    int provider;                /* lw_provider, -1: any */
    const char *environment;     /* NULL: every environment */
    const char *time_zone;       /* IANA name, default "UTC" */
    bool enabled;
    int line, col;
} lw_config_budget;

/* An environment whose models come from a file of their own
 * (`environments: {staging: staging.yaml}`), loaded side by side with
 * this one's. */
typedef struct {
    const char *name;
    const char *path;            /* as resolved (relative to this file) */
    size_t n_models;             /* how many models it brought */
    int line, col;
} lw_config_env_file;

/* channels receiving a severity, as indexes into lw_config.channels */
typedef struct {
    size_t *channel;
    size_t n;
} lw_config_route;

typedef struct {
    lw_pool *pool;               /* owns everything below */
    const char *path;
    const char *environment;     /* default "production" */
    const char *probe_suite;     /* default "quick" */
    lw_config_model *models;
    size_t n_models;
    lw_config_job jobs[LW_JOB_COUNT];
    size_t n_schedules;          /* jobs configured in the file */
    lw_config_channel *channels;
    size_t n_channels;
    lw_config_rule *rules;
    size_t n_rules;
    lw_config_route routing[LW_SEV_COUNT];
    bool routing_explicit;       /* alerts.routing given (else derived from
                                  * each channel's severity list) */
    lw_config_budget *budgets;
    size_t n_budgets;
    lw_config_env_file *env_files;
    size_t n_env_files;
} lw_config;

/* Reads and checks a config file. Every problem goes to diags (errors and
 * warnings, sorted by position). Returns 0 with *out set (caller frees with
 * lw_config_free), LW_EINVAL when there was at least one error, LW_EIO when
 * the file cannot be read, LW_ENOMEM; *out is NULL on failure. */
int lw_config_load(const char *path, lw_config **out, lw_diag *diags);

/* Same from memory; `name` is used in messages. */
int lw_config_load_string(const char *name, const char *text, size_t len,
                          lw_config **out, lw_diag *diags);

void lw_config_free(lw_config *cfg);

/* The configuration file a command reads: explicit_path when given, else
 * $LLMWATCH_CONFIG when set and not empty, else ./monitoring_config.yaml
 * (when it exists, or in any case with `required`). NULL when there is
 * none and none is required. Borrowed. */
const char *lw_config_path(const char *explicit_path, int required);
/* Loads path and prints its errors (and, with `warnings`, its warnings)
 * to stderr as file:line:column, then "PROG: PATH has errors". Caller
 * frees; NULL on errors. The one way commands load their config. */
lw_config *lw_config_load_report(const char *path, const char *prog, int warnings);

/* Lookups by name; borrowed pointers, NULL when absent. */
const lw_config_model *lw_config_find_model(const lw_config *cfg, const char *name);
const lw_config_channel *lw_config_find_channel(const lw_config *cfg, const char *name);
const lw_config_rule *lw_config_find_rule(const lw_config *cfg, const char *name);

#endif
