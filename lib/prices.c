/* prices.c: the list prices of well-known models with the dates they took
 * effect, for models whose config gives none (costs are then recorded at
 * the list price of their time). */
#include "prices.h"

#include <stdio.h>
#include <string.h>

#include "lw.h"
#include "money.h"
#include "times.h"

/* $ per million tokens as exact decimal text, from a UTC day on; each
 * model's entries in date order. */
static const struct {
    const char *provider, *prefix, *effective, *input, *output;
} builtin_prices[] = {
    { "openai", "gpt-4", "2023-03-14", "30", "60" },
    { "openai", "gpt-4-turbo", "2023-11-06", "10", "30" },
    { "openai", "gpt-4o", "2024-05-13", "5", "15" },
    { "openai", "gpt-4o", "2024-10-02", "2.5", "10" },
    { "openai", "gpt-4o-mini", "2024-07-18", "0.15", "0.6" },
    { "openai", "gpt-3.5-turbo", "2023-06-13", "1.5", "2" },
    { "openai", "gpt-3.5-turbo", "2024-01-25", "0.5", "1.5" },
    { "anthropic", "claude-3-5-sonnet", "2024-06-20", "3", "15" },
    { "anthropic", "claude-3-5-haiku", "2024-11-04", "0.8", "4" },
    { "anthropic", "claude-3-opus", "2024-03-04", "15", "75" },
    { "anthropic", "claude-3-haiku", "2024-03-13", "0.25", "1.25" },
    { "google", "gemini-1.5-pro", "2024-05-14", "3.5", "10.5" },
    { "google", "gemini-1.5-pro", "2024-10-01", "1.25", "5" },
    { "google", "gemini-1.5-flash", "2024-05-14", "0.35", "1.05" },
    { "google", "gemini-1.5-flash", "2024-08-12", "0.075", "0.3" },
    { "google", "gemini-2.0-flash", "2025-02-05", "0.1", "0.4" },
};

/* The prefix the model's name matches best, or NULL. */
static const char *
best_prefix(const char *model)
{
    size_t i, n, best_len = 0;
    const char *best = NULL;

    if (model == NULL)
        return NULL;
    for (i = 0; i < LW_ARRAY_LEN(builtin_prices); i++) {
        n = strlen(builtin_prices[i].prefix);
        /* a prefix must end at a name boundary: "gpt-4" is not "gpt-4o" */
        if (strncmp(model, builtin_prices[i].prefix, n) == 0 &&
            (model[n] == '\0' || model[n] == '-' || model[n] == '@') && n > best_len) {
            best_len = n;
            best = builtin_prices[i].prefix;
        }
    }
    return best;
}

int
lw_prices_builtin_history(const char *model, lw_price *out, size_t max, size_t *n)
{
    const char *prefix = best_prefix(model);
    char day[40];
    size_t i;

    *n = 0;
    if (prefix == NULL)
        return LW_ENOTFOUND;
    for (i = 0; i < LW_ARRAY_LEN(builtin_prices); i++) {
        lw_price *p;

        if (strcmp(builtin_prices[i].prefix, prefix) != 0)
            continue;
        if (*n == max)
            return LW_ERROR;
        p = &out[(*n)++];
        p->provider = builtin_prices[i].provider;
        p->prefix = prefix;
        snprintf(day, sizeof(day), "%s 00:00:00", builtin_prices[i].effective);
        if (lw_time_parse(day, &p->effective) != LW_OK
            || lw_money_parse(builtin_prices[i].input, &p->input_micros) != LW_OK
            || lw_money_parse(builtin_prices[i].output, &p->output_micros) != LW_OK
            || (*n > 1 && p->effective <= out[*n - 2].effective))
            return LW_ERROR;
    }
    return LW_OK;
}

int
lw_prices_builtin_at(const char *model, time_t t, int64_t *input_micros, int64_t *output_micros)
{
    lw_price h[8];
    size_t n, i, pick = 0;
    int rc = lw_prices_builtin_history(model, h, LW_ARRAY_LEN(h), &n);

    if (rc != LW_OK)
        return rc;
    for (i = 0; i < n; i++)
        if (h[i].effective <= t)
            pick = i;
    *input_micros = h[pick].input_micros;
    *output_micros = h[pick].output_micros;
    return LW_OK;
}

int
lw_prices_builtin(const char *model, int64_t *input_micros, int64_t *output_micros)
{
    return lw_prices_builtin_at(model, time(NULL), input_micros, output_micros);
}
