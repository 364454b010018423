/* decide.h: the decision of a rule on one sample: firing, ok or no data
 * (missing data never fires), the value and threshold behind it and a
 * summary for people. Pure. */
#ifndef LW_ALERT_DECIDE_H
#define LW_ALERT_DECIDE_H

#include "alert/fetch.h"
#include "alert/rule.h"

typedef enum { LW_DECIDE_NODATA = -1, LW_DECIDE_OK = 0, LW_DECIDE_FIRING = 1 } lw_decide_state;

/* What-if overrides for tuning: the right side of the condition times
 * rhs_scale (threshold, composite), or k instead of the rule's (statistical:
 * fires when (metric - mean) / std_dev > k). */
typedef struct {
    double rhs_scale;                  /* 1 = as written */
    int    has_k;
    double k;
} lw_rule_tuning;

typedef struct {
    lw_decide_state state;
    double      value, threshold;      /* NaN when unknown */
    lw_measure  unit;                  /* measure whose unit value/threshold have */
    lw_severity severity;              /* the rule's (burn_rate may lower it) */
    double      hours_until;           /* forecast: hours until the crossing */
    char        summary[320];          /* "value 3.41 s > 3.00 s" ... */
} lw_rule_decision;

/* Pure: the decision of a rule on one sample. tune may be NULL. */
void lw_rule_decide(const lw_rule *r, const lw_rule_sample *s, const lw_rule_tuning *tune,
                    lw_rule_decision *d);

#endif
