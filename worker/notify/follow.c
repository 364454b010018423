/* follow.c: the outbox delivered as it is written (see outbox.h,
 * lw_outbox_follow): the evaluator's transaction inserts notification rows
 * and PostgreSQL notifies llmwatch_outbox when it commits; this loop,
 * LISTENing, runs a delivery pass at once. Retries are waited for by the
 * time the next one is due; a lost connection is reconnected. */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "db/notifier.h"
#include "notify/outbox.h"

#define MAX_WAIT_S 30.0

/* Passes until nothing is due (bounded), adding up the counts. */
static int
drain(lw_db *db, const lw_outbox_opts *o, lw_outbox_counts *total, lw_err *err)
{
    lw_outbox_counts c;
    int passes, rc = LW_OK;

    for (passes = 0; passes < 100; passes++) {
        memset(&c, 0, sizeof(c));
        rc = lw_outbox_pass(db, o, 0, &c, err);
        total->claimed += c.claimed;
        total->sent += c.sent;
        total->retry += c.retry;
        total->failed += c.failed;
        total->lost += c.lost;
        total->resent += c.resent;
        if (rc != LW_OK || c.claimed == 0)
            break;
    }
    return rc;
}

/* Waits for a notification on the connection, at most secs, waking every
 * second to look at *stop. 1 when one came, 0 on timeout or stop, -1 when
 * the connection broke. */
static int
wait_notified(lw_db *db, double secs, volatile sig_atomic_t *stop)
{
    PGconn *conn = lw_db_conn(db);
    struct pollfd pfd;
    PGnotify *n;
    int got = 0, ms, rc;

    while (!*stop && secs > 0) {
        pfd.fd = PQsocket(conn);
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (pfd.fd < 0)
            return -1;
        ms = secs > 1 ? 1000 : (int) (secs * 1000) + 1;
        rc = poll(&pfd, 1, ms);
        if (rc < 0 && errno != EINTR)
            return -1;
        secs -= ms / 1000.0;
        if (rc <= 0)
            continue;
        if (!PQconsumeInput(conn))
            return -1;
        while ((n = PQnotifies(conn)) != NULL) {
            got = 1;
            PQfreemem(n);
        }
        if (got)
            return 1;
    }
    return 0;
}

int
lw_outbox_follow(lw_db *db, const lw_outbox_opts *o, volatile sig_atomic_t *stop,
                 lw_outbox_counts *total, lw_err *err)
{
    double due, backoff = 1;
    int listening = 0, w, pid = 0;

    lw_log(LW_LOG_INFO, "notify: following the outbox (LISTEN llmwatch_outbox)");
    while (!*stop) {
        if (!listening) {
            if (lw_db_check(db, err) != LW_OK || lw_db_notifier_listen(db, err) != LW_OK) {
                lw_log(LW_LOG_WARN, "notify: %s; trying again in %.0f s", err->msg, backoff);
                wait_notified(db, backoff, stop);
                backoff = backoff < 30 ? backoff * 2 : 60;
                continue;
            }
            listening = 1;
            backoff = 1;
            pid = PQbackendPID(lw_db_conn(db));
        }
        /* what was written before we listened, or since the last pass */
        if (drain(db, o, total, err) != LW_OK || lw_db_notifier_next_due(db, err, &due) != LW_OK) {
            lw_log(LW_LOG_WARN, "notify: %s", err->msg);
            listening = 0;
            continue;
        }
        /* a query that reconnected on the way has lost the LISTEN */
        if (PQbackendPID(lw_db_conn(db)) != pid) {
            listening = 0;
            continue;
        }
        w = wait_notified(db, due < 0 || due > MAX_WAIT_S ? MAX_WAIT_S : (due < 0.05 ? 0.05 : due),
                          stop);
        if (w < 0) {
            lw_log(LW_LOG_WARN, "notify: the database connection broke; reconnecting");
            listening = 0;
        }
    }
    return LW_OK;
}
