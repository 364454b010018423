/* page_channel_form.c: POST "/channels/routing" (admins): which channels
 * receive critical, warning and info alerts. The form sends the ticked
 * channel ids as route_critical / route_warning / route_info; the whole
 * routing is replaced in one transaction, audit-logged before and after.
 * Routing of channels from monitoring_config.yaml is rewritten by the next
 * config sync (docs/web.md). */
#include "app.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "db/topics.h"

static int
digits(const char *s)
{
    size_t i;

    if (s == NULL || *s == '\0' || strlen(s) > 9)
        return 0;
    for (i = 0; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int
lw_page_channel_routing(lw_req *r)
{
    static const char *const sev[] = { "critical", "warning", "info" };
    lw_db *db = lw_req_db(r);
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    json_object *o, *lists[3];
    const char *name, *json;
    size_t i, s;
    int rc;

    if (db == NULL)
        return LW_EDB;
    o = json_object_new_object();
    for (s = 0; s < 3; s++) {
        lists[s] = json_object_new_array();
        json_object_object_add(o, sev[s], lists[s]);
    }
    for (i = 0; i < r->form.n; i++) {
        name = r->form.items[i].name;
        if (strncmp(name, "route_", 6) != 0)
            continue;
        for (s = 0; s < 3; s++) {
            if (strcmp(name + 6, sev[s]) != 0)
                continue;
            if (!digits(r->form.items[i].value)) {
                json_object_put(o);
                return lw_req_error(r, 400, "A channel id is not a number.");
            }
            json_object_array_add(lists[s], json_object_new_string(r->form.items[i].value));
        }
    }
    json = lw_pool_strdup(r->pool, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    if (json == NULL)
        return LW_ENOMEM;
    rc = lw_db_channels_routing_set(db, &r->err, &who, json);
    if (rc != LW_OK)
        return rc;
    return lw_req_redirect(r, "/channels?saved=1");
}
