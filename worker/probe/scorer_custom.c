/* scorer_custom.c: custom scorers: a user's command measures a reply by a
 * metric of its own (see lw_scorer_custom_run in probe.h). The command is
 * spawned directly (posix_spawnp, no shell: its arguments are never
 * interpreted), in a process group of its own so that a timeout kills
 * whatever it started; its input and output are pumped with poll() so a
 * long reply cannot deadlock it. */
#include "probe/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "usage.h"

extern char **environ;

#define MAX_OUTPUT 4096
#define DEFAULT_TIMEOUT_MS 5000

/* environ without our variables, then ours at env[*ours .. *ours + 2]
 * (caller frees with free_env). NULL when out of memory. */
static char **
child_env(const char *expected, const char *case_id, const char *metric, size_t *ours)
{
    size_t n = 0, i, k = 0;
    char **env;

    while (environ[n] != NULL)
        n++;
    env = calloc(n + 4, sizeof(char *));
    if (env == NULL)
        return NULL;
    for (i = 0; i < n; i++)
        if (strncmp(environ[i], "LLMWATCH_EXPECTED=", 18) != 0
            && strncmp(environ[i], "LLMWATCH_CASE_ID=", 17) != 0
            && strncmp(environ[i], "LLMWATCH_METRIC=", 16) != 0)
            env[k++] = environ[i];
    *ours = k;
    if (asprintf(&env[k], "LLMWATCH_EXPECTED=%s", expected ? expected : "") < 0)
        env[k] = NULL;
    else if (asprintf(&env[k + 1], "LLMWATCH_CASE_ID=%s", case_id ? case_id : "") < 0)
        env[k + 1] = NULL;
    else if (asprintf(&env[k + 2], "LLMWATCH_METRIC=%s", metric) < 0)
        env[k + 2] = NULL;
    if (env[k] == NULL || env[k + 1] == NULL || env[k + 2] == NULL) {
        free(env[k]);
        free(env[k + 1]);
        free(env);
        return NULL;
    }
    return env;
}

static void
free_env(char **env, size_t ours)
{
    if (env == NULL)
        return;
    free(env[ours]);
    free(env[ours + 1]);
    free(env[ours + 2]);
    free(env);
}

/* Writes what is left of the reply and reads the output until the child
 * closes it or the deadline passes. 0, or LW_ETIMEDOUT. */
static int
pump(int *in, int out, const char *reply, size_t len, int64_t deadline_us, char *buf, size_t *got)
{
    struct pollfd p[2];
    size_t off = 0;
    ssize_t k;
    int n, rc;

    while (out >= 0) {
        n = 0;
        if (*in >= 0) {
            p[n].fd = *in;
            p[n++].events = POLLOUT;
        }
        p[n].fd = out;
        p[n++].events = POLLIN;
        if ((rc = lw_poll_until(p, (size_t) n, deadline_us)) != LW_OK)
            return rc;
        if (*in >= 0 && p[0].revents) {
            k = off < len ? write(*in, reply + off, len - off) : 0;
            if (k < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (k > 0)
                off += (size_t) k;
            if (k <= 0 || off == len) {
                /* all written, or the command stopped reading: EOF */
                close(*in);
                *in = -1;
            }
        }
        if (p[n - 1].revents) {
            k = read(out, buf + *got, MAX_OUTPUT - *got);
            if (k > 0 && (*got += (size_t) k) < MAX_OUTPUT)
                continue;
            if (k < 0 && errno == EINTR)
                continue;
            out = -1;       /* EOF, an error or enough read */
        }
    }
    return LW_OK;
}

int
lw_scorer_custom_run(const lw_custom_scorer *cs, const char *reply, const char *expected,
                     const char *case_id, double *value, lw_err *err)
{
    int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 }, status = 0, rc;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    char buf[MAX_OUTPUT + 1], *end, **env = NULL;
    long timeout = cs->timeout_ms > 0 ? cs->timeout_ms : DEFAULT_TIMEOUT_MS;
    size_t got = 0, ours = 0;
    pid_t pid = -1;

    *value = NAN;
    if (!lw_usage_metric_name_ok(cs->name) || cs->argv == NULL || cs->argv[0] == NULL) {
        lw_err_set(err, "custom scorer: a metric name and a command are needed");
        return LW_EINVAL;
    }
    /* a reader that went away must not kill us */
    signal(SIGPIPE, SIG_IGN);
    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) {
        lw_err_set(err, "custom scorer %s: pipe: %s", cs->name, strerror(errno));
        rc = LW_EIO;
        goto cleanup;
    }
    env = child_env(expected, case_id, cs->name, &ours);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, from_child[1], STDOUT_FILENO);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    rc = env == NULL ? ENOMEM : posix_spawnp(&pid, cs->argv[0], &fa, &at, cs->argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(to_child[0]);
    close(from_child[1]);
    to_child[0] = from_child[1] = -1;
    if (rc != 0) {
        lw_err_set(err, "custom scorer %s: cannot run %s: %s", cs->name, cs->argv[0], strerror(rc));
        pid = -1;
        rc = LW_EIO;
        goto cleanup;
    }
    fcntl(to_child[1], F_SETFL, O_NONBLOCK);
    rc = pump(&to_child[1], from_child[0], reply ? reply : "", reply ? strlen(reply) : 0,
              lw_now_mono_us() + (int64_t) timeout * 1000, buf, &got);
    if (rc == LW_ETIMEDOUT) {
        kill(-pid, SIGKILL);
        lw_err_set(err, "custom scorer %s: no answer within %ld ms", cs->name, timeout);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    pid = -1;
    if (rc != LW_OK)
        goto cleanup;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        lw_err_set(err, "custom scorer %s: %s %d", cs->name,
                   WIFEXITED(status) ? "exit status" : "killed by signal",
                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        rc = LW_ERROR;
        goto cleanup;
    }
    buf[got] = '\0';
    *value = strtod(buf, &end);
    if (end == buf || !isfinite(*value)) {
        *value = NAN;
        lw_err_set(err, "custom scorer %s: no number on its output", cs->name);
        rc = LW_EINVAL;
    }
cleanup:
    if (pid > 0) {
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    if (to_child[0] >= 0)
        close(to_child[0]);
    if (to_child[1] >= 0)
        close(to_child[1]);
    if (from_child[0] >= 0)
        close(from_child[0]);
    if (from_child[1] >= 0)
        close(from_child[1]);
    free_env(env, ours);
    return rc;
}

const char *
lw_scorer_custom_failure(int rc)
{
    switch (rc) {
    case LW_OK:
        return NULL;
    case LW_ETIMEDOUT:
        return "timeout";
    case LW_ERROR:
        return "exit";
    case LW_EINVAL:
        return "no_number";
    default:
        return "cannot_run";
    }
}
