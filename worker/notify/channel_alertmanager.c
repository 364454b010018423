/* channel_alertmanager.c: Prometheus Alertmanager (its API v2): POST
 * {url}/api/v2/alerts with a JSON array; labels identify the alert (so a
 * re-send is merged, not duplicated, by Alertmanager itself), endsAt is set
 * when resolved. Firing alerts are re-posted by `notify` until they resolve
 * (resend_alertmanager in notify/outbox.c), since Alertmanager expires them after its
 * resolve_timeout. */
#include <stdlib.h>
#include <string.h>

#include "notify/channel.h"

static json_object *
am_alert(const lw_channel_msg *m, const lw_channel_alert *a)
{
    json_object *o = json_object_new_object(), *labels = json_object_new_object(),
                *ann = json_object_new_object();
    lw_buf d = { 0 };
    const char *v;
    char ts[32];
    time_t when;

    json_object_object_add(labels, "alertname", json_object_new_string(
        a->rule ? a->rule : "llmwatch"));
    lw_channel_json_str(labels, "severity", a->severity);
    lw_channel_json_str(labels, "model", a->model);
    lw_channel_json_str(labels, "environment", a->environment);
    lw_channel_json_str(labels, "rule", a->rule);
    json_object_object_add(labels, "source", json_object_new_string("llmwatch"));
    if (lw_streq(m->kind, "test"))
        json_object_object_add(labels, "test", json_object_new_string(
            m->idempotency_key ? m->idempotency_key : "true"));
    json_object_object_add(o, "labels", labels);

    if (a->summary)
        json_object_object_add(ann, "summary", json_object_new_string(a->summary));
    else
        json_object_object_add(ann, "summary", json_object_new_string(lw_channel_subject(m)));
    if ((v = lw_channel_value(m->pool, a, 0)) != NULL)
        lw_buf_printf(&d, "Value %s.", v);
    if (a->runbook)
        lw_buf_printf(&d, "%sRunbook:\n%s", d.len ? "\n\n" : "", a->runbook);
    if (d.len)
        json_object_object_add(ann, "description", json_object_new_string(d.data));
    lw_buf_free(&d);
    if (lw_channel_is_http_url(a->url))
        json_object_object_add(ann, "runbook_url", json_object_new_string(a->url));
    json_object_object_add(o, "annotations", ann);

    if (a->started_at && lw_time_parse(a->started_at, &when) == LW_OK) {
        lw_time_format(when, LW_TIME_RFC3339, ts, sizeof(ts));
        json_object_object_add(o, "startsAt", json_object_new_string(ts));
    }
    if (lw_streq(a->state, "resolved")) {
        if (a->ended_at == NULL || lw_time_parse(a->ended_at, &when) != LW_OK)
            when = m->now ? m->now : time(NULL);
        lw_time_format(when, LW_TIME_RFC3339, ts, sizeof(ts));
        json_object_object_add(o, "endsAt", json_object_new_string(ts));
    }
    if (lw_channel_is_http_url(a->url))
        json_object_object_add(o, "generatorURL", json_object_new_string(a->url));
    return o;
}

char *
lw_channel_alertmanager_body(const lw_channel_msg *m)
{
    json_object *list = json_object_new_array();
    size_t i;

    for (i = 0; i < m->n_alerts; i++)
        json_object_array_add(list, am_alert(m, &m->alerts[i]));
    return lw_channel_json_take(list);
}

int
lw_channel_alertmanager_send(lw_channel_msg *m, lw_channel_result *r)
{
    const char *base = lw_channel_setting(m, "url");
    char *body, *url;
    int rc;

    if (base == NULL) {
        lw_channel_result_set(r, LW_CHANNEL_FAILED, "alertmanager: no url");
        return LW_OK;
    }
    url = lw_pool_printf(m->pool, "%.*s/api/v2/alerts",
                         (int) (strlen(base) - (base[strlen(base) - 1] == '/')), base);
    body = lw_channel_alertmanager_body(m);
    rc = lw_channel_post(m, url, "alertmanager", NULL, body, NULL, r, NULL);
    free(body);
    return rc;
}
