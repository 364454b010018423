/* page_channel_edit.c: "/channels/new" and "/channels/{id}/edit"
 * (admins): a notification channel of any kind made or changed in the
 * web interface. The form asks for the settings of its kind; a secret
 * (webhook URL of Slack, routing key, token, password, signing secret)
 * is stored as a ${VARIABLE} reference when given as one, else sealed
 * with LLMWATCH_SECRET_KEY (AES-256-GCM, lib/crypto.h) for the notifier
 * to open at send time; it is never shown back (an empty field keeps the
 * stored value). Channels of monitoring_config.yaml are changed in the
 * file, not here. */
#include "app.h"

#include <ctype.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db/channel_edit.h"

typedef struct {
    const char *key, *label;
    int secret, list, required, url;
} field;

typedef struct {
    const char *type, *label;
    field f[6];
} kind;

static const kind kinds[] = {
    { "webhook", "Webhook", { { "url", "URL", 0, 0, 1, 1 },
                              { "secret", "Signing secret (HMAC-SHA256, optional)", 1, 0, 0, 0 } } },
    { "slack", "Slack", { { "webhook_url", "Incoming webhook URL", 1, 0, 1, 1 },
                          { "channel", "Channel (optional)", 0, 0, 0, 0 } } },
    { "email", "Email", { { "recipients", "Recipients (separated by commas)", 0, 1, 1, 0 },
                          { "from", "From", 0, 0, 0, 0 },
                          { "smtp_url", "SMTP server (smtp://host:port)", 1, 0, 0, 0 },
                          { "username", "SMTP user (optional)", 0, 0, 0, 0 },
                          { "password", "SMTP password (optional)", 1, 0, 0, 0 } } },
    { "pagerduty", "PagerDuty", { { "routing_key", "Events API v2 routing key", 1, 0, 1, 0 } } },
    { "sms", "SMS (Twilio)", { { "account_sid", "Account SID", 0, 0, 1, 0 },
                               { "auth_token", "Auth token", 1, 0, 1, 0 },
                               { "from", "From number", 0, 0, 1, 0 },
                               { "to", "To numbers (separated by commas)", 0, 1, 1, 0 },
                               { "url", "API base URL (optional)", 0, 0, 0, 1 } } },
    { "alertmanager", "Alertmanager", { { "url", "Alertmanager URL", 0, 0, 1, 1 } } },
};

static const kind *
kind_of(const char *type)
{
    size_t i;

    for (i = 0; type != NULL && i < LW_ARRAY_LEN(kinds); i++)
        if (strcmp(kinds[i].type, type) == 0)
            return &kinds[i];
    return NULL;
}

static void
put_json(void *o)
{
    json_object_put(o);
}

/* "${NAME}" or "${NAME:-default}" and nothing else */
static int
is_reference(const char *v)
{
    size_t n = strlen(v), i = 2;

    if (n < 4 || strncmp(v, "${", 2) != 0 || v[n - 1] != '}' || !(isalpha((unsigned char) v[2]) || v[2] == '_'))
        return 0;
    while (i < n - 1 && (isalnum((unsigned char) v[i]) || v[i] == '_'))
        i++;
    return i == n - 1 || strncmp(v + i, ":-", 2) == 0;
}

/* Copy without leading and trailing blanks (pool). */
static char *
trimmed(lw_req *r, const char *v)
{
    size_t n;

    if (v == NULL)
        return NULL;
    while (isspace((unsigned char) *v))
        v++;
    n = strlen(v);
    while (n > 0 && isspace((unsigned char) v[n - 1]))
        n--;
    return lw_pool_strndup(r->pool, v, n);
}

static void
field_error(lw_req *r, int *errors, size_t i, const char *msg)
{
    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Fields.%zu.error", i), msg);
    (*errors)++;
}

/* The form: kind k's fields, the stored settings' non-secret values (and
 * whether each secret is set), what was typed (on an error). */
static void
form_hdf(lw_req *r, const kind *k, json_object *stored, int typed)
{
    json_object *v;
    const char *val;
    size_t i;

    lw_hdf_set(&r->page, "Form.type", k->type);
    lw_hdf_set(&r->page, "Form.type_label", k->label);
    for (i = 0; i < LW_ARRAY_LEN(k->f) && k->f[i].key; i++) {
        const char *p = lw_pool_printf(r->pool, "Fields.%zu", i);

        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.key", p), k->f[i].key);
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.label", p), k->f[i].label);
        lw_hdf_set_int(&r->page, lw_pool_printf(r->pool, "%s.secret", p), k->f[i].secret);
        lw_hdf_set_int(&r->page, lw_pool_printf(r->pool, "%s.required", p), k->f[i].required);
        val = NULL;
        if (stored != NULL && json_object_object_get_ex(stored, k->f[i].key, &v)) {
            if (k->f[i].secret) {
                lw_hdf_set_int(&r->page, lw_pool_printf(r->pool, "%s.is_set", p), 1);
                if (json_object_is_type(v, json_type_string) && is_reference(json_object_get_string(v)))
                    lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.reference", p),
                               json_object_get_string(v));
            } else if (json_object_is_type(v, json_type_array)) {
                size_t j;
                lw_buf b = { 0 };

                for (j = 0; j < json_object_array_length(v); j++)
                    lw_buf_printf(&b, "%s%s", j ? ", " : "",
                                  json_object_get_string(json_object_array_get_idx(v, j)));
                val = b.data ? lw_pool_strdup(r->pool, b.data) : NULL;
                lw_buf_free(&b);
            } else {
                val = json_object_get_string(v);
            }
        }
        if (typed && !k->f[i].secret)
            val = lw_req_form(r, lw_pool_printf(r->pool, "s_%s", k->f[i].key));
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "%s.value", p), val);
    }
}

/* The settings from the form into *out (pool JSON text); field errors in
 * the HDF. Secrets sealed (or kept from stored when left empty). */
static int
read_settings(lw_req *r, const kind *k, json_object *stored, const char **out, int *errors)
{
    json_object *o = json_object_new_object(), *keep, *arr;
    uint8_t key[LW_CRYPTO_KEY_LEN];
    lw_err kerr;
    char *sealed, *v, *item, *save;
    size_t i;
    int have_key = -1;

    if (o == NULL || lw_pool_cleanup_add(r->pool, put_json, o) != LW_OK) {
        json_object_put(o);
        return LW_ENOMEM;
    }
    for (i = 0; i < LW_ARRAY_LEN(k->f) && k->f[i].key; i++) {
        const field *f = &k->f[i];

        v = trimmed(r, lw_req_form(r, lw_pool_printf(r->pool, "s_%s", f->key)));
        if (v == NULL || *v == '\0') {
            if (f->secret && stored && json_object_object_get_ex(stored, f->key, &keep))
                json_object_object_add(o, f->key, json_object_get(keep));   /* unchanged */
            else if (f->required)
                field_error(r, errors, i, "Required.");
            continue;
        }
        if (strlen(v) > 2000) {
            field_error(r, errors, i, "At most 2000 characters.");
            continue;
        }
        if (f->list) {
            arr = json_object_new_array();
            for (item = strtok_r(v, ",", &save); item; item = strtok_r(NULL, ",", &save))
                if (*(item = trimmed(r, item)) != '\0')
                    json_object_array_add(arr, json_object_new_string(item));
            json_object_object_add(o, f->key, arr);
            continue;
        }
        if (f->url && !is_reference(v) && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
            field_error(r, errors, i, "An http:// or https:// URL, or a ${VARIABLE} reference.");
            continue;
        }
        if (!f->secret || is_reference(v)) {
            json_object_object_add(o, f->key, json_object_new_string(v));
            continue;
        }
        if (have_key < 0)
            have_key = lw_crypto_secret_key(key, &kerr) == LW_OK;
        if (!have_key) {
            field_error(r, errors, i, "This is a secret: give a ${VARIABLE} reference (set in the "
                        "notifier's environment), or set LLMWATCH_SECRET_KEY for llmwatch-web and "
                        "the notifier so that it can be stored encrypted.");
            continue;
        }
        if (lw_crypto_seal(key, v, &sealed) != LW_OK) {
            explicit_bzero(key, sizeof(key));
            return LW_ERROR;
        }
        json_object_object_add(o, f->key, json_object_new_string(sealed));
        free(sealed);
        explicit_bzero(v, strlen(v));
    }
    if (have_key > 0)
        explicit_bzero(key, sizeof(key));
    *out = lw_pool_strdup(r->pool, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                                     | JSON_C_TO_STRING_NOSLASHESCAPE));
    return *out ? LW_OK : LW_ENOMEM;
}

static int
name_ok(const char *n)
{
    size_t i;

    if (n == NULL || *n == '\0' || strlen(n) > 100)
        return 0;
    for (i = 0; n[i]; i++)
        if (!isalnum((unsigned char) n[i]) && strchr(" ._-", n[i]) == NULL)
            return 0;
    return 1;
}

static int
show_form(lw_req *r, const kind *k, json_object *stored, long long id, int typed)
{
    int i;

    form_hdf(r, k, stored, typed);
    for (i = 0; i < (int) LW_ARRAY_LEN(kinds); i++) {
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Kinds.%d.type", i), kinds[i].type);
        lw_hdf_set(&r->page, lw_pool_printf(r->pool, "Kinds.%d.label", i), kinds[i].label);
    }
    lw_hdf_set_int(&r->page, "Form.id", id);
    lw_hdf_set(&r->page, "Form.action", id > 0 ? lw_pool_printf(r->pool, "/channels/%lld/edit", id)
                                               : lw_pool_printf(r->pool, "/channels/new?type=%s", k->type));
    lw_hdf_set(&r->page, "Page.title", id > 0 ? "Edit channel" : "New channel");
    r->template = "channel_form";
    return LW_OK;
}

/* GET shows the form; POST saves it (a 422 with the form again on errors). */
static int
channel_form(lw_req *r, long long id)
{
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    lw_db *db = lw_req_db(r);
    json_object *stored = NULL;
    const char *type = lw_req_query(r, "type"), *name, *settings;
    lw_db_channel_def def;
    const kind *k;
    PGresult *res;
    long long new_id = 0;
    int errors = 0, rc;

    if (db == NULL)
        return LW_EDB;
    if (id > 0) {
        res = lw_req_keep(r, lw_db_channel_edit_get(db, &r->err, id));
        if (res == NULL)
            return LW_EDB;
        if (PQntuples(res) == 0)
            return LW_ENOTFOUND;
        if (strcmp(lw_db_str(res, 0, 6), "config") == 0)
            return lw_req_error(r, 409, "This channel comes from monitoring_config.yaml: change it "
                                        "there (a change here would be overwritten).");
        type = lw_db_str(res, 0, 2);
        stored = json_tokener_parse(lw_db_str(res, 0, 3));
        if (stored != NULL)
            lw_pool_cleanup_add(r->pool, put_json, stored);
        lw_hdf_set(&r->page, "Form.name", lw_db_str(res, 0, 1));
        lw_hdf_set_int(&r->page, "Form.enabled", lw_db_bool(res, 0, 5));
    } else {
        lw_hdf_set_int(&r->page, "Form.enabled", 1);
    }
    if ((k = kind_of(type ? type : "webhook")) == NULL)
        return lw_req_error(r, 400, "Unknown channel type: webhook, slack, email, pagerduty, sms or "
                                    "alertmanager.");
    if (strcmp(r->method, "POST") != 0)
        return show_form(r, k, stored, id, 0);

    name = trimmed(r, lw_req_form(r, "name"));
    lw_hdf_set(&r->page, "Form.name", name);
    lw_hdf_set_int(&r->page, "Form.enabled", lw_req_form(r, "enabled") != NULL);
    if (!name_ok(name)) {
        lw_hdf_set(&r->page, "Form.name_error", "A name of at most 100 letters, digits, spaces, "
                                                ". _ or -.");
        errors++;
    }
    rc = read_settings(r, k, stored, &settings, &errors);
    if (rc != LW_OK)
        return rc;
    if (errors > 0) {
        r->status = 422;
        return show_form(r, k, stored, id, 1);
    }
    def.name = name;
    def.type = k->type;
    def.settings_json = settings;
    def.severities = "{}";
    def.enabled = lw_req_form(r, "enabled") != NULL;
    rc = lw_db_channel_edit_save(db, &r->err, &who, id, &def, &new_id);
    if (rc == LW_ECONFLICT) {
        lw_hdf_set(&r->page, "Form.name_error", "A channel with this name exists already.");
        r->status = 422;
        return show_form(r, k, stored, id, 1);
    }
    if (rc != LW_OK)
        return rc;
    return lw_req_redirect(r, lw_pool_printf(r->pool, "/channels/%lld?saved=1", id > 0 ? id : new_id));
}

int
lw_page_channel_new(lw_req *r)
{
    return channel_form(r, 0);
}

int
lw_page_channel_edit(lw_req *r)
{
    return channel_form(r, lw_req_id(r));
}
