/* budgets.h: the SQL of spending budgets: each budget with what was spent
 * in its current period (probes and recorded production usage alike).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. */
#ifndef LW_DB_BUDGETS_H
#define LW_DB_BUDGETS_H

#include "db/db.h"

/* id, name, model ('all models' when unscoped), environment ('all
 * environments'), period, amount and spent (dollars for people),
 * thresholds ("50%, 80%"), used_pct, since (start of the period); by
 * name. */
PGresult *lw_db_budgets_list(lw_db *db, lw_err *err);

#endif
