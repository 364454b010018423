/* provider.c: what the providers share: the provider table, request
 * plumbing, the streamed-reply state, error classes, and turning what a
 * request produced into one lw_probe_result (class, measures, tokens,
 * cost). */
#include "probe/probe.h"
#include "money.h"

#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- error classes ------------------------------------------------------ */

const char *
lw_probe_errclass_name(lw_probe_errclass c)
{
    static const char *names[] = {
        "ok", "timeout", "connect", "tls", "http_4xx", "rate_limited",
        "http_5xx", "protocol", "empty", "auth"
    };

    if ((size_t) c >= LW_ARRAY_LEN(names))
        return "protocol";
    return names[c];
}

lw_probe_errclass
lw_probe_classify_status(long status)
{
    if (status >= 200 && status <= 299)
        return LW_PERR_NONE;
    if (status == 401 || status == 403)
        return LW_PERR_AUTH;
    if (status == 429)
        return LW_PERR_RATE_LIMITED;
    if (status >= 400 && status <= 499)
        return LW_PERR_HTTP_4XX;
    if (status >= 500 && status <= 599)
        return LW_PERR_HTTP_5XX;
    /* 1xx leftovers, 3xx (redirects are not followed), nonsense */
    return LW_PERR_PROTOCOL;
}

/* ---- providers ---------------------------------------------------------- */

const lw_provider_ops *
lw_provider_find(const char *kind)
{
    if (kind == NULL)
        return NULL;
    if (strcasecmp(kind, "openai") == 0)
        return &lw_provider_openai;
    if (strcasecmp(kind, "openai-compatible") == 0 ||
        strcasecmp(kind, "openai_compatible") == 0)
        return &lw_provider_openai_compatible;
    if (strcasecmp(kind, "anthropic") == 0)
        return &lw_provider_anthropic;
    if (strcasecmp(kind, "google") == 0 || strcasecmp(kind, "gemini") == 0)
        return &lw_provider_google;
    return NULL;
}

int
lw_provider_build(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out,
                  lw_err *err)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if (rq->model == NULL || rq->model[0] == '\0') {
        lw_err_set(err, "%s: no model", p->kind);
        return LW_EINVAL;
    }
    if (rq->prompt == NULL) {
        lw_err_set(err, "%s: no prompt", p->kind);
        return LW_EINVAL;
    }
    if (rq->max_tokens <= 0) {
        lw_err_set(err, "%s: max_tokens must be positive", p->kind);
        return LW_EINVAL;
    }
    rc = p->build(p, rq, out, err);
    if (rc != LW_OK)
        lw_http_req_free(out);
    return rc;
}

void
lw_http_req_free(lw_http_req *r)
{
    size_t i;

    free(r->url);
    free(r->body);
    for (i = 0; i < r->n_headers; i++) {
        /* one of them carries the API key */
        explicit_bzero(r->headers[i], strlen(r->headers[i]));
        free(r->headers[i]);
    }
    memset(r, 0, sizeof(*r));
}

int
lw_http_req_header(lw_http_req *r, const char *name, const char *value)
{
    lw_buf b = { 0 };

    if (r->n_headers >= LW_HTTP_MAX_HEADERS)
        return LW_EINVAL;
    /* a CR or LF in a value would smuggle a header in */
    if (strpbrk(value, "\r\n") != NULL)
        return LW_EINVAL;
    if (lw_buf_printf(&b, "%s: %s", name, value) != LW_OK) {
        lw_buf_free(&b);
        return LW_ENOMEM;
    }
    r->headers[r->n_headers++] = lw_buf_steal(&b);
    return LW_OK;
}

int
lw_provider_url(const lw_provider_ops *p, const char *base_url, const char *version,
                const char *rest, char **out, lw_err *err)
{
    const char *base = base_url && base_url[0] ? base_url : p->default_base_url;
    size_t blen, vlen = strlen(version);
    lw_buf b = { 0 };

    *out = NULL;
    if (base == NULL) {
        lw_err_set(err, "%s: base_url is required", p->kind);
        return LW_EINVAL;
    }
    if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) {
        lw_err_set(err, "%s: base_url must start with http:// or https://", p->kind);
        return LW_EINVAL;
    }
    if (strpbrk(base, " \t\r\n") != NULL) {
        lw_err_set(err, "%s: base_url contains white space", p->kind);
        return LW_EINVAL;
    }
    blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    /* users often configure "http://host:8000/v1": do not make /v1/v1 */
    if (blen > vlen + 1 && base[blen - vlen - 1] == '/' &&
        memcmp(base + blen - vlen, version, vlen) == 0)
        blen -= vlen + 1;
    if (lw_buf_append(&b, base, blen) != LW_OK ||
        lw_buf_printf(&b, "/%s/%s", version, rest) != LW_OK) {
        lw_buf_free(&b);
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    *out = lw_buf_steal(&b);
    return LW_OK;
}

struct json_object *
lw_provider_json_parse(const char *s, size_t len)
{
    struct json_tokener *tok;
    struct json_object *o;
    size_t off;

    if (len > INT_MAX)
        return NULL;
    tok = json_tokener_new_ex(64);
    if (tok == NULL)
        return NULL;
    /* no trailing commas, single quotes or other leniencies */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    o = json_tokener_parse_ex(tok, s, (int) len);
    if (o != NULL && json_tokener_get_error(tok) == json_tokener_success) {
        /* only white space may follow the value */
        for (off = json_tokener_get_parse_end(tok); off < len; off++) {
            if (s[off] != ' ' && s[off] != '\t' && s[off] != '\r' && s[off] != '\n') {
                json_object_put(o);
                o = NULL;
                break;
            }
        }
    } else if (o != NULL) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
    return o;
}

int64_t
lw_provider_json_int(struct json_object *o, const char *key)
{
    struct json_object *v;
    int64_t n;

    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, &v))
        return -1;
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return -1;
    n = json_object_get_int64(v);
    return n < 0 ? -1 : n;
}

const char *
lw_provider_json_str(struct json_object *o, const char *key, size_t *len)
{
    struct json_object *v;

    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    if (len)
        *len = (size_t) json_object_get_string_len(v);
    return json_object_get_string(v);
}

/* ---- stream ------------------------------------------------------------- */

static int
stream_event(void *ud, const char *event, const char *data, size_t len)
{
    lw_stream *st = ud;

    st->n_events++;
    return st->prov->event(st, event, data, len);
}

int
lw_stream_init(lw_stream *st, const lw_provider_ops *p)
{
    memset(st, 0, sizeof(*st));
    st->prov = p;
    st->in_tokens = -1;
    st->out_tokens = -1;
    lw_sse_init(&st->sse, stream_event, st);
    return LW_OK;
}

int
lw_stream_feed(lw_stream *st, const char *buf, size_t n, int64_t now_us)
{
    int rc;

    st->now_us = now_us;
    rc = lw_sse_feed(&st->sse, buf, n);
    if (rc == LW_EINVAL) {
        lw_stream_protocol_error(st, "event stream line over %u bytes", LW_SSE_MAX_LINE);
        return LW_OK;
    }
    return rc;
}

int
lw_stream_finish(lw_stream *st)
{
    return lw_sse_finish(&st->sse);
}

void
lw_stream_free(lw_stream *st)
{
    lw_sse_free(&st->sse);
    lw_buf_free(&st->text);
}

int
lw_stream_add_text(lw_stream *st, const char *s, size_t len)
{
    if (len == 0)
        return LW_OK;
    if (st->n_deltas == 0)
        st->t_first_us = st->now_us;
    st->n_deltas++;
    return lw_buf_append(&st->text, s, len);
}

void
lw_stream_protocol_error(lw_stream *st, const char *fmt, ...)
{
    va_list ap;

    if (st->perr)
        return;
    st->perr = 1;
    va_start(ap, fmt);
    vsnprintf(st->perr_msg, sizeof(st->perr_msg), fmt, ap);
    va_end(ap);
}

/* ---- measures ----------------------------------------------------------- */

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

void
lw_probe_sanitize_msg(char *dst, size_t n, const char *s, size_t len, const char *key)
{
    size_t klen = key ? strlen(key) : 0, minrun, i, j, m, best, cut;
    lw_buf b = { 0 };
    int oom = 0;

    if (n == 0)
        return;
    dst[0] = '\0';
    if (s == NULL)
        return;
    if (len > 4096)
        len = 4096;
    minrun = klen < 8 ? klen : 8;
    for (i = 0; i < len && !oom;) {
        best = 0;
        for (j = 0; klen > 0 && j < klen; j++) {
            for (m = 0; i + m < len && j + m < klen && s[i + m] == key[j + m]; m++)
                ;
            if (m > best)
                best = m;
        }
        if (klen > 0 && best >= minrun) {
            oom = lw_buf_puts(&b, "[redacted]") != LW_OK;
            i += best;
            continue;
        }
        oom = lw_buf_putc(&b, (unsigned char) s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i]) != LW_OK;
        i++;
    }
    if (b.data == NULL) {
        lw_buf_free(&b);
        return;
    }
    /* trim, then cut at a UTF-8 character boundary */
    for (i = 0; i < b.len && b.data[i] == ' '; i++)
        ;
    m = b.len;
    while (m > i && b.data[m - 1] == ' ')
        m--;
    cut = m - i;
    if (cut > n - 1) {
        cut = n - 1;
        while (cut > 0 && ((unsigned char) b.data[i + cut] & 0xC0) == 0x80)
            cut--;
    }
    memcpy(dst, b.data + i, cut);
    dst[cut] = '\0';
    lw_buf_free(&b);
}

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

void
lw_probe_result_free(lw_probe_result *r)
{
    free(r->text);
    r->text = NULL;
    r->text_len = 0;
}

int
lw_probe_finalize(lw_probe_job *job, const lw_probe_outcome *oc, lw_stream *st,
                  size_t text_cap)
{
    lw_probe_result *r = &job->result;
    const char *key = job->api_key;
    const char *text = st && st->text.data ? st->text.data : "";
    size_t tlen = st ? st->text.len : 0, cut;
    int got_2xx = oc->http_status >= 200 && oc->http_status <= 299;
    lw_probe_errclass cls = LW_PERR_NONE;
    int64_t in, out, cost_in, cost_out;
    double gen_ms;

    free(r->text);
    r->text = NULL;
    r->error_msg[0] = '\0';
    r->http_status = oc->http_status;
    r->retry_after_s = oc->retry_after_s;
    r->t_sent_us = oc->t_sent_us;
    r->t_end_us = oc->t_end_us > oc->t_sent_us ? oc->t_end_us : oc->t_sent_us;
    r->total_ms = (double) (r->t_end_us - r->t_sent_us) / 1000.0;
    r->t_first_token_us = 0;
    r->ttft_ms = -1;
    if (st && st->n_deltas > 0) {
        r->t_first_token_us = st->t_first_us;
        r->ttft_ms = st->t_first_us > r->t_sent_us ?
                     (double) (st->t_first_us - r->t_sent_us) / 1000.0 : 0.0;
    }

    /* class: the first thing that went wrong, in the order it would happen */
    if (oc->oversize) {
        cls = LW_PERR_PROTOCOL;
        if (oc->body_cap % (1024 * 1024) == 0)
            set_msg(r, key, "reply over %zu MiB", oc->body_cap / (1024 * 1024));
        else
            set_msg(r, key, "reply over %zu bytes", oc->body_cap);
    } else if (oc->http_status != 0 && !got_2xx) {
        cls = lw_probe_classify_status(oc->http_status);
        error_body_msg(r, oc->err_body, oc->err_body_len, key);
    } else if (oc->transport_failed) {
        cls = oc->transport_class;
        if (got_2xx && cls == LW_PERR_CONNECT) {
            /* the connection died inside a 200 reply: a cut stream */
            cls = LW_PERR_PROTOCOL;
            set_msg(r, key, "stream truncated: %s", oc->transport_msg ? oc->transport_msg : "");
        } else {
            set_msg(r, key, "%s", oc->transport_msg ? oc->transport_msg : "transfer failed");
        }
    } else if (!got_2xx) {
        cls = LW_PERR_PROTOCOL;
        set_msg(r, key, "no HTTP status in reply");
    } else if (st == NULL) {
        cls = LW_PERR_EMPTY;
        set_msg(r, key, "no content in reply");
    } else if (st->perr) {
        cls = LW_PERR_PROTOCOL;
        set_msg(r, key, "%s", st->perr_msg);
    } else if (st->n_events == 0 && oc->body_bytes > 0) {
        cls = LW_PERR_PROTOCOL;
        set_msg(r, key, "reply is not an event stream");
    } else if (tlen == 0) {
        cls = LW_PERR_EMPTY;
        if (st->finish[0])
            set_msg(r, key, "no content in reply (finish reason %s)", st->finish);
        else
            set_msg(r, key, "no content in reply");
    } else if (!st->done) {
        /* partial text and measures are kept; tokens are estimated */
        cls = LW_PERR_PROTOCOL;
        set_msg(r, key, "stream truncated before its end marker");
    }
    r->err_class = cls;
    r->ok = cls == LW_PERR_NONE;

    /* tokens: a 2xx reply was (probably) billed, so it always gets counts;
     * reported usage is trusted only from a stream that ended properly */
    in = out = 0;
    r->tokens_estimated = 0;
    if (got_2xx && st != NULL) {
        in = st->in_tokens;
        out = st->out_tokens;
        if (!(st->usage_seen && st->done && !oc->transport_failed && !oc->oversize &&
              out >= 0 && !(out == 0 && tlen > 0))) {
            out = lw_estimate_tokens(text, tlen);
            r->tokens_estimated = 1;
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

    r->e2e_tps = -1;
    r->decode_tps = -1;
    if (out > 0 && r->total_ms > 0)
        r->e2e_tps = (double) out / (r->total_ms / 1000.0);
    gen_ms = r->total_ms - r->ttft_ms;
    if (out > 1 && r->ttft_ms >= 0 && gen_ms > 0)
        r->decode_tps = (double) (out - 1) / (gen_ms / 1000.0);

    r->finish_reason[0] = '\0';
    if (st)
        lw_strlcpy(r->finish_reason, st->finish, sizeof(r->finish_reason));

    cut = tlen;
    r->text_truncated = 0;
    if (cut > text_cap) {
        cut = text_cap;
        while (cut > 0 && ((unsigned char) text[cut] & 0xC0) == 0x80)
            cut--;
        r->text_truncated = 1;
    }
    r->text = malloc(cut + 1);
    if (r->text == NULL)
        return LW_ENOMEM;
    memcpy(r->text, text, cut);
    r->text[cut] = '\0';
    r->text_len = cut;

    r->quality = -1;
    if (r->ok && job->scorer != NULL)
        r->quality = lw_scorer_score(job->scorer, text);
    return LW_OK;
}

int
lw_provider_request(const lw_provider_ops *p, const lw_probe_req *rq, struct json_object *body,
                    const char *extra_name, const char *extra_value, const char *key_name,
                    const char *key_prefix, lw_http_req *out, lw_err *err)
{
    lw_buf key = { 0 };
    const char *js;
    int rc = LW_ENOMEM;

    js = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
                                              JSON_C_TO_STRING_NOSLASHESCAPE);
    if (js == NULL || (out->body = strdup(js)) == NULL)
        goto cleanup;
    if (lw_http_req_header(out, "Content-Type", "application/json") != LW_OK ||
        lw_http_req_header(out, "Accept", "text/event-stream") != LW_OK ||
        (extra_name != NULL && lw_http_req_header(out, extra_name, extra_value) != LW_OK))
        goto cleanup;
    if (rq->api_key && rq->api_key[0]) {
        if (lw_buf_printf(&key, "%s%s", key_prefix ? key_prefix : "", rq->api_key) != LW_OK)
            goto cleanup;
        if (lw_http_req_header(out, key_name, key.data) != LW_OK) {
            rc = LW_EINVAL;
            lw_err_set(err, "%s: API key contains a line break", p->kind);
            goto cleanup;
        }
    }
    if (rq->probe_id && lw_http_req_header(out, "X-Llmwatch-Probe-Id", rq->probe_id) != LW_OK) {
        rc = LW_EINVAL;
        lw_err_set(err, "%s: bad probe id", p->kind);
        goto cleanup;
    }
    rc = LW_OK;
cleanup:
    if (rc == LW_ENOMEM)
        lw_err_set(err, "out of memory");
    if (key.data)
        explicit_bzero(key.data, key.len);
    lw_buf_free(&key);
    return rc;
}
