/* probes.c: raw probes read for the pages (see probes.h). */
#include "db/probes.h"

#include "db/sql.h"

PGresult *
lw_db_probes_recent(lw_db *db, lw_err *err, long long model_id, int limit)
{
    return lw_db_query_id_limit(db, err,
        "SELECT p.id, " TS("p.ts") " AS at, p.suite, p.case_id, p.ok, p.error_class,"
        " p.error_message, p.http_status, p.ttft_ms, p.total_ms, p.input_tokens,"
        " p.output_tokens, p.tokens_estimated, round(p.decode_tps::numeric, 1) AS tps,"
        " " USD("p.cost_usd") " AS cost, round(p.quality_score::numeric, 1) AS quality"
        " FROM probes p JOIN models m ON m.id = p.model_id AND m.environment_id = p.environment_id"
        " WHERE p.model_id = $1::int ORDER BY p.ts DESC LIMIT $2::int", model_id, 0, limit);
}
