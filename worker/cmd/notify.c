/* cmd_notify.c: delivery of the outbox (`llmwatch notify`, the notify job)
 * and `llmwatch test-alert`, which sends through the same code.
 *
 * How nothing is lost and nothing is sent twice (docs/delivery.md):
 *  1. Claim: one statement (its own short transaction) picks due rows with
 *     FOR UPDATE SKIP LOCKED, sets status 'sending', a lease
 *     (claimed_until) and attempts + 1, and commits. Concurrent notify
 *     processes skip each other's locked rows, and once committed a row
 *     with a live lease is not due for anyone else.
 *  2. Fence: `attempts` after the claim is this process's token. Before
 *     sending a row its lease is renewed (to cover the send) only if status
 *     and attempts are still ours; every later write (progress, sent,
 *     retry, failed) carries the same condition. A process whose lease ran
 *     out and whose row was claimed again by another one therefore neither
 *     sends it (renew fails) nor overwrites the other's result.
 *  3. Crash: a process killed after the claim leaves rows 'sending' with a
 *     lease that expires; the claim takes 'sending' rows whose lease has
 *     expired, so a later run delivers them. Rows never sent are simply
 *     sent then. The one window that can repeat a delivery is a crash (or
 *     a lost lease) after the receiver accepted a message and before the
 *     'sent' commit; every channel carries a key that makes that repeat
 *     harmless: PagerDuty dedup_key (the incident, not the row), webhook
 *     Idempotency-Key (the row's idempotency_key), email Message-ID
 *     (<idempotency_key@llmwatch>), Alertmanager's own merge of alerts by
 *     labels. Slack and SMS have no such key: SMS records each recipient
 *     reached on the row at once, so only the instant between the API's
 *     answer and that record remains; Slack's exposure is the same instant.
 *  4. Retry: 429 (Retry-After honoured), 5xx, timeouts and connection
 *     errors reschedule the row (status 'pending') after 30 s x 2^(n-1),
 *     capped at 1 h, with +-20% jitter; after max attempts (10) or max age
 *     (24 h) the row is 'failed' with last_error, shown on the alerts
 *     page. Other 4xx are failed at once. Test rows get one attempt.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify/channel.h"
#include "cmd/cmd.h"
#include "jobs.h"

typedef struct {
    int batch;              /* rows per claim */
    int lease_s;            /* claim lease; a send adds timeout_s per request */
    int timeout_s;          /* per request */
    int max_attempts;
    int max_age_s;
    double backoff_scale;   /* tests only: LLMWATCH_NOTIFY_BACKOFF_SCALE */
    int base_s, cap_s;      /* backoff */
    int am_resend_s;        /* re-post firing Alertmanager alerts this often */
} notify_opts;

typedef struct {
    int claimed, sent, retry, failed, lost, released, resent;
} notify_counts;

/* One claimed outbox row; strings borrowed from the PGresult. */
typedef struct {
    long long id;
    int attempts;
    const char *kind, *key, *payload, *progress, *channel, *type, *settings;
    long long age_s;
    int enabled;
    long long alert_id;
} outbox_row;

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

/* ==== options ==== */

static double
env_double(const char *name, double dflt, double min, double max)
{
    const char *s = getenv(name);
    char *end;
    double v;

    if (s == NULL || s[0] == '\0')
        return dflt;
    v = strtod(s, &end);
    if (*end != '\0' || !(v >= min && v <= max)) {
        lw_log(LW_LOG_WARN, "%s=%s ignored (expected %g..%g)", name, s, min, max);
        return dflt;
    }
    return v;
}

static void
opts_defaults(notify_opts *o)
{
    o->batch = 50;
    o->lease_s = (int) env_double("LLMWATCH_NOTIFY_LEASE", 120, 1, 86400);
    o->timeout_s = (int) env_double("LLMWATCH_NOTIFY_TIMEOUT", 10, 1, 600);
    o->max_attempts = (int) env_double("LLMWATCH_NOTIFY_MAX_ATTEMPTS", 10, 1, 1000);
    o->max_age_s = (int) env_double("LLMWATCH_NOTIFY_MAX_AGE", 86400, 60, 30 * 86400);
    o->backoff_scale = env_double("LLMWATCH_NOTIFY_BACKOFF_SCALE", 1, 0.0001, 100);
    o->base_s = 30;
    o->cap_s = 3600;
    o->am_resend_s = (int) env_double("LLMWATCH_NOTIFY_AM_RESEND", 120, 1, 86400);
}

/* ==== one row ==== */

static void
row_read(const PGresult *res, int i, outbox_row *r)
{
    r->id = lw_db_int(res, i, 0);
    r->attempts = (int) lw_db_int(res, i, 1);
    r->kind = lw_db_str(res, i, 2);
    r->key = lw_db_str(res, i, 3);
    r->payload = lw_db_str(res, i, 4);
    r->progress = lw_db_str(res, i, 5);
    r->age_s = lw_db_int(res, i, 6);
    r->channel = lw_db_str(res, i, 7);
    r->type = lw_db_str(res, i, 8);
    r->settings = lw_db_str(res, i, 9);
    r->enabled = lw_db_bool(res, i, 10);
    r->alert_id = lw_db_int(res, i, 11);
}

static void
json_put(void *o)
{
    json_object_put(o);
}

/* Runs a fenced update; 1 when the row was still ours, 0 when not. */
static int
fenced(lw_db *db, const char *sql, const outbox_row *r, const char *p3, const char *p4,
       lw_err *err)
{
    char id[24], att[16];
    const char *p[4] = { id, att, p3, p4 };
    int n;

    snprintf(id, sizeof(id), "%lld", r->id);
    snprintf(att, sizeof(att), "%d", r->attempts);
    n = lw_db_exec(db, err, sql, p4 ? 4 : p3 ? 3 : 2, p);
    return n < 0 ? n : n > 0;
}

struct fence_ctx {
    lw_db *db;
    const outbox_row *row;
};

static int
mark_done(lw_channel_msg *m, const char *part, lw_err *err)
{
    struct fence_ctx *f = m->mark_ctx;
    int rc = fenced(f->db, PROGRESS_SQL, f->row, part, NULL, err);

    if (rc == 0) {
        lw_err_set(err, "lost the claim on notification %lld to another worker", f->row->id);
        return LW_ECONFLICT;
    }
    return rc < 0 ? rc : LW_OK;
}

/* The most requests one attempt can make, to size the send lease. */
static int
requests_needed(const lw_channel_msg *m)
{
    json_object *to;

    if (m->type == LW_CHANNEL_PAGERDUTY)
        return (int) m->n_alerts;
    if (m->type == LW_CHANNEL_SMS && json_object_object_get_ex(m->settings, "to", &to)
        && json_object_is_type(to, json_type_array))
        return (int) json_object_array_length(to) + 1;
    return 1;
}

/* Seconds until the next attempt: exponential, capped, jittered, at least
 * what the receiver asked for, scaled for tests. */
static double
backoff(const notify_opts *o, int attempts, long retry_after)
{
    double d = o->base_s * pow(2, attempts > 1 ? attempts - 1 : 0);
    uint32_t rnd = 0;

    if (d > o->cap_s)
        d = o->cap_s;
    lw_random_bytes(&rnd, sizeof(rnd));
    d *= 0.8 + 0.4 * (rnd / 4294967295.0);
    if (retry_after > d)
        d = retry_after > o->cap_s ? o->cap_s : (double) retry_after;
    return d * o->backoff_scale;
}

/* Whether a sent notification should be re-posted to Alertmanager. */
static int
wants_resend(const lw_channel_msg *m)
{
    size_t i;

    if (m->type != LW_CHANNEL_ALERTMANAGER || !lw_streq(m->kind, "alert"))
        return 0;
    for (i = 0; i < m->n_alerts; i++)
        if (m->alerts[i].alert_id > 0 && lw_streq(m->alerts[i].state, "firing"))
            return 1;
    return 0;
}

/* Records the outcome of an attempt on the row (fenced). */
static int
finish(lw_db *db, const notify_opts *o, const outbox_row *row, const lw_channel_msg *m,
       const lw_channel_result *res, notify_counts *c, lw_err *err)
{
    int last = lw_streq(row->kind, "test") ? 1 : o->max_attempts;
    lw_buf why = { 0 };
    char num[32];
    double delay;
    int rc;

    if (res->outcome == LW_CHANNEL_SENT) {
        snprintf(num, sizeof(num), "%d", o->am_resend_s);
        rc = wants_resend(m) ? fenced(db, SENT_SQL, row, num, NULL, err)
                             : fenced(db, SENT_NO_RESEND_SQL, row, NULL, NULL, err);
        if (rc > 0) {
            c->sent++;
            lw_log(LW_LOG_INFO, "notification %lld (%s) sent via %s channel '%s' (attempt %d)",
                   row->id, row->kind, row->type, row->channel, row->attempts);
        }
        goto done;
    }
    if (res->outcome == LW_CHANNEL_RETRY) {
        delay = backoff(o, row->attempts, res->retry_after_s);
        if (row->attempts < last && row->age_s + delay <= o->max_age_s) {
            snprintf(num, sizeof(num), "%.3f", delay);
            rc = fenced(db, RETRY_SQL, row, res->error, num, err);
            if (rc > 0) {
                c->retry++;
                lw_log(LW_LOG_WARN, "notification %lld via %s channel '%s': %s; attempt %d of %d, "
                       "next in %.1f s", row->id, row->type, row->channel, res->error,
                       row->attempts, last, delay);
            }
            goto done;
        }
        lw_buf_printf(&why, "gave up after %d attempt%s: %s", row->attempts,
                      row->attempts == 1 ? "" : "s", res->error);
    } else {
        lw_buf_puts(&why, res->error);
    }
    rc = fenced(db, FAILED_SQL, row, why.data, NULL, err);
    if (rc > 0) {
        c->failed++;
        lw_log(LW_LOG_ERROR, "notification %lld via %s channel '%s' failed: %s", row->id,
               row->type, row->channel, why.data);
    }

done:
    lw_buf_free(&why);
    if (rc == 0) {
        /* our lease ran out and another worker has the row now */
        c->lost++;
        lw_log(LW_LOG_WARN, "notification %lld: claim lost to another worker; its result stands",
               row->id);
    }
    return rc < 0 ? rc : LW_OK;
}

/* Sends one claimed row and records the outcome. res gets the outcome
 * (for test-alert). Returns 0 or LW_EDB. */
static int
deliver(lw_db *db, const notify_opts *o, const outbox_row *row, notify_counts *c,
        lw_channel_result *res, lw_err *err)
{
    lw_pool *pool = lw_pool_create();
    struct fence_ctx fence = { db, row };
    lw_channel_msg m;
    lw_err perr;
    json_object *done;
    char lease[16];
    int type, rc;

    memset(&m, 0, sizeof(m));
    memset(res, 0, sizeof(*res));
    res->retry_after_s = -1;
    if (pool == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    m.pool = pool;
    m.id = row->id;
    m.kind = row->kind;
    m.idempotency_key = row->key;
    m.channel_name = row->channel;
    m.timeout_s = o->timeout_s;
    m.mark_done = mark_done;
    m.mark_ctx = &fence;
    type = lw_config_channel_type_parse(row->type);

    if (type >= 0)
        m.type = (lw_channel_type) type;
    if (!row->enabled) {
        lw_channel_result_set(res, LW_CHANNEL_FAILED, "channel '%s' is disabled", row->channel);
    } else if (type < 0) {
        lw_channel_result_set(res, LW_CHANNEL_FAILED, "unknown channel type '%s'", row->type);
    } else if (lw_channel_msg_settings(&m, row->settings, &perr) != LW_OK
               || lw_channel_msg_parse(&m, row->payload, row->alert_id, &perr) != LW_OK) {
        /* a payload that cannot be read will not become readable */
        lw_channel_result_set(res, LW_CHANNEL_FAILED, "%s", perr.msg);
    } else {
        done = row->progress ? json_tokener_parse(row->progress) : NULL;
        if (done != NULL) {
            lw_pool_cleanup_add(pool, json_put, done);
            m.done = done;
        }
        /* renew the lease to cover this send, if the row is still ours */
        snprintf(lease, sizeof(lease), "%d", o->lease_s + o->timeout_s * requests_needed(&m));
        rc = fenced(db, RENEW_SQL, row, lease, NULL, err);
        if (rc <= 0) {
            if (rc == 0) {
                c->lost++;
                lw_log(LW_LOG_INFO, "notification %lld: claimed by another worker meanwhile; "
                       "skipped", row->id);
            }
            lw_pool_destroy(pool);
            lw_channel_result_set(res, LW_CHANNEL_RETRY, "claimed by another worker");
            return rc < 0 ? rc : LW_OK;
        }
        lw_channel_send(&m, res);
    }
    rc = finish(db, o, row, &m, res, c, err);
    lw_pool_destroy(pool);
    return rc;
}

static int
cmp_id(const void *a, const void *b)
{
    const outbox_row *x = a, *y = b;

    return x->id < y->id ? -1 : x->id > y->id;
}

/* Re-posts firing alerts to Alertmanager before its resolve_timeout makes
 * them expire, as long as llmwatch still has them firing. */
static int
resend_alertmanager(lw_db *db, const notify_opts *o, notify_counts *c, lw_err *err)
{
    char batch[16], every[16], id[24];
    const char *p[2] = { batch, every };
    PGresult *res, *st;
    outbox_row row;
    lw_channel_result r;
    lw_channel_msg m;
    lw_err perr;
    lw_buf ids = { 0 };
    size_t j, k;
    int i, rc = LW_OK, type, still;

    snprintf(batch, sizeof(batch), "%d", o->batch);
    snprintf(every, sizeof(every), "%d", o->am_resend_s);
    res = lw_db_query(db, err, RESEND_CLAIM_SQL, 2, p);
    if (res == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(res) && rc == LW_OK; i++) {
        row_read(res, i, &row);
        memset(&m, 0, sizeof(m));
        m.pool = lw_pool_create();
        m.id = row.id;
        m.kind = row.kind;
        m.idempotency_key = row.key;
        m.channel_name = row.channel;
        m.timeout_s = o->timeout_s;
        type = lw_config_channel_type_parse(row.type);
        still = 0;
        if (m.pool != NULL && row.enabled && type == LW_CHANNEL_ALERTMANAGER
            && lw_channel_msg_settings(&m, row.settings, &perr) == LW_OK
            && lw_channel_msg_parse(&m, row.payload, row.alert_id, &perr) == LW_OK) {
            m.type = LW_CHANNEL_ALERTMANAGER;
            lw_buf_reset(&ids);
            lw_buf_putc(&ids, '{');
            for (j = 0; j < m.n_alerts; j++)
                if (m.alerts[j].alert_id > 0 && lw_streq(m.alerts[j].state, "firing"))
                    lw_buf_printf(&ids, "%s%lld", ids.len > 1 ? "," : "", m.alerts[j].alert_id);
            lw_buf_putc(&ids, '}');
            {
                const char *q[1] = { ids.data };

                st = lw_db_query(db, err, "SELECT id FROM alerts WHERE id = ANY($1::bigint[])"
                                 " AND state = 'firing'", 1, q);
            }
            if (st == NULL) {
                rc = LW_EDB;
            } else {
                /* keep only the alerts that still fire */
                for (j = k = 0; j < m.n_alerts; j++) {
                    int keep = 0, t;

                    for (t = 0; t < PQntuples(st); t++)
                        keep |= lw_db_int(st, t, 0) == m.alerts[j].alert_id;
                    if (keep && lw_streq(m.alerts[j].state, "firing"))
                        m.alerts[k++] = m.alerts[j];
                }
                m.n_alerts = k;
                PQclear(st);
                still = k > 0;
            }
        }
        if (rc == LW_OK && still) {
            lw_channel_send(&m, &r);
            if (r.outcome == LW_CHANNEL_SENT)
                c->resent++;
            else
                lw_log(LW_LOG_WARN, "notification %lld: re-posting to alertmanager '%s': %s",
                       row.id, row.channel, r.error);
        } else if (rc == LW_OK) {
            const char *q[1] = { id };

            snprintf(id, sizeof(id), "%lld", row.id);
            if (lw_db_exec(db, err, "UPDATE notifications SET resend_at = NULL WHERE id = $1::bigint",
                           1, q) < 0)
                rc = LW_EDB;
        }
        lw_pool_destroy(m.pool);
    }
    lw_buf_free(&ids);
    PQclear(res);
    return rc;
}

/* One pass: give up on abandoned rows, claim a batch, deliver it (releasing
 * what the time budget does not allow), then Alertmanager re-posts.
 * deadline_us: wall clock in microseconds (0 = none). */
static int
notify_pass(lw_db *db, const notify_opts *o, int64_t deadline_us, notify_counts *c, lw_err *err)
{
    char batch[16], lease[16], max[16];
    const char *p[2] = { batch, lease };
    const char *pa[1] = { max };
    lw_channel_result res;
    outbox_row *rows = NULL;
    PGresult *claimed;
    int i, n, rc = LW_OK;

    snprintf(max, sizeof(max), "%d", o->max_attempts);
    if (lw_db_exec(db, err, ABANDONED_SQL, 1, pa) < 0)
        return LW_EDB;
    snprintf(batch, sizeof(batch), "%d", o->batch);
    snprintf(lease, sizeof(lease), "%d", o->lease_s);
    claimed = lw_db_query(db, err, CLAIM_SQL, 2, p);
    if (claimed == NULL)
        return LW_EDB;
    n = PQntuples(claimed);
    c->claimed += n;
    if (n > 0) {
        rows = calloc((size_t) n, sizeof(*rows));
        if (rows == NULL) {
            PQclear(claimed);
            lw_err_set(err, "out of memory");
            return LW_ENOMEM;
        }
    }
    for (i = 0; i < n; i++)
        row_read(claimed, i, &rows[i]);
    if (n > 1)
        qsort(rows, (size_t) n, sizeof(*rows), cmp_id);
    for (i = 0; i < n && rc == LW_OK; i++) {
        if (deadline_us > 0 && lw_now_wall_us() > deadline_us) {
            rc = fenced(db, RELEASE_SQL, &rows[i], NULL, NULL, err);
            if (rc > 0)
                c->released++;
            rc = rc < 0 ? rc : LW_OK;
            continue;
        }
        rc = deliver(db, o, &rows[i], c, &res, err);
    }
    free(rows);
    PQclear(claimed);
    if (rc == LW_OK && (deadline_us == 0 || lw_now_wall_us() < deadline_us))
        rc = resend_alertmanager(db, o, c, err);
    return rc;
}

/* ==== the job ==== */

int
lw_job_notify(lw_job_ctx *ctx)
{
    notify_counts c;
    notify_opts o;
    int64_t budget_us;
    int rc;

    memset(&c, 0, sizeof(c));
    opts_defaults(&o);
    if (lw_channel_global_init(&ctx->err) != LW_OK)
        return LW_ERROR;
    /* stay inside the schedule's timeout, leaving room for one send */
    budget_us = (int64_t) (ctx->timeout_s > 0 ? ctx->timeout_s : 60) * 1000000
              - (int64_t) (o.timeout_s + 5) * 1000000;
    if (budget_us < 5000000)
        budget_us = 5000000;
    rc = notify_pass(ctx->db, &o, lw_now_wall_us() + budget_us, &c, &ctx->err);
    lw_buf_printf(&ctx->details,
                  "{\"claimed\":%d,\"sent\":%d,\"retry\":%d,\"failed\":%d,\"lost\":%d,"
                  "\"released\":%d,\"resent\":%d}",
                  c.claimed, c.sent, c.retry, c.failed, c.lost, c.released, c.resent);
    return rc;
}

/* ==== llmwatch notify ==== */

#define NOTIFY_USAGE \
    "usage: llmwatch notify [--database URL] [--once] [--batch N] [--lease SECONDS]" \
    " [--max-attempts N]\n" \
    "Delivers due outbox rows (docs/delivery.md); --once runs a single pass.\n"

static int
positive(const char *s, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*end != '\0' || end == s || v < 1 || v > max)
        return -1;
    *out = (int) v;
    return 0;
}

int
lw_cmd_notify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "database",     required_argument, NULL, 'd' },
        { "once",         no_argument,       NULL, '1' },
        { "batch",        required_argument, NULL, 'b' },
        { "lease",        required_argument, NULL, 'l' },
        { "max-attempts", required_argument, NULL, 'm' },
        { "help",         no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *url = NULL;
    notify_counts c, total;
    notify_opts o;
    lw_db *db = NULL;
    lw_err err;
    int64_t start = lw_now_mono_us();
    int ch, once = 0, passes, rc = LW_OK;

    opts_defaults(&o);
    optind = 1;
    while ((ch = getopt_long(argc, argv, "d:1b:l:m:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            printf(NOTIFY_USAGE);
            return 0;
        case 'd': url = optarg; break;
        case '1': once = 1; break;
        case 'b':
            if (positive(optarg, 10000, &o.batch) < 0)
                goto usage;
            break;
        case 'l':
            if (positive(optarg, 86400, &o.lease_s) < 0)
                goto usage;
            break;
        case 'm':
            if (positive(optarg, 1000, &o.max_attempts) < 0)
                goto usage;
            break;
        default:
            goto usage;
        }
    }
    if (optind != argc)
        goto usage;
    if (lw_channel_global_init(&err) != LW_OK) {
        fprintf(stderr, "llmwatch notify: %s\n", err.msg);
        return 1;
    }
    db = lw_db_connect(lw_db_default_url(url), "llmwatch notify", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch notify: %s\n", err.msg);
        return 1;
    }
    memset(&total, 0, sizeof(total));
    /* without --once: passes until nothing is due, bounded in count and time */
    for (passes = 0; passes < 1000; passes++) {
        memset(&c, 0, sizeof(c));
        rc = notify_pass(db, &o, 0, &c, &err);
        total.claimed += c.claimed;
        total.sent += c.sent;
        total.retry += c.retry;
        total.failed += c.failed;
        total.lost += c.lost;
        total.resent += c.resent;
        if (rc != LW_OK || once || c.claimed == 0 || lw_now_mono_us() - start > 300 * 1000000LL)
            break;
    }
    if (rc != LW_OK)
        fprintf(stderr, "llmwatch notify: %s\n", err.msg);
    printf("notify: %d sent, %d to retry, %d failed", total.sent, total.retry, total.failed);
    if (total.lost)
        printf(", %d taken over by another worker", total.lost);
    if (total.resent)
        printf(", %d re-posted to Alertmanager", total.resent);
    printf("\n");
    lw_db_close(db);
    return rc == LW_OK ? 0 : 1;

usage:
    fprintf(stderr, NOTIFY_USAGE);
    return 2;
}

/* ==== llmwatch test-alert ==== */

#define TEST_ALERT_USAGE \
    "usage: llmwatch test-alert --channel NAME [--severity critical|warning|info]" \
    " [--message TEXT] [--config FILE] [--database URL]\n" \
    "Sends a test notification through the real delivery path; exit 1 if it fails.\n"

static const char TEST_INSERT_SQL[] =
    "INSERT INTO notifications (alert_event_id, channel_id, kind, status, payload,"
    "                           idempotency_key, attempts, claimed_until, last_attempt_at)"
    " VALUES (NULL, $1::int, 'test', 'sending', $2::jsonb, $3, 1,"
    "         now() + make_interval(secs => $4::int), now())"
    " RETURNING id";

static const char TEST_ROW_SQL[] =
    "SELECT" ROW_COLUMNS " FROM notifications n JOIN channels c ON c.id = n.channel_id"
    " WHERE n.id = $1::bigint";

static void
list_channels(lw_db *db)
{
    PGresult *res;
    lw_err err;
    int i;

    res = lw_db_query(db, &err, "SELECT name, type, enabled FROM channels ORDER BY name", 0, NULL);
    if (res == NULL)
        return;
    fprintf(stderr, "channels in the database:%s\n", PQntuples(res) ? "" : " none");
    for (i = 0; i < PQntuples(res); i++)
        fprintf(stderr, "  %s (%s)%s\n", lw_db_str(res, i, 0), lw_db_str(res, i, 1),
                lw_db_bool(res, i, 2) ? "" : " disabled");
    PQclear(res);
}

int
lw_cmd_test_alert(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "channel",  required_argument, NULL, 'c' },
        { "severity", required_argument, NULL, 's' },
        { "message",  required_argument, NULL, 'm' },
        { "config",   required_argument, NULL, 'f' },
        { "database", required_argument, NULL, 'd' },
        { "help",     no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *channel = NULL, *severity = "warning", *message = "Test alert from llmwatch";
    const char *config = NULL, *url = NULL;
    char key[40], ts[32], lease[16], idtext[24];
    lw_config *cfg = NULL;
    lw_diag diags;
    lw_db *db = NULL;
    lw_err err;
    PGresult *res = NULL;
    json_object *payload = NULL;
    notify_counts c;
    notify_opts o;
    outbox_row row;
    lw_channel_result r;
    char *body = NULL, *chan_id = NULL;
    int64_t t0;
    int ch, status = 1;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:s:m:f:d:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            printf(TEST_ALERT_USAGE);
            return 0;
        case 'c': channel = optarg; break;
        case 's': severity = optarg; break;
        case 'm': message = optarg; break;
        case 'f': config = optarg; break;
        case 'd': url = optarg; break;
        default: goto usage;
        }
    }
    if (optind != argc || channel == NULL)
        goto usage;
    if (lw_config_severity_parse(severity) < 0) {
        fprintf(stderr, "llmwatch test-alert: --severity must be critical, warning or info\n");
        return 2;
    }
    if (config == NULL)
        config = getenv("LLMWATCH_CONFIG");
    lw_diag_init(&diags);
    if (config != NULL && config[0] != '\0') {
        /* the config names the channels; the database holds what notify
         * actually uses (synced by init) */
        if (lw_config_load(config, &cfg, &diags) != LW_OK) {
            lw_diag_print(&diags, stderr);
            fprintf(stderr, "llmwatch test-alert: %s has errors\n", config);
            goto cleanup;
        }
        /* channels made in the web UI are only in the database */
        if (lw_config_find_channel(cfg, channel) == NULL)
            fprintf(stderr, "llmwatch test-alert: note: %s has no channel '%s'; looking in the "
                    "database\n", config, channel);
    }
    if (lw_channel_global_init(&err) != LW_OK) {
        fprintf(stderr, "llmwatch test-alert: %s\n", err.msg);
        goto cleanup;
    }
    db = lw_db_connect(lw_db_default_url(url), "llmwatch test-alert", &err);
    if (db == NULL) {
        fprintf(stderr, "llmwatch test-alert: %s\n", err.msg);
        goto cleanup;
    }
    {
        const char *p[1] = { channel };

        res = lw_db_query(db, &err, "SELECT id, enabled FROM channels WHERE name = $1", 1, p);
    }
    if (res == NULL) {
        fprintf(stderr, "llmwatch test-alert: %s\n", err.msg);
        goto cleanup;
    }
    if (PQntuples(res) == 0) {
        fprintf(stderr, "llmwatch test-alert: no channel '%s' in the database%s\n", channel,
                cfg && lw_config_find_channel(cfg, channel)
                ? " (run `llmwatch init --config` to sync the configuration)" : "");
        list_channels(db);
        goto cleanup;
    }
    if (!lw_db_bool(res, 0, 1)) {
        fprintf(stderr, "llmwatch test-alert: channel '%s' is disabled\n", channel);
        goto cleanup;
    }
    chan_id = lw_strdup(lw_db_str(res, 0, 0));
    PQclear(res);
    res = NULL;

    opts_defaults(&o);
    strcpy(key, "test-");
    if (lw_random_hex(key + 5, 16) != LW_OK) {
        fprintf(stderr, "llmwatch test-alert: no randomness for the idempotency key\n");
        goto cleanup;
    }
    lw_time_format(time(NULL), LW_TIME_RFC3339, ts, sizeof(ts));
    payload = json_object_new_object();
    json_object_object_add(payload, "rule", json_object_new_string("llmwatch test alert"));
    json_object_object_add(payload, "severity", json_object_new_string(severity));
    json_object_object_add(payload, "state", json_object_new_string("firing"));
    json_object_object_add(payload, "summary", json_object_new_string(message));
    json_object_object_add(payload, "started_at", json_object_new_string(ts));
    body = lw_channel_json_text(payload);
    snprintf(lease, sizeof(lease), "%d", o.lease_s);
    {
        /* inserted already claimed, so no concurrent notify can take it */
        const char *p[4] = { chan_id, body, key, lease };

        res = lw_db_query(db, &err, TEST_INSERT_SQL, 4, p);
    }
    if (res == NULL) {
        fprintf(stderr, "llmwatch test-alert: %s\n", err.msg);
        goto cleanup;
    }
    snprintf(idtext, sizeof(idtext), "%s", lw_db_str(res, 0, 0));
    PQclear(res);
    {
        const char *p[1] = { idtext };

        res = lw_db_query(db, &err, TEST_ROW_SQL, 1, p);
    }
    if (res == NULL || PQntuples(res) != 1) {
        fprintf(stderr, "llmwatch test-alert: %s\n", res ? "the test row vanished" : err.msg);
        goto cleanup;
    }
    row_read(res, 0, &row);
    memset(&c, 0, sizeof(c));
    t0 = lw_now_mono_us();
    if (deliver(db, &o, &row, &c, &r, &err) != LW_OK) {
        fprintf(stderr, "llmwatch test-alert: %s\n", err.msg);
        goto cleanup;
    }
    if (r.outcome == LW_CHANNEL_SENT && c.sent == 1) {
        printf("test-alert: sent to %s channel '%s' (notification %s, %.0f ms)\n", row.type,
               channel, idtext, (double) (lw_now_mono_us() - t0) / 1000.0);
        status = 0;
    } else {
        printf("test-alert: delivery to %s channel '%s' failed: %s (notification %s)\n", row.type,
               channel, r.error[0] ? r.error : "unknown error", idtext);
    }

cleanup:
    PQclear(res);
    json_object_put(payload);
    free(body);
    free(chan_id);
    lw_db_close(db);
    lw_config_free(cfg);
    lw_diag_free(&diags);
    return status;

usage:
    fprintf(stderr, TEST_ALERT_USAGE);
    return 2;
}
