/* run.c: `llmwatch run`, the foreground scheduler used by `make run`. It
 * goes through the same due/claim/record path in jobs.c as `run-due`, and
 * forks one child per job run so a crashing job cannot take the scheduler
 * down. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "db/jobs.h"
#include "jobs.h"
#include "probe/lease.h"
#include "sync.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
    (void) sig;
    stop_requested = 1;
}

struct child {
    pid_t      pid;
    long long  run_id;
    const lw_job_def *def;
};

static time_t
file_mtime(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? st.st_mtime : 0;
}

static void
child_run(const char *config_path, lw_config *cfg, const lw_job_def *def,
          time_t slot, long long run_id, const char *url)
{
    lw_db *db;
    lw_err err;
    int rc;

    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_IGN);    /* Ctrl-C reaches the parent, which stops us */
    db = lw_db_connect(url, def->name, &err);
    if (db == NULL) {
        lw_log(LW_LOG_ERROR, "job %s: %s", def->name, err.msg);
        _exit(1);
    }
    rc = lw_job_run_now(db, cfg, config_path, def, slot, run_id);
    lw_db_close(db);
    _exit(rc == LW_OK ? 0 : 1);
}

/* Reaps finished children; a child that died without recording its end
 * (killed, crashed) gets its run marked failed here. */
static void
reap(lw_db *db, struct child *kids, size_t n, int block)
{
    lw_err err;
    char why[64];
    size_t i;
    pid_t pid;
    int st;

    while ((pid = waitpid(-1, &st, block ? 0 : WNOHANG)) > 0) {
        for (i = 0; i < n; i++) {
            if (kids[i].pid != pid)
                continue;
            if (WIFSIGNALED(st)) {
                snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(st));
                lw_log(LW_LOG_ERROR, "job %s %s", kids[i].def->name, why);
                lw_db_check(db, &err);
                lw_db_jobs_finish(db, &err, kids[i].run_id, "failed", why, NULL, 1);
            }
            kids[i].pid = 0;
        }
        block = 0;
    }
}

int
lw_cmd_run(lw_cli *cli)
{
    struct sigaction sa;
    struct child *kids;
    lw_config *fresh;
    lw_db *db = NULL;
    lw_err err;
    lw_sched s;
    const char *path;
    long long run_id;
    time_t now, slot, mtime;
    size_t i, running;
    int timeout, due, rc;

    if ((rc = lw_cli_parse(cli, NULL, NULL, NULL)) != LW_CLI_GO)
        return rc;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    /* a config that does not load leaves the jobs on their defaults */
    lw_cli_config(cli);
    path = cli->config_path;
    mtime = file_mtime(path);
    kids = calloc(lw_jobs_count, sizeof(*kids));
    if (kids == NULL)
        return 1;
    lw_log(LW_LOG_INFO, "scheduler started (config %s, %zu jobs)", path, lw_jobs_count);
    for (i = 0; i < lw_jobs_count; i++) {
        char desc[128] = "";

        if (lw_job_schedule(&lw_jobs[i], cli->cfg, &s, &timeout, &err) == LW_OK)
            lw_sched_describe(&s, desc, sizeof(desc));
        lw_log(LW_LOG_INFO, "job %s: %s", lw_jobs[i].name, desc);
    }

    while (!stop_requested) {
        if (db == NULL) {
            db = lw_db_connect(cli->database_url, "llmwatch run", &err);
            if (db == NULL) {
                lw_log(LW_LOG_WARN, "%s (retrying)", err.msg);
                sleep(2);
                continue;
            }
        }
        reap(db, kids, lw_jobs_count, 0);

        /* a changed config file is reloaded and synced; a broken one is
         * reported and the last good one stays in force */
        if (file_mtime(path) != mtime) {
            mtime = file_mtime(path);
            fresh = lw_config_load_report(path, cli->prog, 0);
            if (fresh != NULL) {
                lw_sync_counts counts;

                if (lw_sync_config(db, &err, fresh, "config", &counts) != LW_OK)
                    lw_log(LW_LOG_ERROR, "config sync failed: %s", err.msg);
                else
                    lw_log(LW_LOG_INFO, "configuration reloaded: %d models, %d rules",
                           counts.models, counts.rules);
                lw_config_free(cli->cfg);
                cli->cfg = fresh;
            }
        }

        now = time(NULL);
        for (i = 0; i < lw_jobs_count && !stop_requested; i++) {
            const lw_job_def *def = &lw_jobs[i];
            pid_t pid;

            if (kids[i].pid != 0)
                continue;   /* the previous run is still going */
            if (!lw_job_enabled(def, cli->cfg))
                continue;
            if (lw_job_schedule(def, cli->cfg, &s, &timeout, &err) != LW_OK)
                continue;
            due = lw_job_due(db, &err, def, &s, now, &slot);
            if (due < 0) {
                lw_log(LW_LOG_WARN, "job %s: %s", def->name, err.msg);
                continue;
            }
            if (due == 0 || lw_job_claim(db, &err, def->name, slot, &run_id) != 1) {
                /* a probe slot is shared: help with its models (run_id 0) */
                if (lw_lease_join(db, &err, def->name, &slot) != 1)
                    continue;
                run_id = 0;
            }
            pid = fork();
            if (pid < 0) {
                lw_log(LW_LOG_ERROR, "fork: %s", strerror(errno));
                lw_job_finish(db, &err, run_id, "failed", "cannot fork", NULL);
                continue;
            }
            if (pid == 0)
                child_run(path, cli->cfg, def, slot, run_id, cli->database_url);
            kids[i].pid = pid;
            kids[i].run_id = run_id;
            kids[i].def = def;
        }
        sleep(1);
    }

    lw_log(LW_LOG_INFO, "scheduler stopping");
    for (running = 0, i = 0; i < lw_jobs_count; i++) {
        if (kids[i].pid != 0) {
            kill(kids[i].pid, SIGTERM);
            running++;
        }
    }
    while (running-- > 0 && db != NULL)
        reap(db, kids, lw_jobs_count, 1);
    free(kids);
    lw_db_close(db);
    return 0;
}
