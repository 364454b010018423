/* test_alert.c: `llmwatch test-alert` sends a test notification to one
 * channel through the real delivery path (an outbox row, claimed and
 * delivered like any other) and says whether it arrived. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "db/outbox.h"
#include "notify/outbox.h"
#include "times.h"

struct test_opts {
    const char *channel, *severity, *message;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct test_opts *o = ctx;

    (void) cli;
    if (ch == 'C')
        o->channel = arg;
    else if (ch == 's')
        o->severity = arg;
    else
        o->message = arg;
    return 0;
}

static void
list_channels(lw_db *db)
{
    PGresult *res;
    lw_err err;
    int i;

    res = lw_db_outbox_channels(db, &err);
    if (res == NULL)
        return;
    fprintf(stderr, "channels in the database:%s\n", PQntuples(res) ? "" : " none");
    for (i = 0; i < PQntuples(res); i++)
        fprintf(stderr, "  %s (%s)%s\n", lw_db_str(res, i, 0), lw_db_str(res, i, 1),
                lw_db_bool(res, i, 2) ? "" : " disabled");
    PQclear(res);
}

/* The test payload, as the evaluator would write one alert. Caller frees. */
static char *
test_payload(const struct test_opts *o)
{
    json_object *payload = json_object_new_object();
    char ts[32];

    lw_time_format(time(NULL), LW_TIME_RFC3339, ts, sizeof(ts));
    json_object_object_add(payload, "rule", json_object_new_string("llmwatch test alert"));
    json_object_object_add(payload, "severity", json_object_new_string(o->severity));
    json_object_object_add(payload, "state", json_object_new_string("firing"));
    json_object_object_add(payload, "summary", json_object_new_string(o->message));
    json_object_object_add(payload, "started_at", json_object_new_string(ts));
    return lw_channel_json_take(payload);
}

int
lw_cmd_test_alert(lw_cli *cli)
{
    static const char opts[] = "channel:C severity:s message:m";
    struct test_opts o = { NULL, "warning", "Test alert from llmwatch" };
    char key[40];
    lw_db *db;
    PGresult *res = NULL;
    lw_outbox_counts c;
    lw_outbox_opts oo;
    lw_outbox_row row;
    lw_channel_result r;
    char *body = NULL;
    long long chan_id, id;
    int64_t t0;
    int rc, status = 1;

    if ((rc = lw_cli_parse(cli, opts, on_opt, &o)) != LW_CLI_GO)
        return rc;
    if (o.channel == NULL)
        return lw_cli_usage(cli, stderr, 1);
    if (lw_config_severity_parse(o.severity) < 0) {
        lw_cli_fail(cli, "--severity must be critical, warning or info");
        return 2;
    }
    /* the config names the channels; the database holds what notify
     * actually uses (synced by init), and channels made in the web UI are
     * only there */
    if (lw_cli_config(cli) != LW_CLI_GO)
        return 1;
    if (cli->cfg != NULL && lw_config_find_channel(cli->cfg, o.channel) == NULL)
        fprintf(stderr, "%s: note: %s has no channel '%s'; looking in the database\n",
                cli->prog, cli->config_path, o.channel);
    if (lw_channel_global_init(&cli->err) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    res = lw_db_outbox_channel(db, &cli->err, o.channel);
    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    if (PQntuples(res) == 0) {
        lw_cli_fail(cli, "no channel '%s' in the database%s", o.channel,
                    cli->cfg && lw_config_find_channel(cli->cfg, o.channel)
                    ? " (run `llmwatch init --config` to sync the configuration)" : "");
        list_channels(db);
        goto cleanup;
    }
    if (!lw_db_bool(res, 0, 1)) {
        lw_cli_fail(cli, "channel '%s' is disabled", o.channel);
        goto cleanup;
    }
    chan_id = lw_db_int(res, 0, 0);
    PQclear(res);
    res = NULL;

    lw_outbox_opts_defaults(&oo);
    strcpy(key, "test-");
    if (lw_random_hex(key + 5, 16) != LW_OK) {
        lw_cli_fail(cli, "no randomness for the idempotency key");
        goto cleanup;
    }
    body = test_payload(&o);
    if (lw_db_outbox_test_insert(db, &cli->err, chan_id, body, key, oo.lease_s, &id) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    res = lw_db_outbox_row(db, &cli->err, id);
    if (res == NULL || PQntuples(res) != 1) {
        lw_cli_fail(cli, "%s", res ? "the test row vanished" : cli->err.msg);
        goto cleanup;
    }
    lw_outbox_row_read(res, 0, &row);
    memset(&c, 0, sizeof(c));
    t0 = lw_now_mono_us();
    if (lw_outbox_deliver(db, &oo, &row, &c, &r, &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    if (r.outcome == LW_CHANNEL_SENT && c.sent == 1) {
        printf("test-alert: sent to %s channel '%s' (notification %lld, %.0f ms)\n", row.type,
               o.channel, id, (double) (lw_now_mono_us() - t0) / 1000.0);
        status = 0;
    } else {
        printf("test-alert: delivery to %s channel '%s' failed: %s (notification %lld)\n",
               row.type, o.channel, r.error[0] ? r.error : "unknown error", id);
    }
cleanup:
    PQclear(res);
    free(body);
    return status;
}
