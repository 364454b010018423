/* answer.c: the answers beyond text, as each provider streams them:
 * reasoning before the answer (OpenAI-compatible reasoning_content,
 * Anthropic thinking blocks with their signature, Gemini thought parts),
 * tool calls (OpenAI tool_calls fragments, Anthropic tool_use with
 * input_json_delta, Gemini functionCall), refusals (OpenAI delta.refusal,
 * Anthropic stop_reason refusal, Gemini finishReason SAFETY), the finish
 * reason each reply ends with, and the model version a reply names. */
#include "sim.h"

#include <math.h>
#include <string.h>

/* Gemini: one response with a part of its own (text with thought: true,
 * or a functionCall). */
static void
google_part(const lw_sim_gen *g, const char *part, const char *s, size_t n, lw_buf *out)
{
    lw_sim_ev_begin(g, out, NULL);
    lw_sim_puts(out, "{\"candidates\":[{\"content\":{\"parts\":[");
    if (strcmp(part, "thought") == 0) {
        lw_sim_puts(out, "{\"text\":");
        lw_sim_json_str(out, s, n);
        lw_sim_puts(out, ",\"thought\":true}");
    } else {
        lw_sim_puts(out, "{\"functionCall\":{\"name\":");
        lw_sim_json_cstr(out, g->tool_name);
        lw_sim_puts(out, ",\"args\":");
        lw_sim_put(out, s, n);
        lw_sim_puts(out, "}}");
    }
    lw_sim_puts(out, "],\"role\":\"model\"},\"index\":0}]");
    lw_sim_google_end(g, out);
}

void
lw_sim_proto_reasoning(const lw_sim_gen *g, const char *s, size_t n, lw_buf *out)
{
    switch (g->proto) {
    case LW_SIM_PROTO_OPENAI:
        lw_sim_oai_delta(g, "\"content\":null,\"reasoning_content\":", s, n, out);
        break;
    case LW_SIM_PROTO_ANTHROPIC:
        lw_sim_anthropic_delta(g, 0, "thinking_delta", "thinking", s, n, out);
        break;
    default:
        google_part(g, "thought", s, n, out);
    }
}

void
lw_sim_proto_answer_start(const lw_sim_gen *g, lw_buf *out)
{
    if (g->proto != LW_SIM_PROTO_ANTHROPIC || g->reason_n == 0)
        return;
    /* the thinking block is signed and closed, the answer's block opens */
    lw_sim_ev_begin(g, out, "content_block_delta");
    lw_sim_printf(out, "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                  "{\"type\":\"signature_delta\",\"signature\":\"c2ltLXNpZ25hdHVyZS0lMDE2bGx4\"}}");
    lw_sim_ev_end(g, out);
    lw_sim_ev_begin(g, out, "content_block_stop");
    lw_sim_puts(out, "{\"type\":\"content_block_stop\",\"index\":0}");
    lw_sim_ev_end(g, out);
    if (g->kind == LW_SIM_OUT_TOOL_CALL)
        return;                         /* the tool_use block opens with its first piece */
    lw_sim_ev_begin(g, out, "content_block_start");
    lw_sim_puts(out, "{\"type\":\"content_block_start\",\"index\":1,"
                "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    lw_sim_ev_end(g, out);
}

void
lw_sim_proto_tool(const lw_sim_gen *g, const char *s, size_t n, int first, lw_buf *out)
{
    int index = g->reason_n > 0 ? 1 : 0;

    switch (g->proto) {
    case LW_SIM_PROTO_OPENAI:
        lw_sim_oai_begin(g, out);
        lw_sim_puts(out, "{\"index\":0,\"delta\":{");
        if (first)
            lw_sim_puts(out, "\"role\":\"assistant\",\"content\":null,");
        lw_sim_puts(out, "\"tool_calls\":[{\"index\":0,");
        if (first) {
            lw_sim_printf(out, "\"id\":\"%s\",\"type\":\"function\",\"function\":{\"name\":",
                          g->tool_id);
            lw_sim_json_cstr(out, g->tool_name);
            lw_sim_puts(out, ",\"arguments\":");
        } else {
            lw_sim_puts(out, "\"function\":{\"arguments\":");
        }
        lw_sim_json_str(out, s, n);
        lw_sim_puts(out, "}}]},\"logprobs\":null,\"finish_reason\":null}");
        lw_sim_oai_end(g, out);
        break;
    case LW_SIM_PROTO_ANTHROPIC:
        if (first) {
            lw_sim_ev_begin(g, out, "content_block_start");
            lw_sim_printf(out, "{\"type\":\"content_block_start\",\"index\":%d,\"content_block\":"
                          "{\"type\":\"tool_use\",\"id\":\"%s\",\"name\":", index, g->tool_id);
            lw_sim_json_cstr(out, g->tool_name);
            lw_sim_puts(out, ",\"input\":{}}}");
            lw_sim_ev_end(g, out);
        }
        lw_sim_anthropic_delta(g, index, "input_json_delta", "partial_json", s, n, out);
        break;
    default:
        /* Gemini sends a call whole: s is all of the arguments */
        google_part(g, "call", s, n, out);
    }
}

void
lw_sim_proto_refusal(const lw_sim_gen *g, const char *s, size_t n, lw_buf *out)
{
    /* only OpenAI streams the refusal's words; the others say it in the
     * stop reason (lw_sim_proto_finish) */
    if (g->proto == LW_SIM_PROTO_OPENAI)
        lw_sim_oai_delta(g, "\"refusal\":", s, n, out);
}

const char *
lw_sim_finish(const lw_sim_gen *g)
{
    /* by protocol (OpenAI, Anthropic, Gemini), then text, a max-tokens
     * cut, a tool call, a refusal (OpenAI says it in the delta) */
    static const char *const names[3][4] = {
        { "stop", "length", "tool_calls", "stop" },
        { "end_turn", "max_tokens", "tool_use", "refusal" },
        { "STOP", "MAX_TOKENS", "STOP", "SAFETY" },
    };
    int k = g->kind == LW_SIM_OUT_TOOL_CALL ? 2 : g->kind == LW_SIM_OUT_REFUSAL ? 3
            : g->finish_length ? 1 : 0;

    return names[g->proto == LW_SIM_PROTO_ANTHROPIC ? 1 : g->proto == LW_SIM_PROTO_GOOGLE ? 2 : 0][k];
}

const char *
lw_sim_version(const lw_sim_scenario *sc, double minutes_since_start)
{
    double k;

    if (sc->n_versions == 0)
        return NULL;
    if (sc->version_minutes <= 0 || minutes_since_start < 0)
        return sc->versions[0];
    k = floor(minutes_since_start / sc->version_minutes);
    return sc->versions[(size_t) fmod(k, (double) sc->n_versions)];
}
