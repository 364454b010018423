/* run_due.c: `llmwatch run-due`, the one-shot pass systemd timers call:
 * each job whose slot is due is claimed and run in this process, through
 * the same due/claim/record path as `llmwatch run` (jobs.c). */
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "jobs.h"
#include "probe/lease.h"

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    const char **job = ctx;

    (void) ch;
    if (lw_job_find(arg) == NULL) {
        lw_cli_fail(cli, "unknown job '%s'", arg);
        return 2;
    }
    *job = arg;
    return 0;
}

int
lw_cmd_run_due(lw_cli *cli)
{
    static const char opts[] = "job:j";
    const char *job = NULL;
    lw_sched s;
    long long run_id;
    time_t slot, now = time(NULL);
    size_t i;
    int timeout, due, failed = 0, rc;
    lw_db *db;

    if ((rc = lw_cli_parse_db(cli, opts, on_opt, &job, &db)) != LW_CLI_GO)
        return rc;
    /* a config that does not load leaves the jobs on their defaults */
    lw_cli_config(cli);
    for (i = 0; i < lw_jobs_count; i++) {
        const lw_job_def *def = &lw_jobs[i];

        if (job != NULL && strcmp(job, def->name) != 0)
            continue;
        if (!lw_job_enabled(def, cli->cfg))
            continue;
        if (lw_job_schedule(def, cli->cfg, &s, &timeout, &cli->err) != LW_OK) {
            lw_log(LW_LOG_ERROR, "job %s: %s", def->name, cli->err.msg);
            failed++;
            continue;
        }
        due = lw_job_due(db, &cli->err, def, &s, now, &slot);
        if (due < 0) {
            lw_log(LW_LOG_ERROR, "job %s: %s", def->name, cli->err.msg);
            failed++;
            continue;
        }
        if (due == 0 || lw_job_claim(db, &cli->err, def->name, slot, &run_id) != 1) {
            /* another scheduler has this slot; a probe slot's models are
             * shared (run_id 0: a helper of that run) */
            if (lw_lease_join(db, &cli->err, def->name, &slot) != 1)
                continue;
            run_id = 0;
        }
        if (lw_job_run_now(db, cli->cfg, cli->config_path, def, slot, run_id) != LW_OK)
            failed++;
    }
    return failed ? 1 : 0;
}
