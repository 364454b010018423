/* gen.c: one LLM request from arrival to its last byte. lw_sim_gen_start
 * plans the whole reply up front (outcome, timings, tokens) from the
 * scenario and a per-request RNG; lw_sim_gen_step then produces the bytes
 * that are due, and the event loop (server.c) writes them. No I/O here. */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { PH_HEAD, PH_BODY, PH_TOKENS, PH_BURST, PH_DRIP, PH_DONE };

#define BURST_BYTES     (64 * 1024)   /* oversize: bytes queued per tick */
#define BURST_PENDING   (256 * 1024)  /* oversize: wait while the client lags this much */

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

/* One scratch buffer for event bodies before chunk framing: the simulator
 * is single-threaded. */
static lw_buf scratch;

static int64_t
ms_to_us(double ms)
{
    return (int64_t) llround(ms * 1000.0);
}

static void
frame(const lw_sim_gen *g, lw_buf *out, const char *p, size_t n)
{
    if (n == 0)
        return;
    if (g->chunked) {
        lw_sim_printf(out, "%zx\r\n", n);
        lw_sim_put(out, p, n);
        lw_sim_put(out, "\r\n", 2);
    } else {
        lw_sim_put(out, p, n);
    }
}

static void
frame_scratch(const lw_sim_gen *g, lw_buf *out)
{
    frame(g, out, scratch.data, scratch.len);
    lw_buf_reset(&scratch);
}

static void
terminate(const lw_sim_gen *g, lw_buf *out)
{
    if (g->chunked)
        lw_sim_puts(out, "0\r\n\r\n");
}

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
    g->phase = PH_HEAD;
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

static void
filler_tok(lw_sim_rng *r, lw_sim_tok *t)
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
        filler_tok(&g->rng, &g->toks[i]);
    g->ntok = total;
}

static int
draw_outcome(lw_sim_rng *r, const double *rate)
{
    /* a fixed order keeps a seed's sequence stable across releases */
    static const int order[] = {
        LW_SIM_OUT_AUTH, LW_SIM_OUT_RATE_LIMITED, LW_SIM_OUT_ERROR_500, LW_SIM_OUT_OVERLOADED,
        LW_SIM_OUT_HANG, LW_SIM_OUT_SLOW_DRIP, LW_SIM_OUT_TRUNCATED, LW_SIM_OUT_MALFORMED,
        LW_SIM_OUT_EMPTY, LW_SIM_OUT_NO_USAGE, LW_SIM_OUT_OVERSIZE,
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
    t = ms_to_us(lw_sim_dist_sample(&sc->ttft, &g->rng) * eff.ttft_factor);
    g->ttft_at = recv_us + t;
    g->head_at = recv_us + ms_to_us(lw_sim_dist_sample(&sc->headers, &g->rng));
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

    n = lround(lw_sim_dist_sample(&sc->out_tokens, &g->rng));
    if (n < 1)
        n = 1;
    plan_content(g, ctx, sc, ask.prompt, n);
    if (ask.max_tokens > 0 && g->ntok > ask.max_tokens) {
        g->ntok = (int) ask.max_tokens;
        g->finish_length = 1;
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
            g->next_at += ms_to_us(lw_sim_dist_sample(&g->itl, &g->rng) * g->itl_factor);
        g->phase = PH_BODY;
    }
    return g;
}

/* ---------------------------------------------------------------- steps */

static void
step_error(lw_sim_gen *g, lw_buf *out, lw_sim_step *st)
{
    lw_buf body = { 0 }, extra = { 0 };

    lw_sim_proto_error(g->proto, g->status, g->err_msg, &body);
    lw_sim_printf(&extra, "%s: req_sim%016llx\r\n",
                  g->proto == LW_SIM_PROTO_ANTHROPIC ? "request-id" : "x-request-id",
                  (unsigned long long) g->seq);
    if (g->status == 429)
        lw_sim_printf(&extra, "retry-after: %ld\r\n", g->retry_after);
    lw_sim_http_simple(out, g->status, "application/json", body.data, body.len, g->keep_alive,
                       extra.data);
    lw_buf_free(&body);
    lw_buf_free(&extra);
    g->phase = PH_DONE;
    st->action = LW_SIM_STEP_DONE;
}

static void
stream_head(lw_sim_gen *g, lw_buf *out)
{
    char extra[128];

    snprintf(extra, sizeof(extra), "Cache-Control: no-cache\r\n%s: req_sim%016llx\r\n",
             g->proto == LW_SIM_PROTO_ANTHROPIC ? "request-id" : "x-request-id",
             (unsigned long long) g->seq);
    lw_sim_http_head(out, 200, "text/event-stream; charset=utf-8", g->chunked ? -1 : -2,
                     g->keep_alive, extra);
}

static void
finish_stream(lw_sim_gen *g, lw_buf *out, lw_sim_step *st)
{
    if (g->proto != LW_SIM_PROTO_GOOGLE || g->ntok == 0)
        lw_sim_proto_finish(g, &scratch);
    frame_scratch(g, out);
    terminate(g, out);
    g->usage_sent = !g->no_usage && (g->proto != LW_SIM_PROTO_OPENAI || g->include_usage);
    g->phase = PH_DONE;
    st->action = g->chunked ? LW_SIM_STEP_DONE : LW_SIM_STEP_CLOSE;
}

static void
next_token_time(lw_sim_gen *g)
{
    g->next_at += ms_to_us(lw_sim_dist_sample(&g->itl, &g->rng) * g->itl_factor);
}

static void
step_tokens(lw_sim_gen *g, lw_buf *out, lw_sim_step *st)
{
    const lw_sim_tok *t;
    int last;

    if (g->outcome == LW_SIM_OUT_TRUNCATED && g->sent == g->cut_at) {
        g->phase = PH_DONE;                   /* no final chunk, no usage, no [DONE] */
        st->action = LW_SIM_STEP_CLOSE;
        return;
    }
    if (g->outcome == LW_SIM_OUT_OVERLOADED && g->sent == g->cut_at) {
        lw_sim_proto_overloaded_event(g, &scratch);
        frame_scratch(g, out);
        terminate(g, out);
        g->phase = PH_DONE;
        st->action = g->chunked ? LW_SIM_STEP_DONE : LW_SIM_STEP_CLOSE;
        return;
    }
    if (g->sent >= g->ntok) {
        finish_stream(g, out, st);
        return;
    }
    t = &g->toks[g->sent];
    last = g->sent == g->ntok - 1 && g->outcome != LW_SIM_OUT_TRUNCATED;
    if (g->outcome == LW_SIM_OUT_MALFORMED && g->sent == g->bad_at) {
        /* the same event cut in half: broken JSON, then the real one */
        const char *end = g->crlf ? "\r\n\r\n" : "\n\n";

        lw_sim_proto_token(g, t->s, t->n, 0, &scratch);
        scratch.len = scratch.len / 2;
        scratch.data[scratch.len] = '\0';
        lw_sim_puts(&scratch, end);
    }
    g->sent++;                 /* before formatting: Gemini's usage counts this token */
    lw_sim_proto_token(g, t->s, t->n, last, &scratch);
    frame_scratch(g, out);
    if (g->first_content_us == 0)
        st->first_content = 1;
    if (last) {
        if (g->proto == LW_SIM_PROTO_GOOGLE) {
            /* the last response carried finishReason and usage */
            terminate(g, out);
            g->usage_sent = !g->no_usage;
            g->phase = PH_DONE;
            st->action = g->chunked ? LW_SIM_STEP_DONE : LW_SIM_STEP_CLOSE;
        } else {
            finish_stream(g, out, st);
        }
        return;
    }
    next_token_time(g);
}

static void
step_burst(lw_sim_gen *g, int64_t now, size_t out_pending, lw_buf *out, lw_sim_step *st)
{
    size_t start = out->len;
    lw_sim_tok t;

    if (out_pending > BURST_PENDING) {
        g->next_at = now + 2000;
        return;
    }
    while (out->len - start < BURST_BYTES && g->body_bytes < g->oversize_bytes) {
        size_t before = out->len;

        filler_tok(&g->rng, &t);
        g->sent++;
        lw_sim_proto_token(g, t.s, t.n, 0, &scratch);
        frame_scratch(g, out);
        g->body_bytes += (long) (out->len - before);
    }
    if (g->first_content_us == 0)
        st->first_content = 1;
    if (g->body_bytes >= g->oversize_bytes) {
        if (g->proto == LW_SIM_PROTO_GOOGLE) {
            /* Gemini ends with a last response carrying finishReason and usage */
            filler_tok(&g->rng, &t);
            g->sent++;
            lw_sim_proto_token(g, t.s, t.n, 1, &scratch);
            frame_scratch(g, out);
            terminate(g, out);
            g->usage_sent = !g->no_usage;
            g->phase = PH_DONE;
            st->action = g->chunked ? LW_SIM_STEP_DONE : LW_SIM_STEP_CLOSE;
            return;
        }
        g->ntok = g->sent;
        finish_stream(g, out, st);
        return;
    }
    g->next_at = now + 1000;
}

static void
drip_refill(lw_sim_gen *g)
{
    lw_sim_tok t;

    lw_buf_reset(&g->drip);
    g->drip_off = 0;
    if (g->ntok > 0)
        t = g->toks[g->sent % g->ntok];
    else
        filler_tok(&g->rng, &t);
    lw_sim_proto_token(g, t.s, t.n, 0, &g->drip);
}

static void
step_drip(lw_sim_gen *g, lw_buf *out, lw_sim_step *st)
{
    if (g->stream && g->drip_off >= g->drip.len)
        drip_refill(g);                   /* a stream drips forever */
    if (g->drip_off < g->drip.len) {
        frame(g, out, g->drip.data + g->drip_off, 1);
        if (g->first_content_us == 0)
            st->first_content = 1;
        g->drip_off++;
        if (g->stream && g->drip_off == g->drip.len)
            g->sent++;
    }
    if (!g->stream && g->drip_off >= g->drip.len) {
        g->phase = PH_DONE;
        st->action = LW_SIM_STEP_DONE;
        return;
    }
    g->next_at += ms_to_us(g->drip_ms);
}

static void
step_body(lw_sim_gen *g, lw_buf *out, lw_sim_step *st)
{
    lw_buf text = { 0 }, body = { 0 };
    char extra[96];
    int i;

    if (g->outcome == LW_SIM_OUT_OVERSIZE) {
        lw_sim_tok t;

        g->ntok = 0;
        while (text.len < (size_t) g->oversize_bytes) {
            filler_tok(&g->rng, &t);
            lw_sim_put(&text, t.s, t.n);
            g->ntok++;
        }
    } else {
        for (i = 0; i < g->ntok; i++)
            lw_sim_put(&text, g->toks[i].s, g->toks[i].n);
    }
    g->sent = g->ntok;
    lw_sim_proto_full(g, text.data != NULL ? text.data : "", text.len, &body);
    snprintf(extra, sizeof(extra), "%s: req_sim%016llx\r\n",
             g->proto == LW_SIM_PROTO_ANTHROPIC ? "request-id" : "x-request-id",
             (unsigned long long) g->seq);
    st->first_content = g->ntok > 0;
    g->usage_sent = !g->no_usage;
    g->phase = PH_DONE;
    st->action = LW_SIM_STEP_DONE;
    switch (g->outcome) {
    case LW_SIM_OUT_MALFORMED:
        body.len /= 2;
        g->usage_sent = 0;
        lw_sim_http_simple(out, 200, "application/json", body.data, body.len, g->keep_alive, extra);
        break;
    case LW_SIM_OUT_TRUNCATED:
        /* promise the whole body, send half of it, hang up */
        lw_sim_http_head(out, 200, "application/json", (long long) body.len, g->keep_alive, extra);
        lw_sim_put(out, body.data, body.len / 2);
        g->sent = 0;
        g->usage_sent = 0;
        st->action = LW_SIM_STEP_CLOSE;
        break;
    case LW_SIM_OUT_SLOW_DRIP:
        lw_sim_http_head(out, 200, "application/json", (long long) body.len, g->keep_alive, extra);
        lw_buf_free(&g->drip);
        g->drip = body;
        memset(&body, 0, sizeof(body));
        g->drip_off = 0;
        g->sent = 0;
        g->usage_sent = 0;
        g->phase = PH_DRIP;
        st->action = LW_SIM_STEP_WAIT;
        step_drip(g, out, st);
        break;
    default:
        lw_sim_http_simple(out, 200, "application/json", body.data, body.len, g->keep_alive, extra);
    }
    lw_buf_free(&text);
    lw_buf_free(&body);
}

void
lw_sim_gen_step(lw_sim_gen *g, int64_t now, size_t out_pending, lw_buf *out, lw_sim_step *st)
{
    st->action = LW_SIM_STEP_WAIT;
    st->first_content = 0;
    switch (g->phase) {
    case PH_HEAD:
        if (g->status != 200) {
            step_error(g, out, st);
            return;
        }
        if (g->outcome == LW_SIM_OUT_HANG) {
            st->action = LW_SIM_STEP_IDLE;      /* accepted, never answered */
            return;
        }
        stream_head(g, out);
        lw_sim_proto_preamble(g, &scratch);
        frame_scratch(g, out);
        g->next_at = g->ttft_at;
        g->phase = g->outcome == LW_SIM_OUT_SLOW_DRIP ? PH_DRIP
                 : g->outcome == LW_SIM_OUT_OVERSIZE ? PH_BURST : PH_TOKENS;
        return;
    case PH_BODY:
        step_body(g, out, st);
        return;
    case PH_TOKENS:
        step_tokens(g, out, st);
        return;
    case PH_BURST:
        step_burst(g, now, out_pending, out, st);
        return;
    case PH_DRIP:
        step_drip(g, out, st);
        return;
    default:
        st->action = LW_SIM_STEP_DONE;
    }
}

/* ---------------------------------------------------------------- log */

void
lw_sim_gen_log_line(const lw_sim_gen *g, int client_closed, lw_buf *out)
{
    static const char *answers[] = { "\"wrong\"", "\"correct\"" };

    lw_sim_printf(out, "{\"id\":%llu,\"request_id\":", (unsigned long long) g->seq);
    lw_sim_json_cstr(out, g->probe_id);
    lw_sim_printf(out, ",\"protocol\":\"%s\",\"model\":", lw_sim_proto_name(g->proto));
    lw_sim_json_cstr(out, g->model);
    lw_sim_puts(out, ",\"scenario\":");
    lw_sim_json_cstr(out, g->scenario);
    lw_sim_printf(out, ",\"stream\":%s,\"recv_us\":%lld", g->stream ? "true" : "false",
                  (long long) g->recv_us);
    if (g->first_content_us != 0)
        lw_sim_printf(out, ",\"first_content_us\":%lld,\"ttft_us\":%lld",
                      (long long) g->first_content_us, (long long) (g->first_content_us - g->recv_us));
    else
        lw_sim_puts(out, ",\"first_content_us\":null,\"ttft_us\":null");
    if (g->status == 200)
        lw_sim_printf(out, ",\"planned_ttft_us\":%lld", (long long) (g->ttft_at - g->recv_us));
    else
        lw_sim_puts(out, ",\"planned_ttft_us\":null");
    lw_sim_printf(out, ",\"end_us\":%lld,\"status\":%d,\"output_tokens\":%d,\"input_tokens\":%ld,"
                  "\"usage_sent\":%s,\"outcome\":\"%s\",\"answer\":%s,\"client_closed\":%s}\n",
                  (long long) g->end_us, g->outcome == LW_SIM_OUT_HANG ? 0 : g->status, g->sent, g->input_tokens,
                  g->usage_sent ? "true" : "false", lw_sim_outcome_name(g->outcome),
                  g->answer >= 0 ? answers[g->answer] : "null", client_closed ? "true" : "false");
}

void
lw_sim_gen_cleanup(void)
{
    lw_buf_free(&scratch);
}

void
lw_sim_gen_free(lw_sim_gen *g)
{
    if (g == NULL)
        return;
    lw_buf_free(&g->drip);
    lw_pool_destroy(g->pool);
    free(g);
}
