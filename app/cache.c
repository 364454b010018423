/* cache.c: the page cache and its invalidation listener (see cache.h). One
 * mutex guards the table; values are copied out into the request's pool,
 * so no reference to an entry outlives the lock. */
#include "cache.h"
#include "timings.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NBUCKETS 1024
/* a rebuild that has not stored within this is presumed dead */
#define BUILD_TIMEOUT_S 30

struct entry {
    char         *key;
    char         *type;
    char         *title;
    int           refresh;
    char         *body;
    size_t        len;
    size_t        size;       /* what it counts against max_bytes */
    unsigned long gen;
    time_t        made;
    time_t        building;   /* when a rebuild started, 0 when none */
    int           refs;       /* the table's reference + one per request using it */
    struct entry *prev, *next;     /* LRU list, most recent first */
    struct entry *hnext;
};

static struct {
    pthread_mutex_t lock;
    struct entry   *buckets[NBUCKETS];
    struct entry   *head, *tail;
    size_t          bytes, entries;
    lw_cache_conf   conf;
    char           *db_url;
    pthread_t       listener;
    int             started;
} c = { .lock = PTHREAD_MUTEX_INITIALIZER };

static atomic_ulong generation = 1;
static atomic_ulong auth_generation = 1;
static atomic_ullong n_auth_hits, n_auth_misses;

/* remembered identities: a fixed table, a slot per token hash (a
 * collision replaces the older one) */
#define AUTH_SLOTS 4096
struct auth_slot {
    char          token[80];      /* "" when empty */
    int           via_token;
    lw_cache_user user;
    time_t        confirmed;
    unsigned long gen;
};
static struct auth_slot auth[AUTH_SLOTS];
static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int listening;
static atomic_int stopping;
static atomic_ullong n_hits, n_stale, n_misses, n_bypass, n_stores, n_evictions, n_invalidations;

static unsigned
hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * 16777619u;
    return h % NBUCKETS;
}

static struct entry *
find(const char *key)
{
    struct entry *e;

    for (e = c.buckets[hash(key)]; e != NULL; e = e->hnext)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static void
lru_unlink(struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c.head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c.tail = e->prev;
    e->prev = e->next = NULL;
}

static void
lru_front(struct entry *e)
{
    e->next = c.head;
    e->prev = NULL;
    if (c.head)
        c.head->prev = e;
    c.head = e;
    if (c.tail == NULL)
        c.tail = e;
}

static void
entry_free(struct entry *e)
{
    free(e->key);
    free(e->type);
    free(e->title);
    free(e->body);
    free(e);
}

/* Out of the table; freed when the last request using it is done. Called
 * with the lock held. */
static void
drop(struct entry *e)
{
    struct entry **p = &c.buckets[hash(e->key)];

    while (*p != e)
        p = &(*p)->hnext;
    *p = e->hnext;
    lru_unlink(e);
    c.bytes -= e->size;
    c.entries--;
    if (--e->refs == 0)
        entry_free(e);
}

/* A request's pool cleanup: the request is done with the entry. */
static void
release(void *arg)
{
    struct entry *e = arg;
    int last;

    pthread_mutex_lock(&c.lock);
    last = --e->refs == 0;
    pthread_mutex_unlock(&c.lock);
    if (last)
        entry_free(e);
}

static int
fresh(const struct entry *e, time_t now)
{
    return e->gen == atomic_load(&generation) && now - e->made < c.conf.max_age_s;
}

int
lw_cache_lookup(const char *key, lw_pool *pool, lw_cache_value *out, unsigned long *gen)
{
    struct entry *e;
    time_t now = time(NULL);
    int rc;

    memset(out, 0, sizeof(*out));
    *gen = atomic_load(&generation);
    if (c.conf.max_bytes == 0 || !atomic_load(&listening)) {
        atomic_fetch_add(&n_bypass, 1);
        return LW_CACHE_BYPASS;
    }
    pthread_mutex_lock(&c.lock);
    e = find(key);
    if (e == NULL) {
        rc = LW_CACHE_MISS;
    } else if (fresh(e, now) || (e->building != 0 && now - e->building < BUILD_TIMEOUT_S)) {
        /* fresh, or stale while another request rebuilds it */
        e->refs++;
        if (lw_pool_cleanup_add(pool, release, e) != LW_OK) {
            e->refs--;
            pthread_mutex_unlock(&c.lock);
            atomic_fetch_add(&n_bypass, 1);
            return LW_CACHE_BYPASS;
        }
        rc = LW_CACHE_HIT;
        atomic_fetch_add(fresh(e, now) ? &n_hits : &n_stale, 1);
        out->content_type = e->type;
        out->title = e->title;
        out->refresh = e->refresh;
        out->body = e->body;
        out->len = e->len;
        lru_unlink(e);
        lru_front(e);
    } else {
        e->building = now;         /* this request rebuilds it */
        rc = LW_CACHE_MISS;
    }
    pthread_mutex_unlock(&c.lock);
    if (rc == LW_CACHE_MISS)
        atomic_fetch_add(&n_misses, 1);
    return rc;
}

static char *
dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void
lw_cache_store(const char *key, unsigned long gen, const lw_cache_value *v)
{
    struct entry *e, *old;
    size_t size;

    if (c.conf.max_bytes == 0 || gen != atomic_load(&generation))
        goto abandon;
    size = strlen(key) + v->len + (v->title ? strlen(v->title) : 0) + sizeof(*e) + 64;
    if (size > c.conf.max_bytes / 4)        /* one page never takes the cache */
        goto abandon;
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        goto abandon;
    e->key = strdup(key);
    e->type = dup_or_null(v->content_type);
    e->title = dup_or_null(v->title);
    e->body = malloc(v->len + 1);
    if (e->key == NULL || e->body == NULL || (v->content_type && !e->type) || (v->title && !e->title)) {
        free(e->key);
        free(e->type);
        free(e->title);
        free(e->body);
        free(e);
        goto abandon;
    }
    memcpy(e->body, v->body, v->len);
    e->body[v->len] = '\0';
    e->len = v->len;
    e->refresh = v->refresh;
    e->size = size;
    e->gen = gen;
    e->made = time(NULL);
    e->refs = 1;
    pthread_mutex_lock(&c.lock);
    if ((old = find(key)) != NULL)
        drop(old);
    while (c.tail != NULL && c.bytes + size > c.conf.max_bytes) {
        drop(c.tail);
        atomic_fetch_add(&n_evictions, 1);
    }
    e->hnext = c.buckets[hash(key)];
    c.buckets[hash(key)] = e;
    lru_front(e);
    c.bytes += size;
    c.entries++;
    pthread_mutex_unlock(&c.lock);
    atomic_fetch_add(&n_stores, 1);
    return;
abandon:
    lw_cache_abandon(key);
}

void
lw_cache_abandon(const char *key)
{
    struct entry *e;

    pthread_mutex_lock(&c.lock);
    if ((e = find(key)) != NULL)
        e->building = 0;
    pthread_mutex_unlock(&c.lock);
}

void
lw_cache_get_stats(lw_cache_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->hits = atomic_load(&n_hits);
    st->stale_hits = atomic_load(&n_stale);
    st->misses = atomic_load(&n_misses);
    st->bypasses = atomic_load(&n_bypass);
    st->stores = atomic_load(&n_stores);
    st->evictions = atomic_load(&n_evictions);
    st->invalidations = atomic_load(&n_invalidations);
    st->auth_hits = atomic_load(&n_auth_hits);
    st->auth_misses = atomic_load(&n_auth_misses);
    st->listening = atomic_load(&listening);
    st->max_bytes = c.conf.max_bytes;
    pthread_mutex_lock(&c.lock);
    st->entries = c.entries;
    st->bytes = c.bytes;
    pthread_mutex_unlock(&c.lock);
}

/* ---- identities ---- */

int
lw_cache_user_get(const char *token, int via_token, lw_cache_user *out, unsigned long *gen)
{
    struct auth_slot *a;
    time_t now = time(NULL);
    int rc = LW_ENOTFOUND;

    *gen = atomic_load(&auth_generation);
    if (c.conf.max_bytes == 0 || !atomic_load(&listening) || strlen(token) >= sizeof(a->token))
        return LW_ENOTFOUND;
    a = &auth[(hash(token) * 4 + (unsigned) via_token) % AUTH_SLOTS];
    pthread_mutex_lock(&auth_lock);
    if (strcmp(a->token, token) == 0 && a->via_token == via_token && a->gen == *gen
        && now - a->confirmed < LW_CACHE_AUTH_TTL) {
        *out = a->user;
        rc = LW_OK;
    }
    pthread_mutex_unlock(&auth_lock);
    atomic_fetch_add(rc == LW_OK ? &n_auth_hits : &n_auth_misses, 1);
    return rc;
}

void
lw_cache_user_put(const char *token, int via_token, unsigned long gen, const lw_cache_user *u)
{
    struct auth_slot *a;

    if (c.conf.max_bytes == 0 || strlen(token) >= sizeof(a->token)
        || gen != atomic_load(&auth_generation))
        return;
    a = &auth[(hash(token) * 4 + (unsigned) via_token) % AUTH_SLOTS];
    pthread_mutex_lock(&auth_lock);
    lw_strlcpy(a->token, token, sizeof(a->token));
    a->via_token = via_token;
    a->user = *u;
    a->confirmed = time(NULL);
    a->gen = gen;
    pthread_mutex_unlock(&auth_lock);
}

/* ---- the listener ---- */

static void
invalidate(void)
{
    atomic_fetch_add(&generation, 1);
    atomic_fetch_add(&n_invalidations, 1);
}

static void
invalidate_auth(void)
{
    atomic_fetch_add(&auth_generation, 1);
}

void
lw_cache_auth_forget(void)
{
    invalidate_auth();
}

/* Sleeps up to ms, waking early when stopping. */
static void
nap(int ms)
{
    while (ms > 0 && !atomic_load(&stopping)) {
        usleep(100 * 1000);
        ms -= 100;
    }
}

static void *
listen_main(void *arg)
{
    PGconn *conn = NULL;
    PGnotify *n;
    PGresult *res;
    struct pollfd pfd;
    time_t flushed = time(NULL);
    const char *every = getenv("LLMWATCH_WEB_TIMINGS_FLUSH");
    int flush_s = every && atoi(every) > 0 ? atoi(every) : LW_TIMINGS_FLUSH_S;
    char host[256] = "";
    int backoff = 500, got;

    (void) arg;
    if (gethostname(host, sizeof(host) - 1) != 0)
        lw_strlcpy(host, "localhost", sizeof(host));
    while (!atomic_load(&stopping)) {
        if (conn == NULL) {
            conn = PQconnectdb(c.db_url);
            res = PQstatus(conn) == CONNECTION_OK ? PQexec(conn, "LISTEN llmwatch_data") : NULL;
            if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
                PQclear(res);
                PQfinish(conn);
                conn = NULL;
                nap(backoff);
                backoff = backoff < 10000 ? backoff * 2 : 10000;
                continue;
            }
            PQclear(res);
            backoff = 500;
            /* whatever changed while nobody listened is unknown */
            invalidate();
            invalidate_auth();
            atomic_store(&listening, 1);
            lw_log(LW_LOG_INFO, "page cache: listening for changes");
        }
        pfd.fd = PQsocket(conn);
        pfd.events = POLLIN;
        if (poll(&pfd, 1, 500) < 0 && errno != EINTR)
            goto lost;
        if (PQconsumeInput(conn) == 0)
            goto lost;
        got = 0;
        while ((n = PQnotifies(conn)) != NULL) {
            if (n->extra != NULL && strcmp(n->extra, "auth") == 0)
                invalidate_auth();
            else
                got = 1;
            PQfreemem(n);
        }
        if (got)
            invalidate();
        /* the web app's own timings, every 30 s, on this connection */
        if (time(NULL) - flushed >= flush_s) {
            flushed = time(NULL);
            if (lw_timings_flush(conn, host) != LW_OK)
                lw_log(LW_LOG_WARN, "timings: %s", PQerrorMessage(conn));
        }
        if (PQstatus(conn) == CONNECTION_OK)
            continue;
lost:
        atomic_store(&listening, 0);
        lw_log(LW_LOG_WARN, "page cache: lost the database (%s); serving uncached until it is back",
               PQerrorMessage(conn));
        PQfinish(conn);
        conn = NULL;
    }
    atomic_store(&listening, 0);
    PQfinish(conn);
    return NULL;
}

int
lw_cache_start(const char *db_url, const lw_cache_conf *conf)
{
    c.conf = *conf;
    if (c.conf.max_age_s <= 0)
        c.conf.max_age_s = 300;
    if (c.conf.max_bytes == 0)
        return LW_OK;
    c.db_url = strdup(db_url);
    if (c.db_url == NULL)
        return LW_ENOMEM;
    if (pthread_create(&c.listener, NULL, listen_main, NULL) != 0)
        return LW_ENOMEM;
    c.started = 1;
    return LW_OK;
}

void
lw_cache_stop(void)
{
    size_t i;

    atomic_store(&stopping, 1);
    if (c.started)
        pthread_join(c.listener, NULL);
    c.started = 0;
    pthread_mutex_lock(&c.lock);
    for (i = 0; i < NBUCKETS; i++)
        while (c.buckets[i] != NULL)
            drop(c.buckets[i]);
    pthread_mutex_unlock(&c.lock);
    free(c.db_url);
    c.db_url = NULL;
}
