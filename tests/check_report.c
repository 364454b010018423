/* check_report.c: reports and SLA evidence: report_config.yaml (the
 * spec's file and its mistakes), periods, the SLA period picker and state
 * rules, the Mann-Whitney test against a worked example, the daily bars;
 * and on a private database (needs $LW_TEST_DATABASE_URL) the SLA figures
 * of known probes (unknown time, downtime, the CSV), the findings of a
 * report on known data, and a report stored once per slot. */
#include <check.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "render.h"
#include "report.h"
#include "report_impl.h"
#include "report_sla.h"
#include "testdb.h"

static time_t
utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return timegm(&tm);
}

/* ---- report_config.yaml ---- */

START_TEST(test_spec_config)
{
    lw_report_config *rc = NULL;
    lw_diag d;

    lw_diag_init(&d);
    ck_assert_int_eq(lw_report_config_load("report_config.yaml", &rc, &d), LW_OK);
    ck_assert_int_eq(d.n, 0);
    ck_assert_int_eq(rc->n_schedules, 3);
    ck_assert_str_eq(rc->schedules[0].name, "Daily Summary");
    ck_assert_str_eq(rc->schedules[0].job, "report:daily_summary");
    ck_assert_str_eq(rc->schedules[0].slug, "daily-summary");
    ck_assert_int_eq(rc->schedules[0].format, LW_REPORT_HTML);
    ck_assert_int_eq(rc->schedules[0].n_sections, 4);
    ck_assert_int_eq(rc->schedules[0].sections[3], LW_RSEC_INCIDENTS);
    ck_assert_str_eq(rc->schedules[1].recipients.v[0], "management@example.com");
    ck_assert_int_eq(rc->schedules[1].format, LW_REPORT_PDF);
    ck_assert_int_eq(rc->schedules[1].n_sections, 5);
    ck_assert_int_eq(rc->schedules[1].sections[0], LW_RSEC_EXECUTIVE_SUMMARY);
    ck_assert_int_eq(rc->schedules[1].sections[1], LW_RSEC_DETAILED_METRICS);
    ck_assert_int_eq(rc->schedules[1].sections[4], LW_RSEC_RECOMMENDATIONS);
    ck_assert_int_eq(rc->schedules[1].sched.kind, LW_SCHED_WEEKLY);
    ck_assert_int_eq(rc->schedules[1].sched.weekday, 1);
    ck_assert_int_eq(lw_report_type_of(&rc->schedules[1].sched), LW_REPORT_WEEKLY);
    ck_assert_int_eq(lw_report_type_of(&rc->schedules[2].sched), LW_REPORT_MONTHLY);
    ck_assert_int_eq(rc->schedules[2].sections[0], LW_RSEC_SLA_COMPLIANCE);
    ck_assert_int_eq(rc->schedules[2].sections[3], LW_RSEC_IMPROVEMENT_PLANS);
    ck_assert_ptr_eq(lw_report_config_find(rc, "report:weekly_deep_dive"), &rc->schedules[1]);
    ck_assert_double_eq(rc->thresholds.cost_change_pct, 20);
    lw_report_config_free(rc);
    lw_diag_free(&d);
}
END_TEST

static lw_diag diags;

static int
load(const char *text)
{
    lw_report_config *rc = NULL;
    int rc_code;

    lw_diag_free(&diags);
    lw_diag_init(&diags);
    rc_code = lw_report_config_load_string("r.yaml", text, strlen(text), &rc, &diags);
    lw_report_config_free(rc);
    return rc_code;
}

static int
said(const char *needle)
{
    size_t i;

    for (i = 0; i < diags.n; i++)
        if (strstr(diags.v[i].msg, needle) != NULL)
            return diags.v[i].line;
    return 0;
}

START_TEST(test_config_mistakes)
{
    ck_assert_int_eq(load("reporting:\n  schedules:\n"
                          "    - name: A\n      frequency: daily at 8:00\n"
                          "      recipients: [\"not an address\"]\n      format: docx\n"
                          "      sections: [executive_summary, cost_analisys, executive_summary]\n"
                          "    - name: a!\n      sections: [incidents]\n"
                          "  thresholds: {quality_ratio: 2}\n"), LW_EINVAL);
    ck_assert_int_eq(said("is not an email address"), 5);
    ck_assert_int_eq(said("'docx'"), 6);
    ck_assert_int_eq(said("did you mean 'cost_analysis'"), 7);
    ck_assert_int_ne(said("listed twice"), 0);
    ck_assert_int_ne(said("the name of the one at line 3"), 0);
    ck_assert_int_ne(said("frequency"), 0);
    ck_assert_int_ne(said("'quality_ratio' must be from 0 to 1"), 0);
    ck_assert_int_eq(load("reporting:\n  schedules:\n    - name: B\n      frequency: sometimes\n"
                          "      sections: [incidents]\n"), LW_EINVAL);
    ck_assert_int_eq(said("bad frequency"), 4);
    ck_assert_int_eq(load("reporting:\n  schedules:\n    - name: C\n"
                          "      frequency: daily at 8:00 Europe/Berlin\n      sections: []\n"),
                     LW_EINVAL);
    ck_assert_int_ne(said("'sections' is empty"), 0);
    ck_assert_int_eq(load("reporting:\n  schedules:\n    - name: C\n"
                          "      frequency: daily at 8:00 Europe/Berlin\n      sections: [incidents]\n"
                          "      commentary: \"**Note**\"\n      timeout: 5m\n"), LW_OK);
    lw_diag_free(&diags);
}
END_TEST

/* ---- periods ---- */

START_TEST(test_periods)
{
    lw_sched s;
    lw_err err;
    time_t f, t;
    char label[96];

    ck_assert_int_eq(lw_sched_parse("weekly on monday at 9:00", &s, &err), LW_OK);
    lw_report_period_of_slot(&s, utc(2025, 1, 6, 9, 0), &f, &t);
    ck_assert_int_eq(f, utc(2024, 12, 30, 0, 0));
    ck_assert_int_eq(t, utc(2025, 1, 6, 0, 0));
    ck_assert_int_eq(lw_sched_parse("monthly on 1st at 10:00", &s, &err), LW_OK);
    lw_report_period_of_slot(&s, utc(2025, 1, 1, 10, 0), &f, &t);
    ck_assert_int_eq(f, utc(2024, 12, 1, 0, 0));
    ck_assert_int_eq(t, utc(2025, 1, 1, 0, 0));
    ck_assert_int_eq(lw_sched_parse("daily at 8:00", &s, &err), LW_OK);
    lw_report_period_of_slot(&s, utc(2025, 3, 1, 8, 0), &f, &t);
    ck_assert_int_eq(f, utc(2025, 2, 28, 0, 0));
    ck_assert_int_eq(t, utc(2025, 3, 1, 0, 0));
    ck_assert_int_eq(lw_sched_parse("every 15 minutes", &s, &err), LW_OK);
    lw_report_period_of_slot(&s, utc(2025, 3, 1, 8, 15), &f, &t);
    ck_assert_int_eq(f, utc(2025, 3, 1, 8, 0));

    ck_assert_int_eq(lw_report_date_range("2025-01-01:2025-01-07", &f, &t, &err), LW_OK);
    ck_assert_int_eq(f, utc(2025, 1, 1, 0, 0));
    ck_assert_int_eq(t, utc(2025, 1, 8, 0, 0));
    lw_report_period_label(f, t, label, sizeof(label));
    ck_assert_str_eq(label, "2025-01-01 \xE2\x80\x93 2025-01-07");
    ck_assert_int_eq(lw_report_date_range("2025-01-07:2025-01-01", &f, &t, &err), LW_EINVAL);
    ck_assert_int_eq(lw_report_date_range("2025-01-01", &f, &t, &err), LW_EINVAL);
    ck_assert_int_eq(lw_report_date_range("2025-02-30:2025-03-01", &f, &t, &err), LW_EINVAL);
    lw_report_default_period(LW_REPORT_MONTHLY, utc(2025, 3, 15, 12, 0), &f, &t);
    ck_assert_int_eq(f, utc(2025, 2, 1, 0, 0));
    ck_assert_int_eq(t, utc(2025, 3, 1, 0, 0));
}
END_TEST

START_TEST(test_sla_periods)
{
    time_t now = utc(2025, 2, 15, 12, 0);
    lw_sla_period p;
    lw_err err;

    ck_assert_int_eq(lw_sla_period_parse("last-month", NULL, NULL, now, &p, &err), LW_OK);
    ck_assert_int_eq(p.from, utc(2025, 1, 1, 0, 0));
    ck_assert_int_eq(p.to, utc(2025, 2, 1, 0, 0));
    ck_assert_str_eq(p.label, "January 2025");
    ck_assert_str_eq(p.last_day, "2025-01-31");
    ck_assert_int_eq(lw_sla_period_parse("quarter", NULL, NULL, now, &p, &err), LW_OK);
    ck_assert_int_eq(p.to, utc(2025, 4, 1, 0, 0));
    ck_assert_str_eq(p.label, "Q1 2025");
    ck_assert_int_eq(lw_sla_period_parse("last-quarter", NULL, NULL, now, &p, &err), LW_OK);
    ck_assert_int_eq(p.from, utc(2024, 10, 1, 0, 0));
    ck_assert_str_eq(p.label, "Q4 2024");
    ck_assert_int_eq(lw_sla_period_parse("7d", NULL, NULL, now, &p, &err), LW_OK);
    ck_assert_int_eq(p.from, utc(2025, 2, 9, 0, 0));
    ck_assert_int_eq(p.to, utc(2025, 2, 16, 0, 0));
    ck_assert_int_eq(lw_sla_period_parse(NULL, NULL, NULL, now, &p, &err), LW_OK);
    ck_assert_str_eq(p.key, "30d");
    ck_assert_int_eq(lw_sla_period_parse("custom", "2024-12-01", "2024-12-31", now, &p, &err), LW_OK);
    ck_assert_int_eq(p.to, utc(2025, 1, 1, 0, 0));
    ck_assert_int_eq(lw_sla_period_parse("custom", "2024-12-31", "2024-12-01", now, &p, &err),
                     LW_EINVAL);
    ck_assert_int_eq(lw_sla_period_parse("custom", "yesterday", "2024-12-01", now, &p, &err),
                     LW_EINVAL);
    ck_assert_int_eq(lw_sla_period_parse("fortnight", NULL, NULL, now, &p, &err), LW_EINVAL);
}
END_TEST

/* ---- the state rules ---- */

static lw_sla_model
judged(long long probes, long long errors, double p95, double elapsed, double unknown,
       double down, int ended)
{
    lw_sla_model m;

    memset(&m, 0, sizeof(m));
    m.name = "m";
    m.target_ms = 2000;
    m.probes = probes;
    m.errors = errors;
    m.p95_ms = p95;
    m.period_min = 43200;           /* 30 days: a budget of 43.2 minutes at 99.9% */
    m.elapsed_min = elapsed;
    m.unknown_min = unknown;
    m.down_min = down;
    m.objective = 0.999;
    m.min_samples = 50;
    m.ended = ended;
    lw_sla_judge(&m);
    return m;
}

START_TEST(test_sla_states)
{
    lw_sla_model m;

    ck_assert_int_eq(judged(49, 0, 1000, 43200, 0, 0, 1).state, LW_SLA_NO_DATA);
    m = judged(100000, 50, 1900, 43200, 0, 21.6, 1);
    ck_assert_int_eq(m.state, LW_SLA_MET);
    ck_assert_double_eq_tol(m.budget_min, 43.2, 1e-9);
    ck_assert_double_eq_tol(m.remaining_pct, 50, 1e-9);
    ck_assert_double_eq_tol(m.burn, 0.5, 1e-9);
    /* ended: below the objective, or above the latency target */
    ck_assert_int_eq(judged(100000, 200, 1900, 43200, 0, 20, 1).state, LW_SLA_BREACHED);
    ck_assert_int_eq(judged(100000, 0, 2100, 43200, 0, 0, 1).state, LW_SLA_BREACHED);
    /* the whole budget spent, even before the end */
    ck_assert_int_eq(judged(100000, 10, 1000, 20000, 0, 43.5, 0).state, LW_SLA_BREACHED);
    /* running: on pace to spend it, or p95 above target so far */
    m = judged(100000, 10, 1000, 10000, 0, 20, 0);
    ck_assert_int_eq(m.state, LW_SLA_AT_RISK);
    ck_assert_double_eq_tol(m.burn, 2.0, 1e-9);
    ck_assert_int_eq(judged(100000, 0, 2500, 10000, 0, 0, 0).state, LW_SLA_AT_RISK);
    ck_assert_int_eq(judged(100000, 0, 1500, 10000, 0, 5, 0).state, LW_SLA_MET);
    /* unknown time is not up: the same downtime burns faster over fewer known minutes */
    ck_assert_int_eq(judged(100000, 10, 1000, 10000, 9000, 5, 0).state, LW_SLA_AT_RISK);
}
END_TEST

/* ---- statistics and words ---- */

/* R: wilcox.test(c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46),
 *                c(1.15, 0.88, 0.90, 0.74, 1.21), exact = FALSE): W = 35, the
 * first sample's ranks sum to 90; z = 9.5 / sqrt(200 / 3), p = 0.2446236 */
START_TEST(test_mann_whitney)
{
    double z, p;

    lw_rp_mann_whitney(10, 5, 90, &z, &p);
    ck_assert_double_eq_tol(z, 1.1635076278220096, 1e-12);
    ck_assert_double_eq_tol(p, 0.24462360512698333, 1e-12);
    lw_rp_mann_whitney(5, 10, 30, &z, &p);     /* the other sample: U = 15 */
    ck_assert_double_eq_tol(z, -1.1635076278220096, 1e-12);
    lw_rp_mann_whitney(4, 4, 18, &z, &p);      /* U = mean: no difference at all */
    ck_assert_double_eq(z, 0);
    ck_assert_double_eq(p, 1);
    lw_rp_mann_whitney(0, 4, 0, &z, &p);
    ck_assert(isnan(p));
}
END_TEST

START_TEST(test_deltas)
{
    char b[32];

    lw_rp_delta(105, 100, b, sizeof(b));
    ck_assert_str_eq(b, "\xE2\x86\x91 5.0%");
    lw_rp_delta(94.8, 100, b, sizeof(b));
    ck_assert_str_eq(b, "\xE2\x86\x93 5.2%");
    lw_rp_delta(100.01, 100, b, sizeof(b));
    ck_assert_str_eq(b, "\xE2\x86\x92 0.0%");
    lw_rp_delta(5, 0, b, sizeof(b));
    ck_assert_str_eq(b, "new");
    lw_rp_delta(NAN, 1, b, sizeof(b));
    ck_assert_str_eq(b, "-");
}
END_TEST

START_TEST(test_day_bars)
{
    double day[3] = { 1735689600, 1735776000, 1735862400 }, pct[3] = { 100, NAN, 99.5 };
    lw_buf b = { 0 };

    ck_assert_int_eq(lw_report_chart_days(&b, "<m> & co", day, pct, 3, 99.9), LW_OK);
    ck_assert(strncmp(b.data, "<svg ", 5) == 0);
    ck_assert_ptr_nonnull(strstr(b.data, "&lt;m&gt; &amp; co"));
    ck_assert_ptr_null(strstr(b.data, "<m>"));
    ck_assert_ptr_nonnull(strstr(b.data, "2025-01-02: no probe (unknown)"));
    ck_assert_ptr_nonnull(strstr(b.data, "2025-01-03: 99.500%"));
    ck_assert_ptr_nonnull(strstr(b.data, "objective 99.9%"));
    ck_assert_ptr_null(strstr(b.data, "style="));
    ck_assert(strstr(b.data, "</svg>\n") == b.data + b.len - 7);
    lw_buf_free(&b);
}
END_TEST

/* ---- on a database ---- */

static lw_testdb tdb;

static void
db_setup(void)
{
    lw_testdb_setup(&tdb, "check_report");
}

static void
db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

/* alpha: every 5 minutes on 2025-01-06 (288 probes, 2 failed), only the
 * first half of 2025-01-07 (144, none failed); beta: enabled, never probed. */
static void
seed_sla(lw_db *db)
{
    lw_testdb_exec(db, "TRUNCATE probes, alerts, alert_events, job_runs, rules, models, environments,"
                       " reports RESTART IDENTITY CASCADE");
    lw_testdb_exec(db, "SELECT llmwatch_ensure_partitions('2024-12-01', '2025-01-09')");
    lw_testdb_exec(db, "INSERT INTO environments (name) VALUES ('production')");
    lw_testdb_exec(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms) VALUES"
                       " (1, 'alpha', 'openai', 'gpt-4', 2000), (1, 'beta', 'openai', 'gpt-4o', 1500)");
    lw_testdb_exec(db, "INSERT INTO probes (ts, model_id, environment_id, ok, error_class, total_ms)"
                       " SELECT '2025-01-06 00:00+00'::timestamptz + i * interval '5 minutes', 1, 1,"
                       "  i NOT IN (10, 20), CASE WHEN i IN (10, 20) THEN 'http_5xx' END, 1000 + i"
                       " FROM generate_series(0, 287 + 144) i");
}

START_TEST(test_sla_known)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err = { { 0 } };
    lw_buf csv = { 0 }, again = { 0 };
    lw_sla s;
    const lw_sla_model *a, *b;

    seed_sla(db);
    ck_assert_msg(lw_sla_load(db, utc(2025, 1, 6, 0, 0), utc(2025, 1, 8, 0, 0), &s, &err) == LW_OK,
                  "%s", err.msg);
    ck_assert_int_eq(s.n, 2);
    a = &s.models[0];
    b = &s.models[1];
    ck_assert_str_eq(a->name, "alpha");
    ck_assert_int_eq(a->probes, 432);
    ck_assert_int_eq(a->errors, 2);
    ck_assert_double_eq_tol(a->expected_per_day, 288, 1e-9);
    ck_assert_double_eq_tol(a->period_min, 2880, 1e-9);
    /* half of the second day had no probe: unknown, never up */
    ck_assert_double_eq_tol(a->unknown_min, 720, 1e-6);
    /* day 1: 1440 known minutes x 2/288 failed */
    ck_assert_double_eq_tol(a->down_min, 10, 1e-6);
    ck_assert_double_eq_tol(a->availability, 430.0 / 432.0, 1e-12);
    ck_assert_int_eq(a->ended, 1);
    ck_assert_int_eq(a->state, LW_SLA_BREACHED);    /* 10 minutes down of a 2.88 budget */
    ck_assert_str_eq(b->name, "beta");
    ck_assert_int_eq(b->probes, 0);
    ck_assert_double_eq_tol(b->unknown_min, 2880, 1e-6);
    ck_assert_int_eq(b->state, LW_SLA_NO_DATA);
    ck_assert_int_eq(lw_sla_csv(&s, &csv), LW_OK);
    ck_assert_ptr_nonnull(strstr(csv.data, "\r\n2025-01-06,production,alpha,288,286,2,288.0,99.306,"
                                           "10.000,0.000,"));
    ck_assert_ptr_nonnull(strstr(csv.data, "\r\n2025-01-07,production,alpha,144,144,0,288.0,100.000,"
                                           "0.000,720.000,"));
    ck_assert_ptr_nonnull(strstr(csv.data, "\r\ntotal,production,alpha,432,430,2,576.0,99.537,"
                                           "10.000,720.000,"));
    ck_assert_ptr_nonnull(strstr(csv.data, "\r\n2025-01-06,production,beta,0,0,0,0.0,,0.000,1440.000,"
                                           ",,1500,99.900\r\n"));
    lw_sla_free(&s);
    /* the same data, the same bytes */
    ck_assert_int_eq(lw_sla_load(db, utc(2025, 1, 6, 0, 0), utc(2025, 1, 8, 0, 0), &s, &err), LW_OK);
    ck_assert_int_eq(lw_sla_csv(&s, &again), LW_OK);
    ck_assert_str_eq(csv.data, again.data);
    lw_sla_free(&s);
    lw_buf_free(&csv);
    lw_buf_free(&again);
    lw_db_close(db);
}
END_TEST

/* A week against the one before: alpha costs more and is beaten by a
 * cheaper beta of near-equal quality; one rule fired six times; alpha is
 * slow every Tuesday hour of four weeks. */
static void
seed_report(lw_db *db)
{
    lw_testdb_exec(db, "TRUNCATE probes, alerts, alert_events, job_runs, rules, models, environments,"
                       " reports RESTART IDENTITY CASCADE");
    lw_testdb_exec(db, "SELECT llmwatch_ensure_partitions('2024-12-01', '2025-01-09')");
    lw_testdb_exec(db, "INSERT INTO environments (name) VALUES ('production')");
    lw_testdb_exec(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms) VALUES"
                       " (1, 'alpha', 'openai', 'gpt-4', 2000), (1, 'beta', 'openai', 'gpt-4o-mini', 2000)");
    /* four weeks before 2025-01-06, one probe of each every 15 minutes;
     * alpha 1 s (1.5 s on Tuesdays), beta 0.8 s; alpha's cost doubles in
     * the last week */
    lw_testdb_exec(db, "INSERT INTO probes (ts, model_id, environment_id, ok, total_ms, cost_usd,"
                       " quality_score, input_tokens, output_tokens)"
                       " SELECT t, m, 1, true,"
                       "  CASE WHEN m = 1 THEN CASE WHEN extract(isodow FROM t) = 2 THEN 1500 ELSE 1000 END"
                       "       + (extract(epoch FROM t)::bigint % 7) ELSE 800 END,"
                       "  CASE WHEN m = 2 THEN 0.0001 WHEN t >= '2024-12-30' THEN 0.002 ELSE 0.001 END,"
                       "  CASE WHEN m = 1 THEN 90 ELSE 88 END, 100, 50"
                       " FROM generate_series('2024-12-09 00:00+00'::timestamptz,"
                       "   '2025-01-05 23:45+00', interval '15 minutes') t, generate_series(1, 2) m");
    lw_testdb_exec(db, "INSERT INTO rules (name, expression, severity) VALUES ('Noisy', 'error_rate > 0', 'warning')");
    lw_testdb_exec(db, "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at,"
                       " fired_at, resolved_at)"
                       " SELECT 1, 1, 1, 'warning', 'resolved', t, t, t + interval '10 minutes'"
                       " FROM generate_series('2024-12-31 00:00+00'::timestamptz, '2025-01-05 00:00+00',"
                       "   interval '1 day') t");
}

static int
has_note(const lw_rp_note *n, size_t count, const char *needle)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (strstr(n[i].text, needle) != NULL)
            return 1;
    return 0;
}

START_TEST(test_findings_known)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err = { { 0 } };
    lw_report_req q;
    lw_rp rp;

    seed_report(db);
    memset(&q, 0, sizeof(q));
    q.type = LW_REPORT_WEEKLY;
    q.title = "Weekly";
    q.from = utc(2024, 12, 30, 0, 0);
    q.to = utc(2025, 1, 6, 0, 0);
    q.generated = q.to;
    lw_report_thresholds_default(&q.thresholds);
    lw_report_req_sections(&q);
    ck_assert_msg(lw_rp_load(db, &q, &rp, &err) == LW_OK, "%s", err.msg);
    ck_assert_int_eq(rp.n, 2);
    ck_assert_int_eq(rp.total.count, 2 * 7 * 96);
    ck_assert_int_eq(rp.total_prev.count, 2 * 7 * 96);
    /* cost: alpha doubled, 0.002 + 0.0001 against 0.001 + 0.0001 per slot */
    ck_assert(has_note(rp.findings, rp.nfindings, "Total cost rose 90.9%"));
    ck_assert(has_note(rp.recs, rp.nrecs, "Investigate the cost rise: alpha"));
    /* beta: 95% cheaper per call, quality 88 >= 0.9 x 90, p95 within alpha's 2 s */
    ck_assert(has_note(rp.findings, rp.nfindings, "beta costs 95% less per call than alpha"));
    ck_assert(has_note(rp.recs, rp.nrecs, "Increase beta usage for cost optimization"));
    ck_assert(has_note(rp.findings, rp.nfindings, "alpha is slower on Tuesdays"));
    ck_assert(has_note(rp.recs, rp.nrecs, "Consider load balancing during peak Tuesday hours"));
    ck_assert(!has_note(rp.findings, rp.nfindings, "beta is slower"));
    ck_assert(has_note(rp.findings, rp.nfindings, "Rule 'Noisy' fired 6 times"));
    ck_assert(has_note(rp.findings, rp.nfindings, "All 2 models met their SLA targets"));
    ck_assert(has_note(rp.findings, rp.nfindings, "No critical incidents"));
    lw_rp_free(&rp);

    /* the same through the document */
    {
        lw_buf html = { 0 }, text = { 0 };

        ck_assert_int_eq(lw_render_init("templates", &err), LW_OK);
        ck_assert_msg(lw_report_build(db, &q, &html, &text, &err) == LW_OK, "%s", err.msg);
        ck_assert_ptr_nonnull(strstr(html.data, "<h2>Executive summary</h2>"));
        ck_assert_ptr_nonnull(strstr(html.data, "<h2>Improvement plans</h2>"));
        ck_assert_ptr_nonnull(strstr(html.data, "<svg"));
        ck_assert_ptr_nonnull(strstr(text.data, "- Total API calls: 1,344 (\xE2\x86\x92 0.0% from last week)"));
        ck_assert_ptr_nonnull(strstr(text.data, "- Total cost: $1.41 (\xE2\x86\x91 90.9% from last week)"));
        lw_render_shutdown();
        lw_buf_free(&html);
        lw_buf_free(&text);
    }
    lw_db_close(db);
}
END_TEST

START_TEST(test_store_once_per_slot)
{
    lw_db *db = lw_testdb_connect(&tdb);
    lw_err err = { { 0 } };
    lw_report_doc d;
    long long id1 = 0, id2 = 0;
    int existed = 1;
    char sha[65];

    lw_testdb_exec(db, "TRUNCATE reports RESTART IDENTITY CASCADE");
    memset(&d, 0, sizeof(d));
    d.name = "Weekly";
    d.kind = "weekly";
    d.format = "pdf";
    d.from = utc(2024, 12, 30, 0, 0);
    d.to = utc(2025, 1, 6, 0, 0);
    d.schedule = "Weekly";
    d.slot = utc(2025, 1, 6, 9, 0);
    d.content = "%PDF-one";
    d.len = 8;
    ck_assert_msg(lw_report_store(db, &d, &id1, &existed, sha, &err) == LW_OK, "%s", err.msg);
    ck_assert_int_eq(existed, 0);
    {
        char want[65];

        lw_report_sha256_hex("%PDF-one", 8, want);
        ck_assert_str_eq(sha, want);
    }
    d.content = "%PDF-two";
    ck_assert_int_eq(lw_report_store(db, &d, &id2, &existed, sha, &err), LW_OK);
    ck_assert_int_eq(existed, 1);
    ck_assert_int_eq(id2, id1);
    lw_db_close(db);
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    TCase *db = tcase_create("report_db");

    tcase_add_test(tc, test_spec_config);
    tcase_add_test(tc, test_config_mistakes);
    tcase_add_test(tc, test_periods);
    tcase_add_test(tc, test_sla_periods);
    tcase_add_test(tc, test_sla_states);
    tcase_add_test(tc, test_mann_whitney);
    tcase_add_test(tc, test_deltas);
    tcase_add_test(tc, test_day_bars);
    suite_add_tcase(s, tc);
    tcase_add_unchecked_fixture(db, db_setup, db_teardown);
    tcase_set_timeout(db, 120);
    tcase_add_test(db, test_sla_known);
    tcase_add_test(db, test_findings_known);
    tcase_add_test(db, test_store_once_per_slot);
    suite_add_tcase(s, db);
    return s;
}
