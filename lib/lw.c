/* lw.c: error context, logging, buffers, pools and small helpers shared by
 * every llmwatch binary. */
#include "lw.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "llmwatch";
static int log_min = LW_LOG_INFO;

void
lw_err_set(lw_err *e, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

void
lw_err_clear(lw_err *e)
{
    if (e != NULL)
        e->msg[0] = '\0';
}

void
lw_log_init(const char *prog, int min_level)
{
    log_prog = prog;
    log_min = min_level;
}

int
lw_log_level_parse(const char *s)
{
    static const char *names[] = { "debug", "info", "warn", "error" };
    size_t i;

    for (i = 0; s != NULL && i < LW_ARRAY_LEN(names); i++)
        if (strcasecmp(s, names[i]) == 0)
            return (int) i;
    return -1;
}

void
lw_log(int level, const char *fmt, ...)
{
    static const char *tags[] = { "debug", "info", "warn", "error" };
    char line[2048];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    int n;

    if (level < log_min)
        return;
    if (level < 0 || level > LW_LOG_ERROR)
        level = LW_LOG_ERROR;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d] %s: ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_prog,
                 (int) getpid(), tags[level]);
    va_start(ap, fmt);
    if (n > 0 && (size_t) n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t) n, fmt, ap);
    va_end(ap);
    /* one write per line so concurrent threads do not interleave */
    n = (int) strlen(line);
    if (n > 0 && line[n - 1] != '\n' && (size_t) n + 1 < sizeof(line)) {
        line[n++] = '\n';
        line[n] = '\0';
    }
    if (write(STDERR_FILENO, line, (size_t) n) < 0) {
        /* nowhere left to report */
    }
}

static int
buf_grow(lw_buf *b, size_t need)
{
    size_t cap;
    char *p;

    if (b->len + need + 1 <= b->cap)
        return LW_OK;
    cap = b->cap ? b->cap : 256;
    while (cap < b->len + need + 1)
        cap *= 2;
    p = realloc(b->data, cap);
    if (p == NULL)
        return LW_ENOMEM;
    b->data = p;
    b->cap = cap;
    return LW_OK;
}

int
lw_buf_append(lw_buf *b, const char *s, size_t n)
{
    if (buf_grow(b, n) != LW_OK)
        return LW_ENOMEM;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return LW_OK;
}

int
lw_buf_puts(lw_buf *b, const char *s)
{
    return lw_buf_append(b, s, strlen(s));
}

int
lw_buf_putc(lw_buf *b, char c)
{
    return lw_buf_append(b, &c, 1);
}

int
lw_buf_vprintf(lw_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return LW_EINVAL;
    if (buf_grow(b, (size_t) n) != LW_OK)
        return LW_ENOMEM;
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    b->len += (size_t) n;
    return LW_OK;
}

int
lw_buf_printf(lw_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = lw_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void
lw_buf_reset(lw_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void
lw_buf_free(lw_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *
lw_buf_steal(lw_buf *b)
{
    char *p = b->data;

    if (p == NULL)
        p = lw_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

int
lw_file_read(const char *path, size_t max, lw_buf *out, lw_err *err)
{
    char chunk[16384];
    size_t n;
    FILE *f = fopen(path, "rb");
    int rc = LW_OK, e;

    if (f == NULL) {
        e = errno;      /* before anything else can change it */
        lw_err_set(err, "%s: %s", path, strerror(e));
        return e == ENOENT ? LW_ENOTFOUND : LW_EIO;
    }
    while (rc == LW_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (out->len + n > max) {
            lw_err_set(err, "%s: larger than %zu bytes", path, max);
            rc = LW_EINVAL;
        } else if (lw_buf_append(out, chunk, n) != LW_OK) {
            rc = LW_ENOMEM;
        }
    }
    if (rc == LW_OK && ferror(f)) {
        lw_err_set(err, "%s: %s", path, strerror(errno));
        rc = LW_EIO;
    }
    fclose(f);
    if (rc == LW_OK && out->data == NULL)
        rc = lw_buf_puts(out, "");
    if (rc == LW_ENOMEM)
        lw_err_set(err, "out of memory");
    return rc;
}

/* Pool: a list of blocks plus a list of cleanup hooks. */
struct pool_block {
    struct pool_block *next;
    size_t used, size;
    max_align_t data[];
};

struct pool_cleanup {
    struct pool_cleanup *next;
    void (*fn)(void *);
    void *data;
};

struct lw_pool {
    struct pool_block *blocks;
    struct pool_cleanup *cleanups;
};

#define POOL_BLOCK 8192

lw_pool *
lw_pool_create(void)
{
    return calloc(1, sizeof(lw_pool));
}

void
lw_pool_destroy(lw_pool *p)
{
    struct pool_block *b, *bn;
    struct pool_cleanup *c, *cn;

    if (p == NULL)
        return;
    for (c = p->cleanups; c; c = cn) {
        cn = c->next;
        c->fn(c->data);
    }
    for (b = p->blocks; b; b = bn) {
        bn = b->next;
        free(b);
    }
    free(p);
}

void *
lw_pool_alloc(lw_pool *p, size_t n)
{
    struct pool_block *b;
    size_t size, align = sizeof(max_align_t);
    void *r;

    n = (n + align - 1) & ~(align - 1);
    if (n == 0)
        n = align;
    b = p->blocks;
    if (b == NULL || b->size - b->used < n) {
        size = n > POOL_BLOCK ? n : POOL_BLOCK;
        b = malloc(sizeof(*b) + size);
        if (b == NULL)
            return NULL;
        b->used = 0;
        b->size = size;
        /* a large one-off allocation goes behind the current block so the
         * current block's free space is not wasted */
        if (n > POOL_BLOCK && p->blocks != NULL) {
            b->next = p->blocks->next;
            p->blocks->next = b;
        } else {
            b->next = p->blocks;
            p->blocks = b;
        }
    }
    r = (char *) b->data + b->used;
    b->used += n;
    memset(r, 0, n);
    return r;
}

char *
lw_pool_strndup(lw_pool *p, const char *s, size_t n)
{
    char *r;

    if (s == NULL)
        return NULL;
    r = lw_pool_alloc(p, n + 1);
    if (r == NULL)
        return NULL;
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

char *
lw_pool_strdup(lw_pool *p, const char *s)
{
    return s ? lw_pool_strndup(p, s, strlen(s)) : NULL;
}

char *
lw_pool_printf(lw_pool *p, const char *fmt, ...)
{
    va_list ap, cp;
    char *r;
    int n;

    va_start(ap, fmt);
    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || (r = lw_pool_alloc(p, (size_t) n + 1)) == NULL) {
        va_end(ap);
        return NULL;
    }
    vsnprintf(r, (size_t) n + 1, fmt, ap);
    va_end(ap);
    return r;
}

int
lw_pool_cleanup_add(lw_pool *p, void (*fn)(void *), void *data)
{
    struct pool_cleanup *c = lw_pool_alloc(p, sizeof(*c));

    if (c == NULL)
        return LW_ENOMEM;
    c->fn = fn;
    c->data = data;
    c->next = p->cleanups;
    p->cleanups = c;
    return LW_OK;
}

const char *
lw_datadir(void)
{
    const char *d = getenv("LLMWATCH_DATADIR");

#ifndef LW_DATADIR
#define LW_DATADIR "."
#endif
    return (d != NULL && d[0] != '\0') ? d : LW_DATADIR;
}

int
lw_streq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

char *
lw_strdup(const char *s)
{
    char *r = strdup(s ? s : "");

    if (r == NULL) {
        lw_log(LW_LOG_ERROR, "out of memory");
        abort();
    }
    return r;
}

void
lw_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n;

    if (size == 0)
        return;
    n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int64_t
clock_us(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
lw_now_mono_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

int64_t
lw_now_wall_us(void)
{
    return clock_us(CLOCK_REALTIME);
}

int
lw_poll_until(struct pollfd *pf, size_t n, int64_t deadline_us)
{
    int left, k;

    for (;;) {
        left = (int) ((deadline_us - lw_now_mono_us()) / 1000);
        if (left <= 0)
            return LW_ETIMEDOUT;
        k = poll(pf, (nfds_t) n, left);
        if (k > 0)
            return LW_OK;
        if (k < 0 && errno != EINTR)
            return LW_EIO;
    }
}

int
lw_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    ssize_t r;

    while (n > 0) {
        r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return LW_EIO;
        }
        p += r;
        n -= (size_t) r;
    }
    return LW_OK;
}

int
lw_random_hex(char *out, size_t nbytes)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[128];
    size_t i;

    if (nbytes > sizeof(raw) || lw_random_bytes(raw, nbytes) != LW_OK)
        return LW_EIO;
    for (i = 0; i < nbytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return LW_OK;
}

int
lw_env_name_ok(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || isdigit((unsigned char) s[0]))
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char) s[i]) && s[i] != '_')
            return 0;
    return 1;
}

int
lw_env_expand(const char *s, lw_buf *out, lw_buf *missing, int empty_is_unset, lw_err *err)
{
    const char *p = s, *end, *name, *def;
    size_t nlen;
    char var[256];
    const char *val;

    while (*p) {
        if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
            lw_buf_puts(out, "${");
            p += 3;
            continue;
        }
        if (p[0] != '$' || p[1] != '{') {
            lw_buf_putc(out, *p++);
            continue;
        }
        name = p + 2;
        end = strchr(name, '}');
        if (end == NULL) {
            lw_err_set(err, "unterminated '${' (expected '${VAR}' or '${VAR:-default}')");
            return LW_EINVAL;
        }
        nlen = strcspn(name, ":}");
        def = NULL;
        if (name[nlen] == ':') {
            if (name[nlen + 1] != '-') {
                lw_err_set(err, "bad variable reference '%.*s' (expected '${VAR}' or "
                           "'${VAR:-default}')", (int) (end - p + 1), p);
                return LW_EINVAL;
            }
            def = name + nlen + 2;
        }
        if (!lw_env_name_ok(name, nlen) || nlen >= sizeof(var)) {
            lw_err_set(err, "bad variable name in '%.*s'", (int) (end - p + 1), p);
            return LW_EINVAL;
        }
        memcpy(var, name, nlen);
        var[nlen] = '\0';
        val = getenv(var);
        if (val != NULL && val[0] != '\0') {
            lw_buf_puts(out, val);
        } else if (def != NULL) {
            lw_buf_append(out, def, (size_t) (end - def));
        } else if (missing != NULL && (val == NULL || empty_is_unset)) {
            if (missing->len)
                lw_buf_puts(missing, ", ");
            lw_buf_puts(missing, var);
        }
        p = end + 1;
    }
    if (out->data == NULL && lw_buf_puts(out, "") != LW_OK)
        return LW_ENOMEM;
    return LW_OK;
}

size_t
lw_utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0], v;
    size_t len, i;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF))
        || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

int
lw_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *) s;
    unsigned cp;
    size_t k;

    while (n > 0) {
        if ((k = lw_utf8_seq(p, n, &cp)) == 0)
            return 0;
        p += k;
        n -= k;
    }
    return 1;
}

int
lw_parse_uint(const char *s, size_t n, int64_t max, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    if (n == 0 || n > 18)
        return LW_EINVAL;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char) s[i]))
            return LW_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max)
        return LW_EINVAL;
    *out = v;
    return LW_OK;
}

int
lw_putf(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*off >= size)
        return LW_EINVAL;
    va_start(ap, fmt);
    n = vsnprintf(buf + *off, size - *off, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t) n >= size - *off)
        return LW_EINVAL;
    *off += (size_t) n;
    return LW_OK;
}

int
lw_parse_bytes(const char *s, int64_t *out)
{
    static const char units[] = "kmgt";
    const char *p;
    char *end;
    unsigned long long v;
    int shift = 0;

    if (s == NULL || *s < '0' || *s > '9')
        return LW_EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0)
        return LW_EINVAL;
    while (*end == ' ')
        end++;
    if (*end != '\0') {
        p = strchr(units, tolower((unsigned char) *end));
        if (p == NULL)
            return LW_EINVAL;
        shift = 10 * (int) (p - units + 1);
        end++;
        if (*end == 'i' || *end == 'I')
            end++;
        if (*end == 'b' || *end == 'B')
            end++;
    }
    if (*end != '\0' || v > (unsigned long long) INT64_MAX >> shift)
        return LW_EINVAL;
    *out = (int64_t) (v << shift);
    return LW_OK;
}
