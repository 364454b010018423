/* page_api_usage.c: POST "/api/v1/usage": production usage from
 * applications (bearer token, editor role): a JSON batch of rows {time,
 * model, environment, application, input_tokens, output_tokens, requests,
 * cost, idempotency_key, ok}, checked whole (lib/usage.c): one bad row and
 * nothing is stored, 422 naming every bad row's index and field; a row
 * whose key was seen before is skipped, so a retried batch adds nothing.
 */
#include "app.h"
#include "api.h"

#include <json.h>
#include <string.h>
#include <time.h>

#include "db/usage.h"
#include "usage.h"

int
lw_page_api_usage(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    json_object *items;
    lw_usage_batch ub;
    PGresult *models;
    lw_buf rows = { 0 };
    long long stored, known;
    long index[LW_USAGE_MAX_SHOWN];
    const char *field[LW_USAGE_MAX_SHOWN], *msg[LW_USAGE_MAX_SHOWN];
    size_t i, n;
    int rc, k;

    if (db == NULL)
        return LW_EDB;
    if ((rc = lw_api_rows(r, "usage", &items)) != LW_OK || items == NULL)
        return rc == LW_EINVAL ? LW_OK : rc;   /* the 400 is written */
    lw_usage_init(&ub, r->pool);
    n = json_object_array_length(items);
    for (i = 0; i < n; i++)
        if ((rc = lw_usage_add_json(&ub, json_object_array_get_idx(items, i), (long) i + 1))
            != LW_OK)
            return rc;
    if (ub.n_errors == 0) {
        models = lw_req_keep(r, lw_db_usage_models(db, &r->err));
        if (models == NULL)
            return LW_EDB;
        rc = lw_usage_resolve(&ub, models, PQntuples(models) > 0
                              ? lw_db_int(models, 0, 5) * 1000000 : 0,
                              (int64_t) time(NULL) * 1000000);
        if (rc != LW_OK)
            return rc;
    }
    if (ub.n_errors > 0) {
        for (k = 0; k < ub.n_errors && k < LW_USAGE_MAX_SHOWN; k++) {
            index[k] = ub.shown[k].line;
            field[k] = ub.shown[k].field;
            msg[k] = ub.shown[k].msg;
        }
        return lw_api_invalid_rows(r, "rows", ub.n_errors, (int) n, index, field, msg, k);
    }
    rc = lw_usage_to_json(&ub, &rows);
    if (rc == LW_OK)
        rc = lw_db_usage_insert(db, &r->err, rows.data, "api", &stored, &known);
    lw_buf_free(&rows);
    if (rc != LW_OK)
        return rc;
    return lw_api_stored(r, "rows", (long long) n, stored, known);
}
