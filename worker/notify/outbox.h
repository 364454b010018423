/* outbox.h: delivery of the outbox, shared by `llmwatch notify`, the notify
 * job and `llmwatch test-alert`.
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
#ifndef LW_OUTBOX_H
#define LW_OUTBOX_H

#include <signal.h>
#include <stdint.h>

#include "db/db.h"
#include "notify/channel.h"

typedef struct {
    int batch;              /* rows per claim */
    int lease_s;            /* claim lease; a send adds timeout_s per request */
    int timeout_s;          /* per request */
    int max_attempts;
    int max_age_s;
    double backoff_scale;   /* tests only: LLMWATCH_NOTIFY_BACKOFF_SCALE */
    int base_s, cap_s;      /* backoff */
    int am_resend_s;        /* re-post firing Alertmanager alerts this often */
} lw_outbox_opts;

typedef struct {
    int claimed, sent, retry, failed, lost, released, resent;
} lw_outbox_counts;

/* One claimed outbox row; strings borrowed from the PGresult. */
typedef struct {
    long long id;
    int attempts;
    const char *kind, *key, *payload, *progress, *channel, *type, *settings;
    long long age_s;
    int enabled;
    long long alert_id;
} lw_outbox_row;

/* The defaults, with the LLMWATCH_NOTIFY_* environment overrides. */
void lw_outbox_opts_defaults(lw_outbox_opts *o);
/* Row i of a claim (lib/db/outbox.h columns) into r (borrowed strings). */
void lw_outbox_row_read(const PGresult *res, int i, lw_outbox_row *r);
/* Sends one claimed row and records the outcome (fenced); res gets the
 * outcome. LW_OK, LW_EDB or LW_ENOMEM. */
int lw_outbox_deliver(lw_db *db, const lw_outbox_opts *o, const lw_outbox_row *row,
                      lw_outbox_counts *c, lw_channel_result *res, lw_err *err);
/* One pass: give up on abandoned rows, claim a batch, deliver it (releasing
 * what the time budget does not allow), then Alertmanager re-posts.
 * deadline_us: wall clock in microseconds (0 = none). */
int lw_outbox_pass(lw_db *db, const lw_outbox_opts *o, int64_t deadline_us, lw_outbox_counts *c,
                   lw_err *err);

/* Delivers the outbox as it is written until *stop becomes non-zero
 * (looked at every second): LISTEN llmwatch_outbox, a pass at once and
 * after every notification, else when the next retry is due (at most every
 * 30 s); a broken connection is reconnected. total adds up what was done.
 * LW_OK. */
int lw_outbox_follow(lw_db *db, const lw_outbox_opts *o, volatile sig_atomic_t *stop,
                     lw_outbox_counts *total, lw_err *err);

#endif
