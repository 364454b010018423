/* produce.c: one report from its request to its readers (see
 * reporting.h): the document built from the rollups, typeset as PDF when
 * asked, stored (once per schedule slot), written to a file, mailed. */
#include "report/reporting.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db/reports.h"
#include "render.h"
#include "report_sla.h"

void
lw_report_req_from_schedule(lw_report_req *q, const lw_report_config *rc,
                            const lw_report_schedule *s, time_t slot, time_t now)
{
    size_t i;

    memset(q, 0, sizeof(*q));
    q->type = lw_report_type_of(&s->sched);
    q->title = s->name;
    q->schedule = s->name;
    if (slot != 0)
        lw_report_period_of_slot(&s->sched, slot, &q->from, &q->to);
    else
        lw_report_default_period(q->type, now, &q->from, &q->to);
    for (i = 0; i < s->n_sections; i++)
        q->sections[i] = s->sections[i];
    q->n_sections = s->n_sections;
    q->thresholds = rc->thresholds;
    q->commentary = s->commentary;
    q->generated = now;
}

/* path gets data through a temporary file and a rename: a reader never
 * sees half a report. */
static int
write_output(const char *path, const char *data, size_t len, lw_err *err)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int) getpid());
    if ((f = fopen(tmp, "wb")) == NULL) {
        lw_err_set(err, "%s: %s", tmp, strerror(errno));
        return LW_EIO;
    }
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        lw_err_set(err, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return LW_EIO;
    }
    if (rename(tmp, path) != 0) {
        lw_err_set(err, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return LW_EIO;
    }
    return LW_OK;
}

static int
mail_it(const lw_report_req *q, lw_report_run *o, const char *text, const lw_buf *html,
        const lw_buf *doc)
{
    char period[96], subject[256], file[128];
    lw_buf body = { 0 };
    lw_err err;
    int rc;

    lw_report_period_label(q->from, q->to, period, sizeof(period));
    snprintf(subject, sizeof(subject), "[llmwatch] %s: %s", q->title, period);
    snprintf(file, sizeof(file), "llmwatch-report-%lld.pdf", o->id);
    lw_buf_printf(&body, "%s\n%s SHA-256: %s\n", text ? text : "",
                  strcmp(o->format, "pdf") == 0 ? "The attached PDF's" : "This report's", o->sha256);
    rc = lw_report_mail(o->cfg, o->recipients, o->id, subject, body.data, html->data,
                        strcmp(o->format, "pdf") == 0 ? doc->data : NULL, doc->len, file, &err);
    if (rc != LW_OK)
        lw_strlcpy(o->mail_error, err.msg, sizeof(o->mail_error));
    lw_buf_free(&body);
    return rc;
}

int
lw_report_produce(lw_db *db, const lw_report_req *q, lw_report_run *o, lw_buf *text, lw_err *err)
{
    char label[96], dir[4096];
    lw_buf html = { 0 }, doc = { 0 }, local = { 0 };
    lw_report_doc d;
    int64_t t0 = lw_now_mono_us();
    int pdf = strcmp(o->format, "pdf") == 0, rc, loaded = 0;

    o->mail_error[0] = '\0';
    o->existed = 0;
    if (text == NULL)
        text = &local;
    /* a job's first render: the templates of the installation */
    if (!lw_render_has("report")) {
        snprintf(dir, sizeof(dir), "%s/templates", lw_datadir());
        if ((rc = lw_render_init(dir, err)) != LW_OK)
            goto cleanup;
        loaded = 1;
    }
    if (q->type == LW_REPORT_SLA) {
        /* SLA evidence: the one stored per period and data */
        lw_report_period_label(q->from, q->to, label, sizeof(label));
        rc = lw_sla_evidence(db, q->from, q->to, label, o->format, 0, &doc, &o->id, o->sha256, err);
        if (rc == LW_OK && !pdf)
            rc = lw_buf_append(&html, doc.data, doc.len);
    } else {
        if (strcmp(o->format, "csv") == 0) {
            lw_err_set(err, "CSV is the format of SLA evidence (--type sla); reports are PDF or HTML");
            rc = LW_EINVAL;
            goto cleanup;
        }
        rc = lw_report_build(db, q, &html, text, err);
        if (rc == LW_OK && pdf)
            rc = lw_report_pdf(html.data, html.len, 120, &doc, err);
        if (rc == LW_OK) {
            memset(&d, 0, sizeof(d));
            d.name = q->title;
            d.kind = lw_report_type_names[q->type];
            d.format = o->format;
            d.from = q->from;
            d.to = q->to;
            d.schedule = o->slot != 0 ? q->schedule : NULL;
            d.slot = o->slot;
            d.sections = q->sections;
            d.n_sections = q->n_sections;
            d.content = pdf ? doc.data : html.data;
            d.len = pdf ? doc.len : html.len;
            d.source_html = pdf ? html.data : NULL;
            d.source_len = pdf ? html.len : 0;
            d.recipients = o->email ? o->recipients : NULL;
            rc = lw_report_store(db, &d, &o->id, &o->existed, o->sha256, err);
        }
        if (rc == LW_OK && !pdf)
            rc = lw_buf_append(&doc, html.data, html.len);
    }
    if (rc != LW_OK)
        goto cleanup;
    o->bytes = doc.len;
    o->build_s = (double) (lw_now_mono_us() - t0) / 1e6;
    if (o->output != NULL && (rc = write_output(o->output, doc.data, doc.len, err)) != LW_OK)
        goto cleanup;
    /* a slot made elsewhere was mailed there */
    if (o->email && !o->existed) {
        if (mail_it(q, o, text->data, &html, &doc) == LW_OK)
            lw_db_reports_emailed(db, NULL, o->id, NULL);
        else
            lw_db_reports_emailed(db, NULL, o->id, o->mail_error);
    }
cleanup:
    if (loaded)
        lw_render_shutdown();
    lw_buf_free(&html);
    lw_buf_free(&doc);
    lw_buf_free(&local);
    return rc;
}
