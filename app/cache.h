/* cache.h: the page cache of llmwatch-web: rendered page fragments and raw
 * bodies of the aggregate pages (dashboard, model page, SLA, budgets,
 * /metrics, the JSON model list), bounded in bytes, least recently used
 * first out, keyed by (path and query, role).
 *
 * Invalidation follows the data, not a clock: every write that changes
 * what those pages show (probes and their rollups, alerts, rules, models,
 * budgets, silences, settings) sends NOTIFY llmwatch_data from PostgreSQL
 * (triggers of sql/008_read_path.sql); a listener thread of each web
 * process bumps a generation counter, and an entry of an older generation
 * is stale. An entry also goes stale after `max_age` seconds, because
 * pages say "5 minutes ago". While the listener is not connected the cache
 * is bypassed (every request computes its page): a missed notification can
 * never serve old figures.
 *
 * A stale entry whose rebuild another thread has started is served as it
 * is (stale-while-revalidate), so a burst of requests after an
 * invalidation costs one computation, not one per request. */
#ifndef LW_CACHE_H
#define LW_CACHE_H

#include <stddef.h>

#include "lw.h"

typedef struct {
    size_t max_bytes;       /* 0 disables the cache */
    int    max_age_s;       /* an entry older than this is stale */
} lw_cache_conf;

/* Starts the listener thread on db_url. Call once, before the request
 * threads. LW_OK, or LW_ENOMEM. */
int  lw_cache_start(const char *db_url, const lw_cache_conf *conf);
void lw_cache_stop(void);

typedef struct {
    const char *content_type;   /* raw bodies: their type; fragments: NULL */
    const char *title;          /* fragments: Page.title */
    int         refresh;        /* fragments: Page.refresh (seconds, 0 = none) */
    const char *body;
    size_t      len;
} lw_cache_value;

enum { LW_CACHE_HIT, LW_CACHE_MISS, LW_CACHE_BYPASS };

/* Looks key up. LW_CACHE_HIT: *out points into the entry, which stays
 * alive (even if evicted or replaced meanwhile) until the pool is
 * destroyed: no copy of a 100 KB page per request. LW_CACHE_MISS: the
 * caller computes the page and stores it with lw_cache_store(key, *gen,
 * ...), *gen being the generation the computation started from.
 * LW_CACHE_BYPASS: the cache is off or not listening; compute, don't
 * store. */
int  lw_cache_lookup(const char *key, lw_pool *pool, lw_cache_value *out, unsigned long *gen);
/* Stores a computed value unless the data changed since gen (the value
 * may already be stale); evicts the least recently used entries to stay
 * under max_bytes. */
void lw_cache_store(const char *key, unsigned long gen, const lw_cache_value *v);
/* A lookup that returned MISS and will not store (the page failed). */
void lw_cache_abandon(const char *key);

/* ---- who is asking, remembered ----
 * A valid session or API token, as the database last confirmed it, kept
 * for at most LW_CACHE_AUTH_TTL seconds so a page served from the cache
 * needs no query at all. Revocations (logout, log out everywhere, a user
 * disabled or demoted, a token revoked) send NOTIFY llmwatch_data 'auth'
 * and drop every remembered identity at once; without the listener
 * nothing is remembered. Only confirmed identities are kept: a bad token
 * always goes to the database. */
#define LW_CACHE_AUTH_TTL 60

typedef struct {
    long long id;
    int       role;
    char      email[320];
    char      csrf[80];          /* sessions only */
} lw_cache_user;

/* LW_OK with *out filled when token (a session cookie, or an API token
 * with via_token) was confirmed less than LW_CACHE_AUTH_TTL seconds ago
 * and nothing was revoked since; LW_ENOTFOUND otherwise (*gen then gets
 * the generation to pass to lw_cache_user_put). */
int  lw_cache_user_get(const char *token, int via_token, lw_cache_user *out, unsigned long *gen);
void lw_cache_user_put(const char *token, int via_token, unsigned long gen, const lw_cache_user *u);
/* Forgets every remembered identity of this process at once. */
void lw_cache_auth_forget(void);

typedef struct {
    unsigned long long hits, stale_hits, misses, bypasses, stores, evictions, invalidations;
    unsigned long long auth_hits, auth_misses;
    size_t entries, bytes, max_bytes;
    int    listening;
} lw_cache_stats;

void lw_cache_get_stats(lw_cache_stats *st);

#endif
