/* probes.h: the SQL that reads raw probes for the pages (aggregates over
 * time ranges are in dash.h and stats.h).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_PROBES_H
#define LW_DB_PROBES_H

#include "db/db.h"

/* The model's last `limit` probes, newest first: id, at, suite, case_id,
 * ok, error_class, error_message, http_status, ttft_ms, total_ms,
 * input_tokens, output_tokens, tokens_estimated, tps, cost (dollars for
 * people), quality. */
PGresult *lw_db_probes_recent(lw_db *db, lw_err *err, long long model_id, int limit);

#endif
