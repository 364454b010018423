/* page_logout.c: "/logout" (POST with the session's CSRF token): ends the
 * session on the server, not only in the browser; "/logout/everywhere"
 * ends every session of the user (a lost laptop, a shared computer). */
#include "app.h"

#include "db/topics.h"

int
lw_page_logout(lw_req *r)
{
    lw_db *db = lw_req_db(r);

    if (db == NULL)
        return LW_EDB;
    if (r->user.session != NULL && lw_db_users_session_delete(db, &r->err, r->user.session) < 0)
        return LW_EDB;
    lw_db_audit_add(db, &r->err, r->user.id, r->user.email, "logout", "session", NULL, NULL, NULL,
                 r->remote_addr);
    lw_req_set_cookie(r, "lw_session", "", "Lax", 0);
    return lw_req_redirect(r, "/login");
}

int
lw_page_logout_everywhere(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };

    if (db == NULL)
        return LW_EDB;
    if (lw_db_users_sessions_end(db, &r->err, &who, r->user.id) < 0)
        return LW_EDB;
    lw_req_set_cookie(r, "lw_session", "", "Lax", 0);
    return lw_req_redirect(r, "/login");
}
