/* page_account.c: "/account": who you are logged in as, your open
 * sessions (where and when they began) and the button that ends them all
 * ("/logout/everywhere"). */
#include "app.h"

#include "db/topics.h"
#include "duration.h"
#include "view.h"

int
lw_page_account(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res = db ? lw_db_users_sessions(db, &r->err, r->user.id, r->user.session) : NULL;
    char life[32];

    if (lw_view_list(r, res, "Sessions", "Your account", "account") == NULL)
        return LW_EDB;
    lw_duration_format(lw_req_settings_get()->session_lifetime_s, life, sizeof(life));
    lw_hdf_set(&r->page, "Account.lifetime", life);
    return LW_OK;
}
