/* check_delivery.c: notifications over a socket, through small in-process
 * servers: the MIME mail libcurl writes, the classification of HTTP
 * answers, the webhook's signature over the exact body, and the notify
 * job (claims, leases, retries) on a private database. */
#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "html.h"
#include "notify/channel.h"
#include "crypto.h"
#include "jobs.h"
#include "lw.h"
#include "testdb.h"


extern const char TEST_SINGLE[];   /* check_channels.c */
lw_channel_msg test_msg(lw_channel_type type, const char *payload, const char *settings);

/* ==== in-process peers: one connection each ==== */

typedef struct {
    int fd;
    int port;
    int smtp;                /* else HTTP */
    const char *response;    /* HTTP: the whole answer */
    lw_buf got;              /* HTTP: the request; SMTP: the DATA */
    pthread_t th;
} peer;

static int
read_line(int fd, lw_buf *line)
{
    char c;

    lw_buf_reset(line);
    while (read(fd, &c, 1) == 1) {
        lw_buf_putc(line, c);
        if (c == '\n')
            return 1;
    }
    return line->len > 0;
}

static void
say(int fd, const char *s)
{
    ssize_t n = write(fd, s, strlen(s));

    (void) n;
}

static void *
peer_main(void *arg)
{
    peer *p = arg;
    lw_buf line = { 0 };
    int c = accept(p->fd, NULL, NULL);
    long len = -1;

    if (c < 0)
        return NULL;
    if (!p->smtp) {
        while (read_line(c, &line) && strcmp(line.data, "\r\n") != 0) {
            lw_buf_puts(&p->got, line.data);
            if (strncasecmp(line.data, "content-length:", 15) == 0)
                len = strtol(line.data + 15, NULL, 10);
        }
        lw_buf_puts(&p->got, "\r\n");
        while (len-- > 0) {
            char ch;

            if (read(c, &ch, 1) != 1)
                break;
            lw_buf_putc(&p->got, ch);
        }
        say(c, p->response);
    } else {
        say(c, "220 sink ESMTP\r\n");
        while (read_line(c, &line)) {
            if (strncasecmp(line.data, "EHLO", 4) == 0)
                say(c, "250-sink\r\n250 8BITMIME\r\n");
            else if (strncasecmp(line.data, "DATA", 4) == 0) {
                say(c, "354 go\r\n");
                while (read_line(c, &line) && strcmp(line.data, ".\r\n") != 0)
                    lw_buf_puts(&p->got, line.data);
                say(c, "250 queued\r\n");
            } else if (strncasecmp(line.data, "QUIT", 4) == 0) {
                say(c, "221 bye\r\n");
                break;
            } else
                say(c, "250 OK\r\n");
        }
    }
    lw_buf_free(&line);
    close(c);
    return NULL;
}

static void
peer_start(peer *p, int smtp, const char *response)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);

    memset(p, 0, sizeof(*p));
    p->smtp = smtp;
    p->response = response;
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(p->fd, (struct sockaddr *) &a, sizeof(a)), 0);
    ck_assert_int_eq(listen(p->fd, 4), 0);
    getsockname(p->fd, (struct sockaddr *) &a, &alen);
    p->port = ntohs(a.sin_port);
    pthread_create(&p->th, NULL, peer_main, p);
}

/* A loopback port nobody listens on (bound, then closed). */
static int
closed_port(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
    getsockname(fd, (struct sockaddr *) &a, &alen);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void
peer_stop(peer *p)
{
    pthread_join(p->th, NULL);
    close(p->fd);
    lw_buf_free(&p->got);
}

START_TEST(test_mail_mime)
{
    lw_channel_msg m;
    lw_channel_result r;
    peer p;
    const char *d, *hdr_end, *bcc;
    char settings[256];
    lw_err err;

    ck_assert_int_eq(lw_channel_global_init(&err), LW_OK);
    peer_start(&p, 1, NULL);
    snprintf(settings, sizeof(settings), "{\"smtp_url\":\"smtp://127.0.0.1:%d\","
             "\"from\":\"llmwatch <alerts@example.com>\",\"recipients\":[\"a@example.com\","
             "\"B <b@example.com>\"]}", p.port);
    m = test_msg(LW_CHANNEL_EMAIL, "{\"rule\":\"Latenz \xc3\xbc" "ber Ziel\\r\\nBcc: evil@example.com\","
            "\"model\":\"gpt-4\",\"runbook\":\"**bold** <script>x</script>\"}", settings);
    m.idempotency_key = "0123abcd";
    ck_assert_int_eq(lw_channel_send(&m, &r), LW_OK);
    pthread_join(p.th, NULL);   /* the DATA is complete */
    close(p.fd);
    ck_assert_msg(r.outcome == LW_CHANNEL_SENT, "%s", r.error);
    d = p.got.data;
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(strstr(d, "Date: Tue, 07 Jan 2025 10:00:00 +0000\r\n"));
    ck_assert_ptr_nonnull(strstr(d, "From: llmwatch <alerts@example.com>\r\n"));
    ck_assert_ptr_nonnull(strstr(d, "To: a@example.com, B <b@example.com>\r\n"));
    ck_assert_ptr_nonnull(strstr(d, "Message-ID: <0123abcd@llmwatch>\r\n"));
    ck_assert_ptr_nonnull(strcasestr(d, "\r\nMime-Version: 1.0\r\n"));
    /* non-ASCII subject is RFC 2047 encoded; the CRLF in the rule name did
     * not start a header of its own */
    ck_assert_ptr_nonnull(strstr(d, "Subject: =?UTF-8?B?"));
    hdr_end = strstr(d, "\r\n\r\n");
    ck_assert_ptr_nonnull(hdr_end);
    bcc = strstr(d, "\r\nBcc:");
    ck_assert(bcc == NULL || bcc > hdr_end);
    ck_assert_ptr_nonnull(strstr(d, "Content-Type: multipart/mixed"));
    ck_assert_ptr_nonnull(strstr(d, "Content-Type: multipart/alternative"));
    ck_assert_ptr_nonnull(strstr(d, "Content-Type: text/plain; charset=utf-8"));
    ck_assert_ptr_nonnull(strstr(d, "Content-Type: text/html; charset=utf-8"));
    ck_assert(strstr(d, "text/plain") < strstr(d, "text/html"));   /* preferred last */
    /* the HTML part renders the runbook, without its raw HTML (the text
     * part carries the runbook as written, which is harmless there) */
    ck_assert_ptr_nonnull(strstr(strstr(d, "text/html"), "<strong>bold</strong>"));
    ck_assert_ptr_null(strstr(strstr(d, "text/html"), "<script>x"));
    /* lines end in CRLF, none longer than SMTP allows */
    ck_assert_ptr_null(strstr(d, "=0A"));
    lw_buf_free(&p.got);
    lw_pool_destroy(m.pool);
}
END_TEST

static void
http_case(const char *answer, lw_channel_outcome want, long status, long retry_after)
{
    lw_channel_http req;
    lw_channel_result r;
    char url[64];
    peer p;

    peer_start(&p, 0, answer);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", p.port);
    memset(&req, 0, sizeof(req));
    memset(&r, 0, sizeof(r));
    req.url = url;
    req.what = "peer";
    req.body = "{}";
    req.timeout_s = 5;
    ck_assert_int_eq(lw_channel_http_post(&req, &r, NULL), LW_OK);
    peer_stop(&p);
    ck_assert_msg(r.outcome == want, "answer %.20s: outcome %d (%s)", answer, r.outcome, r.error);
    ck_assert_int_eq(r.http_status, status);
    ck_assert_int_eq(r.retry_after_s, retry_after);
}

START_TEST(test_http_classification)
{
    lw_channel_http req;
    lw_channel_result r;
    lw_err err;
    char url[64];

    ck_assert_int_eq(lw_channel_global_init(&err), LW_OK);
    http_case("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", LW_CHANNEL_SENT, 200, -1);
    http_case("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", LW_CHANNEL_SENT, 202, -1);
    http_case("HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n",
              LW_CHANNEL_RETRY, 429, 7);
    http_case("HTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\n\r\n", LW_CHANNEL_RETRY, 503, -1);
    http_case("HTTP/1.1 400 Bad Request\r\nContent-Length: 15\r\n\r\ninvalid_payload",
              LW_CHANNEL_FAILED, 400, -1);
    http_case("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", LW_CHANNEL_FAILED, 404, -1);

    /* nobody listening: a connection error, retried */
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", closed_port());
    memset(&req, 0, sizeof(req));
    memset(&r, 0, sizeof(r));
    req.url = url;
    req.timeout_s = 2;
    lw_channel_http_post(&req, &r, NULL);
    ck_assert_int_eq(r.outcome, LW_CHANNEL_RETRY);
    /* a scheme llmwatch never posts to */
    req.url = "file:///etc/passwd";
    lw_channel_http_post(&req, &r, NULL);
    ck_assert_int_eq(r.outcome, LW_CHANNEL_FAILED);
}
END_TEST

START_TEST(test_webhook_send_signs_exact_body)
{
    lw_channel_msg m;
    lw_channel_result r;
    char settings[200], hex[LW_CRYPTO_SHA256_HEX_LEN], want[120];
    const char *body, *sig;
    peer p;

    setenv("LW_T_HOOK_SECRET", "whsec-test", 1);
    peer_start(&p, 0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    snprintf(settings, sizeof(settings), "{\"url\":\"http://127.0.0.1:%d/hook\","
             "\"secret\":\"${LW_T_HOOK_SECRET}\"}", p.port);
    m = test_msg(LW_CHANNEL_WEBHOOK, TEST_SINGLE, settings);
    lw_channel_send(&m, &r);
    pthread_join(p.th, NULL);
    close(p.fd);
    ck_assert_msg(r.outcome == LW_CHANNEL_SENT, "%s", r.error);
    ck_assert_ptr_nonnull(strstr(p.got.data, "Idempotency-Key: k-0123\r\n"));
    body = strstr(p.got.data, "\r\n\r\n") + 4;
    lw_crypto_hmac_sha256_hex("whsec-test", 10, body, strlen(body), hex);
    snprintf(want, sizeof(want), "X-Llmwatch-Signature: sha256=%s\r\n", hex);
    sig = strstr(p.got.data, want);
    ck_assert_ptr_nonnull(sig);
    ck_assert_ptr_null(strstr(p.got.data, "whsec-test"));
    lw_buf_free(&p.got);
    lw_pool_destroy(m.pool);
}
END_TEST

/* ==== the notify job on a private database ==== */

static lw_testdb tdb;

static void
private_db_setup(void)
{
    lw_testdb_setup(&tdb, "check_channels");
}

static void
private_db_teardown(void)
{
    lw_testdb_teardown(&tdb);
}

static char *
query1(lw_db *db, const char *sql)
{
    lw_err err;
    PGresult *res = lw_db_query(db, &err, sql, 0, NULL);
    char *v;

    ck_assert_msg(res != NULL, "%s: %s", sql, err.msg);
    v = lw_strdup(PQntuples(res) ? (lw_db_str(res, 0, 0) ? lw_db_str(res, 0, 0) : "") : "");
    PQclear(res);
    return v;
}

#define ck_query(db, sql, want) do {                              \
        char *got_ = query1((db), (sql));                         \
        ck_assert_msg(strcmp(got_, (want)) == 0, "%s: got '%s', want '%s'", (sql), got_, (want)); \
        free(got_);                                               \
    } while (0)

static int
run_job(lw_db *db, char *details, size_t size)
{
    lw_job_ctx ctx;
    int rc;

    unsetenv("LLMWATCH_NOTIFY_BACKOFF_SCALE");   /* the delays asserted are real ones */
    memset(&ctx, 0, sizeof(ctx));
    ctx.db = db;
    ctx.job = "notify";
    ctx.timeout_s = 60;
    rc = lw_job_notify(&ctx);
    lw_strlcpy(details, ctx.details.data ? ctx.details.data : "", size);
    lw_buf_free(&ctx.details);
    return rc;
}

START_TEST(test_job_notify_delivers)
{
    lw_db *db = lw_testdb_connect(&tdb);
    char sql[512], details[256];
    peer p;

    if (db == NULL)
        return;
    lw_testdb_exec(db, "TRUNCATE notifications, channels CASCADE");
    peer_start(&p, 0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    snprintf(sql, sizeof(sql), "INSERT INTO channels (name, type, settings) VALUES ('hook', 'webhook', "
             "'{\"url\": \"http://127.0.0.1:%d/h\"}')", p.port);
    lw_testdb_exec(db, sql);
    lw_testdb_exec(db, "INSERT INTO notifications (channel_id, payload, idempotency_key) "
                   "SELECT id, '{\"rule\": \"R\", \"alert_id\": 1}', 'key-1' FROM channels");
    ck_assert_int_eq(run_job(db, details, sizeof(details)), LW_OK);
    pthread_join(p.th, NULL);
    close(p.fd);
    ck_assert_ptr_nonnull(strstr(p.got.data, "Idempotency-Key: key-1"));
    lw_buf_free(&p.got);
    ck_assert_ptr_nonnull(strstr(details, "\"claimed\":1,\"sent\":1,"));
    ck_query(db, "SELECT status || ' ' || attempts || ' ' || (sent_at IS NOT NULL) || ' ' "
             "|| (claimed_until IS NULL) FROM notifications", "sent 1 true true");
    lw_db_close(db);
}
END_TEST

START_TEST(test_job_notify_leases_and_limits)
{
    lw_db *db = lw_testdb_connect(&tdb);
    char details[256], sql[512];
    int port = closed_port();

    if (db == NULL)
        return;
    lw_testdb_exec(db, "TRUNCATE notifications, channels CASCADE");
    /* nobody listens on the port: every send is a retry */
    snprintf(sql, sizeof(sql), "INSERT INTO channels (name, type, settings, enabled) VALUES "
             "('down', 'webhook', '{\"url\": \"http://127.0.0.1:%d/h\"}', true), "
             "('off', 'webhook', '{\"url\": \"http://127.0.0.1:%d/h\"}', false)", port, port);
    lw_testdb_exec(db, sql);
    lw_testdb_exec(db,
        "INSERT INTO notifications (channel_id, payload, idempotency_key, status, attempts, "
        "                           claimed_until, next_attempt_at, last_error) "
        "SELECT c.id, '{\"rule\": \"R\"}', v.key, v.status, v.attempts, now() + v.claim, "
        "       now() + v.next, v.err "
        "  FROM channels c, (VALUES "
        "   ('leased',    'sending',    3, interval '1 hour',     interval '0', NULL::text),"
        "   ('abandoned', 'sending',   10, interval '-1 second',  interval '0', 'HTTP 503'),"
        "   ('expired',   'sending',    3, interval '-1 second',  interval '0', NULL),"
        "   ('later',     'pending',    1, NULL,                  interval '1 hour', NULL),"
        "   ('muted',     'suppressed', 0, NULL,                  interval '0', NULL),"
        "   ('due',       'pending',    0, NULL,                  interval '0', NULL),"
        "   ('last',      'pending',    9, NULL,                  interval '0', NULL)"
        "  ) AS v(key, status, attempts, claim, next, err) WHERE c.name = 'down'");
    lw_testdb_exec(db, "INSERT INTO notifications (channel_id, payload, idempotency_key) "
                   "SELECT id, '{\"rule\": \"R\"}', 'disabled' FROM channels WHERE name = 'off'");
    lw_testdb_exec(db, "INSERT INTO notifications (channel_id, payload, idempotency_key) "
                   "SELECT id, '{\"alerts\": []}', 'garbled' FROM channels WHERE name = 'down'");
    ck_assert_int_eq(run_job(db, details, sizeof(details)), LW_OK);
    ck_assert_msg(strstr(details, "\"claimed\":5,\"sent\":0,\"retry\":2,\"failed\":3,") != NULL,
                  "%s", details);
    /* someone else's live lease, not yet due, suppressed: untouched */
    ck_query(db, "SELECT status || ' ' || attempts FROM notifications WHERE idempotency_key = 'leased'",
             "sending 3");
    ck_query(db, "SELECT status || ' ' || attempts FROM notifications WHERE idempotency_key = 'later'",
             "pending 1");
    ck_query(db, "SELECT status FROM notifications WHERE idempotency_key = 'muted'", "suppressed");
    /* a dead worker's last allowed attempt: failed, saying so */
    ck_query(db, "SELECT status || ': ' || last_error FROM notifications WHERE idempotency_key = 'abandoned'",
             "failed: gave up after 10 attempts: the worker sending it went away (before: HTTP 503)");
    /* an expired lease is taken over; a refused connection is retried later */
    ck_query(db, "SELECT status || ' ' || attempts || ' ' || (next_attempt_at > now() + interval '20 s') "
             "|| ' ' || (claimed_until IS NULL) FROM notifications WHERE idempotency_key = 'expired'",
             "pending 4 true true");
    ck_query(db, "SELECT status || ' ' || attempts || ' ' || (last_error LIKE 'webhook: %') "
             "FROM notifications WHERE idempotency_key = 'due'", "pending 1 true");
    /* the tenth attempt fails for good */
    ck_query(db, "SELECT status || ' ' || attempts || ' ' || (last_error LIKE 'gave up after 10 attempts: webhook: %') "
             "FROM notifications WHERE idempotency_key = 'last'", "failed 10 true");
    ck_query(db, "SELECT status || ': ' || last_error FROM notifications WHERE idempotency_key = 'disabled'",
             "failed: channel 'off' is disabled");
    ck_query(db, "SELECT status || ' ' || (last_error LIKE '%empty \"alerts\" group') "
             "FROM notifications WHERE idempotency_key = 'garbled'", "failed true");
    lw_db_close(db);
}
END_TEST

Suite *delivery_suite(void)
{
    Suite *s = suite_create("delivery");
    TCase *t = tcase_create("peers");

    tcase_set_timeout(t, 30);
    tcase_add_test(t, test_mail_mime);
    tcase_add_test(t, test_http_classification);
    tcase_add_test(t, test_webhook_send_signs_exact_body);
    suite_add_tcase(s, t);

    t = tcase_create("notify_job");
    tcase_set_timeout(t, 60);
    tcase_add_unchecked_fixture(t, private_db_setup, private_db_teardown);
    tcase_add_test(t, test_job_notify_delivers);
    tcase_add_test(t, test_job_notify_leases_and_limits);
    suite_add_tcase(s, t);
    return s;
}
