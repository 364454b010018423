/* init.c: `llmwatch init`: the database (created when needed), its
 * schema, the settings, and the configuration loaded into it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "db/jobs.h"
#include "sync.h"

struct init_opts {
    const char *environment;
    char retention[16];
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct init_opts *o = ctx;
    long long days;

    if (ch == 'e') {
        o->environment = arg;
        return 0;
    }
    if (lw_cli_int_opt(cli, arg, 1, 36500, &days,
                       "--retention-days must be a number of days (1..36500)") != 0)
        return 2;
    snprintf(o->retention, sizeof(o->retention), "%lld", days);
    return 0;
}

int
lw_cmd_init(lw_cli *cli)
{
    static const char opts[] = "retention-days:r environment:e";
    struct init_opts o = { NULL, "90" };
    const char *environment;
    char *dbname = NULL;
    lw_sync_counts counts;
    lw_db *db;
    long long tables;
    int created, applied, rc;

    if ((rc = lw_cli_parse(cli, opts, on_opt, &o)) != LW_CLI_GO)
        return rc;
    /* the configuration is checked before anything is written */
    if (lw_cli_config(cli) != LW_CLI_GO) {
        fprintf(stderr, "%s: nothing was changed\n", cli->prog);
        return 1;
    }
    if (lw_db_ensure_database(cli->database_url, &created, &dbname, &cli->err) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    rc = 1;
    if ((db = lw_cli_db(cli)) == NULL)
        goto cleanup;
    if (lw_db_migrate(db, &cli->err, lw_cli_datapath(cli, "sql"), &applied) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    environment = o.environment ? o.environment
                  : cli->cfg != NULL ? cli->cfg->environment : "production";
    if (lw_db_jobs_setting_set(db, &cli->err, "retention_days", o.retention) != LW_OK
        || lw_db_jobs_setting_set(db, &cli->err, "environment", environment) != LW_OK
        || lw_db_jobs_ensure_partitions(db, &cli->err, -1, 7) < 0
        || lw_db_jobs_init_mark(db, &cli->err, environment) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    memset(&counts, 0, sizeof(counts));
    if (cli->cfg != NULL && lw_sync_config(db, &cli->err, cli->cfg, "config", &counts) != LW_OK) {
        lw_cli_fail(cli, "loading %s into the database: %s", cli->config_path, cli->err.msg);
        goto cleanup;
    }
    tables = lw_db_jobs_table_count(db, &cli->err);
    if (tables < 0) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }

    printf("✅ Monitoring system initialized\n");
    printf("✓ Database %s: %s\n", created ? "created" : "ready", dbname);
    if (applied > 0)
        printf("✓ Tables created: %lld (models, probes, rollups, baselines, rules, alerts, "
               "notifications, budgets, reports, users, audit_log, ...); %d migration%s applied\n",
               tables, applied, applied == 1 ? "" : "s");
    else
        printf("✓ Tables present: %lld (schema up to date, no migration to apply)\n", tables);
    printf("✓ Environment: %s, retention: %s days\n", environment, o.retention);
    if (cli->cfg != NULL)
        printf("✓ Configuration loaded: %d model%s, %d schedule%s, %d alert rule%s (%s)\n",
               counts.models, counts.models == 1 ? "" : "s",
               counts.schedules, counts.schedules == 1 ? "" : "s",
               counts.rules, counts.rules == 1 ? "" : "s", cli->config_path);
    else
        printf("✓ Configuration: none given (use --config monitoring_config.yaml)\n");
    printf("✓ Ready to start monitoring\n");
    rc = 0;
cleanup:
    free(dbname);
    return rc;
}
