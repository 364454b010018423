/* routes.c: what the simulator answers: the LLM routes of the three
 * protocols (OpenAI chat completions, Anthropic messages, Gemini
 * generateContent), /v1/models and /_sim/stats; everything else 404. */
#include "sim.h"
#include "server.h"

#include <string.h>

/* The route's protocol, or -1 for a path that is not an LLM route. */
int
lw_sim_llm_route(const char *path)
{
    size_t n = strlen(path);

    if ((strstr(path, "/v1beta/models/") != NULL || strstr(path, "/v1/models/") != NULL) &&
        strchr(path, ':') != NULL)
        return LW_SIM_PROTO_GOOGLE;
    if (n >= 17 && strcmp(path + n - 17, "/chat/completions") == 0)
        return LW_SIM_PROTO_OPENAI;
    if (n >= 12 && strcmp(path + n - 12, "/v1/messages") == 0)
        return LW_SIM_PROTO_ANTHROPIC;
    return -1;
}

static void
route_stats(lw_sim_conn *c)
{
    struct lw_sim_server *S = &lw_sim_srv;
    lw_buf b = { 0 };
    int i;

    lw_sim_printf(&b, "{\"uptime_s\":%.3f,\"connections_open\":%llu,\"connections_total\":%llu,"
                  "\"requests_total\":%llu,\"llm_requests\":%llu,\"active_llm_requests\":%llu,"
                  "\"client_closed\":%llu,\"bytes_sent\":%llu,\"timers_pending\":%zu,\"by_outcome\":{",
                  (double) (lw_now_mono_us() - S->ctx.start_mono_us) / 1e6,
                  (unsigned long long) S->conns_open, (unsigned long long) S->conns_total,
                  (unsigned long long) S->requests, (unsigned long long) S->llm,
                  (unsigned long long) S->active, (unsigned long long) S->client_closed,
                  (unsigned long long) S->bytes_out, lw_sim_timers_pending());
    for (i = 0; i < LW_SIM_OUT_N; i++)
        lw_sim_printf(&b, "%s\"%s\":%llu", i ? "," : "", lw_sim_outcome_name(i),
                      (unsigned long long) S->by_outcome[i]);
    lw_sim_puts(&b, "},\"by_protocol\":{");
    for (i = 0; i < 3; i++)
        lw_sim_printf(&b, "%s\"%s\":%llu", i ? "," : "", lw_sim_proto_name(i),
                      (unsigned long long) S->by_proto[i]);
    lw_sim_printf(&b, "},\"first_content_lateness_us\":{\"count\":%llu,\"mean\":%.1f,\"max\":%lld},"
                  "\"loop_busy_max_us\":%lld,\"scenarios\":", (unsigned long long) S->late_n,
                  S->late_n ? (double) S->late_sum / (double) S->late_n : 0.0, (long long) S->late_max,
                  (long long) S->busy_max);
    lw_sim_json_cstr(&b, S->scenarios->path);
    lw_sim_printf(&b, ",\"seed\":%llu,\"suite_cases\":%zu}\n", (unsigned long long) S->ctx.seed,
                  S->suites != NULL ? S->suites->n : 0);
    lw_sim_respond(c, 200, "application/json", b.data, b.len, c->req.keep_alive, NULL);
    lw_buf_free(&b);
}

static void
route_models(lw_sim_conn *c)
{
    struct lw_sim_server *S = &lw_sim_srv;
    lw_buf b = { 0 };
    size_t i;
    int first = 1;

    lw_sim_puts(&b, "{\"object\":\"list\",\"data\":[");
    for (i = 0; i < S->scenarios->n; i++) {
        const lw_sim_scenario *sc = &S->scenarios->v[i];

        if (sc->is_glob || sc->is_default)
            continue;
        lw_sim_puts(&b, first ? "{\"id\":" : ",{\"id\":");
        lw_sim_json_cstr(&b, sc->name);
        lw_sim_printf(&b, ",\"object\":\"model\",\"created\":%lld,\"owned_by\":\"llmwatch-sim\"}",
                      (long long) (S->ctx.start_wall_us / 1000000));
        first = 0;
    }
    lw_sim_puts(&b, "]}\n");
    lw_sim_respond(c, 200, "application/json", b.data, b.len, c->req.keep_alive, NULL);
    lw_buf_free(&b);
}

/* Gemini: .../models/{model}:streamGenerateContent?alt=sse or :generateContent */
static void
route_google(lw_sim_conn *c, const char *body, size_t blen, int64_t recv_us)
{
    struct lw_sim_server *S = &lw_sim_srv;
    lw_sim_http_req *h = &c->req;
    const char *p = strstr(h->path, "/models/") + 8, *colon = strrchr(p, ':');
    const char *alt = lw_sim_query_get(c->pool, h->query, "alt");
    char *model;
    int stream;

    if (colon == NULL) {
        lw_sim_gen_begin(c, lw_sim_gen_refuse(++S->seq, LW_SIM_PROTO_GOOGLE, h, 404,
                                       "Expected /v1beta/models/{model}:streamGenerateContent.", recv_us));
        return;
    }
    if (h->goog_api_key == NULL)
        h->goog_api_key = lw_sim_query_get(c->pool, h->query, "key");
    model = lw_sim_url_decode(c->pool, p, (size_t) (colon - p));
    if (strcmp(colon + 1, "streamGenerateContent") == 0) {
        stream = 1;
    } else if (strcmp(colon + 1, "generateContent") == 0) {
        stream = 0;
    } else {
        lw_sim_gen_begin(c, lw_sim_gen_refuse(++S->seq, LW_SIM_PROTO_GOOGLE, h, 404,
                                       "Method not found: use streamGenerateContent or generateContent.",
                                       recv_us));
        return;
    }
    if (*model == '\0' || (stream && (alt == NULL || strcmp(alt, "sse") != 0))) {
        lw_sim_gen_begin(c, lw_sim_gen_refuse(++S->seq, LW_SIM_PROTO_GOOGLE, h, 400, *model == '\0'
                                       ? "A model name is required in the path."
                                       : "llmwatch-sim streams Gemini replies with ?alt=sse only.",
                                       recv_us));
        return;
    }
    lw_sim_gen_begin(c, lw_sim_gen_start(&S->ctx, ++S->seq, LW_SIM_PROTO_GOOGLE, h, model, stream,
                                  body, blen, recv_us));
}

void
lw_sim_dispatch(lw_sim_conn *c, const char *body, size_t blen, int64_t recv_us)
{
    struct lw_sim_server *S = &lw_sim_srv;
    lw_sim_http_req *h = &c->req;
    int get = strcmp(h->method, "GET") == 0, proto = lw_sim_llm_route(h->path);

    S->requests++;
    if (proto >= 0) {
        if (strcmp(h->method, "POST") != 0) {
            lw_sim_respond_error(c, proto, 405, "Only POST is supported on this route.", h->keep_alive,
                          "Allow: POST\r\n");
            return;
        }
        if (proto == LW_SIM_PROTO_GOOGLE) {
            route_google(c, body, blen, recv_us);
            return;
        }
        lw_sim_gen_begin(c, lw_sim_gen_start(&S->ctx, ++S->seq, proto, h, NULL, 0, body, blen, recv_us));
        return;
    }
    if (strcmp(h->path, "/healthz") == 0 && get) {
        lw_sim_respond(c, 200, "application/json", "{\"status\":\"ok\"}\n", 16, h->keep_alive, NULL);
    } else if (strcmp(h->path, "/v1/models") == 0 && get) {
        route_models(c);
    } else if (strcmp(h->path, "/_sim/stats") == 0 && get) {
        route_stats(c);
    } else if (strcmp(h->path, "/healthz") == 0 || strcmp(h->path, "/v1/models") == 0 ||
               strcmp(h->path, "/_sim/stats") == 0) {
        lw_sim_respond_error(c, LW_SIM_PROTO_OPENAI, 405, "Only GET is supported on this route.",
                      h->keep_alive, "Allow: GET\r\n");
    } else {
        lw_sim_respond_error(c, LW_SIM_PROTO_OPENAI, 404, "Unknown request URL. llmwatch-sim serves "
                      "/v1/chat/completions, /v1/messages, /v1beta/models/{model}:streamGenerateContent, "
                      "/v1/models, /healthz and /_sim/stats.", h->keep_alive, NULL);
    }
}

/* Whether the input holds a blank line (the end of a request head) yet;
 * remembers how far it looked. */
