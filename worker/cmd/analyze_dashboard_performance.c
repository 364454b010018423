/* analyze_dashboard_performance.c: `llmwatch analyze-dashboard-performance`:
 * the slowest pages of llmwatch-web (its own timings: app/timings.c), the
 * slowest queries (pg_stat_statements when PostgreSQL has it loaded, the
 * samples llmwatch-web kept otherwise), and the EXPLAIN ANALYZE plan of
 * the slowest query sample, run again with its own parameters. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "db/webstats.h"
#include "fmt.h"

struct perf_opts {
    long long hours;
    int       queries;      /* --identify-slow-queries */
    int       explain;      /* not --no-explain */
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct perf_opts *o = ctx;

    switch (ch) {
    case 'H':
        return lw_cli_int_opt(cli, arg, 1, 24 * 14, &o->hours,
                              "--hours must be a number of hours (1..336: timings are kept 14 days)");
    case 'q': o->queries = 1; break;
    default:  o->explain = 0; break;
    }
    return 0;
}

static void
ms_cell(const PGresult *res, int row, const char *col, char *buf, size_t size)
{
    int c = PQfnumber(res, col);

    lw_fmt_ms(c < 0 || lw_db_isnull(res, row, c) ? -1 : lw_db_double(res, row, c), buf, size);
}

static int
pages(lw_cli *cli, lw_db *db, long long hours)
{
    static const char *const head[] = { "Page", "Requests", "Errors", "avg", "p50", "p95", "p99", "max" };
    char c[7][32];
    const char *cells[8];
    PGresult *res = lw_db_webstats_pages(db, &cli->err, hours);
    lw_fmt_table *t;
    lw_buf out = { 0 };
    int i;

    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    printf("Slowest pages of the last %lld hour%s (llmwatch-web's own timings, by p95)\n",
           hours, hours == 1 ? "" : "s");
    if (PQntuples(res) == 0) {
        printf("  no request recorded yet: llmwatch-web writes its timings every 30 s\n\n");
        PQclear(res);
        return 0;
    }
    t = lw_fmt_table_new(8, head, "lrrrrrrr");
    for (i = 0; t != NULL && i < PQntuples(res); i++) {
        lw_fmt_count(lw_db_int(res, i, 1), c[0], sizeof(c[0]));
        lw_fmt_count(lw_db_int(res, i, 2), c[1], sizeof(c[1]));
        ms_cell(res, i, "avg_ms", c[2], sizeof(c[2]));
        ms_cell(res, i, "p50_ms", c[3], sizeof(c[3]));
        ms_cell(res, i, "p95_ms", c[4], sizeof(c[4]));
        ms_cell(res, i, "p99_ms", c[5], sizeof(c[5]));
        ms_cell(res, i, "max_ms", c[6], sizeof(c[6]));
        cells[0] = lw_db_str(res, i, 0);
        cells[1] = c[0]; cells[2] = c[1]; cells[3] = c[2]; cells[4] = c[3];
        cells[5] = c[4]; cells[6] = c[5]; cells[7] = c[6];
        lw_fmt_table_add(t, cells);
    }
    if (t != NULL && lw_fmt_table_render(t, &out) == LW_OK)
        printf("%s\n", out.data ? out.data : "");
    lw_fmt_table_free(t);
    lw_buf_free(&out);
    PQclear(res);
    return 0;
}

/* A statement on one line, at most width characters. */
static void
one_line(const char *sql, char *buf, size_t width)
{
    size_t n = 0;
    int space = 0;

    for (; *sql && n + 1 < width; sql++) {
        if (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '\r') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < width)
            buf[n++] = ' ';
        space = 0;
        buf[n++] = *sql;
    }
    if (*sql && n >= 3)
        memcpy(buf + n - 3, "...", 3);
    buf[n] = '\0';
}

static int
queries(lw_cli *cli, lw_db *db, long long hours)
{
    char why[256] = "", mean[32], mx[32], calls[32], text[121];
    PGresult *res;
    int have, i;

    have = lw_db_webstats_have_statements(db, &cli->err, why, sizeof(why));
    if (have < 0)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    if (have) {
        res = lw_db_webstats_statements(db, &cli->err, 10);
        if (res == NULL)
            return lw_cli_fail(cli, "%s", cli->err.msg);
        printf("Slowest statements by mean time (pg_stat_statements, since its last reset)\n");
        for (i = 0; i < PQntuples(res); i++) {
            lw_fmt_ms(lw_db_double(res, i, 2), mean, sizeof(mean));
            lw_fmt_ms(lw_db_double(res, i, 3), mx, sizeof(mx));
            lw_fmt_count(lw_db_int(res, i, 1), calls, sizeof(calls));
            one_line(lw_db_str(res, i, 0), text, sizeof(text));
            printf("%2d. mean %s, max %s, %s calls\n    %s\n", i + 1, mean, mx, calls, text);
        }
        printf("\n");
        PQclear(res);
    } else {
        printf("pg_stat_statements: not available (%s); the samples below come from "
               "llmwatch-web\n\n", why);
    }
    res = lw_db_webstats_slow(db, &cli->err, hours, 10);
    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    printf("Slowest queries llmwatch-web ran in the last %lld hour%s (samples over %.0f ms)\n",
           hours, hours == 1 ? "" : "s", 20.0);
    if (PQntuples(res) == 0)
        printf("  none\n");
    for (i = 0; i < PQntuples(res); i++) {
        lw_fmt_ms(lw_db_double(res, i, 2), mean, sizeof(mean));
        one_line(lw_db_str(res, i, 3), text, sizeof(text));
        printf("%2d. %s on %s at %s\n    %s\n", i + 1, mean, lw_db_str(res, i, 1),
               lw_db_str(res, i, 0), text);
    }
    printf("\n");
    PQclear(res);
    return 0;
}

static int
explain_worst(lw_cli *cli, lw_db *db, long long hours)
{
    PGresult *slow = lw_db_webstats_slow(db, &cli->err, hours, 1), *plan;
    char ms[32];
    int i;

    if (slow == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    if (PQntuples(slow) == 0) {
        PQclear(slow);
        return 0;
    }
    lw_fmt_ms(lw_db_double(slow, 0, 2), ms, sizeof(ms));
    printf("Plan of the slowest sample (%s on %s), run again with its parameters %s:\n", ms,
           lw_db_str(slow, 0, 1), lw_db_str(slow, 0, 4));
    plan = lw_db_webstats_explain(db, &cli->err, lw_db_str(slow, 0, 3), lw_db_str(slow, 0, 4));
    if (plan == NULL) {
        printf("  (could not be explained: %s)\n", cli->err.msg);
    } else {
        for (i = 0; i < PQntuples(plan); i++)
            printf("  %s\n", lw_db_str(plan, i, 0));
        PQclear(plan);
    }
    PQclear(slow);
    return 0;
}

int
lw_cmd_analyze_dashboard_performance(lw_cli *cli)
{
    static const char opts[] = "hours:H identify-slow-queries/q no-explain/n";
    struct perf_opts o = { 24, 0, 1 };
    lw_db *db;
    int rc;

    if ((rc = lw_cli_parse_db(cli, opts, on_opt, &o, &db)) != LW_CLI_GO)
        return rc;
    if ((rc = pages(cli, db, o.hours)) != 0)
        return rc;
    if (o.queries) {
        if ((rc = queries(cli, db, o.hours)) != 0)
            return rc;
        if (o.explain && (rc = explain_worst(cli, db, o.hours)) != 0)
            return rc;
    }
    return 0;
}
