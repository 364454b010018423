/* auth.c: password hashing and verification with libxcrypt's yescrypt,
 * tokens from getrandom(2), the role order. */
#include "auth.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {
    [LW_ROLE_ANON] = "anonymous",
    [LW_ROLE_VIEWER] = "viewer",
    [LW_ROLE_COMPLIANCE] = "compliance",
    [LW_ROLE_EDITOR] = "editor",
    [LW_ROLE_ADMIN] = "admin",
};

int
lw_auth_role_parse(const char *name)
{
    int i;

    for (i = LW_ROLE_VIEWER; name != NULL && i <= LW_ROLE_ADMIN; i++)
        if (strcmp(name, role_names[i]) == 0)
            return i;
    return -1;
}

const char *
lw_auth_role_name(int role)
{
    if (role < LW_ROLE_ANON || role > LW_ROLE_ADMIN)
        return "unknown";
    return role_names[role];
}

int
lw_auth_role_allows(int have, int need)
{
    return have >= need;
}

int
lw_auth_hash_password(const char *password, char *out, size_t outsz, lw_err *err)
{
    struct crypt_data *cd = NULL;
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    const char *h;
    int rc = LW_EIO;

    if (password == NULL || password[0] == '\0') {
        lw_err_set(err, "empty password");
        return LW_EINVAL;
    }
    /* NULL entropy: libxcrypt reads the salt from the OS's random source */
    if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL) {
        lw_err_set(err, "crypt_gensalt: %s", strerror(errno));
        return LW_EIO;
    }
    /* struct crypt_data is ~32 KiB: too big for a thread's stack */
    cd = calloc(1, sizeof(*cd));
    if (cd == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    h = crypt_r(password, salt, cd);
    if (h == NULL || h[0] == '*') {
        lw_err_set(err, "crypt: %s", strerror(errno));
        goto cleanup;
    }
    if (strlen(h) >= outsz) {
        lw_err_set(err, "password hash too long");
        goto cleanup;
    }
    memcpy(out, h, strlen(h) + 1);
    rc = LW_OK;
cleanup:
    explicit_bzero(cd, sizeof(*cd));
    free(cd);
    return rc;
}

int
lw_auth_verify_password(const char *password, const char *hash)
{
    struct crypt_data *cd;
    const char *h;
    int ok = 0;

    if (password == NULL || hash == NULL || hash[0] != '$')
        return 0;
    cd = calloc(1, sizeof(*cd));
    if (cd == NULL)
        return 0;
    h = crypt_r(password, hash, cd);
    /* a failure gives NULL or a string starting with '*', never the hash */
    if (h != NULL && h[0] != '*')
        ok = lw_crypto_streq(h, hash);
    explicit_bzero(cd, sizeof(*cd));
    free(cd);
    return ok;
}

int
lw_auth_token(char *out)
{
    return lw_random_hex(out, LW_TOKEN_LEN / 2);
}

int
lw_auth_token_valid(const char *s)
{
    size_t i;

    if (s == NULL || strlen(s) != LW_TOKEN_LEN)
        return 0;
    for (i = 0; i < LW_TOKEN_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int
lw_auth_generate_password(char *out, size_t outsz, size_t len)
{
    /* 57 characters: no 0/O, 1/l/I, so it can be read out and typed */
    static const char alphabet[] =
        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const unsigned n = sizeof(alphabet) - 1;
    const unsigned limit = 256 - 256 % n;   /* reject above: no modulo bias */
    unsigned char rnd[64];
    size_t i = 0, j;

    if (len == 0 || len >= outsz)
        return LW_EINVAL;
    while (i < len) {
        if (lw_random_bytes(rnd, sizeof(rnd)) != LW_OK)
            return LW_EIO;
        for (j = 0; j < sizeof(rnd) && i < len; j++)
            if (rnd[j] < limit)
                out[i++] = alphabet[rnd[j] % n];
    }
    out[len] = '\0';
    explicit_bzero(rnd, sizeof(rnd));
    return LW_OK;
}
