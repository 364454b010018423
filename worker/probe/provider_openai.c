/* provider_openai.c: OpenAI Chat Completions streaming, also the
 * "openai-compatible" servers (vLLM, llama.cpp, Ollama, DeepSeek,
 * gateways), which differ only in needing a base_url. Beside the answer
 * text a chunk's delta may carry a refusal, reasoning (reasoning_content,
 * or reasoning on some gateways) and tool call fragments. */
#include "probe/probe.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

/* One tool as OpenAI takes it: {"type": "function", "function": {name,
 * description, parameters}}. */
static json_object *
openai_tool(json_object *t)
{
    json_object *o = json_object_new_object();

    if (o == NULL)
        return NULL;
    json_object_object_add(o, "type", json_object_new_string("function"));
    json_object_object_add(o, "function", json_object_get(t));
    return o;
}

int
lw_provider_openai_build(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out, lw_err *err)
{
    struct json_object *body = NULL, *msgs = NULL, *so;
    int rc = LW_ENOMEM;

    rc = lw_provider_url(p, rq->base_url, "v1", "chat/completions", &out->url, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = LW_ENOMEM;
    body = json_object_new_object();
    so = json_object_new_object();
    if (body == NULL || so == NULL || (msgs = lw_provider_messages(rq)) == NULL) {
        json_object_put(so);
        goto cleanup;
    }
    json_object_object_add(body, "model", json_object_new_string(rq->model));
    json_object_object_add(body, "messages", msgs);
    json_object_object_add(body, "max_tokens", json_object_new_int(rq->max_tokens));
    json_object_object_add(body, "stream", json_object_new_boolean(1));
    json_object_object_add(so, "include_usage", json_object_new_boolean(1));
    json_object_object_add(body, "stream_options", so);
    if ((rc = lw_provider_tools(p, rq, body, "tools", openai_tool, err)) != LW_OK)
        goto cleanup;
    rc = lw_provider_request(p, rq, body, NULL, NULL, "Authorization", "Bearer ", out,
                             err);

cleanup:
    if (rc == LW_ENOMEM)
        lw_err_set(err, "out of memory");
    json_object_put(body);
    return rc;
}

/* delta.tool_calls: [{index, id, type, function: {name, arguments}}], the
 * arguments in fragments over many chunks. */
static int
tool_calls(lw_stream *st, json_object *delta)
{
    json_object *calls, *c, *fn;
    const char *args;
    size_t i, n, alen = 0;
    int64_t idx;
    int rc = LW_OK;

    if (!json_object_object_get_ex(delta, "tool_calls", &calls) ||
        !json_object_is_type(calls, json_type_array))
        return LW_OK;
    n = json_object_array_length(calls);
    for (i = 0; i < n && rc == LW_OK; i++) {
        c = json_object_array_get_idx(calls, i);
        idx = lw_provider_json_int(c, "index");
        if (!json_object_object_get_ex(c, "function", &fn))
            continue;
        args = lw_provider_json_str(fn, "arguments", &alen);
        rc = lw_stream_add_tool(st, (size_t) (idx >= 0 ? idx : 0),
                                lw_provider_json_str(fn, "name", NULL), args, alen);
    }
    return rc;
}

/* One choice: its delta's output, and its finish reason (Azure sends the
 * content_filter one in a chunk without a delta). */
static int
choice(lw_stream *st, json_object *c0)
{
    json_object *delta, *fr;
    const char *s;
    size_t slen;
    int rc = LW_OK;

    if (json_object_object_get_ex(c0, "delta", &delta)) {
        if ((s = lw_provider_json_str(delta, "reasoning_content", &slen)) != NULL ||
            (s = lw_provider_json_str(delta, "reasoning", &slen)) != NULL)
            rc = lw_stream_add_reasoning(st, s, slen);
        if (rc == LW_OK && (s = lw_provider_json_str(delta, "content", &slen)) != NULL)
            rc = lw_stream_add_text(st, s, slen);
        if (rc == LW_OK && (s = lw_provider_json_str(delta, "refusal", &slen)) != NULL)
            rc = lw_stream_add_refusal(st, s, slen);
        if (rc == LW_OK)
            rc = tool_calls(st, delta);
    }
    if (json_object_object_get_ex(c0, "finish_reason", &fr) &&
        json_object_is_type(fr, json_type_string))
        lw_strlcpy(st->finish, json_object_get_string(fr), sizeof(st->finish));
    return rc;
}

/* One `data:` chunk: "[DONE]", a chat.completion.chunk, or an error object
 * some servers send inside the stream. */
int
lw_provider_openai_event(lw_stream *st, const char *event, const char *data, size_t len)
{
    struct json_object *o, *choices, *usage, *err, *det;
    const char *msg;
    int64_t n;
    int rc = LW_OK;

    (void) event;
    if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
        lw_stream_done(st);
        return LW_OK;
    }
    if ((o = lw_stream_json(st, data, len, NULL)) == NULL)
        return LW_OK;
    if (json_object_object_get_ex(o, "error", &err) && !json_object_is_type(err, json_type_null)) {
        msg = lw_provider_json_str(err, "message", NULL);
        lw_stream_protocol_error(st, "error in stream: %s", msg ? msg : "(no message)");
        goto cleanup;
    }
    lw_stream_version(st, lw_provider_json_str(o, "model", NULL),
                      lw_provider_json_str(o, "system_fingerprint", NULL));
    if (json_object_object_get_ex(o, "choices", &choices) &&
        json_object_is_type(choices, json_type_array) &&
        json_object_array_length(choices) > 0 &&
        (rc = choice(st, json_object_array_get_idx(choices, 0))) != LW_OK)
        goto cleanup;
    if (json_object_object_get_ex(o, "usage", &usage) &&
        json_object_is_type(usage, json_type_object)) {
        if ((n = lw_provider_json_int(usage, "prompt_tokens")) >= 0)
            st->in_tokens = n;
        if ((n = lw_provider_json_int(usage, "completion_tokens")) >= 0) {
            st->out_tokens = n;
            st->usage_seen = 1;
        }
        if (json_object_object_get_ex(usage, "completion_tokens_details", &det))
            lw_stream_reasoning_tokens(st, lw_provider_json_int(det, "reasoning_tokens"));
    }

cleanup:
    json_object_put(o);
    return rc;
}
