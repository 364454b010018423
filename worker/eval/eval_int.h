/* eval_int.h: what the files of the alert evaluator share (eval.c: the
 * decisions and the state machine's rows; mute.c: silences, maintenance
 * windows, inhibition and cooldown; outbox.c: the notification rows). Not
 * for use outside worker/eval/. */
#ifndef LW_EVAL_INT_H
#define LW_EVAL_INT_H

#include <json.h>
#include <time.h>

#include "alert/rules.h"
#include "config.h"
#include "db/db.h"
#include "eval/eval.h"

/* ---- what one evaluation works with ---- */

typedef struct {
    const lw_rule        *rule;
    const lw_rule_sample *s;
    lw_rule_decision      d;
} item;

typedef struct {
    long long   id, rule_id, model_id, environment_id;
    lw_alert_state state;
    time_t      started_at, fired_at, last_notified_at;
    int         seen;          /* evaluated this time */
} open_alert;

enum { C_FIRING, C_RESOLVED, C_REPEAT };

typedef struct {
    int         kind;
    long long   alert_id, event_id, model_id, environment_id;
    lw_severity severity;
    const lw_rule *rule;       /* NULL for an alert whose rule is no longer evaluated */
    const item  *it;           /* NULL likewise */
    time_t      series_last_notified;
    int         delivered_before;   /* resolved: the firing went out */
    const char *suppressed;    /* reason, or NULL */
    int         delivered;     /* at least one pending row written */
    /* a budget's announcement (budget.c): no rule decision behind it, its
     * own text and amounts; never inhibited (it is about money, not about
     * a model's health) */
    int         budget;
    const char *text, *value_text, *threshold_text;
} cand;

typedef struct {
    long long   id;
    json_object *matchers;
    time_t      starts_at, ends_at;
    const char *recurrence;
    int64_t     duration_s;
    const char *comment;
} silence;

typedef struct {
    lw_severity sev;
    long long   channel_id;
    const char *name, *type;
} route;

typedef struct {
    lw_pool    *pool;
    time_t      at;
    const long long *only;     /* only these models (n_only > 0), else all */
    size_t      n_only;
    lw_rule   **rules;
    size_t      n_rules, invalid_rules;
    lw_rule_samples *samples;  /* one per rule */
    item       *items;
    size_t      n_items;
    open_alert *open;
    size_t      n_open;
    cand       *cands;
    size_t      n_cands, cap_cands;
    silence    *sil;
    size_t      n_sil;
    route      *routes;
    size_t      n_routes;
    /* last firing notification per series before this evaluation */
    struct { long long rule_id, model_id, environment_id; time_t at; } *last;
    size_t      n_last;
    /* results */
    lw_buf      lines;
    int         transitions, queued, suppressed, models;
} lw_eval_state;

extern const char *const lw_eval_sev_names[];

/* A new notification candidate of `kind` (C_*), zeroed; NULL when out of memory. */
cand *lw_eval_add_cand(lw_eval_state *ev, int kind);
/* Records a transition of alert_id at ev->at (value NaN = none). */
int lw_eval_add_event(lw_db *db, lw_eval_state *ev, long long alert_id, const char *from,
                      const char *to, double value, const char *msg, long long *event_id,
                      lw_err *err);
/* When the series was last announced before this evaluation (0 = never). */
time_t lw_eval_series_last(const lw_eval_state *ev, long long rule_id, long long model_id,
                           long long env_id);

/* The open alert of (rule, model, environment), or NULL. */
open_alert *lw_eval_find_open(lw_eval_state *ev, long long rule_id, long long model_id,
                              long long env_id);

/* The budget step: every enabled budget's tiers reached in its period,
 * each announced once (budget_crossings), and its pace alert; the alert of
 * a budget whose period rolled over resolved quietly. budget.c */
int lw_eval_budgets(lw_db *db, lw_eval_state *ev, lw_err *err);

/* Sets c->suppressed to why c must not go out now (a silence or
 * maintenance window, inhibition by a critical alert, cooldown), or leaves
 * it NULL. mute.c */
int lw_eval_mute_reason(lw_db *db, lw_eval_state *ev, cand *c, lw_err *err);

/* Writes the outbox rows of every candidate: one row per channel grouping
 * what it receives, one 'suppressed' row per muted candidate and channel;
 * then records when each series was announced. outbox.c */
int lw_eval_notify_all(lw_db *db, lw_eval_state *ev, lw_err *err);

#endif
