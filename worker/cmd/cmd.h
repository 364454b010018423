/* cmd.h: the subcommands of the `llmwatch` binary (worker jobs and admin
 * commands). Each takes argc/argv with argv[0] = the command's name and
 * returns the process exit status (0 ok, 1 failure, 2 usage error). */
#ifndef LW_CMD_H
#define LW_CMD_H

int lw_cmd_init(int argc, char **argv);
int lw_cmd_migrate(int argc, char **argv);
int lw_cmd_validate(int argc, char **argv);
int lw_cmd_user(int argc, char **argv);
int lw_cmd_run(int argc, char **argv);
int lw_cmd_run_due(int argc, char **argv);
int lw_cmd_maintain(int argc, char **argv);
int lw_cmd_probe(int argc, char **argv);
int lw_cmd_baseline(int argc, char **argv);
int lw_cmd_backfill(int argc, char **argv);
int lw_cmd_status(int argc, char **argv);
int lw_cmd_metrics(int argc, char **argv);
int lw_cmd_evaluate(int argc, char **argv);
int lw_cmd_alerts(int argc, char **argv);
int lw_cmd_notify(int argc, char **argv);
int lw_cmd_test_alert(int argc, char **argv);

#endif
