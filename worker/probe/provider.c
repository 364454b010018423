/* provider.c: what the providers share: the provider table, request
 * plumbing, JSON helpers, error classes and message sanitising. The state
 * of a streamed reply is stream.c, the result made of it result.c. */
#include "probe/probe.h"

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

/* The table of providers: each one's request builder and event parser
 * (provider_*.c); openai-compatible servers speak OpenAI's protocol and
 * only lack a default base_url. */
const lw_provider_ops lw_provider_openai = {
    "openai", "https://api.openai.com", lw_provider_openai_build, lw_provider_openai_event,
};
const lw_provider_ops lw_provider_openai_compatible = {
    "openai-compatible", NULL, lw_provider_openai_build, lw_provider_openai_event,
};
const lw_provider_ops lw_provider_anthropic = {
    "anthropic", "https://api.anthropic.com", lw_provider_anthropic_build,
    lw_provider_anthropic_event,
};
const lw_provider_ops lw_provider_google = {
    "google", "https://generativelanguage.googleapis.com", lw_provider_google_build,
    lw_provider_google_event,
};

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

struct json_object *
lw_provider_messages(const lw_probe_req *rq)
{
    struct json_object *msgs = json_object_new_array(), *msg = json_object_new_object();

    if (msgs == NULL || msg == NULL || json_object_array_add(msgs, msg) != 0) {
        json_object_put(msgs);
        json_object_put(msg);
        return NULL;
    }
    json_object_object_add(msg, "role", json_object_new_string("user"));
    json_object_object_add(msg, "content", json_object_new_string(rq->prompt));
    return msgs;
}

int
lw_provider_tools(const lw_provider_ops *p, const lw_probe_req *rq, struct json_object *body,
                  const char *key, struct json_object *(*one)(struct json_object *tool),
                  lw_err *err)
{
    struct json_object *in, *out = NULL, *t, *c;
    size_t i, n;
    int rc = LW_ENOMEM;

    if (rq->tools_json == NULL)
        return LW_OK;
    in = lw_provider_json_parse(rq->tools_json, strlen(rq->tools_json));
    if (in == NULL || !json_object_is_type(in, json_type_array)) {
        lw_err_set(err, "%s: tools must be a JSON array", p->kind);
        rc = LW_EINVAL;
        goto cleanup;
    }
    if ((out = json_object_new_array()) == NULL)
        goto cleanup;
    n = json_object_array_length(in);
    for (i = 0; i < n; i++) {
        t = json_object_array_get_idx(in, i);
        if (!json_object_is_type(t, json_type_object)) {
            lw_err_set(err, "%s: tool %zu is not a JSON object", p->kind, i + 1);
            rc = LW_EINVAL;
            goto cleanup;
        }
        if ((c = one(t)) == NULL || json_object_array_add(out, c) != 0) {
            json_object_put(c);
            goto cleanup;
        }
    }
    json_object_object_add(body, key, out);
    out = NULL;
    rc = LW_OK;
cleanup:
    if (rc == LW_ENOMEM)
        lw_err_set(err, "out of memory");
    json_object_put(out);
    json_object_put(in);
    return rc;
}

/* ---- messages ----------------------------------------------------------- */

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
