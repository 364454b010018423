/* cmd_evaluate.c: `llmwatch evaluate` and the evaluate job: every enabled
 * rule, every (model, environment) in its scope, decided from statistics
 * PostgreSQL computes (lib/rules.c), alert state moved through the same
 * state machine the backtest uses, and the outbox written in the SAME
 * transaction as the state changes (sql/003_alerting.sql describes the
 * rows notify reads).
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
#include <getopt.h>
#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "config.h"
#include "db/db.h"
#include "jobs.h"
#include "alert/rules.h"
#include "schedule.h"
#include "sync.h"
#include "times.h"

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
} eval;

static const char *const sev_names[] = { "critical", "warning", "info" };

static void
json_put(void *o)
{
    json_object_put(o);
}

static char *
iso(lw_pool *pool, time_t t)
{
    struct tm tm;
    char buf[32];

    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
    return lw_pool_strdup(pool, buf);
}

static const char *
num_param(lw_pool *pool, double v)
{
    return isfinite(v) ? lw_pool_printf(pool, "%.17g", v) : NULL;
}

#define P_LL(v) lw_pool_printf(ev->pool, "%lld", (long long) (v))

/* ---- decisions (outside the transaction: read-only) ---- */

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
decide_all(lw_db *db, eval *ev, lw_err *err)
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
            item *it = &ev->items[ev->n_items++];

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

static const char open_sql[] =
    "SELECT a.id, a.rule_id, coalesce(a.model_id, 0), coalesce(a.environment_id, 0), a.state,"
    "  extract(epoch FROM a.started_at)::bigint, coalesce(extract(epoch FROM a.fired_at), 0)::bigint,"
    "  coalesce(extract(epoch FROM a.last_notified_at), 0)::bigint"
    " FROM alerts a WHERE a.state IN ('pending', 'firing') ORDER BY a.id";

static const char last_sql[] =
    "SELECT rule_id, coalesce(model_id, 0), coalesce(environment_id, 0),"
    "  extract(epoch FROM max(last_notified_at))::bigint"
    " FROM alerts WHERE last_notified_at IS NOT NULL"
    "   AND last_notified_at > to_timestamp($1::bigint) - make_interval(secs => $2::bigint)"
    " GROUP BY 1, 2, 3";

static const char silences_sql[] =
    "SELECT id, matchers::text, extract(epoch FROM starts_at)::bigint,"
    "  extract(epoch FROM ends_at)::bigint, recurrence, coalesce(duration_s, 0), comment"
    " FROM silences WHERE expired_at IS NULL AND starts_at <= to_timestamp($1::bigint)"
    "   AND ends_at > to_timestamp($1::bigint) ORDER BY id";

static const char routes_sql[] =
    "SELECT r.severity, c.id, c.name, c.type FROM routes r JOIN channels c ON c.id = r.channel_id"
    " WHERE c.enabled ORDER BY r.severity, r.position, c.id";

static int
load_state(lw_db *db, eval *ev, lw_err *err)
{
    const char *p[2];
    PGresult *res;
    int64_t maxcd = 0;
    size_t i;
    int n, k, rc = LW_EDB;

    res = lw_db_query(db, err, open_sql, 0, NULL);
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
    p[0] = P_LL(ev->at);
    p[1] = P_LL(maxcd + 1);
    res = lw_db_query(db, err, last_sql, 2, p);
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

    res = lw_db_query(db, err, silences_sql, 1, p);
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

    res = lw_db_query(db, err, routes_sql, 0, NULL);
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

static open_alert *
find_open(eval *ev, long long rule_id, long long model_id, long long env_id)
{
    size_t i;

    for (i = 0; i < ev->n_open; i++)
        if (ev->open[i].rule_id == rule_id && ev->open[i].model_id == model_id
            && ev->open[i].environment_id == env_id)
            return &ev->open[i];
    return NULL;
}

static time_t
series_last(const eval *ev, long long rule_id, long long model_id, long long env_id)
{
    size_t i;

    for (i = 0; i < ev->n_last; i++)
        if (ev->last[i].rule_id == rule_id && ev->last[i].model_id == model_id
            && ev->last[i].environment_id == env_id)
            return ev->last[i].at;
    return 0;
}

/* ---- writing state ---- */

static const char insert_alert_sql[] =
    "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state, started_at, fired_at,"
    "   last_eval_at, value, threshold, summary, fingerprint)"
    " VALUES ($1::int, $2::int, $3::int, $4, $5, to_timestamp($6::bigint),"
    "   CASE WHEN $5 = 'firing' THEN to_timestamp($6::bigint) END, to_timestamp($6::bigint),"
    "   $7::float8, $8::float8, $9,"
    "   left(encode(sha256(convert_to($1 || '/' || $2 || '/' || $3, 'UTF8')), 'hex'), 16))"
    " RETURNING id";

static const char update_alert_sql[] =
    "UPDATE alerts SET state = $2,"
    "   fired_at = CASE WHEN $2 = 'firing' AND fired_at IS NULL THEN to_timestamp($3::bigint)"
    "                   ELSE fired_at END,"
    "   resolved_at = CASE WHEN $2 = 'resolved' THEN to_timestamp($3::bigint) END,"
    "   last_eval_at = to_timestamp($3::bigint),"
    "   value = coalesce($4::float8, value), threshold = coalesce($5::float8, threshold),"
    "   summary = coalesce($6, summary), severity = coalesce($7, severity)"
    " WHERE id = $1::bigint";

static const char insert_event_sql[] =
    "INSERT INTO alert_events (alert_id, at, from_state, to_state, value, message)"
    " VALUES ($1::bigint, to_timestamp($2::bigint), $3, $4, $5::float8, $6) RETURNING id";

static int
add_event(lw_db *db, eval *ev, long long alert_id, const char *from, const char *to,
          double value, const char *msg, long long *event_id, lw_err *err)
{
    const char *p[6];
    PGresult *res;

    p[0] = P_LL(alert_id);
    p[1] = P_LL(ev->at);
    p[2] = from;
    p[3] = to;
    p[4] = num_param(ev->pool, value);
    p[5] = msg;
    res = lw_db_query(db, err, insert_event_sql, 6, p);
    if (res == NULL)
        return LW_EDB;
    *event_id = lw_db_int(res, 0, 0);
    PQclear(res);
    return LW_OK;
}

static cand *
add_cand(eval *ev, int kind)
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
line(eval *ev, const item *it, const char *from, const char *to)
{
    lw_buf_printf(&ev->lines, "%s / %s (%s): %s -> %s, %s\n", it->rule->name, it->s->model,
                  it->s->environment, from, to, it->d.summary);
}

static int
apply_item(lw_db *db, eval *ev, const item *it, lw_err *err)
{
    open_alert *o = find_open(ev, it->rule->id, it->s->model_id, it->s->environment_id);
    lw_alert_track t = { LW_ALERT_OK, 0, 0 };
    lw_transition tr;
    const char *p[12], *from;
    long long alert_id = o ? o->id : 0, event_id;
    PGresult *res;
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
        p[0] = P_LL(it->rule->id);
        p[1] = P_LL(it->s->model_id);
        p[2] = P_LL(it->s->environment_id);
        p[3] = sev_names[it->d.severity];
        p[4] = tr == LW_TR_PENDING ? "pending" : "firing";
        p[5] = P_LL(ev->at);
        p[6] = num_param(ev->pool, it->d.value);
        p[7] = num_param(ev->pool, it->d.threshold);
        p[8] = it->d.summary;
        res = lw_db_query(db, err, insert_alert_sql, 9, p);
        if (res == NULL)
            return LW_EDB;
        alert_id = lw_db_int(res, 0, 0);
        PQclear(res);
    } else if (o != NULL) {
        const char *to = tr == LW_TR_FIRING ? "firing"
                         : (tr == LW_TR_RESOLVED || tr == LW_TR_CLEARED) ? "resolved"
                         : lw_alert_state_name(t.state);

        p[0] = P_LL(alert_id);
        p[1] = to;
        p[2] = P_LL(ev->at);
        p[3] = num_param(ev->pool, it->d.value);
        p[4] = num_param(ev->pool, it->d.threshold);
        p[5] = it->d.state == LW_DECIDE_NODATA && tr == LW_TR_NONE ? NULL : it->d.summary;
        /* a burn-rate alert moves between page (critical) and ticket */
        p[6] = t.state == LW_ALERT_FIRING && it->d.state == LW_DECIDE_FIRING
               ? sev_names[it->d.severity] : NULL;
        if (lw_db_exec(db, err, update_alert_sql, 7, p) < 0)
            return LW_EDB;
    }
    if (tr == LW_TR_NONE) {
        /* still firing: a repeat may be due (decided after every transition) */
        if (t.state == LW_ALERT_FIRING && o != NULL) {
            time_t last = o->last_notified_at;
            int64_t every = it->rule->repeat_interval_s > it->rule->cooldown_s
                            ? it->rule->repeat_interval_s : it->rule->cooldown_s;

            if (last == 0 || (it->rule->repeat_interval_s > 0 && ev->at - last >= every)) {
                c = add_cand(ev, C_REPEAT);
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
        rc = add_event(db, ev, alert_id, "ok", "pending", it->d.value, it->d.summary, &event_id,
                       err);
        line(ev, it, "ok", "pending");
        return rc;
    case LW_TR_CLEARED:
        rc = add_event(db, ev, alert_id, "pending", "resolved", it->d.value,
                       lw_pool_printf(ev->pool, "cleared before firing: %s", it->d.summary),
                       &event_id, err);
        line(ev, it, "pending", "resolved");
        return rc;
    case LW_TR_FIRING:
        rc = add_event(db, ev, alert_id, from, "firing", it->d.value, it->d.summary, &event_id,
                       err);
        if (rc != LW_OK)
            return rc;
        line(ev, it, from, "firing");
        c = add_cand(ev, C_FIRING);
        if (c == NULL)
            return LW_ENOMEM;
        c->series_last_notified = series_last(ev, it->rule->id, it->s->model_id,
                                              it->s->environment_id);
        break;
    case LW_TR_RESOLVED:
        rc = add_event(db, ev, alert_id, "firing", "resolved", it->d.value, it->d.summary,
                       &event_id, err);
        if (rc != LW_OK)
            return rc;
        line(ev, it, "firing", "resolved");
        if (!it->rule->send_resolved || o == NULL || o->last_notified_at == 0)
            return LW_OK;
        c = add_cand(ev, C_RESOLVED);
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
static const char orphan_sql[] =
    "SELECT a.severity, r.send_resolved, r.name, coalesce(m.name, ''), coalesce(e.name, '')"
    " FROM alerts a JOIN rules r ON r.id = a.rule_id LEFT JOIN models m ON m.id = a.model_id"
    " LEFT JOIN environments e ON e.id = a.environment_id WHERE a.id = $1::bigint";

static int
resolve_orphans(lw_db *db, eval *ev, lw_err *err)
{
    const char *p[7];
    PGresult *res;
    long long event_id;
    size_t i;
    cand *c;
    int sv;

    for (i = 0; i < ev->n_open; i++) {
        open_alert *o = &ev->open[i];

        if (o->seen)
            continue;
        p[0] = P_LL(o->id);
        res = lw_db_query(db, err, orphan_sql, 1, p);
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
        p[1] = "resolved";
        p[2] = P_LL(ev->at);
        p[3] = p[4] = NULL;
        p[5] = "no longer evaluated";
        p[6] = NULL;
        if (lw_db_exec(db, err, update_alert_sql, 7, p) < 0
            || add_event(db, ev, o->id, lw_alert_state_name(o->state), "resolved", NAN,
                         "no longer evaluated (rule disabled or model out of scope)", &event_id,
                         err) != LW_OK) {
            PQclear(res);
            return LW_EDB;
        }
        ev->transitions++;
        if (o->state == LW_ALERT_FIRING && o->last_notified_at != 0 && lw_db_bool(res, 0, 1)) {
            c = add_cand(ev, C_RESOLVED);
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

/* ---- muting ---- */

static int
matcher_ok(json_object *m, const char *key, const char *value)
{
    json_object *v;
    size_t i, n;

    if (!json_object_object_get_ex(m, key, &v) || json_object_is_type(v, json_type_null))
        return 1;
    if (value == NULL)
        return 0;
    if (json_object_is_type(v, json_type_string))
        return strcmp(json_object_get_string(v), value) == 0;
    if (json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        for (i = 0; i < n; i++) {
            json_object *x = json_object_array_get_idx(v, i);

            if (x && json_object_is_type(x, json_type_string)
                && strcmp(json_object_get_string(x), value) == 0)
                return 1;
        }
    }
    return 0;
}

static int
silence_matches(const silence *s, const char *rule, const char *model, const char *env,
                const char *sev)
{
    static const char *const known[] = { "rule", "model", "environment", "severity" };
    size_t i;

    /* an unknown matcher key never matches: better loud than silently muted */
    json_object_object_foreach(s->matchers, key, val) {
        int ok = 0;

        (void) val;
        for (i = 0; i < LW_ARRAY_LEN(known); i++)
            ok |= strcmp(key, known[i]) == 0;
        if (!ok)
            return 0;
    }
    return matcher_ok(s->matchers, "rule", rule) && matcher_ok(s->matchers, "model", model)
           && matcher_ok(s->matchers, "environment", env)
           && matcher_ok(s->matchers, "severity", sev);
}

/* A recurring window is open when an occurrence started in
 * (at - duration, at]. */
static int
silence_active(const silence *s, time_t at)
{
    lw_sched sch;
    lw_err err;
    time_t next;

    if (s->recurrence == NULL || s->recurrence[0] == '\0')
        return 1;
    if (s->duration_s <= 0 || lw_sched_parse(s->recurrence, &sch, &err) != LW_OK) {
        lw_log(LW_LOG_WARN, "maintenance window #%lld ignored: %s", s->id,
               s->duration_s <= 0 ? "no duration" : err.msg);
        return 0;
    }
    return lw_sched_next(&sch, at - (time_t) s->duration_s, &next) == LW_OK && next <= at;
}

static const char inhibit_sql[] =
    "SELECT a.id, r.name FROM alerts a JOIN rules r ON r.id = a.rule_id"
    " WHERE a.state = 'firing' AND a.severity = 'critical' AND a.id <> $1::bigint"
    "   AND coalesce(a.model_id, 0) = $2::bigint AND coalesce(a.environment_id, 0) = $3::bigint"
    " ORDER BY a.id LIMIT 1";

static const char names_sql[] =
    "SELECT r.name, m.name, e.name FROM alerts a JOIN rules r ON r.id = a.rule_id"
    " LEFT JOIN models m ON m.id = a.model_id LEFT JOIN environments e ON e.id = a.environment_id"
    " WHERE a.id = $1::bigint";

static int
mute_reason(lw_db *db, eval *ev, cand *c, lw_err *err)
{
    const char *p[3], *rule, *model, *env;
    PGresult *res;
    size_t i;
    int64_t cd;

    p[0] = P_LL(c->alert_id);
    res = lw_db_query(db, err, names_sql, 1, p);
    if (res == NULL)
        return LW_EDB;
    rule = lw_pool_strdup(ev->pool, lw_db_str(res, 0, 0));
    model = lw_pool_strdup(ev->pool, lw_db_str(res, 0, 1));
    env = lw_pool_strdup(ev->pool, lw_db_str(res, 0, 2));
    PQclear(res);
    for (i = 0; i < ev->n_sil; i++) {
        const silence *s = &ev->sil[i];

        if (!silence_matches(s, rule, model, env, sev_names[c->severity])
            || !silence_active(s, ev->at))
            continue;
        if (s->recurrence != NULL && s->recurrence[0] != '\0')
            c->suppressed = lw_pool_printf(ev->pool, "maintenance window #%lld (%s): %s", s->id,
                                           s->recurrence, s->comment ? s->comment : "");
        else
            c->suppressed = lw_pool_printf(ev->pool, "silence #%lld: %s", s->id,
                                           s->comment ? s->comment : "");
        return LW_OK;
    }
    if (c->kind == C_RESOLVED)
        return LW_OK;
    if (c->severity != LW_SEV_CRITICAL) {
        p[1] = P_LL(c->model_id);
        p[2] = P_LL(c->environment_id);
        res = lw_db_query(db, err, inhibit_sql, 3, p);
        if (res == NULL)
            return LW_EDB;
        if (PQntuples(res) > 0)
            c->suppressed = lw_pool_printf(ev->pool, "inhibited by alert #%s (%s)",
                                           lw_db_str(res, 0, 0), lw_db_str(res, 0, 1));
        PQclear(res);
        if (c->suppressed)
            return LW_OK;
    }
    cd = c->rule ? c->rule->cooldown_s : 0;
    if (c->kind == C_FIRING && c->series_last_notified != 0
        && ev->at - c->series_last_notified < cd)
        c->suppressed = lw_pool_printf(ev->pool, "cooldown until %s",
                                       iso(ev->pool, c->series_last_notified + (time_t) cd));
    else if (c->kind == C_REPEAT && c->series_last_notified == 0 && c->rule) {
        /* never delivered: wait out the cooldown of the series' last
         * notification before announcing it late */
        time_t prev = series_last(ev, c->rule->id, c->model_id, c->environment_id);

        if (prev != 0 && ev->at - prev < cd)
            c->suppressed = "cooldown";
    }
    return LW_OK;
}

/* ---- the outbox ---- */

static const char payload_sql[] =
    "SELECT a.id, r.id, r.name, r.runbook, coalesce(m.name, ''), coalesce(e.name, ''), a.severity,"
    "  a.value, a.threshold, a.summary, a.fingerprint,"
    "  to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    "  to_char(a.fired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    "  to_char(a.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    "  ev.from_state, ev.to_state"
    " FROM alert_events ev JOIN alerts a ON a.id = ev.alert_id JOIN rules r ON r.id = a.rule_id"
    " LEFT JOIN models m ON m.id = a.model_id LEFT JOIN environments e ON e.id = a.environment_id"
    " WHERE ev.id = $1::bigint";

static const char insert_notification_sql[] =
    "INSERT INTO notifications (alert_event_id, channel_id, kind, status, payload, idempotency_key,"
    "   group_key, alert_count, suppressed_reason)"
    " VALUES ($1::bigint, $2::int, 'alert', $3, $4::jsonb,"
    "   encode(sha256(convert_to('llmwatch:' || $1 || ':' || $2, 'UTF8')), 'hex'),"
    "   $5, $6::int, $7)"
    " RETURNING id";

static const char insert_member_sql[] =
    "INSERT INTO notification_events (notification_id, alert_event_id, channel_id)"
    " SELECT $1::bigint, unnest($2::bigint[]), $3::int";

static json_object *
jstr_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *
jnum_or_null(const PGresult *res, int col)
{
    return lw_db_isnull(res, 0, col) ? NULL : json_object_new_double(lw_db_double(res, 0, col));
}

/* The payload object of one alert (caller puts). */
static int
alert_json(lw_db *db, eval *ev, const cand *c, json_object **out, lw_err *err)
{
    const char *p[1], *base = getenv("LLMWATCH_PUBLIC_URL");
    json_object *o;
    PGresult *res;
    char vt[48], tt[48];
    size_t bl;

    *out = NULL;
    p[0] = P_LL(c->event_id);
    res = lw_db_query(db, err, payload_sql, 1, p);
    if (res == NULL)
        return LW_EDB;
    if (PQntuples(res) != 1) {
        PQclear(res);
        lw_err_set(err, "alert event %lld vanished", c->event_id);
        return LW_EDB;
    }
    if (base == NULL || *base == '\0')
        base = "http://localhost";
    bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    o = json_object_new_object();
    json_object_object_add(o, "alert_id", json_object_new_int64(lw_db_int(res, 0, 0)));
    json_object_object_add(o, "event_id", json_object_new_int64(c->event_id));
    json_object_object_add(o, "url", json_object_new_string(
        lw_pool_printf(ev->pool, "%.*s/alerts/%lld", (int) bl, base, lw_db_int(res, 0, 0))));
    json_object_object_add(o, "rule", json_object_new_string(lw_db_str(res, 0, 2)));
    json_object_object_add(o, "rule_id", json_object_new_int64(lw_db_int(res, 0, 1)));
    json_object_object_add(o, "model", json_object_new_string(lw_db_str(res, 0, 4)));
    json_object_object_add(o, "environment", json_object_new_string(lw_db_str(res, 0, 5)));
    json_object_object_add(o, "severity", json_object_new_string(lw_db_str(res, 0, 6)));
    json_object_object_add(o, "state", json_object_new_string(c->kind == C_RESOLVED
                                                              ? "resolved" : "firing"));
    json_object_object_add(o, "previous_state", jstr_or_null(lw_db_str(res, 0, 14)));
    json_object_object_add(o, "repeat", json_object_new_boolean(c->kind == C_REPEAT));
    json_object_object_add(o, "value", jnum_or_null(res, 7));
    json_object_object_add(o, "threshold", jnum_or_null(res, 8));
    if (c->it != NULL) {
        lw_measure_format(c->it->d.unit, c->it->d.value, vt, sizeof(vt));
        lw_measure_format(c->it->d.unit, c->it->d.threshold, tt, sizeof(tt));
        json_object_object_add(o, "value_text", json_object_new_string(vt));
        json_object_object_add(o, "threshold_text", json_object_new_string(tt));
    }
    json_object_object_add(o, "summary", jstr_or_null(lw_db_str(res, 0, 9)));
    json_object_object_add(o, "started_at", jstr_or_null(lw_db_str(res, 0, 11)));
    json_object_object_add(o, "fired_at", jstr_or_null(lw_db_str(res, 0, 12)));
    json_object_object_add(o, "resolved_at", jstr_or_null(lw_db_str(res, 0, 13)));
    json_object_object_add(o, "runbook", jstr_or_null(lw_db_str(res, 0, 3)));
    json_object_object_add(o, "fingerprint", jstr_or_null(lw_db_str(res, 0, 10)));
    json_object_object_add(o, "dedup_key", json_object_new_string(
        lw_pool_printf(ev->pool, "llmwatch-%s-%lld", lw_db_str(res, 0, 10)
                       ? lw_db_str(res, 0, 10) : "x", lw_db_int(res, 0, 0))));
    PQclear(res);
    *out = o;
    return LW_OK;
}

static int
write_row(lw_db *db, eval *ev, const route *rt, const cand *const *members, size_t n,
          const char *status, const char *reason, lw_err *err)
{
    json_object *doc = json_object_new_object(), *arr = json_object_new_array(), *a;
    lw_buf ids = { 0 }, title = { 0 };
    const char *p[7];
    PGresult *res = NULL;
    long long first = 0, nid;
    size_t i, firing = 0, resolved = 0;
    int rc = LW_OK;

    for (i = 0; i < n; i++) {
        rc = alert_json(db, ev, members[i], &a, err);
        if (rc != LW_OK)
            goto cleanup;
        json_object_array_add(arr, a);
        if (first == 0 || members[i]->event_id < first)
            first = members[i]->event_id;
        lw_buf_printf(&ids, "%s%lld", i ? "," : "{", members[i]->event_id);
        if (members[i]->kind == C_RESOLVED)
            resolved++;
        else
            firing++;
    }
    lw_buf_putc(&ids, '}');
    if (firing)
        lw_buf_printf(&title, "[FIRING:%zu]", firing);
    if (resolved)
        lw_buf_printf(&title, "%s[RESOLVED:%zu]", firing ? " " : "", resolved);
    for (i = 0; i < n && i < 5; i++) {
        json_object *r = NULL;

        json_object_object_get_ex(json_object_array_get_idx(arr, i), "rule", &r);
        lw_buf_printf(&title, "%s%s", i ? ", " : " ", json_object_get_string(r));
    }
    if (n > 5)
        lw_buf_puts(&title, ", ...");
    json_object_object_add(doc, "group_key", json_object_new_string(
        lw_pool_printf(ev->pool, "eval:%lld:%lld", (long long) ev->at, rt->channel_id)));
    json_object_object_add(doc, "channel", json_object_new_string(rt->name));
    json_object_object_add(doc, "channel_type", json_object_new_string(rt->type));
    {
        struct tm tm;
        char ts[32];

        gmtime_r(&ev->at, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_object_add(doc, "evaluated_at", json_object_new_string(ts));
    }
    json_object_object_add(doc, "status", json_object_new_string(
        firing && resolved ? "mixed" : firing ? "firing" : "resolved"));
    json_object_object_add(doc, "title", json_object_new_string(title.data ? title.data : ""));
    json_object_object_add(doc, "count", json_object_new_int64((int64_t) n));
    json_object_object_add(doc, "alerts", arr);
    arr = NULL;
    if (reason)
        json_object_object_add(doc, "suppressed_reason", json_object_new_string(reason));

    p[0] = P_LL(first);
    p[1] = P_LL(rt->channel_id);
    p[2] = status;
    p[3] = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
    p[4] = lw_pool_printf(ev->pool, "eval:%lld:%lld", (long long) ev->at, rt->channel_id);
    p[5] = P_LL(n);
    p[6] = reason;
    res = lw_db_query(db, err, insert_notification_sql, 7, p);
    if (res == NULL) {
        rc = LW_EDB;
        goto cleanup;
    }
    nid = lw_db_int(res, 0, 0);
    p[0] = P_LL(nid);
    p[1] = ids.data;
    p[2] = P_LL(rt->channel_id);
    if (lw_db_exec(db, err, insert_member_sql, 3, p) < 0) {
        rc = LW_EDB;
        goto cleanup;
    }
    if (reason)
        ev->suppressed++;
    else
        ev->queued++;
cleanup:
    PQclear(res);
    json_object_put(doc);
    json_object_put(arr);
    lw_buf_free(&ids);
    lw_buf_free(&title);
    return rc;
}

static int
notify_all(lw_db *db, eval *ev, lw_err *err)
{
    const cand **group;
    size_t i, j, n;
    double v;
    int rc;

    /* first the reasons (and the late events of repeats that will go out) */
    for (i = 0; i < ev->n_cands; i++) {
        cand *c = &ev->cands[i];
        int routed = 0;

        for (j = 0; j < ev->n_routes; j++)
            routed |= ev->routes[j].sev == c->severity;
        if (!routed) {
            c->kind = -1;                   /* nowhere to send it */
            continue;
        }
        rc = mute_reason(db, ev, c, err);
        if (rc != LW_OK)
            return rc;
        if (c->kind == C_REPEAT) {
            if (c->suppressed != NULL) {
                c->kind = -1;               /* try again at a later evaluation */
                continue;
            }
            v = c->it ? c->it->d.value : NAN;
            rc = add_event(db, ev, c->alert_id, "firing", "firing", v,
                           c->series_last_notified ? "repeat notification: still firing"
                                                   : "notification after mute: still firing",
                           &c->event_id, err);
            if (rc != LW_OK)
                return rc;
        }
    }
    group = lw_pool_alloc(ev->pool, (ev->n_cands + 1) * sizeof(cand *));
    if (group == NULL)
        return LW_ENOMEM;
    for (j = 0; j < ev->n_routes; j++) {
        const route *rt = &ev->routes[j];

        /* a channel routed for several severities appears once per
         * severity: group across them at its first appearance */
        for (i = 0; i < j; i++)
            if (ev->routes[i].channel_id == rt->channel_id)
                break;
        if (i < j)
            continue;
        n = 0;
        for (i = 0; i < ev->n_cands; i++) {
            cand *c = &ev->cands[i];
            size_t k;
            int here = 0;

            if (c->kind < 0)
                continue;
            for (k = 0; k < ev->n_routes; k++)
                here |= ev->routes[k].channel_id == rt->channel_id
                        && ev->routes[k].sev == c->severity;
            if (!here)
                continue;
            if (c->suppressed != NULL) {
                const cand *one = c;

                rc = write_row(db, ev, rt, &one, 1, "suppressed", c->suppressed, err);
                if (rc != LW_OK)
                    return rc;
                continue;
            }
            group[n++] = c;
            c->delivered = 1;
        }
        if (n > 0) {
            rc = write_row(db, ev, rt, group, n, "pending", NULL, err);
            if (rc != LW_OK)
                return rc;
        }
    }
    for (i = 0; i < ev->n_cands; i++) {
        const cand *c = &ev->cands[i];
        const char *p[2];

        if (!c->delivered || c->kind == C_RESOLVED)
            continue;
        p[0] = P_LL(c->alert_id);
        p[1] = P_LL(ev->at);
        if (lw_db_exec(db, err, "UPDATE alerts SET last_notified_at = to_timestamp($2::bigint)"
                       " WHERE id = $1::bigint", 2, p) < 0)
            return LW_EDB;
    }
    return LW_OK;
}

/* ---- one evaluation ---- */

static void
eval_free(eval *ev)
{
    size_t i;

    for (i = 0; ev->samples && i < ev->n_rules; i++)
        lw_rule_samples_free(&ev->samples[i]);
    lw_rules_free(ev->rules, ev->n_rules);
    lw_buf_free(&ev->lines);
    lw_pool_destroy(ev->pool);
}

static int
evaluate(lw_db *db, eval *ev, lw_err *err)
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
    if (lw_db_exec(db, err, "SELECT pg_advisory_xact_lock(hashtext('llmwatch:evaluate'))",
                   0, NULL) < 0) {
        rc = LW_EDB;
        goto cleanup;
    }
    rc = load_state(db, ev, err);
    if (rc != LW_OK)
        goto cleanup;
    for (i = 0; i < ev->n_items; i++) {
        rc = apply_item(db, ev, &ev->items[i], err);
        if (rc != LW_OK)
            goto cleanup;
    }
    rc = resolve_orphans(db, ev, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = notify_all(db, ev, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = lw_db_commit(db, err);
cleanup:
    if (rc != LW_OK)
        lw_db_rollback(db);
    return rc;
}

/* ---- command and job ---- */

int
lw_cmd_evaluate(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "database", required_argument, NULL, 'd' },
        { "at", required_argument, NULL, 'a' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL, *url = NULL;
    lw_config *cfg = NULL;
    lw_sync_counts counts;
    lw_diag diags;
    lw_db *db = NULL;
    eval ev;
    lw_err err;
    int ch, quiet = 0, rc = 1;

    memset(&ev, 0, sizeof(ev));
    ev.at = time(NULL);
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:d:a:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': config = optarg; break;
        case 'd': url = optarg; break;
        case 'q': quiet = 1; break;
        case 'a':
            if (lw_time_parse(optarg, &ev.at) != LW_OK) {
                fprintf(stderr, "llmwatch evaluate: --at wants a Unix time or "
                        "'YYYY-MM-DD HH:MM[:SS]' (UTC), not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h':
            printf("usage: llmwatch evaluate [--config FILE] [--database URL] [--at TIME] "
                   "[--quiet]\n");
            return 0;
        default:
            return 2;
        }
    }
    ev.pool = lw_pool_create();
    if (ev.pool == NULL)
        return 1;
    db = lw_db_connect(lw_db_default_url(url), "llmwatch-evaluate", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch evaluate: %s\n", err.msg);
        goto cleanup;
    }
    if (config != NULL) {
        /* the rules of the given config are the ones evaluated */
        lw_diag_init(&diags);
        if (lw_config_load(config, &cfg, &diags) != LW_OK
            || lw_rules_check_config(cfg, &diags) > 0) {
            lw_diag_print(&diags, stderr);
            lw_diag_free(&diags);
            fprintf(stderr, "llmwatch evaluate: %s has errors\n", config);
            goto cleanup;
        }
        lw_diag_free(&diags);
        if (lw_sync_config(db, &err, cfg, "config", &counts) != LW_OK) {
            fprintf(stderr, "llmwatch evaluate: %s\n", err.msg);
            goto cleanup;
        }
    }
    if (evaluate(db, &ev, &err) != LW_OK) {
        fprintf(stderr, "llmwatch evaluate: %s\n", err.msg);
        goto cleanup;
    }
    if (ev.lines.data)
        fputs(ev.lines.data, stdout);
    if (!quiet)
        printf("evaluated %zu rule%s at %s: %d change%s, %d notification%s queued, %d "
               "suppressed\n", ev.n_rules, ev.n_rules == 1 ? "" : "s", iso(ev.pool, ev.at),
               ev.transitions, ev.transitions == 1 ? "" : "s", ev.queued,
               ev.queued == 1 ? "" : "s", ev.suppressed);
    if (ev.invalid_rules > 0)
        fprintf(stderr, "llmwatch evaluate: %zu rule%s skipped as invalid (see the log)\n",
                ev.invalid_rules, ev.invalid_rules == 1 ? "" : "s");
    rc = 0;
cleanup:
    eval_free(&ev);
    lw_config_free(cfg);
    lw_db_close(db);
    return rc;
}

int
lw_job_evaluate(lw_job_ctx *ctx)
{
    eval ev;
    int rc;

    memset(&ev, 0, sizeof(ev));
    ev.at = time(NULL);
    ev.pool = lw_pool_create();
    if (ev.pool == NULL) {
        lw_err_set(&ctx->err, "out of memory");
        return LW_ENOMEM;
    }
    rc = evaluate(ctx->db, &ev, &ctx->err);
    if (rc == LW_OK) {
        const char *s = ev.lines.data, *nl;

        while (s && *s) {
            nl = strchr(s, '\n');
            lw_log(LW_LOG_INFO, "%.*s", (int) (nl ? nl - s : (long) strlen(s)), s);
            s = nl ? nl + 1 : NULL;
        }
        lw_buf_printf(&ctx->details, "{\"rules\": %zu, \"invalid_rules\": %zu, "
                      "\"changes\": %d, \"queued\": %d, \"suppressed\": %d}", ev.n_rules,
                      ev.invalid_rules, ev.transitions, ev.queued, ev.suppressed);
    }
    eval_free(&ev);
    return rc;
}
