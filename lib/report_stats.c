/* report_stats.c: whether a weekday or an hour of the day stands out in a
 * model's latency: the two-sided Mann-Whitney U test of that group's
 * hourly mean latencies against all the model's other hours (ranks from
 * PostgreSQL, lib/db/reports.c), normal approximation with continuity
 * correction, Bonferroni-corrected for the 31 groups tested per model.
 * Rank-based, so the skew of latencies and a few slow hours do not make
 * a difference look significant. */
#include "report_impl.h"

#include <math.h>
#include <string.h>

/* 7 weekdays and 24 hours per model */
#define TESTS_PER_MODEL 31

void
lw_rp_mann_whitney(long long n1, long long n2, double rank_sum, double *z, double *p)
{
    double u, mu, sigma, d;

    *z = NAN;
    *p = NAN;
    if (n1 < 1 || n2 < 1)
        return;
    u = rank_sum - (double) n1 * (double) (n1 + 1) / 2.0;
    mu = (double) n1 * (double) n2 / 2.0;
    sigma = sqrt((double) n1 * (double) n2 * (double) (n1 + n2 + 1) / 12.0);
    d = u - mu;
    d = d > 0.5 ? d - 0.5 : d < -0.5 ? d + 0.5 : 0.0;
    *z = d / sigma;
    *p = erfc(fabs(*z) / sqrt(2.0));
}

int
lw_rp_tests(lw_rp *rp)
{
    const PGresult *g = rp->groups;
    int r, rows = PQntuples(g);
    size_t i;

    rp->tests = lw_pool_alloc(rp->pool, ((size_t) rows + 1) * sizeof(*rp->tests));
    if (rp->tests == NULL)
        return LW_ENOMEM;
    for (r = 0; r < rows; r++) {
        lw_rp_test *t = &rp->tests[rp->ntests];

        memset(t, 0, sizeof(*t));
        for (i = 0; i < rp->n; i++)
            if (rp->models[i].id == lw_db_int(g, r, 0))
                t->model = &rp->models[i];
        if (t->model == NULL || lw_db_isnull(g, r, 7))
            continue;
        t->weekday = strcmp(lw_db_str(g, r, 1), "weekday") == 0;
        t->k = (int) lw_db_int(g, r, 2);
        t->n = lw_db_int(g, r, 3);
        t->mean = lw_db_double(g, r, 4);
        t->rn = lw_db_int(g, r, 6);
        t->rmean = lw_db_double(g, r, 7);
        t->diff_pct = t->rmean > 0 ? 100.0 * (t->mean / t->rmean - 1.0) : NAN;
        lw_rp_mann_whitney(t->n, t->rn, lw_db_double(g, r, 5), &t->z, &t->p);
        t->p_adj = fmin(1.0, t->p * TESTS_PER_MODEL);
        /* a handful of hours proves nothing, whatever the p-value */
        t->significant = t->n >= 4 && t->rn >= 4 && t->p_adj < rp->q->thresholds.p_value
                         && fabs(t->diff_pct) >= rp->q->thresholds.latency_pct;
        rp->ntests++;
    }
    return LW_OK;
}
