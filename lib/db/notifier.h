/* notifier.h: what a notifier that waits on PostgreSQL needs (`llmwatch
 * notify --follow`): LISTEN on the channel the outbox's insert trigger
 * notifies (sql/013_dataout.sql), and when the next retry is due. */
#ifndef LW_DB_NOTIFIER_H
#define LW_DB_NOTIFIER_H

#include "db/db.h"

/* LISTEN llmwatch_outbox on this connection. LW_OK or LW_EDB. */
int lw_db_notifier_listen(lw_db *db, lw_err *err);
/* Seconds until the next pending notification is due (0 when one is due
 * now), or -1 when none is pending. LW_OK or LW_EDB. */
int lw_db_notifier_next_due(lw_db *db, lw_err *err, double *secs);

#endif
