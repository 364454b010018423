/* lw.h: definitions every llmwatch module shares: error codes and context,
 * logging, growable buffers and memory pools. */
#ifndef LW_H
#define LW_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define LW_OK          0
#define LW_ERROR      -1   /* generic failure, message in lw_err */
#define LW_ENOMEM     -2
#define LW_EINVAL     -3   /* bad input */
#define LW_ENOTFOUND  -4
#define LW_EDB        -5   /* database error or unreachable */
#define LW_EIO        -6
#define LW_EPERM      -7
#define LW_ETIMEDOUT  -8
#define LW_ECONFLICT  -9   /* unique violation, concurrent change */

#define LW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LW_UNUSED __attribute__((unused))

/* Error context: a function that fails leaves a human message here. */
typedef struct {
    char msg[1024];
} lw_err;

void lw_err_set(lw_err *e, const char *fmt, ...) LW_PRINTF(2, 3);
void lw_err_clear(lw_err *e);

/* Logging to stderr (journald under systemd). Never log a secret. */
enum { LW_LOG_DEBUG, LW_LOG_INFO, LW_LOG_WARN, LW_LOG_ERROR };
void lw_log(int level, const char *fmt, ...) LW_PRINTF(2, 3);
void lw_log_init(const char *prog, int min_level);
int  lw_log_level_parse(const char *s); /* "debug".."error", -1 if unknown */

/* Growable NUL-terminated buffer. Zero-initialise; lw_buf_free releases. */
typedef struct {
    char   *data;
    size_t  len;
    size_t  cap;
} lw_buf;

int  lw_buf_append(lw_buf *b, const char *s, size_t n);
int  lw_buf_puts(lw_buf *b, const char *s);
int  lw_buf_putc(lw_buf *b, char c);
int  lw_buf_printf(lw_buf *b, const char *fmt, ...) LW_PRINTF(2, 3);
int  lw_buf_vprintf(lw_buf *b, const char *fmt, va_list ap);
void lw_buf_reset(lw_buf *b);
void lw_buf_free(lw_buf *b);
/* Hands the data to the caller (caller frees); the buffer is left empty. */
char *lw_buf_steal(lw_buf *b);
/* Appends the whole file at path to out (out->data is then never NULL):
 * LW_OK; LW_ENOTFOUND (no such file) or LW_EIO with "PATH: reason" in err;
 * LW_EINVAL when out would hold more than max bytes; LW_ENOMEM. What was
 * appended before an error stays in out, for the caller to free. */
int lw_file_read(const char *path, size_t max, lw_buf *out, lw_err *err);

/* Memory pool: everything allocated for one request or one job, freed at
 * once; cleanup hooks release foreign resources (PGresult, json objects). */
typedef struct lw_pool lw_pool;

lw_pool *lw_pool_create(void);                      /* caller destroys */
void     lw_pool_destroy(lw_pool *p);
void    *lw_pool_alloc(lw_pool *p, size_t n);       /* zeroed, pool-owned */
char    *lw_pool_strdup(lw_pool *p, const char *s); /* NULL stays NULL */
char    *lw_pool_strndup(lw_pool *p, const char *s, size_t n);
char    *lw_pool_printf(lw_pool *p, const char *fmt, ...) LW_PRINTF(2, 3);
int      lw_pool_cleanup_add(lw_pool *p, void (*fn)(void *), void *data);

/* Where templates/, static/, sql/ and worker/suites/ live: $LLMWATCH_DATADIR,
 * else the compile-time LW_DATADIR. Borrowed. */
const char *lw_datadir(void);

/* 1 when s[0..n) is a valid environment variable name. */
int lw_env_name_ok(const char *s, size_t n);
/* Expands ${VAR} and ${VAR:-default} from the environment ("$${" is a
 * literal "${"). A variable that is unset (or, with empty_is_unset, empty)
 * and has no default expands to nothing and its name is appended to
 * `missing` (", "-separated; may be NULL). Returns 0, or LW_EINVAL with a
 * message naming the bad reference (never a value). The config loader and
 * the notify worker (secrets at send time) share it. */
int lw_env_expand(const char *s, lw_buf *out, lw_buf *missing, int empty_is_unset, lw_err *err);

/* A list of strings: n entries, none NULL. Who owns them is said where a
 * list is handed out. */
typedef struct {
    const char **v;
    size_t n;
} lw_strlist;

/* Small helpers. */
int  lw_streq(const char *a, const char *b);        /* NULL-safe */
char *lw_strdup(const char *s);                     /* caller frees; aborts on OOM */
void lw_strlcpy(char *dst, const char *src, size_t size);
/* The non-negative decimal integer that is all of s[0..n) (digits only,
 * at most 18), when it is <= max. LW_OK or LW_EINVAL. */
int  lw_parse_uint(const char *s, size_t n, int64_t max, int64_t *out);
/* Formats at buf + *off (size bytes in all) and advances *off: LW_OK, or
 * LW_EINVAL when it does not fit (buf holds what fitted). */
int  lw_putf(char *buf, size_t size, size_t *off, const char *fmt, ...) LW_PRINTF(4, 5);
/* A size in bytes as people write it: "1048576", "512k", "64M", "1GB",
 * "2 GiB" (k, M, G, T are powers of 1024; a trailing B or iB is allowed).
 * LW_OK with *out set, or LW_EINVAL. */
int  lw_parse_bytes(const char *s, int64_t *out);
/* Length of the valid UTF-8 sequence at s (n bytes available), 0 when it
 * is not one (overlong, surrogate, past U+10FFFF, cut); *cp gets the code
 * point. */
size_t lw_utf8_seq(const unsigned char *s, size_t n, unsigned *cp);
/* 1 when s[0..n) is valid UTF-8. */
int  lw_utf8_valid(const char *s, size_t n);
/* Monotonic and wall clocks. */
int64_t lw_now_mono_us(void);
int64_t lw_now_wall_us(void);
/* poll(2) on pf[0..n) until one of them is ready (see their revents) or
 * the lw_now_mono_us() deadline passes, interrupted polls retried: LW_OK,
 * LW_ETIMEDOUT or LW_EIO. For pumping a child's pipes with a time limit. */
struct pollfd;
int lw_poll_until(struct pollfd *pf, size_t n, int64_t deadline_us);
/* Cryptographically random bytes from getrandom(2); 0 or LW_EIO. */
int  lw_random_bytes(void *buf, size_t n);
/* Hex of n random bytes into out (2n+1 chars). */
int  lw_random_hex(char *out, size_t nbytes);

#endif
