/* result.c: what a request produced, made into one lw_probe_result (the
 * rules are above lw_probe_finalize in probe.h): its class, its answer and
 * outcome, the times, tokens, rates, cost and quality. */
#include "probe/probe.h"
#include "money.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- names ---------------------------------------------------------------- */

const char *
lw_answer_kind_name(lw_answer_kind k)
{
    static const char *names[] = { NULL, "text", "tool_call", "refusal", "blocked" };

    return (size_t) k < LW_ARRAY_LEN(names) ? names[k] : NULL;
}

const char *
lw_stream_end_name(lw_stream_end e)
{
    static const char *names[] = { "truncated", "clean", "no_done", "no_terminator" };

    return (size_t) e < LW_ARRAY_LEN(names) ? names[e] : NULL;
}

const char *
lw_finish_normalize(const char *raw)
{
    /* OpenAI (and compatible servers), Anthropic, Gemini; case-insensitive
     * because Gemini writes them in capitals */
    static const struct {
        const char *raw, *norm;
    } map[] = {
        { "stop", "stop" }, { "end_turn", "stop" }, { "stop_sequence", "stop" },
        { "eos", "stop" }, { "finish_reason_stop", "stop" },
        { "length", "length" }, { "max_tokens", "length" },
        { "model_context_window_exceeded", "length" },
        { "tool_calls", "tool_calls" }, { "function_call", "tool_calls" },
        { "tool_use", "tool_calls" },
        { "content_filter", "content_filter" }, { "recitation", "content_filter" },
        { "refusal", "refusal" },
        { "safety", "safety" }, { "blocklist", "safety" }, { "prohibited_content", "safety" },
        { "spii", "safety" }, { "image_safety", "safety" },
    };
    size_t i;

    if (raw == NULL || raw[0] == '\0')
        return NULL;
    for (i = 0; i < LW_ARRAY_LEN(map); i++)
        if (strcasecmp(raw, map[i].raw) == 0)
            return map[i].norm;
    return "other";
}

/* ---- measures ------------------------------------------------------------- */

/* CJK ideographs, kana, hangul and full-width forms: BPE vocabularies give
 * them about one token each, where Latin text averages ~4 characters. */
static int
wide_codepoint(uint32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
           (cp >= 0x20000 && cp <= 0x3FFFF);
}

int64_t
lw_estimate_tokens(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;
    int64_t narrow = 0, wide = 0, est;
    size_t i = 0, k, n;
    uint32_t cp;

    while (i < len) {
        if (p[i] < 0x80) {
            narrow++;
            i++;
            continue;
        }
        n = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : p[i] >= 0xC0 ? 2 : 1;
        if (i + n > len)
            n = len - i;
        cp = n == 4 ? p[i] & 0x07u : n == 3 ? p[i] & 0x0Fu : n == 2 ? p[i] & 0x1Fu : p[i];
        for (k = 1; k < n; k++)
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        if (wide_codepoint(cp))
            wide++;
        else
            narrow++;
        i += n;
    }
    est = (narrow + 3) / 4 + wide;
    if (est == 0 && len > 0)
        est = 1;
    return est;
}

/* ---- messages ------------------------------------------------------------- */

/* The provider's own explanation from an error body: error.message in
 * OpenAI, Anthropic and Gemini bodies alike; else the body as text. */
static void
error_body_msg(lw_probe_result *r, const char *body, size_t len, const char *key)
{
    struct json_object *o = NULL, *e;
    const char *msg = NULL, *type = NULL;
    size_t mlen = 0;
    lw_buf b = { 0 };

    if (body == NULL || len == 0) {
        snprintf(r->error_msg, sizeof(r->error_msg), "HTTP %ld", r->http_status);
        return;
    }
    o = lw_provider_json_parse(body, len);
    if (o != NULL && json_object_is_type(o, json_type_object) &&
        json_object_object_get_ex(o, "error", &e)) {
        if (json_object_is_type(e, json_type_string)) {
            msg = json_object_get_string(e);
            mlen = (size_t) json_object_get_string_len(e);
        } else {
            msg = lw_provider_json_str(e, "message", &mlen);
            type = lw_provider_json_str(e, "type", NULL);
            if (type == NULL)
                type = lw_provider_json_str(e, "status", NULL);
        }
    }
    if (msg != NULL) {
        if (type != NULL)
            lw_buf_printf(&b, "%s: ", type);
        lw_buf_append(&b, msg, mlen);
    } else {
        lw_buf_printf(&b, "HTTP %ld: ", r->http_status);
        lw_buf_append(&b, body, len > 300 ? 300 : len);
    }
    if (b.data)
        lw_probe_sanitize_msg(r->error_msg, sizeof(r->error_msg), b.data, b.len, key);
    lw_buf_free(&b);
    if (o)
        json_object_put(o);
}

static void
set_msg(lw_probe_result *r, const char *key, const char *fmt, ...) LW_PRINTF(3, 4);

static void
set_msg(lw_probe_result *r, const char *key, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    lw_probe_sanitize_msg(r->error_msg, sizeof(r->error_msg), tmp, strlen(tmp), key);
}


/* ---- the answer -------------------------------------------------------------- */

static int
has_answer(const lw_stream *st)
{
    return st->text.len > 0 || st->refusal.len > 0 || st->n_answer > 0;
}

/* What the answer was, for a stream that ended; NONE: nothing at all. */
static lw_answer_kind
answer_kind(const lw_stream *st, const char *norm)
{
    size_t i;

    if (st->block_reason[0] != '\0' && !has_answer(st))
        return LW_ANSWER_BLOCKED;
    if (st->refusal.len > 0 || lw_streq(norm, "refusal"))
        return LW_ANSWER_REFUSAL;
    for (i = 0; i < st->n_tools; i++)
        if (st->tools[i].name[0] != '\0')
            return LW_ANSWER_TOOL_CALL;
    if (st->text.len > 0)
        return LW_ANSWER_TEXT;
    /* the provider's output filter stopped it before anything came */
    if (lw_streq(norm, "content_filter") || lw_streq(norm, "safety"))
        return LW_ANSWER_REFUSAL;
    return LW_ANSWER_NONE;
}

/* The tool calls as [{"name": .., "arguments": ..}]: the arguments as the
 * JSON they are, or as the text that came when it is not JSON (a cut
 * stream). Appends to out. */
static int
tools_json(const lw_stream *st, lw_buf *out)
{
    json_object *arr = json_object_new_array(), *call, *args;
    const lw_stream_tool *t;
    size_t i;
    int rc = LW_ENOMEM;

    if (arr == NULL)
        return LW_ENOMEM;
    for (i = 0; i < st->n_tools; i++) {
        t = &st->tools[i];
        if (t->name[0] == '\0')
            continue;
        if ((call = json_object_new_object()) == NULL || json_object_array_add(arr, call) != 0) {
            json_object_put(call);
            goto cleanup;
        }
        json_object_object_add(call, "name", json_object_new_string(t->name));
        args = t->args.len == 0 ? json_object_new_object()
               : lw_provider_json_parse(t->args.data, t->args.len);
        if (args == NULL)
            args = json_object_new_string_len(t->args.data, (int) t->args.len);
        json_object_object_add(call, "arguments", args);
    }
    rc = lw_buf_puts(out, json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
cleanup:
    json_object_put(arr);
    return rc;
}

/* The answer as the scorer reads it and the row keeps it (before the
 * cap): the text, the tool calls as JSON, or the refusal. */
static int
answer_text(const lw_stream *st, lw_answer_kind kind, lw_buf *out)
{
    switch (kind) {
    case LW_ANSWER_TOOL_CALL:
        return tools_json(st, out);
    case LW_ANSWER_REFUSAL:
        if (st->refusal.len > 0)
            return lw_buf_append(out, st->refusal.data, st->refusal.len);
        return lw_buf_append(out, st->text.data ? st->text.data : "", st->text.len);
    case LW_ANSWER_BLOCKED:
        return LW_OK;
    default:
        return lw_buf_append(out, st->text.data ? st->text.data : "", st->text.len);
    }
}

/* A copy of s cut to at most cap bytes on a UTF-8 boundary (caller frees);
 * *cut says whether it was cut. */
static char *
utf8_copy(const char *s, size_t len, size_t cap, int *cut)
{
    char *p;

    *cut = 0;
    if (len > cap) {
        len = cap;
        while (len > 0 && ((unsigned char) s[len] & 0xC0) == 0x80)
            len--;
        *cut = 1;
    }
    p = malloc(len + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* ---- the result ---------------------------------------------------------------- */

void
lw_probe_result_free(lw_probe_result *r)
{
    free(r->text);
    free(r->answer);
    r->text = NULL;
    r->answer = NULL;
    r->text_len = 0;
}

static double
ms_between(int64_t from, int64_t to)
{
    return to > from ? (double) (to - from) / 1000.0 : 0.0;
}

/* The class: the first thing that went wrong, in the order it would
 * happen; NONE with *kind set for an answer. */
static lw_probe_errclass
classify(lw_probe_result *r, const lw_probe_outcome *oc, const lw_stream *st, const char *key,
         lw_answer_kind *kind)
{
    int got_2xx = oc->http_status >= 200 && oc->http_status <= 299;

    *kind = LW_ANSWER_NONE;
    if (oc->oversize) {
        if (oc->body_cap % (1024 * 1024) == 0)
            set_msg(r, key, "reply over %zu MiB", oc->body_cap / (1024 * 1024));
        else
            set_msg(r, key, "reply over %zu bytes", oc->body_cap);
        return LW_PERR_PROTOCOL;
    }
    if (oc->http_status != 0 && !got_2xx) {
        error_body_msg(r, oc->err_body, oc->err_body_len, key);
        return lw_probe_classify_status(oc->http_status);
    }
    if (oc->transport_failed) {
        if (got_2xx && oc->transport_class == LW_PERR_CONNECT) {
            /* the connection died inside a 200 reply: a cut stream */
            set_msg(r, key, "stream truncated: %s", oc->transport_msg ? oc->transport_msg : "");
            return LW_PERR_PROTOCOL;
        }
        set_msg(r, key, "%s", oc->transport_msg ? oc->transport_msg : "transfer failed");
        return oc->transport_class;
    }
    if (!got_2xx) {
        set_msg(r, key, "no HTTP status in reply");
        return LW_PERR_PROTOCOL;
    }
    if (st == NULL) {
        set_msg(r, key, "no content in reply");
        return LW_PERR_EMPTY;
    }
    if (st->perr) {
        set_msg(r, key, "%s", st->perr_msg);
        return LW_PERR_PROTOCOL;
    }
    if (st->n_events == 0 && oc->body_bytes > 0) {
        set_msg(r, key, "reply is not an event stream");
        return LW_PERR_PROTOCOL;
    }
    *kind = answer_kind(st, lw_finish_normalize(st->finish));
    if (*kind == LW_ANSWER_NONE) {
        if (st->finish[0])
            set_msg(r, key, "no content in reply (finish reason %s)", st->finish);
        else
            set_msg(r, key, "no content in reply");
        return LW_PERR_EMPTY;
    }
    if (lw_stream_ending(st) == LW_END_TRUNCATED) {
        /* partial text and measures are kept; tokens are estimated */
        set_msg(r, key, "stream truncated before its end marker");
        return LW_PERR_PROTOCOL;
    }
    return LW_PERR_NONE;
}

/* Output tokens from the text received, when usage cannot be used. */
static int64_t
estimate_output(const lw_stream *st)
{
    int64_t n = 0;
    size_t i;

    n += lw_estimate_tokens(st->text.data, st->text.len);
    n += lw_estimate_tokens(st->refusal.data, st->refusal.len);
    n += lw_estimate_tokens(st->reasoning.data, st->reasoning.len);
    for (i = 0; i < st->n_tools; i++)
        n += lw_estimate_tokens(st->tools[i].name, strlen(st->tools[i].name)) +
             lw_estimate_tokens(st->tools[i].args.data, st->tools[i].args.len);
    return n;
}

static void
tokens(lw_probe_result *r, const lw_probe_job *job, const lw_probe_outcome *oc,
       const lw_stream *st)
{
    int got_2xx = oc->http_status >= 200 && oc->http_status <= 299;
    int64_t in = 0, out = 0, cost_in, cost_out;

    /* a 2xx reply was (probably) billed, so it always gets counts;
     * reported usage is trusted only from a stream that ended */
    r->tokens_estimated = 0;
    r->reasoning_tokens = -1;
    if (got_2xx && st != NULL) {
        in = st->in_tokens;
        out = st->out_tokens;
        if (!(st->usage_seen && lw_stream_ending(st) != LW_END_TRUNCATED &&
              !oc->transport_failed && !oc->oversize && out >= 0 &&
              !(out == 0 && has_answer(st)))) {
            out = estimate_output(st);
            r->tokens_estimated = 1;
        } else {
            r->reasoning_tokens = st->reasoning_tokens;
        }
        if (in <= 0) {
            in = job->prompt ? lw_estimate_tokens(job->prompt, strlen(job->prompt)) : 0;
            r->tokens_estimated = 1;
        }
    }
    r->input_tokens = in;
    r->output_tokens = out;
    cost_in = lw_cost_pico(in, job->price_in_micros_per_mtok);
    cost_out = lw_cost_pico(out, job->price_out_micros_per_mtok);
    if (cost_in < 0 || cost_out < 0 || __builtin_add_overflow(cost_in, cost_out, &r->cost_pico))
        r->cost_pico = -1;
}

/* Tokens per second over the window the counted tokens were produced in
 * (see probe.h); -1 when there is none or the rate is a burst. */
static double
decode_rate(const lw_probe_result *r, const lw_stream *st)
{
    int64_t n = r->output_tokens, from = st->t_first_output_us, to = st->t_last_output_us;
    double secs, tps;

    if (!r->ok || st->n_output < 2)
        return -1;
    if (r->reasoning_tokens > 0 && st->reasoning.len == 0) {
        /* reasoning the provider counted but did not stream: its time is
         * unknown, so the rate is the answer's */
        n -= r->reasoning_tokens;
        from = st->t_first_us;
        to = st->t_last_answer_us;
    }
    secs = (double) (to - from) / 1e6;
    if (n < 2 || secs <= 0)
        return -1;
    tps = (double) (n - 1) / secs;
    return tps > LW_PROBE_DECODE_MAX_TPS ? -1 : tps;
}

/* Times, from the transfer's phases to the stream's output. */
static void
times(lw_probe_result *r, const lw_probe_outcome *oc, const lw_stream *st)
{
    int64_t start = oc->t_start_us > 0 && oc->t_start_us <= oc->t_sent_us ? oc->t_start_us
                    : oc->t_sent_us;

    r->t_sent_us = oc->t_sent_us;
    r->t_end_us = oc->t_end_us > oc->t_sent_us ? oc->t_end_us : oc->t_sent_us;
    r->total_ms = ms_between(r->t_sent_us, r->t_end_us);
    /* the timeout ran from the start: a slow connect is inside it */
    if (r->err_class == LW_PERR_TIMEOUT)
        r->total_ms = ms_between(start, r->t_end_us);
    r->connect_ms = oc->connect_ms;
    r->tls_ms = oc->tls_ms;
    r->headers_ms = oc->headers_ms;
    r->t_first_token_us = 0;
    r->ttft_ms = r->first_output_ms = r->max_gap_ms = -1;
    if (st == NULL)
        return;
    if (st->n_answer > 0) {
        r->t_first_token_us = st->t_first_us;
        r->ttft_ms = ms_between(r->t_sent_us, st->t_first_us);
    }
    if (st->n_output > 0)
        r->first_output_ms = ms_between(r->t_sent_us, st->t_first_output_us);
    if (st->n_output > 1)
        r->max_gap_ms = (double) st->max_gap_us / 1000.0;
}

int
lw_probe_finalize(lw_probe_job *job, const lw_probe_outcome *oc, lw_stream *st,
                  size_t text_cap)
{
    lw_probe_result *r = &job->result;
    const char *text = st && st->text.data ? st->text.data : "";
    size_t tlen = st ? st->text.len : 0;
    lw_answer_kind kind;
    lw_buf ans = { 0 };
    int cut, rc = LW_ENOMEM;

    lw_probe_result_free(r);
    r->error_msg[0] = '\0';
    r->http_status = oc->http_status;
    r->retry_after_s = oc->retry_after_s;
    r->err_class = classify(r, oc, st, job->api_key, &kind);
    r->ok = r->err_class == LW_PERR_NONE;
    r->outcome = r->ok ? kind : LW_ANSWER_NONE;
    times(r, oc, st);
    tokens(r, job, oc, st);
    r->e2e_tps = -1;
    if (r->output_tokens > 0 && r->total_ms > 0)
        r->e2e_tps = (double) r->output_tokens / (r->total_ms / 1000.0);
    r->decode_tps = st != NULL ? decode_rate(r, st) : -1;

    r->finish_reason[0] = r->block_reason[0] = '\0';
    r->model_version[0] = r->system_fingerprint[0] = '\0';
    r->stream_end = -1;
    if (st != NULL) {
        lw_strlcpy(r->finish_reason, st->finish, sizeof(r->finish_reason));
        lw_strlcpy(r->block_reason, st->block_reason, sizeof(r->block_reason));
        lw_strlcpy(r->model_version, st->model_version, sizeof(r->model_version));
        lw_strlcpy(r->system_fingerprint, st->system_fingerprint, sizeof(r->system_fingerprint));
        r->stream_end = (int) lw_stream_ending(st);
    }
    r->finish_norm = lw_finish_normalize(r->finish_reason);

    r->text = utf8_copy(text, tlen, text_cap, &r->text_truncated);
    if (r->text == NULL)
        goto cleanup;
    r->text_len = strlen(r->text);
    /* a failed stream keeps what it said, as an ok one would have */
    if (st != NULL && kind == LW_ANSWER_NONE)
        kind = answer_kind(st, r->finish_norm);
    if (st != NULL && answer_text(st, kind, &ans) != LW_OK)
        goto cleanup;
    if (ans.len > 0 && (r->answer = utf8_copy(ans.data, ans.len, LW_PROBE_ANSWER_MAX, &cut)) == NULL)
        goto cleanup;

    r->quality = -1;
    if (r->ok && job->scorer != NULL) {
        if (r->outcome == LW_ANSWER_REFUSAL || r->outcome == LW_ANSWER_BLOCKED)
            r->quality = 0;
        else if (job->scorer->type == LW_SCORER_TOOL_CALL)
            r->quality = lw_scorer_score(job->scorer, r->outcome == LW_ANSWER_TOOL_CALL &&
                                         ans.data ? ans.data : "");
        else
            r->quality = lw_scorer_score(job->scorer, text);
    }
    rc = LW_OK;
cleanup:
    lw_buf_free(&ans);
    return rc;
}
