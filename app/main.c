/* main.c: llmwatch-web, the multi-threaded FastCGI responder. A fixed pool
 * of threads serialise FCGX_Accept_r on a mutex; each has its own
 * FCGX_Request and its own database connection (opened on first use,
 * reset by lw_db when the server restarts). SIGTERM/SIGINT stop accepting,
 * let requests in flight finish, and exit 0. */
#include <errno.h>
#include <fcgiapp.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "app.h"
#include "cache.h"
#include "output.h"
#include "shell.h"
#include "timings.h"
#include "db/db.h"
#include "duration.h"
#include "lw.h"
#include "replica.h"
#include "response.h"

#define MAX_THREADS 256

struct worker {
    pthread_t  thread;
    int        started;
    lw_db     *db;      /* this thread's connection, NULL until first use */
};

static struct {
    const char     *socket_path;
    const char     *db_url;
    int             listen_fd;
    volatile sig_atomic_t stopping;
    pthread_mutex_t accept_lock;
} app = { .listen_fd = -1, .accept_lock = PTHREAD_MUTEX_INITIALIZER };

static void
usage(FILE *f)
{
    fprintf(f,
        "usage: llmwatch-web [--socket PATH|HOST:PORT] [--threads N] [--backlog N] [--database URL]\n"
        "                    [--cache-size BYTES] [--cache-duration SECONDS] [--statement-timeout MS]\n"
        "                    [--datadir DIR] [--log-level LEVEL] [--session-lifetime DURATION]\n"
        "                    [--trusted-proxies ADDRESSES] [--read-database URL] [--read-max-lag SECONDS]\n"
        "  --socket    unix socket (created mode 0660) or HOST:PORT to listen on;\n"
        "              default $LLMWATCH_SOCKET, else /run/llmwatch/web.sock\n"
        "  --threads   request threads (default $LLMWATCH_WEB_THREADS, else 16)\n"
        "  --backlog   connections the kernel queues for the threads (default\n"
        "              $LLMWATCH_WEB_BACKLOG, else 1024; capped by net.core.somaxconn)\n"
        "  --cache-size      bytes of pages the page cache keeps (\"64M\", \"1GB\"; 0 turns\n"
        "                    it off; default $LLMWATCH_WEB_CACHE_SIZE, else 64M)\n"
        "  --cache-duration  seconds a cached page may be served at most, even when no\n"
        "                    data changed (default $LLMWATCH_WEB_CACHE_DURATION, else 300)\n"
        "  --database  PostgreSQL URL (default $LLMWATCH_DATABASE_URL, else postgresql:///llmwatch)\n"
        "  --datadir   where templates/ lives (default $LLMWATCH_DATADIR, else the install's)\n"
        "  --log-level debug, info, warn or error (default info)\n"
        "  --statement-timeout  milliseconds a page's statement may run (default\n"
        "              $LLMWATCH_WEB_STATEMENT_TIMEOUT, else 10000)\n"
        "  --session-lifetime  how long a session lasts after its login, however active\n"
        "              (default $LLMWATCH_SESSION_LIFETIME, else 7 days; 5 minutes to 365 days)\n"
        "  --trusted-proxies   addresses of the proxies in front of nginx whose\n"
        "              X-Forwarded-Proto and X-Forwarded-For are believed, separated by commas\n"
        "              (default $LLMWATCH_TRUSTED_PROXIES, else none)\n"
        "  --read-database  PostgreSQL URL the pages that only read use, typically a standby\n"
        "              (target_session_attrs=prefer-standby; default $LLMWATCH_READ_DATABASE_URL,\n"
        "              else none: every page reads --database)\n"
        "  --read-max-lag  seconds a standby may lag before pages say so (default\n"
        "              $LLMWATCH_READ_MAX_LAG, else 30)\n");
}

/* Reads exactly CONTENT_LENGTH bytes (the cap is checked before). */
static int
read_body(lw_req *r, FCGX_Stream *in)
{
    size_t len = (size_t) r->content_length, got = 0;
    char *body;
    int n;

    if (r->body_status != 0 || len == 0)
        return LW_OK;
    body = lw_pool_alloc(r->pool, len + 1);
    if (body == NULL)
        return LW_ENOMEM;
    while (got < len) {
        n = FCGX_GetStr(body + got, (int) (len - got), in);
        if (n <= 0)
            break;
        got += (size_t) n;
    }
    if (got != len) {
        r->body_status = 400;
        return LW_OK;
    }
    return lw_req_set_body(r, body, len);
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    FCGX_Request fr;
    lw_req r;
    int rc;

    if (FCGX_InitRequest(&fr, app.listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        lw_log(LW_LOG_ERROR, "FCGX_InitRequest failed");
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&app.accept_lock);
        rc = app.stopping ? -1 : FCGX_Accept_r(&fr);
        pthread_mutex_unlock(&app.accept_lock);
        if (rc < 0)
            break;
        if (lw_req_init(&r, fr.envp, &w->db, app.db_url) == LW_OK && read_body(&r, fr.in) == LW_OK) {
            lw_timings_begin(&r);
            lw_route_handle(&r);
            lw_output_write(&fr, &r);
            lw_timings_end(&r);
        } else {
            FCGX_FPrintF(fr.out, "Status: 500 Internal Server Error\r\n"
                                 "Content-Type: text/plain\r\n\r\nout of memory\n");
        }
        FCGX_Finish_r(&fr);
        lw_req_free(&r);
    }
    FCGX_Free(&fr, 0);
    lw_shell_thread_free();
    lw_db_close(w->db);
    w->db = NULL;
    return NULL;
}

/* A unix socket path that exists: removed when nobody answers on it,
 * refused when another server is listening. */
static int
clear_stale_socket(const char *path)
{
    struct sockaddr_un sa;
    struct stat st;
    int fd, rc;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? LW_OK : LW_EIO;
    if (!S_ISSOCK(st.st_mode)) {
        lw_log(LW_LOG_ERROR, "%s exists and is not a socket; not touching it", path);
        return LW_EIO;
    }
    if (strlen(path) >= sizeof(sa.sun_path))
        return LW_EINVAL;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return LW_EIO;
    rc = connect(fd, (struct sockaddr *) &sa, sizeof(sa));
    close(fd);
    if (rc == 0) {
        lw_log(LW_LOG_ERROR, "another process is listening on %s", path);
        return LW_EIO;
    }
    lw_log(LW_LOG_INFO, "removing stale socket %s", path);
    return unlink(path) == 0 ? LW_OK : LW_EIO;
}

static int
is_unix_path(const char *s)
{
    return strchr(s, '/') != NULL || strchr(s, ':') == NULL;
}

/* The kernel silently caps a listen backlog at net.core.somaxconn: say so,
 * since a full backlog is what turns a burst into 502s at nginx. */
static void
warn_somaxconn(int backlog)
{
    FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
    int max = 0;

    if (f == NULL)
        return;
    if (fscanf(f, "%d", &max) == 1 && max > 0 && max < backlog)
        lw_log(LW_LOG_WARN, "listen backlog %d is capped by net.core.somaxconn = %d "
               "(sysctl -w net.core.somaxconn=%d to raise it)", backlog, max, backlog);
    fclose(f);
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "socket", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 't' },
        { "database", required_argument, NULL, 'd' },
        { "datadir", required_argument, NULL, 'D' },
        { "log-level", required_argument, NULL, 'l' },
        { "backlog", required_argument, NULL, 'b' },
        { "statement-timeout", required_argument, NULL, 'O' },
        { "cache-size", required_argument, NULL, 'C' },
        { "cache-duration", required_argument, NULL, 'T' },
        { "session-lifetime", required_argument, NULL, 'S' },
        { "trusted-proxies", required_argument, NULL, 'P' },
        { "read-database", required_argument, NULL, 'R' },
        { "read-max-lag", required_argument, NULL, 'L' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct worker *workers = NULL;
    const char *datadir = NULL, *env, *lifetime = getenv("LLMWATCH_SESSION_LIFETIME");
    const char *read_url = NULL;
    double read_max_lag = -1;
    lw_req_settings settings = { 0, getenv("LLMWATCH_TRUSTED_PROXIES"), 0 };
    int64_t seconds;
    char tpldir[4096];
    sigset_t sigs;
    lw_err err = { { 0 } };
    const char *cache_size = getenv("LLMWATCH_WEB_CACHE_SIZE");
    const char *cache_dur = getenv("LLMWATCH_WEB_CACHE_DURATION");
    lw_cache_conf cache = { (size_t) 64 << 20, 300 };
    int64_t v;
    long long stmt_timeout = 10000;
    int c, i, sig, nthreads = 16, backlog = 1024, level = LW_LOG_INFO, status = EXIT_FAILURE;

    if ((env = getenv("LLMWATCH_SOCKET")) != NULL && *env)
        app.socket_path = env;
    if ((env = getenv("LLMWATCH_WEB_THREADS")) != NULL && *env)
        nthreads = atoi(env);
    if ((env = getenv("LLMWATCH_WEB_BACKLOG")) != NULL && *env)
        backlog = atoi(env);
    if ((env = getenv("LLMWATCH_WEB_STATEMENT_TIMEOUT")) != NULL && *env)
        stmt_timeout = atoll(env);
    while ((c = getopt_long(argc, argv, "s:t:d:D:l:hb:C:T:S:P:O:R:L:", opts, NULL)) != -1) {
        switch (c) {
        case 's': app.socket_path = optarg; break;
        case 't': nthreads = atoi(optarg); break;
        case 'b': backlog = atoi(optarg); break;
        case 'O': stmt_timeout = atoll(optarg); break;
        case 'C': cache_size = optarg; break;
        case 'T': cache_dur = optarg; break;
        case 'd': app.db_url = optarg; break;
        case 'D': datadir = optarg; break;
        case 'S': lifetime = optarg; break;
        case 'P': settings.trusted_proxies = optarg; break;
        case 'R': read_url = optarg; break;
        case 'L': read_max_lag = atof(optarg); break;
        case 'l':
            if ((level = lw_log_level_parse(optarg)) < 0) {
                fprintf(stderr, "llmwatch-web: unknown log level '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || nthreads < 1 || nthreads > MAX_THREADS) {
        if (nthreads < 1 || nthreads > MAX_THREADS)
            fprintf(stderr, "llmwatch-web: --threads must be between 1 and %d\n", MAX_THREADS);
        usage(stderr);
        return 2;
    }
    if (backlog < 1 || backlog > 65535) {
        fprintf(stderr, "llmwatch-web: --backlog must be between 1 and 65535\n");
        return 2;
    }
    if (cache_size != NULL && *cache_size) {
        if (lw_parse_bytes(cache_size, &v) != LW_OK) {
            fprintf(stderr, "llmwatch-web: --cache-size must be a size such as 64M or 1GB\n");
            return 2;
        }
        cache.max_bytes = (size_t) v;
    }
    if (cache_dur != NULL && *cache_dur) {
        cache.max_age_s = atoi(cache_dur);
        if (cache.max_age_s < 1 || cache.max_age_s > 86400) {
            fprintf(stderr, "llmwatch-web: --cache-duration must be from 1 to 86400 seconds\n");
            return 2;
        }
    }
    if (app.socket_path == NULL)
        app.socket_path = "/run/llmwatch/web.sock";
    if (lifetime != NULL && *lifetime) {
        if (lw_duration_parse(lifetime, &seconds, &err) != LW_OK || seconds < 300
            || seconds > 365 * 86400) {
            fprintf(stderr, "llmwatch-web: --session-lifetime must be a duration from 5 minutes "
                            "to 365 days, not '%s'\n", lifetime);
            return 2;
        }
        settings.session_lifetime_s = seconds;
    }
    if (stmt_timeout < 100 || stmt_timeout > 3600000) {
        fprintf(stderr, "llmwatch-web: --statement-timeout must be from 100 to 3600000 ms\n");
        return 2;
    }
    settings.statement_timeout_ms = stmt_timeout;
    lw_req_setup(&settings);
    lw_replica_setup(read_url, read_max_lag);
    lw_log_init("llmwatch-web", level);
    /* pages of 100-200 KB are built and dropped on every request: keep
     * such buffers in the heap instead of a fresh mmap (and its page
     * faults) each time */
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    app.db_url = lw_db_default_url(app.db_url);
    if (datadir == NULL)
        datadir = lw_datadir();
    snprintf(tpldir, sizeof(tpldir), "%s/templates", datadir);
    if (lw_render_init(tpldir, &err) != LW_OK) {
        fprintf(stderr, "llmwatch-web: %s\n", err.msg);
        return EXIT_FAILURE;
    }

    /* signals are taken by sigwait in this thread only */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (FCGX_Init() != 0) {
        fprintf(stderr, "llmwatch-web: FCGX_Init failed\n");
        goto cleanup;
    }
    if (is_unix_path(app.socket_path) && clear_stale_socket(app.socket_path) != LW_OK) {
        fprintf(stderr, "llmwatch-web: cannot use socket %s\n", app.socket_path);
        goto cleanup;
    }
    warn_somaxconn(backlog);
    app.listen_fd = FCGX_OpenSocket(app.socket_path, backlog);
    if (app.listen_fd < 0) {
        fprintf(stderr, "llmwatch-web: cannot listen on %s: %s\n", app.socket_path, strerror(errno));
        goto cleanup;
    }
    if (is_unix_path(app.socket_path) && chmod(app.socket_path, 0660) != 0) {
        fprintf(stderr, "llmwatch-web: chmod %s: %s\n", app.socket_path, strerror(errno));
        goto cleanup;
    }
    if (lw_cache_start(app.db_url, &cache) != LW_OK) {
        fprintf(stderr, "llmwatch-web: cannot start the page cache\n");
        goto cleanup;
    }
    workers = calloc((size_t) nthreads, sizeof(*workers));
    if (workers == NULL)
        goto cleanup;
    for (i = 0; i < nthreads; i++) {
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
            lw_log(LW_LOG_ERROR, "cannot start thread %d", i);
            break;
        }
        workers[i].started = 1;
    }
    lw_log(LW_LOG_INFO, "listening on %s with %d threads, backlog %d, page cache %zu bytes (%d s)",
           app.socket_path, nthreads, backlog, cache.max_bytes, cache.max_age_s);

    for (;;) {
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig == SIGHUP)
            continue;   /* nothing to reload: templates are checked at start */
        break;
    }
    lw_log(LW_LOG_INFO, "signal %d: finishing requests in flight", sig);
    app.stopping = 1;
    FCGX_ShutdownPending();
    /* wakes the thread blocked in accept(); the others see `stopping` */
    shutdown(app.listen_fd, SHUT_RDWR);
    for (i = 0; i < nthreads; i++)
        if (workers[i].started)
            pthread_join(workers[i].thread, NULL);
    status = EXIT_SUCCESS;
    lw_log(LW_LOG_INFO, "stopped");
cleanup:
    if (app.listen_fd >= 0) {
        close(app.listen_fd);
        if (is_unix_path(app.socket_path))
            unlink(app.socket_path);
    }
    free(workers);
    lw_cache_stop();
    lw_render_shutdown();
    return status;
}
