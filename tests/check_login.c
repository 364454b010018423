/* check_login.c: how llmwatch-web lets people in and out: throttling of
 * failed logins per client address and per account (state in PostgreSQL,
 * growing delays, 429 with Retry-After, audited, bounded), the absolute
 * lifetime of a session besides its sliding one, "log out everywhere",
 * and the Secure flag and client address behind a trusted proxy. */
#include "webtest.h"

/* A Retry-After header's seconds, -1 when there is none. */
static int
retry_after(const char *out)
{
    const char *h = strstr(out, "\r\nRetry-After: ");

    return h ? atoi(h + 15) : -1;
}

/* POST /login from `addr` as `email` with `password`; the response into
 * page (size bytes). */
static int
login_from(lw_db *db, const char *addr, const char *email, const char *password, char *page,
           size_t size)
{
    char tok[LW_TOKEN_LEN + 1], cookie[128], body[8192], ra[64];
    const char *extra[2] = { ra, NULL };
    wt_request t;
    int status;

    ck_assert_int_eq(lw_auth_token(tok), LW_OK);
    snprintf(cookie, sizeof(cookie), "lw_csrf=%s", tok);
    snprintf(ra, sizeof(ra), "REMOTE_ADDR=%s", addr);
    snprintf(body, sizeof(body), "email=%s&password=%s&csrf_token=%s", email, password, tok);
    wt_request_init(&t, db, "POST", "/login", cookie, body, extra);
    snprintf(page, size, "%s", wt_run(&t));
    status = t.r.status;
    wt_request_free(&t);
    return status;
}

static long long
query_int(lw_db *db, const char *sql, const char *arg)
{
    lw_err err = { { 0 } };
    const char *p[1] = { arg };
    PGresult *res = lw_db_query(db, &err, sql, arg ? 1 : 0, arg ? p : NULL);
    long long v;

    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    v = lw_db_int(res, 0, 0);
    PQclear(res);
    return v;
}

static void
exec_sql(lw_db *db, const char *sql, const char *arg)
{
    lw_err err = { { 0 } };
    const char *p[1] = { arg };

    ck_assert_msg(lw_db_exec(db, &err, sql, arg ? 1 : 0, arg ? p : NULL) >= 0, "%s", err.msg);
}

/* A user with a known password; its email into email (96 bytes). */
static long long
make_user(lw_db *db, const char *role, const char *password, char *email)
{
    char tok[LW_TOKEN_LEN + 1], hash[LW_HASH_MAX];
    lw_err err = { { 0 } };
    long long id;

    ck_assert_int_eq(lw_auth_token(tok), LW_OK);
    snprintf(email, 96, "%s-%.10s@test.example", role, tok);
    ck_assert_int_eq(lw_auth_hash_password(password, hash, sizeof(hash), &err), LW_OK);
    ck_assert_int_eq(lw_db_users_create(db, &err, email, role, hash, &id), LW_OK);
    return id;
}

START_TEST(db_throttle_per_address)
{
    char email[96], page[16384], other[96];
    lw_db *db = wt_db("db_throttle_per_address");
    int i, status, wait;

    if (db == NULL)
        return;
    wt_templates();
    exec_sql(db, "DELETE FROM login_throttle", NULL);
    make_user(db, "viewer", "right-password-1", email);
    make_user(db, "viewer", "right-password-1", other);
    /* an attacker at one address: a few free tries, then growing delays */
    for (i = 0; i < 5; i++) {
        snprintf(page, sizeof(page), "nobody-%d@test.example", i);
        status = login_from(db, "192.0.2.10", page, "guess-guess-1", page, sizeof(page));
        ck_assert_int_eq(status, 401);
        ck_assert_int_eq(retry_after(page), -1);
    }
    status = login_from(db, "192.0.2.10", "nobody-5@test.example", "guess-guess-1", page,
                        sizeof(page));
    ck_assert_int_eq(status, 401);
    wait = retry_after(page);
    ck_assert_msg(wait >= 1 && wait <= 2, "Retry-After %d", wait);
    /* during the delay nothing is checked, not even the right password */
    status = login_from(db, "192.0.2.10", email, "right-password-1", page, sizeof(page));
    ck_assert_int_eq(status, 429);
    ck_assert_int_ge(retry_after(page), 1);
    ck_assert_ptr_nonnull(strstr(page, "Too many failed"));
    ck_assert_ptr_null(strstr(page, "lw_session="));
    /* the delay grows with each failure after it */
    exec_sql(db, "UPDATE login_throttle SET blocked_until = now() - interval '1 second'", NULL);
    status = login_from(db, "192.0.2.10", "nobody-6@test.example", "guess-guess-1", page,
                        sizeof(page));
    ck_assert_int_eq(retry_after(page), 4);
    /* ... and stays bounded */
    exec_sql(db, "UPDATE login_throttle SET blocked_until = NULL, failures = 500"
                 " WHERE scope = 'address'", NULL);
    login_from(db, "192.0.2.10", "nobody-7@test.example", "guess-guess-1", page, sizeof(page));
    wait = retry_after(page);
    ck_assert_msg(wait > 60 && wait <= 900, "Retry-After %d", wait);
    /* another address is not affected: the user logs in from there */
    status = login_from(db, "192.0.2.11", email, "right-password-1", page, sizeof(page));
    ck_assert_msg(status == 303, "%.300s", page);
    /* audited, with the address */
    ck_assert_int_ge(query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'login_throttled'"
                                   " AND ip = '192.0.2.10' AND after->>'scope' = 'address'", NULL),
                     3);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_throttle_per_account)
{
    char email[96], page[16384], addr[32], upper[96];
    lw_db *db = wt_db("db_throttle_per_account");
    int i, status, wait;

    if (db == NULL)
        return;
    wt_templates();
    exec_sql(db, "DELETE FROM login_throttle", NULL);
    make_user(db, "editor", "right-password-2", email);
    /* a distributed guess: one try per address, the account counts them
     * (whatever the case of the email) */
    for (i = 0; i < 10; i++) {
        snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
        snprintf(upper, sizeof(upper), "%s", email);
        if (i % 2)
            upper[0] = (char) (upper[0] - 'a' + 'A');
        status = login_from(db, addr, upper, "guess-guess-2", page, sizeof(page));
        ck_assert_int_eq(status, 401);
        ck_assert_int_eq(retry_after(page), -1);
    }
    login_from(db, "198.51.100.50", email, "guess-guess-2", page, sizeof(page));
    ck_assert_int_ge(retry_after(page), 1);
    /* the account waits, from any address, then works again */
    status = login_from(db, "198.51.100.51", email, "right-password-2", page, sizeof(page));
    ck_assert_int_eq(status, 429);
    ck_assert_int_ge(query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'login_throttled'"
                                   " AND after->>'scope' = 'account' AND object_id = $1", email), 1);
    /* bounded: however many failures, a few minutes at most */
    exec_sql(db, "UPDATE login_throttle SET blocked_until = NULL, failures = 100000"
                 " WHERE scope = 'account'", NULL);
    login_from(db, "198.51.100.52", email, "guess-guess-2", page, sizeof(page));
    wait = retry_after(page);
    ck_assert_msg(wait > 0 && wait <= 300, "Retry-After %d", wait);
    exec_sql(db, "UPDATE login_throttle SET blocked_until = now() - interval '1 second'", NULL);
    status = login_from(db, "198.51.100.53", email, "right-password-2", page, sizeof(page));
    ck_assert_msg(status == 303, "%.300s", page);
    /* a success clears the account's count */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM login_throttle WHERE scope = 'account'",
                               NULL), 0);
    /* a huge email does not break the state (only its hash is a key) */
    {
        char big[6000];

        memset(big, 'a', sizeof(big) - 20);
        snprintf(big + sizeof(big) - 20, 20, "@x.example");
        status = login_from(db, "198.51.100.54", big, "guess-guess-2", page, sizeof(page));
        ck_assert_int_eq(status, 401);
    }
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_session_absolute_lifetime)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1];
    lw_req_settings conf = { 0 };
    lw_db *db = wt_db("db_session_absolute_lifetime");
    wt_request t;
    long long id;

    if (db == NULL)
        return;
    wt_templates();
    id = wt_user(db, "viewer", cookie, csrf);
    (void) id;
    wt_request_init(&t, db, "GET", "/alerts", cookie, NULL, NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 200);
    wt_request_free(&t);
    /* in use every few minutes for 8 days: the sliding expiry alone would
     * keep it forever; the absolute lifetime (7 days) ends it */
    exec_sql(db, "UPDATE sessions SET created_at = now() - interval '8 days',"
                 " last_seen_at = now() - interval '2 minutes' WHERE token_hash ="
                 " encode(sha256(convert_to($1, 'UTF8')), 'hex')", cookie + 11);
    wt_request_init(&t, db, "GET", "/alerts", cookie, NULL, NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 303);
    wt_request_free(&t);
    /* configurable: one hour */
    id = wt_user(db, "viewer", cookie, csrf);
    conf.session_lifetime_s = 3600;
    lw_req_setup(&conf);
    exec_sql(db, "UPDATE sessions SET created_at = now() - interval '50 minutes',"
                 " last_seen_at = now() - interval '2 minutes' WHERE token_hash ="
                 " encode(sha256(convert_to($1, 'UTF8')), 'hex')", cookie + 11);
    wt_request_init(&t, db, "GET", "/alerts", cookie, NULL, NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 200);
    wt_request_free(&t);
    /* the slide never goes past the absolute end */
    ck_assert_int_le(query_int(db, "SELECT extract(epoch FROM expires_at - created_at)::bigint"
                                   " FROM sessions WHERE token_hash ="
                                   " encode(sha256(convert_to($1, 'UTF8')), 'hex')", cookie + 11),
                     3600);
    exec_sql(db, "UPDATE sessions SET created_at = now() - interval '61 minutes'"
                 " WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')", cookie + 11);
    wt_request_init(&t, db, "GET", "/alerts", cookie, NULL, NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 303);
    wt_request_free(&t);
    conf.session_lifetime_s = 0;    /* back to the default */
    lw_req_setup(&conf);
    ck_assert_int_eq(lw_req_settings_get()->session_lifetime_s, LW_SESSION_LIFETIME_DEFAULT);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_logout_everywhere)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], tok2[LW_TOKEN_LEN + 1], csrf2[LW_TOKEN_LEN + 1];
    char cookie2[160], body[120], id_s[24];
    lw_db *db = wt_db("db_logout_everywhere");
    lw_err err = { { 0 } };
    wt_request t;
    const char *out;
    long long id;

    if (db == NULL)
        return;
    wt_templates();
    id = wt_user(db, "viewer", cookie, csrf);
    /* a second browser */
    ck_assert_int_eq(lw_auth_token(tok2), LW_OK);
    ck_assert_int_eq(lw_auth_token(csrf2), LW_OK);
    ck_assert_int_eq(lw_db_users_session_create(db, &err, tok2, id, csrf2, "10.1.1.1", "other"),
                     LW_OK);
    snprintf(cookie2, sizeof(cookie2), "lw_session=%s", tok2);
    snprintf(id_s, sizeof(id_s), "%lld", id);
    /* the account page lists both and offers to end them */
    wt_request_init(&t, db, "GET", "/account", cookie, NULL, NULL);
    out = wt_run(&t);
    ck_assert_int_eq(t.r.status, 200);
    ck_assert_ptr_nonnull(strstr(out, "10.1.1.1"));
    ck_assert_ptr_nonnull(strstr(out, "action=\"/logout/everywhere\""));
    wt_request_free(&t);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sessions WHERE user_id = $1::int", id_s), 2);
    /* the POST needs the session's CSRF token */
    wt_request_init(&t, db, "POST", "/logout/everywhere", cookie, "", NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 403);
    wt_request_free(&t);
    snprintf(body, sizeof(body), "csrf_token=%s", csrf);
    wt_request_init(&t, db, "POST", "/logout/everywhere", cookie, body, NULL);
    out = wt_run(&t);
    ck_assert_int_eq(t.r.status, 303);
    ck_assert_ptr_nonnull(strstr(out, "Set-Cookie: lw_session=; "));
    wt_request_free(&t);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sessions WHERE user_id = $1::int", id_s), 0);
    wt_request_init(&t, db, "GET", "/alerts", cookie2, NULL, NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 303);
    wt_request_free(&t);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM audit_log WHERE action = 'logout_all'"
                                   " AND user_id = $1::int AND after->>'sessions' = '2'", id_s), 1);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

/* The cookie lw_req_set_cookie writes for a request from `addr` with
 * extra params. */
static void
cookie_for(const char *addr, const char *proto, const char *xff, int *secure, char *client,
           size_t size)
{
    char a[64], p[64], x[128];
    const char *extra[4] = { a, NULL, NULL, NULL };
    int n = 1;
    wt_request t;

    snprintf(a, sizeof(a), "REMOTE_ADDR=%s", addr);
    if (proto != NULL) {
        snprintf(p, sizeof(p), "HTTP_X_FORWARDED_PROTO=%s", proto);
        extra[n++] = p;
    }
    if (xff != NULL) {
        snprintf(x, sizeof(x), "HTTP_X_FORWARDED_FOR=%s", xff);
        extra[n++] = x;
    }
    wt_request_init(&t, NULL, "GET", "/login", NULL, NULL, extra);
    ck_assert_int_eq(lw_req_set_cookie(&t.r, "lw_session", "tok", "Lax", -1), LW_OK);
    *secure = strstr(t.r.headers.data, "; Secure") != NULL;
    snprintf(client, size, "%s", t.r.remote_addr ? t.r.remote_addr : "");
    wt_request_free(&t);
}

START_TEST(trusted_proxy)
{
    lw_req_settings conf = { 0 };
    char client[64];
    int secure;

    /* no proxy is trusted by default: its headers are anyone's */
    cookie_for("10.0.0.7", "https", "203.0.113.9", &secure, client, sizeof(client));
    ck_assert(!secure);
    ck_assert_str_eq(client, "10.0.0.7");
    conf.trusted_proxies = "10.0.0.7, ::1";
    lw_req_setup(&conf);
    cookie_for("10.0.0.7", "https", NULL, &secure, client, sizeof(client));
    ck_assert(secure);
    cookie_for("10.0.0.7", "HTTPS", NULL, &secure, client, sizeof(client));
    ck_assert(secure);
    cookie_for("::1", "https", NULL, &secure, client, sizeof(client));
    ck_assert(secure);
    cookie_for("10.0.0.7", "http", NULL, &secure, client, sizeof(client));
    ck_assert(!secure);
    cookie_for("10.0.0.8", "https", NULL, &secure, client, sizeof(client));
    ck_assert(!secure);
    /* the client is the last address the trusted proxies did not add */
    cookie_for("10.0.0.7", "https", "198.51.100.1, 203.0.113.9", &secure, client, sizeof(client));
    ck_assert_str_eq(client, "203.0.113.9");
    cookie_for("10.0.0.7", NULL, "203.0.113.9, ::1", &secure, client, sizeof(client));
    ck_assert_str_eq(client, "203.0.113.9");
    cookie_for("10.0.0.7", NULL, "not an address", &secure, client, sizeof(client));
    ck_assert_str_eq(client, "10.0.0.7");
    cookie_for("10.0.0.8", NULL, "203.0.113.9", &secure, client, sizeof(client));
    ck_assert_str_eq(client, "10.0.0.8");
    conf.trusted_proxies = NULL;
    lw_req_setup(&conf);
}
END_TEST

Suite *login_suite(void)
{
    Suite *s = suite_create("login");
    TCase *tc = tcase_create("login");
    TCase *db = tcase_create("login_db");

    tcase_add_test(tc, trusted_proxy);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_throttle_per_address);
    tcase_add_test(db, db_throttle_per_account);
    tcase_add_test(db, db_session_absolute_lifetime);
    tcase_add_test(db, db_logout_everywhere);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, db);
    return s;
}
