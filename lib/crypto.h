/* crypto.h: the cryptography llmwatch needs, from OpenSSL's libcrypto:
 * SHA-256 (dedup keys, token hashes), HMAC-SHA256 (webhook signatures),
 * hex, and a comparison whose time does not depend on where two secrets
 * differ. */
#ifndef LW_CRYPTO_H
#define LW_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "lw.h"

#define LW_CRYPTO_SHA256_LEN 32
#define LW_CRYPTO_SHA256_HEX_LEN 65   /* 64 hex digits and the NUL */

/* A SHA-256 computed in pieces: init, update as often as needed, final
 * (which releases the state, also after a failure). */
typedef struct {
    void *md;                  /* EVP_MD_CTX, owned */
    int   failed;
} lw_crypto_sha256_ctx;

int lw_crypto_sha256_init(lw_crypto_sha256_ctx *c);
void lw_crypto_sha256_update(lw_crypto_sha256_ctx *c, const void *data, size_t n);
/* LW_OK, or LW_ENOMEM/LW_ERROR (out is then zeroed). */
int lw_crypto_sha256_final(lw_crypto_sha256_ctx *c, uint8_t out[LW_CRYPTO_SHA256_LEN]);

/* One-shot digests: LW_OK, or LW_ERROR with out zeroed (out of memory). */
int lw_crypto_sha256(const void *data, size_t n, uint8_t out[LW_CRYPTO_SHA256_LEN]);
int lw_crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                          uint8_t out[LW_CRYPTO_SHA256_LEN]);
/* HMAC-SHA256 as 64 lower-case hex digits. */
int lw_crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t msglen,
                              char out[LW_CRYPTO_SHA256_HEX_LEN]);

/* Lower-case hex of n bytes into out (2n+1 chars). */
void lw_crypto_hex(const uint8_t *in, size_t n, char *out);

/* Equality of two NUL-terminated strings in a time that depends only on
 * their lengths (for tokens and signatures). NULL never equals anything. */
int lw_crypto_streq(const char *a, const char *b);

/* ---- secrets at rest: AES-256-GCM ----
 * A secret typed into the web interface (a webhook URL, a token) is
 * stored as "enc:v1:" + base64(12-byte nonce | ciphertext | 16-byte tag)
 * under a key from the environment of llmwatch-web (which seals) and of
 * the notifier (which opens): LLMWATCH_SECRET_KEY, 64 hex digits (32
 * bytes), or a passphrase of at least 16 characters whose SHA-256 is the
 * key. A changed key makes old values unreadable (re-enter them). */
#define LW_CRYPTO_SEALED_PREFIX "enc:v1:"
#define LW_CRYPTO_KEY_LEN 32

/* The key from $LLMWATCH_SECRET_KEY. LW_OK; LW_ENOTFOUND when unset or
 * empty, LW_EINVAL when too short (message in err, never the value). */
int lw_crypto_secret_key(uint8_t key[LW_CRYPTO_KEY_LEN], lw_err *err);
/* Whether s is a sealed value. */
int lw_crypto_is_sealed(const char *s);
/* Seals plain (NUL-terminated) into *out (caller frees). LW_OK or
 * LW_ERROR. */
int lw_crypto_seal(const uint8_t key[LW_CRYPTO_KEY_LEN], const char *plain, char **out);
/* Opens a sealed value into *out (caller wipes and frees); LW_EINVAL when
 * it is not one, was altered, or was sealed under another key. */
int lw_crypto_open(const uint8_t key[LW_CRYPTO_KEY_LEN], const char *sealed, char **out);

#endif
