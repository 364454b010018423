/* report_pdf.c: a report's HTML typeset as PDF by WeasyPrint, the hashes
 * that make a stored report checkable, and storing it (see report.h).
 * WeasyPrint runs as a child process over pipes (no temporary files: the
 * web app runs with a read-only file system), under a deadline. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto.h"
#include "db/reports.h"

extern char **environ;

void
lw_report_sha256_hex(const void *data, size_t len, char out[65])
{
    uint8_t sum[LW_CRYPTO_SHA256_LEN];

    lw_crypto_sha256(data, len, sum);
    lw_crypto_hex(sum, sizeof(sum), out);
}

/* The footer as a stylesheet of its own, in a data: URL: the HTML it
 * names the hash of stays exactly the bytes given. */
static int
footer_css(lw_buf *url, const char *sha)
{
    lw_buf css = { 0 };
    size_t i;
    int rc;

    lw_buf_printf(&css, "@page { @bottom-left { content: \"SHA-256 of this report's HTML: %s\";"
                  " font-size: 6.5pt; color: #5f6368; width: 75%%; font-family: sans-serif; }"
                  " @bottom-right { content: \"page \" counter(page) \" of \" counter(pages);"
                  " font-size: 8pt; color: #5f6368; font-family: sans-serif; } }", sha);
    lw_buf_puts(url, "data:text/css,");
    for (i = 0; i < css.len; i++) {
        unsigned char c = (unsigned char) css.data[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            lw_buf_putc(url, (char) c);
        else
            lw_buf_printf(url, "%%%02X", c);
    }
    rc = css.data != NULL && url->data != NULL ? LW_OK : LW_ENOMEM;
    lw_buf_free(&css);
    return rc;
}

static void
close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Feeds html to the child's stdin while reading its stdout and stderr,
 * until both end or the deadline passes. */
static int
pump(int *in, int *out, int *errfd, const char *html, size_t len, lw_buf *pdf, lw_buf *msg,
     int64_t deadline_us)
{
    struct pollfd pf[3];
    char chunk[65536];
    size_t sent = 0;
    ssize_t k;
    int n, i, rc;

    fcntl(*in, F_SETFL, fcntl(*in, F_GETFL) | O_NONBLOCK);
    for (;;) {
        n = 0;
        if (*in >= 0)
            pf[n++] = (struct pollfd) { .fd = *in, .events = POLLOUT };
        if (*out >= 0)
            pf[n++] = (struct pollfd) { .fd = *out, .events = POLLIN };
        if (*errfd >= 0)
            pf[n++] = (struct pollfd) { .fd = *errfd, .events = POLLIN };
        if (n == 0)
            return LW_OK;
        if ((rc = lw_poll_until(pf, (size_t) n, deadline_us)) != LW_OK)
            return rc;
        for (i = 0; i < n; i++) {
            if (pf[i].revents == 0)
                continue;
            if (pf[i].fd == *in) {
                k = write(*in, html + sent, len - sent);
                if (k > 0)
                    sent += (size_t) k;
                if ((k < 0 && errno != EAGAIN && errno != EINTR) || sent == len)
                    close_fd(in);
                continue;
            }
            k = read(pf[i].fd, chunk, sizeof(chunk));
            if (k > 0) {
                if (lw_buf_append(pf[i].fd == *out ? pdf : msg, chunk, (size_t) k) != LW_OK)
                    return LW_ENOMEM;
            } else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
                close_fd(pf[i].fd == *out ? out : errfd);
            }
        }
    }
}

int
lw_report_pdf(const char *html, size_t len, int timeout_s, lw_buf *pdf, lw_err *err)
{
    const char *prog = getenv("LLMWATCH_WEASYPRINT");
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, er[2] = { -1, -1 }, rc = LW_EIO, st = 0;
    char sha[65], *argv[6];
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t pipe_only, old, none;
    lw_buf url = { 0 }, msg = { 0 };
    struct timespec zero = { 0, 0 };
    pid_t pid = -1;

    if (prog == NULL || prog[0] == '\0')
        prog = "weasyprint";
    lw_report_sha256_hex(html, len, sha);
    if (footer_css(&url, sha) != LW_OK) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    argv[0] = (char *) prog;
    argv[1] = (char *) "-s";
    argv[2] = url.data;
    argv[3] = (char *) "-";
    argv[4] = (char *) "-";
    argv[5] = NULL;
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(er, O_CLOEXEC) != 0) {
        lw_err_set(err, "pdf: pipe: %s", strerror(errno));
        goto cleanup;
    }
    /* a child that dies early must not kill us with SIGPIPE: blocked in
     * this thread while we write, default and unblocked in the child */
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigemptyset(&none);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, er[1], 2);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &pipe_only);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    st = posix_spawnp(&pid, prog, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close_fd(&in[0]);
    close_fd(&out[1]);
    close_fd(&er[1]);
    if (st != 0) {
        pid = -1;
        lw_err_set(err, "pdf: cannot run %s: %s (Debian: apt-get install weasyprint)", prog,
                   strerror(st));
    } else {
        rc = pump(&in[1], &out[0], &er[0], html, len, pdf, &msg,
                  lw_now_mono_us() + (int64_t) (timeout_s > 0 ? timeout_s : 60) * 1000000);
    }
    sigtimedwait(&pipe_only, NULL, &zero);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid > 0) {
        if (rc != LW_OK)
            kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (rc == LW_ETIMEDOUT)
            lw_err_set(err, "pdf: %s took more than %d s: killed", prog, timeout_s);
        else if (rc != LW_OK)
            lw_err_set(err, "pdf: talking to %s failed", prog);
        else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || pdf->len < 5
                 || memcmp(pdf->data, "%PDF-", 5) != 0) {
            rc = LW_EIO;
            lw_err_set(err, "pdf: %s failed: %.300s", prog, msg.data ? msg.data : "no message");
        }
    }
cleanup:
    close_fd(&in[0]);
    close_fd(&in[1]);
    close_fd(&out[0]);
    close_fd(&out[1]);
    close_fd(&er[0]);
    close_fd(&er[1]);
    lw_buf_free(&url);
    lw_buf_free(&msg);
    return rc;
}

/* bytea in hex form, "\x..." */
static int
hex_bytea(lw_buf *b, const char *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    lw_buf_puts(b, "\\x");
    for (i = 0; i < len; i++) {
        lw_buf_putc(b, hex[(unsigned char) data[i] >> 4]);
        lw_buf_putc(b, hex[(unsigned char) data[i] & 15]);
    }
    return b->data != NULL ? LW_OK : LW_ENOMEM;
}

int
lw_report_store(lw_db *db, const lw_report_doc *d, long long *id, int *existed, char sha256[65],
                lw_err *err)
{
    const char *sections[LW_RSEC_COUNT];
    lw_buf content = { 0 }, source = { 0 }, rcpt = { 0 }, secs = { 0 };
    PGresult *res = NULL;
    size_t i;
    int tries, rc = LW_ENOMEM;

    for (i = 0; i < d->n_sections && i < LW_RSEC_COUNT; i++)
        sections[i] = lw_report_section_keys[d->sections[i]];
    lw_report_sha256_hex(d->content, d->len, sha256);
    if (hex_bytea(&content, d->content, d->len) != LW_OK
        || (d->source_html != NULL && hex_bytea(&source, d->source_html, d->source_len) != LW_OK)
        || lw_db_text_array(&rcpt, d->recipients ? d->recipients->v : NULL,
                            d->recipients ? d->recipients->n : 0) != LW_OK
        || lw_db_text_array(&secs, sections, i) != LW_OK) {
        lw_err_set(err, "out of memory");
        goto cleanup;
    }
    rc = LW_EDB;
    for (tries = 0; tries < 3; tries++) {
        PQclear(res);
        if ((res = lw_db_reports_insert(db, err, &(lw_db_reports_row) {
                 .name = d->name, .kind = d->kind, .format = d->format, .from = d->from,
                 .to = d->to, .content_hex = content.data, .sha256 = sha256,
                 .recipients = rcpt.data, .created_by = d->created_by, .schedule = d->schedule,
                 .slot = d->slot, .sections = secs.data, .data_sha256 = d->data_sha256,
                 .source_hex = source.data })) == NULL)
            goto cleanup;
        if (PQntuples(res) == 1)
            break;
    }
    if (PQntuples(res) != 1) {
        lw_err_set(err, "the report was neither stored nor found");
        goto cleanup;
    }
    *id = lw_db_int(res, 0, 0);
    lw_strlcpy(sha256, lw_db_str(res, 0, 1), 65);
    *existed = lw_db_bool(res, 0, 2);
    rc = LW_OK;
cleanup:
    PQclear(res);
    lw_buf_free(&content);
    lw_buf_free(&source);
    lw_buf_free(&rcpt);
    lw_buf_free(&secs);
    return rc;
}
