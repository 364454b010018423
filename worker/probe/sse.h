/* sse.h: incremental parser for server-sent events (the WHATWG
 * "text/event-stream" framing) fed with arbitrary network reads. */
#ifndef LW_SSE_H
#define LW_SSE_H

#include <stddef.h>

#include "lw.h"

/* Called once per dispatched event: event is the `event:` name ("" when
 * none), data the joined `data:` lines (NUL-terminated, len bytes).
 * Both borrowed for the duration of the call. Nonzero stops the parser and
 * is returned by lw_sse_feed. */
typedef int (*lw_sse_event_fn)(void *ud, const char *event, const char *data,
                               size_t len);

/* A line longer than this (no newline in sight) is an error. */
#define LW_SSE_MAX_LINE (2u * 1024 * 1024)

typedef struct {
    lw_buf          line;       /* current line, without its terminator */
    lw_buf          data;       /* data of the event being built */
    lw_buf          event;      /* event name of the event being built */
    int             skip_lf;    /* last line ended with \r: a following \n belongs to it */
    int             has_data;   /* a data: field was seen since the last dispatch */
    int             first_line; /* no line completed yet (BOM check) */
    int             partial_eof;/* lw_sse_finish found an unterminated line */
    int             eof_lines;  /* set by the user: lw_sse_finish takes that line
                                 * as if it had its line end */
    int             at_eof;     /* 1 while lw_sse_finish dispatches */
    size_t          n_events;
    lw_sse_event_fn fn;
    void           *ud;
} lw_sse;

void lw_sse_init(lw_sse *s, lw_sse_event_fn fn, void *ud);
/* Returns 0, LW_ENOMEM, LW_EINVAL (line over LW_SSE_MAX_LINE) or the
 * callback's nonzero value. */
int  lw_sse_feed(lw_sse *s, const char *buf, size_t n);
/* End of stream. An event whose data lines were complete but whose blank
 * line never came is dispatched (servers that end without it), with
 * at_eof set during the callback; an unterminated last line is flagged in
 * partial_eof and dropped, or, with eof_lines, taken into that event (the
 * callback then decides whether it was whole: at_eof tells it). */
int  lw_sse_finish(lw_sse *s);
void lw_sse_free(lw_sse *s);

#endif
