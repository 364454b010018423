/* maintain.c: `llmwatch maintain`, the maintain job run by hand
 * (partitions, retention, sessions, abandoned runs), recorded in job_runs
 * like a scheduled run. */
#include "cmd/cmd.h"
#include "jobs.h"

int
lw_cmd_maintain(lw_cli *cli)
{
    const lw_job_def *def = lw_job_find("maintain");
    long long run_id;
    lw_db *db;
    int rc;

    if ((rc = lw_cli_parse_db(cli, NULL, NULL, NULL, &db)) != LW_CLI_GO)
        return rc;
    if (lw_job_claim(db, &cli->err, def->name, 0, &run_id) < 0)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    return lw_job_run_now(db, NULL, NULL, def, 0, run_id) == LW_OK ? 0 : 1;
}
