/* channels.h: the SQL of notification channels as the pages show them:
 * the channels with their recent deliveries, the routing table (which
 * channels receive which severity), and the deliveries that failed.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Timestamps come formatted "YYYY-MM-DD HH:MM:SS UTC". */
#ifndef LW_DB_CHANNELS_H
#define LW_DB_CHANNELS_H

#include "db/audit.h"
#include "db/db.h"

/* Channels with settings masked in SQL (a ${VAR} reference is shown as
 * written, anything else as bullets: the secrets never reach the web
 * process), enabled, source, severities, and deliveries over the last 24
 * hours: sent_24h, failed_24h, pending, last_sent, and
 * route_critical/route_warning/route_info (booleans). Enabled first, by
 * name. */
PGresult *lw_db_channels_list(lw_db *db, lw_err *err);

/* Replaces the whole routing table: `routes_json` is a JSON object
 * {"critical":[channel ids...],"warning":[...],"info":[...]} (ids of
 * unknown channels are ignored). One transaction; audited with before and
 * after as {"critical":["name",...],...}. LW_OK or LW_EDB. */
int lw_db_channels_routing_set(lw_db *db, lw_err *err, const lw_db_audit_who *who,
                               const char *routes_json);

/* Notifications: of one alert (alert_id > 0) or the failed ones (0),
 * newest first: id, channel, channel_type, kind, status, attempts,
 * last_error, created, sent, next_attempt, alert_id. */
PGresult *lw_db_channels_notifications(lw_db *db, lw_err *err, long long alert_id, int limit);

#endif
