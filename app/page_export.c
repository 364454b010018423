/* page_export.c: GET "/export": the download of `llmwatch export` from
 * the model page and /sla: ?model=ID (else every model), a range
 * (?range=24h|7d|30d... back from now, or ?from= and ?to=), ?level=
 * raw|5m|1h|1d (default: raw up to a day, hours beyond), ?format=
 * csv|json|jsonl. The same COPY stream as the command; a raw download
 * stops at LW_EXPORT_WEB_MAX_ROWS rows (the command has no limit). */
#include "app.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "db/exports.h"
#include "duration.h"

#define LW_EXPORT_WEB_MAX_ROWS 200000

static int
to_buf(void *ctx, const char *data, size_t len)
{
    return lw_buf_append(ctx, data, len) == LW_OK ? 0 : -1;
}

int
lw_page_export(lw_req *r)
{
    static const char *const levels[] = { "raw", "5m", "1h", "1d", NULL };
    static const char *const formats[] = { "csv", "json", "jsonl", NULL };
    static const char *const types[] = { "text/csv; charset=utf-8", "application/json",
                                         "application/x-ndjson" };
    const char *range = lw_req_query(r, "range"), *fmt;
    lw_db *db = lw_req_db(r);
    lw_export_spec spec;
    lw_api_page pg;
    long long rows, id = 0;
    int64_t span = 0;
    lw_buf *b;
    lw_err err;
    int rc, bad;

    memset(&spec, 0, sizeof(spec));
    if ((rc = lw_api_page_params(r, 86400, &pg)) != LW_OK)
        return rc == LW_EINVAL ? LW_OK : rc;
    if (range != NULL && *range != '\0') {
        if (lw_duration_parse(range, &span, &err) != LW_OK || span <= 0 || span > 400 * 86400LL) {
            lw_api_fail(r, 400, "bad_parameter", "range", "'range' must be a duration such as 24h or 30d.");
            return LW_OK;
        }
        pg.from = pg.to - span;
    }
    spec.from = pg.from;
    spec.to = pg.to;
    if ((rc = lw_req_query_id(r, "model", LW_REQ_ID_INT, &id)) < 0)
        return rc;
    spec.model_id = id;
    spec.level = lw_api_choice(r, "level", levels, &bad);
    if (bad)
        return LW_OK;
    if (spec.level == NULL)
        spec.level = spec.to - spec.from <= 86400 ? "raw" : "1h";
    fmt = lw_api_choice(r, "format", formats, &bad);
    if (bad)
        return LW_OK;
    spec.format = (lw_export_format) lw_db_exports_format_parse(fmt ? fmt : "csv");
    spec.limit = strcmp(spec.level, "raw") == 0 ? LW_EXPORT_WEB_MAX_ROWS : 0;
    if (db == NULL)
        return LW_EDB;
    if ((b = lw_req_buf(r)) == NULL)
        return LW_ENOMEM;
    rc = lw_db_exports_run(db, &r->err, &spec, to_buf, b, &rows);
    if (rc != LW_OK)
        return rc == LW_EIO ? LW_ENOMEM : rc;
    lw_req_add_header(r, "Content-Disposition", lw_pool_printf(r->pool,
        "attachment; filename=\"llmwatch-%s%s-%s.%s\"", id > 0 ? "model-" : "all",
        id > 0 ? lw_req_query(r, "model") : "", spec.level, fmt ? fmt : "csv"));
    return lw_req_raw(r, 200, types[spec.format], b->data ? b->data : "", b->len);
}
