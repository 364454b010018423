/* channel.h: notification channels (email, Slack, PagerDuty, webhook, SMS,
 * Alertmanager): the message every channel renders from an outbox payload,
 * secret resolution at send time, one HTTP path with one classification of
 * answers, and the dispatch by channel type. Each channel_*.c says its
 * wire format; docs/delivery.md the delivery guarantees. */
#ifndef LW_CHANNEL_H
#define LW_CHANNEL_H

#include <stddef.h>
#include <time.h>

#include <curl/curl.h>
#include <json.h>

#include "lw.h"
#include "times.h"
#include "config.h"

/* ---- outcome of one delivery attempt ---- */

typedef enum {
    LW_CHANNEL_SENT = 0,     /* the receiver accepted it */
    LW_CHANNEL_RETRY,        /* 429, 5xx, timeout, connection error, unset variable */
    LW_CHANNEL_FAILED        /* permanent: other 4xx, SMTP 5xx, unusable settings */
} lw_channel_outcome;

typedef struct {
    lw_channel_outcome outcome;
    long http_status;          /* last HTTP status (SMTP: last reply code); 0 = none */
    long retry_after_s;        /* the receiver's Retry-After, -1 when absent */
    int  requests;             /* requests made in this attempt */
    char error[512];           /* why it was not sent; never holds a secret */
} lw_channel_result;

/* ---- the message ---- */

/* One alert of a notification. Strings are borrowed from the message's
 * pool (or from the caller in tests); NULL when absent. */
typedef struct {
    const char *rule, *model, *environment;
    const char *severity;      /* critical | warning | info */
    const char *state;         /* firing | resolved */
    const char *summary;
    const char *runbook;       /* Markdown, written by rule authors: untrusted */
    const char *url;           /* the alert's page in llmwatch */
    const char *started_at;    /* as written in the payload (any ISO 8601 form) */
    const char *ended_at;      /* resolved_at / ended_at, when resolved */
    double value, threshold;
    int has_value, has_threshold;
    const char *value_text;    /* "3.41 s" as the evaluator formatted it */
    const char *threshold_text;
    const char *dedup_key;     /* the evaluator's, same for trigger and resolve */
    int repeat;                /* a reminder for an alert still firing */
    long long alert_id;        /* alerts.id when known (the incident), else 0 */
} lw_channel_alert;

typedef struct lw_channel_msg lw_channel_msg;

/* Persists "this part of the message was delivered" (an SMS recipient, one
 * PagerDuty event of a group) so that a retry does not repeat it. */
typedef int (*lw_channel_mark_fn)(lw_channel_msg *m, const char *part, lw_err *err);

struct lw_channel_msg {
    lw_pool *pool;              /* owns everything parsed into the message */
    long long id;               /* notifications.id (0 in tests) */
    const char *kind;           /* alert | test | report | budget */
    const char *idempotency_key;
    const char *channel_name;
    lw_channel_type type;
    json_object *settings;      /* channels.settings: secrets still as ${VAR} */
    lw_channel_alert *alerts;   /* at least one */
    size_t n_alerts;
    const char *severity;       /* the highest of the alerts */
    const char *state;          /* firing when any alert fires, else resolved */
    json_object *done;          /* parts already delivered (array of strings), or NULL */
    lw_channel_mark_fn mark_done;
    void *mark_ctx;
    int timeout_s;              /* per request; default 10 */
    time_t now;                 /* time of sending (Date, endsAt); 0 = time(NULL) */
};

/* Fills m from an outbox payload: a single alert ({"rule":..,"model":..,
 * "state":..}) or a group ({"alerts":[{..},..]} whose top-level fields are
 * defaults for every member). m->pool must be set; everything parsed is
 * owned by it. alert_id: alerts.id of the row's alert event (0 if none),
 * used when an alert carries no "alert_id" of its own. LW_EINVAL when the
 * payload is not a JSON object or has an empty group. */
int lw_channel_msg_parse(lw_channel_msg *m, const char *payload, long long alert_id,
                         lw_err *err);

/* Sets settings from their JSON text (pool-owned). */
int lw_channel_msg_settings(lw_channel_msg *m, const char *settings_json, lw_err *err);

/* A string setting (borrowed), NULL when absent or empty. */
const char *lw_channel_setting(const lw_channel_msg *m, const char *key);

/* 0 critical, 1 warning, 2 info, 3 anything else: the order of severities. */
int lw_channel_severity_rank(const char *severity);

/* Whether `part` is already in m->done; lw_channel_mark records it there and
 * through m->mark_done. */
int lw_channel_is_done(const lw_channel_msg *m, const char *part);
int lw_channel_mark(lw_channel_msg *m, const char *part, lw_err *err);

/* ---- secrets ---- */

/* Expands ${VAR} and ${VAR:-default} ("$${" is a literal "${") from this
 * process's environment into out, as the config loader does: this is how
 * the ${VAR} references stored in channels.settings become values at send
 * time. LW_ENOTFOUND (naming the variable, never a value) when a variable
 * without default is unset or empty, LW_EINVAL on a malformed reference.
 * The caller wipes and frees out (explicit_bzero + lw_buf_free). */
int lw_secret_resolve(const char *raw, lw_buf *out, lw_err *err);

/* The setting `key` resolved; pool-owned and wiped when the pool goes.
 * NULL with err cleared when the setting is absent, NULL with err set when
 * it cannot be resolved. */
char *lw_channel_secret(lw_channel_msg *m, const char *key, lw_err *err);

/* The secret setting `key` resolved, or NULL after setting r: a retry
 * when it cannot be resolved (the variable may be set by then), a failure
 * when the setting is absent. `what` names the channel in the message. */
char *lw_channel_secret_or_fail(lw_channel_msg *m, const char *key, const char *what,
                                lw_channel_result *r);

/* ---- rendering shared by channels (pool-owned results) ---- */

/* "[llmwatch] FIRING critical: High Latency on gpt-4 (production)"; one
 * line, no control characters, at most 200 bytes. */
char *lw_channel_subject(const lw_channel_msg *m);
/* Plain text: rule, model, environment, value vs threshold, since when,
 * link, and the runbook as written. */
char *lw_channel_text(const lw_channel_msg *m);
/* HTML document: every payload string escaped, the runbook rendered by
 * libcmark without CMARK_OPT_UNSAFE (raw HTML and javascript: links are
 * dropped), links only for http(s) URLs. */
char *lw_channel_html(const lw_channel_msg *m);
/* The same facts as one short line of at most `max` bytes (SMS), cut at a
 * UTF-8 boundary. */
char *lw_channel_short(const lw_channel_msg *m, size_t max);
/* Markdown to Slack mrkdwn, with Slack's & < > escaping (caller frees). */
char *lw_channel_markdown_mrkdwn(const char *md);
/* Appends s with Slack's escaping of & < >. */
void lw_channel_slack_escape(lw_buf *b, const char *s);
/* Whether u is an http:// or https:// URL (the only links we render). */
int lw_channel_is_http_url(const char *u);

/* A stable PagerDuty dedup_key (<= 255 bytes) for the incident of `a`: the
 * same for its trigger and its resolve. Pool-owned. */
char *lw_channel_dedup_key(const lw_channel_msg *m, const lw_channel_alert *a);
/* "2024-05-01 12:03 UTC" for people; s itself when unparsable (pool-owned
 * or borrowed). */
const char *lw_channel_human_time(lw_pool *pool, const char *s);
/* "3.41 s (threshold 3.00 s)" (value_text when given, else the number);
 * compact: "3.41 s>3.00 s". NULL without a value. Pool-owned. */
const char *lw_channel_value(lw_pool *pool, const lw_channel_alert *a, int compact);
/* Copies at most max bytes of s, cut at a UTF-8 boundary (pool-owned). */
char *lw_channel_truncate(lw_pool *pool, const char *s, size_t max);
/* "2350.5", "0.512", "1.2e+07": numbers for people. */
void lw_channel_number(double v, char out[32]);

/* ---- one HTTP request ---- */

typedef struct {
    const char *url;
    const char *what;           /* how errors name the target ("slack webhook");
                                 * the URL itself may be a secret */
    const char *content_type;
    const char *body;
    size_t body_len;
    struct curl_slist *headers; /* extra headers (caller frees) */
    const char *username;       /* basic auth when set */
    const char *password;
    int timeout_s;
} lw_channel_http;

/* POSTs the request and classifies the answer into r: 2xx sent; 429 (with
 * Retry-After), 408, 5xx, timeouts and connection errors retry; other 4xx
 * fail. resp (may be NULL) gets the first 8 KB of the body. Returns 0 or
 * LW_ENOMEM. */
int lw_channel_http_post(const lw_channel_http *req, lw_channel_result *r, lw_buf *resp);

/* POSTs body to url with m's timeout (content_type NULL = JSON; headers
 * and resp may be NULL), as lw_channel_http_post. */
int lw_channel_post(const lw_channel_msg *m, const char *url, const char *what,
                    const char *content_type, const char *body, struct curl_slist *headers,
                    lw_channel_result *r, lw_buf *resp);

/* Keeps in *worst the worse of *worst and *r: a retry over a failure over
 * a success (a channel sending several requests reports the worst). */
void lw_channel_result_worst(lw_channel_result *worst, const lw_channel_result *r);

/* Sets r to an outcome with a message. */
void lw_channel_result_set(lw_channel_result *r, lw_channel_outcome o, const char *fmt, ...)
    LW_PRINTF(3, 4);

/* curl_global_init once per process (thread-safe); also ignores SIGPIPE
 * when it has no handler, as libcurl asks of CURLOPT_NOSIGNAL users. */
int lw_channel_global_init(lw_err *err);

/* ---- the channels ---- */

/* Sends m through its channel type; the outcome is in r (the return value
 * is 0 unless memory ran out). */
int lw_channel_send(lw_channel_msg *m, lw_channel_result *r);

/* The body each HTTP channel sends (caller frees), for tests and previews. */
char *lw_channel_slack_body(const lw_channel_msg *m);
char *lw_channel_pagerduty_body(const lw_channel_msg *m, const lw_channel_alert *a,
                                const char *routing_key);
char *lw_channel_webhook_body(const lw_channel_msg *m);
char *lw_channel_alertmanager_body(const lw_channel_msg *m);
/* Form-encoded To/From/Body (caller frees). */
char *lw_channel_sms_body(const lw_channel_msg *m, const char *to);
/* "sha256=HEX" of body under key (caller frees). */
char *lw_channel_webhook_signature(const char *key, const char *body, size_t len);

/* Email, also used for reports: */
typedef struct {
    const char *filename;
    const char *content_type;   /* "application/pdf" */
    const void *data;
    size_t len;
} lw_channel_attachment;

typedef struct {
    const char *smtp_url;       /* smtp://host:port or smtps://host:port */
    const char *username;
    const char *password;       /* resolved; never logged */
    const char *from;           /* "llmwatch@x" or "Name <llmwatch@x>" */
    const char *const *to;
    size_t n_to;
    const char *subject;        /* UTF-8; encoded per RFC 2047 when needed */
    const char *message_id;     /* without angle brackets */
    time_t date;
    const char *text;
    const char *html;           /* NULL: text only */
    const lw_channel_attachment *attachments;
    size_t n_attachments;
    int timeout_s;
} lw_channel_mail;

/* Builds the header lines (Date, From, To, Subject, Message-ID, X-Mailer;
 * curl adds MIME-Version) as curl wants them (caller frees with
 * curl_slist_free_all). */
struct curl_slist *lw_channel_mail_headers(const lw_channel_mail *mail);
/* Builds the MIME tree (text and HTML alternatives, then attachments) on
 * handle h (caller frees with curl_mime_free). */
curl_mime *lw_channel_mail_mime(CURL *h, const lw_channel_mail *mail);
/* Sends it; outcome in r. Returns 0 or LW_ENOMEM. */
int lw_channel_mail_send(const lw_channel_mail *mail, lw_channel_result *r);

/* Per type, called by lw_channel_send. */
int lw_channel_email_send(lw_channel_msg *m, lw_channel_result *r);
int lw_channel_slack_send(lw_channel_msg *m, lw_channel_result *r);
int lw_channel_pagerduty_send(lw_channel_msg *m, lw_channel_result *r);
int lw_channel_webhook_send(lw_channel_msg *m, lw_channel_result *r);
int lw_channel_sms_send(lw_channel_msg *m, lw_channel_result *r);
int lw_channel_alertmanager_send(lw_channel_msg *m, lw_channel_result *r);

/* JSON helpers shared by the channel files. */
void lw_channel_json_str(json_object *o, const char *key, const char *v);  /* skips NULL */
void lw_channel_json_num(json_object *o, const char *key, double v);
/* Serialises o without escaping '/' (caller frees) and releases o: every
 * payload is built, printed once and dropped. */
char *lw_channel_json_take(json_object *o);

#endif
