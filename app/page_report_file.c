/* page_report_file.c: "/reports/{id}.pdf|.html|.csv": a stored report as
 * it was rendered, with the content type of its format. A report stored as
 * PDF is not found under .csv; under .html it is the HTML the PDF was
 * typeset from, whose SHA-256 the PDF's footer names. */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "db/topics.h"

static void
free_bytea(void *p)
{
    PQfreemem(p);
}

int
lw_page_report_file(lw_req *r)
{
    static const struct { const char *ext, *type, *disposition; } formats[] = {
        { "pdf",  "application/pdf",          "inline" },
        { "html", "text/html; charset=utf-8", "inline" },
        { "csv",  "text/csv; charset=utf-8",  "attachment" },
    };
    lw_db *db = lw_req_db(r);
    PGresult *res;
    const char *ext, *format, *sha;
    unsigned char *content;
    size_t len, i;
    int source = 0;

    if (db == NULL)
        return LW_EDB;
    ext = strrchr(r->path, '.');
    ext = ext ? ext + 1 : "";
    res = lw_req_keep(r, lw_db_reports_file(db, &r->err, lw_req_id(r), 0));
    if (res == NULL)
        return LW_EDB;
    format = lw_db_str(res, 0, 0);
    if (PQntuples(res) == 1 && lw_streq(format, "pdf") && strcmp(ext, "html") == 0) {
        res = lw_req_keep(r, lw_db_reports_file(db, &r->err, lw_req_id(r), 1));
        if (res == NULL)
            return LW_EDB;
        format = "html";
        source = 1;
    }
    if (PQntuples(res) == 0 || !lw_streq(format, ext))
        return lw_req_error(r, 404, "There is no report with that id in that format.");
    for (i = 0; i < LW_ARRAY_LEN(formats); i++)
        if (strcmp(formats[i].ext, ext) == 0)
            break;
    if (i == LW_ARRAY_LEN(formats))
        return lw_req_error(r, 404, "There is no report with that id in that format.");
    content = PQunescapeBytea((const unsigned char *) lw_db_str(res, 0, source ? 0 : 1), &len);
    if (content == NULL || lw_pool_cleanup_add(r->pool, free_bytea, content) != LW_OK) {
        PQfreemem(content);
        return LW_ENOMEM;
    }
    sha = lw_db_str(res, 0, source ? 1 : 2);
    /* our own report HTML carries inline styles; it gets no scripts, no
     * outside requests and a sandbox */
    if (strcmp(ext, "html") == 0)
        r->csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";
    lw_req_add_header(r, "Content-Disposition",
                      lw_pool_printf(r->pool, "%s; filename=\"llmwatch-report-%lld%s.%s\"",
                                     formats[i].disposition, lw_req_id(r), source ? "-source" : "",
                                     ext));
    lw_req_add_header(r, "X-Content-SHA256", sha);
    return lw_req_raw(r, 200, formats[i].type, (const char *) content, len);
}
