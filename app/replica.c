/* replica.c: pages read from a standby (see replica.h). Each request
 * thread has its read connection in thread-local storage (closed when the
 * thread ends), so the request and the thread pool stay as they are. */
#include "replica.h"

#include <json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth.h"
#include "fmt.h"
#include "timings.h"
#include "db/replica.h"

static struct {
    char  *url;            /* NULL: no read database */
    double max_lag_s;
} rep;

static pthread_key_t   conn_key;
static pthread_once_t  key_once = PTHREAD_ONCE_INIT;

static __thread lw_db       *read_db;       /* this thread's standby connection */
static __thread lw_db      **saved_slot;    /* r's primary while a page reads the standby */
static __thread const char  *saved_url;

static void
conn_close(void *db)
{
    lw_db_close(db);
}

static void
key_make(void)
{
    pthread_key_create(&conn_key, conn_close);
}

void
lw_replica_setup(const char *url, double max_lag_s)
{
    const char *env;

    if (url == NULL || url[0] == '\0')
        url = getenv("LLMWATCH_READ_DATABASE_URL");
    free(rep.url);
    rep.url = url != NULL && url[0] != '\0' ? lw_strdup(url) : NULL;
    if (max_lag_s < 0) {
        env = getenv("LLMWATCH_READ_MAX_LAG");
        max_lag_s = env != NULL && env[0] != '\0' ? strtod(env, NULL) : 30;
    }
    rep.max_lag_s = max_lag_s >= 0 ? max_lag_s : 30;
    pthread_once(&key_once, key_make);
}

/* The thread's read connection, connected (through lw_req_db, with the
 * page's statement timeout) on first use; NULL when it cannot be had. */
static lw_db *
read_conn(lw_req *r)
{
    lw_db **slot = r->dbslot;
    const char *url = r->db_url;
    int fresh = read_db == NULL;
    lw_db *db;

    r->dbslot = &read_db;
    r->db_url = rep.url;
    db = lw_req_db(r);
    r->dbslot = slot;
    r->db_url = url;
    if (db != NULL && fresh)
        pthread_setspecific(conn_key, db);
    return db;
}

/* Pages that only read: GET-only routes behind a login (forms, whose GET
 * loads what a POST saves over, and the login page stay on the primary). */
static int
page_reads_only(const lw_req *r)
{
    const lw_route *rt = r->route;

    return rt != NULL && strcmp(r->method, "GET") == 0 && rt->methods == LW_GET
        && rt->role > LW_ROLE_ANON && !(rt->flags & LW_ROUTE_NO_DB);
}

void
lw_replica_use(lw_req *r, int cacheable)
{
    char lsn[64], lag[32];
    lw_db *db, *primary;
    lw_err err;
    double lag_s;
    int standby;

    saved_slot = NULL;
    if (rep.url == NULL || !page_reads_only(r) || (db = read_conn(r)) == NULL)
        return;
    if (lw_db_replica_lag(db, &err, &standby, &lag_s) != LW_OK)
        return;         /* the primary answers instead */
    if (standby && cacheable) {
        /* a page for the cache: only a standby that has what the
         * primary had when the page began */
        primary = lw_req_db(r);
        if (primary == NULL || lw_db_replica_primary_lsn(primary, &err, lsn, sizeof(lsn)) != LW_OK
            || lw_db_replica_caught_up(db, &err, lsn) != 1) {
            lw_req_add_header(r, "X-Llmwatch-Database", "primary");
            return;
        }
    }
    saved_slot = r->dbslot;
    saved_url = r->db_url;
    r->dbslot = &read_db;
    r->db_url = rep.url;
    if (r->timing.observing)
        lw_timings_watch(r, db);
    lw_req_add_header(r, "X-Llmwatch-Database", standby ? "standby" : "primary");
    if (standby && lag_s > rep.max_lag_s) {
        lw_fmt_duration((int64_t) (lag_s + 0.5), lag, sizeof(lag));
        lw_hdf_set(&r->page, "Replica.lag", lag);
    }
}

void
lw_replica_done(lw_req *r)
{
    if (saved_slot == NULL)
        return;
    if (read_db != NULL) {
        lw_db_rollback(read_db);
        lw_db_observe(read_db, NULL, NULL);
    }
    r->dbslot = saved_slot;
    r->db_url = saved_url;
    saved_slot = NULL;
}

void
lw_replica_metrics(lw_req *r, lw_buf *b)
{
    lw_db *db = rep.url != NULL ? read_conn(r) : NULL;
    double lag_s = 0;
    int standby = 0, up;
    lw_err err;

    up = db != NULL && lw_db_replica_lag(db, &err, &standby, &lag_s) == LW_OK;
    lw_buf_printf(b,
        "# HELP llmwatch_read_database_up Whether the read database (--read-database) answers "
        "(0 also when none is configured: pages read the primary).\n"
        "# TYPE llmwatch_read_database_up gauge\nllmwatch_read_database_up %d\n"
        "# HELP llmwatch_read_database_standby Whether the read database is a standby.\n"
        "# TYPE llmwatch_read_database_standby gauge\nllmwatch_read_database_standby %d\n"
        "# HELP llmwatch_replication_lag_seconds How far the read database is behind the primary "
        "(0 when it is no standby).\n"
        "# TYPE llmwatch_replication_lag_seconds gauge\nllmwatch_replication_lag_seconds %.3f\n",
        up, up && standby, up && standby ? lag_s : 0.0);
}

int
lw_replica_wants_json(lw_req *r)
{
    const char *fmt = lw_req_query(r, "format");
    const char *accept = lw_req_env(r, "HTTP_ACCEPT");

    if (fmt != NULL)
        return strcmp(fmt, "json") == 0;
    return accept != NULL && strstr(accept, "application/json") != NULL;
}

int
lw_replica_healthz(lw_req *r)
{
    json_object *o = json_object_new_object(), *rd = json_object_new_object();
    lw_db *db = lw_req_db(r), *rdb;
    double lag_s = 0;
    int primary_ok, standby = 0, read_ok = 0;
    const char *s;
    lw_err err;

    primary_ok = db != NULL && lw_db_ping(db, &r->err) == LW_OK;
    if (!primary_ok)
        lw_log(LW_LOG_WARN, "healthz: %s", r->err.msg);
    json_object_object_add(o, "status", json_object_new_string(primary_ok ? "ok" : "unavailable"));
    json_object_object_add(o, "primary", json_object_new_boolean(primary_ok));
    json_object_object_add(rd, "configured", json_object_new_boolean(rep.url != NULL));
    if (rep.url != NULL) {
        rdb = read_conn(r);
        read_ok = rdb != NULL && lw_db_replica_lag(rdb, &err, &standby, &lag_s) == LW_OK;
        if (rdb != NULL)
            lw_db_rollback(rdb);
        json_object_object_add(rd, "ok", json_object_new_boolean(read_ok));
        json_object_object_add(rd, "standby", json_object_new_boolean(read_ok && standby));
        json_object_object_add(rd, "lag_seconds", json_object_new_double(read_ok && standby ? lag_s : 0));
        json_object_object_add(rd, "max_lag_seconds", json_object_new_double(rep.max_lag_s));
        json_object_object_add(rd, "lagging", json_object_new_boolean(read_ok && standby
                                                                      && lag_s > rep.max_lag_s));
    }
    json_object_object_add(o, "read", rd);
    s = lw_pool_strdup(r->pool, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    if (s == NULL)
        return LW_ENOMEM;
    return lw_req_raw(r, primary_ok ? 200 : 503, "application/json", s, strlen(s));
}
