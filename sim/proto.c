/* proto.c: the three providers' wire formats as the simulator speaks them
 * (as each provider documents its API): request bodies in, SSE events, whole replies and
 * error documents out. */
#include "sim.h"

#include <ctype.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

const char *
lw_sim_proto_name(int proto)
{
    switch (proto) {
    case LW_SIM_PROTO_ANTHROPIC: return "anthropic";
    case LW_SIM_PROTO_GOOGLE:    return "google";
    default:                     return "openai";
    }
}

/* ---------------------------------------------------------------- input */

static long
count_words(const char *s)
{
    long n = 0;
    int in = 0;

    for (; *s != '\0'; s++) {
        if (isspace((unsigned char) *s)) {
            in = 0;
        } else if (!in) {
            in = 1;
            n++;
        }
    }
    return n;
}

/* Text of a message content: a string, or an array of parts/blocks with a
 * "text" member. Appends to out; 0, or -1 if the shape is wrong. */
static int
content_text(json_object *c, lw_buf *out)
{
    size_t i, n;

    if (c == NULL || json_object_is_type(c, json_type_null))
        return 0;
    if (json_object_is_type(c, json_type_string)) {
        lw_sim_put(out, json_object_get_string(c), (size_t) json_object_get_string_len(c));
        return 0;
    }
    if (!json_object_is_type(c, json_type_array))
        return -1;
    n = json_object_array_length(c);
    for (i = 0; i < n; i++) {
        json_object *part = json_object_array_get_idx(c, i), *t;

        if (!json_object_is_type(part, json_type_object))
            return -1;
        if (json_object_object_get_ex(part, "text", &t)) {
            if (!json_object_is_type(t, json_type_string))
                return -1;
            if (out->len > 0)
                lw_sim_put(out, "\n", 1);
            lw_sim_put(out, json_object_get_string(t), (size_t) json_object_get_string_len(t));
        }
    }
    return 0;
}

static int
get_bool(json_object *root, const char *key, int *out, char *msg, size_t msgsz)
{
    json_object *v;

    if (!json_object_object_get_ex(root, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_boolean)) {
        snprintf(msg, msgsz, "%s: expected a boolean", key);
        return -1;
    }
    *out = json_object_get_boolean(v);
    return 0;
}

static int
get_max_tokens(json_object *root, const char *key, long *out, char *msg, size_t msgsz)
{
    json_object *v;
    int64_t n;

    if (!json_object_object_get_ex(root, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_int)) {
        snprintf(msg, msgsz, "%s: expected an integer", key);
        return -1;
    }
    n = json_object_get_int64(v);
    if (n < 1 || n > 10000000) {
        snprintf(msg, msgsz, "%s: must be between 1 and 10000000", key);
        return -1;
    }
    *out = (long) n;
    return 0;
}

/* messages: [{role, content}] (OpenAI, Anthropic). The prompt is the text of
 * the last user message; words counts every message. */
static int
parse_messages(json_object *root, lw_pool *pool, lw_sim_ask *a, char *msg, size_t msgsz)
{
    json_object *msgs, *m, *role, *content;
    lw_buf text = { 0 };
    size_t i, n;
    int rc = -1;

    if (!json_object_object_get_ex(root, "messages", &msgs) ||
        !json_object_is_type(msgs, json_type_array) || (n = json_object_array_length(msgs)) == 0) {
        snprintf(msg, msgsz, "messages: a non-empty array is required");
        return -1;
    }
    for (i = 0; i < n; i++) {
        m = json_object_array_get_idx(msgs, i);
        if (!json_object_is_type(m, json_type_object) ||
            !json_object_object_get_ex(m, "role", &role) ||
            !json_object_is_type(role, json_type_string)) {
            snprintf(msg, msgsz, "messages[%zu]: an object with a string role is required", i);
            goto cleanup;
        }
        content = NULL;
        json_object_object_get_ex(m, "content", &content);
        lw_buf_reset(&text);
        if (content_text(content, &text) != 0) {
            snprintf(msg, msgsz, "messages[%zu].content: expected a string or an array of parts", i);
            goto cleanup;
        }
        a->words += count_words(text.data != NULL ? text.data : "");
        if (strcmp(json_object_get_string(role), "user") == 0 || a->prompt == NULL)
            a->prompt = lw_pool_strdup(pool, text.data != NULL ? text.data : "");
    }
    rc = 0;
cleanup:
    lw_buf_free(&text);
    return rc;
}

static int
parse_openai(json_object *root, lw_pool *pool, lw_sim_ask *a, char *msg, size_t msgsz)
{
    json_object *v, *so;

    if (!json_object_object_get_ex(root, "model", &v) || !json_object_is_type(v, json_type_string) ||
        json_object_get_string_len(v) == 0) {
        snprintf(msg, msgsz, "you must provide a model parameter");
        return -1;
    }
    a->model = lw_pool_strdup(pool, json_object_get_string(v));
    if (get_bool(root, "stream", &a->stream, msg, msgsz) != 0 ||
        get_max_tokens(root, "max_tokens", &a->max_tokens, msg, msgsz) != 0 ||
        get_max_tokens(root, "max_completion_tokens", &a->max_tokens, msg, msgsz) != 0)
        return -1;
    if (json_object_object_get_ex(root, "stream_options", &so) && !json_object_is_type(so, json_type_null)) {
        if (!json_object_is_type(so, json_type_object)) {
            snprintf(msg, msgsz, "stream_options: expected an object");
            return -1;
        }
        if (get_bool(so, "include_usage", &a->include_usage, msg, msgsz) != 0)
            return -1;
    }
    return parse_messages(root, pool, a, msg, msgsz);
}

static int
parse_anthropic(json_object *root, lw_pool *pool, lw_sim_ask *a, char *msg, size_t msgsz)
{
    json_object *v;
    lw_buf text = { 0 };

    if (!json_object_object_get_ex(root, "model", &v) || !json_object_is_type(v, json_type_string) ||
        json_object_get_string_len(v) == 0) {
        snprintf(msg, msgsz, "model: Field required");
        return -1;
    }
    a->model = lw_pool_strdup(pool, json_object_get_string(v));
    if (get_bool(root, "stream", &a->stream, msg, msgsz) != 0 ||
        get_max_tokens(root, "max_tokens", &a->max_tokens, msg, msgsz) != 0)
        return -1;
    if (a->max_tokens == 0) {
        snprintf(msg, msgsz, "max_tokens: Field required");
        return -1;
    }
    if (json_object_object_get_ex(root, "system", &v)) {
        if (content_text(v, &text) != 0) {
            lw_buf_free(&text);
            snprintf(msg, msgsz, "system: expected a string or an array of text blocks");
            return -1;
        }
        a->words += count_words(text.data != NULL ? text.data : "");
        lw_buf_free(&text);
    }
    return parse_messages(root, pool, a, msg, msgsz);
}

static int
gemini_parts(json_object *content, lw_buf *text)
{
    json_object *parts;

    if (!json_object_is_type(content, json_type_object) ||
        !json_object_object_get_ex(content, "parts", &parts))
        return -1;
    return content_text(parts, text);
}

static int
parse_google(json_object *root, lw_pool *pool, lw_sim_ask *a, char *msg, size_t msgsz)
{
    json_object *contents, *c, *role, *gc, *si;
    lw_buf text = { 0 };
    size_t i, n;
    int rc = -1;

    if (!json_object_object_get_ex(root, "contents", &contents) ||
        !json_object_is_type(contents, json_type_array) ||
        (n = json_object_array_length(contents)) == 0) {
        snprintf(msg, msgsz, "* GenerateContentRequest.contents: contents is not specified");
        return -1;
    }
    for (i = 0; i < n; i++) {
        c = json_object_array_get_idx(contents, i);
        lw_buf_reset(&text);
        if (gemini_parts(c, &text) != 0) {
            snprintf(msg, msgsz, "contents[%zu]: expected {role, parts: [{text}]}", i);
            goto cleanup;
        }
        a->words += count_words(text.data != NULL ? text.data : "");
        if (!json_object_object_get_ex(c, "role", &role) || a->prompt == NULL ||
            (json_object_is_type(role, json_type_string) &&
             strcmp(json_object_get_string(role), "user") == 0))
            a->prompt = lw_pool_strdup(pool, text.data != NULL ? text.data : "");
    }
    if (json_object_object_get_ex(root, "systemInstruction", &si) ||
        json_object_object_get_ex(root, "system_instruction", &si)) {
        lw_buf_reset(&text);
        if (gemini_parts(si, &text) != 0) {
            snprintf(msg, msgsz, "systemInstruction: expected {parts: [{text}]}");
            goto cleanup;
        }
        a->words += count_words(text.data != NULL ? text.data : "");
    }
    if (json_object_object_get_ex(root, "generationConfig", &gc) && !json_object_is_type(gc, json_type_null)) {
        if (!json_object_is_type(gc, json_type_object)) {
            snprintf(msg, msgsz, "generationConfig: expected an object");
            goto cleanup;
        }
        if (get_max_tokens(gc, "maxOutputTokens", &a->max_tokens, msg, msgsz) != 0)
            goto cleanup;
    }
    rc = 0;
cleanup:
    lw_buf_free(&text);
    return rc;
}

/* The name of the first tool a request offers: OpenAI tools[].function,
 * Anthropic tools[], Gemini tools[].functionDeclarations[]; NULL: none. */
static const char *
first_tool(int proto, json_object *root, lw_pool *pool)
{
    json_object *tools, *t, *v;

    if (!json_object_object_get_ex(root, "tools", &tools) ||
        !json_object_is_type(tools, json_type_array) || json_object_array_length(tools) == 0)
        return NULL;
    t = json_object_array_get_idx(tools, 0);
    if (proto == LW_SIM_PROTO_OPENAI && !json_object_object_get_ex(t, "function", &t))
        return NULL;
    if (proto == LW_SIM_PROTO_GOOGLE) {
        if (!json_object_object_get_ex(t, "functionDeclarations", &v) ||
            !json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
            return NULL;
        t = json_object_array_get_idx(v, 0);
    }
    if (!json_object_object_get_ex(t, "name", &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return lw_pool_strdup(pool, json_object_get_string(v));
}

int
lw_sim_proto_parse(int proto, const char *body, size_t len, lw_pool *pool,
                   lw_sim_ask *a, char *msg, size_t msgsz)
{
    json_tokener *tok;
    json_object *root;
    enum json_tokener_error jerr;
    size_t end;
    int rc;

    memset(a, 0, sizeof(*a));
    tok = json_tokener_new_ex(64);
    if (tok == NULL) {
        snprintf(msg, msgsz, "out of memory");
        return LW_ENOMEM;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, body, (int) len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (root == NULL || jerr != json_tokener_success) {
        snprintf(msg, msgsz, "We could not parse the JSON body of your request: %s",
                 jerr == json_tokener_continue || jerr == json_tokener_success
                     ? "unexpected end of input" : json_tokener_error_desc(jerr));
        json_object_put(root);
        return LW_EINVAL;
    }
    for (; end < len; end++) {
        if (!isspace((unsigned char) body[end])) {
            snprintf(msg, msgsz, "We could not parse the JSON body of your request: "
                     "trailing data after the JSON value");
            json_object_put(root);
            return LW_EINVAL;
        }
    }
    if (!json_object_is_type(root, json_type_object)) {
        snprintf(msg, msgsz, "the request body must be a JSON object");
        json_object_put(root);
        return LW_EINVAL;
    }
    if (proto == LW_SIM_PROTO_ANTHROPIC)
        rc = parse_anthropic(root, pool, a, msg, msgsz);
    else if (proto == LW_SIM_PROTO_GOOGLE)
        rc = parse_google(root, pool, a, msg, msgsz);
    else
        rc = parse_openai(root, pool, a, msg, msgsz);
    if (rc == 0)
        a->tool = first_tool(proto, root, pool);
    json_object_put(root);
    if (rc == 0 && a->prompt == NULL)
        a->prompt = lw_pool_strdup(pool, "");
    return rc == 0 ? LW_OK : LW_EINVAL;
}

/* ---------------------------------------------------------------- errors */

/* The error type each provider gives a status (by LW_SIM_PROTO_*), NULL
 * where it has none of its own; OpenAI's code too. Status 0 ends the
 * table with the fallbacks for a client error (4xx) ... */
static const struct {
    int         status;
    const char *type[3];         /* OpenAI, Anthropic, Google */
    const char *openai_code;     /* JSON: a string or null */
} error_names[] = {
    { 401, { "invalid_request_error", "authentication_error", "UNAUTHENTICATED" }, "\"invalid_api_key\"" },
    { 403, { NULL, "permission_error", "PERMISSION_DENIED" }, NULL },
    { 404, { "invalid_request_error", "not_found_error", "NOT_FOUND" }, "\"model_not_found\"" },
    { 413, { NULL, "request_too_large", NULL }, NULL },
    { 429, { "requests", "rate_limit_error", "RESOURCE_EXHAUSTED" }, "\"rate_limit_exceeded\"" },
    { 503, { NULL, NULL, "UNAVAILABLE" }, NULL },
    { 529, { NULL, "overloaded_error", NULL }, NULL },
    { 0, { "invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT" }, "null" },
};
/* ... and for a server error (5xx). */
static const char *const server_error[3] = { "server_error", "api_error", "INTERNAL" };

void
lw_sim_proto_error(int proto, int status, const char *message, lw_buf *out)
{
    const char *type = NULL, *code = "null";
    size_t i;

    for (i = 0; error_names[i].status != 0; i++)
        if (error_names[i].status == status) {
            type = error_names[i].type[proto];
            code = error_names[i].openai_code ? error_names[i].openai_code : "null";
            break;
        }
    if (type == NULL) {
        type = status >= 500 ? server_error[proto]
                             : error_names[LW_ARRAY_LEN(error_names) - 1].type[proto];
        code = "null";
    }
    if (proto == LW_SIM_PROTO_ANTHROPIC) {
        lw_sim_puts(out, "{\"type\":\"error\",\"error\":{\"type\":\"");
        lw_sim_puts(out, type);
        lw_sim_puts(out, "\",\"message\":");
        lw_sim_json_cstr(out, message);
        lw_sim_puts(out, "}}");
        return;
    }
    if (proto == LW_SIM_PROTO_GOOGLE) {
        lw_sim_printf(out, "{\"error\":{\"code\":%d,\"message\":", status);
        lw_sim_json_cstr(out, message);
        lw_sim_printf(out, ",\"status\":\"%s\"}}", type);
        return;
    }
    lw_sim_puts(out, "{\"error\":{\"message\":");
    lw_sim_json_cstr(out, message);
    lw_sim_printf(out, ",\"type\":\"%s\",\"param\":null,\"code\":%s}}", type, code);
}

/* ---------------------------------------------------------------- events */

static const char *
nl(const lw_sim_gen *g)
{
    return g->crlf ? "\r\n" : "\n";
}

void
lw_sim_ev_begin(const lw_sim_gen *g, lw_buf *out, const char *event)
{
    if (event != NULL)
        lw_sim_printf(out, "event: %s%s", event, nl(g));
    lw_sim_puts(out, "data: ");
}

void
lw_sim_ev_end(const lw_sim_gen *g, lw_buf *out)
{
    lw_sim_puts(out, nl(g));
    lw_sim_puts(out, nl(g));
}

static int
openai_usage_fields(const lw_sim_gen *g)
{
    return g->include_usage && !g->no_usage;
}

void
lw_sim_oai_begin(const lw_sim_gen *g, lw_buf *out)
{
    lw_sim_ev_begin(g, out, NULL);
    lw_sim_printf(out, "{\"id\":\"%s\",\"object\":\"chat.completion.chunk\",\"created\":%lld,\"model\":",
                  g->id, (long long) g->created);
    lw_sim_json_cstr(out, g->model);
    lw_sim_puts(out, ",\"system_fingerprint\":");
    lw_sim_json_cstr(out, g->version != NULL ? g->version : "fp_llmwatch_sim");
    lw_sim_puts(out, ",\"choices\":[");
}

void
lw_sim_oai_end(const lw_sim_gen *g, lw_buf *out)
{
    lw_sim_puts(out, openai_usage_fields(g) ? "],\"usage\":null}" : "]}");
    lw_sim_ev_end(g, out);
}

void
lw_sim_oai_delta(const lw_sim_gen *g, const char *field, const char *s, size_t n, lw_buf *out)
{
    lw_sim_oai_begin(g, out);
    lw_sim_printf(out, "{\"index\":0,\"delta\":{%s", field);
    lw_sim_json_str(out, s, n);
    lw_sim_puts(out, "},\"logprobs\":null,\"finish_reason\":null}");
    lw_sim_oai_end(g, out);
}

void
lw_sim_google_end(const lw_sim_gen *g, lw_buf *out)
{
    lw_sim_puts(out, ",\"modelVersion\":");
    lw_sim_json_cstr(out, g->version != NULL ? g->version : g->model);
    lw_sim_printf(out, ",\"responseId\":\"%s\"}", g->id);
    lw_sim_ev_end(g, out);
}

void
lw_sim_anthropic_delta(const lw_sim_gen *g, int index, const char *type, const char *field,
                       const char *s, size_t n, lw_buf *out)
{
    lw_sim_ev_begin(g, out, "content_block_delta");
    lw_sim_printf(out, "{\"type\":\"content_block_delta\",\"index\":%d,\"delta\":"
                  "{\"type\":\"%s\",\"%s\":", index, type, field);
    lw_sim_json_str(out, s, n);
    lw_sim_puts(out, "}}");
    lw_sim_ev_end(g, out);
}

static void
usage_openai(const lw_sim_gen *g, lw_buf *out)
{
    int out_n = g->sent + g->reasoned;

    lw_sim_printf(out, "{\"prompt_tokens\":%ld,\"completion_tokens\":%d,\"total_tokens\":%ld",
                  g->input_tokens, out_n, g->input_tokens + out_n);
    if (g->reasoned > 0)
        lw_sim_printf(out, ",\"completion_tokens_details\":{\"reasoning_tokens\":%d}", g->reasoned);
    lw_sim_puts(out, "}");
}

static void
usage_google(const lw_sim_gen *g, lw_buf *out)
{
    long thoughts = g->thoughts_tokens + g->reasoned;

    lw_sim_printf(out, "\"usageMetadata\":{\"promptTokenCount\":%ld,\"candidatesTokenCount\":%d,",
                  g->input_tokens, g->sent);
    if (thoughts > 0)
        lw_sim_printf(out, "\"thoughtsTokenCount\":%ld,", thoughts);
    lw_sim_printf(out, "\"totalTokenCount\":%ld}", g->input_tokens + g->sent + thoughts);
}

static void
google_event(const lw_sim_gen *g, const char *s, size_t n, int last, lw_buf *out)
{
    lw_sim_ev_begin(g, out, NULL);
    lw_sim_puts(out, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":");
    lw_sim_json_str(out, s, n);
    lw_sim_puts(out, "}],\"role\":\"model\"}");
    if (last)
        lw_sim_printf(out, ",\"finishReason\":\"%s\"", lw_sim_finish(g));
    lw_sim_puts(out, ",\"index\":0}]");
    if (last && !g->no_usage) {
        lw_sim_puts(out, ",");
        usage_google(g, out);
    }
    lw_sim_google_end(g, out);
}

static void
anthropic_delta(const lw_sim_gen *g, const char *s, size_t n, lw_buf *out)
{
    lw_sim_anthropic_delta(g, g->reason_n > 0 ? 1 : 0, "text_delta", "text", s, n, out);
}

void
lw_sim_proto_preamble(const lw_sim_gen *g, lw_buf *out)
{
    switch (g->proto) {
    case LW_SIM_PROTO_OPENAI:
        lw_sim_oai_begin(g, out);
        lw_sim_printf(out, "{\"index\":0,\"delta\":{\"role\":\"assistant\"%s},"
                      "\"logprobs\":null,\"finish_reason\":null}",
                      g->empty_first ? ",\"content\":\"\"" : "");
        lw_sim_oai_end(g, out);
        break;
    case LW_SIM_PROTO_ANTHROPIC:
        lw_sim_ev_begin(g, out, "message_start");
        lw_sim_printf(out, "{\"type\":\"message_start\",\"message\":{\"id\":\"%s\",\"type\":\"message\","
                      "\"role\":\"assistant\",\"model\":", g->id);
        lw_sim_json_cstr(out, g->version != NULL ? g->version : g->model);
        lw_sim_puts(out, ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null");
        if (!g->no_usage)
            lw_sim_printf(out, ",\"usage\":{\"input_tokens\":%ld,\"output_tokens\":1}",
                          g->late_input ? 0 : g->input_tokens);
        lw_sim_puts(out, "}}");
        lw_sim_ev_end(g, out);
        /* the first block: thinking, the text, or none yet (a tool_use
         * block opens with the call's name) */
        if (g->reason_n > 0 || g->kind != LW_SIM_OUT_TOOL_CALL) {
            lw_sim_ev_begin(g, out, "content_block_start");
            lw_sim_puts(out, g->reason_n > 0
                        ? "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                          "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}"
                        : "{\"type\":\"content_block_start\",\"index\":0,"
                          "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
            lw_sim_ev_end(g, out);
        }
        lw_sim_ev_begin(g, out, "ping");
        lw_sim_puts(out, "{\"type\": \"ping\"}");
        lw_sim_ev_end(g, out);
        if (g->empty_first)
            anthropic_delta(g, "", 0, out);
        break;
    default:
        if (g->empty_first)
            google_event(g, "", 0, 0, out);
    }
}

void
lw_sim_proto_token(const lw_sim_gen *g, const char *s, size_t n, int last, lw_buf *out)
{
    switch (g->proto) {
    case LW_SIM_PROTO_OPENAI:
        lw_sim_oai_delta(g, "\"content\":", s, n, out);
        break;
    case LW_SIM_PROTO_ANTHROPIC:
        anthropic_delta(g, s, n, out);
        break;
    default:
        google_event(g, s, n, last, out);
    }
}

void
lw_sim_proto_finish(const lw_sim_gen *g, lw_buf *out)
{
    switch (g->proto) {
    case LW_SIM_PROTO_OPENAI:
        lw_sim_oai_begin(g, out);
        lw_sim_printf(out, "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"%s\"}",
                      lw_sim_finish(g));
        lw_sim_oai_end(g, out);
        if (openai_usage_fields(g)) {
            lw_sim_oai_begin(g, out);
            lw_sim_puts(out, "],\"usage\":");
            usage_openai(g, out);
            lw_sim_puts(out, "}");
            lw_sim_ev_end(g, out);
        }
        if (!g->no_done) {
            lw_sim_ev_begin(g, out, NULL);
            lw_sim_puts(out, "[DONE]");
            lw_sim_ev_end(g, out);
        }
        break;
    case LW_SIM_PROTO_ANTHROPIC:
        lw_sim_ev_begin(g, out, "content_block_stop");
        lw_sim_printf(out, "{\"type\":\"content_block_stop\",\"index\":%d}", g->reason_n > 0 ? 1 : 0);
        lw_sim_ev_end(g, out);
        lw_sim_ev_begin(g, out, "message_delta");
        lw_sim_printf(out, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"%s\","
                      "\"stop_sequence\":null}", lw_sim_finish(g));
        if (!g->no_usage) {
            if (g->late_input)
                lw_sim_printf(out, ",\"usage\":{\"input_tokens\":%ld,\"output_tokens\":%d}",
                              g->input_tokens, g->sent + g->reasoned);
            else
                lw_sim_printf(out, ",\"usage\":{\"output_tokens\":%d}", g->sent + g->reasoned);
        }
        lw_sim_puts(out, "}");
        lw_sim_ev_end(g, out);
        lw_sim_ev_begin(g, out, "message_stop");
        lw_sim_puts(out, "{\"type\":\"message_stop\"}");
        lw_sim_ev_end(g, out);
        break;
    default:
        /* only reached without any token: one empty, final response */
        google_event(g, "", 0, 1, out);
    }
}

void
lw_sim_proto_overloaded_event(const lw_sim_gen *g, lw_buf *out)
{
    lw_sim_ev_begin(g, out, "error");
    lw_sim_puts(out, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    lw_sim_ev_end(g, out);
}

void
lw_sim_proto_full(const lw_sim_gen *g, const char *text, size_t n, lw_buf *out)
{
    switch (g->proto) {
    case LW_SIM_PROTO_OPENAI:
        lw_sim_printf(out, "{\"id\":\"%s\",\"object\":\"chat.completion\",\"created\":%lld,\"model\":",
                      g->id, (long long) g->created);
        lw_sim_json_cstr(out, g->model);
        lw_sim_puts(out, ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
        lw_sim_json_str(out, text, n);
        lw_sim_printf(out, ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"%s\"}]",
                      g->finish_length ? "length" : "stop");
        if (!g->no_usage) {
            lw_sim_puts(out, ",\"usage\":");
            usage_openai(g, out);
        }
        lw_sim_puts(out, ",\"system_fingerprint\":\"fp_llmwatch_sim\"}");
        break;
    case LW_SIM_PROTO_ANTHROPIC:
        lw_sim_printf(out, "{\"id\":\"%s\",\"type\":\"message\",\"role\":\"assistant\",\"model\":", g->id);
        lw_sim_json_cstr(out, g->model);
        lw_sim_puts(out, ",\"content\":[{\"type\":\"text\",\"text\":");
        lw_sim_json_str(out, text, n);
        lw_sim_printf(out, "}],\"stop_reason\":\"%s\",\"stop_sequence\":null",
                      g->finish_length ? "max_tokens" : "end_turn");
        if (!g->no_usage)
            lw_sim_printf(out, ",\"usage\":{\"input_tokens\":%ld,\"output_tokens\":%d}",
                          g->input_tokens, g->sent);
        lw_sim_puts(out, "}");
        break;
    default:
        lw_sim_puts(out, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":");
        lw_sim_json_str(out, text, n);
        lw_sim_printf(out, "}],\"role\":\"model\"},\"finishReason\":\"%s\",\"index\":0}]",
                      g->finish_length ? "MAX_TOKENS" : "STOP");
        if (!g->no_usage) {
            lw_sim_puts(out, ",");
            usage_google(g, out);
        }
        lw_sim_puts(out, ",\"modelVersion\":");
        lw_sim_json_cstr(out, g->model);
        lw_sim_printf(out, ",\"responseId\":\"%s\"}", g->id);
    }
}
