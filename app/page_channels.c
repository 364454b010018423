/* page_channels.c: "/channels": notification channels with their settings
 * masked in SQL (a ${VAR} reference is shown as written, every other value
 * as bullets: secrets never reach the page), deliveries of the last 24
 * hours, and the routing (which channels receive critical, warning and
 * info alerts), editable by admins. "/channels/{id}": one channel, its
 * delivery log with the last error; admins test it through the real
 * delivery path (POST "/channels/{id}/test": a test notification in the
 * outbox, delivered by the notifier like any alert) and enable or disable
 * it ("/channels/{id}/enable", "/channels/{id}/disable"). Adding and
 * editing are page_channel_edit.c. */
#include "app.h"

#include <json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "db/channel_edit.h"
#include "db/topics.h"
#include "times.h"
#include "view.h"

static const lw_view_flash_msg flash[] = {
    { "saved", "1", "The routing was saved.", "ok" },
};

static const lw_view_flash_msg channel_flash[] = {
    { "saved", "1", "The channel was saved.", "ok" },
    { "tested", "1", "A test notification is on its way: its outcome shows in the delivery log "
                     "below in a few seconds (reload the page).", "ok" },
    { "done", "enable", "The channel is enabled.", "ok" },
    { "done", "disable", "The channel is disabled: it receives nothing until enabled again.", "ok" },
};

int
lw_page_channels(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res = db ? lw_db_channels_list(db, &r->err) : NULL;

    if (lw_view_list(r, res, "Channels", "Channels", "channels") == NULL)
        return LW_EDB;
    lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    return LW_OK;
}

int
lw_page_channel(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *all, *log;
    long long id = lw_req_id(r);
    int i, row;

    if (db == NULL)
        return LW_EDB;
    /* the list's masked settings: the one place secrets are kept out */
    all = lw_req_keep(r, lw_db_channels_list(db, &r->err));
    if (all == NULL)
        return LW_EDB;
    for (i = 0; i < PQntuples(all) && lw_db_int(all, i, 0) != id; i++)
        ;
    if (i == PQntuples(all))
        return LW_ENOTFOUND;
    row = i;
    lw_hdf_row(&r->page, "Channel", all, row);
    log = lw_req_keep(r, lw_db_channel_edit_log(db, &r->err, id, 50));
    if (log == NULL)
        return LW_EDB;
    lw_hdf_rows(&r->page, "Log", log);
    for (i = 0; i < PQntuples(log); i++) {
        if (lw_db_str(log, i, 4) != NULL) {
            lw_hdf_set(&r->page, "LastError.message", lw_db_str(log, i, 4));
            lw_hdf_set(&r->page, "LastError.at", lw_db_str(log, i, 5));
            break;
        }
    }
    lw_hdf_set(&r->page, "Page.title", lw_pool_printf(r->pool, "Channel %s", lw_db_str(all, row, 1)));
    lw_view_flash(r, channel_flash, LW_ARRAY_LEN(channel_flash));
    r->template = "channel";
    return LW_OK;
}

int
lw_page_channel_test(lw_req *r)
{
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    lw_db *db = lw_req_db(r);
    json_object *o;
    const char *payload;
    char ts[40], key[LW_CRYPTO_SHA256_HEX_LEN];
    uint8_t rnd[16];
    long long nid;
    int rc;

    if (db == NULL)
        return LW_EDB;
    lw_time_format(time(NULL), LW_TIME_RFC3339, ts, sizeof(ts));
    o = json_object_new_object();
    json_object_object_add(o, "rule", json_object_new_string("Test notification"));
    json_object_object_add(o, "model", json_object_new_string("(test)"));
    json_object_object_add(o, "environment", json_object_new_string("(test)"));
    json_object_object_add(o, "severity", json_object_new_string("info"));
    json_object_object_add(o, "state", json_object_new_string("firing"));
    json_object_object_add(o, "summary", json_object_new_string(
        lw_pool_printf(r->pool, "A test of this channel from the llmwatch web interface, asked by %s.",
                       r->user.email)));
    json_object_object_add(o, "started_at", json_object_new_string(ts));
    payload = lw_pool_strdup(r->pool, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    lw_random_bytes(rnd, sizeof(rnd));
    lw_crypto_hex(rnd, sizeof(rnd), key);
    if (payload == NULL)
        return LW_ENOMEM;
    rc = lw_db_channel_edit_test(db, &r->err, &who, lw_req_id(r), payload, key, &nid);
    if (rc != LW_OK)
        return rc;
    return lw_req_redirect(r, lw_pool_printf(r->pool, "/channels/%lld?tested=1", lw_req_id(r)));
}

static int
set_enabled(lw_req *r, int enabled)
{
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    lw_db *db = lw_req_db(r);
    int rc;

    if (db == NULL)
        return LW_EDB;
    rc = lw_db_channel_edit_enable(db, &r->err, &who, lw_req_id(r), enabled);
    return lw_view_changed(r, rc, 409, "Unknown channel, or one of monitoring_config.yaml: those "
                           "are enabled and disabled in the file.",
                           lw_pool_printf(r->pool, "/channels/%lld?done=%s", lw_req_id(r),
                                          enabled ? "enable" : "disable"));
}

int
lw_page_channel_enable(lw_req *r)
{
    return set_enabled(r, 1);
}

int
lw_page_channel_disable(lw_req *r)
{
    return set_enabled(r, 0);
}
