/* page_silences.c: "/silences": silences and maintenance windows in three
 * groups: in force now (a recurring window counts while it is open),
 * upcoming (not begun yet, or a recurring window between two openings),
 * and expired (the last 100). A recurring window opens at every slot of
 * its recurrence (lw_sched, UTC) and lasts duration_s, between starts and
 * ends. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "db/topics.h"
#include "schedule.h"
#include "times.h"
#include "view.h"

#define EXPIRED_SHOWN 100

/* the answers of page_silence_form.c */
static const lw_view_flash_msg flash[] = {
    { "created", "1", "The silence was created.", "ok" },
    { "expired", "1", "The silence was expired: matching alerts notify again.", "ok" },
    { "expired", "0", "That silence had already ended.", "error" },
};

/* For a recurring silence in its date range: is a window open at `now`
 * (*open_until = its end), else when does the next one open. */
static void
window(const char *recurrence, int64_t duration, time_t now, time_t ends, int *open,
       time_t *open_until, time_t *next, char *describe, size_t dsize)
{
    lw_sched s;
    lw_err err;
    time_t t;

    *open = 0;
    *open_until = *next = 0;
    describe[0] = '\0';
    if (lw_sched_parse(recurrence, &s, &err) != LW_OK)
        return;
    lw_sched_describe(&s, describe, dsize);
    /* the last opening before now is the first slot after now - duration */
    if (duration > 0 && lw_sched_next(&s, now - duration, &t) == LW_OK && t <= now) {
        *open = 1;
        *open_until = t + duration;
    }
    if (lw_sched_next(&s, now, &t) == LW_OK && t < ends)
        *next = t;
}

int
lw_page_silences(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res;
    char prefix[48], buf[128], desc[128];
    const char *status, *group;
    int i, n_active = 0, n_upcoming = 0, n_expired = 0, open, *count;
    time_t now = time(NULL), open_until, next;

    res = lw_req_keep(r, db ? lw_db_silences_list(db, &r->err) : NULL);
    if (res == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(res); i++) {
        status = lw_db_str(res, i, PQfnumber(res, "status"));
        open = 0;
        next = open_until = 0;
        desc[0] = '\0';
        if (lw_streq(status, "recurring"))
            window(lw_db_str(res, i, PQfnumber(res, "recurrence")),
                   lw_db_int(res, i, PQfnumber(res, "duration_s")), now,
                   (time_t) lw_db_int(res, i, PQfnumber(res, "ends_epoch")), &open, &open_until,
                   &next, desc, sizeof(desc));
        if (lw_streq(status, "active") || (lw_streq(status, "recurring") && open)) {
            group = "Active";
            count = &n_active;
        } else if (lw_streq(status, "expired")) {
            if (n_expired >= EXPIRED_SHOWN)
                continue;
            group = "Expired";
            count = &n_expired;
        } else {
            group = "Upcoming";
            count = &n_upcoming;
        }
        snprintf(prefix, sizeof(prefix), "%s.%d", group, (*count)++);
        lw_hdf_row(&r->page, prefix, res, i);
        if (desc[0])
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.recurrence_h", prefix), desc);
        if (open)
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.open_until", prefix),
                       lw_time_format(open_until, LW_TIME_MINUTE, buf, sizeof(buf)));
        if (next)
            lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.next_window", prefix),
                       lw_time_format(next, LW_TIME_MINUTE, buf, sizeof(buf)));
    }
    lw_hdf_set_int(&r->page, "Summary.active", n_active);
    lw_hdf_set_int(&r->page, "Summary.upcoming", n_upcoming);
    lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    lw_hdf_set(&r->page, "Page.title", "Silences");
    r->template = "silences";
    return LW_OK;
}
