/* server.c: the simulator's event loop. One thread, epoll, level-triggered
 * non-blocking sockets; a binary heap of CLOCK_MONOTONIC deadlines sets the
 * nanosecond timeout of epoll_pwait2 (or, before Linux 5.11, a timerfd armed
 * at the earliest deadline), so a token is written when it is due and not at
 * the next millisecond tick. HTTP/1.1 connections, the routes, the
 * ground-truth log and /_sim/stats live here too. */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define IDLE_TIMEOUT_US  (120LL * 1000000)  /* keep-alive connection with nothing to do */
#define READ_TIMEOUT_US  (30LL * 1000000)   /* a request still incomplete after this: 408 */
#define LINGER_US        (2LL * 1000000)    /* drain the client after our last byte */
#define CLOSING_US       (10LL * 1000000)   /* give up on a client that stopped reading */
#define ACCEPT_PAUSE_US  (100LL * 1000)     /* out of descriptors: retry accept after */
#define OUT_MAX          (32u * 1024 * 1024)/* unread output before we drop a client */
#define IN_MAX           (LW_SIM_HEAD_MAX + LW_SIM_BODY_MAX + 64 * 1024)
#define ACCEPT_BATCH     64                 /* per wakeup: timers must not wait long */
#define READ_CHUNK       65536
#define BACKLOG          4096

enum { TAG_LISTEN = 1, TAG_TIMERFD, TAG_SIGNAL, TAG_CONN };
enum { C_READ, C_BUSY, C_CLOSING, C_LINGER };

typedef struct sim_timer {
    int64_t at;
    size_t  idx;                              /* heap slot + 1; 0 = not armed */
    void  (*fire)(struct sim_timer *t);
} sim_timer;

typedef struct conn {
    int              tag;                     /* TAG_CONN; epoll data points here */
    int              fd;
    int              state;
    int              dead;                    /* free at the end of this event */
    unsigned         events;                  /* registered with epoll */
    sim_timer        timer;
    lw_buf           in, out;
    size_t           out_off;
    lw_pool         *pool;                    /* the current request head */
    lw_sim_http_req  req;
    int              have_head, sent_continue;
    size_t           scanned;                 /* input known to hold no end of head */
    int64_t          req_start_us;
    lw_sim_gen      *gen;                     /* LLM request in progress */
    struct conn     *prev, *next;
} conn;

static struct {
    const lw_sim_opts *opts;
    int                ep, lfd, tfd, sfd, logfd;
    int                ltag, ttag, stag;
    lw_sim_scenarios  *scenarios;
    lw_sim_suites     *suites;
    lw_sim_ctx         ctx;
    sim_timer        **heap;
    size_t             nheap, capheap;
    int64_t            armed;                   /* timerfd deadline (fallback) */
    int                use_pwait2;
    sim_timer          accept_timer;
    conn              *conns;
    uint64_t           seq;
    int                stop;
    lw_buf             line;
    /* stats */
    uint64_t           conns_open, conns_total, requests, llm, active;
    uint64_t           by_outcome[LW_SIM_OUT_N], by_proto[3], bytes_out, client_closed;
    uint64_t           late_n;
    int64_t            late_sum, late_max;
    int64_t            busy_max;                /* longest stretch between two epoll_waits */
} S;

/* ---------------------------------------------------------------- timers */

static void
heap_place(size_t i, sim_timer *t)
{
    S.heap[i] = t;
    t->idx = i + 1;
}

static void
heap_up(size_t i)
{
    sim_timer *t = S.heap[i];

    while (i > 0) {
        size_t p = (i - 1) / 2;

        if (S.heap[p]->at <= t->at)
            break;
        heap_place(i, S.heap[p]);
        i = p;
    }
    heap_place(i, t);
}

static void
heap_down(size_t i)
{
    sim_timer *t = S.heap[i];

    for (;;) {
        size_t l = 2 * i + 1, m = i;

        if (l < S.nheap && S.heap[l]->at < (m == i ? t->at : S.heap[m]->at))
            m = l;
        if (l + 1 < S.nheap && S.heap[l + 1]->at < (m == i ? t->at : S.heap[m]->at))
            m = l + 1;
        if (m == i)
            break;
        heap_place(i, S.heap[m]);
        i = m;
    }
    heap_place(i, t);
}

static void
timer_cancel(sim_timer *t)
{
    size_t i;

    if (t->idx == 0)
        return;
    i = t->idx - 1;
    t->idx = 0;
    S.nheap--;
    if (i == S.nheap)
        return;
    heap_place(i, S.heap[S.nheap]);
    if (i > 0 && S.heap[(i - 1) / 2]->at > S.heap[i]->at)
        heap_up(i);
    else
        heap_down(i);
}

static void
timer_set(sim_timer *t, int64_t at)
{
    timer_cancel(t);
    if (S.nheap == S.capheap) {
        size_t ncap = S.capheap ? S.capheap * 2 : 1024;
        sim_timer **nh = realloc(S.heap, ncap * sizeof(*nh));

        if (nh == NULL) {
            lw_log(LW_LOG_ERROR, "out of memory");
            abort();
        }
        S.heap = nh;
        S.capheap = ncap;
    }
    t->at = at;
    S.heap[S.nheap] = t;
    t->idx = ++S.nheap;
    heap_up(S.nheap - 1);
}

/* Points the timerfd at the earliest deadline. Reprogramming it is the
 * single most expensive call of a busy loop (an hrtimer reprogram, a VM exit
 * on virtual machines), so it is left alone when it will fire no later than
 * needed: an early wake-up finds nothing due and re-arms, which is cheaper
 * than re-arming on every new token. */
static void
timer_arm(void)
{
    struct itimerspec its;
    int64_t at = S.nheap > 0 ? S.heap[0]->at : 0;

    if (at == 0 || at == S.armed || (S.armed != 0 && S.armed < at))
        return;
    memset(&its, 0, sizeof(its));
    if (at > 0) {
        its.it_value.tv_sec = at / 1000000;
        its.it_value.tv_nsec = (long) (at % 1000000) * 1000;
    }
    if (at > 0 && its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
        its.it_value.tv_nsec = 1;
    if (timerfd_settime(S.tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        S.armed = at;
}

/* Fires the timers due when called. What falls due meanwhile waits for the
 * next round, after one epoll_wait: under overload, reads and accepts still
 * get their turn instead of starving behind an endless run of tokens. */
static void
timers_run(void)
{
    int64_t now = lw_now_mono_us();

    while (S.nheap > 0 && S.heap[0]->at <= now) {
        sim_timer *t = S.heap[0];

        timer_cancel(t);
        t->fire(t);
    }
}

/* ---------------------------------------------------------------- log */

static void
log_write(const char *p, size_t n)
{
    while (S.logfd >= 0 && n > 0) {
        ssize_t w = write(S.logfd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            lw_log(LW_LOG_ERROR, "ground-truth log: %s", strerror(errno));
            return;
        }
        p += w;
        n -= (size_t) w;
    }
}

static int
log_open(void)
{
    int fd;

    if (S.opts->log_path == NULL)
        return 0;
    fd = open(S.opts->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (S.logfd >= 0)
        close(S.logfd);
    S.logfd = fd;
    return 0;
}

/* The request is over (finished, cut, or the client left): one log line. */
static void
gen_record(conn *c, int client_closed)
{
    lw_sim_gen *g = c->gen;

    if (g->end_us == 0)
        g->end_us = lw_now_mono_us();
    lw_buf_reset(&S.line);
    lw_sim_gen_log_line(g, client_closed, &S.line);
    log_write(S.line.data, S.line.len);
    S.by_outcome[g->outcome]++;
    S.client_closed += client_closed != 0;
    S.active--;
    lw_sim_gen_free(g);
    c->gen = NULL;
}

/* ---------------------------------------------------------------- conns */

static void conn_timer_fire(sim_timer *t);
static void process_input(conn *c, int64_t read_us);

static void
conn_events(conn *c, unsigned want)
{
    struct epoll_event ev;

    if (c->events == want)
        return;
    memset(&ev, 0, sizeof(ev));
    ev.events = want;
    ev.data.ptr = c;
    if (epoll_ctl(S.ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->events = want;
}

static void
conn_free(conn *c)
{
    if (c->gen != NULL)
        gen_record(c, !S.stop);
    timer_cancel(&c->timer);
    close(c->fd);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        S.conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    lw_buf_free(&c->in);
    lw_buf_free(&c->out);
    lw_pool_destroy(c->pool);
    free(c);
    S.conns_open--;
}

static void
conn_flush(conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n > 0) {
            c->out_off += (size_t) n;
            S.bytes_out += (uint64_t) n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        c->dead = 1;                           /* EPIPE, ECONNRESET: the client left */
        return;
    }
    if (c->out_off == c->out.len) {
        lw_buf_reset(&c->out);
        c->out_off = 0;
        conn_events(c, EPOLLIN);
        if (c->state == C_CLOSING) {
            shutdown(c->fd, SHUT_WR);
            c->state = C_LINGER;
            timer_set(&c->timer, lw_now_mono_us() + LINGER_US);
        }
        return;
    }
    if (c->out.len - c->out_off > OUT_MAX) {
        c->dead = 1;
        return;
    }
    if (c->out_off > (1u << 20) && c->out_off * 2 > c->out.len) {
        memmove(c->out.data, c->out.data + c->out_off, c->out.len - c->out_off);
        c->out.len -= c->out_off;
        c->out.data[c->out.len] = '\0';
        c->out_off = 0;
    }
    conn_events(c, EPOLLIN | EPOLLOUT);
}

/* Send what is queued, then stop talking: FIN, drain, close. */
static void
conn_close_graceful(conn *c)
{
    c->state = C_CLOSING;
    timer_set(&c->timer, lw_now_mono_us() + CLOSING_US);
    conn_flush(c);
}

static void
request_reset(conn *c)
{
    lw_pool_destroy(c->pool);
    c->pool = NULL;
    c->have_head = 0;
    c->sent_continue = 0;
    c->scanned = 0;
    memset(&c->req, 0, sizeof(c->req));
}

/* Drop the request bytes just answered from the input buffer. */
static void
consume(conn *c, size_t n)
{
    if (n >= c->in.len) {
        lw_buf_reset(&c->in);
        return;
    }
    memmove(c->in.data, c->in.data + n, c->in.len - n);
    c->in.len -= n;
    c->in.data[c->in.len] = '\0';
}

static void
request_finished(conn *c, int keep_alive)
{
    if (!keep_alive || S.stop) {
        conn_close_graceful(c);
        return;
    }
    c->state = C_READ;
    timer_set(&c->timer, lw_now_mono_us() + IDLE_TIMEOUT_US);
}

/* A complete non-LLM response. */
static void
respond(conn *c, int status, const char *ctype, const char *body, size_t n, int keep_alive,
        const char *extra)
{
    lw_sim_http_simple(&c->out, status, ctype, body, n, keep_alive, extra);
    conn_flush(c);
    if (!c->dead)
        request_finished(c, keep_alive);
}

static void
respond_error(conn *c, int proto, int status, const char *msg, int keep_alive, const char *extra)
{
    lw_buf body = { 0 };

    lw_sim_proto_error(proto, status, msg, &body);
    respond(c, status, "application/json", body.data, body.len, keep_alive, extra);
    lw_buf_free(&body);
}

/* Runs the LLM request's steps that are due, then sleeps until the next. */
static void
gen_run(conn *c)
{
    lw_sim_gen *g = c->gen;
    lw_sim_step st;

    for (;;) {
        int64_t now = lw_now_mono_us();

        if (g->next_at > now) {
            timer_set(&c->timer, g->next_at);
            return;
        }
        lw_sim_gen_step(g, now, c->out.len - c->out_off, &c->out, &st);
        if (st.first_content) {
            g->first_content_us = lw_now_mono_us();   /* handed to write() just below */
            if (g->stream) {
                int64_t late = g->first_content_us - g->ttft_at;

                S.late_n++;
                S.late_sum += late;
                if (late > S.late_max)
                    S.late_max = late;
            }
        }
        if (st.action == LW_SIM_STEP_DONE || st.action == LW_SIM_STEP_CLOSE)
            g->end_us = lw_now_mono_us();
        conn_flush(c);
        if (c->dead)
            return;
        switch (st.action) {
        case LW_SIM_STEP_WAIT:
            continue;
        case LW_SIM_STEP_IDLE:
            timer_cancel(&c->timer);           /* hang: only the client ends it */
            return;
        default: {
            int keep = st.action == LW_SIM_STEP_DONE && g->keep_alive;

            gen_record(c, 0);
            request_finished(c, keep);
            return;
        }
        }
    }
}

static void
gen_begin(conn *c, lw_sim_gen *g)
{
    if (g == NULL) {
        lw_log(LW_LOG_ERROR, "out of memory");
        abort();
    }
    c->gen = g;
    c->state = C_BUSY;
    S.llm++;
    S.active++;
    S.by_proto[g->proto]++;
    gen_run(c);
}

/* The route's protocol, or -1 for a path that is not an LLM route. */
static int
llm_route(const char *path)
{
    size_t n = strlen(path);

    if ((strstr(path, "/v1beta/models/") != NULL || strstr(path, "/v1/models/") != NULL) &&
        strchr(path, ':') != NULL)
        return LW_SIM_PROTO_GOOGLE;
    if (n >= 17 && strcmp(path + n - 17, "/chat/completions") == 0)
        return LW_SIM_PROTO_OPENAI;
    if (n >= 12 && strcmp(path + n - 12, "/v1/messages") == 0)
        return LW_SIM_PROTO_ANTHROPIC;
    return -1;
}

static void
route_stats(conn *c)
{
    lw_buf b = { 0 };
    int i;

    lw_sim_printf(&b, "{\"uptime_s\":%.3f,\"connections_open\":%llu,\"connections_total\":%llu,"
                  "\"requests_total\":%llu,\"llm_requests\":%llu,\"active_llm_requests\":%llu,"
                  "\"client_closed\":%llu,\"bytes_sent\":%llu,\"timers_pending\":%zu,\"by_outcome\":{",
                  (double) (lw_now_mono_us() - S.ctx.start_mono_us) / 1e6,
                  (unsigned long long) S.conns_open, (unsigned long long) S.conns_total,
                  (unsigned long long) S.requests, (unsigned long long) S.llm,
                  (unsigned long long) S.active, (unsigned long long) S.client_closed,
                  (unsigned long long) S.bytes_out, S.nheap);
    for (i = 0; i < LW_SIM_OUT_N; i++)
        lw_sim_printf(&b, "%s\"%s\":%llu", i ? "," : "", lw_sim_outcome_name(i),
                      (unsigned long long) S.by_outcome[i]);
    lw_sim_puts(&b, "},\"by_protocol\":{");
    for (i = 0; i < 3; i++)
        lw_sim_printf(&b, "%s\"%s\":%llu", i ? "," : "", lw_sim_proto_name(i),
                      (unsigned long long) S.by_proto[i]);
    lw_sim_printf(&b, "},\"first_content_lateness_us\":{\"count\":%llu,\"mean\":%.1f,\"max\":%lld},"
                  "\"loop_busy_max_us\":%lld,\"scenarios\":", (unsigned long long) S.late_n,
                  S.late_n ? (double) S.late_sum / (double) S.late_n : 0.0, (long long) S.late_max,
                  (long long) S.busy_max);
    lw_sim_json_cstr(&b, S.scenarios->path);
    lw_sim_printf(&b, ",\"seed\":%llu,\"suite_cases\":%zu}\n", (unsigned long long) S.ctx.seed,
                  S.suites != NULL ? S.suites->n : 0);
    respond(c, 200, "application/json", b.data, b.len, c->req.keep_alive, NULL);
    lw_buf_free(&b);
}

static void
route_models(conn *c)
{
    lw_buf b = { 0 };
    size_t i;
    int first = 1;

    lw_sim_puts(&b, "{\"object\":\"list\",\"data\":[");
    for (i = 0; i < S.scenarios->n; i++) {
        const lw_sim_scenario *sc = &S.scenarios->v[i];

        if (sc->is_glob || sc->is_default)
            continue;
        lw_sim_puts(&b, first ? "{\"id\":" : ",{\"id\":");
        lw_sim_json_cstr(&b, sc->name);
        lw_sim_printf(&b, ",\"object\":\"model\",\"created\":%lld,\"owned_by\":\"llmwatch-sim\"}",
                      (long long) (S.ctx.start_wall_us / 1000000));
        first = 0;
    }
    lw_sim_puts(&b, "]}\n");
    respond(c, 200, "application/json", b.data, b.len, c->req.keep_alive, NULL);
    lw_buf_free(&b);
}

/* Gemini: .../models/{model}:streamGenerateContent?alt=sse or :generateContent */
static void
route_google(conn *c, const char *body, size_t blen, int64_t recv_us)
{
    lw_sim_http_req *h = &c->req;
    const char *p = strstr(h->path, "/models/") + 8, *colon = strrchr(p, ':');
    const char *alt = lw_sim_query_get(c->pool, h->query, "alt");
    char *model;
    int stream;

    if (colon == NULL) {
        gen_begin(c, lw_sim_gen_refuse(++S.seq, LW_SIM_PROTO_GOOGLE, h, 404,
                                       "Expected /v1beta/models/{model}:streamGenerateContent.", recv_us));
        return;
    }
    if (h->goog_api_key == NULL)
        h->goog_api_key = lw_sim_query_get(c->pool, h->query, "key");
    model = lw_sim_url_decode(c->pool, p, (size_t) (colon - p));
    if (strcmp(colon + 1, "streamGenerateContent") == 0) {
        stream = 1;
    } else if (strcmp(colon + 1, "generateContent") == 0) {
        stream = 0;
    } else {
        gen_begin(c, lw_sim_gen_refuse(++S.seq, LW_SIM_PROTO_GOOGLE, h, 404,
                                       "Method not found: use streamGenerateContent or generateContent.",
                                       recv_us));
        return;
    }
    if (*model == '\0' || (stream && (alt == NULL || strcmp(alt, "sse") != 0))) {
        gen_begin(c, lw_sim_gen_refuse(++S.seq, LW_SIM_PROTO_GOOGLE, h, 400, *model == '\0'
                                       ? "A model name is required in the path."
                                       : "llmwatch-sim streams Gemini replies with ?alt=sse only.",
                                       recv_us));
        return;
    }
    gen_begin(c, lw_sim_gen_start(&S.ctx, ++S.seq, LW_SIM_PROTO_GOOGLE, h, model, stream,
                                  body, blen, recv_us));
}

static void
dispatch(conn *c, const char *body, size_t blen, int64_t recv_us)
{
    lw_sim_http_req *h = &c->req;
    int get = strcmp(h->method, "GET") == 0, proto = llm_route(h->path);

    S.requests++;
    if (proto >= 0) {
        if (strcmp(h->method, "POST") != 0) {
            respond_error(c, proto, 405, "Only POST is supported on this route.", h->keep_alive,
                          "Allow: POST\r\n");
            return;
        }
        if (proto == LW_SIM_PROTO_GOOGLE) {
            route_google(c, body, blen, recv_us);
            return;
        }
        gen_begin(c, lw_sim_gen_start(&S.ctx, ++S.seq, proto, h, NULL, 0, body, blen, recv_us));
        return;
    }
    if (strcmp(h->path, "/healthz") == 0 && get) {
        respond(c, 200, "application/json", "{\"status\":\"ok\"}\n", 16, h->keep_alive, NULL);
    } else if (strcmp(h->path, "/v1/models") == 0 && get) {
        route_models(c);
    } else if (strcmp(h->path, "/_sim/stats") == 0 && get) {
        route_stats(c);
    } else if (strcmp(h->path, "/healthz") == 0 || strcmp(h->path, "/v1/models") == 0 ||
               strcmp(h->path, "/_sim/stats") == 0) {
        respond_error(c, LW_SIM_PROTO_OPENAI, 405, "Only GET is supported on this route.",
                      h->keep_alive, "Allow: GET\r\n");
    } else {
        respond_error(c, LW_SIM_PROTO_OPENAI, 404, "Unknown request URL. llmwatch-sim serves "
                      "/v1/chat/completions, /v1/messages, /v1beta/models/{model}:streamGenerateContent, "
                      "/v1/models, /healthz and /_sim/stats.", h->keep_alive, NULL);
    }
}

/* Whether the input holds a blank line (the end of a request head) yet;
 * remembers how far it looked. */
static int
head_complete(conn *c)
{
    size_t from = c->scanned > 2 ? c->scanned - 2 : 0, lead = 0, i;

    /* empty lines before the request line do not end anything (http.c) */
    while (lead < c->in.len && (c->in.data[lead] == '\r' || c->in.data[lead] == '\n'))
        lead++;
    for (i = from > lead ? from : lead; i + 1 < c->in.len; i++) {
        if (c->in.data[i] == '\n' &&
            (c->in.data[i + 1] == '\n' ||
             (c->in.data[i + 1] == '\r' && i + 2 < c->in.len && c->in.data[i + 2] == '\n')))
            return 1;
    }
    c->scanned = c->in.len;
    return 0;
}

/* Parses and answers every complete request in the buffer, one at a time.
 * read_us: when the read that brought these bytes returned (0: now), which
 * is the request's recv_us when that read completed it. */
static void
process_input(conn *c, int64_t read_us)
{
    while (c->state == C_READ && !c->dead && c->in.len > 0) {
        int64_t now = lw_now_mono_us();
        size_t need;
        int rc;

        if (!c->have_head) {
            if (c->pool == NULL) {
                c->pool = lw_pool_create();
                c->req_start_us = now;
                if (c->pool == NULL) {
                    c->dead = 1;
                    return;
                }
            }
            /* parse only once the blank line has arrived: a client that
             * sends its head a byte at a time costs one scan, not n */
            if (!head_complete(c)) {
                if (c->in.len <= LW_SIM_HEAD_MAX) {
                    timer_set(&c->timer, c->req_start_us + READ_TIMEOUT_US);
                    return;
                }
            }
            rc = lw_sim_http_parse(c->in.data, c->in.len, c->pool, &c->req);
            if (rc == 1) {
                timer_set(&c->timer, c->req_start_us + READ_TIMEOUT_US);
                return;
            }
            if (rc >= 400) {
                respond_error(c, LW_SIM_PROTO_OPENAI, rc, rc == 431
                              ? "Request header fields too large (limit 16 KiB)."
                              : rc == 501 ? "Transfer-Encoding in requests is not supported; send Content-Length."
                              : rc == 505 ? "HTTP version not supported."
                              : "Malformed HTTP request.", 0, NULL);
                return;
            }
            c->have_head = 1;
            if (c->req.content_length > LW_SIM_BODY_MAX) {
                int proto = llm_route(c->req.path);

                if (proto >= 0) {
                    S.requests++;
                    gen_begin(c, lw_sim_gen_refuse(++S.seq, proto, &c->req, 413,
                                                   "Request body too large (limit 1 MiB).", now));
                } else {
                    respond_error(c, LW_SIM_PROTO_OPENAI, 413,
                                  "Request body too large (limit 1 MiB).", 0, NULL);
                }
                return;
            }
        }
        need = c->req.head_len + (size_t) (c->req.content_length > 0 ? c->req.content_length : 0);
        if (c->in.len < need) {
            if (c->req.expect_continue && !c->sent_continue && c->req.minor >= 1) {
                lw_sim_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
                c->sent_continue = 1;
                conn_flush(c);
            }
            timer_set(&c->timer, c->req_start_us + READ_TIMEOUT_US);
            return;
        }
        dispatch(c, c->in.data + c->req.head_len, need - c->req.head_len,
                 read_us != 0 ? read_us : now);
        consume(c, need);
        request_reset(c);
    }
}

static void
conn_read(conn *c)
{
    static char buf[READ_CHUNK];
    ssize_t n = read(c->fd, buf, sizeof(buf));
    int64_t read_us = lw_now_mono_us();     /* a request completed here has arrived now */

    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            c->dead = 1;
        return;
    }
    if (n == 0) {
        c->dead = 1;       /* the client closed: whatever was in progress is over */
        return;
    }
    if (c->state == C_LINGER || c->state == C_CLOSING)
        return;            /* discard */
    if (c->in.len + (size_t) n > IN_MAX) {
        c->dead = 1;
        return;
    }
    lw_sim_put(&c->in, buf, (size_t) n);
    if (c->state == C_READ)
        process_input(c, read_us);
}

static void
conn_event(conn *c, uint32_t ev)
{
    if (ev & EPOLLERR) {
        c->dead = 1;
    } else {
        if (ev & (EPOLLIN | EPOLLHUP))
            conn_read(c);
        if (!c->dead && (ev & EPOLLOUT))
            conn_flush(c);
    }
    if (c->dead)
        conn_free(c);
}

static void
conn_timer_fire(sim_timer *t)
{
    conn *c = (conn *) ((char *) t - offsetof(conn, timer));

    switch (c->state) {
    case C_BUSY:
        gen_run(c);
        if (!c->dead && c->state == C_READ)
            process_input(c, 0);
        break;
    case C_READ:
        if (c->pool != NULL || c->in.len > 0)
            respond_error(c, LW_SIM_PROTO_OPENAI, 408, "Request timed out.", 0, NULL);
        else
            c->dead = 1;                     /* idle keep-alive connection */
        break;
    default:
        c->dead = 1;                         /* closing or lingering for too long */
    }
    if (c->dead)
        conn_free(c);
}

/* ---------------------------------------------------------------- accept */

static void
accept_resume(sim_timer *t)
{
    struct epoll_event ev;

    (void) t;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = &S.ltag;
    epoll_ctl(S.ep, EPOLL_CTL_MOD, S.lfd, &ev);
}

static void
do_accept(void)
{
    int i;

    for (i = 0; i < ACCEPT_BATCH; i++) {
        struct epoll_event ev;
        int fd = accept4(S.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
        conn *c;

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                lw_log(LW_LOG_WARN, "accept: %s; pausing accepts for 100 ms", strerror(errno));
                memset(&ev, 0, sizeof(ev));
                ev.data.ptr = &S.ltag;
                epoll_ctl(S.ep, EPOLL_CTL_MOD, S.lfd, &ev);
                timer_set(&S.accept_timer, lw_now_mono_us() + ACCEPT_PAUSE_US);
            }
            return;
        }
        /* tokens are small writes that must leave at once */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = calloc(1, sizeof(*c));
        if (c == NULL) {
            close(fd);
            return;
        }
        c->tag = TAG_CONN;
        c->fd = fd;
        c->state = C_READ;
        c->timer.fire = conn_timer_fire;
        c->events = EPOLLIN;
        memset(&ev, 0, sizeof(ev));
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(S.ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        c->next = S.conns;
        if (S.conns != NULL)
            S.conns->prev = c;
        S.conns = c;
        S.conns_open++;
        S.conns_total++;
        timer_set(&c->timer, lw_now_mono_us() + IDLE_TIMEOUT_US);
    }
}

/* ---------------------------------------------------------------- setup */

static int
load_config(lw_err *err)
{
    lw_sim_scenarios *sc = NULL;
    lw_sim_suites *su = NULL;
    int rc;

    if (S.opts->scenarios_path != NULL) {
        if ((rc = lw_sim_scenarios_load(S.opts->scenarios_path, &sc, err)) != LW_OK)
            return rc;
    } else if ((sc = lw_sim_scenarios_builtin()) == NULL) {
        return LW_ENOMEM;
    }
    if (S.opts->suites_dir != NULL &&
        (rc = lw_sim_suites_load(S.opts->suites_dir, &su, err)) != LW_OK) {
        lw_sim_scenarios_free(sc);
        return rc;
    }
    lw_sim_scenarios_free(S.scenarios);
    lw_sim_suites_free(S.suites);
    S.scenarios = sc;
    S.suites = su;
    S.ctx.scenarios = sc;
    S.ctx.suites = su;
    S.ctx.seed = S.opts->has_seed ? S.opts->seed : sc->seed;
    lw_log(LW_LOG_INFO, "scenarios %s: %zu model entries, seed %llu; %zu known prompts",
           sc->path, sc->n, (unsigned long long) S.ctx.seed, su != NULL ? su->n : 0);
    return LW_OK;
}

static int
listen_on(const char *spec, lw_err *err)
{
    struct addrinfo hints, *res = NULL;
    char host[256], port[16];
    const char *colon = strrchr(spec, ':');
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    size_t hl;
    int fd, one = 1, rc;

    if (colon == NULL || colon == spec || colon[1] == '\0' || strlen(colon + 1) >= sizeof(port) ||
        (size_t) (colon - spec) >= sizeof(host)) {
        lw_err_set(err, "--listen: expected HOST:PORT, got \"%s\"", spec);
        return LW_EINVAL;
    }
    hl = (size_t) (colon - spec);
    if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
        memcpy(host, spec + 1, hl - 2);
        host[hl - 2] = '\0';
    } else {
        memcpy(host, spec, hl);
        host[hl] = '\0';
    }
    strcpy(port, colon + 1);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, port, &hints, &res);
    if (rc != 0) {
        lw_err_set(err, "--listen %s: %s", spec, gai_strerror(rc));
        return LW_EINVAL;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, BACKLOG) != 0) {
        lw_err_set(err, "--listen %s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return LW_EIO;
    }
    freeaddrinfo(res);
    if (getsockname(fd, (struct sockaddr *) &ss, &sl) == 0) {
        int p = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &ss)->sin6_port
                                               : ((struct sockaddr_in *) &ss)->sin_port);

        lw_log(LW_LOG_INFO, "listening on %s:%d", host, p);
        if (S.opts->port_file != NULL) {
            char tmp[4096];
            FILE *f;

            snprintf(tmp, sizeof(tmp), "%s.tmp", S.opts->port_file);
            f = fopen(tmp, "w");
            if (f == NULL || fprintf(f, "%d\n", p) < 0 || fclose(f) != 0 ||
                rename(tmp, S.opts->port_file) != 0) {
                lw_err_set(err, "--port-file %s: %s", S.opts->port_file, strerror(errno));
                close(fd);
                return LW_EIO;
            }
        }
    }
    S.lfd = fd;
    return LW_OK;
}

static void
raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2100)
        lw_log(LW_LOG_WARN, "RLIMIT_NOFILE is %llu: fewer than 2,000 concurrent connections",
               (unsigned long long) rl.rlim_cur);
}

static int
epoll_add(int fd, int *tag)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = tag;
    return epoll_ctl(S.ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
handle_signal(void)
{
    struct signalfd_siginfo si;
    lw_err err;

    while (read(S.sfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            lw_err_clear(&err);
            if (load_config(&err) != LW_OK)
                lw_log(LW_LOG_ERROR, "reload failed, keeping the old scenarios: %s", err.msg);
            if (log_open() != 0)
                lw_log(LW_LOG_ERROR, "--log %s: %s", S.opts->log_path, strerror(errno));
        } else {
            lw_log(LW_LOG_INFO, "signal %u: stopping", si.ssi_signo);
            S.stop = 1;
        }
    }
}

int
lw_sim_server_run(const lw_sim_opts *o, lw_err *err)
{
    struct epoll_event evs[256];
    sigset_t mask;
    int rc = LW_OK;

    memset(&S, 0, sizeof(S));
    S.opts = o;
    S.ep = S.lfd = S.tfd = S.sfd = S.logfd = -1;
    S.ltag = TAG_LISTEN;
    S.ttag = TAG_TIMERFD;
    S.stag = TAG_SIGNAL;
    S.accept_timer.fire = accept_resume;
    /* LW_SIM_TIMERFD=1 forces the pre-5.11 path, so that tests can reach it */
    S.use_pwait2 = getenv("LW_SIM_TIMERFD") == NULL;
    S.ctx.start_mono_us = lw_now_mono_us();
    S.ctx.start_wall_us = o->wall_start_us != 0 ? o->wall_start_us : lw_now_wall_us();

    /* timer slack: let timerfd wake us as close to the deadline as it can */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();
    if ((rc = load_config(err)) != LW_OK)
        goto cleanup;
    if (log_open() != 0) {
        lw_err_set(err, "--log %s: %s", o->log_path, strerror(errno));
        rc = LW_EIO;
        goto cleanup;
    }
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    S.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    S.ep = epoll_create1(EPOLL_CLOEXEC);
    S.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (S.sfd < 0 || S.ep < 0 || S.tfd < 0) {
        lw_err_set(err, "event loop setup: %s", strerror(errno));
        rc = LW_EIO;
        goto cleanup;
    }
    if ((rc = listen_on(o->listen, err)) != LW_OK)
        goto cleanup;
    if (epoll_add(S.lfd, &S.ltag) != 0 || epoll_add(S.tfd, &S.ttag) != 0 ||
        epoll_add(S.sfd, &S.stag) != 0) {
        lw_err_set(err, "epoll: %s", strerror(errno));
        rc = LW_EIO;
        goto cleanup;
    }

    while (!S.stop) {
        int64_t t_woke;
        int n, i;

        if (S.use_pwait2) {
            /* a nanosecond timeout: one syscall per wake-up */
            struct timespec ts, *tp = NULL;

            if (S.nheap > 0) {
                int64_t d = S.heap[0]->at - lw_now_mono_us();

                if (d < 0)
                    d = 0;
                ts.tv_sec = d / 1000000;
                ts.tv_nsec = (long) (d % 1000000) * 1000;
                tp = &ts;
            }
            n = epoll_pwait2(S.ep, evs, (int) LW_ARRAY_LEN(evs), tp, NULL);
            if (n < 0 && errno == ENOSYS) {
                lw_log(LW_LOG_INFO, "no epoll_pwait2 (Linux < 5.11): timers through a timerfd");
                S.use_pwait2 = 0;
                continue;
            }
        } else {
            timer_arm();
            n = epoll_wait(S.ep, evs, (int) LW_ARRAY_LEN(evs), -1);
        }
        t_woke = lw_now_mono_us();
        if (n < 0) {
            if (errno == EINTR)
                continue;
            lw_err_set(err, "epoll_wait: %s", strerror(errno));
            rc = LW_EIO;
            break;
        }
        for (i = 0; i < n; i++) {
            int tag = *(int *) evs[i].data.ptr;

            if (tag == TAG_CONN) {
                conn_event(evs[i].data.ptr, evs[i].events);
            } else if (tag == TAG_LISTEN) {
                do_accept();
            } else if (tag == TAG_TIMERFD) {
                uint64_t ticks;

                if (read(S.tfd, &ticks, sizeof(ticks)) < 0) {
                    /* EAGAIN: already consumed */
                }
                S.armed = 0;
            } else if (tag == TAG_SIGNAL) {
                handle_signal();
            }
            /* run what fell due while handling this batch */
            timers_run();
        }
        timers_run();
        t_woke = lw_now_mono_us() - t_woke;
        if (t_woke > S.busy_max)
            S.busy_max = t_woke;
    }

cleanup:
    /* in-flight requests (hangs, drips) still get their ground-truth line */
    while (S.conns != NULL)
        conn_free(S.conns);
    if (S.lfd >= 0)
        close(S.lfd);
    if (S.tfd >= 0)
        close(S.tfd);
    if (S.sfd >= 0)
        close(S.sfd);
    if (S.ep >= 0)
        close(S.ep);
    if (S.logfd >= 0)
        close(S.logfd);
    free(S.heap);
    lw_buf_free(&S.line);
    lw_sim_scenarios_free(S.scenarios);
    lw_sim_suites_free(S.suites);
    lw_sim_gen_cleanup();
    return rc;
}
