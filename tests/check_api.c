/* check_api.c: the JSON API. The OpenAPI document is valid JSON of
 * OpenAPI 3.1 whose every $ref resolves, and it describes exactly the
 * /api/v1 routes of the table (both ways, method by method); errors have
 * one shape ({"error":{"code","message","field"}}) naming the parameter
 * or body member at fault; lists page with a cursor; the data endpoints
 * answer from a private database. */
#include <check.h>
#include <json.h>

#include "api.h"
#include "crypto.h"
#include "testdb.h"
#include "webtest.h"

static lw_testdb tdb;

static void
private_db_setup(void)
{
    (void) wt_db;   /* this suite has a private database */
    lw_testdb_setup(&tdb, "check_api");
}

static void
private_db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

/* GET (or POST with a JSON body) path; the body's JSON into *out (caller
 * puts), the status returned. */
static int
call(lw_db *db, const char *method, const char *path, const char *cookie, const char *json,
     json_object **out)
{
    char len[48];
    const char *extra[3] = { "CONTENT_TYPE=application/json", len, NULL };
    const char *resp, *body;
    wt_request t;
    int status;

    snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", json ? strlen(json) : 0);
    wt_request_init(&t, db, method, path, cookie, NULL, json ? extra : NULL);
    if (json != NULL)
        ck_assert_int_eq(lw_req_set_body(&t.r, json, strlen(json)), LW_OK);
    resp = wt_run(&t);
    body = strstr(resp, "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    ck_assert_msg(strstr(resp, "Content-Type: application/json") != NULL, "%.300s", resp);
    *out = json_tokener_parse(body + 4);
    ck_assert_msg(*out != NULL, "not JSON: %.300s", body + 4);
    status = t.r.status;
    wt_request_free(&t);
    return status;
}

static const char *
str_at(json_object *o, const char *a, const char *b)
{
    json_object *v;

    if (!json_object_object_get_ex(o, a, &v))
        return NULL;
    if (b != NULL && !json_object_object_get_ex(v, b, &v))
        return NULL;
    return json_object_is_type(v, json_type_null) ? NULL : json_object_get_string(v);
}

/* ---- the OpenAPI document ---- */

/* Every {"$ref": "#/a/b"} of o resolves in root. */
static void
refs_resolve(json_object *root, json_object *o)
{
    json_object_iter it, *dummy = NULL;
    json_object *v, *at;
    char path[256], *tok, *save;
    size_t i, n;

    (void) dummy;
    if (json_object_is_type(o, json_type_array)) {
        n = json_object_array_length(o);
        for (i = 0; i < n; i++)
            refs_resolve(root, json_object_array_get_idx(o, i));
        return;
    }
    if (!json_object_is_type(o, json_type_object))
        return;
    if (json_object_object_get_ex(o, "$ref", &v)) {
        ck_assert_msg(strncmp(json_object_get_string(v), "#/", 2) == 0, "external $ref %s",
                      json_object_get_string(v));
        snprintf(path, sizeof(path), "%s", json_object_get_string(v) + 2);
        at = root;
        for (tok = strtok_r(path, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
            ck_assert_msg(json_object_object_get_ex(at, tok, &at), "unresolved $ref %s",
                          json_object_get_string(v));
    }
    json_object_object_foreachC(o, it)
        refs_resolve(root, it.val);
}

START_TEST(openapi_matches_route_table)
{
    static const char *const methods[] = { "get", "post" };
    json_object *doc, *paths, *item, *op;
    const lw_route *routes;
    char path[200], *colon, *close;
    size_t n, i, m, documented = 0, in_table = 0;
    struct json_object_iterator it, end;

    wt_templates();
    ck_assert_int_eq(call(NULL, "GET", "/api/v1/openapi.json", NULL, NULL, &doc), 200);
    ck_assert_str_eq(str_at(doc, "openapi", NULL), "3.1.0");
    ck_assert_ptr_nonnull(str_at(doc, "info", "title"));
    ck_assert(json_object_object_get_ex(doc, "paths", &paths));
    refs_resolve(doc, doc);
    /* table -> document */
    routes = lw_routes(&n);
    for (i = 0; i < n; i++) {
        if (strncmp(routes[i].pattern, "/api/v1/", 8) != 0)
            continue;
        /* {id:bigint} is {id} in OpenAPI */
        snprintf(path, sizeof(path), "%s", routes[i].pattern);
        while ((colon = strchr(path, ':')) != NULL && (close = strchr(colon, '}')) != NULL)
            memmove(colon, close, strlen(close) + 1);
        ck_assert_msg(json_object_object_get_ex(paths, path, &item), "route %s is not in the "
                      "OpenAPI document", path);
        for (m = 0; m < 2; m++) {
            if (!(routes[i].methods & (m == 0 ? LW_GET : LW_POST)))
                continue;
            ck_assert_msg(json_object_object_get_ex(item, methods[m], &op), "%s %s is not in the "
                          "OpenAPI document", methods[m], path);
            ck_assert_msg(json_object_object_get_ex(op, "responses", NULL), "%s %s: no responses",
                          methods[m], path);
            in_table++;
        }
    }
    /* document -> table */
    it = json_object_iter_begin(paths);
    end = json_object_iter_end(paths);
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        const char *p = json_object_iter_peek_name(&it);
        unsigned allow = 0;
        wt_request t;

        item = json_object_iter_peek_value(&it);
        /* a concrete path of the pattern: {x} -> 1 */
        snprintf(path, sizeof(path), "%s", p);
        while ((colon = strchr(path, '{')) != NULL && (close = strchr(colon, '}')) != NULL) {
            *colon = '1';
            memmove(colon + 1, close + 1, strlen(close + 1) + 1);
        }
        wt_request_init(&t, NULL, "GET", path, NULL, NULL, NULL);
        for (m = 0; m < 2; m++) {
            if (!json_object_object_get_ex(item, methods[m], NULL))
                continue;
            ck_assert_msg(lw_route_match(&t.r, path, m == 0 ? "GET" : "POST", &allow) != NULL,
                          "the document has %s %s, the route table does not", methods[m], p);
            documented++;
        }
        wt_request_free(&t);
    }
    ck_assert_uint_eq(documented, in_table);
    ck_assert_uint_ge(in_table, 12);
    json_object_put(doc);
    lw_render_shutdown();
}
END_TEST

/* ---- errors and bodies ---- */

START_TEST(errors_have_one_shape)
{
    json_object *o;

    wt_templates();
    /* routing errors raised before any handler */
    ck_assert_int_eq(call(NULL, "GET", "/api/v1/nothing", NULL, NULL, &o), 404);
    ck_assert_str_eq(str_at(o, "error", "code"), "not_found");
    ck_assert_ptr_nonnull(str_at(o, "error", "message"));
    ck_assert(json_object_object_get_ex(json_object_object_get(o, "error"), "field", NULL));
    json_object_put(o);
    ck_assert_int_eq(call(NULL, "GET", "/api/v1/probes", NULL, NULL, &o), 401);
    ck_assert_str_eq(str_at(o, "error", "code"), "unauthorized");
    json_object_put(o);
    lw_render_shutdown();
}
END_TEST

START_TEST(body_reading)
{
    static const char *const known[] = { "name", "value", NULL };
    const char *extra[3] = { "CONTENT_TYPE=application/json", "CONTENT_LENGTH=1", NULL };
    static const struct {
        const char *body, *code, *field;
    } cases[] = {
        { "{\"name\": \"a\", \"colour\": 1}", "unknown_field", "colour" },
        { "{\"name\": \"a\",}", "invalid_json", NULL },
        { "[1, 2]", "invalid_json", NULL },
        { "{\"name\": \"a\"} trailing", "invalid_json", NULL },
        { "{\"value\": \"x\\u0000y\"}", "bad_text", "value" },
        { "{\"name\": \"ok\", \"value\": 2}", NULL, NULL },
    };
    json_object *body, *o;
    wt_request t;
    size_t i;
    int rc;

    for (i = 0; i < LW_ARRAY_LEN(cases); i++) {
        wt_request_init(&t, NULL, "POST", "/api/v1/rules", NULL, NULL, extra);
        ck_assert_int_eq(lw_req_set_body(&t.r, cases[i].body, strlen(cases[i].body)), LW_OK);
        rc = lw_api_body(&t.r, known, &body);
        if (cases[i].code == NULL) {
            ck_assert_int_eq(rc, LW_OK);
            ck_assert_ptr_nonnull(body);
        } else {
            ck_assert_msg(rc == LW_EINVAL, "case %zu: %s", i, cases[i].body);
            ck_assert_int_eq(t.r.status, 400);
            o = json_tokener_parse(t.r.body);
            ck_assert_msg(o != NULL, "%s", t.r.body);
            ck_assert_str_eq(str_at(o, "error", "code"), cases[i].code);
            if (cases[i].field)
                ck_assert_str_eq(str_at(o, "error", "field"), cases[i].field);
            json_object_put(o);
        }
        wt_request_free(&t);
    }
}
END_TEST

/* ---- secrets of channels made in the web interface ---- */

START_TEST(secrets_sealed)
{
    uint8_t key[LW_CRYPTO_KEY_LEN], other[LW_CRYPTO_KEY_LEN];
    char *sealed, *again, *plain;
    lw_err err;

    unsetenv("LLMWATCH_SECRET_KEY");
    ck_assert_int_eq(lw_crypto_secret_key(key, &err), LW_ENOTFOUND);
    setenv("LLMWATCH_SECRET_KEY", "tiny-k3y", 1);
    ck_assert_int_eq(lw_crypto_secret_key(key, &err), LW_EINVAL);
    ck_assert_ptr_null(strstr(err.msg, "tiny-k3y"));   /* never the value */
    setenv("LLMWATCH_SECRET_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    ck_assert_int_eq(lw_crypto_secret_key(key, &err), LW_OK);
    ck_assert_uint_eq(key[1], 1);
    ck_assert_uint_eq(key[31], 0x1f);
    ck_assert_int_eq(lw_crypto_seal(key, "https://hooks.example.com/T0/B0/secret", &sealed), LW_OK);
    ck_assert(lw_crypto_is_sealed(sealed));
    ck_assert_ptr_null(strstr(sealed, "hooks"));
    /* a fresh nonce each time */
    ck_assert_int_eq(lw_crypto_seal(key, "https://hooks.example.com/T0/B0/secret", &again), LW_OK);
    ck_assert_str_ne(sealed, again);
    ck_assert_int_eq(lw_crypto_open(key, sealed, &plain), LW_OK);
    ck_assert_str_eq(plain, "https://hooks.example.com/T0/B0/secret");
    free(plain);
    /* another key, an altered value, not a sealed value: refused */
    setenv("LLMWATCH_SECRET_KEY", "a passphrase of more than sixteen characters", 1);
    ck_assert_int_eq(lw_crypto_secret_key(other, &err), LW_OK);
    ck_assert_int_eq(lw_crypto_open(other, sealed, &plain), LW_EINVAL);
    ck_assert_ptr_null(plain);
    sealed[strlen(LW_CRYPTO_SEALED_PREFIX) + 20] ^= 1;
    ck_assert_int_eq(lw_crypto_open(key, sealed, &plain), LW_EINVAL);
    ck_assert_int_eq(lw_crypto_open(key, "${SLACK_URL}", &plain), LW_EINVAL);
    ck_assert_int_eq(lw_crypto_open(key, "enc:v1:!!!!", &plain), LW_EINVAL);
    unsetenv("LLMWATCH_SECRET_KEY");
    free(sealed);
    free(again);
}
END_TEST

/* ---- the data endpoints ---- */

START_TEST(db_endpoints)
{
    lw_db *db = lw_testdb_connect(&tdb);
    char cookie[256], csrf[80], path[200];
    json_object *o, *data;
    const char *cursor;
    long long mid;
    PGresult *res;
    lw_err err;

    wt_templates();
    lw_testdb_exec(db, "INSERT INTO environments (name) VALUES ('production') ON CONFLICT DO NOTHING");
    lw_testdb_exec(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms)"
                       " SELECT id, 'api-m', 'openai', 'gpt-4o', 2000 FROM environments"
                       " WHERE name = 'production' ON CONFLICT DO NOTHING");
    lw_testdb_exec(db, "INSERT INTO probes (ts, model_id, environment_id, ok, outcome, error_class,"
                       " total_ms, ttft_ms, input_tokens, output_tokens)"
                       " SELECT now() - make_interval(mins => g), m.id, m.environment_id, g % 5 <> 0,"
                       "   CASE WHEN g % 5 <> 0 THEN 'text' END, CASE WHEN g % 5 = 0 THEN 'timeout' END,"
                       "   1000 + g, 300, 10, 20"
                       " FROM models m, generate_series(1, 25) g WHERE m.name = 'api-m'");
    res = lw_db_query(db, &err, "SELECT id FROM models WHERE name = 'api-m'", 0, NULL);
    ck_assert_ptr_nonnull(res);
    mid = lw_db_int(res, 0, 0);
    PQclear(res);
    wt_user(db, "compliance", cookie, csrf);

    /* probes: a page of 10, then the next one by cursor */
    ck_assert_int_eq(call(db, "GET", "/api/v1/probes?model=api-m&limit=10", cookie, NULL, &o), 200);
    data = json_object_object_get(o, "data");
    ck_assert_uint_eq(json_object_array_length(data), 10);
    cursor = str_at(o, "next_cursor", NULL);
    ck_assert_ptr_nonnull(cursor);
    snprintf(path, sizeof(path), "/api/v1/probes?model=api-m&limit=20&cursor=%s", cursor);
    json_object_put(o);
    ck_assert_int_eq(call(db, "GET", path, cookie, NULL, &o), 200);
    ck_assert_uint_eq(json_object_array_length(json_object_object_get(o, "data")), 15);
    ck_assert_ptr_null(str_at(o, "next_cursor", NULL));
    json_object_put(o);
    /* parameters are checked and named */
    ck_assert_int_eq(call(db, "GET", "/api/v1/probes?limit=0", cookie, NULL, &o), 400);
    ck_assert_str_eq(str_at(o, "error", "field"), "limit");
    json_object_put(o);
    ck_assert_int_eq(call(db, "GET", "/api/v1/probes?from=yesterday", cookie, NULL, &o), 400);
    ck_assert_str_eq(str_at(o, "error", "field"), "from");
    json_object_put(o);
    ck_assert_int_eq(call(db, "GET", "/api/v1/alerts?state=burning", cookie, NULL, &o), 400);
    ck_assert_str_eq(str_at(o, "error", "field"), "state");
    json_object_put(o);

    /* measures from the rollups: the whole range, then per hour */
    snprintf(path, sizeof(path), "/api/v1/models/%lld/measures", mid);
    ck_assert_int_eq(call(db, "GET", path, cookie, NULL, &o), 200);
    data = json_object_array_get_idx(json_object_object_get(o, "data"), 0);
    ck_assert_int_eq(json_object_get_int(json_object_object_get(data, "probes")), 25);
    ck_assert_int_eq(json_object_get_int(json_object_object_get(data, "errors")), 5);
    ck_assert_int_eq(json_object_get_int(json_object_object_get(
        json_object_object_get(data, "error_classes"), "timeout")), 5);
    ck_assert_ptr_nonnull(json_object_object_get(data, "latency_p95_ms"));
    json_object_put(o);
    snprintf(path, sizeof(path), "/api/v1/models/%lld/measures?step=7m", mid);
    ck_assert_int_eq(call(db, "GET", path, cookie, NULL, &o), 400);
    ck_assert_str_eq(str_at(o, "error", "field"), "step");
    json_object_put(o);
    ck_assert_int_eq(call(db, "GET", "/api/v1/models/999999/measures", cookie, NULL, &o), 404);
    ck_assert_str_eq(str_at(o, "error", "code"), "not_found");
    json_object_put(o);

    /* the SLA, budgets, rules, silences, alerts answer their shapes */
    ck_assert_int_eq(call(db, "GET", "/api/v1/sla", cookie, NULL, &o), 200);
    ck_assert(json_object_is_type(json_object_object_get(o, "data"), json_type_array));
    json_object_put(o);
    ck_assert_int_eq(call(db, "GET", "/api/v1/budgets", cookie, NULL, &o), 200);
    json_object_put(o);
    ck_assert_int_eq(call(db, "GET", "/api/v1/rules", cookie, NULL, &o), 200);
    json_object_put(o);
    ck_assert_int_eq(call(db, "GET", "/api/v1/rules/999999", cookie, NULL, &o), 404);
    json_object_put(o);
    ck_assert_int_eq(call(db, "GET", "/api/v1/silences?active=true", cookie, NULL, &o), 200);
    json_object_put(o);
    ck_assert_int_eq(call(db, "GET", "/api/v1/alerts", cookie, NULL, &o), 200);
    ck_assert_ptr_null(str_at(o, "next_cursor", NULL));
    json_object_put(o);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

Suite *
api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *pure = tcase_create("api_pure");
    TCase *db = tcase_create("api_db");

    tcase_add_test(pure, openapi_matches_route_table);
    tcase_add_test(pure, errors_have_one_shape);
    tcase_add_test(pure, body_reading);
    tcase_add_test(pure, secrets_sealed);
    tcase_add_unchecked_fixture(db, private_db_setup, private_db_teardown);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_endpoints);
    suite_add_tcase(s, pure);
    suite_add_tcase(s, db);
    return s;
}
