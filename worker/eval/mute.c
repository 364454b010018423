/* mute.c: why an alert's notification must not go out now: a silence or
 * maintenance window matching it (resolved notifications too), inhibition
 * by a firing critical alert on the same model and environment, or the
 * rule's cooldown. */
#include <string.h>

#include "db/eval.h"
#include "eval/eval_int.h"
#include "schedule.h"
#include "times.h"

static int
matcher_ok(json_object *m, const char *key, const char *value)
{
    json_object *v;
    size_t i, n;

    if (!json_object_object_get_ex(m, key, &v) || json_object_is_type(v, json_type_null))
        return 1;
    if (value == NULL)
        return 0;
    if (json_object_is_type(v, json_type_string))
        return strcmp(json_object_get_string(v), value) == 0;
    if (json_object_is_type(v, json_type_array)) {
        n = json_object_array_length(v);
        for (i = 0; i < n; i++) {
            json_object *x = json_object_array_get_idx(v, i);

            if (x && json_object_is_type(x, json_type_string)
                && strcmp(json_object_get_string(x), value) == 0)
                return 1;
        }
    }
    return 0;
}

static int
silence_matches(const silence *s, const char *rule, const char *model, const char *env,
                const char *sev)
{
    static const char *const known[] = { "rule", "model", "environment", "severity" };
    size_t i;

    /* an unknown matcher key never matches: better loud than silently muted */
    json_object_object_foreach(s->matchers, key, val) {
        int ok = 0;

        (void) val;
        for (i = 0; i < LW_ARRAY_LEN(known); i++)
            ok |= strcmp(key, known[i]) == 0;
        if (!ok)
            return 0;
    }
    return matcher_ok(s->matchers, "rule", rule) && matcher_ok(s->matchers, "model", model)
           && matcher_ok(s->matchers, "environment", env)
           && matcher_ok(s->matchers, "severity", sev);
}

/* A recurring window is open when an occurrence started in
 * (at - duration, at]. */
static int
silence_active(const silence *s, time_t at)
{
    lw_sched sch;
    lw_err err;
    time_t next;

    if (s->recurrence == NULL || s->recurrence[0] == '\0')
        return 1;
    if (s->duration_s <= 0 || lw_sched_parse(s->recurrence, &sch, &err) != LW_OK) {
        lw_log(LW_LOG_WARN, "maintenance window #%lld ignored: %s", s->id,
               s->duration_s <= 0 ? "no duration" : err.msg);
        return 0;
    }
    return lw_sched_next(&sch, at - (time_t) s->duration_s, &next) == LW_OK && next <= at;
}

int
lw_eval_mute_reason(lw_db *db, lw_eval_state *ev, cand *c, lw_err *err)
{
    const char *rule, *model, *env;
    char until[40];
    PGresult *res;
    size_t i;
    int64_t cd;

    res = lw_db_eval_names(db, err, c->alert_id);
    if (res == NULL)
        return LW_EDB;
    rule = lw_pool_strdup(ev->pool, lw_db_str(res, 0, 0));
    model = lw_pool_strdup(ev->pool, lw_db_str(res, 0, 1));
    env = lw_pool_strdup(ev->pool, lw_db_str(res, 0, 2));
    PQclear(res);
    for (i = 0; i < ev->n_sil; i++) {
        const silence *s = &ev->sil[i];

        if (!silence_matches(s, rule, model, env, lw_eval_sev_names[c->severity])
            || !silence_active(s, ev->at))
            continue;
        if (s->recurrence != NULL && s->recurrence[0] != '\0')
            c->suppressed = lw_pool_printf(ev->pool, "maintenance window #%lld (%s): %s", s->id,
                                           s->recurrence, s->comment ? s->comment : "");
        else
            c->suppressed = lw_pool_printf(ev->pool, "silence #%lld: %s", s->id,
                                           s->comment ? s->comment : "");
        return LW_OK;
    }
    if (c->kind == C_RESOLVED)
        return LW_OK;
    if (c->severity != LW_SEV_CRITICAL && !c->budget) {
        res = lw_db_eval_inhibitor(db, err, c->alert_id, c->model_id, c->environment_id);
        if (res == NULL)
            return LW_EDB;
        if (PQntuples(res) > 0)
            c->suppressed = lw_pool_printf(ev->pool, "inhibited by alert #%s (%s)",
                                           lw_db_str(res, 0, 0), lw_db_str(res, 0, 1));
        PQclear(res);
        if (c->suppressed)
            return LW_OK;
    }
    cd = c->rule ? c->rule->cooldown_s : 0;
    if (c->kind == C_FIRING && c->series_last_notified != 0
        && ev->at - c->series_last_notified < cd)
        c->suppressed = lw_pool_printf(ev->pool, "cooldown until %s",
                                       lw_time_format(c->series_last_notified + (time_t) cd,
                                                      LW_TIME_SECOND, until, sizeof(until)));
    else if (c->kind == C_REPEAT && c->series_last_notified == 0 && c->rule) {
        /* never delivered: wait out the cooldown of the series' last
         * notification before announcing it late */
        time_t prev = lw_eval_series_last(ev, c->rule->id, c->model_id, c->environment_id);

        if (prev != 0 && ev->at - prev < cd)
            c->suppressed = "cooldown";
    }
    return LW_OK;
}

