/* eval.c: one evaluation of the alert rules (see eval.h): decisions taken
 * outside the transaction, then, under the evaluator's lock, the open
 * alerts moved through the state machine, alerts nothing watches any more
 * resolved, and the outbox written (outbox.c) with what mute.c lets out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db/eval.h"
#include "eval/eval_int.h"

const char *const lw_eval_sev_names[] = { "critical", "warning", "info" };

static void
json_put(void *o)
{
    json_object_put(o);
}

/* ---- decisions (outside the transaction: read-only) ---- */

/* Whether model_id is one this evaluation looks at. */
static int
in_scope(const lw_eval_state *ev, long long model_id)
{
    size_t i;

    if (ev->n_only == 0)
        return 1;
    for (i = 0; i < ev->n_only; i++)
        if (ev->only[i] == model_id)
            return 1;
    return 0;
}

static int
item_order(const void *a, const void *b)
{
    const item *x = a, *y = b;

    if (x->d.severity != y->d.severity)
        return (int) x->d.severity - (int) y->d.severity;   /* critical first */
    if (x->rule->id != y->rule->id)
        return x->rule->id < y->rule->id ? -1 : 1;
    if (x->s->environment_id != y->s->environment_id)
        return x->s->environment_id < y->s->environment_id ? -1 : 1;
    return x->s->model_id < y->s->model_id ? -1 : x->s->model_id > y->s->model_id;
}

static int
decide_all(lw_db *db, lw_eval_state *ev, lw_err *err)
{
    size_t i, j, total = 0;
    int rc;

    rc = lw_rules_load(db, err, NULL, 1, &ev->rules, &ev->n_rules, &ev->invalid_rules);
    if (rc != LW_OK)
        return rc;
    ev->samples = lw_pool_alloc(ev->pool, (ev->n_rules + 1) * sizeof(lw_rule_samples));
    if (ev->samples == NULL)
        return LW_ENOMEM;
    for (i = 0; i < ev->n_rules; i++) {
        rc = lw_rule_fetch(db, err, ev->rules[i], &ev->at, 1, &ev->samples[i]);
        if (rc != LW_OK)
            return rc;
        total += ev->samples[i].n;
    }
    ev->items = lw_pool_alloc(ev->pool, (total + 1) * sizeof(item));
    if (ev->items == NULL)
        return LW_ENOMEM;
    for (i = 0; i < ev->n_rules; i++) {
        for (j = 0; j < ev->samples[i].n; j++) {
            item *it;

            if (!in_scope(ev, ev->samples[i].v[j].model_id))
                continue;
            it = &ev->items[ev->n_items++];
            it->rule = ev->rules[i];
            it->s = &ev->samples[i].v[j];
            lw_rule_decide(it->rule, it->s, NULL, &it->d);
            if (ev->models < (int) ev->samples[i].n)
                ev->models = (int) ev->samples[i].n;
        }
    }
    qsort(ev->items, ev->n_items, sizeof(item), item_order);
    return LW_OK;
}

/* ---- state loaded inside the transaction ---- */

static int
load_state(lw_db *db, lw_eval_state *ev, lw_err *err)
{
    PGresult *res;
    int64_t maxcd = 0;
    size_t i;
    int n, k, rc = LW_EDB;

    res = lw_db_eval_open(db, err);
    if (res == NULL)
        return LW_EDB;
    n = PQntuples(res);
    ev->open = lw_pool_alloc(ev->pool, ((size_t) n + 1) * sizeof(open_alert));
    for (k = 0; ev->open && k < n; k++) {
        open_alert *o = &ev->open[ev->n_open++];
        const char *st = lw_db_str(res, k, 4);

        o->id = lw_db_int(res, k, 0);
        o->rule_id = lw_db_int(res, k, 1);
        o->model_id = lw_db_int(res, k, 2);
        o->environment_id = lw_db_int(res, k, 3);
        o->state = strcmp(st, "firing") == 0 ? LW_ALERT_FIRING : LW_ALERT_PENDING;
        o->started_at = (time_t) lw_db_int(res, k, 5);
        o->fired_at = (time_t) lw_db_int(res, k, 6);
        o->last_notified_at = (time_t) lw_db_int(res, k, 7);
    }
    PQclear(res);

    for (i = 0; i < ev->n_rules; i++) {
        int64_t w = ev->rules[i]->cooldown_s > ev->rules[i]->repeat_interval_s
                    ? ev->rules[i]->cooldown_s : ev->rules[i]->repeat_interval_s;
        if (w > maxcd)
            maxcd = w;
    }
    res = lw_db_eval_last_notified(db, err, ev->at, (long long) maxcd + 1);
    if (res == NULL)
        return LW_EDB;
    n = PQntuples(res);
    ev->last = lw_pool_alloc(ev->pool, ((size_t) n + 1) * sizeof(*ev->last));
    for (k = 0; ev->last && k < n; k++) {
        ev->last[ev->n_last].rule_id = lw_db_int(res, k, 0);
        ev->last[ev->n_last].model_id = lw_db_int(res, k, 1);
        ev->last[ev->n_last].environment_id = lw_db_int(res, k, 2);
        ev->last[ev->n_last].at = (time_t) lw_db_int(res, k, 3);
        ev->n_last++;
    }
    PQclear(res);

    res = lw_db_eval_silences(db, err, ev->at);
    if (res == NULL)
        return LW_EDB;
    n = PQntuples(res);
    ev->sil = lw_pool_alloc(ev->pool, ((size_t) n + 1) * sizeof(silence));
    for (k = 0; ev->sil && k < n; k++) {
        silence *s = &ev->sil[ev->n_sil];

        s->matchers = json_tokener_parse(lw_db_str(res, k, 1));
        if (s->matchers == NULL)
            continue;
        lw_pool_cleanup_add(ev->pool, json_put, s->matchers);
        if (!json_object_is_type(s->matchers, json_type_object)) {
            lw_log(LW_LOG_WARN, "silence #%lld ignored: its matchers are not a JSON object",
                   lw_db_int(res, k, 0));
            continue;
        }
        s->id = lw_db_int(res, k, 0);
        s->starts_at = (time_t) lw_db_int(res, k, 2);
        s->ends_at = (time_t) lw_db_int(res, k, 3);
        s->recurrence = lw_pool_strdup(ev->pool, lw_db_str(res, k, 4));
        s->duration_s = lw_db_int(res, k, 5);
        s->comment = lw_pool_strdup(ev->pool, lw_db_str(res, k, 6));
        ev->n_sil++;
    }
    PQclear(res);

    res = lw_db_eval_routes(db, err);
    if (res == NULL)
        return LW_EDB;
    n = PQntuples(res);
    ev->routes = lw_pool_alloc(ev->pool, ((size_t) n + 1) * sizeof(route));
    for (k = 0; ev->routes && k < n; k++) {
        route *r = &ev->routes[ev->n_routes];
        int sv = lw_config_severity_parse(lw_db_str(res, k, 0));

        if (sv < 0)
            continue;
        r->sev = (lw_severity) sv;
        r->channel_id = lw_db_int(res, k, 1);
        r->name = lw_pool_strdup(ev->pool, lw_db_str(res, k, 2));
        r->type = lw_pool_strdup(ev->pool, lw_db_str(res, k, 3));
        ev->n_routes++;
    }
    PQclear(res);
    rc = ev->open && ev->last && ev->sil && ev->routes ? LW_OK : LW_ENOMEM;
    if (rc != LW_OK)
        lw_err_set(err, "out of memory");
    return rc;
}

open_alert *
lw_eval_find_open(lw_eval_state *ev, long long rule_id, long long model_id, long long env_id)
{
    size_t i;

    for (i = 0; i < ev->n_open; i++)
        if (ev->open[i].rule_id == rule_id && ev->open[i].model_id == model_id
            && ev->open[i].environment_id == env_id)
            return &ev->open[i];
    return NULL;
}

time_t
lw_eval_series_last(const lw_eval_state *ev, long long rule_id, long long model_id, long long env_id)
{
    size_t i;

    for (i = 0; i < ev->n_last; i++)
        if (ev->last[i].rule_id == rule_id && ev->last[i].model_id == model_id
            && ev->last[i].environment_id == env_id)
            return ev->last[i].at;
    return 0;
}

/* ---- writing state ---- */

int
lw_eval_add_event(lw_db *db, lw_eval_state *ev, long long alert_id, const char *from,
                  const char *to, double value, const char *msg, long long *event_id, lw_err *err)
{
    return lw_db_eval_event_insert(db, err, alert_id, ev->at, from, to, value, msg, event_id);
}

cand *
lw_eval_add_cand(lw_eval_state *ev, int kind)
{
    cand *c;

    if (ev->n_cands == ev->cap_cands) {
        size_t nc = ev->cap_cands ? ev->cap_cands * 2 : 16;
        cand *nv = lw_pool_alloc(ev->pool, nc * sizeof(cand));

        if (nv == NULL)
            return NULL;
        if (ev->n_cands)
            memcpy(nv, ev->cands, ev->n_cands * sizeof(cand));
        ev->cands = nv;
        ev->cap_cands = nc;
    }
    c = &ev->cands[ev->n_cands++];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    return c;
}

static void
line(lw_eval_state *ev, const item *it, const char *from, const char *to)
{
    lw_buf_printf(&ev->lines, "%s / %s (%s): %s -> %s, %s\n", it->rule->name, it->s->model,
                  it->s->environment, from, to, it->d.summary);
}

static int
apply_item(lw_db *db, lw_eval_state *ev, const item *it, lw_err *err)
{
    open_alert *o = lw_eval_find_open(ev, it->rule->id, it->s->model_id, it->s->environment_id);
    lw_alert_track t = { LW_ALERT_OK, 0, 0 };
    lw_transition tr;
    const char *from;
    long long alert_id = o ? o->id : 0, event_id;
    cand *c;
    int rc;

    if (o != NULL) {
        o->seen = 1;
        t.state = o->state;
        t.started_at = o->started_at;
        t.fired_at = o->fired_at;
    }
    from = lw_alert_state_name(t.state);
    tr = lw_alert_step(it->rule, &t, it->d.state, ev->at);

    if (o == NULL && (tr == LW_TR_PENDING || tr == LW_TR_FIRING)) {
        if (lw_db_eval_alert_insert(db, err, it->rule->id, it->s->model_id,
                                    it->s->environment_id, lw_eval_sev_names[it->d.severity],
                                    tr == LW_TR_PENDING ? "pending" : "firing", ev->at,
                                    it->d.value, it->d.threshold, it->d.summary,
                                    &alert_id) != LW_OK)
            return LW_EDB;
    } else if (o != NULL) {
        const char *to = tr == LW_TR_FIRING ? "firing"
                         : (tr == LW_TR_RESOLVED || tr == LW_TR_CLEARED) ? "resolved"
                         : lw_alert_state_name(t.state);

        /* a burn-rate alert moves between page (critical) and ticket */
        if (lw_db_eval_alert_update(db, err, alert_id, to, ev->at, it->d.value, it->d.threshold,
                                    it->d.state == LW_DECIDE_NODATA && tr == LW_TR_NONE
                                    ? NULL : it->d.summary,
                                    t.state == LW_ALERT_FIRING && it->d.state == LW_DECIDE_FIRING
                                    ? lw_eval_sev_names[it->d.severity] : NULL) != LW_OK)
            return LW_EDB;
    }
    if (tr == LW_TR_NONE) {
        /* still firing: a repeat may be due (decided after every transition) */
        if (t.state == LW_ALERT_FIRING && o != NULL) {
            time_t last = o->last_notified_at;
            int64_t every = it->rule->repeat_interval_s > it->rule->cooldown_s
                            ? it->rule->repeat_interval_s : it->rule->cooldown_s;

            if (last == 0 || (it->rule->repeat_interval_s > 0 && ev->at - last >= every)) {
                c = lw_eval_add_cand(ev, C_REPEAT);
                if (c == NULL)
                    return LW_ENOMEM;
                c->alert_id = alert_id;
                c->rule = it->rule;
                c->it = it;
                c->model_id = it->s->model_id;
                c->environment_id = it->s->environment_id;
                c->severity = it->d.severity;
                c->series_last_notified = last;
            }
        }
        return LW_OK;
    }

    ev->transitions++;
    switch (tr) {
    case LW_TR_PENDING:
        rc = lw_eval_add_event(db, ev, alert_id, "ok", "pending", it->d.value, it->d.summary, &event_id,
                       err);
        line(ev, it, "ok", "pending");
        return rc;
    case LW_TR_CLEARED:
        rc = lw_eval_add_event(db, ev, alert_id, "pending", "resolved", it->d.value,
                       lw_pool_printf(ev->pool, "cleared before firing: %s", it->d.summary),
                       &event_id, err);
        line(ev, it, "pending", "resolved");
        return rc;
    case LW_TR_FIRING:
        rc = lw_eval_add_event(db, ev, alert_id, from, "firing", it->d.value, it->d.summary, &event_id,
                       err);
        if (rc != LW_OK)
            return rc;
        line(ev, it, from, "firing");
        c = lw_eval_add_cand(ev, C_FIRING);
        if (c == NULL)
            return LW_ENOMEM;
        c->series_last_notified = lw_eval_series_last(ev, it->rule->id, it->s->model_id,
                                              it->s->environment_id);
        break;
    case LW_TR_RESOLVED:
        rc = lw_eval_add_event(db, ev, alert_id, "firing", "resolved", it->d.value, it->d.summary,
                       &event_id, err);
        if (rc != LW_OK)
            return rc;
        line(ev, it, "firing", "resolved");
        if (!it->rule->send_resolved || o == NULL || o->last_notified_at == 0)
            return LW_OK;
        c = lw_eval_add_cand(ev, C_RESOLVED);
        if (c == NULL)
            return LW_ENOMEM;
        c->delivered_before = 1;
        break;
    default:
        return LW_OK;
    }
    c->alert_id = alert_id;
    c->event_id = event_id;
    c->rule = it->rule;
    c->it = it;
    c->model_id = it->s->model_id;
    c->environment_id = it->s->environment_id;
    c->severity = it->d.severity;
    return LW_OK;
}

/* Open alerts no rule evaluated this time (rule disabled or deleted, model
 * disabled or out of scope) are resolved: nothing watches them any more. */
static int
resolve_orphans(lw_db *db, lw_eval_state *ev, lw_err *err)
{
    PGresult *res;
    long long event_id;
    size_t i;
    cand *c;
    int sv;

    for (i = 0; i < ev->n_open; i++) {
        open_alert *o = &ev->open[i];

        if (o->seen || !in_scope(ev, o->model_id))
            continue;
        res = lw_db_eval_orphan(db, err, o->id);
        if (res == NULL)
            return LW_EDB;
        if (PQntuples(res) != 1) {
            PQclear(res);
            continue;
        }
        sv = lw_config_severity_parse(lw_db_str(res, 0, 0));
        lw_buf_printf(&ev->lines, "%s / %s (%s): %s -> resolved, no longer evaluated (rule "
                      "disabled or model out of scope)\n", lw_db_str(res, 0, 2),
                      lw_db_str(res, 0, 3), lw_db_str(res, 0, 4), lw_alert_state_name(o->state));
        if (lw_db_eval_alert_update(db, err, o->id, "resolved", ev->at, NAN, NAN,
                                    "no longer evaluated", NULL) != LW_OK
            || lw_eval_add_event(db, ev, o->id, lw_alert_state_name(o->state), "resolved", NAN,
                         "no longer evaluated (rule disabled or model out of scope)", &event_id,
                         err) != LW_OK) {
            PQclear(res);
            return LW_EDB;
        }
        ev->transitions++;
        if (o->state == LW_ALERT_FIRING && o->last_notified_at != 0 && lw_db_bool(res, 0, 1)) {
            c = lw_eval_add_cand(ev, C_RESOLVED);
            if (c == NULL) {
                PQclear(res);
                return LW_ENOMEM;
            }
            c->alert_id = o->id;
            c->event_id = event_id;
            c->model_id = o->model_id;
            c->environment_id = o->environment_id;
            c->severity = sv < 0 ? LW_SEV_WARNING : (lw_severity) sv;
            c->delivered_before = 1;
        }
        PQclear(res);
    }
    return LW_OK;
}

/* ---- one evaluation ---- */

static void
eval_free(lw_eval_state *ev)
{
    size_t i;

    for (i = 0; ev->samples && i < ev->n_rules; i++)
        lw_rule_samples_free(&ev->samples[i]);
    lw_rules_free(ev->rules, ev->n_rules);
    lw_buf_free(&ev->lines);
}

static int
evaluate(lw_db *db, lw_eval_state *ev, lw_err *err)
{
    size_t i;
    int rc;

    rc = decide_all(db, ev, err);
    if (rc != LW_OK)
        return rc;
    rc = lw_db_begin(db, err);
    if (rc != LW_OK)
        return rc;
    /* one evaluator at a time: the scheduler and a manual run never
     * interleave their state changes */
    rc = lw_db_eval_lock(db, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = load_state(db, ev, err);
    if (rc != LW_OK)
        goto cleanup;
    for (i = 0; i < ev->n_items; i++) {
        rc = apply_item(db, ev, &ev->items[i], err);
        if (rc != LW_OK)
            goto cleanup;
    }
    rc = lw_eval_budgets(db, ev, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = resolve_orphans(db, ev, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = lw_eval_notify_all(db, ev, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = lw_db_commit(db, err);
cleanup:
    if (rc != LW_OK)
        lw_db_rollback(db);
    return rc;
}

int
lw_eval_run(lw_db *db, lw_pool *pool, time_t at, lw_eval_result *out, lw_err *err)
{
    return lw_eval_run_models(db, pool, at, NULL, 0, out, err);
}

int
lw_eval_run_models(lw_db *db, lw_pool *pool, time_t at, const long long *model_ids, size_t n,
                   lw_eval_result *out, lw_err *err)
{
    lw_eval_state ev;
    int rc;

    memset(&ev, 0, sizeof(ev));
    memset(out, 0, sizeof(*out));
    ev.pool = pool;
    ev.at = at;
    ev.only = model_ids;
    ev.n_only = n;
    rc = evaluate(db, &ev, err);
    out->rules = ev.n_rules;
    out->invalid_rules = ev.invalid_rules;
    out->transitions = ev.transitions;
    out->queued = ev.queued;
    out->suppressed = ev.suppressed;
    out->lines = ev.lines;
    ev.lines = (lw_buf) { 0 };
    eval_free(&ev);
    return rc;
}

void
lw_eval_result_free(lw_eval_result *r)
{
    lw_buf_free(&r->lines);
}
