/* gen.c: one LLM request from its plan (plan.c) to its last byte:
 * lw_sim_gen_step produces the bytes that are due, and the event loop
 * (server.c) writes them; then its ground-truth log line. No I/O here. */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BURST_BYTES     (64 * 1024)   /* oversize: bytes queued per tick */
#define BURST_PENDING   (256 * 1024)  /* oversize: wait while the client lags this much */

/* One scratch buffer for event bodies before chunk framing: the simulator
 * is single-threaded. */
static lw_buf scratch;


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
    g->phase = LW_SIM_PH_DONE;
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

/* A last event without its blank line, as a server that closes right
 * after it sends it. */
static void
strip_blank_line(const lw_sim_gen *g)
{
    size_t nl = g->crlf ? 2 : 1;

    if (g->no_terminator && scratch.len >= nl)
        scratch.data[scratch.len -= nl] = '\0';
}

static void
answer_begins(lw_sim_gen *g)
{
    if (!g->answer_begun) {
        lw_sim_proto_answer_start(g, &scratch);
        g->answer_begun = 1;
    }
}

static void
finish_stream(lw_sim_gen *g, lw_buf *out, lw_sim_step *st)
{
    answer_begins(g);
    /* Gemini text ends with its last token; other answers get a last event */
    if (g->proto != LW_SIM_PROTO_GOOGLE || g->ntok == 0 || g->kind != LW_SIM_OUT_OK)
        lw_sim_proto_finish(g, &scratch);
    strip_blank_line(g);
    frame_scratch(g, out);
    terminate(g, out);
    g->usage_sent = !g->no_usage && (g->proto != LW_SIM_PROTO_OPENAI || g->include_usage);
    g->phase = LW_SIM_PH_DONE;
    st->action = g->chunked ? LW_SIM_STEP_DONE : LW_SIM_STEP_CLOSE;
}

static void
next_token_time(lw_sim_gen *g)
{
    g->next_at += lw_sim_ms_to_us(lw_sim_dist_sample(&g->itl, &g->rng) * g->itl_factor);
}

/* One reasoning token before the answer: 1, or 0 when the reasoning is
 * over. */
static int
step_reasoning(lw_sim_gen *g, lw_buf *out, lw_sim_step *st)
{
    lw_sim_tok t;

    if (g->reasoned >= g->reason_n)
        return 0;
    lw_sim_filler_tok(&g->rng, &t);
    g->reasoned++;
    lw_sim_proto_reasoning(g, t.s, t.n, &scratch);
    frame_scratch(g, out);
    if (g->first_content_us == 0)
        st->first_content = 1;
    next_token_time(g);
    return 1;
}

static void
step_tokens(lw_sim_gen *g, lw_buf *out, lw_sim_step *st)
{
    const lw_sim_tok *t;
    int last, first;

    if (step_reasoning(g, out, st))
        return;
    if (g->outcome == LW_SIM_OUT_TRUNCATED && g->sent == g->cut_at) {
        g->phase = LW_SIM_PH_DONE;                   /* no final chunk, no usage, no [DONE] */
        st->action = LW_SIM_STEP_CLOSE;
        return;
    }
    if (g->outcome == LW_SIM_OUT_OVERLOADED && g->sent == g->cut_at) {
        lw_sim_proto_overloaded_event(g, &scratch);
        frame_scratch(g, out);
        terminate(g, out);
        g->phase = LW_SIM_PH_DONE;
        st->action = g->chunked ? LW_SIM_STEP_DONE : LW_SIM_STEP_CLOSE;
        return;
    }
    if (g->sent >= g->ntok) {
        finish_stream(g, out, st);
        return;
    }
    t = &g->toks[g->sent];
    last = g->sent == g->ntok - 1 && g->outcome != LW_SIM_OUT_TRUNCATED && g->kind == LW_SIM_OUT_OK;
    first = g->sent == 0;
    answer_begins(g);
    if (g->outcome == LW_SIM_OUT_MALFORMED && g->sent == g->bad_at) {
        /* the same event cut in half: broken JSON, then the real one */
        const char *end = g->crlf ? "\r\n\r\n" : "\n\n";

        lw_sim_proto_token(g, t->s, t->n, 0, &scratch);
        scratch.len = scratch.len / 2;
        scratch.data[scratch.len] = '\0';
        lw_sim_puts(&scratch, end);
    }
    g->sent++;                 /* before formatting: Gemini's usage counts this token */
    if (g->kind == LW_SIM_OUT_TOOL_CALL)
        lw_sim_proto_tool(g, t->s, t->n, first, &scratch);
    else if (g->kind == LW_SIM_OUT_REFUSAL)
        lw_sim_proto_refusal(g, t->s, t->n, &scratch);
    else
        lw_sim_proto_token(g, t->s, t->n, last, &scratch);
    if (last && g->proto == LW_SIM_PROTO_GOOGLE)
        strip_blank_line(g);
    frame_scratch(g, out);
    if (g->first_content_us == 0)
        st->first_content = 1;
    st->first_answer = first;
    if (last) {
        if (g->proto == LW_SIM_PROTO_GOOGLE) {
            /* the last response carried finishReason and usage */
            terminate(g, out);
            g->usage_sent = !g->no_usage;
            g->phase = LW_SIM_PH_DONE;
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

        lw_sim_filler_tok(&g->rng, &t);
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
            lw_sim_filler_tok(&g->rng, &t);
            g->sent++;
            lw_sim_proto_token(g, t.s, t.n, 1, &scratch);
            frame_scratch(g, out);
            terminate(g, out);
            g->usage_sent = !g->no_usage;
            g->phase = LW_SIM_PH_DONE;
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
        lw_sim_filler_tok(&g->rng, &t);
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
        g->phase = LW_SIM_PH_DONE;
        st->action = LW_SIM_STEP_DONE;
        return;
    }
    g->next_at += lw_sim_ms_to_us(g->drip_ms);
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
            lw_sim_filler_tok(&g->rng, &t);
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
    g->phase = LW_SIM_PH_DONE;
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
        g->phase = LW_SIM_PH_DRIP;
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
    st->first_answer = 0;
    switch (g->phase) {
    case LW_SIM_PH_HEAD:
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
        g->phase = g->outcome == LW_SIM_OUT_SLOW_DRIP ? LW_SIM_PH_DRIP
                 : g->outcome == LW_SIM_OUT_OVERSIZE ? LW_SIM_PH_BURST : LW_SIM_PH_TOKENS;
        return;
    case LW_SIM_PH_BODY:
        step_body(g, out, st);
        return;
    case LW_SIM_PH_TOKENS:
        step_tokens(g, out, st);
        return;
    case LW_SIM_PH_BURST:
        step_burst(g, now, out_pending, out, st);
        return;
    case LW_SIM_PH_DRIP:
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
    if (g->first_answer_us != 0)
        lw_sim_printf(out, ",\"first_answer_us\":%lld", (long long) g->first_answer_us);
    lw_sim_printf(out, ",\"reasoning_tokens\":%d,\"version\":", g->reasoned);
    lw_sim_json_cstr(out, g->version);
    lw_sim_printf(out, ",\"end_us\":%lld,\"status\":%d,\"output_tokens\":%d,\"input_tokens\":%ld,"
                  "\"usage_sent\":%s,\"outcome\":\"%s\",\"answer\":%s,\"client_closed\":%s}\n",
                  (long long) g->end_us, g->outcome == LW_SIM_OUT_HANG ? 0 : g->status,
                  g->sent + g->reasoned, g->input_tokens,
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
