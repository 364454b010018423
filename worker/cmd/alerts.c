/* alerts.c: `llmwatch alerts analyze|tune|backtest`: alert quality per
 * rule (fired, acknowledged, false positives, durations, flapping,
 * precision), threshold suggestions replayed over history against the
 * alerts people marked as false positives, and the backtest the rule form
 * previews ("over the last 7 days this rule would have fired N times"). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "db/eval.h"
#include "alert/rules.h"
#include "schedule.h"
#include "times.h"

#define FLAP_WINDOW_S  3600   /* fired again within an hour of resolving */
#define SHORT_ALERT_S  300    /* resolved within 5 minutes: a suspect */

struct opts {
    const char *rule;
    time_t      at, from, to;
    int         days, has_from, has_to;
    int64_t     step;
    double      target;
    long long   min_points;
    int         fp_detection;
};

static const char *
when(time_t t, char *buf, size_t size)
{
    return lw_time_format(t, LW_TIME_SECOND, buf, size);
}

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;
    lw_err err;
    long long v;
    char *end;
    time_t t;

    (void) cli;
    switch (ch) {
    case 'r':
        o->rule = arg;
        break;
    case 'f':
        o->fp_detection = 1;
        break;
    case 'a': case 'F': case 'T':
        if (lw_time_parse(arg, &t) != LW_OK) {
            fprintf(stderr, "llmwatch alerts: bad time '%s'\n", arg);
            return 2;
        }
        if (ch == 'a')
            o->at = t;
        else if (ch == 'F') {
            o->from = t;
            o->has_from = 1;
        } else {
            o->to = t;
            o->has_to = 1;
        }
        break;
    case 'n':
        if (lw_cli_int(arg, 1, 3660, &v) != 0) {
            fprintf(stderr, "llmwatch alerts: --days/--last-days wants 1..3660\n");
            return 2;
        }
        o->days = (int) v;
        break;
    case 's':
        if (lw_duration_parse(arg, &o->step, &err) != LW_OK || o->step <= 0) {
            fprintf(stderr, "llmwatch alerts: bad --step '%s'\n", arg);
            return 2;
        }
        break;
    case 'p':
        o->target = strtod(arg, &end);
        if (*end != '\0' || !(o->target > 0 && o->target <= 1)) {
            fprintf(stderr, "llmwatch alerts: --target-precision wants 0 < P <= 1\n");
            return 2;
        }
        break;
    default:
        if (lw_cli_int(arg, 0, LLONG_MAX, &o->min_points) != 0) {
            fprintf(stderr, "llmwatch alerts: --min-data-points wants a count\n");
            return 2;
        }
        break;
    }
    return 0;
}

/* ---- analyze ---- */

static int
cmd_analyze(lw_db *db, const struct opts *o)
{
    char dur[32], prec[16], buf[40];
    PGresult *res;
    lw_err err;
    int i, low = 0;

    res = lw_db_eval_quality(db, &err, o->at, o->days, FLAP_WINDOW_S, SHORT_ALERT_S);
    if (res == NULL) {
        fprintf(stderr, "llmwatch alerts analyze: %s\n", err.msg);
        return 1;
    }
    printf("Alert quality over the last %d day%s (to %s)\n", o->days, o->days == 1 ? "" : "s",
           when(o->at, buf, sizeof(buf)));
    printf("%-32s %-12s %6s %6s %7s %10s %9s %10s%s\n", "rule", "type", "fired", "acked",
           "false+", "median", "flapping", "precision", o->fp_detection ? "  suspects" : "");
    for (i = 0; i < PQntuples(res); i++) {
        long long fired = lw_db_int(res, i, 2), fp = lw_db_int(res, i, 4);

        if (lw_db_isnull(res, i, 5))
            snprintf(dur, sizeof(dur), "-");
        else
            lw_duration_format((int64_t) llround(lw_db_double(res, i, 5)), dur, sizeof(dur));
        if (fired == 0)
            snprintf(prec, sizeof(prec), "-");
        else
            snprintf(prec, sizeof(prec), "%.1f%%", 100.0 * (1.0 - (double) fp / (double) fired));
        printf("%-32.32s %-12s %6lld %6lld %7lld %10s %9lld %10s", lw_db_str(res, i, 0),
               lw_db_str(res, i, 1), fired, lw_db_int(res, i, 3), fp, dur, lw_db_int(res, i, 6),
               prec);
        if (o->fp_detection)
            printf("  %8lld", lw_db_int(res, i, 7));
        printf("\n");
        if (fired > 0 && 1.0 - (double) fp / (double) fired < 0.9)
            low++;
    }
    if (o->fp_detection)
        printf("\nsuspects: alerts not marked false positive that resolved within %d minutes "
               "or fired again within %d minutes of resolving; review and mark them.\n",
               SHORT_ALERT_S / 60, FLAP_WINDOW_S / 60);
    if (low > 0)
        printf("%d rule%s below 90%% precision: `llmwatch alerts tune --target-precision 0.95` "
               "suggests stricter thresholds.\n", low, low == 1 ? "" : "s");
    PQclear(res);
    return 0;
}

/* ---- backtest ---- */

static lw_rule *
load_rule(lw_db *db, const char *name)
{
    lw_rule **v = NULL, *r = NULL;
    size_t n = 0, bad = 0;
    lw_err err;

    if (lw_rules_load(db, &err, name, 0, &v, &n, &bad) != LW_OK) {
        fprintf(stderr, "llmwatch alerts: %s\n", err.msg);
        return NULL;
    }
    if (n == 1) {
        r = v[0];
        v[0] = NULL;
    } else {
        fprintf(stderr, "llmwatch alerts: no valid rule named '%s'\n", name);
    }
    lw_rules_free(v, n);
    return r;
}

static int
cmd_backtest(lw_db *db, struct opts *o)
{
    lw_backtest bt;
    lw_rule *r;
    lw_err err;
    char a[40], b[40];
    size_t i;
    int rc = 1;

    if (o->rule == NULL) {
        fprintf(stderr, "llmwatch alerts backtest: --rule NAME is required\n");
        return 2;
    }
    r = load_rule(db, o->rule);
    if (r == NULL)
        return 1;
    if (!o->has_to)
        o->to = o->at;
    if (!o->has_from)
        o->from = o->to - (time_t) o->days * 86400;
    if (o->step == 0)
        o->step = 60;
    if (lw_backtest_rule(db, &err, r, o->from, o->to, o->step, &bt) != LW_OK) {
        fprintf(stderr, "llmwatch alerts backtest: %s\n", err.msg);
        goto cleanup;
    }
    printf("Backtest of '%s' from %s to %s, every %llds: %zu evaluations, %zu without data\n",
           r->name, when(o->from, a, sizeof(a)), when(o->to, b, sizeof(b)),
           (long long) o->step, bt.evaluations, bt.nodata);
    for (i = 0; i < bt.n; i++) {
        const lw_backtest_firing *f = &bt.v[i];

        printf("  %s  %s (%s): %s", when(f->fired_at, a, sizeof(a)), f->model, f->environment,
               f->summary);
        if (f->resolved_at)
            printf("; resolved %s", when(f->resolved_at, b, sizeof(b)));
        printf("\n");
    }
    printf("would have fired %zu time%s\n", bt.fired, bt.fired == 1 ? "" : "s");
    lw_backtest_free(&bt);
    rc = 0;
cleanup:
    lw_rule_free(r);
    return rc;
}

/* ---- tune ---- */

typedef struct {
    long long model_id, environment_id;
    time_t    fired, resolved;
    int       fp;
} labeled;

typedef struct {
    size_t fired, tp, fp, unknown;
} score;

static score
score_replay(const lw_backtest *bt, const labeled *l, size_t nl, time_t end)
{
    score s = { 0, 0, 0, 0 };
    size_t i, j;

    for (i = 0; i < bt->n; i++) {
        const lw_backtest_firing *f = &bt->v[i];
        time_t fr = f->resolved_at ? f->resolved_at : end;
        int fp = 0, tp = 0;

        for (j = 0; j < nl; j++) {
            if (l[j].model_id != f->model_id || l[j].environment_id != f->environment_id)
                continue;
            if (f->fired_at <= l[j].resolved && l[j].fired <= fr) {
                if (l[j].fp)
                    fp = 1;
                else
                    tp = 1;
            }
        }
        s.fired++;
        if (fp)
            s.fp++;        /* overlapping a marked false positive: still noise */
        else if (tp)
            s.tp++;
        else
            s.unknown++;
    }
    return s;
}

static void
tune_rule(lw_db *db, const lw_rule *r, const struct opts *o)
{
    char now_v[48], new_v[48];
    lw_rule_samples smp = { 0 };
    lw_rule_tuning t = { 1.0, 0, 0 };
    lw_backtest bt = { 0 };
    labeled *l = NULL;
    PGresult *res = NULL;
    time_t from = o->at - (time_t) o->days * 86400, *at = NULL, x;
    size_t nl = 0, nat = 0, points, i, fps = 0;
    lw_expr_result probe;
    lw_err err;
    score cur, sc;
    int step, below = 0, found = 0;
    double cand = 1.0, example_now = NAN, example_new = NAN;
    lw_measure unit = LW_M_NONE;

    printf("%s (%s): ", r->name, lw_config_rule_kind_name(r->kind));
    if (r->kind != LW_RULE_THRESHOLD && r->kind != LW_RULE_STATISTICAL) {
        printf("tuning covers threshold and statistical rules\n");
        return;
    }
    res = lw_db_eval_labeled(db, &err, r->id, from, o->at);
    if (res == NULL) {
        printf("cannot read its alerts: %s\n", err.msg);
        return;
    }
    nl = (size_t) PQntuples(res);
    l = calloc(nl + 1, sizeof(*l));
    for (i = 0; l && i < nl; i++) {
        l[i].model_id = lw_db_int(res, (int) i, 0);
        l[i].environment_id = lw_db_int(res, (int) i, 1);
        l[i].fired = (time_t) lw_db_int(res, (int) i, 2);
        l[i].resolved = (time_t) lw_db_int(res, (int) i, 3);
        l[i].fp = lw_db_bool(res, (int) i, 4);
        fps += l[i].fp;
    }
    PQclear(res);
    if (l == NULL)
        goto cleanup;
    if (nl == 0) {
        printf("not enough data: it did not fire in the last %d days, nothing to learn from\n",
               o->days);
        goto cleanup;
    }
    at = malloc((size_t) ((o->at - from) / o->step + 2) * sizeof(*at));
    if (at == NULL)
        goto cleanup;
    for (x = from; x <= o->at; x += o->step)
        at[nat++] = x;
    if (lw_rule_fetch(db, &err, r, at, nat, &smp) != LW_OK) {
        printf("cannot replay: %s\n", err.msg);
        goto cleanup;
    }
    points = 0;
    for (i = 0; i < smp.n; i++) {
        lw_rule_decision d;

        lw_rule_decide(r, &smp.v[i], NULL, &d);
        if (d.state != LW_DECIDE_NODATA) {
            points++;
            if (isnan(example_now)) {
                example_now = d.threshold;
                unit = d.unit;
            }
        }
    }
    if ((long long) points < o->min_points) {
        printf("not enough data: %zu data points in %d days (need %lld)\n", points, o->days,
               o->min_points);
        goto cleanup;
    }
    if (lw_backtest_samples(r, &smp, NULL, &bt) != LW_OK)
        goto cleanup;
    cur = score_replay(&bt, l, nl, o->at);
    lw_backtest_free(&bt);
    printf("%zu alerts, %zu marked false positive (precision %.1f%%); replay at the current "
           "threshold: %zu firings\n", nl, fps, 100.0 * (1.0 - (double) fps / (double) nl),
           cur.fired);
    if (fps == 0) {
        printf("  no alert is marked false positive: nothing to tune against\n");
        goto cleanup;
    }
    lw_expr_eval(r->expr, NULL, NULL, &probe);
    below = probe.has_cmp && (probe.cmp == LW_CMP_LT || probe.cmp == LW_CMP_LE);
    for (step = 0; step <= 40; step++) {
        if (r->kind == LW_RULE_STATISTICAL) {
            t.has_k = 1;
            t.k = r->k + 0.25 * step;
            cand = t.k;
        } else {
            t.rhs_scale = below ? 1.0 - 0.02 * step : 1.0 + 0.05 * step;
            cand = t.rhs_scale;
        }
        if (lw_backtest_samples(r, &smp, &t, &bt) != LW_OK)
            goto cleanup;
        sc = score_replay(&bt, l, nl, o->at);
        lw_backtest_free(&bt);
        if (sc.tp + sc.fp > 0 && (double) sc.tp / (double) (sc.tp + sc.fp) >= o->target) {
            found = 1;
            break;
        }
        if (sc.tp == 0)
            break;         /* stricter than this loses every true alert */
    }
    if (!found) {
        printf("  no %s reaches %.0f%% precision without losing every true alert\n",
               r->kind == LW_RULE_STATISTICAL ? "k" : "threshold", o->target * 100.0);
        goto cleanup;
    }
    if (step == 0) {
        printf("  already at %.1f%% precision or better on replay: keep it\n", o->target * 100.0);
        goto cleanup;
    }
    if (r->kind == LW_RULE_STATISTICAL) {
        printf("  suggest k = %.2f (metric > mean + %.2f * std_dev): replay %zu firings, %zu "
               "true, %zu false positive, %zu new\n", cand, cand, sc.fired, sc.tp, sc.fp,
               sc.unknown);
    } else {
        example_new = example_now * cand;
        lw_measure_format(unit, example_now, now_v, sizeof(now_v));
        lw_measure_format(unit, example_new, new_v, sizeof(new_v));
        printf("  suggest the threshold (right-hand side of '%s') x%.2f, e.g. %s instead of "
               "%s: replay %zu firings, %zu true, %zu false positive, %zu new\n",
               r->expression, cand, new_v, now_v, sc.fired,
               sc.tp, sc.fp, sc.unknown);
    }
cleanup:
    lw_rule_samples_free(&smp);
    free(at);
    free(l);
}

static int
cmd_tune(lw_db *db, struct opts *o)
{
    lw_rule **v = NULL;
    size_t n = 0, bad = 0, i;
    lw_err err;

    if (o->step == 0)
        o->step = 300;
    if (lw_rules_load(db, &err, o->rule, 1, &v, &n, &bad) != LW_OK) {
        fprintf(stderr, "llmwatch alerts tune: %s\n", err.msg);
        return 1;
    }
    if (n == 0)
        printf("no rule to tune%s\n", o->rule ? " with that name" : "");
    printf("Tuning for %.0f%% precision over the last %d days (replay every %llds, at least "
           "%lld data points)\n", o->target * 100.0, o->days, (long long) o->step,
           o->min_points);
    for (i = 0; i < n; i++)
        tune_rule(db, v[i], o);
    lw_rules_free(v, n);
    return 0;
}

int
lw_cmd_alerts(lw_cli *cli)
{
    static const char opts[] =
        "rule:r at:a from:F to:T days:n last-days:n step:s target-precision:p "
        "min-data-points:m false-positive-detection/f";
    struct opts o;
    const char *sub;
    lw_db *db;
    int rc;

    if ((sub = lw_cli_subcommand(cli)) == NULL)
        return lw_cli_no_subcommand(cli);
    memset(&o, 0, sizeof(o));
    o.at = time(NULL);
    o.days = strcmp(sub, "backtest") == 0 ? 7 : 30;
    o.target = 0.95;
    o.min_points = 100;
    if ((rc = lw_cli_parse(cli, opts, on_opt, &o)) != LW_CLI_GO)
        return rc;
    if (strcmp(sub, "analyze") != 0 && strcmp(sub, "tune") != 0 && strcmp(sub, "backtest") != 0) {
        fprintf(stderr, "llmwatch alerts: unknown subcommand '%s'\n", sub);
        return lw_cli_usage(cli, stderr, 1);
    }
    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    if (strcmp(sub, "analyze") == 0)
        return cmd_analyze(db, &o);
    if (strcmp(sub, "tune") == 0)
        return cmd_tune(db, &o);
    return cmd_backtest(db, &o);
}
