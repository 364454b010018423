/* sim.h: llmwatch-sim, the provider simulator: types shared by its modules
 * (RNG and distributions, YAML scenarios, known-prompt suites, HTTP request
 * parsing, protocol framing, response generation, event loop). */
#ifndef LW_SIM_H
#define LW_SIM_H

#include "diag.h"
#include "lw.h"
#include "yamlmap.h"

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define LW_SIM_HEAD_MAX   (16 * 1024)    /* request line + headers: 431 above */
#define LW_SIM_BODY_MAX   (1024 * 1024)  /* request body: 413 above */

/* ---- output helpers (util.c): append to a buffer, abort on OOM like
 * lw_strdup does; a simulator that cannot allocate has nothing to say. */
void lw_sim_put(lw_buf *b, const char *s, size_t n);
void lw_sim_puts(lw_buf *b, const char *s);
/* Aborts unless rc, what an lw_buf append returned, is LW_OK. */
void lw_sim_ok(int rc);
/* lw_buf_printf (its format checked), aborting on OOM. */
#define lw_sim_printf(b, ...) lw_sim_ok(lw_buf_printf((b), __VA_ARGS__))
/* Appends s as a quoted JSON string (NULL becomes null). */
void lw_sim_json_str(lw_buf *b, const char *s, size_t n);
void lw_sim_json_cstr(lw_buf *b, const char *s);
/* Frees n strings of v and v itself (NULL: nothing). */
void lw_sim_free_strings(char **v, size_t n);
/* Collapses runs of whitespace to one space and trims; caller frees. */
char *lw_sim_normalize_ws(const char *s);

/* ---- rng.c: PCG32, deterministic per (seed, request sequence) */
typedef struct {
    uint64_t state;
    uint64_t inc;
} lw_sim_rng;

void     lw_sim_rng_seed(lw_sim_rng *r, uint64_t seed, uint64_t stream);
uint32_t lw_sim_rng_u32(lw_sim_rng *r);
double   lw_sim_rng_unit(lw_sim_rng *r);                 /* [0, 1) */
long     lw_sim_rng_range(lw_sim_rng *r, long lo, long hi); /* [lo, hi] */
double   lw_sim_rng_normal(lw_sim_rng *r);               /* N(0, 1) */

enum { LW_SIM_DIST_FIXED, LW_SIM_DIST_NORMAL, LW_SIM_DIST_LOGNORMAL, LW_SIM_DIST_UNIFORM };

typedef struct {
    int    kind;
    double mean, stddev, min, max;
    int    has_min, has_max;
} lw_sim_dist;

/* One draw, clamped to [min, max] when given and never negative. */
double lw_sim_dist_sample(const lw_sim_dist *d, lw_sim_rng *r);

/* ---- outcomes: what a request was made to do (the log's "outcome") */
enum {
    LW_SIM_OUT_OK,
    LW_SIM_OUT_ERROR_500,
    LW_SIM_OUT_RATE_LIMITED,
    LW_SIM_OUT_AUTH,
    LW_SIM_OUT_TRUNCATED,
    LW_SIM_OUT_MALFORMED,
    LW_SIM_OUT_EMPTY,
    LW_SIM_OUT_SLOW_DRIP,
    LW_SIM_OUT_HANG,
    LW_SIM_OUT_OVERSIZE,
    LW_SIM_OUT_OVERLOADED,
    LW_SIM_OUT_NO_USAGE,
    LW_SIM_OUT_BAD_REQUEST,   /* 400/413: request refused before any scenario */
    LW_SIM_OUT_NOT_FOUND,     /* no scenario for the model: 404 */
    LW_SIM_OUT_TOOL_CALL,     /* the answer is a call of an offered tool */
    LW_SIM_OUT_REFUSAL,       /* the model declines */
    LW_SIM_OUT_NO_DONE,       /* OpenAI: a complete stream without [DONE] */
    LW_SIM_OUT_NO_TERMINATOR, /* the last event without its blank line */
    LW_SIM_OUT_N
};
const char *lw_sim_outcome_name(int outcome);

/* ---- yaml.c: the simulator's YAML files through lib/yamlmap.h */
typedef struct {
    lw_ymap_doc  doc;
    lw_diag      diag;
    lw_pool     *pool;
    const char  *path;        /* pool-owned */
    yaml_node_t *root;        /* NULL when the file did not parse */
    int          loaded;
} lw_sim_yaml;

/* Reads and parses path (expected: what it should hold, said of an empty
 * file): LW_OK with y->root set, or the error in err. lw_sim_yaml_free in
 * every case. */
int  lw_sim_yaml_load(lw_sim_yaml *y, const char *path, const char *expected, lw_err *err);
/* LW_OK when no error was reported while reading the document, else
 * LW_EINVAL (or LW_ENOMEM) with the first one, file:line:col, in err. */
int  lw_sim_yaml_done(lw_sim_yaml *y, lw_err *err);
void lw_sim_yaml_free(lw_sim_yaml *y);
/* For tolerant reading (suites, whose schema is not the simulator's): the
 * value of key in a mapping (NULL: none), a scalar's text (NULL: not a
 * scalar). */
yaml_node_t *lw_sim_yaml_lookup(lw_sim_yaml *y, yaml_node_t *map, const char *key);
const char  *lw_sim_yaml_scalar(const yaml_node_t *n);

/* ---- scenario.c */
typedef struct {
    int     has_after, has_until;        /* minutes since the simulator started */
    double  after_min, until_min;
    int     has_from, has_to;            /* wall clock, RFC3339 */
    int64_t from_us, to_us;
    unsigned weekdays;                   /* bit 0 = Sunday; 0 = any day (UTC) */
    int     hour_from, hour_to;          /* UTC [from, to), -1 = any hour */
    double  ttft_factor, itl_factor;
    int     has_rate[LW_SIM_OUT_N];      /* rate overrides while active */
    double  rate[LW_SIM_OUT_N];
} lw_sim_drift;

typedef struct {
    char        *name;                   /* model name, glob or "default" */
    int          is_glob, is_default;
    int          line;
    lw_sim_dist  ttft, itl, headers, out_tokens;
    double       rate[LW_SIM_OUT_N];     /* drawn outcomes; sum <= 1 */
    double       slow_drip_ms;
    long         retry_after;            /* seconds */
    char        *api_key;                /* NULL: any non-empty key */
    int          require_key;            /* 0: no key is fine too (self-hosted servers) */
    double       accuracy;
    int          late_input_tokens;      /* Anthropic: input_tokens in message_delta */
    int          empty_delta_first;      /* an empty content delta before the first token */
    long         thoughts_tokens;        /* Gemini thoughtsTokenCount (not streamed) */
    lw_sim_dist  reasoning;              /* reasoning tokens streamed before the answer */
    int          has_reasoning;
    char       **versions;               /* the model version replies name, in turn */
    size_t       n_versions;
    double       version_minutes;        /* each version lasts this long (0: the first only) */
    long         oversize_bytes;
    int          sse_crlf;               /* -1: protocol default (CRLF for Gemini) */
    lw_sim_drift *drift;
    size_t       n_drift;
} lw_sim_scenario;

typedef struct {
    char            *path;
    uint64_t         seed;
    int              has_seed;
    lw_sim_scenario *v;
    size_t           n;
} lw_sim_scenarios;

/* Loads and validates a scenario file; *out is caller-freed with
 * lw_sim_scenarios_free. Errors name file:line:col. */
int  lw_sim_scenarios_load(const char *path, lw_sim_scenarios **out, lw_err *err);
/* The built-in set used without --scenarios (one "default"); caller frees. */
lw_sim_scenarios *lw_sim_scenarios_builtin(void);
void lw_sim_scenarios_free(lw_sim_scenarios *s);
/* Exact name, then globs in file order, then "default"; NULL if none (borrowed). */
const lw_sim_scenario *lw_sim_scenario_find(const lw_sim_scenarios *s, const char *model);

typedef struct {
    double ttft_factor, itl_factor;
    double rate[LW_SIM_OUT_N];
} lw_sim_effective;

/* Scenario parameters after the drift entries active at this moment. */
void lw_sim_scenario_effective(const lw_sim_scenario *sc, int64_t wall_us,
                               double minutes_since_start, lw_sim_effective *out);

/* ---- suites.c: known prompts and their reference answers */
typedef struct {
    char  *id;
    char  *norm_prompt;          /* whitespace-normalised */
    char  *answer;
    char  *tool_name;            /* a tool case (scorer tool_call): the call, */
    char  *tool_args;            /* its arguments as JSON ("{}" when none) */
    char **wrong;                /* explicit wrong answers, may be empty */
    size_t n_wrong;
    int    long_output;
} lw_sim_case;

typedef struct {
    lw_sim_case *v;
    size_t       n;
    size_t       files;
} lw_sim_suites;

/* Loads every *.yaml / *.yml of dir (a missing dir gives an empty set);
 * *out is caller-freed with lw_sim_suites_free. */
int  lw_sim_suites_load(const char *dir, lw_sim_suites **out, lw_err *err);
void lw_sim_suites_free(lw_sim_suites *s);
/* The case whose prompt the user text equals or contains (longest wins). */
const lw_sim_case *lw_sim_suites_match(const lw_sim_suites *s, const char *text);
/* A plausible wrong answer for c (pool-owned). */
char *lw_sim_suites_wrong(const lw_sim_suites *s, const lw_sim_case *c,
                          lw_sim_rng *r, lw_pool *pool);

/* ---- http.c: request head parsing and response heads */
typedef struct {
    char  method[16];
    char *path;                  /* pool-owned, without the query */
    char *query;                 /* pool-owned, "" when none */
    int   minor;                 /* HTTP/1.minor */
    long long content_length;    /* -1 when absent */
    int   expect_continue;
    int   keep_alive;
    char *authorization, *x_api_key, *goog_api_key, *probe_id;
    size_t head_len;             /* bytes of request line + headers + blank line */
} lw_sim_http_req;

/* 0: head complete; 1: need more bytes; >= 400: the status to answer with
 * (the connection is closed afterwards). Strings go into pool. */
int  lw_sim_http_parse(const char *buf, size_t len, lw_pool *pool, lw_sim_http_req *r);
const char *lw_sim_http_reason(int status);
/* Status line and headers; clen >= 0 Content-Length, -1 chunked, -2 the body
 * ends when the connection closes. extra: more "Name: value\r\n" lines or NULL. */
void lw_sim_http_head(lw_buf *out, int status, const char *ctype, long long clen,
                      int keep_alive, const char *extra);
/* A complete response with a body. */
void lw_sim_http_simple(lw_buf *out, int status, const char *ctype, const char *body,
                        size_t n, int keep_alive, const char *extra);
/* Percent-decodes into pool. */
char *lw_sim_url_decode(lw_pool *pool, const char *s, size_t n);
/* Value of name in a query string (pool-owned, decoded) or NULL. */
char *lw_sim_query_get(lw_pool *pool, const char *query, const char *name);

/* ---- proto.c: request bodies and the providers' framing */
enum { LW_SIM_PROTO_OPENAI, LW_SIM_PROTO_ANTHROPIC, LW_SIM_PROTO_GOOGLE };
const char *lw_sim_proto_name(int proto);

typedef struct {
    char *model;                 /* from the body (OpenAI, Anthropic) */
    int   stream;
    int   include_usage;         /* OpenAI stream_options.include_usage */
    long  max_tokens;            /* 0 when absent */
    char *prompt;                /* text of the last user message, pool-owned */
    long  words;                 /* whitespace-separated words in all messages */
    const char *tool;            /* the first tool offered (pool-owned), NULL: none */
} lw_sim_ask;

/* Parses a request body; LW_EINVAL with msg (for the 400 reply) on error. */
int lw_sim_proto_parse(int proto, const char *body, size_t len, lw_pool *pool,
                       lw_sim_ask *a, char *msg, size_t msgsz);
/* The provider's error JSON for an HTTP status. */
void lw_sim_proto_error(int proto, int status, const char *message, lw_buf *out);

typedef struct {
    const char *s;
    size_t      n;
} lw_sim_tok;

typedef struct lw_sim_gen lw_sim_gen;

/* SSE events, appended to out as whole events ("data: ...\n\n"). */
void lw_sim_ev_begin(const lw_sim_gen *g, lw_buf *out, const char *event);
void lw_sim_ev_end(const lw_sim_gen *g, lw_buf *out);
/* OpenAI: a chat.completion.chunk up to its choices array, and its end. */
void lw_sim_oai_begin(const lw_sim_gen *g, lw_buf *out);
void lw_sim_oai_end(const lw_sim_gen *g, lw_buf *out);
/* OpenAI: a chunk whose delta is field (e.g. "\"content\":") then s as
 * a JSON string. */
void lw_sim_oai_delta(const lw_sim_gen *g, const char *field, const char *s, size_t n,
                      lw_buf *out);
/* Gemini: the end of a response (modelVersion, responseId) and its event. */
void lw_sim_google_end(const lw_sim_gen *g, lw_buf *out);
/* Anthropic: a content_block_delta of block index, delta type and its
 * field s (a JSON string). */
void lw_sim_anthropic_delta(const lw_sim_gen *g, int index, const char *type, const char *field,
                            const char *s, size_t n, lw_buf *out);
void lw_sim_proto_preamble(const lw_sim_gen *g, lw_buf *out);
void lw_sim_proto_token(const lw_sim_gen *g, const char *s, size_t n, int last, lw_buf *out);
void lw_sim_proto_finish(const lw_sim_gen *g, lw_buf *out);
void lw_sim_proto_overloaded_event(const lw_sim_gen *g, lw_buf *out);
/* answer.c: the answers beyond text. One reasoning token; the start of the
 * answer after reasoning (Anthropic closes the thinking block); one piece
 * of a tool call (the first names it) or of a refusal. */
void lw_sim_proto_reasoning(const lw_sim_gen *g, const char *s, size_t n, lw_buf *out);
void lw_sim_proto_answer_start(const lw_sim_gen *g, lw_buf *out);
void lw_sim_proto_tool(const lw_sim_gen *g, const char *s, size_t n, int first, lw_buf *out);
void lw_sim_proto_refusal(const lw_sim_gen *g, const char *s, size_t n, lw_buf *out);
/* The finish (stop) reason of the reply as planned, as its protocol says it. */
const char *lw_sim_finish(const lw_sim_gen *g);
/* The version a reply names at this wall time (NULL: the model's name). */
const char *lw_sim_version(const lw_sim_scenario *sc, double minutes_since_start);
/* Whole non-streaming body for text (usage per g). */
void lw_sim_proto_full(const lw_sim_gen *g, const char *text, size_t n, lw_buf *out);

/* ---- gen.c: one LLM request from arrival to its last byte */
typedef struct {
    const lw_sim_scenarios *scenarios;
    const lw_sim_suites    *suites;
    uint64_t                seed;
    int64_t                 start_mono_us;
    int64_t                 start_wall_us;   /* simulated wall clock at start */
} lw_sim_ctx;

enum { LW_SIM_ANSWER_NONE = -1, LW_SIM_ANSWER_WRONG = 0, LW_SIM_ANSWER_CORRECT = 1 };

/* Where a request is: head, a whole body, streamed tokens, an oversize
 * burst, a slow drip, done. */
enum { LW_SIM_PH_HEAD, LW_SIM_PH_BODY, LW_SIM_PH_TOKENS, LW_SIM_PH_BURST, LW_SIM_PH_DRIP,
       LW_SIM_PH_DONE };

struct lw_sim_gen {
    lw_pool    *pool;
    uint64_t    seq;
    int         proto, stream, chunked, keep_alive, include_usage;
    const char *model, *scenario, *probe_id;   /* pool-owned */
    char        id[48];
    int64_t     created;                       /* unix seconds */
    int         outcome, status;
    lw_sim_rng  rng;
    int         phase;

    /* timing, CLOCK_MONOTONIC µs */
    int64_t     recv_us, head_at, ttft_at, next_at;
    int64_t     first_content_us, end_us;      /* 0 = not (yet); first output of any kind */
    int64_t     first_answer_us;               /* first answer output (after reasoning) */
    lw_sim_dist itl;
    double      itl_factor;

    /* content */
    lw_sim_tok *toks;
    int         ntok, sent, cut_at, bad_at, finish_length, answer;
    int         reason_n, reasoned;            /* reasoning tokens planned, sent */
    int         kind;                          /* LW_SIM_OUT_OK (text), _TOOL_CALL, _REFUSAL */
    const char *tool_name, *tool_id;           /* a tool call (pool-owned) */
    const char *version;                       /* what the reply names, NULL: model */
    int         no_done, no_terminator;
    int         answer_begun;                  /* the answer's first event went out */
    long        input_tokens, thoughts_tokens;
    int         late_input, empty_first, crlf, usage_sent, no_usage;
    long        retry_after;
    char       *err_msg;                       /* immediate error reply */
    long        oversize_bytes, body_bytes;
    double      drip_ms;
    lw_buf      drip;                          /* bytes still to drip */
    size_t      drip_off;
    char       *full;                          /* non-streaming body text */
    size_t      full_len;
};

enum { LW_SIM_STEP_WAIT, LW_SIM_STEP_IDLE, LW_SIM_STEP_DONE, LW_SIM_STEP_CLOSE };

typedef struct {
    int     action;        /* WAIT: call again at next_at; IDLE: never (hang);
                            * DONE: response complete; CLOSE: close the connection */
    int     first_content; /* out now holds the first byte of the first content */
    int     first_answer;  /* ... of the first answer output (after any reasoning) */
} lw_sim_step;

/* Milliseconds (a drawn duration) as microseconds. */
int64_t lw_sim_ms_to_us(double ms);
/* A filler token (a common word and a space), drawn from r. */
void lw_sim_filler_tok(lw_sim_rng *r, lw_sim_tok *t);
/* Plans a request to an LLM route. Never fails for bad input: a 400/401/404
 * becomes an immediate error plan. *out is freed with lw_sim_gen_free. */
lw_sim_gen *lw_sim_gen_start(const lw_sim_ctx *ctx, uint64_t seq, int proto,
                             const lw_sim_http_req *h, const char *model_from_path,
                             int stream_from_path, const char *body, size_t blen,
                             int64_t recv_us);
/* A plan that answers status at once (e.g. 413 before the body is read). */
lw_sim_gen *lw_sim_gen_refuse(uint64_t seq, int proto, const lw_sim_http_req *h,
                              int status, const char *message, int64_t recv_us);
/* Performs what is due at now, appending HTTP bytes to out. out_pending is
 * how much earlier output the client has not taken yet (for pacing). */
void lw_sim_gen_step(lw_sim_gen *g, int64_t now, size_t out_pending, lw_buf *out,
                     lw_sim_step *st);
/* One ground-truth JSON line (with '\n') for the log. */
void lw_sim_gen_log_line(const lw_sim_gen *g, int client_closed, lw_buf *out);
void lw_sim_gen_free(lw_sim_gen *g);
/* Releases the module's scratch buffer (at exit). */
void lw_sim_gen_cleanup(void);

/* ---- server.c */
typedef struct {
    const char *listen;          /* "host:port", port 0 = any free port */
    const char *scenarios_path;  /* NULL: built-in default scenario */
    const char *log_path;        /* ground truth, NULL: none */
    const char *suites_dir;
    const char *port_file;       /* write the bound port here */
    int         has_seed;
    uint64_t    seed;
    int64_t     wall_start_us;   /* 0: the real wall clock */
} lw_sim_opts;

/* Runs until SIGTERM/SIGINT; SIGHUP reloads scenarios and suites and
 * reopens the log. 0 or a negative LW_E* code with err set. */
int lw_sim_server_run(const lw_sim_opts *o, lw_err *err);

/* ---- timer.c: deadlines on CLOCK_MONOTONIC (microseconds), one thread */
typedef struct lw_sim_timer {
    int64_t at;
    size_t  idx;                              /* heap slot + 1; 0 = not armed */
    void  (*fire)(struct lw_sim_timer *t);
} lw_sim_timer;

/* (Re)arms t for `at`; cancels a timer that is not armed is a no-op. */
void    lw_sim_timer_set(lw_sim_timer *t, int64_t at);
void    lw_sim_timer_cancel(lw_sim_timer *t);
/* Fires, in order, the timers due now (not those falling due meanwhile). */
void    lw_sim_timers_run(void);
/* The earliest deadline, 0 when none is armed; how many are armed. */
int64_t lw_sim_timer_first(void);
size_t  lw_sim_timers_pending(void);
/* The timerfd fallback: points tfd at the earliest deadline unless it
 * already fires no later; lw_sim_timer_fired after reading it. */
void    lw_sim_timer_arm(int tfd);
void    lw_sim_timer_fired(void);
void    lw_sim_timers_free(void);

/* ---- listen.c */
/* A listening socket on spec (HOST:PORT, [V6]:PORT, *:PORT; port 0 picks
 * a free one, written to port_file when not NULL). *fd gets it. */
int  lw_sim_listen(const char *spec, const char *port_file, int *fd, lw_err *err);
/* Raises the descriptor limit to its maximum; warns when it stays low. */
void lw_sim_raise_nofile(void);

#endif
