/* fmt.c: formatting for people (see fmt.h), one home for every figure the
 * web pages, the CLI, mail and reports print. */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

static int
put(char *buf, size_t size, const char *fmt, ...) LW_PRINTF(3, 4);

static int
put(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (buf == NULL || size == 0)
        return LW_EINVAL;
    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t) n >= size ? LW_EINVAL : LW_OK;
}

int
lw_fmt_duration(int64_t seconds, char *buf, size_t size)
{
    static const struct { int64_t secs; const char *unit; } units[] = {
        { 86400, "d" }, { 3600, "h" }, { 60, "m" }, { 1, "s" },
    };
    uint64_t a = seconds < 0 ? (uint64_t) 0 - (uint64_t) seconds : (uint64_t) seconds;
    uint64_t hi, lo;
    size_t i;

    for (i = 0; i + 1 < LW_ARRAY_LEN(units); i++)
        if (a >= (uint64_t) units[i].secs)
            break;
    hi = a / (uint64_t) units[i].secs;
    if (i + 1 == LW_ARRAY_LEN(units))
        return put(buf, size, "%llus", (unsigned long long) hi);
    lo = a % (uint64_t) units[i].secs / (uint64_t) units[i + 1].secs;
    if (lo == 0)
        return put(buf, size, "%llu%s", (unsigned long long) hi, units[i].unit);
    return put(buf, size, "%llu%s %llu%s", (unsigned long long) hi, units[i].unit,
               (unsigned long long) lo, units[i + 1].unit);
}

int
lw_fmt_ms(double ms, char *buf, size_t size)
{
    long long s;

    if (!isfinite(ms) || ms < 0)
        return put(buf, size, "-");
    if (ms < 9.95)
        return put(buf, size, "%.1f ms", ms);
    if (ms < 999.5)
        return put(buf, size, "%.0f ms", ms);
    if (ms < 59995)
        return put(buf, size, "%.2f s", ms / 1000.0);
    s = llround(ms / 1000.0);
    return put(buf, size, "%lldm %02llds", s / 60, s % 60);
}

int
lw_fmt_percent(double ratio, char *buf, size_t size)
{
    double pct;

    if (isnan(ratio))
        return put(buf, size, "-");
    if (ratio == 1.0)
        return put(buf, size, "100%%");
    if (ratio == 0.0)
        return put(buf, size, "0%%");
    /* tenths of a percent, kept off 0 and 100 unless exact */
    pct = round(ratio * 1000.0) / 10.0;
    if (ratio < 1.0 && ratio > 0.0) {
        if (pct >= 100.0)
            pct = 99.9;
        if (pct <= 0.0)
            pct = 0.1;
    }
    return put(buf, size, "%.1f%%", pct);
}

int
lw_fmt_count(long long n, char *buf, size_t size)
{
    char digits[32];
    unsigned long long a = n < 0 ? 0ULL - (unsigned long long) n : (unsigned long long) n;
    size_t len, i, o = 0;

    snprintf(digits, sizeof(digits), "%llu", a);
    len = strlen(digits);
    if (buf == NULL || size < len + len / 3 + 2)
        return LW_EINVAL;
    if (n < 0)
        buf[o++] = '-';
    for (i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return LW_OK;
}

int
lw_fmt_time(time_t t, char *buf, size_t size)
{
    struct tm tm;

    if (buf == NULL || size == 0 || gmtime_r(&t, &tm) == NULL)
        return LW_EINVAL;
    return strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0 ? LW_EINVAL : LW_OK;
}

int
lw_fmt_dollars(int64_t pico, char *buf, size_t size)
{
    const int64_t per_tenth_milli = INT64_C(100000000);   /* 10^-4 $ in pico */
    uint64_t a = pico < 0 ? (uint64_t) 0 - (uint64_t) pico : (uint64_t) pico, units;

    if (a >= (uint64_t) LW_PICOS_PER_DOLLAR || a == 0)
        return lw_money_format(lw_pico_to_micros(pico), buf, size);
    units = a / (uint64_t) per_tenth_milli + (a % (uint64_t) per_tenth_milli >= (uint64_t) per_tenth_milli / 2);
    if (units >= 10000)   /* rounds up to a whole dollar */
        return lw_money_format(lw_pico_to_micros(pico), buf, size);
    if (units == 0)       /* not free, just small: never show $0.0000 */
        return put(buf, size, "%s<$0.0001", pico < 0 ? "-" : "");
    return put(buf, size, "%s$0.%04llu", pico < 0 && units > 0 ? "-" : "",
               (unsigned long long) units);
}

int
lw_fmt_next_run(const lw_sched *s, time_t now, time_t *next, char *buf, size_t size)
{
    static const char *const days[] = { "Sunday", "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday" };
    char in[32], when[32];
    struct tm tm;

    if (lw_sched_next(s, now, next) != LW_OK)
        return LW_ENOTFOUND;
    lw_fmt_duration((int64_t) (*next - now), in, sizeof(in));
    gmtime_r(next, &tm);
    switch (s->kind) {
    case LW_SCHED_DAILY:
        return put(buf, size, "at %02d:%02d UTC (in %s)", tm.tm_hour, tm.tm_min, in);
    case LW_SCHED_WEEKLY:
        return put(buf, size, "on %s %02d:%02d UTC (in %s)", days[tm.tm_wday], tm.tm_hour,
                   tm.tm_min, in);
    case LW_SCHED_MONTHLY:
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
        return put(buf, size, "on %s UTC (in %s)", when, in);
    default:
        return put(buf, size, "in %s", in);
    }
}

/* ---- tables ---- */

struct lw_fmt_table {
    size_t ncols, nrows, cap;
    char **cells;          /* (nrows + 1) * ncols, row 0 = headers */
    char *align;
};

static size_t
utf8_width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        if (((unsigned char) *s & 0xC0) != 0x80)
            w++;
    return w;
}

static int
add_row(lw_fmt_table *t, const char *const *cells)
{
    size_t i, need = (t->nrows + 1) * t->ncols;
    char **v;

    if (need > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : t->ncols * 16;

        while (cap < need)
            cap *= 2;
        v = realloc(t->cells, cap * sizeof(*v));
        if (v == NULL)
            return LW_ENOMEM;
        t->cells = v;
        t->cap = cap;
    }
    for (i = 0; i < t->ncols; i++) {
        t->cells[t->nrows * t->ncols + i] = strdup(cells[i] ? cells[i] : "");
        if (t->cells[t->nrows * t->ncols + i] == NULL) {
            while (i-- > 0)
                free(t->cells[t->nrows * t->ncols + i]);
            return LW_ENOMEM;
        }
    }
    t->nrows++;
    return LW_OK;
}

lw_fmt_table *
lw_fmt_table_new(size_t ncols, const char *const *headers, const char *align)
{
    lw_fmt_table *t;
    size_t i;

    if (ncols == 0)
        return NULL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->ncols = ncols;
    t->align = calloc(ncols + 1, 1);
    if (t->align == NULL || add_row(t, headers) != LW_OK) {
        lw_fmt_table_free(t);
        return NULL;
    }
    for (i = 0; i < ncols; i++)
        t->align[i] = align != NULL && i < strlen(align) && align[i] == 'r' ? 'r' : 'l';
    return t;
}

int
lw_fmt_table_add(lw_fmt_table *t, const char *const *cells)
{
    return add_row(t, cells);
}

int
lw_fmt_table_render(const lw_fmt_table *t, lw_buf *out)
{
    size_t *width, r, c, w, total = 0, last;
    const char *cell;
    int rc = LW_ENOMEM;

    width = calloc(t->ncols, sizeof(*width));
    if (width == NULL)
        return LW_ENOMEM;
    for (r = 0; r < t->nrows; r++)
        for (c = 0; c < t->ncols; c++) {
            w = utf8_width(t->cells[r * t->ncols + c]);
            if (w > width[c])
                width[c] = w;
        }
    for (c = 0; c < t->ncols; c++)
        total += width[c] + (c > 0 ? 2 : 0);
    for (r = 0; r < t->nrows; r++) {
        size_t start = out->len;

        for (c = 0; c < t->ncols; c++) {
            cell = t->cells[r * t->ncols + c];
            w = utf8_width(cell);
            if (c > 0 && lw_buf_puts(out, "  ") != LW_OK)
                goto cleanup;
            if (t->align[c] == 'r')
                for (; w < width[c]; w++)
                    if (lw_buf_putc(out, ' ') != LW_OK)
                        goto cleanup;
            if (lw_buf_puts(out, cell) != LW_OK)
                goto cleanup;
            if (t->align[c] == 'l')
                for (; w < width[c]; w++)
                    if (lw_buf_putc(out, ' ') != LW_OK)
                        goto cleanup;
        }
        /* no trailing spaces */
        last = out->len;
        while (last > start && out->data[last - 1] == ' ')
            last--;
        out->len = last;
        out->data[last] = '\0';
        if (lw_buf_putc(out, '\n') != LW_OK)
            goto cleanup;
        if (r == 0) {
            for (w = 0; w < total; w++)
                if (lw_buf_putc(out, '-') != LW_OK)
                    goto cleanup;
            if (lw_buf_putc(out, '\n') != LW_OK)
                goto cleanup;
        }
    }
    rc = LW_OK;
cleanup:
    free(width);
    return rc;
}

void
lw_fmt_table_free(lw_fmt_table *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->align);
    free(t);
}

int
lw_fmt_csv_field(lw_buf *out, const char *s)
{
    const char *p;

    if (s == NULL)
        return LW_OK;
    if (strpbrk(s, ",\"\r\n") == NULL)
        return lw_buf_puts(out, s);
    if (lw_buf_putc(out, '"') != LW_OK)
        return LW_ENOMEM;
    for (p = s; *p; p++) {
        if (*p == '"' && lw_buf_putc(out, '"') != LW_OK)
            return LW_ENOMEM;
        if (lw_buf_putc(out, *p) != LW_OK)
            return LW_ENOMEM;
    }
    return lw_buf_putc(out, '"');
}
