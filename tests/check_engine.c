/* check_engine.c: the probe engine (lw_probe_run) against a small HTTP
 * server running in a thread of the test: TTFT marks against the server's
 * own clock, failures and their classes, stalls, the three protocols,
 * concurrency limits and keep-alive, a thousand requests, bad jobs. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "money.h"
#include "probe/probe.h"

char *providers_fixture(const char *name, size_t *len);   /* check_providers.c */

/* ---- engine against a local server ----------------------------------------- */

struct srv {
    int             fd, port;
    pthread_t       th;
    volatile int    stop;
    pthread_mutex_t mu;
    int             accepted, active, inflight, max_inflight, requests;
    char            last_head[4096];
    int64_t         t_req_in;         /* when the last request was read */
    int64_t         t_content_out;    /* when its first content was written */
};

struct conn {
    struct srv *s;
    int fd;
};

static int
send_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

static int
send_chunk(int fd, const char *data, size_t n)
{
    char head[32];

    snprintf(head, sizeof(head), "%zx\r\n", n);
    if (send_all(fd, head, strlen(head)) || send_all(fd, data, n) || send_all(fd, "\r\n", 2))
        return -1;
    return 0;
}

static void
msleep(int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static const char *
oai_chunk(char *buf, size_t n, const char *content)
{
    snprintf(buf, n, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
             "\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}],\"usage\":null}\n\n", content);
    return buf;
}

static const char SSE_HEAD[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n";
static const char OAI_ROLE[] = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                               "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                               "\"finish_reason\":null}],\"usage\":null}\n\n";
static const char OAI_TAIL[] = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                               "\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
                               "data: {\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
                               "{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n"
                               "data: [DONE]\n\n";

static int
send_fixture(int fd, const char *name)
{
    size_t len, off, n;
    char *buf = providers_fixture(name, &len);
    int rc = send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1);

    for (off = 0; rc == 0 && off < len; off += n) {
        n = len - off < 100 ? len - off : 100;
        rc = send_chunk(fd, buf + off, n);
    }
    if (rc == 0)
        rc = send_all(fd, "0\r\n\r\n", 5);
    free(buf);
    return rc;
}

static int
send_status(int fd, int status, const char *extra, const char *body)
{
    char head[512];

    snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%s"
             "Content-Length: %zu\r\n\r\n", status, extra, strlen(body));
    return send_all(fd, head, strlen(head)) || send_all(fd, body, strlen(body)) ? -1 : 0;
}

/* Answers one request according to the model name; returns 1 to keep the
 * connection, 0 to close it. */
static int
serve(struct srv *s, int fd, const char *head, const char *body)
{
    char model[128] = "", buf[512];
    const char *m = strstr(body, "\"model\":\"");
    int i, delay;

    if (m) {
        m += 9;
        for (i = 0; m[i] && m[i] != '"' && i < (int) sizeof(model) - 1; i++)
            model[i] = m[i];
        model[i] = '\0';
    }
    if (strstr(head, "POST /v1/messages ") == head)
        return send_fixture(fd, "anthropic_full.sse") == 0;
    if (strstr(head, ":streamGenerateContent?alt=sse") != NULL)
        return send_fixture(fd, "gemini_full.sse") == 0;
    if (strncmp(model, "fast", 4) == 0 || strncmp(model, "delay-", 6) == 0) {
        delay = strncmp(model, "delay-", 6) == 0 ? atoi(model + 6) : 0;
        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1) ||
            send_chunk(fd, OAI_ROLE, sizeof(OAI_ROLE) - 1))
            return 0;
        if (delay)
            msleep(delay);
        pthread_mutex_lock(&s->mu);
        s->t_content_out = lw_now_mono_us();
        pthread_mutex_unlock(&s->mu);
        oai_chunk(buf, sizeof(buf), "Hello");
        if (send_chunk(fd, buf, strlen(buf)))
            return 0;
        oai_chunk(buf, sizeof(buf), " world");
        if (send_chunk(fd, buf, strlen(buf)) || send_chunk(fd, OAI_TAIL, sizeof(OAI_TAIL) - 1) ||
            send_all(fd, "0\r\n\r\n", 5))
            return 0;
        return 1;
    }
    if (strcmp(model, "cut") == 0) {
        send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1);
        send_chunk(fd, OAI_ROLE, sizeof(OAI_ROLE) - 1);
        oai_chunk(buf, sizeof(buf), "Partial answ");
        send_chunk(fd, buf, strlen(buf));
        return 0;                       /* closes without the last chunk */
    }
    if (strcmp(model, "drip") == 0) {
        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1))
            return 0;
        for (i = 0; i < 400; i++) {
            if (send_chunk(fd, ":", 1))
                return 0;
            msleep(50);
        }
        return 0;
    }
    if (strcmp(model, "linger") == 0) {
        struct pollfd pfd = { fd, POLLIN, 0 };

        oai_chunk(buf, sizeof(buf), "Done");
        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1) || send_chunk(fd, buf, strlen(buf)) ||
            send_chunk(fd, OAI_TAIL, sizeof(OAI_TAIL) - 1))
            return 0;
        /* [DONE] sent, but the chunked body is never ended */
        for (i = 0; i < 400 && poll(&pfd, 1, 50) == 0; i++)
            ;
        return 0;
    }
    if (strcmp(model, "hang") == 0) {
        struct pollfd pfd = { fd, POLLIN, 0 };

        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1))
            return 0;
        /* until the client gives up */
        for (i = 0; i < 400 && poll(&pfd, 1, 50) == 0; i++)
            ;
        return 0;
    }
    if (strcmp(model, "big") == 0) {
        static char blob[16384];

        memset(blob, 'x', sizeof(blob));
        memcpy(blob, ": ", 2);
        blob[sizeof(blob) - 1] = '\n';
        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1))
            return 0;
        for (i = 0; i < 160; i++)
            if (send_chunk(fd, blob, sizeof(blob)))
                return 0;
        send_all(fd, "0\r\n\r\n", 5);
        return 0;
    }
    if (strcmp(model, "s429") == 0)
        return send_status(fd, 429, "Retry-After: 7\r\n",
                           "{\"error\":{\"message\":\"Rate limit reached for sk-test-0123456789abcdef\","
                           "\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}") == 0;
    if (strcmp(model, "s401") == 0)
        return send_status(fd, 401, "", "{\"error\":{\"message\":\"Invalid API key\"}}") == 0;
    return send_status(fd, 500, "", "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}") == 0;
}

static void *
conn_main(void *arg)
{
    struct conn *c = arg;
    struct srv *s = c->s;
    char buf[65536], *end, *cl;
    size_t have = 0, need;
    ssize_t r;
    int keep = 1;

    while (keep) {
        /* headers */
        while ((end = memmem(buf, have, "\r\n\r\n", 4)) == NULL) {
            if (have == sizeof(buf) - 1)
                goto done;
            r = recv(c->fd, buf + have, sizeof(buf) - 1 - have, 0);
            if (r <= 0)
                goto done;
            have += (size_t) r;
        }
        *end = '\0';
        cl = strcasestr(buf, "\r\nContent-Length:");
        need = (size_t) (end + 4 - buf) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
        while (have < need) {
            r = recv(c->fd, buf + have, sizeof(buf) - 1 - have, 0);
            if (r <= 0)
                goto done;
            have += (size_t) r;
        }
        buf[need] = '\0';
        pthread_mutex_lock(&s->mu);
        s->requests++;
        s->inflight++;
        if (s->inflight > s->max_inflight)
            s->max_inflight = s->inflight;
        lw_strlcpy(s->last_head, buf, sizeof(s->last_head));
        s->t_req_in = lw_now_mono_us();
        pthread_mutex_unlock(&s->mu);
        keep = serve(s, c->fd, buf, end + 4);
        pthread_mutex_lock(&s->mu);
        s->inflight--;
        pthread_mutex_unlock(&s->mu);
        memmove(buf, buf + need, have - need);
        have -= need;
    }
done:
    close(c->fd);
    pthread_mutex_lock(&s->mu);
    s->active--;
    pthread_mutex_unlock(&s->mu);
    free(c);
    return NULL;
}

static void *
srv_main(void *arg)
{
    struct srv *s = arg;
    struct pollfd pfd;
    struct conn *c;
    pthread_t th;
    int fd, one = 1;

    while (!s->stop) {
        pfd.fd = s->fd;
        pfd.events = POLLIN;
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = malloc(sizeof(*c));
        c->s = s;
        c->fd = fd;
        pthread_mutex_lock(&s->mu);
        s->accepted++;
        s->active++;
        pthread_mutex_unlock(&s->mu);
        if (pthread_create(&th, NULL, conn_main, c) != 0) {
            close(fd);
            free(c);
            continue;
        }
        pthread_detach(th);
    }
    return NULL;
}

static void
srv_start(struct srv *s)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int one = 1;

    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s->fd, 0);
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(s->fd, (struct sockaddr *) &a, sizeof(a)), 0);
    ck_assert_int_eq(listen(s->fd, 256), 0);
    getsockname(s->fd, (struct sockaddr *) &a, &alen);
    s->port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void
srv_stop(struct srv *s)
{
    int i, active = 1;

    s->stop = 1;
    pthread_join(s->th, NULL);
    close(s->fd);
    /* connection threads end when the client closes (the engine has) */
    for (i = 0; i < 200 && active; i++) {
        pthread_mutex_lock(&s->mu);
        active = s->active;
        pthread_mutex_unlock(&s->mu);
        if (active)
            msleep(10);
    }
}

static void
job_init(lw_probe_job *j, const char *provider, const char *base, const char *model)
{
    memset(j, 0, sizeof(*j));
    j->provider = provider;
    j->base_url = base;
    j->model = model;
    j->api_key = "sk-test-0123456789abcdef";
    j->prompt = "Say hello";
    j->max_tokens = 16;
}

static void
engine_setup(void)
{
    /* the loopback server must not be reached through a proxy */
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
}

/* see test_engine_ttft */
#define MARK_TOLERANCE_MS 150

START_TEST(test_engine_ttft)
{
    struct srv s;
    char base[64];
    lw_probe_job j;
    lw_err err;
    lw_probe_result *r = &j.result;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    job_init(&j, "openai-compatible", base, "delay-300");
    j.probe_id = "probe-abc-1";
    j.price_in_micros_per_mtok = 1000000;
    j.price_out_micros_per_mtok = 2000000;
    ck_assert_int_eq(lw_probe_run(&j, 1, NULL, &err), LW_OK);
    ck_assert_msg(r->ok, "class %s: %s", lw_probe_errclass_name(r->err_class), r->error_msg);
    ck_assert_int_eq(r->http_status, 200);
    ck_assert_str_eq(r->text, "Hello world");
    ck_assert_int_eq(r->output_tokens, 3);
    ck_assert_int_eq(r->input_tokens, 5);
    ck_assert_int_eq(r->cost_pico, 5 * 1000000 + 3 * 2000000);
    /* The server sleeps 300 ms between reading the request and writing the
     * first content, so a mark taken at the wrong event is off by 300 ms
     * or more. The marks are compared with the server's own clock (same
     * machine, CLOCK_MONOTONIC) with a tolerance of half that gap: enough
     * to tell the right event from a wrong one, and for a thread that is
     * scheduled late on a loaded machine (speed itself is measured by the
     * benchmarks and the simulator's ground truth in test_probe.sh). */
    ck_assert_msg(r->ttft_ms >= 300.0 && r->ttft_ms < 300.0 + MARK_TOLERANCE_MS,
                  "ttft %.3f ms", r->ttft_ms);
    ck_assert(r->total_ms >= r->ttft_ms);
    ck_assert_msg(llabs(s.t_req_in - r->t_sent_us) < MARK_TOLERANCE_MS * 1000,
                  "sent mark %lld us from the server's read", (long long) (s.t_req_in - r->t_sent_us));
    ck_assert_msg(llabs(r->t_first_token_us - s.t_content_out) < MARK_TOLERANCE_MS * 1000,
                  "first token mark %lld us from the server's write",
                  (long long) (r->t_first_token_us - s.t_content_out));
    ck_assert_str_eq(r->probe_id, "probe-abc-1");
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nX-Llmwatch-Probe-Id: probe-abc-1\r\n"));
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nAuthorization: Bearer sk-test-0123456789abcdef\r\n"));
    ck_assert_ptr_nonnull(strstr(s.last_head, "POST /v1/chat/completions HTTP/1.1\r\n"));
    ck_assert_ptr_null(strstr(s.last_head, "Expect:"));
    lw_probe_result_free(r);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_failures)
{
    static const struct {
        const char *model;
        lw_probe_errclass cls;
        long status;
    } cases[] = {
        { "drip", LW_PERR_TIMEOUT, 200 },
        { "big", LW_PERR_PROTOCOL, 200 },
        { "cut", LW_PERR_PROTOCOL, 200 },
        { "s429", LW_PERR_RATE_LIMITED, 429 },
        { "s401", LW_PERR_AUTH, 401 },
        { "s500", LW_PERR_HTTP_5XX, 500 },
        { "linger", LW_PERR_NONE, 200 },
    };
    lw_probe_job jobs[LW_ARRAY_LEN(cases) + 1];
    lw_probe_opts o = { 0 };
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    struct srv s;
    char base[64], dead[64];
    lw_err err;
    size_t i;
    int fd;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    /* a port nobody listens on: bound, then closed */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
    getsockname(fd, (struct sockaddr *) &a, &alen);
    snprintf(dead, sizeof(dead), "http://127.0.0.1:%d", ntohs(a.sin_port));
    close(fd);

    for (i = 0; i < LW_ARRAY_LEN(cases); i++)
        job_init(&jobs[i], "openai-compatible", base, cases[i].model);
    job_init(&jobs[i], "openai-compatible", dead, "fast");
    o.timeout_ms = 800;
    ck_assert_int_eq(lw_probe_run(jobs, LW_ARRAY_LEN(jobs), &o, &err), LW_OK);
    for (i = 0; i < LW_ARRAY_LEN(cases); i++) {
        ck_assert_msg(jobs[i].result.err_class == cases[i].cls, "%s: class %s (%s)", cases[i].model,
                      lw_probe_errclass_name(jobs[i].result.err_class), jobs[i].result.error_msg);
        ck_assert_int_eq(jobs[i].result.ok, cases[i].cls == LW_PERR_NONE);
        ck_assert_int_eq(jobs[i].result.http_status, cases[i].status);
        ck_assert_ptr_null(strstr(jobs[i].result.error_msg, "0123456789abcdef"));
    }
    /* drip: cut at the timeout */
    ck_assert_msg(jobs[0].result.total_ms >= 790 && jobs[0].result.total_ms < 1200, "drip %.1f ms",
                  jobs[0].result.total_ms);
    ck_assert_str_eq(jobs[1].result.error_msg, "reply over 1 MiB");
    ck_assert_str_eq(jobs[2].result.text, "Partial answ");
    ck_assert_int_eq(jobs[2].result.tokens_estimated, 1);
    ck_assert_int_eq(jobs[2].result.output_tokens, 3);
    ck_assert(jobs[2].result.ttft_ms >= 0);
    ck_assert_int_eq(jobs[3].result.retry_after_s, 7);
    ck_assert_str_eq(jobs[3].result.error_msg, "requests: Rate limit reached for [redacted]");
    ck_assert_str_eq(jobs[4].result.error_msg, "Invalid API key");
    ck_assert_str_eq(jobs[5].result.error_msg, "server_error: boom");
    /* linger: complete answer, timed to its last byte, not to the timeout */
    ck_assert_str_eq(jobs[6].result.text, "Done");
    ck_assert_int_eq(jobs[6].result.tokens_estimated, 0);
    ck_assert_msg(jobs[6].result.total_ms < 200, "linger %.1f ms", jobs[6].result.total_ms);
    ck_assert_int_eq(jobs[7].result.err_class, LW_PERR_CONNECT);
    ck_assert_int_eq(jobs[7].result.http_status, 0);
    for (i = 0; i < LW_ARRAY_LEN(jobs); i++)
        lw_probe_result_free(&jobs[i].result);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_stall)
{
    lw_probe_opts o = { 0 };
    lw_probe_job j;
    struct srv s;
    char base[64];
    lw_err err;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    job_init(&j, "openai-compatible", base, "hang");
    o.timeout_ms = 30000;
    o.stall_s = 1;
    ck_assert_int_eq(lw_probe_run(&j, 1, &o, &err), LW_OK);
    ck_assert_int_eq(j.result.err_class, LW_PERR_TIMEOUT);
    /* libcurl averages the speed over a window of ~5 s, so a stall is
     * noticed between stall_s and stall_s + 6 s */
    ck_assert_msg(j.result.total_ms >= 900 && j.result.total_ms < 9000, "stall %.1f ms",
                  j.result.total_ms);
    lw_probe_result_free(&j.result);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_protocols)
{
    lw_probe_job jobs[2];
    struct srv s;
    char base[64];
    lw_err err;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    job_init(&jobs[0], "anthropic", base, "claude-x");
    job_init(&jobs[1], "google", base, "gemini-x");
    ck_assert_int_eq(lw_probe_run(&jobs[0], 1, NULL, &err), LW_OK);
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nanthropic-version: 2023-06-01\r\n"));
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nx-api-key: sk-test-0123456789abcdef\r\n"));
    ck_assert_int_eq(lw_probe_run(&jobs[1], 1, NULL, &err), LW_OK);
    ck_assert_ptr_nonnull(strstr(s.last_head,
                                 "POST /v1beta/models/gemini-x:streamGenerateContent?alt=sse "));
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nx-goog-api-key: sk-test-0123456789abcdef\r\n"));
    ck_assert_int_eq(jobs[0].result.ok, 1);
    ck_assert_str_eq(jobs[0].result.text, "The capital of France is Paris.");
    ck_assert_int_eq(jobs[0].result.input_tokens, 21);
    ck_assert_int_eq(jobs[0].result.output_tokens, 9);
    ck_assert_int_eq(jobs[1].result.ok, 1);
    ck_assert_int_eq(jobs[1].result.output_tokens, 13);
    ck_assert_str_eq(jobs[1].result.finish_reason, "STOP");
    ck_assert_int_eq(strlen(jobs[1].result.probe_id), 32);   /* generated */
    lw_probe_result_free(&jobs[0].result);
    lw_probe_result_free(&jobs[1].result);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_limits_and_keepalive)
{
    lw_probe_job jobs[12];
    lw_probe_opts o = { 0 };
    struct srv s;
    char base[64];
    int64_t t0, wall;
    lw_err err;
    size_t i;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    /* one model, limit 3: never more than 3 at once, 4 waves of 200 ms */
    for (i = 0; i < 12; i++)
        job_init(&jobs[i], "openai-compatible", base, "delay-200");
    o.per_model = 3;
    t0 = lw_now_mono_us();
    ck_assert_int_eq(lw_probe_run(jobs, 12, &o, &err), LW_OK);
    wall = lw_now_mono_us() - t0;
    for (i = 0; i < 12; i++) {
        ck_assert_int_eq(jobs[i].result.ok, 1);
        lw_probe_result_free(&jobs[i].result);
    }
    ck_assert_int_eq(s.max_inflight, 3);
    ck_assert_msg(wall >= 800000 && wall < 2000000, "wall %lld us", (long long) wall);
    ck_assert_int_eq(s.accepted, 3);                  /* three connections, each reused */

    /* a job's own limit wins over opts.per_model */
    s.max_inflight = 0;
    for (i = 0; i < 6; i++) {
        job_init(&jobs[i], "openai-compatible", base, "delay-100");
        jobs[i].max_concurrency = 2;
    }
    ck_assert_int_eq(lw_probe_run(jobs, 6, &o, &err), LW_OK);
    for (i = 0; i < 6; i++) {
        ck_assert_int_eq(jobs[i].result.ok, 1);
        lw_probe_result_free(&jobs[i].result);
    }
    ck_assert_int_eq(s.max_inflight, 2);

    /* and its own timeout */
    job_init(&jobs[0], "openai-compatible", base, "delay-1000");
    jobs[0].timeout_ms = 300;
    ck_assert_int_eq(lw_probe_run(jobs, 1, &o, &err), LW_OK);
    ck_assert_int_eq(jobs[0].result.err_class, LW_PERR_TIMEOUT);
    ck_assert(jobs[0].result.total_ms < 900);
    lw_probe_result_free(&jobs[0].result);

    /* sequential requests to one host reuse one connection */
    s.accepted = 0;
    for (i = 0; i < 10; i++)
        job_init(&jobs[i], "openai-compatible", base, "fast");
    o.per_model = 1;
    ck_assert_int_eq(lw_probe_run(jobs, 10, &o, &err), LW_OK);
    for (i = 0; i < 10; i++) {
        ck_assert_int_eq(jobs[i].result.ok, 1);
        lw_probe_result_free(&jobs[i].result);
    }
    ck_assert_int_eq(s.accepted, 1);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_thousand)
{
    enum { N = 1000 };
    static const char *models[] = { "fast-0", "fast-1", "fast-2", "fast-3", "fast-4",
                                    "fast-5", "fast-6", "fast-7", "fast-8", "fast-9" };
    lw_probe_job *jobs = calloc(N, sizeof(*jobs));
    lw_probe_opts o = { 0 };
    struct srv s;
    char base[64];
    lw_err err;
    size_t i, k;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    for (i = 0; i < N; i++)
        job_init(&jobs[i], "openai-compatible", base, models[i % 10]);
    o.per_model = 5;
    ck_assert_int_eq(lw_probe_run(jobs, N, &o, &err), LW_OK);
    for (i = 0; i < N; i++)
        ck_assert_msg(jobs[i].result.ok, "job %zu: %s", i, jobs[i].result.error_msg);
    ck_assert_int_eq(s.requests, N);
    ck_assert_int_le(s.max_inflight, 50);
    ck_assert_int_le(s.accepted, 50);
    /* probe ids are distinct */
    for (i = 0; i < 50; i++)
        for (k = i + 1; k < N; k++)
            ck_assert_str_ne(jobs[i].result.probe_id, jobs[k].result.probe_id);
    for (i = 0; i < N; i++)
        lw_probe_result_free(&jobs[i].result);
    free(jobs);
    srv_stop(&s);
}
END_TEST

/* A listener whose accept queue is full: a new connection's SYN is
 * dropped and sent again a second later (the kernel's first retransmit),
 * so connecting takes that long. The thread empties the queue at once,
 * takes the late connection, reads its request and never answers. */
struct slow {
    int lfd, port, dummy, fd;
    pthread_t th;
};

static void *
slow_main(void *arg)
{
    struct slow *w = arg;
    struct pollfd pfd = { w->lfd, POLLIN, 0 };
    char buf[4096];
    int fd;

    msleep(200);
    close(accept(w->lfd, NULL, NULL));          /* the connection that filled the queue */
    if (poll(&pfd, 1, 5000) <= 0)
        return NULL;
    w->fd = fd = accept(w->lfd, NULL, NULL);
    while (fd >= 0 && recv(fd, buf, sizeof(buf), 0) > 0)
        ;                                       /* until the client gives up */
    return NULL;
}

/* total_ms of a timed-out request counts from the probe's start, the clock
 * its timeout ran on, not from when the request was sent after a slow
 * connect; the phases are kept apart. */
START_TEST(test_engine_phases)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    struct slow w;
    lw_probe_job j;
    lw_probe_opts o = { 0 };
    struct srv s;
    char base[64];
    lw_err err;

    memset(&w, 0, sizeof(w));
    w.fd = -1;
    w.lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(w.lfd, (struct sockaddr *) &a, sizeof(a)), 0);
    ck_assert_int_eq(listen(w.lfd, 0), 0);
    getsockname(w.lfd, (struct sockaddr *) &a, &alen);
    w.dummy = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(w.dummy, (struct sockaddr *) &a, sizeof(a)), 0);
    ck_assert_int_eq(pthread_create(&w.th, NULL, slow_main, &w), 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", ntohs(a.sin_port));
    job_init(&j, "openai-compatible", base, "fast");
    j.timeout_ms = 2000;
    ck_assert_int_eq(lw_probe_run(&j, 1, &o, &err), LW_OK);
    ck_assert_int_eq(j.result.err_class, LW_PERR_TIMEOUT);
    ck_assert_msg(j.result.total_ms >= 2000, "total %.1f ms, connect %.1f ms", j.result.total_ms,
                  j.result.connect_ms);
    ck_assert(j.result.connect_ms > 0 && j.result.connect_ms < j.result.total_ms);
    ck_assert_double_eq(j.result.tls_ms, -1);
    ck_assert_double_eq(j.result.headers_ms, -1);
    lw_probe_result_free(&j.result);
    pthread_join(w.th, NULL);
    if (w.fd >= 0)
        close(w.fd);
    close(w.dummy);
    close(w.lfd);

    /* an answered request: connect, then the first header byte, no TLS */
    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    job_init(&j, "openai-compatible", base, "fast");
    ck_assert_int_eq(lw_probe_run(&j, 1, &o, &err), LW_OK);
    ck_assert_int_eq(j.result.ok, 1);
    ck_assert(j.result.connect_ms >= 0);
    ck_assert(j.result.headers_ms >= j.result.connect_ms);
    ck_assert_double_eq(j.result.tls_ms, -1);
    lw_probe_result_free(&j.result);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_bad_job)
{
    lw_probe_job j[2];
    lw_err err;

    job_init(&j[0], "openai", NULL, "gpt");
    job_init(&j[1], "openai-compatible", NULL, "llama");
    ck_assert_int_eq(lw_probe_run(j, 2, NULL, &err), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "job 1"));
    ck_assert_ptr_nonnull(strstr(err.msg, "base_url"));
    job_init(&j[0], "cohere", "http://x", "m");
    ck_assert_int_eq(lw_probe_run(j, 1, NULL, &err), LW_EINVAL);
    ck_assert_int_eq(lw_probe_run(j, 0, NULL, &err), LW_OK);
}
END_TEST

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *te = tcase_create("engine");

    tcase_set_timeout(te, 120);
    tcase_add_unchecked_fixture(te, engine_setup, NULL);
    tcase_add_test(te, test_engine_ttft);
    tcase_add_test(te, test_engine_failures);
    tcase_add_test(te, test_engine_stall);
    tcase_add_test(te, test_engine_protocols);
    tcase_add_test(te, test_engine_limits_and_keepalive);
    tcase_add_test(te, test_engine_thousand);
    tcase_add_test(te, test_engine_bad_job);
    tcase_add_test(te, test_engine_phases);
    suite_add_tcase(s, te);
    return s;
}
