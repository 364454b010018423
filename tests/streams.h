/* streams.h: what the provider suites share (check_providers.c,
 * check_streams.c, check_measures.c, check_engine.c): recorded streams of
 * tests/fixtures/streams and a comparable summary of what a parse made of
 * one, fed whole and split at every byte. */
#ifndef LW_TEST_STREAMS_H
#define LW_TEST_STREAMS_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"

/* What a parse produced, comparable field by field. */
struct stream_summary {
    char    text[1024];
    char    refusal[512];
    size_t  reasoning_len;
    size_t  n_tools;
    char    tool_name[4][128];
    char    tool_args[4][512];
    int64_t in, out, reasoning_tokens;
    int     usage_seen, done, done_at_eof, perr;
    int     ending;                  /* lw_stream_end */
    char    finish[32];
    char    block_reason[64];
    char    model_version[128];
    char    fingerprint[128];
    char    perr_msg[256];
    size_t  n_deltas, n_answer, n_output;
};

/* A recorded stream of tests/fixtures/streams ($LW_FIXTURES); caller
 * frees. */
char *providers_fixture(const char *name, size_t *len);
void  stream_summarize(const lw_stream *st, struct stream_summary *s);
/* Parses the fixture whole (into *whole), split in two at every byte, byte
 * by byte and in random pieces; every parse must summarise the same. */
/* Feeds buf one event per read (each read ends with the blank line that
 * ends an event, \n\n or \r\n\r\n), read k at t0 + k * step; returns
 * how many reads. */
size_t stream_feed_events(lw_stream *st, const char *buf, size_t len, int64_t t0, int64_t step);
void  check_all_splits(const lw_provider_ops *p, const char *name, struct stream_summary *whole);
/* The same for a stream in memory (name: for messages). */
void  check_all_splits_buf(const lw_provider_ops *p, const char *name, const char *buf, size_t len,
                           struct stream_summary *whole);

#endif
