/* rule_impl.h: what rule.c lends rule_input.c (the rule model's
 * internals); not for use outside lib/alert/rule*.c. */
#ifndef LW_ALERT_RULE_IMPL_H
#define LW_ALERT_RULE_IMPL_H

#include "alert/rule.h"

/* A rule with the defaults every kind shares, in its own pool; NULL when
 * out of memory. Caller frees with lw_rule_free. */
lw_rule *lw_rule_new(void);
/* Adds a problem with a field (kept when there is room; always counted).
 * errs may be NULL. */
void lw_rule_add_error(lw_rule_errors *e, const char *field, int index, int col,
                       const char *fmt, ...) LW_PRINTF(5, 6);
/* Applies the defaults of r's kind to what was not given (0/NULL) and
 * checks everything, adding each problem to errs. LW_OK, LW_EINVAL or
 * LW_ENOMEM. */
int lw_rule_finish(lw_rule *r, lw_rule_errors *errs);

#endif
