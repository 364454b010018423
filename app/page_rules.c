/* page_rules.c: "/rules": every live rule with its kind, condition,
 * scope, severity, state (open alerts), last firing, whether it is enabled
 * and where it comes from (config or ui/api). */
#include "app.h"

#include "db/topics.h"
#include "response.h"

/* The answer of a change that redirected here (fixed texts, no data). */
static void
flash(lw_req *r)
{
    static const struct { const char *param, *text; } done[] = {
        { "deleted", "The rule was deleted." },
        { "enabled", "The rule was enabled." },
        { "disabled", "The rule was disabled: it is no longer evaluated." },
    };
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(done); i++) {
        if (lw_streq(lw_req_query(r, done[i].param), "1")) {
            lw_hdf_set(&r->page, "Flash.message", done[i].text);
            lw_hdf_set(&r->page, "Flash.kind", "ok");
        }
    }
}

int
lw_page_rules(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *rules;
    int i, firing = 0, enabled = 0;

    if (db == NULL)
        return LW_EDB;
    rules = lw_req_keep(r, lw_db_rules_list(db, &r->err));
    if (rules == NULL)
        return LW_EDB;
    lw_hdf_rows(&r->page, "Rules", rules);
    for (i = 0; i < PQntuples(rules); i++) {
        firing += lw_db_int(rules, i, PQfnumber(rules, "firing")) > 0;
        enabled += lw_db_bool(rules, i, PQfnumber(rules, "enabled"));
    }
    lw_hdf_set_int(&r->page, "Summary.rules", PQntuples(rules));
    lw_hdf_set_int(&r->page, "Summary.enabled", enabled);
    lw_hdf_set_int(&r->page, "Summary.firing", firing);
    flash(r);
    lw_hdf_set(&r->page, "Page.title", "Rules");
    r->template = "rules";
    return LW_OK;
}
