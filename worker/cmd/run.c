/* cmd_run.c: `llmwatch run`, the foreground scheduler used by `make run`,
 * and `llmwatch run-due`, the one-shot pass systemd timers call. Both go
 * through the same due/claim/record path in jobs.c; `run` forks one child
 * per job run so a crashing job cannot take the scheduler down. */
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
#include "jobs.h"
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

struct opts {
    const char *config;
    const char *database;
    const char *job;
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        { "config",   required_argument, NULL, 'c' },
        { "database", required_argument, NULL, 'd' },
        { "job",      required_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 }
    };
    int ch;

    memset(o, 0, sizeof(*o));
    o->config = getenv("LLMWATCH_CONFIG") ? getenv("LLMWATCH_CONFIG") : "monitoring_config.yaml";
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:d:j:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->config = optarg; break;
        case 'd': o->database = optarg; break;
        case 'j': o->job = optarg; break;
        default:  return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

/* Loads the config (NULL with a logged reason when it does not load: the
 * jobs then run on their defaults and the last good config stays in use). */
static lw_config *
load_config(const char *path)
{
    lw_diag diags;
    lw_config *cfg = NULL;

    lw_diag_init(&diags);
    if (lw_config_load(path, &cfg, &diags) != LW_OK) {
        lw_log(LW_LOG_ERROR, "configuration %s has errors:", path);
        lw_diag_print(&diags, stderr);
        cfg = NULL;
    }
    lw_diag_free(&diags);
    return cfg;
}

static time_t
file_mtime(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? st.st_mtime : 0;
}

int
lw_cmd_run_due(int argc, char **argv)
{
    struct opts o;
    lw_config *cfg;
    lw_db *db;
    lw_err err;
    lw_sched s;
    long long run_id;
    time_t slot, now = time(NULL);
    size_t i;
    int timeout, due, failed = 0;

    if (parse_opts(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: llmwatch run-due [--config FILE] [--database URL] [--job NAME]\n");
        return 2;
    }
    if (o.job != NULL && lw_job_find(o.job) == NULL) {
        fprintf(stderr, "llmwatch run-due: unknown job '%s'\n", o.job);
        return 2;
    }
    db = lw_db_connect(lw_db_default_url(o.database), "llmwatch run-due", &err);
    if (db == NULL) {
        lw_log(LW_LOG_ERROR, "%s", err.msg);
        return 1;
    }
    cfg = load_config(o.config);
    for (i = 0; i < lw_jobs_count; i++) {
        const lw_job_def *def = &lw_jobs[i];

        if (o.job != NULL && strcmp(o.job, def->name) != 0)
            continue;
        if (!lw_job_enabled(def, cfg))
            continue;
        if (lw_job_schedule(def, cfg, &s, &timeout, &err) != LW_OK) {
            lw_log(LW_LOG_ERROR, "job %s: %s", def->name, err.msg);
            failed++;
            continue;
        }
        due = lw_job_due(db, def, &s, now, &slot, &err);
        if (due < 0) {
            lw_log(LW_LOG_ERROR, "job %s: %s", def->name, err.msg);
            failed++;
            continue;
        }
        if (due == 0)
            continue;
        if (lw_job_claim(db, def->name, slot, &run_id, &err) != 1)
            continue;   /* another scheduler has this slot */
        if (lw_job_run_now(db, cfg, o.config, def, slot, run_id) != LW_OK)
            failed++;
    }
    lw_config_free(cfg);
    lw_db_close(db);
    return failed ? 1 : 0;
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
                lw_db_exec(db, &err, "SELECT 1", 0, NULL);
                {
                    char id[24];
                    const char *p[2] = { id, why };

                    snprintf(id, sizeof(id), "%lld", kids[i].run_id);
                    lw_db_exec(db, &err,
                               "UPDATE job_runs SET status = 'failed', finished_at = now(), error = $2 "
                               "WHERE id = $1::bigint AND status = 'running'", 2, p);
                }
            }
            kids[i].pid = 0;
        }
        block = 0;
    }
}

int
lw_cmd_run(int argc, char **argv)
{
    struct opts o;
    struct sigaction sa;
    struct child *kids;
    lw_config *cfg, *fresh;
    lw_db *db = NULL;
    lw_err err;
    lw_sched s;
    const char *url;
    long long run_id;
    time_t now, slot, mtime;
    size_t i, running;
    int timeout, due;

    if (parse_opts(argc, argv, &o) != 0 || o.job != NULL) {
        fprintf(stderr, "usage: llmwatch run [--config FILE] [--database URL]\n");
        return 2;
    }
    url = lw_db_default_url(o.database);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    cfg = load_config(o.config);
    mtime = file_mtime(o.config);
    kids = calloc(lw_jobs_count, sizeof(*kids));
    if (kids == NULL)
        return 1;
    lw_log(LW_LOG_INFO, "scheduler started (config %s, %zu jobs)", o.config, lw_jobs_count);
    for (i = 0; i < lw_jobs_count; i++) {
        char desc[128] = "";

        if (lw_job_schedule(&lw_jobs[i], cfg, &s, &timeout, &err) == LW_OK)
            lw_sched_describe(&s, desc, sizeof(desc));
        lw_log(LW_LOG_INFO, "job %s: %s", lw_jobs[i].name, desc);
    }

    while (!stop_requested) {
        if (db == NULL) {
            db = lw_db_connect(url, "llmwatch run", &err);
            if (db == NULL) {
                lw_log(LW_LOG_WARN, "%s (retrying)", err.msg);
                sleep(2);
                continue;
            }
        }
        reap(db, kids, lw_jobs_count, 0);

        /* a changed config file is reloaded and synced; a broken one is
         * reported and the last good one stays in force */
        if (file_mtime(o.config) != mtime) {
            mtime = file_mtime(o.config);
            fresh = load_config(o.config);
            if (fresh != NULL) {
                lw_sync_counts counts;

                if (lw_sync_config(db, &err, fresh, "config", &counts) != LW_OK)
                    lw_log(LW_LOG_ERROR, "config sync failed: %s", err.msg);
                else
                    lw_log(LW_LOG_INFO, "configuration reloaded: %d models, %d rules",
                           counts.models, counts.rules);
                lw_config_free(cfg);
                cfg = fresh;
            }
        }

        now = time(NULL);
        for (i = 0; i < lw_jobs_count && !stop_requested; i++) {
            const lw_job_def *def = &lw_jobs[i];
            pid_t pid;

            if (kids[i].pid != 0)
                continue;   /* the previous run is still going */
            if (!lw_job_enabled(def, cfg))
                continue;
            if (lw_job_schedule(def, cfg, &s, &timeout, &err) != LW_OK)
                continue;
            due = lw_job_due(db, def, &s, now, &slot, &err);
            if (due < 0) {
                lw_log(LW_LOG_WARN, "job %s: %s", def->name, err.msg);
                continue;
            }
            if (due == 0 || lw_job_claim(db, def->name, slot, &run_id, &err) != 1)
                continue;
            pid = fork();
            if (pid < 0) {
                lw_log(LW_LOG_ERROR, "fork: %s", strerror(errno));
                lw_job_finish(db, run_id, "failed", "cannot fork", NULL, &err);
                continue;
            }
            if (pid == 0)
                child_run(o.config, cfg, def, slot, run_id, url);
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
    lw_config_free(cfg);
    lw_db_close(db);
    return 0;
}
