/* outbox.h: the SQL of notification delivery (`llmwatch notify`, the
 * notify job, `llmwatch test-alert`): rows claimed with FOR UPDATE SKIP
 * LOCKED under a lease, and every later write fenced on (status,
 * attempts) so that a worker whose lease ran out can neither send nor
 * overwrite a row another worker claimed since (docs/delivery.md).
 *
 * Claimed rows have these columns, in this order: id, attempts, kind,
 * idempotency_key, payload (JSON text), progress (JSON text), age_s,
 * channel name, channel type, channel settings (JSON text), channel
 * enabled, alert_id (of the row's alert event; NULL when none).
 * PGresults go to the caller (PQclear); NULL with a message in err on
 * failure. The fenced updates return 1 when the row was still this
 * worker's, 0 when not, LW_EDB on error. */
#ifndef LW_DB_OUTBOX_H
#define LW_DB_OUTBOX_H

#include "db/db.h"

/* Fails rows whose worker died on their last allowed attempt (max_attempts,
 * 1 for test rows). Returns how many, or LW_EDB. */
int lw_db_outbox_abandon(lw_db *db, lw_err *err, int max_attempts);
/* Claims up to `batch` due rows (pending, or sending with an expired
 * lease) in id order: status sending, attempts + 1, a lease of lease_s. */
PGresult *lw_db_outbox_claim(lw_db *db, lw_err *err, int batch, int lease_s);
/* Claims up to `batch` sent Alertmanager rows due for a re-post, the next
 * one due every_s later. */
PGresult *lw_db_outbox_resend_claim(lw_db *db, lw_err *err, int batch, int every_s);
/* Stops re-posting a row (its alerts resolved). LW_OK or LW_EDB. */
int lw_db_outbox_resend_stop(lw_db *db, lw_err *err, long long id);
/* Which of the alerts (a text[] literal of ids) are still firing: id. */
PGresult *lw_db_outbox_firing(lw_db *db, lw_err *err, const char *alert_ids);

/* ---- fenced on (id, attempts) ---- */

/* A new lease of lease_s seconds, to cover a send. */
int lw_db_outbox_renew(lw_db *db, lw_err *err, long long id, int attempts, int lease_s);
/* Appends `part` to the parts delivered (progress). */
int lw_db_outbox_progress(lw_db *db, lw_err *err, long long id, int attempts, const char *part);
/* Sent; resend_s > 0 re-posts it that much later (Alertmanager). */
int lw_db_outbox_sent(lw_db *db, lw_err *err, long long id, int attempts, int resend_s);
/* Back to pending, next attempt in delay_s seconds, error kept. */
int lw_db_outbox_retry(lw_db *db, lw_err *err, long long id, int attempts, const char *error,
                       double delay_s);
/* Failed for good with error. */
int lw_db_outbox_failed(lw_db *db, lw_err *err, long long id, int attempts, const char *error);
/* Back to pending with the attempt undone (not tried: time budget spent). */
int lw_db_outbox_release(lw_db *db, lw_err *err, long long id, int attempts);

/* ---- test-alert ---- */

/* The channel named name: id, enabled (no row when none). */
PGresult *lw_db_outbox_channel(lw_db *db, lw_err *err, const char *name);
/* Every channel: name, type, enabled; by name. */
PGresult *lw_db_outbox_channels(lw_db *db, lw_err *err);
/* A test row for channel_id inserted already claimed (sending, attempt 1,
 * a lease of lease_s) so that no concurrent notify takes it; *id gets it. */
int lw_db_outbox_test_insert(lw_db *db, lw_err *err, long long channel_id, const char *payload,
                             const char *key, int lease_s, long long *id);
/* One row with the claimed columns. */
PGresult *lw_db_outbox_row(lw_db *db, lw_err *err, long long id);

#endif
