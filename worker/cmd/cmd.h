/* cmd.h: the commands of the `llmwatch` binary (worker jobs and admin
 * commands), one file each under worker/cmd/ named after the command.
 * Each runs in the context main.c builds from its command table entry
 * and returns the process exit status (0 ok, 1 failure, 2 usage error). */
#ifndef LW_CMD_H
#define LW_CMD_H

#include "cli.h"
#include "probe/cycle.h"

/* The options of the commands that run probe cycles by hand (probe,
 * baseline create): --suite (s), --model (m, repeatable), --iterations
 * (n, 1..max_iterations) and --timing (t). The caller sets the defaults
 * and max_iterations, then passes lw_cmd_cycle_opt and this to
 * lw_cli_parse. */
#define LW_CMD_MAX_MODELS 256
typedef struct {
    lw_cycle_opts cycle;          /* n_models counts models[] */
    const char   *suite;          /* --suite; NULL unless given */
    const char   *models[LW_CMD_MAX_MODELS];
    long long     iterations;
    long long     max_iterations;
    int           timing;
} lw_cmd_cycle_args;

/* An lw_cli_opt_fn over an lw_cmd_cycle_args. */
int lw_cmd_cycle_opt(lw_cli *cli, int ch, const char *arg, void *ctx);

int lw_cmd_init(lw_cli *cli);
int lw_cmd_migrate(lw_cli *cli);
int lw_cmd_validate_cli(lw_cli *cli);
/* validate from a bare argv (argv[0] = "validate"), for callers without
 * the command table: the config suite's tests. */
int lw_cmd_validate(int argc, char **argv);
int lw_cmd_user(lw_cli *cli);
int lw_cmd_run(lw_cli *cli);
int lw_cmd_run_due(lw_cli *cli);
int lw_cmd_maintain(lw_cli *cli);
int lw_cmd_probe(lw_cli *cli);
int lw_cmd_baseline(lw_cli *cli);
int lw_cmd_backfill(lw_cli *cli);
int lw_cmd_status(lw_cli *cli);
int lw_cmd_metrics(lw_cli *cli);
int lw_cmd_analyze_dashboard_performance(lw_cli *cli);
int lw_cmd_evaluate(lw_cli *cli);
int lw_cmd_alerts(lw_cli *cli);
int lw_cmd_notify(lw_cli *cli);
int lw_cmd_test_alert(lw_cli *cli);
int lw_cmd_config(lw_cli *cli);
int lw_cmd_report(lw_cli *cli);
int lw_cmd_timers(lw_cli *cli);
int lw_cmd_scheduler_status(lw_cli *cli);
int lw_cmd_export(lw_cli *cli);
int lw_cmd_usage(lw_cli *cli);
int lw_cmd_budget(lw_cli *cli);
int lw_cmd_forecast(lw_cli *cli);
int lw_cmd_costs(lw_cli *cli);
int lw_cmd_compare_environments(lw_cli *cli);

#endif
