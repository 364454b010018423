/* page_sla.c: "/sla": each model's SLA compliance over a chosen period
 * (last 7/30/90/365 days, this or last month or quarter, a custom range),
 * from the daily rollups, with its daily availability bars; and the
 * period's evidence for compliance staff, "/sla.csv" and "/sla.pdf",
 * stored once per period and data (lib/report_sla.h has the rules). The
 * page itself has nothing per user: it is cached. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_sla.h"

static void
sla_free(void *p)
{
    lw_sla_free(p);
}

static void
buf_free(void *p)
{
    lw_buf_free(p);
}

/* The period of ?period= (&from=&to= for a custom one), or a 400. */
static int
period(lw_req *r, lw_sla_period *p)
{
    if (lw_sla_period_parse(lw_req_query(r, "period"), lw_req_query(r, "from"),
                            lw_req_query(r, "to"), time(NULL), p, &r->err) != LW_OK) {
        lw_req_error(r, 400, r->err.msg);
        return LW_EINVAL;
    }
    return LW_OK;
}

/* "/sla.csv" and "/sla.pdf": the stored evidence of the period. */
static int
evidence(lw_req *r, const char *format)
{
    lw_db *db = lw_req_db(r);
    lw_sla_period p;
    lw_buf *doc;
    long long id = 0;
    char sha[65], name[96];
    int rc;

    if (period(r, &p) != LW_OK)
        return LW_OK;
    if (db == NULL)
        return LW_EDB;
    doc = lw_pool_alloc(r->pool, sizeof(*doc));
    if (doc == NULL || lw_pool_cleanup_add(r->pool, buf_free, doc) != LW_OK)
        return LW_ENOMEM;
    rc = lw_sla_evidence(db, p.from, p.to, p.label, format, r->user.id, doc, &id, sha, &r->err);
    if (rc == LW_EDB || rc == LW_ENOMEM)
        return rc;
    if (rc != LW_OK) {
        lw_log(LW_LOG_ERROR, "sla evidence: %s", r->err.msg);
        return lw_req_error(r, 500, "The evidence could not be made; the server log says why.");
    }
    snprintf(name, sizeof(name), "attachment; filename=\"llmwatch-sla-%s_%s.%s\"", p.first_day,
             p.last_day, format);
    lw_req_add_header(r, "Content-Disposition", name);
    lw_req_add_header(r, "Content-Location", lw_pool_printf(r->pool, "/reports/%lld.%s", id, format));
    lw_req_add_header(r, "X-Content-SHA256", sha);
    return lw_req_raw(r, 200, strcmp(format, "pdf") == 0 ? "application/pdf" : "text/csv; charset=utf-8",
                      doc->data ? doc->data : "", doc->len);
}

int
lw_page_sla(lw_req *r)
{
    lw_db *db;
    lw_sla_period p;
    lw_sla *s;
    const char *ext = strrchr(r->path, '.');
    char name[64];
    int i;

    if (ext != NULL && (strcmp(ext, ".csv") == 0 || strcmp(ext, ".pdf") == 0))
        return evidence(r, ext + 1);
    if (period(r, &p) != LW_OK)
        return LW_OK;
    if ((db = lw_req_db(r)) == NULL)
        return LW_EDB;
    s = lw_pool_alloc(r->pool, sizeof(*s));
    if (s == NULL || lw_pool_cleanup_add(r->pool, sla_free, s) != LW_OK)
        return LW_ENOMEM;
    if (lw_sla_load(db, p.from, p.to, s, &r->err) != LW_OK)
        return LW_EDB;
    for (i = 0; lw_sla_period_keys[i]; i++) {
        snprintf(name, sizeof(name), "Periods.%d.key", i);
        lw_hdf_set(&r->page, name, lw_sla_period_keys[i]);
        snprintf(name, sizeof(name), "Periods.%d.title", i);
        lw_hdf_set(&r->page, name, lw_sla_period_title(lw_sla_period_keys[i]));
    }
    lw_hdf_set(&r->page, "Period.key", p.key);
    lw_hdf_set(&r->page, "Period.label", p.label);
    lw_hdf_set(&r->page, "Period.first_day", p.first_day);
    lw_hdf_set(&r->page, "Period.last_day", p.last_day);
    /* the key and days are checked words: safe in a query string */
    lw_hdf_set(&r->page, "Period.query", strcmp(p.key, "custom") == 0
               ? lw_pool_printf(r->pool, "period=custom&from=%s&to=%s", p.first_day, p.last_day)
               : lw_pool_printf(r->pool, "period=%s", p.key));
    lw_hdf_set(&r->page, "Period.export", lw_pool_printf(r->pool, "from=%lld&to=%lld",
                                                         (long long) p.from, (long long) p.to));
    if (s->n > 0) {
        snprintf(name, sizeof(name), "%g%%", s->models[0].objective * 100);
        lw_hdf_set(&r->page, "Sla.objective", name);
        lw_hdf_set_int(&r->page, "Sla.min_samples", s->models[0].min_samples);
        lw_hdf_set_int(&r->page, "Sla.ended", s->models[0].ended);
    }
    /* the strips pool a week per cell beyond LW_STRIP_MAX_CELLS days */
    lw_hdf_set_int(&r->page, "Period.weekly", s->n > 0 && s->models[0].ndays > LW_STRIP_MAX_CELLS);
    lw_sla_hdf(s, &r->page, "Models", 0, LW_SLA_STRIPS);
    lw_hdf_set(&r->page, "Page.title", "SLA compliance");
    r->template = "sla";
    return LW_OK;
}
