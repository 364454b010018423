/* channel_pagerduty.c: PagerDuty Events API v2. One event per
 * alert: "trigger" while firing, "resolve" with the SAME dedup_key when
 * resolved (lw_channel_dedup_key derives it from the incident, so both
 * payloads give the same key). PagerDuty deduplicates on that key, which is
 * what makes a re-send after a crash harmless. */
#include <stdlib.h>
#include <string.h>

#include "notify/channel.h"

#define PD_DEFAULT_URL "https://events.pagerduty.com/v2/enqueue"
#define PD_SUMMARY_MAX 1024
#define PD_RUNBOOK_MAX 16384    /* keeps the event far below the 512 KB limit */

static const char *
pd_severity(const char *s)
{
    if (lw_streq(s, "critical") || lw_streq(s, "warning") || lw_streq(s, "info"))
        return s;
    return "error";
}

static char *
pd_summary(const lw_channel_msg *m, const lw_channel_alert *a)
{
    lw_buf b = { 0 };
    const char *v;
    char *s;

    if (lw_streq(m->kind, "test"))
        lw_buf_puts(&b, "[test] ");
    lw_buf_puts(&b, a->rule ? a->rule : a->summary ? a->summary : "llmwatch alert");
    if (a->model || a->environment)
        lw_buf_printf(&b, " on %s%s%s%s", a->model ? a->model : "", a->environment ? " (" : "",
                      a->environment ? a->environment : "", a->environment ? ")" : "");
    /* the evaluator's summary says it best; else the value */
    if (a->summary && a->rule)
        lw_buf_printf(&b, ": %s", a->summary);
    else if ((v = lw_channel_value(m->pool, a, 0)) != NULL)
        lw_buf_printf(&b, ": value %s", v);
    for (s = b.data; *s; s++)
        if ((unsigned char) *s < 0x20)
            *s = ' ';
    s = lw_channel_truncate(m->pool, b.data, PD_SUMMARY_MAX);
    lw_buf_free(&b);
    return s;
}

char *
lw_channel_pagerduty_body(const lw_channel_msg *m, const lw_channel_alert *a,
                          const char *routing_key)
{
    json_object *o = json_object_new_object(), *p, *d, *links, *l;
    int resolve = lw_streq(a->state, "resolved");
    char ts[32];
    time_t t;

    json_object_object_add(o, "routing_key", json_object_new_string(routing_key));
    json_object_object_add(o, "event_action", json_object_new_string(resolve ? "resolve" : "trigger"));
    json_object_object_add(o, "dedup_key", json_object_new_string(lw_channel_dedup_key(m, a)));
    if (!resolve) {
        p = json_object_new_object();
        json_object_object_add(p, "summary", json_object_new_string(pd_summary(m, a)));
        json_object_object_add(p, "source", json_object_new_string(
            a->model ? a->model : a->environment ? a->environment : "llmwatch"));
        json_object_object_add(p, "severity", json_object_new_string(pd_severity(a->severity)));
        if (a->started_at && lw_time_parse(a->started_at, &t) == LW_OK)
            lw_time_format(t, LW_TIME_RFC3339, ts, sizeof(ts));
        else
            lw_time_format(m->now ? m->now : time(NULL), LW_TIME_RFC3339, ts, sizeof(ts));
        json_object_object_add(p, "timestamp", json_object_new_string(ts));
        lw_channel_json_str(p, "component", a->model);
        lw_channel_json_str(p, "group", a->environment);
        lw_channel_json_str(p, "class", a->rule);
        d = json_object_new_object();
        lw_channel_json_str(d, "rule", a->rule);
        lw_channel_json_str(d, "model", a->model);
        lw_channel_json_str(d, "environment", a->environment);
        if (a->has_value)
            lw_channel_json_num(d, "value", a->value);
        if (a->has_threshold)
            lw_channel_json_num(d, "threshold", a->threshold);
        lw_channel_json_str(d, "started_at", a->started_at);
        lw_channel_json_str(d, "summary", a->summary);
        if (a->runbook)
            lw_channel_json_str(d, "runbook", lw_channel_truncate(m->pool, a->runbook, PD_RUNBOOK_MAX));
        json_object_object_add(p, "custom_details", d);
        json_object_object_add(o, "payload", p);
        if (lw_channel_is_http_url(a->url)) {
            links = json_object_new_array();
            l = json_object_new_object();
            json_object_object_add(l, "href", json_object_new_string(a->url));
            json_object_object_add(l, "text", json_object_new_string("Alert in llmwatch"));
            json_object_array_add(links, l);
            json_object_object_add(o, "links", links);
        }
        json_object_object_add(o, "client", json_object_new_string("llmwatch"));
        lw_channel_json_str(o, "client_url", a->url);
    }
    return lw_channel_json_take(o);
}

int
lw_channel_pagerduty_send(lw_channel_msg *m, lw_channel_result *r)
{
    const char *url = lw_channel_setting(m, "url");
    lw_channel_result worst;
    lw_err err;
    char *key, *body, *part;
    size_t i;
    int rc = LW_OK;

    key = lw_channel_secret_or_fail(m, "routing_key", "pagerduty", r);
    if (key == NULL)
        return LW_OK;
    worst = *r;
    lw_channel_result_set(&worst, LW_CHANNEL_SENT, "%s", "");
    for (i = 0; i < m->n_alerts && rc == LW_OK; i++) {
        const lw_channel_alert *a = &m->alerts[i];

        /* a group resumes after the events that already went out (and the
         * dedup_key covers the crash window anyway) */
        part = lw_pool_printf(m->pool, "pagerduty:%s:%s",
                              lw_streq(a->state, "resolved") ? "resolve" : "trigger",
                              lw_channel_dedup_key(m, a));
        if (lw_channel_is_done(m, part))
            continue;
        body = lw_channel_pagerduty_body(m, a, key);
        rc = lw_channel_post(m, url ? url : PD_DEFAULT_URL, "pagerduty", NULL, body, NULL, r, NULL);
        explicit_bzero(body, strlen(body));   /* it carries the routing key */
        free(body);
        if (r->outcome == LW_CHANNEL_SENT && m->n_alerts > 1
            && lw_channel_mark(m, part, &err) != LW_OK) {
            lw_channel_result_set(r, LW_CHANNEL_RETRY, "pagerduty: %s", err.msg);
            worst = *r;
            break;
        }
        lw_channel_result_worst(&worst, r);
    }
    worst.requests = r->requests;
    *r = worst;
    return rc;
}
