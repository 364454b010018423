/* rules.c: the SQL of alert rules (see rules.h). */
#include "db/rules.h"

#include "db/sql.h"

/* The columns lw_rule_from_row reads, in the order rules.h gives. */
#define RULE_MODEL_COLUMNS \
    "r.id, r.name, r.kind, r.expression, r.params::text, r.severity, r.for_s, r.cooldown_s," \
    " r.repeat_interval_s, r.send_resolved, array_to_json(r.scope_models)::text," \
    " array_to_json(r.scope_environments)::text, r.runbook, r.enabled"

/* The condition of a rule for people, whatever its kind. */
#define RULE_CONDITION \
    " CASE WHEN r.kind = 'composite' THEN (SELECT string_agg('(' || c || ')'," \
    "   ' ' || coalesce(r.params->>'operator', 'AND') || ' ')" \
    "   FROM jsonb_array_elements_text(coalesce(r.params->'conditions', '[]')) AS x(c))" \
    "  WHEN r.kind = 'burn_rate' THEN 'error budget burn, SLO ' ||" \
    "   coalesce((100 * (r.params->>'slo_target')::numeric)::float8::text || '%', '?')" \
    "  WHEN r.expression IS NOT NULL THEN r.expression" \
    "  WHEN r.kind = 'statistical' THEN 'metric > mean + ' || coalesce(r.params->>'k', '3') || ' * std_dev'" \
    "  WHEN r.kind = 'trend' THEN 'linear_regression_slope > ' || coalesce(r.params->>'threshold', '?')" \
    "  WHEN r.kind = 'forecast' THEN coalesce(r.params->>'metric', 'metric') || ' crosses '" \
    "   || coalesce(r.params->>'threshold', '?')" \
    "  END AS condition"

/* The kind's parameters for people ("window 15m, lookback 7d"). */
#define RULE_SUMMARY \
    " concat_ws(', ', 'metric ' || (r.params->>'metric')," \
    "  'window ' || lw_dur((r.params->>'window_s')::bigint)," \
    "  CASE WHEN r.kind = 'forecast' THEN 'history ' ELSE 'lookback ' END" \
    "   || lw_dur((r.params->>'lookback_window_s')::bigint)," \
    "  'horizon ' || lw_dur((r.params->>'horizon_s')::bigint)," \
    "  'period ' || lw_dur((r.params->>'period_s')::bigint)," \
    "  'k ' || (r.params->>'k')," \
    "  CASE WHEN r.kind IN ('trend') THEN 'limit ' || (r.params->>'threshold') || '/h'" \
    "   ELSE 'limit ' || (r.params->>'threshold') END," \
    "  'min samples ' || (r.params->>'minimum_samples')," \
    "  'SLO ' || (r.params->>'slo_target')) AS summary"

PGresult *
lw_db_rules_list(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err,
        "SELECT r.id, r.name, r.kind, r.severity, r.expression, r.params::text AS params,"
        RULE_CONDITION "," RULE_SUMMARY ","
        " array_to_string(r.scope_models, ', ') AS scope_models,"
        " array_to_string(r.scope_environments, ', ') AS scope_environments,"
        " r.for_s, lw_dur(r.for_s) AS for_h, r.cooldown_s, lw_dur(r.cooldown_s) AS cooldown_h,"
        " r.enabled, r.source,"
        " count(a.id) FILTER (WHERE a.state = 'firing') AS firing,"
        " count(a.id) FILTER (WHERE a.state = 'pending') AS pending,"
        " " TS("max(a.fired_at)") " AS last_fired"
        " FROM rules r LEFT JOIN alerts a ON a.rule_id = r.id"
        " WHERE r.deleted_at IS NULL GROUP BY r.id"
        " ORDER BY array_position(ARRAY['critical','warning','info'], r.severity), lower(r.name), r.id",
        0, NULL);
}

/* The statements of lw_db_rules_of, $1 the rule's id. */
static const char *const rule_parts[LW_DB_RULE_N] = {
    [LW_DB_RULE_FORM] =
        "SELECT r.id, r.name, r.kind, r.severity, r.expression, r.params::text AS params,"
        RULE_CONDITION "," RULE_SUMMARY ","
        " r.for_s, r.cooldown_s, r.repeat_interval_s, r.send_resolved, r.runbook, r.enabled,"
        " lw_dur(r.for_s) AS for_h, lw_dur(r.cooldown_s) AS cooldown_h,"
        " lw_dur(r.repeat_interval_s) AS repeat_h, r.source, r.config_line,"
        " (SELECT count(*) FROM alerts a WHERE a.rule_id = r.id AND a.state = 'firing') AS firing,"
        " array_to_string(r.scope_models, ', ') AS scope_models,"
        " array_to_string(r.scope_environments, ', ') AS scope_environments,"
        " array_to_json(r.scope_models)::text AS scope_models_json,"
        " array_to_json(r.scope_environments)::text AS scope_environments_json,"
        " r.updated_at::text AS version"
        " FROM rules r WHERE r.id = $1::int AND r.deleted_at IS NULL",
    [LW_DB_RULE_JSON] =
        "SELECT (to_jsonb(r) - 'deleted_at')::text FROM rules r WHERE r.id = $1::int",
    [LW_DB_RULE_ROW] =
        "SELECT " RULE_MODEL_COLUMNS " FROM rules r WHERE r.id = $1::int",
};

PGresult *
lw_db_rules_of(lw_db *db, lw_err *err, lw_db_rule_part part, long long id)
{
    const char *sql = lw_db_statement(rule_parts, LW_DB_RULE_N, (int) part, err);

    return sql ? lw_db_query_id(db, err, sql, id) : NULL;
}

void
lw_db_rules_def_params(const lw_db_rules_def *rule, const char **p)
{
    p[0] = rule->name;
    p[1] = rule->kind;
    p[2] = rule->expression;
    p[3] = rule->params_json ? rule->params_json : "{}";
    p[4] = rule->severity;
    p[5] = rule->for_s ? rule->for_s : "0";
    p[6] = rule->cooldown_s ? rule->cooldown_s : "3600";
    p[7] = rule->repeat_interval_s;
    p[8] = rule->send_resolved ? rule->send_resolved : "true";
    p[9] = rule->scope_models ? rule->scope_models : "{}";
    p[10] = rule->scope_environments ? rule->scope_environments : "{}";
    p[11] = rule->runbook;
    p[12] = rule->enabled ? rule->enabled : "true";
}

/* The statements of a change to an existing rule: the row before, and
 * the condition that only a live rule not from the config changes. */
#define RULE_OLD(id) "WITH old AS (SELECT to_jsonb(r) AS j FROM rules r WHERE r.id = " id "::int FOR UPDATE),"
#define RULE_EDITABLE(id) " FROM old WHERE id = " id "::int AND deleted_at IS NULL AND source <> 'config'"

int
lw_db_rules_create(lw_db *db, lw_err *err, const lw_db_audit_who *who,
                   const lw_db_rules_def *rule, long long *id)
{
    const char *p[17];
    lw_db_audit_room room;

    lw_db_audit_params(who, 0, &room, p);
    lw_db_rules_def_params(rule, p + 3);
    p[16] = rule->source ? rule->source : "ui";
    return lw_db_audit_change(db, err,
        "WITH old AS (SELECT NULL::jsonb AS j),"
        " up AS (INSERT INTO rules (name, kind, expression, params, severity, for_s, cooldown_s,"
        "   repeat_interval_s, send_resolved, scope_models, scope_environments, runbook, enabled,"
        "   source, created_by)"
        "  VALUES ($4, $5, $6, $7::jsonb, $8, $9::int, $10::int, coalesce($11::int, 14400),"
        "   $12::boolean, $13::text[], $14::text[], $15, $16::boolean, $17, $1::int)"
        "  RETURNING id, to_jsonb(rules.*) AS j)"
        AUDIT_FROM_UP("'create'", "rule"), 17, p, id);
}

int
lw_db_rules_update(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                   const char *version, const lw_db_rules_def *rule)
{
    const char *p[18];
    lw_db_audit_room room;

    lw_db_audit_params(who, id, &room, p);
    lw_db_rules_def_params(rule, p + 3);
    p[16] = room.id;
    p[17] = version;
    /* the source stays what it was (ui or api); config rules are not
     * edited here (the file is their source) */
    return lw_db_audit_change(db, err, RULE_OLD("$17")
        " up AS (UPDATE rules SET name = $4, kind = $5, expression = $6, params = $7::jsonb,"
        "   severity = $8, for_s = $9::int, cooldown_s = $10::int,"
        "   repeat_interval_s = coalesce($11::int, 14400), send_resolved = $12::boolean,"
        "   scope_models = $13::text[], scope_environments = $14::text[], runbook = $15,"
        "   enabled = $16::boolean, updated_at = now()"
        RULE_EDITABLE("$17")
        "   AND ($18::timestamptz IS NULL OR updated_at = $18::timestamptz)"
        "  RETURNING id, to_jsonb(rules.*) AS j)"
        AUDIT_FROM_UP("'update'", "rule"), 18, p, NULL);
}

int
lw_db_rules_set_enabled(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                        int enabled)
{
    return lw_db_audit_change_row(db, err, who, id, enabled != 0, RULE_OLD("$4")
        " up AS (UPDATE rules SET enabled = $5::boolean, updated_at = now()"
        RULE_EDITABLE("$4")
        "  RETURNING id, to_jsonb(rules.*) AS j)"
        AUDIT_FROM_UP("CASE WHEN $5::boolean THEN 'enable' ELSE 'disable' END", "rule"));
}

int
lw_db_rules_delete(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id)
{
    return lw_db_audit_change_row(db, err, who, id, -1, RULE_OLD("$4")
        " up AS (UPDATE rules SET deleted_at = now(), enabled = false, updated_at = now()"
        RULE_EDITABLE("$4")
        "  RETURNING id, to_jsonb(rules.*) AS j)"
        AUDIT_FROM_UP("'delete'", "rule"));
}

PGresult *
lw_db_rules_load(lw_db *db, lw_err *err, const char *name, int enabled_only)
{
    const char *p[2] = { enabled_only ? "true" : "false", name };

    return lw_db_query(db, err,
        "SELECT " RULE_MODEL_COLUMNS " FROM rules r"
        " WHERE r.deleted_at IS NULL AND (NOT $1::boolean OR r.enabled)"
        "   AND ($2::text IS NULL OR r.name = $2)"
        " ORDER BY r.id", 2, p);
}
