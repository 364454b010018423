/* rule_form.h: the rule form of llmwatch-web and POST /api/v1/rules share
 * this: reading what was typed (form fields, a JSON body or a stored row)
 * into lib/rules.h's lw_rule_form, validating it (lw_rule_from_form plus
 * the scope checked against the database's models and environments),
 * turning a valid rule into the row to store, and putting values and
 * field errors into the HDF (an expression error with its column marked).
 * Also the value-vs-threshold chart of a rule over a time range, for the
 * backtest preview and the alert page. */
#ifndef LW_RULE_FORM_H
#define LW_RULE_FORM_H

#include <json.h>
#include <libpq-fe.h>

#include "db/topics.h"
#include "request.h"
#include "alert/rules.h"

#define LW_RF_MAX_SCOPE 256

/* What was typed. Strings are borrowed from the request (or its pool). */
typedef struct {
    lw_rule_form f;
    const char  *models[LW_RF_MAX_SCOPE];
    size_t       n_models;
    const char  *envs[LW_RF_MAX_SCOPE];
    size_t       n_envs;
    const char  *version;   /* edit form: the row version it was loaded from */
} lw_rf_input;

/* The urlencoded form of r (fields named as the config keys; `models` and
 * `environments` repeated; unchecked boxes read as false). */
int lw_rf_read_form(lw_req *r, lw_rf_input *in);
/* A JSON object with the config's keys (`type` or `kind`; durations as
 * text or seconds; `conditions` and scopes as arrays). A value of the
 * wrong JSON type is a field error in errs (LW_EINVAL). */
int lw_rf_read_json(lw_req *r, json_object *o, lw_rf_input *in, lw_rule_errors *errs);
/* A row of lw_db_rules_form, for the edit form (and "duplicate"). */
int lw_rf_read_row(lw_req *r, const PGresult *res, int row, lw_rf_input *in);

/* Validates: lw_rule_from_form, then every scope name against `choices`
 * (lw_db_models_scope_choices; NULL skips that check). 0 with *out (caller frees
 * with lw_rule_free), LW_EINVAL with errs, LW_ENOMEM. */
int lw_rf_validate(const lw_rf_input *in, const PGresult *choices, lw_rule **out,
                   lw_rule_errors *errs);
/* The row to store for a valid rule (strings copied into r's pool: the
 * row outlives the rule). The expression
 * is the condition as typed (NULL when the kind's default applies), params
 * from lw_rule_params_json: what config sync would store for the same
 * rule. */
int lw_rf_to_row(lw_req *r, const lw_rf_input *in, const lw_rule *rule, lw_db_rules_def *row);

/* Form.* values for the template (Form.kind, Form.name..., Form.models.N,
 * Form.environments.N), and the choices (Choices.models.N.name/.selected,
 * Choices.environments..., Choices.metrics...). choices may be NULL. */
int lw_rf_hdf(lw_req *r, const lw_rf_input *in, const PGresult *choices);
/* Errors.<field> = message; for an expression error also
 * Errors.<field>_mark.{before,at,after,caret} (the text around the column
 * and a caret line, all values escaped by var:) and, for composite
 * conditions, Errors.conditions_line. Errors.count = how many. */
int lw_rf_hdf_errors(lw_req *r, const lw_rf_input *in, const lw_rule_errors *errs);

/* The errors as JSON [{"field":..,"index":..,"column":..,"message":..}]
 * (caller puts the object). */
json_object *lw_rf_errors_json(const lw_rule_errors *errs);

/* Value vs threshold of `rule` at times from..to every step seconds,
 * through the same SQL and decisions as evaluate, as an SVG line chart
 * appended to svg; model_id/environment_id > 0 keep only that pair. *n_points
 * gets how many points had data. LW_OK, LW_EDB (message in err). */
int lw_rf_chart(lw_db *db, const lw_rule *rule, time_t from, time_t to, int64_t step,
                long long model_id, long long environment_id, const char *title,
                lw_buf *svg, size_t *n_points, lw_err *err);

/* Markdown (a runbook) to HTML under hdf_name, by cmark in safe mode (raw
 * HTML and unsafe links dropped), so it may go out with uvar:. Nothing for
 * NULL or "". (app/page_rule.c) */
int lw_page_runbook_html(lw_req *r, const char *hdf_name, const char *markdown);

#endif
