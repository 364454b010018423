/* backtest.h: what `evaluate` would have done over past data: the same
 * samples, decisions and state machine replayed at every step of a range,
 * for the rule form's preview and `llmwatch alerts backtest`/`tune`. */
#ifndef LW_ALERT_BACKTEST_H
#define LW_ALERT_BACKTEST_H

#include <stddef.h>
#include <time.h>

#include "alert/alert.h"
#include "alert/decide.h"
#include "alert/fetch.h"
#include "alert/rule.h"
#include "db/db.h"

typedef struct {
    long long   model_id, environment_id;
    const char *model, *environment;   /* owned by the backtest's pool */
    time_t      fired_at;
    time_t      resolved_at;           /* 0 when still firing at the end */
    double      value, threshold;      /* at the firing */
    lw_measure  unit;
    char        summary[320];
} lw_backtest_firing;

typedef struct {
    lw_pool            *pool;
    size_t              evaluations;   /* times stepped */
    size_t              samples;       /* (time, model) decisions */
    size_t              nodata;        /* of which without data */
    size_t              fired;         /* transitions to firing */
    lw_backtest_firing *v;             /* the firings, in time order (owned) */
    size_t              n;
} lw_backtest;

/* What `evaluate` run at from, from + step, ... (<= to) would have done,
 * starting from no open alert: same SQL (lw_rule_fetch), same decisions,
 * same state machine. out is zeroed first; free with lw_backtest_free. */
int lw_backtest_rule(lw_db *db, lw_err *err, const lw_rule *rule, time_t from, time_t to,
                     int64_t step, lw_backtest *out);
/* The replay part alone, on samples already fetched (tuning replays many
 * candidates over one fetch). tune may be NULL. */
int lw_backtest_samples(const lw_rule *rule, const lw_rule_samples *s,
                        const lw_rule_tuning *tune, lw_backtest *out);
void lw_backtest_free(lw_backtest *b);

#endif
