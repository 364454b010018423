/* sync.h: the statements that write a loaded configuration into the
 * database by name (lib/sync.c drives them): models by environment and
 * name, channels, routing, rules. Rows are upserted (written only when
 * something changed) and what left the config is disabled, not deleted,
 * so its history stays. Every created, updated or disabled row is
 * audit-logged under `actor`, and counted in *changed.
 *
 * Run them inside one transaction, after lw_db_sync_lock. Each returns
 * LW_OK or LW_EDB (lw_db_last_was_conflict tells a unique violation). */
#ifndef LW_DB_SYNC_H
#define LW_DB_SYNC_H

#include "db/db.h"
#include "db/rules.h"

/* Waits for any other sync (several schedulers may reload together). */
int lw_db_sync_lock(lw_db *db, lw_err *err);
/* Makes sure the environment exists. */
int lw_db_sync_environment(lw_db *db, lw_err *err, const char *name);

/* All models in one statement (a config may list a thousand: one round
 * trip each was most of a probe cycle's start-up): models_json is a JSON
 * array of objects with environment, name, provider, model, base_url,
 * api_key_env, priority, sla_target_ms, price_input_per_mtok,
 * price_output_per_mtok (decimal strings), max_concurrency, timeout_ms,
 * suite, enabled, config_line; keys_json lists the config's models as
 * [[environment, name], ...]; config models not in it are retired. */
int lw_db_sync_models(lw_db *db, lw_err *err, const char *models_json, const char *keys_json,
                      const char *actor, int *changed);

/* One channel; settings_json holds secrets only as written (their ${VAR}
 * reference), severities is a text[] literal, enabled "true"/"false". */
int lw_db_sync_channel(lw_db *db, lw_err *err, const char *name, const char *type,
                       const char *settings_json, const char *severities, const char *enabled,
                       const char *actor, int *changed);
/* Disables the config channels whose name is not in `names` (text[]). */
int lw_db_sync_channels_retire(lw_db *db, lw_err *err, const char *names, const char *actor,
                               int *changed);
/* Routing of config channels is replaced as a whole: clear, then one
 * route (severity -> channel name, at position) at a time. */
int lw_db_sync_routes_clear(lw_db *db, lw_err *err);
int lw_db_sync_route(lw_db *db, lw_err *err, const char *severity, const char *channel,
                     int position);

/* One config rule (source 'config', written from line config_line); a
 * rule of the same name made in the web app is left alone. */
int lw_db_sync_rule(lw_db *db, lw_err *err, const lw_db_rules_def *rule, int config_line,
                    const char *actor, int *changed);
/* Soft-deletes the config rules whose name is not in `names` (text[]). */
int lw_db_sync_rules_retire(lw_db *db, lw_err *err, const char *names, const char *actor,
                            int *changed);

#endif
