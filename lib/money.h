/* money.h: money is never a float. Amounts are int64 micro-dollars in C
 * (numeric in SQL); per-request costs are exact int64 pico-dollars. */
#ifndef LW_MONEY_H
#define LW_MONEY_H

#include <stddef.h>
#include <stdint.h>

#define LW_MICROS_PER_DOLLAR INT64_C(1000000)
#define LW_PICOS_PER_DOLLAR  INT64_C(1000000000000)

/* Parses a plain decimal ("30", "2.50", "0.075", "-1.5", ".5") into an
 * integer scaled by 10^scale (scale 0..9): lw_money_parse_scaled("2.5", 3, &v)
 * gives 2500. No exponent, no spaces, no thousands separators; digits past
 * `scale` are accepted only when they are zeros (never rounded).
 * Returns 0, or LW_EINVAL on junk, too many decimals or overflow. */
int lw_money_parse_scaled(const char *s, int scale, int64_t *out);

/* Exact dollars to micro-dollars: "2.50" -> 2500000, at most 6 decimals. */
int lw_money_parse(const char *decimal, int64_t *micros);

/* "$1,234.56" (rounded half away from zero to the cent; "-$0.50" when
 * negative). Returns 0, or LW_EINVAL when buf is too small. */
int lw_money_format(int64_t micros, char *buf, size_t size);

/* Like lw_money_format but keeps every significant micro-dollar digit, at
 * least 2 decimals: 4500 -> "$0.0045", 30000 -> "$0.03", 15000 -> "$0.015".
 * For prices and small per-request costs. */
int lw_money_format_fine(int64_t micros, char *buf, size_t size);

/* Micro-dollars as a plain SQL numeric literal: 2500000 -> "2.500000". */
int lw_micros_to_decimal(int64_t micros, char *buf, size_t size);

/* Exact cost of `tokens` tokens at `price_micros_per_mtok` micro-dollars per
 * million tokens, in pico-dollars (10^-12 $): tokens * price, no rounding.
 * Returns -1 when an argument is negative or the product overflows int64
 * (about $9.2 million: far beyond one request). */
int64_t lw_cost_pico(int64_t tokens, int64_t price_micros_per_mtok);

/* Pico-dollars as a plain SQL numeric literal with 12 decimals:
 * 4500000 -> "0.000004500000". Returns 0 or LW_EINVAL (buf too small). */
int lw_pico_to_decimal(int64_t pico, char *buf, size_t size);

/* Pico-dollars rounded half away from zero to micro-dollars. */
int64_t lw_pico_to_micros(int64_t pico);

#endif
