/* measure.c: the measures rule expressions compare (names, aliases, which
 * way is worse, how a value is shown). */
#include "alert/measure.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lw.h"

static const char *const measure_names[LW_M_COUNT] = {
    "avg_latency", "p50_latency", "p95_latency", "p99_latency", "ttft", "p95_ttft",
    "error_rate", "success_rate", "tokens_per_second", "cost_per_1k", "daily_cost",
    "quality_score", "request_count", "refusal_rate", "blocked_rate", "reasoning_tokens",
    "stall_rate", "version_changes",
};

static const struct {
    const char *name;
    lw_measure  m;
} measure_aliases[] = {
    { "latency", LW_M_AVG_LATENCY },
    { "avg_ttft", LW_M_TTFT },
};

size_t
lw_measure_names(const char **out, size_t max)
{
    size_t n = 0, i;

    for (i = 0; i < LW_M_COUNT; i++, n++)
        if (n < max)
            out[n] = measure_names[i];
    for (i = 0; i < LW_ARRAY_LEN(measure_aliases); i++, n++)
        if (n < max)
            out[n] = measure_aliases[i].name;
    return n;
}

const char *
lw_measure_name(lw_measure m)
{
    if ((int) m < 0 || m >= LW_M_COUNT)
        return NULL;
    return measure_names[m];
}

lw_measure
lw_measure_parse(const char *name)
{
    size_t i;

    if (name == NULL)
        return LW_M_NONE;
    for (i = 0; i < LW_M_COUNT; i++)
        if (strcmp(name, measure_names[i]) == 0)
            return (lw_measure) i;
    for (i = 0; i < LW_ARRAY_LEN(measure_aliases); i++)
        if (strcmp(name, measure_aliases[i].name) == 0)
            return measure_aliases[i].m;
    return LW_M_NONE;
}

int
lw_measure_lower_is_worse(lw_measure m)
{
    return m == LW_M_SUCCESS_RATE || m == LW_M_TOKENS_PER_SECOND || m == LW_M_QUALITY_SCORE;
}

int
lw_measure_per_probe(lw_measure m)
{
    return (int) m >= 0 && m < LW_M_COUNT && m != LW_M_COST_PER_1K && m != LW_M_DAILY_COST
           && m != LW_M_REQUEST_COUNT && m != LW_M_VERSION_CHANGES;
}

const char *
lw_measure_format(lw_measure m, double v, char *buf, size_t size)
{
    /* each measure's unit; rates are fractions shown as percentages */
    static const struct {
        const char *fmt;
        double      scale;
    } units[LW_M_COUNT] = {
        [LW_M_AVG_LATENCY] = { "%.2f s", 1 }, [LW_M_P50_LATENCY] = { "%.2f s", 1 },
        [LW_M_P95_LATENCY] = { "%.2f s", 1 }, [LW_M_P99_LATENCY] = { "%.2f s", 1 },
        [LW_M_TTFT] = { "%.2f s", 1 }, [LW_M_P95_TTFT] = { "%.2f s", 1 },
        [LW_M_ERROR_RATE] = { "%.1f%%", 100 }, [LW_M_SUCCESS_RATE] = { "%.1f%%", 100 },
        [LW_M_TOKENS_PER_SECOND] = { "%.1f tok/s", 1 }, [LW_M_COST_PER_1K] = { "$%.4f", 1 },
        [LW_M_DAILY_COST] = { "$%.2f", 1 }, [LW_M_QUALITY_SCORE] = { "%.1f", 1 },
        [LW_M_REQUEST_COUNT] = { "%.0f", 1 }, [LW_M_REFUSAL_RATE] = { "%.1f%%", 100 },
        [LW_M_BLOCKED_RATE] = { "%.1f%%", 100 }, [LW_M_REASONING_TOKENS] = { "%.0f tokens", 1 },
        [LW_M_STALL_RATE] = { "%.1f%%", 100 }, [LW_M_VERSION_CHANGES] = { "%.0f", 1 },
    };

    if (isnan(v))
        snprintf(buf, size, "no data");
    else if ((int) m >= 0 && m < LW_M_COUNT)
        snprintf(buf, size, units[m].fmt, v * units[m].scale);
    else
        snprintf(buf, size, "%.4g", v);
    return buf;
}
