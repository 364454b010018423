/* decide.c: the decision of each rule kind on one sample (firing, ok or
 * no data, with the value, the threshold and a summary for people). Pure:
 * evaluation, backtests and the form's preview all come here. */
#include "alert/decide.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alert/stats.h"
#include "forecast.h"
#include "schedule.h"

#define FORECAST_STEPS 240      /* points of the horizon a forecast checks */

typedef struct {
    const lw_rule        *r;
    const lw_rule_sample *s;
    int                   project;     /* forecast: metric replaced by proj */
    double                proj;
} lookup_ctx;

static int
have(double v, double *out)
{
    *out = v;
    return isfinite(v) ? 1 : 0;
}

static int
lookup(void *ud, const lw_expr_var *var, double *out)
{
    lookup_ctx *c = ud;
    const lw_rule_sample *s = c->s;
    lw_measure m;
    size_t i;

    switch (var->kind) {
    case LW_VAR_MEASURE:
        if (c->project && var->measure == c->r->metric)
            return have(c->proj, out);
        return have(s->m[var->measure], out);
    case LW_VAR_METRIC:
        if (c->r->metric < 0)
            return 0;
        if (c->project)
            return have(c->proj, out);
        return have(s->m[c->r->metric], out);
    case LW_VAR_BASELINE:
        m = var->measure == LW_M_RULE_METRIC ? c->r->metric : var->measure;
        if (m < 0)
            return 0;
        return have(s->baseline[m], out);
    case LW_VAR_SLA_TARGET:
        return have(s->sla_target, out);
    case LW_VAR_MEAN:
        return have(s->mean, out);
    case LW_VAR_STDDEV:
        return have(s->std_dev, out);
    case LW_VAR_SLOPE:
        return have(s->slope, out);
    case LW_VAR_CUSTOM:
        for (i = 0; i < s->n_custom; i++)
            if (strcmp(s->custom_name[i], var->custom) == 0)
                return have(s->custom[i], out);
        return 0;
    }
    return 0;
}

static lw_measure
unit_of(const lw_rule *r, lw_measure m)
{
    return m == LW_M_RULE_METRIC ? r->metric : m;
}

static void
set_from_result(const lw_rule *r, const lw_expr_result *res, lw_rule_decision *d)
{
    d->state = !res->known ? LW_DECIDE_NODATA : res->truth ? LW_DECIDE_FIRING : LW_DECIDE_OK;
    if (res->has_cmp) {
        d->value = res->lhs;
        d->threshold = res->rhs;
        d->unit = unit_of(r, res->lhs_measure);
    }
}

static void
summary_cmp(const lw_expr_result *res, lw_rule_decision *d, const char *suffix)
{
    char a[48], b[48];

    if (d->state == LW_DECIDE_NODATA) {
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    lw_measure_format(d->unit, d->value, a, sizeof(a));
    lw_measure_format(d->unit, d->threshold, b, sizeof(b));
    if (!res->has_cmp)
        snprintf(d->summary, sizeof(d->summary), "condition %s", d->state ? "holds" : "clear");
    else if (d->state == LW_DECIDE_FIRING)
        snprintf(d->summary, sizeof(d->summary), "value %s%s %s %s%s", a, suffix,
                 lw_expr_cmp_name(res->cmp), b, suffix);
    else
        snprintf(d->summary, sizeof(d->summary), "value %s%s (fires %s %s%s)", a, suffix,
                 lw_expr_cmp_name(res->cmp), b, suffix);
}

static void
decide_threshold(const lw_rule *r, const lw_rule_sample *s, const lw_rule_tuning *tune,
                 lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 0, 0 };
    lw_expr_result res;

    lw_expr_eval_scaled(r->expr, lookup, &c, tune ? tune->rhs_scale : 1.0, &res);
    set_from_result(r, &res, d);
    summary_cmp(&res, d, "");
}

static void
decide_statistical(const lw_rule *r, const lw_rule_sample *s, const lw_rule_tuning *tune,
                   lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 0, 0 };
    lw_expr_result res;
    char a[48], b[48], mu[48], sd[48];
    double z;
    int below;

    if (s->lookback_n < r->minimum_samples || s->lookback_n < 2) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data (%lld of %lld samples in the lookback)",
                 s->lookback_n, (long long) r->minimum_samples);
        return;
    }
    lw_expr_eval(r->expr, lookup, &c, &res);
    set_from_result(r, &res, d);
    if (tune != NULL && tune->has_k) {
        /* what-if: the same comparison with the reference at mean +- k sd */
        below = res.has_cmp && (res.cmp == LW_CMP_LT || res.cmp == LW_CMP_LE);
        if (!isfinite(d->value) || !isfinite(s->mean) || !(s->std_dev > 0)) {
            d->state = LW_DECIDE_NODATA;
        } else {
            z = (d->value - s->mean) / s->std_dev;
            d->threshold = s->mean + (below ? -tune->k : tune->k) * s->std_dev;
            d->state = (below ? -z : z) > tune->k ? LW_DECIDE_FIRING : LW_DECIDE_OK;
        }
    }
    if (d->state == LW_DECIDE_NODATA) {
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    lw_measure_format(d->unit, d->value, a, sizeof(a));
    lw_measure_format(d->unit, d->threshold, b, sizeof(b));
    lw_measure_format(r->metric, s->mean, mu, sizeof(mu));
    lw_measure_format(r->metric, s->std_dev, sd, sizeof(sd));
    snprintf(d->summary, sizeof(d->summary), "value %s %s %s (mean %s, std_dev %s over %lld "
             "samples)", a, d->state == LW_DECIDE_FIRING ? lw_expr_cmp_name(res.cmp) : "within",
             b, mu, sd, s->lookback_n);
}

static void
decide_trend(const lw_rule *r, const lw_rule_sample *s, lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 0, 0 };
    lw_expr_result res;
    char a[48], b[48], w[32];

    if (s->regr_n < 3 || s->regr_samples < r->minimum_samples) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data (%lld samples in %lld buckets)",
                 s->regr_samples, s->regr_n);
        return;
    }
    lw_expr_eval(r->expr, lookup, &c, &res);
    set_from_result(r, &res, d);
    if (res.has_cmp && res.lhs_measure == LW_M_NONE)
        d->unit = r->metric;     /* the slope has the metric's unit, per hour */
    if (d->state == LW_DECIDE_NODATA) {
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    lw_measure_format(d->unit, d->value, a, sizeof(a));
    lw_measure_format(d->unit, d->threshold, b, sizeof(b));
    lw_duration_format(r->window_s, w, sizeof(w));
    snprintf(d->summary, sizeof(d->summary), "%s slope %s/h %s %s/h over %s",
             lw_measure_name(r->metric), a,
             d->state == LW_DECIDE_FIRING ? lw_expr_cmp_name(res.cmp) : "vs", b, w);
}

static void
decide_forecast(const lw_rule *r, const lw_rule_sample *s, lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 1, 0 };
    lw_expr_result res, first;
    lw_forecast_line fc;
    double h = (double) r->horizon_s / 3600.0, t;
    char lim[48], lo[48], hi[48], hz[32];
    int i, upward, uses_sla, known = 0;

    if (s->regr_n < 3 || s->regr_samples < r->minimum_samples || !isfinite(s->slope)) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data (%lld samples in %lld buckets)",
                 s->regr_samples, s->regr_n);
        return;
    }
    d->state = LW_DECIDE_OK;
    memset(&first, 0, sizeof(first));
    for (i = 0; i <= FORECAST_STEPS; i++) {
        t = h * i / FORECAST_STEPS;
        c.proj = s->intercept + s->slope * t;
        lw_expr_eval(r->expr, lookup, &c, &res);
        if (i == 0)
            first = res;
        if (!res.known)
            continue;
        known = 1;
        if (res.truth) {
            d->state = LW_DECIDE_FIRING;
            d->hours_until = t;
            first = res;
            break;
        }
    }
    if (!known) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    d->unit = r->metric;
    d->threshold = first.rhs;
    d->value = s->intercept + s->slope * h;
    upward = !(first.has_cmp && (first.cmp == LW_CMP_LT || first.cmp == LW_CMP_LE));
    lw_forecast_linear(s->regr_n, s->slope, s->intercept, s->avgx, s->sxx, s->syy, s->sxy, h,
                       LW_RULE_FORECAST_CONFIDENCE, d->threshold, upward, &fc);
    lw_measure_format(d->unit, d->threshold, lim, sizeof(lim));
    /* every measure is non-negative: the interval is clipped at 0 */
    lw_measure_format(d->unit, fc.lo < 0 ? 0 : fc.lo, lo, sizeof(lo));
    lw_measure_format(d->unit, fc.hi, hi, sizeof(hi));
    lw_duration_format(r->horizon_s, hz, sizeof(hz));
    uses_sla = (lw_expr_var_kinds(r->expr) & (1u << LW_VAR_SLA_TARGET)) != 0;
    if (d->state == LW_DECIDE_FIRING)
        snprintf(d->summary, sizeof(d->summary), "%s likely to %s %s%s%s in %.1f hours "
                 "(95%% interval at +%s: %s .. %s)", lw_measure_name(r->metric),
                 upward ? "exceed" : "fall below", uses_sla ? "SLA (" : "", lim,
                 uses_sla ? ")" : "", d->hours_until, hz, lo, hi);
    else
        snprintf(d->summary, sizeof(d->summary), "%s forecast within %s over the next %s "
                 "(95%% interval at +%s: %s .. %s)", lw_measure_name(r->metric), lim, hz, hz,
                 lo, hi);
}

static void
decide_composite(const lw_rule *r, const lw_rule_sample *s, const lw_rule_tuning *tune,
                 lw_rule_decision *d)
{
    lookup_ctx c = { r, s, 0, 0 };
    lw_expr_result res, shown;
    size_t i, holds = 0, known = 0, pick = 0;
    int any_unknown = 0;
    char a[48], b[48];

    memset(&shown, 0, sizeof(shown));
    for (i = 0; i < r->n_conds; i++) {
        lw_expr_eval_scaled(r->conds[i], lookup, &c, tune ? tune->rhs_scale : 1.0, &res);
        if (i == 0)
            shown = res;
        if (!res.known) {
            any_unknown = 1;
            continue;
        }
        known++;
        if (res.truth) {
            if (holds == 0) {
                shown = res;
                pick = i;
            }
            holds++;
        }
    }
    if (r->op == LW_OP_OR)
        d->state = holds > 0 ? LW_DECIDE_FIRING : any_unknown ? LW_DECIDE_NODATA : LW_DECIDE_OK;
    else
        d->state = known < r->n_conds ? (known > holds ? LW_DECIDE_OK : LW_DECIDE_NODATA)
                   : holds == r->n_conds ? LW_DECIDE_FIRING : LW_DECIDE_OK;
    if (shown.has_cmp) {
        d->value = shown.lhs;
        d->threshold = shown.rhs;
        d->unit = unit_of(r, shown.lhs_measure);
    }
    if (d->state == LW_DECIDE_NODATA) {
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    lw_measure_format(d->unit, d->value, a, sizeof(a));
    lw_measure_format(d->unit, d->threshold, b, sizeof(b));
    if (d->state == LW_DECIDE_FIRING)
        snprintf(d->summary, sizeof(d->summary), "%s: value %s %s %s (%zu of %zu conditions "
                 "hold, %s)", r->cond_text[pick], a, lw_expr_cmp_name(shown.cmp), b, holds,
                 r->n_conds, r->op == LW_OP_OR ? "OR" : "AND");
    else
        snprintf(d->summary, sizeof(d->summary), "%zu of %zu conditions hold (%s)", holds,
                 r->n_conds, r->op == LW_OP_OR ? "OR" : "AND");
}

static void
decide_burn(const lw_rule *r, const lw_rule_sample *s, lw_rule_decision *d)
{
    double lr, sr, th;
    int i, fired = -1, known = 0;
    char lw[16], sw[16];
    double best_l = NAN, best_s = NAN, best_t = NAN;

    for (i = 0; i < 3; i++) {
        const lw_stats_burn_window *w = &lw_stats_burn_windows[i];

        lr = lw_stats_burn_rate(s->br_errors[w->long_idx], s->br_count[w->long_idx], r->slo_target);
        sr = lw_stats_burn_rate(s->br_errors[w->short_idx], s->br_count[w->short_idx], r->slo_target);
        th = lw_stats_burn_threshold(w, r->period_s);
        if (isnan(lr) || isnan(sr))
            continue;
        known = 1;
        if (i == 0 || isnan(best_l)) {
            best_l = lr;
            best_s = sr;
            best_t = th;
        }
        if (lr >= th && sr >= th) {
            fired = i;
            best_l = lr;
            best_s = sr;
            best_t = th;
            break;
        }
    }
    d->unit = LW_M_NONE;
    if (!known) {
        d->state = LW_DECIDE_NODATA;
        snprintf(d->summary, sizeof(d->summary), "no data");
        return;
    }
    d->value = best_l;
    d->threshold = best_t;
    if (fired < 0) {
        d->state = LW_DECIDE_OK;
        snprintf(d->summary, sizeof(d->summary), "burn rate %.2fx (1h), within budget of SLO "
                 "%.4g%%", best_l, r->slo_target * 100.0);
        return;
    }
    d->state = LW_DECIDE_FIRING;
    if (strcmp(lw_stats_burn_windows[fired].action, "ticket") == 0 && d->severity == LW_SEV_CRITICAL)
        d->severity = LW_SEV_WARNING;
    lw_duration_format(lw_stats_burn_windows[fired].long_s, lw, sizeof(lw));
    lw_duration_format(lw_stats_burn_windows[fired].short_s, sw, sizeof(sw));
    snprintf(d->summary, sizeof(d->summary), "error budget burning %.1fx over %s and %.1fx over "
             "%s >= %.4gx (%s; SLO %.4g%%)", best_l, lw, best_s, sw, best_t,
             lw_stats_burn_windows[fired].action, r->slo_target * 100.0);
}

void
lw_rule_decide(const lw_rule *r, const lw_rule_sample *s, const lw_rule_tuning *tune,
               lw_rule_decision *d)
{
    memset(d, 0, sizeof(*d));
    d->state = LW_DECIDE_NODATA;
    d->value = d->threshold = d->hours_until = NAN;
    d->unit = LW_M_NONE;
    d->severity = r->severity;
    switch (r->kind) {
    case LW_RULE_THRESHOLD:   decide_threshold(r, s, tune, d); break;
    case LW_RULE_STATISTICAL: decide_statistical(r, s, tune, d); break;
    case LW_RULE_TREND:       decide_trend(r, s, d); break;
    case LW_RULE_COMPOSITE:   decide_composite(r, s, tune, d); break;
    case LW_RULE_FORECAST:    decide_forecast(r, s, d); break;
    case LW_RULE_BURN_RATE:   decide_burn(r, s, d); break;
    default:
        snprintf(d->summary, sizeof(d->summary), "unknown rule type");
        break;
    }
}
