/* cycle.h: the SQL of a probe cycle: its probe_cycles record, the models'
 * ids, every row of a round written with one COPY in one transaction, and
 * the per-model figures of a cycle computed by PostgreSQL. PGresults go
 * to the caller (PQclear); NULL (or LW_EDB) with a message in err. */
#ifndef LW_DB_CYCLE_H
#define LW_DB_CYCLE_H

#include "db/db.h"

/* Records a new cycle (status running) of kind ("probe", "full_benchmark",
 * "baseline"), ad hoc (run by hand) or not (a job of the scheduler), after
 * marking failed the cycles a killed process left running for over six
 * hours. *id gets it. */
int lw_db_cycle_begin(lw_db *db, lw_err *err, const char *kind, const char *suite,
                      int iterations, int adhoc, long long *id);
/* Marks the cycle finished: ok, or failed with error (not NULL). */
int lw_db_cycle_end(lw_db *db, lw_err *err, long long id, const char *error);

/* The ids of models named by (environment, name) pairs, a JSON array of
 * two-string arrays: index in the array, model id, environment id. */
PGresult *lw_db_cycle_model_ids(lw_db *db, lw_err *err, const char *pairs_json);

/* The models an ad-hoc run probes that the database does not know: a JSON
 * array of {environment, name, provider, model, base_url}, inserted
 * disabled with source 'adhoc' (their environment too when it is new), so
 * their rows have a model to point at while the instance monitors what it
 * did. Existing models are left as they are. Rows inserted, or a
 * negative LW_E* code. */
int lw_db_cycle_adhoc_models(lw_db *db, lw_err *err, const char *models_json);

/* Clears probes.answer older than the `answer_retention_days` setting (14
 * by default): the answers are evidence for a while, not an archive.
 * Rows cleared, or a negative LW_E* code. */
int lw_db_cycle_clear_answers(lw_db *db, lw_err *err);

/* COPY text fields for lw_db_cycle_store rows (tab-separated, one row per
 * line, columns as lw_db_cycle_store lists them). A text field: valid
 * UTF-8 only (a provider's message must not make the cycle's COPY fail),
 * \ \t \n \r escaped, control characters as spaces, at most max bytes;
 * NULL gives \N. A number: a tab then v in fmt, or \N when !ok or not
 * finite. LW_OK or LW_ENOMEM. */
int lw_db_cycle_copy_text(lw_buf *b, const char *s, size_t max);
int lw_db_cycle_copy_num(lw_buf *b, double v, int ok, const char *fmt);

/* Writes rows (COPY text of probes: ts, model_id, environment_id,
 * cycle_id, suite, case_id, request_id, ok, error_class, error_message,
 * http_status, ttft_ms, total_ms, input_tokens, output_tokens,
 * tokens_estimated, decode_tps, e2e_tps, cost_usd, quality_score, outcome,
 * finish_reason, finish_reason_raw, block_reason, answer, first_output_ms,
 * reasoning_tokens, connect_ms, tls_ms, headers_ms, max_gap_ms, stream_end,
 * model_version, system_fingerprint), adds the counts to the cycle and
 * records the model versions the round saw, in one transaction, after
 * making sure the days around today have their partitions.
 * versions_json (NULL: none): a JSON array of {model_id, environment_id,
 * model_version, system_fingerprint, probes, at}, one per model: a version
 * unlike the model's latest in model_versions starts a new row there. */
int lw_db_cycle_store(lw_db *db, lw_err *err, long long cycle_id, const lw_buf *rows,
                      size_t n_rows, size_t n_ok, size_t n_models, double engine_ms,
                      const char *versions_json);

/* Per (model, environment) over the cycle's rows not older than since:
 * model_id, environment_id, count, ok, ttft p50, total p50 (ok rows),
 * decode tokens/s (the mean of the rows' own rates: each is counted over
 * its own window), end-to-end tokens/s, mean quality, cost (6 decimals). */
PGresult *lw_db_cycle_summary(lw_db *db, lw_err *err, long long cycle_id, const char *since);
/* Failed rows by class: model_id, environment_id, error_class, count, one
 * message; by model, most frequent first. */
PGresult *lw_db_cycle_errors(lw_db *db, lw_err *err, long long cycle_id, const char *since);

#endif
