/* budget.h: a spending budget as people type it (`llmwatch budget add`
 * options, the /budgets/new form), checked once, the same way the config's
 * `budgets:` are, into the JSON lib/db/budgets.c stores. */
#ifndef LW_BUDGET_H
#define LW_BUDGET_H

#include "lw.h"

/* What was typed; NULL or "" for what was not. */
typedef struct {
    const char *name;          /* default: the period ("daily") */
    const char *period;        /* daily, weekly, monthly */
    const char *amount;        /* dollars, exact decimal */
    const char *alert_at;      /* "80,90,100" (spaces and '%' allowed) */
    const char *model, *provider, *environment, *time_zone;
} lw_budget_input;

#define LW_BUDGET_MAX_ERRORS 8

/* The problems of an input, one per field at most. */
typedef struct {
    struct {
        const char *field;     /* "amount"... (static) */
        char        msg[160];
    } v[LW_BUDGET_MAX_ERRORS];
    int n;
} lw_budget_errors;

/* Checks in and writes its JSON (pool memory) into *json. LW_OK, LW_EINVAL
 * with the problems in errs, LW_ENOMEM. */
int lw_budget_check(const lw_budget_input *in, lw_pool *pool, const char **json,
                    lw_budget_errors *errs);

#endif
