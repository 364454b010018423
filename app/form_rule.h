/* form_rule.h: the rule form of llmwatch-web ("/rules/new",
 * "/rules/{id}/edit") and POST /api/v1/rules share this; it is not a page.
 *   form_rule_read.c     what was typed (form fields, a JSON body or a
 *                        stored row) into lib/alert/rules.h's lw_rule_form,
 *                        validated (lw_rule_from_form plus the scope
 *                        checked against the database's models and
 *                        environments), and the row to store;
 *   form_rule.c          the form's HDF with field errors (an expression
 *                        error with its column marked), the errors as JSON,
 *                        showing the form and answering its POST;
 *   form_rule_preview.c  the backtest preview and the value-vs-threshold
 *                        chart of a rule over a time range (also drawn on
 *                        the alert page). */
#ifndef LW_FORM_RULE_H
#define LW_FORM_RULE_H

#include <json.h>
#include <libpq-fe.h>

#include "db/topics.h"
#include "request.h"
#include "alert/rules.h"

#define LW_FORM_RULE_MAX_SCOPE 256

/* What was typed. Strings are borrowed from the request (or its pool).
 * The readers leave the two booleans (send_resolved, enabled) as "true"
 * or "false"; NULL (a new form) means the default, true. */
typedef struct {
    lw_rule_form f;
    const char  *models[LW_FORM_RULE_MAX_SCOPE];
    size_t       n_models;
    const char  *envs[LW_FORM_RULE_MAX_SCOPE];
    size_t       n_envs;
    const char  *version;   /* edit form: the row version it was loaded from */
} lw_form_rule_input;

/* ---- form_rule_read.c ---- */

/* The urlencoded form of r (fields named as the config keys; `models` and
 * `environments` repeated; unchecked boxes read as false). */
int lw_form_rule_read_form(lw_req *r, lw_form_rule_input *in);
/* A JSON object with the config's keys (`type` or `kind`; durations as
 * text or seconds; `conditions` and scopes as arrays). A value of the
 * wrong JSON type is a field error in errs (LW_EINVAL). */
int lw_form_rule_read_json(lw_req *r, json_object *o, lw_form_rule_input *in,
                           lw_rule_errors *errs);
/* A row of LW_DB_RULE_FORM (lw_db_rules_of), for the edit form (and
 * "duplicate"). */
int lw_form_rule_read_row(lw_req *r, const PGresult *res, int row, lw_form_rule_input *in);

/* Validates: lw_rule_from_form, then every scope name against `choices`
 * (lw_db_models_scope_choices; NULL skips that check). 0 with *out (caller frees
 * with lw_rule_free), LW_EINVAL with errs, LW_ENOMEM. */
int lw_form_rule_validate(const lw_form_rule_input *in, const PGresult *choices,
                          lw_rule **out, lw_rule_errors *errs);
/* The row to store for a valid rule (strings copied into r's pool: the
 * row outlives the rule). The expression is the condition as typed (NULL
 * when the kind's default applies), params from lw_rule_params_json: what
 * config sync would store for the same rule. */
int lw_form_rule_to_row(lw_req *r, const lw_form_rule_input *in, const lw_rule *rule,
                        lw_db_rules_def *row);

/* ---- form_rule.c ---- */

/* Form.* values for the template (Form.kind, Form.name..., Form.models.N,
 * Form.environments.N), and the choices (Choices.models.N.name/.selected,
 * Choices.environments..., Choices.metrics...). choices may be NULL. */
void lw_form_rule_hdf(lw_req *r, const lw_form_rule_input *in, const PGresult *choices);
/* Errors.<field> = message; for an expression error also
 * Errors.<field>_mark.{before,at,after,caret} (the text around the column
 * and a caret line, all values escaped by var:) and, for composite
 * conditions, Errors.conditions_line. Errors.count = how many. */
void lw_form_rule_hdf_errors(lw_req *r, const lw_form_rule_input *in,
                             const lw_rule_errors *errs);
/* The errors as JSON [{"field":..,"index":..,"column":..,"message":..}]
 * (caller puts the object). */
json_object *lw_form_rule_errors_json(const lw_rule_errors *errs);

/* The form page (template rule_form) with in's values: a new rule when id
 * is 0, else the edit form of rule id. */
void lw_form_rule_show(lw_req *r, const lw_form_rule_input *in, const PGresult *choices,
                       long long id);
/* The form's POST (id 0: new rule): "Change kind" shows the form again
 * unchecked, "Preview" validates and adds the backtest preview, anything
 * else validates and saves, then redirects to the rule's page. Invalid
 * input and a name or version conflict show the form with errors (422). */
int lw_form_rule_post(lw_req *r, long long id);
/* The live rule {id} of the request, a row of LW_DB_RULE_FORM kept with
 * the request, and the thread's database in *db. LW_EDB when the database
 * cannot be reached. *res NULL with LW_OK: the answer is already set, the
 * 404 page, or (editable) the 403 of a rule from monitoring_config.yaml,
 * which only the file changes. */
int lw_form_rule_load(lw_req *r, int editable, lw_db **db, PGresult **res);

/* ---- form_rule_preview.c ---- */

/* "Over the last 7 days this rule would have fired N times": the backtest
 * of lib/alert/rules.c (same SQL, decisions and state machine as
 * evaluate) as Preview.*, with the value against the limit as a chart.
 * LW_OK, LW_EDB, LW_ENOMEM. */
int lw_form_rule_preview(lw_req *r, lw_db *db, const lw_rule *rule);
/* Value vs threshold of `rule` at times from..to every step seconds,
 * through the same SQL and decisions as evaluate, as an SVG line chart
 * appended to svg; model_id/environment_id > 0 keep only that pair.
 * *n_points gets how many points had data. LW_OK, LW_EDB (message in
 * err). */
int lw_form_rule_chart(lw_db *db, const lw_rule *rule, time_t from, time_t to, int64_t step,
                       long long model_id, long long environment_id, const char *title,
                       lw_buf *svg, size_t *n_points, lw_err *err);

#endif
