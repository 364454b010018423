/* check_rules.c: rule building and per-field validation (config entries
 * and the web form), each kind's decision on synthetic numbers, burn-rate
 * and forecast math, the alert state machine and the in-memory backtest. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "forecast.h"
#include "lw.h"
#include "alert/rules.h"

static lw_rule *
form_ok(const lw_rule_form *f)
{
    lw_rule_errors errs;
    lw_rule *r = NULL;
    int rc;

    memset(&errs, 0, sizeof(errs));
    rc = lw_rule_from_form(f, &r, &errs);
    ck_assert_msg(rc == LW_OK, "form rejected: %s: %s", errs.n ? errs.v[0].field : "?",
                  errs.n ? errs.v[0].msg : "?");
    return r;
}

static lw_rule_errors
form_bad(const lw_rule_form *f)
{
    lw_rule_errors errs;
    lw_rule *r = NULL;

    memset(&errs, 0, sizeof(errs));
    ck_assert_int_eq(lw_rule_from_form(f, &r, &errs), LW_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_int_gt(errs.n, 0);
    return errs;
}

static void
expect_field(const lw_rule_errors *e, const char *field, const char *needle)
{
    const char *m = lw_rule_error_for(e, field);

    ck_assert_msg(m != NULL, "no error for field '%s' (first: %s: %s)", field,
                  e->n ? e->v[0].field : "-", e->n ? e->v[0].msg : "-");
    ck_assert_msg(strstr(m, needle) != NULL, "field %s: '%s' lacks '%s'", field, m, needle);
}

static lw_rule_sample
blank(void)
{
    lw_rule_sample s;
    int i;

    memset(&s, 0, sizeof(s));
    for (i = 0; i < LW_M_COUNT; i++)
        s.m[i] = s.baseline[i] = NAN;
    s.sla_target = s.mean = s.std_dev = NAN;
    s.slope = s.intercept = s.avgx = s.sxx = s.syy = s.sxy = NAN;
    s.model = "gpt-4";
    s.environment = "production";
    s.model_id = 1;
    s.environment_id = 1;
    return s;
}

/* ---- building ---- */

START_TEST(test_config_seed_rules)
{
    static const char yaml[] =
        "monitoring:\n"
        "  models:\n"
        "    - provider: openai\n"
        "      model: gpt-4\n"
        "      sla_target: 2.0\n"
        "  alerts:\n"
        "    rules:\n"
        "      - name: \"High Latency\"\n"
        "        condition: \"avg_latency > sla_target * 1.5\"\n"
        "        severity: warning\n"
        "        cooldown: 3600\n"
        "      - name: \"Anomaly Detection\"\n"
        "        type: statistical\n"
        "        condition: \"metric > mean + (3 * std_dev)\"\n"
        "        lookback_window: \"7 days\"\n"
        "        minimum_samples: 100\n"
        "      - name: \"Trend\"\n"
        "        type: trend\n"
        "        condition: \"linear_regression_slope > 0.1\"\n"
        "        window: \"24 hours\"\n"
        "      - name: \"Degradation\"\n"
        "        type: composite\n"
        "        conditions: [\"latency > baseline * 1.5\", \"error_rate > 0.01\"]\n"
        "        operator: OR\n"
        "      - name: \"Forecast\"\n"
        "        type: forecast\n"
        "        metric: p95_latency\n"
        "        threshold: 2.5\n"
        "        horizon: 5h\n"
        "      - name: \"Burn\"\n"
        "        type: burn_rate\n"
        "        slo_target: 0.999\n"
        "      - name: \"Typo\"\n"
        "        condition: \"avg_latncy > 2\"\n";
    lw_config *cfg = NULL;
    lw_diag d;
    lw_rule *r = NULL;
    lw_rule_errors errs;
    size_t i;

    lw_diag_init(&d);
    ck_assert_int_eq(lw_config_load_string("t.yaml", yaml, sizeof(yaml) - 1, &cfg, &d), LW_OK);
    ck_assert_int_eq(cfg->n_rules, 7);
    for (i = 0; i < 6; i++) {
        memset(&errs, 0, sizeof(errs));
        ck_assert_msg(lw_rule_from_config(&cfg->rules[i], &r, &errs) == LW_OK, "%s: %s",
                      cfg->rules[i].name, errs.n ? errs.v[0].msg : "");
        switch (i) {
        case 0:
            ck_assert_int_eq(r->window_s, LW_RULE_DEFAULT_WINDOW);
            ck_assert_int_eq(r->cooldown_s, 3600);
            ck_assert_int_eq(r->repeat_interval_s, 14400);
            break;
        case 1:
            ck_assert_int_eq(r->metric, LW_M_AVG_LATENCY);
            ck_assert_int_eq(r->lookback_s, 7 * 86400);
            ck_assert_int_eq(r->minimum_samples, 100);
            ck_assert_double_eq(r->k, 3.0);
            break;
        case 2:
            ck_assert_int_eq(r->window_s, 86400);
            ck_assert_int_eq(r->metric, LW_M_AVG_LATENCY);
            break;
        case 3:
            ck_assert_uint_eq(r->n_conds, 2);
            ck_assert_int_eq(r->op, LW_OP_OR);
            break;
        case 4:
            ck_assert_str_eq(r->expression, "metric > 2.5");
            ck_assert_int_eq(r->metric, LW_M_P95_LATENCY);
            ck_assert_int_eq(r->lookback_s, LW_RULE_DEFAULT_HISTORY);
            break;
        case 5:
            ck_assert_int_eq(r->period_s, 30 * 86400);
            ck_assert_int_eq(r->metric, LW_M_ERROR_RATE);
            break;
        }
        lw_rule_free(r);
    }
    memset(&errs, 0, sizeof(errs));
    ck_assert_int_eq(lw_rule_from_config(&cfg->rules[6], &r, &errs), LW_EINVAL);
    expect_field(&errs, "condition", "did you mean 'avg_latency'?");
    /* validate's hook: one positioned diagnostic */
    lw_diag_free(&d);
    lw_diag_init(&d);
    ck_assert_int_eq(lw_rules_check_config(cfg, &d), 1);
    ck_assert_int_eq(d.n, 1);
    ck_assert_int_eq(d.v[0].line, 33);
    ck_assert(strstr(d.v[0].msg, "rule 'Typo': condition: unknown measure 'avg_latncy'") != NULL);
    lw_diag_free(&d);
    lw_config_free(cfg);
}
END_TEST

START_TEST(test_form_errors)
{
    lw_rule_form f;
    lw_rule_errors e;
    lw_rule *r;
    lw_buf b = { 0 };

    memset(&f, 0, sizeof(f));
    f.name = "  Slow  ";
    f.condition = "avg_latency > (sla_target * 1.5";
    f.window = "ten minutes";
    f.cooldown = "5m";
    e = form_bad(&f);
    expect_field(&e, "condition", "expected ')' at column 32");
    ck_assert_int_eq(e.v[1].col, 32);
    expect_field(&e, "window", "");
    ck_assert_ptr_null(lw_rule_error_for(&e, "name"));

    memset(&f, 0, sizeof(f));
    f.kind = "composite";
    f.conditions = "error_rate > 0.01\n\n  success_rate < 0.98 \nlatncy > 2";
    e = form_bad(&f);
    expect_field(&e, "name", "needs a name");
    expect_field(&e, "conditions", "condition 3: unknown measure 'latncy'");
    ck_assert_int_eq(e.v[1].index, 2);

    memset(&f, 0, sizeof(f));
    f.name = "x";
    f.kind = "forecast";
    f.metric = "p95_latency";
    e = form_bad(&f);
    expect_field(&e, "horizon", "needs a horizon");
    expect_field(&e, "threshold", "needs a threshold");

    memset(&f, 0, sizeof(f));
    f.name = "x";
    f.kind = "burn_rate";
    f.slo_target = "99.9";
    e = form_bad(&f);
    expect_field(&e, "slo_target", "between 0 and 1");

    memset(&f, 0, sizeof(f));
    f.name = "x";
    f.kind = "statistical";
    f.metric = "daily_cost";
    f.k = "-1";
    e = form_bad(&f);
    expect_field(&e, "metric", "no value per request");
    expect_field(&e, "k", "more than 0");

    memset(&f, 0, sizeof(f));
    f.name = "x";
    f.kind = "sometimes";
    f.severity = "loud";
    f.threshold = "abc";
    e = form_bad(&f);
    expect_field(&e, "type", "unknown rule type");
    expect_field(&e, "severity", "critical, warning or info");
    expect_field(&e, "threshold", "not a number");

    memset(&f, 0, sizeof(f));
    f.name = "x";
    f.kind = "trend";
    f.condition = "avg_latency > 2";
    e = form_bad(&f);
    expect_field(&e, "condition", "must use linear_regression_slope");

    memset(&f, 0, sizeof(f));
    f.name = "x";
    f.kind = "statistical";
    f.metric = "avg_latncy";
    e = form_bad(&f);
    expect_field(&e, "metric", "did you mean 'avg_latency'?");

    /* a good form, trimmed, with scope and defaults */
    memset(&f, 0, sizeof(f));
    f.name = "  Slow  ";
    f.kind = " threshold ";
    f.severity = "critical";
    f.condition = "p95_latency > 2s";
    f.window = "10m";
    f.for_s = "2m";
    f.send_resolved = "off";
    f.models = "gpt-4, claude ,";
    r = form_ok(&f);
    ck_assert_str_eq(r->name, "Slow");
    ck_assert_int_eq(r->severity, LW_SEV_CRITICAL);
    ck_assert_int_eq(r->window_s, 600);
    ck_assert_int_eq(r->for_s, 120);
    ck_assert(!r->send_resolved);
    ck_assert_uint_eq(r->scope_models.n, 2);
    ck_assert_str_eq(r->scope_models.v[1], "claude");
    ck_assert_int_eq(lw_rule_params_json(r, &b), LW_OK);
    ck_assert_str_eq(b.data, "{\"window_s\":600}");
    lw_buf_free(&b);
    lw_rule_free(r);
}
END_TEST

/* ---- decisions ---- */

static lw_rule *
rule_of(const char *kind, const char *cond, const char *metric, const char *threshold)
{
    lw_rule_form f;

    memset(&f, 0, sizeof(f));
    f.name = "r";
    f.kind = kind;
    f.condition = cond;
    f.metric = metric;
    f.threshold = threshold;
    return form_ok(&f);
}

START_TEST(test_decide_threshold)
{
    lw_rule *r = rule_of("threshold", "avg_latency > sla_target * 1.5", NULL, NULL);
    lw_rule_sample s = blank();
    lw_rule_decision d;
    lw_rule_tuning t = { 1.2, 0, 0 };

    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_NODATA);
    s.m[LW_M_AVG_LATENCY] = 3.41;
    s.sla_target = 2.0;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_FIRING);
    ck_assert_str_eq(d.summary, "value 3.41 s > 3.00 s");
    ck_assert_int_eq(d.unit, LW_M_AVG_LATENCY);
    ck_assert_int_eq(d.severity, LW_SEV_WARNING);
    lw_rule_decide(r, &s, &t, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_OK);
    ck_assert_str_eq(d.summary, "value 3.41 s (fires > 3.60 s)");
    lw_rule_free(r);
}
END_TEST

START_TEST(test_decide_statistical)
{
    lw_rule_form f;
    lw_rule *r;
    lw_rule_sample s = blank();
    lw_rule_decision d;
    lw_rule_tuning t = { 1, 1, 4.0 };

    memset(&f, 0, sizeof(f));
    f.name = "anomaly";
    f.kind = "statistical";
    f.minimum_samples = "100";
    r = form_ok(&f);
    ck_assert_str_eq(r->expression, "metric > mean + 3 * std_dev");
    s.m[LW_M_AVG_LATENCY] = 2.5;
    s.mean = 1.8;
    s.std_dev = 0.2;
    s.lookback_n = 99;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_NODATA);   /* too few samples */
    s.lookback_n = 100;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_FIRING);
    ck_assert_double_eq_tol(d.threshold, 2.4, 1e-9);
    lw_rule_decide(r, &s, &t, &d);                 /* z = 3.5 < 4 */
    ck_assert_int_eq(d.state, LW_DECIDE_OK);
    ck_assert_double_eq_tol(d.threshold, 2.6, 1e-9);
    s.m[LW_M_AVG_LATENCY] = 2.3;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_OK);
    lw_rule_free(r);
}
END_TEST

START_TEST(test_decide_trend_and_composite)
{
    lw_rule *r = rule_of("trend", "linear_regression_slope > 0.1", NULL, NULL);
    lw_rule_form f;
    lw_rule_sample s = blank();
    lw_rule_decision d;

    s.regr_n = 2;
    s.regr_samples = 50;
    s.slope = 0.5;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_NODATA);   /* two buckets are no line */
    s.regr_n = 40;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_FIRING);
    ck_assert(strstr(d.summary, "avg_latency slope 0.50 s/h > 0.10 s/h over 1d") != NULL);
    s.slope = 0.05;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_OK);
    lw_rule_free(r);

    memset(&f, 0, sizeof(f));
    f.name = "degradation";
    f.kind = "composite";
    f.conditions = "latency > baseline * 1.5\nerror_rate > 0.01\nsuccess_rate < 0.98";
    f.op = "OR";
    r = form_ok(&f);
    s = blank();
    s.m[LW_M_ERROR_RATE] = 0.005;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_NODATA);   /* OR: unknowns could still hold */
    s.m[LW_M_SUCCESS_RATE] = 0.97;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_FIRING);
    ck_assert(strstr(d.summary, "success_rate < 0.98: value 97.0% < 98.0% (1 of 3") != NULL);
    r->op = LW_OP_AND;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_OK);       /* AND: one known false is enough */
    s.m[LW_M_ERROR_RATE] = 0.03;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_NODATA);   /* AND: the baseline is unknown */
    s.m[LW_M_AVG_LATENCY] = 3;
    s.baseline[LW_M_AVG_LATENCY] = 1.8;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_FIRING);
    lw_rule_free(r);
}
END_TEST

START_TEST(test_decide_forecast)
{
    lw_rule_form f;
    lw_rule *r;
    lw_rule_sample s = blank();
    lw_rule_decision d;

    memset(&f, 0, sizeof(f));
    f.name = "fc";
    f.kind = "forecast";
    f.metric = "p95_latency";
    f.threshold = "2.5";
    f.horizon = "5h";
    r = form_ok(&f);
    /* y = 2.0 + 0.1 x (x in hours, 0 = now): crosses 2.5 at 5 h */
    s.regr_n = 24;
    s.regr_samples = 1000;
    s.intercept = 2.0;
    s.slope = 0.1;
    s.avgx = -12;
    s.sxx = 1150;
    s.syy = 11.6;
    s.sxy = 115;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_OK);       /* 2.5 exactly at +5h is not above */
    s.slope = 0.125;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_FIRING);
    ck_assert_double_eq_tol(d.hours_until, 4.0 + 1.0 / 48.0, 0.03);
    ck_assert(strstr(d.summary, "p95_latency likely to exceed 2.50 s in 4.0 hours") != NULL);
    s.slope = -0.1;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_OK);
    s.regr_samples = 5;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_NODATA);
    lw_rule_free(r);

    /* a condition against the SLA */
    memset(&f, 0, sizeof(f));
    f.name = "fc-sla";
    f.kind = "forecast";
    f.condition = "avg_latency > sla_target";
    f.horizon = "24h";
    r = form_ok(&f);
    ck_assert_int_eq(r->metric, LW_M_AVG_LATENCY);
    s = blank();
    s.regr_n = 24;
    s.regr_samples = 500;
    s.intercept = 1.5;
    s.slope = 0.1;
    s.avgx = -12;
    s.sxx = 1150;
    s.syy = 11.6;
    s.sxy = 115;
    s.sla_target = 2.0;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_FIRING);
    ck_assert(strstr(d.summary, "avg_latency likely to exceed SLA (2.00 s) in 5.") != NULL);
    lw_rule_free(r);

    /* lower is worse: quality forecast to fall */
    memset(&f, 0, sizeof(f));
    f.name = "fc-quality";
    f.kind = "forecast";
    f.metric = "quality_score";
    f.threshold = "80";
    f.horizon = "1d";
    r = form_ok(&f);
    ck_assert_str_eq(r->expression, "metric < 80");
    lw_rule_free(r);
}
END_TEST

START_TEST(test_decide_burn_rate)
{
    lw_rule_form f;
    lw_rule *r;
    lw_rule_sample s = blank();
    lw_rule_decision d;
    int i;

    memset(&f, 0, sizeof(f));
    f.name = "burn";
    f.kind = "burn_rate";
    f.slo_target = "0.99";
    f.severity = "critical";
    r = form_ok(&f);
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_NODATA);
    for (i = 0; i < 5; i++)
        s.br_count[i] = 1000;
    /* 1h at 20% errors = burn 20 >= 14.4, but the 5m window is clean */
    s.br_errors[2] = 200;
    s.br_errors[0] = 0;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_OK);
    s.br_errors[0] = 150;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_FIRING);
    ck_assert_int_eq(d.severity, LW_SEV_CRITICAL);
    ck_assert(strstr(d.summary, "20.0x over 1h and 15.0x over 5m >= 14.4x (page") != NULL);
    /* only the slow ticket pair: 3d and 6h at 1.5 */
    memset(s.br_errors, 0, sizeof(s.br_errors));
    s.br_errors[4] = 15;
    s.br_errors[3] = 15;
    lw_rule_decide(r, &s, NULL, &d);
    ck_assert_int_eq(d.state, LW_DECIDE_FIRING);
    ck_assert_int_eq(d.severity, LW_SEV_WARNING);  /* a ticket, not a page */
    ck_assert(strstr(d.summary, "(ticket") != NULL);
    lw_rule_free(r);
}
END_TEST

/* ---- math ---- */

START_TEST(test_burn_math)
{
    ck_assert_double_eq_tol(lw_stats_burn_threshold(&lw_stats_burn_windows[0], 30 * 86400), 14.4, 1e-9);
    ck_assert_double_eq_tol(lw_stats_burn_threshold(&lw_stats_burn_windows[1], 30 * 86400), 6.0, 1e-9);
    ck_assert_double_eq_tol(lw_stats_burn_threshold(&lw_stats_burn_windows[2], 30 * 86400), 1.0, 1e-9);
    ck_assert_double_eq_tol(lw_stats_burn_threshold(&lw_stats_burn_windows[0], 7 * 86400), 3.36, 1e-9);
    ck_assert_int_eq(lw_stats_burn_windows[0].long_s, 3600);
    ck_assert_int_eq(lw_stats_burn_windows[0].short_s, 300);
    ck_assert_int_eq(lw_stats_burn_windows[1].long_s, 21600);
    ck_assert_int_eq(lw_stats_burn_windows[1].short_s, 1800);
    ck_assert_int_eq(lw_stats_burn_windows[2].long_s, 259200);
    ck_assert_int_eq(lw_stats_burn_windows[2].short_s, 21600);
    ck_assert_double_eq_tol(lw_stats_burn_rate(144, 10000, 0.999), 14.4, 1e-9);
    ck_assert(isnan(lw_stats_burn_rate(0, 0, 0.999)));
    ck_assert_double_eq_tol(lw_stats_burn_rate(0, 10, 0.999), 0, 1e-12);
}
END_TEST

START_TEST(test_forecast_math)
{
    lw_forecast_line fc;
    double xs[10], ys[10], n = 10, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, mx, my, slope;
    int i;

    /* Student t quantiles (two-sided) against tables */
    ck_assert_double_eq_tol(lw_stats_t_quantile(0.95, 1), 12.706, 0.001);
    ck_assert_double_eq_tol(lw_stats_t_quantile(0.95, 8), 2.306, 0.001);
    ck_assert_double_eq_tol(lw_stats_t_quantile(0.95, 30), 2.042, 0.001);
    ck_assert_double_eq_tol(lw_stats_t_quantile(0.99, 10), 3.169, 0.001);
    ck_assert_double_eq_tol(lw_stats_t_quantile(0.95, 100000), 1.960, 0.001);
    ck_assert(isnan(lw_stats_t_quantile(0.95, 0)));

    /* a noisy line y = 1 + 0.2 x over x = -9..0 */
    for (i = 0; i < 10; i++) {
        xs[i] = i - 9;
        ys[i] = 1 + 0.2 * xs[i] + ((i % 2) ? 0.05 : -0.05);
        sx += xs[i];
        sy += ys[i];
    }
    mx = sx / n;
    my = sy / n;
    for (i = 0; i < 10; i++) {
        sxx += (xs[i] - mx) * (xs[i] - mx);
        syy += (ys[i] - my) * (ys[i] - my);
        sxy += (xs[i] - mx) * (ys[i] - my);
    }
    slope = sxy / sxx;
    ck_assert_int_eq(lw_forecast_linear(10, slope, my - slope * mx, mx, sxx, syy, sxy, 5, 0.95,
                                        1.8, 1, &fc), LW_OK);
    ck_assert_double_eq_tol(fc.at_horizon, fc.now + 5 * slope, 1e-9);
    ck_assert(fc.lo < fc.at_horizon && fc.at_horizon < fc.hi);
    /* interval half-width = t(8) * s * sqrt(1 + 1/n + (5 - mx)^2 / sxx) */
    {
        double s2 = (syy - slope * sxy) / 8, half = 2.306 * sqrt(s2 * (1 + 0.1 + (5 - mx) *
                                                                    (5 - mx) / sxx));

        ck_assert_double_eq_tol(fc.hi - fc.at_horizon, half, 1e-3);
    }
    ck_assert_double_eq_tol(fc.hours_until, (1.8 - fc.now) / slope, 1e-9);
    ck_assert(fc.hours_until > 3.5 && fc.hours_until < 4.5);
    /* a limit beyond the horizon, and a falling series */
    lw_forecast_linear(10, slope, my - slope * mx, mx, sxx, syy, sxy, 2, 0.95, 1.8, 1, &fc);
    ck_assert(isnan(fc.hours_until));
    lw_forecast_linear(10, -slope, 1.0, mx, sxx, syy, sxy, 5, 0.95, 0.5, 0, &fc);
    ck_assert_double_eq_tol(fc.hours_until, 0.5 / slope, 1e-9);
    ck_assert_int_eq(lw_forecast_linear(2, 1, 1, 0, 1, 1, 1, 1, 0.95, 1, 1, &fc), LW_EINVAL);
}
END_TEST

/* ---- state ---- */

START_TEST(test_state_machine)
{
    lw_rule *r = rule_of("threshold", "error_rate > 0.5", NULL, NULL);
    lw_alert_track t = { LW_ALERT_OK, 0, 0 };

    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_OK, 100), LW_TR_NONE);
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_NODATA, 160), LW_TR_NONE);
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_FIRING, 220), LW_TR_FIRING);
    ck_assert_int_eq(t.fired_at, 220);
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_FIRING, 280), LW_TR_NONE);
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_NODATA, 340), LW_TR_RESOLVED);
    ck_assert_int_eq(t.state, LW_ALERT_OK);

    r->for_s = 120;
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_FIRING, 400), LW_TR_PENDING);
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_FIRING, 460), LW_TR_NONE);
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_OK, 520), LW_TR_CLEARED);
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_FIRING, 580), LW_TR_PENDING);
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_FIRING, 640), LW_TR_NONE);
    ck_assert_int_eq(lw_alert_step(r, &t, LW_DECIDE_FIRING, 700), LW_TR_FIRING);
    ck_assert_int_eq(t.started_at, 580);
    ck_assert_int_eq(t.fired_at, 700);
    ck_assert_str_eq(lw_alert_state_name(t.state), "firing");
    lw_rule_free(r);
}
END_TEST

START_TEST(test_backtest_replay)
{
    lw_rule *r = rule_of("threshold", "error_rate > 0.5", NULL, NULL);
    lw_rule_samples ss = { 0 };
    lw_backtest bt;
    lw_rule_tuning t = { 1.5, 0, 0 };
    /* error rate per minute for two models */
    static const double a[] = { 0, 0.6, 0.7, 0.1, 0.9, 0.9, 0.2, 0.6 };
    static const double b[] = { 0, 0, 0.55, NAN, 0, 0, 0, 0 };
    size_t i;

    ss.v = calloc(16, sizeof(*ss.v));
    for (i = 0; i < 8; i++) {
        ss.v[ss.n] = blank();
        ss.v[ss.n].at = 1000 + 60 * (time_t) i;
        ss.v[ss.n].m[LW_M_ERROR_RATE] = a[i];
        ss.n++;
        ss.v[ss.n] = blank();
        ss.v[ss.n].at = 1000 + 60 * (time_t) i;
        ss.v[ss.n].model_id = 2;
        ss.v[ss.n].model = "claude";
        ss.v[ss.n].m[LW_M_ERROR_RATE] = b[i];
        ss.n++;
    }
    ck_assert_int_eq(lw_backtest_samples(r, &ss, NULL, &bt), LW_OK);
    ck_assert_uint_eq(bt.evaluations, 8);
    ck_assert_uint_eq(bt.samples, 16);
    ck_assert_uint_eq(bt.nodata, 1);
    ck_assert_uint_eq(bt.fired, 4);
    ck_assert_int_eq(bt.v[0].fired_at, 1060);
    ck_assert_int_eq(bt.v[0].resolved_at, 1180);
    ck_assert_str_eq(bt.v[1].model, "claude");
    ck_assert_int_eq(bt.v[1].resolved_at, 1180);     /* no data resolves */
    ck_assert_int_eq(bt.v[3].fired_at, 1420);
    ck_assert_int_eq(bt.v[3].resolved_at, 0);        /* still firing at the end */
    lw_backtest_free(&bt);
    /* stricter threshold (0.75): only the 0.9 run */
    ck_assert_int_eq(lw_backtest_samples(r, &ss, &t, &bt), LW_OK);
    ck_assert_uint_eq(bt.fired, 1);
    ck_assert_int_eq(bt.v[0].fired_at, 1240);
    lw_backtest_free(&bt);
    /* `for` holds the firing back one evaluation */
    r->for_s = 60;
    ck_assert_int_eq(lw_backtest_samples(r, &ss, NULL, &bt), LW_OK);
    ck_assert_uint_eq(bt.fired, 2);
    ck_assert_int_eq(bt.v[0].fired_at, 1120);
    lw_backtest_free(&bt);
    free(ss.v);
    lw_rule_free(r);
}
END_TEST

Suite *rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_config_seed_rules);
    tcase_add_test(tc, test_form_errors);
    tcase_add_test(tc, test_decide_threshold);
    tcase_add_test(tc, test_decide_statistical);
    tcase_add_test(tc, test_decide_trend_and_composite);
    tcase_add_test(tc, test_decide_forecast);
    tcase_add_test(tc, test_decide_burn_rate);
    tcase_add_test(tc, test_burn_math);
    tcase_add_test(tc, test_forecast_math);
    tcase_add_test(tc, test_state_machine);
    tcase_add_test(tc, test_backtest_replay);
    suite_add_tcase(s, tc);
    return s;
}
