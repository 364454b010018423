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

/* A change of the alert: fn with who asks, the alert's id and flag. */
typedef int (*alert_change)(lw_db *db, lw_err *err, const lw_db_audit_who *who, long long id,
                            int flag);

static int
change(lw_req *r, alert_change fn, int flag, const char *what)
{
    lw_db *db = lw_req_db(r);
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };

    if (db == NULL)
        return LW_EDB;
    return done(r, fn(db, &r->err, &who, lw_req_id(r), flag), what);
}

int
lw_page_alert_ack(lw_req *r)
{
    return change(r, lw_db_alerts_acknowledge, 1, "ack");
}

int
lw_page_alert_unack(lw_req *r)
{
    return change(r, lw_db_alerts_acknowledge, 0, "unack");
}

int
lw_page_alert_false_positive(lw_req *r)
{
    int value = !lw_streq(lw_req_form(r, "value"), "0");

    return change(r, lw_db_alerts_false_positive, value, value ? "fp" : "notfp");
}
