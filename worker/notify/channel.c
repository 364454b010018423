/* channel.c: what every channel shares: process setup, the message parsed
 * from an outbox payload, secrets resolved at send time, JSON helpers and
 * the dispatch by channel type. Renderings are in render.c and mrkdwn.c,
 * the one HTTP POST in http.c. */
#include "notify/channel.h"

#include "crypto.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void
lw_channel_result_worst(lw_channel_result *worst, const lw_channel_result *r)
{
    if (r->outcome == LW_CHANNEL_RETRY && worst->outcome != LW_CHANNEL_RETRY)
        *worst = *r;
    else if (r->outcome == LW_CHANNEL_FAILED && worst->outcome == LW_CHANNEL_SENT)
        *worst = *r;
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
lw_channel_json_take(json_object *o)
{
    char *s = lw_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                          | JSON_C_TO_STRING_NOSLASHESCAPE));

    json_object_put(o);
    return s;
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
    if (lw_crypto_is_sealed(b.data)) {
        /* typed into the web interface: sealed with LLMWATCH_SECRET_KEY */
        uint8_t aes[LW_CRYPTO_KEY_LEN];
        char *plain = NULL;

        rc = lw_crypto_secret_key(aes, err);
        if (rc == LW_OK && lw_crypto_open(aes, b.data, &plain) != LW_OK)
            lw_err_set(err, "'%s' cannot be decrypted: it was sealed under another "
                            "LLMWATCH_SECRET_KEY (enter it again in the web interface)", key);
        explicit_bzero(aes, sizeof(aes));
        explicit_bzero(b.data, b.len);
        lw_buf_free(&b);
        if (plain == NULL) {
            if (rc != LW_OK)
                lw_err_set(err, "'%s' is sealed and LLMWATCH_SECRET_KEY is not usable in the "
                                "notify worker", key);
            return NULL;
        }
        v = lw_pool_strdup(m->pool, plain);
        explicit_bzero(plain, strlen(plain));
        free(plain);
    } else {
        v = lw_pool_strndup(m->pool, b.data, b.len);
        explicit_bzero(b.data, b.len);
        lw_buf_free(&b);
    }
    if (v == NULL || lw_pool_cleanup_add(m->pool, wipe_string, v) != LW_OK) {
        lw_err_set(err, "out of memory");
        return NULL;
    }
    return v;
}

char *
lw_channel_secret_or_fail(lw_channel_msg *m, const char *key, const char *what,
                          lw_channel_result *r)
{
    lw_err err;
    char *v = lw_channel_secret(m, key, &err);

    if (v == NULL)
        lw_channel_result_set(r, err.msg[0] ? LW_CHANNEL_RETRY : LW_CHANNEL_FAILED, "%s: %s",
                              what, err.msg[0] ? err.msg : lw_pool_printf(m->pool, "no %s", key));
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

int
lw_channel_severity_rank(const char *s)
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
        if (lw_channel_severity_rank(m->alerts[i].severity) < best) {
            best = lw_channel_severity_rank(m->alerts[i].severity);
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
