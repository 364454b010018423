/* backfill.c: `llmwatch backfill` writes a realistic synthetic history
 * into probes (marked backfill = true) so that dashboards, reports,
 * baselines and alert rules have weeks of data on day one; `--remove`
 * takes exactly those rows out again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "config.h"
#include "db/db.h"
#include "db/stats.h"
#include "fmt.h"
#include "schedule.h"

#define MAX_SLOTS 1000000   /* per model: a year of one-minute probes is 525,600 */

static void
print_summary(lw_db *db, const lw_db_stats_backfill_opts *o, const lw_db_stats_backfill_result *r,
              double secs)
{
    static const char *const head[] = { "Model", "Environment", "Probes", "Success",
                                        "Avg latency", "Cost" };
    char a[64], b[64], iv[32], cells[4][64];
    lw_fmt_table *t = NULL;
    lw_buf out = { 0 };
    PGresult *res;
    lw_err err;
    int i;

    lw_fmt_count(r->inserted, a, sizeof(a));
    printf("✅ Backfill written: %s probes for %d model%s over %lld day%s (%.1fs)\n", a,
           r->n_models, r->n_models == 1 ? "" : "s", (long long) (o->to - o->from) / 86400,
           (o->to - o->from) / 86400 == 1 ? "" : "s", secs);
    lw_fmt_time(o->from, a, sizeof(a));
    lw_fmt_time(o->to, b, sizeof(b));
    lw_fmt_duration(o->interval_s, iv, sizeof(iv));
    printf("   %s → %s UTC, one probe every %s per model (seed %lld)\n", a, b, iv, o->seed);
    if (r->removed > 0) {
        lw_fmt_count(r->removed, a, sizeof(a));
        printf("   replaced the previous backfill (%s rows)\n", a);
    }
    printf("\n");

    res = lw_db_stats_backfill_summary(db, &err);
    if (res == NULL) {
        fprintf(stderr, "llmwatch backfill: summary: %s\n", err.msg);
    } else {
        t = lw_fmt_table_new(6, head, "llrrrr");
        for (i = 0; t != NULL && i < PQntuples(res); i++) {
            long long n = lw_db_int(res, i, 2);
            const char *row[6] = {
                lw_db_str(res, i, 0), lw_db_str(res, i, 1), cells[0], cells[1], cells[2], cells[3]
            };

            lw_fmt_count(n, cells[0], sizeof(cells[0]));
            lw_fmt_percent(n > 0 ? (double) lw_db_int(res, i, 3) / (double) n : 0.0,
                          cells[1], sizeof(cells[1]));
            lw_fmt_ms(lw_db_double(res, i, 6), cells[2], sizeof(cells[2]));
            lw_fmt_dollars((int64_t) lw_db_int(res, i, 7), cells[3], sizeof(cells[3]));
            lw_fmt_table_add(t, row);
        }
        if (t != NULL && lw_fmt_table_render(t, &out) == LW_OK)
            fputs(out.data, stdout);
        PQclear(res);
    }
    lw_fmt_time(r->incident_from, a, sizeof(a));
    lw_fmt_time(r->incident_to, b, sizeof(b));
    printf("\nPatterns in this history:\n");
    printf("- business hours: latency up to +25%% around 13:00 UTC (quiet at night)\n");
    printf("- Tuesdays: %s 18%% slower (other models 4%%)\n", r->tuesday_model);
    printf("- drift: %s latency +1%% per day (+%lld%% by the end)\n", r->drift_model,
           (long long) (o->to - o->from) / 86400);
    printf("- incident: %s %s → %s UTC, ~60%% errors (http_5xx, timeout)\n",
           r->incident_model, a, b);
    printf("- otherwise ~0.3%% errors (rate_limited, http_5xx, timeout); quality around 90\n");
    if (r->retention_days > 0 && (int64_t) r->retention_days * 86400 < (int64_t) (o->to - o->from))
        printf("\nnote: retention is %d days: `llmwatch maintain` will drop the older days\n",
               r->retention_days);
    printf("\nRows are marked backfill = true; `llmwatch backfill --remove` deletes them.\n");
    lw_fmt_table_free(t);
    lw_buf_free(&out);
}

struct backfill_opts {
    long long days, seed;
    int64_t   interval;
    int       remove;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct backfill_opts *o = ctx;
    lw_err err;

    switch (ch) {
    case 'n':
        return lw_cli_int_opt(cli, arg, 1, 366, &o->days,
                              "--days must be a number of days (1..366)");
    case 'i':
        if (lw_duration_parse(arg, &o->interval, &err) != LW_OK || o->interval < 10
            || o->interval > 86400) {
            lw_cli_fail(cli, "--interval must be a duration from 10s to 1 day (\"5m\", \"1h\")");
            return 2;
        }
        break;
    case 's':
        return lw_cli_int_opt(cli, arg, 0, 2147483646, &o->seed,
                              "--seed must be a number (0..2147483646)");
    default:
        o->remove = 1;
        break;
    }
    return 0;
}

int
lw_cmd_backfill(lw_cli *cli)
{
    static const char opts[] = "days:n interval:i seed:s remove/r";
    struct backfill_opts bo = { 30, 42, 300, 0 };
    const char **names = NULL;
    long long removed;
    lw_db_stats_backfill_opts o;
    lw_db_stats_backfill_result r;
    lw_config *cfg = NULL;
    lw_db *db;
    int64_t t0;
    time_t now;
    size_t i, n = 0;
    int rc;

    if ((rc = lw_cli_parse(cli, opts, on_opt, &bo)) != LW_CLI_GO)
        return rc;
    if ((int64_t) bo.days * 86400 / bo.interval > MAX_SLOTS) {
        lw_cli_fail(cli, "%lld days every %llds is more than %d probes per model; use a longer "
                    "--interval", bo.days, (long long) bo.interval, MAX_SLOTS);
        return 2;
    }

    /* With --config, the configured (enabled) models only. */
    if (!bo.remove) {
        if (lw_cli_config(cli) != LW_CLI_GO)
            return 1;
        cfg = cli->cfg;
    }
    rc = 1;
    if (cfg != NULL) {
        names = lw_pool_alloc(cli->pool, (cfg->n_models + 1) * sizeof(*names));
        if (names == NULL)
            return 1;
        for (i = 0; i < cfg->n_models; i++)
            if (cfg->models[i].enabled)
                names[n++] = cfg->models[i].name;
        if (n == 0)
            return lw_cli_fail(cli, "%s enables no model", cli->config_path);
    }
    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    if (bo.remove) {
        char num[32];

        if (lw_db_stats_backfill_remove(db, &cli->err, &removed) != LW_OK)
            return lw_cli_fail(cli, "%s", cli->err.msg);
        lw_fmt_count(removed, num, sizeof(num));
        printf("✓ Removed %s backfill probe%s (rows with backfill = true; measured probes kept)\n",
               num, removed == 1 ? "" : "s");
        return 0;
    }

    /* [from, to): `days` whole days ending at the last slot boundary. */
    now = time(NULL);
    memset(&o, 0, sizeof(o));
    o.interval_s = bo.interval;
    o.to = (time_t) (now / bo.interval * bo.interval);
    o.from = o.to - (time_t) (bo.days * 86400);
    o.seed = bo.seed;
    o.models = names;
    o.n_models = n;
    t0 = lw_now_mono_us();
    if (lw_db_stats_backfill(db, &cli->err, &o, &r) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    print_summary(db, &o, &r, (double) (lw_now_mono_us() - t0) / 1e6);
    return 0;
}
