/* outbox.c: delivery of the outbox (see outbox.h): claim, fence, send
 * through the channel, record the outcome, retry with backoff, and
 * re-post firing alerts to Alertmanager; the notify job. The SQL is in
 * lib/db/outbox.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/outbox.h"
#include "jobs.h"
#include "notify/outbox.h"

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

void
lw_outbox_opts_defaults(lw_outbox_opts *o)
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

void
lw_outbox_row_read(const PGresult *res, int i, lw_outbox_row *r)
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

struct fence_ctx {
    lw_db *db;
    const lw_outbox_row *row;
};

static int
mark_done(lw_channel_msg *m, const char *part, lw_err *err)
{
    struct fence_ctx *f = m->mark_ctx;
    int rc = lw_db_outbox_progress(f->db, err, f->row->id, f->row->attempts, part);

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
backoff(const lw_outbox_opts *o, int attempts, long retry_after)
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
finish(lw_db *db, const lw_outbox_opts *o, const lw_outbox_row *row, const lw_channel_msg *m,
       const lw_channel_result *res, lw_outbox_counts *c, lw_err *err)
{
    int last = lw_streq(row->kind, "test") ? 1 : o->max_attempts;
    lw_buf why = { 0 };
    double delay;
    int rc;

    if (res->outcome == LW_CHANNEL_SENT) {
        rc = lw_db_outbox_sent(db, err, row->id, row->attempts,
                               wants_resend(m) ? o->am_resend_s : 0);
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
            rc = lw_db_outbox_retry(db, err, row->id, row->attempts, res->error, delay);
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
    rc = lw_db_outbox_failed(db, err, row->id, row->attempts, why.data);
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
int
lw_outbox_deliver(lw_db *db, const lw_outbox_opts *o, const lw_outbox_row *row, lw_outbox_counts *c,
        lw_channel_result *res, lw_err *err)
{
    lw_pool *pool = lw_pool_create();
    struct fence_ctx fence = { db, row };
    lw_channel_msg m;
    lw_err perr;
    json_object *done;
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
        rc = lw_db_outbox_renew(db, err, row->id, row->attempts,
                                o->lease_s + o->timeout_s * requests_needed(&m));
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
    const lw_outbox_row *x = a, *y = b;

    return x->id < y->id ? -1 : x->id > y->id;
}

/* Re-posts firing alerts to Alertmanager before its resolve_timeout makes
 * them expire, as long as llmwatch still has them firing. */
static int
resend_alertmanager(lw_db *db, const lw_outbox_opts *o, lw_outbox_counts *c, lw_err *err)
{
    PGresult *res, *st;
    lw_outbox_row row;
    lw_channel_result r;
    lw_channel_msg m;
    lw_err perr;
    lw_buf ids = { 0 };
    size_t j, k;
    int i, rc = LW_OK, type, still;

    res = lw_db_outbox_resend_claim(db, err, o->batch, o->am_resend_s);
    if (res == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(res) && rc == LW_OK; i++) {
        lw_outbox_row_read(res, i, &row);
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
            st = lw_db_outbox_firing(db, err, ids.data);
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
            rc = lw_db_outbox_resend_stop(db, err, row.id);
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
int
lw_outbox_pass(lw_db *db, const lw_outbox_opts *o, int64_t deadline_us, lw_outbox_counts *c, lw_err *err)
{
    lw_channel_result res;
    lw_outbox_row *rows = NULL;
    PGresult *claimed;
    int i, n, rc = LW_OK;

    if (lw_db_outbox_abandon(db, err, o->max_attempts) != LW_OK)
        return LW_EDB;
    claimed = lw_db_outbox_claim(db, err, o->batch, o->lease_s);
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
        lw_outbox_row_read(claimed, i, &rows[i]);
    if (n > 1)
        qsort(rows, (size_t) n, sizeof(*rows), cmp_id);
    for (i = 0; i < n && rc == LW_OK; i++) {
        if (deadline_us > 0 && lw_now_wall_us() > deadline_us) {
            rc = lw_db_outbox_release(db, err, rows[i].id, rows[i].attempts);
            if (rc > 0)
                c->released++;
            rc = rc < 0 ? rc : LW_OK;
            continue;
        }
        rc = lw_outbox_deliver(db, o, &rows[i], c, &res, err);
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
    lw_outbox_counts c;
    lw_outbox_opts o;
    int64_t budget_us;
    int rc;

    memset(&c, 0, sizeof(c));
    lw_outbox_opts_defaults(&o);
    if (lw_channel_global_init(&ctx->err) != LW_OK)
        return LW_ERROR;
    /* stay inside the schedule's timeout, leaving room for one send */
    budget_us = (int64_t) (ctx->timeout_s > 0 ? ctx->timeout_s : 60) * 1000000
              - (int64_t) (o.timeout_s + 5) * 1000000;
    if (budget_us < 5000000)
        budget_us = 5000000;
    rc = lw_outbox_pass(ctx->db, &o, lw_now_wall_us() + budget_us, &c, &ctx->err);
    lw_buf_printf(&ctx->details,
                  "{\"claimed\":%d,\"sent\":%d,\"retry\":%d,\"failed\":%d,\"lost\":%d,"
                  "\"released\":%d,\"resent\":%d}",
                  c.claimed, c.sent, c.retry, c.failed, c.lost, c.released, c.resent);
    return rc;
}

