/* prices.h: the built-in list prices of well-known models, per provider
 * and model, each with the date it took effect (a price change is a new
 * entry, never an edit of an old one: costs recorded before it keep the
 * price of their time). */
#ifndef LW_PRICES_H
#define LW_PRICES_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* One entry: from `effective` (UTC midnight of that day) on, a model whose
 * id starts with `prefix` (at a name boundary) costs input/output
 * micro-dollars per million tokens. */
typedef struct {
    const char *provider;        /* "openai", "anthropic", "google" */
    const char *prefix;          /* "gpt-4o" */
    time_t      effective;
    int64_t     input_micros, output_micros;
} lw_price;

/* The built-in price of a well-known model in effect now, in micro-dollars
 * per million tokens (longest prefix match on dated names:
 * "gpt-4o-2024-08-06" is gpt-4o). Returns 0, LW_ENOTFOUND, or LW_ERROR
 * when the table itself is bad. */
int lw_prices_builtin(const char *model, int64_t *input_micros, int64_t *output_micros);

/* The same at time t: the latest entry in effect then, or the first entry
 * for a time before every entry. */
int lw_prices_builtin_at(const char *model, time_t t, int64_t *input_micros,
                         int64_t *output_micros);

/* Every entry of the model's price history, oldest first, into out (at
 * most max); *n gets how many. Returns 0, LW_ENOTFOUND (unknown model) or
 * LW_ERROR (bad table). Strings are static. */
int lw_prices_builtin_history(const char *model, lw_price *out, size_t max, size_t *n);

#endif
