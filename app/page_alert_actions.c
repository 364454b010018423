/* page_alert_actions.c: what people do to an alert: POST
 * "/alerts/{id}/acknowledge", "/alerts/{id}/unacknowledge" (takes it
 * back) and "/alerts/{id}/false-positive" (value=1 marks it, value=0
 * takes the mark back). Silencing from an alert is the
 * silence form pre-filled ("/silences/new?alert={id}"). Each change is
 * audit-logged with the alert row before and after. */
#include "app.h"

#include <string.h>

#include "db/topics.h"

static int
done(lw_req *r, int rc, const char *what)
{
    if (rc == LW_ENOTFOUND) {
        /* unknown alert, or nothing to change (already acknowledged) */
        lw_db *db = lw_req_db(r);
        PGresult *res = db ? lw_req_keep(r, lw_db_alerts_of(db, &r->err, LW_DB_ALERT_ROW,
                                                            lw_req_id(r))) : NULL;

        if (res == NULL)
            return LW_EDB;
        if (PQntuples(res) == 0)
            return lw_req_error(r, 404, "There is no alert with that id.");
    } else if (rc != LW_OK) {
        return rc;
    }
    return lw_req_redirect(r, lw_pool_printf(r->pool, "/alerts/%lld?done=%s", lw_req_id(r), what));
}

/* The alert marked (or not) as who asks. */
static int
change(lw_req *r, lw_db_alert_mark mark, int on, const char *what)
{
    lw_db *db = lw_req_db(r);
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };

    if (db == NULL)
        return LW_EDB;
    return done(r, lw_db_alerts_mark(db, &r->err, &who, lw_req_id(r), mark, on), what);
}

int
lw_page_alert_ack(lw_req *r)
{
    return change(r, LW_DB_ALERT_ACK, 1, "ack");
}

int
lw_page_alert_unack(lw_req *r)
{
    return change(r, LW_DB_ALERT_ACK, 0, "unack");
}

int
lw_page_alert_false_positive(lw_req *r)
{
    int value = !lw_streq(lw_req_form(r, "value"), "0");

    return change(r, LW_DB_ALERT_FALSE_POSITIVE, value, value ? "fp" : "notfp");
}
