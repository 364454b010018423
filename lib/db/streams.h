/* streams.h: the SQL of a model's streams as its page shows them
 * (app/page_model_streams.c): what its answers were, how its streams
 * ended, its times to first output and first answer token, and the model
 * versions it reported. Raw probes, bounded: aggregates over the page's
 * range of one model (the probes_model_ts index), the last answers of the
 * last 24 hours (LIMIT), the version history (LIMIT). PGresults go to the
 * caller (PQclear); NULL with a message in err. */
#ifndef LW_DB_STREAMS_H
#define LW_DB_STREAMS_H

#include <time.h>

#include "db/db.h"

/* Counts over (from, to]: kind ('outcome', 'finish', 'end'), name, n, cls.
 * outcome: text, tool_call, refusal, blocked, or the error class of a
 * failed probe (cls ok, warn or crit); finish: the normalised finish
 * reason of the answers; end: how the streams ended. By kind, most
 * frequent first. */
PGresult *lw_db_streams_counts(lw_db *db, lw_err *err, long long model_id, time_t from,
                               time_t to);

/* One row over (from, to]: probes, answers, first_output_p50_ms,
 * ttft_p50_ms (first answer token), max_gap_p95_ms, stall_pct (answers
 * with a gap of LW_STALL_GAP_MS or more), refusal_pct, reasoning_avg,
 * connect_p50_ms, headers_p50_ms, version_changes. */
PGresult *lw_db_streams_summary(lw_db *db, lw_err *err, long long model_id, time_t from,
                                time_t to);

/* The last `limit` answers of the last 24 hours, newest first: at, suite,
 * case_id, outcome, finish_reason, finish_reason_raw, block_reason,
 * stream_end, answer. */
PGresult *lw_db_streams_answers(lw_db *db, lw_err *err, long long model_id, int limit);

/* The model versions it reported, newest first, at most `limit`:
 * model_version, system_fingerprint, first_seen, last_seen, probes. */
PGresult *lw_db_streams_versions(lw_db *db, lw_err *err, long long model_id, int limit);

#endif
