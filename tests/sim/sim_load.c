/* sim_load.c: concurrency check for llmwatch-sim. Opens N connections at
 * once, sends one streaming OpenAI request on each (Connection: close,
 * X-Llmwatch-Probe-Id: load-<i>), reads every stream to the end and reports
 * how many completed with [DONE] and the client-side time to first content.
 * Build: gcc -O2 -o sim_load sim_load.c
 * Usage: sim_load HOST PORT N MODEL */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int     fd;
    int     sent, done, ok;
    char    req[512];
    size_t  reqlen, reqoff;
    char   *buf;
    size_t  len, cap;
    int64_t t_sent, t_first;
} client;

static int64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;

    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    struct sockaddr_in sa;
    struct epoll_event ev, evs[512];
    struct rlimit rl;
    client *cl;
    int64_t *ttft, t0;
    int n, i, ep, left, ok = 0, nt = 0;

    if (argc != 5) {
        fprintf(stderr, "usage: sim_load HOST PORT N MODEL\n");
        return 2;
    }
    n = atoi(argv[3]);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t) atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "bad host\n");
        return 2;
    }
    cl = calloc((size_t) n, sizeof(*cl));
    ttft = calloc((size_t) n, sizeof(*ttft));
    ep = epoll_create1(0);
    t0 = now_us();
    for (i = 0; i < n; i++) {
        char body[256];
        int one = 1, bl;

        bl = snprintf(body, sizeof(body), "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\","
                      "\"content\":\"load test %d\"}],\"stream\":true,"
                      "\"stream_options\":{\"include_usage\":true}}", argv[4], i);
        cl[i].reqlen = (size_t) snprintf(cl[i].req, sizeof(cl[i].req),
                                         "POST /v1/chat/completions HTTP/1.1\r\nHost: sim\r\n"
                                         "Authorization: Bearer load\r\nContent-Type: application/json\r\n"
                                         "X-Llmwatch-Probe-Id: load-%d\r\nConnection: close\r\n"
                                         "Content-Length: %d\r\n\r\n%s", i, bl, body);
        cl[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (cl[i].fd < 0) {
            perror("socket");
            return 1;
        }
        setsockopt(cl[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(cl[i].fd, (struct sockaddr *) &sa, sizeof(sa)) != 0 && errno != EINPROGRESS) {
            perror("connect");
            return 1;
        }
        ev.events = EPOLLOUT | EPOLLIN;
        ev.data.u32 = (uint32_t) i;
        epoll_ctl(ep, EPOLL_CTL_ADD, cl[i].fd, &ev);
    }
    left = n;
    while (left > 0) {
        int k = epoll_wait(ep, evs, 512, 30000);

        if (k <= 0) {
            fprintf(stderr, "timeout with %d streams unfinished\n", left);
            break;
        }
        for (i = 0; i < k; i++) {
            client *c = &cl[evs[i].data.u32];

            if ((evs[i].events & EPOLLOUT) && c->reqoff < c->reqlen) {
                int64_t t = now_us();    /* before the send: the server may answer at once */
                ssize_t w = send(c->fd, c->req + c->reqoff, c->reqlen - c->reqoff, MSG_NOSIGNAL);

                if (w > 0)
                    c->reqoff += (size_t) w;
                if (c->reqoff == c->reqlen) {
                    c->t_sent = t;
                    ev.events = EPOLLIN;
                    ev.data.u32 = evs[i].data.u32;
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                char tmp[16384];
                ssize_t r = read(c->fd, tmp, sizeof(tmp));

                if (r > 0) {
                    if (c->len + (size_t) r + 1 > c->cap) {
                        c->cap = (c->len + (size_t) r + 1) * 2;
                        c->buf = realloc(c->buf, c->cap);
                    }
                    memcpy(c->buf + c->len, tmp, (size_t) r);
                    c->len += (size_t) r;
                    c->buf[c->len] = '\0';
                    if (c->t_first == 0 && strstr(c->buf, "\"delta\":{\"content\":\"") != NULL)
                        c->t_first = now_us();
                } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                    c->done = 1;
                    c->ok = c->buf != NULL && strstr(c->buf, "data: [DONE]") != NULL &&
                            strstr(c->buf, "\r\n0\r\n\r\n") != NULL;
                    ok += c->ok;
                    if (c->t_first != 0)
                        ttft[nt++] = c->t_first - c->t_sent;
                    close(c->fd);
                    left--;
                }
            }
        }
    }
    qsort(ttft, (size_t) nt, sizeof(*ttft), cmp64);
    printf("streams %d completed_ok %d failed %d wall_ms %.1f\n", n, ok, n - ok,
           (double) (now_us() - t0) / 1000.0);
    if (nt > 0)
        printf("client_ttft_ms min %.3f p50 %.3f p99 %.3f max %.3f\n", ttft[0] / 1000.0,
               ttft[nt / 2] / 1000.0, ttft[(nt * 99) / 100] / 1000.0, ttft[nt - 1] / 1000.0);
    for (i = 0; i < n; i++)
        free(cl[i].buf);
    free(cl);
    free(ttft);
    close(ep);
    return ok == n ? 0 : 1;
}
