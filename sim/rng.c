/* rng.c: the simulator's deterministic random numbers (PCG32, one stream
 * per request derived from the seed and the request's sequence number) and
 * the latency distributions drawn from them. */
#include "sim.h"

#include <math.h>

static uint64_t
splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void
lw_sim_rng_seed(lw_sim_rng *r, uint64_t seed, uint64_t stream)
{
    r->state = 0;
    r->inc = (splitmix64(stream) << 1) | 1;
    (void) lw_sim_rng_u32(r);
    r->state += splitmix64(seed ^ splitmix64(stream + 0x51ed270b27a3f1c5ULL));
    (void) lw_sim_rng_u32(r);
}

uint32_t
lw_sim_rng_u32(lw_sim_rng *r)
{
    uint64_t old = r->state;
    uint32_t xorshifted, rot;

    r->state = old * 6364136223846793005ULL + r->inc;
    xorshifted = (uint32_t) (((old >> 18u) ^ old) >> 27u);
    rot = (uint32_t) (old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

double
lw_sim_rng_unit(lw_sim_rng *r)
{
    uint64_t x = ((uint64_t) lw_sim_rng_u32(r) << 32) | lw_sim_rng_u32(r);

    return (double) (x >> 11) * 0x1.0p-53;
}

long
lw_sim_rng_range(lw_sim_rng *r, long lo, long hi)
{
    if (hi <= lo)
        return lo;
    return lo + (long) (lw_sim_rng_unit(r) * (double) (hi - lo + 1));
}

double
lw_sim_rng_normal(lw_sim_rng *r)
{
    double u1 = 1.0 - lw_sim_rng_unit(r);   /* (0, 1] */
    double u2 = lw_sim_rng_unit(r);

    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double
lw_sim_dist_sample(const lw_sim_dist *d, lw_sim_rng *r)
{
    double v, s2;

    switch (d->kind) {
    case LW_SIM_DIST_NORMAL:
        v = d->mean + d->stddev * lw_sim_rng_normal(r);
        break;
    case LW_SIM_DIST_LOGNORMAL:
        /* mean and stddev describe the values themselves, not their log */
        if (d->mean <= 0) {
            v = 0;
            break;
        }
        s2 = log(1.0 + (d->stddev * d->stddev) / (d->mean * d->mean));
        v = exp(log(d->mean) - s2 / 2.0 + sqrt(s2) * lw_sim_rng_normal(r));
        break;
    case LW_SIM_DIST_UNIFORM:
        v = d->min + (d->max - d->min) * lw_sim_rng_unit(r);
        break;
    default:
        v = d->mean;
    }
    if (d->has_min && v < d->min)
        v = d->min;
    if (d->has_max && v > d->max)
        v = d->max;
    return v < 0 ? 0 : v;
}
