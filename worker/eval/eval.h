/* eval.h: the alert evaluator behind `llmwatch evaluate` and the evaluate
 * job: every enabled rule, every (model, environment) in its scope,
 * decided from statistics PostgreSQL computes (lib/alert/rules.c), alert
 * state moved through the state machine the backtest uses, and the outbox
 * written in the SAME transaction as the state changes (sql/003_alerting.sql
 * describes the rows `notify` reads).
 *
 * Notification policy (one evaluation = one transaction):
 *  - firing: a transition to firing is announced on the channels routed
 *    for the alert's severity, unless muted: a silence or maintenance
 *    window matching it, inhibition (a firing critical alert on the same
 *    model and environment mutes warning and info alerts), or cooldown.
 *    Muted announcements are written as 'suppressed' rows with the reason:
 *    the alert record and its events are always written.
 *  - cooldown: after a firing notification for a (rule, model,
 *    environment), no other firing notification for it goes out until
 *    cooldown seconds have passed (alerts.last_notified_at is the time of
 *    the last firing or repeat notification; resolved ones do not count).
 *  - repeat: an alert still firing is announced again (event firing ->
 *    firing, "repeat": true) when max(repeat_interval, cooldown) has passed
 *    since its last notification, or, if it was never delivered (muted or
 *    in cooldown when it fired), as soon as nothing mutes it any more.
 *  - resolved: announced when the rule has send_resolved and the firing
 *    was delivered; silences and maintenance windows mute it too,
 *    inhibition and cooldown do not.
 *  - grouping: everything deliverable on one channel in one evaluation is
 *    one notification row listing all the alerts. */
#ifndef LW_EVAL_H
#define LW_EVAL_H

#include <stddef.h>
#include <time.h>

#include "db/db.h"
#include "lw.h"

typedef struct {
    size_t rules;              /* rules evaluated */
    size_t invalid_rules;      /* skipped as invalid (logged) */
    int    transitions;        /* alert state changes */
    int    queued;             /* notification rows written pending */
    int    suppressed;         /* ... and suppressed */
    lw_buf lines;              /* one line per change: "rule / model (env): a -> b, summary" */
} lw_eval_result;

/* One evaluation at `at`, in one transaction (rolled back on failure).
 * Working memory comes from pool (freed by its owner). out->lines is the
 * caller's to free with lw_eval_result_free. */
int  lw_eval_run(lw_db *db, lw_pool *pool, time_t at, lw_eval_result *out, lw_err *err);
/* The same for the models model_ids[0..n) only (what a probe cycle just
 * measured): the rules' decisions on other models, and their open alerts,
 * are left as they are for the next full evaluation. */
int  lw_eval_run_models(lw_db *db, lw_pool *pool, time_t at, const long long *model_ids, size_t n,
                        lw_eval_result *out, lw_err *err);
void lw_eval_result_free(lw_eval_result *r);

#endif
