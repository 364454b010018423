/* auth.c: password hashing and verification with libxcrypt's yescrypt,
 * tokens from getrandom(2), the role order. */
#include "auth.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
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

/* ---- the password policy ---- */

/* Words people build passwords on: with digits or symbols around them
 * they are the first guesses of any list. */
static const char *const weak_words[] = {
    "password", "passwort", "passw0rd", "p@ssw0rd", "qwerty", "qwertz", "azerty", "letmein",
    "welcome", "admin", "administrator", "changeme", "iloveyou", "monkey", "dragon",
    "football", "baseball", "sunshine", "princess", "superman", "trustno1", "llmwatch",
    "master", "login", "abc123", "default", "root", "test", "guest", "hello",
};
/* Runs people type: a password inside one of them (either way) is weak. */
static const char *const weak_runs[] = {
    "01234567890123456789", "98765432109876543210",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnmqwertyuiop", "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn", "1q2w3e4r5t6y7u8i9o0p",
    "zxcvbnmasdfghjklqwertyuiop", "qazwsxedcrfvtgbyhnujmikolp",
};

static int
in_list(const char *s, const char *const *list, size_t n, int substring)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (substring ? strstr(list[i], s) != NULL : strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

int
lw_auth_password_check(const char *password, const char *email, char *why, size_t size)
{
    char low[LW_PASSWORD_MAX + 1], word[LW_PASSWORD_MAX + 1], mail[320], *core, *end, *at;
    unsigned char seen[256] = { 0 };
    size_t len, i, chars = 0, distinct = 0, k;
    unsigned cp;

    len = password ? strlen(password) : 0;
    if (len == 0) {
        snprintf(why, size, "Enter a password.");
        return LW_EINVAL;
    }
    if (len > LW_PASSWORD_MAX) {
        snprintf(why, size, "The password must be at most %d bytes long.", LW_PASSWORD_MAX);
        return LW_EINVAL;
    }
    for (i = 0; i < len; i += k) {
        if ((k = lw_utf8_seq((const unsigned char *) password + i, len - i, &cp)) == 0) {
            snprintf(why, size, "The password must be valid UTF-8 text.");
            return LW_EINVAL;
        }
        chars++;
    }
    if (chars < LW_PASSWORD_MIN) {
        snprintf(why, size, "The password must be at least %d characters long.", LW_PASSWORD_MIN);
        return LW_EINVAL;
    }
    for (i = 0; i < len; i++) {
        low[i] = (char) tolower((unsigned char) password[i]);
        if (!seen[(unsigned char) low[i]]++)
            distinct++;
    }
    low[len] = '\0';
    if (distinct < 5) {
        snprintf(why, size, "The password uses too few different characters.");
        return LW_EINVAL;
    }
    /* the word inside: what is left without digits and symbols around it */
    for (core = low; *core && !isalpha((unsigned char) *core); core++)
        ;
    for (end = low + len; end > core && !isalpha((unsigned char) end[-1]); end--)
        ;
    memcpy(word, core, (size_t) (end - core));
    word[end - core] = '\0';
    if (in_list(low, weak_runs, LW_ARRAY_LEN(weak_runs), 1)
        || (strlen(word) >= 4 && in_list(word, weak_runs, LW_ARRAY_LEN(weak_runs), 1))
        || in_list(word, weak_words, LW_ARRAY_LEN(weak_words), 0)) {
        snprintf(why, size, "The password is a well-known one: choose another.");
        return LW_EINVAL;
    }
    if (email != NULL && strlen(email) < sizeof(mail)) {
        for (i = 0; email[i]; i++)
            mail[i] = (char) tolower((unsigned char) email[i]);
        mail[i] = '\0';
        at = strchr(mail, '@');
        if (strcmp(low, mail) == 0
            || (at != NULL && (size_t) (at - mail) == strlen(word) && word[0] != '\0'
                && strncmp(word, mail, strlen(word)) == 0)) {
            snprintf(why, size, "The password must not be your email address or its name.");
            return LW_EINVAL;
        }
    }
    return LW_OK;
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
