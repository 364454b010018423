/* report_evidence.c: SLA evidence for compliance staff (see report_sla.h):
 * the CSV of every model's days and the PDF that states the method, the
 * period and the SHA-256 of that CSV. Each is stored once per period and
 * data, so the same evidence downloads again byte for byte. */
#include "report_sla.h"

#include <stdio.h>
#include <string.h>

#include "db/reports.h"
#include "render.h"
#include "report.h"
#include "times.h"

/* Daily tables up to a quarter; a year is the CSV's job. */
#define DAYS_IN_PDF 92

int
lw_sla_evidence_html(const lw_sla *s, const char *label, const char *data_sha256,
                     time_t generated, lw_buf *html, lw_err *err)
{
    char a[64], b[64], period[96];
    lw_hdf h;
    int rc;

    memset(&h, 0, sizeof(h));
    lw_hdf_init(&h);
    lw_report_period_label(s->from, s->to, period, sizeof(period));
    snprintf(a, sizeof(a), "SLA evidence: %s", label);
    lw_hdf_set(&h, "Page.title", a);
    lw_hdf_set(&h, "Report.title", a);
    lw_hdf_set(&h, "Report.label", label);
    lw_hdf_set(&h, "Report.period", period);
    lw_time_format(s->from, LW_TIME_DAY, a, sizeof(a));
    lw_time_format(s->to - 1, LW_TIME_DAY, b, sizeof(b));
    lw_hdf_set(&h, "Report.first_day", a);
    lw_hdf_set(&h, "Report.last_day", b);
    lw_hdf_set(&h, "Report.generated", lw_time_format(generated, LW_TIME_MINUTE, a, sizeof(a)));
    lw_hdf_set(&h, "Report.data_sha256", data_sha256);
    lw_hdf_set_int(&h, "Report.days_shown", (s->to - s->from) / 86400 <= DAYS_IN_PDF);
    if (s->n > 0) {
        snprintf(a, sizeof(a), "%g%%", s->models[0].objective * 100);
        lw_hdf_set(&h, "Report.objective", a);
        lw_hdf_set_int(&h, "Report.min_samples", s->models[0].min_samples);
        lw_hdf_set_int(&h, "Report.ended", s->models[0].ended);
    }
    lw_sla_hdf(s, &h, "Models", (s->to - s->from) / 86400 <= DAYS_IN_PDF, LW_SLA_BARS);
    rc = lw_render(&h, "report_sla", "print_layout", html, err);
    lw_hdf_destroy(&h);
    return rc;
}

/* The stored bytes of a bytea column in text form into out. */
static int
unescape(const char *text, lw_buf *out)
{
    size_t len;
    unsigned char *b = PQunescapeBytea((const unsigned char *) text, &len);
    int rc;

    if (b == NULL)
        return LW_ENOMEM;
    rc = lw_buf_append(out, (const char *) b, len);
    PQfreemem(b);
    return rc;
}

int
lw_sla_evidence(lw_db *db, time_t from, time_t to, const char *label, const char *format,
                long long user_id, lw_buf *content, long long *id, char sha256[65], lw_err *err)
{
    static const int sections[] = { LW_RSEC_SLA_COMPLIANCE, LW_RSEC_AVAILABILITY_METRICS };
    int pdf = strcmp(format, "pdf") == 0, html_only = strcmp(format, "html") == 0, existed = 0, rc;
    char data_sha[65], name[160];
    lw_buf csv = { 0 }, html = { 0 }, doc = { 0 };
    lw_report_doc d;
    PGresult *old;
    lw_sla s;

    rc = lw_sla_load(db, from, to, &s, err);
    if (rc == LW_OK && (rc = lw_sla_csv(&s, &csv)) != LW_OK)
        lw_err_set(err, "out of memory");
    if (rc != LW_OK)
        goto cleanup;
    lw_report_sha256_hex(csv.data, csv.len, data_sha);
    /* made before from the same data: that one */
    if ((old = lw_db_reports_evidence(db, err, from, to, format, data_sha)) == NULL) {
        rc = LW_EDB;
        goto cleanup;
    }
    if (PQntuples(old) == 1) {
        *id = lw_db_int(old, 0, 0);
        lw_strlcpy(sha256, lw_db_str(old, 0, 2), 65);
        rc = unescape(lw_db_str(old, 0, 1), content);
        PQclear(old);
        if (rc != LW_OK)
            lw_err_set(err, "out of memory");
        goto cleanup;
    }
    PQclear(old);
    if ((pdf || html_only)
        && (rc = lw_sla_evidence_html(&s, label, data_sha, time(NULL), &html, err)) != LW_OK)
        goto cleanup;
    if (pdf && (rc = lw_report_pdf(html.data, html.len, 120, &doc, err)) != LW_OK)
        goto cleanup;
    memset(&d, 0, sizeof(d));
    snprintf(name, sizeof(name), "SLA evidence: %s", label);
    d.name = name;
    d.kind = "sla";
    d.format = pdf ? "pdf" : html_only ? "html" : "csv";
    d.from = from;
    d.to = to;
    d.sections = sections;
    d.n_sections = LW_ARRAY_LEN(sections);
    d.content = pdf ? doc.data : html_only ? html.data : csv.data;
    d.len = pdf ? doc.len : html_only ? html.len : csv.len;
    d.source_html = pdf ? html.data : NULL;
    d.source_len = pdf ? html.len : 0;
    d.data_sha256 = data_sha;
    d.created_by = user_id;
    if ((rc = lw_report_store(db, &d, id, &existed, sha256, err)) != LW_OK)
        goto cleanup;
    if (existed) {
        /* made by someone else meanwhile: theirs is the stored one */
        rc = LW_ECONFLICT;
        if ((old = lw_db_reports_evidence(db, err, from, to, format, data_sha)) != NULL) {
            rc = PQntuples(old) == 1 ? unescape(lw_db_str(old, 0, 1), content) : LW_EDB;
            PQclear(old);
        }
        if (rc != LW_OK)
            lw_err_set(err, "the evidence was made twice and cannot be read back");
        goto cleanup;
    }
    rc = lw_buf_append(content, d.content, d.len);
cleanup:
    lw_sla_free(&s);
    lw_buf_free(&csv);
    lw_buf_free(&html);
    lw_buf_free(&doc);
    return rc;
}
