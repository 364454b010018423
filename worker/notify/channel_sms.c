/* channel_sms.c: Twilio-style SMS: POST {base}/2010-04-01/
 * Accounts/{sid}/Messages.json, form-encoded To/From/Body, basic auth
 * sid:token, one request per recipient, the text at most 160 bytes. SMS
 * has no idempotency key, so each recipient reached is recorded on the
 * outbox row at once and a retry skips it: only a crash in the instant
 * between Twilio's answer and that record can repeat one text. */
#include <stdlib.h>
#include <string.h>

#include "notify/channel.h"

#define SMS_MAX 160
#define SMS_DEFAULT_BASE "https://api.twilio.com"

static void
form_escape(lw_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;

    for (p = (const unsigned char *) s; p && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
            || *p == '-' || *p == '.' || *p == '_' || *p == '~')
            lw_buf_putc(b, (char) *p);
        else {
            lw_buf_putc(b, '%');
            lw_buf_putc(b, hex[*p >> 4]);
            lw_buf_putc(b, hex[*p & 15]);
        }
    }
}

char *
lw_channel_sms_body(const lw_channel_msg *m, const char *to)
{
    lw_buf b = { 0 };

    lw_buf_puts(&b, "To=");
    form_escape(&b, to);
    lw_buf_puts(&b, "&From=");
    form_escape(&b, lw_channel_setting(m, "from"));
    lw_buf_puts(&b, "&Body=");
    form_escape(&b, lw_channel_short(m, SMS_MAX));
    return lw_buf_steal(&b);
}

int
lw_channel_sms_send(lw_channel_msg *m, lw_channel_result *r)
{
    const char *base = lw_channel_setting(m, "url"), *sid = lw_channel_setting(m, "account_sid");
    json_object *to = NULL;
    lw_channel_http req;
    lw_buf url = { 0 };
    lw_err err;
    char *token, *body, *part;
    const char *number;
    lw_channel_result worst;
    size_t i, n;
    int rc = LW_OK;

    if (sid == NULL || lw_channel_setting(m, "from") == NULL
        || !json_object_object_get_ex(m->settings, "to", &to)
        || !json_object_is_type(to, json_type_array) || json_object_array_length(to) == 0) {
        lw_channel_result_set(r, LW_CHANNEL_FAILED, "sms: account_sid, from and to are required");
        return LW_OK;
    }
    token = lw_channel_secret_or_fail(m, "auth_token", "sms", r);
    if (token == NULL)
        return LW_OK;
    worst = *r;
    lw_channel_result_set(&worst, LW_CHANNEL_SENT, "%s", "");
    lw_buf_printf(&url, "%s/2010-04-01/Accounts/", base ? base : SMS_DEFAULT_BASE);
    form_escape(&url, sid);
    lw_buf_puts(&url, "/Messages.json");

    /* every recipient gets its chance; the worst outcome wins (a retry
     * then skips the recipients already reached) */
    n = json_object_array_length(to);
    for (i = 0; i < n && rc == LW_OK; i++) {
        number = json_object_get_string(json_object_array_get_idx(to, i));
        if (number == NULL || number[0] == '\0')
            continue;
        part = lw_pool_printf(m->pool, "sms:%s", number);
        if (lw_channel_is_done(m, part))
            continue;
        body = lw_channel_sms_body(m, number);
        memset(&req, 0, sizeof(req));
        req.url = url.data;
        req.what = "sms api";
        req.content_type = "application/x-www-form-urlencoded";
        req.body = body;
        req.username = sid;
        req.password = token;
        req.timeout_s = m->timeout_s;
        rc = lw_channel_http_post(&req, r, NULL);
        free(body);
        if (r->outcome == LW_CHANNEL_SENT && lw_channel_mark(m, part, &err) != LW_OK) {
            /* another worker holds the row now: stop before texting twice */
            lw_channel_result_set(r, LW_CHANNEL_RETRY, "sms: %s", err.msg);
            worst = *r;
            break;
        }
        lw_channel_result_worst(&worst, r);
    }
    worst.requests = r->requests;
    *r = worst;
    lw_buf_free(&url);
    return rc;
}
