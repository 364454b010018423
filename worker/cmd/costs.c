/* costs.c: `llmwatch costs analyze|optimize|prices`: where the money goes
 * (by model, hour of day, day of week; savings found), as a table or as
 * the same HTML document /costs shows (--output FILE.html: templates/
 * costs.cs in print_layout.cs, charts by lib/chart.c); cheaper models of
 * equal quality with the monthly saving of real usage; and the recorded
 * price histories. Every figure comes from lib/db/costs.c (rollups). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "costs_report.h"
#include "db/costs.h"
#include "fmt.h"
#include "render.h"
#include "times.h"

struct opts {
    const char *group_by, *output, *environment, *from, *to, *model, *at;
    long long days;
    double threshold;
    int savings, alternatives;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;
    const char **const fields[] = {
        &o->group_by, &o->output, &o->environment, &o->from, &o->to, &o->model, &o->at
    };

    if (lw_cli_keep(ch, arg, "goeFTmt", fields))
        return 0;
    switch (ch) {
    case 's': o->savings = 1; return 0;
    case 'a': o->alternatives = 1; return 0;
    case 'n': return lw_cli_int_opt(cli, arg, 1, 3650, &o->days, "--days is 1 to 3650");
    default:
        return lw_cli_real_opt(cli, arg, 0, 10, LW_CLI_HI, &o->threshold,
                               "--maintain-quality-threshold is a ratio such as 0.9 (of the "
                               "model's own quality)");
    }
}

/* The columns cols of res as a table; columns whose index is in
 * `dollars` ("0".."9") get a $; with best_only, only rows of rank 1. */
static int
table_of(lw_cli *cli, PGresult *res, const char *const *cols, const char *const *head,
         const char *align, size_t n, const char *dollars, int best_only)
{
    const char *row[12];
    lw_fmt_table *t = lw_fmt_table_new(n, head, align);
    lw_buf out = { 0 };
    size_t c;
    int i;

    for (i = 0; t != NULL && i < PQntuples(res); i++) {
        if (best_only && lw_db_int(res, i, PQfnumber(res, "rank")) != 1)
            continue;
        for (c = 0; c < n; c++) {
            row[c] = lw_db_str(res, i, PQfnumber(res, cols[c]));
            if (row[c] != NULL && strchr(dollars, (int) ('0' + c)) != NULL)
                row[c] = lw_pool_printf(cli->pool, "$%s", row[c]);
        }
        lw_fmt_table_add(t, row);
    }
    if (t == NULL || lw_fmt_table_render(t, &out) != LW_OK) {
        lw_fmt_table_free(t);
        return lw_cli_fail(cli, "out of memory");
    }
    fputs(out.data, stdout);
    lw_fmt_table_free(t);
    lw_buf_free(&out);
    return 0;
}

static int
print_breakdowns(lw_cli *cli, lw_db *db, const struct opts *o, unsigned groups, long long from,
                 long long to)
{
    static const char *const names[] = { "model", "hour_of_day", "day_of_week" };
    static const char *const cols[] = { "label", "probe_h", "usage_h", "total_h", "share",
                                        "requests" };
    const char *head[] = { NULL, "Probes", "Production", "Total", "Share %", "Requests" };
    static const char *const firsts[] = { "Model", "Hour (UTC)", "Day" };
    PGresult *res;
    int k;

    for (k = 0; k < 3; k++) {
        if (!(groups & (1u << k)))
            continue;
        res = lw_db_costs_breakdown(db, &cli->err, names[k], from, to, o->environment);
        if (res == NULL)
            return lw_cli_fail(cli, "%s", cli->err.msg);
        head[0] = firsts[k];
        printf("\nBy %s\n", names[k]);
        table_of(cli, res, cols, head, "lrrrrr", 6, "123", 0);
        PQclear(res);
    }
    return 0;
}

static int
print_savings(lw_cli *cli, lw_db *db, const struct opts *o, long long at, int all)
{
    static const char *const cols[] = { "model", "environment", "alternative", "alt_quality",
                                        "quality", "alt_p95_ms", "sla_target_ms", "own_cost_h",
                                        "alt_cost_h", "saving_h" };
    static const char *const head[] = { "Model", "Environment", "Alternative", "Alt quality",
                                        "Quality", "Alt p95 ms", "SLA ms", "30 days now",
                                        "With alternative", "Saving a month" };
    PGresult *res = lw_db_costs_optimize(db, &cli->err, at, (int) o->days, o->threshold,
                                         o->environment);
    int i, shown = 0;

    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    printf("\nCheaper alternatives keeping %.0f%% of the quality (mean over %lld days) and the "
           "model's SLA (p95), priced on the last 30 days of production usage\n",
           100 * o->threshold, o->days);
    /* the best per model unless every one is wanted */
    for (i = 0; i < PQntuples(res); i++)
        shown += all || lw_db_int(res, i, PQfnumber(res, "rank")) == 1;
    if (shown == 0) {
        printf("None: no cheaper model keeps the quality and the SLA of a model with production "
               "usage.\n");
        PQclear(res);
        return 0;
    }
    table_of(cli, res, cols, head, "llllrrrrrr", 10, "789", !all);
    PQclear(res);
    return 0;
}

static int
write_html(lw_cli *cli, lw_db *db, const lw_costs_report_opts *ro, const char *path)
{
    lw_hdf h = { 0 };
    lw_buf html = { 0 };
    FILE *fp;
    int rc = 1;

    if (lw_render_init(lw_cli_datapath(cli, "templates"), &cli->err) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    lw_hdf_init(&h);
    if (lw_costs_report(db, &h, ro, &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    lw_hdf_set_int(&h, "Costs.report", 1);
    lw_hdf_set(&h, "Page.title", "Cost analysis");
    if (lw_render(&h, "costs", "print_layout", &html, &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    fp = fopen(path, "w");
    if (fp == NULL || fwrite(html.data, 1, html.len, fp) != html.len || fclose(fp) != 0) {
        lw_cli_fail(cli, "cannot write %s", path);
        goto cleanup;
    }
    printf("\n✓ report written: %s\n", path);
    rc = 0;
cleanup:
    lw_hdf_destroy(&h);
    lw_buf_free(&html);
    lw_render_shutdown();
    return rc;
}

static int
cmd_analyze(lw_cli *cli, lw_db *db, struct opts *o)
{
    lw_costs_report_opts ro;
    time_t from, to = time(NULL);
    char a[40], b[40], label[128];
    PGresult *res;
    int groups = lw_costs_report_groups(o->group_by ? o->group_by : "model");

    if (groups < 0) {
        fprintf(stderr, "%s: --group-by takes model, hour_of_day, day_of_week\n", cli->prog);
        return 2;
    }
    if ((o->to && lw_time_parse(o->to, &to) != LW_OK)
        || (o->from && lw_time_parse(o->from, &from) != LW_OK)) {
        fprintf(stderr, "%s: --from and --to take times (YYYY-MM-DD [HH:MM], UTC)\n", cli->prog);
        return 2;
    }
    /* whole hours: the hourly breakdowns read 1h rollups */
    to = to % 3600 ? to - to % 3600 + 3600 : to;
    if (o->from == NULL)
        from = to - (time_t) o->days * 86400;
    from -= from % 3600;
    if (from >= to) {
        fprintf(stderr, "%s: --from must be before --to\n", cli->prog);
        return 2;
    }
    lw_time_format(from, LW_TIME_MINUTE, a, sizeof(a));
    lw_time_format(to, LW_TIME_MINUTE, b, sizeof(b));
    snprintf(label, sizeof(label), "period %s to %s", a, b);
    res = lw_db_costs_totals(db, &cli->err, (long long) from, (long long) to, o->environment);
    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    printf("Costs %s%s%s\n", label, o->environment ? ", environment " : "",
           o->environment ? o->environment : "");
    printf("  probes $%s, production $%s, total $%s ($%s a day); %s probes, %s production "
           "requests\n", lw_db_str(res, 0, 3), lw_db_str(res, 0, 4), lw_db_str(res, 0, 5),
           lw_db_str(res, 0, 8), lw_db_str(res, 0, 6), lw_db_str(res, 0, 7));
    PQclear(res);
    if (print_breakdowns(cli, db, o, (unsigned) groups, (long long) from, (long long) to) != 0)
        return 1;
    if (o->savings && print_savings(cli, db, o, (long long) to, 0) != 0)
        return 1;
    if (o->output == NULL)
        return 0;
    memset(&ro, 0, sizeof(ro));
    ro.from = (long long) from;
    ro.to = (long long) to;
    ro.environment = o->environment;
    ro.groups = (unsigned) groups;
    ro.savings = o->savings;
    ro.threshold = o->threshold;
    ro.quality_days = (int) o->days < 30 ? (int) o->days : 30;
    ro.range_label = label;
    return write_html(cli, db, &ro, o->output);
}

static int
cmd_prices(lw_cli *cli, lw_db *db, const struct opts *o)
{
    static const char *const cols[] = { "model", "environment", "effective", "input", "output",
                                        "source" };
    static const char *const head[] = { "Model", "Environment", "From (UTC)", "Input $/Mtok",
                                        "Output $/Mtok", "Source" };
    PGresult *res = lw_db_costs_prices(db, &cli->err, o->model);
    int rc;

    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    printf("Recorded prices: each applies from its date on, never to what was recorded before\n");
    rc = table_of(cli, res, cols, head, "lllrrl", 6, "", 0);
    PQclear(res);
    return rc;
}

int
lw_cmd_costs(lw_cli *cli)
{
    static const char opts[] = "group-by:g output:o environment:e from:F to:T days:n "
                               "identify-savings/s suggest-alternatives/a "
                               "maintain-quality-threshold:q model:m at:t";
    struct opts o;
    const char *sub;
    time_t at = time(NULL);
    lw_db *db;
    int rc;

    if ((sub = lw_cli_subcommand(cli)) == NULL)
        return lw_cli_no_subcommand(cli);
    if (strcmp(sub, "analyze") != 0 && strcmp(sub, "optimize") != 0
        && strcmp(sub, "prices") != 0) {
        fprintf(stderr, "%s: unknown subcommand '%s'\n", cli->prog, sub);
        return lw_cli_usage(cli, stderr, 0);
    }
    memset(&o, 0, sizeof(o));
    o.days = 7;
    o.threshold = 0.9;
    if ((rc = lw_cli_parse(cli, opts, on_opt, &o)) != LW_CLI_GO)
        return rc;
    if (o.at != NULL && lw_time_parse(o.at, &at) != LW_OK) {
        fprintf(stderr, "%s: --at takes a time (YYYY-MM-DD [HH:MM], UTC)\n", cli->prog);
        return 2;
    }
    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    if (strcmp(sub, "analyze") == 0)
        return cmd_analyze(cli, db, &o);
    if (strcmp(sub, "prices") == 0)
        return cmd_prices(cli, db, &o);
    return print_savings(cli, db, &o, (long long) at, o.alternatives);
}
