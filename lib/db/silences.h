/* silences.h: the SQL of silences (windows during which matching alerts
 * are not sent): the list, creating one, expiring one.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Timestamps come formatted "YYYY-MM-DD HH:MM:SS UTC". Changes
 * write their audit_log row in the same statement. */
#ifndef LW_DB_SILENCES_H
#define LW_DB_SILENCES_H

#include "db/audit.h"
#include "db/db.h"

/* Every silence with status: 'active' (now inside it; a recurring window
 * that is open now), 'recurring' (recurring, closed now), 'upcoming',
 * 'expired'; matchers for people, each matcher too (m_rule, m_model,
 * m_environment, m_severity); active first, then upcoming, recurring,
 * expired; 500 at most. */
PGresult *lw_db_silences_list(lw_db *db, lw_err *err);

/* What mutes every alert of rule `id` now, whatever its model and
 * environment (a silence of the rule alone, or of nothing in particular):
 * silence_id and silence_windows as in lib/db/alerts.h (one row, none for
 * an unknown rule). */
PGresult *lw_db_silences_rule(lw_db *db, lw_err *err, long long rule_id);

/* A silence as it is written; text as PostgreSQL reads it. */
typedef struct {
    const char *matchers_json;  /* {"rule":..,"model":..} only keys given */
    const char *starts_at;      /* timestamptz text, NULL = now */
    const char *ends_at;        /* timestamptz text, or NULL with duration_s */
    const char *duration_s;     /* one-off: length from start; recurring: window length */
    const char *recurrence;     /* NULL for a one-off silence */
    const char *comment;
} lw_db_silences_def;

/* Creates a silence; *id gets its id. A recurring one runs from starts_at
 * until ends_at (NULL: for ten years). LW_OK or LW_EDB. */
int lw_db_silences_create(lw_db *db, lw_err *err, const lw_db_audit_who *who,
                          const lw_db_silences_def *s, long long *id);
/* Expires a silence now: LW_OK, LW_ENOTFOUND when unknown or already
 * expired, LW_EDB. */
int lw_db_silences_expire(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id);

#endif
