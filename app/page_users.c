/* page_users.c: "/admin/users": the users, and (POST) creating one with a
 * generated password that is shown once, here, and never stored in clear;
 * "/admin/users/{id}" (POST action=disable|enable|role|reset|password):
 * what admins change about a user, each audited, never leaving the
 * installation without an enabled admin. */
#include "app.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db/topics.h"
#include "view.h"

#define GENERATED_LEN 20

/* Plausible address: one '@' with text on both sides, no spaces or
 * control characters, at most 254 bytes. The domain may be a bare host
 * name: the CLI and the first admin use name@localhost. */
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
    return at != NULL && at > e && at[1] != '\0' && strchr(at + 1, '@') == NULL
        && at[1] != '.' && e[i - 1] != '.' && strstr(at, "..") == NULL;
}

/* the answers of changes that redirect here */
static const lw_view_flash_msg flash[] = {
    { "done", "disable", "The user was disabled: their sessions are closed.", "ok" },
    { "done", "enable", "The user was enabled again.", "ok" },
    { "done", "role", "The role was changed; it applies at once.", "ok" },
    { "done", "password", "The password was changed: their sessions are closed.", "ok" },
};

static int
list_users(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res = db ? lw_db_users_list(db, &r->err) : NULL;
    char name[32];
    int i;

    if (lw_view_list(r, res, "Users", "Users", "users") == NULL)
        return LW_EDB;
    lw_hdf_set_int(&r->page, "Policy.min", LW_PASSWORD_MIN);
    for (i = LW_ROLE_VIEWER; i <= LW_ROLE_ADMIN; i++) {
        snprintf(name, sizeof(name), "Roles.%d", i);
        lw_hdf_set(&r->page, name, lw_auth_role_name(i));
    }
    lw_hdf_set_int(&r->page, "Self.id", r->user.id);
    if (r->status == 200)
        lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    return LW_OK;
}

/* The list again with an error about the change of a user. */
static int
change_refused(lw_req *r, int status, const char *message)
{
    r->status = status;
    lw_hdf_set(&r->page, "Flash.message", message);
    lw_hdf_set(&r->page, "Flash.kind", "error");
    return list_users(r);
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

/* Why a change did nothing (LW_ENOTFOUND from lib/db): an unknown user is
 * a 404, the last enabled admin a 409, anything else (no change) fine. */
static int
not_changed(lw_req *r, lw_db *db, const char *what, int removes_admin)
{
    PGresult *u = lw_req_keep(r, lw_db_users_get(db, &r->err, lw_req_id(r)));

    if (u == NULL)
        return LW_EDB;
    if (PQntuples(u) == 0)
        return lw_req_error(r, 404, "There is no user with that id.");
    if (removes_admin && lw_streq(lw_db_str(u, 0, 2), "admin") && !lw_db_bool(u, 0, 3)
        && lw_db_int(u, 0, 4) <= 1)
        return change_refused(r, 409, "This is the last active admin: make another user an admin "
                                      "first, then change this one.");
    return lw_req_redirect(r, lw_pool_printf(r->pool, "/admin/users?done=%s", what));
}

/* A new password for the user: generated (shown once, in this answer), or
 * the one typed, under the password policy. */
static int
change_password(lw_req *r, lw_db *db, const lw_db_audit_who *who, int generate)
{
    char password[LW_PASSWORD_MAX + 1], hash[LW_HASH_MAX], why[200];
    const char *typed = lw_req_form(r, "password");
    PGresult *u = lw_req_keep(r, lw_db_users_get(db, &r->err, lw_req_id(r)));
    int rc;

    if (u == NULL)
        return LW_EDB;
    if (PQntuples(u) == 0)
        return lw_req_error(r, 404, "There is no user with that id.");
    if (generate) {
        if (lw_auth_generate_password(password, sizeof(password), GENERATED_LEN) != LW_OK)
            return LW_EIO;
    } else {
        if (lw_auth_password_check(typed, lw_db_str(u, 0, 1), why, sizeof(why)) != LW_OK)
            return change_refused(r, 422, why);
        lw_strlcpy(password, typed, sizeof(password));
    }
    rc = lw_auth_hash_password(password, hash, sizeof(hash), &r->err);
    if (rc == LW_OK)
        rc = lw_db_users_set_hash(db, &r->err, who, lw_req_id(r), hash,
                                  generate ? "reset_password" : "set_password");
    if (rc != LW_OK || !generate) {
        explicit_bzero(password, sizeof(password));
        return rc != LW_OK ? rc : lw_req_redirect(r, "/admin/users?done=password");
    }
    /* shown once, in this answer only (no redirect could carry it) */
    lw_hdf_set(&r->page, "Reset.email", lw_db_str(u, 0, 1));
    lw_hdf_set(&r->page, "Reset.password", password);
    explicit_bzero(password, sizeof(password));
    return list_users(r);
}

int
lw_page_user_change(lw_req *r)
{
    const char *action = lw_req_form(r, "action"), *role = lw_req_form(r, "role");
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    lw_db *db = lw_req_db(r);
    int rc;

    if (db == NULL)
        return LW_EDB;
    if (lw_streq(action, "disable") || lw_streq(action, "enable")) {
        rc = lw_db_users_set_disabled(db, &r->err, &who, lw_req_id(r), lw_streq(action, "disable"));
    } else if (lw_streq(action, "role")) {
        if (lw_auth_role_parse(role) < 0)
            return change_refused(r, 422, "Choose a role: viewer, compliance, editor or admin.");
        rc = lw_db_users_set_role(db, &r->err, &who, lw_req_id(r), role);
    } else if (lw_streq(action, "reset") || lw_streq(action, "password")) {
        return change_password(r, db, &who, lw_streq(action, "reset"));
    } else {
        return lw_req_error(r, 400, "Unknown action: disable, enable, role, reset or password.");
    }
    if (rc == LW_ENOTFOUND)
        return not_changed(r, db, action,
                           lw_streq(action, "disable") || (role && !lw_streq(role, "admin")));
    if (rc != LW_OK)
        return rc;
    return lw_req_redirect(r, lw_pool_printf(r->pool, "/admin/users?done=%s", action));
}

int
lw_page_users(lw_req *r)
{
    if (strcmp(r->method, "POST") == 0)
        return create_user(r);
    return list_users(r);
}
