/* provider_anthropic.c: Anthropic Messages streaming (event:/data: pairs
 * from message_start to message_stop). */
#include "probe/probe.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

static int
anthropic_build(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out, lw_err *err)
{
    struct json_object *body = NULL, *msgs, *msg;
    int rc;

    rc = lw_provider_url(p, rq->base_url, "v1", "messages", &out->url, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = LW_ENOMEM;
    body = json_object_new_object();
    msgs = json_object_new_array();
    msg = json_object_new_object();
    if (body == NULL || msgs == NULL || msg == NULL) {
        json_object_put(msgs);
        json_object_put(msg);
        goto cleanup;
    }
    json_object_object_add(msg, "role", json_object_new_string("user"));
    json_object_object_add(msg, "content", json_object_new_string(rq->prompt));
    json_object_array_add(msgs, msg);
    json_object_object_add(body, "model", json_object_new_string(rq->model));
    json_object_object_add(body, "max_tokens", json_object_new_int(rq->max_tokens));
    json_object_object_add(body, "messages", msgs);
    json_object_object_add(body, "stream", json_object_new_boolean(1));
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
}

static int
anthropic_event(lw_stream *st, const char *event, const char *data, size_t len)
{
    struct json_object *o, *x, *usage, *delta;
    const char *type, *s, *etype, *msg;
    size_t slen;
    int rc = LW_OK;

    o = lw_provider_json_parse(data, len);
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        lw_stream_protocol_error(st, "malformed JSON in stream (event %s)",
                                 event[0] ? event : "none");
        goto cleanup;
    }
    /* the JSON's own type is authoritative; the event: line is a hint */
    type = lw_provider_json_str(o, "type", NULL);
    if (type == NULL)
        type = event;
    if (strcmp(type, "message_start") == 0) {
        if (json_object_object_get_ex(o, "message", &x) &&
            json_object_object_get_ex(x, "usage", &usage))
            take_usage(st, usage, 0);
    } else if (strcmp(type, "content_block_delta") == 0) {
        if (json_object_object_get_ex(o, "delta", &delta) &&
            lw_streq(lw_provider_json_str(delta, "type", NULL), "text_delta") &&
            (s = lw_provider_json_str(delta, "text", &slen)) != NULL)
            rc = lw_stream_add_text(st, s, slen);
    } else if (strcmp(type, "message_delta") == 0) {
        if (json_object_object_get_ex(o, "delta", &delta) &&
            (s = lw_provider_json_str(delta, "stop_reason", NULL)) != NULL)
            lw_strlcpy(st->finish, s, sizeof(st->finish));
        if (json_object_object_get_ex(o, "usage", &usage))
            take_usage(st, usage, 1);
    } else if (strcmp(type, "message_stop") == 0) {
        st->done = 1;
    } else if (strcmp(type, "error") == 0) {
        etype = msg = NULL;
        if (json_object_object_get_ex(o, "error", &x)) {
            etype = lw_provider_json_str(x, "type", NULL);
            msg = lw_provider_json_str(x, "message", NULL);
        }
        lw_stream_protocol_error(st, "%s: %s", etype ? etype : "error",
                                 msg ? msg : "(no message)");
    }
    /* ping, content_block_start/stop and unknown future events: nothing */

cleanup:
    if (o)
        json_object_put(o);
    return rc;
}

const lw_provider_ops lw_provider_anthropic = {
    .kind = "anthropic",
    .default_base_url = "https://api.anthropic.com",
    .build = anthropic_build,
    .event = anthropic_event,
};
