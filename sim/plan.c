/* plan.c: one LLM request planned up front from the scenario and a
 * per-request RNG: its outcome, timings, and what it will say (a known
 * case's answer, filler, a tool call, a refusal; reasoning before it).
 * gen.c then produces the bytes when they are due. No I/O here. */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Filler vocabulary: ordinary words, one token each (word plus a space). */
static const char *filler[] = {
    "the ", "model ", "answers ", "with ", "steady ", "tokens ", "while ", "latency ",
    "stays ", "within ", "expected ", "bounds ", "and ", "throughput ", "remains ", "stable ",
    "across ", "regions ", "because ", "requests ", "arrive ", "evenly ", "over ", "time ",
    "so ", "each ", "probe ", "measures ", "first ", "token ", "delay ", "carefully ",
    "before ", "reporting ", "results ", "to ", "a ", "dashboard ", "that ", "shows ",
    "trends ", "per ", "provider ", "under ", "normal ", "load ", "in ", "practice ",
    "most ", "replies ", "are ", "short ", "clear ", "useful ", "summaries ", "of ",
    "data ", "from ", "recent ", "runs ", "which ", "helps ", "teams ", "decide ",
};


static lw_sim_gen *
gen_new(uint64_t seq, int proto, const lw_sim_http_req *h, int64_t recv_us)
{
    lw_sim_gen *g = calloc(1, sizeof(*g));

    if (g == NULL || (g->pool = lw_pool_create()) == NULL) {
        free(g);
        return NULL;
    }
    g->seq = seq;
    g->proto = proto;
    g->recv_us = recv_us;
    g->keep_alive = h->keep_alive;
    g->chunked = h->minor >= 1;
    g->probe_id = lw_pool_strdup(g->pool, h->probe_id != NULL ? h->probe_id : "");
    g->answer = LW_SIM_ANSWER_NONE;
    g->status = 200;
    g->phase = LW_SIM_PH_HEAD;
    g->head_at = g->next_at = recv_us;
    switch (proto) {
    case LW_SIM_PROTO_ANTHROPIC:
        snprintf(g->id, sizeof(g->id), "msg_sim%016llx", (unsigned long long) seq);
        break;
    case LW_SIM_PROTO_GOOGLE:
        snprintf(g->id, sizeof(g->id), "sim%016llx", (unsigned long long) seq);
        break;
    default:
        snprintf(g->id, sizeof(g->id), "chatcmpl-sim%016llx", (unsigned long long) seq);
    }
    return g;
}

static void
set_error(lw_sim_gen *g, int outcome, int status, const char *msg)
{
    g->outcome = outcome;
    g->status = status;
    g->err_msg = lw_pool_strdup(g->pool, msg);
}

lw_sim_gen *
lw_sim_gen_refuse(uint64_t seq, int proto, const lw_sim_http_req *h, int status,
                  const char *message, int64_t recv_us)
{
    lw_sim_gen *g = gen_new(seq, proto, h, recv_us);

    if (g == NULL)
        return NULL;
    set_error(g, LW_SIM_OUT_BAD_REQUEST, status, message);
    g->keep_alive = 0;      /* the body was not read: the connection cannot go on */
    return g;
}

/* The API key the request carries, or NULL. */
static const char *
request_key(int proto, const lw_sim_http_req *h)
{
    const char *a = h->authorization;

    switch (proto) {
    case LW_SIM_PROTO_ANTHROPIC:
        return h->x_api_key;
    case LW_SIM_PROTO_GOOGLE:
        return h->goog_api_key;
    default:
        if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0) {
            a += 7;
            while (*a == ' ')
                a++;
            return a;
        }
        return NULL;
    }
}

static const char *
missing_key_msg(int proto)
{
    switch (proto) {
    case LW_SIM_PROTO_ANTHROPIC:
        return "x-api-key header is required";
    case LW_SIM_PROTO_GOOGLE:
        return "Method doesn't allow unregistered callers (callers without established "
               "identity). Please use API Key or other form of API consumer identity to call this API.";
    default:
        return "You didn't provide an API key. You need to provide your API key in an "
               "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    }
}

static const char *
bad_key_msg(int proto)
{
    switch (proto) {
    case LW_SIM_PROTO_ANTHROPIC:
        return "invalid x-api-key";
    case LW_SIM_PROTO_GOOGLE:
        return "API key not valid. Please pass a valid API key.";
    default:
        return "Incorrect API key provided. You can find your API key at "
               "https://platform.openai.com/account/api-keys.";
    }
}

/* Splits text into tokens: each is a run of non-space plus the whitespace
 * after it (the first also takes leading whitespace), so the tokens
 * concatenate back to text exactly. Returns the count; toks may be NULL. */
static int
tokenize(const char *text, lw_sim_tok *toks)
{
    const char *p = text, *start = text;
    int n = 0;

    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    while (*p != '\0') {
        while (*p != '\0' && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (toks != NULL) {
            toks[n].s = start;
            toks[n].n = (size_t) (p - start);
        }
        n++;
        start = p;
    }
    return n;
}

int64_t
lw_sim_ms_to_us(double ms)
{
    return (int64_t) llround(ms * 1000.0);
}

void
lw_sim_filler_tok(lw_sim_rng *r, lw_sim_tok *t)
{
    const char *w = filler[lw_sim_rng_range(r, 0, (long) LW_ARRAY_LEN(filler) - 1)];

    t->s = w;
    t->n = strlen(w);
}

/* Content: the known case's answer (right or wrong), padded with filler
 * only for long-output cases; otherwise n filler tokens. */
static void
plan_content(lw_sim_gen *g, const lw_sim_ctx *ctx, const lw_sim_scenario *sc,
             const char *prompt, long n)
{
    const lw_sim_case *cs = lw_sim_suites_match(ctx->suites, prompt);
    const char *text = NULL;
    int na = 0, i, total;

    if (cs != NULL) {
        if (lw_sim_rng_unit(&g->rng) < sc->accuracy) {
            text = cs->answer;
            g->answer = LW_SIM_ANSWER_CORRECT;
        } else {
            text = lw_sim_suites_wrong(ctx->suites, cs, &g->rng, g->pool);
            g->answer = LW_SIM_ANSWER_WRONG;
        }
        if (cs->long_output)
            text = lw_pool_printf(g->pool, "%s ", text);   /* filler follows */
        else
            text = lw_pool_strdup(g->pool, text);
        na = tokenize(text, NULL);
        if (!cs->long_output || n < na)
            n = na;
    }
    total = (int) n;
    g->toks = lw_pool_alloc(g->pool, sizeof(*g->toks) * (size_t) (total > 0 ? total : 1));
    if (text != NULL)
        tokenize(text, g->toks);
    for (i = na; i < total; i++)
        lw_sim_filler_tok(&g->rng, &g->toks[i]);
    g->ntok = total;
}

/* A tool call: to the call a known tool case expects (right, or without
 * its arguments), else to the first tool offered with no arguments. Its
 * arguments stream in pieces (Gemini sends a call whole). */
static void
plan_tool(lw_sim_gen *g, const lw_sim_ctx *ctx, const lw_sim_scenario *sc, const lw_sim_ask *a)
{
    const lw_sim_case *cs = lw_sim_suites_match(ctx->suites, a->prompt);
    const char *args = "{}";
    size_t len, off, n;
    int k = 0;

    g->tool_name = a->tool;
    if (cs != NULL && cs->tool_name != NULL) {
        g->tool_name = cs->tool_name;
        g->answer = lw_sim_rng_unit(&g->rng) < sc->accuracy ? LW_SIM_ANSWER_CORRECT
                                                           : LW_SIM_ANSWER_WRONG;
        if (g->answer == LW_SIM_ANSWER_CORRECT)
            args = cs->tool_args;
    }
    g->tool_name = lw_pool_strdup(g->pool, g->tool_name);
    g->tool_id = lw_pool_printf(g->pool, "%s%016llx", g->proto == LW_SIM_PROTO_ANTHROPIC
                                ? "toolu_sim" : "call_sim", (unsigned long long) g->seq);
    args = lw_pool_strdup(g->pool, args);
    len = strlen(args);
    g->toks = lw_pool_alloc(g->pool, sizeof(*g->toks) * (len / 8 + 2));
    for (off = 0; off < len; off += n) {
        n = g->proto == LW_SIM_PROTO_GOOGLE ? len - off : len - off < 8 ? len - off : 8;
        while (off + n < len && ((unsigned char) args[off + n] & 0xC0) == 0x80)
            n++;
        g->toks[k].s = args + off;
        g->toks[k++].n = n;
    }
    g->ntok = k;
}

/* A refusal: OpenAI streams its words (delta.refusal); Anthropic and
 * Gemini say it in their stop reason alone. */
static void
plan_refusal(lw_sim_gen *g)
{
    static const char text[] = "I'm sorry, but I can't help with that request.";

    g->ntok = 0;
    if (g->proto != LW_SIM_PROTO_OPENAI)
        return;
    g->ntok = tokenize(text, NULL);
    g->toks = lw_pool_alloc(g->pool, sizeof(*g->toks) * (size_t) g->ntok);
    tokenize(text, g->toks);
}

static int
draw_outcome(lw_sim_rng *r, const double *rate)
{
    /* a fixed order keeps a seed's sequence stable across releases */
    static const int order[] = {
        LW_SIM_OUT_AUTH, LW_SIM_OUT_RATE_LIMITED, LW_SIM_OUT_ERROR_500, LW_SIM_OUT_OVERLOADED,
        LW_SIM_OUT_HANG, LW_SIM_OUT_SLOW_DRIP, LW_SIM_OUT_TRUNCATED, LW_SIM_OUT_MALFORMED,
        LW_SIM_OUT_EMPTY, LW_SIM_OUT_NO_USAGE, LW_SIM_OUT_OVERSIZE, LW_SIM_OUT_TOOL_CALL,
        LW_SIM_OUT_REFUSAL, LW_SIM_OUT_NO_DONE, LW_SIM_OUT_NO_TERMINATOR,
    };
    double u = lw_sim_rng_unit(r), acc = 0;
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(order); i++) {
        acc += rate[order[i]];
        if (u < acc)
            return order[i];
    }
    return LW_SIM_OUT_OK;
}

lw_sim_gen *
lw_sim_gen_start(const lw_sim_ctx *ctx, uint64_t seq, int proto, const lw_sim_http_req *h,
                 const char *model_from_path, int stream_from_path, const char *body,
                 size_t blen, int64_t recv_us)
{
    lw_sim_gen *g = gen_new(seq, proto, h, recv_us);
    const lw_sim_scenario *sc;
    lw_sim_effective eff;
    lw_sim_ask ask;
    const char *key;
    char msg[256];
    int64_t wall_us, t;
    long n;
    int i;

    if (g == NULL)
        return NULL;
    wall_us = ctx->start_wall_us + (recv_us - ctx->start_mono_us);
    g->created = wall_us / 1000000;
    key = request_key(proto, h);
    if (key != NULL && *key == '\0')
        key = NULL;
    if (lw_sim_proto_parse(proto, body, blen, g->pool, &ask, msg, sizeof(msg)) != LW_OK) {
        /* like the providers: without a key, a bad body is still a 401 */
        if (key == NULL)
            set_error(g, LW_SIM_OUT_AUTH, 401, missing_key_msg(proto));
        else
            set_error(g, LW_SIM_OUT_BAD_REQUEST, 400, msg);
        return g;
    }
    g->model = proto == LW_SIM_PROTO_GOOGLE ? lw_pool_strdup(g->pool, model_from_path) : ask.model;
    g->stream = proto == LW_SIM_PROTO_GOOGLE ? stream_from_path : ask.stream;
    g->include_usage = ask.include_usage;
    g->input_tokens = lround((double) ask.words * 1.3);
    if (g->input_tokens < 1)
        g->input_tokens = 1;
    if (!g->chunked && g->stream)
        g->keep_alive = 0;           /* HTTP/1.0: the stream ends when the connection does */

    sc = lw_sim_scenario_find(ctx->scenarios, g->model);
    if (key == NULL && (sc == NULL || sc->require_key)) {
        set_error(g, LW_SIM_OUT_AUTH, 401, missing_key_msg(proto));
        return g;
    }
    if (sc == NULL) {
        snprintf(msg, sizeof(msg), "The model `%.180s` does not exist or you do not have access to it.",
                 g->model);
        set_error(g, LW_SIM_OUT_NOT_FOUND, 404, msg);
        return g;
    }
    g->scenario = lw_pool_strdup(g->pool, sc->name);
    if (sc->api_key != NULL && (key == NULL || strcmp(key, sc->api_key) != 0)) {
        set_error(g, LW_SIM_OUT_AUTH, 401, bad_key_msg(proto));
        return g;
    }

    lw_sim_rng_seed(&g->rng, ctx->seed, seq);
    lw_sim_scenario_effective(sc, wall_us, (double) (recv_us - ctx->start_mono_us) / 60e6, &eff);
    g->outcome = draw_outcome(&g->rng, eff.rate);
    t = lw_sim_ms_to_us(lw_sim_dist_sample(&sc->ttft, &g->rng) * eff.ttft_factor);
    g->ttft_at = recv_us + t;
    g->head_at = recv_us + lw_sim_ms_to_us(lw_sim_dist_sample(&sc->headers, &g->rng));
    if (g->head_at > g->ttft_at)
        g->head_at = g->ttft_at;
    g->next_at = g->head_at;
    g->itl = sc->itl;
    g->itl_factor = eff.itl_factor;
    g->late_input = sc->late_input_tokens;
    g->empty_first = sc->empty_delta_first;
    g->thoughts_tokens = sc->thoughts_tokens;
    g->crlf = sc->sse_crlf >= 0 ? sc->sse_crlf : proto == LW_SIM_PROTO_GOOGLE;
    g->retry_after = sc->retry_after;
    g->drip_ms = sc->slow_drip_ms;
    g->oversize_bytes = sc->oversize_bytes;
    g->version = lw_sim_version(sc, (double) (recv_us - ctx->start_mono_us) / 60e6);
    g->kind = LW_SIM_OUT_OK;

    switch (g->outcome) {
    case LW_SIM_OUT_AUTH:
        set_error(g, LW_SIM_OUT_AUTH, 401, bad_key_msg(proto));
        return g;
    case LW_SIM_OUT_RATE_LIMITED:
        set_error(g, LW_SIM_OUT_RATE_LIMITED, 429, proto == LW_SIM_PROTO_GOOGLE
                  ? "Resource has been exhausted (e.g. check quota)."
                  : "Rate limit reached for requests. Please try again later.");
        return g;
    case LW_SIM_OUT_ERROR_500:
        set_error(g, LW_SIM_OUT_ERROR_500, 500, proto == LW_SIM_PROTO_ANTHROPIC
                  ? "Internal server error"
                  : "The server had an error while processing your request. Sorry about that!");
        return g;
    case LW_SIM_OUT_OVERLOADED:
        if (proto != LW_SIM_PROTO_ANTHROPIC || !g->stream) {
            set_error(g, LW_SIM_OUT_OVERLOADED, proto == LW_SIM_PROTO_ANTHROPIC ? 529 : 503,
                      proto == LW_SIM_PROTO_ANTHROPIC ? "Overloaded"
                      : "The model is overloaded. Please try again later.");
            return g;
        }
        break;
    default:
        break;
    }

    /* without a tool to call, a tool-calling model answers in text */
    if (g->outcome == LW_SIM_OUT_TOOL_CALL && ask.tool == NULL)
        g->outcome = LW_SIM_OUT_OK;
    if (g->outcome == LW_SIM_OUT_TOOL_CALL || g->outcome == LW_SIM_OUT_REFUSAL)
        g->kind = g->outcome;
    g->no_done = g->outcome == LW_SIM_OUT_NO_DONE;
    g->no_terminator = g->outcome == LW_SIM_OUT_NO_TERMINATOR;
    if (sc->has_reasoning && g->stream) {
        n = lround(lw_sim_dist_sample(&sc->reasoning, &g->rng));
        g->reason_n = n > 0 ? (int) (n < 100000 ? n : 100000) : 0;
    }
    if (g->kind == LW_SIM_OUT_TOOL_CALL) {
        plan_tool(g, ctx, sc, &ask);
    } else if (g->kind == LW_SIM_OUT_REFUSAL) {
        plan_refusal(g);
    } else {
        n = lround(lw_sim_dist_sample(&sc->out_tokens, &g->rng));
        if (n < 1)
            n = 1;
        plan_content(g, ctx, sc, ask.prompt, n);
        if (ask.max_tokens > 0 && g->ntok > ask.max_tokens) {
            g->ntok = (int) ask.max_tokens;
            g->finish_length = 1;
        }
    }
    switch (g->outcome) {
    case LW_SIM_OUT_EMPTY:
        g->ntok = 0;
        g->answer = LW_SIM_ANSWER_NONE;
        break;
    case LW_SIM_OUT_TRUNCATED:
        if (g->ntok < 1)
            g->ntok = 1;
        g->cut_at = g->ntok >= 2 ? (int) lw_sim_rng_range(&g->rng, 1, g->ntok - 1) : g->ntok;
        break;
    case LW_SIM_OUT_OVERLOADED:
        g->cut_at = (int) lw_sim_rng_range(&g->rng, 0, g->ntok > 0 ? g->ntok - 1 : 0);
        break;
    case LW_SIM_OUT_MALFORMED:
        g->bad_at = (int) lw_sim_rng_range(&g->rng, 0, g->ntok > 0 ? g->ntok - 1 : 0);
        break;
    case LW_SIM_OUT_NO_USAGE:
        g->no_usage = 1;
        break;
    default:
        break;
    }
    if (!g->stream && g->outcome != LW_SIM_OUT_HANG) {
        /* a whole reply arrives when its last token would have */
        g->next_at = g->ttft_at;
        for (i = 1; i < g->ntok; i++)
            g->next_at += lw_sim_ms_to_us(lw_sim_dist_sample(&g->itl, &g->rng) * g->itl_factor);
        g->phase = LW_SIM_PH_BODY;
    }
    return g;
}
