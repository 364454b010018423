/* db.h: the one way llmwatch talks to PostgreSQL. One lw_db per thread;
 * every value is a libpq parameter; a broken connection is reset (and the
 * query retried once when no transaction was open). */
#ifndef LW_DB_H
#define LW_DB_H

#include <libpq-fe.h>
#include "lw.h"

typedef struct lw_db lw_db;

/* The URL to use: `explicit` if set, else $LLMWATCH_DATABASE_URL, else
 * "postgresql:///llmwatch". Borrowed. */
const char *lw_db_default_url(const char *explicit_url);

/* Connects (search_path, application_name, UTC). Caller closes. NULL and a
 * message in err on failure; the message never contains a password. */
lw_db *lw_db_connect(const char *url, const char *app_name, lw_err *err);
void   lw_db_close(lw_db *db);

/* Makes sure the connection works, resetting it when broken. LW_OK/LW_EDB. */
int lw_db_check(lw_db *db, lw_err *err);
/* The raw connection (borrowed), for COPY and the like. */
PGconn *lw_db_conn(lw_db *db);
/* Starts a COPY statement (sql: COPY ... FROM STDIN or TO STDOUT): LW_OK
 * once the connection is in the state `want` (PGRES_COPY_IN or
 * PGRES_COPY_OUT), then the caller moves the data over lw_db_conn(db);
 * else LW_EDB with "what: the server's message" in err. */
int lw_db_copy_begin(lw_db *db, lw_err *err, const char *sql, ExecStatusType want,
                     const char *what);

/* Runs a statement with text parameters (NULL entries are SQL NULL).
 * Returns the result (caller PQclear()s) or NULL with a message in err.
 * Commands and tuples both count as success. */
PGresult *lw_db_query(lw_db *db, lw_err *err, const char *sql,
                      int nparams, const char *const *params);
/* Same, for statements whose result is not needed. Returns the number of
 * rows affected (>= 0) or LW_EDB / LW_ECONFLICT (unique violation). */
int lw_db_exec(lw_db *db, lw_err *err, const char *sql,
               int nparams, const char *const *params);
/* Same, for statements whose row count does not matter either: LW_OK or
 * LW_EDB (a unique violation included; lw_db_last_was_conflict tells). */
int lw_db_run(lw_db *db, lw_err *err, const char *sql,
              int nparams, const char *const *params);

int lw_db_begin(lw_db *db, lw_err *err);
int lw_db_commit(lw_db *db, lw_err *err);
/* Always leaves the connection outside a transaction; never fails loudly. */
void lw_db_rollback(lw_db *db);

/* Applies sql/NNN_name.sql files of `sqldir` that are not yet recorded in
 * schema_migrations, in order, each in its own transaction, under an
 * advisory lock. *applied gets how many ran. */
int lw_db_migrate(lw_db *db, lw_err *err, const char *sqldir, int *applied);

/* Reading helpers on a result: NULL-safe, borrowed strings. */
const char *lw_db_str(const PGresult *res, int row, int col);  /* NULL when SQL NULL */
long long   lw_db_int(const PGresult *res, int row, int col);  /* 0 when NULL */
double      lw_db_double(const PGresult *res, int row, int col);
int         lw_db_bool(const PGresult *res, int row, int col);
int         lw_db_isnull(const PGresult *res, int row, int col);

/* Appends a PostgreSQL text[] literal of v[0..n) to b: {"a","b \"c\""}
 * (every element quoted, quotes and backslashes escaped), for a $n
 * parameter cast to text[]. LW_OK or LW_ENOMEM. */
int lw_db_text_array(lw_buf *b, const char *const *v, size_t n);
/* The same as a pool-owned string; NULL when out of memory. */
const char *lw_db_text_array_pool(lw_pool *pool, const char *const *v, size_t n);

/* Called after every lw_db_query on this connection with the statement,
 * its parameters and how long it took (ms), errors included; NULL removes
 * it. The web app uses it to find its slowest queries. */
typedef void (*lw_db_observer)(void *ud, const char *sql, int nparams,
                               const char *const *params, double ms);
void lw_db_observe(lw_db *db, lw_db_observer fn, void *ud);

/* True when the SQLSTATE of the last error was a unique violation. */
int lw_db_last_was_conflict(lw_db *db);

/* One round trip ("SELECT 1"), for health checks. LW_OK or LW_EDB. */
int lw_db_ping(lw_db *db, lw_err *err);

/* Creates the database the URL names when it does not exist yet (connecting
 * to the server's "postgres" database to do so). *created is set to 1 when
 * it was created, 0 when it already existed. *name gets the database name
 * (caller frees). */
int lw_db_ensure_database(const char *url, int *created, char **name, lw_err *err);
#endif
