/* sync.h: writes a loaded configuration into the database by name (models
 * by environment and name, channels, routing, rules, prices with their
 * effective dates, budgets), in one transaction,
 * without ever duplicating rows; what left the config is disabled, not
 * deleted, so its history stays. Every change is audit-logged. */
#ifndef LW_SYNC_H
#define LW_SYNC_H

#include "config.h"
#include "db/db.h"

typedef struct {
    int models, schedules, channels, rules;   /* in the config */
    int budgets;
    int changed;                              /* rows created, updated or disabled */
} lw_sync_counts;

/* actor: who is recorded in audit_log ("config", "cli"...). */
int lw_sync_config(lw_db *db, lw_err *err, const lw_config *cfg, const char *actor,
                   lw_sync_counts *counts);

#endif
