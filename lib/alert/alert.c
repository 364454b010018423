/* alert.c: an alert's life for one rule and one model: ok -> pending
 * (held `for`) -> firing -> resolved. Pure; the evaluator stores the
 * transitions, a backtest replays them. */
#include "alert/alert.h"

const char *
lw_alert_state_name(lw_alert_state s)
{
    switch (s) {
    case LW_ALERT_PENDING: return "pending";
    case LW_ALERT_FIRING:  return "firing";
    default:               return "ok";
    }
}

lw_transition
lw_alert_step(const lw_rule *r, lw_alert_track *t, lw_decide_state d, time_t now)
{
    int firing = d == LW_DECIDE_FIRING;

    switch (t->state) {
    case LW_ALERT_OK:
        if (!firing)
            return LW_TR_NONE;
        t->started_at = now;
        if (r->for_s > 0) {
            t->state = LW_ALERT_PENDING;
            return LW_TR_PENDING;
        }
        t->state = LW_ALERT_FIRING;
        t->fired_at = now;
        return LW_TR_FIRING;
    case LW_ALERT_PENDING:
        if (!firing) {
            t->state = LW_ALERT_OK;
            return LW_TR_CLEARED;
        }
        if (now - t->started_at >= r->for_s) {
            t->state = LW_ALERT_FIRING;
            t->fired_at = now;
            return LW_TR_FIRING;
        }
        return LW_TR_NONE;
    case LW_ALERT_FIRING:
        if (firing)
            return LW_TR_NONE;
        t->state = LW_ALERT_OK;
        return LW_TR_RESOLVED;
    }
    return LW_TR_NONE;
}
