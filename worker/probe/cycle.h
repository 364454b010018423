/* cycle.h: one probe cycle, the unit behind `llmwatch probe`, the
 * performance_checks and full_benchmark jobs and each round of `llmwatch
 * baseline create`: every enabled model of the configuration x the cases of
 * its suite x N iterations, run concurrently by ONE lw_probe_run call,
 * written in ONE transaction (COPY), then summarised per model in SQL. */
#ifndef LW_PROBE_CYCLE_H
#define LW_PROBE_CYCLE_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "db/db.h"
#include "jobs.h"

typedef enum {
    LW_CYCLE_PROBE,            /* "probe" */
    LW_CYCLE_FULL_BENCHMARK,   /* "full_benchmark" */
    LW_CYCLE_BASELINE          /* "baseline" */
} lw_cycle_kind;

typedef struct {
    lw_cycle_kind kind;
    /* Suite per model: `suite` when set (forced on every model: full
     * benchmark, baseline), else the model's own `suite`, else
     * `default_suite`, else cfg->probe_suite. A bare name or a path. */
    const char *suite;
    const char *default_suite;
    const char *const *models;   /* only these model names; NULL = every enabled one */
    size_t      n_models;
    int         iterations;      /* requests per model and case; >= 1 */
    int         timeout_s;       /* request timeout when the model sets none (the
                                  * job's schedule timeout); 0 = 60 s */
    int         scheduled;       /* a job of the scheduler (lw_cycle_once syncs the
                                  * configuration first); else a run by hand */
    time_t      slot;            /* the scheduler's slot (with `scheduled`): the hosts
                                  * share its models through leases (lease.h);
                                  * 0 = this process probes them all */
} lw_cycle_opts;

/* One model's figures over a cycle's rows, computed in SQL. Doubles are NaN
 * when there is nothing to compute them from. */
typedef struct {
    const char *name;            /* the model's name in the config (borrowed) */
    long long   model_id, environment_id;
    long        n, ok;
    double      ttft_p50_ms, total_p50_ms;
    double      decode_tps;      /* mean of the ok rows' decode rates */
    double      e2e_tps;         /* sum(output) / sum(total), ok rows */
    double      quality;         /* mean score of the scored rows */
    int64_t     cost_micros;     /* sum of the rows' cost, rounded to micro-dollars */
    char        errors[256];     /* "http_5xx 2, timeout 1" ("" when none) */
    char        first_error[160];/* one message of the most frequent class */
} lw_cycle_model;

typedef struct {
    long long       cycle_id;
    int             adhoc;         /* run by hand: probe_cycles.adhoc */
    char            since[40];     /* rows of the cycle are not older: its start less an
                                    * hour of clock slack ("YYYY-MM-DD HH:MM:SS.ffffff+00") */
    size_t          n_probes, n_ok;
    lw_cycle_model *models;        /* in config order; caller frees with lw_cycle_free */
    size_t          n_models;
    /* wall milliseconds of the parts of the last lw_cycle_run */
    double          ms_prepare, ms_engine, ms_write;
} lw_cycle;

/* Records a new cycle run by hand (probe_cycles row, status running, ad
 * hoc): `llmwatch probe`, `baseline create`. The configuration is never
 * synced from here: a run with another file must not change what the
 * running instance monitors (models of cfg the database does not know are
 * recorded disabled, as source 'adhoc', when the round needs their ids);
 * cfg is not read here, the rounds take it. iterations is what is
 * recorded. *out is zeroed first; free it with lw_cycle_free. */
int lw_cycle_begin(lw_db *db, const lw_config *cfg, lw_cycle_kind kind, const char *suite,
                   int iterations, lw_cycle *out, lw_err *err);

/* Runs one round: builds the jobs (a model whose API key variable is unset
 * or whose suite cannot be loaded gets rows with error_class 'config'
 * instead of requests), runs them all concurrently, and writes every row in
 * one transaction under c->cycle_id. A failed request is a row, not an
 * error: errors are about not being able to run or store at all. */
int lw_cycle_run(lw_db *db, const lw_config *cfg, const lw_cycle_opts *o, lw_cycle *c,
                 lw_err *err);

/* The ids of these models by (environment, name), in one query: ids[i]
 * and envs[i] (envs may be NULL) get model i's, 0 when the database does
 * not know it. LW_OK, LW_EDB or LW_ENOMEM. */
int lw_cycle_model_ids(lw_db *db, const lw_config_model *const *models, size_t n,
                       long long *ids, long long *envs, lw_err *err);

/* Per-model figures over every row of the cycle so far (into c->models). */
int lw_cycle_summarize(lw_db *db, lw_cycle *c, lw_err *err);

/* Marks the cycle finished: status ok, or failed with `error`. */
int lw_cycle_end(lw_db *db, lw_cycle *c, const char *error, lw_err *err);

void lw_cycle_free(lw_cycle *c);

/* begin + run + summarize + end of one cycle; with o->scheduled (the jobs
 * below) the configuration is synced first, the cycle is not ad hoc, and
 * the alert rules over the models it measured are evaluated right after
 * it committed (at the next whole second). */
int lw_cycle_once(lw_db *db, const lw_config *cfg, const lw_cycle_opts *o, lw_cycle *c,
                  lw_err *err);

/* "gpt-4: 4/4 ok, TTFT p50 612 ms, total p50 1.85 s, 45.1 tok/s decode,
 * quality 95.0, cost $0.0123" (no newline) into buf. */
void lw_cycle_model_line(const lw_cycle_model *m, char *buf, size_t size);

/* A summary object for job_runs.details:
 * {"cycle_id":..,"probes":..,"ok":..,"engine_ms":..,"models":{"name":{"n":..,"ok":..}}}. */
int lw_cycle_details_json(const lw_cycle *c, lw_buf *out);

/* The scheduled jobs (performance_checks: the configured probe suite;
 * full_benchmark: the comprehensive suite), for the job table in jobs.c. */
int lw_job_probe(lw_job_ctx *ctx);
int lw_job_full_benchmark(lw_job_ctx *ctx);

#endif
