/* status.c: `llmwatch status`: the jobs, their next and last runs, and the
 * last six hours at a glance. Every number is aggregated in PostgreSQL by
 * lib/db/stats.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "config.h"
#include "db/db.h"
#include "db/stats.h"
#include "jobs.h"
#include "fmt.h"
#include "schedule.h"

#define RECENT_HOURS 6

/* The config to describe the jobs with when there is none: the built-in
 * job defaults (a config must name a model, so they come from a one-model
 * stand-in whose model is never used here). Caller frees. */
static lw_config *
builtin_config(void)
{
    static const char defaults[] =
        "monitoring:\n  models:\n    - {provider: openai, model: stand-in, sla_target: 1}\n";
    lw_config *cfg = NULL;
    lw_diag diags;

    lw_diag_init(&diags);
    if (lw_config_load_string("(built-in defaults)", defaults, sizeof(defaults) - 1,
                              &cfg, &diags) != LW_OK)
        lw_diag_print(&diags, stderr);
    lw_diag_free(&diags);
    return cfg;
}

/* ---- status ---- */

static void
print_last_run(lw_db *db, const char *const *names, size_t n, time_t now)
{
    char ago[32], took[32], when[32];
    PGresult *res;
    lw_err err;
    long long missed;
    const char *status;

    res = lw_db_stats_last_run(db, &err, names, n);
    if (res == NULL) {
        printf("last run: unknown (%s)\n", err.msg);
        return;
    }
    missed = lw_db_int(res, 0, 6);
    if (lw_db_isnull(res, 0, 0)) {
        printf("last run: none yet");
    } else {
        status = lw_db_str(res, 0, 3);
        lw_fmt_time((time_t) lw_db_int(res, 0, 1), when, sizeof(when));
        lw_fmt_duration((int64_t) (now - (time_t) lw_db_int(res, 0, 1)), ago, sizeof(ago));
        if (strcmp(status, "running") == 0) {
            printf("last run %s UTC (%s ago): still running", when, ago);
        } else {
            lw_fmt_ms(lw_db_isnull(res, 0, 5) ? NAN : lw_db_double(res, 0, 5), took,
                             sizeof(took));
            printf("last run %s UTC (%s ago): %s in %s", when, ago, status, took);
            if (strcmp(status, "failed") == 0 && !lw_db_isnull(res, 0, 4))
                printf(": %.160s", lw_db_str(res, 0, 4));
        }
        if (!lw_db_isnull(res, 0, 7))
            printf(" on %.200s", lw_db_str(res, 0, 7));
    }
    if (missed > 0)
        printf("; %lld missed slot%s since", missed, missed == 1 ? "" : "s");
    printf("\n");
    PQclear(res);
}

static void
print_jobs(lw_db *db, const lw_config *cfg, time_t now)
{
    const char *names[8];
    char next[96], desc[128];
    time_t at;
    size_t n, k;
    int j;

    printf("Active Jobs:\n");
    for (j = 0; j < LW_JOB_COUNT; j++) {
        const lw_config_job *cj = &cfg->jobs[j];
        int runs = 0;

        /* a job is recorded under its schedule name and under the name of
         * any worker job registered for that schedule entry */
        n = 0;
        names[n++] = cj->name;
        for (k = 0; k < lw_jobs_count && n < LW_ARRAY_LEN(names); k++) {
            runs |= lw_jobs[k].cfg_job == j;
            if (lw_jobs[k].cfg_job == j && strcmp(lw_jobs[k].name, cj->name) != 0)
                names[n++] = lw_jobs[k].name;
        }
        if (lw_sched_describe(&cj->sched, desc, sizeof(desc)) != LW_OK)
            lw_strlcpy(desc, cj->frequency ? cj->frequency : "?", sizeof(desc));
        if (!runs) {
            /* a schedule entry no worker job runs yet (cost_analysis):
             * said as it is, and only when the configuration names it */
            if (cj->configured)
                printf("- %s: not implemented yet (configured %s, not run)\n", cj->name, desc);
            continue;
        }
        if (!cj->enabled)
            printf("- %s: disabled\n", cj->name);
        else if (lw_fmt_next_run(&cj->sched, now, &at, next, sizeof(next)) != LW_OK)
            printf("- %s: never runs\n", cj->name);
        else
            printf("- %s: Next run %s\n", cj->name, next);
        printf("    %s; ", desc);
        print_last_run(db, names, n, now);
    }
}

/* "1 (High Latency - gpt-4)", "3 (Service Down - gemini-1.5-pro x2, ...)" */
static void
print_alerts(lw_db *db, time_t from, time_t to)
{
    PGresult *res;
    lw_err err;
    long long total = 0, firing;
    int i, shown = 0;

    res = lw_db_stats_alerts_fired(db, &err, from, to);
    if (res == NULL) {
        printf("- Alerts triggered: unknown (%s)\n", err.msg);
        return;
    }
    for (i = 0; i < PQntuples(res); i++)
        total += lw_db_int(res, i, 3);
    if (total == 0) {
        printf("- Alerts triggered: none");
    } else {
        printf("- Alerts triggered: %lld (", total);
        for (i = 0; i < PQntuples(res) && shown < 5; i++, shown++) {
            const char *model = lw_db_str(res, i, 1);
            long long k = lw_db_int(res, i, 3);

            printf("%s%s%s%s", i > 0 ? ", " : "", lw_db_str(res, i, 0),
                   model && *model ? " - " : "", model ? model : "");
            if (k > 1)
                printf(" x%lld", k);
        }
        if (i < PQntuples(res))
            printf(", ...");
        printf(")");
    }
    PQclear(res);
    firing = lw_db_stats_alerts_firing(db, &err);
    if (firing > 0)
        printf("; %lld firing now", firing);
    printf("\n");
}

static int
print_recent(lw_db *db, time_t now)
{
    lw_db_stats_filter f;
    lw_db_stats_window_row w;
    PGresult *models = NULL, *tot = NULL;
    lw_buf per = { 0 };
    char num[32], buf[32];
    long long first = -1, count;
    int i, same = 1, rc = LW_EDB;
    lw_err err;

    memset(&f, 0, sizeof(f));
    f.from = now - RECENT_HOURS * 3600;
    f.to = now + 1;
    f.include_idle = 1;
    models = lw_db_stats_window(db, &err, &f);
    if (models == NULL)
        goto cleanup;
    tot = lw_db_stats_of(db, &err, LW_DB_STATS_TOTALS, &f);
    if (tot == NULL)
        goto cleanup;

    printf("\nRecent Metrics (last %d hours):\n", RECENT_HOURS);
    count = lw_db_int(tot, 0, 0);
    if (count == 0) {
        printf("- Total checks: none yet");
        if (PQntuples(models) == 0)
            printf(" (no enabled model: llmwatch init --config FILE loads them)");
        printf("\n");
    } else {
        for (i = 0; i < PQntuples(models); i++) {
            lw_db_stats_window_get(models, i, &w);
            if (first < 0)
                first = w.count;
            else if (w.count != first)
                same = 0;
            lw_fmt_count(w.count, num, sizeof(num));
            lw_buf_printf(&per, "%s%s %s", i > 0 ? ", " : "", w.model, num);
        }
        lw_fmt_count(count, num, sizeof(num));
        if (same && PQntuples(models) > 1) {
            lw_fmt_count(first, buf, sizeof(buf));
            printf("- Total checks: %s (%s per model)\n", num, buf);
        } else {
            printf("- Total checks: %s (%s)\n", num, per.data ? per.data : "");
        }
    }
    print_alerts(db, f.from, f.to);
    if (lw_db_isnull(tot, 0, 3)) {
        printf("- Average response time: none yet\n");
    } else {
        lw_fmt_ms(lw_db_double(tot, 0, 3), buf, sizeof(buf));
        printf("- Average response time: %s", buf);
        lw_fmt_ms(lw_db_double(tot, 0, 4), buf, sizeof(buf));
        printf(" (p95 %s)\n", buf);
    }
    if (lw_db_isnull(tot, 0, 2)) {
        printf("- Success rate: none yet\n");
    } else {
        lw_fmt_percent(lw_db_double(tot, 0, 2), buf, sizeof(buf));
        printf("- Success rate: %s\n", buf);
    }
    rc = LW_OK;
cleanup:
    if (rc != LW_OK)
        fprintf(stderr, "llmwatch status: %s\n", err.msg);
    PQclear(models);
    PQclear(tot);
    lw_buf_free(&per);
    return rc;
}

int
lw_cmd_status(lw_cli *cli)
{
    lw_config *defaults = NULL;
    const lw_config *cfg;
    lw_db *db;
    time_t now;
    int rc;

    if ((rc = lw_cli_parse(cli, NULL, NULL, NULL)) != LW_CLI_GO)
        return rc;
    /* warnings (an unset ${VAR}...) are validate's business, not status' */
    if (lw_cli_config(cli) != LW_CLI_GO)
        return 1;
    cfg = cli->cfg;
    if (cfg == NULL && (cfg = defaults = builtin_config()) == NULL)
        return 1;
    rc = 1;
    if ((db = lw_cli_db(cli)) == NULL)
        goto cleanup;
    now = time(NULL);
    printf("🚀 LLM Monitoring Status\n");
    printf("================================================================================\n");
    print_jobs(db, cfg, now);
    if (print_recent(db, now) != LW_OK)
        goto cleanup;
    /* the public address is known where the deployment says it
     * (make run sets it; systemd installs put it in the environment file) */
    if (getenv("LLMWATCH_PUBLIC_URL") != NULL && getenv("LLMWATCH_PUBLIC_URL")[0] != '\0')
        printf("\nDashboard available at: %s/\n", getenv("LLMWATCH_PUBLIC_URL"));
    rc = 0;
cleanup:
    lw_config_free(defaults);
    return rc;
}
