/* check_providers.c: SSE framing, the three providers' stream parsers
 * (recorded streams whole and split at every byte, garbage), request
 * building. Result classification and measures are check_measures.c, the
 * engine check_engine.c. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "money.h"
#include "probe/probe.h"
#include "streams.h"

/* ---- helpers ------------------------------------------------------------ */

/* A recorded stream of tests/fixtures/streams ($LW_FIXTURES); caller
 * frees. Also check_engine.c's. */
char *
providers_fixture(const char *name, size_t *len)
{
    const char *dir = getenv("LW_FIXTURES");
    char path[512];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures/streams", name);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t) n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fread(buf, 1, (size_t) n, f), (size_t) n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t) n;
    return buf;
}

void
stream_summarize(const lw_stream *st, struct stream_summary *s)
{
    size_t i;

    memset(s, 0, sizeof(*s));
    lw_strlcpy(s->text, st->text.data ? st->text.data : "", sizeof(s->text));
    lw_strlcpy(s->refusal, st->refusal.data ? st->refusal.data : "", sizeof(s->refusal));
    s->reasoning_len = st->reasoning.len;
    s->n_tools = st->n_tools;
    for (i = 0; i < st->n_tools && i < LW_ARRAY_LEN(s->tool_name); i++) {
        lw_strlcpy(s->tool_name[i], st->tools[i].name, sizeof(s->tool_name[i]));
        lw_strlcpy(s->tool_args[i], st->tools[i].args.data ? st->tools[i].args.data : "",
                   sizeof(s->tool_args[i]));
    }
    s->in = st->in_tokens;
    s->out = st->out_tokens;
    s->reasoning_tokens = st->reasoning_tokens;
    s->usage_seen = st->usage_seen;
    s->done = st->done;
    s->done_at_eof = st->done_at_eof;
    s->ending = lw_stream_ending(st);
    s->perr = st->perr;
    lw_strlcpy(s->finish, st->finish, sizeof(s->finish));
    lw_strlcpy(s->block_reason, st->block_reason, sizeof(s->block_reason));
    lw_strlcpy(s->model_version, st->model_version, sizeof(s->model_version));
    lw_strlcpy(s->fingerprint, st->system_fingerprint, sizeof(s->fingerprint));
    lw_strlcpy(s->perr_msg, st->perr_msg, sizeof(s->perr_msg));
    s->n_deltas = st->n_deltas;
    s->n_answer = st->n_answer;
    s->n_output = st->n_output;
}

static void
same_summary(const struct stream_summary *a, const struct stream_summary *b, const char *what,
             size_t at)
{
    size_t i;

    ck_assert_msg(strcmp(a->text, b->text) == 0, "%s split %zu: text '%s' vs '%s'", what, at,
                  a->text, b->text);
    ck_assert_msg(strcmp(a->refusal, b->refusal) == 0, "%s split %zu: refusal", what, at);
    ck_assert_msg(a->reasoning_len == b->reasoning_len, "%s split %zu: reasoning", what, at);
    ck_assert_msg(a->n_tools == b->n_tools, "%s split %zu: tool calls", what, at);
    for (i = 0; i < a->n_tools && i < LW_ARRAY_LEN(a->tool_name); i++)
        ck_assert_msg(strcmp(a->tool_name[i], b->tool_name[i]) == 0 &&
                      strcmp(a->tool_args[i], b->tool_args[i]) == 0,
                      "%s split %zu: tool call %zu", what, at, i);
    ck_assert_msg(a->in == b->in && a->out == b->out && a->reasoning_tokens == b->reasoning_tokens,
                  "%s split %zu: tokens", what, at);
    ck_assert_msg(a->usage_seen == b->usage_seen && a->done == b->done && a->perr == b->perr &&
                  a->done_at_eof == b->done_at_eof && a->ending == b->ending,
                  "%s split %zu: flags", what, at);
    ck_assert_msg(strcmp(a->finish, b->finish) == 0, "%s split %zu: finish", what, at);
    ck_assert_msg(strcmp(a->block_reason, b->block_reason) == 0, "%s split %zu: block", what, at);
    ck_assert_msg(strcmp(a->model_version, b->model_version) == 0 &&
                  strcmp(a->fingerprint, b->fingerprint) == 0, "%s split %zu: version", what, at);
    ck_assert_msg(strcmp(a->perr_msg, b->perr_msg) == 0, "%s split %zu: error msg", what, at);
    ck_assert_msg(a->n_deltas == b->n_deltas && a->n_answer == b->n_answer &&
                  a->n_output == b->n_output, "%s split %zu: deltas", what, at);
}

size_t
stream_feed_events(lw_stream *st, const char *buf, size_t len, int64_t t0, int64_t step)
{
    size_t from = 0, k = 0, end, i;

    while (from < len) {
        end = len;
        for (i = from; i + 1 < len; i++) {
            if (buf[i] == '\n' && buf[i + 1] == '\n') {
                end = i + 2;
                break;
            }
            if (i + 3 < len && memcmp(buf + i, "\r\n\r\n", 4) == 0) {
                end = i + 4;
                break;
            }
        }
        ck_assert_int_eq(lw_stream_feed(st, buf + from, end - from, t0 + (int64_t) k * step),
                         LW_OK);
        k++;
        from = end;
    }
    return k;
}

/* Parses buf cut at the given offsets; chunk k is fed with now = k. */
static void
parse_cuts(const lw_provider_ops *p, const char *buf, size_t len, const size_t *cuts, size_t ncuts,
           struct stream_summary *out, int64_t *t_first)
{
    lw_stream st;
    size_t k, from = 0, to;

    lw_stream_init(&st, p);
    for (k = 0; k <= ncuts; k++) {
        to = k < ncuts ? cuts[k] : len;
        ck_assert_int_eq(lw_stream_feed(&st, buf + from, to - from, (int64_t) k), LW_OK);
        from = to;
    }
    ck_assert_int_eq(lw_stream_finish(&st), LW_OK);
    stream_summarize(&st, out);
    if (t_first)
        *t_first = st.n_deltas ? st.t_first_us : -1;
    lw_stream_free(&st);
}

static void
parse_whole(const lw_provider_ops *p, const char *buf, size_t len, struct stream_summary *out)
{
    parse_cuts(p, buf, len, NULL, 0, out, NULL);
}

/* Whole, every two-piece split, byte by byte, and random 3..8 piece splits
 * must all give the same summary. Also check_streams.c's. */
void
check_all_splits_buf(const lw_provider_ops *p, const char *name, const char *buf, size_t len,
                     struct stream_summary *whole)
{
    struct stream_summary s;
    size_t k, cuts[8], *bytes, i, n;
    unsigned seed = 12345;

    parse_whole(p, buf, len, whole);
    for (k = 0; k <= len; k++) {
        parse_cuts(p, buf, len, &k, 1, &s, NULL);
        same_summary(whole, &s, name, k);
    }
    bytes = malloc(len * sizeof(size_t) + 1);
    for (k = 0; k < len; k++)
        bytes[k] = k;
    parse_cuts(p, buf, len, bytes, len, &s, NULL);
    same_summary(whole, &s, name, (size_t) -1);
    free(bytes);
    for (i = 0; i < 200; i++) {
        n = 2 + (size_t) rand_r(&seed) % 7;
        for (k = 0; k < n; k++)
            cuts[k] = (size_t) rand_r(&seed) % (len + 1);
        /* offsets must be increasing */
        for (k = 1; k < n; k++)
            if (cuts[k] < cuts[k - 1])
                cuts[k] = cuts[k - 1];
        parse_cuts(p, buf, len, cuts, n, &s, NULL);
        same_summary(whole, &s, name, cuts[0]);
    }
}

void
check_all_splits(const lw_provider_ops *p, const char *name, struct stream_summary *whole)
{
    size_t len;
    char *buf = providers_fixture(name, &len);

    check_all_splits_buf(p, name, buf, len, whole);
    free(buf);
}

/* ---- SSE framing -------------------------------------------------------- */

struct ev_log {
    lw_buf out;
};

static int
log_event(void *ud, const char *event, const char *data, size_t len)
{
    struct ev_log *l = ud;

    lw_buf_printf(&l->out, "[%s|", event);
    lw_buf_append(&l->out, data, len);
    lw_buf_puts(&l->out, "]");
    return 0;
}

static void
sse_run(const char *in, size_t cut, char *out, size_t outsz)
{
    struct ev_log l = { { 0 } };
    size_t len = strlen(in);
    lw_sse s;

    if (cut > len)
        cut = len;
    lw_sse_init(&s, log_event, &l);
    ck_assert_int_eq(lw_sse_feed(&s, in, cut), 0);
    ck_assert_int_eq(lw_sse_feed(&s, in + cut, len - cut), 0);
    ck_assert_int_eq(lw_sse_finish(&s), 0);
    lw_strlcpy(out, l.out.data ? l.out.data : "", outsz);
    lw_buf_free(&l.out);
    lw_sse_free(&s);
}

START_TEST(test_sse_framing)
{
    static const struct { const char *in, *want; } cases[] = {
        { "data: a\n\n", "[|a]" },
        { "data: a\r\n\r\n", "[|a]" },
        { "data: a\r\rdata: b\r\r", "[|a][|b]" },
        { "data:a\n\n", "[|a]" },
        { "data:  two spaces\n\n", "[| two spaces]" },
        { "data: l1\ndata: l2\n\n", "[|l1\nl2]" },
        { ": comment\ndata: x\n\n", "[|x]" },
        { "event: ping\ndata: {}\n\n", "[ping|{}]" },
        { "event: a\n\nevent: b\ndata: y\n\n", "[b|y]" },  /* no data: no event */
        { "id: 7\nretry: 10\ndata: z\n\n", "[|z]" },
        { "data\n\n", "[|]" },
        { "data:\n\n", "[|]" },
        { "\n\n\ndata: q\n\n", "[|q]" },
        { "\xEF\xBB\xBF" "data: bom\n\n", "[|bom]" },
        { "data: end-without-blank-line\n", "[|end-without-blank-line]" },
        { "data: complete\n\ndata: partial-no-newline", "[|complete]" },
        { "DATA: upper\n\n", "" },
        { "event: e\r\ndata: 1\r\n\r\nevent: f\ndata: 2\n\n", "[e|1][f|2]" },
    };
    char got[256], first[256];
    size_t i, k;

    for (i = 0; i < LW_ARRAY_LEN(cases); i++) {
        sse_run(cases[i].in, (size_t) -1, first, sizeof(first));
        ck_assert_msg(strcmp(first, cases[i].want) == 0, "case %zu: got '%s' want '%s'", i,
                      first, cases[i].want);
        for (k = 0; k <= strlen(cases[i].in); k++) {
            sse_run(cases[i].in, k, got, sizeof(got));
            ck_assert_msg(strcmp(got, first) == 0, "case %zu split %zu: '%s'", i, k, got);
        }
    }
}
END_TEST

START_TEST(test_sse_partial_eof_and_stop)
{
    struct ev_log l = { { 0 } };
    lw_sse s;

    lw_sse_init(&s, log_event, &l);
    ck_assert_int_eq(lw_sse_feed(&s, "data: x\n\ndata: {\"cut", 19), 0);
    ck_assert_int_eq(lw_sse_finish(&s), 0);
    ck_assert_int_eq(s.partial_eof, 1);
    ck_assert_str_eq(l.out.data, "[|x]");
    ck_assert_uint_eq(s.n_events, 1);
    lw_sse_free(&s);
    lw_buf_free(&l.out);
}
END_TEST

START_TEST(test_sse_line_cap)
{
    size_t n = LW_SSE_MAX_LINE + 10;
    char *big = malloc(n);
    lw_stream st;

    memset(big, 'a', n);
    memcpy(big, "data: ", 6);
    lw_stream_init(&st, &lw_provider_openai);
    ck_assert_int_eq(lw_stream_feed(&st, big, n, 1), LW_OK);
    ck_assert_int_eq(st.perr, 1);
    ck_assert_ptr_nonnull(strstr(st.perr_msg, "line over"));
    ck_assert_uint_le(st.sse.line.len, LW_SSE_MAX_LINE);
    lw_stream_free(&st);
    free(big);
}
END_TEST

static int
stop_cb(void *ud, const char *event, const char *data, size_t len)
{
    (void) ud;
    (void) event;
    (void) data;
    (void) len;
    return 42;
}

START_TEST(test_sse_callback_stops)
{
    lw_sse s;

    lw_sse_init(&s, stop_cb, NULL);
    ck_assert_int_eq(lw_sse_feed(&s, "data: a\n\ndata: b\n\n", 18), 42);
    ck_assert_uint_eq(s.n_events, 1);
    lw_sse_free(&s);
}
END_TEST

/* ---- provider parsers on recorded streams ------------------------------- */

START_TEST(test_openai_full)
{
    struct stream_summary s;

    check_all_splits(&lw_provider_openai, "openai_full.sse", &s);
    ck_assert_str_eq(s.text, "The capital of France is Paris.");
    ck_assert_int_eq(s.in, 14);
    ck_assert_int_eq(s.out, 8);
    ck_assert_int_eq(s.usage_seen, 1);
    ck_assert_int_eq(s.done, 1);
    ck_assert_int_eq(s.perr, 0);
    ck_assert_str_eq(s.finish, "stop");
    ck_assert_uint_eq(s.n_deltas, 7);     /* the role chunk's "" is not a delta */
}
END_TEST

START_TEST(test_openai_no_usage)
{
    struct stream_summary s;

    check_all_splits(&lw_provider_openai, "openai_no_usage.sse", &s);
    ck_assert_str_eq(s.text, "The capital of France is Paris.");
    ck_assert_int_eq(s.usage_seen, 0);
    ck_assert_int_eq(s.out, -1);
    ck_assert_int_eq(s.done, 1);
    ck_assert_int_eq(s.perr, 0);
}
END_TEST

START_TEST(test_openai_cut)
{
    struct stream_summary s;

    check_all_splits(&lw_provider_openai, "openai_cut.sse", &s);
    ck_assert_str_eq(s.text, "The capital of France");
    ck_assert_int_eq(s.done, 0);
    ck_assert_int_eq(s.usage_seen, 0);
    ck_assert_int_eq(s.perr, 0);          /* the half chunk is dropped, not parsed */
    ck_assert_str_eq(s.finish, "");
}
END_TEST

START_TEST(test_openai_malformed)
{
    struct stream_summary s;

    check_all_splits(&lw_provider_openai, "openai_malformed.sse", &s);
    ck_assert_int_eq(s.perr, 1);
    ck_assert_str_eq(s.perr_msg, "malformed JSON in stream");
    /* the chunks around the broken one still count */
    ck_assert_str_eq(s.text, "The capital of is Paris.");
    ck_assert_int_eq(s.done, 1);
}
END_TEST

START_TEST(test_openai_sse_edge)
{
    struct stream_summary s;

    check_all_splits(&lw_provider_openai, "openai_sse_edge.sse", &s);
    ck_assert_str_eq(s.text, "4");
    ck_assert_int_eq(s.in, 9);
    ck_assert_int_eq(s.out, 1);
    ck_assert_str_eq(s.finish, "stop");
    ck_assert_int_eq(s.done, 1);
    ck_assert_int_eq(s.perr, 0);
}
END_TEST

START_TEST(test_anthropic_full)
{
    struct stream_summary s;

    check_all_splits(&lw_provider_anthropic, "anthropic_full.sse", &s);
    ck_assert_str_eq(s.text, "The capital of France is Paris.");
    ck_assert_int_eq(s.in, 21);
    ck_assert_int_eq(s.out, 9);
    ck_assert_int_eq(s.usage_seen, 1);
    ck_assert_int_eq(s.done, 1);
    ck_assert_int_eq(s.perr, 0);
    ck_assert_str_eq(s.finish, "end_turn");
    ck_assert_uint_eq(s.n_deltas, 3);
}
END_TEST

START_TEST(test_anthropic_gateway_quirk)
{
    struct stream_summary s;

    check_all_splits(&lw_provider_anthropic, "anthropic_gateway.sse", &s);
    ck_assert_int_eq(s.in, 21);           /* not the 0 of message_start */
    ck_assert_int_eq(s.out, 9);
    ck_assert_int_eq(s.done, 1);
}
END_TEST

START_TEST(test_anthropic_error_event)
{
    struct stream_summary s;

    check_all_splits(&lw_provider_anthropic, "anthropic_error.sse", &s);
    ck_assert_int_eq(s.perr, 1);
    ck_assert_str_eq(s.perr_msg, "overloaded_error: Overloaded");
    ck_assert_str_eq(s.text, "The capital");
    ck_assert_int_eq(s.done, 0);
    ck_assert_int_eq(s.usage_seen, 0);
}
END_TEST

START_TEST(test_gemini_full)
{
    struct stream_summary s;

    check_all_splits(&lw_provider_google, "gemini_full.sse", &s);
    ck_assert_str_eq(s.text, "The capital of France is Paris.");
    ck_assert_int_eq(s.in, 12);
    ck_assert_int_eq(s.out, 13);          /* candidates 8 + thoughts 5, both billed */
    ck_assert_int_eq(s.usage_seen, 1);
    ck_assert_int_eq(s.done, 1);
    ck_assert_str_eq(s.finish, "STOP");
    ck_assert_uint_eq(s.n_deltas, 4);
}
END_TEST

START_TEST(test_gemini_cut_and_error)
{
    const char *cut = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}]}\r\n\r\n"
                      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}]}}]}\r\n\r\n";
    const char *err = "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\","
                      "\"status\":\"UNAVAILABLE\"}}\r\n\r\n";
    const char *thought = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hmm\",\"thought\":true},"
                          "{\"text\":\"Yes\"}]},\"finishReason\":\"STOP\"}]}\n\n";
    struct stream_summary s;

    parse_whole(&lw_provider_google, cut, strlen(cut), &s);
    ck_assert_str_eq(s.text, "Hello");
    ck_assert_int_eq(s.done, 0);
    parse_whole(&lw_provider_google, err, strlen(err), &s);
    ck_assert_int_eq(s.perr, 1);
    ck_assert_str_eq(s.perr_msg, "error in stream: The model is overloaded.");
    parse_whole(&lw_provider_google, thought, strlen(thought), &s);
    ck_assert_str_eq(s.text, "Yes");
    ck_assert_int_eq(s.done, 1);
}
END_TEST

/* The first-token time is the `now` of the read that completed the first
 * event with non-empty content: not the role chunk, not message_start. */
static void
check_first_token(const lw_provider_ops *p, const char *name, const char *first_content)
{
    size_t len, k, *cuts, end;
    char *buf = providers_fixture(name, &len);
    const char *at = strstr(buf, first_content);
    struct stream_summary s;
    int64_t t_first;

    ck_assert_ptr_nonnull(at);
    /* the blank line that closes that event */
    end = (size_t) (strstr(at, "\n\n") != NULL && (strstr(at, "\r\n\r\n") == NULL ||
                    strstr(at, "\n\n") < strstr(at, "\r\n\r\n")) ?
                    strstr(at, "\n\n") + 1 - buf : strstr(at, "\r\n\r\n") + 2 - buf);
    cuts = malloc(len * sizeof(size_t));
    for (k = 0; k < len; k++)
        cuts[k] = k + 1;            /* chunk k holds byte k */
    parse_cuts(p, buf, len, cuts, len - 1, &s, &t_first);
    ck_assert_msg(t_first == (int64_t) end, "%s: first token at byte %lld, want %zu", name,
                  (long long) t_first, end);
    free(cuts);
    free(buf);
}

START_TEST(test_first_token_detection)
{
    check_first_token(&lw_provider_openai, "openai_full.sse", "\"content\":\"The\"");
    check_first_token(&lw_provider_anthropic, "anthropic_full.sse", "\"text\":\"The capital\"");
    check_first_token(&lw_provider_google, "gemini_full.sse", "\"text\":\"The\"");
}
END_TEST

/* ---- garbage never crashes ---------------------------------------------- */

START_TEST(test_fuzz_parsers)
{
    static const char *names[] = {
        "openai_full.sse", "openai_cut.sse", "openai_malformed.sse", "openai_sse_edge.sse",
        "anthropic_full.sse", "anthropic_error.sse", "gemini_full.sse"
    };
    const lw_provider_ops *ps[] = { &lw_provider_openai, &lw_provider_anthropic, &lw_provider_google };
    static const char alphabet[] = "data: event:{}[]\",:\r\n\n\n0123456789.truefalsenull\\u00e9"
                                   "\"content\"\"text\"\"choices\"\"delta\"\"usage\"\"type\"";
    unsigned seed = 777;
    size_t it, len, i, k, from, n;
    lw_probe_outcome oc;
    lw_probe_job job;
    lw_stream st;
    char *buf, *m;

    for (it = 0; it < 3000; it++) {
        const lw_provider_ops *p = ps[it % 3];

        if (it % 2 == 0) {
            buf = providers_fixture(names[(it / 2) % LW_ARRAY_LEN(names)], &len);
            /* flip, insert or truncate */
            for (k = 0; k < 1 + it % 5; k++)
                buf[(size_t) rand_r(&seed) % len] = alphabet[(size_t) rand_r(&seed) %
                                                             (sizeof(alphabet) - 1)];
            if (it % 3 == 0)
                len = (size_t) rand_r(&seed) % (len + 1);
        } else {
            len = (size_t) rand_r(&seed) % 2000;
            buf = malloc(len + 1);
            for (i = 0; i < len; i++)
                buf[i] = it % 4 == 1 ? (char) rand_r(&seed)
                                     : alphabet[(size_t) rand_r(&seed) % (sizeof(alphabet) - 1)];
        }
        lw_stream_init(&st, p);
        for (from = 0; from < len; from += n) {
            n = 1 + (size_t) rand_r(&seed) % 64;
            if (n > len - from)
                n = len - from;
            ck_assert_int_eq(lw_stream_feed(&st, buf + from, n, (int64_t) from), LW_OK);
        }
        lw_stream_finish(&st);
        memset(&job, 0, sizeof(job));
        job.prompt = "p";
        job.api_key = "sk-fuzz";
        memset(&oc, 0, sizeof(oc));
        oc.http_status = 200;
        oc.body_bytes = len;
        oc.t_sent_us = 0;
        oc.t_end_us = 1000;
        ck_assert_int_eq(lw_probe_finalize(&job, &oc, &st, 64), LW_OK);
        /* an ok result always has an answer (a blocked prompt's is its reason) */
        ck_assert(job.result.ok == 0 || job.result.text_len > 0 || job.result.answer != NULL ||
                  job.result.outcome == LW_ANSWER_REFUSAL || job.result.outcome == LW_ANSWER_BLOCKED);
        ck_assert(job.result.output_tokens >= 0);
        lw_probe_result_free(&job.result);
        lw_stream_free(&st);
        free(buf);
    }
    /* an error body of garbage */
    m = malloc(5000);
    for (i = 0; i < 5000; i++)
        m[i] = (char) rand_r(&seed);
    memset(&job, 0, sizeof(job));
    memset(&oc, 0, sizeof(oc));
    oc.http_status = 500;
    oc.err_body = m;
    oc.err_body_len = 5000;
    ck_assert_int_eq(lw_probe_finalize(&job, &oc, NULL, 64), LW_OK);
    ck_assert_int_eq(job.result.err_class, LW_PERR_HTTP_5XX);
    ck_assert(strlen(job.result.error_msg) < LW_PROBE_MSG_MAX);
    lw_probe_result_free(&job.result);
    free(m);
}
END_TEST

/* ---- request building ----------------------------------------------------- */

static const char *
header(const lw_http_req *r, const char *name)
{
    size_t i, n = strlen(name);

    for (i = 0; i < r->n_headers; i++)
        if (strncasecmp(r->headers[i], name, n) == 0 && r->headers[i][n] == ':')
            return r->headers[i] + n + 2;
    return NULL;
}

START_TEST(test_build_requests)
{
    lw_probe_req rq = { NULL, "gpt-4o-mini", "sk-test-123", "Say \"hi\"/now", 16, "p-1", NULL };
    lw_http_req r;
    lw_err err;

    ck_assert_int_eq(lw_provider_build(&lw_provider_openai, &rq, &r, &err), LW_OK);
    ck_assert_str_eq(r.url, "https://api.openai.com/v1/chat/completions");
    ck_assert_str_eq(r.body, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                     "\"content\":\"Say \\\"hi\\\"/now\"}],\"max_tokens\":16,\"stream\":true,"
                     "\"stream_options\":{\"include_usage\":true}}");
    ck_assert_str_eq(header(&r, "Authorization"), "Bearer sk-test-123");
    ck_assert_str_eq(header(&r, "X-Llmwatch-Probe-Id"), "p-1");
    ck_assert_str_eq(header(&r, "Content-Type"), "application/json");
    lw_http_req_free(&r);

    rq.model = "claude-3-5-haiku-20241022";
    rq.base_url = "http://gw.local:8080/";
    ck_assert_int_eq(lw_provider_build(&lw_provider_anthropic, &rq, &r, &err), LW_OK);
    ck_assert_str_eq(r.url, "http://gw.local:8080/v1/messages");
    ck_assert_str_eq(r.body, "{\"model\":\"claude-3-5-haiku-20241022\",\"max_tokens\":16,"
                     "\"messages\":[{\"role\":\"user\",\"content\":\"Say \\\"hi\\\"/now\"}],"
                     "\"stream\":true}");
    ck_assert_str_eq(header(&r, "x-api-key"), "sk-test-123");
    ck_assert_str_eq(header(&r, "anthropic-version"), "2023-06-01");
    ck_assert_ptr_null(header(&r, "Authorization"));
    ck_assert_str_eq(header(&r, "X-Llmwatch-Probe-Id"), "p-1");
    lw_http_req_free(&r);

    rq.model = "models/gemini-2.0-flash";
    rq.base_url = NULL;
    ck_assert_int_eq(lw_provider_build(&lw_provider_google, &rq, &r, &err), LW_OK);
    ck_assert_str_eq(r.url, "https://generativelanguage.googleapis.com/v1beta/models/"
                     "gemini-2.0-flash:streamGenerateContent?alt=sse");
    ck_assert_str_eq(r.body, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":"
                     "\"Say \\\"hi\\\"/now\"}]}],\"generationConfig\":{\"maxOutputTokens\":16}}");
    ck_assert_str_eq(header(&r, "x-goog-api-key"), "sk-test-123");
    ck_assert_ptr_null(strstr(r.url, "sk-test"));
    lw_http_req_free(&r);

    rq.model = "odd/model name";
    rq.base_url = "http://127.0.0.1:9/v1beta";
    ck_assert_int_eq(lw_provider_build(&lw_provider_google, &rq, &r, &err), LW_OK);
    ck_assert_str_eq(r.url, "http://127.0.0.1:9/v1beta/models/odd%2Fmodel%20name"
                     ":streamGenerateContent?alt=sse");
    lw_http_req_free(&r);

    /* openai-compatible: base_url required; a trailing /v1 is not doubled */
    rq.model = "llama3";
    rq.base_url = NULL;
    ck_assert_int_eq(lw_provider_build(&lw_provider_openai_compatible, &rq, &r, &err), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "base_url"));
    rq.base_url = "http://localhost:11434/v1/";
    rq.api_key = NULL;
    ck_assert_int_eq(lw_provider_build(&lw_provider_openai_compatible, &rq, &r, &err), LW_OK);
    ck_assert_str_eq(r.url, "http://localhost:11434/v1/chat/completions");
    ck_assert_ptr_null(header(&r, "Authorization"));
    lw_http_req_free(&r);

    rq.base_url = "ftp://x";
    ck_assert_int_eq(lw_provider_build(&lw_provider_openai_compatible, &rq, &r, &err), LW_EINVAL);
    rq.base_url = "http://x";
    rq.api_key = "sk-bad\r\nX-Evil: 1";
    ck_assert_int_eq(lw_provider_build(&lw_provider_openai, &rq, &r, &err), LW_EINVAL);
    rq.api_key = NULL;
    rq.max_tokens = 0;
    ck_assert_int_eq(lw_provider_build(&lw_provider_openai, &rq, &r, &err), LW_EINVAL);

    ck_assert_ptr_eq(lw_provider_find("openai"), &lw_provider_openai);
    ck_assert_ptr_eq(lw_provider_find("openai-compatible"), &lw_provider_openai_compatible);
    ck_assert_ptr_eq(lw_provider_find("Anthropic"), &lw_provider_anthropic);
    ck_assert_ptr_eq(lw_provider_find("gemini"), &lw_provider_google);
    ck_assert_ptr_null(lw_provider_find("cohere"));
}
END_TEST

Suite *providers_suite(void)
{
    Suite *s = suite_create("providers");
    TCase *tc = tcase_create("parsers");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_sse_framing);
    tcase_add_test(tc, test_sse_partial_eof_and_stop);
    tcase_add_test(tc, test_sse_callback_stops);
    tcase_add_test(tc, test_sse_line_cap);
    tcase_add_test(tc, test_openai_full);
    tcase_add_test(tc, test_openai_no_usage);
    tcase_add_test(tc, test_openai_cut);
    tcase_add_test(tc, test_openai_malformed);
    tcase_add_test(tc, test_openai_sse_edge);
    tcase_add_test(tc, test_anthropic_full);
    tcase_add_test(tc, test_anthropic_gateway_quirk);
    tcase_add_test(tc, test_anthropic_error_event);
    tcase_add_test(tc, test_gemini_full);
    tcase_add_test(tc, test_gemini_cut_and_error);
    tcase_add_test(tc, test_first_token_detection);
    tcase_add_test(tc, test_fuzz_parsers);
    tcase_add_test(tc, test_build_requests);
    suite_add_tcase(s, tc);

    return s;
}
