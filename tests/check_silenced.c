/* check_silenced.c: what the alert pages say about silences and what
 * people may do there: an open alert muted by a silence in force (or by an
 * open maintenance window) is marked silenced in the alerts list, on its
 * page and on its rule's page; an acknowledgement can be taken back
 * (audited); a config rule's page shows the silence link only to those
 * who may use it. */
#include "webtest.h"

#include <time.h>

struct fixture {
    char env[48], model[48], rule[48];
    long long rule_id, a_one, a_window, a_other, a_resolved, s_one, s_window;
};

static PGresult *
q(lw_db *db, const char *sql, int n, const char *const *p)
{
    lw_err err = { { 0 } };
    PGresult *res = lw_db_query(db, &err, sql, n, p);

    ck_assert_msg(res != NULL, "%s", err.msg);
    return res;
}

static long long
q_id(lw_db *db, const char *sql, int n, const char *const *p)
{
    PGresult *res = q(db, sql, n, p);
    long long id;

    ck_assert_int_eq(PQntuples(res), 1);
    id = lw_db_int(res, 0, 0);
    PQclear(res);
    return id;
}

/* An environment, two models, a config rule, alerts (firing on model A,
 * pending on model B, firing on a model C nothing mutes, a resolved one on
 * A); a one-off silence of the rule on A and an open maintenance window on
 * B; plus a closed window and a silence of another rule that must not
 * count. */
static void
setup(lw_db *db, const char *tag, struct fixture *f)
{
    char closed[64], ids[3][24];
    const char *p[4];
    time_t now = time(NULL);
    struct tm tm;
    long long env_id, models[3];
    int i;

    snprintf(f->env, sizeof(f->env), "sil-env-%.8s", tag);
    snprintf(f->rule, sizeof(f->rule), "Sil rule %.8s", tag);
    p[0] = f->env;
    env_id = q_id(db, "INSERT INTO environments (name) VALUES ($1) RETURNING id", 1, p);
    snprintf(ids[0], sizeof(ids[0]), "%lld", env_id);
    for (i = 0; i < 3; i++) {
        snprintf(f->model, sizeof(f->model), "sil-model-%c-%.8s", 'a' + i, tag);
        p[0] = ids[0];
        p[1] = f->model;
        models[i] = q_id(db, "INSERT INTO models (environment_id, name, provider, model, sla_target_ms)"
                             " VALUES ($1::int, $2, 'openai', $2, 2000) RETURNING id", 2, p);
    }
    p[0] = f->rule;
    f->rule_id = q_id(db, "INSERT INTO rules (name, expression, source, config_line)"
                          " VALUES ($1, 'error_rate > 0.5', 'config', 7) RETURNING id", 1, p);
    snprintf(ids[1], sizeof(ids[1]), "%lld", f->rule_id);
    for (i = 0; i < 4; i++) {
        snprintf(ids[2], sizeof(ids[2]), "%lld", models[i == 3 ? 0 : i]);
        p[0] = ids[1];
        p[1] = ids[2];
        p[2] = ids[0];
        p[3] = i == 1 ? "pending" : i == 3 ? "resolved" : "firing";
        *(i == 0 ? &f->a_one : i == 1 ? &f->a_window : i == 2 ? &f->a_other : &f->a_resolved) =
            q_id(db, "INSERT INTO alerts (rule_id, model_id, environment_id, severity, state,"
                     " resolved_at) VALUES ($1::int, $2::int, $3::int, 'warning', $4,"
                     " CASE WHEN $4 = 'resolved' THEN now() END) RETURNING id", 4, p);
    }
    /* model names: a, b, c */
    snprintf(ids[2], sizeof(ids[2]), "sil-model-a-%.8s", tag);
    p[0] = f->rule;
    p[1] = ids[2];
    f->s_one = q_id(db, "INSERT INTO silences (matchers, starts_at, ends_at, comment)"
                        " VALUES (jsonb_build_object('rule', $1::text, 'model', $2::text),"
                        " now() - interval '1 minute', now() + interval '1 hour', 'deploy')"
                        " RETURNING id", 2, p);
    snprintf(ids[2], sizeof(ids[2]), "sil-model-b-%.8s", tag);
    p[0] = ids[2];
    f->s_window = q_id(db, "INSERT INTO silences (matchers, starts_at, ends_at, recurrence,"
                           " duration_s, comment) VALUES (jsonb_build_object('model',"
                           " jsonb_build_array('x', $1::text)), now() - interval '1 day',"
                           " now() + interval '1 day', 'hourly', 3600, 'always open') RETURNING id",
                       1, p);
    /* closed now: a daily window twelve hours away */
    gmtime_r(&now, &tm);
    snprintf(closed, sizeof(closed), "daily at %d:00", (tm.tm_hour + 12) % 24);
    snprintf(ids[2], sizeof(ids[2]), "sil-model-c-%.8s", tag);
    p[0] = ids[2];
    p[1] = closed;
    PQclear(q(db, "INSERT INTO silences (matchers, starts_at, ends_at, recurrence, duration_s, comment)"
                  " VALUES (jsonb_build_object('model', $1::text), now() - interval '1 day',"
                  " now() + interval '1 day', $2, 60, 'closed now')", 2, p));
    /* another rule's silence, and an unknown matcher key: neither mutes */
    PQclear(q(db, "INSERT INTO silences (matchers, starts_at, ends_at, comment) VALUES"
                  " (jsonb_build_object('rule', 'some other rule', 'model', $1::text),"
                  "  now() - interval '1 minute', now() + interval '1 hour', 'other'),"
                  " (jsonb_build_object('model', $1::text, 'team', 'x'),"
                  "  now() - interval '1 minute', now() + interval '1 hour', 'unknown key')", 1, p));
}

static const char *
get_page(lw_db *db, const char *cookie, const char *uri, char *out, size_t size, int *status)
{
    wt_request t;

    wt_request_init(&t, db, "GET", uri, cookie, NULL, NULL);
    snprintf(out, size, "%s", wt_run(&t));
    *status = t.r.status;
    wt_request_free(&t);
    return out;
}

/* The table row of page that links to /alerts/id, cut at its </tr>
 * (pool-less: written into row). */
static const char *
row_of(const char *page, long long id, char *row, size_t size)
{
    char needle[48];
    const char *s, *e;

    snprintf(needle, sizeof(needle), "href=\"/alerts/%lld\"", id);
    s = strstr(page, needle);
    ck_assert_msg(s != NULL, "alert %lld is not listed", id);
    e = strstr(s, "</tr>");
    ck_assert_ptr_nonnull(e);
    snprintf(row, size, "%.*s", (int) (e - s), s);
    return row;
}

START_TEST(db_silenced_alerts_are_marked)
{
    static char page[1 << 18];
    char cookie[160], csrf[LW_TOKEN_LEN + 1], uri[96], row[4096], mark[64];
    lw_db *db = wt_db("db_silenced_alerts_are_marked");
    struct fixture f;
    int status;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "viewer", cookie, csrf);
    setup(db, csrf, &f);
    snprintf(uri, sizeof(uri), "/alerts?rule=%lld", f.rule_id);
    get_page(db, cookie, uri, page, sizeof(page), &status);
    ck_assert_int_eq(status, 200);
    snprintf(mark, sizeof(mark), "silence #%lld", f.s_one);
    ck_assert_msg(strstr(row_of(page, f.a_one, row, sizeof(row)), mark), "%s", row);
    snprintf(mark, sizeof(mark), "silence #%lld", f.s_window);
    ck_assert_msg(strstr(row_of(page, f.a_window, row, sizeof(row)), mark), "%s", row);
    ck_assert_msg(!strstr(row_of(page, f.a_other, row, sizeof(row)), "silenced"), "%s", row);
    ck_assert_msg(!strstr(row_of(page, f.a_resolved, row, sizeof(row)), "silenced"), "%s", row);
    /* the alert's own page says so in its header */
    snprintf(uri, sizeof(uri), "/alerts/%lld", f.a_one);
    get_page(db, cookie, uri, page, sizeof(page), &status);
    ck_assert_int_eq(status, 200);
    snprintf(mark, sizeof(mark), "silence #%lld", f.s_one);
    {
        const char *summary = strstr(page, "<div class=\"summary\">");

        ck_assert_ptr_nonnull(summary);
        ck_assert_msg(strstr(summary, mark) && strstr(summary, mark) < strstr(summary, "</div>"),
                      "%.600s", summary);
    }
    snprintf(uri, sizeof(uri), "/alerts/%lld", f.a_other);
    get_page(db, cookie, uri, page, sizeof(page), &status);
    ck_assert_ptr_null(strstr(page, "silenced"));
    /* the rule's page: its open alerts counted and marked */
    snprintf(uri, sizeof(uri), "/rules/%lld", f.rule_id);
    get_page(db, cookie, uri, page, sizeof(page), &status);
    ck_assert_int_eq(status, 200);
    ck_assert_ptr_nonnull(strstr(page, "2 silenced"));
    snprintf(mark, sizeof(mark), "silence #%lld", f.s_one);
    ck_assert_msg(strstr(row_of(page, f.a_one, row, sizeof(row)), mark), "%s", row);
    ck_assert_msg(!strstr(row_of(page, f.a_other, row, sizeof(row)), "silenced"), "%s", row);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_rule_wide_silence)
{
    static char page[1 << 18];
    char cookie[160], csrf[LW_TOKEN_LEN + 1], uri[96], mark[64];
    const char *p[1];
    lw_db *db = wt_db("db_rule_wide_silence");
    struct fixture f;
    long long sid;
    int status;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "viewer", cookie, csrf);
    setup(db, csrf, &f);
    /* model-scoped silences do not silence the rule itself */
    snprintf(uri, sizeof(uri), "/rules/%lld", f.rule_id);
    get_page(db, cookie, uri, page, sizeof(page), &status);
    ck_assert_ptr_null(strstr(page, "Silenced by"));
    p[0] = f.rule;
    sid = q_id(db, "INSERT INTO silences (matchers, starts_at, ends_at, comment) VALUES"
                   " (jsonb_build_object('rule', $1::text), now() - interval '1 minute',"
                   "  now() + interval '1 hour', 'whole rule') RETURNING id", 1, p);
    get_page(db, cookie, uri, page, sizeof(page), &status);
    snprintf(mark, sizeof(mark), "Silenced by <a href=\"/silences\">silence #%lld", sid);
    ck_assert_msg(strstr(page, mark) != NULL, "%s not found", mark);
    /* now every open alert of the rule is muted */
    ck_assert_ptr_nonnull(strstr(page, "3 silenced"));
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_acknowledgement_undone)
{
    static char page[1 << 18];
    char cookie[160], csrf[LW_TOKEN_LEN + 1], vcookie[160], vcsrf[LW_TOKEN_LEN + 1];
    char uri[96], body[120], id[24];
    const char *p[1] = { id };
    lw_db *db = wt_db("db_acknowledgement_undone");
    struct fixture f;
    wt_request t;
    int status;
    PGresult *res;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "editor", cookie, csrf);
    wt_user(db, "viewer", vcookie, vcsrf);
    setup(db, csrf, &f);
    snprintf(id, sizeof(id), "%lld", f.a_other);
    snprintf(body, sizeof(body), "csrf_token=%s", csrf);
    snprintf(uri, sizeof(uri), "/alerts/%lld/acknowledge", f.a_other);
    wt_request_init(&t, db, "POST", uri, cookie, body, NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 303);
    wt_request_free(&t);
    /* the page offers to take it back */
    snprintf(uri, sizeof(uri), "/alerts/%lld", f.a_other);
    get_page(db, cookie, uri, page, sizeof(page), &status);
    ck_assert_ptr_nonnull(strstr(page, "/unacknowledge\""));
    /* not to viewers, who may not */
    get_page(db, vcookie, uri, page, sizeof(page), &status);
    ck_assert_ptr_null(strstr(page, "/unacknowledge\""));
    snprintf(uri, sizeof(uri), "/alerts/%lld/unacknowledge", f.a_other);
    snprintf(body, sizeof(body), "csrf_token=%s", vcsrf);
    wt_request_init(&t, db, "POST", uri, vcookie, body, NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 403);
    wt_request_free(&t);
    snprintf(body, sizeof(body), "csrf_token=%s", csrf);
    wt_request_init(&t, db, "POST", uri, cookie, body, NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 303);
    wt_request_free(&t);
    res = q(db, "SELECT acknowledged_at IS NULL AND acknowledged_by IS NULL FROM alerts"
                " WHERE id = $1::bigint", 1, p);
    ck_assert(lw_db_bool(res, 0, 0));
    PQclear(res);
    res = q(db, "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE object_type = 'alert'"
                " AND object_id = $1", 1, p);
    ck_assert_str_eq(lw_db_str(res, 0, 0), "acknowledge,unacknowledge");
    PQclear(res);
    /* the timeline says it, and it can be acknowledged again */
    snprintf(uri, sizeof(uri), "/alerts/%lld", f.a_other);
    get_page(db, cookie, uri, page, sizeof(page), &status);
    ck_assert_ptr_nonnull(strstr(page, "acknowledgement withdrawn"));
    ck_assert_ptr_nonnull(strstr(page, "/acknowledge\""));
    /* twice is nothing to undo: back to the page, no second audit row */
    snprintf(uri, sizeof(uri), "/alerts/%lld/unacknowledge", f.a_other);
    wt_request_init(&t, db, "POST", uri, cookie, body, NULL);
    wt_run(&t);
    ck_assert_int_eq(t.r.status, 303);
    wt_request_free(&t);
    res = q(db, "SELECT count(*) FROM audit_log WHERE object_type = 'alert' AND object_id = $1",
            1, p);
    ck_assert_str_eq(lw_db_str(res, 0, 0), "2");
    PQclear(res);
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

START_TEST(db_config_rule_controls_by_role)
{
    static char page[1 << 18];
    static const char *const roles[] = { "viewer", "compliance", "editor", "admin" };
    char cookie[160], csrf[LW_TOKEN_LEN + 1], uri[96];
    lw_db *db = wt_db("db_config_rule_controls_by_role");
    struct fixture f;
    size_t i;
    int status, editor;

    if (db == NULL)
        return;
    wt_templates();
    wt_user(db, "admin", cookie, csrf);
    setup(db, csrf, &f);
    snprintf(uri, sizeof(uri), "/rules/%lld", f.rule_id);
    for (i = 0; i < LW_ARRAY_LEN(roles); i++) {
        editor = i >= 2;
        wt_user(db, roles[i], cookie, csrf);
        get_page(db, cookie, uri, page, sizeof(page), &status);
        ck_assert_int_eq(status, 200);
        ck_assert_ptr_nonnull(strstr(page, "monitoring_config.yaml"));
        /* a link to a form gives the role that follows it no 403 */
        ck_assert_msg((strstr(page, "href=\"/silences/new") != NULL) == editor, "%s", roles[i]);
        ck_assert_msg((strstr(page, "href=\"/rules/new") != NULL) == editor, "%s", roles[i]);
        ck_assert_ptr_null(strstr(page, "/edit\""));
    }
    lw_render_shutdown();
    lw_db_close(db);
}
END_TEST

Suite *silenced_suite(void)
{
    Suite *s = suite_create("silenced");
    TCase *db = tcase_create("silenced_db");

    tcase_set_timeout(db, 60);
    tcase_add_test(db, db_silenced_alerts_are_marked);
    tcase_add_test(db, db_rule_wide_silence);
    tcase_add_test(db, db_acknowledgement_undone);
    tcase_add_test(db, db_config_rule_controls_by_role);
    suite_add_tcase(s, db);
    return s;
}
