/* page_users.c: "/admin/users": the users, and (POST) creating one with a
 * generated password that is shown once, here, and never stored in clear. */
#include "app.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db/topics.h"
#include "view.h"

#define GENERATED_LEN 20

/* Plausible address: one '@' with text on both sides, a dot in the
 * domain, no spaces or control characters, at most 254 bytes. */
static int
email_ok(const char *e)
{
    const char *at;
    size_t i;

    if (e == NULL || strlen(e) > 254)
        return 0;
    for (i = 0; e[i]; i++)
        if ((unsigned char) e[i] <= ' ' || e[i] == 0x7f)
            return 0;
    at = strchr(e, '@');
    return at != NULL && at > e && strchr(at + 1, '@') == NULL
        && strchr(at + 1, '.') != NULL && at[1] != '.' && e[i - 1] != '.';
}

static int
list_users(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res = db ? lw_db_users_list(db, &r->err) : NULL;

    return lw_view_list(r, res, "Users", "Users", "users") ? LW_OK : LW_EDB;
}

static int
form_error(lw_req *r, const char *field, const char *message)
{
    char name[64];

    snprintf(name, sizeof(name), "Form.%s_error", field);
    lw_hdf_set(&r->page, name, message);
    lw_hdf_set(&r->page, "Form.email", lw_req_form(r, "email"));
    lw_hdf_set(&r->page, "Form.role", lw_req_form(r, "role"));
    r->status = 422;
    return list_users(r);
}

static int
create_user(lw_req *r)
{
    const char *email = lw_req_form(r, "email");
    const char *role = lw_req_form(r, "role");
    char password[GENERATED_LEN + 1], hash[LW_HASH_MAX], id[32];
    json_object *after;
    long long uid;
    lw_db *db;
    int rc;

    if (!email_ok(email))
        return form_error(r, "email", "Enter a valid email address.");
    if (lw_auth_role_parse(role) < 0)
        return form_error(r, "role", "Choose a role.");
    if ((db = lw_req_db(r)) == NULL)
        return LW_EDB;
    if (lw_auth_generate_password(password, sizeof(password), GENERATED_LEN) != LW_OK
        || lw_auth_hash_password(password, hash, sizeof(hash), &r->err) != LW_OK)
        return LW_EIO;
    if (lw_db_begin(db, &r->err) != LW_OK)
        return LW_EDB;
    rc = lw_db_users_create(db, &r->err, email, role, hash, &uid);
    if (rc == LW_ECONFLICT) {
        lw_db_rollback(db);
        return form_error(r, "email", "A user with this email already exists.");
    }
    if (rc != LW_OK)
        return LW_EDB;
    after = json_object_new_object();
    json_object_object_add(after, "email", json_object_new_string(email));
    json_object_object_add(after, "role", json_object_new_string(role));
    snprintf(id, sizeof(id), "%lld", uid);
    rc = lw_db_audit_add(db, &r->err, r->user.id, r->user.email, "create", "user", id, NULL,
                      json_object_to_json_string_ext(after, JSON_C_TO_STRING_PLAIN),
                      r->remote_addr);
    json_object_put(after);
    if (rc != LW_OK || lw_db_commit(db, &r->err) != LW_OK)
        return LW_EDB;
    /* shown once, in this answer only (no redirect could carry it) */
    lw_hdf_set(&r->page, "Created.email", email);
    lw_hdf_set(&r->page, "Created.role", role);
    lw_hdf_set(&r->page, "Created.password", password);
    explicit_bzero(password, sizeof(password));
    return list_users(r);
}

int
lw_page_users(lw_req *r)
{
    if (strcmp(r->method, "POST") == 0)
        return create_user(r);
    return list_users(r);
}
