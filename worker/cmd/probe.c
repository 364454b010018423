/* probe.c: `llmwatch probe`, one probe cycle by hand: every enabled
 * model (or the --model ones) x its suite x --iterations, stored, and one
 * line per model. Exit 0 when the cycle ran (whatever the models did), 1
 * when it could not run or be stored, 2 on a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "probe/probe.h"
#include "probe/cycle.h"

int
lw_cmd_cycle_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    lw_cmd_cycle_args *o = ctx;
    char msg[64];

    switch (ch) {
    case 's':
        o->suite = arg;
        break;
    case 't':
        o->timing = 1;
        break;
    case 'm':
        if (o->cycle.n_models == LW_CMD_MAX_MODELS) {
            lw_cli_fail(cli, "at most %d --model options", LW_CMD_MAX_MODELS);
            return 2;
        }
        o->models[o->cycle.n_models++] = arg;
        break;
    default:
        snprintf(msg, sizeof(msg), "--iterations must be a number from 1 to %lld", o->max_iterations);
        if (lw_cli_int_opt(cli, arg, 1, o->max_iterations, &o->iterations, msg) != 0)
            return 2;
        break;
    }
    return 0;
}

static double
cpu_seconds(const struct rusage *ru)
{
    return (double) ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6
           + (double) ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

int
lw_cmd_probe(lw_cli *cli)
{
    static const char opts[] = "suite:s model:m iterations:n timing/t";
    lw_cmd_cycle_args po;
    lw_cycle_opts *op = &po.cycle;
    lw_config *cfg;
    lw_db *db;
    lw_cycle c;
    lw_err err;
    struct rusage ru;
    char line[1024];
    int64_t t0 = lw_now_mono_us(), t_setup, t_sum;
    double ms_setup, ms_summary = 0;
    lw_err ignored;
    size_t i;
    int rc, ran;

    memset(&po, 0, sizeof(po));
    memset(&c, 0, sizeof(c));
    op->kind = LW_CYCLE_PROBE;
    po.iterations = 1;
    po.max_iterations = 100000;
    if ((rc = lw_cli_parse(cli, opts, lw_cmd_cycle_opt, &po)) != LW_CLI_GO)
        return rc;
    op->iterations = (int) po.iterations;
    op->default_suite = po.suite;
    if (op->n_models > 0)
        op->models = po.models;
    if (lw_cli_config(cli) != LW_CLI_GO)
        return 1;
    cfg = cli->cfg;
    rc = 1;
    /* a suite named on the command line must load: a typo there is a usage
     * mistake, not something to record as failed probes */
    if (op->default_suite != NULL) {
        lw_suite *suite = NULL;

        if (lw_suite_load(op->default_suite, &suite, &err) != LW_OK) {
            fprintf(stderr, "llmwatch probe: %s\n", err.msg);
            goto cleanup;
        }
        lw_suite_free(suite);
    }
    /* a hand-run probe uses the performance_checks schedule's suite and
     * timeout when the command line does not say */
    if (op->default_suite == NULL)
        op->default_suite = cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].suite;
    op->timeout_s = (int) cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].timeout;
    if ((db = lw_cli_db(cli)) == NULL)
        goto cleanup;
    if (lw_cycle_begin(db, cfg, op->kind, op->default_suite, op->iterations, &c, &err) != LW_OK) {
        fprintf(stderr, "llmwatch probe: %s\n", err.msg);
        goto cleanup;
    }
    t_setup = lw_now_mono_us();
    ms_setup = (double) (t_setup - t0) / 1000.0;
    ran = lw_cycle_run(db, cfg, op, &c, &err) == LW_OK;
    t_sum = lw_now_mono_us();
    if (ran)
        ran = lw_cycle_summarize(db, &c, &err) == LW_OK;
    ms_summary = (double) (lw_now_mono_us() - t_sum) / 1000.0;
    if (!ran) {
        fprintf(stderr, "llmwatch probe: %s\n", err.msg);
        lw_cycle_end(db, &c, err.msg, &ignored);
        goto cleanup;
    }
    if (lw_cycle_end(db, &c, NULL, &err) != LW_OK)
        fprintf(stderr, "llmwatch probe: recording the end of cycle %lld: %s\n", c.cycle_id, err.msg);
    for (i = 0; i < c.n_models; i++) {
        lw_cycle_model_line(&c.models[i], line, sizeof(line));
        printf("%s\n", line);
    }
    printf("cycle %lld: %zu probe%s, %zu ok, %zu model%s\n", c.cycle_id, c.n_probes,
           c.n_probes == 1 ? "" : "s", c.n_ok, c.n_models, c.n_models == 1 ? "" : "s");
    rc = 0;
    if (po.timing && getrusage(RUSAGE_SELF, &ru) == 0) {
        double cpu = cpu_seconds(&ru);

        /* key=value, one line: scripts/bench.sh reads it */
        printf("timing: setup_ms=%.1f prepare_ms=%.1f engine_ms=%.1f write_ms=%.1f "
               "summary_ms=%.1f total_ms=%.1f probes=%zu cpu_s=%.3f cpu_ms_per_probe=%.3f "
               "maxrss_kb=%ld\n", ms_setup, c.ms_prepare, c.ms_engine, c.ms_write, ms_summary,
               (double) (lw_now_mono_us() - t0) / 1000.0, c.n_probes, cpu,
               c.n_probes ? cpu * 1000.0 / (double) c.n_probes : 0.0, ru.ru_maxrss);
    }
cleanup:
    fflush(stdout);
    lw_cycle_free(&c);
    return rc;
}
