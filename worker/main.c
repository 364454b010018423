/* main.c: `llmwatch`, one binary for the worker jobs (run by systemd timers
 * or `llmwatch run`) and the admin commands. The table below is the one
 * list of commands: their names, how each reads its configuration, and
 * the usage `help` and every usage error print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lw.h"
#include "cmd/cmd.h"

#define CFG_OPT  LW_CLI_CONFIG_OPTIONAL
#define CFG_REQ  LW_CLI_CONFIG_REQUIRED

static const lw_cli_cmd commands[] = {
    { "init", lw_cmd_init, CFG_OPT | LW_CLI_WARNINGS | LW_CLI_RULES,
      "init --database URL [--retention-days N] [--environment NAME] [--config FILE]",
      "Creates the database when needed, applies the migrations, records the settings and\n"
      "loads the configuration (checked first: nothing is changed when it has errors).\n" },
    { "config", lw_cmd_config, CFG_REQ | LW_CLI_WARNINGS | LW_CLI_RULES,
      "config apply [--config FILE] [--database URL]",
      "Writes the configuration into the database (models, channels, routing, rules), as\n"
      "init does; checked first: nothing is changed when it has errors. probe, baseline and\n"
      "validate never do: a run with another file leaves what is monitored as it is.\n" },
    { "migrate", lw_cmd_migrate, LW_CLI_CONFIG_NONE,
      "migrate [--database URL]", NULL },
    { "validate", lw_cmd_validate_cli, LW_CLI_CONFIG_PATH | LW_CLI_NO_DATABASE,
      "validate [--config FILE] [--check-connections] [--verbose]",
      "  --config FILE        the configuration (default: $LLMWATCH_CONFIG, else\n"
      "                       monitoring_config.yaml)\n"
      "  --check-connections  also try each model's base_url (any HTTP answer counts)\n"
      "                       and connect to each channel's server, 5 s each\n"
      "  --verbose            list what was loaded, with the next run of each job\n"
      "exit status: 0 valid, 1 errors (or a failed connection), 2 usage error\n" },
    { "user", lw_cmd_user, LW_CLI_CONFIG_NONE,
      "user add --email E --role R [--generate] [--database URL]\n"
      "user list [--database URL]\n"
      "user set-password --email E [--generate] [--database URL]\n"
      "user disable --email E [--database URL]\n"
      "user token --email E [--name N] [--role R] [--database URL]",
      "Roles: viewer < compliance < editor < admin (each can do what the ones before can).\n"
      "The password is the first line of standard input when it is not a terminal;\n"
      "otherwise (or with --generate, or when standard input is empty) a strong one is\n"
      "generated and printed once. A token is for scripts and Prometheus\n"
      "(Authorization: Bearer TOKEN), with at most the user's role.\n" },
    { "run", lw_cmd_run, CFG_REQ | LW_CLI_SOFT_CONFIG,
      "run [--config FILE] [--database URL]   (foreground scheduler)",
      "Runs every job when it is due (probe, full_benchmark, evaluate, notify, maintain),\n"
      "one child process per run, and reloads the configuration when the file changes.\n" },
    { "run-due", lw_cmd_run_due, CFG_REQ | LW_CLI_SOFT_CONFIG,
      "run-due [--config FILE] [--database URL] [--job NAME]   (what systemd timers call)",
      "Runs, once, each job whose slot is due: probe, full_benchmark, evaluate, notify,\n"
      "maintain (or only --job NAME), and exits.\n" },
    { "maintain", lw_cmd_maintain, LW_CLI_CONFIG_NONE,
      "maintain [--database URL]   (partitions, retention, sessions)", NULL },
    { "probe", lw_cmd_probe, CFG_REQ | LW_CLI_WARNINGS,
      "probe [--config FILE] [--suite NAME|FILE] [--model NAME]... [--iterations N]\n"
      "      [--database URL] [--timing]   (one probe cycle)", NULL },
    { "baseline", lw_cmd_baseline, CFG_REQ | LW_CLI_WARNINGS,
      "baseline create [--config FILE] [--iterations N] [--test-suite NAME|FILE]\n"
      "                [--model NAME]... [--database URL]\n"
      "baseline report [--output FILE] [--database URL]", NULL },
    { "backfill", lw_cmd_backfill, LW_CLI_CONFIG_EXPLICIT,
      "backfill [--days N] [--interval 5m] [--seed N] [--config FILE] [--database URL]\n"
      "backfill --remove [--database URL]",
      "Writes a realistic synthetic history (rows marked backfill = true) so that pages,\n"
      "baselines and rules have weeks of data at once; --remove takes exactly those out.\n" },
    { "status", lw_cmd_status, CFG_OPT,
      "status [--config FILE] [--database URL]   (jobs: next and last runs; last 6 hours)",
      NULL },
    { "metrics", lw_cmd_metrics, LW_CLI_CONFIG_IGNORED | LW_CLI_FORMAT,
      "metrics [--hours N] [--model NAME] [--environment NAME]\n"
      "        [--format table|json|csv] [--database URL]", NULL },
    { "analyze-dashboard-performance", lw_cmd_analyze_dashboard_performance, LW_CLI_CONFIG_IGNORED,
      "analyze-dashboard-performance [--hours N] [--identify-slow-queries] [--no-explain]\n"
      "        [--database URL]",
      "The slowest pages of llmwatch-web (its own timings), with --identify-slow-queries\n"
      "the slowest statements (pg_stat_statements when loaded, else llmwatch-web's\n"
      "samples) and the EXPLAIN ANALYZE plan of the slowest sample.\n" },
    { "evaluate", lw_cmd_evaluate, LW_CLI_CONFIG_NONE,
      "evaluate [--database URL] [--at TIME] [--quiet]"
      "   (alert rules -> alert state + outbox)",
      "Evaluates the rules of the database (what the running instance monitors;\n"
      "`llmwatch config apply --config FILE` changes them).\n"
      "TIME: Unix seconds or 'YYYY-MM-DD HH:MM[:SS]' (UTC).\n" },
    { "notify", lw_cmd_notify, LW_CLI_CONFIG_NONE,
      "notify [--database URL] [--once | --follow] [--batch N] [--lease SECONDS] [--max-attempts N]"
      "   (deliver the outbox)",
      "Delivers due outbox rows (docs/delivery.md); --once runs a single pass. --follow keeps\n"
      "running and delivers each notification the moment it is written (LISTEN/NOTIFY),\n"
      "retries when they are due, until SIGTERM (llmwatch-notify.service).\n" },
    { "test-alert", lw_cmd_test_alert, CFG_OPT,
      "test-alert --channel NAME [--severity critical|warning|info] [--message TEXT]\n"
      "           [--config FILE] [--database URL]",
      "Sends a test notification through the real delivery path; exit 1 if it fails.\n" },
    { "export", lw_cmd_export, LW_CLI_CONFIG_NONE,
      "export --start-date D --end-date D [--format csv|json|jsonl] [--model NAME]\n"
      "       [--level raw|5m|1h|1d] --output FILE [--database URL]\n"
      "export grafana --output FILE [--datasource postgres|prometheus] [--title TEXT]",
      "Probes (raw) or rollups of a date range, streamed (memory stays constant); an end\n"
      "date is included whole. FILE - is standard output. A progress bar shows on a terminal.\n"
      "`export grafana` writes a Grafana dashboard (import it in Grafana) of the dashboard's\n"
      "panels over the llmwatch database (PostgreSQL data source) or over /metrics (Prometheus).\n" },
    { "alerts", lw_cmd_alerts, LW_CLI_CONFIG_NONE,
      "alerts analyze [--false-positive-detection] [--last-days N]\n"
      "alerts tune [--target-precision P] [--min-data-points N] [--last-days N]\n"
      "            [--rule NAME] [--step SECONDS]\n"
      "alerts backtest --rule NAME [--days N | --from T --to T] [--step SECONDS]",
      "common: [--database URL] [--at TIME]   (TIME: Unix seconds or "
      "'YYYY-MM-DD HH:MM[:SS]' UTC)\n" },
    { "report", lw_cmd_report, CFG_OPT | LW_CLI_SOFT_CONFIG,
      "report --type daily|weekly|monthly|sla|costs [--date-range FIRST:LAST] [--output FILE]\n"
      "       [--email] [--schedule NAME] [--commentary FILE.md] [--report-config FILE]\n"
      "report --due [--schedule NAME] [--report-config FILE]   (what the report timers call)",
      "Builds a report from the rollups, stores it (listed on /reports) and writes it to\n"
      "--output, whose extension says the format: .pdf, .html (and .csv for --type sla,\n"
      "the SLA evidence). FIRST:LAST are days, both included, UTC (default: the last whole\n"
      "day, week or month). The sections, title and recipients are those of the schedule\n"
      "of report_config.yaml with that type (or --schedule NAME); --email mails it to them\n"
      "through the first email channel of the configuration. --due runs each report\n"
      "schedule whose slot has come, each slot once across hosts.\n" },
    { "timers", lw_cmd_timers, CFG_REQ,
      "timers [--config FILE] [--report-config FILE] --output DIR [--user NAME]\n"
      "       [--bindir DIR] [--environment-file FILE]\n"
      "timers [--config FILE] [--report-config FILE] --next N [--at TIME]",
      "Writes a systemd .service/.timer pair per schedule: the jobs of the configuration\n"
      "(probe, full_benchmark, cost_analysis, evaluate, notify, maintain) and each report\n"
      "schedule, with OnCalendar= from the frequency, Persistent=true, TimeoutStartSec= from\n"
      "the timeout, an unprivileged user and hardening. --next prints the next N runs of\n"
      "each (after TIME, default now) as `systemd-analyze calendar` would.\n" },
    { "scheduler-status", lw_cmd_scheduler_status, CFG_OPT | LW_CLI_SOFT_CONFIG,
      "scheduler-status [--show-missed-jobs] [--days N] [--config FILE] [--report-config FILE]\n"
      "                 [--database URL]",
      "The last and next run of every job and report schedule; with --show-missed-jobs,\n"
      "every slot of the last N days (default 7) with no successful run, and why.\n" },
};

static void
usage(FILE *out)
{
    size_t i;

    fprintf(out, "llmwatch: continuous performance monitoring of LLM APIs\n\nUsage:\n");
    for (i = 0; i < LW_ARRAY_LEN(commands); i++)
        lw_cli_usage_lines(out, commands[i].usage, "  ", "  ");
    fprintf(out, "\nCommon: --database URL (or LLMWATCH_DATABASE_URL), "
                 "--config FILE (or LLMWATCH_CONFIG), LLMWATCH_LOG_LEVEL=debug|info|warn|error\n"
                 "`llmwatch COMMAND --help` says more about one command.\n");
}

int
main(int argc, char **argv)
{
    const char *lvl = getenv("LLMWATCH_LOG_LEVEL");
    int level = lw_log_level_parse(lvl), rc;
    lw_cli cli;
    size_t i;

    lw_log_init("llmwatch", level < 0 ? LW_LOG_INFO : level);
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0
        || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("llmwatch 0.1.0\n");
        return 0;
    }
    for (i = 0; i < LW_ARRAY_LEN(commands); i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (lw_cli_init(&cli, &commands[i], argc - 1, argv + 1) != LW_OK) {
            fprintf(stderr, "llmwatch: out of memory\n");
            return 1;
        }
        rc = commands[i].fn(&cli);
        lw_cli_free(&cli);
        return rc;
    }
    fprintf(stderr, "llmwatch: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
