/* webtest.h: helpers the llmwatch-web suites share: a fake FastCGI
 * request, the test database (skipped cleanly when unset) and users with
 * live sessions. Static functions: each suite file includes it once. */
#ifndef LW_WEBTEST_H
#define LW_WEBTEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "db/db.h"
#include "db/topics.h"
#include "response.h"

/* One request: its params live here, so keep the struct alive while r is. */
typedef struct {
    char   *env[24];
    char    buf[24][1200];
    int     n;
    lw_req  r;
    lw_db  *db;     /* the slot lw_req_db fills; borrowed from the suite */
} wt_request;

/* Sets a param; a second value of the same name replaces the first (an
 * extra REMOTE_ADDR replaces the default one). */
static void
wt_env(wt_request *t, const char *name, const char *value)
{
    size_t len = strlen(name);
    int i;

    if (value == NULL)
        return;
    for (i = 0; i < t->n; i++) {
        if (strncmp(t->buf[i], name, len) == 0 && t->buf[i][len] == '=') {
            snprintf(t->buf[i], sizeof(t->buf[i]), "%s=%s", name, value);
            return;
        }
    }
    if (t->n >= 23)
        return;
    snprintf(t->buf[t->n], sizeof(t->buf[t->n]), "%s=%s", name, value);
    t->env[t->n] = t->buf[t->n];
    t->env[++t->n] = NULL;
}

/* Templates for the tests: $LLMWATCH_DATADIR/templates, else ./templates. */
static void
wt_templates(void)
{
    const char *d = getenv("LLMWATCH_DATADIR");
    char dir[1024];
    lw_err err = { { 0 } };

    snprintf(dir, sizeof(dir), "%s/templates", d && *d ? d : ".");
    ck_assert_msg(lw_render_init(dir, &err) == LW_OK, "templates: %s", err.msg);
}

/* Prepares t->r: method, URI (path?query), optional Cookie header, body
 * (urlencoded) and extra "NAME=value" params (NULL-terminated). db may be
 * NULL: the request then behaves as with the database down. */
static void
wt_request_init(wt_request *t, lw_db *db, const char *method, const char *uri,
                const char *cookie, const char *body, const char *const *extra)
{
    char path[1024], len[32];
    const char *q = strchr(uri, '?');
    size_t i;

    memset(t, 0, sizeof(*t));
    t->db = db;
    snprintf(path, sizeof(path), "%.*s", q ? (int) (q - uri) : (int) strlen(uri), uri);
    wt_env(t, "REQUEST_METHOD", method);
    wt_env(t, "DOCUMENT_URI", path);
    wt_env(t, "QUERY_STRING", q ? q + 1 : "");
    wt_env(t, "REMOTE_ADDR", "127.0.0.1");
    wt_env(t, "HTTP_COOKIE", cookie);
    if (body != NULL) {
        snprintf(len, sizeof(len), "%zu", strlen(body));
        wt_env(t, "CONTENT_LENGTH", len);
        wt_env(t, "CONTENT_TYPE", "application/x-www-form-urlencoded");
    }
    for (i = 0; extra != NULL && extra[i] != NULL; i++) {
        const char *eq = strchr(extra[i], '=');
        char name[64];

        snprintf(name, sizeof(name), "%.*s", (int) (eq - extra[i]), extra[i]);
        wt_env(t, name, eq + 1);
    }
    /* a NULL slot pointer would mean "no database configured"; an empty
     * slot with a bad URL means "database down" */
    ck_assert_int_eq(lw_req_init(&t->r, t->env, &t->db,
                                 db ? "unused" : "postgresql://nobody@/none?host=/nonexistent"),
                     LW_OK);
    if (body != NULL)
        ck_assert_int_eq(lw_req_set_body(&t->r, body, strlen(body)), LW_OK);
}

/* Runs the whole request; returns the response text (borrowed from r). */
static const char *
wt_run(wt_request *t)
{
    lw_route_handle(&t->r);
    ck_assert_int_eq(lw_response_join(&t->r), LW_OK);
    ck_assert_ptr_nonnull(t->r.out.data);
    return t->r.out.data;
}

static void
wt_request_free(wt_request *t)
{
    lw_req_free(&t->r);
}

/* The test database, migrated to the newest schema (migrations already
 * applied are skipped). A test that cannot have it fails: PostgreSQL is
 * installed by make deps, never an absent tool. */
static lw_db *
wt_db(const char *test)
{
    const char *url = getenv("LW_TEST_DATABASE_URL");
    lw_err err = { { 0 } };
    lw_db *db;
    int applied;

    ck_assert_msg(url != NULL && *url != '\0', "%s: LW_TEST_DATABASE_URL is not set", test);
    db = lw_db_connect(url, "llmwatch-tests", &err);
    ck_assert_msg(db != NULL, "test database: %s", err.msg);
    ck_assert_msg(lw_db_migrate(db, &err, "sql", &applied) == LW_OK, "migrate: %s", err.msg);
    return db;
}

/* A user of `role` with a live session; the cookie header goes into
 * cookie (at least 128 bytes), the CSRF token into csrf (65 bytes). */
static long long
wt_user(lw_db *db, const char *role, char *cookie, char *csrf)
{
    char email[128], token[LW_TOKEN_LEN + 1], hash[LW_HASH_MAX];
    lw_err err = { { 0 } };
    long long id;

    ck_assert_int_eq(lw_auth_token(token), LW_OK);
    snprintf(email, sizeof(email), "%s-%.12s@test.example", role, token);
    ck_assert_int_eq(lw_auth_hash_password("test-password-1", hash, sizeof(hash), &err), LW_OK);
    ck_assert_msg(lw_db_users_create(db, &err, email, role, hash, &id) == LW_OK, "%s", err.msg);
    ck_assert_int_eq(lw_auth_token(token), LW_OK);
    ck_assert_int_eq(lw_auth_token(csrf), LW_OK);
    ck_assert_msg(lw_db_users_session_create(db, &err, token, id, csrf, "127.0.0.1", "check") == LW_OK,
                  "%s", err.msg);
    sprintf(cookie, "lw_session=%s", token);
    return id;
}

#endif
