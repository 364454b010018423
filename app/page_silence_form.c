/* page_silence_form.c: "/silences/new": a silence (matchers on rule,
 * model, environment and severity; a start; an end or a duration; who and
 * why) or a recurring maintenance window ("weekly on sunday at 02:00" for
 * 2h, checked with lw_sched_parse); "?alert=ID" pre-fills the matchers of
 * that alert. POST "/silences/{id}/expire" ends one now. */
#include "app.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/topics.h"
#include "render.h"     /* hdf_get_value: the choices and errors set so far */
#include "schedule.h"
#include "times.h"

#define MAX_SILENCE_S (366LL * 86400)

typedef struct {
    const char *rule, *model, *environment, *severity, *all;
    const char *mode, *starts, *ends, *duration, *recurrence, *comment, *alert;
} silence_form;

static void
read_form(lw_req *r, silence_form *f)
{
    f->rule = lw_req_form(r, "rule");
    f->model = lw_req_form(r, "model");
    f->environment = lw_req_form(r, "environment");
    f->severity = lw_req_form(r, "severity");
    f->all = lw_req_form(r, "all");
    f->mode = lw_req_form(r, "mode");
    f->starts = lw_req_form(r, "starts");
    f->ends = lw_req_form(r, "ends");
    f->duration = lw_req_form(r, "duration");
    f->recurrence = lw_req_form(r, "recurrence");
    f->comment = lw_req_form(r, "comment");
    f->alert = lw_req_form(r, "alert");
}

static int
empty(const char *s)
{
    if (s == NULL)
        return 1;
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

/* A timestamptz parameter, pool copy. */
static const char *
ts_text(lw_req *r, time_t t)
{
    char buf[40];

    return lw_pool_strdup(r->pool, lw_time_format(t, LW_TIME_SQL, buf, sizeof(buf)));
}

static int
choices_hdf(lw_req *r, lw_db *db)
{
    PGresult *scope, *rules;
    int i, nm = 0, ne = 0;

    scope = lw_req_keep(r, lw_db_models_scope_choices(db, &r->err));
    rules = scope ? lw_req_keep(r, lw_db_rules_list(db, &r->err)) : NULL;
    if (rules == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(scope); i++) {
        if (lw_streq(lw_db_str(scope, i, 0), "model"))
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Choices.models.%d", nm++), lw_db_str(scope, i, 1));
        else
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Choices.environments.%d", ne++), lw_db_str(scope, i, 1));
    }
    for (i = 0; i < PQntuples(rules); i++)
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Choices.rules.%d", i),
                   lw_db_str(rules, i, PQfnumber(rules, "name")));
    return LW_OK;
}

static int
render(lw_req *r, lw_db *db, const silence_form *f, int have_choices)
{
    int rc = have_choices ? LW_OK : choices_hdf(r, db);

    if (rc != LW_OK)
        return rc;
    lw_hdf_set(&r->page, "Form.rule", f->rule);
    lw_hdf_set(&r->page, "Form.model", f->model);
    lw_hdf_set(&r->page, "Form.environment", f->environment);
    lw_hdf_set(&r->page, "Form.severity", f->severity);
    lw_hdf_set_int(&r->page, "Form.all", !empty(f->all));
    lw_hdf_set(&r->page, "Form.mode", lw_streq(f->mode, "recurring") ? "recurring" : "once");
    lw_hdf_set(&r->page, "Form.starts", f->starts);
    lw_hdf_set(&r->page, "Form.ends", f->ends);
    lw_hdf_set(&r->page, "Form.duration", f->duration);
    lw_hdf_set(&r->page, "Form.recurrence", f->recurrence);
    lw_hdf_set(&r->page, "Form.comment", f->comment);
    lw_hdf_set(&r->page, "Form.alert", f->alert);
    lw_hdf_set(&r->page, "Page.title", "New silence");
    r->template = "silence_form";
    return LW_OK;
}

static int
field_error(lw_req *r, int *n, const char *field, const char *msg)
{
    /* the first problem of a field is the one shown */
    const char *name = lw_pool_printf(r->pool, "Errors.%s", field);

    if (hdf_get_value(r->page.hdf, name, NULL) == NULL)
        lw_hdf_set(&r->page, name, msg);
    (*n)++;
    return 0;
}

/* Is `v` one of the names `kind` offers (rule names from the list)? */
static int
known(lw_req *r, const char *list, const char *v)
{
    int i;
    const char *x;

    for (i = 0; (x = hdf_get_value(r->page.hdf, lw_pool_printf(r->pool, "%s.%d", list, i), NULL)) != NULL; i++)
        if (strcmp(x, v) == 0)
            return 1;
    return 0;
}

static int
create(lw_req *r, lw_db *db)
{
    silence_form f;
    lw_db_silences_def s = { 0 };
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    json_object *m;
    lw_sched sched;
    lw_err e = { { 0 } };
    time_t now = time(NULL), starts = now, ends = 0;
    int64_t dur = 0;
    long long id = 0, alert_id;
    int nerr = 0, rc, recurring;
    char sid[32];

    read_form(r, &f);
    recurring = lw_streq(f.mode, "recurring");
    if ((rc = choices_hdf(r, db)) != LW_OK)
        return rc;
    m = json_object_new_object();
    if (!empty(f.rule)) {
        if (!known(r, "Choices.rules", f.rule))
            field_error(r, &nerr, "rule", "There is no rule with this name.");
        json_object_object_add(m, "rule", json_object_new_string(f.rule));
    }
    if (!empty(f.model)) {
        if (!known(r, "Choices.models", f.model))
            field_error(r, &nerr, "model", "There is no model with this name.");
        json_object_object_add(m, "model", json_object_new_string(f.model));
    }
    if (!empty(f.environment)) {
        if (!known(r, "Choices.environments", f.environment))
            field_error(r, &nerr, "environment", "There is no environment with this name.");
        json_object_object_add(m, "environment", json_object_new_string(f.environment));
    }
    if (!empty(f.severity)) {
        if (!lw_streq(f.severity, "critical") && !lw_streq(f.severity, "warning")
            && !lw_streq(f.severity, "info"))
            field_error(r, &nerr, "severity", "Choose critical, warning or info.");
        json_object_object_add(m, "severity", json_object_new_string(f.severity));
    }
    if (json_object_object_length(m) == 0 && empty(f.all))
        field_error(r, &nerr, "matchers", "Choose at least one matcher, or tick \"every alert\" "
                                          "to mute every notification.");
    s.matchers_json = lw_pool_strdup(r->pool, json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN));
    json_object_put(m);

    if (!empty(f.starts) && lw_time_parse(f.starts, &starts) != 0)
        field_error(r, &nerr, "starts", "Write the start as YYYY-MM-DD HH:MM (UTC).");
    if (!empty(f.ends) && lw_time_parse(f.ends, &ends) != 0)
        field_error(r, &nerr, "ends", "Write the end as YYYY-MM-DD HH:MM (UTC).");
    if (!empty(f.duration)) {
        if (lw_duration_parse(f.duration, &dur, &e) != LW_OK)
            field_error(r, &nerr, "duration", e.msg);
        else if (dur <= 0 || dur > MAX_SILENCE_S)
            field_error(r, &nerr, "duration", "The duration must be more than 0 and at most a year.");
    }
    if (recurring) {
        if (empty(f.recurrence))
            field_error(r, &nerr, "recurrence", "Say when the window opens, e.g. \"weekly on sunday at 02:00\".");
        else if (lw_sched_parse(f.recurrence, &sched, &e) != LW_OK)
            field_error(r, &nerr, "recurrence", e.msg);
        else if (dur > 0 && dur >= lw_sched_interval_hint(&sched))
            field_error(r, &nerr, "duration", "Each window must be shorter than the time between two windows.");
        if (empty(f.duration))
            field_error(r, &nerr, "duration", "How long does each window last? e.g. 2h.");
        if (ends != 0 && ends <= starts)
            field_error(r, &nerr, "ends", "The end must be after the start.");
    } else {
        if (empty(f.ends) && empty(f.duration))
            field_error(r, &nerr, "duration", "Give a duration (e.g. 2h) or an end.");
        else if (!empty(f.ends) && !empty(f.duration))
            field_error(r, &nerr, "ends", "Give an end or a duration, not both.");
        else if (ends != 0 && ends <= starts)
            field_error(r, &nerr, "ends", "The end must be after the start.");
        else if (ends != 0 && ends <= now)
            field_error(r, &nerr, "ends", "The end is in the past: this silence would never apply.");
        else if (ends != 0 && ends - starts > MAX_SILENCE_S)
            field_error(r, &nerr, "ends", "A silence lasts at most a year.");
    }
    if (empty(f.comment))
        field_error(r, &nerr, "comment", "Say why (it is shown to everyone who sees a muted alert).");
    if (nerr > 0) {
        r->status = 422;
        lw_hdf_set_int(&r->page, "Errors.count", nerr);
        return render(r, db, &f, 1);
    }
    s.starts_at = empty(f.starts) ? NULL : ts_text(r, starts);
    s.ends_at = ends ? ts_text(r, ends) : NULL;
    s.duration_s = dur > 0 ? lw_pool_printf(r->pool, "%lld", (long long) dur) : NULL;
    s.recurrence = recurring ? sched.text : NULL;
    s.comment = f.comment;
    alert_id = 0;
    lw_req_param_id(r, "alert", LW_REQ_ID_BIGINT, &alert_id);   /* checked on the way in */
    if (lw_db_begin(db, &r->err) != LW_OK)
        return LW_EDB;
    rc = lw_db_silences_create(db, &r->err, &who, &s, &id);
    if (rc == LW_OK && alert_id > 0) {
        /* the alert's timeline shows that it was silenced, and by whom */
        snprintf(sid, sizeof(sid), "%lld", alert_id);
        rc = lw_db_audit_add(db, &r->err, r->user.id, r->user.email, "silence", "alert", sid, NULL,
                          lw_pool_printf(r->pool, "{\"silence_id\": %lld}", id), r->remote_addr);
    }
    if (rc != LW_OK || lw_db_commit(db, &r->err) != LW_OK) {
        lw_db_rollback(db);
        return rc == LW_OK ? LW_EDB : rc;
    }
    return lw_req_redirect(r, "/silences?created=1");
}

int
lw_page_silence_new(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    silence_form f = { 0 };
    PGresult *res;
    long long alert = 0;

    if (lw_req_param_id(r, "alert", LW_REQ_ID_BIGINT, &alert) < 0)
        return LW_EINVAL;
    if (db == NULL)
        return LW_EDB;
    if (strcmp(r->method, "POST") == 0)
        return create(r, db);
    f.mode = lw_req_query(r, "mode");
    f.duration = "2h";
    if (alert > 0) {
        res = lw_req_keep(r, lw_db_alerts_of(db, &r->err, LW_DB_ALERT_ROW, alert));
        if (res == NULL)
            return LW_EDB;
        if (PQntuples(res) == 1) {
            f.rule = lw_db_str(res, 0, PQfnumber(res, "rule"));
            f.model = lw_db_str(res, 0, PQfnumber(res, "model"));
            f.environment = lw_db_str(res, 0, PQfnumber(res, "environment"));
            f.alert = lw_db_str(res, 0, PQfnumber(res, "id"));
            lw_hdf_set(&r->page, "From.id", f.alert);
            lw_hdf_set(&r->page, "From.rule", f.rule);
            lw_hdf_set(&r->page, "From.state", lw_db_str(res, 0, PQfnumber(res, "state")));
        }
    }
    if (f.rule == NULL)
        f.rule = lw_req_query(r, "rule");   /* from a rule's page */
    if (lw_streq(f.mode, "recurring"))
        f.duration = "2h";
    return render(r, db, &f, 0);
}

int
lw_page_silence_expire(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    int rc;

    if (db == NULL)
        return LW_EDB;
    rc = lw_db_silences_expire(db, &r->err, &who, lw_req_id(r));
    if (rc == LW_ENOTFOUND)
        return lw_req_redirect(r, "/silences?expired=0");
    if (rc != LW_OK)
        return rc;
    return lw_req_redirect(r, "/silences?expired=1");
}
