/* budget.c: a budget typed by people checked into its stored JSON (see
 * budget.h), with the limits of the config's `budgets:` (config_costs.c). */
#include "budget.h"

#include <errno.h>
#include <json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "money.h"

#define MAX_AMOUNT_MICROS INT64_C(99999999999999)

static void
add_error(lw_budget_errors *e, const char *field, const char *fmt, ...) LW_PRINTF(3, 4);

static void
add_error(lw_budget_errors *e, const char *field, const char *fmt, ...)
{
    va_list ap;
    int i;

    for (i = 0; i < e->n; i++)
        if (strcmp(e->v[i].field, field) == 0)
            return;
    if (e->n == LW_BUDGET_MAX_ERRORS)
        return;
    e->v[e->n].field = field;
    va_start(ap, fmt);
    vsnprintf(e->v[e->n].msg, sizeof(e->v[e->n].msg), fmt, ap);
    va_end(ap);
    e->n++;
}

static int
given(const char *s)
{
    return s != NULL && s[strspn(s, " \t")] != '\0';
}

/* "80, 90%,100" into ascending percents. */
static void
parse_tiers(const char *s, json_object *arr, lw_budget_errors *errs)
{
    const char *p = s;
    char *end;
    long v, last = 0;

    while (*p != '\0') {
        p += strspn(p, " \t,");
        if (*p == '\0')
            break;
        errno = 0;
        v = strtol(p, &end, 10);
        if (end == p || errno != 0 || v < 1 || v > 1000) {
            add_error(errs, "alert_at", "Alert tiers are percents of the budget from 1 to 1000, "
                      "separated by commas (80, 90, 100).");
            return;
        }
        if (v <= last) {
            add_error(errs, "alert_at", "Alert tiers must go up (80, 90, 100).");
            return;
        }
        if (json_object_array_length(arr) == LW_BUDGET_MAX_TIERS) {
            add_error(errs, "alert_at", "A budget has at most %d alert tiers.",
                      LW_BUDGET_MAX_TIERS);
            return;
        }
        json_object_array_add(arr, json_object_new_int((int) v));
        last = v;
        p = end;
        p += strspn(p, " \t%");
        if (*p != '\0' && *p != ',') {
            add_error(errs, "alert_at", "Alert tiers are numbers separated by commas (80, 90, 100).");
            return;
        }
    }
}

static int
name_ok(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= 100 && lw_utf8_valid(s, n) && strpbrk(s, "\r\n\t") == NULL;
}

int
lw_budget_check(const lw_budget_input *in, lw_pool *pool, const char **json,
                lw_budget_errors *errs)
{
    json_object *o = json_object_new_object(), *tiers = json_object_new_array();
    const char *name = in->name;
    int64_t micros = 0;
    char amount[48];
    int period = -1;

    memset(errs, 0, sizeof(*errs));
    *json = NULL;
    if (!given(in->period) || (period = lw_config_budget_period_parse(in->period)) < 0)
        add_error(errs, "period", "Choose the period: daily, weekly or monthly.");
    if (!given(name))
        name = period >= 0 ? lw_config_budget_period_name((lw_budget_period) period) : NULL;
    if (name == NULL || !name_ok(name))
        add_error(errs, "name", "Give the budget a name of 1 to 100 characters on one line.");
    if (!given(in->amount) || lw_money_parse(in->amount, &micros) != LW_OK || micros <= 0
        || micros > MAX_AMOUNT_MICROS)
        add_error(errs, "amount", "The amount is in dollars, more than 0 (e.g. 150 or 1234.50).");
    if (given(in->alert_at))
        parse_tiers(in->alert_at, tiers, errs);
    if (json_object_array_length(tiers) == 0) {
        json_object_array_add(tiers, json_object_new_int(80));
        json_object_array_add(tiers, json_object_new_int(90));
        json_object_array_add(tiers, json_object_new_int(100));
    }
    if (given(in->provider) && lw_config_provider_parse(in->provider) < 0)
        add_error(errs, "provider", "The provider is openai, anthropic, google or "
                  "openai-compatible.");
    if (given(in->time_zone) && !lw_config_time_zone_ok(in->time_zone))
        add_error(errs, "time_zone", "The time zone is UTC or a name such as Europe/Paris.");
    if (given(in->model) && !name_ok(in->model))
        add_error(errs, "model", "Name a model.");
    if (given(in->environment) && !name_ok(in->environment))
        add_error(errs, "environment", "Name an environment.");
    if (errs->n > 0) {
        json_object_put(o);
        json_object_put(tiers);
        return LW_EINVAL;
    }
    lw_micros_to_decimal(micros, amount, sizeof(amount));
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "period", json_object_new_string(
        lw_config_budget_period_name((lw_budget_period) period)));
    json_object_object_add(o, "amount", json_object_new_string(amount));
    json_object_object_add(o, "thresholds", tiers);
    if (given(in->model))
        json_object_object_add(o, "model", json_object_new_string(in->model));
    if (given(in->provider))
        json_object_object_add(o, "provider", json_object_new_string(in->provider));
    if (given(in->environment))
        json_object_object_add(o, "environment", json_object_new_string(in->environment));
    json_object_object_add(o, "time_zone", json_object_new_string(
        given(in->time_zone) ? in->time_zone : "UTC"));
    *json = lw_pool_strdup(pool, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return *json != NULL ? LW_OK : LW_ENOMEM;
}
