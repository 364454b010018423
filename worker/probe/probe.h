/* probe.h: the probing core: one interface over the LLM providers' streaming
 * protocols, the per-request measures, the concurrent probe engine, the
 * quality scorers and the YAML test suites. Timestamps are CLOCK_MONOTONIC
 * microseconds (lw_now_mono_us); money is integer pico-dollars. */
#ifndef LW_PROBE_H
#define LW_PROBE_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "lw.h"
#include "probe/sse.h"

/* ---- error classes ------------------------------------------------------ */

typedef enum {
    LW_PERR_NONE = 0,     /* ok */
    LW_PERR_TIMEOUT,      /* total timeout or stalled transfer */
    LW_PERR_CONNECT,      /* resolve/connect failed, connection lost before a reply */
    LW_PERR_TLS,          /* handshake or certificate */
    LW_PERR_HTTP_4XX,     /* 4xx other than 401/403/429 */
    LW_PERR_RATE_LIMITED, /* 429; retry_after_s kept */
    LW_PERR_HTTP_5XX,
    LW_PERR_PROTOCOL,     /* bad/truncated stream, error event, reply over the cap */
    LW_PERR_EMPTY,        /* 2xx without any content */
    LW_PERR_AUTH          /* 401/403 */
} lw_probe_errclass;

/* "ok", "timeout", "connect", "tls", "http_4xx", "rate_limited", "http_5xx",
 * "protocol", "empty", "auth" (static strings). */
const char *lw_probe_errclass_name(lw_probe_errclass c);
/* Class of a non-2xx HTTP status (LW_PERR_NONE for 2xx). */
lw_probe_errclass lw_probe_classify_status(long status);

/* ---- streamed reply parser ---------------------------------------------- */

typedef struct lw_provider_ops lw_provider_ops;

/* What an answer was (probes.outcome). A failed probe has none. */
typedef enum {
    LW_ANSWER_NONE = 0,
    LW_ANSWER_TEXT,           /* "text" */
    LW_ANSWER_TOOL_CALL,      /* "tool_call": the model called a tool */
    LW_ANSWER_REFUSAL,        /* "refusal": the model (or the provider's output
                               * filter) declined; the endpoint is up */
    LW_ANSWER_BLOCKED         /* "blocked": the prompt was blocked before any
                               * candidate (Gemini promptFeedback.blockReason) */
} lw_answer_kind;

/* "text", "tool_call", "refusal", "blocked"; NULL for LW_ANSWER_NONE. */
const char *lw_answer_kind_name(lw_answer_kind k);

/* How a stream ended (probes.stream_end). */
typedef enum {
    LW_END_TRUNCATED = 0,     /* "truncated": no end marker, no finish reason */
    LW_END_CLEAN,             /* "clean": the protocol's end as it should be */
    LW_END_NO_DONE,           /* "no_done": OpenAI finish reason without [DONE] */
    LW_END_NO_TERMINATOR      /* "no_terminator": the last, complete event came
                               * without its blank line (connection closed) */
} lw_stream_end;

const char *lw_stream_end_name(lw_stream_end e);

/* The provider's finish reason in one vocabulary: "stop", "length",
 * "tool_calls", "content_filter", "refusal", "safety" or "other"; NULL for
 * NULL or "" (static strings). */
const char *lw_finish_normalize(const char *raw);

#define LW_STREAM_MAX_TOOLS 8

/* One tool call as it streams: its name, and its arguments as the JSON
 * text the provider sent (OpenAI and Anthropic send it in fragments). */
typedef struct {
    char   name[128];
    lw_buf args;
} lw_stream_tool;

/* Per-request parsing state: SSE framing plus what the provider's JSON
 * events said so far. Zero-initialise through lw_stream_init. Output is
 * what the model generated: answer text, tool calls, refusal text and
 * reasoning; answer output is all of it but the reasoning. */
typedef struct {
    const lw_provider_ops *prov;
    lw_sse   sse;
    int64_t  now_us;          /* timestamp of the bytes being fed */
    lw_buf   text;            /* all content text received (bounded by the body cap) */
    lw_buf   refusal;         /* OpenAI delta.refusal text */
    lw_buf   reasoning;       /* reasoning_content, thinking, thought parts */
    lw_stream_tool tools[LW_STREAM_MAX_TOOLS];
    size_t   n_tools;
    int      block_tool[16];  /* Anthropic: content block index -> tool slot + 1 */
    int64_t  t_first_us;      /* first answer output; valid when n_answer > 0 */
    int64_t  t_first_output_us; /* first output of any kind; valid when n_output > 0 */
    int64_t  t_last_output_us;/* last output of any kind */
    int64_t  t_last_answer_us;/* last answer output */
    int64_t  max_gap_us;      /* longest silence between two output reads */
    int64_t  in_tokens;       /* from usage, -1 when not reported */
    int64_t  out_tokens;      /* billed output tokens from usage, -1 when not reported */
    int64_t  reasoning_tokens;/* from usage, -1 when not reported */
    int      usage_seen;      /* the final usage report arrived */
    int      done;            /* [DONE], message_stop, a Gemini finishReason or blockReason */
    int      done_at_eof;     /* ... in an event without its blank line */
    char     finish[32];      /* finish_reason / stop_reason / finishReason */
    char     block_reason[64];/* Gemini promptFeedback.blockReason */
    char     model_version[128];      /* response model / modelVersion */
    char     system_fingerprint[128]; /* OpenAI system_fingerprint */
    int      perr;            /* a protocol error was seen */
    char     perr_msg[256];   /* first protocol error */
    size_t   n_events;
    size_t   n_deltas;        /* non-empty answer text deltas */
    size_t   n_answer;        /* answer output events (text, tool call, refusal) */
    size_t   n_output;        /* output events of any kind */
} lw_stream;

int  lw_stream_init(lw_stream *st, const lw_provider_ops *p);
/* Feeds raw body bytes as they arrive (any split); now_us is recorded as the
 * first-token time if these bytes complete the first non-empty content
 * delta. Returns 0, or LW_ENOMEM (the stream is then unusable). */
int  lw_stream_feed(lw_stream *st, const char *buf, size_t n, int64_t now_us);
/* End of body: dispatches a last event whose blank line never came, and a
 * last line without its line end when it holds a whole JSON event (a
 * complete stream whose connection closed right after its last byte); a
 * line cut in its middle is dropped (the stream stays truncated). */
int  lw_stream_finish(lw_stream *st);
/* How the stream ended, after lw_stream_finish. */
lw_stream_end lw_stream_ending(const lw_stream *st);
void lw_stream_free(lw_stream *st);

/* ---- providers ---------------------------------------------------------- */

/* One HTTP request, built by a provider. Everything is caller-freed through
 * lw_http_req_free (which also wipes the header holding the key). */
#define LW_HTTP_MAX_HEADERS 8
typedef struct {
    char  *url;
    char  *body;
    char  *headers[LW_HTTP_MAX_HEADERS];   /* "Name: value" */
    size_t n_headers;
} lw_http_req;

void lw_http_req_free(lw_http_req *r);

/* What a provider needs to build one request; all borrowed. */
typedef struct {
    const char *base_url;     /* NULL/"" = provider default; required for openai-compatible */
    const char *model;
    const char *api_key;      /* NULL/"" = send no auth header (local servers) */
    const char *prompt;
    int         max_tokens;
    const char *probe_id;     /* sent as X-Llmwatch-Probe-Id */
    const char *tools_json;   /* NULL, or the tools the model may call: a JSON
                               * array of {"name", "description", "parameters"
                               * (a JSON schema)}, sent in the provider's own
                               * shape (OpenAI tools, Anthropic tools with
                               * input_schema, Gemini functionDeclarations) */
} lw_probe_req;

struct lw_provider_ops {
    const char *kind;              /* "openai", "openai-compatible", "anthropic", "google" */
    const char *default_base_url;  /* NULL: base_url required */
    int (*build)(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out,
                 lw_err *err);
    /* One SSE event (event name "" when absent, data NUL-terminated).
     * Records into st; returns 0 or LW_ENOMEM. */
    int (*event)(lw_stream *st, const char *event, const char *data, size_t len);
};

/* Each provider's two halves (provider_openai.c, provider_anthropic.c,
 * provider_google.c), as the ops below hold them. */
int lw_provider_openai_build(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out,
                             lw_err *err);
int lw_provider_openai_event(lw_stream *st, const char *event, const char *data, size_t len);
int lw_provider_anthropic_build(const lw_provider_ops *p, const lw_probe_req *rq,
                                lw_http_req *out, lw_err *err);
int lw_provider_anthropic_event(lw_stream *st, const char *event, const char *data, size_t len);
int lw_provider_google_build(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out,
                             lw_err *err);
int lw_provider_google_event(lw_stream *st, const char *event, const char *data, size_t len);

extern const lw_provider_ops lw_provider_openai;
extern const lw_provider_ops lw_provider_openai_compatible;
extern const lw_provider_ops lw_provider_anthropic;
extern const lw_provider_ops lw_provider_google;

/* By kind, also "openai_compatible" and "gemini"; NULL if unknown (borrowed). */
const lw_provider_ops *lw_provider_find(const char *kind);
/* Builds the request; LW_EINVAL with a message when the input is unusable. */
int lw_provider_build(const lw_provider_ops *p, const lw_probe_req *rq, lw_http_req *out,
                      lw_err *err);

/* ---- measures ----------------------------------------------------------- */

/* Tokens in a text when the provider reported none: ~4 characters per
 * token, 1 per CJK/kana/hangul character, at least 1 for non-empty text. */
int64_t lw_estimate_tokens(const char *s, size_t len);

/* How a request becomes a result (lw_probe_finalize):
 * - Timing: t_start is when the transfer started (its connect, TLS and
 *   header phases are measured from there, by libcurl's clocks); t_sent is
 *   the last CURLINFO_HEADER_OUT/DATA_OUT debug event (the request's last
 *   byte handed to the kernel); t_first_token the entry time of the write
 *   callback whose bytes completed the first event with answer output
 *   (text, a tool call, a refusal: a role-only chunk, message_start, ping
 *   or reasoning never count); first_output the same for any output,
 *   reasoning included; t_end the last body byte (or the failure). TTFT
 *   and first_output count from t_sent, so queueing, DNS, connect and TLS
 *   are not in them; total_ms too, but a request that timed out counts
 *   from t_start, the clock its timeout ran on.
 * - Class: the first thing that went wrong, in the order it would happen:
 *   reply over the body cap (protocol) > non-2xx status (auth, rate_limited,
 *   http_4xx, http_5xx) > transport error (timeout, connect, tls; a
 *   connection lost inside a 200 reply is protocol "stream truncated") >
 *   protocol error in the stream (error event, malformed JSON) > a 2xx that
 *   is not an event stream (protocol) > no answer at all (empty) > an answer
 *   but no end (lw_stream_ending says truncated): protocol "stream
 *   truncated". A failed request keeps its partial measures (TTFT, text,
 *   estimated tokens) so a truncating provider is visible.
 * - Answer (outcome of an ok result): a blocked prompt (blocked), else a
 *   refusal (OpenAI delta.refusal, a "refusal" finish reason, or a content
 *   filter or safety stop with no other output), else tool calls
 *   (tool_call), else text. The answer text is kept (LW_PROBE_ANSWER_MAX):
 *   the text, the tool calls as JSON ([{"name": .., "arguments": ..}]), or
 *   the refusal.
 * - Tokens: a 2xx reply always gets counts. Reported usage is used only
 *   from a stream that ended (cleanly, without [DONE] after a finish reason,
 *   or without its last blank line); otherwise output tokens are estimated
 *   from the output received (lw_estimate_tokens), input tokens from the
 *   prompt, and tokens_estimated is set. A blocked prompt generated
 *   nothing: 0 output tokens. Non-2xx and transport failures before a
 *   reply: 0 tokens, not estimated, cost 0.
 * - Rates: end-to-end out/total; decode (n-1)/window over the window the
 *   n counted tokens were produced in: from the first output (reasoning
 *   included) to the last one, metadata events after it excluded. When
 *   the provider reported reasoning tokens it did not stream, they are not
 *   counted (their time is unknown) and the window is the answer's. Only
 *   ok results with two output reads or more get a decode rate, and never
 *   one over LW_PROBE_DECODE_MAX_TPS (a burst in one read): -1 instead.
 * - Quality: scored only for ok results with a scorer; a refusal or a
 *   blocked prompt scores 0, a tool call is scored by a tool_call scorer
 *   (any other scorer reads the text). */

#define LW_PROBE_MSG_MAX 320
#define LW_PROBE_ANSWER_MAX 4096        /* bytes of answer kept (probes.answer) */
#define LW_PROBE_DECODE_MAX_TPS 10000.0 /* above: a burst, not a decode rate */

typedef struct {
    int      ok;
    lw_probe_errclass err_class;
    long     http_status;            /* 0 when no reply */
    char     error_msg[LW_PROBE_MSG_MAX]; /* provider's error.message or ours; never the key */
    int64_t  retry_after_s;          /* 429/503 Retry-After, -1 when absent */
    char     probe_id[40];           /* the X-Llmwatch-Probe-Id that was sent */
    int64_t  t_sent_us;              /* last request byte handed to the kernel */
    int64_t  t_first_token_us;       /* 0 when no answer output arrived */
    int64_t  t_end_us;               /* last reply byte (or the failure) */
    double   ttft_ms;                /* to the first answer output; -1 when none */
    double   first_output_ms;        /* to the first output, reasoning included; -1 when none */
    double   total_ms;
    double   connect_ms, tls_ms, headers_ms;  /* from the transfer's start; -1 unknown */
    double   max_gap_ms;             /* longest silence between output reads; -1 with
                                      * fewer than two */
    int64_t  input_tokens;
    int64_t  output_tokens;          /* billed output (reasoning included) */
    int64_t  reasoning_tokens;       /* reported by the provider; -1 when not */
    int      tokens_estimated;       /* usage absent or stream cut: estimated */
    double   decode_tps;             /* see above; -1 when not computable */
    double   e2e_tps;                /* out/total; -1 when not computable */
    int64_t  cost_pico;              /* input + output cost, pico-dollars (lw_cost_pico);
                                      * -1 when a price is negative or it overflows */
    lw_answer_kind outcome;          /* LW_ANSWER_NONE unless ok */
    char     finish_reason[32];      /* the provider's own value, "" when none */
    const char *finish_norm;         /* lw_finish_normalize of it (static), NULL when none */
    char     block_reason[64];       /* "" unless the prompt was blocked */
    int      stream_end;             /* lw_stream_end, -1 when there was no 2xx stream */
    char     model_version[128];     /* what the provider said answered, "" when nothing */
    char     system_fingerprint[128];
    char    *text;                   /* reply text, capped at text_cap on a UTF-8 boundary
                                      * (malloc'd, freed by lw_probe_result_free; NULL
                                      * only when out of memory) */
    size_t   text_len;
    int      text_truncated;
    char    *answer;                 /* see above, NULL when none (malloc'd, freed by
                                      * lw_probe_result_free) */
    double   quality;                /* 0..100 from the case's scorer, -1 when not scored */
} lw_probe_result;

void lw_probe_result_free(lw_probe_result *r);

/* ---- scorers ------------------------------------------------------------ */

typedef enum {
    LW_SCORER_EXACT,      /* trimmed reply == value */
    LW_SCORER_CONTAINS,   /* reply contains every one of values (partial credit) */
    LW_SCORER_REGEX,      /* POSIX ERE pattern matches somewhere */
    LW_SCORER_JSON_VALID, /* reply, or its first {...}/[...] block, is JSON */
    LW_SCORER_JSON_PATH,  /* value at path ($.a.b[0].c) equals `equals` */
    LW_SCORER_NUMERIC,    /* first number in the reply within tolerance of value */
    LW_SCORER_ONE_OF,     /* trimmed reply equals one of values */
    LW_SCORER_TOOL_CALL   /* the first tool call is to `name`, with the
                           * arguments of `arguments` (partial credit) */
} lw_scorer_type;

typedef struct {
    lw_scorer_type type;
    char    *value;            /* exact, numeric (the number as text) */
    char   **values;           /* contains, one_of */
    size_t   n_values;
    char    *pattern;          /* regex */
    char    *path;             /* json_path */
    char    *equals;           /* json_path */
    char    *name;             /* tool_call: the function */
    char    *arguments;        /* tool_call: a JSON object of the arguments
                                * expected (others may be there too), or NULL */
    double   tolerance;        /* numeric, absolute */
    int      case_insensitive;
    /* prepared by lw_scorer_prepare */
    double   number;
    regex_t  re;
    int      re_ok;
} lw_scorer;

/* "exact", "contains", ...; -1 if unknown. */
int lw_scorer_type_parse(const char *s);
const char *lw_scorer_type_name(lw_scorer_type t);
/* Checks the fields the type needs and compiles the regex. */
int lw_scorer_prepare(lw_scorer *s, lw_err *err);
/* 0..100; contains and tool_call give partial credit, the others 0 or
 * 100. text is the reply; for tool_call, the tool calls as JSON
 * ([{"name": .., "arguments": {..}}], what lw_probe_result.answer holds
 * for a tool call). */
double lw_scorer_score(const lw_scorer *s, const char *text);
void lw_scorer_free(lw_scorer *s);
/* Mean of the scores that are >= 0; -1 when there are none. */
double lw_quality_mean(const double *scores, size_t n);

/* A custom scorer (scorer_custom.c): a user's command measuring one reply
 * by a metric of its own ("user_satisfaction"). */
typedef struct {
    const char   *name;        /* the metric: [a-z][a-z0-9_]{0,62} */
    char *const  *argv;        /* the command and its arguments (argv[0] found
                                * on PATH); never run through a shell */
    long          timeout_ms;  /* <= 0: 5000 */
} lw_custom_scorer;

/* Runs cs on one reply: the reply on its standard input; the expected
 * answer in LLMWATCH_EXPECTED, the case in LLMWATCH_CASE_ID and the
 * metric in LLMWATCH_METRIC; the first number of its standard output (at
 * most 4 KiB read) is the value. The command runs in its own process
 * group, killed whole at the timeout. LW_OK with *value, LW_ETIMEDOUT,
 * LW_ERROR (a non-zero exit or a signal), LW_EINVAL (a bad name, no
 * number), LW_EIO (could not run); the reason in err. */
int lw_scorer_custom_run(const lw_custom_scorer *cs, const char *reply, const char *expected,
                         const char *case_id, double *value, lw_err *err);
/* What a failed run is stored as (custom_metrics.failure: "timeout",
 * "exit", "no_number", "cannot_run"), from lw_scorer_custom_run's return
 * code; NULL for LW_OK. Static. */
const char *lw_scorer_custom_failure(int rc);

/* ---- suites ------------------------------------------------------------- */

typedef struct {
    char      *id;
    char      *prompt;
    int        max_tokens;
    lw_scorer  scorer;
    char      *reference_answer;   /* for a tool case: the call as JSON */
    char      *tools_json;         /* NULL, or the tools offered (lw_probe_req) */
    int        long_output;
    int        line;           /* where the case starts in the file */
    lw_custom_scorer *custom;  /* the case's own custom scorers (owned) */
    size_t     n_custom;
} lw_suite_case;

typedef struct {
    char          *name;
    char          *description;
    char          *path;       /* the file it came from */
    lw_suite_case *cases;
    size_t         n_cases;
    lw_custom_scorer *custom;  /* custom scorers of every case (owned) */
    size_t         n_custom;
} lw_suite;

/* A bare name (letters, digits, '-', '_': "quick") loads
 * $LLMWATCH_DATADIR/worker/suites/NAME.yaml; without LLMWATCH_DATADIR,
 * lw_datadir() (LW_DATADIR) then "." (the source tree). Anything else is a
 * path. Errors say file:line:col. *out: caller frees with lw_suite_free. */
int  lw_suite_load(const char *path_or_name, lw_suite **out, lw_err *err);
void lw_suite_free(lw_suite *s);

/* ---- engine ------------------------------------------------------------- */

typedef struct {
    /* input, all borrowed */
    const char *provider;          /* kind, see lw_provider_find */
    const char *base_url;
    const char *model;
    const char *api_key;
    const char *prompt;
    int         max_tokens;
    const char *probe_id;          /* NULL: a random one is made */
    const char *group;             /* concurrency group; NULL = provider+base_url+model */
    int         max_concurrency;   /* this group's limit; 0 = opts.per_model (the
                                    * first job of a group sets it) */
    int         timeout_ms;        /* 0 = opts.timeout_ms */
    int64_t     price_in_micros_per_mtok;
    int64_t     price_out_micros_per_mtok;
    const char *tools_json;        /* tools the model may call (lw_probe_req) */
    const lw_scorer *scorer;       /* NULL: quality not scored */
    /* output, overwritten by lw_probe_run (free a previous one first);
     * lw_probe_result_free(&job.result) when done with it */
    lw_probe_result result;
} lw_probe_job;

typedef struct {
    int    timeout_ms;          /* whole request; default 60000 */
    int    connect_timeout_ms;  /* default 10000 */
    int    stall_s;             /* cut when under 1 byte/s for this long; default 30 */
    int    per_model;           /* concurrent requests per group; default 4 */
    int    max_total;           /* concurrent requests overall; default 64 */
    size_t body_cap;            /* reply bytes; default 1 MiB */
    size_t text_cap;            /* text kept in the result; default 16 KiB */
    const char *user_agent;     /* default "llmwatch/1" */
} lw_probe_opts;

/* Zeroed fields of *o get the defaults above. */
void lw_probe_opts_defaults(lw_probe_opts *o);

/* Runs every job concurrently (libcurl multi, one thread) and fills each
 * job's result; a failed request is a result, not an error. Returns 0, or a
 * negative LW_E* before any request is sent (a job that cannot be built,
 * curl setup failure). opts may be NULL. */
int lw_probe_run(lw_probe_job *jobs, size_t n, const lw_probe_opts *opts, lw_err *err);

/* ---- internals shared by the engine and the tests ------------------------ */

/* What the transport saw; filled by the engine (or a test). */
typedef struct {
    long        http_status;       /* 0 when no reply status */
    int         transport_failed;  /* curl reported an error */
    lw_probe_errclass transport_class;
    const char *transport_msg;
    int         oversize;          /* aborted at the body cap */
    size_t      body_cap;
    size_t      body_bytes;        /* 2xx body bytes received */
    const char *err_body;          /* non-2xx body (borrowed), may be NULL */
    size_t      err_body_len;
    int64_t     retry_after_s;
    int64_t     t_start_us;        /* the transfer started; 0: t_sent_us */
    int64_t     t_sent_us, t_end_us;
    double      connect_ms, tls_ms, headers_ms;   /* from t_start; -1 unknown */
} lw_probe_outcome;

/* Fills job->result from the outcome and the parsed stream: class, measures,
 * estimated tokens, cost, capped text, quality. */
int lw_probe_finalize(lw_probe_job *job, const lw_probe_outcome *oc, lw_stream *st,
                      size_t text_cap);

/* Puts s into dst (size n), truncated at a UTF-8 boundary, control
 * characters as spaces, the key (and any 8+ character piece of it) replaced
 * by "[redacted]". */
void lw_probe_sanitize_msg(char *dst, size_t n, const char *s, size_t len,
                           const char *key);

/* Helpers for the provider modules. */
struct json_object;
/* Parses exactly len bytes as one JSON value; NULL if malformed
 * (caller puts with json_object_put). */
struct json_object *lw_provider_json_parse(const char *s, size_t len);
/* An event's JSON (caller puts), or NULL: then a protocol error
 * "malformed JSON in stream" (plus " (event E)" when event is not NULL)
 * has been recorded, unless the event is the unterminated last line of the
 * body, which was cut in its middle (the stream stays truncated). */
struct json_object *lw_stream_json(lw_stream *st, const char *data, size_t len,
                                   const char *event);
/* Output as it arrives, each stamping the output times (empty pieces are
 * not output). Text is answer text: the first non-empty one stamps
 * t_first_us. Reasoning is not answer output. LW_OK or LW_ENOMEM. */
int  lw_stream_add_text(lw_stream *st, const char *s, size_t len);
int  lw_stream_add_refusal(lw_stream *st, const char *s, size_t len);
int  lw_stream_add_reasoning(lw_stream *st, const char *s, size_t len);
/* A tool call in slot (its index in the stream, < LW_STREAM_MAX_TOOLS;
 * later slots are ignored): a name (NULL when this piece has none) and a
 * fragment of its JSON arguments (NULL or "" when none). A named call is
 * answer output from its first piece. */
int  lw_stream_add_tool(lw_stream *st, size_t slot, const char *name, const char *args,
                        size_t args_len);
/* Usage: the count of reasoning tokens a provider reported. */
void lw_stream_reasoning_tokens(lw_stream *st, int64_t n);
/* The model version the reply named ("model", "modelVersion") and
 * OpenAI's system_fingerprint; NULL or "" leave what was there. */
void lw_stream_version(lw_stream *st, const char *model, const char *fingerprint);
/* The end marker ([DONE], message_stop, Gemini's finishReason or
 * blockReason) arrived in this event. */
void lw_stream_done(lw_stream *st);
/* Records the first protocol error. */
void lw_stream_protocol_error(lw_stream *st, const char *fmt, ...) LW_PRINTF(2, 3);
/* {base}/{version}/{rest} into out (caller frees): base without trailing
 * '/', version not repeated when base already ends with it. */
int  lw_provider_url(const lw_provider_ops *p, const char *base_url, const char *version,
                     const char *rest, char **out, lw_err *err);
int  lw_http_req_header(lw_http_req *r, const char *name, const char *value);
/* What every provider's streaming request ends with: body serialised as
 * JSON, Content-Type and Accept (event stream) headers, extra_name:
 * extra_value when given, the API key as key_name: key_prefix KEY when rq
 * has one, and X-Llmwatch-Probe-Id. LW_OK, LW_ENOMEM, or LW_EINVAL with
 * err (a key or probe id with a line break). */
int  lw_provider_request(const lw_provider_ops *p, const lw_probe_req *rq,
                         struct json_object *body, const char *extra_name,
                         const char *extra_value, const char *key_name, const char *key_prefix,
                         lw_http_req *out, lw_err *err);
/* [{"role": "user", "content": prompt}] (caller puts); NULL when out of
 * memory. OpenAI and Anthropic take the prompt so. */
struct json_object *lw_provider_messages(const lw_probe_req *rq);
/* The tools of rq (when it has some) into body under key, each converted
 * by one() to the provider's shape (NULL: out of memory). LW_OK, LW_ENOMEM,
 * or LW_EINVAL with err when tools_json is not a JSON array of objects. */
int  lw_provider_tools(const lw_provider_ops *p, const lw_probe_req *rq,
                       struct json_object *body, const char *key,
                       struct json_object *(*one)(struct json_object *tool), lw_err *err);
/* json_object_get_int64 of a key when it is a number, else -1. */
int64_t lw_provider_json_int(struct json_object *o, const char *key);
/* json string of a key, borrowed; NULL when absent or not a string. */
const char *lw_provider_json_str(struct json_object *o, const char *key, size_t *len);

#endif
