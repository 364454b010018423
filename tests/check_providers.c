/* check_providers.c: SSE framing, the three providers' stream parsers
 * (recorded streams whole and split at every byte, garbage), request
 * building, result classification and measures, and the probe engine
 * against a small HTTP server running in a thread of the test. */
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

/* ---- helpers ------------------------------------------------------------ */

static char *
fixture(const char *name, size_t *len)
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

/* What a parse produced, comparable with memcmp-free equality. */
struct summary {
    char    text[1024];
    int64_t in, out;
    int     usage_seen, done, perr;
    char    finish[32];
    char    perr_msg[256];
    size_t  n_deltas;
};

static void
summarize(lw_stream *st, struct summary *s)
{
    memset(s, 0, sizeof(*s));
    lw_strlcpy(s->text, st->text.data ? st->text.data : "", sizeof(s->text));
    s->in = st->in_tokens;
    s->out = st->out_tokens;
    s->usage_seen = st->usage_seen;
    s->done = st->done;
    s->perr = st->perr;
    lw_strlcpy(s->finish, st->finish, sizeof(s->finish));
    lw_strlcpy(s->perr_msg, st->perr_msg, sizeof(s->perr_msg));
    s->n_deltas = st->n_deltas;
}

static void
same_summary(const struct summary *a, const struct summary *b, const char *what, size_t at)
{
    ck_assert_msg(strcmp(a->text, b->text) == 0, "%s split %zu: text '%s' vs '%s'", what, at,
                  a->text, b->text);
    ck_assert_msg(a->in == b->in && a->out == b->out, "%s split %zu: tokens", what, at);
    ck_assert_msg(a->usage_seen == b->usage_seen && a->done == b->done && a->perr == b->perr,
                  "%s split %zu: flags", what, at);
    ck_assert_msg(strcmp(a->finish, b->finish) == 0, "%s split %zu: finish", what, at);
    ck_assert_msg(strcmp(a->perr_msg, b->perr_msg) == 0, "%s split %zu: error msg", what, at);
    ck_assert_msg(a->n_deltas == b->n_deltas, "%s split %zu: deltas", what, at);
}

/* Parses buf cut at the given offsets; chunk k is fed with now = k. */
static void
parse_cuts(const lw_provider_ops *p, const char *buf, size_t len, const size_t *cuts, size_t ncuts,
           struct summary *out, int64_t *t_first)
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
    summarize(&st, out);
    if (t_first)
        *t_first = st.n_deltas ? st.t_first_us : -1;
    lw_stream_free(&st);
}

static void
parse_whole(const lw_provider_ops *p, const char *buf, size_t len, struct summary *out)
{
    parse_cuts(p, buf, len, NULL, 0, out, NULL);
}

/* Whole, every two-piece split, byte by byte, and random 3..8 piece splits
 * must all give the same summary. */
static void
check_all_splits(const lw_provider_ops *p, const char *name, struct summary *whole)
{
    struct summary s;
    size_t len, k, cuts[8], *bytes, i, n;
    char *buf = fixture(name, &len);
    unsigned seed = 12345;

    parse_whole(p, buf, len, whole);
    for (k = 0; k <= len; k++) {
        parse_cuts(p, buf, len, &k, 1, &s, NULL);
        same_summary(whole, &s, name, k);
    }
    bytes = malloc(len * sizeof(size_t));
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
    struct summary s;

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
    struct summary s;

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
    struct summary s;

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
    struct summary s;

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
    struct summary s;

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
    struct summary s;

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
    struct summary s;

    check_all_splits(&lw_provider_anthropic, "anthropic_gateway.sse", &s);
    ck_assert_int_eq(s.in, 21);           /* not the 0 of message_start */
    ck_assert_int_eq(s.out, 9);
    ck_assert_int_eq(s.done, 1);
}
END_TEST

START_TEST(test_anthropic_error_event)
{
    struct summary s;

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
    struct summary s;

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
    struct summary s;

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
    char *buf = fixture(name, &len);
    const char *at = strstr(buf, first_content);
    struct summary s;
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
            buf = fixture(names[(it / 2) % LW_ARRAY_LEN(names)], &len);
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
        ck_assert(job.result.ok == 0 || job.result.text_len > 0);
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
    lw_probe_req rq = { NULL, "gpt-4o-mini", "sk-test-123", "Say \"hi\"/now", 16, "p-1" };
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

/* ---- classification and measures ------------------------------------------ */

START_TEST(test_classify_status)
{
    ck_assert_int_eq(lw_probe_classify_status(200), LW_PERR_NONE);
    ck_assert_int_eq(lw_probe_classify_status(401), LW_PERR_AUTH);
    ck_assert_int_eq(lw_probe_classify_status(403), LW_PERR_AUTH);
    ck_assert_int_eq(lw_probe_classify_status(429), LW_PERR_RATE_LIMITED);
    ck_assert_int_eq(lw_probe_classify_status(400), LW_PERR_HTTP_4XX);
    ck_assert_int_eq(lw_probe_classify_status(404), LW_PERR_HTTP_4XX);
    ck_assert_int_eq(lw_probe_classify_status(500), LW_PERR_HTTP_5XX);
    ck_assert_int_eq(lw_probe_classify_status(529), LW_PERR_HTTP_5XX);
    ck_assert_int_eq(lw_probe_classify_status(302), LW_PERR_PROTOCOL);
    ck_assert_str_eq(lw_probe_errclass_name(LW_PERR_RATE_LIMITED), "rate_limited");
    ck_assert_str_eq(lw_probe_errclass_name(LW_PERR_HTTP_4XX), "http_4xx");
    ck_assert_str_eq(lw_probe_errclass_name(LW_PERR_NONE), "ok");
    ck_assert_str_eq(lw_probe_errclass_name(LW_PERR_EMPTY), "empty");
}
END_TEST

/* Runs a fixture through finalize with a given outcome. */
static void
finalize_fixture(const lw_provider_ops *p, const char *name, lw_probe_outcome *oc, lw_probe_job *job,
                 int64_t t_first)
{
    size_t len;
    char *buf = fixture(name, &len);
    lw_stream st;

    lw_stream_init(&st, p);
    ck_assert_int_eq(lw_stream_feed(&st, buf, len, t_first), LW_OK);
    lw_stream_finish(&st);
    oc->body_bytes = len;
    ck_assert_int_eq(lw_probe_finalize(job, oc, &st, 16 * 1024), LW_OK);
    lw_stream_free(&st);
    free(buf);
}

START_TEST(test_finalize_ok_measures)
{
    lw_probe_outcome oc = { 0 };
    lw_probe_job job = { 0 };
    lw_probe_result *r = &job.result;

    job.prompt = "What is the capital of France?";
    job.price_in_micros_per_mtok = 150000;     /* $0.15 / Mtok */
    job.price_out_micros_per_mtok = 600000;    /* $0.60 / Mtok */
    oc.http_status = 200;
    oc.t_sent_us = 1000000;
    oc.t_end_us = 1000000 + 1500000;           /* 1.5 s */
    finalize_fixture(&lw_provider_openai, "openai_full.sse", &oc, &job, 1000000 + 250500);
    ck_assert_int_eq(r->ok, 1);
    ck_assert_int_eq(r->err_class, LW_PERR_NONE);
    ck_assert_str_eq(r->error_msg, "");
    ck_assert_double_eq_tol(r->ttft_ms, 250.5, 1e-9);
    ck_assert_double_eq_tol(r->total_ms, 1500.0, 1e-9);
    ck_assert_int_eq(r->input_tokens, 14);
    ck_assert_int_eq(r->output_tokens, 8);
    ck_assert_int_eq(r->tokens_estimated, 0);
    /* (8-1) tokens over 1.2495 s; 8 over 1.5 s */
    ck_assert_double_eq_tol(r->decode_tps, 7.0 / 1.2495, 1e-9);
    ck_assert_double_eq_tol(r->e2e_tps, 8.0 / 1.5, 1e-9);
    /* 14 x 150000 + 8 x 600000 pico-dollars */
    ck_assert_int_eq(r->cost_pico, 2100000 + 4800000);
    ck_assert_str_eq(r->text, "The capital of France is Paris.");
    ck_assert_str_eq(r->finish_reason, "stop");
    ck_assert_double_eq(r->quality, -1);
    lw_probe_result_free(r);
}
END_TEST

START_TEST(test_finalize_estimated)
{
    lw_probe_outcome oc = { 0 };
    lw_probe_job job = { 0 };
    lw_probe_result *r = &job.result;
    lw_scorer sc = { 0 };
    lw_err err;

    job.prompt = "What is the capital of France?";      /* 30 characters */
    sc.type = LW_SCORER_CONTAINS;
    sc.values = calloc(1, sizeof(char *));
    sc.values[0] = strdup("Paris");
    sc.n_values = 1;
    ck_assert_int_eq(lw_scorer_prepare(&sc, &err), LW_OK);
    job.scorer = &sc;
    oc.http_status = 200;
    oc.t_sent_us = 0;
    oc.t_end_us = 1000000;
    finalize_fixture(&lw_provider_openai, "openai_no_usage.sse", &oc, &job, 200000);
    ck_assert_int_eq(r->ok, 1);
    ck_assert_int_eq(r->tokens_estimated, 1);
    ck_assert_int_eq(r->output_tokens, 8);       /* 31 characters / 4, rounded up */
    ck_assert_int_eq(r->input_tokens, 8);        /* 30 / 4 rounded up */
    ck_assert_double_eq(r->quality, 100);
    lw_probe_result_free(r);

    /* cut stream: protocol, partial text and measures kept, estimated */
    finalize_fixture(&lw_provider_openai, "openai_cut.sse", &oc, &job, 200000);
    ck_assert_int_eq(r->ok, 0);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_ptr_nonnull(strstr(r->error_msg, "truncated"));
    ck_assert_str_eq(r->text, "The capital of France");
    ck_assert_int_eq(r->tokens_estimated, 1);
    ck_assert_int_eq(r->output_tokens, 6);
    ck_assert_double_eq_tol(r->ttft_ms, 200.0, 1e-9);
    ck_assert_double_eq(r->quality, -1);         /* failed requests are not scored */
    lw_probe_result_free(r);

    /* malformed chunk: protocol even though the stream ended */
    finalize_fixture(&lw_provider_openai, "openai_malformed.sse", &oc, &job, 1);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_str_eq(r->error_msg, "malformed JSON in stream");
    lw_probe_result_free(r);

    /* Anthropic error event */
    finalize_fixture(&lw_provider_anthropic, "anthropic_error.sse", &oc, &job, 1);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_str_eq(r->error_msg, "overloaded_error: Overloaded");
    ck_assert_int_eq(r->input_tokens, 21);
    ck_assert_int_eq(r->tokens_estimated, 1);
    lw_probe_result_free(r);

    /* gateway quirk: input from message_delta, not estimated */
    finalize_fixture(&lw_provider_anthropic, "anthropic_gateway.sse", &oc, &job, 1);
    ck_assert_int_eq(r->ok, 1);
    ck_assert_int_eq(r->input_tokens, 21);
    ck_assert_int_eq(r->output_tokens, 9);
    ck_assert_int_eq(r->tokens_estimated, 0);
    lw_probe_result_free(r);

    lw_scorer_free(&sc);
}
END_TEST

static void
finalize_body(const char *body, long status, lw_probe_job *job)
{
    lw_probe_outcome oc = { 0 };
    lw_stream st;

    lw_stream_init(&st, &lw_provider_openai);
    oc.http_status = status;
    oc.t_sent_us = 10;
    oc.t_end_us = 20;
    oc.retry_after_s = -1;
    if (status >= 200 && status < 300) {
        lw_stream_feed(&st, body, strlen(body), 15);
        lw_stream_finish(&st);
        oc.body_bytes = strlen(body);
    } else {
        oc.err_body = body;
        oc.err_body_len = strlen(body);
    }
    ck_assert_int_eq(lw_probe_finalize(job, &oc, status >= 200 && status < 300 ? &st : NULL, 100),
                     LW_OK);
    lw_stream_free(&st);
}

START_TEST(test_finalize_errors)
{
    lw_probe_job job = { 0 };
    lw_probe_result *r = &job.result;
    lw_probe_outcome oc = { 0 };

    job.prompt = "x";
    job.api_key = "sk-test-0123456789abcdef";

    /* a 200 with a role chunk and [DONE] only */
    finalize_body("data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                  "\"finish_reason\":null}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{},"
                  "\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n", 200, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_EMPTY);
    ck_assert_ptr_nonnull(strstr(r->error_msg, "length"));
    ck_assert_double_eq(r->ttft_ms, -1);
    ck_assert_int_eq(r->tokens_estimated, 1);    /* usage absent: never a silent 0 */
    lw_probe_result_free(r);

    /* a 200 that is not an event stream */
    finalize_body("{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}", 200, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_str_eq(r->error_msg, "reply is not an event stream");
    lw_probe_result_free(r);

    /* 429 with the key echoed by the provider: redacted */
    finalize_body("{\"error\":{\"message\":\"Rate limit reached for key sk-test-0123456789abcdef "
                  "on requests\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}", 429, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_RATE_LIMITED);
    ck_assert_int_eq(r->ok, 0);
    ck_assert_str_eq(r->error_msg, "requests: Rate limit reached for key [redacted] on requests");
    ck_assert_int_eq(r->input_tokens, 0);
    ck_assert_int_eq(r->tokens_estimated, 0);
    ck_assert_int_eq(r->cost_pico, 0);
    lw_probe_result_free(r);

    /* a masked piece of the key is still a piece of the key */
    finalize_body("{\"error\":{\"message\":\"Incorrect API key provided: sk-test-01**********cdef.\"}}",
                  401, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_AUTH);
    ck_assert_ptr_null(strstr(r->error_msg, "sk-test-01"));
    lw_probe_result_free(r);

    finalize_body("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
                  529, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_HTTP_5XX);
    ck_assert_str_eq(r->error_msg, "overloaded_error: Overloaded");
    lw_probe_result_free(r);

    finalize_body("<html>Bad Gateway</html>\r\n", 502, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_HTTP_5XX);
    ck_assert_str_eq(r->error_msg, "HTTP 502: <html>Bad Gateway</html>");
    lw_probe_result_free(r);

    finalize_body("", 404, &job);
    ck_assert_int_eq(r->err_class, LW_PERR_HTTP_4XX);
    ck_assert_str_eq(r->error_msg, "HTTP 404");
    lw_probe_result_free(r);

    /* transport failures */
    oc.transport_failed = 1;
    oc.transport_class = LW_PERR_CONNECT;
    oc.transport_msg = "Failed to connect to 127.0.0.1 port 9: Connection refused";
    oc.t_sent_us = 5;
    oc.t_end_us = 7005;
    ck_assert_int_eq(lw_probe_finalize(&job, &oc, NULL, 100), LW_OK);
    ck_assert_int_eq(r->err_class, LW_PERR_CONNECT);
    ck_assert_double_eq_tol(r->total_ms, 7.0, 1e-9);
    ck_assert_ptr_nonnull(strstr(r->error_msg, "Connection refused"));
    lw_probe_result_free(r);

    oc.oversize = 1;
    oc.body_cap = 1024 * 1024;
    oc.http_status = 200;
    ck_assert_int_eq(lw_probe_finalize(&job, &oc, NULL, 100), LW_OK);
    ck_assert_int_eq(r->err_class, LW_PERR_PROTOCOL);
    ck_assert_str_eq(r->error_msg, "reply over 1 MiB");
    lw_probe_result_free(r);
}
END_TEST

START_TEST(test_sanitize_msg)
{
    char out[32];

    lw_probe_sanitize_msg(out, sizeof(out), "a\tb\nc\x01 d", 9, NULL);
    ck_assert_str_eq(out, "a b c  d");
    /* truncation never splits a UTF-8 character: "é" is 2 bytes */
    lw_probe_sanitize_msg(out, 6, "abcd\xC3\xA9xyz", 9, NULL);
    ck_assert_str_eq(out, "abcd");
    lw_probe_sanitize_msg(out, sizeof(out), "key=KEY123 ok", 13, "KEY123");
    ck_assert_str_eq(out, "key=[redacted] ok");
    lw_probe_sanitize_msg(out, sizeof(out), "partial abcdefghij", 18, "zzabcdefghzz");
    ck_assert_str_eq(out, "partial [redacted]ij");
}
END_TEST

START_TEST(test_estimate_and_cost)
{
    ck_assert_int_eq(lw_estimate_tokens("", 0), 0);
    ck_assert_int_eq(lw_estimate_tokens("a", 1), 1);
    ck_assert_int_eq(lw_estimate_tokens("abcd", 4), 1);
    ck_assert_int_eq(lw_estimate_tokens("abcde", 5), 2);
    /* three CJK characters: one token each */
    ck_assert_int_eq(lw_estimate_tokens("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 9), 3);
    /* "café" is 4 characters, not 5 bytes */
    ck_assert_int_eq(lw_estimate_tokens("caf\xC3\xA9", 5), 1);
    /* a truncated UTF-8 sequence does not read past the end */
    ck_assert_int_eq(lw_estimate_tokens("\xE6\x97", 2), 1);

    ck_assert_int_eq(lw_cost_pico(1000, 2500000), 2500000000LL);   /* 1000 tok at $2.50/M = $0.0025 */
    ck_assert_int_eq(lw_cost_pico(0, 2500000), 0);
    ck_assert_int_eq(lw_cost_pico(INT64_MAX / 2, 3), -1);
}
END_TEST

/* ---- engine against a local server ----------------------------------------- */

struct srv {
    int             fd, port;
    pthread_t       th;
    volatile int    stop;
    pthread_mutex_t mu;
    int             accepted, active, inflight, max_inflight, requests;
    char            last_head[4096];
    int64_t         t_req_in;         /* when the last request was read */
    int64_t         t_content_out;    /* when its first content was written */
};

struct conn {
    struct srv *s;
    int fd;
};

static int
send_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

static int
send_chunk(int fd, const char *data, size_t n)
{
    char head[32];

    snprintf(head, sizeof(head), "%zx\r\n", n);
    if (send_all(fd, head, strlen(head)) || send_all(fd, data, n) || send_all(fd, "\r\n", 2))
        return -1;
    return 0;
}

static void
msleep(int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static const char *
oai_chunk(char *buf, size_t n, const char *content)
{
    snprintf(buf, n, "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
             "\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}],\"usage\":null}\n\n", content);
    return buf;
}

static const char SSE_HEAD[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n";
static const char OAI_ROLE[] = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                               "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                               "\"finish_reason\":null}],\"usage\":null}\n\n";
static const char OAI_TAIL[] = "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                               "\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
                               "data: {\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
                               "{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}\n\n"
                               "data: [DONE]\n\n";

static int
send_fixture(int fd, const char *name)
{
    size_t len, off, n;
    char *buf = fixture(name, &len);
    int rc = send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1);

    for (off = 0; rc == 0 && off < len; off += n) {
        n = len - off < 100 ? len - off : 100;
        rc = send_chunk(fd, buf + off, n);
    }
    if (rc == 0)
        rc = send_all(fd, "0\r\n\r\n", 5);
    free(buf);
    return rc;
}

static int
send_status(int fd, int status, const char *extra, const char *body)
{
    char head[512];

    snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%s"
             "Content-Length: %zu\r\n\r\n", status, extra, strlen(body));
    return send_all(fd, head, strlen(head)) || send_all(fd, body, strlen(body)) ? -1 : 0;
}

/* Answers one request according to the model name; returns 1 to keep the
 * connection, 0 to close it. */
static int
serve(struct srv *s, int fd, const char *head, const char *body)
{
    char model[128] = "", buf[512];
    const char *m = strstr(body, "\"model\":\"");
    int i, delay;

    if (m) {
        m += 9;
        for (i = 0; m[i] && m[i] != '"' && i < (int) sizeof(model) - 1; i++)
            model[i] = m[i];
        model[i] = '\0';
    }
    if (strstr(head, "POST /v1/messages ") == head)
        return send_fixture(fd, "anthropic_full.sse") == 0;
    if (strstr(head, ":streamGenerateContent?alt=sse") != NULL)
        return send_fixture(fd, "gemini_full.sse") == 0;
    if (strncmp(model, "fast", 4) == 0 || strncmp(model, "delay-", 6) == 0) {
        delay = strncmp(model, "delay-", 6) == 0 ? atoi(model + 6) : 0;
        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1) ||
            send_chunk(fd, OAI_ROLE, sizeof(OAI_ROLE) - 1))
            return 0;
        if (delay)
            msleep(delay);
        pthread_mutex_lock(&s->mu);
        s->t_content_out = lw_now_mono_us();
        pthread_mutex_unlock(&s->mu);
        oai_chunk(buf, sizeof(buf), "Hello");
        if (send_chunk(fd, buf, strlen(buf)))
            return 0;
        oai_chunk(buf, sizeof(buf), " world");
        if (send_chunk(fd, buf, strlen(buf)) || send_chunk(fd, OAI_TAIL, sizeof(OAI_TAIL) - 1) ||
            send_all(fd, "0\r\n\r\n", 5))
            return 0;
        return 1;
    }
    if (strcmp(model, "cut") == 0) {
        send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1);
        send_chunk(fd, OAI_ROLE, sizeof(OAI_ROLE) - 1);
        oai_chunk(buf, sizeof(buf), "Partial answ");
        send_chunk(fd, buf, strlen(buf));
        return 0;                       /* closes without the last chunk */
    }
    if (strcmp(model, "drip") == 0) {
        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1))
            return 0;
        for (i = 0; i < 400; i++) {
            if (send_chunk(fd, ":", 1))
                return 0;
            msleep(50);
        }
        return 0;
    }
    if (strcmp(model, "linger") == 0) {
        struct pollfd pfd = { fd, POLLIN, 0 };

        oai_chunk(buf, sizeof(buf), "Done");
        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1) || send_chunk(fd, buf, strlen(buf)) ||
            send_chunk(fd, OAI_TAIL, sizeof(OAI_TAIL) - 1))
            return 0;
        /* [DONE] sent, but the chunked body is never ended */
        for (i = 0; i < 400 && poll(&pfd, 1, 50) == 0; i++)
            ;
        return 0;
    }
    if (strcmp(model, "hang") == 0) {
        struct pollfd pfd = { fd, POLLIN, 0 };

        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1))
            return 0;
        /* until the client gives up */
        for (i = 0; i < 400 && poll(&pfd, 1, 50) == 0; i++)
            ;
        return 0;
    }
    if (strcmp(model, "big") == 0) {
        static char blob[16384];

        memset(blob, 'x', sizeof(blob));
        memcpy(blob, ": ", 2);
        blob[sizeof(blob) - 1] = '\n';
        if (send_all(fd, SSE_HEAD, sizeof(SSE_HEAD) - 1))
            return 0;
        for (i = 0; i < 160; i++)
            if (send_chunk(fd, blob, sizeof(blob)))
                return 0;
        send_all(fd, "0\r\n\r\n", 5);
        return 0;
    }
    if (strcmp(model, "s429") == 0)
        return send_status(fd, 429, "Retry-After: 7\r\n",
                           "{\"error\":{\"message\":\"Rate limit reached for sk-test-0123456789abcdef\","
                           "\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}") == 0;
    if (strcmp(model, "s401") == 0)
        return send_status(fd, 401, "", "{\"error\":{\"message\":\"Invalid API key\"}}") == 0;
    return send_status(fd, 500, "", "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}") == 0;
}

static void *
conn_main(void *arg)
{
    struct conn *c = arg;
    struct srv *s = c->s;
    char buf[65536], *end, *cl;
    size_t have = 0, need;
    ssize_t r;
    int keep = 1;

    while (keep) {
        /* headers */
        while ((end = memmem(buf, have, "\r\n\r\n", 4)) == NULL) {
            if (have == sizeof(buf) - 1)
                goto done;
            r = recv(c->fd, buf + have, sizeof(buf) - 1 - have, 0);
            if (r <= 0)
                goto done;
            have += (size_t) r;
        }
        *end = '\0';
        cl = strcasestr(buf, "\r\nContent-Length:");
        need = (size_t) (end + 4 - buf) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
        while (have < need) {
            r = recv(c->fd, buf + have, sizeof(buf) - 1 - have, 0);
            if (r <= 0)
                goto done;
            have += (size_t) r;
        }
        buf[need] = '\0';
        pthread_mutex_lock(&s->mu);
        s->requests++;
        s->inflight++;
        if (s->inflight > s->max_inflight)
            s->max_inflight = s->inflight;
        lw_strlcpy(s->last_head, buf, sizeof(s->last_head));
        s->t_req_in = lw_now_mono_us();
        pthread_mutex_unlock(&s->mu);
        keep = serve(s, c->fd, buf, end + 4);
        pthread_mutex_lock(&s->mu);
        s->inflight--;
        pthread_mutex_unlock(&s->mu);
        memmove(buf, buf + need, have - need);
        have -= need;
    }
done:
    close(c->fd);
    pthread_mutex_lock(&s->mu);
    s->active--;
    pthread_mutex_unlock(&s->mu);
    free(c);
    return NULL;
}

static void *
srv_main(void *arg)
{
    struct srv *s = arg;
    struct pollfd pfd;
    struct conn *c;
    pthread_t th;
    int fd, one = 1;

    while (!s->stop) {
        pfd.fd = s->fd;
        pfd.events = POLLIN;
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        fd = accept(s->fd, NULL, NULL);
        if (fd < 0)
            continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = malloc(sizeof(*c));
        c->s = s;
        c->fd = fd;
        pthread_mutex_lock(&s->mu);
        s->accepted++;
        s->active++;
        pthread_mutex_unlock(&s->mu);
        if (pthread_create(&th, NULL, conn_main, c) != 0) {
            close(fd);
            free(c);
            continue;
        }
        pthread_detach(th);
    }
    return NULL;
}

static void
srv_start(struct srv *s)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int one = 1;

    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s->fd, 0);
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(s->fd, (struct sockaddr *) &a, sizeof(a)), 0);
    ck_assert_int_eq(listen(s->fd, 256), 0);
    getsockname(s->fd, (struct sockaddr *) &a, &alen);
    s->port = ntohs(a.sin_port);
    ck_assert_int_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void
srv_stop(struct srv *s)
{
    int i, active = 1;

    s->stop = 1;
    pthread_join(s->th, NULL);
    close(s->fd);
    /* connection threads end when the client closes (the engine has) */
    for (i = 0; i < 200 && active; i++) {
        pthread_mutex_lock(&s->mu);
        active = s->active;
        pthread_mutex_unlock(&s->mu);
        if (active)
            msleep(10);
    }
}

static void
job_init(lw_probe_job *j, const char *provider, const char *base, const char *model)
{
    memset(j, 0, sizeof(*j));
    j->provider = provider;
    j->base_url = base;
    j->model = model;
    j->api_key = "sk-test-0123456789abcdef";
    j->prompt = "Say hello";
    j->max_tokens = 16;
}

static void
engine_setup(void)
{
    /* the loopback server must not be reached through a proxy */
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
}

START_TEST(test_engine_ttft)
{
    struct srv s;
    char base[64];
    lw_probe_job j;
    lw_err err;
    lw_probe_result *r = &j.result;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    job_init(&j, "openai-compatible", base, "delay-300");
    j.probe_id = "probe-abc-1";
    j.price_in_micros_per_mtok = 1000000;
    j.price_out_micros_per_mtok = 2000000;
    ck_assert_int_eq(lw_probe_run(&j, 1, NULL, &err), LW_OK);
    ck_assert_msg(r->ok, "class %s: %s", lw_probe_errclass_name(r->err_class), r->error_msg);
    ck_assert_int_eq(r->http_status, 200);
    ck_assert_str_eq(r->text, "Hello world");
    ck_assert_int_eq(r->output_tokens, 3);
    ck_assert_int_eq(r->input_tokens, 5);
    ck_assert_int_eq(r->cost_pico, 5 * 1000000 + 3 * 2000000);
    /* the server slept 300 ms between reading the request and the first
     * content: TTFT can only be longer, and not by much on loopback */
    ck_assert_msg(r->ttft_ms >= 300.0 && r->ttft_ms < 360.0, "ttft %.3f ms", r->ttft_ms);
    ck_assert(r->total_ms >= r->ttft_ms);
    /* against the server's own clock (same machine, same CLOCK_MONOTONIC) */
    ck_assert_msg(s.t_req_in >= r->t_sent_us, "request read before it was sent?");
    ck_assert_msg(s.t_req_in - r->t_sent_us < 20000, "sent mark %lld us early",
                  (long long) (s.t_req_in - r->t_sent_us));
    ck_assert_msg(r->t_first_token_us >= s.t_content_out &&
                  r->t_first_token_us - s.t_content_out < 20000, "first token mark off by %lld us",
                  (long long) (r->t_first_token_us - s.t_content_out));
    ck_assert_str_eq(r->probe_id, "probe-abc-1");
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nX-Llmwatch-Probe-Id: probe-abc-1\r\n"));
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nAuthorization: Bearer sk-test-0123456789abcdef\r\n"));
    ck_assert_ptr_nonnull(strstr(s.last_head, "POST /v1/chat/completions HTTP/1.1\r\n"));
    ck_assert_ptr_null(strstr(s.last_head, "Expect:"));
    lw_probe_result_free(r);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_failures)
{
    static const struct {
        const char *model;
        lw_probe_errclass cls;
        long status;
    } cases[] = {
        { "drip", LW_PERR_TIMEOUT, 200 },
        { "big", LW_PERR_PROTOCOL, 200 },
        { "cut", LW_PERR_PROTOCOL, 200 },
        { "s429", LW_PERR_RATE_LIMITED, 429 },
        { "s401", LW_PERR_AUTH, 401 },
        { "s500", LW_PERR_HTTP_5XX, 500 },
        { "linger", LW_PERR_NONE, 200 },
    };
    lw_probe_job jobs[LW_ARRAY_LEN(cases) + 1];
    lw_probe_opts o = { 0 };
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    struct srv s;
    char base[64], dead[64];
    lw_err err;
    size_t i;
    int fd;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    /* a port nobody listens on: bound, then closed */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
    getsockname(fd, (struct sockaddr *) &a, &alen);
    snprintf(dead, sizeof(dead), "http://127.0.0.1:%d", ntohs(a.sin_port));
    close(fd);

    for (i = 0; i < LW_ARRAY_LEN(cases); i++)
        job_init(&jobs[i], "openai-compatible", base, cases[i].model);
    job_init(&jobs[i], "openai-compatible", dead, "fast");
    o.timeout_ms = 800;
    ck_assert_int_eq(lw_probe_run(jobs, LW_ARRAY_LEN(jobs), &o, &err), LW_OK);
    for (i = 0; i < LW_ARRAY_LEN(cases); i++) {
        ck_assert_msg(jobs[i].result.err_class == cases[i].cls, "%s: class %s (%s)", cases[i].model,
                      lw_probe_errclass_name(jobs[i].result.err_class), jobs[i].result.error_msg);
        ck_assert_int_eq(jobs[i].result.ok, cases[i].cls == LW_PERR_NONE);
        ck_assert_int_eq(jobs[i].result.http_status, cases[i].status);
        ck_assert_ptr_null(strstr(jobs[i].result.error_msg, "0123456789abcdef"));
    }
    /* drip: cut at the timeout */
    ck_assert_msg(jobs[0].result.total_ms >= 790 && jobs[0].result.total_ms < 1200, "drip %.1f ms",
                  jobs[0].result.total_ms);
    ck_assert_str_eq(jobs[1].result.error_msg, "reply over 1 MiB");
    ck_assert_str_eq(jobs[2].result.text, "Partial answ");
    ck_assert_int_eq(jobs[2].result.tokens_estimated, 1);
    ck_assert_int_eq(jobs[2].result.output_tokens, 3);
    ck_assert(jobs[2].result.ttft_ms >= 0);
    ck_assert_int_eq(jobs[3].result.retry_after_s, 7);
    ck_assert_str_eq(jobs[3].result.error_msg, "requests: Rate limit reached for [redacted]");
    ck_assert_str_eq(jobs[4].result.error_msg, "Invalid API key");
    ck_assert_str_eq(jobs[5].result.error_msg, "server_error: boom");
    /* linger: complete answer, timed to its last byte, not to the timeout */
    ck_assert_str_eq(jobs[6].result.text, "Done");
    ck_assert_int_eq(jobs[6].result.tokens_estimated, 0);
    ck_assert_msg(jobs[6].result.total_ms < 200, "linger %.1f ms", jobs[6].result.total_ms);
    ck_assert_int_eq(jobs[7].result.err_class, LW_PERR_CONNECT);
    ck_assert_int_eq(jobs[7].result.http_status, 0);
    for (i = 0; i < LW_ARRAY_LEN(jobs); i++)
        lw_probe_result_free(&jobs[i].result);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_stall)
{
    lw_probe_opts o = { 0 };
    lw_probe_job j;
    struct srv s;
    char base[64];
    lw_err err;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    job_init(&j, "openai-compatible", base, "hang");
    o.timeout_ms = 30000;
    o.stall_s = 1;
    ck_assert_int_eq(lw_probe_run(&j, 1, &o, &err), LW_OK);
    ck_assert_int_eq(j.result.err_class, LW_PERR_TIMEOUT);
    /* libcurl averages the speed over a window of ~5 s, so a stall is
     * noticed between stall_s and stall_s + 6 s */
    ck_assert_msg(j.result.total_ms >= 900 && j.result.total_ms < 9000, "stall %.1f ms",
                  j.result.total_ms);
    lw_probe_result_free(&j.result);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_protocols)
{
    lw_probe_job jobs[2];
    struct srv s;
    char base[64];
    lw_err err;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    job_init(&jobs[0], "anthropic", base, "claude-x");
    job_init(&jobs[1], "google", base, "gemini-x");
    ck_assert_int_eq(lw_probe_run(&jobs[0], 1, NULL, &err), LW_OK);
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nanthropic-version: 2023-06-01\r\n"));
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nx-api-key: sk-test-0123456789abcdef\r\n"));
    ck_assert_int_eq(lw_probe_run(&jobs[1], 1, NULL, &err), LW_OK);
    ck_assert_ptr_nonnull(strstr(s.last_head,
                                 "POST /v1beta/models/gemini-x:streamGenerateContent?alt=sse "));
    ck_assert_ptr_nonnull(strstr(s.last_head, "\r\nx-goog-api-key: sk-test-0123456789abcdef\r\n"));
    ck_assert_int_eq(jobs[0].result.ok, 1);
    ck_assert_str_eq(jobs[0].result.text, "The capital of France is Paris.");
    ck_assert_int_eq(jobs[0].result.input_tokens, 21);
    ck_assert_int_eq(jobs[0].result.output_tokens, 9);
    ck_assert_int_eq(jobs[1].result.ok, 1);
    ck_assert_int_eq(jobs[1].result.output_tokens, 13);
    ck_assert_str_eq(jobs[1].result.finish_reason, "STOP");
    ck_assert_int_eq(strlen(jobs[1].result.probe_id), 32);   /* generated */
    lw_probe_result_free(&jobs[0].result);
    lw_probe_result_free(&jobs[1].result);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_limits_and_keepalive)
{
    lw_probe_job jobs[12];
    lw_probe_opts o = { 0 };
    struct srv s;
    char base[64];
    int64_t t0, wall;
    lw_err err;
    size_t i;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    /* one model, limit 3: never more than 3 at once, 4 waves of 200 ms */
    for (i = 0; i < 12; i++)
        job_init(&jobs[i], "openai-compatible", base, "delay-200");
    o.per_model = 3;
    t0 = lw_now_mono_us();
    ck_assert_int_eq(lw_probe_run(jobs, 12, &o, &err), LW_OK);
    wall = lw_now_mono_us() - t0;
    for (i = 0; i < 12; i++) {
        ck_assert_int_eq(jobs[i].result.ok, 1);
        lw_probe_result_free(&jobs[i].result);
    }
    ck_assert_int_eq(s.max_inflight, 3);
    ck_assert_msg(wall >= 800000 && wall < 2000000, "wall %lld us", (long long) wall);
    ck_assert_int_eq(s.accepted, 3);                  /* three connections, each reused */

    /* a job's own limit wins over opts.per_model */
    s.max_inflight = 0;
    for (i = 0; i < 6; i++) {
        job_init(&jobs[i], "openai-compatible", base, "delay-100");
        jobs[i].max_concurrency = 2;
    }
    ck_assert_int_eq(lw_probe_run(jobs, 6, &o, &err), LW_OK);
    for (i = 0; i < 6; i++) {
        ck_assert_int_eq(jobs[i].result.ok, 1);
        lw_probe_result_free(&jobs[i].result);
    }
    ck_assert_int_eq(s.max_inflight, 2);

    /* and its own timeout */
    job_init(&jobs[0], "openai-compatible", base, "delay-1000");
    jobs[0].timeout_ms = 300;
    ck_assert_int_eq(lw_probe_run(jobs, 1, &o, &err), LW_OK);
    ck_assert_int_eq(jobs[0].result.err_class, LW_PERR_TIMEOUT);
    ck_assert(jobs[0].result.total_ms < 900);
    lw_probe_result_free(&jobs[0].result);

    /* sequential requests to one host reuse one connection */
    s.accepted = 0;
    for (i = 0; i < 10; i++)
        job_init(&jobs[i], "openai-compatible", base, "fast");
    o.per_model = 1;
    ck_assert_int_eq(lw_probe_run(jobs, 10, &o, &err), LW_OK);
    for (i = 0; i < 10; i++) {
        ck_assert_int_eq(jobs[i].result.ok, 1);
        lw_probe_result_free(&jobs[i].result);
    }
    ck_assert_int_eq(s.accepted, 1);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_thousand)
{
    enum { N = 1000 };
    static const char *models[] = { "fast-0", "fast-1", "fast-2", "fast-3", "fast-4",
                                    "fast-5", "fast-6", "fast-7", "fast-8", "fast-9" };
    lw_probe_job *jobs = calloc(N, sizeof(*jobs));
    lw_probe_opts o = { 0 };
    struct srv s;
    char base[64];
    lw_err err;
    size_t i, k;

    srv_start(&s);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", s.port);
    for (i = 0; i < N; i++)
        job_init(&jobs[i], "openai-compatible", base, models[i % 10]);
    o.per_model = 5;
    ck_assert_int_eq(lw_probe_run(jobs, N, &o, &err), LW_OK);
    for (i = 0; i < N; i++)
        ck_assert_msg(jobs[i].result.ok, "job %zu: %s", i, jobs[i].result.error_msg);
    ck_assert_int_eq(s.requests, N);
    ck_assert_int_le(s.max_inflight, 50);
    ck_assert_int_le(s.accepted, 50);
    /* probe ids are distinct */
    for (i = 0; i < 50; i++)
        for (k = i + 1; k < N; k++)
            ck_assert_str_ne(jobs[i].result.probe_id, jobs[k].result.probe_id);
    for (i = 0; i < N; i++)
        lw_probe_result_free(&jobs[i].result);
    free(jobs);
    srv_stop(&s);
}
END_TEST

START_TEST(test_engine_bad_job)
{
    lw_probe_job j[2];
    lw_err err;

    job_init(&j[0], "openai", NULL, "gpt");
    job_init(&j[1], "openai-compatible", NULL, "llama");
    ck_assert_int_eq(lw_probe_run(j, 2, NULL, &err), LW_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "job 1"));
    ck_assert_ptr_nonnull(strstr(err.msg, "base_url"));
    job_init(&j[0], "cohere", "http://x", "m");
    ck_assert_int_eq(lw_probe_run(j, 1, NULL, &err), LW_EINVAL);
    ck_assert_int_eq(lw_probe_run(j, 0, NULL, &err), LW_OK);
}
END_TEST

Suite *providers_suite(void)
{
    Suite *s = suite_create("providers");
    TCase *tc = tcase_create("parsers");
    TCase *te = tcase_create("engine");

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
    tcase_add_test(tc, test_classify_status);
    tcase_add_test(tc, test_finalize_ok_measures);
    tcase_add_test(tc, test_finalize_estimated);
    tcase_add_test(tc, test_finalize_errors);
    tcase_add_test(tc, test_sanitize_msg);
    tcase_add_test(tc, test_estimate_and_cost);
    suite_add_tcase(s, tc);

    tcase_set_timeout(te, 120);
    tcase_add_unchecked_fixture(te, engine_setup, NULL);
    tcase_add_test(te, test_engine_ttft);
    tcase_add_test(te, test_engine_failures);
    tcase_add_test(te, test_engine_stall);
    tcase_add_test(te, test_engine_protocols);
    tcase_add_test(te, test_engine_limits_and_keepalive);
    tcase_add_test(te, test_engine_thousand);
    tcase_add_test(te, test_engine_bad_job);
    suite_add_tcase(s, te);
    return s;
}
