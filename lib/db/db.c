/* db.c: PostgreSQL connection handling, parameterised queries, reconnects
 * and the migration runner. */
#include "db/db.h"
#include "db/sql.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statements with parameters are prepared on first use, per connection,
 * and executed by name afterwards: the planning a page's queries cost is
 * paid once per connection, not once per request. A statement is known by
 * its text (SQL is built from literals, so there are a few dozen); past
 * STMT_MAX of them the rest run unprepared. */
#define STMT_MAX 128

struct stmt {
    char    *sql;
    unsigned hash;
    int      nparams;
};

struct lw_db {
    PGconn     *conn;
    char       *url;
    char       *app_name;
    int         conflict;   /* last error was a unique violation */
    struct stmt stmts[STMT_MAX];
    int         nstmts;
    lw_db_observer observer;
    void       *observer_ud;
};

void
lw_db_observe(lw_db *db, lw_db_observer fn, void *ud)
{
    db->observer = fn;
    db->observer_ud = ud;
}

/* the advisory lock key migrations hold: "lwmigr" */
#define MIGRATE_LOCK "7023117438289453"

const char *
lw_db_default_url(const char *explicit_url)
{
    const char *env;

    if (explicit_url != NULL && explicit_url[0] != '\0')
        return explicit_url;
    env = getenv("LLMWATCH_DATABASE_URL");
    if (env != NULL && env[0] != '\0')
        return env;
    return "postgresql:///llmwatch";
}

static void
quiet_notice(void *arg, const char *message)
{
    (void) arg;
    (void) message;   /* NOTICEs (e.g. "relation exists, skipping") are noise */
}

/* The message of a failed connection, first line only. */
static void
conn_error(lw_err *err, PGconn *conn, const char *what)
{
    char msg[512];
    char *nl;

    lw_strlcpy(msg, conn ? PQerrorMessage(conn) : "out of memory", sizeof(msg));
    if ((nl = strchr(msg, '\n')) != NULL)
        *nl = '\0';
    lw_err_set(err, "%s: %s", what, msg);
}

static int
session_setup(lw_db *db, lw_err *err)
{
    PGresult *res;

    PQsetNoticeProcessor(db->conn, quiet_notice, NULL);
    res = PQexec(db->conn, "SET search_path = public; SET TIME ZONE 'UTC'; "
                           "SET statement_timeout = '60s'");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        lw_err_set(err, "database session setup: %s", PQresultErrorMessage(res));
        PQclear(res);
        return LW_EDB;
    }
    PQclear(res);
    return LW_OK;
}

lw_db *
lw_db_connect(const char *url, const char *app_name, lw_err *err)
{
    const char *keys[] = { "dbname", "application_name", "connect_timeout", NULL };
    const char *vals[] = { url, app_name ? app_name : "llmwatch", "5", NULL };
    lw_db *db;

    db = calloc(1, sizeof(*db));
    if (db == NULL) {
        lw_err_set(err, "out of memory");
        return NULL;
    }
    db->url = lw_strdup(url);
    db->app_name = lw_strdup(app_name ? app_name : "llmwatch");
    /* expand_dbname: the URL's own parameters win, ours fill the gaps */
    db->conn = PQconnectdbParams(keys, vals, 1);
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        conn_error(err, db->conn, "cannot connect to the database");
        lw_db_close(db);
        return NULL;
    }
    if (session_setup(db, err) != LW_OK) {
        lw_db_close(db);
        return NULL;
    }
    return db;
}

/* Prepared statements die with their session (a reset, a restart). */
static void
stmts_forget(lw_db *db)
{
    int i;

    for (i = 0; i < db->nstmts; i++)
        free(db->stmts[i].sql);
    db->nstmts = 0;
}

static unsigned
sql_hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * 16777619u;
    return h;
}

/* Whether sql is worth a prepared statement: one with parameters, or a
 * query without any (the job figures /metrics reads on every scrape were
 * parsed and planned each time: a third of the machine under load). Not
 * the rest (BEGIN, SET, LISTEN, a migration's script of several
 * statements), which are cheap to parse or cannot be prepared. */
static int
preparable(const char *sql, int nparams)
{
    return nparams > 0 || strncmp(sql, "SELECT ", 7) == 0 || strncmp(sql, "WITH ", 5) == 0;
}

/* The name of sql's prepared statement ("lw<N>"), preparing it the first
 * time; 0 when it cannot be (too many, or the server refused: then the
 * unprepared path reports the error). */
static int
stmt_name(lw_db *db, const char *sql, int nparams, char name[16])
{
    unsigned h = sql_hash(sql);
    PGresult *res;
    int i;

    for (i = 0; i < db->nstmts; i++)
        if (db->stmts[i].hash == h && db->stmts[i].nparams == nparams
            && strcmp(db->stmts[i].sql, sql) == 0) {
            snprintf(name, 16, "lw%d", i);
            return 1;
        }
    if (db->nstmts == STMT_MAX)
        return 0;
    snprintf(name, 16, "lw%d", db->nstmts);
    res = PQprepare(db->conn, name, sql, nparams, NULL);
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
        PQclear(res);
        return 0;
    }
    PQclear(res);
    db->stmts[db->nstmts].sql = strdup(sql);
    if (db->stmts[db->nstmts].sql == NULL) {
        /* the statement exists on the server under this name: keep the
         * slot taken so the name is not reused */
        return 0;
    }
    db->stmts[db->nstmts].hash = h;
    db->stmts[db->nstmts].nparams = nparams;
    db->nstmts++;
    return 1;
}

void
lw_db_close(lw_db *db)
{
    if (db == NULL)
        return;
    stmts_forget(db);
    if (db->conn)
        PQfinish(db->conn);
    free(db->url);
    free(db->app_name);
    free(db);
}

PGconn *
lw_db_conn(lw_db *db)
{
    return db->conn;
}

int
lw_db_copy_begin(lw_db *db, lw_err *err, const char *sql, ExecStatusType want, const char *what)
{
    PGresult *res = PQexec(db->conn, sql);
    int ok = PQresultStatus(res) == want;

    if (!ok) {
        lw_err_set(err, "%s: %s", what, res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
        err->msg[strcspn(err->msg, "\n")] = '\0';
    }
    PQclear(res);
    return ok ? LW_OK : LW_EDB;
}

int
lw_db_check(lw_db *db, lw_err *err)
{
    if (PQstatus(db->conn) == CONNECTION_OK)
        return LW_OK;
    stmts_forget(db);
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        conn_error(err, db->conn, "database unavailable");
        return LW_EDB;
    }
    /* with several hosts in the URL this may be another server: the one
     * target_session_attrs accepts now (a promoted standby) */
    lw_log(LW_LOG_INFO, "database connection re-established (%s%s%s)",
           PQhost(db->conn) ? PQhost(db->conn) : "", PQport(db->conn) ? ":" : "",
           PQport(db->conn) ? PQport(db->conn) : "");
    return session_setup(db, err);
}

static int
result_ok(PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);

    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static PGresult *query(lw_db *db, lw_err *err, const char *sql, int nparams,
                       const char *const *params);

PGresult *
lw_db_query(lw_db *db, lw_err *err, const char *sql, int nparams,
            const char *const *params)
{
    int64_t t0;
    PGresult *res;

    if (db->observer == NULL)
        return query(db, err, sql, nparams, params);
    t0 = lw_now_mono_us();
    res = query(db, err, sql, nparams, params);
    db->observer(db->observer_ud, sql, nparams, params, (double) (lw_now_mono_us() - t0) / 1000.0);
    return res;
}

static PGresult *
query(lw_db *db, lw_err *err, const char *sql, int nparams, const char *const *params)
{
    PGresult *res;
    const char *state;
    char name[16];
    int tries, idle;

    db->conflict = 0;
    for (tries = 0; tries < 2; tries++) {
        if (lw_db_check(db, err) != LW_OK)
            return NULL;
        /* once the connection is lost its transaction status is unknown:
         * whether a retry is safe is known only from before */
        idle = PQtransactionStatus(db->conn) == PQTRANS_IDLE;
        /* inside a failed transaction a PREPARE fails too: run it as is */
        if (preparable(sql, nparams) && PQtransactionStatus(db->conn) != PQTRANS_INERROR
            && stmt_name(db, sql, nparams, name))
            res = PQexecPrepared(db->conn, name, nparams, params, NULL, NULL, 0);
        else
            res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
        if (res != NULL && result_ok(res))
            return res;
        /* A connection that died under us (server restart, failover) is
         * retried once, but only for a statement that ran outside a
         * transaction: inside one the work is lost and the caller must
         * start again (a COMMIT retried on a new connection would report
         * success for a transaction that never committed). */
        if (PQstatus(db->conn) != CONNECTION_OK && tries == 0 && idle) {
            PQclear(res);
            continue;
        }
        state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        /* "cached plan must not change result type": a migration changed
         * a table under a prepared statement; prepare them all anew */
        if (state != NULL && strcmp(state, "0A000") == 0 && tries == 0
            && PQtransactionStatus(db->conn) == PQTRANS_IDLE) {
            PQclear(res);
            PQclear(PQexec(db->conn, "DEALLOCATE ALL"));
            stmts_forget(db);
            continue;
        }
        db->conflict = state != NULL && strcmp(state, "23505") == 0;
        lw_err_set(err, "database: %s",
                   res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
        /* strip the trailing newline libpq leaves */
        err->msg[strcspn(err->msg, "\n")] = '\0';
        PQclear(res);
        return NULL;
    }
    return NULL;
}

int
lw_db_exec(lw_db *db, lw_err *err, const char *sql, int nparams,
           const char *const *params)
{
    PGresult *res = lw_db_query(db, err, sql, nparams, params);
    const char *n;
    int rows;

    if (res == NULL)
        return db->conflict ? LW_ECONFLICT : LW_EDB;
    n = PQcmdTuples(res);
    rows = (n && *n) ? atoi(n) : 0;
    PQclear(res);
    return rows;
}

int
lw_db_run(lw_db *db, lw_err *err, const char *sql, int nparams, const char *const *params)
{
    return lw_db_exec(db, err, sql, nparams, params) < 0 ? LW_EDB : LW_OK;
}

int
lw_db_last_was_conflict(lw_db *db)
{
    return db->conflict;
}

int
lw_db_begin(lw_db *db, lw_err *err)
{
    /* a transaction left open by an earlier failure is ended first */
    if (PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        lw_db_rollback(db);
    return lw_db_run(db, err, "BEGIN", 0, NULL);
}

int
lw_db_commit(lw_db *db, lw_err *err)
{
    return lw_db_run(db, err, "COMMIT", 0, NULL);
}

void
lw_db_rollback(lw_db *db)
{
    PGresult *res;

    if (PQstatus(db->conn) != CONNECTION_OK)
        return;
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
        return;
    res = PQexec(db->conn, "ROLLBACK");
    PQclear(res);
}

const char *
lw_db_str(const PGresult *res, int row, int col)
{
    if (res == NULL || row >= PQntuples(res) || col >= PQnfields(res)
        || PQgetisnull(res, row, col))
        return NULL;
    return PQgetvalue(res, row, col);
}

long long
lw_db_int(const PGresult *res, int row, int col)
{
    const char *s = lw_db_str(res, row, col);

    return s ? strtoll(s, NULL, 10) : 0;
}

double
lw_db_double(const PGresult *res, int row, int col)
{
    const char *s = lw_db_str(res, row, col);

    return s ? strtod(s, NULL) : 0.0;
}

int
lw_db_bool(const PGresult *res, int row, int col)
{
    const char *s = lw_db_str(res, row, col);

    return s != NULL && s[0] == 't';
}

int
lw_db_isnull(const PGresult *res, int row, int col)
{
    return lw_db_str(res, row, col) == NULL;
}

/* Migration files are "NNN_name.sql"; only those are considered. */
static int
migration_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return n > 8 && d->d_name[0] >= '0' && d->d_name[0] <= '9'
        && d->d_name[1] >= '0' && d->d_name[1] <= '9'
        && d->d_name[2] >= '0' && d->d_name[2] <= '9'
        && d->d_name[3] == '_' && strcmp(d->d_name + n - 4, ".sql") == 0;
}

int
lw_db_migrate(lw_db *db, lw_err *err, const char *sqldir, int *applied)
{
    struct dirent **names = NULL;
    PGresult *res = NULL;
    char path[4096], version[8];
    lw_buf sql = { 0 };
    const char *params[2];
    int i, n, rc = LW_EDB;

    *applied = 0;
    n = scandir(sqldir, &names, migration_filter, alphasort);
    if (n < 0) {
        lw_err_set(err, "cannot read migrations in %s: %s", sqldir, strerror(errno));
        return LW_EIO;
    }
    if (lw_db_exec(db, err, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", 0, NULL) < 0)
        goto cleanup;
    if (lw_db_exec(db, err,
                   "CREATE TABLE IF NOT EXISTS schema_migrations ("
                   " version integer PRIMARY KEY, name text NOT NULL,"
                   " applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL) < 0)
        goto unlock;
    for (i = 0; i < n; i++) {
        memcpy(version, names[i]->d_name, 3);
        version[3] = '\0';
        params[0] = version;
        res = lw_db_query(db, err, "SELECT 1 FROM schema_migrations WHERE version = $1::int",
                          1, params);
        if (res == NULL)
            goto unlock;
        if (PQntuples(res) > 0) {
            PQclear(res);
            continue;
        }
        PQclear(res);
        snprintf(path, sizeof(path), "%s/%s", sqldir, names[i]->d_name);
        lw_buf_reset(&sql);
        if (lw_file_read(path, SIZE_MAX, &sql, err) != LW_OK)
            goto unlock;
        if (lw_db_begin(db, err) != LW_OK)
            goto unlock;
        /* a migration file holds many statements: simple-query protocol */
        res = PQexec(db->conn, sql.data);
        if (!result_ok(res)) {
            lw_err_set(err, "migration %s failed: %s", names[i]->d_name,
                       PQresultErrorMessage(res));
            err->msg[strcspn(err->msg, "\n")] = '\0';
            PQclear(res);
            lw_db_rollback(db);
            goto unlock;
        }
        PQclear(res);
        params[1] = names[i]->d_name;
        if (lw_db_exec(db, err, "INSERT INTO schema_migrations (version, name) VALUES ($1::int, $2)",
                       2, params) < 0
            || lw_db_commit(db, err) != LW_OK) {
            lw_db_rollback(db);
            goto unlock;
        }
        (*applied)++;
        lw_log(LW_LOG_DEBUG, "applied migration %s", names[i]->d_name);
    }
    rc = LW_OK;
unlock:
    lw_db_exec(db, NULL, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", 0, NULL);
cleanup:
    lw_buf_free(&sql);
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int
lw_db_ensure_database(const char *url, int *created, char **name, lw_err *err)
{
    PQconninfoOption *opts, *o;
    const char *keys[64], *vals[64];
    char *parse_err = NULL, *ident = NULL, sql[512];
    PGconn *conn = NULL;
    PGresult *res = NULL;
    const char *dbname = NULL;
    int n = 0, rc = LW_EDB;

    *created = 0;
    *name = NULL;
    opts = PQconninfoParse(url, &parse_err);
    if (opts == NULL) {
        lw_err_set(err, "bad database URL: %s", parse_err ? parse_err : "out of memory");
        PQfreemem(parse_err);
        return LW_EINVAL;
    }
    for (o = opts; o->keyword != NULL && n < 62; o++) {
        if (o->val == NULL || o->val[0] == '\0')
            continue;
        if (strcmp(o->keyword, "dbname") == 0) {
            dbname = o->val;
            continue;
        }
        keys[n] = o->keyword;
        vals[n++] = o->val;
    }
    if (dbname == NULL) {
        /* libpq's default: the user name */
        for (o = opts; o->keyword != NULL; o++)
            if (strcmp(o->keyword, "user") == 0 && o->val)
                dbname = o->val;
    }
    if (dbname == NULL)
        dbname = getenv("USER") ? getenv("USER") : "postgres";
    *name = lw_strdup(dbname);

    /* first try the database itself */
    conn = PQconnectdb(url);
    if (PQstatus(conn) == CONNECTION_OK) {
        rc = LW_OK;
        goto cleanup;
    }
    if (strstr(PQerrorMessage(conn), "does not exist") == NULL) {
        conn_error(err, conn, "cannot connect to the database");
        goto cleanup;
    }
    PQfinish(conn);
    keys[n] = "dbname";
    vals[n++] = "postgres";
    keys[n] = NULL;
    vals[n] = NULL;
    conn = PQconnectdbParams(keys, vals, 0);
    if (PQstatus(conn) != CONNECTION_OK) {
        conn_error(err, conn, "cannot connect to the server to create the database");
        goto cleanup;
    }
    ident = PQescapeIdentifier(conn, dbname, strlen(dbname));
    if (ident == NULL) {
        conn_error(err, conn, "bad database name");
        goto cleanup;
    }
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", ident);
    res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK
        && !lw_streq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42P04")) {
        lw_err_set(err, "cannot create database %s: %s", dbname, PQresultErrorMessage(res));
        err->msg[strcspn(err->msg, "\n")] = '\0';
        goto cleanup;
    }
    *created = PQresultStatus(res) == PGRES_COMMAND_OK;
    rc = LW_OK;
cleanup:
    PQclear(res);
    PQfreemem(ident);
    PQfinish(conn);
    PQconninfoFree(opts);
    return rc;
}

int
lw_db_text_array(lw_buf *b, const char *const *v, size_t n)
{
    const char *s;
    size_t i;

    if (lw_buf_putc(b, '{') != LW_OK)
        return LW_ENOMEM;
    for (i = 0; i < n; i++) {
        if (i > 0 && lw_buf_putc(b, ',') != LW_OK)
            return LW_ENOMEM;
        if (lw_buf_putc(b, '"') != LW_OK)
            return LW_ENOMEM;
        for (s = v[i]; *s; s++) {
            if ((*s == '"' || *s == '\\') && lw_buf_putc(b, '\\') != LW_OK)
                return LW_ENOMEM;
            if (lw_buf_putc(b, *s) != LW_OK)
                return LW_ENOMEM;
        }
        if (lw_buf_putc(b, '"') != LW_OK)
            return LW_ENOMEM;
    }
    return lw_buf_putc(b, '}');
}

const char *
lw_db_text_array_pool(lw_pool *pool, const char *const *v, size_t n)
{
    lw_buf b = { 0 };
    const char *r = NULL;

    if (lw_db_text_array(&b, v, n) == LW_OK)
        r = lw_pool_strdup(pool, b.data);
    lw_buf_free(&b);
    return r;
}

/* The text of up to 8 integers, as parameters. */
typedef struct {
    char        text[8][24];
    const char *p[8];
} int_texts;

/* q->p for v[0..n), or NULL (and a message) when n is out of range. */
static const char *const *
int_params(int_texts *q, lw_err *err, int n, const long long *v)
{
    int i;

    if (n < 0 || n > 8) {
        lw_err_set(err, "too many parameters");
        return NULL;
    }
    for (i = 0; i < n; i++) {
        snprintf(q->text[i], sizeof(q->text[i]), "%lld", v[i]);
        q->p[i] = q->text[i];
    }
    return q->p;
}

PGresult *
lw_db_query_ints(lw_db *db, lw_err *err, const char *sql, int n, const long long *v)
{
    int_texts q;
    const char *const *p = int_params(&q, err, n, v);

    return p != NULL ? lw_db_query(db, err, sql, n, p) : NULL;
}

int
lw_db_exec_ints(lw_db *db, lw_err *err, const char *sql, int n, const long long *v)
{
    int_texts q;
    const char *const *p = int_params(&q, err, n, v);

    return p != NULL ? lw_db_exec(db, err, sql, n, p) : LW_EINVAL;
}

PGresult *
lw_db_query_id(lw_db *db, lw_err *err, const char *sql, long long id)
{
    return lw_db_query_ints(db, err, sql, 1, &id);
}

PGresult *
lw_db_query_text(lw_db *db, lw_err *err, const char *sql, const char *text)
{
    return lw_db_query(db, err, sql, 1, &text);
}

int
lw_db_exec_text(lw_db *db, lw_err *err, const char *sql, const char *text)
{
    return lw_db_exec(db, err, sql, 1, &text);
}

PGresult *
lw_db_query_id_text(lw_db *db, lw_err *err, const char *sql, long long id, const char *text)
{
    char i[24];
    const char *p[2] = { LL(i, id), text };

    return lw_db_query(db, err, sql, 2, p);
}

int
lw_db_run_id_text(lw_db *db, lw_err *err, const char *sql, long long id, const char *text)
{
    char i[24];
    const char *p[2] = { LL(i, id), text };

    return lw_db_run(db, err, sql, 2, p);
}

const char *
lw_db_statement(const char *const *table, size_t n, int which, lw_err *err)
{
    if (which < 0 || (size_t) which >= n || table[which] == NULL) {
        lw_err_set(err, "no statement %d of %zu", which, n);
        return NULL;
    }
    return table[which];
}

PGresult *
lw_db_query_range(lw_db *db, lw_err *err, const char *sql, long long from, long long to,
                  const char *text)
{
    char f[24], t[24];
    const char *p[3] = { LL(f, from), LL(t, to), text };

    return lw_db_query(db, err, sql, 3, p);
}

int
lw_db_insert_batch(lw_db *db, lw_err *err, const char *sql, const char *rows_json,
                   const char *source, long long *inserted, long long *known)
{
    const char *p[2] = { rows_json, source };
    PGresult *res = lw_db_query(db, err, sql, 2, p);

    if (res == NULL)
        return LW_EDB;
    *inserted = lw_db_int(res, 0, 0);
    *known = lw_db_int(res, 0, 1);
    PQclear(res);
    return LW_OK;
}

PGresult *
lw_db_query_id_limit(lw_db *db, lw_err *err, const char *sql, long long id,
                     int zero_is_null, int limit)
{
    char s[32], l[32];
    const char *p[2] = { zero_is_null && id <= 0 ? NULL : s, l };

    snprintf(s, sizeof(s), "%lld", id);
    snprintf(l, sizeof(l), "%d", limit);
    return lw_db_query(db, err, sql, 2, p);
}

int
lw_db_ping(lw_db *db, lw_err *err)
{
    return lw_db_run(db, err, "SELECT 1", 0, NULL);
}
