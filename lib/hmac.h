/* hmac.h: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), written here so
 * that signing webhooks and hashing dedup keys need no crypto library. */
#ifndef LW_HMAC_H
#define LW_HMAC_H

#include <stddef.h>
#include <stdint.h>

#define LW_SHA256_LEN 32
#define LW_SHA256_HEX_LEN 65   /* 64 hex digits and the NUL */

typedef struct {
    uint32_t h[8];
    uint64_t total;            /* bytes hashed so far */
    uint8_t  block[64];
    size_t   used;             /* bytes waiting in block */
} lw_sha256_ctx;

void lw_sha256_init(lw_sha256_ctx *c);
void lw_sha256_update(lw_sha256_ctx *c, const void *data, size_t n);
void lw_sha256_final(lw_sha256_ctx *c, uint8_t out[LW_SHA256_LEN]);

/* One-shot digests. */
void lw_sha256(const void *data, size_t n, uint8_t out[LW_SHA256_LEN]);
void lw_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                    uint8_t out[LW_SHA256_LEN]);

/* Lower-case hex of n bytes into out (2n+1 chars). */
void lw_hex(const uint8_t *in, size_t n, char *out);

/* HMAC-SHA256 as 64 lower-case hex digits. */
void lw_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t msglen,
                        char out[LW_SHA256_HEX_LEN]);

/* Compares two strings in time that depends only on their lengths (for
 * signature checks). 1 when equal. */
int lw_const_time_eq(const char *a, const char *b);

#endif
