/* listen.c: the simulator's listening socket (HOST:PORT, [IPv6]:PORT, *:0
 * for any address and a free port, written to --port-file) and the file
 * descriptor limit raised for thousands of concurrent connections. */
#include "sim.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKLOG          4096

int
lw_sim_listen(const char *spec, const char *port_file, int *out, lw_err *err)
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
        if (port_file != NULL) {
            char tmp[4096];
            FILE *f;

            snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
            f = fopen(tmp, "w");
            if (f == NULL || fprintf(f, "%d\n", p) < 0 || fclose(f) != 0 ||
                rename(tmp, port_file) != 0) {
                lw_err_set(err, "--port-file %s: %s", port_file, strerror(errno));
                close(fd);
                return LW_EIO;
            }
        }
    }
    *out = fd;
    return LW_OK;
}

void
lw_sim_raise_nofile(void)
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

