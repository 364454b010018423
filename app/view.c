/* view.c: the page parts several pages share (see view.h). */
#include "view.h"

#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "db/costs.h"
#include "html.h"
#include "times.h"
#include "schedule.h"

#define CHART_W 640
#define CHART_H 260

PGresult *
lw_view_list(lw_req *r, PGresult *res, const char *rows, const char *title,
             const char *template)
{
    res = lw_req_keep(r, res);
    if (res == NULL)
        return NULL;
    lw_hdf_rows(&r->page, rows, res);
    lw_hdf_set(&r->page, "Page.title", title);
    r->template = template;
    return res;
}

void
lw_view_flash(lw_req *r, const lw_view_flash_msg *table, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (lw_streq(lw_req_query(r, table[i].param), table[i].value)) {
            lw_hdf_set(&r->page, "Flash.message", table[i].message);
            lw_hdf_set(&r->page, "Flash.kind", table[i].kind);
            return;
        }
    }
}

int
lw_view_changed(lw_req *r, int rc, int status, const char *missing, const char *to)
{
    if (rc == LW_ENOTFOUND)
        return lw_req_error(r, status, missing);
    return rc == LW_OK ? lw_req_redirect(r, to) : rc;
}

int
lw_view_markdown(lw_req *r, const char *hdf_name, const char *markdown)
{
    char *html;

    if (markdown == NULL || markdown[0] == '\0')
        return LW_OK;
    html = lw_html_markdown(markdown);
    if (html == NULL)
        return LW_ENOMEM;
    lw_hdf_set(&r->page, hdf_name, html);
    free(html);
    return LW_OK;
}

long long
lw_view_silence(const PGresult *res, int row, time_t now)
{
    int one = PQfnumber(res, "silence_id"), win = PQfnumber(res, "silence_windows");
    json_object *list, *w, *v;
    long long id = 0, dur;
    size_t i, n;
    lw_sched sch;
    lw_err err;
    time_t next;

    if (one >= 0 && !lw_db_isnull(res, row, one))
        return lw_db_int(res, row, one);
    if (win < 0 || lw_db_isnull(res, row, win))
        return 0;
    list = json_tokener_parse(lw_db_str(res, row, win));
    n = list && json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
    for (i = 0; i < n && id == 0; i++) {
        w = json_object_array_get_idx(list, i);
        dur = json_object_object_get_ex(w, "duration_s", &v) ? json_object_get_int64(v) : 0;
        if (dur <= 0 || !json_object_object_get_ex(w, "recurrence", &v)
            || lw_sched_parse(json_object_get_string(v), &sch, &err) != LW_OK)
            continue;
        if (lw_sched_next(&sch, now - (time_t) dur, &next) == LW_OK && next <= now
            && json_object_object_get_ex(w, "id", &v))
            id = json_object_get_int64(v);
    }
    json_object_put(list);
    return id;
}

int
lw_view_silenced(lw_req *r, const PGresult *res, const char *rows)
{
    time_t now = time(NULL);
    long long id;
    char name[96];
    int i, n = 0;

    for (i = 0; res != NULL && i < PQntuples(res); i++) {
        if ((id = lw_view_silence(res, i, now)) == 0)
            continue;
        snprintf(name, sizeof(name), "%s.%d.silenced", rows, i);
        lw_hdf_set_int(&r->page, name, id);
        n++;
    }
    return n;
}

int
lw_view_range(lw_req *r, lw_db_dash_range *rg)
{
    size_t n_ranges;
    const lw_db_dash_range *all = lw_db_dash_ranges(&n_ranges);
    const char *from = lw_req_query(r, "from"), *to = lw_req_query(r, "to");
    const char *refresh = lw_req_query(r, "refresh");
    char name[64], keys[128] = "", buf[40];
    size_t i, n = n_ranges, len;
    time_t f, t;
    long secs = 60;

    if ((from && *from) || (to && *to)) {
        /* ?from=&to= (the form's datetime-local, or any form lw_time_parse reads) */
        if (lw_time_parse(from, &f) != LW_OK || lw_time_parse(to, &t) != LW_OK) {
            lw_err_set(&r->err, "A custom range needs from and to as YYYY-MM-DD HH:MM (UTC).");
            return LW_EINVAL;
        }
        if (lw_db_dash_range_custom(f, t, rg) != LW_OK) {
            lw_err_set(&r->err, "A custom range must end after it starts and span at most 400 days.");
            return LW_EINVAL;
        }
        rg->label = lw_pool_printf(r->pool, "%s to %s",
                                   lw_time_format(rg->from, LW_TIME_MINUTE, name, sizeof(name)),
                                   lw_time_format(rg->to, LW_TIME_MINUTE, buf, sizeof(buf)));
        lw_hdf_set(&r->page, "Range.from", lw_time_format(rg->from, LW_TIME_RFC3339, buf, sizeof(buf)));
        lw_hdf_set(&r->page, "Range.to", lw_time_format(rg->to, LW_TIME_RFC3339, buf, sizeof(buf)));
        secs = 0;       /* a range in the past does not change */
    } else if (lw_db_dash_range_get(lw_req_query(r, "range"), time(NULL), rg) != LW_OK) {
        /* "1h, 6h, 24h, 7d, 30d or 90d", from the table */
        for (i = 0; i < n; i++) {
            len = strlen(keys);
            snprintf(keys + len, sizeof(keys) - len, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ",
                     all[i].key);
        }
        lw_err_set(&r->err, "Unknown time range: use one of %s.", keys);
        return LW_EINVAL;
    }
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "Ranges.%zu.key", i);
        lw_hdf_set(&r->page, name, all[i].key);
        snprintf(name, sizeof(name), "Ranges.%zu.label", i);
        lw_hdf_set(&r->page, name, all[i].label);
    }
    lw_hdf_set(&r->page, "Range.key", rg->key);
    lw_hdf_set(&r->page, "Range.label", rg->label);
    lw_hdf_set(&r->page, "Range.title", strcmp(rg->key, "custom") == 0
               ? lw_pool_printf(r->pool, "%s (UTC)", rg->label)
               : lw_pool_printf(r->pool, "Last %s", rg->label));
    /* the form shows the range it draws (UTC, the datetime-local format) */
    lw_hdf_set(&r->page, "Range.from_input", lw_pool_strndup(r->pool,
               lw_time_format(rg->from, LW_TIME_RFC3339, buf, sizeof(buf)), 16));
    lw_hdf_set(&r->page, "Range.to_input", lw_pool_strndup(r->pool,
               lw_time_format(rg->to, LW_TIME_RFC3339, buf, sizeof(buf)), 16));
    /* auto-refresh: every 60 s unless ?refresh=off (or a number of seconds) */
    if (refresh != NULL && *refresh) {
        if (strcmp(refresh, "off") == 0 || strcmp(refresh, "0") == 0)
            secs = 0;
        else if ((secs = atol(refresh)) < 10 || secs > 3600) {
            lw_err_set(&r->err, "refresh must be off or a number of seconds from 10 to 3600.");
            return LW_EINVAL;
        }
    }
    if (secs > 0)
        lw_hdf_set_int(&r->page, "Page.refresh", secs);
    lw_hdf_set_int(&r->page, "Refresh.seconds", secs);
    return LW_OK;
}

void
lw_view_chart_opts(lw_chart_opts *o, char *title, size_t size, const char *what,
                   const lw_db_dash_range *rg)
{
    memset(o, 0, sizeof(*o));
    o->width = CHART_W;
    o->height = CHART_H;
    if (strcmp(rg->key, "custom") == 0)
        snprintf(title, size, "%.100s, %s (UTC)", what, rg->label);
    else
        snprintf(title, size, "%.100s, last %s", what, rg->label);
    o->title = title;
    o->hover = 1;       /* every chart tells its values under the pointer */
}

int
lw_view_svg(lw_req *r, const char *name, lw_buf *svg, int rc)
{
    if (rc == LW_OK)
        lw_hdf_set(&r->page, name, svg->data ? svg->data : "");
    lw_buf_free(svg);
    return rc;
}

double
lw_view_col_max(const PGresult *res, const char *col)
{
    int c = PQfnumber(res, col), i;
    double m = 0;

    for (i = 0; c >= 0 && i < PQntuples(res); i++)
        if (!lw_db_isnull(res, i, c) && lw_db_double(res, i, c) > m)
            m = lw_db_double(res, i, c);
    return m;
}

/* ---- health ---- */

static double
num(const PGresult *res, int row, const char *col)
{
    int c = PQfnumber(res, col);

    return c < 0 || lw_db_isnull(res, row, c) ? NAN : lw_db_double(res, row, c);
}

void
lw_view_model_health(lw_req *r, const PGresult *models, int row, const PGresult *firing,
                     time_t now, lw_view_health *out)
{
    static const char *const words[] = { "ok", "warning", "critical", "not enough data" };
    static const char *const css[] = { "ok", "warn", "crit", "none" };
    long long id = lw_db_int(models, row, PQfnumber(models, "id"));
    const char *sev, *pre;
    double n, ok, p95, target = num(models, row, "sla_target_ms");
    double pct = num(models, row, "availability_target_pct");
    char a[32], b[32];
    int i, mc = firing ? PQfnumber(firing, "model_id") : -1;

    memset(out, 0, sizeof(*out));
    out->health = LW_HEALTH_OK;
    for (i = 0; mc >= 0 && i < PQntuples(firing); i++) {
        if (lw_db_int(firing, i, mc) != id)
            continue;
        out->firing++;
        if (lw_view_silence(firing, i, now) > 0) {
            out->muted++;
            continue;
        }
        sev = lw_db_str(firing, i, PQfnumber(firing, "severity"));
        if (lw_streq(sev, "critical"))
            out->health = LW_HEALTH_CRITICAL;
        else if (out->health != LW_HEALTH_CRITICAL)
            out->health = LW_HEALTH_WARNING;
    }
    /* the window with enough probes: the last hour, else the day */
    pre = "hour";
    out->window = "1h";
    if (!(num(models, row, "hour_count") >= LW_HEALTH_MIN_PROBES)) {
        pre = "day";
        out->window = "24h";
    }
    n = num(models, row, lw_pool_printf(r->pool, "%s_count", pre));
    ok = num(models, row, lw_pool_printf(r->pool, "%s_ok", pre));
    p95 = num(models, row, lw_pool_printf(r->pool, "%s_p95_ms", pre));
    if (out->firing > out->muted) {
        out->why = lw_pool_printf(r->pool, "%d firing alert%s", out->firing - out->muted,
                                  out->firing - out->muted == 1 ? "" : "s");
    } else if (!(n >= LW_HEALTH_MIN_PROBES)) {
        out->health = LW_HEALTH_NODATA;
        out->why = lw_pool_printf(r->pool, "%.0f probe%s in 24 hours: fewer than %d",
                                  isnan(n) ? 0 : n, n == 1 ? "" : "s", LW_HEALTH_MIN_PROBES);
    } else if (isfinite(pct) && 100.0 * ok / n < pct) {
        out->health = LW_HEALTH_WARNING;
        out->why = lw_pool_printf(r->pool, "availability %.2f%% under the %g%% target (%s)",
                                  100.0 * ok / n, pct, out->window);
    } else if (isfinite(target) && target > 0 && isfinite(p95) && p95 > target) {
        lw_fmt_ms(p95, a, sizeof(a));
        lw_fmt_ms(target, b, sizeof(b));
        out->health = LW_HEALTH_WARNING;
        out->why = lw_pool_printf(r->pool, "p95 %s over the %s SLA target (%s)", a, b, out->window);
    } else {
        out->why = lw_pool_printf(r->pool, "no firing alert; availability and p95 within target (%s)",
                                  out->window);
    }
    if (out->muted > 0 && out->why != NULL)
        out->why = lw_pool_printf(r->pool, "%s; %d silenced", out->why, out->muted);
    out->word = words[out->health];
    out->css = css[out->health];
}

void
lw_view_health_hdf(lw_req *r, const char *prefix, const lw_view_health *h)
{
    const char *const names[] = { "health", "health_css", "health_why", "health_window" };
    const char *const values[] = { h->word, h->css, h->why, h->window };
    char name[160];
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(names); i++) {
        snprintf(name, sizeof(name), "%s.%s", prefix, names[i]);
        lw_hdf_set(&r->page, name, values[i]);
    }
    snprintf(name, sizeof(name), "%s.firing", prefix);
    lw_hdf_set_int(&r->page, name, h->firing);
    snprintf(name, sizeof(name), "%s.muted", prefix);
    lw_hdf_set_int(&r->page, name, h->muted);
}

/* This page's path and query without `env`, then env=name (or nothing). */
static const char *
env_href(lw_req *r, const char *name)
{
    lw_buf b = { 0 };
    const char *s;
    size_t i;

    lw_buf_puts(&b, r->path);
    for (i = 0; i < r->query_params.n; i++) {
        const lw_kv *kv = &r->query_params.items[i];

        if (strcmp(kv->name, "env") == 0)
            continue;
        lw_buf_printf(&b, "%c%s=%s", b.len == strlen(r->path) ? '?' : '&',
                      lw_req_url_encode(r->pool, kv->name), lw_req_url_encode(r->pool, kv->value));
    }
    if (name != NULL)
        lw_buf_printf(&b, "%cenv=%s", b.len == strlen(r->path) ? '?' : '&',
                      lw_req_url_encode(r->pool, name));
    s = lw_pool_strndup(r->pool, b.data ? b.data : r->path, b.data ? b.len : strlen(r->path));
    lw_buf_free(&b);
    return s;
}

int
lw_view_env(lw_req *r, const char **env)
{
    const char *want = lw_req_query(r, "env"), *name;
    PGresult *res;
    char key[64];
    int i, n, found = 0;

    *env = NULL;
    if (want != NULL && want[0] == '\0')
        want = NULL;
    res = lw_req_keep(r, lw_db_costs_environments(lw_req_db(r), &r->err));
    if (res == NULL)
        return LW_EDB;
    n = PQntuples(res);
    for (i = 0; i < n; i++)
        found |= lw_streq(lw_db_str(res, i, 0), want);
    if (want != NULL && !found) {
        lw_err_set(&r->err, "There is no environment called '%.100s'.", want);
        return LW_EINVAL;
    }
    *env = want;
    lw_hdf_set(&r->page, "Env.chosen", want);
    if (n < 2)
        return LW_OK;
    for (i = -1; i < n; i++) {
        name = i < 0 ? NULL : lw_db_str(res, i, 0);
        snprintf(key, sizeof(key), "EnvSelect.%d.label", i + 1);
        lw_hdf_set(&r->page, key, name ? name : "all environments");
        snprintf(key, sizeof(key), "EnvSelect.%d.href", i + 1);
        lw_hdf_set(&r->page, key, env_href(r, name));
        snprintf(key, sizeof(key), "EnvSelect.%d.current", i + 1);
        lw_hdf_set_int(&r->page, key, lw_streq(name, want) || (name == NULL && want == NULL));
    }
    return LW_OK;
}
