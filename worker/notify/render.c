/* render.c: the renderings every channel builds on: subject, plain text,
 * HTML (every payload string escaped, the runbook through safe Markdown),
 * the one short line of an SMS, and the PagerDuty dedup key. */
#include "notify/channel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "html.h"

/* ==== small formatting helpers ==== */

const char *
lw_channel_human_time(lw_pool *pool, const char *s)
{
    time_t t;
    char buf[40];

    if (s == NULL || lw_time_parse(s, &t) != LW_OK)
        return s;
    return lw_pool_strdup(pool, lw_time_format(t, LW_TIME_MINUTE, buf, sizeof(buf)));
}

void
lw_channel_number(double v, char out[32])
{
    char *e;

    if (!isfinite(v)) {
        snprintf(out, 32, "%s", isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf");
        return;
    }
    if (v != 0 && (fabs(v) >= 1e7 || fabs(v) < 1e-3)) {
        snprintf(out, 32, "%.4g", v);
        return;
    }
    snprintf(out, 32, "%.3f", v);
    e = out + strlen(out) - 1;
    while (*e == '0')
        *e-- = '\0';
    if (*e == '.')
        *e = '\0';
    if (strcmp(out, "-0") == 0)
        strcpy(out, "0");
}

static size_t
utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n <= max)
        return n;
    n = max;
    /* back off continuation bytes so a character is never split */
    while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

char *
lw_channel_truncate(lw_pool *pool, const char *s, size_t max)
{
    return s ? lw_pool_strndup(pool, s, utf8_cut(s, max)) : NULL;
}

/* Collapses control characters (CR, LF, tabs...) to spaces: for one-line
 * renderings such as subjects and SMS, and header values. */
static void
one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char) *s < 0x20 || *s == 0x7f)
            *s = ' ';
}

int
lw_channel_is_http_url(const char *u)
{
    return u && (strncasecmp(u, "https://", 8) == 0 || strncasecmp(u, "http://", 7) == 0);
}

static const char *
alert_title(const lw_channel_alert *a)
{
    return a->rule ? a->rule : a->summary ? a->summary : "alert";
}

static const char *
state_word(const char *state)
{
    return lw_streq(state, "resolved") ? "RESOLVED" : "FIRING";
}

/* "gpt-4 (production)", "gpt-4", "production" or NULL. */
static const char *
alert_where(lw_pool *pool, const lw_channel_alert *a)
{
    if (a->model && a->environment)
        return lw_pool_printf(pool, "%s (%s)", a->model, a->environment);
    return a->model ? a->model : a->environment;
}

const char *
lw_channel_value(lw_pool *pool, const lw_channel_alert *a, int compact)
{
    char vb[32], tb[32];
    const char *v, *t = NULL;

    if (!a->has_value && a->value_text == NULL)
        return NULL;
    if (a->value_text)
        v = a->value_text;
    else {
        lw_channel_number(a->value, vb);
        v = vb;
    }
    if (a->threshold_text)
        t = a->threshold_text;
    else if (a->has_threshold) {
        lw_channel_number(a->threshold, tb);
        t = tb;
    }
    if (t == NULL)
        return lw_pool_strdup(pool, v);
    return compact ? lw_pool_printf(pool, "%s>%s", v, t)
                   : lw_pool_printf(pool, "%s (threshold %s)", v, t);
}

/* ==== renderings ==== */

char *
lw_channel_subject(const lw_channel_msg *m)
{
    const lw_channel_alert *a = &m->alerts[0];
    const char *where = alert_where(m->pool, a);
    lw_buf b = { 0 };
    char *s;
    size_t i;

    if (lw_streq(m->kind, "test"))
        lw_buf_printf(&b, "[llmwatch] TEST %s: %s", m->severity,
                      a->summary ? a->summary : alert_title(a));
    else if (m->n_alerts == 1)
        lw_buf_printf(&b, "[llmwatch] %s %s: %s%s%s", state_word(m->state), m->severity,
                      alert_title(a), where ? " on " : "", where ? where : "");
    else {
        lw_buf_printf(&b, "[llmwatch] %s %s: %zu alerts:", state_word(m->state), m->severity,
                      m->n_alerts);
        for (i = 0; i < m->n_alerts && b.len < 200; i++) {
            where = alert_where(m->pool, &m->alerts[i]);
            lw_buf_printf(&b, "%s %s%s%s", i ? "," : "", alert_title(&m->alerts[i]),
                          where ? " on " : "", where ? where : "");
        }
    }
    if (b.data == NULL)
        return NULL;
    one_line(b.data);
    if (b.len > 200) {
        b.len = utf8_cut(b.data, 197);
        b.data[b.len] = '\0';
        lw_buf_puts(&b, "...");
    }
    s = lw_pool_strdup(m->pool, b.data);
    lw_buf_free(&b);
    return s;
}

static void
text_alert(lw_buf *b, const lw_channel_msg *m, const lw_channel_alert *a)
{
    const char *v = lw_channel_value(m->pool, a, 0);

    lw_buf_printf(b, "%s is %s%s (%s)\n", alert_title(a), a->repeat ? "still " : "",
                  state_word(a->state), a->severity);
    if (a->summary && a->rule)
        lw_buf_printf(b, "Summary: %s\n", a->summary);
    if (a->model)
        lw_buf_printf(b, "Model: %s\n", a->model);
    if (a->environment)
        lw_buf_printf(b, "Environment: %s\n", a->environment);
    if (v)
        lw_buf_printf(b, "Value: %s\n", v);
    if (a->started_at)
        lw_buf_printf(b, "Since: %s\n", lw_channel_human_time(m->pool, a->started_at));
    if (lw_streq(a->state, "resolved") && a->ended_at)
        lw_buf_printf(b, "Resolved: %s\n", lw_channel_human_time(m->pool, a->ended_at));
    if (a->url)
        lw_buf_printf(b, "Details: %s\n", a->url);
    if (a->runbook)
        lw_buf_printf(b, "\nRunbook:\n%s%s", a->runbook,
                      a->runbook[strlen(a->runbook) - 1] == '\n' ? "" : "\n");
}

typedef void (*alert_fn)(lw_buf *b, const lw_channel_msg *m, const lw_channel_alert *a);

/* The rest of a message whose head is in b: each alert by fn, sep between
 * two, then footer. Returns the whole (pool-owned); b is freed. */
static char *
alerts_and_footer(lw_buf *b, const lw_channel_msg *m, alert_fn fn, const char *sep,
                  const char *footer)
{
    char *s;
    size_t i;

    for (i = 0; i < m->n_alerts; i++) {
        if (i > 0)
            lw_buf_puts(b, sep);
        fn(b, m, &m->alerts[i]);
    }
    lw_buf_puts(b, footer);
    s = lw_pool_strdup(m->pool, b->data);
    lw_buf_free(b);
    return s;
}

char *
lw_channel_text(const lw_channel_msg *m)
{
    lw_buf b = { 0 };

    if (lw_streq(m->kind, "test"))
        lw_buf_puts(&b, "This is a test notification sent by `llmwatch test-alert`.\n\n");
    if (m->n_alerts > 1)
        lw_buf_printf(&b, "%zu alerts (%s, highest severity %s)\n\n", m->n_alerts,
                      lw_streq(m->state, "resolved") ? "all resolved" : "firing", m->severity);
    return alerts_and_footer(&b, m, text_alert, "\n----\n\n", "\n-- \nllmwatch\n");
}

static void
html_row(lw_buf *b, const char *label, const char *value)
{
    if (value == NULL)
        return;
    lw_buf_printf(b, "<tr><th align=\"left\" style=\"padding:2px 12px 2px 0\">%s</th><td>", label);
    lw_html_escape(b, value);
    lw_buf_puts(b, "</td></tr>\n");
}

static void
html_alert(lw_buf *b, const lw_channel_msg *m, const lw_channel_alert *a)
{
    int resolved = lw_streq(a->state, "resolved");
    char *rb;

    lw_buf_printf(b, "<h2 style=\"color:%s\">", resolved ? "#1a7f37" : "#b42318");
    lw_html_escape(b, alert_title(a));
    lw_buf_printf(b, " is %s</h2>\n<table>\n", state_word(a->state));
    html_row(b, "Severity", a->severity);
    html_row(b, "Summary", a->rule ? a->summary : NULL);
    html_row(b, "Model", a->model);
    html_row(b, "Environment", a->environment);
    html_row(b, "Value", lw_channel_value(m->pool, a, 0));
    html_row(b, "Since", lw_channel_human_time(m->pool, a->started_at));
    if (resolved)
        html_row(b, "Resolved", lw_channel_human_time(m->pool, a->ended_at));
    lw_buf_puts(b, "</table>\n");
    if (lw_channel_is_http_url(a->url)) {
        lw_buf_puts(b, "<p><a href=\"");
        lw_html_escape(b, a->url);
        lw_buf_puts(b, "\">Open the alert in llmwatch</a></p>\n");
    }
    if (a->runbook) {
        rb = lw_html_markdown(a->runbook);
        lw_buf_puts(b, "<h3>Runbook</h3>\n<div class=\"runbook\">\n");
        lw_buf_puts(b, rb ? rb : "");
        lw_buf_puts(b, "</div>\n");
        free(rb);
    }
}

char *
lw_channel_html(const lw_channel_msg *m)
{
    lw_buf b = { 0 };

    lw_buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    lw_html_escape(&b, lw_channel_subject(m));
    lw_buf_puts(&b, "</title></head>\n<body style=\"font-family:sans-serif\">\n");
    if (lw_streq(m->kind, "test"))
        lw_buf_puts(&b, "<p><em>This is a test notification sent by "
                        "<code>llmwatch test-alert</code>.</em></p>\n");
    if (m->n_alerts > 1)
        lw_buf_printf(&b, "<p>%zu alerts, highest severity %s.</p>\n", m->n_alerts,
                      lw_channel_severity_rank(m->severity) < 3 ? m->severity : "unknown");
    return alerts_and_footer(&b, m, html_alert, "<hr>\n",
                             "<p style=\"color:#666\">llmwatch</p>\n</body></html>\n");
}

/* One alert in a few words: "High Latency gpt-4/production 2350>1500 since 12:03Z" */
static void
short_alert(lw_buf *b, const lw_channel_msg *m, const lw_channel_alert *a)
{
    const char *v;
    time_t ts;
    struct tm tm;

    lw_buf_puts(b, alert_title(a));
    if (a->model || a->environment)
        lw_buf_printf(b, " %s%s%s", a->model ? a->model : "", a->model && a->environment ? "/" : "",
                      a->environment ? a->environment : "");
    if ((v = lw_channel_value(m->pool, a, 1)) != NULL)
        lw_buf_printf(b, " %s", v);
    if (a->started_at && lw_time_parse(a->started_at, &ts) == LW_OK) {
        gmtime_r(&ts, &tm);
        lw_buf_printf(b, " since %02d:%02dZ", tm.tm_hour, tm.tm_min);
    }
}

char *
lw_channel_short(const lw_channel_msg *m, size_t max)
{
    const lw_channel_alert *a = &m->alerts[0];
    lw_buf b = { 0 };
    char *s;
    size_t i;

    if (lw_streq(m->kind, "test"))
        lw_buf_printf(&b, "llmwatch TEST %s: %s", m->severity, a->summary ? a->summary : alert_title(a));
    else {
        lw_buf_printf(&b, "%s %s: ", state_word(m->state), m->severity);
        if (m->n_alerts > 1)
            lw_buf_printf(&b, "%zu alerts: ", m->n_alerts);
        for (i = 0; i < m->n_alerts && b.len < max; i++) {
            if (i > 0)
                lw_buf_puts(&b, "; ");
            short_alert(&b, m, &m->alerts[i]);
        }
        /* the link only when everything else fits with it */
        if (m->n_alerts == 1 && lw_channel_is_http_url(a->url) && b.len + 1 + strlen(a->url) <= max)
            lw_buf_printf(&b, " %s", a->url);
    }
    if (b.data == NULL)
        return NULL;
    one_line(b.data);
    if (b.len > max) {
        b.len = utf8_cut(b.data, max > 3 ? max - 3 : 0);
        b.data[b.len] = '\0';
        if (max > 3)
            lw_buf_puts(&b, "...");
    }
    s = lw_pool_strdup(m->pool, b.data);
    lw_buf_free(&b);
    return s;
}

/* ==== PagerDuty dedup key ==== */

char *
lw_channel_dedup_key(const lw_channel_msg *m, const lw_channel_alert *a)
{
    uint8_t sum[LW_CRYPTO_SHA256_LEN];
    char hex[LW_CRYPTO_SHA256_HEX_LEN], ts[32];
    const char *incident;
    char *key;
    time_t t;

    if (a->dedup_key && strlen(a->dedup_key) <= 255 && !lw_streq(m->kind, "test"))
        return lw_pool_strdup(m->pool, a->dedup_key);
    if (lw_streq(m->kind, "test"))
        key = lw_pool_printf(m->pool, "llmwatch/test/%s", m->idempotency_key ? m->idempotency_key : "");
    else {
        /* the incident: alerts.id when known, else when it started; both
         * are the same in the trigger's and the resolve's payload */
        if (a->alert_id > 0)
            incident = lw_pool_printf(m->pool, "%lld", a->alert_id);
        else if (a->started_at && lw_time_parse(a->started_at, &t) == LW_OK) {
            lw_time_format(t, LW_TIME_RFC3339, ts, sizeof(ts));
            incident = lw_pool_strdup(m->pool, ts);
        } else
            incident = a->started_at ? a->started_at : "";
        key = lw_pool_printf(m->pool, "llmwatch/%s/%s/%s/%s", a->rule ? a->rule : "",
                             a->model ? a->model : "", a->environment ? a->environment : "",
                             incident);
    }
    if (key != NULL && strlen(key) > 255) {
        lw_crypto_sha256(key, strlen(key), sum);
        lw_crypto_hex(sum, sizeof(sum), hex);
        key = lw_pool_printf(m->pool, "llmwatch/%s", hex);
    }
    return key;
}

