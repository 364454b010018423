/* measure.h: the measures rule expressions compare, over a window of
 * probes of one model and environment (their units are in expr.h): names
 * and aliases, which way is worse, how a value is shown. */
#ifndef LW_ALERT_MEASURE_H
#define LW_ALERT_MEASURE_H

#include <stddef.h>

/* Measures over a window of probes of one model and environment. The
 * numbering is stable (used in bitmasks); LW_M_COUNT ends the list. */
typedef enum {
    LW_M_AVG_LATENCY,
    LW_M_P50_LATENCY,
    LW_M_P95_LATENCY,
    LW_M_P99_LATENCY,
    LW_M_TTFT,
    LW_M_P95_TTFT,
    LW_M_ERROR_RATE,
    LW_M_SUCCESS_RATE,
    LW_M_TOKENS_PER_SECOND,
    LW_M_COST_PER_1K,
    LW_M_DAILY_COST,
    LW_M_QUALITY_SCORE,
    LW_M_REQUEST_COUNT,
    LW_M_REFUSAL_RATE,      /* refusals among the answers (ok probes) */
    LW_M_BLOCKED_RATE,      /* blocked prompts among the answers */
    LW_M_REASONING_TOKENS,  /* reasoning tokens per answer, where reported */
    LW_M_STALL_RATE,        /* answers with a gap of LW_STALL_GAP_MS or more */
    LW_M_VERSION_CHANGES,   /* model version changes in the window */
    LW_M_COUNT,
    LW_M_NONE = -1,
    LW_M_RULE_METRIC = -2   /* baseline of "the rule's metric" */
} lw_measure;

/* A stall: this long (ms) or longer without output inside a stream
 * (probes.max_gap_ms); stall_rate counts the answers that had one. */
#define LW_STALL_GAP_MS 2000

/* Every measure name, canonical ones (in lw_measure order) then aliases,
 * into out[0..max) (static strings); returns how many there are (may
 * exceed max; out may be NULL when max is 0). */
size_t lw_measure_names(const char **out, size_t max);
/* Canonical name ("avg_latency"); NULL for out-of-range values. Static. */
const char *lw_measure_name(lw_measure m);
/* Measure for a name or alias ("latency", "avg_ttft"); LW_M_NONE if unknown. */
lw_measure lw_measure_parse(const char *name);
/* 1 for measures where lower is worse (success_rate, tokens_per_second,
 * quality_score): forecasts of them look for a fall, not a rise. */
int lw_measure_lower_is_worse(lw_measure m);
/* 1 for measures with a value per probe (so usable as a statistical
 * metric): everything but cost_per_1k, daily_cost, request_count and
 * version_changes. */
int lw_measure_per_probe(lw_measure m);
/* "3.41 s", "52.0%", "$12.34", "47.3 tok/s", "92.4", "120", "180 tokens"
 * (a value of the measure formatted with its unit); "no data" for NaN.
 * Returns buf. */
const char *lw_measure_format(lw_measure m, double v, char *buf, size_t size);

#endif
