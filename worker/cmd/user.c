/* user.c: `llmwatch user add|list|set-password|disable|token`: the
 * accounts of the web interface, managed from the shell. Every change is
 * audit-logged with actor "cli". */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "cmd/cmd.h"
#include "db/db.h"
#include "db/topics.h"
#include "lw.h"

#define GENERATED_LEN 20

struct opts {
    const char *email, *role, *name;
    int generate;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;
    const char **const fields[] = { &o->email, &o->role, &o->name };

    (void) cli;
    if (!lw_cli_keep(ch, arg, "ern", fields))
        o->generate = 1;
    return 0;
}

/* The password to set for email: from stdin (first line), checked
 * against the policy the web applies too, or generated. *generated tells
 * the caller to print it. LW_OK or LW_EINVAL with a message. */
static int
get_password(int force_generate, const char *email, char *out, size_t outsz, int *generated)
{
    char *line = NULL, why[200];
    size_t cap = 0;
    ssize_t n;

    *generated = 0;
    if (!force_generate && !isatty(STDIN_FILENO)) {
        n = getline(&line, &cap, stdin);
        if (n >= 0) {
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
            if ((size_t) n >= outsz
                || lw_auth_password_check(line, email, why, sizeof(why)) != LW_OK) {
                fprintf(stderr, "llmwatch user: the password on standard input is refused: %s "
                                "(or use --generate)\n",
                        (size_t) n >= outsz ? "it is too long." : why);
                explicit_bzero(line, cap);
                free(line);
                return LW_EINVAL;
            }
            memcpy(out, line, (size_t) n + 1);
            explicit_bzero(line, cap);
            free(line);
            return LW_OK;
        }
        free(line);     /* empty input (</dev/null): generate one */
    }
    if (lw_auth_generate_password(out, outsz, GENERATED_LEN) != LW_OK) {
        fprintf(stderr, "llmwatch user: no random bytes to generate a password\n");
        return LW_EIO;
    }
    *generated = 1;
    return LW_OK;
}

static char *
audit_json(const char *k1, const char *v1, const char *k2, const char *v2)
{
    json_object *o = json_object_new_object();
    char *s;

    json_object_object_add(o, k1, json_object_new_string(v1));
    if (k2 != NULL)
        json_object_object_add(o, k2, json_object_new_string(v2));
    s = lw_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return s;
}

static int
cmd_add(lw_db *db, struct opts *o)
{
    char password[LW_PASSWORD_MAX + 1], hash[LW_HASH_MAX], id[32];
    char *after = NULL;
    lw_err err = { { 0 } };
    long long uid;
    int generated, rc;

    if (o->email == NULL || o->role == NULL || strchr(o->email, '@') == NULL) {
        fprintf(stderr, "llmwatch user add: --email ADDRESS and --role ROLE are required\n");
        return 2;
    }
    if (lw_auth_role_parse(o->role) < 0) {
        fprintf(stderr, "llmwatch user add: unknown role '%s' (viewer, compliance, editor, admin)\n",
                o->role);
        return 2;
    }
    if (get_password(o->generate, o->email, password, sizeof(password), &generated) != LW_OK)
        return 1;
    rc = lw_auth_hash_password(password, hash, sizeof(hash), &err);
    if (rc == LW_OK)
        rc = lw_db_begin(db, &err);
    if (rc == LW_OK)
        rc = lw_db_users_create(db, &err, o->email, o->role, hash, &uid);
    if (rc == LW_ECONFLICT) {
        lw_db_rollback(db);
        fprintf(stderr, "llmwatch user add: a user with email %s already exists\n", o->email);
        goto cleanup;
    }
    if (rc == LW_OK) {
        snprintf(id, sizeof(id), "%lld", uid);
        after = audit_json("email", o->email, "role", o->role);
        rc = lw_db_audit_add(db, &err, 0, "cli", "create", "user", id, NULL, after, NULL);
    }
    if (rc == LW_OK)
        rc = lw_db_commit(db, &err);
    if (rc != LW_OK) {
        lw_db_rollback(db);
        fprintf(stderr, "llmwatch user add: %s\n", err.msg);
        goto cleanup;
    }
    printf("created user %s (role %s, id %lld)\n", o->email, o->role, uid);
    if (generated)
        printf("password: %s\n(shown only this once)\n", password);
cleanup:
    explicit_bzero(password, sizeof(password));
    free(after);
    return rc == LW_OK ? 0 : 1;
}

static int
cmd_list(lw_db *db)
{
    lw_err err = { { 0 } };
    PGresult *res = lw_db_users_list(db, &err);
    int i;

    if (res == NULL) {
        fprintf(stderr, "llmwatch user list: %s\n", err.msg);
        return 1;
    }
    printf("%-5s %-40s %-11s %-9s %s\n", "ID", "EMAIL", "ROLE", "STATUS", "LAST LOGIN");
    for (i = 0; i < PQntuples(res); i++)
        printf("%-5s %-40s %-11s %-9s %s\n", lw_db_str(res, i, 0), lw_db_str(res, i, 1),
               lw_db_str(res, i, 2), lw_db_bool(res, i, 3) ? "disabled" : "active",
               lw_db_isnull(res, i, 5) ? "never" : lw_db_str(res, i, 5));
    if (PQntuples(res) == 0)
        printf("(no users: create one with llmwatch user add --email E --role admin)\n");
    PQclear(res);
    return 0;
}

/* set-password and disable: one UPDATE and its audit row. */
static int
cmd_change(lw_db *db, struct opts *o, int disable)
{
    const char *what = disable ? "disable" : "set-password";
    char password[LW_PASSWORD_MAX + 1], hash[LW_HASH_MAX];
    char *after = NULL;
    lw_err err = { { 0 } };
    int generated = 0, rc, n;

    if (o->email == NULL) {
        fprintf(stderr, "llmwatch user %s: --email ADDRESS is required\n", what);
        return 2;
    }
    if (!disable) {
        if (get_password(o->generate, o->email, password, sizeof(password), &generated) != LW_OK)
            return 1;
        if (lw_auth_hash_password(password, hash, sizeof(hash), &err) != LW_OK) {
            fprintf(stderr, "llmwatch user %s: %s\n", what, err.msg);
            return 1;
        }
    }
    rc = lw_db_begin(db, &err);
    n = 0;
    if (rc == LW_OK) {
        n = disable ? lw_db_users_disable(db, &err, o->email)
                    : lw_db_users_set_password(db, &err, o->email, hash);
        rc = n < 0 ? LW_EDB : LW_OK;
    }
    if (rc == LW_OK && n == 0) {
        lw_db_rollback(db);
        fprintf(stderr, "llmwatch user %s: no user with email %s\n", what, o->email);
        rc = LW_ENOTFOUND;
        goto cleanup;
    }
    if (rc == LW_OK) {
        after = disable ? audit_json("disabled", "true", NULL, NULL)
                        : audit_json("password", "changed", NULL, NULL);
        rc = lw_db_audit_add(db, &err, 0, "cli", disable ? "disable" : "set_password", "user",
                          o->email, NULL, after, NULL);
    }
    if (rc == LW_OK)
        rc = lw_db_commit(db, &err);
    if (rc != LW_OK) {
        lw_db_rollback(db);
        fprintf(stderr, "llmwatch user %s: %s\n", what, err.msg);
        goto cleanup;
    }
    if (disable)
        printf("disabled user %s (their sessions are closed)\n", o->email);
    else
        printf("password of %s changed (their sessions are closed)\n", o->email);
    if (generated)
        printf("password: %s\n(shown only this once)\n", password);
cleanup:
    if (!disable)
        explicit_bzero(password, sizeof(password));
    free(after);
    return rc == LW_OK ? 0 : 1;
}

/* An API token for scripts and Prometheus (Authorization: Bearer ...). */
static int
cmd_token(lw_db *db, struct opts *o)
{
    char token[LW_TOKEN_LEN + 1], id[32];
    char *after = NULL;
    const char *name = o->name ? o->name : "cli";
    const char *role;
    lw_err err = { { 0 } };
    PGresult *u;
    long long tid;
    int rc;

    if (o->email == NULL) {
        fprintf(stderr, "llmwatch user token: --email ADDRESS is required\n");
        return 2;
    }
    u = lw_db_users_by_email(db, &err, o->email);
    if (u == NULL) {
        fprintf(stderr, "llmwatch user token: %s\n", err.msg);
        return 1;
    }
    if (PQntuples(u) != 1 || lw_db_bool(u, 0, 4)) {
        fprintf(stderr, "llmwatch user token: no enabled user with email %s\n", o->email);
        PQclear(u);
        return 1;
    }
    role = o->role ? o->role : lw_db_str(u, 0, 2);
    if (lw_auth_role_parse(role) < 0
        || !lw_auth_role_allows(lw_auth_role_parse(lw_db_str(u, 0, 2)), lw_auth_role_parse(role))) {
        fprintf(stderr, "llmwatch user token: role '%s' is unknown or above the user's\n", role);
        PQclear(u);
        return 2;
    }
    rc = lw_auth_token(token) == LW_OK ? lw_db_begin(db, &err) : LW_EIO;
    if (rc == LW_OK)
        rc = lw_db_users_api_token_create(db, &err, lw_db_int(u, 0, 0), name, role, token, &tid);
    if (rc == LW_OK) {
        snprintf(id, sizeof(id), "%lld", tid);
        after = audit_json("name", name, "role", role);
        rc = lw_db_audit_add(db, &err, lw_db_int(u, 0, 0), "cli", "create", "api_token", id, NULL,
                          after, NULL);
    }
    if (rc == LW_OK)
        rc = lw_db_commit(db, &err);
    if (rc != LW_OK) {
        lw_db_rollback(db);
        fprintf(stderr, "llmwatch user token: %s\n", err.msg[0] ? err.msg : "failed");
    } else {
        printf("token %s for %s (role %s):\n%s\n(shown only this once; send it as "
               "Authorization: Bearer <token>)\n", name, o->email, role, token);
    }
    explicit_bzero(token, sizeof(token));
    free(after);
    PQclear(u);
    return rc == LW_OK ? 0 : 1;
}

int
lw_cmd_user(lw_cli *cli)
{
    static const char opts[] = "email:e role:r name:n generate/g";
    static const char *const subs[] = { "add", "list", "set-password", "disable", "token" };
    const char *sub;
    struct opts o;
    lw_db *db;
    size_t i;
    int rc;

    if ((sub = lw_cli_subcommand(cli)) == NULL)
        return lw_cli_no_subcommand(cli);
    for (i = 0; i < LW_ARRAY_LEN(subs) && strcmp(sub, subs[i]) != 0; i++)
        ;
    if (i == LW_ARRAY_LEN(subs)) {
        fprintf(stderr, "llmwatch user: unknown subcommand '%s'\n", sub);
        return lw_cli_usage(cli, stderr, 0);
    }
    memset(&o, 0, sizeof(o));
    if ((rc = lw_cli_parse_db(cli, opts, on_opt, &o, &db)) != LW_CLI_GO)
        return rc;
    if (strcmp(sub, "add") == 0)
        return cmd_add(db, &o);
    if (strcmp(sub, "list") == 0)
        return cmd_list(db);
    if (strcmp(sub, "token") == 0)
        return cmd_token(db, &o);
    return cmd_change(db, &o, strcmp(sub, "disable") == 0);
}
