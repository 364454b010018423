/* rules.h: the alert rule module at once, for code that evaluates,
 * backtests or edits rules (the worker's evaluate and alerts commands, the
 * web form). Each part has its header, named after its file:
 *   rule.h      the rule model, its kinds and defaults (rule.c,
 *               rule_input.c: from config, form and database row)
 *   fetch.h     the samples a decision needs (fetch.c, through
 *               lib/db/measures.c)
 *   decide.h    the decision per kind (decide.c)
 *   stats.h     burn rates, t quantile, linear forecast (stats.c)
 *   alert.h     the alert state machine (alert.c)
 *   backtest.h  replaying the above over past data (backtest.c)
 * The expression language is expr.h, its measures measure.h. */
#ifndef LW_ALERT_RULES_H
#define LW_ALERT_RULES_H

#include "alert/alert.h"
#include "alert/backtest.h"
#include "alert/decide.h"
#include "alert/expr.h"
#include "alert/fetch.h"
#include "alert/rule.h"
#include "alert/stats.h"

#endif
