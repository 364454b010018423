/* notify.c: `llmwatch notify` delivers the due outbox rows by hand, pass
 * after pass until nothing is due (or a single pass with --once), through
 * the same delivery as the notify job (worker/notify/outbox.c); with
 * --follow it keeps running and delivers each row as soon as it is written
 * (LISTEN/NOTIFY), until SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "notify/outbox.h"

struct notify_opts {
    lw_outbox_opts o;
    int            once, follow;
};

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
    (void) sig;
    stopping = 1;
}

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct notify_opts *n = ctx;
    long long v;

    switch (ch) {
    case '1':
        n->once = 1;
        return 0;
    case 'f':
        n->follow = 1;
        return 0;
    case 'b':
        if (lw_cli_int(arg, 1, 10000, &v) != 0)
            return lw_cli_usage(cli, stderr, 1);
        n->o.batch = (int) v;
        return 0;
    case 'l':
        if (lw_cli_int(arg, 1, 86400, &v) != 0)
            return lw_cli_usage(cli, stderr, 1);
        n->o.lease_s = (int) v;
        return 0;
    default:
        if (lw_cli_int(arg, 1, 1000, &v) != 0)
            return lw_cli_usage(cli, stderr, 1);
        n->o.max_attempts = (int) v;
        return 0;
    }
}

int
lw_cmd_notify(lw_cli *cli)
{
    static const char opts[] = "once/1 follow/f batch:b lease:l max-attempts:m";
    struct notify_opts n;
    lw_outbox_counts c, total;
    lw_db *db;
    int64_t start = lw_now_mono_us();
    int passes, rc;

    memset(&n, 0, sizeof(n));
    lw_outbox_opts_defaults(&n.o);
    if ((rc = lw_cli_parse(cli, opts, on_opt, &n)) != LW_CLI_GO)
        return rc;
    if (lw_channel_global_init(&cli->err) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    memset(&total, 0, sizeof(total));
    rc = LW_OK;
    if (n.follow) {
        struct sigaction sa;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        lw_outbox_follow(db, &n.o, &stopping, &total, &cli->err);
        printf("notify: %d sent, %d to retry, %d failed\n", total.sent, total.retry, total.failed);
        return 0;
    }
    /* without --once: passes until nothing is due, bounded in count and time */
    for (passes = 0; passes < 1000; passes++) {
        memset(&c, 0, sizeof(c));
        rc = lw_outbox_pass(db, &n.o, 0, &c, &cli->err);
        total.claimed += c.claimed;
        total.sent += c.sent;
        total.retry += c.retry;
        total.failed += c.failed;
        total.lost += c.lost;
        total.resent += c.resent;
        if (rc != LW_OK || n.once || c.claimed == 0 || lw_now_mono_us() - start > 300 * 1000000LL)
            break;
    }
    if (rc != LW_OK)
        lw_cli_fail(cli, "%s", cli->err.msg);
    printf("notify: %d sent, %d to retry, %d failed", total.sent, total.retry, total.failed);
    if (total.lost)
        printf(", %d taken over by another worker", total.lost);
    if (total.resent)
        printf(", %d re-posted to Alertmanager", total.resent);
    printf("\n");
    return rc == LW_OK ? 0 : 1;
}
