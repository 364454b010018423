/* budget.c: the budget step of an evaluation, in its transaction: for
 * every enabled budget, the tiers its spend reached in the current period
 * (probe and usage rollups, lib/db/budgets.c) that were never announced
 * for this period are recorded in budget_crossings and announced through
 * the outbox like any alert (routing, silences, channels); so is the pace
 * alert, once, when the stated forecast says the budget runs out before
 * the period ends. A budget's alert stays firing for the rest of its
 * period and is resolved quietly when the period rolls over: nothing more
 * goes out until a tier is crossed again. Re-running (or restarting) an
 * evaluation finds the crossings recorded and announces nothing twice. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db/budgets.h"
#include "db/eval.h"
#include "eval/eval_int.h"

/* Columns of lw_db_budgets_eval. */
enum {
    B_ID, B_NAME, B_RULE, B_PERIOD, B_START, B_END, B_AMOUNT, B_SPENT, B_SPENT_D, B_AMOUNT_D,
    B_TIERS, B_CROSSED, B_PACE_DONE, B_RUNS_OUT, B_PROJECTED, B_SPENT_H, B_AMOUNT_H,
    B_PROJECTED_H, B_RUNS_OUT_DAY, B_TZ, B_REACHED
};

/* The pace alert waits for a tenth of the period: a morning's first
 * requests say little about a month. */
#define PACE_MIN_ELAPSED 10

/* "{80,90,100}" into v (at most max); returns how many. */
static int
int_array(const char *s, int *v, int max)
{
    char *end;
    int n = 0;

    if (s == NULL)
        return 0;
    while (*s != '\0' && n < max) {
        if (*s == '{' || *s == ',' || *s == '}' || *s == ' ') {
            s++;
            continue;
        }
        v[n++] = (int) strtol(s, &end, 10);
        if (end == s)
            break;
        s = end;
    }
    return n;
}

static int
has(const int *v, int n, int x)
{
    int i;

    for (i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

static const char *
period_word(const char *period)
{
    return lw_streq(period, "daily") ? "daily" : lw_streq(period, "weekly") ? "weekly" : "monthly";
}

/* One announcement: the budget's alert opened (or moved on), an event,
 * and a candidate for the outbox. */
static int
announce(lw_db *db, lw_eval_state *ev, const PGresult *res, int row, open_alert **o,
         lw_severity sev, double threshold, const char *text, const char *threshold_text,
         lw_err *err)
{
    const char *name = lw_db_str(res, row, B_NAME);
    double spent = lw_db_double(res, row, B_SPENT_D);
    long long alert_id, event_id;
    cand *c;
    int rc;

    if (*o == NULL) {
        rc = lw_db_budgets_alert_open(db, err, lw_db_int(res, row, B_RULE), lw_eval_sev_names[sev],
                                      (long long) ev->at, spent, threshold, text, &alert_id);
        if (rc != LW_OK)
            return LW_EDB;
        rc = lw_eval_add_event(db, ev, alert_id, "ok", "firing", spent, text, &event_id, err);
        lw_buf_printf(&ev->lines, "Budget: %s: ok -> firing, %s\n", name, text);
    } else {
        alert_id = (*o)->id;
        /* severity only goes up within a period */
        rc = lw_db_eval_alert_update(db, err, alert_id, "firing", ev->at, spent, threshold, text,
                                     sev == LW_SEV_CRITICAL ? "critical" : NULL);
        if (rc == LW_OK)
            rc = lw_eval_add_event(db, ev, alert_id, "firing", "firing", spent, text, &event_id,
                                   err);
        lw_buf_printf(&ev->lines, "Budget: %s: firing -> firing, %s\n", name, text);
    }
    if (rc != LW_OK)
        return LW_EDB;
    ev->transitions++;
    c = lw_eval_add_cand(ev, C_FIRING);
    if (c == NULL)
        return LW_ENOMEM;
    c->alert_id = alert_id;
    c->event_id = event_id;
    c->severity = sev;
    c->budget = 1;
    c->text = text;
    c->value_text = lw_pool_printf(ev->pool, "$%s", lw_db_str(res, row, B_SPENT_H));
    c->threshold_text = threshold_text;
    if (*o == NULL) {
        /* later announcements of this evaluation go to the same alert */
        *o = lw_pool_alloc(ev->pool, sizeof(**o));
        if (*o == NULL)
            return LW_ENOMEM;
        (*o)->id = alert_id;
        (*o)->state = LW_ALERT_FIRING;
        (*o)->started_at = ev->at;
        (*o)->seen = 1;
    }
    return LW_OK;
}

/* The alert of a period that is over: resolved, no notification (the
 * budget's rule does not send resolved ones), nothing until a new
 * crossing. */
static int
close_period(lw_db *db, lw_eval_state *ev, const char *name, const char *period, open_alert *o,
             lw_err *err)
{
    long long event_id;
    const char *msg = lw_pool_printf(ev->pool, "the %s period ended", period_word(period));

    o->seen = 1;
    if (lw_db_eval_alert_update(db, err, o->id, "resolved", ev->at, NAN, NAN, msg, NULL) != LW_OK
        || lw_eval_add_event(db, ev, o->id, lw_alert_state_name(o->state), "resolved", NAN, msg,
                             &event_id, err) != LW_OK)
        return LW_EDB;
    ev->transitions++;
    lw_buf_printf(&ev->lines, "Budget: %s: %s -> resolved, %s\n", name,
                  lw_alert_state_name(o->state), msg);
    return LW_OK;
}

static int
one_budget(lw_db *db, lw_eval_state *ev, const PGresult *res, int row, lw_err *err)
{
    const char *name = lw_db_str(res, row, B_NAME), *period = lw_db_str(res, row, B_PERIOD);
    const char *spent = lw_db_str(res, row, B_SPENT), *text, *tt;
    long long id = lw_db_int(res, row, B_ID), start = lw_db_int(res, row, B_START);
    long long end = lw_db_int(res, row, B_END);
    open_alert *o = lw_eval_find_open(ev, lw_db_int(res, row, B_RULE), 0, 0);
    double amount = lw_db_double(res, row, B_AMOUNT_D);
    int crossed[16], reached[16], nc, nr, i, fresh, rc, top = 0;

    if (o != NULL) {
        o->seen = 1;
        if (o->started_at < (time_t) start) {
            rc = close_period(db, ev, name, period, o, err);
            if (rc != LW_OK)
                return rc;
            o = NULL;
        }
    }
    nc = int_array(lw_db_str(res, row, B_CROSSED), crossed, 16);
    nr = int_array(lw_db_str(res, row, B_REACHED), reached, 16);
    for (i = 0; i < nr; i++) {
        top = reached[i];
        if (has(crossed, nc, reached[i]))
            continue;
        rc = lw_db_budgets_cross(db, err, id, start, "tier", reached[i], spent, &fresh);
        if (rc != LW_OK)
            return rc;
        if (!fresh)
            continue;
        text = lw_pool_printf(ev->pool, "%d%% of the %s budget reached: $%s of $%s spent",
                              reached[i], period_word(period), lw_db_str(res, row, B_SPENT_H),
                              lw_db_str(res, row, B_AMOUNT_H));
        tt = lw_pool_printf(ev->pool, "%d%% of $%s", reached[i], lw_db_str(res, row, B_AMOUNT_H));
        rc = announce(db, ev, res, row, &o, reached[i] >= 100 ? LW_SEV_CRITICAL : LW_SEV_WARNING,
                      amount * reached[i] / 100.0, text, tt, err);
        if (rc != LW_OK)
            return rc;
    }
    /* the pace: once per period, while the budget still holds */
    if (lw_db_isnull(res, row, B_RUNS_OUT) || lw_db_bool(res, row, B_PACE_DONE) || top >= 100
        || (ev->at - start) * 100 < (end - start) * PACE_MIN_ELAPSED)
        return LW_OK;
    rc = lw_db_budgets_cross(db, err, id, start, "pace", 100, spent, &fresh);
    if (rc != LW_OK || !fresh)
        return rc;
    text = lw_pool_printf(ev->pool, "at this pace the %s budget runs out %s%s: $%s of $%s spent, "
                          "$%s projected by the end of the period", period_word(period),
                          lw_streq(period, "daily") ? "at " : "on ",
                          lw_db_str(res, row, B_RUNS_OUT_DAY), lw_db_str(res, row, B_SPENT_H),
                          lw_db_str(res, row, B_AMOUNT_H), lw_db_str(res, row, B_PROJECTED_H));
    tt = lw_pool_printf(ev->pool, "$%s", lw_db_str(res, row, B_AMOUNT_H));
    return announce(db, ev, res, row, &o, LW_SEV_WARNING, amount, text, tt, err);
}

int
lw_eval_budgets(lw_db *db, lw_eval_state *ev, lw_err *err)
{
    PGresult *res = lw_db_budgets_eval(db, err, (long long) ev->at);
    int i, rc = LW_OK;

    if (res == NULL)
        return LW_EDB;
    for (i = 0; rc == LW_OK && i < PQntuples(res); i++)
        rc = one_budget(db, ev, res, i, err);
    PQclear(res);
    return rc;
}
