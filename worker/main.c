/* main.c: `llmwatch`, one binary for the worker jobs (run by systemd timers
 * or `llmwatch run`) and the admin commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lw.h"
#include "cmd/cmd.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;
};

static const struct command commands[] = {
    { "init",      lw_cmd_init,
      "init --database URL [--retention-days N] [--environment NAME] [--config FILE]" },
    { "migrate",   lw_cmd_migrate,   "migrate [--database URL]" },
    { "validate",  lw_cmd_validate,  "validate [--config FILE] [--check-connections]" },
    { "user",      lw_cmd_user,
      "user add --email E --role admin|editor|viewer|compliance | list | set-password | disable" },
    { "run",       lw_cmd_run,       "run [--config FILE] [--database URL]   (foreground scheduler)" },
    { "run-due",   lw_cmd_run_due,   "run-due [--config FILE] [--job NAME]   (what systemd timers call)" },
    { "maintain",  lw_cmd_maintain,  "maintain [--database URL]   (partitions, retention, sessions)" },
    { "probe",     lw_cmd_probe,
      "probe [--config FILE] [--suite NAME] [--model NAME]... [--iterations N] [--timing]   (one probe cycle)" },
    { "baseline",  lw_cmd_baseline,
      "baseline create [--config FILE] [--iterations 10] [--test-suite comprehensive] | report [--output FILE]" },
    { "backfill",  lw_cmd_backfill,
      "backfill [--days 30] [--interval 5m] [--seed N] | --remove   (realistic history to try things at once)" },
    { "status",    lw_cmd_status,    "status [--config FILE]   (jobs: next and last runs; last 6 hours)" },
    { "evaluate",  lw_cmd_evaluate,
      "evaluate [--config FILE] [--database URL] [--at TIME] [--quiet]   (alert rules -> alert state + outbox)" },
    { "notify",     lw_cmd_notify,
      "notify [--database URL] [--once] [--batch N] [--lease SECONDS] [--max-attempts N]   (deliver the outbox)" },
    { "test-alert", lw_cmd_test_alert,
      "test-alert --channel NAME [--severity critical|warning|info] [--message TEXT] [--config FILE]" },
    { "alerts",    lw_cmd_alerts,
      "alerts analyze [--false-positive-detection] [--last-days N] | tune [--target-precision P] "
      "[--min-data-points N] [--rule NAME] | backtest --rule NAME [--days N | --from T --to T] [--step S]" },
    { "metrics",   lw_cmd_metrics,
      "metrics [--hours 24] [--model NAME] [--format table|json|csv]" },
};

static void
usage(FILE *out)
{
    size_t i;

    fprintf(out, "llmwatch: continuous performance monitoring of LLM APIs\n\nUsage:\n");
    for (i = 0; i < LW_ARRAY_LEN(commands); i++)
        fprintf(out, "  llmwatch %s\n", commands[i].usage);
    fprintf(out, "\nCommon: --database URL (or LLMWATCH_DATABASE_URL), "
                 "--config FILE (or LLMWATCH_CONFIG), LLMWATCH_LOG_LEVEL=debug|info|warn|error\n");
}

int
main(int argc, char **argv)
{
    const char *lvl = getenv("LLMWATCH_LOG_LEVEL");
    int level = lw_log_level_parse(lvl);
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
    for (i = 0; i < LW_ARRAY_LEN(commands); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "llmwatch: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
