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
    const char *body;           /* pool copies */
    size_t      len;
} lw_cache_value;

enum { LW_CACHE_HIT, LW_CACHE_MISS, LW_CACHE_BYPASS };

/* Looks key up. LW_CACHE_HIT: *out holds pool copies. LW_CACHE_MISS: the
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

typedef struct {
    unsigned long long hits, stale_hits, misses, bypasses, stores, evictions, invalidations;
    size_t entries, bytes, max_bytes;
    int    listening;
} lw_cache_stats;

void lw_cache_get_stats(lw_cache_stats *st);

#endif
