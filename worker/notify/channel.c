/* channel.c: what every channel shares: the message parsed from an outbox
 * payload, secrets resolved at send time, the text/HTML/short renderings
 * (rule, model, environment, value vs threshold, since when, link, runbook),
 * one HTTP POST with one classification of answers, and the dispatch. */
#include "notify/channel.h"
#include "html.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "crypto.h"

#define RESP_MAX 8192

/* ==== process setup and results ==== */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_rc = CURLE_OK;

static void
curl_init_once(void)
{
    struct sigaction sa;

    curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    /* with CURLOPT_NOSIGNAL a peer closing a TLS connection could raise
     * SIGPIPE and kill the worker mid-batch: ignore it (unless someone
     * chose a handler already) */
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);
}

int
lw_channel_global_init(lw_err *err)
{
    pthread_once(&curl_once, curl_init_once);
    if (curl_rc != CURLE_OK) {
        lw_err_set(err, "curl_global_init: %s", curl_easy_strerror(curl_rc));
        return LW_ERROR;
    }
    return LW_OK;
}

void
lw_channel_result_set(lw_channel_result *r, lw_channel_outcome o, const char *fmt, ...)
{
    va_list ap;

    r->outcome = o;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
}

/* ==== JSON helpers ==== */

void
lw_channel_json_str(json_object *o, const char *key, const char *v)
{
    if (v != NULL)
        json_object_object_add(o, key, json_object_new_string(v));
}

void
lw_channel_json_num(json_object *o, const char *key, double v)
{
    char buf[40];

    if (!isfinite(v))
        return;
    if (v == floor(v) && fabs(v) < 1e15) {
        json_object_object_add(o, key, json_object_new_int64((int64_t) v));
        return;
    }
    snprintf(buf, sizeof(buf), "%.15g", v);
    json_object_object_add(o, key, json_object_new_double_s(v, buf));
}

char *
lw_channel_json_text(json_object *o)
{
    return lw_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                       | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* ==== secrets ==== */

int
lw_secret_resolve(const char *raw, lw_buf *out, lw_err *err)
{
    lw_buf missing = { 0 };
    int rc;

    lw_err_clear(err);
    if (raw == NULL) {
        lw_err_set(err, "no value");
        return LW_ENOTFOUND;
    }
    rc = lw_env_expand(raw, out, &missing, 1, err);
    if (rc == LW_OK && missing.len > 0) {
        /* names only, never a value */
        lw_err_set(err, "environment variable %s is not set in the notify worker", missing.data);
        rc = LW_ENOTFOUND;
    }
    lw_buf_free(&missing);
    return rc;
}

static void
wipe_string(void *s)
{
    explicit_bzero(s, strlen(s));
}

char *
lw_channel_secret(lw_channel_msg *m, const char *key, lw_err *err)
{
    const char *raw = lw_channel_setting(m, key);
    lw_buf b = { 0 };
    char *v;
    int rc;

    lw_err_clear(err);
    if (raw == NULL)
        return NULL;
    rc = lw_secret_resolve(raw, &b, err);
    if (rc != LW_OK || b.len == 0) {
        if (rc == LW_OK)
            lw_err_set(err, "'%s' is empty", key);
        if (b.data)
            explicit_bzero(b.data, b.len);
        lw_buf_free(&b);
        return NULL;
    }
    v = lw_pool_strndup(m->pool, b.data, b.len);
    explicit_bzero(b.data, b.len);
    lw_buf_free(&b);
    if (v == NULL || lw_pool_cleanup_add(m->pool, wipe_string, v) != LW_OK) {
        lw_err_set(err, "out of memory");
        return NULL;
    }
    return v;
}

/* ==== the message ==== */

static void
json_put(void *o)
{
    json_object_put(o);
}

static json_object *
parse_object(lw_pool *pool, const char *text, const char *what, lw_err *err)
{
    enum json_tokener_error jerr;
    json_object *o;

    o = json_tokener_parse_verbose(text ? text : "", &jerr);
    if (o == NULL) {
        lw_err_set(err, "%s is not JSON: %s", what, json_tokener_error_desc(jerr));
        return NULL;
    }
    if (lw_pool_cleanup_add(pool, json_put, o) != LW_OK) {
        json_object_put(o);
        lw_err_set(err, "out of memory");
        return NULL;
    }
    if (!json_object_is_type(o, json_type_object)) {
        lw_err_set(err, "%s is not a JSON object", what);
        return NULL;
    }
    return o;
}

int
lw_channel_msg_settings(lw_channel_msg *m, const char *settings_json, lw_err *err)
{
    m->settings = parse_object(m->pool, settings_json, "channel settings", err);
    return m->settings ? LW_OK : LW_EINVAL;
}

const char *
lw_channel_setting(const lw_channel_msg *m, const char *key)
{
    json_object *v;
    const char *s;

    if (m->settings == NULL || !json_object_object_get_ex(m->settings, key, &v)
        || !json_object_is_type(v, json_type_string))
        return NULL;
    s = json_object_get_string(v);
    return s && s[0] ? s : NULL;
}

/* A member's field, else the group's (top-level) field. */
static json_object *
field(json_object *o, json_object *top, const char *key)
{
    json_object *v;

    if (o && json_object_object_get_ex(o, key, &v) && !json_object_is_type(v, json_type_null))
        return v;
    if (top && top != o && json_object_object_get_ex(top, key, &v)
        && !json_object_is_type(v, json_type_null))
        return v;
    return NULL;
}

static const char *
field_str(lw_pool *pool, json_object *o, json_object *top, const char *key)
{
    json_object *v = field(o, top, key);
    const char *s;

    if (v == NULL)
        return NULL;
    if (json_object_is_type(v, json_type_string)) {
        s = json_object_get_string(v);
        return s[0] ? s : NULL;
    }
    if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
        return NULL;
    return lw_pool_strdup(pool, json_object_get_string(v));   /* numbers, booleans */
}

static int
field_num(json_object *o, json_object *top, const char *key, double *out)
{
    json_object *v = field(o, top, key);
    char *end;

    if (v == NULL)
        return 0;
    if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) {
        *out = json_object_get_double(v);
        return isfinite(*out);
    }
    if (json_object_is_type(v, json_type_string)) {
        *out = strtod(json_object_get_string(v), &end);
        return end != json_object_get_string(v) && *end == '\0' && isfinite(*out);
    }
    return 0;
}

/* Timestamps may come as text in any ISO 8601 form or as epoch seconds. */
static const char *
field_time(lw_pool *pool, json_object *o, json_object *top, const char *key)
{
    json_object *v = field(o, top, key);
    char buf[32];

    if (v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))) {
        lw_time_format((time_t) json_object_get_int64(v), LW_TIME_RFC3339, buf, sizeof(buf));
        return lw_pool_strdup(pool, buf);
    }
    return field_str(pool, o, top, key);
}

static int
severity_rank(const char *s)
{
    if (lw_streq(s, "critical"))
        return 0;
    if (lw_streq(s, "warning"))
        return 1;
    if (lw_streq(s, "info"))
        return 2;
    return 3;
}

static void
fill_alert(lw_pool *pool, lw_channel_alert *a, json_object *o, json_object *top)
{
    json_object *v;
    double d;

    a->rule = field_str(pool, o, top, "rule");
    a->model = field_str(pool, o, top, "model");
    a->environment = field_str(pool, o, top, "environment");
    a->severity = field_str(pool, o, top, "severity");
    a->state = field_str(pool, o, top, "state");
    a->summary = field_str(pool, o, top, "summary");
    a->runbook = field_str(pool, o, top, "runbook");
    a->url = field_str(pool, o, top, "url");
    a->started_at = field_time(pool, o, top, "started_at");
    a->ended_at = field_time(pool, o, top, "resolved_at");
    if (a->ended_at == NULL)
        a->ended_at = field_time(pool, o, top, "ended_at");
    a->has_value = field_num(o, top, "value", &a->value);
    a->has_threshold = field_num(o, top, "threshold", &a->threshold);
    a->value_text = field_str(pool, o, top, "value_text");
    a->threshold_text = field_str(pool, o, top, "threshold_text");
    a->dedup_key = field_str(pool, o, o, "dedup_key");
    v = field(o, o, "repeat");
    a->repeat = v != NULL && json_object_get_boolean(v);
    /* only a member's own id: the group's would name another incident */
    if (field_num(o, o, "alert_id", &d) && d > 0)
        a->alert_id = (long long) d;
    if (a->severity == NULL)
        a->severity = "warning";
    if (a->state == NULL)
        a->state = "firing";
}

int
lw_channel_msg_parse(lw_channel_msg *m, const char *payload, long long alert_id, lw_err *err)
{
    json_object *root, *list = NULL, *item;
    size_t i, n = 1;
    int best = 99, firing = 0;

    root = parse_object(m->pool, payload, "notification payload", err);
    if (root == NULL)
        return LW_EINVAL;
    if (json_object_object_get_ex(root, "alerts", &list)
        && json_object_is_type(list, json_type_array)) {
        n = json_object_array_length(list);
        if (n == 0) {
            lw_err_set(err, "notification payload has an empty \"alerts\" group");
            return LW_EINVAL;
        }
    } else {
        list = NULL;
    }
    m->alerts = lw_pool_alloc(m->pool, n * sizeof(*m->alerts));
    if (m->alerts == NULL)
        return LW_ENOMEM;
    m->n_alerts = n;
    for (i = 0; i < n; i++) {
        item = list ? json_object_array_get_idx(list, i) : root;
        if (!json_object_is_type(item, json_type_object)) {
            lw_err_set(err, "member %zu of the \"alerts\" group is not an object", i);
            return LW_EINVAL;
        }
        fill_alert(m->pool, &m->alerts[i], item, root);
        if (m->alerts[i].alert_id == 0 && n == 1)
            m->alerts[i].alert_id = alert_id;
        if (severity_rank(m->alerts[i].severity) < best) {
            best = severity_rank(m->alerts[i].severity);
            m->severity = m->alerts[i].severity;
        }
        firing |= !lw_streq(m->alerts[i].state, "resolved");
    }
    m->state = firing ? "firing" : "resolved";
    if (m->kind == NULL)
        m->kind = "alert";
    return LW_OK;
}

int
lw_channel_is_done(const lw_channel_msg *m, const char *part)
{
    size_t i, n;

    if (m->done == NULL || !json_object_is_type(m->done, json_type_array))
        return 0;
    n = json_object_array_length(m->done);
    for (i = 0; i < n; i++)
        if (lw_streq(json_object_get_string(json_object_array_get_idx(m->done, i)), part))
            return 1;
    return 0;
}

int
lw_channel_mark(lw_channel_msg *m, const char *part, lw_err *err)
{
    if (m->done == NULL) {
        m->done = json_object_new_array();
        if (m->done == NULL || lw_pool_cleanup_add(m->pool, json_put, m->done) != LW_OK)
            return LW_ENOMEM;
    }
    json_object_array_add(m->done, json_object_new_string(part));
    return m->mark_done ? m->mark_done(m, part, err) : LW_OK;
}

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

char *
lw_channel_text(const lw_channel_msg *m)
{
    lw_buf b = { 0 };
    char *s;
    size_t i;

    if (lw_streq(m->kind, "test"))
        lw_buf_puts(&b, "This is a test notification sent by `llmwatch test-alert`.\n\n");
    if (m->n_alerts > 1)
        lw_buf_printf(&b, "%zu alerts (%s, highest severity %s)\n\n", m->n_alerts,
                      lw_streq(m->state, "resolved") ? "all resolved" : "firing", m->severity);
    for (i = 0; i < m->n_alerts; i++) {
        if (i > 0)
            lw_buf_puts(&b, "\n----\n\n");
        text_alert(&b, m, &m->alerts[i]);
    }
    lw_buf_puts(&b, "\n-- \nllmwatch\n");
    s = lw_pool_strdup(m->pool, b.data);
    lw_buf_free(&b);
    return s;
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
    char *s;
    size_t i;

    lw_buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    lw_html_escape(&b, lw_channel_subject(m));
    lw_buf_puts(&b, "</title></head>\n<body style=\"font-family:sans-serif\">\n");
    if (lw_streq(m->kind, "test"))
        lw_buf_puts(&b, "<p><em>This is a test notification sent by "
                        "<code>llmwatch test-alert</code>.</em></p>\n");
    if (m->n_alerts > 1)
        lw_buf_printf(&b, "<p>%zu alerts, highest severity %s.</p>\n", m->n_alerts,
                      severity_rank(m->severity) < 3 ? m->severity : "unknown");
    for (i = 0; i < m->n_alerts; i++) {
        if (i > 0)
            lw_buf_puts(&b, "<hr>\n");
        html_alert(&b, m, &m->alerts[i]);
    }
    lw_buf_puts(&b, "<p style=\"color:#666\">llmwatch</p>\n</body></html>\n");
    s = lw_pool_strdup(m->pool, b.data);
    lw_buf_free(&b);
    return s;
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

/* ---- Markdown to Slack mrkdwn ---- */

void
lw_channel_slack_escape(lw_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': lw_buf_puts(b, "&amp;"); break;
        case '<': lw_buf_puts(b, "&lt;"); break;
        case '>': lw_buf_puts(b, "&gt;"); break;
        default:  lw_buf_putc(b, *s);
        }
    }
}

static int
slack_link_ok(const char *u)
{
    return (lw_channel_is_http_url(u) || (u && strncasecmp(u, "mailto:", 7) == 0))
        && strpbrk(u, "|<> \t\r\n") == NULL;
}

char *
lw_channel_markdown_mrkdwn(const char *md)
{
    cmark_node *doc = cmark_parse_document(md, strlen(md), CMARK_OPT_VALIDATE_UTF8);
    cmark_iter *it;
    cmark_event_type ev;
    cmark_node *n, *parent, *sib;
    lw_buf b = { 0 };
    int depth, i, enter;

    if (doc == NULL)
        return NULL;
    it = cmark_iter_new(doc);
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        n = cmark_iter_get_node(it);
        enter = ev == CMARK_EVENT_ENTER;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_PARAGRAPH:
            parent = cmark_node_parent(n);
            if (!enter && !(parent && cmark_node_get_type(parent) == CMARK_NODE_ITEM
                            && cmark_node_get_list_tight(cmark_node_parent(parent))))
                lw_buf_puts(&b, "\n");
            if (!enter)
                lw_buf_puts(&b, "\n");
            break;
        case CMARK_NODE_HEADING:
            lw_buf_puts(&b, enter ? "*" : "*\n\n");
            break;
        case CMARK_NODE_BLOCK_QUOTE:
            if (enter)
                lw_buf_puts(&b, "> ");
            break;
        case CMARK_NODE_ITEM:
            if (enter) {
                depth = 0;
                for (parent = cmark_node_parent(n); parent; parent = cmark_node_parent(parent))
                    if (cmark_node_get_type(parent) == CMARK_NODE_LIST)
                        depth++;
                for (i = 1; i < depth; i++)
                    lw_buf_puts(&b, "    ");
                parent = cmark_node_parent(n);
                if (cmark_node_get_list_type(parent) == CMARK_ORDERED_LIST) {
                    i = cmark_node_get_list_start(parent);
                    for (sib = cmark_node_previous(n); sib; sib = cmark_node_previous(sib))
                        i++;
                    lw_buf_printf(&b, "%d. ", i);
                } else {
                    lw_buf_puts(&b, "\xe2\x80\xa2 ");   /* bullet */
                }
            }
            break;
        case CMARK_NODE_LIST:
            if (!enter && cmark_node_get_list_tight(n))
                lw_buf_puts(&b, "\n");
            break;
        case CMARK_NODE_CODE_BLOCK:
            lw_buf_puts(&b, "```\n");
            lw_channel_slack_escape(&b, cmark_node_get_literal(n));
            lw_buf_puts(&b, "```\n\n");
            break;
        case CMARK_NODE_THEMATIC_BREAK:
            lw_buf_puts(&b, "----\n\n");
            break;
        case CMARK_NODE_TEXT:
            lw_channel_slack_escape(&b, cmark_node_get_literal(n));
            break;
        case CMARK_NODE_CODE:
            lw_buf_puts(&b, "`");
            lw_channel_slack_escape(&b, cmark_node_get_literal(n));
            lw_buf_puts(&b, "`");
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            lw_buf_puts(&b, "\n");
            break;
        case CMARK_NODE_EMPH:
            lw_buf_puts(&b, "_");
            break;
        case CMARK_NODE_STRONG:
            lw_buf_puts(&b, "*");
            break;
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE:
            if (slack_link_ok(cmark_node_get_url(n))) {
                if (enter) {
                    lw_buf_putc(&b, '<');
                    lw_channel_slack_escape(&b, cmark_node_get_url(n));
                    lw_buf_putc(&b, '|');
                } else
                    lw_buf_puts(&b, ">");
            }
            break;
        default:
            /* raw HTML is dropped, as in the HTML rendering */
            break;
        }
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
    /* trim trailing blank lines */
    while (b.len > 0 && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    if (b.data == NULL)
        lw_buf_puts(&b, "");
    return lw_buf_steal(&b);
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

/* ==== HTTP ==== */

struct sink {
    lw_buf *body;
    long retry_after;
};

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nmemb, room;

    if (s->body != NULL && s->body->len < RESP_MAX) {
        room = RESP_MAX - s->body->len;
        lw_buf_append(s->body, ptr, n < room ? n : room);
    }
    return n;
}

static size_t
on_header(char *buf, size_t size, size_t nitems, void *ud)
{
    struct sink *s = ud;
    size_t n = size * nitems;
    char val[128], *end;
    time_t when;
    long v;

    if (n > 12 && strncasecmp(buf, "retry-after:", 12) == 0) {
        snprintf(val, sizeof(val), "%.*s", (int) (n - 12), buf + 12);
        val[strcspn(val, "\r\n")] = '\0';
        v = strtol(val, &end, 10);
        if (end != val && *end == '\0' && v >= 0)
            s->retry_after = v;
        else if ((when = curl_getdate(val + strspn(val, " "), NULL)) > 0)
            s->retry_after = when > time(NULL) ? (long) (when - time(NULL)) : 0;
    }
    return n;
}

/* A short, single-line excerpt of a response body for last_error. */
static void
excerpt(char *out, size_t size, const lw_buf *b)
{
    size_t i, j = 0;

    for (i = 0; b->data && i < b->len && j + 1 < size && i < 200; i++)
        out[j++] = ((unsigned char) b->data[i] < 0x20 || b->data[i] == 0x7f) ? ' ' : b->data[i];
    out[j] = '\0';
}

int
lw_channel_http_post(const lw_channel_http *req, lw_channel_result *r, lw_buf *resp)
{
    char errbuf[CURL_ERROR_SIZE] = "", ct[200], ex[210];
    struct curl_slist *hdrs = NULL, *h;
    lw_buf own = { 0 };
    struct sink sink = { resp ? resp : &own, -1 };
    int timeout = req->timeout_s > 0 ? req->timeout_s : 10;
    const char *what = req->what ? req->what : "receiver";
    CURL *c;
    CURLcode rc;
    long status = 0;
    int ret = LW_OK;

    r->requests++;
    r->http_status = 0;
    c = curl_easy_init();
    if (c == NULL) {
        lw_channel_result_set(r, LW_CHANNEL_RETRY, "%s: cannot create a curl handle", what);
        return LW_ENOMEM;
    }
    snprintf(ct, sizeof(ct), "Content-Type: %s", req->content_type ? req->content_type : "application/json");
    hdrs = curl_slist_append(hdrs, ct);
    hdrs = curl_slist_append(hdrs, "Expect:");
    for (h = req->headers; h; h = h->next)
        hdrs = curl_slist_append(hdrs, h->data);
    if (hdrs == NULL) {
        ret = LW_ENOMEM;
        lw_channel_result_set(r, LW_CHANNEL_RETRY, "%s: out of memory", what);
        goto cleanup;
    }
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long) timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long) (timeout < 5 ? timeout : 5));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "llmwatch/0.1");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t) (req->body ? (req->body_len ? req->body_len : strlen(req->body)) : 0));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (req->username) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, req->username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, req->password ? req->password : "");
    }
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    r->http_status = status;
    r->retry_after_s = sink.retry_after;
    excerpt(ex, sizeof(ex), sink.body);
    if (rc != CURLE_OK) {
        /* a malformed URL or scheme will not get better by waiting */
        lw_channel_result_set(r, rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL
                              ? LW_CHANNEL_FAILED : LW_CHANNEL_RETRY, "%s: %s", what,
                              errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (status >= 200 && status < 300) {
        lw_channel_result_set(r, LW_CHANNEL_SENT, "%s", "");
    } else if (status == 429 || status == 408 || status == 425 || status >= 500) {
        lw_channel_result_set(r, LW_CHANNEL_RETRY, "%s: HTTP %ld%s%s", what, status,
                              ex[0] ? ": " : "", ex);
    } else {
        lw_channel_result_set(r, LW_CHANNEL_FAILED, "%s: HTTP %ld%s%s", what, status,
                              ex[0] ? ": " : "", ex);
    }

cleanup:
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    lw_buf_free(&own);
    return ret;
}

/* ==== dispatch ==== */

typedef int (*send_fn)(lw_channel_msg *m, lw_channel_result *r);

static const send_fn senders[LW_CHANNEL_COUNT] = {
    [LW_CHANNEL_EMAIL]        = lw_channel_email_send,
    [LW_CHANNEL_SLACK]        = lw_channel_slack_send,
    [LW_CHANNEL_PAGERDUTY]    = lw_channel_pagerduty_send,
    [LW_CHANNEL_WEBHOOK]      = lw_channel_webhook_send,
    [LW_CHANNEL_SMS]          = lw_channel_sms_send,
    [LW_CHANNEL_ALERTMANAGER] = lw_channel_alertmanager_send,
};

int
lw_channel_send(lw_channel_msg *m, lw_channel_result *r)
{
    lw_err err;

    memset(r, 0, sizeof(*r));
    r->retry_after_s = -1;
    if ((int) m->type < 0 || m->type >= LW_CHANNEL_COUNT || senders[m->type] == NULL) {
        lw_channel_result_set(r, LW_CHANNEL_FAILED, "unknown channel type");
        return LW_OK;
    }
    if (m->n_alerts == 0 || m->alerts == NULL) {
        lw_channel_result_set(r, LW_CHANNEL_FAILED, "nothing to send");
        return LW_OK;
    }
    if (m->now == 0)
        m->now = time(NULL);
    if (m->timeout_s <= 0)
        m->timeout_s = 10;
    if (lw_channel_global_init(&err) != LW_OK) {
        lw_channel_result_set(r, LW_CHANNEL_RETRY, "%s", err.msg);
        return LW_OK;
    }
    return senders[m->type](m, r);
}
