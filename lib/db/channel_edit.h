/* channel_edit.h: the SQL of channels made and changed in the web
 * interface (/channels/new, /channels/{id}/...): one channel as stored
 * (for its edit form, which never shows a secret back), creating and
 * changing it (audited; channels of monitoring_config.yaml are left to the
 * configuration, which would overwrite any change), a test notification
 * through the outbox, and the channel's delivery log.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Timestamps come formatted "YYYY-MM-DD HH:MM:SS UTC". */
#ifndef LW_DB_CHANNEL_EDIT_H
#define LW_DB_CHANNEL_EDIT_H

#include "db/audit.h"
#include "db/db.h"

/* id, name, type, settings (JSON text, sealed secrets as stored),
 * severities (a text[] literal), enabled, source; zero rows when unknown. */
PGresult *lw_db_channel_edit_get(lw_db *db, lw_err *err, long long id);

typedef struct {
    const char *name, *type;
    const char *settings_json;     /* a JSON object */
    const char *severities;        /* a text[] literal: {critical,warning} */
    int         enabled;
} lw_db_channel_def;

/* Creates (id 0: *new_id set) or changes channel id, audited (before and
 * after, settings as stored: sealed or ${VAR}). LW_OK, LW_ECONFLICT (the
 * name is taken), LW_ENOTFOUND (unknown, or a channel of the
 * configuration), LW_EDB. */
int lw_db_channel_edit_save(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                            const lw_db_channel_def *c, long long *new_id);
/* Enables or disables channel id (not one of the configuration), audited.
 * LW_OK, LW_ENOTFOUND, LW_EDB. */
int lw_db_channel_edit_enable(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                              int enabled);
/* Queues a test notification for channel id (pending, one attempt: the
 * notifier delivers it through the channel like any alert) and audits
 * who asked. *notification_id gets its id. LW_OK, LW_ENOTFOUND, LW_EDB. */
int lw_db_channel_edit_test(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                            const char *payload_json, const char *idempotency_key,
                            long long *notification_id);
/* The channel's deliveries, newest first: id, kind, status, attempts,
 * last_error, created, sent, next_attempt, alert_id. */
PGresult *lw_db_channel_edit_log(lw_db *db, lw_err *err, long long id, int limit);

#endif
