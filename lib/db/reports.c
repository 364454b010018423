/* reports.c: the SQL of stored reports (see reports.h). */
#include "db/reports.h"

#include "db/sql.h"

PGresult *
lw_db_reports_list(lw_db *db, lw_err *err, int limit)
{
    return lw_db_query_id(db, err,
        "SELECT r.id, r.name, r.kind, r.format,"
        " to_char(r.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period_start,"
        " to_char(r.period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period_end,"
        " octet_length(r.content) AS bytes, r.sha256,"
        " array_to_string(r.recipients, ', ') AS recipients,"
        " " TS("r.emailed_at") " AS emailed, " TS("r.created_at") " AS created,"
        " u.email AS created_by"
        " FROM reports r LEFT JOIN users u ON u.id = r.created_by"
        " ORDER BY r.created_at DESC LIMIT $1::int", limit);
}

PGresult *
lw_db_reports_content(lw_db *db, lw_err *err, long long id)
{
    return lw_db_query_id(db, err,
        "SELECT format, content, sha256 FROM reports WHERE id = $1::bigint", id);
}
