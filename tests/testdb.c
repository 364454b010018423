/* testdb.c: private test databases for the Check suites (see testdb.h). */
#include "testdb.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* conninfo of `url` with another dbname; quoted key='value' pairs */
static int
url_for_db(const char *url, const char *dbname, char *buf, size_t size)
{
    PQconninfoOption *opts = PQconninfoParse(url, NULL), *o;
    lw_buf b = { 0 };
    const char *v;

    if (opts == NULL)
        return -1;
    for (o = opts; o->keyword != NULL; o++) {
        v = strcmp(o->keyword, "dbname") == 0 ? dbname : o->val;
        if (v == NULL || *v == '\0')
            continue;
        lw_buf_printf(&b, "%s%s='", b.len ? " " : "", o->keyword);
        for (; *v; v++) {
            if (*v == '\'' || *v == '\\')
                lw_buf_putc(&b, '\\');
            lw_buf_putc(&b, *v);
        }
        lw_buf_putc(&b, '\'');
    }
    if (strstr(b.data ? b.data : "", "dbname=") == NULL)
        lw_buf_printf(&b, " dbname='%s'", dbname);
    PQconninfoFree(opts);
    lw_strlcpy(buf, b.data ? b.data : "", size);
    lw_buf_free(&b);
    return 0;
}

void
lw_testdb_setup(lw_testdb *t, const char *tag)
{
    const char *url = getenv("LW_TEST_DATABASE_URL");
    lw_err err = { { 0 } };
    char *name = NULL;
    lw_db *db;
    int created, applied;

    memset(t, 0, sizeof(*t));
    lw_strlcpy(t->tag, tag, sizeof(t->tag));
    if (url == NULL || *url == '\0') {
        snprintf(t->why, sizeof(t->why), "LW_TEST_DATABASE_URL is not set");
        return;
    }
    snprintf(t->name, sizeof(t->name), "llmwatch_%s_%d", tag, (int) getpid());
    if (url_for_db(url, t->name, t->url, sizeof(t->url)) != 0
        || url_for_db(url, "postgres", t->admin_url, sizeof(t->admin_url)) != 0) {
        snprintf(t->why, sizeof(t->why), "cannot parse LW_TEST_DATABASE_URL");
        t->url[0] = '\0';
        return;
    }
    if (lw_db_ensure_database(t->url, &created, &name, &err) != LW_OK) {
        snprintf(t->why, sizeof(t->why), "create database: %s", err.msg);
        t->url[0] = '\0';
        free(name);
        return;
    }
    free(name);
    db = lw_db_connect(t->url, tag, &err);
    if (db == NULL || lw_db_migrate(db, &err, "sql", &applied) != LW_OK) {
        snprintf(t->why, sizeof(t->why), "migrate: %s", err.msg);
        t->url[0] = '\0';
    }
    lw_db_close(db);
}

void
lw_testdb_teardown(lw_testdb *t)
{
    lw_err err = { { 0 } };
    const char *p[1] = { t->name };
    PGresult *res;
    lw_db *db;

    if (t->url[0] == '\0')
        return;
    db = lw_db_connect(t->admin_url, t->tag, &err);
    if (db == NULL)
        return;
    /* a database name cannot be a parameter: quote it in SQL, then run it */
    res = lw_db_query(db, &err, "SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', $1::text)",
                      1, p);
    if (res != NULL)
        lw_db_exec(db, &err, lw_db_str(res, 0, 0), 0, NULL);
    PQclear(res);
    lw_db_close(db);
}

lw_db *
lw_testdb_connect(lw_testdb *t)
{
    lw_err err = { { 0 } };
    lw_db *db;

    /* a database test that cannot get its database fails: PostgreSQL is
     * part of what `make deps` installs, so it is never "absent" */
    ck_assert_msg(t->url[0] != '\0', "%s: no test database: %s", t->tag, t->why);
    db = lw_db_connect(t->url, t->tag, &err);
    ck_assert_msg(db != NULL, "%s", err.msg);
    return db;
}

void
lw_testdb_exec(lw_db *db, const char *sql)
{
    lw_err err = { { 0 } };

    ck_assert_msg(lw_db_exec(db, &err, sql, 0, NULL) >= 0, "%s: %s", sql, err.msg);
}
