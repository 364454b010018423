/* provider_anthropic.c: Anthropic Messages streaming (event:/data: pairs
 * from message_start to message_stop). Content blocks are text, thinking
 * (extended thinking: reasoning, signed) or tool_use (its input in
 * input_json_delta fragments); stop_reason "refusal" is a refusal. */
#include "probe/probe.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

/* One tool as Anthropic takes it: {name, description, input_schema}. */
static json_object *
anthropic_tool(json_object *t)
{
    json_object *o = json_object_new_object(), *v;

    if (o == NULL)
        return NULL;
    if (json_object_object_get_ex(t, "name", &v))
        json_object_object_add(o, "name", json_object_get(v));
    if (json_object_object_get_ex(t, "description", &v))
        json_object_object_add(o, "description", json_object_get(v));
    if (json_object_object_get_ex(t, "parameters", &v))
        json_object_object_add(o, "input_schema", json_object_get(v));
    else
        json_object_object_add(o, "input_schema", json_tokener_parse("{\"type\":\"object\"}"));
    return o;
}

int
lw_provider_anthropic_build(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out, lw_err *err)
{
    struct json_object *body = NULL, *msgs;
    int rc;

    rc = lw_provider_url(p, rq->base_url, "v1", "messages", &out->url, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = LW_ENOMEM;
    body = json_object_new_object();
    if (body == NULL || (msgs = lw_provider_messages(rq)) == NULL)
        goto cleanup;
    json_object_object_add(body, "model", json_object_new_string(rq->model));
    json_object_object_add(body, "max_tokens", json_object_new_int(rq->max_tokens));
    json_object_object_add(body, "messages", msgs);
    json_object_object_add(body, "stream", json_object_new_boolean(1));
    if ((rc = lw_provider_tools(p, rq, body, "tools", anthropic_tool, err)) != LW_OK)
        goto cleanup;
    rc = lw_provider_request(p, rq, body, "anthropic-version", "2023-06-01", "x-api-key",
                             NULL, out, err);

cleanup:
    if (rc == LW_ENOMEM)
        lw_err_set(err, "out of memory");
    json_object_put(body);
    return rc;
}

static void
take_usage(lw_stream *st, struct json_object *usage, int final)
{
    struct json_object *det;
    int64_t n;

    /* some gateways send input_tokens:0 in message_start and the real
     * count in message_delta: a later nonzero count wins */
    n = lw_provider_json_int(usage, "input_tokens");
    if (n > 0 || (n == 0 && st->in_tokens < 0))
        st->in_tokens = n;
    n = lw_provider_json_int(usage, "output_tokens");
    if (n >= 0) {
        st->out_tokens = n;
        /* message_delta's count is cumulative; message_start's is a stub */
        if (final)
            st->usage_seen = 1;
    }
    /* thinking is inside output_tokens; a separate count only where the
     * usage gives one (the SDK's output_tokens_details) */
    if (json_object_object_get_ex(usage, "output_tokens_details", &det))
        lw_stream_reasoning_tokens(st, lw_provider_json_int(det, "thinking_tokens"));
}

/* The slot a tool_use block's fragments go to. */
static size_t
block_slot(lw_stream *st, int64_t index)
{
    if (index >= 0 && index < (int64_t) LW_ARRAY_LEN(st->block_tool) && st->block_tool[index] > 0)
        return (size_t) st->block_tool[index] - 1;
    return LW_STREAM_MAX_TOOLS;     /* not a tool block we know: ignored */
}

static int
block_start(lw_stream *st, struct json_object *o)
{
    struct json_object *cb;
    int64_t index = lw_provider_json_int(o, "index");
    size_t slot = st->n_tools;

    if (!json_object_object_get_ex(o, "content_block", &cb) ||
        !lw_streq(lw_provider_json_str(cb, "type", NULL), "tool_use"))
        return LW_OK;
    if (index >= 0 && index < (int64_t) LW_ARRAY_LEN(st->block_tool))
        st->block_tool[index] = (int) slot + 1;
    return lw_stream_add_tool(st, slot, lw_provider_json_str(cb, "name", NULL), NULL, 0);
}

static int
block_delta(lw_stream *st, struct json_object *o)
{
    struct json_object *delta;
    const char *type, *s;
    size_t slen = 0;

    if (!json_object_object_get_ex(o, "delta", &delta))
        return LW_OK;
    type = lw_provider_json_str(delta, "type", NULL);
    if (lw_streq(type, "text_delta") && (s = lw_provider_json_str(delta, "text", &slen)) != NULL)
        return lw_stream_add_text(st, s, slen);
    if (lw_streq(type, "thinking_delta") &&
        (s = lw_provider_json_str(delta, "thinking", &slen)) != NULL)
        return lw_stream_add_reasoning(st, s, slen);
    if (lw_streq(type, "input_json_delta") &&
        (s = lw_provider_json_str(delta, "partial_json", &slen)) != NULL)
        return lw_stream_add_tool(st, block_slot(st, lw_provider_json_int(o, "index")), NULL,
                                  s, slen);
    /* signature_delta and future kinds: nothing to measure */
    return LW_OK;
}

int
lw_provider_anthropic_event(lw_stream *st, const char *event, const char *data, size_t len)
{
    struct json_object *o, *x, *usage, *delta;
    const char *type, *s, *etype, *msg;
    int rc = LW_OK;

    if ((o = lw_stream_json(st, data, len, event)) == NULL)
        return LW_OK;
    /* the JSON's own type is authoritative; the event: line is a hint */
    type = lw_provider_json_str(o, "type", NULL);
    if (type == NULL)
        type = event;
    if (strcmp(type, "message_start") == 0) {
        if (json_object_object_get_ex(o, "message", &x)) {
            lw_stream_version(st, lw_provider_json_str(x, "model", NULL), NULL);
            if (json_object_object_get_ex(x, "usage", &usage))
                take_usage(st, usage, 0);
        }
    } else if (strcmp(type, "content_block_start") == 0) {
        rc = block_start(st, o);
    } else if (strcmp(type, "content_block_delta") == 0) {
        rc = block_delta(st, o);
    } else if (strcmp(type, "message_delta") == 0) {
        if (json_object_object_get_ex(o, "delta", &delta) &&
            (s = lw_provider_json_str(delta, "stop_reason", NULL)) != NULL)
            lw_strlcpy(st->finish, s, sizeof(st->finish));
        if (json_object_object_get_ex(o, "usage", &usage))
            take_usage(st, usage, 1);
    } else if (strcmp(type, "message_stop") == 0) {
        lw_stream_done(st);
    } else if (strcmp(type, "error") == 0) {
        etype = msg = NULL;
        if (json_object_object_get_ex(o, "error", &x)) {
            etype = lw_provider_json_str(x, "type", NULL);
            msg = lw_provider_json_str(x, "message", NULL);
        }
        lw_stream_protocol_error(st, "%s: %s", etype ? etype : "error",
                                 msg ? msg : "(no message)");
    }
    /* ping, content_block_stop and unknown future events: nothing */
    json_object_put(o);
    return rc;
}
