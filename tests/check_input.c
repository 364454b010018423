/* check_input.c: what llmwatch-web does with input the database would
 * refuse: invalid UTF-8 and NUL characters in form fields, query
 * parameters and JSON bodies answer 400 naming the field; ids beyond their
 * column's type answer 404 (path) or 400 (query), never a 503 "database
 * not reachable"; writes made with an API token are audited under the
 * token's user. */
#include <json.h>

#include "webtest.h"

/* The status line's code of a response text. */
static int
status_code(const char *out)
{
    return strncmp(out, "Status: ", 8) == 0 ? atoi(out + 8) : -1;
}

/* POST /login with a valid double-submit pair and `fields` (urlencoded);
 * the response into page. db may be NULL (database down). */
static int
login_post(lw_db *db, const char *fields, char *page, size_t size)
{
    char tok[LW_TOKEN_LEN + 1], cookie[128], body[512];
    wt_request t;
    int status;

    ck_assert_int_eq(lw_auth_token(tok), LW_OK);
    snprintf(cookie, sizeof(cookie), "lw_csrf=%s", tok);
    snprintf(body, sizeof(body), "%s&csrf_token=%s", fields, tok);
    wt_request_init(&t, db, "POST", "/login", cookie, body, NULL);
    snprintf(page, size, "%s", wt_run(&t));
    status = t.r.status;
    wt_request_free(&t);
    return status;
}

START_TEST(bad_text_in_forms_is_400)
{
    char page[8192];
    wt_request t;
    const char *out;

    wt_templates();
    /* anonymous, before any database access: not a 503 */
    ck_assert_int_eq(login_post(NULL, "email=a%FF@x.io&password=whatever-long", page,
                                sizeof(page)), 400);
    ck_assert_msg(strstr(page, "email") && strstr(page, "UTF-8"), "%.600s", page);
    ck_assert_int_eq(login_post(NULL, "email=a%C3%28@x.io&password=whatever-long", page,
                                sizeof(page)), 400);
    ck_assert_int_eq(login_post(NULL, "email=a@x.io&password=p%ED%A0%80w", page, sizeof(page)), 400);
    ck_assert_ptr_nonnull(strstr(page, "password"));
    /* NUL: refused and named, not silently dropped */
    ck_assert_int_eq(login_post(NULL, "email=a%00b@x.io&password=whatever-long", page,
                                sizeof(page)), 400);
    ck_assert_msg(strstr(page, "&#39;email&#39;") && strstr(page, "NUL"), "%.600s", page);
    /* valid UTF-8 goes on to the handler (no database here: 503) */
    ck_assert_int_eq(login_post(NULL, "email=%C3%A9l%C3%A8ve@x.io&password=whatever-long", page,
                                sizeof(page)), 503);
    /* query parameters too */
    wt_request_init(&t, NULL, "GET", "/login?next=%2F%FF", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_int_eq(status_code(out), 400);
    ck_assert_ptr_nonnull(strstr(out, "next"));
    wt_request_free(&t);
    wt_request_init(&t, NULL, "GET", "/login?next=%2Fa%00b", NULL, NULL, NULL);
    ck_assert_int_eq(status_code(wt_run(&t)), 400);
    wt_request_free(&t);
    /* a bad field name is not echoed */
    wt_request_init(&t, NULL, "GET", "/login?%FF%FE=1", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_int_eq(status_code(out), 400);
    ck_assert_ptr_null(strstr(out, "\xff"));
    wt_request_free(&t);
    /* machine routes answer in their own format */
    wt_request_init(&t, NULL, "GET", "/api/v1/models?x=%FF", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_int_eq(status_code(out), 400);
    ck_assert_ptr_nonnull(strstr(out, "application/json"));
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

START_TEST(path_ids_match_their_column)
{
    static const struct {
        const char *path;
        int matches;
    } cases[] = {
        { "/rules/2147483647", 1 },             /* rules.id: integer */
        { "/rules/2147483648", 0 },
        { "/rules/3000000000", 0 },
        { "/rules/3000000000/edit", 0 },
        { "/models/2147483648", 0 },            /* models.id: integer */
        { "/models/00000000000000042", 1 },
        { "/alerts/3000000000", 1 },            /* alerts.id: bigint */
        { "/alerts/999999999999999999", 1 },
        { "/reports/3000000000.pdf", 1 },       /* reports.id: bigint */
    };
    static const char *const posts[] = {
        "/alerts/3000000000/acknowledge", "/silences/2147483648/expire",
    };
    wt_request t;
    const lw_route *rt;
    unsigned allow;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(cases); i++) {
        wt_request_init(&t, NULL, "GET", cases[i].path, NULL, NULL, NULL);
        rt = lw_route_match(&t.r, t.r.path, t.r.method, &allow);
        ck_assert_msg((rt != NULL) == cases[i].matches, "%s", cases[i].path);
        if (rt == NULL)
            ck_assert_msg(allow == 0, "%s: a path out of range is unknown, not 405", cases[i].path);
        wt_request_free(&t);
    }
    ck_assert_ptr_nonnull(rt);
    wt_request_init(&t, NULL, "POST", posts[0], NULL, NULL, NULL);
    ck_assert_ptr_nonnull(lw_route_match(&t.r, t.r.path, t.r.method, &allow));
    wt_request_free(&t);
    wt_request_init(&t, NULL, "POST", posts[1], NULL, NULL, NULL);
    ck_assert_ptr_null(lw_route_match(&t.r, t.r.path, t.r.method, &allow));
    wt_request_free(&t);
}
END_TEST

START_TEST(query_ids)
{
    wt_request t;
    long long v;

    wt_request_init(&t, NULL, "GET", "/alerts?rule=42&big=3000000000&neg=-1&txt=4x&zero=0&e=",
                    NULL, NULL, NULL);
    ck_assert_int_eq(lw_req_query_id(&t.r, "rule", LW_REQ_ID_INT, &v), 1);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(lw_req_query_id(&t.r, "absent", LW_REQ_ID_INT, &v), 0);
    ck_assert_int_eq(lw_req_query_id(&t.r, "e", LW_REQ_ID_INT, &v), 0);
    ck_assert_int_eq(lw_req_query_id(&t.r, "big", LW_REQ_ID_INT, &v), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(t.r.err.msg, "big"));
    ck_assert_int_eq(lw_req_query_id(&t.r, "big", LW_REQ_ID_BIGINT, &v), 1);
    ck_assert_int_eq(v, 3000000000LL);
    ck_assert_int_eq(lw_req_query_id(&t.r, "neg", LW_REQ_ID_BIGINT, &v), LW_EINVAL);
    ck_assert_int_eq(lw_req_query_id(&t.r, "txt", LW_REQ_ID_BIGINT, &v), LW_EINVAL);
    ck_assert_int_eq(lw_req_query_id(&t.r, "zero", LW_REQ_ID_BIGINT, &v), LW_EINVAL);
    wt_request_free(&t);
}
END_TEST

/* ---- with the database ---- */

static int
get_status(lw_db *db, const char *method, const char *uri, const char *cookie, const char *body,
           char *page, size_t size)
{
    wt_request t;
    int status;

    wt_request_init(&t, db, method, uri, cookie, body, NULL);
    snprintf(page, size, "%s", wt_run(&t));
    status = t.r.status;
    wt_request_free(&t);
    return status;
}

START_TEST(db_out_of_range_ids)
{
    static const struct {
        const char *uri;
        int status;
    } cases[] = {
        { "/rules/3000000000", 404 },
        { "/models/3000000000", 404 },
        { "/alerts/3000000000", 404 },
        { "/alerts/999999999999999999", 404 },
        { "/reports/3000000000.csv", 404 },
        { "/alerts?rule=3000000000", 400 },
        { "/alerts?rule=abc", 400 },
        { "/alerts?rule=12", 200 },
        { "/admin/audit?before=x", 400 },
        { "/admin/audit?before=99999999999", 200 },
        { "/rules/new?copy=3000000000", 400 },
        { "/silences/new?alert=99999999999", 200 },
        { "/silences/new?alert=x", 400 },
    };
    char cookie[160], csrf[LW_TOKEN_LEN + 1], page[8192], body[300];
    lw_db *db = wt_db("db_out_of_range_ids");
    size_t i;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "admin", cookie, csrf);
    for (i = 0; i < LW_ARRAY_LEN(cases); i++)
        ck_assert_msg(get_status(db, "GET", cases[i].uri, cookie, NULL, page, sizeof(page))
                      == cases[i].status, "%s: %.300s", cases[i].uri, page);
    /* POSTs of editors: text that PostgreSQL would refuse */
    snprintf(body, sizeof(body), "csrf_token=%s&rule=x&comment=caf%%E9&duration=2h", csrf);
    ck_assert_int_eq(get_status(db, "POST", "/silences/new", cookie, body, page, sizeof(page)), 400);
    ck_assert_ptr_nonnull(strstr(page, "comment"));
    snprintf(body, sizeof(body), "csrf_token=%s", csrf);
    ck_assert_int_eq(get_status(db, "POST", "/alerts/3000000000/acknowledge", cookie, body, page,
                                sizeof(page)), 404);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

/* POST /api/v1/rules with a session (cookie + csrf) or a token (auth). */
static int
api_post(lw_db *db, const char *cookie, const char *csrf, const char *auth, const char *json,
         char *out, size_t outsz)
{
    char len[48], hdr[100];
    const char *extra[4] = { "CONTENT_TYPE=application/json", len, hdr, NULL };
    wt_request t;
    int status;

    snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(json));
    if (auth != NULL)
        snprintf(hdr, sizeof(hdr), "HTTP_AUTHORIZATION=Bearer %s", auth);
    else
        snprintf(hdr, sizeof(hdr), "HTTP_X_CSRF_TOKEN=%s", csrf);
    wt_request_init(&t, db, "POST", "/api/v1/rules", cookie, NULL, extra);
    ck_assert_int_eq(lw_req_set_body(&t.r, json, strlen(json)), LW_OK);
    snprintf(out, outsz, "%s", wt_run(&t));
    status = t.r.status;
    wt_request_free(&t);
    return status;
}

START_TEST(db_api_text_and_audit)
{
    char cookie[160], csrf[LW_TOKEN_LEN + 1], tok[LW_TOKEN_LEN + 1], json[400], page[8192];
    lw_db *db = wt_db("db_api_text_and_audit");
    lw_err err = { { 0 } };
    const char *p[1];
    PGresult *res;
    long long uid, tid;

    if (db == NULL)
        return;
    wt_templates();
    uid = wt_user(db, "editor", cookie, csrf);
    /* NUL in a JSON string: 400 naming the field, nothing stored */
    snprintf(json, sizeof(json), "{\"name\": \"nul\\u0000%.8s\", \"condition\": \"error_rate > 0.5\"}",
             csrf);
    ck_assert_int_eq(api_post(db, cookie, csrf, NULL, json, page, sizeof(page)), 400);
    ck_assert_msg(strstr(page, "name") && strstr(page, "NUL"), "%.400s", page);
    snprintf(json, sizeof(json), "{\"name\": \"nul%.8s\", \"runbook\": \"a\\u0000b\","
             " \"condition\": \"error_rate > 0.5\"}", csrf);
    ck_assert_int_eq(api_post(db, cookie, csrf, NULL, json, page, sizeof(page)), 400);
    ck_assert_ptr_nonnull(strstr(page, "runbook"));
    snprintf(json, sizeof(json), "{\"name\": \"nul%.8s\", \"models\": [\"gpt-4\", \"x\\u0000\"],"
             " \"condition\": \"error_rate > 0.5\"}", csrf);
    ck_assert_int_eq(api_post(db, cookie, csrf, NULL, json, page, sizeof(page)), 400);
    ck_assert_ptr_nonnull(strstr(page, "models"));
    /* a number beyond its column: a field error, not a database error */
    snprintf(json, sizeof(json), "{\"name\": \"long for %.8s\", \"condition\": \"error_rate > 0.5\","
             " \"for\": \"100000 days\", \"cooldown\": 9999999999}", csrf);
    ck_assert_int_eq(api_post(db, cookie, csrf, NULL, json, page, sizeof(page)), 422);
    ck_assert_ptr_nonnull(strstr(page, "\"field\":\"for\""));
    ck_assert_ptr_nonnull(strstr(page, "\"field\":\"cooldown\""));
    /* invalid UTF-8 inside a JSON string */
    snprintf(json, sizeof(json), "{\"name\": \"bad\xff%.8s\", \"condition\": \"error_rate > 0.5\"}",
             csrf);
    ck_assert_int_eq(api_post(db, cookie, csrf, NULL, json, page, sizeof(page)), 400);
    ck_assert_ptr_nonnull(strstr(page, "UTF-8"));
    p[0] = csrf;
    res = lw_db_query(db, &err, "SELECT count(*) FROM rules WHERE name LIKE 'nul%' || left($1, 8)"
                      " OR name LIKE 'bad%'", 1, p);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_str_eq(lw_db_str(res, 0, 0), "0");
    PQclear(res);

    /* a token's write is audited under its user, naming the token */
    ck_assert_int_eq(lw_auth_token(tok), LW_OK);
    ck_assert_int_eq(lw_db_users_api_token_create(db, &err, uid, "ci-bot", "editor", tok, &tid),
                     LW_OK);
    snprintf(json, sizeof(json), "{\"name\": \"by token %.8s\", \"condition\": \"error_rate > 0.5\"}",
             csrf);
    ck_assert_int_eq(api_post(db, NULL, NULL, tok, json, page, sizeof(page)), 201);
    res = lw_db_query(db, &err,
                      "SELECT a.user_id = u.id, a.actor, u.email FROM audit_log a"
                      " JOIN rules r ON a.object_type = 'rule' AND a.object_id = r.id::text"
                      " JOIN users u ON u.id = r.created_by"
                      " WHERE r.name = 'by token ' || left($1, 8)", 1, p);
    ck_assert_msg(res != NULL, "%s", err.msg);
    ck_assert_int_eq(PQntuples(res), 1);
    ck_assert(lw_db_bool(res, 0, 0));
    ck_assert_msg(strncmp(lw_db_str(res, 0, 1), lw_db_str(res, 0, 2), strlen(lw_db_str(res, 0, 2))) == 0,
                  "actor '%s' is not the user '%s'", lw_db_str(res, 0, 1), lw_db_str(res, 0, 2));
    ck_assert_ptr_nonnull(strstr(lw_db_str(res, 0, 1), "ci-bot"));
    PQclear(res);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

Suite *input_suite(void)
{
    Suite *s = suite_create("input");
    TCase *tc = tcase_create("input");
    TCase *db = tcase_create("input_db");

    tcase_add_test(tc, bad_text_in_forms_is_400);
    tcase_add_test(tc, path_ids_match_their_column);
    tcase_add_test(tc, query_ids);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_out_of_range_ids);
    tcase_add_test(db, db_api_text_and_audit);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, db);
    return s;
}
