/* auth.h: passwords (yescrypt through libxcrypt), random tokens and the
 * role order the web app and the CLI share. Tokens are compared with
 * lw_crypto_streq (crypto.h, included here). */
#ifndef LW_AUTH_H
#define LW_AUTH_H

#include <stddef.h>
#include "crypto.h"
#include "lw.h"

/* A session, CSRF or API token: 32 random bytes as 64 hex characters. */
#define LW_TOKEN_LEN 64
/* Room for a yescrypt hash ("$y$..."), as crypt(3) produces it. */
#define LW_HASH_MAX  384

/* Roles, in order: each one can do everything the ones before it can.
 * compliance is a viewer that also reads SLA, reports and the audit log;
 * editor also changes rules, silences, channels and budgets; admin also
 * manages users. LW_ROLE_ANON is "not logged in". */
enum {
    LW_ROLE_ANON = 0,
    LW_ROLE_VIEWER,
    LW_ROLE_COMPLIANCE,
    LW_ROLE_EDITOR,
    LW_ROLE_ADMIN
};

/* "viewer" -> LW_ROLE_VIEWER...; -1 when unknown ("anonymous" is not a
 * role a user can have). */
int lw_auth_role_parse(const char *name);
/* The name of a role (static string). */
const char *lw_auth_role_name(int role);
/* True when `have` is enough for a page that needs `need`. */
int lw_auth_role_allows(int have, int need);

/* Hashes `password` with yescrypt and a fresh salt into out (at least
 * LW_HASH_MAX bytes). LW_OK, or LW_EINVAL/LW_EIO with a message. */
int lw_auth_hash_password(const char *password, char *out, size_t outsz, lw_err *err);
/* 1 when `password` matches `hash` (any crypt(3) scheme), 0 otherwise,
 * including for a malformed hash. The final comparison is constant-time. */
int lw_auth_verify_password(const char *password, const char *hash);

/* The one password policy of the CLI and the web: at least
 * LW_PASSWORD_MIN characters (at most LW_PASSWORD_MAX bytes) of valid
 * UTF-8, not a well-known or trivially guessed one (a common word or
 * keyboard run with digits around it, too few different characters), and
 * not the user's email or its name part (email may be NULL). LW_OK, or
 * LW_EINVAL with the reason for people in why ("The password must..."). */
#define LW_PASSWORD_MIN 12
#define LW_PASSWORD_MAX 1024
int lw_auth_password_check(const char *password, const char *email, char *why, size_t size);

/* A fresh token into out (LW_TOKEN_LEN + 1 bytes). LW_OK or LW_EIO. */
int lw_auth_token(char *out);
/* True when `s` looks like a token we issued (64 lowercase hex chars). */
int lw_auth_token_valid(const char *s);
/* A strong password for people: `len` characters (len < outsz) from an
 * alphabet without look-alikes, drawn without modulo bias. */
int lw_auth_generate_password(char *out, size_t outsz, size_t len);

#endif
