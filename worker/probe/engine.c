/* engine.c: runs a batch of probe requests concurrently over one
 * libcurl multi handle in the calling thread, with a concurrency limit per
 * model, and measures each one from inside libcurl's callbacks. */
#include "probe/probe.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ERRBODY_MAX (64 * 1024)     /* what we keep of a non-2xx body */
#define NONE ((size_t) -1)

struct group {
    const char *key;
    size_t      limit;
    size_t      running;
    size_t      head, tail;         /* pending jobs, linked through xfer.next */
};

struct xfer {
    lw_probe_job      *job;
    const lw_provider_ops *prov;
    lw_http_req        req;
    struct curl_slist *hdrs;
    CURL              *easy;
    lw_stream          st;
    lw_buf             errbody;
    size_t             body_cap;
    size_t             body_bytes;
    long               status;
    int                status_known;
    int                oversize;
    int                parse_failed;
    int64_t            t_start, t_sent, t_last;
    int64_t            retry_after;
    size_t             group;
    size_t             next;
    char               gkey[512];
    char               errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void
curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
lw_probe_opts_defaults(lw_probe_opts *o)
{
    if (o->timeout_ms <= 0)
        o->timeout_ms = 60000;
    if (o->connect_timeout_ms <= 0)
        o->connect_timeout_ms = 10000;
    if (o->stall_s <= 0)
        o->stall_s = 30;
    if (o->per_model <= 0)
        o->per_model = 4;
    if (o->max_total <= 0)
        o->max_total = 64;
    if (o->body_cap == 0)
        o->body_cap = 1024 * 1024;
    if (o->text_cap == 0)
        o->text_cap = 16 * 1024;
    if (o->user_agent == NULL)
        o->user_agent = "llmwatch/1";
}

/* ---- libcurl callbacks: every timestamp is taken here -------------------- */

/* "Request sent" is the last CURLINFO_HEADER_OUT/DATA_OUT event: libcurl
 * reports them right after send() handed those bytes to the kernel, so
 * the last one is the moment the whole request (headers and JSON body) was
 * out. Earlier marks are wrong in both directions: CURLINFO_PRETRANSFER
 * comes before the request is written, a mark taken when the handle is
 * added includes DNS, connect, TLS and queueing. When a reused connection
 * turns out dead, libcurl resends on a new one and the later events win. */
static int
on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
    struct xfer *x = ud;

    (void) h;
    (void) data;
    (void) size;
    if (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT)
        x->t_sent = lw_now_mono_us();
    return 0;
}

static int64_t
parse_retry_after(const char *v, size_t n)
{
    char tmp[128];
    time_t t, now;
    char *end;
    long long s;

    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    s = strtoll(tmp, &end, 10);
    if (end != tmp && *end == '\0')
        return s < 0 ? -1 : (int64_t) s;
    /* or an HTTP date */
    t = curl_getdate(tmp, NULL);
    if (t == (time_t) -1)
        return -1;
    now = time(NULL);
    return t > now ? (int64_t) (t - now) : 0;
}

static size_t
on_header(char *buf, size_t size, size_t nitems, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nitems;

    if (n >= 5 && strncasecmp(buf, "HTTP/", 5) == 0)
        x->retry_after = -1;        /* a new response (after 100, or a resend) */
    else if (n > 12 && strncasecmp(buf, "retry-after:", 12) == 0)
        x->retry_after = parse_retry_after(buf + 12, n - 12);
    return n;
}

/* Body bytes. The first-token moment is this callback's entry time for
 * the read that completes the first non-empty content delta. */
static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb, room;
    int64_t now = lw_now_mono_us();

    if (!x->status_known) {
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
        x->status_known = 1;
    }
    if (n > x->body_cap - x->body_bytes) {
        x->oversize = 1;
        return 0;                   /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    x->body_bytes += n;
    x->t_last = now;
    if (x->status >= 200 && x->status <= 299) {
        if (lw_stream_feed(&x->st, ptr, n, now) != LW_OK) {
            x->parse_failed = 1;
            return 0;
        }
    } else if (x->errbody.len < ERRBODY_MAX) {
        room = ERRBODY_MAX - x->errbody.len;
        if (lw_buf_append(&x->errbody, ptr, n < room ? n : room) != LW_OK)
            return 0;
    }
    return n;
}

/* ---- one transfer ------------------------------------------------------- */

static lw_probe_errclass
classify_curl(CURLcode c)
{
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
        return LW_PERR_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
        return LW_PERR_CONNECT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
        return LW_PERR_TLS;
    default:
        return LW_PERR_PROTOCOL;
    }
}

static void
xfer_release(struct xfer *x)
{
    struct curl_slist *h;

    if (x->easy) {
        curl_easy_cleanup(x->easy);
        x->easy = NULL;
    }
    for (h = x->hdrs; h; h = h->next)
        explicit_bzero(h->data, strlen(h->data));     /* the key is in one */
    curl_slist_free_all(x->hdrs);
    x->hdrs = NULL;
    lw_http_req_free(&x->req);
    lw_stream_free(&x->st);
    lw_buf_free(&x->errbody);
}

static int
xfer_setup(struct xfer *x, const lw_probe_opts *o)
{
    struct curl_slist *h;
    size_t i;
    CURL *e;

    e = x->easy = curl_easy_init();
    if (e == NULL)
        return LW_ENOMEM;
    for (i = 0; i < x->req.n_headers; i++) {
        if ((h = curl_slist_append(x->hdrs, x->req.headers[i])) == NULL)
            return LW_ENOMEM;
        x->hdrs = h;
    }
    /* no "Expect: 100-continue" round trip before the body */
    if ((h = curl_slist_append(x->hdrs, "Expect:")) == NULL)
        return LW_ENOMEM;
    x->hdrs = h;
    x->retry_after = -1;
    x->body_cap = o->body_cap;
    lw_stream_init(&x->st, x->prov);

    curl_easy_setopt(e, CURLOPT_URL, x->req.url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->req.body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) strlen(x->req.body));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     (long) (x->job->timeout_ms > 0 ? x->job->timeout_ms : o->timeout_ms));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long) o->connect_timeout_ms);
    /* a provider that stalls (under 1 byte/s for stall_s) is cut before the
     * total timeout; both end as CURLE_OPERATION_TIMEDOUT */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long) o->stall_s);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    /* the debug callback only runs with VERBOSE on; it prints nothing */
    curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(e, CURLOPT_DEBUGDATA, x);
    curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    return LW_OK;
}

/* A phase of the transfer from its start, by libcurl's clock, in ms; -1
 * when the transfer never got there (0 from libcurl). */
static double
phase_ms(CURL *e, CURLINFO what)
{
    curl_off_t us = 0;

    if (e == NULL || curl_easy_getinfo(e, what, &us) != CURLE_OK || us <= 0)
        return -1;
    return (double) us / 1000.0;
}

static int
xfer_done(struct xfer *x, CURLcode code, const lw_probe_opts *o)
{
    lw_probe_outcome oc;
    int64_t now = lw_now_mono_us();
    int got_2xx, rc;

    memset(&oc, 0, sizeof(oc));
    if (!x->status_known && x->easy)
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
    oc.http_status = x->status;
    got_2xx = x->status >= 200 && x->status <= 299;
    oc.oversize = x->oversize;
    oc.body_cap = x->body_cap;
    oc.body_bytes = x->body_bytes;
    oc.err_body = x->errbody.data;
    oc.err_body_len = x->errbody.len;
    oc.retry_after_s = x->status == 429 || x->status == 503 ? x->retry_after : -1;
    oc.connect_ms = phase_ms(x->easy, CURLINFO_CONNECT_TIME_T);
    oc.tls_ms = phase_ms(x->easy, CURLINFO_APPCONNECT_TIME_T);
    oc.headers_ms = phase_ms(x->easy, CURLINFO_STARTTRANSFER_TIME_T);
    /* a connection taken from the cache was connected before this start */
    if (oc.connect_ms < 0 && oc.headers_ms >= 0)
        oc.connect_ms = 0;
    if (got_2xx && !x->oversize && !x->parse_failed)
        lw_stream_finish(&x->st);
    /* a server that sent the end marker but then neither closed nor ended
     * the chunked body: the answer was complete, the measures stand */
    if (code != CURLE_OK && got_2xx && x->st.done && !x->oversize && !x->parse_failed) {
        lw_log(LW_LOG_DEBUG, "probe %s: %s after a complete stream, ignored",
               x->job->result.probe_id, curl_easy_strerror(code));
        code = CURLE_OK;
    }
    if (code != CURLE_OK && !x->oversize) {
        oc.transport_failed = 1;
        if (x->parse_failed) {
            oc.transport_class = LW_PERR_PROTOCOL;
            oc.transport_msg = "out of memory while parsing the stream";
        } else {
            oc.transport_class = classify_curl(code);
            oc.transport_msg = x->errbuf[0] ? x->errbuf : curl_easy_strerror(code);
        }
    }
    /* never sent (connect failure): measure from when it was started */
    oc.t_start_us = x->t_start;
    oc.t_sent_us = x->t_sent ? x->t_sent : x->t_start;
    /* total: to the last byte of a complete reply, to the failure otherwise */
    oc.t_end_us = code == CURLE_OK && x->t_last ? x->t_last : now;
    rc = lw_probe_finalize(x->job, &oc, got_2xx ? &x->st : NULL, o->text_cap);
    xfer_release(x);
    return rc;
}

/* A job that could not be started at all (curl setup failure). */
static void
xfer_fail(struct xfer *x, const char *msg, const lw_probe_opts *o)
{
    lw_probe_outcome oc;

    memset(&oc, 0, sizeof(oc));
    oc.transport_failed = 1;
    oc.transport_class = LW_PERR_CONNECT;
    oc.transport_msg = msg;
    oc.retry_after_s = -1;
    oc.t_sent_us = oc.t_end_us = lw_now_mono_us();
    oc.connect_ms = oc.tls_ms = oc.headers_ms = -1;
    lw_probe_finalize(x->job, &oc, NULL, o->text_cap);
    xfer_release(x);
}

/* ---- the batch ---------------------------------------------------------- */

static int
prepare(lw_probe_job *jobs, size_t n, const lw_probe_opts *o, struct xfer *xs, struct group *gs,
        size_t *ngroups, lw_err *err)
{
    lw_probe_job *j;
    lw_probe_req rq;
    struct xfer *x;
    lw_err berr;
    size_t i, g;
    int rc;

    for (i = 0; i < n; i++) {
        j = &jobs[i];
        x = &xs[i];
        x->job = j;
        x->next = NONE;
        memset(&j->result, 0, sizeof(j->result));
        j->result.retry_after_s = -1;
        j->result.ttft_ms = -1;
        j->result.quality = -1;
        x->prov = lw_provider_find(j->provider);
        if (x->prov == NULL) {
            lw_err_set(err, "job %zu (%s): unknown provider %s", i, j->model ? j->model : "?",
                       j->provider ? j->provider : "(none)");
            return LW_EINVAL;
        }
        if (j->probe_id) {
            if (strlen(j->probe_id) >= sizeof(j->result.probe_id)) {
                lw_err_set(err, "job %zu: probe id longer than %zu", i,
                           sizeof(j->result.probe_id) - 1);
                return LW_EINVAL;
            }
            lw_strlcpy(j->result.probe_id, j->probe_id, sizeof(j->result.probe_id));
        } else if (lw_random_hex(j->result.probe_id, 16) != LW_OK) {
            lw_err_set(err, "no randomness for probe ids");
            return LW_EIO;
        }
        rq.base_url = j->base_url;
        rq.model = j->model;
        rq.api_key = j->api_key;
        rq.prompt = j->prompt;
        rq.max_tokens = j->max_tokens;
        rq.probe_id = j->result.probe_id;
        rq.tools_json = j->tools_json;
        rc = lw_provider_build(x->prov, &rq, &x->req, &berr);
        if (rc != LW_OK) {
            lw_err_set(err, "job %zu (%s): %s", i, j->model ? j->model : "?", berr.msg);
            return rc;
        }
        if (j->group)
            lw_strlcpy(x->gkey, j->group, sizeof(x->gkey));
        else
            snprintf(x->gkey, sizeof(x->gkey), "%s|%s|%s", x->prov->kind,
                     j->base_url ? j->base_url : "", j->model);
        for (g = 0; g < *ngroups && strcmp(gs[g].key, x->gkey) != 0; g++)
            ;
        if (g == *ngroups) {
            gs[g].key = x->gkey;
            gs[g].limit = (size_t) (j->max_concurrency > 0 ? j->max_concurrency : o->per_model);
            gs[g].head = gs[g].tail = NONE;
            (*ngroups)++;
        }
        x->group = g;
        if (gs[g].tail == NONE)
            gs[g].head = i;
        else
            xs[gs[g].tail].next = i;
        gs[g].tail = i;
    }
    return LW_OK;
}

int
lw_probe_run(lw_probe_job *jobs, size_t n, const lw_probe_opts *opts, lw_err *err)
{
    lw_probe_opts o;
    struct xfer *xs = NULL, *x;
    struct group *gs = NULL;
    size_t ngroups = 0, running = 0, done = 0, finished, i, g;
    CURLM *multi = NULL;
    CURLMsg *msg;
    CURLMcode mc;
    char *priv;
    int still, left, rc = LW_OK, progress;

    if (opts)
        o = *opts;
    else
        memset(&o, 0, sizeof(o));
    lw_probe_opts_defaults(&o);
    if (n == 0)
        return LW_OK;
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        lw_err_set(err, "curl_global_init: %s", curl_easy_strerror(curl_init_rc));
        return LW_ERROR;
    }
    xs = calloc(n, sizeof(*xs));
    gs = calloc(n, sizeof(*gs));
    if (xs == NULL || gs == NULL) {
        lw_err_set(err, "out of memory");
        rc = LW_ENOMEM;
        goto cleanup;
    }
    rc = prepare(jobs, n, &o, xs, gs, &ngroups, err);
    if (rc != LW_OK)
        goto cleanup;
    multi = curl_multi_init();
    if (multi == NULL) {
        lw_err_set(err, "curl_multi_init failed");
        rc = LW_ERROR;
        goto cleanup;
    }
    /* keep-alive: finished transfers leave their connection in the multi's
     * cache, the next request to the same host takes it */
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long) o.max_total);

    while (done < n) {
        /* start what the limits allow, round-robin over the models */
        do {
            progress = 0;
            for (g = 0; g < ngroups && running < (size_t) o.max_total; g++) {
                if (gs[g].head == NONE || gs[g].running >= gs[g].limit)
                    continue;
                i = gs[g].head;
                gs[g].head = xs[i].next;
                if (gs[g].head == NONE)
                    gs[g].tail = NONE;
                x = &xs[i];
                progress = 1;
                x->t_start = lw_now_mono_us();
                if (xfer_setup(x, &o) != LW_OK) {
                    xfer_fail(x, "out of memory setting up the request", &o);
                    done++;
                    continue;
                }
                if (curl_multi_add_handle(multi, x->easy) != CURLM_OK) {
                    xfer_fail(x, "curl_multi_add_handle failed", &o);
                    done++;
                    continue;
                }
                gs[g].running++;
                running++;
            }
        } while (progress && running < (size_t) o.max_total);
        if (done >= n)
            break;

        mc = curl_multi_perform(multi, &still);
        if (mc != CURLM_OK) {
            lw_err_set(err, "curl_multi_perform: %s", curl_multi_strerror(mc));
            rc = LW_ERROR;
            break;
        }
        finished = 0;
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            priv = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
            x = (struct xfer *) priv;
            curl_multi_remove_handle(multi, msg->easy_handle);
            if (x == NULL)
                continue;
            g = x->group;
            if (xfer_done(x, msg->data.result, &o) != LW_OK && rc == LW_OK) {
                lw_err_set(err, "out of memory storing a result");
                rc = LW_ENOMEM;
            }
            gs[g].running--;
            running--;
            done++;
            finished++;
        }
        if (done >= n)
            break;
        if (finished > 0)
            continue;               /* start the next ones without waiting */
        mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
        if (mc != CURLM_OK) {
            lw_err_set(err, "curl_multi_poll: %s", curl_multi_strerror(mc));
            rc = LW_ERROR;
            break;
        }
    }

cleanup:
    if (xs != NULL) {
        /* after a multi failure: whatever did not finish gets a result */
        for (i = 0; i < n && rc != LW_OK && multi != NULL; i++) {
            x = &xs[i];
            if (x->easy != NULL) {
                curl_multi_remove_handle(multi, x->easy);
                xfer_fail(x, "probe engine failure", &o);
            } else if (x->job->result.text == NULL && x->req.url != NULL) {
                xfer_fail(x, "probe engine failure", &o);
            }
        }
        for (i = 0; i < n; i++)
            xfer_release(&xs[i]);
    }
    if (multi)
        curl_multi_cleanup(multi);
    free(xs);
    free(gs);
    return rc;
}
