/* check_config.c: monitoring_config.yaml loading: the seed and the root
 * config, every error class with its line:column, ${VAR} expansion and
 * secrets, prices, and `llmwatch validate`.
 * Fixtures are read relative to the current directory: run the tests from
 * the repository root (as `make test` does). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "lw.h"
#include "prices.h"

#define FIX "tests/fixtures/config/"

int lw_cmd_validate(int argc, char **argv);

/* The variables the fixtures reference, cleared so the host's environment
 * cannot change a result. */
static void
clean_env(void)
{
    static const char *const vars[] = {
        "SLACK_WEBHOOK_URL", "PAGERDUTY_API_KEY", "PAGERDUTY_EVENTS_URL", "OPENAI_BASE_URL",
        "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL", "LOCAL_LLM_BASE_URL", "LLMWATCH_SMTP_URL",
        "LLMWATCH_CONFIG", "LW_TEST_SLA", "LW_TEST_SMTP_PASSWORD", "LW_TEST_SLACK_URL",
        "LW_TEST_PD_KEY", "LW_TEST_HMAC", "LW_TEST_TWILIO_TOKEN", "LW_TEST_ENV",
        "LW_TEST_MODEL", "LW_TEST_UNSET_BASE", "LW_TEST_HOST", "LW_TEST_SECRET", "LW_TEST_PD",
    };
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(vars); i++)
        unsetenv(vars[i]);
}

static lw_config *
load(const char *path, lw_diag *d, int *rc)
{
    lw_config *cfg = NULL;

    lw_diag_init(d);
    *rc = lw_config_load(path, &cfg, d);
    return cfg;
}

static lw_config *
load_str(const char *yaml, lw_diag *d, int *rc)
{
    lw_config *cfg = NULL;

    lw_diag_init(d);
    *rc = lw_config_load_string("test.yaml", yaml, strlen(yaml), &cfg, d);
    return cfg;
}

/* The entry at line:col of that level whose message contains `sub`. */
static const lw_diag_entry *
find_diag(const lw_diag *d, lw_diag_level level, int line, int col, const char *sub)
{
    size_t i;

    for (i = 0; i < d->n; i++)
        if (d->v[i].level == level && d->v[i].line == line && d->v[i].col == col &&
            (sub == NULL || strstr(d->v[i].msg, sub) != NULL))
            return &d->v[i];
    return NULL;
}

static void
dump(const lw_diag *d)
{
    lw_diag_print(d, stderr);
}

#define ASSERT_DIAG(d, lvl, line, col, sub) \
    do { \
        if (find_diag((d), (lvl), (line), (col), (sub)) == NULL) { \
            dump(d); \
            ck_abort_msg("no %s at %d:%d containing \"%s\"", \
                         (lvl) == LW_DIAG_ERROR ? "error" : "warning", (line), (col), \
                         (sub) ? (sub) : ""); \
        } \
    } while (0)

static int
any_diag_contains(const lw_diag *d, const char *sub)
{
    size_t i;

    for (i = 0; i < d->n; i++)
        if (strstr(d->v[i].msg, sub) != NULL)
            return 1;
    return 0;
}

/* ---- good files ---- */

/* A composite rule's `window` is used (params.window_s): no "ignored"
 * warning, and the value is kept. */
START_TEST(test_composite_window_used)
{
    lw_diag d;
    lw_config *cfg;
    int rc;

    cfg = load_str("monitoring:\n  models:\n"
                   "    - provider: openai\n      model: gpt-4\n      sla_target: 2\n"
                   "  alerts:\n    rules:\n"
                   "      - name: c\n        type: composite\n        window: 2m\n"
                   "        conditions: [\"error_rate > 0.1\", \"avg_latency > 2\"]\n", &d, &rc);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_msg(!any_diag_contains(&d, "ignored"), "unexpected warning");
    ck_assert_int_eq(cfg->rules[0].window, 120);
    lw_config_free(cfg);
    lw_diag_free(&d);
}
END_TEST

START_TEST(test_seed_verbatim)
{
    const lw_config_model *m;
    const lw_config_channel *ch;
    const lw_config_rule *r;
    lw_config *cfg;
    lw_diag d;
    int rc;

    clean_env();
    cfg = load(FIX "seed.yaml", &d, &rc);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_ptr_nonnull(cfg);
    ck_assert_int_eq(d.errors, 0);
    /* only the two unset ${...} secrets, as warnings with their positions */
    ck_assert_int_eq(d.warnings, 2);
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 36, 22, "SLACK_WEBHOOK_URL is not set");
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 40, 18, "PAGERDUTY_API_KEY is not set");

    ck_assert_uint_eq(cfg->n_models, 3);
    ck_assert_uint_eq(cfg->n_schedules, 3);
    ck_assert_uint_eq(cfg->n_channels, 3);
    ck_assert_uint_eq(cfg->n_rules, 3);
    ck_assert_str_eq(cfg->environment, "production");

    m = lw_config_find_model(cfg, "gpt-4");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->provider, LW_PROVIDER_OPENAI);
    ck_assert_int_eq(m->priority, LW_PRIORITY_HIGH);
    ck_assert_int_eq(m->sla_target_ms, 2000);
    ck_assert_str_eq(m->base_url, "https://api.openai.com");
    ck_assert_str_eq(m->api_key_env, "OPENAI_API_KEY");
    ck_assert_int_eq(m->price_input_micros, 30000000);
    ck_assert_int_eq(m->price_output_micros, 60000000);
    ck_assert_int_eq(m->prices_source, LW_PRICES_BUILTIN);
    ck_assert_int_eq(m->max_concurrency, 4);
    ck_assert(m->enabled);
    ck_assert_int_eq(m->line, 4);
    ck_assert_int_eq(m->col, 7);
    m = lw_config_find_model(cfg, "claude-3-5-sonnet-20241022");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->sla_target_ms, 3000);
    ck_assert_str_eq(m->base_url, "https://api.anthropic.com");
    ck_assert_int_eq(m->price_input_micros, 3000000);
    ck_assert_int_eq(m->price_output_micros, 15000000);
    m = lw_config_find_model(cfg, "gemini-1.5-pro");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->provider, LW_PROVIDER_GOOGLE);
    ck_assert_int_eq(m->priority, LW_PRIORITY_MEDIUM);
    ck_assert_int_eq(m->sla_target_ms, 2500);
    ck_assert_str_eq(m->api_key_env, "GEMINI_API_KEY");
    ck_assert_int_eq(m->price_input_micros, 1250000);

    ck_assert(cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].configured);
    ck_assert_int_eq(cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].sched.kind, LW_SCHED_INTERVAL);
    ck_assert_int_eq(cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].sched.interval, 21600);
    ck_assert_int_eq(cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].timeout, 300);
    ck_assert_int_eq(cfg->jobs[LW_JOB_COST_ANALYSIS].sched.kind, LW_SCHED_DAILY);
    ck_assert_int_eq(cfg->jobs[LW_JOB_COST_ANALYSIS].sched.hour, 2);
    ck_assert_int_eq(cfg->jobs[LW_JOB_COST_ANALYSIS].timeout, 600);
    ck_assert_int_eq(cfg->jobs[LW_JOB_FULL_BENCHMARK].sched.kind, LW_SCHED_WEEKLY);
    ck_assert_int_eq(cfg->jobs[LW_JOB_FULL_BENCHMARK].sched.weekday, 0);
    ck_assert_int_eq(cfg->jobs[LW_JOB_FULL_BENCHMARK].timeout, 3600);
    /* jobs the seed does not list keep their defaults */
    ck_assert(!cfg->jobs[LW_JOB_EVALUATE].configured);
    ck_assert_int_eq(cfg->jobs[LW_JOB_EVALUATE].sched.interval, 60);

    ch = lw_config_find_channel(cfg, "email");
    ck_assert_ptr_nonnull(ch);
    ck_assert_uint_eq(ch->recipients.n, 1);
    ck_assert_str_eq(ch->recipients.v[0], "team@example.com");
    ck_assert_uint_eq(ch->severities, (1u << LW_SEV_CRITICAL) | (1u << LW_SEV_WARNING));
    ch = lw_config_find_channel(cfg, "slack");
    ck_assert_ptr_nonnull(ch);
    ck_assert_str_eq(ch->webhook_url.raw, "${SLACK_WEBHOOK_URL}");
    ck_assert_str_eq(ch->webhook_url.value, "");
    ck_assert_str_eq(ch->channel, "#llm-monitoring");
    ch = lw_config_find_channel(cfg, "pagerduty");
    ck_assert_ptr_nonnull(ch);
    ck_assert_str_eq(ch->routing_key.raw, "${PAGERDUTY_API_KEY}");
    ck_assert_str_eq(ch->url, "https://events.pagerduty.com/v2/enqueue");

    /* no routing section: derived from each channel's severity list */
    ck_assert(!cfg->routing_explicit);
    ck_assert_uint_eq(cfg->routing[LW_SEV_CRITICAL].n, 3);
    ck_assert_uint_eq(cfg->routing[LW_SEV_WARNING].n, 1);
    ck_assert_str_eq(cfg->channels[cfg->routing[LW_SEV_WARNING].channel[0]].name, "email");
    ck_assert_uint_eq(cfg->routing[LW_SEV_INFO].n, 0);

    r = lw_config_find_rule(cfg, "High Latency");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->kind, LW_RULE_THRESHOLD);
    ck_assert_str_eq(r->condition, "avg_latency > sla_target * 1.5");
    ck_assert_int_eq(r->severity, LW_SEV_WARNING);
    ck_assert_int_eq(r->cooldown, 3600);
    r = lw_config_find_rule(cfg, "Service Down");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->severity, LW_SEV_CRITICAL);
    ck_assert_int_eq(r->cooldown, 300);
    r = lw_config_find_rule(cfg, "Cost Spike");
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->cooldown, 86400);
    ck_assert_int_eq(r->line, 52);
    lw_config_free(cfg);
    lw_diag_free(&d);
}
END_TEST

START_TEST(test_root_config)
{
    const lw_config_model *m;
    const lw_config_channel *ch;
    lw_config *cfg;
    lw_diag d;
    int rc;

    clean_env();
    cfg = load("monitoring_config.yaml", &d, &rc);
    if (rc != LW_OK)
        dump(&d);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_int_eq(d.errors, 0);
    /* the unset Slack and PagerDuty secrets only warn */
    ck_assert_int_eq(d.warnings, 2);
    ck_assert(any_diag_contains(&d, "SLACK_WEBHOOK_URL is not set"));
    ck_assert_uint_eq(cfg->n_models, 7);
    ck_assert_uint_eq(cfg->n_schedules, 3);
    ck_assert_uint_eq(cfg->n_channels, 3);
    ck_assert_uint_eq(cfg->n_rules, 3);
    ck_assert_ptr_nonnull(lw_config_find_model(cfg, "gpt-4"));
    ck_assert_ptr_nonnull(lw_config_find_model(cfg, "claude-3-5-sonnet-20241022"));
    ck_assert_ptr_nonnull(lw_config_find_model(cfg, "gemini-1.5-pro"));
    m = lw_config_find_model(cfg, "llama-3.1-8b-local");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->provider, LW_PROVIDER_OPENAI_COMPATIBLE);
    ck_assert_str_eq(m->model, "llama-3.1-8b-instruct");
    ck_assert_str_eq(m->base_url, "http://127.0.0.1:8090");
    ck_assert_ptr_null(m->api_key_env);
    ck_assert_int_eq(m->prices_source, LW_PRICES_CONFIG);
    /* every model points at the simulator unless the environment says otherwise */
    ck_assert_str_eq(lw_config_find_model(cfg, "gpt-4")->base_url, "http://127.0.0.1:8090");
    ck_assert_int_eq(cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].sched.interval, 60);
    ch = lw_config_find_channel(cfg, "email");
    ck_assert_ptr_nonnull(ch);
    ck_assert_str_eq(ch->recipients.v[0], "team@example.com");
    ck_assert_str_eq(ch->smtp_url, "smtp://127.0.0.1:2525");
    ck_assert_str_eq(cfg->probe_suite, "quick");
    lw_config_free(cfg);
    lw_diag_free(&d);

    setenv("OPENAI_BASE_URL", "https://api.openai.com/", 1);
    setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/abc", 1);
    setenv("PAGERDUTY_API_KEY", "0123456789abcdef0123456789abcdef", 1);
    cfg = load("monitoring_config.yaml", &d, &rc);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_int_eq(d.warnings, 0);
    ck_assert_str_eq(lw_config_find_model(cfg, "gpt-4")->base_url, "https://api.openai.com");
    ck_assert_str_eq(lw_config_find_channel(cfg, "slack")->webhook_url.value,
                     "https://hooks.slack.com/services/T0/B0/abc");
    lw_config_free(cfg);
    lw_diag_free(&d);
    clean_env();
}
END_TEST

START_TEST(test_full_example)
{
    const lw_config_model *m;
    const lw_config_channel *ch;
    const lw_config_rule *r;
    lw_config *cfg;
    lw_diag d;
    int rc;

    clean_env();
    setenv("LW_TEST_SMTP_PASSWORD", "hunter2", 1);
    setenv("LW_TEST_SLACK_URL", "https://hooks.slack.com/services/T0/B0/XYZ", 1);
    setenv("LW_TEST_HMAC", "hmac-key", 1);
    setenv("LW_TEST_TWILIO_TOKEN", "tw-token", 1);
    cfg = load(FIX "full.yaml", &d, &rc);
    if (rc != LW_OK || d.warnings)
        dump(&d);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_int_eq(d.warnings, 0);
    ck_assert_str_eq(cfg->environment, "staging");
    ck_assert_str_eq(cfg->probe_suite, "standard");

    m = lw_config_find_model(cfg, "gpt4o-prod");
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->model, "gpt-4o-2024-08-06");
    ck_assert_str_eq(m->environment, "production");
    ck_assert_int_eq(m->sla_target_ms, 1250);
    ck_assert_int_eq(m->price_input_micros, 2500000);  /* gpt-4o, by prefix */
    ck_assert_int_eq(m->max_concurrency, 8);
    ck_assert_int_eq(m->timeout, 45);
    ck_assert_str_eq(m->suite, "comprehensive");
    m = lw_config_find_model(cfg, "claude-3-5-haiku-20241022");
    ck_assert_ptr_nonnull(m);
    ck_assert(!m->enabled);
    ck_assert_str_eq(m->environment, "staging");
    ck_assert_int_eq(m->price_output_micros, 4000000);
    m = lw_config_find_model(cfg, "gemini-2.0-flash");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->sla_target_ms, 800);             /* ${LW_TEST_SLA:-0.8} */
    ck_assert_int_eq(m->price_input_micros, 100000);     /* "0.10" exactly */
    ck_assert_int_eq(m->price_output_micros, 1);         /* "0.000001" exactly */
    ck_assert_int_eq(m->prices_source, LW_PRICES_CONFIG);
    m = lw_config_find_model(cfg, "local");
    ck_assert_ptr_nonnull(m);
    ck_assert_str_eq(m->base_url, "http://127.0.0.1:8000");
    ck_assert_str_eq(m->api_key_env, "LOCAL_KEY");
    ck_assert_int_eq(m->price_input_micros, 0);

    ck_assert_uint_eq(cfg->n_schedules, 4);
    ck_assert_int_eq(cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].sched.interval, 30);
    ck_assert_int_eq(cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].timeout, 60);
    ck_assert_int_eq(cfg->jobs[LW_JOB_COST_ANALYSIS].sched.kind, LW_SCHED_CRON);
    ck_assert_int_eq(cfg->jobs[LW_JOB_COST_ANALYSIS].timeout, 600); /* default kept */
    ck_assert_int_eq(cfg->jobs[LW_JOB_FULL_BENCHMARK].sched.mday, LW_SCHED_LAST_DAY);
    ck_assert_int_eq(cfg->jobs[LW_JOB_FULL_BENCHMARK].timeout, 7200);
    ck_assert_str_eq(cfg->jobs[LW_JOB_FULL_BENCHMARK].suite, "comprehensive");
    ck_assert(!cfg->jobs[LW_JOB_MAINTAIN].enabled);
    ck_assert_int_eq(cfg->jobs[LW_JOB_MAINTAIN].sched.interval, 900);

    ck_assert_uint_eq(cfg->n_channels, 6);
    ch = lw_config_find_channel(cfg, "team-mail");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->type, LW_CHANNEL_EMAIL);
    ck_assert_uint_eq(ch->recipients.n, 2);
    ck_assert_str_eq(ch->smtp_url, "smtps://smtp.example.com:465");
    ck_assert_str_eq(ch->password.raw, "${LW_TEST_SMTP_PASSWORD}");
    ck_assert_str_eq(ch->password.value, "hunter2");
    ch = lw_config_find_channel(cfg, "pagerduty");
    ck_assert_str_eq(ch->routing_key.raw, "${LW_TEST_PD_KEY:-0123456789abcdef0123456789abcdef}");
    ck_assert_str_eq(ch->routing_key.value, "0123456789abcdef0123456789abcdef");
    ck_assert_str_eq(ch->url, "http://127.0.0.1:9999/v2/enqueue");
    ch = lw_config_find_channel(cfg, "webhook");
    ck_assert_str_eq(ch->url, "https://hooks.example.com/llmwatch");
    ck_assert_str_eq(ch->secret.value, "hmac-key");
    ch = lw_config_find_channel(cfg, "sms");
    ck_assert_str_eq(ch->account_sid, "AC123");
    ck_assert_str_eq(ch->auth_token.raw, "${LW_TEST_TWILIO_TOKEN}");
    ck_assert_str_eq(ch->url, "https://api.twilio.com");
    ck_assert_uint_eq(ch->to.n, 1);
    ck_assert_str_eq(ch->to.v[0], "+15550002222");
    ck_assert_str_eq(ch->from, "+15550001111");
    ch = lw_config_find_channel(cfg, "alertmanager");
    ck_assert(!ch->enabled);

    ck_assert(cfg->routing_explicit);
    ck_assert_uint_eq(cfg->routing[LW_SEV_CRITICAL].n, 4);
    ck_assert_str_eq(cfg->channels[cfg->routing[LW_SEV_CRITICAL].channel[0]].name, "pagerduty");
    ck_assert_str_eq(cfg->channels[cfg->routing[LW_SEV_CRITICAL].channel[3]].name, "sms");
    ck_assert_uint_eq(cfg->routing[LW_SEV_INFO].n, 1);

    ck_assert_uint_eq(cfg->n_rules, 6);
    r = lw_config_find_rule(cfg, "High Latency");
    ck_assert_int_eq(r->cooldown, 3600);
    ck_assert_int_eq(r->for_s, 300);
    ck_assert_int_eq(r->repeat_interval, 14400);
    ck_assert_ptr_nonnull(strstr(r->runbook, "## High latency\n1. Check"));
    r = lw_config_find_rule(cfg, "Anomaly Detection");
    ck_assert_int_eq(r->kind, LW_RULE_STATISTICAL);
    ck_assert_int_eq(r->lookback_window, 604800);
    ck_assert_int_eq(r->minimum_samples, 100);
    ck_assert(r->k == 3.0);
    r = lw_config_find_rule(cfg, "Performance Degradation Trend");
    ck_assert_int_eq(r->kind, LW_RULE_TREND);
    ck_assert_int_eq(r->window, 86400);
    ck_assert_uint_eq(r->models.n, 2);
    ck_assert_str_eq(r->models.v[1], "local");
    r = lw_config_find_rule(cfg, "Service Degradation");
    ck_assert_int_eq(r->kind, LW_RULE_COMPOSITE);
    ck_assert_uint_eq(r->conditions.n, 3);
    ck_assert_str_eq(r->conditions.v[2], "success_rate < 0.98");
    ck_assert_int_eq(r->op, LW_OP_OR);
    ck_assert_int_eq(r->severity, LW_SEV_CRITICAL);
    ck_assert_str_eq(r->environments.v[0], "production");
    r = lw_config_find_rule(cfg, "Latency Forecast");
    ck_assert_int_eq(r->kind, LW_RULE_FORECAST);
    ck_assert(r->has_threshold && r->threshold == 2.5);
    ck_assert_int_eq(r->horizon, 18000);
    ck_assert(!r->send_resolved);
    r = lw_config_find_rule(cfg, "Error Budget Burn");
    ck_assert_int_eq(r->kind, LW_RULE_BURN_RATE);
    ck_assert(r->has_slo_target && r->slo_target == 0.999);
    ck_assert_int_eq(r->period, 30 * 86400);
    ck_assert_str_eq(r->metric, "error_rate");
    ck_assert(!r->enabled);
    lw_config_free(cfg);
    lw_diag_free(&d);
    clean_env();
}
END_TEST

/* ---- bad files ---- */

START_TEST(test_three_errors)
{
    lw_config *cfg;
    lw_diag d;
    int rc;

    clean_env();
    cfg = load(FIX "three_errors.yaml", &d, &rc);
    if (d.errors != 3)
        dump(&d);
    ck_assert_int_eq(rc, LW_EINVAL);
    ck_assert_ptr_null(cfg);
    ck_assert_int_eq(d.errors, 3);
    ck_assert_int_eq(d.warnings, 0);
    ck_assert_uint_eq(d.n, 3);
    /* sorted by position, each at the offending node */
    ck_assert_int_eq(d.v[0].line, 9);
    ck_assert_int_eq(d.v[0].col, 7);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "unknown key 'sla_taget'"));
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "did you mean 'sla_target'?"));
    ck_assert_int_eq(d.v[1].line, 12);
    ck_assert_int_eq(d.v[1].col, 19);
    ck_assert_ptr_nonnull(strstr(d.v[1].msg, "'sla_target' must be a number of seconds"));
    ck_assert_ptr_nonnull(strstr(d.v[1].msg, "'fast'"));
    ck_assert_int_eq(d.v[2].line, 17);
    ck_assert_int_eq(d.v[2].col, 18);
    ck_assert_ptr_nonnull(strstr(d.v[2].msg, "bad frequency"));
    ck_assert_ptr_nonnull(strstr(d.v[2].msg, "hourz"));
    ck_assert_str_eq(d.v[0].file, FIX "three_errors.yaml");
    lw_diag_free(&d);
}
END_TEST

START_TEST(test_unknown_provider)
{
    lw_diag d;
    int rc;

    clean_env();
    ck_assert_ptr_null(load(FIX "unknown_provider.yaml", &d, &rc));
    ck_assert_int_eq(rc, LW_EINVAL);
    ck_assert_int_eq(d.errors, 2);
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 3, 17, "unknown provider 'opnai' (did you mean 'openai'?)");
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 6, 17, "unknown provider 'mistral' (expected one of: openai, "
                "anthropic, google, openai-compatible)");
    lw_diag_free(&d);
}
END_TEST

START_TEST(test_duplicates)
{
    lw_diag d;
    int rc;

    clean_env();
    ck_assert_ptr_null(load(FIX "duplicates.yaml", &d, &rc));
    ck_assert_int_eq(rc, LW_EINVAL);
    ck_assert_int_eq(d.errors, 3);
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 7, 14, "duplicate model name 'gpt-4' (first at line 3)");
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 14, 15, "duplicate channel name 'email' (first at line 12)");
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 19, 15, "duplicate rule name 'High Latency' (first at line 17)");
    lw_diag_free(&d);
}
END_TEST

START_TEST(test_routing_missing_channel)
{
    lw_diag d;
    int rc;

    clean_env();
    ck_assert_ptr_null(load(FIX "routing_missing.yaml", &d, &rc));
    ck_assert_int_eq(rc, LW_EINVAL);
    ck_assert_int_eq(d.errors, 2);
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 14, 18, "names channel 'pagerduty', which does not exist");
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 14, 29, "'ops-slak', which does not exist (did you mean "
                "'ops-slack'?)");
    lw_diag_free(&d);
}
END_TEST

START_TEST(test_syntax_error)
{
    lw_diag d;
    int rc;

    clean_env();
    ck_assert_ptr_null(load(FIX "syntax_error.yaml", &d, &rc));
    ck_assert_int_eq(rc, LW_EINVAL);
    ck_assert_int_eq(d.errors, 1);
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 5, 6, "YAML syntax error");
    ck_assert(any_diag_contains(&d, "at line 3, column 5"));
    lw_diag_free(&d);

    /* a tab where indentation belongs */
    ck_assert_ptr_null(load_str("monitoring:\n\tmodels: []\n", &d, &rc));
    ck_assert_int_eq(rc, LW_EINVAL);
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 2, 1, "YAML syntax error");
    lw_diag_free(&d);
    /* an unclosed quote */
    ck_assert_ptr_null(load_str("monitoring:\n  environment: \"prod\n", &d, &rc));
    ck_assert_int_eq(d.errors, 1);
    ck_assert(any_diag_contains(&d, "YAML syntax error"));
    lw_diag_free(&d);
}
END_TEST

START_TEST(test_missing_file)
{
    lw_config *cfg = (lw_config *) 1;
    lw_diag d;
    int rc;

    cfg = load(FIX "does_not_exist.yaml", &d, &rc);
    ck_assert_int_eq(rc, LW_EIO);
    ck_assert_ptr_null(cfg);
    ck_assert_int_eq(d.errors, 1);
    ck_assert_int_eq(d.v[0].line, 0);
    ck_assert_ptr_nonnull(strstr(d.v[0].msg, "cannot open"));
    lw_diag_free(&d);
}
END_TEST

#define MODEL_OK "    - provider: openai\n      model: gpt-4\n      sla_target: 2\n"

/* One inline case: the YAML must give exactly `errors` errors, one of them
 * at line:col containing `sub`. */
static void
expect_error(const char *yaml, int errors, int line, int col, const char *sub)
{
    lw_config *cfg;
    lw_diag d;
    int rc;

    cfg = load_str(yaml, &d, &rc);
    if (d.errors != errors || find_diag(&d, LW_DIAG_ERROR, line, col, sub) == NULL) {
        fprintf(stderr, "--- for:\n%s--- got:\n", yaml);
        dump(&d);
        ck_abort_msg("expected %d error(s), one at %d:%d containing \"%s\"", errors, line, col,
                     sub);
    }
    ck_assert_int_eq(rc, LW_EINVAL);
    ck_assert_ptr_null(cfg);
    lw_diag_free(&d);
}

START_TEST(test_wrong_types)
{
    clean_env();
    expect_error("monitoring:\n  models:\n    provider: openai\n", 1, 3, 5,
                 "'models' must be a list");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      max_concurrency: 4.5\n", 1, 6, 24,
                 "'max_concurrency' must be a whole number, not '4.5'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      max_concurrency: 0\n", 1, 6, 24,
                 "between 1 and 1024");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      enabled: maybe\n", 1, 6, 16,
                 "'enabled' must be true or false");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      timeout: soon\n", 1, 6, 16,
                 "bad duration 'soon'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      prices: [1, 2]\n", 1, 6, 15,
                 "prices must be a mapping");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      name: {a: b}\n", 1, 6, 13,
                 "'name' must be a string, not a mapping");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    channels:\n"
                 "      - type: email\n        recipients: {to: team@example.com}\n", 1, 9, 21,
                 "'recipients' must be a list");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: x\n        condition: \"a > 1\"\n        cooldown: 1 fortnight\n",
                 1, 10, 19, "unknown unit 'fortnight'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  schedule: [performance_checks]\n",
                 1, 6, 13, "schedule must be a mapping");
    expect_error("- monitoring\n", 1, 1, 1, "the top level must be a mapping");
}
END_TEST

START_TEST(test_bad_values)
{
    clean_env();
    /* unknown keys everywhere, with a suggestion when one is close */
    expect_error("monitorng:\n  models: []\n", 1, 1, 1,
                 "unknown key 'monitorng' in the top level (did you mean 'monitoring'?)");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      colour: blue\n", 1, 6, 7,
                 "unknown key 'colour' in model (known keys: name, provider");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  schedule:\n    performance_check:\n"
                 "      frequency: hourly\n", 1, 7, 5, "did you mean 'performance_checks'?");
    /* missing required keys point at the mapping */
    expect_error("monitoring:\n  models:\n    - provider: openai\n      sla_target: 2\n", 1, 3, 7,
                 "model is missing required key 'model'");
    expect_error("monitoring:\n  environment: prod\n", 1, 2, 3,
                 "monitoring is missing required key 'models'");
    expect_error("monitoring:\n  models:\n    - provider: openai-compatible\n"
                 "      model: llama\n      sla_target: 1\n      prices: {input: 0, output: 0}\n",
                 1, 3, 7, "needs 'base_url'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      base_url: ftp://x\n", 1, 6, 17,
                 "'base_url' must be a URL starting with https://");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      priority: urgent\n", 1, 6, 17,
                 "unknown priority 'urgent'");
    expect_error("monitoring:\n  models:\n    - provider: openai\n      model: gpt-4\n"
                 "      sla_target: 0\n", 1, 5, 19, "more than 0");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      api_key_env: \"MY KEY\"\n", 1, 6, 20,
                 "name of an environment variable");
    /* a key given twice in one mapping */
    expect_error("monitoring:\n  models:\n" MODEL_OK "      model: gpt-4o\n", 1, 6, 7,
                 "duplicate key 'model' in model (first at line 4)");
    /* a second YAML document would be ignored */
    expect_error("monitoring:\n  models:\n" MODEL_OK "---\nmonitoring: {}\n", 1, 7, 1,
                 "only one YAML document");
    expect_error("", 1, 1, 1, "the file is empty");
    /* channels */
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    channels:\n"
                 "      - type: email\n        recipients: [a@example.com]\n"
                 "        webhook_url: https://x\n", 1, 10, 9,
                 "'webhook_url' does not apply to email channels");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    channels:\n"
                 "      - type: teams\n", 1, 8, 15, "unknown channel type 'teams'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    channels:\n"
                 "      - type: email\n        recipients: [nobody]\n", 1, 9, 22,
                 "'nobody' is not an email address");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    channels:\n"
                 "      - type: slack\n", 1, 8, 9, "slack is missing required key 'webhook_url'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    channels:\n"
                 "      - type: email\n        recipients: [a@example.com]\n"
                 "        severity: [critical, urgent]\n", 1, 10, 30, "unknown severity 'urgent'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    channels:\n"
                 "      - type: slack\n        webhook_url: \"hooks.slack.com/${LW_TEST_SECRET}\"\n",
                 1, 9, 22, "value not shown: it is a secret");
    /* rules */
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: r\n        type: thresold\n        condition: \"a > 1\"\n",
                 1, 9, 15, "unknown rule type 'thresold' (did you mean 'threshold'?)");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - condition: \"a > 1\"\n", 1, 8, 9, "rule is missing required key 'name'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: r\n        severity: warning\n", 1, 8, 9,
                 "missing required key 'condition'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: c\n        type: composite\n        operator: XOR\n", 2, 10, 19,
                 "unknown operator 'XOR'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: c\n        type: composite\n", 1, 8, 9,
                 "missing required key 'conditions'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: s\n        type: statistical\n        metric: latency\n", 1, 8, 9,
                 "missing required key 'lookback_window'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: t\n        type: trend\n        window: 1h\n", 1, 8, 9,
                 "trend rule 't' needs 'condition' or 'metric'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: f\n        type: forecast\n        metric: p95\n"
                 "        horizon: 5h\n", 1, 8, 9, "missing required key 'threshold'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: b\n        type: burn_rate\n        slo_target: 99.9\n", 1, 10, 21,
                 "'slo_target' must be between 0 and 1");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: b\n        type: burn_rate\n", 1, 8, 9,
                 "missing required key 'slo_target'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: r\n        condition: \"a > 1\"\n        models: [gpt4]\n", 1, 10, 18,
                 "scoped to model 'gpt4', which is not configured (did you mean 'gpt-4'?)");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: r\n        condition: \"a > 1\"\n        window: 0\n", 1, 10, 17,
                 "'window' must be more than 0 seconds");
    expect_error("monitoring:\n  models:\n" MODEL_OK "  alerts:\n    rules:\n"
                 "      - name: r\n        condition: \"a > 1\"\n        threshold: high\n", 1, 10, 20,
                 "'threshold' must be a number, not 'high'");
}
END_TEST

START_TEST(test_all_errors_collected)
{
    lw_config *cfg;
    lw_diag d;
    size_t i;
    int rc;

    clean_env();
    /* five independent problems in one file: all five are reported, in
     * file order */
    cfg = load_str("monitoring:\n"
                   "  models:\n"
                   "    - provider: opnai\n"
                   "      model: gpt-4\n"
                   "      sla_target: slow\n"
                   "  schedule:\n"
                   "    performance_checks:\n"
                   "      frequency: sometimes\n"
                   "      timeout: -5\n"
                   "  alerts:\n"
                   "    rules:\n"
                   "      - name: r\n"
                   "        condition: \"a > 1\"\n"
                   "        severity: fatal\n", &d, &rc);
    ck_assert_ptr_null(cfg);
    ck_assert_int_eq(rc, LW_EINVAL);
    if (d.errors != 5)
        dump(&d);
    ck_assert_int_eq(d.errors, 5);
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 3, 17, "unknown provider 'opnai'");
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 5, 19, "'sla_target' must be a number");
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 8, 18, "unknown frequency 'sometimes'");
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 9, 16, "bad duration '-5'");
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 14, 19, "unknown severity 'fatal'");
    /* sorted by position */
    for (i = 1; i < d.n; i++)
        ck_assert_int_le(d.v[i - 1].line, d.v[i].line);
    lw_diag_free(&d);
}
END_TEST

START_TEST(test_warnings)
{
    lw_config *cfg;
    lw_diag d;
    int rc;

    clean_env();
    cfg = load_str("monitoring:\n"
                   "  models:\n"
                   "    - provider: openai\n"
                   "      model: o9-preview\n"
                   "      sla_target: 2\n"
                   "      base_url: https://gateway.example.com/v1\n"
                   "  schedule:\n"
                   "    performance_checks:\n"
                   "      frequency: every 7 hours\n"
                   "  alerts:\n"
                   "    channels:\n"
                   "      - type: slack\n"
                   "        webhook_url: https://hooks.slack.com/services/T/B/inclear\n"
                   "        severity: [critical]\n"
                   "    rules:\n"
                   "      - name: r\n"
                   "        condition: \"a > 1\"\n"
                   "        conditions: [\"b > 2\"]\n"
                   "        severity: info\n"
                   "        environments: [qa]\n", &d, &rc);
    if (rc != LW_OK)
        dump(&d);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_int_eq(d.errors, 0);
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 3, 7, "no known price for model 'o9-preview'");
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 6, 17, "ends with an API version");
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 9, 18, "no exact systemd OnCalendar form");
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 13, 22, "secret written in clear");
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 16, 9, "no channel receives info alerts");
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 18, 9, "'conditions' is ignored for threshold rules");
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 20, 24, "no model runs in environment 'qa'");
    ck_assert_int_eq(d.warnings, 7);
    /* a warning that quotes a secret would leak it */
    ck_assert(!any_diag_contains(&d, "inclear"));
    ck_assert_int_eq(lw_config_find_model(cfg, "o9-preview")->prices_source, LW_PRICES_UNKNOWN);
    ck_assert_int_eq(lw_config_find_model(cfg, "o9-preview")->price_input_micros, 0);
    lw_config_free(cfg);
    lw_diag_free(&d);
}
END_TEST

/* ---- environment ---- */

static const char env_yaml[] =
    "monitoring:\n"
    "  environment: \"${LW_TEST_ENV:-staging}\"\n"
    "  models:\n"
    "    - provider: openai\n"
    "      model: \"${LW_TEST_MODEL}\"\n"
    "      sla_target: 2\n"
    "      base_url: \"${LW_TEST_UNSET_BASE}\"\n"
    "  alerts:\n"
    "    channels:\n"
    "      - type: slack\n"
    "        webhook_url: \"${LW_TEST_SLACK_URL}\"\n"
    "      - type: webhook\n"
    "        url: \"https://${LW_TEST_HOST:-hooks.example.com}/x\"\n"
    "        secret: \"pre-${LW_TEST_SECRET}-post $${LITERAL}\"\n"
    "      - type: pagerduty\n"
    "        api_key: \"${LW_TEST_PD:-}\"\n";

START_TEST(test_env_expansion)
{
    const lw_config_channel *ch;
    lw_config *cfg;
    lw_diag d;
    int rc;

    clean_env();
    setenv("LW_TEST_MODEL", "gpt-4o", 1);
    setenv("LW_TEST_SLACK_URL", "https://hooks.slack.com/services/T1/B1/sekrit", 1);
    setenv("LW_TEST_SECRET", "s3cr3t", 1);
    cfg = load_str(env_yaml, &d, &rc);
    if (rc != LW_OK)
        dump(&d);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_str_eq(cfg->environment, "staging");
    ck_assert_str_eq(cfg->models[0].model, "gpt-4o");
    ck_assert_int_eq(cfg->models[0].price_input_micros, 2500000);
    /* unset without default: a warning at the scalar, and the value is
     * empty, so the provider's default base_url applies */
    ck_assert_int_eq(d.warnings, 1);
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 7, 17, "LW_TEST_UNSET_BASE is not set");
    ck_assert_str_eq(cfg->models[0].base_url, "https://api.openai.com");

    ch = lw_config_find_channel(cfg, "slack");
    ck_assert_str_eq(ch->webhook_url.raw, "${LW_TEST_SLACK_URL}");
    ck_assert_str_eq(ch->webhook_url.value, "https://hooks.slack.com/services/T1/B1/sekrit");
    ch = lw_config_find_channel(cfg, "webhook");
    ck_assert_str_eq(ch->url, "https://hooks.example.com/x");
    ck_assert_str_eq(ch->secret.raw, "pre-${LW_TEST_SECRET}-post $${LITERAL}");
    ck_assert_str_eq(ch->secret.value, "pre-s3cr3t-post ${LITERAL}");
    /* ${VAR:-} is an explicit empty default: no warning */
    ch = lw_config_find_channel(cfg, "pagerduty");
    ck_assert_str_eq(ch->routing_key.raw, "${LW_TEST_PD:-}");
    ck_assert_str_eq(ch->routing_key.value, "");
    ck_assert(!any_diag_contains(&d, "sekrit"));
    ck_assert(!any_diag_contains(&d, "s3cr3t"));
    lw_config_free(cfg);
    lw_diag_free(&d);

    /* set wins over the default; set-but-empty takes the default, like
     * the shell's ${VAR:-default} */
    setenv("LW_TEST_ENV", "qa", 1);
    setenv("LW_TEST_HOST", "alerts.internal", 1);
    cfg = load_str(env_yaml, &d, &rc);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_str_eq(cfg->environment, "qa");
    ck_assert_str_eq(cfg->models[0].environment, "qa");
    ck_assert_str_eq(lw_config_find_channel(cfg, "webhook")->url, "https://alerts.internal/x");
    lw_config_free(cfg);
    lw_diag_free(&d);
    setenv("LW_TEST_ENV", "", 1);
    cfg = load_str(env_yaml, &d, &rc);
    ck_assert_int_eq(rc, LW_OK);
    ck_assert_str_eq(cfg->environment, "staging");
    lw_config_free(cfg);
    lw_diag_free(&d);

    /* a required value that expands to nothing is an error */
    unsetenv("LW_TEST_MODEL");
    ck_assert_ptr_null(load_str(env_yaml, &d, &rc));
    ck_assert_int_eq(rc, LW_EINVAL);
    ASSERT_DIAG(&d, LW_DIAG_WARNING, 5, 14, "LW_TEST_MODEL is not set");
    ASSERT_DIAG(&d, LW_DIAG_ERROR, 5, 14, "'model' in model must have a value");
    lw_diag_free(&d);
    clean_env();
}
END_TEST

START_TEST(test_env_bad_references)
{
    clean_env();
    expect_error("monitoring:\n  environment: \"${UNCLOSED\"\n  models:\n" MODEL_OK, 1, 2, 16,
                 "unterminated '${'");
    expect_error("monitoring:\n  environment: \"${1BAD}\"\n  models:\n" MODEL_OK, 1, 2, 16,
                 "bad variable name");
    expect_error("monitoring:\n  environment: \"${X:=y}\"\n  models:\n" MODEL_OK, 1, 2, 16,
                 "bad variable reference '${X:=y}'");
}
END_TEST

/* ---- prices ---- */

START_TEST(test_builtin_prices)
{
    static const struct {
        const char *model;
        int64_t in, out;
    } cases[] = {
        { "gpt-4", 30000000, 60000000 },
        { "gpt-4-0613", 30000000, 60000000 },
        { "gpt-4-turbo", 10000000, 30000000 },
        { "gpt-4-turbo-2024-04-09", 10000000, 30000000 },
        { "gpt-4o", 2500000, 10000000 },
        { "gpt-4o-2024-08-06", 2500000, 10000000 },
        { "gpt-4o-mini", 150000, 600000 },
        { "gpt-4o-mini-2024-07-18", 150000, 600000 },
        { "gpt-3.5-turbo-0125", 500000, 1500000 },
        { "claude-3-5-sonnet-20241022", 3000000, 15000000 },
        { "claude-3-5-sonnet-latest", 3000000, 15000000 },
        { "claude-3-5-haiku-20241022", 800000, 4000000 },
        { "claude-3-opus-20240229", 15000000, 75000000 },
        { "claude-3-haiku-20240307", 250000, 1250000 },
        { "gemini-1.5-pro", 1250000, 5000000 },
        { "gemini-1.5-pro-002", 1250000, 5000000 },
        { "gemini-1.5-flash", 75000, 300000 },
        { "gemini-2.0-flash", 100000, 400000 },
    };
    static const char *const unknown[] = {
        "gpt-40", "gpt-4x", "llama-3.1-8b-instruct", "claude-3", "gemini", "", "GPT-4",
    };
    int64_t in, out;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(cases); i++) {
        ck_assert_msg(lw_prices_builtin(cases[i].model, &in, &out) == LW_OK, "%s",
                      cases[i].model);
        ck_assert_msg(in == cases[i].in && out == cases[i].out, "%s: %lld/%lld",
                      cases[i].model, (long long) in, (long long) out);
    }
    for (i = 0; i < LW_ARRAY_LEN(unknown); i++)
        ck_assert_msg(lw_prices_builtin(unknown[i], &in, &out) == LW_ENOTFOUND, "%s",
                      unknown[i]);
}
END_TEST

START_TEST(test_config_prices)
{
    lw_config *cfg;
    lw_diag d;
    int rc;

    clean_env();
    cfg = load_str("monitoring:\n  models:\n" MODEL_OK
                   "      prices: {input: \"0.075\", output: 1234.567891}\n", &d, &rc);
    ck_assert_int_eq(rc, LW_OK);
    /* a configured price overrides the built-in one, exactly */
    ck_assert_int_eq(cfg->models[0].price_input_micros, 75000);
    ck_assert_int_eq(cfg->models[0].price_output_micros, 1234567891);
    ck_assert_int_eq(cfg->models[0].prices_source, LW_PRICES_CONFIG);
    lw_config_free(cfg);
    lw_diag_free(&d);

    expect_error("monitoring:\n  models:\n" MODEL_OK
                 "      prices: {input: 1.0000001, output: 2}\n", 1, 6, 23,
                 "'input' must be dollars per million tokens (at most 6 decimals)");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      prices: {input: 3}\n", 1, 6, 15,
                 "prices is missing required key 'output'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      prices: {input: -3, output: 1}\n",
                 1, 6, 23, "'input' must not be negative");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      prices: {input: 3e-6, output: 1}\n",
                 1, 6, 23, "not '3e-6'");
    expect_error("monitoring:\n  models:\n" MODEL_OK "      prices: {inptu: 3, output: 1}\n",
                 1, 6, 16, "did you mean 'input'?");
}
END_TEST

/* ---- llmwatch validate ---- */

/* Runs lw_cmd_validate with stdout and stderr captured into *out
 * (caller frees). */
static int
run_validate(int argc, char **argv, char **out)
{
    char path[] = "/tmp/lw_check_validate_XXXXXX";
    int fd = mkstemp(path), save_out, save_err, status;
    lw_buf b = { 0 };
    char chunk[4096];
    ssize_t n;

    ck_assert_int_ge(fd, 0);
    fflush(stdout);
    fflush(stderr);
    save_out = dup(1);
    save_err = dup(2);
    dup2(fd, 1);
    dup2(fd, 2);
    status = lw_cmd_validate(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(save_out, 1);
    dup2(save_err, 2);
    close(save_out);
    close(save_err);
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, chunk, sizeof(chunk))) > 0)
        lw_buf_append(&b, chunk, (size_t) n);
    close(fd);
    unlink(path);
    *out = lw_buf_steal(&b);
    return status;
}

/* The 1-based line of file that holds needle (0: none). */
static int
line_of(const char *file, const char *needle)
{
    char line[1024];
    FILE *f = fopen(file, "r");
    int n = 0, found = 0;

    while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL) {
        n++;
        found = strstr(line, needle) != NULL;
    }
    if (f != NULL)
        fclose(f);
    return found ? n : 0;
}

START_TEST(test_cmd_validate)
{
    char where[160];
    char *a_ok[] = { "validate", "--config", "monitoring_config.yaml", NULL };
    char *a_bad[] = { "validate", "--config=" FIX "three_errors.yaml", NULL };
    char *a_usage[] = { "validate", "--frobnicate", NULL };
    char *a_noarg[] = { "validate", "--config", NULL };
    char *a_default[] = { "validate", NULL };
    char *out;

    clean_env();
    ck_assert_int_eq(run_validate(3, a_ok, &out), 0);
    ck_assert_ptr_nonnull(strstr(out, "monitoring_config.yaml: OK (7 models, 3 schedules, "
                                      "3 channels, 3 alert rules), 2 warnings\n"));
    /* the warning names the line and column of the value in the file */
    snprintf(where, sizeof(where), "monitoring_config.yaml:%d:22: warning: environment "
             "variable SLACK_WEBHOOK_URL is not set", line_of("monitoring_config.yaml", "${SLACK_WEBHOOK_URL}"));
    ck_assert_msg(strstr(out, where) != NULL, "%s not in %s", where, out);
    free(out);

    ck_assert_int_eq(run_validate(2, a_bad, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, FIX "three_errors.yaml:9:7: error: unknown key"));
    ck_assert_ptr_nonnull(strstr(out, FIX "three_errors.yaml:12:19: error:"));
    ck_assert_ptr_nonnull(strstr(out, FIX "three_errors.yaml:17:18: error: bad frequency"));
    ck_assert_ptr_nonnull(strstr(out, FIX "three_errors.yaml: 3 errors\n"));
    free(out);

    ck_assert_int_eq(run_validate(2, a_usage, &out), 2);
    ck_assert_ptr_nonnull(strstr(out, "usage: llmwatch validate"));
    free(out);
    ck_assert_int_eq(run_validate(2, a_noarg, &out), 2);
    free(out);

    /* $LLMWATCH_CONFIG names the default file */
    setenv("LLMWATCH_CONFIG", FIX "duplicates.yaml", 1);
    ck_assert_int_eq(run_validate(1, a_default, &out), 1);
    ck_assert_ptr_nonnull(strstr(out, FIX "duplicates.yaml: 3 errors\n"));
    free(out);
    clean_env();
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *good = tcase_create("good");
    TCase *bad = tcase_create("bad");
    TCase *env = tcase_create("env");
    TCase *cmd = tcase_create("validate");

    tcase_add_test(good, test_seed_verbatim);
    tcase_add_test(good, test_composite_window_used);
    tcase_add_test(good, test_root_config);
    tcase_add_test(good, test_full_example);
    tcase_add_test(good, test_builtin_prices);
    tcase_add_test(good, test_config_prices);
    tcase_add_test(good, test_warnings);
    tcase_add_test(bad, test_three_errors);
    tcase_add_test(bad, test_unknown_provider);
    tcase_add_test(bad, test_duplicates);
    tcase_add_test(bad, test_routing_missing_channel);
    tcase_add_test(bad, test_syntax_error);
    tcase_add_test(bad, test_missing_file);
    tcase_add_test(bad, test_wrong_types);
    tcase_add_test(bad, test_bad_values);
    tcase_add_test(bad, test_all_errors_collected);
    tcase_add_test(env, test_env_expansion);
    tcase_add_test(env, test_env_bad_references);
    tcase_add_test(cmd, test_cmd_validate);
    suite_add_tcase(s, good);
    suite_add_tcase(s, bad);
    suite_add_tcase(s, env);
    suite_add_tcase(s, cmd);
    return s;
}
