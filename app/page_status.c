/* page_status.c: the public status page, for the people who use the
 * monitored models: "/status" (HTML) and "/status.json" (its twin: the
 * page is rendered from the very same document), no login. Only models
 * marked `status_page: true` appear, with nothing private (lib/db/status.h
 * says what is left out). Both answers are kept in the page cache
 * (invalidated by the data) and sent with Cache-Control: public, so nginx
 * (or any proxy) may serve them for a while without asking. */
#include "app.h"

#include <json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "db/status.h"
#include "render.h"

#define STATUS_MAX_AGE "public, max-age=30"

static void
put_json(void *o)
{
    json_object_put(o);
}

/* Ends a page cache lookup `how` of key that missed: body (len bytes, of
 * content type `type`) is stored, or, when there is none (a failure), the
 * miss is abandoned so that the next request tries again. */
static void
cache_end(int how, const char *key, unsigned long gen, const char *type, const char *body,
          size_t len)
{
    lw_cache_value v;

    if (how != LW_CACHE_MISS)
        return;
    if (body == NULL) {
        lw_cache_abandon(key);
        return;
    }
    memset(&v, 0, sizeof(v));
    v.content_type = type;
    v.body = body;
    v.len = len;
    lw_cache_store(key, gen, &v);
}

/* The status document: from the page cache, else from the database (and
 * stored). Pool memory; NULL with r->err set when the database fails. */
static const char *
status_doc(lw_req *r)
{
    lw_cache_value v;
    unsigned long gen = 0;
    lw_db *db;
    PGresult *res;
    const char *doc;
    int how = lw_cache_lookup("/status.json#doc", r->pool, &v, &gen);

    if (how == LW_CACHE_HIT)
        return lw_pool_strndup(r->pool, v.body, v.len);
    db = lw_req_db(r);
    res = db ? lw_req_keep(r, lw_db_status_json(db, &r->err)) : NULL;
    doc = res != NULL && PQntuples(res) == 1 ? lw_db_str(res, 0, 0) : NULL;
    cache_end(how, "/status.json#doc", gen, "application/json", doc, doc ? strlen(doc) : 0);
    return doc;
}

int
lw_page_status_json(lw_req *r)
{
    const char *doc = status_doc(r);

    if (doc == NULL)
        return LW_EDB;
    lw_req_add_header(r, "Cache-Control", STATUS_MAX_AGE);
    lw_req_add_header(r, "Access-Control-Allow-Origin", "*");
    return lw_req_raw(r, 200, "application/json", doc, strlen(doc));
}

/* ---- the HTML from the document ---- */

static const char *
jstr(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return json_object_get_string(v);
}

static void
set(lw_req *r, const char *prefix, const char *name, const char *v)
{
    char key[160];

    if (v == NULL)
        return;
    snprintf(key, sizeof(key), "%s.%s", prefix, name);
    lw_hdf_set(&r->page, key, v);
}

/* What a day's bar says: its colour class and its words. */
static const char *
day_class(json_object *d)
{
    const char *a = jstr(d, "availability_pct");
    double v;

    if (a == NULL)
        return "none";
    v = strtod(a, NULL);
    return v >= 99.9 ? "ok" : v >= 99 ? "warn" : "crit";
}

static void
fill_models(lw_req *r, json_object *models)
{
    static const char *const fill[] = { "none", "ok", "warn", "crit" };
    static const char *const colour[] = { "#c9ced6", "#2e9d5b", "#e0a100", "#d64545" };
    json_object *m, *days, *d, *h;
    char p[64], q[96];
    size_t i, j, k, n = json_object_array_length(models);
    const char *cls;

    for (i = 0; i < n; i++) {
        m = json_object_array_get_idx(models, i);
        snprintf(p, sizeof(p), "Models.%zu", i);
        set(r, p, "name", jstr(m, "name"));
        set(r, p, "environment", jstr(m, "environment"));
        set(r, p, "state", jstr(m, "state"));
        set(r, p, "availability_pct", jstr(m, "availability_pct"));
        if (json_object_object_get_ex(m, "last_hour", &h)) {
            set(r, p, "hour_availability_pct", jstr(h, "availability_pct"));
            set(r, p, "hour_p95_ms", jstr(h, "p95_ms"));
            set(r, p, "target_ms", jstr(h, "target_ms"));
        }
        if (!json_object_object_get_ex(m, "days", &days) || !json_object_is_type(days, json_type_array))
            continue;
        for (j = 0; j < json_object_array_length(days); j++) {
            d = json_object_array_get_idx(days, j);
            snprintf(q, sizeof(q), "%s.days.%zu", p, j);
            cls = day_class(d);
            for (k = 0; k < 4 && strcmp(fill[k], cls) != 0; k++)
                ;
            set(r, q, "date", jstr(d, "date"));
            set(r, q, "availability_pct", jstr(d, "availability_pct"));
            set(r, q, "cls", cls);
            set(r, q, "fill", colour[k < 4 ? k : 0]);
            snprintf(q + strlen(q), sizeof(q) - strlen(q), ".x");
            lw_hdf_set_int(&r->page, q, (long long) j * 7);
        }
    }
}

static void
fill_incidents(lw_req *r, json_object *inc)
{
    static const char *const keys[] = { "title", "severity", "model", "environment", "state",
                                         "started_at", "fired_at", "resolved_at", "duration_s" };
    json_object *o, *tl, *e;
    char p[64], q[96];
    size_t i, j, k;
    long long secs;

    for (i = 0; i < json_object_array_length(inc); i++) {
        o = json_object_array_get_idx(inc, i);
        snprintf(p, sizeof(p), "Incidents.%zu", i);
        for (k = 0; k < LW_ARRAY_LEN(keys); k++)
            set(r, p, keys[k], jstr(o, keys[k]));
        secs = json_object_get_int64(json_object_object_get(o, "duration_s"));
        snprintf(q, sizeof(q), "%s.duration", p);
        lw_hdf_set(&r->page, q, lw_pool_printf(r->pool, "%lldh %02lldm", secs / 3600, secs % 3600 / 60));
        if (!json_object_object_get_ex(o, "timeline", &tl) || !json_object_is_type(tl, json_type_array))
            continue;
        for (j = 0; j < json_object_array_length(tl); j++) {
            e = json_object_array_get_idx(tl, j);
            snprintf(q, sizeof(q), "%s.timeline.%zu", p, j);
            set(r, q, "at", jstr(e, "at"));
            set(r, q, "state", jstr(e, "state"));
        }
    }
}

int
lw_page_status(lw_req *r)
{
    const char *doc;
    json_object *o, *v;
    lw_cache_value cv;
    unsigned long gen = 0;
    lw_buf *b;
    int how;

    lw_req_add_header(r, "Cache-Control", STATUS_MAX_AGE);
    how = lw_cache_lookup("/status#html", r->pool, &cv, &gen);
    if (how == LW_CACHE_HIT)
        return lw_req_raw(r, 200, "text/html; charset=utf-8", cv.body, cv.len);
    if ((doc = status_doc(r)) == NULL) {
        cache_end(how, "/status#html", gen, NULL, NULL, 0);
        return LW_EDB;
    }
    o = json_tokener_parse(doc);
    if (o == NULL || lw_pool_cleanup_add(r->pool, put_json, o) != LW_OK) {
        json_object_put(o);
        return LW_ENOMEM;
    }
    lw_hdf_set(&r->page, "Page.title", "Status");
    lw_hdf_set(&r->page, "Status.overall", jstr(o, "overall"));
    lw_hdf_set(&r->page, "Status.generated_at", jstr(o, "generated_at"));
    if (json_object_object_get_ex(o, "models", &v))
        fill_models(r, v);
    if (json_object_object_get_ex(o, "incidents", &v))
        fill_incidents(r, v);
    if ((b = lw_req_buf(r)) == NULL)
        return LW_ENOMEM;
    if (lw_render(&r->page, "status", "layout", b, &r->err) != LW_OK || b->data == NULL) {
        cache_end(how, "/status#html", gen, NULL, NULL, 0);
        return LW_ERROR;
    }
    cache_end(how, "/status#html", gen, "text/html; charset=utf-8", b->data, b->len);
    return lw_req_raw(r, 200, "text/html; charset=utf-8", b->data, b->len);
}
