/* usage.h: the SQL of production usage: the models rows may name, a
 * checked batch stored in one statement (idempotent on its keys, costs
 * from the price of each row's time when not given), and what was used,
 * read from the usage rollups (sql/012_costs.sql).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a
 * message in err. */
#ifndef LW_DB_USAGE_H
#define LW_DB_USAGE_H

#include "db/db.h"

/* Every model usage may name: id, name, model (the provider's id),
 * environment_id, environment; plus, in every row, keep_from (Unix
 * seconds: the start of the raw retention, 0 when none). */
PGresult *lw_db_usage_models(lw_db *db, lw_err *err);

/* Stores the rows of rows_json (lw_usage_to_json) with source "api" or
 * "import", in the caller's transaction or its own statement: rows whose
 * key is already known are skipped. *inserted and *known (skipped) are
 * set. LW_OK or LW_EDB. */
int lw_db_usage_insert(lw_db *db, lw_err *err, const char *rows_json, const char *source,
                       long long *inserted, long long *known);

/* Per model and environment over [from, to) (Unix seconds), optionally
 * one environment (NULL: all): model, environment, requests, errors,
 * input_tokens, output_tokens, cost (numeric text), cost_h (for
 * people), events; by cost. */
PGresult *lw_db_usage_summary(lw_db *db, lw_err *err, long long from, long long to,
                              const char *environment);

#endif
