/* money.c: exact decimal parsing and formatting of money (micro-dollars)
 * and per-request costs (pico-dollars); no floating point anywhere. */
#include "money.h"

#include "lw.h"

#include <stdio.h>
#include <string.h>

int
lw_money_parse_scaled(const char *s, int scale, int64_t *out)
{
    const char *p = s;
    int64_t whole = 0, frac = 0, v;
    int neg = 0, ndigits = 0, nfrac = 0, d;

    if (s == NULL || out == NULL || scale < 0 || scale > 9)
        return LW_EINVAL;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++, ndigits++) {
        d = *p - '0';
        if (__builtin_mul_overflow(whole, 10, &whole) ||
            __builtin_add_overflow(whole, d, &whole))
            return LW_EINVAL;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, ndigits++) {
            d = *p - '0';
            if (nfrac < scale) {
                frac = frac * 10 + d;
                nfrac++;
            } else if (d != 0) {
                return LW_EINVAL; /* finer than the unit: never round money */
            }
        }
    }
    if (*p != '\0' || ndigits == 0)
        return LW_EINVAL;
    for (; nfrac < scale; nfrac++)
        frac *= 10;
    for (d = 0; d < scale; d++)
        if (__builtin_mul_overflow(whole, 10, &whole))
            return LW_EINVAL;
    if (__builtin_add_overflow(whole, frac, &v))
        return LW_EINVAL;
    *out = neg ? -v : v;
    return LW_OK;
}

int
lw_money_parse(const char *decimal, int64_t *micros)
{
    return lw_money_parse_scaled(decimal, 6, micros);
}

/* Writes sign, "$", whole dollars with thousands separators, then `ndec`
 * decimals of `frac` (already scaled to ndec digits). */
static int
format_dollars(int neg, uint64_t whole, uint64_t frac, int ndec, char *buf,
               size_t size)
{
    char digits[32], out[64];
    size_t n, i, o = 0;

    n = (size_t) snprintf(digits, sizeof(digits), "%llu", (unsigned long long) whole);
    if (neg)
        out[o++] = '-';
    out[o++] = '$';
    for (i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    if (ndec > 0)
        o += (size_t) snprintf(out + o, sizeof(out) - o, ".%0*llu", ndec,
                               (unsigned long long) frac);
    out[o] = '\0';
    if (o + 1 > size)
        return LW_EINVAL;
    memcpy(buf, out, o + 1);
    return LW_OK;
}

static uint64_t
abs_u64(int64_t v)
{
    return v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
}

int
lw_money_format(int64_t micros, char *buf, size_t size)
{
    uint64_t a = abs_u64(micros), cents;

    if (buf == NULL)
        return LW_EINVAL;
    cents = a / 10000 + (a % 10000 >= 5000);
    return format_dollars(micros < 0 && cents > 0, cents / 100, cents % 100, 2,
                          buf, size);
}

int
lw_money_format_fine(int64_t micros, char *buf, size_t size)
{
    uint64_t a = abs_u64(micros), frac = a % 1000000;
    int ndec = 6;

    if (buf == NULL)
        return LW_EINVAL;
    while (ndec > 2 && frac % 10 == 0) {
        frac /= 10;
        ndec--;
    }
    return format_dollars(micros < 0, a / 1000000, frac, ndec, buf, size);
}

static int
to_decimal(int64_t v, uint64_t unit, int ndec, char *buf, size_t size)
{
    uint64_t a = abs_u64(v);
    int n;

    if (buf == NULL)
        return LW_EINVAL;
    n = snprintf(buf, size, "%s%llu.%0*llu", v < 0 ? "-" : "",
                 (unsigned long long) (a / unit), ndec,
                 (unsigned long long) (a % unit));
    return n < 0 || (size_t) n >= size ? LW_EINVAL : LW_OK;
}

int
lw_micros_to_decimal(int64_t micros, char *buf, size_t size)
{
    return to_decimal(micros, (uint64_t) LW_MICROS_PER_DOLLAR, 6, buf, size);
}

int
lw_pico_to_decimal(int64_t pico, char *buf, size_t size)
{
    return to_decimal(pico, (uint64_t) LW_PICOS_PER_DOLLAR, 12, buf, size);
}

int64_t
lw_cost_pico(int64_t tokens, int64_t price_micros_per_mtok)
{
    int64_t r;

    /* micro-dollars per 10^6 tokens is exactly pico-dollars per token */
    if (tokens < 0 || price_micros_per_mtok < 0 ||
        __builtin_mul_overflow(tokens, price_micros_per_mtok, &r))
        return -1;
    return r;
}

int64_t
lw_pico_to_micros(int64_t pico)
{
    uint64_t a = abs_u64(pico), m = a / 1000000 + (a % 1000000 >= 500000);

    return pico < 0 ? -(int64_t) m : (int64_t) m;
}
