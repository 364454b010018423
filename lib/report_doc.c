/* report_doc.c: a report as a document (see report.h): the figures,
 * findings and charts of report_data.c put in the page data of
 * templates/report.cs, rendered in print_layout.cs, and the same report
 * as plain text for the mail's text part and the terminal. */
#include "report_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "fmt.h"
#include "html.h"
#include "render.h"
#include "rollup.h"
#include "times.h"

static const char *const level_names[] = { "ok", "info", "warn", "crit" };
static const char *const level_marks[] = { "\xE2\x9C\x85", "\xE2\x84\xB9\xEF\xB8\x8F",
                                           "\xE2\x9A\xA0\xEF\xB8\x8F", "\xE2\x9D\x8C" };
static const char *const vs_words[LW_REPORT_TYPE_COUNT] = {
    "the day before", "last week", "last month", "the previous period", "the previous period",
};

void
lw_report_req_sections(lw_report_req *q)
{
    static const int sla[] = { LW_RSEC_SLA_COMPLIANCE, LW_RSEC_AVAILABILITY_METRICS,
                               LW_RSEC_INCIDENT_ANALYSIS, LW_RSEC_IMPROVEMENT_PLANS };
    static const int costs[] = { LW_RSEC_COST_ANALYSIS, LW_RSEC_COST_BREAKDOWN,
                                 LW_RSEC_RECOMMENDATIONS };
    size_t i;

    q->n_sections = 0;
    if (q->type == LW_REPORT_SLA) {
        for (i = 0; i < LW_ARRAY_LEN(sla); i++)
            q->sections[q->n_sections++] = sla[i];
    } else if (q->type == LW_REPORT_COSTS) {
        for (i = 0; i < LW_ARRAY_LEN(costs); i++)
            q->sections[q->n_sections++] = costs[i];
    } else {
        for (i = 0; i < LW_RSEC_COUNT; i++)
            q->sections[q->n_sections++] = (int) i;
    }
}

/* ---- words for figures ---- */

void
lw_rp_delta(double cur, double prev, char *buf, size_t size)
{
    double pct;

    if (!isfinite(cur) || !isfinite(prev))
        snprintf(buf, size, "-");
    else if (prev == 0)
        snprintf(buf, size, cur == 0 ? "\xE2\x86\x92 0.0%%" : "new");
    else {
        pct = 100.0 * (cur / prev - 1.0);
        snprintf(buf, size, "%s %.1f%%", pct >= 0.05 ? "\xE2\x86\x91" : pct <= -0.05
                 ? "\xE2\x86\x93" : "\xE2\x86\x92", fabs(pct));
    }
}

void
lw_rp_money(int64_t pico, char *buf, size_t size)
{
    lw_fmt_dollars(pico, buf, size);
}

/* "better", "worse" or "same" for a change where up is good (or bad). */
static const char *
direction(double cur, double prev, int up_is_good)
{
    if (!isfinite(cur) || !isfinite(prev) || prev == 0 || fabs(cur / prev - 1.0) < 0.0005)
        return "same";
    return (cur > prev) == up_is_good ? "better" : "worse";
}

/* Points of a percentage: "↑ 0.3 pts" */
static void
delta_points(double cur, double prev, char *buf, size_t size)
{
    double d = 100 * (cur - prev);

    if (!isfinite(d))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%s %.2f pts", d >= 0.005 ? "\xE2\x86\x91" : d <= -0.005
                 ? "\xE2\x86\x93" : "\xE2\x86\x92", fabs(d));
}

static double
ratio(long long a, long long b)
{
    return b > 0 ? (double) a / (double) b : NAN;
}

static void
set(lw_hdf *h, const char *prefix, int i, const char *field, const char *v)
{
    char name[160];

    if (i < 0)
        snprintf(name, sizeof(name), "%s.%s", prefix, field);
    else
        snprintf(name, sizeof(name), "%s.%d.%s", prefix, i, field);
    lw_hdf_set(h, name, v);
}

static void
setf(lw_hdf *h, const char *prefix, int i, const char *field, const char *fmt, ...)
    LW_PRINTF(5, 6);

static void
setf(lw_hdf *h, const char *prefix, int i, const char *field, const char *fmt, ...)
{
    char v[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    set(h, prefix, i, field, v);
}

static void
set_ms(lw_hdf *h, const char *prefix, int i, const char *field, double ms)
{
    char v[32];

    lw_fmt_ms(ms, v, sizeof(v));
    set(h, prefix, i, field, v);
}

static void
set_money(lw_hdf *h, const char *prefix, int i, const char *field, double pico)
{
    char v[48];

    if (!isfinite(pico))
        snprintf(v, sizeof(v), "-");
    else
        lw_rp_money((int64_t) llround(pico), v, sizeof(v));
    set(h, prefix, i, field, v);
}

static void
set_delta(lw_hdf *h, const char *prefix, int i, const char *field, double cur, double prev,
          int up_is_good)
{
    char v[48], name[64];

    lw_rp_delta(cur, prev, v, sizeof(v));
    set(h, prefix, i, field, v);
    snprintf(name, sizeof(name), "%s_class", field);
    set(h, prefix, i, name, direction(cur, prev, up_is_good));
}

/* ---- the figures into the page data ---- */

static void
fill_summary(lw_hdf *h, const lw_rp *rp)
{
    double health = ratio(rp->total.count - rp->total.errors, rp->total.count);
    double prev = ratio(rp->total_prev.count - rp->total_prev.errors, rp->total_prev.count);
    char v[64];
    size_t i, within = 0, judged = 0;

    if (isfinite(health))
        setf(h, "Summary", -1, "health", "%.2f%%", 100 * health);
    else
        set(h, "Summary", -1, "health", "-");
    delta_points(health, prev, v, sizeof(v));
    set(h, "Summary", -1, "health_delta", v);
    set(h, "Summary", -1, "health_delta_class", direction(health, prev, 1));
    lw_fmt_count(rp->total.count, v, sizeof(v));
    set(h, "Summary", -1, "calls", v);
    set_delta(h, "Summary", -1, "calls_delta", (double) rp->total.count,
              (double) rp->total_prev.count, 1);
    set_ms(h, "Summary", -1, "avg", rp->total.avg_ms);
    set_delta(h, "Summary", -1, "avg_delta", rp->total.avg_ms, rp->total_prev.avg_ms, 0);
    set_money(h, "Summary", -1, "cost", (double) rp->total.cost_pico);
    set_delta(h, "Summary", -1, "cost_delta", (double) rp->total.cost_pico,
              (double) rp->total_prev.cost_pico, 0);
    for (i = 0; i < rp->n; i++) {
        if (!isfinite(rp->models[i].target_ms) || !isfinite(rp->models[i].cur.p95_ms))
            continue;
        judged++;
        within += rp->models[i].cur.p95_ms <= rp->models[i].target_ms;
    }
    setf(h, "Summary", -1, "sla_note", judged == 0 ? "no latency target to judge"
         : within == judged ? "within SLA: every model's p95 under its target"
         : "%zu of %zu models' p95 within target", within, judged);
}

static void
fill_fig(lw_hdf *h, int i, const lw_rp_fig *c, const lw_rp_fig *p, const lw_rp *rp)
{
    char v[64];
    double av = ratio(c->count - c->errors, c->count), pav = ratio(p->count - p->errors, p->count);

    lw_fmt_count(c->count, v, sizeof(v));
    set(h, "Models", i, "calls", v);
    set_delta(h, "Models", i, "calls_delta", (double) c->count, (double) p->count, 1);
    if (isfinite(av))
        setf(h, "Models", i, "availability", "%.3f%%", 100 * av);
    delta_points(av, pav, v, sizeof(v));
    set(h, "Models", i, "availability_delta", v);
    set(h, "Models", i, "availability_delta_class", direction(av, pav, 1));
    if (c->count > 0)
        setf(h, "Models", i, "error_rate", "%.2f%%", 100 * ratio(c->errors, c->count));
    set_ms(h, "Models", i, "avg_ms_h", c->avg_ms);
    set_delta(h, "Models", i, "avg_delta", c->avg_ms, p->avg_ms, 0);
    set_ms(h, "Models", i, "p50_ms_h", c->p50_ms);
    set_ms(h, "Models", i, "p95_ms_h", c->p95_ms);
    set_delta(h, "Models", i, "p95_delta", c->p95_ms, p->p95_ms, 0);
    set_ms(h, "Models", i, "p99_ms_h", c->p99_ms);
    set_ms(h, "Models", i, "ttft_p95_ms_h", c->ttft_p95_ms);
    if (isfinite(c->tps))
        setf(h, "Models", i, "tps", "%.1f", c->tps);
    if (isfinite(c->quality))
        setf(h, "Models", i, "quality", "%.1f", c->quality);
    set_money(h, "Models", i, "cost", (double) c->cost_pico);
    set_delta(h, "Models", i, "cost_delta", (double) c->cost_pico, (double) p->cost_pico, 0);
    if (rp->total.cost_pico > 0)
        setf(h, "Models", i, "cost_share", "%.1f%%",
             100.0 * (double) c->cost_pico / (double) rp->total.cost_pico);
    set_money(h, "Models", i, "cost_per_call", c->count > 0 ? (double) c->cost_pico / (double) c->count : NAN);
    set_money(h, "Models", i, "cost_per_1k", c->input_tokens + c->output_tokens > 0
              ? 1000.0 * (double) c->cost_pico / (double) (c->input_tokens + c->output_tokens) : NAN);
    lw_fmt_count(c->input_tokens, v, sizeof(v));
    set(h, "Models", i, "input_tokens", v);
    lw_fmt_count(c->output_tokens, v, sizeof(v));
    set(h, "Models", i, "output_tokens", v);
    if (c->top_error >= 0)
        setf(h, "Models", i, "top_error", "%s (%lld)", lw_rollup_error_classes[c->top_error],
             c->top_error_n);
}

static void
fill_models(lw_hdf *h, const lw_rp *rp)
{
    char v[64];
    size_t i;

    for (i = 0; i < rp->n; i++) {
        const lw_rp_model *m = &rp->models[i];

        set(h, "Models", (int) i, "name", m->name);
        set(h, "Models", (int) i, "environment", m->environment);
        set(h, "Models", (int) i, "provider", m->provider);
        if (isfinite(m->target_ms)) {
            set_ms(h, "Models", (int) i, "target_ms_h", m->target_ms);
            if (isfinite(m->cur.p95_ms))
                set(h, "Models", (int) i, "p95_over", m->cur.p95_ms > m->target_ms ? "1" : "0");
        }
        fill_fig(h, (int) i, &m->cur, &m->prev, rp);
        if (m->sla != NULL) {
            set(h, "Models", (int) i, "sla_state", lw_sla_state_names[m->sla->state]);
            set(h, "Models", (int) i, "sla_class", m->sla->state == LW_SLA_MET ? "ok"
                : m->sla->state == LW_SLA_AT_RISK ? "warn" : m->sla->state == LW_SLA_BREACHED
                ? "crit" : "none");
        }
    }
    lw_fmt_count(rp->total.input_tokens, v, sizeof(v));
    set(h, "Totals", -1, "input_tokens", v);
    lw_fmt_count(rp->total.output_tokens, v, sizeof(v));
    set(h, "Totals", -1, "output_tokens", v);
    set_money(h, "Totals", -1, "cost_per_call", rp->total.count > 0
              ? (double) rp->total.cost_pico / (double) rp->total.count : NAN);
    /* a month at this period's daily pace */
    set_money(h, "Totals", -1, "monthly_pace", (double) rp->total.cost_pico * 30.0 * 86400.0
              / (double) (rp->q->to - rp->q->from));
}

static void
fill_tests(lw_hdf *h, const lw_rp *rp)
{
    static const char *const days[8] = { "", "Monday", "Tuesday", "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday" };
    int j = 0;
    size_t i;

    for (i = 0; i < rp->ntests; i++) {
        const lw_rp_test *t = &rp->tests[i];

        /* every significant group, and each model's extremes for context */
        if (!t->significant)
            continue;
        set(h, "Tests", j, "model", t->model->name);
        if (t->weekday)
            set(h, "Tests", j, "group", days[t->k]);
        else
            setf(h, "Tests", j, "group", "%02d:00 UTC", t->k);
        setf(h, "Tests", j, "n", "%lld / %lld", t->n, t->rn);
        set_ms(h, "Tests", j, "mean", t->mean);
        set_ms(h, "Tests", j, "rmean", t->rmean);
        setf(h, "Tests", j, "diff", "%+.1f%%", t->diff_pct);
        setf(h, "Tests", j, "z", "%.2f", t->z);
        setf(h, "Tests", j, "p_adj", "%.2g", t->p_adj);
        j++;
    }
    lw_hdf_set_int(h, "Tests.count", (long long) rp->ntests);
}

static void
fill_notes(lw_hdf *h, const char *prefix, const lw_rp_note *n, size_t count)
{
    size_t i;

    for (i = 0; i < count; i++) {
        set(h, prefix, (int) i, "level", level_names[n[i].level]);
        set(h, prefix, (int) i, "text", n[i].text);
        set(h, prefix, (int) i, "rule", lw_rp_rule_texts[n[i].rule]);
        set(h, prefix, (int) i, "key", lw_rp_rule_keys[n[i].rule]);
    }
}

static void
fill_alerts(lw_hdf *h, const lw_rp *rp)
{
    const PGresult *r = rp->rules;
    char v[48], name[64];
    int i;

    lw_hdf_rows(h, "Incidents", rp->incidents);
    for (i = 0; i < PQntuples(rp->incidents); i++) {
        lw_fmt_duration(lw_db_int(rp->incidents, i, 8), v, sizeof(v));
        set(h, "Incidents", i, "duration", v);
    }
    lw_hdf_rows(h, "Rules", r);
    for (i = 0; i < PQntuples(r); i++) {
        set_delta(h, "Rules", i, "delta", (double) lw_db_int(r, i, 2), (double) lw_db_int(r, i, 3), 0);
        if (!lw_db_isnull(r, i, 6)) {
            lw_fmt_duration((int64_t) lw_db_double(r, i, 6), v, sizeof(v));
            set(h, "Rules", i, "mttr", v);
        }
        lw_fmt_duration(lw_db_int(r, i, 7), v, sizeof(v));
        set(h, "Rules", i, "firing", v);
        snprintf(name, sizeof(name), "%d", lw_db_int(r, i, 2) >= rp->q->thresholds.alert_fires);
        set(h, "Rules", i, "noisy", name);
    }
}

static void
fill_plans(lw_hdf *h, const lw_rp *rp)
{
    char p[64];
    size_t i, j;

    for (i = 0; i < rp->nplans; i++) {
        set(h, "Plans", (int) i, "title", rp->plans[i].title);
        snprintf(p, sizeof(p), "Plans.%zu.steps", i);
        for (j = 0; j < rp->plans[i].n_steps; j++)
            set(h, p, (int) j, "text", rp->plans[i].steps[j]);
    }
}

/* ---- charts ---- */

static int
put_svg(lw_hdf *h, const char *name, lw_buf *svg, int rc)
{
    if (rc != LW_OK) {
        h->failed = 1;
        lw_err_set(&h->err, "chart: out of memory");
    } else {
        lw_hdf_set(h, name, svg->data);
    }
    lw_buf_reset(svg);
    return rc;
}

/* Lines per model over the period: which 0 p95, 1 error rate, 2 cost. */
static int
trend_chart(lw_hdf *h, const lw_rp *rp, int which, lw_buf *svg)
{
    static const char *const titles[] = { "p95 latency", "Error rate", "Cost in dollars" };
    static const char *const names[] = { "Charts.p95", "Charts.errors", "Charts.cost" };
    static const char *const units[] = { "ms", "%", NULL };
    const PGresult *t = rp->trend;
    lw_chart_series *s = calloc(rp->n + 1, sizeof(*s));
    double *tv = calloc((size_t) PQntuples(t) + 1, sizeof(double));
    double *vv = calloc((size_t) PQntuples(t) + 1, sizeof(double));
    char title[128];
    lw_chart_opts o;
    size_t i, k = 0;
    int r = 0, rc = LW_ENOMEM;

    if (s == NULL || tv == NULL || vv == NULL)
        goto cleanup;
    for (i = 0; i < rp->n; i++) {
        s[i].name = rp->models[i].name;
        s[i].t = tv + k;
        s[i].v = vv + k;
        for (r = 0; r < PQntuples(t); r++) {
            if (lw_db_int(t, r, 1) != rp->models[i].id)
                continue;
            tv[k] = lw_db_double(t, r, 0);
            vv[k] = which == 0 ? (lw_db_isnull(t, r, 4) ? NAN : lw_db_double(t, r, 4))
                  : which == 1 ? 100.0 * ratio(lw_db_int(t, r, 3), lw_db_int(t, r, 2))
                  : (double) lw_db_int(t, r, 6) / 1e12;
            k++;
            s[i].n++;
        }
    }
    memset(&o, 0, sizeof(o));
    snprintf(title, sizeof(title), "%s per %s", titles[which],
             rp->step_s >= 86400 ? "day" : rp->step_s >= 3600 ? "hour" : "5 minutes");
    o.title = title;
    o.unit = units[which];
    o.width = 680;
    o.height = 250;
    rc = put_svg(h, names[which], svg, lw_chart_line(svg, &o, s, rp->n));
cleanup:
    free(s);
    free(tv);
    free(vv);
    return rc;
}

/* Bars per model: which 0 p95, 1 cost, 2 quality, 3 cost per call. */
static int
bar_chart(lw_hdf *h, const lw_rp *rp, int which, lw_buf *svg)
{
    static const char *const titles[] = { "p95 latency per model", "Cost per model (dollars)",
                                          "Quality score per model (0-100)",
                                          "Cost per call (dollars)" };
    static const char *const names[] = { "Charts.p95_bars", "Charts.cost_bars",
                                         "Charts.quality_bars", "Charts.cost_call_bars" };
    static const char *const units[] = { "ms", NULL, NULL, NULL };
    lw_chart_bar *b = calloc(rp->n + 1, sizeof(*b));
    lw_chart_opts o;
    size_t i;
    int rc;

    if (b == NULL)
        return put_svg(h, names[which], svg, LW_ENOMEM);
    for (i = 0; i < rp->n; i++) {
        const lw_rp_fig *f = &rp->models[i].cur;

        b[i].label = rp->models[i].name;
        b[i].value = which == 0 ? f->p95_ms : which == 1 ? (double) f->cost_pico / 1e12
                   : which == 2 ? f->quality
                   : f->count > 0 ? (double) f->cost_pico / 1e12 / (double) f->count : NAN;
    }
    memset(&o, 0, sizeof(o));
    o.title = titles[which];
    o.unit = units[which];
    o.width = 680;
    rc = put_svg(h, names[which], svg, lw_chart_bars(svg, &o, b, rp->n));
    free(b);
    return rc;
}

static int
fill_charts(lw_hdf *h, const lw_rp *rp)
{
    lw_buf svg = { 0 };
    int i, rc = LW_OK;

    for (i = 0; i < 3 && rc == LW_OK; i++)
        rc = trend_chart(h, rp, i, &svg);
    for (i = 0; i < 4 && rc == LW_OK; i++)
        rc = bar_chart(h, rp, i, &svg);
    lw_buf_free(&svg);
    return rc;
}

/* ---- the plain text ---- */

static void
text_notes(lw_buf *t, const char *head, const lw_rp_note *n, size_t count, int numbered)
{
    size_t i;

    lw_buf_printf(t, "\n%s:\n", head);
    for (i = 0; i < count; i++) {
        if (numbered)
            lw_buf_printf(t, "%zu. %s\n", i + 1, n[i].text);
        else
            lw_buf_printf(t, "%s %s\n", level_marks[n[i].level], n[i].text);
    }
}

static void
build_text(const lw_rp *rp, const char *period, lw_buf *t)
{
    const lw_report_req *q = rp->q;
    const char *vs = vs_words[q->type];
    double h = ratio(rp->total.count - rp->total.errors, rp->total.count);
    double hp = ratio(rp->total_prev.count - rp->total_prev.errors, rp->total_prev.count);
    char a[64], b[64];
    size_t i;

    lw_buf_printf(t, "\xF0\x9F\x93\x8A LLM Performance Report - %s - %s\n", q->title, period);
    lw_buf_puts(t, "================================================================================\n");
    lw_buf_puts(t, "\nExecutive Summary:\n");
    delta_points(h, hp, b, sizeof(b));
    if (isfinite(h))
        lw_buf_printf(t, "- Overall system health: %.2f%% (%s from %s)\n", 100 * h, b, vs);
    lw_fmt_count(rp->total.count, a, sizeof(a));
    lw_rp_delta((double) rp->total.count, (double) rp->total_prev.count, b, sizeof(b));
    lw_buf_printf(t, "- Total API calls: %s (%s from %s)\n", a, b, vs);
    lw_fmt_ms(rp->total.avg_ms, a, sizeof(a));
    lw_rp_delta(rp->total.avg_ms, rp->total_prev.avg_ms, b, sizeof(b));
    lw_buf_printf(t, "- Average response time: %s (%s from %s)\n", a, b, vs);
    lw_rp_money(rp->total.cost_pico, a, sizeof(a));
    lw_rp_delta((double) rp->total.cost_pico, (double) rp->total_prev.cost_pico, b, sizeof(b));
    lw_buf_printf(t, "- Total cost: %s (%s from %s)\n", a, b, vs);
    text_notes(t, "Key Findings", rp->findings, rp->nfindings, 0);
    text_notes(t, "Recommendations", rp->recs, rp->nrecs, 1);
    lw_buf_puts(t, "\nSections:");
    for (i = 0; i < q->n_sections; i++)
        lw_buf_printf(t, "%s %s", i ? "," : "", lw_report_section_titles[q->sections[i]]);
    lw_buf_puts(t, "\n");
    if (q->link != NULL)
        lw_buf_printf(t, "\nThe whole report: %s\n", q->link);
}

/* ---- the document ---- */

int
lw_report_build(lw_db *db, const lw_report_req *q, lw_buf *html, lw_buf *text, lw_err *err)
{
    char period[96], prev[96], when[40];
    lw_hdf h;
    lw_rp rp;
    size_t i;
    char *md;
    int rc;

    memset(&h, 0, sizeof(h));
    lw_hdf_init(&h);
    if ((rc = lw_rp_load(db, q, &rp, err)) != LW_OK)
        goto cleanup;
    lw_report_period_label(q->from, q->to, period, sizeof(period));
    lw_report_period_label(rp.prev_from, q->from, prev, sizeof(prev));
    lw_hdf_set(&h, "Page.title", q->title);
    lw_hdf_set(&h, "Report.title", q->title);
    lw_hdf_set(&h, "Report.type", lw_report_type_names[q->type]);
    lw_hdf_set(&h, "Report.period", period);
    lw_hdf_set(&h, "Report.prev_period", prev);
    lw_hdf_set(&h, "Report.vs", vs_words[q->type]);
    lw_hdf_set(&h, "Report.generated", lw_time_format(q->generated, LW_TIME_MINUTE, when, sizeof(when)));
    lw_hdf_set(&h, "Report.schedule", q->schedule);
    lw_hdf_set_int(&h, "Report.lookback_days", q->thresholds.lookback_days);
    if (q->commentary != NULL && q->commentary[0] != '\0') {
        if ((md = lw_html_markdown(q->commentary)) == NULL) {
            rc = LW_ENOMEM;
            lw_err_set(err, "out of memory");
            goto cleanup;
        }
        lw_hdf_set(&h, "Report.commentary", md);
        free(md);
    }
    for (i = 0; i < q->n_sections; i++) {
        char name[48];

        snprintf(name, sizeof(name), "Sections.%zu.key", i);
        lw_hdf_set(&h, name, lw_report_section_keys[q->sections[i]]);
        snprintf(name, sizeof(name), "Sections.%zu.title", i);
        lw_hdf_set(&h, name, lw_report_section_titles[q->sections[i]]);
    }
    setf(&h, "Thresholds", -1, "cost_change_pct", "%g%%", q->thresholds.cost_change_pct);
    setf(&h, "Thresholds", -1, "quality_ratio", "%g", q->thresholds.quality_ratio);
    setf(&h, "Thresholds", -1, "cheaper_pct", "%g%%", q->thresholds.cheaper_pct);
    setf(&h, "Thresholds", -1, "latency_pct", "%g%%", q->thresholds.latency_pct);
    setf(&h, "Thresholds", -1, "p_value", "%g", q->thresholds.p_value);
    setf(&h, "Thresholds", -1, "alert_fires", "%d", q->thresholds.alert_fires);
    fill_summary(&h, &rp);
    fill_models(&h, &rp);
    fill_tests(&h, &rp);
    fill_notes(&h, "Findings", rp.findings, rp.nfindings);
    fill_notes(&h, "Recs", rp.recs, rp.nrecs);
    fill_plans(&h, &rp);
    fill_alerts(&h, &rp);
    lw_sla_hdf(&rp.sla, &h, "Sla", 0, LW_SLA_BARS);
    if (rp.sla.n > 0) {
        setf(&h, "Report", -1, "objective", "%g%%", rp.sla.models[0].objective * 100);
        lw_hdf_set_int(&h, "Report.min_samples", rp.sla.models[0].min_samples);
    }
    if ((rc = fill_charts(&h, &rp)) != LW_OK) {
        lw_err_set(err, "out of memory");
        goto cleanup;
    }
    if ((rc = lw_render(&h, "report", "print_layout", html, err)) != LW_OK)
        goto cleanup;
    if (text != NULL)
        build_text(&rp, period, text);
cleanup:
    lw_rp_free(&rp);
    lw_hdf_destroy(&h);
    return rc;
}
