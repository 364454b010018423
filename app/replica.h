/* replica.h: llmwatch-web reading pages from a standby. With a read URL
 * (--read-database, $LLMWATCH_READ_DATABASE_URL; libpq's
 * target_session_attrs=prefer-standby picks a standby while one is up),
 * each request thread keeps a second connection, and the GET pages that
 * only read (not forms, not login) run their queries there. Sessions,
 * CSRF, every POST and the page cache's LISTEN stay on the primary
 * (--database). A page that will be stored in the page cache is read from
 * the standby only when it has replayed everything the primary had
 * written when the page began, so a cached page is never older than the
 * change that invalidated it; other pages say so when the standby lags
 * more than --read-max-lag. docs/scaling.md. */
#ifndef LW_APP_REPLICA_H
#define LW_APP_REPLICA_H

#include "lw.h"
#include "request.h"

/* Once, before the request threads: url NULL takes
 * $LLMWATCH_READ_DATABASE_URL (none: every page reads the primary);
 * max_lag_s < 0 takes $LLMWATCH_READ_MAX_LAG, else 30 s. Both copied. */
void lw_replica_setup(const char *url, double max_lag_s);

/* Before a page's handler: moves r's database to this thread's standby
 * connection when the page may read there (cacheable: its answer goes to
 * the page cache), and sets Replica.* in the page when the standby lags
 * more than the bound. Leaves r on the primary otherwise. */
void lw_replica_use(lw_req *r, int cacheable);
/* After the handler: r back on the primary. */
void lw_replica_done(lw_req *r);

/* The /metrics lines of the read database: lag and whether it is a
 * standby. */
void lw_replica_metrics(lw_req *r, lw_buf *b);

/* Whether /healthz was asked for JSON (?format=json or Accept:
 * application/json). */
int lw_replica_wants_json(lw_req *r);
/* /healthz as JSON: the primary (200 when it answers, else 503) and the
 * read database with its lag. */
int lw_replica_healthz(lw_req *r);

#endif
