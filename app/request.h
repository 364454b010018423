/* request.h: one FastCGI request: what came in (method, path, parameters,
 * cookies, body, user) and what goes out (status, headers, template or raw
 * body). Everything allocated for it lives in r->pool and is released by
 * lw_req_free after FCGX_Finish_r. */
#ifndef LW_REQUEST_H
#define LW_REQUEST_H

#include <stddef.h>
#include "lw.h"
#include "db/db.h"
#include "hdf.h"


/* Where a cached fragment goes in the rendered layout (cached_page.cs puts
 * it there with uvar:; escaped data can never contain a '<'). */
#define LW_REQ_TAIL 2
#define LW_SPLICE_MARK "<!--lw:cached-content-->"

/* The largest request body read; bigger ones get a 413 page. */
#define LW_MAX_BODY (1024 * 1024)

/* How llmwatch-web treats sessions and proxies: set once at start, before
 * the request threads (main.c), read by every request. */
typedef struct {
    long long   session_lifetime_s;  /* a session ends this long after its
                                        login, however active; 0: default */
    const char *trusted_proxies;     /* addresses (exact, separated by commas
                                        or spaces) whose X-Forwarded-Proto and
                                        X-Forwarded-For are believed; borrowed */
    long long   statement_timeout_ms;/* per statement of a page: one slow query
                                        never holds a thread for long; 0: 10 s */
} lw_req_settings;

#define LW_SESSION_LIFETIME_DEFAULT (7 * 86400LL)

/* Takes the settings (copied; trusted_proxies must outlive the requests). */
void lw_req_setup(const lw_req_settings *s);
const lw_req_settings *lw_req_settings_get(void);

/* The largest id of an integer and of a bigint column: what an {id} of a
 * path or an id in a query may be (see lw_req_query_id). */
#define LW_REQ_ID_INT    2147483647LL
#define LW_REQ_ID_BIGINT 9223372036854775807LL

typedef struct {
    const char *name;
    const char *value;
} lw_kv;

typedef struct {
    lw_kv  *items;
    size_t  n, cap;
} lw_kvlist;

typedef struct {
    long long   id;          /* 0 when anonymous */
    const char *email;       /* with a token: "EMAIL (token NAME)", so that
                                what it does is audited under its user */
    int         role;        /* LW_ROLE_* (auth.h) */
    const char *csrf;        /* the session's CSRF token; NULL for tokens */
    const char *session;     /* the raw session token from the cookie */
    int         via_token;   /* authenticated by Authorization: Bearer */
} lw_user;

typedef struct lw_req {
    lw_pool     *pool;
    char       **env;        /* FastCGI params (borrowed until FCGX_Finish_r) */
    lw_db      **dbslot;     /* the thread's connection, opened lazily */
    const char  *db_url;

    /* what came in */
    const char  *method;     /* "GET", "POST"...; HEAD is served as GET */
    int          head;       /* the request was HEAD: no body goes out */
    const char  *path;       /* decoded path, without the query */
    const char  *query;      /* raw query string, "" when none */
    const char  *remote_addr;   /* the client's: REMOTE_ADDR, or behind a
                                   trusted proxy what it says it forwarded */
    const char  *user_agent;
    int          https;      /* HTTPS=on, or a trusted proxy's X-Forwarded-Proto */
    lw_kvlist    query_params;
    lw_kvlist    form;       /* urlencoded POST body */
    const char  *body_in;    /* the raw request body (pool copy, NUL-terminated), NULL if none */
    size_t       body_in_len;
    lw_kvlist    cookies;
    lw_kvlist    path_params;
    long long    content_length;
    int          body_status;   /* 0, or 400/413 when the body was refused */
    const char  *bad_input;  /* why a field or parameter is refused (no NUL,
                                valid UTF-8): a 400 before any page runs */
    lw_user      user;
    const struct lw_route *route;

    /* what goes out */
    lw_hdf       page;       /* page data; destroyed by lw_req_free */
    int          status;
    lw_buf       headers;    /* extra "Name: value\r\n" lines */
    const char  *template;   /* page to render: "dashboard" -> dashboard.cs */
    const char  *error_message; /* set by lw_req_error */
    const char  *content_type;  /* set with body for a raw response */
    const char  *csp;        /* Content-Security-Policy, NULL: the strict default */
    const char  *body;       /* raw response body (pool-owned or borrowed) */
    size_t       body_len;
    const char  *splice;     /* a cached page's content (borrowed from the cache):
                                goes where the layout holds LW_SPLICE_MARK */
    size_t       splice_len;
    const char  *body_more;  /* a second part written after body (a cached
                                part, then a live one), borrowed the same way */
    size_t       body_more_len;
    lw_buf       out;        /* the response: headers and body, but for... */
    struct lw_piece {        /* ...borrowed pieces written after it as they
                                are, without a copy: a cached page's content
                                (and the layout after it), a raw body */
        const char *data;
        size_t      len;
    }            tail[LW_REQ_TAIL];
    int          ntail;
    struct {                 /* timings.c: how long it took, its slowest query */
        int64_t     start_us;
        double      slow_ms;
        const char *slow_sql;     /* borrowed: SQL texts are literals */
        const char *slow_params;  /* JSON array, pool-owned */
        int         observing;
    } timing;
    lw_err       err;
} lw_req;

/* Prepares r from FastCGI params `env` (NULL-terminated "NAME=value"
 * strings, borrowed). dbslot/db_url give the thread's database. LW_OK or
 * LW_ENOMEM. lw_req_free must be called in every case. */
int  lw_req_init(lw_req *r, char **env, lw_db **dbslot, const char *db_url);
/* Takes the request body (copied into r->body_in); parses it when urlencoded. Sets
 * r->body_status to 413 when over LW_MAX_BODY. */
int  lw_req_set_body(lw_req *r, const char *body, size_t len);
void lw_req_free(lw_req *r);

/* The thread's database connection, connected on first use; NULL (message
 * in r->err) when the database cannot be reached. Borrowed. */
lw_db *lw_req_db(lw_req *r);

/* A FastCGI param (e.g. "HTTP_AUTHORIZATION"); borrowed, NULL if absent. */
const char *lw_req_env(lw_req *r, const char *name);
/* A form field of a POST body, else a query parameter; borrowed. */
const char *lw_req_param(lw_req *r, const char *name);
const char *lw_req_query(lw_req *r, const char *name);
/* A field of the urlencoded POST body only; borrowed. */
const char *lw_req_form(lw_req *r, const char *name);
const char *lw_req_cookie(lw_req *r, const char *name);
/* A path parameter such as {id}; borrowed. */
const char *lw_req_path_param(lw_req *r, const char *name);
/* {id} as a number (the router only matches digits within the range of
 * the column the route names), 0 when absent. */
long long   lw_req_id(lw_req *r);
/* An id in the query (lw_req_query_id) or in the form, else the query
 * (lw_req_param_id): 1 with *out in 1..max, 0 when absent or empty,
 * LW_EINVAL when it is anything else (message for people in r->err, for a
 * 400). max: LW_REQ_ID_INT or LW_REQ_ID_BIGINT, the column's type. */
int lw_req_query_id(lw_req *r, const char *name, long long max, long long *out);
int lw_req_param_id(lw_req *r, const char *name, long long max, long long *out);
/* Text that PostgreSQL would refuse: NULL when s[0..n) is valid UTF-8
 * without NUL, else why not ("contains a NUL character"...; static). */
const char *lw_req_text_problem(const char *s, size_t n);

/* Hands res to the request: PQclear()ed when the request is freed.
 * Returns res (NULL passes through; on OOM res is cleared, NULL returned). */
PGresult *lw_req_keep(lw_req *r, PGresult *res);

/* Adds a response header; refuses CR/LF in either part (LW_EINVAL). */
int lw_req_add_header(lw_req *r, const char *name, const char *value);
/* Sets a cookie: HttpOnly, Path=/, SameSite as given, Secure over HTTPS;
 * max_age < 0 for a browser-session cookie, 0 to delete it. */
int lw_req_set_cookie(lw_req *r, const char *name, const char *value,
                      const char *samesite, long max_age);
/* 303 to a local path. Returns LW_OK so a handler can `return` it. */
int lw_req_redirect(lw_req *r, const char *location);
/* The error page (or a JSON error under /api/) with `status` and a
 * message for people. Returns LW_OK. */
int lw_req_error(lw_req *r, int status, const char *message);
/* An empty lw_buf that lives as long as the request (freed by
 * lw_req_free): a raw body built in place. NULL when out of memory. */
lw_buf *lw_req_buf(lw_req *r);
/* A raw response; `body` must outlive the request (pool or static). */
int lw_req_raw(lw_req *r, int status, const char *content_type,
               const char *body, size_t len);
/* The same with a body in two parts written one after the other, neither
 * copied (a cached part and a live one); both must outlive the request. */
int lw_req_raw2(lw_req *r, int status, const char *content_type,
                const char *body, size_t len, const char *more, size_t more_len);

/* Percent-decoding ('+' as space when `plus`) into a pool copy; NULL for
 * invalid encodings or an embedded NUL. */
char *lw_req_url_decode(lw_pool *p, const char *s, size_t n, int plus);
/* Percent-encoding of everything but unreserved characters; pool copy. */
char *lw_req_url_encode(lw_pool *p, const char *s);

#endif
