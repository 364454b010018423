/* server.h: what the event loop (server.c) and the routes (routes.c) of
 * llmwatch-sim share: a connection, the server's one state, and the
 * calls a route answers with. Not for the other modules. */
#ifndef LW_SIM_SERVER_H
#define LW_SIM_SERVER_H

#include "sim.h"

enum { TAG_LISTEN = 1, TAG_TIMERFD, TAG_SIGNAL, TAG_CONN };
enum { C_READ, C_BUSY, C_CLOSING, C_LINGER };

typedef struct lw_sim_conn {
    int              tag;                     /* TAG_CONN; epoll data points here */
    int              fd;
    int              state;
    int              dead;                    /* free at the end of this event */
    unsigned         events;                  /* registered with epoll */
    lw_sim_timer        timer;
    lw_buf           in, out;
    size_t           out_off;
    lw_pool         *pool;                    /* the current request head */
    lw_sim_http_req  req;
    int              have_head, sent_continue;
    size_t           scanned;                 /* input known to hold no end of head */
    int64_t          req_start_us;
    lw_sim_gen      *gen;                     /* LLM request in progress */
    struct lw_sim_conn *prev, *next;
} lw_sim_conn;

struct lw_sim_server {
    const lw_sim_opts *opts;
    int                ep, lfd, tfd, sfd, logfd;
    int                ltag, ttag, stag;
    lw_sim_scenarios  *scenarios;
    lw_sim_suites     *suites;
    lw_sim_ctx         ctx;
    int                use_pwait2;
    lw_sim_timer          accept_timer;
    lw_sim_conn       *conns;
    uint64_t           seq;
    int                stop;
    lw_buf             line;
    /* stats */
    uint64_t           conns_open, conns_total, requests, llm, active;
    uint64_t           by_outcome[LW_SIM_OUT_N], by_proto[3], bytes_out, client_closed;
    uint64_t           late_n;
    int64_t            late_sum, late_max;
    int64_t            busy_max;                /* longest stretch between two epoll_waits */
};

/* The one server of this process (one thread). */
extern struct lw_sim_server lw_sim_srv;

/* Writes a whole response (status, content type, body, extra header lines
 * or NULL) and finishes the request. */
void lw_sim_respond(lw_sim_conn *c, int status, const char *ctype, const char *body, size_t n,
                    int keep_alive, const char *extra);
/* An error response in the protocol's own error format. */
void lw_sim_respond_error(lw_sim_conn *c, int proto, int status, const char *msg, int keep_alive,
                          const char *extra);
/* Starts streaming a generated answer on c (g owned by c from here). */
void lw_sim_gen_begin(lw_sim_conn *c, lw_sim_gen *g);
/* The protocol of an LLM route, or -1 for another path. routes.c */
int  lw_sim_llm_route(const char *path);
/* Routes a complete request. routes.c */
void lw_sim_dispatch(lw_sim_conn *c, const char *body, size_t blen, int64_t recv_us);

#endif
