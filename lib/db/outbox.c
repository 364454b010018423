/* outbox.c: the SQL of notification delivery (see outbox.h). */
#include "db/outbox.h"

#include <stdio.h>

#include "db/sql.h"

/* The columns every claim returns, in outbox_row order. */
#define ROW_COLUMNS \
    " n.id, n.attempts, n.kind, n.idempotency_key, n.payload::text, n.progress::text," \
    " extract(epoch FROM now() - n.created_at)::bigint, c.name, c.type, c.settings::text," \
    " c.enabled, (SELECT e.alert_id FROM alert_events e WHERE e.id = n.alert_event_id) "

static const char CLAIM_SQL[] =
    "WITH due AS ("
    "  SELECT id FROM notifications"
    "   WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()"
    "     AND (claimed_until IS NULL OR claimed_until < now())"
    "   ORDER BY id"
    "   FOR UPDATE SKIP LOCKED"
    "   LIMIT $1::int)"
    " UPDATE notifications n"
    "    SET status = 'sending', attempts = n.attempts + 1, last_attempt_at = now(),"
    "        claimed_until = now() + make_interval(secs => $2::int)"
    "   FROM due, channels c"
    "  WHERE n.id = due.id AND c.id = n.channel_id"
    " RETURNING" ROW_COLUMNS;

/* the fence: status and attempts still as this process claimed them */
#define FENCE " WHERE id = $1::bigint AND status = 'sending' AND attempts = $2::int"

static const char RENEW_SQL[] =
    "UPDATE notifications SET claimed_until = now() + make_interval(secs => $3::int)" FENCE;

static const char PROGRESS_SQL[] =
    "UPDATE notifications SET progress = progress || jsonb_build_array($3::text)" FENCE;

static const char SENT_SQL[] =
    "UPDATE notifications SET status = 'sent', sent_at = now(), claimed_until = NULL,"
    " last_error = NULL, resend_at = now() + make_interval(secs => $3::int)" FENCE;

static const char SENT_NO_RESEND_SQL[] =
    "UPDATE notifications SET status = 'sent', sent_at = now(), claimed_until = NULL,"
    " last_error = NULL" FENCE;

static const char RETRY_SQL[] =
    "UPDATE notifications SET status = 'pending', claimed_until = NULL, last_error = $3,"
    " next_attempt_at = now() + make_interval(secs => $4::double precision)" FENCE;

static const char FAILED_SQL[] =
    "UPDATE notifications SET status = 'failed', claimed_until = NULL, last_error = $3" FENCE;

/* a claimed row not attempted (time budget spent): back, attempt undone */
static const char RELEASE_SQL[] =
    "UPDATE notifications SET status = 'pending', claimed_until = NULL,"
    " attempts = attempts - 1" FENCE;
/* rows whose worker died on their last allowed attempt */
static const char ABANDONED_SQL[] =
    "UPDATE notifications SET status = 'failed', claimed_until = NULL,"
    " last_error = 'gave up after ' || attempts || ' attempts: the worker sending it went away'"
    "   || coalesce(' (before: ' || last_error || ')', '')"
    " WHERE status = 'sending' AND claimed_until < now()"
    "   AND attempts >= CASE WHEN kind = 'test' THEN 1 ELSE $1::int END";

static const char RESEND_CLAIM_SQL[] =
    "WITH due AS ("
    "  SELECT id FROM notifications WHERE resend_at <= now() AND status = 'sent'"
    "   ORDER BY resend_at FOR UPDATE SKIP LOCKED LIMIT $1::int)"
    " UPDATE notifications n SET resend_at = now() + make_interval(secs => $2::int)"
    "   FROM due, channels c WHERE n.id = due.id AND c.id = n.channel_id"
    " RETURNING" ROW_COLUMNS;

static const char TEST_INSERT_SQL[] =
    "INSERT INTO notifications (alert_event_id, channel_id, kind, status, payload,"
    "                           idempotency_key, attempts, claimed_until, last_attempt_at)"
    " VALUES (NULL, $1::int, 'test', 'sending', $2::jsonb, $3, 1,"
    "         now() + make_interval(secs => $4::int), now())"
    " RETURNING id";

static const char TEST_ROW_SQL[] =
    "SELECT" ROW_COLUMNS " FROM notifications n JOIN channels c ON c.id = n.channel_id"
    " WHERE n.id = $1::bigint";

/* A fenced update: $1 id, $2 attempts, then p3, p4. */
static int
fenced(lw_db *db, lw_err *err, const char *sql, long long id, int attempts, const char *p3,
       const char *p4)
{
    char i[24], a[24];
    const char *p[4] = { LL(i, id), LL(a, attempts), p3, p4 };
    int n = lw_db_exec(db, err, sql, p4 ? 4 : p3 ? 3 : 2, p);
    return n < 0 ? LW_EDB : n > 0;
}

int
lw_db_outbox_abandon(lw_db *db, lw_err *err, int max_attempts)
{
    const long long m = max_attempts;

    return lw_db_exec_ints(db, err, ABANDONED_SQL, 1, &m) < 0 ? LW_EDB : LW_OK;
}

static PGresult *
claim(lw_db *db, lw_err *err, const char *sql, int batch, int secs)
{
    const long long v[2] = { batch, secs };

    return lw_db_query_ints(db, err, sql, 2, v);
}

PGresult *
lw_db_outbox_claim(lw_db *db, lw_err *err, int batch, int lease_s)
{
    return claim(db, err, CLAIM_SQL, batch, lease_s);
}

PGresult *
lw_db_outbox_resend_claim(lw_db *db, lw_err *err, int batch, int every_s)
{
    return claim(db, err, RESEND_CLAIM_SQL, batch, every_s);
}

int
lw_db_outbox_resend_stop(lw_db *db, lw_err *err, long long id)
{
    return lw_db_exec_ints(db, err,
        "UPDATE notifications SET resend_at = NULL WHERE id = $1::bigint", 1, &id) < 0
        ? LW_EDB : LW_OK;
}

PGresult *
lw_db_outbox_firing(lw_db *db, lw_err *err, const char *alert_ids)
{
    return lw_db_query_text(db, err, "SELECT id FROM alerts WHERE id = ANY($1::bigint[])"
                            " AND state = 'firing'", alert_ids);
}

int
lw_db_outbox_renew(lw_db *db, lw_err *err, long long id, int attempts, int lease_s)
{
    char l[24];

    return fenced(db, err, RENEW_SQL, id, attempts, LL(l, lease_s), NULL);
}

int
lw_db_outbox_progress(lw_db *db, lw_err *err, long long id, int attempts, const char *part)
{
    return fenced(db, err, PROGRESS_SQL, id, attempts, part, NULL);
}

int
lw_db_outbox_sent(lw_db *db, lw_err *err, long long id, int attempts, int resend_s)
{
    char r[24];

    if (resend_s <= 0)
        return fenced(db, err, SENT_NO_RESEND_SQL, id, attempts, NULL, NULL);
    return fenced(db, err, SENT_SQL, id, attempts, LL(r, resend_s), NULL);
}

int
lw_db_outbox_retry(lw_db *db, lw_err *err, long long id, int attempts, const char *error,
                   double delay_s)
{
    char d[32];

    snprintf(d, sizeof(d), "%.3f", delay_s);
    return fenced(db, err, RETRY_SQL, id, attempts, error, d);
}

int
lw_db_outbox_failed(lw_db *db, lw_err *err, long long id, int attempts, const char *error)
{
    return fenced(db, err, FAILED_SQL, id, attempts, error, NULL);
}

int
lw_db_outbox_release(lw_db *db, lw_err *err, long long id, int attempts)
{
    return fenced(db, err, RELEASE_SQL, id, attempts, NULL, NULL);
}

PGresult *
lw_db_outbox_channel(lw_db *db, lw_err *err, const char *name)
{
    return lw_db_query_text(db, err, "SELECT id, enabled FROM channels WHERE name = $1", name);
}

PGresult *
lw_db_outbox_channels(lw_db *db, lw_err *err)
{
    return lw_db_query(db, err, "SELECT name, type, enabled FROM channels ORDER BY name", 0, NULL);
}

int
lw_db_outbox_test_insert(lw_db *db, lw_err *err, long long channel_id, const char *payload,
                         const char *key, int lease_s, long long *id)
{
    char c[24], l[24];
    const char *p[4] = { LL(c, channel_id), payload, key, LL(l, lease_s) };

    return lw_db_value(db, err, TEST_INSERT_SQL, 4, p, id);
}

PGresult *
lw_db_outbox_row(lw_db *db, lw_err *err, long long id)
{
    return lw_db_query_id(db, err, TEST_ROW_SQL, id);
}
