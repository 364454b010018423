/* cmd_init.c: `llmwatch init` (database, schema, settings, configuration),
 * `llmwatch migrate` and `llmwatch maintain`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "jobs.h"
#include "sync.h"
#include "alert/rules.h"

static char *
sql_dir(void)
{
    lw_buf b = { 0 };

    lw_buf_printf(&b, "%s/sql", lw_datadir());
    return lw_buf_steal(&b);
}

static int
set_setting(lw_db *db, const char *key, const char *value, lw_err *err)
{
    const char *p[2] = { key, value };

    return lw_db_exec(db, err,
                      "INSERT INTO settings (key, value) VALUES ($1, $2) "
                      "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
                      2, p) < 0 ? LW_EDB : LW_OK;
}

int
lw_cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "database",       required_argument, NULL, 'd' },
        { "retention-days", required_argument, NULL, 'r' },
        { "environment",    required_argument, NULL, 'e' },
        { "config",         required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 }
    };
    const char *url = NULL, *environment = NULL, *config = NULL, *p[1];
    char *dbname = NULL, *dir = NULL, retention[16] = "90", *end;
    lw_config *cfg = NULL;
    lw_sync_counts counts;
    lw_diag diags;
    lw_db *db = NULL;
    lw_err err;
    PGresult *res;
    long days;
    int ch, created, applied, tables, rc = 1;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "d:r:e:c:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd': url = optarg; break;
        case 'e': environment = optarg; break;
        case 'c': config = optarg; break;
        case 'r':
            days = strtol(optarg, &end, 10);
            if (*end != '\0' || days < 1 || days > 36500) {
                fprintf(stderr, "llmwatch init: --retention-days must be a number of days (1..36500)\n");
                return 2;
            }
            snprintf(retention, sizeof(retention), "%ld", days);
            break;
        default:
            goto usage;
        }
    }
    if (optind != argc)
        goto usage;
    url = lw_db_default_url(url);
    if (config == NULL) {
        config = getenv("LLMWATCH_CONFIG");
        if (config == NULL && access("monitoring_config.yaml", R_OK) == 0)
            config = "monitoring_config.yaml";
    }

    /* The configuration is checked before anything is written. */
    lw_diag_init(&diags);
    if (config != NULL) {
        if (lw_config_load(config, &cfg, &diags) != LW_OK
            || lw_rules_check_config(cfg, &diags) > 0) {
            lw_diag_sort(&diags);
            lw_diag_print(&diags, stderr);
            fprintf(stderr, "llmwatch init: %s has errors; nothing was changed\n", config);
            lw_diag_free(&diags);
            lw_config_free(cfg);
            return 1;
        }
        lw_diag_print(&diags, stderr);   /* warnings */
    }
    lw_diag_free(&diags);

    if (lw_db_ensure_database(url, &created, &dbname, &err) != LW_OK) {
        fprintf(stderr, "llmwatch init: %s\n", err.msg);
        goto cleanup;
    }
    db = lw_db_connect(url, "llmwatch init", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch init: %s\n", err.msg);
        goto cleanup;
    }
    dir = sql_dir();
    if (lw_db_migrate(db, &err, dir, &applied) != LW_OK) {
        fprintf(stderr, "llmwatch init: %s\n", err.msg);
        goto cleanup;
    }
    if (environment == NULL)
        environment = cfg != NULL ? cfg->environment : "production";
    p[0] = environment;
    if (set_setting(db, "retention_days", retention, &err) != LW_OK
        || set_setting(db, "environment", environment, &err) != LW_OK
        || lw_db_exec(db, &err, "INSERT INTO environments (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
                      1, p) < 0
        || lw_db_exec(db, &err, "SELECT llmwatch_ensure_partitions(current_date - 1, current_date + 7)",
                      0, NULL) < 0
        || lw_db_exec(db, &err, "INSERT INTO settings (key, value) VALUES ('initialized_at', now()::text) "
                      "ON CONFLICT (key) DO NOTHING", 0, NULL) < 0) {
        fprintf(stderr, "llmwatch init: %s\n", err.msg);
        goto cleanup;
    }
    memset(&counts, 0, sizeof(counts));
    if (cfg != NULL && lw_sync_config(db, &err, cfg, "config", &counts) != LW_OK) {
        fprintf(stderr, "llmwatch init: loading %s into the database: %s\n", config, err.msg);
        goto cleanup;
    }
    res = lw_db_query(db, &err,
                      "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                      "AND tablename !~ '_([0-9]{8}|default)$'", 0, NULL);
    if (res == NULL) {
        fprintf(stderr, "llmwatch init: %s\n", err.msg);
        goto cleanup;
    }
    tables = (int) lw_db_int(res, 0, 0);
    PQclear(res);

    printf("✅ Monitoring system initialized\n");
    printf("✓ Database %s: %s\n", created ? "created" : "ready", dbname);
    if (applied > 0)
        printf("✓ Tables created: %d (models, probes, rollups, baselines, rules, alerts, "
               "notifications, budgets, reports, users, audit_log, ...); %d migration%s applied\n",
               tables, applied, applied == 1 ? "" : "s");
    else
        printf("✓ Tables present: %d (schema up to date, no migration to apply)\n", tables);
    printf("✓ Environment: %s, retention: %s days\n", environment, retention);
    if (cfg != NULL)
        printf("✓ Configuration loaded: %d model%s, %d schedule%s, %d alert rule%s (%s)\n",
               counts.models, counts.models == 1 ? "" : "s",
               counts.schedules, counts.schedules == 1 ? "" : "s",
               counts.rules, counts.rules == 1 ? "" : "s", config);
    else
        printf("✓ Configuration: none given (use --config monitoring_config.yaml)\n");
    printf("✓ Ready to start monitoring\n");
    rc = 0;
cleanup:
    lw_config_free(cfg);
    lw_db_close(db);
    free(dbname);
    free(dir);
    return rc;
usage:
    fprintf(stderr, "usage: llmwatch init --database URL [--retention-days N] "
                    "[--environment NAME] [--config FILE]\n");
    return 2;
}

int
lw_cmd_migrate(int argc, char **argv)
{
    const char *url = NULL;
    char *dir;
    lw_db *db;
    lw_err err;
    int applied, rc;

    if (argc == 3 && strcmp(argv[1], "--database") == 0)
        url = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: llmwatch migrate [--database URL]\n");
        return 2;
    }
    db = lw_db_connect(lw_db_default_url(url), "llmwatch migrate", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch migrate: %s\n", err.msg);
        return 1;
    }
    dir = sql_dir();
    rc = lw_db_migrate(db, &err, dir, &applied);
    if (rc == LW_OK)
        printf("%d migration%s applied\n", applied, applied == 1 ? "" : "s");
    else
        fprintf(stderr, "llmwatch migrate: %s\n", err.msg);
    free(dir);
    lw_db_close(db);
    return rc == LW_OK ? 0 : 1;
}

int
lw_cmd_maintain(int argc, char **argv)
{
    const lw_job_def *def = lw_job_find("maintain");
    const char *url = NULL;
    long long run_id;
    lw_db *db;
    lw_err err;
    int rc;

    if (argc == 3 && strcmp(argv[1], "--database") == 0)
        url = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: llmwatch maintain [--database URL]\n");
        return 2;
    }
    db = lw_db_connect(lw_db_default_url(url), "llmwatch maintain", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch maintain: %s\n", err.msg);
        return 1;
    }
    if (lw_job_claim(db, def->name, 0, &run_id, &err) < 0) {
        fprintf(stderr, "llmwatch maintain: %s\n", err.msg);
        lw_db_close(db);
        return 1;
    }
    rc = lw_job_run_now(db, NULL, NULL, def, 0, run_id);
    lw_db_close(db);
    return rc == LW_OK ? 0 : 1;
}
