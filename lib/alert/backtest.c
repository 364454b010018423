/* backtest.c: what `evaluate` would have done over past data: the same
 * samples (fetch.c), decisions (decide.c) and state machine (alert.c),
 * replayed at every step of a range. */
#include "alert/backtest.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    long long      model_id, environment_id;
    lw_alert_track t;
    long           open;        /* index of the open firing in out->v, -1 */
} series;

int
lw_backtest_samples(const lw_rule *rule, const lw_rule_samples *s,
                    const lw_rule_tuning *tune, lw_backtest *out)
{
    series *sv = NULL, *x;
    size_t ns = 0, i, j, cap = 0, cap_f = 0;
    time_t last_at = (time_t) -1;
    lw_rule_decision d;
    lw_transition tr;
    lw_backtest_firing *f;
    int rc = LW_OK;

    memset(out, 0, sizeof(*out));
    out->pool = lw_pool_create();
    if (out->pool == NULL)
        return LW_ENOMEM;
    for (i = 0; i < s->n; i++) {
        const lw_rule_sample *smp = &s->v[i];

        if (smp->at != last_at) {
            out->evaluations++;
            last_at = smp->at;
        }
        x = NULL;
        for (j = 0; j < ns; j++)
            if (sv[j].model_id == smp->model_id && sv[j].environment_id == smp->environment_id)
                x = &sv[j];
        if (x == NULL) {
            if (ns == cap) {
                size_t nc = cap ? cap * 2 : 8;
                series *nv = realloc(sv, nc * sizeof(*nv));

                if (nv == NULL) {
                    rc = LW_ENOMEM;
                    goto cleanup;
                }
                sv = nv;
                cap = nc;
            }
            x = &sv[ns++];
            memset(x, 0, sizeof(*x));
            x->model_id = smp->model_id;
            x->environment_id = smp->environment_id;
            x->open = -1;
        }
        lw_rule_decide(rule, smp, tune, &d);
        out->samples++;
        if (d.state == LW_DECIDE_NODATA)
            out->nodata++;
        tr = lw_alert_step(rule, &x->t, d.state, smp->at);
        if (tr == LW_TR_FIRING) {
            if (out->n == cap_f) {
                size_t nc = cap_f ? cap_f * 2 : 16;
                lw_backtest_firing *nv = realloc(out->v, nc * sizeof(*nv));

                if (nv == NULL) {
                    rc = LW_ENOMEM;
                    goto cleanup;
                }
                out->v = nv;
                cap_f = nc;
            }
            f = &out->v[out->n];
            memset(f, 0, sizeof(*f));
            f->model_id = smp->model_id;
            f->environment_id = smp->environment_id;
            f->model = lw_pool_strdup(out->pool, smp->model);
            f->environment = lw_pool_strdup(out->pool, smp->environment);
            f->fired_at = smp->at;
            f->value = d.value;
            f->threshold = d.threshold;
            f->unit = d.unit;
            lw_strlcpy(f->summary, d.summary, sizeof(f->summary));
            x->open = (long) out->n;
            out->n++;
            out->fired++;
        } else if (tr == LW_TR_RESOLVED && x->open >= 0) {
            out->v[x->open].resolved_at = smp->at;
            x->open = -1;
        }
    }
cleanup:
    free(sv);
    return rc;
}

int
lw_backtest_rule(lw_db *db, lw_err *err, const lw_rule *rule, time_t from, time_t to,
                 int64_t step, lw_backtest *out)
{
    lw_rule_samples s = { 0 };
    time_t *at = NULL, t;
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (step <= 0 || to < from) {
        lw_err_set(err, "backtest needs from <= to and a positive step");
        return LW_EINVAL;
    }
    if ((to - from) / step > 200000) {
        lw_err_set(err, "backtest of more than 200000 steps: use a larger step");
        return LW_EINVAL;
    }
    at = malloc((size_t) ((to - from) / step + 1) * sizeof(*at));
    if (at == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    for (t = from; t <= to; t += step)
        at[n++] = t;
    rc = lw_rule_fetch(db, err, rule, at, n, &s);
    if (rc == LW_OK) {
        rc = lw_backtest_samples(rule, &s, NULL, out);
        if (rc != LW_OK)
            lw_err_set(err, "out of memory");
    }
    free(at);
    lw_rule_samples_free(&s);
    return rc;
}

void
lw_backtest_free(lw_backtest *b)
{
    if (b == NULL)
        return;
    free(b->v);
    lw_pool_destroy(b->pool);
    memset(b, 0, sizeof(*b));
}
