/* alert.h: the state machine of an alert (one rule, one model): ok ->
 * pending (held `for`) -> firing -> resolved. Pure. */
#ifndef LW_ALERT_ALERT_H
#define LW_ALERT_ALERT_H

#include <time.h>

#include "alert/decide.h"
#include "alert/rule.h"

typedef enum { LW_ALERT_OK, LW_ALERT_PENDING, LW_ALERT_FIRING } lw_alert_state;

typedef struct {
    lw_alert_state state;
    time_t         started_at;        /* pending (or firing) since */
    time_t         fired_at;
} lw_alert_track;

typedef enum {
    LW_TR_NONE,
    LW_TR_PENDING,     /* ok -> pending */
    LW_TR_FIRING,      /* ok or pending -> firing */
    LW_TR_RESOLVED,    /* firing -> resolved */
    LW_TR_CLEARED      /* pending -> resolved without firing */
} lw_transition;

/* "ok", "pending", "firing" (static) */
const char *lw_alert_state_name(lw_alert_state s);

/* Pure: moves the track given the decision at `now`: firing -> ok->pending
 * (held `for_s`) -> firing; not firing or no data -> resolved. Returns the
 * transition (the previous state is the one before the call). */
lw_transition lw_alert_step(const lw_rule *r, lw_alert_track *t, lw_decide_state d, time_t now);

#endif
