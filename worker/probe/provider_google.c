/* provider_google.c: Gemini streamGenerateContent with alt=sse: every
 * event is a whole GenerateContentResponse; the stream has no end marker,
 * a finishReason (or a blocked prompt's promptFeedback.blockReason) is
 * what says the answer is complete. Parts are text, thought summaries
 * (thought: true, reasoning) or functionCall (a tool call, whole). */
#include "probe/probe.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

/* Model ids go into the URL path: keep unreserved characters only. */
static int
append_path_escaped(lw_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char c;
    int rc = LW_OK;

    for (; *s && rc == LW_OK; s++) {
        c = (unsigned char) *s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            rc = lw_buf_putc(b, (char) c);
        } else {
            rc = lw_buf_putc(b, '%');
            if (rc == LW_OK)
                rc = lw_buf_putc(b, hex[c >> 4]);
            if (rc == LW_OK)
                rc = lw_buf_putc(b, hex[c & 15]);
        }
    }
    return rc;
}

/* One function declaration: {name, description, parameters}. */
static json_object *
google_tool(json_object *t)
{
    return json_object_get(t);
}

int
lw_provider_google_build(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out, lw_err *err)
{
    struct json_object *body = NULL, *contents, *content, *parts, *part, *gc, *decl, *tools;
    const char *model = rq->model;
    lw_buf rest = { 0 };
    int rc = LW_ENOMEM;

    /* "models/gemini-x" and "gemini-x" both name the model */
    if (strncmp(model, "models/", 7) == 0)
        model += 7;
    if (lw_buf_puts(&rest, "models/") != LW_OK || append_path_escaped(&rest, model) != LW_OK ||
        lw_buf_puts(&rest, ":streamGenerateContent?alt=sse") != LW_OK)
        goto cleanup;
    rc = lw_provider_url(p, rq->base_url, "v1beta", rest.data, &out->url, err);
    if (rc != LW_OK)
        goto cleanup;
    rc = LW_ENOMEM;
    body = json_object_new_object();
    contents = json_object_new_array();
    content = json_object_new_object();
    parts = json_object_new_array();
    part = json_object_new_object();
    gc = json_object_new_object();
    if (body == NULL || contents == NULL || content == NULL || parts == NULL ||
        part == NULL || gc == NULL) {
        json_object_put(contents);
        json_object_put(content);
        json_object_put(parts);
        json_object_put(part);
        json_object_put(gc);
        goto cleanup;
    }
    json_object_object_add(part, "text", json_object_new_string(rq->prompt));
    json_object_array_add(parts, part);
    json_object_object_add(content, "role", json_object_new_string("user"));
    json_object_object_add(content, "parts", parts);
    json_object_array_add(contents, content);
    json_object_object_add(body, "contents", contents);
    json_object_object_add(gc, "maxOutputTokens", json_object_new_int(rq->max_tokens));
    json_object_object_add(body, "generationConfig", gc);
    if (rq->tools_json != NULL) {
        /* tools: [{"functionDeclarations": [...]}] */
        if ((decl = json_object_new_object()) == NULL)
            goto cleanup;
        if ((tools = json_object_new_array()) == NULL || json_object_array_add(tools, decl) != 0) {
            json_object_put(decl);
            json_object_put(tools);
            goto cleanup;
        }
        json_object_object_add(body, "tools", tools);
        if ((rc = lw_provider_tools(p, rq, decl, "functionDeclarations", google_tool, err))
            != LW_OK)
            goto cleanup;
    }
    rc = lw_provider_request(p, rq, body, NULL, NULL, "x-goog-api-key", NULL, out, err);

cleanup:
    if (rc == LW_ENOMEM)
        lw_err_set(err, "out of memory");
    lw_buf_free(&rest);
    json_object_put(body);
    return rc;
}

/* The parts of a candidate's content: answer text, thoughts, calls. */
static int
parts_output(lw_stream *st, json_object *c0)
{
    json_object *content, *parts, *part, *th, *fc, *args;
    const char *s, *js;
    size_t i, n, slen;
    int rc = LW_OK;

    if (!json_object_object_get_ex(c0, "content", &content) ||
        !json_object_object_get_ex(content, "parts", &parts) ||
        !json_object_is_type(parts, json_type_array))
        return LW_OK;
    n = json_object_array_length(parts);
    for (i = 0; i < n && rc == LW_OK; i++) {
        part = json_object_array_get_idx(parts, i);
        if (json_object_object_get_ex(part, "functionCall", &fc)) {
            js = json_object_object_get_ex(fc, "args", &args) ?
                 json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
            /* a call comes whole, in one part: each is a call of its own */
            rc = lw_stream_add_tool(st, st->n_tools, lw_provider_json_str(fc, "name", NULL), js,
                                    js ? strlen(js) : 0);
        } else if ((s = lw_provider_json_str(part, "text", &slen)) != NULL) {
            /* thought summaries are reasoning, not the answer */
            if (json_object_object_get_ex(part, "thought", &th) && json_object_get_boolean(th))
                rc = lw_stream_add_reasoning(st, s, slen);
            else
                rc = lw_stream_add_text(st, s, slen);
        }
    }
    return rc;
}

/* Every chunk may carry usageMetadata; the last one is the total. Zero
 * counts are left out of the JSON, so a missing one is 0. Thinking tokens
 * are billed as output, so they count as output. */
static void
usage(lw_stream *st, json_object *um)
{
    int64_t cand = lw_provider_json_int(um, "candidatesTokenCount");
    int64_t thoughts = lw_provider_json_int(um, "thoughtsTokenCount");
    int64_t prompt = lw_provider_json_int(um, "promptTokenCount");

    if (prompt >= 0)
        st->in_tokens = prompt;
    if (cand >= 0 || thoughts >= 0 || prompt >= 0) {
        st->out_tokens = (cand > 0 ? cand : 0) + (thoughts > 0 ? thoughts : 0);
        st->usage_seen = 1;
    }
    if (thoughts >= 0)
        lw_stream_reasoning_tokens(st, thoughts);
}

int
lw_provider_google_event(lw_stream *st, const char *event, const char *data, size_t len)
{
    struct json_object *o, *x, *cands, *c0, *um;
    const char *s, *msg;
    int rc = LW_OK;

    (void) event;
    if ((o = lw_stream_json(st, data, len, NULL)) == NULL)
        return LW_OK;
    if (json_object_object_get_ex(o, "error", &x) && json_object_is_type(x, json_type_object)) {
        msg = lw_provider_json_str(x, "message", NULL);
        lw_stream_protocol_error(st, "error in stream: %s", msg ? msg : "(no message)");
        goto cleanup;
    }
    lw_stream_version(st, lw_provider_json_str(o, "modelVersion", NULL), NULL);
    if (json_object_object_get_ex(o, "candidates", &cands) &&
        json_object_is_type(cands, json_type_array) && json_object_array_length(cands) > 0) {
        c0 = json_object_array_get_idx(cands, 0);
        if ((rc = parts_output(st, c0)) != LW_OK)
            goto cleanup;
        if ((s = lw_provider_json_str(c0, "finishReason", NULL)) != NULL && s[0]) {
            lw_strlcpy(st->finish, s, sizeof(st->finish));
            lw_stream_done(st);
        }
    }
    /* a blocked prompt: no candidate at all, the reason in promptFeedback */
    if (json_object_object_get_ex(o, "promptFeedback", &x) &&
        (s = lw_provider_json_str(x, "blockReason", NULL)) != NULL && s[0]) {
        lw_strlcpy(st->block_reason, s, sizeof(st->block_reason));
        lw_stream_done(st);
    }
    if (json_object_object_get_ex(o, "usageMetadata", &um) &&
        json_object_is_type(um, json_type_object))
        usage(st, um);

cleanup:
    json_object_put(o);
    return rc;
}
