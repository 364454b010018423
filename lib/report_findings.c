/* report_findings.c: what a report concludes, each by a stated rule over
 * the figures of report_data.c (the rules are printed in every report
 * with their thresholds): SLA met or missed, cost changes beyond a
 * threshold, a weekday or hour of the day whose latency stands out
 * (report_stats.c), a cheaper model of near-equal quality, a rule that
 * fires too often, critical incidents; then the recommendations and
 * improvement plans that follow from them. No sentence is written unless
 * its rule fired on the data. */
#include "report_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "rollup.h"

static const char *const weekdays[8] = {
    "", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays",
};
static const char *const weekday[8] = {
    "", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

static const char *
vtext(lw_rp *rp, const char *fmt, va_list ap)
{
    lw_buf b = { 0 };
    const char *s;

    lw_buf_vprintf(&b, fmt, ap);
    s = lw_pool_strdup(rp->pool, b.data ? b.data : "");
    lw_buf_free(&b);
    return s;
}

const char *const lw_rp_rule_keys[LW_RP_RULE_COUNT] = {
    "SLA", "cost", "latency pattern", "cheaper model", "noisy rule", "incidents", "all rules",
};
const char *const lw_rp_rule_texts[LW_RP_RULE_COUNT] = {
    "SLA: availability at least the objective and p95 within the target",
    "Cost: the period's total against the previous period's, beyond the cost threshold",
    "Latency pattern: Mann-Whitney U test of a weekday's or an hour's hourly mean latency "
    "against the model's other hours, Bonferroni-adjusted",
    "Cheaper model: cheaper per call by the threshold, quality within the ratio, p95 within "
    "the model's SLA target",
    "Noisy rule: fired at least the threshold's number of times in the period",
    "Incidents: critical alerts that fired in the period",
    "All rules",
};

static void note(lw_rp *rp, int rec, lw_rp_level level, lw_rp_rule rule, const char *fmt, ...)
    LW_PRINTF(5, 6);

static void
note(lw_rp *rp, int rec, lw_rp_level level, lw_rp_rule rule, const char *fmt, ...)
{
    lw_rp_note *list = rec ? rp->recs : rp->findings;
    size_t *n = rec ? &rp->nrecs : &rp->nfindings;
    va_list ap;

    if (*n >= LW_RP_MAX_NOTES)
        return;
    va_start(ap, fmt);
    list[*n].text = vtext(rp, fmt, ap);
    va_end(ap);
    list[*n].level = level;
    list[*n].rule = rule;
    (*n)++;
}

static lw_rp_plan *
plan(lw_rp *rp, const char *fmt, ...) LW_PRINTF(2, 3);

static lw_rp_plan *
plan(lw_rp *rp, const char *fmt, ...)
{
    lw_rp_plan *p;
    va_list ap;

    if (rp->nplans >= LW_RP_MAX_NOTES)
        return NULL;
    p = &rp->plans[rp->nplans++];
    memset(p, 0, sizeof(*p));
    va_start(ap, fmt);
    p->title = vtext(rp, fmt, ap);
    va_end(ap);
    return p;
}

static void step(lw_rp *rp, lw_rp_plan *p, const char *fmt, ...) LW_PRINTF(3, 4);

static void
step(lw_rp *rp, lw_rp_plan *p, const char *fmt, ...)
{
    va_list ap;

    if (p == NULL || p->n_steps >= LW_ARRAY_LEN(p->steps))
        return;
    va_start(ap, fmt);
    p->steps[p->n_steps++] = vtext(rp, fmt, ap);
    va_end(ap);
}

static double
per_call(const lw_rp_fig *f)
{
    return f->count > 0 ? (double) f->cost_pico / (double) f->count : NAN;
}

static const char *
ms(double v, char *buf)
{
    lw_fmt_ms(v, buf, 32);
    return buf;
}

static void
sla_findings(lw_rp *rp)
{
    char a[32], b[32];
    size_t i, met = 0, judged = 0;

    for (i = 0; i < rp->sla.n; i++) {
        const lw_sla_model *m = &rp->sla.models[i];

        if (m->state == LW_SLA_NO_DATA) {
            note(rp, 0, LW_RP_INFO, LW_RP_RULE_SLA, "%s: not enough data for an SLA verdict (%lld probes, "
                 "at least %lld needed)", m->name, m->probes, m->min_samples);
            continue;
        }
        judged++;
        if (m->state == LW_SLA_MET) {
            met++;
            continue;
        }
        note(rp, 0, m->state == LW_SLA_BREACHED ? LW_RP_CRIT : LW_RP_WARN, LW_RP_RULE_SLA,
             "%s %s its SLA: %s (availability %.3f%% against %g%%; p95 %s against %s)", m->name,
             m->state == LW_SLA_BREACHED ? "missed" : "is at risk of missing", m->reason,
             100 * m->availability, 100 * m->objective, ms(m->p95_ms, a),
             isfinite(m->target_ms) ? ms(m->target_ms, b) : "no target");
    }
    if (judged > 0 && met == judged)
        note(rp, 0, LW_RP_OK, LW_RP_RULE_SLA, "All %zu model%s met %s SLA targets", met,
             met == 1 ? "" : "s", met == 1 ? "its" : "their");
    else if (met > 0)
        note(rp, 0, LW_RP_OK, LW_RP_RULE_SLA, "%zu of %zu models met their SLA targets", met, judged);
}

static void
cost_findings(lw_rp *rp)
{
    const lw_rp_model *top = NULL;
    char a[48], b[48], c[48];
    double pct, d, best = 0;
    size_t i;

    if (rp->total_prev.cost_pico <= 0 || rp->total.count == 0)
        return;
    pct = 100.0 * ((double) rp->total.cost_pico / (double) rp->total_prev.cost_pico - 1.0);
    for (i = 0; i < rp->n; i++) {
        d = (double) (rp->models[i].cur.cost_pico - rp->models[i].prev.cost_pico);
        if ((pct >= 0 && d > best) || (pct < 0 && d < best)) {
            best = d;
            top = &rp->models[i];
        }
    }
    lw_rp_money(rp->total.cost_pico, a, sizeof(a));
    lw_rp_money(rp->total_prev.cost_pico - rp->total.cost_pico, b, sizeof(b));
    lw_rp_money(top ? top->cur.cost_pico - top->prev.cost_pico : 0, c, sizeof(c));
    if (pct >= rp->q->thresholds.cost_change_pct) {
        lw_rp_money(rp->total.cost_pico - rp->total_prev.cost_pico, b, sizeof(b));
        note(rp, 0, LW_RP_WARN, LW_RP_RULE_COST, "Total cost rose %.1f%% to %s (%s more than the "
             "previous period), mostly %s (+%s)", pct, a, b, top ? top->name : "?", c);
        note(rp, 1, LW_RP_WARN, LW_RP_RULE_COST, "Investigate the cost rise: %s spent %s more than in "
             "the previous period", top ? top->name : "?", c);
    } else if (pct <= -rp->q->thresholds.cost_change_pct) {
        note(rp, 0, LW_RP_OK, LW_RP_RULE_COST, "Total cost fell %.1f%% to %s: %s saved against the "
             "previous period", -pct, a, b);
    } else {
        lw_rp_delta((double) rp->total.cost_pico, (double) rp->total_prev.cost_pico, b, sizeof(b));
        note(rp, 0, LW_RP_OK, LW_RP_RULE_COST, "Cost stable: %s (%s against the previous period, "
             "within \xC2\xB1%g%%)", a, b, rp->q->thresholds.cost_change_pct);
    }
}

static void
latency_findings(lw_rp *rp)
{
    const lw_rp_test *best;
    char a[32], b[32], g[32];
    size_t i, j;
    int dim;

    for (i = 0; i < rp->n; i++) {
        for (dim = 1; dim >= 0; dim--) {
            best = NULL;
            for (j = 0; j < rp->ntests; j++) {
                const lw_rp_test *t = &rp->tests[j];

                if (t->model == &rp->models[i] && t->weekday == dim && t->significant
                    && t->diff_pct > 0 && (best == NULL || t->z > best->z))
                    best = t;
            }
            if (best == NULL)
                continue;
            if (dim)
                snprintf(g, sizeof(g), "on %s", weekdays[best->k]);
            else
                snprintf(g, sizeof(g), "around %02d:00 UTC", best->k);
            note(rp, 0, LW_RP_WARN, LW_RP_RULE_LATENCY, "%s is slower %s: hourly mean %s against %s "
                 "at other times (+%.1f%%; Mann-Whitney z = %.1f, adjusted p = %.2g)",
                 rp->models[i].name, g, ms(best->mean, a), ms(best->rmean, b), best->diff_pct,
                 best->z, best->p_adj);
            if (dim)
                note(rp, 1, LW_RP_WARN, LW_RP_RULE_LATENCY, "Consider load balancing during peak %s "
                     "hours: %s's latency is %.0f%% higher then", weekday[best->k],
                     rp->models[i].name, best->diff_pct);
            else
                note(rp, 1, LW_RP_WARN, LW_RP_RULE_LATENCY, "Move batch and other non-urgent traffic "
                     "away from %02d:00 UTC, when %s is %.0f%% slower", best->k,
                     rp->models[i].name, best->diff_pct);
        }
    }
}

/* The cheapest model that can stand in for m by LW_RP_RULE_CHEAPER, or NULL. */
static const lw_rp_model *
stand_in(const lw_rp *rp, const lw_rp_model *m)
{
    const lw_report_thresholds *th = &rp->q->thresholds;
    const lw_rp_model *best = NULL;
    double mine = per_call(&m->cur), theirs;
    size_t i;

    if (!(mine > 0) || !isfinite(m->cur.quality))
        return NULL;
    for (i = 0; i < rp->n; i++) {
        const lw_rp_model *o = &rp->models[i];

        theirs = per_call(&o->cur);
        if (o == m || !isfinite(theirs) || !isfinite(o->cur.quality) || o->cur.count == 0
            || theirs > mine * (1 - th->cheaper_pct / 100.0)
            || o->cur.quality < th->quality_ratio * m->cur.quality
            || (isfinite(m->target_ms) && !(o->cur.p95_ms <= m->target_ms)))
            continue;
        if (best == NULL || theirs < per_call(&best->cur))
            best = o;
    }
    return best;
}

static void
model_findings(lw_rp *rp)
{
    char a[48], b[48], c[48], d[32], e[32];
    const lw_rp_model *o;
    double save;
    size_t i;

    for (i = 0; i < rp->n; i++) {
        const lw_rp_model *m = &rp->models[i];

        if ((o = stand_in(rp, m)) != NULL) {
            lw_rp_money((int64_t) llround(per_call(&o->cur)), a, sizeof(a));
            lw_rp_money((int64_t) llround(per_call(&m->cur)), b, sizeof(b));
            save = (per_call(&m->cur) - per_call(&o->cur)) * (double) m->cur.count;
            lw_rp_money((int64_t) llround(save), c, sizeof(c));
            note(rp, 0, LW_RP_INFO, LW_RP_RULE_CHEAPER, "%s costs %.0f%% less per call than %s (%s "
                 "against %s) at quality %.1f against %.1f", o->name,
                 100 * (1 - per_call(&o->cur) / per_call(&m->cur)), m->name, a, b,
                 o->cur.quality, m->cur.quality);
            note(rp, 1, LW_RP_INFO, LW_RP_RULE_CHEAPER, "Increase %s usage for cost optimization: "
                 "moving %s's %lld calls to it would have saved %s in this period", o->name,
                 m->name, m->cur.count, c);
        }
        if (isfinite(m->target_ms) && m->cur.p95_ms > m->target_ms)
            note(rp, 1, LW_RP_WARN, LW_RP_RULE_SLA, "Review %s configuration for latency improvements: "
                 "p95 %s against a %s target (+%.0f%%)", m->name, ms(m->cur.p95_ms, d),
                 ms(m->target_ms, e), 100 * (m->cur.p95_ms / m->target_ms - 1));
        if (m->sla != NULL && m->sla->state != LW_SLA_NO_DATA
            && m->sla->availability < m->sla->objective && m->cur.top_error >= 0)
            note(rp, 1, LW_RP_CRIT, LW_RP_RULE_SLA, "Investigate %s's failures: availability %.3f%% "
                 "against %g%%; most were %s (%lld of %lld)", m->name, 100 * m->sla->availability,
                 100 * m->sla->objective, lw_rollup_error_classes[m->cur.top_error],
                 m->cur.top_error_n, m->cur.errors);
    }
}

static void
alert_findings(lw_rp *rp)
{
    const PGresult *r = rp->rules, *inc = rp->incidents;
    lw_buf which = { 0 };
    long long fired;
    int i, crit = 0;

    for (i = 0; i < PQntuples(r); i++) {
        fired = lw_db_int(r, i, 2);
        if (fired < rp->q->thresholds.alert_fires)
            continue;
        note(rp, 0, LW_RP_WARN, LW_RP_RULE_ALERTS, "Rule '%s' fired %lld times (%lld in the previous "
             "period) on %lld model%s; %lld marked false positive", lw_db_str(r, i, 0), fired,
             lw_db_int(r, i, 3), lw_db_int(r, i, 4), lw_db_int(r, i, 4) == 1 ? "" : "s",
             lw_db_int(r, i, 5));
        note(rp, 1, LW_RP_WARN, LW_RP_RULE_ALERTS, "Tune rule '%s': it fired %lld times in the period; "
             "raise its threshold or its 'for' duration, or silence known maintenance",
             lw_db_str(r, i, 0), fired);
    }
    for (i = 0; i < PQntuples(inc); i++) {
        if (!lw_streq(lw_db_str(inc, i, 4), "critical"))
            continue;
        if (crit++ < 3)
            lw_buf_printf(&which, "%s%s on %s", crit > 1 ? ", " : "", lw_db_str(inc, i, 1),
                          lw_db_str(inc, i, 2) ? lw_db_str(inc, i, 2) : "all models");
    }
    if (crit == 0)
        note(rp, 0, LW_RP_OK, LW_RP_RULE_INCIDENTS, "No critical incidents reported");
    else
        note(rp, 0, LW_RP_CRIT, LW_RP_RULE_INCIDENTS, "%d critical incident%s: %s%s", crit,
             crit == 1 ? "" : "s", which.data ? which.data : "", crit > 3 ? ", ..." : "");
    lw_buf_free(&which);
}

/* A plan for each model whose SLA is missed or at risk. */
static void
plans(lw_rp *rp)
{
    const lw_rp_model *tight = NULL, *o;
    const lw_rp_test *shown = NULL;
    char a[32], b[32], c[48];
    lw_rp_plan *p;
    double days = (double) (rp->q->to - rp->q->from) / 86400.0, allowed, ratio = 0;
    size_t i, j, k;

    for (i = 0; i < rp->n; i++) {
        const lw_rp_model *m = &rp->models[i];
        const lw_sla_model *s = m->sla;

        if (s == NULL || s->state == LW_SLA_NO_DATA)
            continue;
        if (isfinite(m->target_ms) && m->cur.p95_ms / m->target_ms > ratio
            && s->state == LW_SLA_MET) {
            ratio = m->cur.p95_ms / m->target_ms;
            tight = m;
        }
        if (s->state == LW_SLA_MET)
            continue;
        if (s->availability < s->objective || s->burn > 1) {
            allowed = (1 - s->objective) * (double) s->probes;
            p = plan(rp, "%s: bring availability back to %g%%", m->name, 100 * s->objective);
            step(rp, p, "Now: %.3f%% over %lld probes (%lld failed); the objective allows %.0f "
                 "failures at this volume", 100 * s->availability, s->probes, s->errors, allowed);
            step(rp, p, "Goal: at most %.1f failed probes per day (%.1f per day in this period)",
                 allowed / fmax(days, 1), (double) s->errors / fmax(days, 1));
            if (m->cur.top_error >= 0)
                step(rp, p, "First cause to remove: %s (%lld of %lld failures)",
                     lw_rollup_error_classes[m->cur.top_error], m->cur.top_error_n, m->cur.errors);
            if (isfinite(s->burn))
                step(rp, p, "Track the burn rate, %.2f\xC3\x97 in this period: it must stay below "
                     "1 for the error budget to last", s->burn);
        }
        if (isfinite(m->target_ms) && m->cur.p95_ms > m->target_ms) {
            p = plan(rp, "%s: bring p95 latency under %s", m->name, ms(m->target_ms, a));
            step(rp, p, "Now: p95 %s (p99 %s), %.0f%% above the target", ms(m->cur.p95_ms, a),
                 ms(m->cur.p99_ms, b), 100 * (m->cur.p95_ms / m->target_ms - 1));
            /* the two times it is slowest by, by the strength of the test */
            for (k = 0; k < 2; k++) {
                const lw_rp_test *t = NULL;

                for (j = 0; j < rp->ntests; j++) {
                    const lw_rp_test *u = &rp->tests[j];

                    if (u->model == m && u->significant && u->diff_pct > 0
                        && (k == 0 || u != shown) && (t == NULL || u->z > t->z))
                        t = u;
                }
                if (t == NULL)
                    break;
                shown = t;
                step(rp, p, "Slow %s%s%s: +%.0f%% (hourly mean %s)", t->weekday ? "on " : "at ",
                     t->weekday ? weekdays[t->k] : "",
                     t->weekday ? "" : lw_pool_printf(rp->pool, "%02d:00 UTC", t->k),
                     t->diff_pct, ms(t->mean, a));
            }
            for (j = 0, o = NULL; j < rp->n; j++)
                if (&rp->models[j] != m && rp->models[j].cur.p95_ms <= m->target_ms
                    && (o == NULL || rp->models[j].cur.p95_ms < o->cur.p95_ms))
                    o = &rp->models[j];
            if (o != NULL) {
                lw_rp_money((int64_t) llround(per_call(&o->cur)), c, sizeof(c));
                step(rp, p, "Fallback within the target: %s (p95 %s, quality %.1f, %s per call)",
                     o->name, ms(o->cur.p95_ms, a), o->cur.quality, c);
            }
        }
    }
    if (rp->nplans == 0 && tight != NULL) {
        p = plan(rp, "Keep the current setup");
        step(rp, p, "Every judged model met its objectives in this period");
        step(rp, p, "Tightest margin: %s, p95 %s at %.0f%% of its %s target", tight->name,
             ms(tight->cur.p95_ms, a), 100 * ratio, ms(tight->target_ms, b));
    }
}

void
lw_rp_findings(lw_rp *rp)
{
    sla_findings(rp);
    cost_findings(rp);
    latency_findings(rp);
    alert_findings(rp);
    model_findings(rp);
    plans(rp);
    if (rp->nrecs == 0)
        note(rp, 1, LW_RP_OK, LW_RP_RULE_NONE, "No change needed: none of the rules below found "
             "anything to act on in this period");
}
