/* cycle_impl.h: what cycle.c and cycle_rows.c share about the models of
 * one probe round (private to worker/probe). */
#ifndef LW_PROBE_CYCLE_IMPL_H
#define LW_PROBE_CYCLE_IMPL_H

#include "lw.h"
#include "config.h"
#include "probe/probe.h"

#define MSG_MAX 300                 /* bytes of error_message stored */

/* A model of this round: what it runs, or why it cannot. */
struct sel {
    const lw_config_model *m;
    long long  model_id, env_id;
    lw_suite  *suite;              /* borrowed from the suite cache; NULL on config error */
    const char *suite_name;        /* what the rows record */
    const char *key;               /* API key (getenv, borrowed), NULL = none */
    char       cfg_err[256];       /* non-empty: rows with error_class 'config' */
};

/* One COPY row into b (columns in lw_db_cycle_store's order): r NULL for
 * a configuration error (no request was made). LW_OK or LW_ENOMEM. */
int lw_cycle_copy_row(lw_buf *b, const char *ts, const struct sel *s, long long cycle,
                      const char *case_id, const lw_probe_result *r);

/* The model versions (system fingerprints, model names) the answers of
 * this round named, as JSON for lw_db_cycle_store; NULL when none (or out
 * of memory). Caller frees. */
char *lw_cycle_versions_json(const struct sel *sel, size_t n_sel, const lw_probe_job *jobs,
                             const size_t *job_sel, size_t n_jobs, const char *at);

#endif
