/* prices.h: the built-in list prices of well-known models. */
#ifndef LW_PRICES_H
#define LW_PRICES_H

#include <stdint.h>

/* Built-in price of a well-known model in micro-dollars per million tokens
 * (longest prefix match on dated names: "gpt-4o-2024-08-06" is gpt-4o).
 * Returns 0, LW_ENOTFOUND, or LW_ERROR when the table itself is bad. */
int lw_prices_builtin(const char *model, int64_t *input_micros, int64_t *output_micros);

#endif
