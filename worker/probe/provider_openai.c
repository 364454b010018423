/* provider_openai.c: OpenAI Chat Completions streaming, also the
 * "openai-compatible" servers (vLLM, llama.cpp, Ollama, gateways), which
 * differ only in needing a base_url. */
#include "probe/probe.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

static int
openai_build(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out, lw_err *err)
{
    struct json_object *body = NULL, *msgs, *msg, *so;
    int rc = LW_ENOMEM;

    rc = lw_provider_url(p, rq->base_url, "v1", "chat/completions", &out->url, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = LW_ENOMEM;
    body = json_object_new_object();
    msgs = json_object_new_array();
    msg = json_object_new_object();
    so = json_object_new_object();
    if (body == NULL || msgs == NULL || msg == NULL || so == NULL) {
        json_object_put(msgs);
        json_object_put(msg);
        json_object_put(so);
        goto cleanup;
    }
    json_object_object_add(msg, "role", json_object_new_string("user"));
    json_object_object_add(msg, "content", json_object_new_string(rq->prompt));
    json_object_array_add(msgs, msg);
    json_object_object_add(body, "model", json_object_new_string(rq->model));
    json_object_object_add(body, "messages", msgs);
    json_object_object_add(body, "max_tokens", json_object_new_int(rq->max_tokens));
    json_object_object_add(body, "stream", json_object_new_boolean(1));
    json_object_object_add(so, "include_usage", json_object_new_boolean(1));
    json_object_object_add(body, "stream_options", so);
    rc = lw_provider_request(p, rq, body, NULL, NULL, "Authorization", "Bearer ", out,
                             err);

cleanup:
    if (rc == LW_ENOMEM)
        lw_err_set(err, "out of memory");
    json_object_put(body);
    return rc;
}

/* One `data:` chunk: "[DONE]", a chat.completion.chunk, or an error object
 * some servers send inside the stream. */
static int
openai_event(lw_stream *st, const char *event, const char *data, size_t len)
{
    struct json_object *o, *choices, *c0, *delta, *usage, *err, *fr;
    const char *s, *msg;
    size_t slen;
    int64_t n;
    int rc = LW_OK;

    (void) event;
    if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
        st->done = 1;
        return LW_OK;
    }
    o = lw_provider_json_parse(data, len);
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        lw_stream_protocol_error(st, "malformed JSON in stream");
        goto cleanup;
    }
    if (json_object_object_get_ex(o, "error", &err) && !json_object_is_type(err, json_type_null)) {
        msg = lw_provider_json_str(err, "message", NULL);
        lw_stream_protocol_error(st, "error in stream: %s", msg ? msg : "(no message)");
        goto cleanup;
    }
    if (json_object_object_get_ex(o, "choices", &choices) &&
        json_object_is_type(choices, json_type_array) &&
        json_object_array_length(choices) > 0) {
        c0 = json_object_array_get_idx(choices, 0);
        if (json_object_object_get_ex(c0, "delta", &delta)) {
            s = lw_provider_json_str(delta, "content", &slen);
            if (s != NULL && (rc = lw_stream_add_text(st, s, slen)) != LW_OK)
                goto cleanup;
        }
        if (c0 && json_object_object_get_ex(c0, "finish_reason", &fr) &&
            json_object_is_type(fr, json_type_string))
            lw_strlcpy(st->finish, json_object_get_string(fr), sizeof(st->finish));
    }
    if (json_object_object_get_ex(o, "usage", &usage) &&
        json_object_is_type(usage, json_type_object)) {
        if ((n = lw_provider_json_int(usage, "prompt_tokens")) >= 0)
            st->in_tokens = n;
        if ((n = lw_provider_json_int(usage, "completion_tokens")) >= 0) {
            st->out_tokens = n;
            st->usage_seen = 1;
        }
    }

cleanup:
    if (o)
        json_object_put(o);
    return rc;
}

const lw_provider_ops lw_provider_openai = {
    .kind = "openai",
    .default_base_url = "https://api.openai.com",
    .build = openai_build,
    .event = openai_event,
};

const lw_provider_ops lw_provider_openai_compatible = {
    .kind = "openai-compatible",
    .default_base_url = NULL,
    .build = openai_build,
    .event = openai_event,
};
