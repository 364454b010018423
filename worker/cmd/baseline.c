/* cmd_baseline.c: `llmwatch baseline create` runs a suite N rounds against
 * every model, stores those probes, computes each model's baseline in SQL
 * over that run and makes it the active one; `llmwatch baseline report`
 * writes a standalone HTML page of the active baselines with a latency
 * histogram per model (templates/baseline_report.cs, charts from lib/chart). */
#include <ClearSilver.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "fmt.h"
#include "cmd/cmd.h"
#include "money.h"
#include "probe/probe.h"
#include "probe/cycle.h"

#define MAX_MODEL_ARGS 256
#define RULE "================================================================================"

/* ---- create ------------------------------------------------------------------ */

/* Deactivates the current baseline of every model with at least one
 * successful request in this run and inserts the new ones, in one
 * transaction. Everything is computed by PostgreSQL over the run's rows:
 * latency mean/stddev/p95 and TTFT mean/p95 over successful requests,
 * success rate over all, tokens/s as the decode rate (sum(output - 1) /
 * sum(total - ttft)), exact cost per 1K tokens (input + output), quality
 * mean, and the average daily spend of the last 7 full days (probes and
 * usage events; NULL without history). */
static const char DEACTIVATE_SQL[] =
    "UPDATE baselines SET active = false "
    "WHERE active AND (model_id, environment_id) IN ("
    "  SELECT model_id, environment_id FROM probes"
    "  WHERE cycle_id = $1::bigint AND ts >= $2::timestamptz AND ok)";

static const char INSERT_SQL[] =
    "INSERT INTO baselines (model_id, environment_id, suite, iterations, samples, latency_mean_ms,"
    "  latency_stddev_ms, latency_p95_ms, ttft_mean_ms, ttft_p95_ms, success_rate, tokens_per_second,"
    "  cost_per_1k_usd, daily_cost_usd, quality_score, active, cycle_id, tokens_rate) "
    "SELECT a.model_id, a.environment_id, a.suite, $3::int, a.samples, a.latency_mean_ms,"
    "  a.latency_stddev_ms, a.latency_p95_ms, a.ttft_mean_ms, a.ttft_p95_ms, a.success_rate,"
    "  a.tokens_per_second, a.cost_per_1k_usd,"
    "  (SELECT sum(d.c) / count(*) FROM ("
    "     SELECT date_trunc('day', x.ts) AS day, sum(x.cost_usd) AS c FROM ("
    "       SELECT ts, cost_usd FROM probes WHERE model_id = a.model_id"
    "         AND environment_id = a.environment_id AND ts >= current_date - 7 AND ts < current_date"
    "       UNION ALL"
    "       SELECT ts, cost_usd FROM usage_events WHERE model_id = a.model_id"
    "         AND environment_id = a.environment_id AND ts >= current_date - 7 AND ts < current_date"
    "     ) x GROUP BY 1) d),"
    "  a.quality_score, true, $1::bigint, 'decode' "
    "FROM ("
    "  SELECT model_id, environment_id, coalesce(min(suite), $4) AS suite, count(*) AS samples,"
    "    count(*) FILTER (WHERE ok) AS ok_n,"
    "    avg(total_ms) FILTER (WHERE ok) AS latency_mean_ms,"
    "    stddev_samp(total_ms) FILTER (WHERE ok) AS latency_stddev_ms,"
    "    percentile_cont(0.95) WITHIN GROUP (ORDER BY total_ms) FILTER (WHERE ok) AS latency_p95_ms,"
    "    avg(ttft_ms) FILTER (WHERE ok) AS ttft_mean_ms,"
    "    percentile_cont(0.95) WITHIN GROUP (ORDER BY ttft_ms) FILTER (WHERE ok) AS ttft_p95_ms,"
    "    avg(CASE WHEN ok THEN 1.0 ELSE 0.0 END)::float8 AS success_rate,"
    "    1000.0 * sum(output_tokens - 1) FILTER (WHERE ok AND output_tokens > 1 AND total_ms > ttft_ms)"
    "      / nullif(sum(total_ms - ttft_ms) FILTER (WHERE ok AND output_tokens > 1"
    "                                               AND total_ms > ttft_ms), 0) AS tokens_per_second,"
    "    1000 * sum(cost_usd) FILTER (WHERE cost_usd IS NOT NULL)"
    "      / nullif(sum(input_tokens + output_tokens) FILTER (WHERE cost_usd IS NOT NULL), 0)"
    "      AS cost_per_1k_usd,"
    "    avg(quality_score) AS quality_score"
    "  FROM probes WHERE cycle_id = $1::bigint AND ts >= $2::timestamptz"
    "  GROUP BY model_id, environment_id) a "
    "WHERE a.ok_n > 0";

static const char CREATED_SQL[] =
    "SELECT model_id, environment_id, latency_mean_ms, latency_stddev_ms, latency_p95_ms,"
    "  success_rate, tokens_per_second, round(cost_per_1k_usd, 6), quality_score "
    "FROM baselines WHERE cycle_id = $1::bigint AND active";

static void
progress(int round, int rounds, int tty)
{
    char bar[41];
    int i, filled = rounds > 0 ? round * 40 / rounds : 40;

    if (!tty) {
        printf("round %d/%d done\n", round, rounds);
        fflush(stdout);
        return;
    }
    for (i = 0; i < 40; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[40] = '\0';
    printf("\r[%s] round %d/%d", bar, round, rounds);
    if (round == rounds)
        printf("\n");
    fflush(stdout);
}

static int
compute(lw_db *db, lw_cycle *c, int iterations, const char *suite, PGresult **out, lw_err *err)
{
    char id[24], it[16];
    const char *p[4];

    snprintf(id, sizeof(id), "%lld", c->cycle_id);
    snprintf(it, sizeof(it), "%d", iterations);
    p[0] = id;
    p[1] = c->since;
    p[2] = it;
    p[3] = suite;
    *out = NULL;
    if (lw_db_begin(db, err) != LW_OK)
        return LW_EDB;
    if (lw_db_exec(db, err, DEACTIVATE_SQL, 2, p) < 0 || lw_db_exec(db, err, INSERT_SQL, 4, p) < 0
        || (*out = lw_db_query(db, err, CREATED_SQL, 1, p)) == NULL
        || lw_db_commit(db, err) != LW_OK) {
        PQclear(*out);
        *out = NULL;
        lw_db_rollback(db);
        return LW_EDB;
    }
    return LW_OK;
}

static void
print_model(const lw_cycle_model *m, const PGresult *res)
{
    char cost[40];
    int r;
    int64_t micros;

    printf("Model: %s\n", m->name);
    for (r = 0; r < PQntuples(res); r++) {
        if (lw_db_int(res, r, 0) != m->model_id || lw_db_int(res, r, 1) != m->environment_id)
            continue;
        printf("- Average Latency: %.2fs", lw_db_double(res, r, 2) / 1000.0);
        if (!lw_db_isnull(res, r, 3))
            printf(" (\xC2\xB1%.2fs)", lw_db_double(res, r, 3) / 1000.0);
        printf("\n- P95 Latency: %.2fs\n", lw_db_double(res, r, 4) / 1000.0);
        printf("- Success Rate: %.1f%%\n", lw_db_double(res, r, 5) * 100.0);
        if (lw_db_isnull(res, r, 6))
            printf("- Tokens/Second: n/a\n");
        else
            printf("- Tokens/Second: %.1f\n", lw_db_double(res, r, 6));
        if (lw_db_isnull(res, r, 7) || lw_money_parse(lw_db_str(res, r, 7), &micros) != LW_OK
            || lw_money_format_fine(micros, cost, sizeof(cost)) != LW_OK)
            printf("- Cost/1K Tokens: n/a\n");
        else
            printf("- Cost/1K Tokens: %s\n", cost);
        if (lw_db_isnull(res, r, 8))
            printf("- Quality Score: n/a (no scored case)\n");
        else
            printf("- Quality Score: %.1f/100\n", lw_db_double(res, r, 8));
        return;
    }
    printf("- No baseline: %ld/%ld requests succeeded", m->ok, m->n);
    if (m->errors[0] != '\0')
        printf(" (%s%s%s)", m->errors, m->first_error[0] ? ": " : "", m->first_error);
    printf("; the previous baseline stays active\n");
}

static int
create_usage(void)
{
    fprintf(stderr, "usage: llmwatch baseline create [--config FILE] [--iterations N] "
                    "[--test-suite NAME|FILE] [--model NAME]... [--database URL]\n");
    return 2;
}

static int
cmd_create(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config",     required_argument, NULL, 'c' },
        { "iterations", required_argument, NULL, 'n' },
        { "test-suite", required_argument, NULL, 's' },
        { "suite",      required_argument, NULL, 's' },
        { "model",      required_argument, NULL, 'm' },
        { "database",   required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 }
    };
    const char *config = NULL, *url = NULL, *models[MAX_MODEL_ARGS];
    lw_cycle_opts o;
    lw_config *cfg = NULL;
    lw_diag diags;
    lw_db *db = NULL;
    lw_cycle c;
    lw_err err, ignored;
    PGresult *res = NULL;
    lw_suite *suite = NULL;
    char *end;
    long v;
    size_t i;
    int ch, round, rounds = 10, rc = 1, tty = isatty(STDOUT_FILENO), saved;

    memset(&o, 0, sizeof(o));
    memset(&c, 0, sizeof(c));
    o.kind = LW_CYCLE_BASELINE;
    o.suite = "comprehensive";
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:n:s:m:d:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': config = optarg; break;
        case 's': o.suite = optarg; break;
        case 'd': url = optarg; break;
        case 'm':
            if (o.n_models == MAX_MODEL_ARGS)
                return create_usage();
            models[o.n_models++] = optarg;
            break;
        case 'n':
            v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 10000) {
                fprintf(stderr, "llmwatch baseline create: --iterations must be a number from 1 to 10000\n");
                return 2;
            }
            rounds = (int) v;
            break;
        default:
            return create_usage();
        }
    }
    if (optind != argc)
        return create_usage();
    if (o.n_models > 0)
        o.models = models;
    if (config == NULL)
        config = getenv("LLMWATCH_CONFIG") ? getenv("LLMWATCH_CONFIG") : "monitoring_config.yaml";

    lw_diag_init(&diags);
    if (lw_config_load(config, &cfg, &diags) != LW_OK) {
        lw_diag_print(&diags, stderr);
        fprintf(stderr, "llmwatch baseline create: %s has errors\n", config);
        lw_diag_free(&diags);
        return 1;
    }
    lw_diag_print(&diags, stderr);
    lw_diag_free(&diags);
    if (lw_suite_load(o.suite, &suite, &err) != LW_OK) {
        fprintf(stderr, "llmwatch baseline create: %s\n", err.msg);
        goto cleanup;
    }
    lw_suite_free(suite);
    o.iterations = 1;   /* one round at a time: progress, and a spread over time */
    o.timeout_s = (int) cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].timeout;

    db = lw_db_connect(lw_db_default_url(url), "llmwatch baseline", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch baseline create: %s\n", err.msg);
        goto cleanup;
    }
    if (lw_cycle_begin(db, cfg, o.kind, o.suite, rounds, &c, &err) != LW_OK) {
        fprintf(stderr, "llmwatch baseline create: %s\n", err.msg);
        goto cleanup;
    }
    for (round = 1; round <= rounds; round++) {
        if (lw_cycle_run(db, cfg, &o, &c, &err) != LW_OK) {
            if (tty)
                printf("\n");
            fprintf(stderr, "llmwatch baseline create: round %d: %s\n", round, err.msg);
            lw_cycle_end(db, &c, err.msg, &ignored);
            goto cleanup;
        }
        progress(round, rounds, tty);
    }
    if (lw_cycle_summarize(db, &c, &err) != LW_OK
        || compute(db, &c, rounds, o.suite, &res, &err) != LW_OK) {
        fprintf(stderr, "llmwatch baseline create: %s\n", err.msg);
        lw_cycle_end(db, &c, err.msg, &ignored);
        goto cleanup;
    }
    lw_cycle_end(db, &c, NULL, &ignored);

    saved = PQntuples(res);
    printf("\n\xF0\x9F\x93\x8A Baseline Performance Established\n%s\n", RULE);
    for (i = 0; i < c.n_models; i++) {
        if (i > 0)
            printf("\n");
        print_model(&c.models[i], res);
    }
    printf("\n");
    if (saved > 0) {
        printf("\xE2\x9C\x93 Baselines saved for regression detection");
        if ((size_t) saved < c.n_models)
            printf(" (%d of %zu models)", saved, c.n_models);
        printf("\n");
        rc = 0;
    } else {
        printf("\xE2\x9C\x97 No baseline saved: no model answered successfully\n");
    }
cleanup:
    fflush(stdout);
    PQclear(res);
    lw_cycle_free(&c);
    lw_db_close(db);
    lw_config_free(cfg);
    return rc;
}

/* ---- report --------------------------------------------------------------------- */

static const char ACTIVE_SQL[] =
    "SELECT b.id, m.name, e.name, b.suite, b.iterations, b.samples, b.latency_mean_ms,"
    "  b.latency_stddev_ms, b.latency_p95_ms, b.ttft_mean_ms, b.ttft_p95_ms, b.success_rate,"
    "  b.tokens_per_second, round(b.cost_per_1k_usd, 6), b.quality_score,"
    "  to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC', b.tokens_rate "
    "FROM baselines b JOIN models m ON m.id = b.model_id JOIN environments e ON e.id = b.environment_id "
    "WHERE b.active ORDER BY e.name, m.name";

/* Latency histogram of each active baseline's run (successful requests):
 * between 5 and 30 equal bins (about the square root of the samples) from
 * the fastest to the slowest request. */
static const char HIST_SQL[] =
    "WITH r AS ("
    "  SELECT b.id, p.total_ms FROM baselines b"
    "  JOIN probes p ON p.cycle_id = b.cycle_id AND p.model_id = b.model_id"
    "   AND p.environment_id = b.environment_id AND p.ok"
    "  WHERE b.active),"
    " lim AS ("
    "  SELECT id, min(total_ms) AS lo, max(total_ms) AS hi,"
    "    least(30, greatest(5, ceil(sqrt(count(*)))))::int AS n FROM r GROUP BY id),"
    " binned AS ("
    "  SELECT r.id, lim.lo, lim.hi, lim.n,"
    "    CASE WHEN lim.hi > lim.lo THEN least(width_bucket(r.total_ms, lim.lo, lim.hi, lim.n), lim.n)"
    "         ELSE 1 END AS bin"
    "  FROM r JOIN lim USING (id))"
    "SELECT id, bin, count(*),"
    "  CASE WHEN hi > lo THEN lo + (bin - 1) * (hi - lo) / n ELSE lo - 0.5 END,"
    "  CASE WHEN hi > lo THEN lo + bin * (hi - lo) / n ELSE lo + 0.5 END "
    "FROM binned GROUP BY id, bin, lo, hi, n ORDER BY id, bin";

/* HDF: names are code (literals and integers), values are data. */
static NEOERR *
hset(HDF *hdf, int i, const char *field, const char *value)
{
    char name[64];

    snprintf(name, sizeof(name), "Baselines.%d.%s", i, field);
    return hdf_set_value(hdf, name, value ? value : "");
}

static void
fmt_s(const PGresult *res, int r, int col, const char *prefix, char *buf, size_t size)
{
    if (lw_db_isnull(res, r, col))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%s%.2fs", prefix, lw_db_double(res, r, col) / 1000.0);
}

static NEOERR *
buf_output(void *ctx, char *s)
{
    if (lw_buf_puts(ctx, s) != LW_OK)
        return nerr_raise(NERR_NOMEM, "out of memory");
    return STATUS_OK;
}

static void
neo_error(lw_err *err, const char *what, NEOERR *e)
{
    STRING s;

    string_init(&s);
    nerr_error_string(e, &s);
    lw_err_set(err, "%s: %s", what, s.buf ? s.buf : "ClearSilver error");
    string_clear(&s);
    nerr_ignore(&e);
}

/* One row of ACTIVE_SQL and its chart into Baselines.i. */
static NEOERR *
fill_row(HDF *hdf, int i, const PGresult *res, int r, const PGresult *hist, lw_buf *svg)
{
    char a[64], title[320];
    lw_chart_bin bins[30];
    lw_chart_opts co;
    int64_t micros;
    size_t nb = 0;
    NEOERR *e;
    int h;

    e = hset(hdf, i, "model", lw_db_str(res, r, 1));
    if (e == STATUS_OK) e = hset(hdf, i, "environment", lw_db_str(res, r, 2));
    if (e == STATUS_OK) e = hset(hdf, i, "suite", lw_db_str(res, r, 3));
    if (e == STATUS_OK) e = hset(hdf, i, "iterations", lw_db_str(res, r, 4));
    if (e == STATUS_OK) e = hset(hdf, i, "samples", lw_db_str(res, r, 5));
    fmt_s(res, r, 6, "", a, sizeof(a));
    if (e == STATUS_OK) e = hset(hdf, i, "latency_mean", a);
    fmt_s(res, r, 7, "\xC2\xB1", a, sizeof(a));
    if (e == STATUS_OK) e = hset(hdf, i, "latency_stddev", a);
    fmt_s(res, r, 8, "", a, sizeof(a));
    if (e == STATUS_OK) e = hset(hdf, i, "latency_p95", a);
    lw_fmt_ms(lw_db_isnull(res, r, 9) ? NAN : lw_db_double(res, r, 9), a, sizeof(a));
    if (e == STATUS_OK) e = hset(hdf, i, "ttft_mean", a);
    lw_fmt_ms(lw_db_isnull(res, r, 10) ? NAN : lw_db_double(res, r, 10), a, sizeof(a));
    if (e == STATUS_OK) e = hset(hdf, i, "ttft_p95", a);
    snprintf(a, sizeof(a), "%.1f%%", lw_db_double(res, r, 11) * 100.0);
    if (e == STATUS_OK) e = hset(hdf, i, "success_rate", a);
    if (lw_db_isnull(res, r, 12))
        snprintf(a, sizeof(a), "-");
    else
        snprintf(a, sizeof(a), "%.1f", lw_db_double(res, r, 12));
    if (e == STATUS_OK) e = hset(hdf, i, "tokens_per_second", a);
    if (lw_db_isnull(res, r, 13) || lw_money_parse(lw_db_str(res, r, 13), &micros) != LW_OK
        || lw_money_format_fine(micros, a, sizeof(a)) != LW_OK)
        snprintf(a, sizeof(a), "-");
    if (e == STATUS_OK) e = hset(hdf, i, "cost_per_1k", a);
    if (lw_db_isnull(res, r, 14))
        snprintf(a, sizeof(a), "-");
    else
        snprintf(a, sizeof(a), "%.1f/100", lw_db_double(res, r, 14));
    if (e == STATUS_OK) e = hset(hdf, i, "quality", a);
    if (e == STATUS_OK) e = hset(hdf, i, "created", lw_db_str(res, r, 15));
    if (e == STATUS_OK) e = hset(hdf, i, "tokens_rate", lw_db_str(res, r, 16));
    if (e != STATUS_OK)
        return e;

    for (h = 0; h < PQntuples(hist) && nb < LW_ARRAY_LEN(bins); h++) {
        if (lw_db_int(hist, h, 0) != lw_db_int(res, r, 0))
            continue;
        bins[nb].count = lw_db_double(hist, h, 2);
        bins[nb].lo = lw_db_double(hist, h, 3);
        bins[nb].hi = lw_db_double(hist, h, 4);
        nb++;
    }
    snprintf(title, sizeof(title), "%s: total latency of successful requests",
             lw_db_str(res, r, 1) ? lw_db_str(res, r, 1) : "");
    memset(&co, 0, sizeof(co));
    co.title = title;
    co.unit = "ms";
    co.x_label = "total latency";
    co.y_label = "requests";
    co.width = 720;
    co.height = 260;
    lw_buf_reset(svg);
    if (lw_chart_histogram(svg, &co, bins, nb) != LW_OK)
        return nerr_raise(NERR_NOMEM, "out of memory");
    return hset(hdf, i, "chart", svg->data);
}

static int
render_report(const PGresult *res, const PGresult *hist, lw_buf *html, lw_err *err)
{
    HDF *hdf = NULL;
    CSPARSE *cs = NULL;
    NEOERR *e;
    lw_buf svg = { 0 }, path = { 0 };
    char now[64], count[16];
    time_t t = time(NULL);
    struct tm tm;
    int r, rc = LW_ERROR;

    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%d %H:%M UTC", &tm);
    snprintf(count, sizeof(count), "%d", PQntuples(res));
    if (lw_buf_printf(&path, "%s/templates/baseline_report.cs", lw_datadir()) != LW_OK) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    e = hdf_init(&hdf);
    /* before cs_init: every var: is HTML-escaped */
    if (e == STATUS_OK) e = hdf_set_value(hdf, "Config.VarEscapeMode", "html");
    if (e == STATUS_OK) e = hdf_set_value(hdf, "Standalone", "1");
    if (e == STATUS_OK) e = hdf_set_value(hdf, "Report.generated", now);
    if (e == STATUS_OK) e = hdf_set_value(hdf, "Report.count", count);
    for (r = 0; e == STATUS_OK && r < PQntuples(res); r++)
        e = fill_row(hdf, r, res, r, hist, &svg);
    if (e == STATUS_OK) e = cs_init(&cs, hdf);
    if (e == STATUS_OK) e = cgi_register_strfuncs(cs);
    if (e == STATUS_OK) e = cs_parse_file(cs, path.data);
    if (e == STATUS_OK) e = cs_render(cs, html, buf_output);
    if (e != STATUS_OK) {
        neo_error(err, path.data, e);
        goto cleanup;
    }
    rc = LW_OK;
cleanup:
    cs_destroy(&cs);
    hdf_destroy(&hdf);
    lw_buf_free(&svg);
    lw_buf_free(&path);
    return rc;
}

/* Writes data to path through a temporary file and a rename. */
static int
write_file(const char *path, const char *data, size_t len, lw_err *err)
{
    lw_buf tmp = { 0 };
    FILE *f;
    int rc = LW_EIO;

    if (lw_buf_printf(&tmp, "%s.tmp.%d", path, (int) getpid()) != LW_OK) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    f = fopen(tmp.data, "w");
    if (f == NULL) {
        lw_err_set(err, "%s: %s", tmp.data, strerror(errno));
        goto cleanup;
    }
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        lw_err_set(err, "%s: %s", tmp.data, strerror(errno));
        if (f != NULL)
            unlink(tmp.data);
        goto cleanup;
    }
    if (rename(tmp.data, path) != 0) {
        lw_err_set(err, "%s: %s", path, strerror(errno));
        unlink(tmp.data);
        goto cleanup;
    }
    rc = LW_OK;
cleanup:
    lw_buf_free(&tmp);
    return rc;
}

static int
cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output",   required_argument, NULL, 'o' },
        { "database", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 }
    };
    const char *output = "baseline_report.html", *url = NULL;
    PGresult *res = NULL, *hist = NULL;
    lw_buf html = { 0 };
    lw_db *db = NULL;
    lw_err err;
    int ch, rc = 1;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:d:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': output = optarg; break;
        case 'd': url = optarg; break;
        default:
            fprintf(stderr, "usage: llmwatch baseline report [--output FILE] [--database URL]\n");
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: llmwatch baseline report [--output FILE] [--database URL]\n");
        return 2;
    }
    db = lw_db_connect(lw_db_default_url(url), "llmwatch baseline", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch baseline report: %s\n", err.msg);
        goto cleanup;
    }
    res = lw_db_query(db, &err, ACTIVE_SQL, 0, NULL);
    if (res != NULL)
        hist = lw_db_query(db, &err, HIST_SQL, 0, NULL);
    if (res == NULL || hist == NULL) {
        fprintf(stderr, "llmwatch baseline report: %s\n", err.msg);
        goto cleanup;
    }
    if (render_report(res, hist, &html, &err) != LW_OK
        || write_file(output, html.data ? html.data : "", html.len, &err) != LW_OK) {
        fprintf(stderr, "llmwatch baseline report: %s\n", err.msg);
        goto cleanup;
    }
    printf("\xE2\x9C\x93 Baseline report written: %s (%d model%s)\n", output, PQntuples(res),
           PQntuples(res) == 1 ? "" : "s");
    rc = 0;
cleanup:
    PQclear(res);
    PQclear(hist);
    lw_buf_free(&html);
    lw_db_close(db);
    return rc;
}

int
lw_cmd_baseline(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0)
        return cmd_create(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    fprintf(stderr, "usage: llmwatch baseline create [--config FILE] [--iterations N] "
                    "[--test-suite NAME|FILE] [--model NAME]... [--database URL]\n"
                    "       llmwatch baseline report [--output FILE] [--database URL]\n");
    return 2;
}
