/* page_rules.c: "/rules": every live rule with its kind, condition,
 * scope, severity, state (open alerts), last firing, whether it is enabled
 * and where it comes from (config or ui/api). */
#include "app.h"

#include "db/topics.h"
#include "view.h"

/* the answers of changes that redirect here */
static const lw_view_flash_msg flash[] = {
    { "deleted", "1", "The rule was deleted.", "ok" },
    { "enabled", "1", "The rule was enabled.", "ok" },
    { "disabled", "1", "The rule was disabled: it is no longer evaluated.", "ok" },
};

int
lw_page_rules(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *rules = db ? lw_db_rules_list(db, &r->err) : NULL;
    int i, firing = 0, enabled = 0;

    rules = lw_view_list(r, rules, "Rules", "Rules", "rules");
    if (rules == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(rules); i++) {
        firing += lw_db_int(rules, i, PQfnumber(rules, "firing")) > 0;
        enabled += lw_db_bool(rules, i, PQfnumber(rules, "enabled"));
    }
    lw_hdf_set_int(&r->page, "Summary.rules", PQntuples(rules));
    lw_hdf_set_int(&r->page, "Summary.enabled", enabled);
    lw_hdf_set_int(&r->page, "Summary.firing", firing);
    lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    return LW_OK;
}
