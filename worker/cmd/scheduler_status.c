/* scheduler_status.c: `llmwatch scheduler-status [--show-missed-jobs]`:
 * every job and report schedule with its last and next run, and every
 * slot of the last days without a successful run (none recorded, skipped
 * while no scheduler ran, failed, timed out, or abandoned by a process
 * that died), from job_runs, which every scheduler on every host writes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "db/scheduler.h"
#include "fmt.h"
#include "jobs.h"
#include "report/reporting.h"
#include "times.h"

#define MAX_SLOTS 200000

struct opts {
    const char *report_config;
    long long   days;
    int         missed;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;

    if (ch == 'm')
        o->missed = 1;
    else if (ch == 'r')
        o->report_config = arg;
    else if (ch == 'd')
        return lw_cli_int_opt(cli, arg, 1, 366, &o->days, "--days must be a number from 1 to 366");
    return 0;
}

static void
print_last(lw_db *db, const char *job)
{
    PGresult *res = lw_db_scheduler_last(db, NULL, job);
    char when[40], took[32], ok[40];

    if (res == NULL || PQntuples(res) == 0) {
        printf("never ran");
    } else {
        lw_fmt_time((time_t) lw_db_int(res, 0, 0), when, sizeof(when));
        lw_fmt_ms(lw_db_isnull(res, 0, 4) ? NAN : lw_db_double(res, 0, 4), took, sizeof(took));
        printf("last %s UTC: %s", when, lw_db_str(res, 0, 1));
        if (!lw_db_isnull(res, 0, 4))
            printf(" in %s", took);
        if (lw_db_str(res, 0, 3) != NULL)
            printf(" on %s", lw_db_str(res, 0, 3));
        if (lw_db_str(res, 0, 2)[0] != '\0')
            printf(" (%.100s)", lw_db_str(res, 0, 2));
        if (!lw_streq(lw_db_str(res, 0, 1), "ok")) {
            if (lw_db_isnull(res, 0, 5)) {
                printf("; never succeeded");
            } else {
                lw_fmt_time((time_t) lw_db_int(res, 0, 5), ok, sizeof(ok));
                printf("; last success %s UTC", ok);
            }
        }
    }
    PQclear(res);
}

/* One line for a run of missed slots with the same reason. */
static void
print_missed(const char *job, time_t first, time_t last, long n, const char *why, int *any)
{
    char a[40], b[40];

    if (n == 0)
        return;
    if (!*any)
        printf("- %s:\n", job);
    *any = 1;
    lw_fmt_time(first, a, sizeof(a));
    if (n == 1) {
        printf("    %s UTC: %s\n", a, why);
    } else {
        lw_fmt_time(last, b, sizeof(b));
        printf("    %s UTC to %s UTC: %ld slots, %s\n", a, b, n, why);
    }
}

/* Every slot of [from, now] of the job that has no successful run. */
static long
missed(lw_db *db, const char *job, const lw_sched *s, time_t from, time_t now)
{
    PGresult *runs = lw_db_scheduler_runs(db, NULL, job, from, now);
    char why[200], prev[200] = "";
    time_t t = from - 1, first = 0, last = 0;
    long n = 0, total = 0, steps = 0;
    int r = 0, any = 0;

    if (runs == NULL)
        return -1;
    while (lw_sched_next(s, t, &t) == LW_OK && t <= now && steps++ < MAX_SLOTS) {
        while (r < PQntuples(runs) && lw_db_int(runs, r, 0) < (long long) t)
            r++;
        if (r < PQntuples(runs) && lw_db_int(runs, r, 0) == (long long) t) {
            const char *status = lw_db_str(runs, r, 1), *err = lw_db_str(runs, r, 2);

            if (strcmp(status, "ok") == 0 || (strcmp(status, "running") == 0
                                               && !lw_db_bool(runs, r, 4))) {
                print_missed(job, first, last, n, prev, &any);
                n = 0;
                continue;
            }
            if (strcmp(status, "running") == 0)
                snprintf(why, sizeof(why), "abandoned: its process on %s went away",
                         lw_db_str(runs, r, 3) ? lw_db_str(runs, r, 3) : "?");
            else
                snprintf(why, sizeof(why), "%s%s%.150s", status, err[0] ? ": " : "", err);
        } else {
            snprintf(why, sizeof(why), "no run recorded (no scheduler ran it)");
        }
        if (n > 0 && strcmp(why, prev) != 0) {
            print_missed(job, first, last, n, prev, &any);
            n = 0;
        }
        if (n == 0)
            first = t;
        last = t;
        n++;
        total++;
        lw_strlcpy(prev, why, sizeof(prev));
    }
    print_missed(job, first, last, n, prev, &any);
    PQclear(runs);
    return total;
}

struct job {
    const char     *name;
    const char     *what;
    lw_sched        sched;
    int             enabled;
};

int
lw_cmd_scheduler_status(lw_cli *cli)
{
    static const char spec[] = "show-missed-jobs/m days:d report-config:r";
    struct opts o;
    struct job *jobs = NULL;
    lw_report_config *rc = NULL;
    char desc[160], next[96];
    time_t now = time(NULL), since = 0, since_job, from, at;
    size_t i, n = 0;
    long total = 0, k;
    int failed, ret, timeout;
    lw_db *db;

    memset(&o, 0, sizeof(o));
    o.days = 7;
    if ((ret = lw_cli_parse(cli, spec, on_opt, &o)) != LW_CLI_GO)
        return ret;
    ret = 1;
    lw_cli_config(cli);
    rc = lw_report_config_cli(cli, o.report_config, 0, &failed);
    if (failed || (db = lw_cli_db(cli)) == NULL)
        goto cleanup;
    if (lw_db_scheduler_since(db, &cli->err, &since) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    jobs = calloc(lw_jobs_count + (rc ? rc->n_schedules : 0) + 1, sizeof(*jobs));
    if (jobs == NULL)
        goto cleanup;
    for (i = 0; i < lw_jobs_count; i++) {
        jobs[n].name = lw_jobs[i].name;
        jobs[n].what = lw_jobs[i].cfg_job >= 0 ? lw_config_job_name((lw_job) lw_jobs[i].cfg_job)
                                                : "report schedules";
        jobs[n].enabled = lw_job_enabled(&lw_jobs[i], cli->cfg);
        if (lw_job_schedule(&lw_jobs[i], cli->cfg, &jobs[n].sched, &timeout, &cli->err) == LW_OK)
            n++;
    }
    for (i = 0; rc != NULL && i < rc->n_schedules; i++, n++) {
        jobs[n].name = rc->schedules[i].job;
        jobs[n].what = rc->schedules[i].name;
        jobs[n].sched = rc->schedules[i].sched;
        jobs[n].enabled = rc->schedules[i].enabled;
    }
    printf("Scheduler status (%s)\n", lw_time_format(now, LW_TIME_MINUTE, next, sizeof(next)));
    for (i = 0; i < n; i++) {
        if (lw_sched_describe(&jobs[i].sched, desc, sizeof(desc)) != LW_OK)
            lw_strlcpy(desc, jobs[i].sched.text, sizeof(desc));
        printf("- %s (%s): %s\n    ", jobs[i].name, jobs[i].what, desc);
        print_last(db, jobs[i].name);
        if (!jobs[i].enabled)
            printf("; disabled\n");
        else if (lw_fmt_next_run(&jobs[i].sched, now, &at, next, sizeof(next)) == LW_OK)
            printf("; next %s\n", next);
        else
            printf("; never runs\n");
    }
    if (o.missed) {
        printf("\nMissed jobs (slots of the last %lld day%s with no successful run):\n", o.days,
               o.days == 1 ? "" : "s");
        for (i = 0; i < n; i++) {
            time_t first = 0;

            if (!jobs[i].enabled)
                continue;
            /* no slot is missed before the job could run: the install, or
             * its first recorded run when older (a restored database) */
            from = now - (time_t) o.days * 86400;
            if (lw_db_scheduler_first(db, NULL, jobs[i].name, &first) == LW_OK && first != 0
                && first < since)
                since_job = first;
            else
                since_job = since;
            if (since_job > from)
                from = since_job;
            if ((k = missed(db, jobs[i].name, &jobs[i].sched, from, now)) < 0) {
                lw_cli_fail(cli, "cannot read the runs of %s", jobs[i].name);
                goto cleanup;
            }
            total += k;
        }
        if (total == 0)
            printf("none\n");
        else
            printf("%ld missed slot%s in all\n", total, total == 1 ? "" : "s");
    }
    ret = 0;
cleanup:
    free(jobs);
    lw_report_config_free(rc);
    return ret;
}
