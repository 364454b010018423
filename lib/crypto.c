/* crypto.c: SHA-256, HMAC-SHA256 and constant-time comparison over
 * OpenSSL's libcrypto (see crypto.h); the FIPS 180-4 and RFC 4231 test
 * vectors are checked in tests/check_channels.c. */
#include "crypto.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

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
