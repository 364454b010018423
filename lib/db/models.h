/* models.h: the SQL of the monitored models as the pages show them: the
 * overview of the dashboard and /api/models, one model's page, and the
 * names offered as rule and silence scopes.
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Timestamps come formatted "YYYY-MM-DD HH:MM:SS UTC"; latencies
 * are *_ms numbers. */
#ifndef LW_DB_MODELS_H
#define LW_DB_MODELS_H

#include "db/db.h"

/* Enabled models with environment, latest probe (last_*) and the last
 * hour (hour_*), ordered by environment, priority, name. */
PGresult *lw_db_models_overview(lw_db *db, lw_err *err);
/* One model (any state) with its environment and last hour; zero rows
 * when unknown. */
PGresult *lw_db_models_get(lw_db *db, lw_err *err, long long id);
/* The choices of the scope lists: kind ('model' | 'environment'), name;
 * models that are not removed and every environment, by name. */
PGresult *lw_db_models_scope_choices(lw_db *db, lw_err *err);

#endif
