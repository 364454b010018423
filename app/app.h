/* app.h: llmwatch-web's dispatch table (routes.c) and the pages it calls.
 * Each page lives in app/page_<name>.c: it reads the request, queries
 * through lib/db/ (all SQL lives there, one file per topic), fills r->page
 * (with view.h's helpers where pages look alike) and names its template;
 * it never prints. routes.c renders the answer. */
#ifndef LW_APP_H
#define LW_APP_H

#include <json.h>

#include "db/dash.h"
#include "request.h"

/* methods a route allows */
#define LW_GET   1u
#define LW_POST  2u

/* how a POST proves it came from our own form */
enum {
    LW_CSRF_NONE = 0,   /* GET-only routes */
    LW_CSRF_SESSION,    /* csrf_token field or X-CSRF-Token = the session's token */
    LW_CSRF_COOKIE      /* before login: field = the lw_csrf cookie (double submit) */
};

/* route flags */
#define LW_ROUTE_MACHINE 1u  /* for programs: Bearer tokens accepted, 401 instead
                                of a redirect, errors as text (JSON under /api/) */
#define LW_ROUTE_NO_DB   2u  /* answers without looking up a session (healthz) */
#define LW_ROUTE_CACHE   4u  /* GET answers go through the page cache (cache.h):
                                pages of aggregates with nothing per user in
                                their content, keyed by path, query and role */

typedef struct lw_route {
    const char *pattern;    /* "/models/{id}": {x} matches the digits of an integer
                               column's value, {x:bigint} those of a bigint */
    unsigned    methods;
    int         role;       /* LW_ROLE_* (auth.h): the least role allowed */
    int         csrf;
    unsigned    flags;
    const char *section;    /* the nav entry to highlight */
    int       (*handler)(lw_req *r);
} lw_route;

/* The table (for tests and docs). */
const lw_route *lw_routes(size_t *n);
/* Finds the route of path+method. NULL when none: *allow then holds the
 * methods the path does accept (0: the path is unknown). Path parameters
 * go into r->path_params. */
const lw_route *lw_route_match(lw_req *r, const char *path, const char *method,
                               unsigned *allow);

/* The checks made once for every page: role (303 to /login, 401 for
 * machine routes, 403) and CSRF on POST. LW_OK, or LW_EPERM with the
 * answer already set in r. r->user must be filled in. */
int lw_route_check(lw_req *r, const lw_route *rt);

/* Everything after the request is parsed: routing, checks, the handler,
 * rendering. Leaves the complete response in r->out. */
void lw_route_handle(lw_req *r);

/* Pages */
int lw_page_dashboard(lw_req *r);
int lw_page_model(lw_req *r);
/* The streams part of a model's page over (from, to] (page_model_streams.c). */
int lw_page_model_streams(lw_req *r, long long model_id, long long from, long long to);
/* The custom metrics part of a model's page over the range rg, under
 * Custom.N (page_model_custom.c). */
int lw_page_model_custom(lw_req *r, long long model_id, const lw_db_dash_range *rg);
int lw_page_alerts(lw_req *r);
int lw_page_alert(lw_req *r);
int lw_page_rules(lw_req *r);
int lw_page_rule(lw_req *r);
int lw_page_silences(lw_req *r);
int lw_page_channels(lw_req *r);
int lw_page_budgets(lw_req *r);
int lw_page_sla(lw_req *r);
int lw_page_reports(lw_req *r);
int lw_page_report_file(lw_req *r);
int lw_page_users(lw_req *r);
int lw_page_user_change(lw_req *r);
int lw_page_audit(lw_req *r);
int lw_page_login(lw_req *r);
int lw_page_logout(lw_req *r);
int lw_page_logout_everywhere(lw_req *r);
int lw_page_account(lw_req *r);
int lw_page_healthz(lw_req *r);
int lw_page_metrics(lw_req *r);
int lw_page_api_models(lw_req *r);
/* changing alerting (editors; routing: admins) */
int lw_page_rule_new(lw_req *r);
int lw_page_rule_edit(lw_req *r);
int lw_page_rule_delete(lw_req *r);
int lw_page_rule_enable(lw_req *r);
int lw_page_rule_disable(lw_req *r);
int lw_page_api_rules(lw_req *r);
int lw_page_alert_ack(lw_req *r);
int lw_page_alert_unack(lw_req *r);
int lw_page_alert_false_positive(lw_req *r);
int lw_page_silence_new(lw_req *r);
int lw_page_silence_expire(lw_req *r);
int lw_page_channel_routing(lw_req *r);
/* the JSON API (page_api_*.c; shared helpers in api.h) */
int lw_page_api_probes(lw_req *r);
int lw_page_api_measures(lw_req *r);
int lw_page_api_sla(lw_req *r);
int lw_page_api_budgets(lw_req *r);
int lw_page_api_alerts(lw_req *r);
int lw_page_api_alert(lw_req *r);
int lw_page_api_rules_get(lw_req *r);
int lw_page_api_silences(lw_req *r);
int lw_page_api_openapi(lw_req *r);
/* admins: API tokens (page_tokens.c) */
int lw_page_tokens(lw_req *r);
int lw_page_token_revoke(lw_req *r);
/* the download of `llmwatch export` (page_export.c) */
int lw_page_export(lw_req *r);
/* the public status page (page_status.c) */
int lw_page_status(lw_req *r);
int lw_page_status_json(lw_req *r);
/* channels in the web interface (page_channels.c, page_channel_edit.c) */
int lw_page_channel(lw_req *r);
int lw_page_channel_new(lw_req *r);
int lw_page_channel_edit(lw_req *r);
int lw_page_channel_test(lw_req *r);
int lw_page_channel_enable(lw_req *r);
int lw_page_channel_disable(lw_req *r);
/* costs and budgets (page_budgets*.c, page_costs*.c, page_api_usage.c,
 * page_api_custom_metrics.c) */
int lw_page_budget_new(lw_req *r);
int lw_page_budget_delete(lw_req *r);
int lw_page_api_usage(lw_req *r);
int lw_page_costs(lw_req *r);
int lw_page_api_custom_metrics(lw_req *r);

#endif
