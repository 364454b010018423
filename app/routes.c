/* routes.c: the one dispatch table of llmwatch-web and the checks made
 * once, here, before any page runs: path, method, login, role, CSRF. Then
 * the page's answer is rendered (or an error page in its place). */
#include "app.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "auth.h"
#include "db/topics.h"
#include "cache.h"
#include "reqstats.h"
#include "replica.h"
#include "response.h"

#define V  LW_ROLE_VIEWER
#define C  LW_ROLE_COMPLIANCE
#define A  LW_ROLE_ADMIN
#define E  LW_ROLE_EDITOR
#define AN LW_ROLE_ANON
#define NO LW_CSRF_NONE
#define SE LW_CSRF_SESSION
#define CK LW_CSRF_COOKIE

static const lw_route routes[] = {
    /* pattern                         methods           role csrf flags             section      handler */
    { "/",                                LW_GET,           V,  NO,  LW_ROUTE_CACHE,   "dashboard", lw_page_dashboard },
    { "/models/{id}",                     LW_GET,           V,  NO,  LW_ROUTE_CACHE,   "dashboard", lw_page_model },
    { "/alerts",                          LW_GET,           V,  NO,  0,                "alerts",    lw_page_alerts },
    { "/alerts/{id:bigint}",              LW_GET,           V,  NO,  0,                "alerts",    lw_page_alert },
    { "/rules",                           LW_GET,           V,  NO,  0,                "rules",     lw_page_rules },
    { "/rules/{id}",                      LW_GET,           V,  NO,  0,                "rules",     lw_page_rule },
    { "/rules/new",                       LW_GET | LW_POST, E,  SE,  0,                "rules",     lw_page_rule_new },
    { "/rules/{id}/edit",                 LW_GET | LW_POST, E,  SE,  0,                "rules",     lw_page_rule_edit },
    { "/rules/{id}/delete",               LW_GET | LW_POST, E,  SE,  0,                "rules",     lw_page_rule_delete },
    { "/rules/{id}/enable",               LW_POST,          E,  SE,  0,                "rules",     lw_page_rule_enable },
    { "/rules/{id}/disable",              LW_POST,          E,  SE,  0,                "rules",     lw_page_rule_disable },
    { "/alerts/{id:bigint}/acknowledge",  LW_POST,          E,  SE,  0,                "alerts",    lw_page_alert_ack },
    { "/alerts/{id:bigint}/unacknowledge", LW_POST,         E,  SE,  0,                "alerts",    lw_page_alert_unack },
    { "/alerts/{id:bigint}/false-positive", LW_POST,          E,  SE,  0,                "alerts",    lw_page_alert_false_positive },
    { "/silences/new",                    LW_GET | LW_POST, E,  SE,  0,                "silences",  lw_page_silence_new },
    { "/silences/{id}/expire",            LW_POST,          E,  SE,  0,                "silences",  lw_page_silence_expire },
    { "/channels/routing",                LW_POST,          A,  SE,  0,                "channels",  lw_page_channel_routing },
    { "/api/v1/rules",                    LW_POST,          E,  SE,  LW_ROUTE_MACHINE, NULL,        lw_page_api_rules },
    { "/silences",                        LW_GET,           V,  NO,  0,                "silences",  lw_page_silences },
    { "/channels",                        LW_GET,           V,  NO,  0,                "channels",  lw_page_channels },
    { "/budgets",                         LW_GET,           V,  NO,  LW_ROUTE_CACHE,   "budgets",   lw_page_budgets },
    { "/sla",                             LW_GET,           C,  NO,  LW_ROUTE_CACHE,   "sla",       lw_page_sla },
    { "/reports",                         LW_GET,           C,  NO,  0,                "reports",   lw_page_reports },
    { "/reports/{id:bigint}.pdf",         LW_GET,           C,  NO,  0,                "reports",   lw_page_report_file },
    { "/reports/{id:bigint}.html",        LW_GET,           C,  NO,  0,                "reports",   lw_page_report_file },
    { "/reports/{id:bigint}.csv",         LW_GET,           C,  NO,  0,                "reports",   lw_page_report_file },
    { "/admin/users",                     LW_GET | LW_POST, A,  SE,  0,                "users",     lw_page_users },
    { "/admin/users/{id}",                LW_POST,          A,  SE,  0,                "users",     lw_page_user_change },
    { "/admin/audit",                     LW_GET,           C,  NO,  0,                "audit",     lw_page_audit },
    { "/login",                           LW_GET | LW_POST, AN, CK,  0,                "login",     lw_page_login },
    { "/logout",                          LW_POST,          V,  SE,  0,                "login",     lw_page_logout },
    { "/logout/everywhere",               LW_POST,          V,  SE,  0,                "login",     lw_page_logout_everywhere },
    { "/account",                         LW_GET,           V,  NO,  0,                "account",   lw_page_account },
    { "/healthz",                         LW_GET,           AN, NO,  LW_ROUTE_NO_DB,   NULL,        lw_page_healthz },
    { "/metrics",                         LW_GET,           V,  NO,  LW_ROUTE_MACHINE, NULL,        lw_page_metrics },
    { "/api/v1/models",                   LW_GET,           V,  NO,  LW_ROUTE_MACHINE | LW_ROUTE_CACHE, NULL, lw_page_api_models },
    { "/sla.csv",                         LW_GET,           C,  NO,  0,                "sla",       lw_page_sla },
    { "/sla.pdf",                         LW_GET,           C,  NO,  0,                "sla",       lw_page_sla },
    { "/api/v1/models/{id}/measures",     LW_GET,           V,  NO,  LW_ROUTE_MACHINE | LW_ROUTE_CACHE, NULL, lw_page_api_measures },
    { "/api/v1/probes",                   LW_GET,           V,  NO,  LW_ROUTE_MACHINE, NULL,        lw_page_api_probes },
    { "/api/v1/alerts",                   LW_GET,           V,  NO,  LW_ROUTE_MACHINE, NULL,        lw_page_api_alerts },
    { "/api/v1/alerts/{id:bigint}",       LW_GET,           V,  NO,  LW_ROUTE_MACHINE, NULL,        lw_page_api_alert },
    { "/api/v1/rules",                    LW_GET,           V,  NO,  LW_ROUTE_MACHINE, NULL,        lw_page_api_rules_get },
    { "/api/v1/rules/{id}",               LW_GET,           V,  NO,  LW_ROUTE_MACHINE, NULL,        lw_page_api_rules_get },
    { "/api/v1/silences",                 LW_GET,           V,  NO,  LW_ROUTE_MACHINE, NULL,        lw_page_api_silences },
    { "/api/v1/sla",                      LW_GET,           C,  NO,  LW_ROUTE_MACHINE | LW_ROUTE_CACHE, NULL, lw_page_api_sla },
    { "/api/v1/budgets",                  LW_GET,           V,  NO,  LW_ROUTE_MACHINE | LW_ROUTE_CACHE, NULL, lw_page_api_budgets },
    { "/api/v1/openapi.json",             LW_GET,           AN, NO,  LW_ROUTE_MACHINE | LW_ROUTE_NO_DB, NULL, lw_page_api_openapi },
    { "/admin/tokens",                    LW_GET | LW_POST, A,  SE,  0,                "users",     lw_page_tokens },
    { "/admin/tokens/{id}/revoke",        LW_POST,          A,  SE,  0,                "users",     lw_page_token_revoke },
    { "/export",                          LW_GET,           V,  NO,  0,                NULL,        lw_page_export },
    { "/status",                          LW_GET,           AN, NO,  0,                NULL,        lw_page_status },
    { "/status.json",                     LW_GET,           AN, NO,  LW_ROUTE_MACHINE, NULL,        lw_page_status_json },
    { "/channels/new",                    LW_GET | LW_POST, A,  SE,  0,                "channels",  lw_page_channel_new },
    { "/channels/{id}",                   LW_GET,           V,  NO,  0,                "channels",  lw_page_channel },
    { "/channels/{id}/edit",              LW_GET | LW_POST, A,  SE,  0,                "channels",  lw_page_channel_edit },
    { "/channels/{id}/test",              LW_POST,          A,  SE,  0,                "channels",  lw_page_channel_test },
    { "/channels/{id}/enable",            LW_POST,          A,  SE,  0,                "channels",  lw_page_channel_enable },
    { "/channels/{id}/disable",           LW_POST,          A,  SE,  0,                "channels",  lw_page_channel_disable },
    { "/budgets/new",                     LW_GET | LW_POST, E,  SE,  0,                "budgets",   lw_page_budget_new },
    { "/budgets/{id}/delete",             LW_GET | LW_POST, E,  SE,  0,                "budgets",   lw_page_budget_delete },
    { "/api/v1/usage",                    LW_POST,          E,  SE,  LW_ROUTE_MACHINE, NULL,        lw_page_api_usage },
    { "/costs",                           LW_GET,           V,  NO,  LW_ROUTE_CACHE,   "budgets",   lw_page_costs },
    { "/api/v1/metrics",                  LW_POST,          E,  SE,  LW_ROUTE_MACHINE, NULL,        lw_page_api_custom_metrics },
};

const lw_route *
lw_routes(size_t *n)
{
    *n = LW_ARRAY_LEN(routes);
    return routes;
}

static unsigned
method_bit(const char *m)
{
    if (strcmp(m, "GET") == 0)
        return LW_GET;
    if (strcmp(m, "POST") == 0)
        return LW_POST;
    return 0;
}

/* One pattern segment against one path segment: a literal, or "{name}"
 * followed by an optional literal suffix ("{id}.pdf"); a parameter is 1-18
 * digits whose value fits the column it names: an integer, or a bigint
 * with "{name:bigint}" (a larger one would only make the database fail).
 * On a match with a parameter, *pname and *pval get pool copies. */
static int
segment_match(lw_pool *pool, const char *pat, size_t plen, const char *seg, size_t slen,
              const char **pname, const char **pval)
{
    const char *close, *suffix, *colon;
    size_t slen_suffix, digits;
    int64_t max, v;

    if (plen == 0 || pat[0] != '{')
        return plen == slen && memcmp(pat, seg, plen) == 0;
    close = memchr(pat, '}', plen);
    if (close == NULL)
        return 0;
    suffix = close + 1;
    slen_suffix = plen - (size_t) (suffix - pat);
    if (slen <= slen_suffix || memcmp(seg + slen - slen_suffix, suffix, slen_suffix) != 0)
        return 0;
    colon = memchr(pat, ':', (size_t) (close - pat));
    max = colon != NULL && strncmp(colon, ":bigint}", 8) == 0 ? LW_REQ_ID_BIGINT : LW_REQ_ID_INT;
    if (colon == NULL)
        colon = close;
    digits = slen - slen_suffix;
    if (lw_parse_uint(seg, digits, max, &v) != LW_OK)
        return 0;
    *pname = lw_pool_strndup(pool, pat + 1, (size_t) (colon - pat - 1));
    *pval = lw_pool_strndup(pool, seg, digits);
    return *pname != NULL && *pval != NULL;
}

/* Whole-path match; parameters are collected into params on success. */
static int
pattern_match(lw_pool *pool, const char *pat, const char *path, lw_kv *params,
              size_t *nparams, size_t maxparams)
{
    const char *pe, *se, *name, *val;
    size_t n = 0;

    for (;;) {
        if (*pat != '/' || *path != '/')
            return 0;
        pat++;
        path++;
        pe = pat + strcspn(pat, "/");
        se = path + strcspn(path, "/");
        name = val = NULL;
        if (!segment_match(pool, pat, (size_t) (pe - pat), path, (size_t) (se - path), &name, &val))
            return 0;
        if (name != NULL) {
            if (n == maxparams)
                return 0;
            params[n].name = name;
            params[n++].value = val;
        }
        pat = pe;
        path = se;
        if (*pat == '\0' && *path == '\0')
            break;
    }
    *nparams = n;
    return 1;
}

const lw_route *
lw_route_match(lw_req *r, const char *path, const char *method, unsigned *allow)
{
    lw_kv params[4];
    size_t i, j, np = 0, len = strlen(path);
    unsigned want = method_bit(method);
    char *p;

    /* "/alerts/" is "/alerts" */
    if (len > 1 && path[len - 1] == '/') {
        p = lw_pool_strndup(r->pool, path, len - 1);
        if (p == NULL)
            return NULL;
        path = p;
    }
    *allow = 0;
    for (i = 0; i < LW_ARRAY_LEN(routes); i++) {
        if (!pattern_match(r->pool, routes[i].pattern, path, params, &np, LW_ARRAY_LEN(params)))
            continue;
        *allow |= routes[i].methods;
        if (!(routes[i].methods & want))
            continue;
        r->path_params.n = 0;
        for (j = 0; j < np; j++) {
            /* the list is pool-allocated on first use */
            if (r->path_params.cap == 0) {
                r->path_params.items = lw_pool_alloc(r->pool, 4 * sizeof(lw_kv));
                if (r->path_params.items == NULL)
                    return NULL;
                r->path_params.cap = 4;
            }
            r->path_params.items[r->path_params.n++] = params[j];
        }
        return &routes[i];
    }
    return NULL;
}

/* ---- authentication ---- */

static int
user_from_result(lw_req *r, PGresult *res, int via_token)
{
    const char *role;

    if (res == NULL)
        return LW_EDB;
    if (PQntuples(res) == 1) {
        role = lw_db_str(res, 0, 2);
        r->user.id = lw_db_int(res, 0, 0);
        r->user.email = via_token
            ? lw_pool_printf(r->pool, "%s (token %s)", lw_db_str(res, 0, 1), lw_db_str(res, 0, 3))
            : lw_pool_strdup(r->pool, lw_db_str(res, 0, 1));
        r->user.role = lw_auth_role_parse(role);
        if (r->user.role < 0)
            r->user.role = LW_ROLE_ANON;
        r->user.via_token = via_token;
        if (!via_token)
            r->user.csrf = lw_pool_strdup(r->pool, lw_db_str(res, 0, 3));
    }
    PQclear(res);
    return LW_OK;
}

/* A remembered identity into r (cache.h): no query. */
static int
user_from_cache(lw_req *r, const char *token, int via_token, unsigned long *gen)
{
    lw_cache_user u;

    if (lw_cache_user_get(token, via_token, &u, gen) != LW_OK)
        return 0;
    r->user.id = u.id;
    r->user.role = u.role;
    r->user.email = lw_pool_strdup(r->pool, u.email);
    r->user.csrf = via_token ? NULL : lw_pool_strdup(r->pool, u.csrf);
    r->user.via_token = via_token;
    return r->user.email != NULL && (via_token || r->user.csrf != NULL);
}

/* What the database confirmed, remembered for the next requests. */
static void
user_to_cache(const lw_req *r, const char *token, int via_token, unsigned long gen)
{
    lw_cache_user u;

    if (r->user.id <= 0)
        return;
    memset(&u, 0, sizeof(u));
    u.id = r->user.id;
    u.role = r->user.role;
    lw_strlcpy(u.email, r->user.email ? r->user.email : "", sizeof(u.email));
    lw_strlcpy(u.csrf, r->user.csrf ? r->user.csrf : "", sizeof(u.csrf));
    lw_cache_user_put(token, via_token, gen, &u);
}

/* Who is asking: a Bearer token (machine routes) or the session cookie.
 * Anonymous is not an error; an unreachable database is (LW_EDB). */
static int
authenticate(lw_req *r, const lw_route *rt)
{
    const char *auth = lw_req_env(r, "HTTP_AUTHORIZATION");
    const char *cookie = lw_req_cookie(r, "lw_session");
    unsigned long gen;
    lw_db *db;
    int rc;

    if ((rt->flags & LW_ROUTE_MACHINE) && auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0) {
        if (!lw_auth_token_valid(auth + 7))
            return LW_OK;
        if (user_from_cache(r, auth + 7, 1, &gen))
            return LW_OK;
        if ((db = lw_req_db(r)) == NULL)
            return LW_EDB;
        rc = user_from_result(r, lw_db_users_by_api_token(db, &r->err, auth + 7), 1);
        if (rc == LW_OK)
            user_to_cache(r, auth + 7, 1, gen);
        return rc;
    }
    if (cookie == NULL)
        return LW_OK;
    if (lw_auth_token_valid(cookie)) {
        if (user_from_cache(r, cookie, 0, &gen)) {
            r->user.session = cookie;
            return LW_OK;
        }
        if ((db = lw_req_db(r)) == NULL)
            return LW_EDB;
        rc = user_from_result(r, lw_db_users_by_session(db, &r->err, cookie,
                                                        lw_req_settings_get()->session_lifetime_s), 0);
        if (rc != LW_OK)
            return rc;
        if (r->user.id > 0) {
            r->user.session = cookie;
            user_to_cache(r, cookie, 0, gen);
            return LW_OK;
        }
    }
    /* expired or forged: the browser may as well forget it */
    lw_req_set_cookie(r, "lw_session", "", "Lax", 0);
    return LW_OK;
}

static int
csrf_ok(lw_req *r, const lw_route *rt)
{
    const char *sent = lw_req_form(r, "csrf_token");
    const char *expected = NULL;

    if (sent == NULL)
        sent = lw_req_env(r, "HTTP_X_CSRF_TOKEN");
    if (rt->csrf == LW_CSRF_SESSION) {
        if (r->user.via_token)
            return 1;   /* no cookie involved: nothing a third site can forge */
        expected = r->user.csrf;
    } else if (rt->csrf == LW_CSRF_COOKIE) {
        expected = lw_req_cookie(r, "lw_csrf");
        if (!lw_auth_token_valid(expected))
            return 0;
    }
    return expected != NULL && expected[0] != '\0' && lw_crypto_streq(sent, expected);
}

/* ---- answers ---- */

static int
machine_route(lw_req *r)
{
    return (r->route != NULL && (r->route->flags & LW_ROUTE_MACHINE))
        || strncmp(r->path, "/api/", 5) == 0;
}

static void
allow_header(lw_req *r, unsigned allow)
{
    lw_req_add_header(r, "Allow", (allow & LW_GET) && (allow & LW_POST) ? "GET, HEAD, POST"
                                  : (allow & LW_POST) ? "POST" : "GET, HEAD");
}

/* The values every page's layout uses. */
static void
common_hdf(lw_req *r)
{
    lw_hdf_set(&r->page, "Page.path", r->path);
    if (r->route && r->route->section)
        lw_hdf_set(&r->page, "Page.section", r->route->section);
    if (r->user.id > 0) {
        lw_hdf_set(&r->page, "User.email", r->user.email);
        lw_hdf_set(&r->page, "User.role", lw_auth_role_name(r->user.role));
        lw_hdf_set_int(&r->page, "User.can_compliance", lw_auth_role_allows(r->user.role, LW_ROLE_COMPLIANCE));
        lw_hdf_set_int(&r->page, "User.can_editor", lw_auth_role_allows(r->user.role, LW_ROLE_EDITOR));
        lw_hdf_set_int(&r->page, "User.can_admin", lw_auth_role_allows(r->user.role, LW_ROLE_ADMIN));
        lw_hdf_set(&r->page, "CSRF.token", r->user.csrf);
    }
}

static void
respond_json_error(lw_req *r)
{
    const char *s = lw_api_error_json(r);

    lw_response_build(r, "application/json", s, strlen(s));
}

/* Renders whatever r holds: a raw body, a page, an error, a redirect. */
static void
finish(lw_req *r)
{
    lw_buf body = { 0 };
    const char *msg;
    char *mark;
    size_t len;

    if (r->template != NULL && strcmp(r->template, "error") == 0) {
        if (machine_route(r)) {
            if (strncmp(r->path, "/api/", 5) == 0) {
                respond_json_error(r);
            } else {
                msg = lw_pool_printf(r->pool, "%s\n",
                                     r->error_message ? r->error_message : lw_response_title(r->status));
                lw_response_build(r, "text/plain; charset=utf-8", msg, strlen(msg));
            }
            return;
        }
        lw_hdf_set_int(&r->page, "Error.status", r->status);
        lw_hdf_set(&r->page, "Error.title", lw_response_title(r->status));
        lw_hdf_set(&r->page, "Error.message", r->error_message);
        lw_hdf_set(&r->page, "Page.title", lw_response_title(r->status));
    }
    if (r->template != NULL) {
        common_hdf(r);
        /* the one check of the page data (its setters fail sticky): a
         * page that cannot be rendered whole goes out as a bare 500,
         * without what the handler meant to send along (cookies...) */
        if (lw_response_render(r, &body) != LW_OK) {
            lw_log(LW_LOG_ERROR, "render %s: %s", r->path, r->err.msg);
            lw_buf_free(&body);
            lw_buf_reset(&r->headers);
            r->status = 500;
            msg = "Internal error: the page could not be rendered.\n";
            lw_response_build(r, "text/plain; charset=utf-8", msg, strlen(msg));
            return;
        }
        mark = r->splice && body.data ? memmem(body.data, body.len, LW_SPLICE_MARK,
                                               strlen(LW_SPLICE_MARK)) : NULL;
        if (mark != NULL) {
            /* the cached content where cached_page.cs left the mark */
            len = body.len - strlen(LW_SPLICE_MARK);
            memmove(mark, mark + strlen(LW_SPLICE_MARK), len - (size_t) (mark - body.data));
            lw_response_build_spliced(r, "text/html; charset=utf-8", body.data, len, r->splice,
                                      r->splice_len, (size_t) (mark - body.data));
        } else {
            lw_response_build(r, "text/html; charset=utf-8", body.data ? body.data : "", body.len);
        }
        lw_buf_free(&body);
        return;
    }
    if (r->body != NULL) {
        struct lw_piece parts[2] = { { r->body, r->body_len }, { r->body_more, r->body_more_len } };

        lw_response_build_pieces(r, r->content_type, parts, r->body_more ? 2 : 1);
        return;
    }
    /* redirects and empty answers */
    lw_response_build(r, "text/plain; charset=utf-8", "", 0);
}

static void
login_redirect(lw_req *r)
{
    const char *next = r->path;

    if (strcmp(r->method, "GET") == 0 && r->query[0] != '\0')
        next = lw_pool_printf(r->pool, "%s?%s", r->path, r->query);
    lw_req_redirect(r, lw_pool_printf(r->pool, "/login?next=%s",
                                      lw_req_url_encode(r->pool, next ? next : "/")));
}

static void
handler_failed(lw_req *r, int rc)
{
    switch (rc) {
    case LW_EDB:
        lw_log(LW_LOG_WARN, "%s %s: %s", r->method, r->path, r->err.msg);
        lw_req_error(r, 503, "The database is not reachable right now. Try again in a moment.");
        break;
    case LW_ENOTFOUND:
        lw_req_error(r, 404, "There is nothing at this address.");
        break;
    case LW_EINVAL:
        lw_req_error(r, 400, r->err.msg[0] ? r->err.msg : "The request is not valid.");
        break;
    default:
        lw_log(LW_LOG_ERROR, "%s %s: %s", r->method, r->path, r->err.msg);
        lw_req_error(r, 500, "Something went wrong on our side; it has been logged.");
        break;
    }
}

int
lw_route_check(lw_req *r, const lw_route *rt)
{
    if (!lw_auth_role_allows(r->user.id > 0 ? r->user.role : LW_ROLE_ANON, rt->role)) {
        if (r->user.id > 0) {
            lw_req_error(r, 403, "Your role does not give access to this page.");
        } else if (rt->flags & LW_ROUTE_MACHINE) {
            lw_req_add_header(r, "WWW-Authenticate", "Bearer realm=\"llmwatch\"");
            lw_req_error(r, 401, "Authentication required: send Authorization: Bearer <token>.");
        } else {
            login_redirect(r);
        }
        return LW_EPERM;
    }
    if (strcmp(r->method, "POST") == 0 && rt->csrf != LW_CSRF_NONE && !csrf_ok(r, rt)) {
        lw_req_error(r, 403, "The form has expired or did not come from this site. "
                             "Reload the page and try again.");
        return LW_EPERM;
    }
    return LW_OK;
}

/* A page from the cache: a raw body as it was, or the content fragment
 * inside the layout rendered for this request (nav, user, CSRF token). */
static void
serve_cached(lw_req *r, const lw_cache_value *v, const char *how)
{
    lw_req_add_header(r, "X-Llmwatch-Cache", how);
    if (v->content_type != NULL) {
        r->status = 200;
        r->content_type = v->content_type;
        r->body = v->body;
        r->body_len = v->len;
        return;
    }
    lw_hdf_set(&r->page, "Page.title", v->title);
    if (v->refresh > 0)
        lw_hdf_set_int(&r->page, "Page.refresh", v->refresh);
    lw_hdf_set(&r->page, "Cached.html", LW_SPLICE_MARK);
    r->splice = v->body;
    r->splice_len = v->len;
    r->template = "cached_page";
}

/* After a page was computed: stores what it answered (a 200 without a
 * flash message) and serves the stored form, so a miss and a hit give the
 * same bytes. LW_OK when stored; anything else abandons the entry. */
static int
cache_page(lw_req *r, const char *key, unsigned long gen)
{
    lw_cache_value v;
    lw_buf frag = { 0 };
    lw_err err;
    int rc = LW_ERROR;

    if (r->status != 200 || r->page.failed)
        return LW_ERROR;
    memset(&v, 0, sizeof(v));
    if (r->template == NULL && r->body != NULL) {
        v.content_type = r->content_type;
        v.body = r->body;
        v.len = r->body_len;
        lw_cache_store(key, gen, &v);
        lw_req_add_header(r, "X-Llmwatch-Cache", "miss");
        return LW_OK;
    }
    if (r->template == NULL || strcmp(r->template, "error") == 0
        || hdf_get_value(r->page.hdf, "Flash.message", NULL) != NULL)
        return LW_ERROR;
    if (lw_render(&r->page, r->template, "fragment_layout", &frag, &err) == LW_OK) {
        lw_render_strip(&frag, 0);
        v.title = hdf_get_value(r->page.hdf, "Page.title", "");
        v.refresh = hdf_get_int_value(r->page.hdf, "Page.refresh", 0);
        v.body = frag.data ? frag.data : "";
        v.len = frag.len;
        lw_cache_store(key, gen, &v);
        v.body = lw_pool_strndup(r->pool, v.body, v.len);
        v.title = lw_pool_strdup(r->pool, v.title);
        if (v.body != NULL && v.title != NULL) {
            serve_cached(r, &v, "miss");
            rc = LW_OK;
        }
    }
    lw_buf_free(&frag);
    return rc;
}

void
lw_route_handle(lw_req *r)
{
    const lw_route *rt;
    const char *cache_key = NULL;
    lw_cache_value cached;
    unsigned long gen = 0;
    unsigned allow = 0;
    int64_t t0 = lw_now_mono_us();
    int rc;

    if (r->body_status != 0) {
        lw_req_error(r, r->body_status, r->body_status == 413
                     ? "The request body is larger than 1 MiB."
                     : "The request body could not be read.");
        goto done;
    }
    rt = lw_route_match(r, r->path, r->method, &allow);
    if (rt == NULL) {
        /* the error page shows the nav to a logged-in user; a database
         * failure here changes nothing */
        if (lw_req_cookie(r, "lw_session") != NULL)
            authenticate(r, &routes[0]);
        if (allow != 0) {
            allow_header(r, allow);
            lw_req_error(r, 405, "This address does not accept that method.");
        } else {
            lw_req_error(r, 404, "There is nothing at this address.");
        }
        goto done;
    }
    r->route = rt;
    if (r->bad_input != NULL) {
        /* refused here, before the database sees it (it would refuse it
         * with an error that looks like an outage) */
        lw_req_error(r, 400, r->bad_input);
        goto done;
    }
    if (!(rt->flags & LW_ROUTE_NO_DB) && (rt->role > LW_ROLE_ANON || rt->csrf == LW_CSRF_COOKIE)) {
        if (authenticate(r, rt) != LW_OK) {
            handler_failed(r, LW_EDB);
            goto done;
        }
    }
    if (lw_route_check(r, rt) != LW_OK)
        goto done;
    if ((rt->flags & LW_ROUTE_CACHE) && strcmp(r->method, "GET") == 0) {
        cache_key = lw_pool_printf(r->pool, "%s?%s|%s", r->path, r->query,
                                   lw_auth_role_name(r->user.role));
        switch (cache_key ? lw_cache_lookup(cache_key, r->pool, &cached, &gen) : LW_CACHE_BYPASS) {
        case LW_CACHE_HIT:
            serve_cached(r, &cached, "hit");
            goto done;
        case LW_CACHE_MISS:
            break;
        default:
            lw_req_add_header(r, "X-Llmwatch-Cache", "bypass");
            cache_key = NULL;
        }
    }
    lw_replica_use(r, cache_key != NULL);
    rc = rt->handler(r);
    if (r->dbslot != NULL && *r->dbslot != NULL)
        lw_db_rollback(*r->dbslot);     /* a page never leaves a transaction open */
    /* A POST may have revoked something (a token, a session, a role): this
     * process forgets who it remembered now rather than when its NOTIFY
     * comes back, so the next request here is checked against the
     * database. (Other web processes learn it from the NOTIFY.) */
    if (strcmp(r->method, "POST") == 0)
        lw_cache_auth_forget();
    lw_replica_done(r);
    if (rc < 0)
        handler_failed(r, rc);
    if (cache_key != NULL && cache_page(r, cache_key, gen) != LW_OK)
        lw_cache_abandon(cache_key);
done:
    finish(r);
    lw_reqstats_observe(r->route, r->status, lw_now_mono_us() - t0);
    lw_log(r->status >= 500 ? LW_LOG_WARN : LW_LOG_DEBUG, "%s %s -> %d",
           r->method, r->path, r->status);
}
