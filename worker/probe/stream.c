/* stream.c: the state of one streamed reply as the providers' parsers
 * fill it: SSE framing, the output as it arrives (answer text, refusal,
 * reasoning, tool calls) with its times, usage, the model version, and
 * how the stream ended. */
#include "probe/probe.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

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
    st->reasoning_tokens = -1;
    lw_sse_init(&st->sse, stream_event, st);
    /* the SDKs accept a last event the connection closed right after */
    st->sse.eof_lines = 1;
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

lw_stream_end
lw_stream_ending(const lw_stream *st)
{
    if (st->done)
        return st->done_at_eof ? LW_END_NO_TERMINATOR : LW_END_CLEAN;
    /* some OpenAI-compatible servers never send [DONE]: a finish reason
     * says the answer is complete all the same */
    if (st->finish[0] != '\0' && (st->prov == &lw_provider_openai ||
                                  st->prov == &lw_provider_openai_compatible))
        return LW_END_NO_DONE;
    return LW_END_TRUNCATED;
}

void
lw_stream_free(lw_stream *st)
{
    size_t i;

    lw_sse_free(&st->sse);
    lw_buf_free(&st->text);
    lw_buf_free(&st->refusal);
    lw_buf_free(&st->reasoning);
    for (i = 0; i < LW_STREAM_MAX_TOOLS; i++)
        lw_buf_free(&st->tools[i].args);
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

struct json_object *
lw_stream_json(lw_stream *st, const char *data, size_t len, const char *event)
{
    struct json_object *o = lw_provider_json_parse(data, len);

    if (o != NULL && json_object_is_type(o, json_type_object))
        return o;
    if (o != NULL)
        json_object_put(o);
    /* the body's last line, cut in its middle: a truncated stream, which
     * the missing end says; not a malformed event */
    if (st->sse.at_eof && st->sse.partial_eof)
        return NULL;
    if (event != NULL)
        lw_stream_protocol_error(st, "malformed JSON in stream (event %s)",
                                 event[0] ? event : "none");
    else
        lw_stream_protocol_error(st, "malformed JSON in stream");
    return NULL;
}

void
lw_stream_done(lw_stream *st)
{
    st->done = 1;
    st->done_at_eof = st->sse.at_eof;
}

/* ---- output -------------------------------------------------------------- */

/* Stamps the output times: reads are the unit (several events in one read
 * arrived together), so the gap is between reads. */
static void
output_at(lw_stream *st, int answer)
{
    int64_t gap;

    if (st->n_output == 0) {
        st->t_first_output_us = st->now_us;
    } else {
        gap = st->now_us - st->t_last_output_us;
        if (gap > st->max_gap_us)
            st->max_gap_us = gap;
    }
    st->t_last_output_us = st->now_us;
    st->n_output++;
    if (!answer)
        return;
    if (st->n_answer == 0)
        st->t_first_us = st->now_us;
    st->t_last_answer_us = st->now_us;
    st->n_answer++;
}

/* A piece of output kept in b (answer: it is part of the answer). */
static int
add_output(lw_stream *st, lw_buf *b, const char *s, size_t len, int answer)
{
    if (len == 0)
        return LW_OK;
    output_at(st, answer);
    return lw_buf_append(b, s, len);
}

int
lw_stream_add_text(lw_stream *st, const char *s, size_t len)
{
    st->n_deltas += len > 0;
    return add_output(st, &st->text, s, len, 1);
}

int
lw_stream_add_refusal(lw_stream *st, const char *s, size_t len)
{
    return add_output(st, &st->refusal, s, len, 1);
}

int
lw_stream_add_reasoning(lw_stream *st, const char *s, size_t len)
{
    return add_output(st, &st->reasoning, s, len, 0);
}

int
lw_stream_add_tool(lw_stream *st, size_t slot, const char *name, const char *args,
                   size_t args_len)
{
    lw_stream_tool *t;

    if (slot >= LW_STREAM_MAX_TOOLS)
        return LW_OK;
    t = &st->tools[slot];
    if (slot >= st->n_tools)
        st->n_tools = slot + 1;
    if (name != NULL && name[0] != '\0' && t->name[0] == '\0')
        lw_strlcpy(t->name, name, sizeof(t->name));
    if ((name == NULL || name[0] == '\0') && (args == NULL || args_len == 0))
        return LW_OK;
    output_at(st, 1);
    return args != NULL && args_len > 0 ? lw_buf_append(&t->args, args, args_len) : LW_OK;
}

void
lw_stream_reasoning_tokens(lw_stream *st, int64_t n)
{
    if (n >= 0)
        st->reasoning_tokens = n;
}

void
lw_stream_version(lw_stream *st, const char *model, const char *fingerprint)
{
    if (model != NULL && model[0] != '\0')
        lw_strlcpy(st->model_version, model, sizeof(st->model_version));
    if (fingerprint != NULL && fingerprint[0] != '\0')
        lw_strlcpy(st->system_fingerprint, fingerprint, sizeof(st->system_fingerprint));
}
