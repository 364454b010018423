/* channel_slack.c: Slack incoming webhooks: a "text" fallback and
 * mrkdwn section blocks; success is 200 with the body "ok". The webhook URL
 * is itself the secret, so errors name "slack webhook", never the URL. */
#include <stdlib.h>
#include <string.h>

#include "notify/channel.h"

#define SLACK_SECTION_MAX 3000   /* Slack's limit for a section's text */
#define SLACK_BLOCKS_MAX 50
#define SLACK_TEXT_MAX 3000

static json_object *
section(const char *text)
{
    json_object *s = json_object_new_object(), *t = json_object_new_object();

    json_object_object_add(t, "type", json_object_new_string("mrkdwn"));
    json_object_object_add(t, "text", json_object_new_string(text));
    json_object_object_add(s, "type", json_object_new_string("section"));
    json_object_object_add(s, "text", t);
    return s;
}

/* Section text for one alert; runbook in a block of its own. */
static char *
alert_text(const lw_channel_msg *m, const lw_channel_alert *a)
{
    lw_buf b = { 0 };
    const char *v;
    char *s;

    lw_buf_puts(&b, "*");
    lw_channel_slack_escape(&b, a->rule ? a->rule : a->summary ? a->summary : "alert");
    lw_buf_printf(&b, "* is %s%s (%s)", a->repeat ? "still " : "",
                  lw_streq(a->state, "resolved") ? "RESOLVED" : "FIRING", a->severity);
    if (lw_streq(m->kind, "test"))
        lw_buf_puts(&b, " \xe2\x80\x94 test notification");
    if (a->summary && a->rule) {
        lw_buf_puts(&b, "\n");
        lw_channel_slack_escape(&b, a->summary);
    }
    if (a->model) {
        lw_buf_puts(&b, "\n*Model:* ");
        lw_channel_slack_escape(&b, a->model);
    }
    if (a->environment) {
        lw_buf_puts(&b, "\n*Environment:* ");
        lw_channel_slack_escape(&b, a->environment);
    }
    if ((v = lw_channel_value(m->pool, a, 0)) != NULL) {
        lw_buf_puts(&b, "\n*Value:* ");
        lw_channel_slack_escape(&b, v);
    }
    if (a->started_at) {
        lw_buf_puts(&b, "\n*Since:* ");
        lw_channel_slack_escape(&b, lw_channel_human_time(m->pool, a->started_at));
    }
    if (lw_channel_is_http_url(a->url) && strpbrk(a->url, "|<> ") == NULL) {
        lw_buf_puts(&b, "\n<");
        lw_channel_slack_escape(&b, a->url);
        lw_buf_puts(&b, "|Open in llmwatch>");
    }
    s = lw_channel_truncate(m->pool, b.data, SLACK_SECTION_MAX);
    lw_buf_free(&b);
    return s;
}

char *
lw_channel_slack_body(const lw_channel_msg *m)
{
    json_object *o = json_object_new_object(), *blocks = json_object_new_array();
    const char *channel = lw_channel_setting(m, "channel");
    char *rb, *text;
    lw_buf b = { 0 };
    size_t i, nblocks = 0;

    /* the fallback is mrkdwn too: escaped like the blocks */
    lw_channel_slack_escape(&b, lw_channel_subject(m));
    json_object_object_add(o, "text", json_object_new_string(
        lw_channel_truncate(m->pool, b.data, SLACK_TEXT_MAX)));
    lw_buf_reset(&b);
    for (i = 0; i < m->n_alerts; i++) {
        /* keep room for the "and N more" line */
        if (nblocks + 2 >= SLACK_BLOCKS_MAX) {
            lw_buf_printf(&b, "_and %zu more alerts_", m->n_alerts - i);
            json_object_array_add(blocks, section(b.data));
            lw_buf_free(&b);
            break;
        }
        json_object_array_add(blocks, section(alert_text(m, &m->alerts[i])));
        nblocks++;
        if (m->alerts[i].runbook && m->n_alerts == 1) {
            rb = lw_channel_markdown_mrkdwn(m->alerts[i].runbook);
            if (rb && rb[0]) {
                lw_buf_printf(&b, "*Runbook*\n%s", rb);
                text = lw_channel_truncate(m->pool, b.data, SLACK_SECTION_MAX);
                json_object_array_add(blocks, section(text));
                nblocks++;
                lw_buf_reset(&b);
            }
            free(rb);
        }
    }
    lw_buf_free(&b);
    json_object_object_add(o, "blocks", blocks);
    lw_channel_json_str(o, "channel", channel);
    return lw_channel_json_take(o);
}

int
lw_channel_slack_send(lw_channel_msg *m, lw_channel_result *r)
{
    lw_buf resp = { 0 };
    char *url, *body;
    int rc;

    url = lw_channel_secret_or_fail(m, "webhook_url", "slack", r);
    if (url == NULL)
        return LW_OK;
    body = lw_channel_slack_body(m);
    rc = lw_channel_post(m, url, "slack webhook", NULL, body, NULL, r, &resp);
    /* 200 "ok" is Slack's success; another 2xx body is kept as a note */
    if (r->outcome == LW_CHANNEL_SENT && !(resp.len == 2 && memcmp(resp.data, "ok", 2) == 0))
        lw_log(LW_LOG_WARN, "slack channel '%s': HTTP %ld without \"ok\" body", m->channel_name
               ? m->channel_name : "?", r->http_status);
    lw_buf_free(&resp);
    free(body);
    return rc;
}
