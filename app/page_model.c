/* page_model.c: "/models/{id}": a model's settings, its last hour and its
 * last 50 probes. */
#include "app.h"

#include "db_web.h"
#include "render.h"

int
lw_page_model(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *model, *probes;

    if (db == NULL)
        return LW_EDB;
    model = lw_req_keep(r, lw_dbw_model(db, &r->err, lw_req_id(r)));
    if (model == NULL)
        return LW_EDB;
    if (PQntuples(model) == 0)
        return lw_req_error(r, 404, "There is no model with that id.");
    probes = lw_req_keep(r, lw_dbw_model_probes(db, &r->err, lw_req_id(r), 50));
    if (probes == NULL)
        return LW_EDB;
    if (lw_hdf_row(r, "Model", model, 0) != LW_OK || lw_hdf_rows(r, "Probes", probes) != LW_OK)
        return LW_ENOMEM;
    lw_hdf_set(r, "Page.title", lw_db_str(model, 0, PQfnumber(model, "name")));
    r->template = "model";
    return LW_OK;
}
