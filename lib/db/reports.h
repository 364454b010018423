/* reports.h: the SQL of stored reports: the list and one report's file.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_REPORTS_H
#define LW_DB_REPORTS_H

#include "db/db.h"

/* The newest `limit` reports: id, name, kind, format, period_start,
 * period_end (days), bytes, sha256, recipients, emailed, created,
 * created_by. */
PGresult *lw_db_reports_list(lw_db *db, lw_err *err, int limit);
/* format, content (bytea, text form), sha256 of one report; zero rows
 * when unknown. */
PGresult *lw_db_reports_content(lw_db *db, lw_err *err, long long id);

#endif
