/* channel_email.c: email through libcurl's SMTP: smtp:// with
 * STARTTLS when the server offers it (required when a password would
 * otherwise cross the network in clear), or smtps://; the message built
 * with curl_mime as text/plain and text/html alternatives (plus
 * attachments for reports); Date and a Message-ID derived from the outbox
 * row's idempotency key, so a re-sent copy is recognisably the same mail. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "notify/channel.h"
#include "crypto.h"

static void
base64(lw_buf *b, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;
    unsigned v;

    for (i = 0; i + 2 < n; i += 3) {
        v = (unsigned) p[i] << 16 | (unsigned) p[i + 1] << 8 | p[i + 2];
        lw_buf_putc(b, tab[v >> 18]);
        lw_buf_putc(b, tab[(v >> 12) & 63]);
        lw_buf_putc(b, tab[(v >> 6) & 63]);
        lw_buf_putc(b, tab[v & 63]);
    }
    if (i < n) {
        v = (unsigned) p[i] << 16 | (i + 1 < n ? (unsigned) p[i + 1] << 8 : 0);
        lw_buf_putc(b, tab[v >> 18]);
        lw_buf_putc(b, tab[(v >> 12) & 63]);
        lw_buf_putc(b, i + 1 < n ? tab[(v >> 6) & 63] : '=');
        lw_buf_putc(b, '=');
    }
}

/* A header value on one line: CR, LF and other controls become spaces, so
 * no payload string can add a header (rule names come from users). */
static void
header_text(lw_buf *b, const char *s)
{
    for (; s && *s; s++)
        lw_buf_putc(b, ((unsigned char) *s < 0x20 || *s == 0x7f) ? ' ' : *s);
}

/* Subject per RFC 2047 when it is not plain ASCII: B-encoded words of at
 * most 75 characters, never splitting a UTF-8 character. */
static void
subject_text(lw_buf *b, const char *s)
{
    const unsigned char *p;
    lw_buf clean = { 0 };
    size_t off, n, len;

    header_text(&clean, s);
    for (p = (const unsigned char *) (clean.data ? clean.data : ""); *p; p++)
        if (*p >= 0x80)
            break;
    if (*p == '\0') {
        lw_buf_puts(b, clean.data ? clean.data : "");
        lw_buf_free(&clean);
        return;
    }
    len = clean.len;
    for (off = 0; off < len; off += n) {
        n = len - off > 45 ? 45 : len - off;
        while (off + n < len && ((unsigned char) clean.data[off + n] & 0xC0) == 0x80)
            n--;
        if (off > 0)
            lw_buf_putc(b, ' ');
        lw_buf_puts(b, "=?UTF-8?B?");
        base64(b, (const unsigned char *) clean.data + off, n);
        lw_buf_puts(b, "?=");
    }
    lw_buf_free(&clean);
}

/* The address of "Name <a@b>" or "a@b", for the SMTP envelope. */
static char *
envelope_addr(const char *s)
{
    const char *lt = strrchr(s, '<'), *gt;
    lw_buf b = { 0 };

    if (lt && (gt = strchr(lt, '>')) != NULL)
        lw_buf_printf(&b, "<%.*s>", (int) (gt - lt - 1), lt + 1);
    else
        lw_buf_printf(&b, "<%s>", s);
    return lw_buf_steal(&b);
}

static void
rfc5322_date(time_t t, char out[64])
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;

    gmtime_r(&t, &tm);
    snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

struct curl_slist *
lw_channel_mail_headers(const lw_channel_mail *mail)
{
    struct curl_slist *h = NULL, *t, *result = NULL;
    lw_buf b = { 0 };
    char date[64];
    size_t i;

#define ADD() do {                                           \
        t = curl_slist_append(h, b.data ? b.data : "");      \
        if (t == NULL)                                       \
            goto cleanup;                                    \
        h = t;                                               \
        lw_buf_reset(&b);                                    \
    } while (0)

    rfc5322_date(mail->date ? mail->date : time(NULL), date);
    lw_buf_printf(&b, "Date: %s", date);
    ADD();
    lw_buf_puts(&b, "From: ");
    header_text(&b, mail->from);
    ADD();
    lw_buf_puts(&b, "To: ");
    for (i = 0; i < mail->n_to; i++) {
        if (i > 0)
            lw_buf_puts(&b, ", ");
        header_text(&b, mail->to[i]);
    }
    ADD();
    lw_buf_puts(&b, "Subject: ");
    subject_text(&b, mail->subject);
    ADD();
    if (mail->message_id) {
        lw_buf_puts(&b, "Message-ID: <");
        header_text(&b, mail->message_id);
        lw_buf_puts(&b, ">");
        ADD();
    }
    lw_buf_puts(&b, "X-Mailer: llmwatch");
    ADD();
#undef ADD
    result = h;
    h = NULL;

cleanup:
    lw_buf_free(&b);
    curl_slist_free_all(h);
    return result;
}

/* Text with CRLF line ends, as mail wants them (quoted-printable then
 * keeps lines instead of encoding every LF as =0A). Caller frees. */
static char *
crlf(const char *s)
{
    lw_buf b = { 0 };

    for (; s && *s; s++) {
        if (*s == '\n' && (b.len == 0 || b.data[b.len - 1] != '\r'))
            lw_buf_putc(&b, '\r');
        lw_buf_putc(&b, *s);
    }
    if (b.data == NULL)
        lw_buf_puts(&b, "");
    return lw_buf_steal(&b);
}

/* One alternative of the body: s with CRLF line ends, quoted-printable. 0
 * or -1. */
static int
add_text(curl_mime *alt, const char *s, const char *type)
{
    curl_mimepart *part = curl_mime_addpart(alt);
    char *text = crlf(s);
    int rc = -1;

    /* curl_mime_data copies the data */
    if (part != NULL && text != NULL && !curl_mime_data(part, text, CURL_ZERO_TERMINATED)
        && !curl_mime_type(part, type) && !curl_mime_encoder(part, "quoted-printable"))
        rc = 0;
    free(text);
    return rc;
}

curl_mime *
lw_channel_mail_mime(CURL *h, const lw_channel_mail *mail)
{
    curl_mime *mime = curl_mime_init(h), *alt = NULL, *result = NULL;
    curl_mimepart *part;
    struct curl_slist *inline_hdr = NULL;
    size_t i;

    alt = curl_mime_init(h);
    if (mime == NULL || alt == NULL)
        goto cleanup;
    if (add_text(alt, mail->text, "text/plain; charset=utf-8") != 0
        || (mail->html && add_text(alt, mail->html, "text/html; charset=utf-8") != 0))
        goto cleanup;
    /* the alternatives as the first part of the (multipart/mixed) message */
    part = curl_mime_addpart(mime);
    if (part == NULL || curl_mime_subparts(part, alt))
        goto cleanup;
    alt = NULL;   /* owned by part now */
    if (curl_mime_type(part, "multipart/alternative"))
        goto cleanup;
    inline_hdr = curl_slist_append(NULL, "Content-Disposition: inline");
    if (inline_hdr == NULL || curl_mime_headers(part, inline_hdr, 1))
        goto cleanup;
    inline_hdr = NULL;
    for (i = 0; i < mail->n_attachments; i++) {
        const lw_channel_attachment *a = &mail->attachments[i];

        part = curl_mime_addpart(mime);
        if (part == NULL || curl_mime_data(part, a->data, a->len)
            || curl_mime_filename(part, a->filename)
            || curl_mime_type(part, a->content_type ? a->content_type : "application/octet-stream")
            || curl_mime_encoder(part, "base64"))
            goto cleanup;
    }
    result = mime;
    mime = NULL;

cleanup:
    curl_slist_free_all(inline_hdr);
    curl_mime_free(alt);
    curl_mime_free(mime);
    return result;
}

static int
loopback_url(const char *url)
{
    const char *host = strstr(url, "://");
    size_t n;

    if (host == NULL)
        return 0;
    host += 3;
    if (strchr(host, '@') && strchr(host, '@') < host + strcspn(host, "/"))
        host = strchr(host, '@') + 1;
    n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/");
    return (n == 9 && strncasecmp(host, "localhost", 9) == 0)
        || strncmp(host, "127.", 4) == 0 || (n == 5 && strncmp(host, "[::1]", 5) == 0);
}

int
lw_channel_mail_send(const lw_channel_mail *mail, lw_channel_result *r)
{
    char errbuf[CURL_ERROR_SIZE] = "", *from = NULL, *addr;
    struct curl_slist *rcpt = NULL, *hdrs = NULL, *t;
    int timeout = mail->timeout_s > 0 ? mail->timeout_s : 10;
    curl_mime *mime = NULL;
    CURL *c;
    CURLcode rc;
    long code = 0;
    size_t i;
    int ret;

    r->requests++;
    r->http_status = 0;
    lw_channel_result_set(r, LW_CHANNEL_RETRY, "smtp: out of memory");
    c = curl_easy_init();
    if (c == NULL)
        return LW_ENOMEM;
    ret = LW_ENOMEM;
    from = envelope_addr(mail->from);
    for (i = 0; i < mail->n_to; i++) {
        addr = envelope_addr(mail->to[i]);
        t = curl_slist_append(rcpt, addr);
        free(addr);
        if (t == NULL)
            goto cleanup;
        rcpt = t;
    }
    hdrs = lw_channel_mail_headers(mail);
    mime = lw_channel_mail_mime(c, mail);
    if (hdrs == NULL || mime == NULL || rcpt == NULL)
        goto cleanup;
    ret = LW_OK;

    curl_easy_setopt(c, CURLOPT_URL, mail->smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long) timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long) (timeout < 5 ? timeout : 5));
    if (strncasecmp(mail->smtp_url, "smtp://", 7) == 0)
        /* STARTTLS when offered; insisted on when a password would
         * otherwise go over the network in clear */
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long) (mail->password && !loopback_url(mail->smtp_url)
                                                     ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (mail->username) {
        curl_easy_setopt(c, CURLOPT_USERNAME, mail->username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, mail->password ? mail->password : "");
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
#if LIBCURL_VERSION_NUM >= 0x080200
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#elif LIBCURL_VERSION_NUM >= 0x074500
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
#endif
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    r->http_status = code;
    if (rc == CURLE_OK)
        lw_channel_result_set(r, LW_CHANNEL_SENT, "%s", "");
    else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL
             || (code >= 500 && code < 600))
        /* SMTP 5xx (unknown user, relay denied, bad credentials) is final */
        lw_channel_result_set(r, LW_CHANNEL_FAILED, "smtp: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    else
        lw_channel_result_set(r, LW_CHANNEL_RETRY, "smtp: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));

cleanup:
    curl_mime_free(mime);
    curl_slist_free_all(hdrs);
    curl_slist_free_all(rcpt);
    free(from);
    curl_easy_cleanup(c);
    return ret;
}

/* Message-ID local part: the idempotency key when it is a plain token,
 * else its SHA-256 (stable across retries either way). */
static const char *
message_id(lw_channel_msg *m)
{
    const char *k = m->idempotency_key ? m->idempotency_key : "", *p;
    uint8_t sum[LW_CRYPTO_SHA256_LEN];
    char hex[LW_CRYPTO_SHA256_HEX_LEN];

    for (p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || *p == '-' || *p == '_' || (*p == '.' && p != k && p[1] && p[1] != '.')))
            break;
    if (*p != '\0' || p == k || p - k > 200) {
        lw_crypto_sha256(k, strlen(k), sum);
        lw_crypto_hex(sum, sizeof(sum), hex);
        k = lw_pool_strdup(m->pool, hex);
    }
    return lw_pool_printf(m->pool, "%s@llmwatch", k);
}

int
lw_channel_email_send(lw_channel_msg *m, lw_channel_result *r)
{
    const char *pw_env = lw_channel_setting(m, "password_env");
    const char *url = NULL;
    const char **to;
    json_object *list = NULL;
    lw_channel_mail mail;
    lw_err err;
    char *password = NULL;
    size_t i, n;

    if (!json_object_object_get_ex(m->settings, "recipients", &list)
        || !json_object_is_type(list, json_type_array) || json_object_array_length(list) == 0) {
        lw_channel_result_set(r, LW_CHANNEL_FAILED, "email: no recipients");
        return LW_OK;
    }
    n = json_object_array_length(list);
    to = lw_pool_alloc(m->pool, n * sizeof(*to));
    if (to == NULL)
        return LW_ENOMEM;
    for (i = 0; i < n; i++)
        to[i] = json_object_get_string(json_object_array_get_idx(list, i));

    /* stored as written: a ${VAR} (which may hold user:password@) is
     * resolved here, from this worker's environment, at send time */
    if (lw_channel_setting(m, "smtp_url") != NULL) {
        url = lw_channel_secret(m, "smtp_url", &err);
        if (url == NULL) {
            lw_channel_result_set(r, LW_CHANNEL_RETRY, "email: smtp_url: %s", err.msg);
            return LW_OK;
        }
    }
    if (pw_env != NULL) {
        const char *v = getenv(pw_env);

        if (v == NULL || v[0] == '\0') {
            lw_channel_result_set(r, LW_CHANNEL_RETRY, "email: environment variable %s is not set "
                                  "in the notify worker", pw_env);
            return LW_OK;
        }
        password = lw_pool_strdup(m->pool, v);
    } else if (lw_channel_setting(m, "password") != NULL) {
        password = lw_channel_secret(m, "password", &err);
        if (password == NULL) {
            lw_channel_result_set(r, LW_CHANNEL_RETRY, "email: %s", err.msg);
            return LW_OK;
        }
    }

    memset(&mail, 0, sizeof(mail));
    mail.smtp_url = url ? url : "smtp://localhost:25";
    mail.username = lw_channel_setting(m, "username");
    mail.password = password;
    mail.from = lw_channel_setting(m, "from");
    if (mail.from == NULL)
        mail.from = "llmwatch@localhost";
    mail.to = to;
    mail.n_to = n;
    mail.subject = lw_channel_subject(m);
    mail.message_id = message_id(m);
    mail.date = m->now;
    mail.text = lw_channel_text(m);
    mail.html = lw_channel_html(m);
    mail.timeout_s = m->timeout_s;
    return lw_channel_mail_send(&mail, r);
}
