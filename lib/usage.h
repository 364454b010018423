/* usage.h: production usage rows as applications report them (POST
 * /api/v1/usage, `llmwatch usage import` of CSV or JSON lines), read and
 * checked in full before anything is stored: a batch with one bad row is
 * refused whole, every bad row named by its line and field. */
#ifndef LW_USAGE_H
#define LW_USAGE_H

#include <json.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "lw.h"

/* At most this many problems are spelled out; the rest are counted. */
#define LW_USAGE_MAX_SHOWN 20
/* A key is at most this long (usage_keys.key). */
#define LW_USAGE_MAX_KEY 200

typedef struct {
    long        line;           /* in the file (1-based), or item index + 1 */
    const char *key;            /* idempotency key; NULL until derived */
    int64_t     ts_us;          /* microseconds since the epoch, UTC */
    const char *model;          /* llmwatch name or the provider's model id */
    const char *environment;    /* NULL: the model's only environment */
    const char *application;    /* NULL when not given */
    int64_t     input_tokens, output_tokens, requests;
    const char *cost;           /* exact decimal dollars as given; NULL: from the
                                 * model's price at ts */
    int         ok;             /* the requests succeeded (default 1) */
    int         key_derived;    /* the key came from the row's content */
    long long   model_id, environment_id;   /* after lw_usage_resolve */
} lw_usage_row;

typedef struct {
    lw_pool      *pool;         /* owns the rows and their strings */
    lw_usage_row *v;
    size_t        n, cap;
    size_t        rows;         /* rows read, good or bad */
    int           n_errors;     /* rows refused */
    struct {
        long        line;
        const char *field;      /* static or pool memory */
        char        msg[200];
    } shown[LW_USAGE_MAX_SHOWN];/* the first n_errors of them (at most) */
    int           keys_derived; /* some rows had no key: derived from content */
} lw_usage_batch;

/* An empty batch whose memory comes from pool (borrowed). */
void lw_usage_init(lw_usage_batch *b, lw_pool *pool);

/* One row from a JSON object (an item of the API's batch, a JSON line).
 * Fields: time, model, environment, application, input_tokens,
 * output_tokens, requests, cost (a decimal number or string: dollars),
 * idempotency_key, ok. A bad row is recorded in b->shown with its line
 * and first bad field; LW_OK either way, LW_ENOMEM. */
int lw_usage_add_json(lw_usage_batch *b, json_object *o, long line);

/* A whole file: CSV with a header row (known columns by name, others
 * ignored; common export names such as prompt_tokens are understood) or
 * JSON lines. LW_OK (rows or errors recorded), LW_EINVAL with the reason
 * in err when the file is not of its kind at all, LW_ENOMEM. */
int lw_usage_parse_csv(lw_usage_batch *b, const char *text, size_t len, lw_err *err);
int lw_usage_parse_jsonl(lw_usage_batch *b, const char *text, size_t len, lw_err *err);

/* Rows to model and environment ids against `models` (id, name, model,
 * environment_id, environment: lw_db_usage_models), times against the
 * retention (rows older than keep_from_us are refused: their rollups would
 * never be kept), keys derived where missing and checked for duplicates.
 * Errors are recorded as by lw_usage_add_json. LW_OK or LW_ENOMEM. */
int lw_usage_resolve(lw_usage_batch *b, const PGresult *models, int64_t keep_from_us,
                     int64_t now_us);

/* The row of `models` (as lw_usage_resolve takes them) for a model named
 * by its llmwatch name or its provider's id, within `environment` when
 * not NULL, else only when one environment has it: the row, -1 when none,
 * -2 when several environments do. */
int lw_usage_find_model(const PGresult *models, const char *model, const char *environment);

/* A custom metric's name ([a-z][a-z0-9_]{0,62}): the scorers' and the
 * values POST /api/v1/metrics takes. */
int lw_usage_metric_name_ok(const char *name);

/* The batch as the JSON array lw_db_usage_insert takes (appended to out). */
int lw_usage_to_json(const lw_usage_batch *b, lw_buf *out);

#endif
