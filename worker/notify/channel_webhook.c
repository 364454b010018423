/* channel_webhook.c: the generic webhook: our own JSON document,
 * an Idempotency-Key header (the outbox row's key, the same on every retry,
 * so a receiver can drop a re-send after a crash) and, when a secret is set,
 * X-Llmwatch-Signature: sha256=HEX, the HMAC-SHA256 of the exact body. */
#include <stdlib.h>
#include <string.h>

#include "notify/channel.h"
#include "crypto.h"

static json_object *
alert_doc(const lw_channel_msg *m, const lw_channel_alert *a)
{
    json_object *o = json_object_new_object();
    const char *where = a->model && a->environment
        ? lw_pool_printf(m->pool, "%s (%s)", a->model, a->environment)
        : a->model ? a->model : a->environment;
    const char *title = a->rule ? a->rule : a->summary ? a->summary : "alert";

    json_object_object_add(o, "alert", json_object_new_string(
        where ? lw_pool_printf(m->pool, "%s on %s", title, where) : title));
    lw_channel_json_str(o, "rule", a->rule);
    lw_channel_json_str(o, "model", a->model);
    lw_channel_json_str(o, "environment", a->environment);
    lw_channel_json_str(o, "severity", a->severity);
    lw_channel_json_str(o, "state", a->state);
    if (a->has_value)
        lw_channel_json_num(o, "value", a->value);
    else
        json_object_object_add(o, "value", NULL);
    if (a->has_threshold)
        lw_channel_json_num(o, "threshold", a->threshold);
    else
        json_object_object_add(o, "threshold", NULL);
    lw_channel_json_str(o, "started_at", a->started_at);
    if (lw_streq(a->state, "resolved"))
        lw_channel_json_str(o, "resolved_at", a->ended_at);
    lw_channel_json_str(o, "summary", a->summary);
    lw_channel_json_str(o, "url", a->url);
    lw_channel_json_str(o, "runbook", a->runbook);
    if (a->alert_id > 0)
        json_object_object_add(o, "alert_id", json_object_new_int64(a->alert_id));
    return o;
}

/* Single alert: its fields at the top level, and "alerts" with it alone;
 * a group: "alerts" with every member. "id" is the Idempotency-Key. */
char *
lw_channel_webhook_body(const lw_channel_msg *m)
{
    json_object *o, *list = json_object_new_array(), *one, *v;
    size_t i;

    if (m->n_alerts == 1) {
        o = alert_doc(m, &m->alerts[0]);
    } else {
        o = json_object_new_object();
        json_object_object_add(o, "alert", json_object_new_string(lw_channel_subject(m)));
        lw_channel_json_str(o, "severity", m->severity);
        lw_channel_json_str(o, "state", m->state);
        json_object_object_add(o, "count", json_object_new_int64((int64_t) m->n_alerts));
    }
    for (i = 0; i < m->n_alerts; i++) {
        one = alert_doc(m, &m->alerts[i]);
        json_object_array_add(list, one);
    }
    /* id and kind first in the document for people reading logs */
    v = json_object_new_object();
    lw_channel_json_str(v, "id", m->idempotency_key);
    lw_channel_json_str(v, "kind", m->kind);
    json_object_object_foreach(o, key, val)
        json_object_object_add(v, key, json_object_get(val));
    json_object_object_add(v, "alerts", list);
    json_object_put(o);
    return lw_channel_json_take(v);
}

char *
lw_channel_webhook_signature(const char *key, const char *body, size_t len)
{
    char hex[LW_CRYPTO_SHA256_HEX_LEN];
    lw_buf b = { 0 };

    lw_crypto_hmac_sha256_hex(key, strlen(key), body, len, hex);
    lw_buf_printf(&b, "sha256=%s", hex);
    return lw_buf_steal(&b);
}

/* A header-safe form of a key: printable ASCII without spaces, else its
 * SHA-256 (stable, so every retry carries the same value). */
static char *
header_key(lw_pool *pool, const char *key)
{
    uint8_t sum[LW_CRYPTO_SHA256_LEN];
    char hex[LW_CRYPTO_SHA256_HEX_LEN];
    const char *p;

    for (p = key; *p; p++)
        if ((unsigned char) *p <= 0x20 || (unsigned char) *p >= 0x7f)
            break;
    if (*p == '\0' && p != key && p - key <= 200)
        return lw_pool_strdup(pool, key);
    lw_crypto_sha256(key, strlen(key), sum);
    lw_crypto_hex(sum, sizeof(sum), hex);
    return lw_pool_strdup(pool, hex);
}

int
lw_channel_webhook_send(lw_channel_msg *m, lw_channel_result *r)
{
    const char *url = lw_channel_setting(m, "url");
    struct curl_slist *hdrs = NULL;
    lw_err err;
    char *secret, *body, *sig = NULL, *line;
    int rc;

    if (url == NULL) {
        lw_channel_result_set(r, LW_CHANNEL_FAILED, "webhook: no url");
        return LW_OK;
    }
    secret = lw_channel_secret(m, "secret", &err);
    if (secret == NULL && err.msg[0]) {
        lw_channel_result_set(r, LW_CHANNEL_RETRY, "webhook: %s", err.msg);
        return LW_OK;
    }
    body = lw_channel_webhook_body(m);
    line = lw_pool_printf(m->pool, "Idempotency-Key: %s",
                          header_key(m->pool, m->idempotency_key ? m->idempotency_key : ""));
    hdrs = curl_slist_append(hdrs, line);
    if (secret != NULL) {
        sig = lw_channel_webhook_signature(secret, body, strlen(body));
        hdrs = curl_slist_append(hdrs, lw_pool_printf(m->pool, "X-Llmwatch-Signature: %s", sig));
    }
    rc = lw_channel_post(m, url, "webhook", NULL, body, hdrs, r, NULL);
    curl_slist_free_all(hdrs);
    free(sig);
    free(body);
    return rc;
}
