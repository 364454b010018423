/* timers.c: `llmwatch timers`: a systemd .service/.timer pair for every
 * schedule, the jobs of monitoring_config.yaml and the reports of
 * report_config.yaml, with OnCalendar= from the same parser that says
 * when llmwatch itself thinks a slot is due (lib/schedule.h), so the two
 * agree; `--next N` prints those slots for comparing with
 * `systemd-analyze calendar`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "jobs.h"
#include "report/reporting.h"
#include "times.h"

/* A job or report schedule as units see it. */
struct unit {
    char        name[160];      /* llmwatch-probe, llmwatch-report-weekly-deep-dive */
    char        what[256];      /* for Description= */
    char        exec[1024];     /* ExecStart= arguments after the binary */
    const lw_sched *sched;
    int64_t     timeout;
};

struct opts {
    const char *output, *user, *bindir, *env_file, *report_config, *at;
    long long   next;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;
    const char **const fields[] = {
        &o->output, &o->user, &o->bindir, &o->env_file, &o->report_config, &o->at
    };

    if (ch == 'n')
        return lw_cli_int_opt(cli, arg, 1, 1000, &o->next, "--next must be a number from 1 to 1000");
    lw_cli_keep(ch, arg, "oubera", fields);
    return 0;
}

/* Paths in units are absolute (systemd refuses relative ones). */
static const char *
absolute(lw_cli *cli, const char *path)
{
    char buf[PATH_MAX];

    if (path == NULL)
        return NULL;
    if (realpath(path, buf) != NULL)
        return lw_pool_strdup(cli->pool, buf);
    return path;
}

/* A word of a command line for systemd: quoted when it needs to be. */
static void
arg(char *buf, size_t size, const char *word)
{
    size_t o = strlen(buf);
    const char *p;

    if (strpbrk(word, " \t\"'\\%$;") == NULL) {
        snprintf(buf + o, size - o, " %s", word);
        return;
    }
    if (o + 3 < size)
        buf[o++] = ' ', buf[o++] = '"';
    for (p = word; *p && o + 4 < size; p++) {
        if (*p == '"' || *p == '\\')
            buf[o++] = '\\';
        if (*p == '%' || *p == '$')
            buf[o++] = *p;   /* %% and $$: systemd's own escapes */
        buf[o++] = *p;
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

static int
write_unit(lw_cli *cli, const char *dir, const char *name, const char *ext, const char *text)
{
    char path[PATH_MAX];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
    if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        lw_cli_fail(cli, "%s: %s", path, strerror(errno));
        return LW_EIO;
    }
    chmod(path, 0644);
    return LW_OK;
}

static int
emit(lw_cli *cli, const struct opts *o, const char *bin, const struct unit *u, const char *cal)
{
    lw_buf svc = { 0 }, tmr = { 0 };
    int rc;

    lw_buf_printf(&svc,
        "# written by `llmwatch timers` from the configuration: write them again when it changes\n"
        "[Unit]\n"
        "Description=llmwatch %s\n"
        "After=network-online.target postgresql.service\n"
        "Wants=network-online.target\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        "User=%s\n"
        "Group=%s\n"
        "EnvironmentFile=-%s\n"
        /* WeasyPrint's font cache wants a writable home of its own */
        "CacheDirectory=llmwatch\n"
        "Environment=XDG_CACHE_HOME=%%C/llmwatch\n"
        "ExecStart=%s%s\n"
        /* llmwatch stops a run at its own timeout and records it; systemd's
         * is the backstop a minute later */
        "TimeoutStartSec=%lld\n"
        "NoNewPrivileges=yes\n"
        "ProtectSystem=strict\n"
        "ProtectHome=yes\n"
        "PrivateTmp=yes\n"
        "PrivateDevices=yes\n"
        "ProtectKernelTunables=yes\n"
        "ProtectKernelModules=yes\n"
        "ProtectKernelLogs=yes\n"
        "ProtectControlGroups=yes\n"
        "ProtectClock=yes\n"
        "ProtectHostname=yes\n"
        "RestrictSUIDSGID=yes\n"
        "RestrictRealtime=yes\n"
        "RestrictNamespaces=yes\n"
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"
        "LockPersonality=yes\n"
        "SystemCallArchitectures=native\n"
        "CapabilityBoundingSet=\n"
        "UMask=0077\n",
        u->what, o->user, o->user, o->env_file, bin, u->exec, (long long) u->timeout + 60);
    lw_buf_printf(&tmr,
        "# written by `llmwatch timers` from the configuration: write them again when it changes\n"
        "[Unit]\n"
        "Description=llmwatch %s\n\n"
        "[Timer]\n"
        "OnCalendar=%s\n"
        /* a slot missed while the machine was off runs when it is back;
         * llmwatch's own record (job_runs) runs it only once */
        "Persistent=true\n"
        "AccuracySec=1s\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n", u->what, cal);
    rc = svc.data && tmr.data ? LW_OK : LW_ENOMEM;
    if (rc == LW_OK)
        rc = write_unit(cli, o->output, u->name, "service", svc.data);
    if (rc == LW_OK)
        rc = write_unit(cli, o->output, u->name, "timer", tmr.data);
    lw_buf_free(&svc);
    lw_buf_free(&tmr);
    return rc;
}

/* The next n slots after `at`, as `systemd-analyze calendar` prints them. */
static void
print_next(const struct unit *u, const char *cal, time_t at, long long n)
{
    char when[64];
    struct tm tm;
    time_t t = at;
    long long i;

    printf("%s\t%s", u->name, cal);
    for (i = 0; i < n && lw_sched_next(u->sched, t, &t) == LW_OK; i++) {
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%a %Y-%m-%d %H:%M:%S UTC", &tm);
        printf("\t%s", when);
    }
    printf("\n");
}

int
lw_cmd_timers(lw_cli *cli)
{
    static const char spec[] = "output:o user:u bindir:b environment-file:e report-config:r "
                               "next:n at:a";
    struct opts o;
    struct unit *units = NULL;
    lw_report_config *rc = NULL;
    const char *config, *rconfig, *bin;
    char cal[256], self[PATH_MAX], binpath[PATH_MAX], dash[128];
    size_t i, n = 0, k;
    time_t at = time(NULL);
    int failed, ret = 1, skipped = 0;

    memset(&o, 0, sizeof(o));
    o.user = "llmwatch";
    o.env_file = "/etc/llmwatch/environment";
    if ((ret = lw_cli_parse(cli, spec, on_opt, &o)) != LW_CLI_GO)
        return ret;
    ret = 1;
    if ((o.output == NULL) == (o.next == 0)) {
        lw_cli_usage(cli, stderr, 0);
        return 2;
    }
    if (o.at != NULL && lw_time_parse(o.at, &at) != LW_OK)
        return lw_cli_fail(cli, "--at: '%s' is not a time", o.at);
    if (lw_cli_config(cli) != LW_CLI_GO)
        return 1;
    rc = lw_report_config_cli(cli, o.report_config, 0, &failed);
    if (failed)
        return 1;
    config = absolute(cli, cli->config_path);
    rconfig = rc != NULL ? absolute(cli, rc->path) : NULL;
    /* the binary that wrote them, unless told otherwise: verify checks it exists */
    if (o.bindir != NULL) {
        snprintf(binpath, sizeof(binpath), "%s/llmwatch", o.bindir);
    } else {
        ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

        self[len > 0 ? len : 0] = '\0';
        snprintf(binpath, sizeof(binpath), "%s", len > 0 ? self : "/usr/local/bin/llmwatch");
    }
    bin = binpath;
    units = calloc(lw_jobs_count + (rc ? rc->n_schedules : 0) + 1, sizeof(*units));
    if (units == NULL)
        goto cleanup;
    for (i = 0; i < lw_jobs_count; i++) {
        const lw_job_def *def = &lw_jobs[i];
        struct unit *u = &units[n];

        if (def->cfg_job < 0 || !lw_job_enabled(def, cli->cfg))
            continue;
        snprintf(dash, sizeof(dash), "%s", def->name);
        for (k = 0; dash[k]; k++)
            dash[k] = dash[k] == '_' ? '-' : dash[k];
        snprintf(u->name, sizeof(u->name), "llmwatch-%s", dash);
        u->sched = &cli->cfg->jobs[def->cfg_job].sched;
        u->timeout = cli->cfg->jobs[def->cfg_job].timeout;
        snprintf(u->what, sizeof(u->what), "job %s (%s: %s)", def->name,
                 lw_config_job_name((lw_job) def->cfg_job), cli->cfg->jobs[def->cfg_job].sched.text);
        snprintf(u->exec, sizeof(u->exec), " run-due --job %s", def->name);
        arg(u->exec, sizeof(u->exec), "--config");
        arg(u->exec, sizeof(u->exec), config);
        n++;
    }
    for (i = 0; rc != NULL && i < rc->n_schedules; i++) {
        const lw_report_schedule *s = &rc->schedules[i];
        struct unit *u = &units[n];

        if (!s->enabled)
            continue;
        snprintf(u->name, sizeof(u->name), "llmwatch-report-%s", s->slug);
        u->sched = &s->sched;
        u->timeout = s->timeout;
        snprintf(u->what, sizeof(u->what), "report '%s' (%s)", s->name, s->sched.text);
        snprintf(u->exec, sizeof(u->exec), " report --due --schedule %s", s->slug);
        arg(u->exec, sizeof(u->exec), "--config");
        arg(u->exec, sizeof(u->exec), config);
        arg(u->exec, sizeof(u->exec), "--report-config");
        arg(u->exec, sizeof(u->exec), rconfig);
        n++;
    }
    if (o.output != NULL && mkdir(o.output, 0755) != 0 && errno != EEXIST) {
        lw_cli_fail(cli, "%s: %s", o.output, strerror(errno));
        goto cleanup;
    }
    for (i = 0; i < n; i++) {
        if (lw_sched_to_oncalendar(units[i].sched, cal, sizeof(cal)) != LW_OK) {
            fprintf(stderr, "%s: %s: '%s' has no exact OnCalendar= form (an interval that divides "
                    "neither a minute, an hour nor a day): no timer written; the every-minute "
                    "llmwatch-run-due.timer runs it\n", cli->prog, units[i].name,
                    units[i].sched->text);
            skipped++;
            continue;
        }
        if (o.next > 0)
            print_next(&units[i], cal, at, o.next);
        else if (emit(cli, &o, bin, &units[i], cal) != LW_OK)
            goto cleanup;
    }
    if (o.output != NULL)
        printf("\xE2\x9C\x93 %zu timer%s written to %s (install them in /etc/systemd/system, then "
               "systemctl enable --now llmwatch-*.timer)\n", n - (size_t) skipped,
               n - (size_t) skipped == 1 ? "" : "s", o.output);
    ret = 0;
cleanup:
    free(units);
    lw_report_config_free(rc);
    return ret;
}
