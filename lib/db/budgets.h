/* budgets.h: the SQL of spending budgets: each budget with what was spent
 * in its current period (probes and production usage, both from their
 * rollups) and the stated pace; adding and removing them (each with the
 * rule its alerts belong to, sql/012_costs.sql); and what the evaluator's
 * budget step reads and records (tiers crossed once per period).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Times are Unix seconds. */
#ifndef LW_DB_BUDGETS_H
#define LW_DB_BUDGETS_H

#include "db/audit.h"
#include "db/db.h"

/* Every budget at `at`: id, name, scope (for people: "all models",
 * "gpt-4 · production"...), period, time_zone, amount, spent, probe,
 * usage, remaining, projected (dollars for people), amount_n, spent_n
 * (numeric text), used_pct, projected_pct, thresholds ("80%, 90%, 100%"),
 * since, until (period start and end for people), start_epoch,
 * end_epoch, runs_out (day for people, NULL when the pace keeps within),
 * rate_h (dollars an hour for people), source, enabled, crossed (the
 * tiers announced this period, "80%, 90%"); by name. With env, only the
 * budgets of that environment and those of every environment. */
PGresult *lw_db_budgets_list(lw_db *db, lw_err *err, long long at, const char *env);

/* One budget's cumulative spend over its current period, by step (an
 * hour for a day, 6 hours for a week, a day for a month): t (epoch of the
 * step's end), spent (double, dollars). */
PGresult *lw_db_budgets_series(lw_db *db, lw_err *err, long long id, long long at);

/* Creates a budget from its JSON (name, period, amount, thresholds,
 * model, provider, environment, time_zone, enabled, config_line) for
 * `source`; the configuration also changes its own. LW_OK (*id and
 * *changed set), LW_ECONFLICT (name taken: the reason in err), LW_EINVAL
 * (an unknown environment or time zone), LW_EDB. */
int lw_db_budgets_save(lw_db *db, lw_err *err, const char *json, const char *source,
                       const lw_db_audit_who *who, long long *id, int *changed);

/* Removes budget id (only_source: only one of that source, NULL any).
 * LW_OK, LW_ENOTFOUND, LW_EDB. */
int lw_db_budgets_remove(lw_db *db, lw_err *err, long long id, const char *only_source,
                         const lw_db_audit_who *who);
/* The id of the budget called name: id, source; no row when none. */
PGresult *lw_db_budgets_find(lw_db *db, lw_err *err, const char *name);
/* Removes the configuration's budgets not named in names (a text[]
 * literal); *changed counts them. */
int lw_db_budgets_retire(lw_db *db, lw_err *err, const char *names, const char *actor,
                         int *changed);

/* What the evaluator needs of every enabled budget at `at`: id, name,
 * rule_id, period, start_epoch, end_epoch, amount (numeric text),
 * spent (numeric text), spent_d, amount_d (doubles, for alert values),
 * thresholds (int[] text), crossed tiers (int[] text) and pace_done
 * (bool) of this period, runs_out_epoch (NULL: no pace alert), projected
 * (numeric text), spent_h, amount_h, projected_h (for people),
 * runs_out_day ("the 21st", or "17:30" in a day), time_zone, reached (the
 * tiers the spend has reached, int[] text); by id. */
PGresult *lw_db_budgets_eval(lw_db *db, lw_err *err, long long at);

/* Opens the alert of a budget's rule (no model, no environment: the
 * budget's scope is in its rule) firing at `at`. LW_OK with *id, LW_EDB. */
int lw_db_budgets_alert_open(lw_db *db, lw_err *err, long long rule_id, const char *severity,
                             long long at, double value, double threshold, const char *summary,
                             long long *id);

/* Records that budget id announced `threshold` (kind "tier" or "pace")
 * in the period starting at period_start, spending `spent` (numeric
 * text). *fresh is 1 when this is the first time (the announcement is to
 * be made), 0 when it was recorded before. */
int lw_db_budgets_cross(lw_db *db, lw_err *err, long long id, long long period_start,
                        const char *kind, int threshold, const char *spent, int *fresh);

#endif
