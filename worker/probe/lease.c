/* lease.c: worker host names and joining the shared slots (see lease.h). */
#include "probe/lease.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/cycle.h"
#include "db/lease.h"
#include "probe/probe.h"

const char *
lw_lease_host(void)
{
    static char name[256];
    const char *env;

    if (name[0] != '\0')
        return name;
    env = getenv("LLMWATCH_HOST");
    if (env != NULL && env[0] != '\0')
        lw_strlcpy(name, env, sizeof(name));
    else if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0')
        lw_strlcpy(name, "unknown", sizeof(name));
    return name;
}

int
lw_lease_shared(const char *job)
{
    return job != NULL && (strcmp(job, "probe") == 0 || strcmp(job, "full_benchmark") == 0);
}

int
lw_lease_join(lw_db *db, lw_err *err, const char *job, time_t *slot)
{
    if (!lw_lease_shared(job))
        return 0;
    return lw_db_lease_poll(db, err, job, lw_lease_host(), (int) getpid(), slot);
}

/* ---- the rounds of a shared slot ---- */

/* The models of this slot with their ids: the configuration's enabled
 * models (or o->models), those the database knows (lw_cycle_once syncs
 * the configuration first) in ids as an int[] literal. */
static int
leased_models(lw_db *db, const lw_config *cfg, const lw_cycle_opts *o,
              const lw_config_model **ms, long long *ids, size_t *n, lw_buf *lit, lw_err *err)
{
    size_t i, j, k;
    int rc;

    *n = 0;
    for (i = 0; i < cfg->n_models; i++) {
        const lw_config_model *m = &cfg->models[i];
        int want = o->models == NULL ? m->enabled : 0;

        for (j = 0; o->models != NULL && j < o->n_models; j++)
            want |= strcmp(o->models[j], m->name) == 0;
        if (want)
            ms[(*n)++] = m;
    }
    if ((rc = lw_cycle_model_ids(db, ms, *n, ids, NULL, err)) != LW_OK)
        return rc;
    lw_buf_putc(lit, '{');
    for (i = 0, k = 0; i < *n; i++)
        if (ids[i] != 0)
            lw_buf_printf(lit, "%s%lld", k++ ? "," : "", ids[i]);
    if (lw_buf_putc(lit, '}') != LW_OK) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    return LW_OK;
}

/* The longest one round may take for any of these models: its requests
 * in waves of max_concurrency, each wave up to the request timeout. */
static int
round_bound_s(const lw_config *cfg, const lw_cycle_opts *o, const lw_config_model *const *ms,
              size_t n)
{
    const char *names[64];
    size_t cases[64], n_names = 0, i, j;
    long long waves, t, worst = 0;
    lw_suite *s;
    lw_err err;

    for (i = 0; i < n; i++) {
        const lw_config_model *m = ms[i];
        const char *want = o->suite ? o->suite : m->suite ? m->suite
                           : o->default_suite ? o->default_suite : cfg->probe_suite;
        size_t nc = 1;

        for (j = 0; j < n_names && strcmp(names[j], want) != 0; j++)
            ;
        if (j < n_names) {
            nc = cases[j];
        } else {
            if (lw_suite_load(want, &s, &err) == LW_OK) {
                nc = s->n_cases > 0 ? s->n_cases : 1;
                lw_suite_free(s);
            }
            if (n_names < LW_ARRAY_LEN(names)) {
                names[n_names] = want;
                cases[n_names++] = nc;
            }
        }
        t = m->timeout > 0 ? m->timeout : o->timeout_s > 0 ? o->timeout_s : 60;
        waves = ((long long) nc * (o->iterations > 0 ? o->iterations : 1)
                 + m->max_concurrency - 1) / (m->max_concurrency > 0 ? m->max_concurrency : 1);
        if (waves * t > worst)
            worst = waves * t;
    }
    return worst > 86400 ? 86400 : (int) worst;
}

/* Waits a moment after a failed statement, while the database may be
 * coming back (a restart, a standby being promoted): 0 while the
 * deadline is not passed, else the error stands. */
static int
db_wait(int64_t *deadline_us, int limit_s)
{
    if (*deadline_us == 0)
        *deadline_us = lw_now_mono_us() + (int64_t) limit_s * 1000000;
    if (lw_now_mono_us() > *deadline_us)
        return -1;
    sleep(1);
    return 0;
}

int
lw_lease_rounds(lw_db *db, const lw_config *cfg, const lw_cycle_opts *o, lw_cycle *c,
                lw_err *err)
{
    const char *job = o->kind == LW_CYCLE_FULL_BENCHMARK ? "full_benchmark" : "probe";
    const char *host = lw_lease_host();
    const lw_config_model **ms = NULL;
    long long *mids = NULL;
    const char **names = NULL;
    lw_cycle_opts round;
    PGresult *res = NULL;
    lw_buf ids = { 0 };
    int64_t down_since = 0;
    size_t n = 0, i, k;
    long long open;
    int rc = LW_ENOMEM, ttl, margin = 30, r, rounds = 0;

    ms = calloc(cfg->n_models ? cfg->n_models : 1, sizeof(*ms));
    mids = calloc(cfg->n_models ? cfg->n_models : 1, sizeof(*mids));
    names = calloc(cfg->n_models ? cfg->n_models : 1, sizeof(*names));
    if (ms == NULL || mids == NULL || names == NULL) {
        lw_err_set(err, "out of memory");
        goto cleanup;
    }
    if ((rc = leased_models(db, cfg, o, ms, mids, &n, &ids, err)) != LW_OK)
        goto cleanup;
    if (n == 0) {
        lw_err_set(err, "no enabled model to probe");
        rc = LW_ENOTFOUND;
        goto cleanup;
    }
    rc = LW_EDB;
    if (lw_db_lease_margin(db, err, &margin) != LW_OK)
        goto cleanup;
    ttl = round_bound_s(cfg, o, ms, n) + margin;
    if (lw_db_lease_cycle_tag(db, err, c->cycle_id, host, o->slot) != LW_OK
        || lw_db_lease_offer(db, err, job, o->slot, ids.data) != LW_OK)
        goto cleanup;

    for (;;) {
        res = lw_db_lease_claim(db, err, job, o->slot, host, c->cycle_id, ids.data, ttl);
        if (res == NULL) {
            if (db_wait(&down_since, ttl) != 0)
                goto cleanup;
            continue;
        }
        down_since = 0;
        if (PQntuples(res) == 0) {
            PQclear(res);
            res = NULL;
            /* what others hold ends (done) or expires (taken over here) */
            open = lw_db_lease_open(db, err, job, o->slot, ids.data);
            if (open < 0 && db_wait(&down_since, ttl) != 0)
                goto cleanup;
            if (open == 0)
                break;
            usleep(500 * 1000);
            continue;
        }
        for (r = 0, k = 0; r < PQntuples(res); r++)
            for (i = 0; i < n; i++)
                if (mids[i] == lw_db_int(res, r, 0))
                    names[k++] = ms[i]->name;
        PQclear(res);
        res = NULL;
        round = *o;
        round.models = names;
        round.n_models = k;
        rounds++;
        lw_log(LW_LOG_INFO, "%s slot: host %s probes %zu of %zu models (round %d)", job, host, k, n,
               rounds);
        if (lw_cycle_run(db, cfg, &round, c, err) != LW_OK) {
            lw_log(LW_LOG_WARN, "%s slot: round %d: %s", job, rounds, err->msg);
            /* what this round still holds may be claimed again at once */
            if (lw_db_lease_release(db, err, c->cycle_id) < 0
                || strstr(err->msg, "probe lease lost") == NULL)
                goto cleanup;
        }
    }
    if (lw_db_lease_complete(db, err, job, o->slot, host) < 0)
        goto cleanup;
    rc = LW_OK;
cleanup:
    if (rc != LW_OK && rc != LW_ENOTFOUND)
        lw_db_lease_release(db, NULL, c->cycle_id);
    PQclear(res);
    lw_buf_free(&ids);
    free(names);
    free(mids);
    free(ms);
    return rc;
}
