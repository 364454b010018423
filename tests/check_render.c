/* check_render.c: how llmwatch-web renders (lib/render.c through
 * app/response.c): every template parses, a broken one is refused with its
 * name, hostile values come out escaped (HDF -> ClearSilver -> response,
 * and end to end from the database), failed page data is a clean 500, the
 * HDF helpers and duration formatting, one golden page. */
#include <json.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "view.h"
#include "webtest.h"

#define HOSTILE "<script>alert(1)</script> \"'&"
#define HOSTILE_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&#39;&amp;"

START_TEST(all_templates_parse)
{
    static const char *pages[] = { "dashboard", "model", "alerts", "alert", "rules", "rule",
                                   "silences", "channels", "budgets", "sla", "reports", "users",
                                   "audit", "login", "error" };
    size_t i;

    wt_templates();
    for (i = 0; i < LW_ARRAY_LEN(pages); i++)
        ck_assert_msg(lw_render_has(pages[i]), "no template %s.cs", pages[i]);
    ck_assert(!lw_render_has("layout_missing"));
    lw_render_shutdown();
}
END_TEST

static void
write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void
remove_file(const char *dir, const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ck_assert_int_eq(unlink(path), 0);
}

START_TEST(broken_template_is_refused)
{
    char dir[] = "/tmp/lw-render-XXXXXX";
    lw_err err = { { 0 } };

    ck_assert_ptr_nonnull(mkdtemp(dir));
    write_file(dir, "macros.cs", "<?cs def:x() ?>x<?cs /def ?>");
    write_file(dir, "layout.cs", "<html><?cs call:content() ?></html>");
    write_file(dir, "error.cs", "<?cs def:content() ?>e<?cs /def ?>");
    ck_assert_int_eq(lw_render_init(dir, &err), LW_OK);
    write_file(dir, "broken.cs", "<?cs def:content() ?><?cs if:x ?>never closed<?cs /def ?>");
    ck_assert_int_ne(lw_render_init(dir, &err), LW_OK);
    ck_assert_msg(strstr(err.msg, "broken.cs") != NULL, "message without the file: %s", err.msg);
    ck_assert(!lw_render_has("error"));     /* nothing half-loaded stays */
    remove_file(dir, "broken.cs");
    write_file(dir, "broken.cs", "<?cs def:content() ?>fixed<?cs /def ?>");
    ck_assert_int_eq(lw_render_init(dir, &err), LW_OK);
    lw_render_shutdown();
    remove_file(dir, "layout.cs");
    ck_assert_int_ne(lw_render_init(dir, &err), LW_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "layout.cs"));
    remove_file(dir, "macros.cs");
    remove_file(dir, "error.cs");
    remove_file(dir, "broken.cs");
    rmdir(dir);
}
END_TEST

START_TEST(hostile_values_are_escaped)
{
    wt_request t;
    lw_buf body = { 0 };

    wt_templates();
    wt_request_init(&t, NULL, "GET", "/", NULL, NULL, NULL);
    /* what page_dashboard puts in, by hand */
    lw_hdf_set(&t.r.page, "Page.title", HOSTILE);
    lw_hdf_set(&t.r.page, "User.email", HOSTILE);
    lw_hdf_set(&t.r.page, "User.role", "viewer");
    lw_hdf_set(&t.r.page, "Envs.0.name", HOSTILE);
    lw_hdf_set(&t.r.page, "Envs.0.models.0.id", "3");
    lw_hdf_set(&t.r.page, "Envs.0.models.0.name", HOSTILE);
    lw_hdf_set(&t.r.page, "Envs.0.models.0.provider", HOSTILE);
    lw_hdf_set(&t.r.page, "Envs.0.models.0.model", "<img src=x onerror=alert(2)>");
    lw_hdf_set(&t.r.page, "Envs.0.models.0.priority", HOSTILE);
    lw_hdf_set(&t.r.page, "Envs.0.models.0.last_ok", "0");
    lw_hdf_set(&t.r.page, "Envs.0.models.0.last_error", HOSTILE);
    t.r.template = "dashboard";
    ck_assert_int_eq(lw_response_render(&t.r, &body), LW_OK);
    ck_assert_ptr_nonnull(strstr(body.data, HOSTILE_ESCAPED));
    ck_assert_ptr_nonnull(strstr(body.data, "&lt;img src=x onerror=alert(2)&gt;"));
    ck_assert_ptr_null(strstr(body.data, "<script>alert"));
    ck_assert_ptr_null(strstr(body.data, "<img src=x"));
    ck_assert_ptr_null(strstr(body.data, "\"'&"));
    /* an attribute value cannot be left either */
    ck_assert_ptr_null(strstr(body.data, "\" onerror"));
    lw_buf_free(&body);
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

START_TEST(durations_for_people)
{
    char b[32];

    lw_fmt_ms(612, b, sizeof(b));
    ck_assert_str_eq(b, "612 ms");
    lw_fmt_ms(1850, b, sizeof(b));
    ck_assert_str_eq(b, "1.85 s");
    lw_fmt_ms(3.24, b, sizeof(b));
    ck_assert_str_eq(b, "3.2 ms");
    lw_fmt_ms(999.7, b, sizeof(b));
    ck_assert_str_eq(b, "1.00 s");
    lw_fmt_ms(125000, b, sizeof(b));
    ck_assert_str_eq(b, "2m 05s");
    lw_fmt_ms(-1, b, sizeof(b));
    ck_assert_str_eq(b, "-");
}
END_TEST

/* Page data that failed (here a name ClearSilver refuses; out of memory
 * alike) is checked once, when rendering: the answer is a bare 500, with
 * nothing of the page and none of the handler's headers. */
START_TEST(failed_page_data_is_a_clean_500)
{
    static const char *paths[] = { "/login", "/no-such-page" };
    static const char msg[] = "Internal error: the page could not be rendered.\n";
    char len[64];
    wt_request t;
    const char *out, *body;
    size_t i;

    wt_templates();
    for (i = 0; i < LW_ARRAY_LEN(paths); i++) {
        wt_request_init(&t, NULL, "GET", paths[i], NULL, NULL, NULL);
        lw_hdf_set(&t.r.page, "Page..title", "refused");
        ck_assert(t.r.page.failed);
        lw_hdf_set(&t.r.page, "Later", "ignored");     /* sticky: no effect, no crash */
        out = wt_run(&t);
        ck_assert_msg(strncmp(out, "Status: 500 ", 12) == 0, "%s: %.100s", paths[i], out);
        body = strstr(out, "\r\n\r\n");
        ck_assert_ptr_nonnull(body);
        ck_assert_str_eq(body + 4, msg);
        snprintf(len, sizeof(len), "Content-Length: %zu\r\n", strlen(msg));
        ck_assert_ptr_nonnull(strstr(out, len));
        ck_assert_ptr_nonnull(strstr(out, "Content-Type: text/plain"));
        ck_assert_ptr_null(strstr(out, "<html"));
        ck_assert_ptr_null(strstr(out, "Set-Cookie"));   /* /login sets lw_csrf otherwise */
        wt_request_free(&t);
    }
    /* the same request with sound page data renders the form */
    wt_request_init(&t, NULL, "GET", "/login", NULL, NULL, NULL);
    out = wt_run(&t);
    ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%.100s", out);
    ck_assert_ptr_nonnull(strstr(out, "Set-Cookie: lw_csrf="));
    ck_assert_ptr_nonnull(strstr(out, "</html>"));
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

/* Flash messages: the first entry whose parameter has its value, fixed
 * text only; nothing for other values or none. */
START_TEST(flash_from_the_query)
{
    static const lw_view_flash_msg table[] = {
        { "created", "1", "The silence was created.", "ok" },
        { "expired", "1", "The silence was expired.", "ok" },
        { "expired", "0", "That silence had already ended.", "error" },
    };
    static const struct { const char *uri, *message, *kind; } cases[] = {
        { "/silences?expired=0", "That silence had already ended.", "error" },
        { "/silences?expired=1", "The silence was expired.", "ok" },
        { "/silences?created=1&expired=0", "The silence was created.", "ok" },
        { "/silences?expired=2", NULL, NULL },
        { "/silences?created=%3Cscript%3E", NULL, NULL },
        { "/silences", NULL, NULL },
    };
    wt_request t;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(cases); i++) {
        wt_request_init(&t, NULL, "GET", cases[i].uri, NULL, NULL, NULL);
        lw_view_flash(&t.r, table, LW_ARRAY_LEN(table));
        if (cases[i].message == NULL) {
            ck_assert_ptr_null(hdf_get_value(t.r.page.hdf, "Flash.message", NULL));
            ck_assert_ptr_null(hdf_get_value(t.r.page.hdf, "Flash.kind", NULL));
        } else {
            ck_assert_str_eq(hdf_get_value(t.r.page.hdf, "Flash.message", ""), cases[i].message);
            ck_assert_str_eq(hdf_get_value(t.r.page.hdf, "Flash.kind", ""), cases[i].kind);
        }
        wt_request_free(&t);
    }
}
END_TEST

/* A list page's frame; a failed query (NULL) is the page's LW_EDB. */
START_TEST(list_page_frame)
{
    wt_request t;

    wt_request_init(&t, NULL, "GET", "/budgets", NULL, NULL, NULL);
    ck_assert_ptr_null(lw_view_list(&t.r, NULL, "Budgets", "Budgets", "budgets"));
    ck_assert_ptr_null(t.r.template);
    ck_assert_ptr_null(hdf_get_value(t.r.page.hdf, "Page.title", NULL));
    wt_request_free(&t);
    /* without a database the page is the 503, its message logged */
    wt_request_init(&t, NULL, "GET", "/budgets", NULL, NULL, NULL);
    t.r.user.id = 1;
    t.r.user.role = LW_ROLE_ADMIN;
    ck_assert_int_eq(lw_page_budgets(&t.r), LW_EDB);
    ck_assert_msg(t.r.err.msg[0] != '\0', "no message for the log");
    wt_request_free(&t);
}
END_TEST

/* The 404 page of an anonymous visitor, byte for byte. */
START_TEST(golden_error_page)
{
    const char *golden = "tests/fixtures/render/error_404.html";
    wt_request t;
    const char *out, *body;
    lw_buf want = { 0 };
    char chunk[4096];
    size_t n;
    FILE *f;

    wt_templates();
    wt_request_init(&t, NULL, "GET", "/no-such-page", NULL, NULL, NULL);
    out = wt_run(&t);
    body = strstr(out, "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    body += 4;
    if (getenv("LW_UPDATE_GOLDEN") != NULL) {
        f = fopen(golden, "w");
        ck_assert_ptr_nonnull(f);
        fputs(body, f);
        fclose(f);
    }
    f = fopen(golden, "r");
    ck_assert_msg(f != NULL, "missing %s (LW_UPDATE_GOLDEN=1 writes it)", golden);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        lw_buf_append(&want, chunk, n);
    fclose(f);
    ck_assert_str_eq(body, want.data);
    lw_buf_free(&want);
    wt_request_free(&t);
    lw_render_shutdown();
}
END_TEST

/* The keys of a JSON object, comma-separated, in order. */
static void
json_keys(json_object *o, char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    json_object_object_foreach(o, key, val) {
        (void) val;
        n += (size_t) snprintf(buf + n, size - n, "%s%s", n ? "," : "", key);
        if (n >= size)
            break;
    }
}

/* /api/v1/models: the model's object as scripts read it (keys in order,
 * values typed by their SQL type). */
static void
check_api_model(const char *out, const char *name)
{
    json_object *root, *models, *m = NULL, *o;
    char keys[400];
    size_t i;

    root = json_tokener_parse(strstr(out, "\r\n\r\n") + 4);
    ck_assert_ptr_nonnull(root);
    ck_assert(json_object_object_get_ex(root, "models", &models));
    for (i = 0; i < json_object_array_length(models); i++) {
        o = json_object_array_get_idx(models, i);
        if (strcmp(json_object_get_string(json_object_object_get(o, "name")), name) == 0)
            m = o;
    }
    ck_assert_ptr_nonnull(m);
    json_keys(m, keys, sizeof(keys));
    ck_assert_str_eq(keys, "id,name,environment,provider,model,priority,sla_target_ms,"
                           "last_probe,last_hour");
    ck_assert(json_object_is_type(json_object_object_get(m, "id"), json_type_int));
    ck_assert_int_eq(json_object_get_int(json_object_object_get(m, "sla_target_ms")), 2000);
    o = json_object_object_get(m, "last_probe");
    json_keys(o, keys, sizeof(keys));
    ck_assert_str_eq(keys, "at,ok,error_class,http_status,ttft_ms,total_ms,decode_tokens_per_second");
    ck_assert(json_object_is_type(json_object_object_get(o, "ok"), json_type_boolean));
    ck_assert(!json_object_get_boolean(json_object_object_get(o, "ok")));
    ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "error_class")), "http_5xx");
    ck_assert_int_eq(json_object_get_int(json_object_object_get(o, "total_ms")), 1850);
    ck_assert(json_object_is_type(json_object_object_get(o, "http_status"), json_type_null));
    o = json_object_object_get(m, "last_hour");
    json_keys(o, keys, sizeof(keys));
    ck_assert_str_eq(keys, "probes,ok,success_pct,p95_total_ms");
    ck_assert_int_eq(json_object_get_int(json_object_object_get(o, "probes")), 1);
    ck_assert_int_eq(json_object_get_int(json_object_object_get(o, "ok")), 0);
    json_object_put(root);
}

/* End to end: a model named like an attack, from the database to HTML,
 * on every page that shows model names. */
START_TEST(db_hostile_model_name)
{
    static const char *pages[] = { "/", "/sla", "/api/v1/models", "/metrics" };
    char cookie[160], csrf[LW_TOKEN_LEN + 1], env[40], path[64];
    lw_db *db = wt_db("db_hostile_model_name");
    lw_err err = { { 0 } };
    PGresult *res;
    wt_request t;
    const char *out, *p[2];
    size_t i;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "compliance", cookie, csrf);
    snprintf(env, sizeof(env), "env-%.16s", csrf);
    p[0] = env;
    p[1] = HOSTILE;
    res = lw_db_query(db, &err,
        "WITH e AS (INSERT INTO environments (name) VALUES ($1) RETURNING id),"
        " m AS (INSERT INTO models (environment_id, name, provider, model, sla_target_ms)"
        "  SELECT id, $2, 'openai', $2, 2000 FROM e RETURNING id, environment_id)"
        " INSERT INTO probes (ts, model_id, environment_id, ok, error_class, error_message, total_ms)"
        " SELECT now(), id, environment_id, false, 'http_5xx', $2, 1850 FROM m RETURNING model_id",
        2, p);
    ck_assert_msg(res != NULL, "%s", err.msg);
    snprintf(path, sizeof(path), "/models/%s", lw_db_str(res, 0, 0));
    PQclear(res);
    for (i = 0; i < LW_ARRAY_LEN(pages) + 1; i++) {
        wt_request_init(&t, db, "GET", i < LW_ARRAY_LEN(pages) ? pages[i] : path, cookie, NULL, NULL);
        out = wt_run(&t);
        ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%s: %.100s", t.r.path, out);
        /* JSON and Prometheus text are not HTML: their own escaping */
        if (strstr(t.r.path, "/api/") == t.r.path) {
            ck_assert_ptr_nonnull(strstr(out, "\"name\":\"<script>alert(1)<\\/script> \\\"'&\""));
            check_api_model(out, HOSTILE);
        } else if (strcmp(t.r.path, "/metrics") == 0)
            ck_assert_ptr_nonnull(strstr(out, "model=\"<script>alert(1)</script> \\\"'&\""));
        else {
            ck_assert_msg(strstr(out, HOSTILE_ESCAPED) != NULL, "%s: not found escaped", t.r.path);
            ck_assert_msg(strstr(out, "<script>alert") == NULL, "%s: unescaped", t.r.path);
            ck_assert_msg(strstr(out, "text/html; charset=utf-8") != NULL, "%s", t.r.path);
        }
        if (i == LW_ARRAY_LEN(pages))
            ck_assert_ptr_nonnull(strstr(out, "1.85 s"));
        wt_request_free(&t);
    }
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

/* Every section is a real page with an empty state or rows. */
START_TEST(db_every_section_renders)
{
    static const char *pages[] = { "/", "/alerts", "/rules", "/silences", "/channels", "/budgets",
                                   "/sla", "/reports", "/admin/users", "/admin/audit" };
    char cookie[160], csrf[LW_TOKEN_LEN + 1];
    lw_db *db = wt_db("db_every_section_renders");
    wt_request t;
    const char *out;
    size_t i;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "admin", cookie, csrf);
    for (i = 0; i < LW_ARRAY_LEN(pages); i++) {
        wt_request_init(&t, db, "GET", pages[i], cookie, NULL, NULL);
        out = wt_run(&t);
        ck_assert_msg(strncmp(out, "Status: 200 ", 12) == 0, "%s: %.100s", pages[i], out);
        ck_assert_msg(strstr(out, "</html>") != NULL, "%s: no page", pages[i]);
        ck_assert_msg(strstr(out, "class=\"active\"") != NULL, "%s: no nav", pages[i]);
        ck_assert_msg(strstr(out, csrf) != NULL, "%s: no logout form token", pages[i]);
        ck_assert_msg(strstr(out, "<table") != NULL || strstr(out, "class=\"empty\"") != NULL
                      || strstr(out, "class=\"cards\"") != NULL, "%s: neither rows nor empty state", pages[i]);
        wt_request_free(&t);
    }
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

Suite *render_suite(void)
{
    Suite *s = suite_create("render");
    TCase *tc = tcase_create("render");
    TCase *db = tcase_create("render_db");

    tcase_add_test(tc, all_templates_parse);
    tcase_add_test(tc, broken_template_is_refused);
    tcase_add_test(tc, hostile_values_are_escaped);
    tcase_add_test(tc, durations_for_people);
    tcase_add_test(tc, golden_error_page);
    tcase_add_test(tc, failed_page_data_is_a_clean_500);
    tcase_add_test(tc, flash_from_the_query);
    tcase_add_test(tc, list_page_frame);
    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_hostile_model_name);
    tcase_add_test(db, db_every_section_renders);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, db);
    return s;
}
