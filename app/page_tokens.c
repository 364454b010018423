/* page_tokens.c: "/admin/tokens": the API tokens (for scripts, Prometheus
 * and Grafana: Authorization: Bearer TOKEN), who holds each, its role (at
 * most its user's: the effective role follows a demoted user), when it was
 * last used; admins create one (shown once, here, never stored in clear)
 * and revoke one ("/admin/tokens/{id}/revoke"). */
#include "app.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db/tokens.h"
#include "view.h"

static const lw_view_flash_msg flash[] = {
    { "done", "revoked", "The token was revoked: it is refused from now on.", "ok" },
};

static int
list_tokens(lw_req *r)
{
    lw_db *db = lw_req_db(r);
    PGresult *res = db ? lw_db_tokens_list(db, &r->err) : NULL, *users;

    if (lw_view_list(r, res, "Tokens", "API tokens", "tokens") == NULL)
        return LW_EDB;
    users = lw_req_keep(r, lw_db_tokens_users(db, &r->err));
    if (users == NULL)
        return LW_EDB;
    lw_hdf_rows(&r->page, "Users", users);
    lw_hdf_set_int(&r->page, "Self.id", r->user.id);
    if (r->status == 200)
        lw_view_flash(r, flash, LW_ARRAY_LEN(flash));
    return LW_OK;
}

static int
form_error(lw_req *r, const char *message)
{
    lw_hdf_set(&r->page, "Flash.message", message);
    lw_hdf_set(&r->page, "Flash.kind", "error");
    lw_hdf_set(&r->page, "Form.name", lw_req_form(r, "name"));
    r->status = 422;
    return list_tokens(r);
}

static int
create_token(lw_req *r)
{
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    const char *name = lw_req_form(r, "name"), *role = lw_req_form(r, "role");
    char token[LW_TOKEN_LEN + 1];
    long long user_id = 0, id;
    lw_db *db;
    int rc;

    if (name == NULL || name[0] == '\0' || strlen(name) > 100)
        return form_error(r, "Give the token a name of at most 100 characters (what uses it).");
    if (lw_auth_role_parse(role) < 0)
        return form_error(r, "Choose a role: viewer, compliance, editor or admin.");
    rc = lw_req_param_id(r, "user", LW_REQ_ID_INT, &user_id);
    if (rc < 0)
        return rc;
    if (user_id == 0)
        user_id = r->user.id;
    if ((db = lw_req_db(r)) == NULL)
        return LW_EDB;
    if (lw_auth_token(token) != LW_OK)
        return LW_EIO;
    rc = lw_db_tokens_create(db, &r->err, &who, user_id, name, role, token, &id);
    if (rc == LW_ENOTFOUND) {
        explicit_bzero(token, sizeof(token));
        return form_error(r, "That user is disabled, unknown, or has a lower role than the token's: "
                             "a token never has more rights than its user.");
    }
    if (rc != LW_OK) {
        explicit_bzero(token, sizeof(token));
        return rc;
    }
    /* shown once, in this answer only (no redirect could carry it) */
    lw_hdf_set(&r->page, "Created.name", name);
    lw_hdf_set(&r->page, "Created.role", role);
    lw_hdf_set(&r->page, "Created.token", token);
    explicit_bzero(token, sizeof(token));
    return list_tokens(r);
}

int
lw_page_tokens(lw_req *r)
{
    if (strcmp(r->method, "POST") == 0)
        return create_token(r);
    return list_tokens(r);
}

int
lw_page_token_revoke(lw_req *r)
{
    lw_db_audit_who who = { r->user.id, r->user.email, r->remote_addr };
    lw_db *db = lw_req_db(r);
    int rc;

    if (db == NULL)
        return LW_EDB;
    rc = lw_db_tokens_revoke(db, &r->err, &who, lw_req_id(r));
    return lw_view_changed(r, rc, 404, "There is no live token with that id.",
                           "/admin/tokens?done=revoked");
}
