/* page_login.c: "/login": the form (GET) and the check (POST). The form is
 * protected before any session exists by a double-submit cookie (lw_csrf);
 * failed logins are counted per client address and per account (in
 * PostgreSQL) and earn growing delays, during which a login answers 429
 * with Retry-After without being checked; a success opens a session (only
 * its SHA-256 is stored) and goes back to `next` when that is a local
 * path. */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db/topics.h"

/* Checked against when the email is unknown, so an unknown address takes
 * as long as a wrong password (no account discovery by timing). */
static const char dummy_hash[] =
    "$y$j9T$9Wl9T7ETBWskH2YzHT9UI1$zYZ4yNRoDgg/JWW6m/xFzj80vafjtvt.h/6aR/AoSYA";

/* Only a local path: one leading '/', not "//host" or "/\host", no
 * control characters; anything else becomes "/". Borrowed or static. */
static const char *
safe_next(const char *next)
{
    const unsigned char *p;

    if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return "/";
    for (p = (const unsigned char *) next; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            return "/";
    return next;
}

/* The double-submit token: the cookie's if it is one of ours, else new. */
static const char *
login_csrf(lw_req *r)
{
    const char *c = lw_req_cookie(r, "lw_csrf");
    char *t;

    if (lw_auth_token_valid(c))
        return c;
    t = lw_pool_alloc(r->pool, LW_TOKEN_LEN + 1);
    if (t == NULL || lw_auth_token(t) != LW_OK)
        return NULL;
    /* Strict: it only ever needs to come back with our own form */
    lw_req_set_cookie(r, "lw_csrf", t, "Strict", -1);
    return t;
}

static int
show_form(lw_req *r, const char *email, const char *error)
{
    const char *csrf = login_csrf(r);

    if (csrf == NULL) {
        lw_err_set(&r->err, "no random bytes for a CSRF token");
        return LW_EIO;
    }
    lw_hdf_set(&r->page, "Login.csrf", csrf);
    lw_hdf_set(&r->page, "Login.next", safe_next(lw_req_param(r, "next")));
    lw_hdf_set(&r->page, "Login.email", email);
    lw_hdf_set(&r->page, "Login.error", error);
    lw_hdf_set(&r->page, "Page.title", "Log in");
    r->template = "login";
    return LW_OK;
}

static int
open_session(lw_req *r, lw_db *db, long long id, const char *email)
{
    char token[LW_TOKEN_LEN + 1], csrf[LW_TOKEN_LEN + 1];
    int rc;

    if (lw_auth_token(token) != LW_OK || lw_auth_token(csrf) != LW_OK) {
        lw_err_set(&r->err, "no random bytes for a session token");
        return LW_EIO;
    }
    rc = lw_db_users_session_create(db, &r->err, token, id, csrf, r->remote_addr, r->user_agent);
    if (rc == LW_OK)
        rc = lw_db_users_logged_in(db, &r->err, id) < 0 ? LW_EDB : LW_OK;
    if (rc == LW_OK)
        rc = lw_db_audit_add(db, &r->err, id, email, "login", "session", NULL, NULL, NULL,
                          r->remote_addr);
    if (rc != LW_OK)
        return rc;
    lw_req_set_cookie(r, "lw_session", token, "Lax", -1);
    explicit_bzero(token, sizeof(token));
    return lw_req_redirect(r, safe_next(lw_req_form(r, "next")));
}

/* s cut to at most max bytes, on a character's boundary. */
static const char *
clip(lw_req *r, const char *s, size_t max)
{
    if (strlen(s) <= max)
        return s;
    while (max > 0 && ((unsigned char) s[max] & 0xc0) == 0x80)
        max--;
    return lw_pool_strndup(r->pool, s, max);
}

/* The answer while a delay runs: 429, Retry-After, nothing checked. */
static int
throttled(lw_req *r, const char *email, int retry_s, const char *scope)
{
    char secs[16];

    lw_log(LW_LOG_INFO, "login refused for %d s more: too many failures of this %s (from %s)",
           retry_s, scope, r->remote_addr ? r->remote_addr : "?");
    snprintf(secs, sizeof(secs), "%d", retry_s);
    lw_req_add_header(r, "Retry-After", secs);
    r->status = 429;
    return show_form(r, email, lw_pool_printf(r->pool, "Too many failed attempts: try again in "
                                                       "%d second%s.", retry_s,
                                              retry_s == 1 ? "" : "s"));
}

/* A failed login: counted per address and per account; each failure that
 * earns a delay is audited and the delay sent as Retry-After. */
static int
failed(lw_req *r, lw_db *db, const char *email)
{
    PGresult *res = lw_req_keep(r, lw_db_users_throttle_fail(db, &r->err, r->remote_addr, email));
    const char *scope, *after;
    char secs[16];
    int i, retry, wait = 0;

    if (res == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(res); i++) {
        if (lw_db_isnull(res, i, 2))
            continue;
        scope = lw_db_str(res, i, 0);
        retry = (int) lw_db_int(res, i, 2);
        after = lw_pool_printf(r->pool, "{\"scope\": \"%s\", \"failures\": %lld, \"delay_s\": %d}",
                               lw_streq(scope, "account") ? "account" : "address",
                               lw_db_int(res, i, 1), retry);
        if (lw_db_audit_add(db, &r->err, 0, "anonymous", "login_throttled", "login",
                            lw_streq(scope, "account") ? clip(r, email, 254)
                                                       : r->remote_addr,
                            NULL, after, r->remote_addr) != LW_OK)
            return LW_EDB;
        if (retry > wait)
            wait = retry;
    }
    lw_log(LW_LOG_INFO, "failed login from %s", r->remote_addr ? r->remote_addr : "?");
    r->status = 401;
    if (wait == 0)
        return show_form(r, email, "Wrong email or password.");
    snprintf(secs, sizeof(secs), "%d", wait);
    lw_req_add_header(r, "Retry-After", secs);
    return show_form(r, email, lw_pool_printf(r->pool, "Wrong email or password. Too many failed "
                                                       "attempts: wait %d second%s before the next.",
                                              wait, wait == 1 ? "" : "s"));
}

int
lw_page_login(lw_req *r)
{
    const char *email, *password, *hash, *scope;
    lw_db *db;
    PGresult *u;
    int ok, retry;

    if (strcmp(r->method, "POST") != 0) {
        if (r->user.id > 0)
            return lw_req_redirect(r, safe_next(lw_req_query(r, "next")));
        return show_form(r, NULL, NULL);
    }
    email = lw_req_form(r, "email");
    password = lw_req_form(r, "password");
    if (email == NULL || email[0] == '\0' || password == NULL || password[0] == '\0') {
        r->status = 400;
        return show_form(r, email, "Enter your email and your password.");
    }
    if ((db = lw_req_db(r)) == NULL)
        return LW_EDB;
    /* before any password is checked: a guess during a delay tells nothing */
    if (lw_db_users_throttle_check(db, &r->err, r->remote_addr, email, &retry, &scope) != LW_OK)
        return LW_EDB;
    if (retry > 0)
        return throttled(r, email, retry, scope);
    u = lw_req_keep(r, lw_db_users_by_email(db, &r->err, email));
    if (u == NULL)
        return LW_EDB;
    hash = PQntuples(u) == 1 ? lw_db_str(u, 0, 3) : dummy_hash;
    ok = lw_auth_verify_password(password, hash) && PQntuples(u) == 1;
    if (!ok)
        return failed(r, db, email);
    if (lw_db_bool(u, 0, 4)) {
        r->status = 401;
        return show_form(r, email, "This account is disabled. Ask an administrator.");
    }
    if (lw_db_users_throttle_clear(db, &r->err, email) != LW_OK)
        return LW_EDB;
    return open_session(r, db, lw_db_int(u, 0, 0), lw_db_str(u, 0, 1));
}
