/* cmd_backfill.c: `llmwatch backfill` writes a realistic synthetic history
 * into probes (marked backfill = true) so that dashboards, reports,
 * baselines and alert rules have weeks of data on day one; `--remove`
 * takes exactly those rows out again. */
#include <getopt.h>
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

static int
usage(void)
{
    fprintf(stderr,
            "usage: llmwatch backfill [--days N] [--interval 5m] [--seed N] [--config FILE]"
            " [--database URL]\n"
            "       llmwatch backfill --remove [--database URL]\n");
    return 2;
}

static int
parse_ll(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0')
        return LW_EINVAL;
    v = strtoll(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return LW_EINVAL;
    *out = v;
    return LW_OK;
}

static void
print_summary(lw_db *db, const lw_db_stats_backfill_opts *o, const lw_db_stats_backfill_result *r,
              double secs)
{
    static const char *const head[] = { "Model", "Environment", "Probes", "Success",
                                        "Avg latency", "Cost" };
    char a[64], b[64], iv[32], cells[4][64];
    const char *row[6];
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

            lw_fmt_count(n, cells[0], sizeof(cells[0]));
            lw_fmt_percent(n > 0 ? (double) lw_db_int(res, i, 3) / (double) n : 0.0,
                          cells[1], sizeof(cells[1]));
            lw_fmt_ms(lw_db_double(res, i, 6), cells[2], sizeof(cells[2]));
            lw_fmt_dollars((int64_t) lw_db_int(res, i, 7), cells[3], sizeof(cells[3]));
            row[0] = lw_db_str(res, i, 0);
            row[1] = lw_db_str(res, i, 1);
            row[2] = cells[0];
            row[3] = cells[1];
            row[4] = cells[2];
            row[5] = cells[3];
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

int
lw_cmd_backfill(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "days",     required_argument, NULL, 'n' },
        { "interval", required_argument, NULL, 'i' },
        { "seed",     required_argument, NULL, 's' },
        { "config",   required_argument, NULL, 'c' },
        { "database", required_argument, NULL, 'd' },
        { "remove",   no_argument,       NULL, 'r' },
        { "help",     no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *url = NULL, *config = NULL, **names = NULL;
    long long days = 30, seed = 42, removed;
    int64_t interval = 300;
    lw_db_stats_backfill_opts o;
    lw_db_stats_backfill_result r;
    lw_config *cfg = NULL;
    lw_diag diags;
    lw_db *db = NULL;
    lw_err err;
    int64_t t0;
    time_t now;
    size_t i, n = 0;
    int ch, remove = 0, rc = 1;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "n:i:s:c:d:rh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            if (parse_ll(optarg, 1, 366, &days) != LW_OK) {
                fprintf(stderr, "llmwatch backfill: --days must be a number of days (1..366)\n");
                return 2;
            }
            break;
        case 'i':
            if (lw_duration_parse(optarg, &interval, &err) != LW_OK || interval < 10
                || interval > 86400) {
                fprintf(stderr, "llmwatch backfill: --interval must be a duration from 10s to "
                        "1 day (\"5m\", \"1h\")\n");
                return 2;
            }
            break;
        case 's':
            if (parse_ll(optarg, 0, 2147483646, &seed) != LW_OK) {
                fprintf(stderr, "llmwatch backfill: --seed must be a number (0..2147483646)\n");
                return 2;
            }
            break;
        case 'c': config = optarg; break;
        case 'd': url = optarg; break;
        case 'r': remove = 1; break;
        default:
            return usage();
        }
    }
    if (optind != argc)
        return usage();
    if ((int64_t) days * 86400 / interval > MAX_SLOTS) {
        fprintf(stderr, "llmwatch backfill: %lld days every %llds is more than %d probes per "
                "model; use a longer --interval\n", days, (long long) interval, MAX_SLOTS);
        return 2;
    }

    /* With --config, the configured (enabled) models only. */
    lw_diag_init(&diags);
    if (config != NULL && !remove) {
        if (lw_config_load(config, &cfg, &diags) != LW_OK) {
            lw_diag_print(&diags, stderr);
            fprintf(stderr, "llmwatch backfill: %s has errors\n", config);
            goto cleanup;
        }
        names = calloc(cfg->n_models + 1, sizeof(*names));
        if (names == NULL)
            goto cleanup;
        for (i = 0; i < cfg->n_models; i++)
            if (cfg->models[i].enabled)
                names[n++] = cfg->models[i].name;
        if (n == 0) {
            fprintf(stderr, "llmwatch backfill: %s enables no model\n", config);
            goto cleanup;
        }
    }

    db = lw_db_connect(lw_db_default_url(url), "llmwatch backfill", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch backfill: %s\n", err.msg);
        goto cleanup;
    }
    if (remove) {
        char num[32];

        if (lw_db_stats_backfill_remove(db, &err, &removed) != LW_OK) {
            fprintf(stderr, "llmwatch backfill: %s\n", err.msg);
            goto cleanup;
        }
        lw_fmt_count(removed, num, sizeof(num));
        printf("✓ Removed %s backfill probe%s (rows with backfill = true; measured probes kept)\n",
               num, removed == 1 ? "" : "s");
        rc = 0;
        goto cleanup;
    }

    /* [from, to): `days` whole days ending at the last slot boundary. */
    now = time(NULL);
    memset(&o, 0, sizeof(o));
    o.interval_s = interval;
    o.to = (time_t) (now / interval * interval);
    o.from = o.to - (time_t) (days * 86400);
    o.seed = seed;
    o.models = names;
    o.n_models = n;
    t0 = lw_now_mono_us();
    if (lw_db_stats_backfill(db, &err, &o, &r) != LW_OK) {
        fprintf(stderr, "llmwatch backfill: %s\n", err.msg);
        goto cleanup;
    }
    print_summary(db, &o, &r, (double) (lw_now_mono_us() - t0) / 1e6);
    rc = 0;
cleanup:
    lw_diag_free(&diags);
    lw_config_free(cfg);
    free(names);
    lw_db_close(db);
    return rc;
}
