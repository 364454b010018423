/* ref_fcgi.c: the reference page of `make bench-web`: the same stack as
 * llmwatch-web (libfcgi behind nginx, a thread pool sharing one accept
 * mutex, one PostgreSQL connection per thread) answering every request
 * with one prepared query and nothing else. Pages are measured as a ratio
 * to it, so the figures compare across machines.
 *
 * usage: ref_fcgi SOCKET DATABASE_URL THREADS */
#include <fcgiapp.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int listen_fd;
static const char *db_url;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void *
serve(void *arg)
{
    const char *params[1] = { "retention_days" };
    FCGX_Request req;
    PGconn *conn = PQconnectdb(db_url);
    PGresult *res;
    int rc;

    (void) arg;
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "ref_fcgi: %s", PQerrorMessage(conn));
        exit(1);
    }
    res = PQprepare(conn, "q", "SELECT value FROM settings WHERE key = $1", 1, NULL);
    PQclear(res);
    FCGX_InitRequest(&req, listen_fd, 0);
    for (;;) {
        pthread_mutex_lock(&accept_lock);
        rc = FCGX_Accept_r(&req);
        pthread_mutex_unlock(&accept_lock);
        if (rc < 0)
            break;
        res = PQexecPrepared(conn, "q", 1, params, NULL, NULL, 0);
        FCGX_FPrintF(req.out, "Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n%s\n",
                     PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "none");
        PQclear(res);
        FCGX_Finish_r(&req);
    }
    PQfinish(conn);
    return NULL;
}

int
main(int argc, char **argv)
{
    pthread_t *threads;
    int n, i;

    if (argc != 4 || (n = atoi(argv[3])) < 1 || n > 256) {
        fprintf(stderr, "usage: ref_fcgi SOCKET DATABASE_URL THREADS\n");
        return 2;
    }
    db_url = argv[2];
    FCGX_Init();
    unlink(argv[1]);
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) {
        fprintf(stderr, "ref_fcgi: cannot listen on %s\n", argv[1]);
        return 1;
    }
    chmod(argv[1], 0666);
    threads = calloc((size_t) n, sizeof(*threads));
    for (i = 0; i < n; i++)
        pthread_create(&threads[i], NULL, serve, NULL);
    for (i = 0; i < n; i++)
        pthread_join(threads[i], NULL);
    return 0;
}
