/* http.c: the one HTTP POST of the HTTP channels, with one classification
 * of answers: 2xx sent; 429 (Retry-After honoured), 408, 425, 5xx,
 * timeouts and connection errors retried; other 4xx failed. */
#include "notify/channel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RESP_MAX 8192

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


int
lw_channel_post(const lw_channel_msg *m, const char *url, const char *what,
                const char *content_type, const char *body, struct curl_slist *headers,
                lw_channel_result *r, lw_buf *resp)
{
    lw_channel_http req;

    memset(&req, 0, sizeof(req));
    req.url = url;
    req.what = what;
    req.content_type = content_type;
    req.body = body;
    req.headers = headers;
    req.timeout_s = m->timeout_s;
    return lw_channel_http_post(&req, r, resp);
}
