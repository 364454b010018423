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
    { "usage", lw_cmd_usage, LW_CLI_CONFIG_NONE,
      "usage import FILE [--format csv|jsonl] [--dry-run] [--database URL]\n"
      "usage summary [--days N] [--environment NAME] [--database URL]",
      "import: production usage from CSV (a header row: time, model, environment,\n"
      "input_tokens, output_tokens, requests, cost, idempotency_key, application; common\n"
      "export names such as prompt_tokens too) or JSON lines with the same fields. The\n"
      "file is checked whole first: one bad row (named by line and field) stores nothing.\n"
      "Rows are idempotent on idempotency_key (derived from the row when absent): a file\n"
      "imported twice adds nothing. Without cost, a row costs its tokens at the model's\n"
      "price of the row's time.\n" },
    { "budget", lw_cmd_budget, LW_CLI_CONFIG_NONE,
      "budget add --period daily|weekly|monthly --amount DOLLARS [--name NAME]\n"
      "           [--alert-at 80,90,100] [--model NAME] [--provider NAME]\n"
      "           [--environment NAME] [--time-zone ZONE] [--database URL]\n"
      "budget add [--daily-budget D] [--weekly-budget D] [--monthly-budget D]\n"
      "           [--alert-at 80,90,100] [--database URL]\n"
      "budget list [--at TIME] [--database URL]\n"
      "budget remove NAME [--database URL]",
      "A budget counts the spend of probes and production usage of its scope (everything,\n"
      "a model, a provider, an environment) in daily, weekly (from Monday) or monthly\n"
      "periods of its time zone (UTC by default). `evaluate` announces each tier once per\n"
      "period through the alert routing (warning below 100%, critical from 100%), and once\n"
      "when the pace of the last quarter of the period would exhaust it before the end.\n" },
    { "forecast", lw_cmd_forecast, LW_CLI_CONFIG_NONE,
      "forecast --model NAME [--environment NAME]\n"
      "         [--metrics latency,p95_latency,error_rate,cost,custom.NAME]\n"
      "         [--hours 24] [--confidence 0.95] [--history-days 30] [--at TIME]\n"
      "         [--backtest [--backtest-days 7]] [--database URL]",
      "Hourly measures from the rollups, forecast by additive Holt-Winters (damped trend,\n"
      "daily season) with prediction intervals, and when the SLA is likely exceeded.\n"
      "--backtest fits the model at origins every 6 hours over the last days on the hours\n"
      "before each, and reports the forecasts' MAPE and how often the intervals held.\n" },
    { "costs", lw_cmd_costs, LW_CLI_CONFIG_NONE,
      "costs analyze [--days N | --from TIME --to TIME] [--environment NAME]\n"
      "              [--group-by model,hour_of_day,day_of_week] [--identify-savings]\n"
      "              [--maintain-quality-threshold 0.9] [--output FILE.html] [--database URL]\n"
      "costs optimize [--suggest-alternatives] [--maintain-quality-threshold 0.9] [--days N]\n"
      "               [--environment NAME] [--at TIME] [--database URL]\n"
      "costs prices [--model NAME] [--database URL]",
      "analyze: probe and production spend by model, hour of day and day of week (--output\n"
      "writes the HTML /costs shows, with charts); --identify-savings adds what optimize finds.\n"
      "optimize: for each model with production usage, the cheaper models of its environment\n"
      "and suite whose mean quality over --days (7) is at least the threshold times its own and\n"
      "whose p95 meets its SLA target, with the saving of its last 30 days of usage at both\n"
      "prices (--suggest-alternatives lists every such model, not only the best).\n"
      "prices: the recorded price histories (a change applies from its date on).\n" },
    { "compare-environments", lw_cmd_compare_environments, LW_CLI_CONFIG_NONE,
      "compare-environments --envs A,B[,C...] [--metric latency|ttft|error_rate|cost]\n"
      "                     [--period 7d] [--model NAME] [--alpha 0.05] [--at TIME]\n"
      "                     [--output FILE.html] [--database URL]",
      "Each environment's distribution of the metric over the period (hourly values from the\n"
      "rollups, latency percentiles and histograms), and Welch's t-test on the hourly means of\n"
      "each environment against the first (Holm-adjusted): exit status 1 when there is not\n"
      "enough data to test.\n" },
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
