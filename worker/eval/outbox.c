/* outbox.c: the notification rows an evaluation writes, in its
 * transaction: the payload of each alert, one row per channel grouping
 * everything it receives this time, one 'suppressed' row (with the reason)
 * per muted alert and channel, and when each series was announced. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db/eval.h"
#include "eval/eval_int.h"
#include "times.h"

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
alert_json(lw_db *db, lw_eval_state *ev, const cand *c, json_object **out, lw_err *err)
{
    const char *base = getenv("LLMWATCH_PUBLIC_URL");
    json_object *o;
    PGresult *res;
    char vt[48], tt[48];
    size_t bl;

    *out = NULL;
    res = lw_db_eval_payload(db, err, c->event_id);
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
    if (c->budget) {
        /* the announcement's own words: an alert's row holds its latest */
        json_object_object_add(o, "summary", json_object_new_string(c->text));
        json_object_object_add(o, "severity", json_object_new_string(lw_eval_sev_names[c->severity]));
        json_object_object_add(o, "value_text", json_object_new_string(c->value_text));
        json_object_object_add(o, "threshold_text", json_object_new_string(c->threshold_text));
        json_object_object_add(o, "model", NULL);
        json_object_object_add(o, "environment", NULL);
    }
    *out = o;
    return LW_OK;
}

static int
write_row(lw_db *db, lw_eval_state *ev, const route *rt, const cand *const *members, size_t n,
          const char *status, const char *reason, lw_err *err)
{
    json_object *doc = json_object_new_object(), *arr = json_object_new_array(), *a;
    lw_buf ids = { 0 }, title = { 0 };
    const char *group_key;
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
        char ts[32];

        json_object_object_add(doc, "evaluated_at", json_object_new_string(
            lw_time_format(ev->at, LW_TIME_RFC3339, ts, sizeof(ts))));
    }
    json_object_object_add(doc, "status", json_object_new_string(
        firing && resolved ? "mixed" : firing ? "firing" : "resolved"));
    json_object_object_add(doc, "title", json_object_new_string(title.data ? title.data : ""));
    json_object_object_add(doc, "count", json_object_new_int64((int64_t) n));
    json_object_object_add(doc, "alerts", arr);
    arr = NULL;
    if (reason)
        json_object_object_add(doc, "suppressed_reason", json_object_new_string(reason));

    group_key = lw_pool_printf(ev->pool, "eval:%lld:%lld", (long long) ev->at, rt->channel_id);
    if (lw_db_eval_notification_insert(db, err, first, rt->channel_id, status,
                                       json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
                                       group_key, (long long) n, reason, ids.data, &nid) != LW_OK) {
        rc = LW_EDB;
        goto cleanup;
    }
    if (reason)
        ev->suppressed++;
    else
        ev->queued++;
cleanup:
    json_object_put(doc);
    json_object_put(arr);
    lw_buf_free(&ids);
    lw_buf_free(&title);
    return rc;
}

int
lw_eval_notify_all(lw_db *db, lw_eval_state *ev, lw_err *err)
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
        rc = lw_eval_mute_reason(db, ev, c, err);
        if (rc != LW_OK)
            return rc;
        if (c->kind == C_REPEAT) {
            if (c->suppressed != NULL) {
                c->kind = -1;               /* try again at a later evaluation */
                continue;
            }
            v = c->it ? c->it->d.value : NAN;
            rc = lw_eval_add_event(db, ev, c->alert_id, "firing", "firing", v,
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

        if (!c->delivered || c->kind == C_RESOLVED)
            continue;
        if (lw_db_eval_notified(db, err, c->alert_id, ev->at) != LW_OK)
            return LW_EDB;
    }
    return LW_OK;
}

