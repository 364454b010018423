/* rules.h: the SQL of alert rules: the rules page and form (list, one
 * rule, save, enable, soft delete) and the rows the evaluator builds its
 * rules from (lw_rule_from_row in alert/rule.h reads them).
 *
 * Results are the caller's (PQclear()); NULL means failure, with a message
 * in err. Timestamps come formatted "YYYY-MM-DD HH:MM:SS UTC". Changes
 * write their audit_log row (to_jsonb() of the row before and after) in
 * the same statement and return LW_OK, LW_ENOTFOUND (no such rule, a
 * config rule where only UI rules may change, or an edit made on a stale
 * copy), LW_ECONFLICT (the name is taken) or LW_EDB. */
#ifndef LW_DB_RULES_H
#define LW_DB_RULES_H

#include "db/audit.h"
#include "db/db.h"

/* Every live rule: id, name, kind, severity, expression, params (text),
 * condition and summary (the rule and its parameters for people),
 * scope_models, scope_environments (", "-joined), for_s, for_h,
 * cooldown_s, cooldown_h, enabled, source, firing, pending (open alerts),
 * last_fired; critical first, by name. */
PGresult *lw_db_rules_list(lw_db *db, lw_err *err);

/* What of one rule lw_db_rules_of reads. */
typedef enum {
    /* One live rule as the form needs it: the columns above plus
     * repeat_interval_s, repeat_h, send_resolved, runbook, config_line,
     * scope_models_json and scope_environments_json (JSON arrays), version
     * (updated_at, exact, for the stale-edit check). Zero rows when
     * unknown or deleted. */
    LW_DB_RULE_FORM,
    /* The stored rule as one JSON object (to_jsonb of the row without
     * deleted_at): the body of the API's answer. */
    LW_DB_RULE_JSON,
    /* One rule, deleted ones too (an alert's rule may be gone), as a row
     * for lw_rule_from_row (the columns below); zero rows when unknown. */
    LW_DB_RULE_ROW,
    LW_DB_RULE_N
} lw_db_rule_part;
PGresult *lw_db_rules_of(lw_db *db, lw_err *err, lw_db_rule_part part, long long id);

/* Rows for lw_rule_from_row, whose columns are, in this order: id, name,
 * kind, expression, params (JSON text), severity, for_s, cooldown_s,
 * repeat_interval_s, send_resolved, scope_models and scope_environments
 * (JSON arrays), runbook, enabled. */
/* Rules not deleted, enabled ones only when enabled_only, only the rule
 * called `name` unless it is NULL; in id order. */
PGresult *lw_db_rules_load(lw_db *db, lw_err *err, const char *name, int enabled_only);

/* A rule as it is written to the table; every field is text as PostgreSQL
 * reads it (NULL = SQL NULL, or the column's default where one is named). */
typedef struct {
    const char *name, *kind, *expression, *params_json, *severity;
    const char *for_s, *cooldown_s, *repeat_interval_s;  /* integers */
    const char *send_resolved, *enabled;                  /* "true"/"false" */
    const char *scope_models, *scope_environments;        /* text[] literals */
    const char *runbook;
    const char *source;                                   /* "ui" or "api" */
} lw_db_rules_def;

/* Inserts a rule; *id gets its id. LW_ECONFLICT when the name is taken
 * (by any rule, deleted ones included: names stay unique). */
int lw_db_rules_create(lw_db *db, lw_err *err, const lw_db_audit_who *who,
                       const lw_db_rules_def *rule, long long *id);
/* Replaces a UI/API rule's definition (source kept). `version` is the
 * `version` column the form was filled from: LW_ENOTFOUND when the rule
 * changed (or went) meanwhile, or is a config rule. */
int lw_db_rules_update(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                       const char *version, const lw_db_rules_def *rule);
/* enabled = 0/1 on any live rule that is not from the config. */
int lw_db_rules_set_enabled(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                            int enabled);
/* Soft delete (deleted_at, enabled = false) of a live UI/API rule. */
int lw_db_rules_delete(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id);

#endif
