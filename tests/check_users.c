/* check_users.c: /admin/users: creating users with the addresses the CLI
 * takes (name@localhost), disabling and enabling them, resetting a
 * password (generated and shown once, or set under the password policy),
 * changing a role; every change audited; the last active admin kept. */
#include "webtest.h"

/* sql with $1 = arg; the result is the caller's. */
static PGresult *
qid(lw_db *db, lw_err *err, const char *sql, long long arg)
{
    char a[24];
    const char *p[1] = { a };

    snprintf(a, sizeof(a), "%lld", arg);
    return lw_db_query(db, err, sql, 1, p);
}

static long long
query_int(lw_db *db, const char *sql, long long arg)
{
    lw_err err = { { 0 } };
    PGresult *res = qid(db, &err, sql, arg);
    long long v;

    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    v = lw_db_int(res, 0, 0);
    PQclear(res);
    return v;
}

static const char *
query_str(lw_db *db, const char *sql, long long arg, char *out, size_t size)
{
    lw_err err = { { 0 } };
    PGresult *res = qid(db, &err, sql, arg);

    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    snprintf(out, size, "%s", lw_db_isnull(res, 0, 0) ? "" : lw_db_str(res, 0, 0));
    PQclear(res);
    return out;
}

/* POST to path as the session of cookie with its csrf and `fields`. */
static int
post(lw_db *db, const char *path, const char *cookie, const char *csrf, const char *fields,
     char *page, size_t size)
{
    char body[1024];
    wt_request t;
    int status;

    snprintf(body, sizeof(body), "csrf_token=%s&%s", csrf, fields);
    wt_request_init(&t, db, "POST", path, cookie, body, NULL);
    snprintf(page, size, "%s", wt_run(&t));
    status = t.r.status;
    wt_request_free(&t);
    return status;
}

static long long
user_id(lw_db *db, const char *email)
{
    lw_err err = { { 0 } };
    PGresult *res = lw_db_users_by_email(db, &err, email);
    long long id;

    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    id = lw_db_int(res, 0, 0);
    PQclear(res);
    return id;
}

START_TEST(db_admin_users)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], vcookie[160], vcsrf[LW_TOKEN_LEN + 1];
    char page[65536], fields[300], path[64], email[96], buf[200], *pw, *end;
    lw_db *db = wt_db("db_admin_users");
    long long vid, uid;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "admin", cookie, csrf);
    /* the addresses the CLI and the first admin use */
    snprintf(email, sizeof(email), "ops-%.8s@localhost", csrf);
    snprintf(fields, sizeof(fields), "email=%s&role=viewer", email);
    ck_assert_msg(post(db, "/admin/users", cookie, csrf, fields, page, sizeof(page)) == 200,
                  "%.400s", strstr(page, "field-error") ? strstr(page, "field-error") : page);
    uid = user_id(db, email);
    snprintf(path, sizeof(path), "/admin/users/%lld", uid);

    /* a role change, audited with the role before and after */
    ck_assert_int_eq(post(db, path, cookie, csrf, "action=role&role=editor", page, sizeof(page)), 303);
    ck_assert_str_eq(query_str(db, "SELECT role FROM users WHERE id = $1::int", uid, buf,
                               sizeof(buf)), "editor");
    ck_assert_str_eq(query_str(db, "SELECT before->>'role' || '>' || (after->>'role') FROM audit_log"
                                   " WHERE action = 'role' AND object_type = 'user'"
                                   " AND object_id = $1::text", uid, buf, sizeof(buf)),
                     "viewer>editor");
    ck_assert_int_eq(post(db, path, cookie, csrf, "action=role&role=root", page, sizeof(page)), 422);

    /* disable: sessions end; enable again; both audited */
    {
        char tok[LW_TOKEN_LEN + 1], c2[LW_TOKEN_LEN + 1];
        lw_err err = { { 0 } };

        ck_assert_int_eq(lw_auth_token(tok), LW_OK);
        ck_assert_int_eq(lw_auth_token(c2), LW_OK);
        ck_assert_int_eq(lw_db_users_session_create(db, &err, tok, uid, c2, NULL, NULL), LW_OK);
    }
    ck_assert_int_eq(post(db, path, cookie, csrf, "action=disable", page, sizeof(page)), 303);
    ck_assert_int_eq(query_int(db, "SELECT disabled::int FROM users WHERE id = $1::int", uid), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sessions WHERE user_id = $1::int", uid), 0);
    ck_assert_int_eq(post(db, path, cookie, csrf, "action=enable", page, sizeof(page)), 303);
    ck_assert_int_eq(query_int(db, "SELECT disabled::int FROM users WHERE id = $1::int", uid), 0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM audit_log WHERE object_type = 'user'"
                                   " AND object_id = $1::text AND action IN ('disable', 'enable')",
                               uid), 2);

    /* reset: a generated password, shown once, that works */
    ck_assert_int_eq(post(db, path, cookie, csrf, "action=reset", page, sizeof(page)), 200);
    pw = strstr(page, "<code class=\"secret\">");
    ck_assert_ptr_nonnull(pw);
    pw += strlen("<code class=\"secret\">");
    end = strchr(pw, '<');
    ck_assert_ptr_nonnull(end);
    *end = '\0';
    ck_assert_uint_eq(strlen(pw), 20);
    ck_assert(lw_auth_verify_password(pw, query_str(db, "SELECT password_hash FROM users"
                                                        " WHERE id = $1::int", uid, buf, sizeof(buf))));
    /* the audit never holds a hash */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM audit_log WHERE object_type = 'user'"
                                   " AND (before::text LIKE '%$y$%' OR after::text LIKE '%$y$%'"
                                   "  OR after ? 'password_hash') AND $1::int = 0", 0), 0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'reset_password'"
                                   " AND object_id = $1::text", uid), 1);
    /* a set password meets the policy */
    ck_assert_int_eq(post(db, path, cookie, csrf, "action=password&password=12345678", page,
                          sizeof(page)), 422);
    ck_assert_ptr_nonnull(strstr(page, "at least 12 characters"));
    snprintf(fields, sizeof(fields), "action=password&password=%s", email);
    ck_assert_int_eq(post(db, path, cookie, csrf, fields, page, sizeof(page)), 422);
    ck_assert_ptr_nonnull(strstr(page, "email"));
    ck_assert_int_eq(post(db, path, cookie, csrf,
                          "action=password&password=a+long+and+fine+one", page, sizeof(page)), 303);
    ck_assert(lw_auth_verify_password("a long and fine one",
                                      query_str(db, "SELECT password_hash FROM users WHERE id = $1::int",
                                                uid, buf, sizeof(buf))));
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'set_password'"
                                   " AND object_id = $1::text", uid), 1);
    /* unknown user: 404; a viewer may not */
    ck_assert_int_eq(post(db, "/admin/users/2147483647", cookie, csrf, "action=disable", page,
                          sizeof(page)), 404);
    vid = wt_user(db, "viewer", vcookie, vcsrf);
    (void) vid;
    ck_assert_int_eq(post(db, path, vcookie, vcsrf, "action=disable", page, sizeof(page)), 403);
    /* the list offers the actions */
    {
        wt_request t;
        const char *out;

        wt_request_init(&t, db, "GET", "/admin/users", cookie, NULL, NULL);
        out = wt_run(&t);
        ck_assert_int_eq(t.r.status, 200);
        ck_assert_ptr_nonnull(strstr(out, path));
        ck_assert_ptr_nonnull(strstr(out, "value=\"reset\""));
        wt_request_free(&t);
    }
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_last_admin)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], page[65536], path[64], email[96], fields[200];
    lw_db *db = wt_db("db_last_admin");
    lw_err err = { { 0 } };
    long long me, other;

    if (db == NULL)
        return;
    wt_templates();
    me = wt_user(db, "admin", cookie, csrf);
    /* this admin is the only active one */
    PQclear(qid(db, &err, "UPDATE users SET disabled = true WHERE role = 'admin' AND id <> $1::int",
                me));
    snprintf(path, sizeof(path), "/admin/users/%lld", me);
    ck_assert_int_eq(post(db, path, cookie, csrf, "action=disable", page, sizeof(page)), 409);
    ck_assert_ptr_nonnull(strstr(page, "last active admin"));
    ck_assert_int_eq(post(db, path, cookie, csrf, "action=role&role=editor", page, sizeof(page)), 409);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM users WHERE id = $1::int AND role = 'admin'"
                                   " AND NOT disabled", me), 1);
    /* with a second admin it may step down */
    snprintf(email, sizeof(email), "second-%.8s@localhost", csrf);
    snprintf(fields, sizeof(fields), "email=%s&role=admin", email);
    ck_assert_int_eq(post(db, "/admin/users", cookie, csrf, fields, page, sizeof(page)), 200);
    other = user_id(db, email);
    ck_assert_int_eq(post(db, path, cookie, csrf, "action=role&role=editor", page, sizeof(page)), 303);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM users WHERE id = $1::int AND role = 'editor'",
                               me), 1);
    /* the demoted admin's session is an editor's at once */
    ck_assert_int_eq(post(db, "/admin/users", cookie, csrf, "email=x%40localhost&role=viewer", page,
                          sizeof(page)), 403);
    (void) other;
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_token_role_follows_user)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], tok[LW_TOKEN_LEN + 1];
    lw_db *db = wt_db("db_token_role_follows_user");
    lw_err err = { { 0 } };
    PGresult *res;
    long long uid, tid;

    if (db == NULL)
        return;
    uid = wt_user(db, "admin", cookie, csrf);
    ck_assert_int_eq(lw_auth_token(tok), LW_OK);
    ck_assert_int_eq(lw_db_users_api_token_create(db, &err, uid, "t", "admin", tok, &tid), LW_OK);
    PQclear(qid(db, &err, "UPDATE users SET role = 'viewer' WHERE id = $1::int", uid));
    res = lw_db_users_by_api_token(db, &err, tok);
    ck_assert_ptr_nonnull(res);
    ck_assert_int_eq(PQntuples(res), 1);
    ck_assert_str_eq(lw_db_str(res, 0, 2), "viewer");   /* never above its user's */
    PQclear(res);
    lw_db_close(db);
}
END_TEST

Suite *users_suite(void)
{
    Suite *s = suite_create("users");
    TCase *db = tcase_create("users_db");

    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_admin_users);
    tcase_add_test(db, db_last_admin);
    tcase_add_test(db, db_token_role_follows_user);
    suite_add_tcase(s, db);
    return s;
}
