/* server.c: the simulator's event loop. One thread, epoll, level-triggered
 * non-blocking sockets; a binary heap of CLOCK_MONOTONIC deadlines sets the
 * nanosecond timeout of epoll_pwait2 (or, before Linux 5.11, a timerfd armed
 * at the earliest deadline), so a token is written when it is due and not at
 * the next millisecond tick (timer.c keeps the deadlines, listen.c opens
 * the socket). HTTP/1.1 connections, the routes, the ground-truth log and
 * /_sim/stats live here. */
#include "sim.h"
#include "server.h"

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

struct lw_sim_server lw_sim_srv;

/* ---------------------------------------------------------------- log */

static void
log_write(const char *p, size_t n)
{
    while (lw_sim_srv.logfd >= 0 && n > 0) {
        ssize_t w = write(lw_sim_srv.logfd, p, n);

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

    if (lw_sim_srv.opts->log_path == NULL)
        return 0;
    fd = open(lw_sim_srv.opts->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (lw_sim_srv.logfd >= 0)
        close(lw_sim_srv.logfd);
    lw_sim_srv.logfd = fd;
    return 0;
}

/* The request is over (finished, cut, or the client left): one log line. */
static void
gen_record(lw_sim_conn *c, int client_closed)
{
    lw_sim_gen *g = c->gen;

    if (g->end_us == 0)
        g->end_us = lw_now_mono_us();
    lw_buf_reset(&lw_sim_srv.line);
    lw_sim_gen_log_line(g, client_closed, &lw_sim_srv.line);
    log_write(lw_sim_srv.line.data, lw_sim_srv.line.len);
    lw_sim_srv.by_outcome[g->outcome]++;
    lw_sim_srv.client_closed += client_closed != 0;
    lw_sim_srv.active--;
    lw_sim_gen_free(g);
    c->gen = NULL;
}

/* ---------------------------------------------------------------- conns */

static void conn_timer_fire(lw_sim_timer *t);
static void process_input(lw_sim_conn *c, int64_t read_us);

static void
conn_events(lw_sim_conn *c, unsigned want)
{
    struct epoll_event ev;

    if (c->events == want)
        return;
    memset(&ev, 0, sizeof(ev));
    ev.events = want;
    ev.data.ptr = c;
    if (epoll_ctl(lw_sim_srv.ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->events = want;
}

static void
conn_free(lw_sim_conn *c)
{
    if (c->gen != NULL)
        gen_record(c, !lw_sim_srv.stop);
    lw_sim_timer_cancel(&c->timer);
    close(c->fd);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        lw_sim_srv.conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    lw_buf_free(&c->in);
    lw_buf_free(&c->out);
    lw_pool_destroy(c->pool);
    free(c);
    lw_sim_srv.conns_open--;
}

static void
conn_flush(lw_sim_conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n > 0) {
            c->out_off += (size_t) n;
            lw_sim_srv.bytes_out += (uint64_t) n;
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
            lw_sim_timer_set(&c->timer, lw_now_mono_us() + LINGER_US);
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
conn_close_graceful(lw_sim_conn *c)
{
    c->state = C_CLOSING;
    lw_sim_timer_set(&c->timer, lw_now_mono_us() + CLOSING_US);
    conn_flush(c);
}

static void
request_reset(lw_sim_conn *c)
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
consume(lw_sim_conn *c, size_t n)
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
request_finished(lw_sim_conn *c, int keep_alive)
{
    if (!keep_alive || lw_sim_srv.stop) {
        conn_close_graceful(c);
        return;
    }
    c->state = C_READ;
    lw_sim_timer_set(&c->timer, lw_now_mono_us() + IDLE_TIMEOUT_US);
}

/* A complete non-LLM response. */
void
lw_sim_respond(lw_sim_conn *c, int status, const char *ctype, const char *body, size_t n,
               int keep_alive, const char *extra)
{
    lw_sim_http_simple(&c->out, status, ctype, body, n, keep_alive, extra);
    conn_flush(c);
    if (!c->dead)
        request_finished(c, keep_alive);
}

void
lw_sim_respond_error(lw_sim_conn *c, int proto, int status, const char *msg, int keep_alive,
                     const char *extra)
{
    lw_buf body = { 0 };

    lw_sim_proto_error(proto, status, msg, &body);
    lw_sim_respond(c, status, "application/json", body.data, body.len, keep_alive, extra);
    lw_buf_free(&body);
}

/* Runs the LLM request's steps that are due, then sleeps until the next. */
static void
gen_run(lw_sim_conn *c)
{
    lw_sim_gen *g = c->gen;
    lw_sim_step st;

    for (;;) {
        int64_t now = lw_now_mono_us();

        if (g->next_at > now) {
            lw_sim_timer_set(&c->timer, g->next_at);
            return;
        }
        lw_sim_gen_step(g, now, c->out.len - c->out_off, &c->out, &st);
        if (st.first_content) {
            g->first_content_us = lw_now_mono_us();   /* handed to write() just below */
            if (g->stream) {
                int64_t late = g->first_content_us - g->ttft_at;

                lw_sim_srv.late_n++;
                lw_sim_srv.late_sum += late;
                if (late > lw_sim_srv.late_max)
                    lw_sim_srv.late_max = late;
            }
        }
        if (st.first_answer && g->first_answer_us == 0)
            g->first_answer_us = lw_now_mono_us();
        if (st.action == LW_SIM_STEP_DONE || st.action == LW_SIM_STEP_CLOSE)
            g->end_us = lw_now_mono_us();
        conn_flush(c);
        if (c->dead)
            return;
        switch (st.action) {
        case LW_SIM_STEP_WAIT:
            continue;
        case LW_SIM_STEP_IDLE:
            lw_sim_timer_cancel(&c->timer);           /* hang: only the client ends it */
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

void
lw_sim_gen_begin(lw_sim_conn *c, lw_sim_gen *g)
{
    if (g == NULL) {
        lw_log(LW_LOG_ERROR, "out of memory");
        abort();
    }
    c->gen = g;
    c->state = C_BUSY;
    lw_sim_srv.llm++;
    lw_sim_srv.active++;
    lw_sim_srv.by_proto[g->proto]++;
    gen_run(c);
}

static int
head_complete(lw_sim_conn *c)
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
process_input(lw_sim_conn *c, int64_t read_us)
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
                    lw_sim_timer_set(&c->timer, c->req_start_us + READ_TIMEOUT_US);
                    return;
                }
            }
            rc = lw_sim_http_parse(c->in.data, c->in.len, c->pool, &c->req);
            if (rc == 1) {
                lw_sim_timer_set(&c->timer, c->req_start_us + READ_TIMEOUT_US);
                return;
            }
            if (rc >= 400) {
                lw_sim_respond_error(c, LW_SIM_PROTO_OPENAI, rc, rc == 431
                              ? "Request header fields too large (limit 16 KiB)."
                              : rc == 501 ? "Transfer-Encoding in requests is not supported; send Content-Length."
                              : rc == 505 ? "HTTP version not supported."
                              : "Malformed HTTP request.", 0, NULL);
                return;
            }
            c->have_head = 1;
            if (c->req.content_length > LW_SIM_BODY_MAX) {
                int proto = lw_sim_llm_route(c->req.path);

                if (proto >= 0) {
                    lw_sim_srv.requests++;
                    lw_sim_gen_begin(c, lw_sim_gen_refuse(++lw_sim_srv.seq, proto, &c->req, 413,
                                                   "Request body too large (limit 1 MiB).", now));
                } else {
                    lw_sim_respond_error(c, LW_SIM_PROTO_OPENAI, 413,
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
            lw_sim_timer_set(&c->timer, c->req_start_us + READ_TIMEOUT_US);
            return;
        }
        lw_sim_dispatch(c, c->in.data + c->req.head_len, need - c->req.head_len,
                 read_us != 0 ? read_us : now);
        consume(c, need);
        request_reset(c);
    }
}

static void
conn_read(lw_sim_conn *c)
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
conn_event(lw_sim_conn *c, uint32_t ev)
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
conn_timer_fire(lw_sim_timer *t)
{
    lw_sim_conn *c = (lw_sim_conn *) ((char *) t - offsetof(lw_sim_conn, timer));

    switch (c->state) {
    case C_BUSY:
        gen_run(c);
        if (!c->dead && c->state == C_READ)
            process_input(c, 0);
        break;
    case C_READ:
        if (c->pool != NULL || c->in.len > 0)
            lw_sim_respond_error(c, LW_SIM_PROTO_OPENAI, 408, "Request timed out.", 0, NULL);
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
accept_resume(lw_sim_timer *t)
{
    struct epoll_event ev;

    (void) t;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = &lw_sim_srv.ltag;
    epoll_ctl(lw_sim_srv.ep, EPOLL_CTL_MOD, lw_sim_srv.lfd, &ev);
}

static void
do_accept(void)
{
    int i;

    for (i = 0; i < ACCEPT_BATCH; i++) {
        struct epoll_event ev;
        int fd = accept4(lw_sim_srv.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
        lw_sim_conn *c;

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                lw_log(LW_LOG_WARN, "accept: %s; pausing accepts for 100 ms", strerror(errno));
                memset(&ev, 0, sizeof(ev));
                ev.data.ptr = &lw_sim_srv.ltag;
                epoll_ctl(lw_sim_srv.ep, EPOLL_CTL_MOD, lw_sim_srv.lfd, &ev);
                lw_sim_timer_set(&lw_sim_srv.accept_timer, lw_now_mono_us() + ACCEPT_PAUSE_US);
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
        if (epoll_ctl(lw_sim_srv.ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        c->next = lw_sim_srv.conns;
        if (lw_sim_srv.conns != NULL)
            lw_sim_srv.conns->prev = c;
        lw_sim_srv.conns = c;
        lw_sim_srv.conns_open++;
        lw_sim_srv.conns_total++;
        lw_sim_timer_set(&c->timer, lw_now_mono_us() + IDLE_TIMEOUT_US);
    }
}

/* ---------------------------------------------------------------- setup */

static int
load_config(lw_err *err)
{
    lw_sim_scenarios *sc = NULL;
    lw_sim_suites *su = NULL;
    int rc;

    if (lw_sim_srv.opts->scenarios_path != NULL) {
        if ((rc = lw_sim_scenarios_load(lw_sim_srv.opts->scenarios_path, &sc, err)) != LW_OK)
            return rc;
    } else if ((sc = lw_sim_scenarios_builtin()) == NULL) {
        return LW_ENOMEM;
    }
    if (lw_sim_srv.opts->suites_dir != NULL &&
        (rc = lw_sim_suites_load(lw_sim_srv.opts->suites_dir, &su, err)) != LW_OK) {
        lw_sim_scenarios_free(sc);
        return rc;
    }
    lw_sim_scenarios_free(lw_sim_srv.scenarios);
    lw_sim_suites_free(lw_sim_srv.suites);
    lw_sim_srv.scenarios = sc;
    lw_sim_srv.suites = su;
    lw_sim_srv.ctx.scenarios = sc;
    lw_sim_srv.ctx.suites = su;
    lw_sim_srv.ctx.seed = lw_sim_srv.opts->has_seed ? lw_sim_srv.opts->seed : sc->seed;
    lw_log(LW_LOG_INFO, "scenarios %s: %zu model entries, seed %llu; %zu known prompts",
           sc->path, sc->n, (unsigned long long) lw_sim_srv.ctx.seed, su != NULL ? su->n : 0);
    return LW_OK;
}

static int
epoll_add(int fd, int *tag)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = tag;
    return epoll_ctl(lw_sim_srv.ep, EPOLL_CTL_ADD, fd, &ev);
}

static void
handle_signal(void)
{
    struct signalfd_siginfo si;
    lw_err err;

    while (read(lw_sim_srv.sfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            lw_err_clear(&err);
            if (load_config(&err) != LW_OK)
                lw_log(LW_LOG_ERROR, "reload failed, keeping the old scenarios: %s", err.msg);
            if (log_open() != 0)
                lw_log(LW_LOG_ERROR, "--log %s: %s", lw_sim_srv.opts->log_path, strerror(errno));
        } else {
            lw_log(LW_LOG_INFO, "signal %u: stopping", si.ssi_signo);
            lw_sim_srv.stop = 1;
        }
    }
}

int
lw_sim_server_run(const lw_sim_opts *o, lw_err *err)
{
    struct epoll_event evs[256];
    sigset_t mask;
    int rc = LW_OK;

    memset(&lw_sim_srv, 0, sizeof(lw_sim_srv));
    lw_sim_srv.opts = o;
    lw_sim_srv.ep = lw_sim_srv.lfd = lw_sim_srv.tfd = lw_sim_srv.sfd = lw_sim_srv.logfd = -1;
    lw_sim_srv.ltag = TAG_LISTEN;
    lw_sim_srv.ttag = TAG_TIMERFD;
    lw_sim_srv.stag = TAG_SIGNAL;
    lw_sim_srv.accept_timer.fire = accept_resume;
    /* LW_SIM_TIMERFD=1 forces the pre-5.11 path, so that tests can reach it */
    lw_sim_srv.use_pwait2 = getenv("LW_SIM_TIMERFD") == NULL;
    lw_sim_srv.ctx.start_mono_us = lw_now_mono_us();
    lw_sim_srv.ctx.start_wall_us = o->wall_start_us != 0 ? o->wall_start_us : lw_now_wall_us();

    /* timer slack: let timerfd wake us as close to the deadline as it can */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);
    lw_sim_raise_nofile();
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
    lw_sim_srv.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    lw_sim_srv.ep = epoll_create1(EPOLL_CLOEXEC);
    lw_sim_srv.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (lw_sim_srv.sfd < 0 || lw_sim_srv.ep < 0 || lw_sim_srv.tfd < 0) {
        lw_err_set(err, "event loop setup: %s", strerror(errno));
        rc = LW_EIO;
        goto cleanup;
    }
    if ((rc = lw_sim_listen(o->listen, o->port_file, &lw_sim_srv.lfd, err)) != LW_OK)
        goto cleanup;
    if (epoll_add(lw_sim_srv.lfd, &lw_sim_srv.ltag) != 0 || epoll_add(lw_sim_srv.tfd, &lw_sim_srv.ttag) != 0 ||
        epoll_add(lw_sim_srv.sfd, &lw_sim_srv.stag) != 0) {
        lw_err_set(err, "epoll: %s", strerror(errno));
        rc = LW_EIO;
        goto cleanup;
    }

    while (!lw_sim_srv.stop) {
        int64_t t_woke;
        int n, i;

        if (lw_sim_srv.use_pwait2) {
            /* a nanosecond timeout: one syscall per wake-up */
            struct timespec ts, *tp = NULL;

            if (lw_sim_timer_first() > 0) {
                int64_t d = lw_sim_timer_first() - lw_now_mono_us();

                if (d < 0)
                    d = 0;
                ts.tv_sec = d / 1000000;
                ts.tv_nsec = (long) (d % 1000000) * 1000;
                tp = &ts;
            }
            n = epoll_pwait2(lw_sim_srv.ep, evs, (int) LW_ARRAY_LEN(evs), tp, NULL);
            if (n < 0 && errno == ENOSYS) {
                lw_log(LW_LOG_INFO, "no epoll_pwait2 (Linux < 5.11): timers through a timerfd");
                lw_sim_srv.use_pwait2 = 0;
                continue;
            }
        } else {
            lw_sim_timer_arm(lw_sim_srv.tfd);
            n = epoll_wait(lw_sim_srv.ep, evs, (int) LW_ARRAY_LEN(evs), -1);
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

                if (read(lw_sim_srv.tfd, &ticks, sizeof(ticks)) < 0) {
                    /* EAGAIN: already consumed */
                }
                lw_sim_timer_fired();
            } else if (tag == TAG_SIGNAL) {
                handle_signal();
            }
            /* run what fell due while handling this batch */
            lw_sim_timers_run();
        }
        lw_sim_timers_run();
        t_woke = lw_now_mono_us() - t_woke;
        if (t_woke > lw_sim_srv.busy_max)
            lw_sim_srv.busy_max = t_woke;
    }

cleanup:
    /* in-flight requests (hangs, drips) still get their ground-truth line */
    while (lw_sim_srv.conns != NULL)
        conn_free(lw_sim_srv.conns);
    if (lw_sim_srv.lfd >= 0)
        close(lw_sim_srv.lfd);
    if (lw_sim_srv.tfd >= 0)
        close(lw_sim_srv.tfd);
    if (lw_sim_srv.sfd >= 0)
        close(lw_sim_srv.sfd);
    if (lw_sim_srv.ep >= 0)
        close(lw_sim_srv.ep);
    if (lw_sim_srv.logfd >= 0)
        close(lw_sim_srv.logfd);
    lw_sim_timers_free();
    lw_buf_free(&lw_sim_srv.line);
    lw_sim_scenarios_free(lw_sim_srv.scenarios);
    lw_sim_suites_free(lw_sim_srv.suites);
    lw_sim_gen_cleanup();
    return rc;
}
