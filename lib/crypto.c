/* crypto.c: SHA-256, HMAC-SHA256, constant-time comparison and the
 * AES-256-GCM sealing of secrets at rest over OpenSSL's libcrypto (see
 * crypto.h); the FIPS 180-4 and RFC 4231 test vectors are checked in
 * tests/check_channels.c, sealing in tests/check_api.c. */
#include "crypto.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

/* The result of a digest into out: LW_OK when ok, else LW_ERROR with out
 * zeroed (a failure must not leave a half-written digest that compares). */
static int
digest_done(int ok, uint8_t out[LW_CRYPTO_SHA256_LEN])
{
    if (ok)
        return LW_OK;
    memset(out, 0, LW_CRYPTO_SHA256_LEN);
    return LW_ERROR;
}

int
lw_crypto_sha256_init(lw_crypto_sha256_ctx *c)
{
    c->failed = 0;
    c->md = EVP_MD_CTX_new();
    if (c->md == NULL || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
        c->failed = 1;
        return LW_ENOMEM;
    }
    return LW_OK;
}

void
lw_crypto_sha256_update(lw_crypto_sha256_ctx *c, const void *data, size_t n)
{
    if (!c->failed && EVP_DigestUpdate(c->md, data, n) != 1)
        c->failed = 1;
}

int
lw_crypto_sha256_final(lw_crypto_sha256_ctx *c, uint8_t out[LW_CRYPTO_SHA256_LEN])
{
    int rc = digest_done(!c->failed && EVP_DigestFinal_ex(c->md, out, NULL) == 1, out);

    EVP_MD_CTX_free(c->md);
    c->md = NULL;
    return rc;
}

int
lw_crypto_sha256(const void *data, size_t n, uint8_t out[LW_CRYPTO_SHA256_LEN])
{
    return digest_done(EVP_Digest(data, n, out, NULL, EVP_sha256(), NULL) == 1, out);
}

int
lw_crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                      uint8_t out[LW_CRYPTO_SHA256_LEN])
{
    unsigned int len = LW_CRYPTO_SHA256_LEN;

    /* OpenSSL wants a non-NULL key even when it is empty */
    return digest_done(HMAC(EVP_sha256(), keylen > 0 ? key : "", (int) keylen, msg, msglen, out,
                            &len) != NULL && len == LW_CRYPTO_SHA256_LEN, out);
}

int
lw_crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *msg, size_t msglen,
                          char out[LW_CRYPTO_SHA256_HEX_LEN])
{
    uint8_t mac[LW_CRYPTO_SHA256_LEN];
    int rc = lw_crypto_hmac_sha256(key, keylen, msg, msglen, mac);

    lw_crypto_hex(mac, sizeof(mac), out);
    OPENSSL_cleanse(mac, sizeof(mac));
    return rc;
}

void
lw_crypto_hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int
lw_crypto_streq(const char *a, const char *b)
{
    size_t la, lb, i;
    unsigned char d;

    if (a == NULL || b == NULL)
        return 0;
    la = strlen(a);
    lb = strlen(b);
    /* compare over b's length whatever a is, so the time leaks only lengths */
    d = (unsigned char) (la != lb);
    for (i = 0; i < lb; i++)
        d |= (unsigned char) ((i < la ? (unsigned char) a[i] : 0) ^ (unsigned char) b[i]);
    return d == 0;
}

/* ---- secrets at rest ---- */

#define NONCE_LEN 12
#define TAG_LEN   16

int
lw_crypto_secret_key(uint8_t key[LW_CRYPTO_KEY_LEN], lw_err *err)
{
    const char *v = getenv("LLMWATCH_SECRET_KEY");
    size_t i, n;
    unsigned x;

    if (v == NULL || *v == '\0') {
        lw_err_set(err, "LLMWATCH_SECRET_KEY is not set");
        return LW_ENOTFOUND;
    }
    n = strlen(v);
    for (i = 0; i < n && isxdigit((unsigned char) v[i]); i++)
        ;
    if (n == 2 * LW_CRYPTO_KEY_LEN && i == n) {
        for (i = 0; i < LW_CRYPTO_KEY_LEN; i++) {
            sscanf(v + 2 * i, "%2x", &x);
            key[i] = (uint8_t) x;
        }
        return LW_OK;
    }
    if (n < 16) {
        lw_err_set(err, "LLMWATCH_SECRET_KEY is too short: 64 hex digits, or a passphrase of "
                        "at least 16 characters");
        return LW_EINVAL;
    }
    return lw_crypto_sha256(v, n, key) == LW_OK ? LW_OK : LW_ERROR;
}

int
lw_crypto_is_sealed(const char *s)
{
    return s != NULL && strncmp(s, LW_CRYPTO_SEALED_PREFIX, strlen(LW_CRYPTO_SEALED_PREFIX)) == 0;
}

int
lw_crypto_seal(const uint8_t key[LW_CRYPTO_KEY_LEN], const char *plain, char **out)
{
    size_t n = strlen(plain), plen = strlen(LW_CRYPTO_SEALED_PREFIX);
    unsigned char *raw = malloc(NONCE_LEN + n + TAG_LEN);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len, ok = 0;
    char *s = NULL;

    *out = NULL;
    if (raw == NULL || c == NULL || RAND_bytes(raw, NONCE_LEN) != 1)
        goto cleanup;
    if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, raw) != 1
        || EVP_EncryptUpdate(c, raw + NONCE_LEN, &len, (const unsigned char *) plain, (int) n) != 1
        || EVP_EncryptFinal_ex(c, raw + NONCE_LEN + len, &len) != 1
        || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, raw + NONCE_LEN + n) != 1)
        goto cleanup;
    s = malloc(plen + 4 * ((NONCE_LEN + n + TAG_LEN + 2) / 3) + 1);
    if (s == NULL)
        goto cleanup;
    memcpy(s, LW_CRYPTO_SEALED_PREFIX, plen);
    EVP_EncodeBlock((unsigned char *) s + plen, raw, (int) (NONCE_LEN + n + TAG_LEN));
    *out = s;
    ok = 1;
cleanup:
    EVP_CIPHER_CTX_free(c);
    if (raw != NULL)
        OPENSSL_cleanse(raw, NONCE_LEN + n + TAG_LEN);
    free(raw);
    return ok ? LW_OK : LW_ERROR;
}

int
lw_crypto_open(const uint8_t key[LW_CRYPTO_KEY_LEN], const char *sealed, char **out)
{
    const char *b64;
    size_t blen, pad = 0;
    unsigned char *raw = NULL;
    EVP_CIPHER_CTX *c = NULL;
    int rlen, n = 0, len, ok = 0;
    char *plain = NULL;

    *out = NULL;
    if (!lw_crypto_is_sealed(sealed))
        return LW_EINVAL;
    b64 = sealed + strlen(LW_CRYPTO_SEALED_PREFIX);
    blen = strlen(b64);
    if (blen == 0 || blen % 4 != 0)
        return LW_EINVAL;
    pad = (b64[blen - 1] == '=') + (blen > 1 && b64[blen - 2] == '=');
    raw = malloc(blen / 4 * 3 + 1);
    if (raw == NULL)
        return LW_ERROR;
    rlen = EVP_DecodeBlock(raw, (const unsigned char *) b64, (int) blen);
    if (rlen < 0 || (rlen -= (int) pad) < NONCE_LEN + TAG_LEN)
        goto cleanup;
    n = rlen - NONCE_LEN - TAG_LEN;
    plain = malloc((size_t) n + 1);
    c = EVP_CIPHER_CTX_new();
    if (plain == NULL || c == NULL
        || EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, raw) != 1
        || EVP_DecryptUpdate(c, (unsigned char *) plain, &len, raw + NONCE_LEN, n) != 1
        || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, raw + NONCE_LEN + n) != 1
        || EVP_DecryptFinal_ex(c, (unsigned char *) plain + len, &len) != 1)
        goto cleanup;
    plain[n] = '\0';
    if (memchr(plain, '\0', (size_t) n) != NULL)
        goto cleanup;
    *out = plain;
    plain = NULL;
    ok = 1;
cleanup:
    EVP_CIPHER_CTX_free(c);
    if (plain != NULL) {
        OPENSSL_cleanse(plain, (size_t) (n > 0 ? n : 0));
        free(plain);
    }
    if (raw != NULL)
        OPENSSL_cleanse(raw, blen / 4 * 3);
    free(raw);
    return ok ? LW_OK : LW_EINVAL;
}
