/* form_rule.c: the rule form on the page: its values, choices and errors
 * in the HDF (an expression error with its column marked), the errors as
 * JSON for POST /api/v1/rules, and the form's own answers (showing it,
 * its POST: change kind, preview or save) shared by "/rules/new" and
 * "/rules/{id}/edit". */
#include "form_rule.h"

#include <stdio.h>
#include <string.h>

#include "render.h"     /* hdf_get_value: is a field's error set already? */

void
lw_form_rule_hdf(lw_req *r, const lw_form_rule_input *in, const PGresult *choices)
{
    const lw_rule_form *f = &in->f;
    static const struct { const char *hdf; size_t off; } fields[] = {
        { "Form.name", offsetof(lw_rule_form, name) },
        { "Form.severity", offsetof(lw_rule_form, severity) },
        { "Form.condition", offsetof(lw_rule_form, condition) },
        { "Form.conditions", offsetof(lw_rule_form, conditions) },
        { "Form.operator", offsetof(lw_rule_form, op) },
        { "Form.window", offsetof(lw_rule_form, window) },
        { "Form.lookback_window", offsetof(lw_rule_form, lookback_window) },
        { "Form.horizon", offsetof(lw_rule_form, horizon) },
        { "Form.period", offsetof(lw_rule_form, period) },
        { "Form.for_s", offsetof(lw_rule_form, for_s) },
        { "Form.cooldown", offsetof(lw_rule_form, cooldown) },
        { "Form.repeat_interval", offsetof(lw_rule_form, repeat_interval) },
        { "Form.minimum_samples", offsetof(lw_rule_form, minimum_samples) },
        { "Form.metric", offsetof(lw_rule_form, metric) },
        { "Form.threshold", offsetof(lw_rule_form, threshold) },
        { "Form.k", offsetof(lw_rule_form, k) },
        { "Form.slo_target", offsetof(lw_rule_form, slo_target) },
        { "Form.runbook", offsetof(lw_rule_form, runbook) },
    };
    char name[96];
    const char *v, *kind;
    size_t i, j;
    int row, nm = 0, ne = 0, m;

    kind = f->kind && lw_config_rule_kind_parse(f->kind) >= 0 ? f->kind : "threshold";
    lw_hdf_set(&r->page, "Form.kind", kind);
    for (i = 0; i < LW_ARRAY_LEN(fields); i++) {
        v = *(const char *const *) ((const char *) f + fields[i].off);
        lw_hdf_set(&r->page, fields[i].hdf, v);
    }
    /* the readers leave "true" or "false"; a new form (NULL) defaults to
     * ticked boxes, as the config does */
    lw_hdf_set_int(&r->page, "Form.send_resolved", !lw_streq(f->send_resolved, "false"));
    lw_hdf_set_int(&r->page, "Form.enabled", !lw_streq(f->enabled, "false"));
    lw_hdf_set(&r->page, "Form.version", in->version);
    for (i = 0; i < in->n_models; i++) {
        snprintf(name, sizeof(name), "Form.models.%zu", i);
        lw_hdf_set(&r->page, name, in->models[i]);
    }
    for (i = 0; i < in->n_envs; i++) {
        snprintf(name, sizeof(name), "Form.environments.%zu", i);
        lw_hdf_set(&r->page, name, in->envs[i]);
    }
    for (row = 0; choices != NULL && row < PQntuples(choices); row++) {
        const char *k = lw_db_str(choices, row, 0), *n = lw_db_str(choices, row, 1);
        int sel = 0;

        if (lw_streq(k, "model")) {
            for (j = 0; j < in->n_models; j++)
                sel |= strcmp(in->models[j], n) == 0;
            snprintf(name, sizeof(name), "Choices.models.%d", nm++);
        } else {
            for (j = 0; j < in->n_envs; j++)
                sel |= strcmp(in->envs[j], n) == 0;
            snprintf(name, sizeof(name), "Choices.environments.%d", ne++);
        }
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.name", name), n);
        lw_hdf_set_int(&r->page, lw_pool_printf(r->pool, "%s.selected", name), sel);
    }
    for (m = 0; m < LW_M_COUNT; m++) {
        snprintf(name, sizeof(name), "Choices.metrics.%d.name", m);
        lw_hdf_set(&r->page, name, lw_measure_name((lw_measure) m));
        snprintf(name, sizeof(name), "Choices.metrics.%d.per_probe", m);
        lw_hdf_set_int(&r->page, name, lw_measure_per_probe((lw_measure) m));
    }
}

/* The form's name of an error field (HDF names are code: only these). */
static const char *
hdf_field(const char *field)
{
    static const char *const known[] = {
        "name", "severity", "condition", "conditions", "operator", "window",
        "lookback_window", "horizon", "period", "minimum_samples", "metric", "threshold",
        "k", "slo_target", "cooldown", "repeat_interval", "models", "environments",
        "runbook", "send_resolved", "enabled",
    };
    size_t i;

    if (field == NULL)
        return NULL;
    if (strcmp(field, "type") == 0 || strcmp(field, "kind") == 0)
        return "kind";
    if (strcmp(field, "for") == 0)
        return "for_s";
    for (i = 0; i < LW_ARRAY_LEN(known); i++)
        if (strcmp(field, known[i]) == 0)
            return known[i];
    return NULL;
}

/* Line `index` (0-based) of text, pool copy; NULL when there is none. */
static const char *
nth_line(lw_req *r, const char *text, int index)
{
    const char *s = text, *e;
    int i;

    if (text == NULL || index < 0)
        return NULL;
    for (i = 0; i < index; i++) {
        s = strchr(s, '\n');
        if (s == NULL)
            return NULL;
        s++;
    }
    e = s + strcspn(s, "\r\n");
    return lw_pool_strndup(r->pool, s, (size_t) (e - s));
}

static int
is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Before/at/after the 1-based byte column col of text, and a caret line
 * with as many spaces as characters before it. */
static void
mark(lw_req *r, const char *field, const char *text, int col)
{
    size_t len = strlen(text), at = (size_t) (col - 1), n, i, chars = 0;
    lw_buf caret = { 0 };

    if (col < 1)
        return;
    if (at > len)
        at = len;
    /* the whole UTF-8 character at the column, or the whole word (an
     * unknown measure is marked from its first to its last letter) */
    n = at < len ? 1 : 0;
    while (at + n < len && ((unsigned char) text[at + n] & 0xC0) == 0x80)
        n++;
    if (n == 1 && is_word(text[at]))
        while (at + n < len && (is_word(text[at + n]) || text[at + n] == '.'))
            n++;
    for (i = 0; i < at; i++)
        if (((unsigned char) text[i] & 0xC0) != 0x80)
            chars++;
    for (i = 0; i < chars; i++)
        lw_buf_putc(&caret, ' ');
    lw_buf_putc(&caret, '^');
    for (i = 1; i < n && is_word(text[at]); i++)
        lw_buf_putc(&caret, '~');
    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.before", field),
                     lw_pool_strndup(r->pool, text, at));
    /* past the end: the mark stands on an empty place */
    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.at", field),
                     n ? lw_pool_strndup(r->pool, text + at, n) : " ");
    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.after", field), text + at + n);
    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.caret", field), caret.data);
    lw_hdf_set_int(&r->page, lw_pool_printf(r->pool, "Errors.%s_mark.col", field), col);
    lw_buf_free(&caret);
}

void
lw_form_rule_hdf_errors(lw_req *r, const lw_form_rule_input *in, const lw_rule_errors *errs)
{
    char name[96];
    const char *field, *text, *msg;
    int i, n = errs->n < (int) LW_ARRAY_LEN(errs->v) ? errs->n : (int) LW_ARRAY_LEN(errs->v);
    int general = 0;

    lw_hdf_set_int(&r->page, "Errors.count", errs->n);
    for (i = 0; i < n; i++) {
        const lw_rule_field_error *e = &errs->v[i];

        field = hdf_field(e->field);
        msg = e->msg;
        /* "Line 2: ..." unless the message already names the condition */
        if (field != NULL && strcmp(field, "conditions") == 0 && e->index >= 0
            && strncmp(e->msg, "condition ", 10) != 0)
            msg = lw_pool_printf(r->pool, "Line %d: %s", e->index + 1, e->msg);
        if (field == NULL) {
            snprintf(name, sizeof(name), "Errors.general.%d", general++);
            lw_hdf_set(&r->page, name, msg);
            continue;
        }
        snprintf(name, sizeof(name), "Errors.%s", field);
        if (hdf_get_value(r->page.hdf, name, NULL) != NULL)
            continue;       /* the first problem of a field is shown */
        lw_hdf_set(&r->page, name, msg);
        if (e->col > 0 && (strcmp(field, "condition") == 0 || strcmp(field, "conditions") == 0)) {
            text = strcmp(field, "condition") == 0 ? in->f.condition
                                                   : nth_line(r, in->f.conditions, e->index);
            if (text != NULL)
                mark(r, field, text, e->col);
            if (strcmp(field, "conditions") == 0)
                lw_hdf_set_int(&r->page, "Errors.conditions_line", e->index + 1);
        }
    }
}

json_object *
lw_form_rule_errors_json(const lw_rule_errors *errs)
{
    json_object *a = json_object_new_array(), *e;
    int i, n = errs->n < (int) LW_ARRAY_LEN(errs->v) ? errs->n : (int) LW_ARRAY_LEN(errs->v);

    for (i = 0; i < n; i++) {
        e = json_object_new_object();
        json_object_object_add(e, "field", json_object_new_string(errs->v[i].field ? errs->v[i].field : "body"));
        if (errs->v[i].index >= 0)
            json_object_object_add(e, "index", json_object_new_int(errs->v[i].index));
        if (errs->v[i].col > 0)
            json_object_object_add(e, "column", json_object_new_int(errs->v[i].col));
        json_object_object_add(e, "message", json_object_new_string(errs->v[i].msg));
        json_object_array_add(a, e);
    }
    return a;
}

/* ---- the form's answers ---- */

void
lw_form_rule_show(lw_req *r, const lw_form_rule_input *in, const PGresult *choices, long long id)
{
    lw_form_rule_hdf(r, in, choices);
    if (id > 0) {
        lw_hdf_set(&r->page, "Form.mode", "edit");
        lw_hdf_set_int(&r->page, "Form.id", id);
        lw_hdf_set(&r->page, "Form.action", lw_pool_printf(r->pool, "/rules/%lld/edit", id));
        lw_hdf_set(&r->page, "Page.title",
                   lw_pool_printf(r->pool, "Edit %s", in->f.name ? in->f.name : "rule"));
    } else {
        lw_hdf_set(&r->page, "Form.mode", "new");
        lw_hdf_set(&r->page, "Form.action", "/rules/new");
        lw_hdf_set(&r->page, "Page.title", "New rule");
    }
    r->template = "rule_form";
}

int
lw_form_rule_post(lw_req *r, long long id)
{
    const char *action = lw_req_form(r, "action");
    lw_db *db = lw_req_db(r);
    lw_rule_errors errs;
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    lw_form_rule_input in;
    lw_db_rules_def row;
    PGresult *choices;
    lw_rule *rule = NULL;
    long long new_id = 0;
    int rc;

    if (db == NULL)
        return LW_EDB;
    memset(&errs, 0, sizeof(errs));
    lw_form_rule_read_form(r, &in);
    choices = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    if (choices == NULL)
        return LW_EDB;
    if (lw_streq(action, "kind")) {     /* "Change kind": keep what was typed, no checks yet */
        lw_form_rule_show(r, &in, choices, id);
        return LW_OK;
    }
    rc = lw_form_rule_validate(&in, choices, &rule, &errs);
    if (rc == LW_ENOMEM)
        return rc;
    if (rc != LW_OK) {
        r->status = 422;
        lw_form_rule_hdf_errors(r, &in, &errs);
        lw_form_rule_show(r, &in, choices, id);
        return LW_OK;
    }
    if (lw_streq(action, "preview")) {
        rc = lw_form_rule_preview(r, db, rule);
        lw_rule_free(rule);
        if (rc == LW_OK)
            lw_form_rule_show(r, &in, choices, id);
        return rc;
    }
    rc = lw_form_rule_to_row(r, &in, rule, &row);
    if (rc == LW_OK)
        rc = id > 0 ? lw_db_rules_update(db, &r->err, &who, id, in.version, &row)
                    : lw_db_rules_create(db, &r->err, &who, &row, &new_id);
    lw_rule_free(rule);
    if (rc == LW_ECONFLICT || rc == LW_ENOTFOUND) {
        r->status = 422;
        if (rc == LW_ECONFLICT) {
            lw_hdf_set(&r->page, "Errors.name", "A rule with this name already exists (deleted rules "
                                         "keep their names). Choose another name.");
        } else {
            lw_hdf_set(&r->page, "Errors.general.0", "This rule was changed or deleted by someone else "
                                              "since you opened it. Reload the page to see the "
                                              "current version; nothing was saved.");
        }
        lw_hdf_set_int(&r->page, "Errors.count", 1);
        lw_form_rule_show(r, &in, choices, id);
        return LW_OK;
    }
    if (rc != LW_OK)
        return rc;
    return lw_req_redirect(r, lw_pool_printf(r->pool, "/rules/%lld?%s", id > 0 ? id : new_id,
                                             id > 0 ? "saved=1" : "created=1"));
}

int
lw_form_rule_load(lw_req *r, int editable, lw_db **db, PGresult **res)
{
    *res = NULL;
    if ((*db = lw_req_db(r)) == NULL)
        return LW_EDB;
    *res = lw_req_keep(r, lw_db_rules_of(*db, &r->err, LW_DB_RULE_FORM, lw_req_id(r)));
    if (*res == NULL)
        return LW_EDB;
    if (PQntuples(*res) == 0) {
        *res = NULL;
        return lw_req_error(r, 404, "There is no rule with that id.");
    }
    if (editable && lw_streq(lw_db_str(*res, 0, PQfnumber(*res, "source")), "config")) {
        *res = NULL;
        return lw_req_error(r, 403, "This rule is defined in monitoring_config.yaml: change it "
                                    "there (or duplicate it as a rule of the web interface).");
    }
    return LW_OK;
}
