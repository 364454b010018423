/* cmd_probe.c: `llmwatch probe`, one probe cycle by hand: every enabled
 * model (or the --model ones) x its suite x --iterations, stored, and one
 * line per model. Exit 0 when the cycle ran (whatever the models did), 1
 * when it could not run or be stored, 2 on a usage error. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "probe/probe.h"
#include "probe/cycle.h"

#define MAX_MODEL_ARGS 256

static int
usage(void)
{
    fprintf(stderr,
            "usage: llmwatch probe [--config FILE] [--suite NAME|FILE] [--model NAME]...\n"
            "                      [--iterations N] [--database URL] [--timing]\n");
    return 2;
}

/* Loads the config, printing its diagnostics; NULL when it has errors. */
static lw_config *
load_config(const char *path, const char *prog)
{
    lw_config *cfg = NULL;
    lw_diag diags;

    lw_diag_init(&diags);
    if (lw_config_load(path, &cfg, &diags) != LW_OK) {
        lw_diag_print(&diags, stderr);
        fprintf(stderr, "%s: %s has errors\n", prog, path);
        cfg = NULL;
    } else {
        lw_diag_print(&diags, stderr);   /* warnings */
    }
    lw_diag_free(&diags);
    return cfg;
}

static double
cpu_seconds(const struct rusage *ru)
{
    return (double) ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6
           + (double) ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

int
lw_cmd_probe(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config",     required_argument, NULL, 'c' },
        { "suite",      required_argument, NULL, 's' },
        { "model",      required_argument, NULL, 'm' },
        { "iterations", required_argument, NULL, 'n' },
        { "database",   required_argument, NULL, 'd' },
        { "timing",     no_argument,       NULL, 't' },
        { NULL, 0, NULL, 0 }
    };
    const char *config = NULL, *url = NULL, *models[MAX_MODEL_ARGS];
    lw_cycle_opts o;
    lw_config *cfg = NULL;
    lw_db *db = NULL;
    lw_cycle c;
    lw_err err;
    struct rusage ru;
    char line[1024], *end;
    int64_t t0 = lw_now_mono_us(), t_setup, t_sum;
    double ms_setup, ms_summary = 0;
    lw_err ignored;
    size_t i;
    long v;
    int ch, timing = 0, rc = 1, ran;

    memset(&o, 0, sizeof(o));
    memset(&c, 0, sizeof(c));
    o.kind = LW_CYCLE_PROBE;
    o.iterations = 1;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:s:m:n:d:t", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': config = optarg; break;
        case 's': o.default_suite = optarg; break;
        case 'd': url = optarg; break;
        case 't': timing = 1; break;
        case 'm':
            if (o.n_models == MAX_MODEL_ARGS) {
                fprintf(stderr, "llmwatch probe: at most %d --model options\n", MAX_MODEL_ARGS);
                return 2;
            }
            models[o.n_models++] = optarg;
            break;
        case 'n':
            v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 100000) {
                fprintf(stderr, "llmwatch probe: --iterations must be a number from 1 to 100000\n");
                return 2;
            }
            o.iterations = (int) v;
            break;
        default:
            return usage();
        }
    }
    if (optind != argc)
        return usage();
    if (o.n_models > 0)
        o.models = models;
    if (config == NULL)
        config = getenv("LLMWATCH_CONFIG") ? getenv("LLMWATCH_CONFIG") : "monitoring_config.yaml";

    cfg = load_config(config, "llmwatch probe");
    if (cfg == NULL)
        goto cleanup;
    /* a suite named on the command line must load: a typo there is a usage
     * mistake, not something to record as failed probes */
    if (o.default_suite != NULL) {
        lw_suite *suite = NULL;

        if (lw_suite_load(o.default_suite, &suite, &err) != LW_OK) {
            fprintf(stderr, "llmwatch probe: %s\n", err.msg);
            goto cleanup;
        }
        lw_suite_free(suite);
    }
    /* a hand-run probe uses the performance_checks schedule's suite and
     * timeout when the command line does not say */
    if (o.default_suite == NULL)
        o.default_suite = cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].suite;
    o.timeout_s = (int) cfg->jobs[LW_JOB_PERFORMANCE_CHECKS].timeout;
    db = lw_db_connect(lw_db_default_url(url), "llmwatch probe", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch probe: %s\n", err.msg);
        goto cleanup;
    }
    if (lw_cycle_begin(db, cfg, o.kind, o.default_suite, o.iterations, &c, &err) != LW_OK) {
        fprintf(stderr, "llmwatch probe: %s\n", err.msg);
        goto cleanup;
    }
    t_setup = lw_now_mono_us();
    ms_setup = (double) (t_setup - t0) / 1000.0;
    ran = lw_cycle_run(db, cfg, &o, &c, &err) == LW_OK;
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
    if (timing && getrusage(RUSAGE_SELF, &ru) == 0) {
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
    lw_db_close(db);
    lw_config_free(cfg);
    return rc;
}
