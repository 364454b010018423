/* check_routes.c: the dispatch table and the checks made once in
 * app/routes.c: matching and path parameters, 404, 405 + Allow, login
 * redirects, 401 for machines, roles, CSRF, 413; then, with a test
 * database, the same through real sessions. */
#include "webtest.h"

static const lw_route *
match(const char *method, const char *path, unsigned *allow, wt_request *t)
{
    wt_request_init(t, NULL, method, path, NULL, NULL, NULL);
    return lw_route_match(&t->r, t->r.path, t->r.method, allow);
}

START_TEST(patterns_and_params)
{
    wt_request t;
    const lw_route *rt;
    unsigned allow;

    rt = match("GET", "/", &allow, &t);
    ck_assert_ptr_nonnull(rt);
    ck_assert(rt->handler == lw_page_dashboard);
    wt_request_free(&t);

    rt = match("GET", "/models/42", &allow, &t);
    ck_assert_ptr_nonnull(rt);
    ck_assert(rt->handler == lw_page_model);
    ck_assert_str_eq(lw_req_path_param(&t.r, "id"), "42");
    ck_assert_int_eq(lw_req_id(&t.r), 42);
    wt_request_free(&t);

    rt = match("GET", "/reports/7.pdf", &allow, &t);
    ck_assert_ptr_nonnull(rt);
    ck_assert(rt->handler == lw_page_report_file);
    ck_assert_int_eq(lw_req_id(&t.r), 7);
    wt_request_free(&t);

    rt = match("GET", "/alerts/", &allow, &t);   /* trailing slash */
    ck_assert_ptr_nonnull(rt);
    ck_assert(rt->handler == lw_page_alerts);
    wt_request_free(&t);

    /* parameters are digits only; suffixes must match exactly */
    const char *misses[] = { "/models/abc", "/models/", "/models/1/2", "/models/-1",
                             "/reports/7.txt", "/reports/7", "/reports/x.pdf", "/nope",
                             "/admin", "/models/1234567890123456789", "/rules/abc" };
    for (size_t i = 0; i < LW_ARRAY_LEN(misses); i++) {
        rt = match("GET", misses[i], &allow, &t);
        ck_assert_msg(rt == NULL && allow == 0, "%s matched", misses[i]);
        wt_request_free(&t);
    }
}
END_TEST

START_TEST(wrong_method)
{
    wt_request t;
    unsigned allow;
    const char *out;

    ck_assert_ptr_null(match("GET", "/logout", &allow, &t));
    ck_assert_uint_eq(allow, LW_POST);
    wt_request_free(&t);
    ck_assert_ptr_null(match("POST", "/alerts", &allow, &t));
    ck_assert_uint_eq(allow, LW_GET);
    wt_request_free(&t);
    ck_assert_ptr_null(match("DELETE", "/admin/users", &allow, &t));
    ck_assert_uint_eq(allow, LW_GET | LW_POST);
    wt_request_free(&t);

    wt_templates();
    wt_request_init(&t, NULL, "GET", "/logout", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 405 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "\r\nAllow: POST\r\n"));
    ck_assert_ptr_nonnull(strstr(out, "<!DOCTYPE html>"));
    wt_request_free(&t);
    wt_request_init(&t, NULL, "PUT", "/admin/users", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 405 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "\r\nAllow: GET, HEAD, POST\r\n"));
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

START_TEST(unknown_path_is_404_page)
{
    wt_request t;
    const char *out;

    wt_templates();
    wt_request_init(&t, NULL, "GET", "/no/such/page?x=1", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 404 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "Content-Type: text/html; charset=utf-8\r\n"));
    ck_assert_ptr_nonnull(strstr(out, "Page not found"));
    ck_assert_ptr_nonnull(strstr(out, "X-Frame-Options: DENY\r\n"));
    ck_assert_ptr_nonnull(strstr(out, "Content-Security-Policy: default-src 'self'"));
    wt_request_free(&t);
    /* under /api/ errors are JSON */
    wt_request_init(&t, NULL, "GET", "/api/v1/nothing", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 404 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "Content-Type: application/json\r\n"));
    ck_assert_ptr_nonnull(strstr(out, "\"status\":404"));
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

START_TEST(anonymous_is_sent_to_login)
{
    wt_request t;
    const char *out;

    wt_templates();
    wt_request_init(&t, NULL, "GET", "/alerts?state=firing&x=%2F", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 303 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "\r\nLocation: /login?next=/alerts%3Fstate%3Dfiring%26x%3D%252F\r\n"));
    wt_request_free(&t);
    /* programs get 401, not a redirect */
    wt_request_init(&t, NULL, "GET", "/api/v1/models", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 401 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "WWW-Authenticate: Bearer"));
    ck_assert_ptr_nonnull(strstr(out, "application/json"));
    wt_request_free(&t);
    wt_request_init(&t, NULL, "GET", "/metrics", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 401 ", 12) == 0, "%.80s", out);
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

/* Role checks without a database: r->user set by hand, lw_route_check. */
static int
check_as(int role, const char *path)
{
    wt_request t;
    const lw_route *rt;
    unsigned allow;
    int status;

    rt = match("GET", path, &allow, &t);
    ck_assert_ptr_nonnull(rt);
    if (role != LW_ROLE_ANON) {
        t.r.user.id = 1;
        t.r.user.email = "someone@example.com";
        t.r.user.role = role;
        t.r.user.csrf = "c";
    }
    status = lw_route_check(&t.r, rt) == LW_OK ? 200 : t.r.status;
    wt_request_free(&t);
    return status;
}

START_TEST(role_checks)
{
    /* an admin page */
    ck_assert_int_eq(check_as(LW_ROLE_ANON, "/admin/users"), 303);
    ck_assert_int_eq(check_as(LW_ROLE_VIEWER, "/admin/users"), 403);
    ck_assert_int_eq(check_as(LW_ROLE_COMPLIANCE, "/admin/users"), 403);
    ck_assert_int_eq(check_as(LW_ROLE_EDITOR, "/admin/users"), 403);
    ck_assert_int_eq(check_as(LW_ROLE_ADMIN, "/admin/users"), 200);
    /* a viewer page */
    ck_assert_int_eq(check_as(LW_ROLE_ANON, "/alerts"), 303);
    ck_assert_int_eq(check_as(LW_ROLE_VIEWER, "/alerts"), 200);
    ck_assert_int_eq(check_as(LW_ROLE_COMPLIANCE, "/alerts"), 200);
    ck_assert_int_eq(check_as(LW_ROLE_EDITOR, "/alerts"), 200);
    ck_assert_int_eq(check_as(LW_ROLE_ADMIN, "/alerts"), 200);
    /* compliance pages */
    ck_assert_int_eq(check_as(LW_ROLE_VIEWER, "/sla"), 403);
    ck_assert_int_eq(check_as(LW_ROLE_COMPLIANCE, "/sla"), 200);
    ck_assert_int_eq(check_as(LW_ROLE_COMPLIANCE, "/admin/audit"), 200);
    ck_assert_int_eq(check_as(LW_ROLE_VIEWER, "/reports/3.pdf"), 403);
    ck_assert_int_eq(check_as(LW_ROLE_EDITOR, "/reports"), 200);
    /* anonymous pages */
    ck_assert_int_eq(check_as(LW_ROLE_ANON, "/login"), 200);
    ck_assert_int_eq(check_as(LW_ROLE_ANON, "/healthz"), 200);
}
END_TEST

START_TEST(every_post_needs_csrf)
{
    size_t n, i;
    const lw_route *rt = lw_routes(&n);

    for (i = 0; i < n; i++)
        if (rt[i].methods & LW_POST)
            ck_assert_msg(rt[i].csrf != LW_CSRF_NONE, "%s takes POST without CSRF", rt[i].pattern);
}
END_TEST

static int
post_as_admin(const char *field, const char *header)
{
    char body[256];
    const char *extra[2] = { header, NULL };
    wt_request t;
    const lw_route *rt;
    unsigned allow;
    int status;

    snprintf(body, sizeof(body), "email=a%%40b.example&role=viewer%s%s", field ? "&csrf_token=" : "",
             field ? field : "");
    wt_request_init(&t, NULL, "POST", "/admin/users", NULL, body, header ? extra : NULL);
    rt = lw_route_match(&t.r, t.r.path, t.r.method, &allow);
    ck_assert_ptr_nonnull(rt);
    t.r.user.id = 1;
    t.r.user.email = "admin@example.com";
    t.r.user.role = LW_ROLE_ADMIN;
    t.r.user.csrf = "5ec2e7";
    status = lw_route_check(&t.r, rt) == LW_OK ? 200 : t.r.status;
    wt_request_free(&t);
    return status;
}

START_TEST(csrf_session_token)
{
    ck_assert_int_eq(post_as_admin(NULL, NULL), 403);
    ck_assert_int_eq(post_as_admin("", NULL), 403);
    ck_assert_int_eq(post_as_admin("5ec2e", NULL), 403);
    ck_assert_int_eq(post_as_admin("5ec2e70", NULL), 403);
    ck_assert_int_eq(post_as_admin("5EC2E7", NULL), 403);
    ck_assert_int_eq(post_as_admin("5ec2e7", NULL), 200);
    ck_assert_int_eq(post_as_admin(NULL, "HTTP_X_CSRF_TOKEN=5ec2e7"), 200);
    ck_assert_int_eq(post_as_admin(NULL, "HTTP_X_CSRF_TOKEN=nope"), 403);
}
END_TEST

START_TEST(csrf_login_double_submit)
{
    char tok[LW_TOKEN_LEN + 1], cookie[128], body[256];
    wt_request t;
    const char *out;

    wt_templates();
    ck_assert_int_eq(lw_auth_token(tok), LW_OK);
    snprintf(cookie, sizeof(cookie), "lw_csrf=%s", tok);
    /* no token, or a token without its cookie: refused before any check */
    wt_request_init(&t, NULL, "POST", "/login", cookie, "email=a%40b.c&password=x", NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 403 ", 12) == 0, "%.80s", out);
    wt_request_free(&t);
    snprintf(body, sizeof(body), "email=a%%40b.c&password=x&csrf_token=%s", tok);
    wt_request_init(&t, NULL, "POST", "/login", NULL, body, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 403 ", 12) == 0, "%.80s", out);
    wt_request_free(&t);
    /* matching pair: the check passes and the handler runs (then finds
     * no database: 503) */
    wt_request_init(&t, NULL, "POST", "/login", cookie, body, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 503 ", 12) == 0, "%.80s", out);
    wt_request_free(&t);
    /* the GET sets the cookie and puts the same token in the form */
    wt_request_init(&t, NULL, "GET", "/login?next=/alerts", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "Set-Cookie: lw_csrf="));
    ck_assert_ptr_nonnull(strstr(out, "; HttpOnly; SameSite=Strict"));
    {
        const char *c = strstr(out, "lw_csrf=") + 8;
        char expect[200];

        snprintf(expect, sizeof(expect), "name=\"csrf_token\" value=\"%.64s\"", c);
        ck_assert_ptr_nonnull(strstr(out, expect));
    }
    ck_assert_ptr_nonnull(strstr(out, "name=\"next\" value=\"/alerts\""));
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

START_TEST(body_too_large_is_413)
{
    char len[32];
    const char *extra[] = { "CONTENT_TYPE=application/x-www-form-urlencoded", NULL, NULL };
    wt_request t;
    const char *out;

    wt_templates();
    snprintf(len, sizeof(len), "CONTENT_LENGTH=%d", LW_MAX_BODY + 1);
    extra[1] = len;
    wt_request_init(&t, NULL, "POST", "/login", NULL, NULL, extra);
    ck_assert_int_eq(t.r.body_status, 413);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 413 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "larger than 1 MiB"));
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

START_TEST(database_down_is_503)
{
    wt_request t;
    const char *out;

    wt_templates();
    wt_request_init(&t, NULL, "GET", "/healthz", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 503 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "\r\n\r\ndatabase unavailable\n"));
    wt_request_free(&t);
    /* a session cookie cannot be checked: 503 page, not a login redirect */
    wt_request_init(&t, NULL, "GET", "/",
                    "lw_session=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                    NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 503 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "Service unavailable"));
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

START_TEST(request_parsing)
{
    const char *extra[] = { "HTTPS=on", "HTTP_COOKIE=a=1; lw_session=xyz;b=2", NULL };
    wt_request t;

    wt_request_init(&t, NULL, "POST", "/login?q=a+b&e=%3Cx%3E&bad=%zz&=noname",
                    NULL, "email=a%40b.c&password=p%26w+d&next=%2Fmodels%2F1", extra);
    ck_assert_str_eq(t.r.path, "/login");
    ck_assert_str_eq(lw_req_query(&t.r, "q"), "a b");
    ck_assert_str_eq(lw_req_query(&t.r, "e"), "<x>");
    ck_assert_ptr_null(lw_req_query(&t.r, "bad"));
    ck_assert_str_eq(lw_req_form(&t.r, "password"), "p&w d");
    ck_assert_str_eq(lw_req_param(&t.r, "next"), "/models/1");
    ck_assert_ptr_null(lw_req_form(&t.r, "q"));     /* form fields are the body's only */
    ck_assert_str_eq(lw_req_param(&t.r, "q"), "a b");
    ck_assert_str_eq(lw_req_cookie(&t.r, "lw_session"), "xyz");
    ck_assert_str_eq(lw_req_cookie(&t.r, "b"), "2");
    ck_assert(t.r.https);
    ck_assert_int_eq(lw_req_set_cookie(&t.r, "lw_session", "tok", "Lax", -1), LW_OK);
    ck_assert_str_eq(t.r.headers.data, "Set-Cookie: lw_session=tok; Path=/; HttpOnly; SameSite=Lax; Secure\r\n");
    ck_assert_int_eq(lw_req_add_header(&t.r, "X-Bad", "a\r\nSet-Cookie: x=y"), LW_EINVAL);
    wt_request_free(&t);
    /* without DOCUMENT_URI: REQUEST_URI, decoded, without its query */
    {
        const char *env2[] = { "REQUEST_METHOD=HEAD", "REQUEST_URI=/models/%31?x=1", NULL };
        lw_req r;

        ck_assert_int_eq(lw_req_init(&r, (char **) env2, NULL, NULL), LW_OK);
        ck_assert_str_eq(r.path, "/models/1");
        ck_assert_str_eq(r.method, "GET");
        ck_assert(r.head);
        lw_req_free(&r);
    }
}
END_TEST

/* ---- the same through real sessions (needs $LW_TEST_DATABASE_URL) ---- */

static int
status_of(lw_db *db, const char *method, const char *path, const char *cookie, const char *body)
{
    wt_request t;
    int status;

    wt_request_init(&t, db, method, path, cookie, body, NULL);
    wt_run(&t);
    status = t.r.status;
    wt_request_free(&t);
    return status;
}

START_TEST(db_roles_and_csrf)
{
    static const char *roles[] = { "viewer", "compliance", "editor", "admin" };
    static const int admin_page[] = { 403, 403, 403, 200 };
    static const int sla_page[] = { 403, 200, 200, 200 };
    char cookie[160], csrf[LW_TOKEN_LEN + 1], body[300];
    lw_db *db = wt_db("db_roles_and_csrf");
    PGresult *res;
    lw_err err = { { 0 } };
    size_t i;

    if (db == NULL)
        return;
    wt_templates();
    for (i = 0; i < LW_ARRAY_LEN(roles); i++) {
        wt_user(db, roles[i], cookie, csrf);
        ck_assert_int_eq(status_of(db, "GET", "/", cookie, NULL), 200);
        ck_assert_int_eq(status_of(db, "GET", "/alerts", cookie, NULL), 200);
        ck_assert_int_eq(status_of(db, "GET", "/admin/users", cookie, NULL), admin_page[i]);
        ck_assert_int_eq(status_of(db, "GET", "/sla", cookie, NULL), sla_page[i]);
    }
    /* cookie is now an admin's: creating a user needs the session's token */
    snprintf(body, sizeof(body), "email=made-%.8s%%40test.example&role=editor", csrf);
    ck_assert_int_eq(status_of(db, "POST", "/admin/users", cookie, body), 403);
    snprintf(body + strlen(body), sizeof(body) - strlen(body), "&csrf_token=%s", csrf);
    ck_assert_int_eq(status_of(db, "POST", "/admin/users", cookie, body), 200);
    ck_assert_int_eq(status_of(db, "POST", "/admin/users", cookie, body), 422);  /* duplicate */
    {
        const char *p[1] = { csrf };

        res = lw_db_query(db, &err,
                          "SELECT u.role, a.action, a.after->>'email' FROM users u JOIN audit_log a"
                          " ON a.object_type = 'user' AND a.object_id = u.id::text"
                          " WHERE u.email = 'made-' || left($1, 8) || '@test.example'", 1, p);
    }
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    ck_assert_str_eq(lw_db_str(res, 0, 0), "editor");
    ck_assert_str_eq(lw_db_str(res, 0, 1), "create");
    PQclear(res);
    /* a forged or unknown session is anonymous */
    ck_assert_int_eq(status_of(db, "GET", "/alerts",
                               "lw_session=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                               NULL), 303);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_login_logout)
{
    char email[96], body[400], cookie[200], tok[LW_TOKEN_LEN + 1], hash[LW_HASH_MAX];
    lw_db *db = wt_db("db_login_logout");
    lw_err err = { { 0 } };
    wt_request t;
    const char *out, *c;
    long long id;

    if (db == NULL)
        return;
    wt_templates();
    ck_assert_int_eq(lw_auth_token(tok), LW_OK);
    snprintf(email, sizeof(email), "login-%.10s@test.example", tok);
    ck_assert_int_eq(lw_auth_hash_password("right-password", hash, sizeof(hash), &err), LW_OK);
    ck_assert_int_eq(lw_db_users_create(db, &err, email, "viewer", hash, &id), LW_OK);
    snprintf(cookie, sizeof(cookie), "lw_csrf=%s", tok);

    /* wrong password: the form again, the email kept, 401 */
    snprintf(body, sizeof(body), "csrf_token=%s&email=%s&password=wrong&next=%%2Falerts", tok, email);
    wt_request_init(&t, db, "POST", "/login", cookie, body, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 401 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "Wrong email or password."));
    ck_assert_ptr_nonnull(strstr(out, email));
    ck_assert_ptr_null(strstr(out, "lw_session="));
    wt_request_free(&t);

    /* right password over HTTPS: session cookie (Secure), 303 to next */
    snprintf(body, sizeof(body), "csrf_token=%s&email=%s&password=right-password&next=%%2Falerts",
             tok, email);
    {
        const char *https[] = { "HTTPS=on", NULL };

        wt_request_init(&t, db, "POST", "/login", cookie, body, https);
    }
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 303 ", 12) == 0, "%.80s", out);
    ck_assert_ptr_nonnull(strstr(out, "\r\nLocation: /alerts\r\n"));
    c = strstr(out, "Set-Cookie: lw_session=");
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(strstr(c, "; Path=/; HttpOnly; SameSite=Lax; Secure\r\n"));
    snprintf(cookie, sizeof(cookie), "lw_session=%.64s", c + 23);
    wt_request_free(&t);
    ck_assert_int_eq(status_of(db, "GET", "/alerts", cookie, NULL), 200);

    /* an open redirect is refused: next=//evil.example goes to / */
    snprintf(body, sizeof(body),
             "csrf_token=%s&email=%s&password=right-password&next=%%2F%%2Fevil.example", tok, email);
    {
        char c2[120];

        snprintf(c2, sizeof(c2), "lw_csrf=%s", tok);
        wt_request_init(&t, db, "POST", "/login", c2, body, NULL);
    }
    out = wt_run(&t);
    ck_assert_ptr_nonnull(strstr(out, "\r\nLocation: /\r\n"));
    wt_request_free(&t);

    /* logout needs the CSRF token, then ends the session on the server */
    ck_assert_int_eq(status_of(db, "POST", "/logout", cookie, ""), 403);
    {
        PGresult *res;
        const char *p[1] = { cookie + 11 };
        char b2[100];

        res = lw_db_users_by_session(db, &err, p[0], LW_SESSION_LIFETIME_DEFAULT);
        ck_assert_ptr_nonnull(res);
        ck_assert_int_eq(PQntuples(res), 1);
        snprintf(b2, sizeof(b2), "csrf_token=%s", lw_db_str(res, 0, 3));
        ck_assert_int_eq(status_of(db, "POST", "/logout", cookie, b2), 303);
        PQclear(res);
    }
    ck_assert_int_eq(status_of(db, "GET", "/alerts", cookie, NULL), 303);

    /* a disabled user cannot log in */
    ck_assert_int_eq(lw_db_users_disable(db, &err, email), 1);
    snprintf(body, sizeof(body), "csrf_token=%s&email=%s&password=right-password", tok, email);
    snprintf(cookie, sizeof(cookie), "lw_csrf=%s", tok);
    ck_assert_int_eq(status_of(db, "POST", "/login", cookie, body), 401);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_machine_routes)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], tok[LW_TOKEN_LEN + 1], auth[120];
    const char *extra[2] = { auth, NULL };
    lw_db *db = wt_db("db_machine_routes");
    lw_err err = { { 0 } };
    wt_request t;
    const char *out;
    long long uid, tid;

    if (db == NULL)
        return;
    wt_templates();
    ck_assert_int_eq(status_of(db, "GET", "/healthz", NULL, NULL), 200);
    uid = wt_user(db, "viewer", cookie, csrf);
    ck_assert_int_eq(lw_auth_token(tok), LW_OK);
    ck_assert_int_eq(lw_db_users_api_token_create(db, &err, uid, "test", "viewer", tok, &tid), LW_OK);
    snprintf(auth, sizeof(auth), "HTTP_AUTHORIZATION=Bearer %s", tok);
    wt_request_init(&t, db, "GET", "/api/v1/models", NULL, NULL, extra);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%.200s", out);
    ck_assert_ptr_nonnull(strstr(out, "{\"models\":["));
    wt_request_free(&t);
    wt_request_init(&t, db, "GET", "/metrics", NULL, NULL, extra);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%.200s", out);
    ck_assert_ptr_nonnull(strstr(out, "\nllmwatch_up 1\n"));
    wt_request_free(&t);
    /* a wrong token is not a viewer */
    snprintf(auth, sizeof(auth), "HTTP_AUTHORIZATION=Bearer %064d", 7);
    wt_request_init(&t, db, "GET", "/metrics", NULL, NULL, extra);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 401 ", 12) == 0, "%.80s", out);
    wt_request_free(&t);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

Suite *routes_suite(void)
{
    Suite *s = suite_create("routes");
    TCase *tc = tcase_create("routes");
    TCase *db = tcase_create("routes_db");

    tcase_add_test(tc, patterns_and_params);
    tcase_add_test(tc, wrong_method);
    tcase_add_test(tc, unknown_path_is_404_page);
    tcase_add_test(tc, anonymous_is_sent_to_login);
    tcase_add_test(tc, role_checks);
    tcase_add_test(tc, every_post_needs_csrf);
    tcase_add_test(tc, csrf_session_token);
    tcase_add_test(tc, csrf_login_double_submit);
    tcase_add_test(tc, body_too_large_is_413);
    tcase_add_test(tc, database_down_is_503);
    tcase_add_test(tc, request_parsing);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_roles_and_csrf);
    tcase_add_test(db, db_login_logout);
    tcase_add_test(db, db_machine_routes);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, db);
    return s;
}
