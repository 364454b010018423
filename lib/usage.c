/* usage.c: production usage rows read and checked (see usage.h): JSON
 * objects, CSV and JSON lines, names resolved, keys derived. Nothing here
 * talks to the database; lib/db/usage.c stores a checked batch. */
#include "usage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "times.h"

/* usage_events.cost_usd is numeric(20,12): 8 digits, 12 decimals. */
#define COST_INT_DIGITS 8
#define COST_DECIMALS 12
/* Times may run ahead of this clock by so much (clock skew), no more. */
#define FUTURE_SLACK_US (INT64_C(3600) * 1000000)

void
lw_usage_init(lw_usage_batch *b, lw_pool *pool)
{
    memset(b, 0, sizeof(*b));
    b->pool = pool;
}

static int
row_error(lw_usage_batch *b, long line, const char *field, const char *fmt, ...)
    LW_PRINTF(4, 5);

/* Records the problem of one row (the first one found is enough). */
static int
row_error(lw_usage_batch *b, long line, const char *field, const char *fmt, ...)
{
    va_list ap;
    int k = b->n_errors++;

    if (k >= LW_USAGE_MAX_SHOWN)
        return LW_OK;
    b->shown[k].line = line;
    b->shown[k].field = lw_pool_strdup(b->pool, field);
    va_start(ap, fmt);
    vsnprintf(b->shown[k].msg, sizeof(b->shown[k].msg), fmt, ap);
    va_end(ap);
    return b->shown[k].field != NULL ? LW_OK : LW_ENOMEM;
}

/* ---- fields ---- */

static const char *const fields[] = {
    "time", "model", "environment", "application", "input_tokens", "output_tokens", "requests",
    "cost", "idempotency_key", "ok",
};

/* A text field: 1 with *out (pool copy), 0 absent or null, -1 wrong. */
static int
get_text(lw_usage_batch *b, json_object *o, const char *key, size_t max, const char **out)
{
    json_object *v;
    const char *s;
    size_t n;

    if (!json_object_object_get_ex(o, key, &v) || v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return -1;
    s = json_object_get_string(v);
    n = (size_t) json_object_get_string_len(v);
    if (n == 0)
        return 0;
    if (n > max || memchr(s, '\0', n) != NULL || !lw_utf8_valid(s, n))
        return -1;
    *out = lw_pool_strndup(b->pool, s, n);
    return *out != NULL ? 1 : -2;
}

/* A whole number >= 0 below 2^31 (a JSON integer or its text). */
static int
get_count(json_object *o, const char *key, int64_t *out)
{
    json_object *v;
    const char *s;

    if (!json_object_object_get_ex(o, key, &v) || v == NULL)
        return 0;
    if (json_object_is_type(v, json_type_int)) {
        errno = 0;
        *out = json_object_get_int64(v);
        return errno == 0 && *out >= 0 && *out <= INT32_MAX ? 1 : -1;
    }
    if (!json_object_is_type(v, json_type_string))
        return -1;
    s = json_object_get_string(v);
    if (*s == '\0')
        return 0;
    return lw_parse_uint(s, strlen(s), INT32_MAX, out) == LW_OK ? 1 : -1;
}

/* A plain decimal >= 0 that numeric(20,12) holds exactly ("0.000123",
 * "15", "1.5"): no sign, exponent or separator. */
static int
cost_ok(const char *s)
{
    size_t i = strspn(s, "0123456789"), d = 0;

    if (i == 0 || i > COST_INT_DIGITS + strspn(s, "0"))
        return 0;
    if (s[i] == '.') {
        d = strspn(s + i + 1, "0123456789");
        if (d == 0 || d > COST_DECIMALS)
            return 0;
        i += 1 + d;
    }
    return s[i] == '\0';
}

static int
known_field(const char *key)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(fields); i++)
        if (strcmp(key, fields[i]) == 0)
            return 1;
    return 0;
}

static int
check_row(lw_usage_batch *b, json_object *o, lw_usage_row *r)
{
    json_object *v;
    const char *s = NULL;
    int rc;

    json_object_object_foreach(o, key, val) {
        (void) val;
        if (!known_field(key))
            return row_error(b, r->line, lw_utf8_valid(key, strlen(key)) ? key : "row", "not a field of a usage row (fields: time, model, "
                             "environment, application, input_tokens, output_tokens, requests, "
                             "cost, idempotency_key, ok)");
    }
    /* time: RFC 3339 text or Unix seconds */
    if (json_object_object_get_ex(o, "time", &v) && json_object_is_type(v, json_type_int)) {
        r->ts_us = json_object_get_int64(v) * 1000000;
        if (r->ts_us <= 0)
            return row_error(b, r->line, "time", "must be a time after 1970");
    } else if ((rc = get_text(b, o, "time", 64, &s)) == 1) {
        if (lw_time_parse_us(s, &r->ts_us) != LW_OK)
            return row_error(b, r->line, "time", "'%s' is not a time (e.g. 2025-01-07T10:00:00Z)",
                             s);
    } else {
        return rc == -2 ? LW_ENOMEM : row_error(b, r->line, "time", rc == 0 ? "is missing"
                                                : "must be a time (e.g. 2025-01-07T10:00:00Z)");
    }
    rc = get_text(b, o, "model", 200, &r->model);
    if (rc != 1)
        return rc == -2 ? LW_ENOMEM : row_error(b, r->line, "model", rc == 0 ? "is missing"
                                                : "must be a model's name");
    if ((rc = get_text(b, o, "environment", 200, &r->environment)) < 0)
        return rc == -2 ? LW_ENOMEM : row_error(b, r->line, "environment",
                                                "must be an environment's name");
    if ((rc = get_text(b, o, "application", 200, &r->application)) < 0)
        return rc == -2 ? LW_ENOMEM : row_error(b, r->line, "application",
                                                "must be a name of at most 200 bytes");
    if ((rc = get_text(b, o, "idempotency_key", LW_USAGE_MAX_KEY, &r->key)) < 0)
        return rc == -2 ? LW_ENOMEM : row_error(b, r->line, "idempotency_key",
                                                "must be a text of 1 to %d bytes", LW_USAGE_MAX_KEY);
    if (get_count(o, "input_tokens", &r->input_tokens) < 0)
        return row_error(b, r->line, "input_tokens", "must be a whole number of tokens >= 0");
    if (get_count(o, "output_tokens", &r->output_tokens) < 0)
        return row_error(b, r->line, "output_tokens", "must be a whole number of tokens >= 0");
    r->requests = 1;
    if (get_count(o, "requests", &r->requests) < 0)
        return row_error(b, r->line, "requests", "must be a whole number of requests >= 0");
    /* cost: exact dollars; a JSON number keeps the text it was written as */
    if (json_object_object_get_ex(o, "cost", &v) && v != NULL) {
        if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int)
            && !json_object_is_type(v, json_type_double))
            return row_error(b, r->line, "cost", "must be an amount of dollars");
        s = json_object_get_string(v);
        if (*s != '\0') {
            if (!cost_ok(s))
                return row_error(b, r->line, "cost", "'%.40s' is not an amount of dollars "
                                 "(a plain decimal >= 0, at most 12 decimals)", s);
            r->cost = lw_pool_strdup(b->pool, s);
        }
    }
    r->ok = 1;
    if (json_object_object_get_ex(o, "ok", &v) && v != NULL) {
        if (json_object_is_type(v, json_type_boolean))
            r->ok = json_object_get_boolean(v);
        else if (json_object_is_type(v, json_type_string)
                 && (strcasecmp(json_object_get_string(v), "true") == 0
                     || strcasecmp(json_object_get_string(v), "false") == 0))
            r->ok = strcasecmp(json_object_get_string(v), "true") == 0;
        else
            return row_error(b, r->line, "ok", "must be true or false");
    }
    return LW_OK;
}

int
lw_usage_add_json(lw_usage_batch *b, json_object *o, long line)
{
    lw_usage_row r, *nv;
    int errors = b->n_errors, rc;

    memset(&r, 0, sizeof(r));
    r.line = line;
    b->rows++;
    if (!json_object_is_type(o, json_type_object))
        return row_error(b, line, "row", "must be an object of fields");
    rc = check_row(b, o, &r);
    if (rc != LW_OK || b->n_errors > errors)
        return rc;
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;

        nv = lw_pool_alloc(b->pool, nc * sizeof(*nv));
        if (nv == NULL)
            return LW_ENOMEM;
        if (b->n > 0)
            memcpy(nv, b->v, b->n * sizeof(*nv));
        b->v = nv;
        b->cap = nc;
    }
    b->v[b->n++] = r;
    return LW_OK;
}

/* ---- files ---- */

int
lw_usage_parse_jsonl(lw_usage_batch *b, const char *text, size_t len, lw_err *err)
{
    enum json_tokener_error jerr;
    const char *p = text, *end = text + len, *nl;
    json_object *o;
    long line = 0;
    char *s;
    int rc = LW_OK;

    if (memchr(text, '\0', len) != NULL || !lw_utf8_valid(text, len)) {
        lw_err_set(err, "the file is not UTF-8 text");
        return LW_EINVAL;
    }
    while (rc == LW_OK && p < end) {
        nl = memchr(p, '\n', (size_t) (end - p));
        if (nl == NULL)
            nl = end;
        line++;
        s = lw_pool_strndup(b->pool, p, (size_t) (nl - p));
        p = nl + 1;
        if (s == NULL)
            return LW_ENOMEM;
        if (s[strspn(s, " \t\r")] == '\0')
            continue;
        jerr = json_tokener_success;
        o = json_tokener_parse_verbose(s, &jerr);
        if (o == NULL) {
            b->rows++;
            rc = row_error(b, line, "row", "not a JSON object: %s", json_tokener_error_desc(jerr));
            continue;
        }
        rc = lw_usage_add_json(b, o, line);
        json_object_put(o);
    }
    return rc;
}

/* Header names of the CSV exports we know, to our fields. */
static const struct {
    const char *name, *field;
} csv_names[] = {
    { "time", "time" }, { "timestamp", "time" }, { "ts", "time" }, { "date", "time" },
    { "start_time", "time" },
    { "model", "model" }, { "model_id", "model" }, { "snapshot_id", "model" },
    { "environment", "environment" }, { "env", "environment" },
    { "application", "application" }, { "app", "application" }, { "project", "application" },
    { "project_id", "application" },
    { "input_tokens", "input_tokens" }, { "prompt_tokens", "input_tokens" },
    { "n_context_tokens_total", "input_tokens" },
    { "output_tokens", "output_tokens" }, { "completion_tokens", "output_tokens" },
    { "n_generated_tokens_total", "output_tokens" },
    { "requests", "requests" }, { "num_model_requests", "requests" },
    { "n_requests", "requests" }, { "num_requests", "requests" },
    { "cost", "cost" }, { "cost_usd", "cost" }, { "amount", "cost" },
    { "idempotency_key", "idempotency_key" }, { "key", "idempotency_key" },
    { "id", "idempotency_key" }, { "request_id", "idempotency_key" },
    { "ok", "ok" },
};

/* One CSV record from *p (RFC 4180: quoted fields with "" for a quote,
 * CRLF or LF), its fields into f (at most max); *line advances over the
 * record's line breaks. Returns the number of fields, -1 for an unclosed
 * quote, -2 for more than max fields. */
static int
csv_record(lw_pool *pool, const char **p, const char *end, char **f, int max, long *line)
{
    lw_buf cell = { 0 };
    const char *s = *p;
    int n = 0, quoted, done = 0;

    while (!done) {
        lw_buf_reset(&cell);
        quoted = s < end && *s == '"';
        if (quoted)
            s++;
        for (;;) {
            if (s >= end) {
                if (quoted) {
                    lw_buf_free(&cell);
                    return -1;
                }
                done = 1;
                break;
            }
            if (quoted && *s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    lw_buf_putc(&cell, '"');
                    s += 2;
                    continue;
                }
                quoted = 0;
                s++;
                continue;
            }
            if (!quoted && (*s == ',' || *s == '\n' || *s == '\r'))
                break;
            if (*s == '\n')
                (*line)++;
            lw_buf_putc(&cell, *s++);
        }
        if (n == max) {
            lw_buf_free(&cell);
            return -2;
        }
        f[n++] = lw_pool_strndup(pool, cell.data ? cell.data : "", cell.len);
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        if (s < end && *s == '\r')
            s++;
        if (s < end && *s == '\n')
            s++;
        done = 1;
    }
    lw_buf_free(&cell);
    *p = s;
    return n;
}

#define CSV_MAX_COLUMNS 64

int
lw_usage_parse_csv(lw_usage_batch *b, const char *text, size_t len, lw_err *err)
{
    const char *p = text, *end = text + len, *map[CSV_MAX_COLUMNS];
    char *f[CSV_MAX_COLUMNS];
    json_object *o;
    long line = 1, start;
    int n, nh, i, rc = LW_OK, have_time = 0, have_model = 0;
    size_t k;

    if (memchr(text, '\0', len) != NULL || !lw_utf8_valid(text, len)) {
        lw_err_set(err, "the file is not UTF-8 text");
        return LW_EINVAL;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p += 3;                       /* a spreadsheet's byte order mark */
    nh = csv_record(b->pool, &p, end, f, CSV_MAX_COLUMNS, &line);
    if (nh <= 0) {
        lw_err_set(err, "line 1: the header row is missing or malformed (it names the columns: "
                   "time, model, input_tokens, output_tokens, ...)");
        return LW_EINVAL;
    }
    for (i = 0; i < nh; i++) {
        map[i] = NULL;
        for (k = 0; k < LW_ARRAY_LEN(csv_names); k++)
            if (strcasecmp(f[i], csv_names[k].name) == 0)
                map[i] = csv_names[k].field;
        have_time |= map[i] != NULL && strcmp(map[i], "time") == 0;
        have_model |= map[i] != NULL && strcmp(map[i], "model") == 0;
    }
    if (!have_time || !have_model) {
        lw_err_set(err, "line 1: the header row names no %s column", have_time ? "model" : "time");
        return LW_EINVAL;
    }
    line++;
    while (rc == LW_OK && p < end) {
        start = line;
        n = csv_record(b->pool, &p, end, f, CSV_MAX_COLUMNS, &line);
        line++;
        if (n == 1 && f[0][0] == '\0')
            continue;                 /* a blank line */
        if (n < 0 || n != nh) {
            b->rows++;
            rc = row_error(b, start, "row", n == -1 ? "a quoted field is not closed"
                           : "has %d fields where the header has %d", n, nh);
            if (n == -1)
                break;
            continue;
        }
        o = json_object_new_object();
        for (i = 0; i < nh; i++)
            if (map[i] != NULL && f[i][0] != '\0')
                json_object_object_add(o, map[i], json_object_new_string(f[i]));
        rc = lw_usage_add_json(b, o, start);
        json_object_put(o);
    }
    return rc;
}

/* ---- names, retention, keys ---- */

int
lw_usage_metric_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    return n >= 1 && n <= 63 && name[0] >= 'a' && name[0] <= 'z'
           && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

int
lw_usage_find_model(const PGresult *models, const char *model, const char *environment)
{
    int i, col, found, n = PQntuples(models);

    for (col = 1; col <= 2; col++) {
        found = -1;
        for (i = 0; i < n; i++) {
            if (!lw_streq(lw_db_str(models, i, col), model))
                continue;
            if (environment != NULL && !lw_streq(lw_db_str(models, i, 4), environment))
                continue;
            if (found >= 0 && lw_db_int(models, found, 3) != lw_db_int(models, i, 3))
                return -2;
            if (found < 0)
                found = i;
        }
        if (found >= 0)
            return found;
    }
    return -1;
}

/* The key of a row without one: its content and how many identical rows
 * came before it, so the same file gives the same keys every time. */
static const char *
derived_key(lw_usage_batch *b, const lw_usage_row *r, size_t index)
{
    uint8_t d[LW_CRYPTO_SHA256_LEN];
    char hex[2 * LW_CRYPTO_SHA256_LEN + 1], *s;
    const lw_usage_row *q;
    size_t i, same = 0;

    for (i = 0; i < index; i++) {
        q = &b->v[i];
        same += q->key_derived && q->ts_us == r->ts_us && q->model_id == r->model_id
                && q->environment_id == r->environment_id && q->input_tokens == r->input_tokens
                && q->output_tokens == r->output_tokens && q->requests == r->requests
                && lw_streq(q->cost, r->cost) && lw_streq(q->application, r->application)
                && q->ok == r->ok;
    }
    s = lw_pool_printf(b->pool, "%lld|%lld|%lld|%lld|%lld|%lld|%s|%s|%d|%zu", r->model_id,
                       r->environment_id, (long long) r->ts_us, (long long) r->input_tokens,
                       (long long) r->output_tokens, (long long) r->requests,
                       r->cost ? r->cost : "", r->application ? r->application : "", r->ok, same);
    if (s == NULL || lw_crypto_sha256(s, strlen(s), d) != LW_OK)
        return NULL;
    lw_crypto_hex(d, sizeof(d), hex);
    return lw_pool_printf(b->pool, "sha256:%s", hex);
}

static int
key_order(const void *a, const void *c)
{
    const lw_usage_row *const *x = a, *const *y = c;
    int k = strcmp((*x)->key, (*y)->key);

    return k != 0 ? k : (*x)->line < (*y)->line ? -1 : (*x)->line > (*y)->line;
}

int
lw_usage_resolve(lw_usage_batch *b, const PGresult *models, int64_t keep_from_us, int64_t now_us)
{
    const lw_usage_row **sorted;
    char day[40];
    size_t i;
    int m, rc = LW_OK, derived = 0;

    for (i = 0; rc == LW_OK && i < b->n; i++) {
        lw_usage_row *r = &b->v[i];

        m = lw_usage_find_model(models, r->model, r->environment);
        if (m < 0) {
            rc = row_error(b, r->line, "model", m == -2 ? "'%s' is a model of several "
                           "environments: name the environment" : "no model '%s'%s%s is known "
                           "(an llmwatch name or a provider's model id)", r->model,
                           m == -2 || !r->environment ? "" : " in environment ",
                           m == -2 || !r->environment ? "" : r->environment);
            continue;
        }
        r->model_id = lw_db_int(models, m, 0);
        r->environment_id = lw_db_int(models, m, 3);
        if (r->ts_us > now_us + FUTURE_SLACK_US)
            rc = row_error(b, r->line, "time", "is in the future");
        else if (keep_from_us > 0 && r->ts_us < keep_from_us)
            rc = row_error(b, r->line, "time", "is before %s, the start of the retention",
                           lw_time_format((time_t) (keep_from_us / 1000000), LW_TIME_DAY, day,
                                          sizeof(day)));
    }
    if (rc != LW_OK || b->n_errors > 0)
        return rc;
    for (i = 0; i < b->n; i++) {
        b->v[i].key_derived = b->v[i].key == NULL;
        derived |= b->v[i].key_derived;
    }
    /* a derived key counts the identical rows before its row */
    for (i = 0; derived && i < b->n; i++)
        if (b->v[i].key_derived && (b->v[i].key = derived_key(b, &b->v[i], i)) == NULL)
            return LW_ENOMEM;
    b->keys_derived = derived;
    sorted = lw_pool_alloc(b->pool, (b->n + 1) * sizeof(*sorted));
    if (sorted == NULL)
        return LW_ENOMEM;
    for (i = 0; i < b->n; i++)
        sorted[i] = &b->v[i];
    qsort(sorted, b->n, sizeof(*sorted), key_order);
    for (i = 1; rc == LW_OK && i < b->n; i++)
        if (strcmp(sorted[i]->key, sorted[i - 1]->key) == 0)
            rc = row_error(b, sorted[i]->line, "idempotency_key", "the same key as line %ld",
                           sorted[i - 1]->line);
    return rc;
}

int
lw_usage_to_json(const lw_usage_batch *b, lw_buf *out)
{
    char ts[48], day[40];
    size_t i;
    int rc = lw_buf_putc(out, '[');

    for (i = 0; rc == LW_OK && i < b->n; i++) {
        const lw_usage_row *r = &b->v[i];
        json_object *o = json_object_new_object();

        /* "2025-01-07 10:00:00.123456+00": exact to the microsecond */
        lw_time_format((time_t) (r->ts_us / 1000000), LW_TIME_SQL, day, sizeof(day));
        snprintf(ts, sizeof(ts), "%.19s.%06lld+00", day, (long long) (r->ts_us % 1000000));
        json_object_object_add(o, "key", json_object_new_string(r->key));
        json_object_object_add(o, "ts", json_object_new_string(ts));
        json_object_object_add(o, "model_id", json_object_new_int64(r->model_id));
        json_object_object_add(o, "environment_id", json_object_new_int64(r->environment_id));
        json_object_object_add(o, "application",
                               r->application ? json_object_new_string(r->application) : NULL);
        json_object_object_add(o, "input_tokens", json_object_new_int64(r->input_tokens));
        json_object_object_add(o, "output_tokens", json_object_new_int64(r->output_tokens));
        json_object_object_add(o, "requests", json_object_new_int64(r->requests));
        /* exact: numeric reads the text, never a double */
        json_object_object_add(o, "cost", r->cost ? json_object_new_string(r->cost) : NULL);
        json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
        rc = lw_buf_printf(out, "%s%s", i ? "," : "",
                           json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    }
    return rc == LW_OK ? lw_buf_putc(out, ']') : rc;
}
