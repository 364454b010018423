/* request.c: parsing a FastCGI request into an lw_req (path, query, form,
 * cookies) and the helpers handlers use to answer. */
#include "request.h"
#include "timings.h"

#include <ClearSilver.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"

static lw_req_settings settings = { LW_SESSION_LIFETIME_DEFAULT, NULL, 10000 };

void
lw_req_setup(const lw_req_settings *s)
{
    settings = *s;
    if (settings.session_lifetime_s <= 0)
        settings.session_lifetime_s = LW_SESSION_LIFETIME_DEFAULT;
}

const lw_req_settings *
lw_req_settings_get(void)
{
    return &settings;
}

/* 1 when addr (n bytes) is one of the trusted proxies. */
static int
trusted(const char *addr, size_t n)
{
    const char *p = settings.trusted_proxies;
    size_t len;

    while (p != NULL && *p) {
        p += strspn(p, ", \t");
        len = strcspn(p, ", \t");
        if (len > 0 && len == n && memcmp(p, addr, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

/* Behind trusted proxies: the scheme they were asked with, and the client
 * as the last address in X-Forwarded-For that none of them added (a
 * client can write anything before it). */
static void
behind_proxy(lw_req *r)
{
    const char *proto = lw_req_env(r, "HTTP_X_FORWARDED_PROTO");
    const char *xff = lw_req_env(r, "HTTP_X_FORWARDED_FOR"), *end, *start, *item;
    size_t n;

    if (r->remote_addr == NULL || !trusted(r->remote_addr, strlen(r->remote_addr)))
        return;
    if (proto != NULL && strcasecmp(proto, "https") == 0)
        r->https = 1;
    end = xff != NULL ? xff + strlen(xff) : NULL;
    while (end != NULL && end > xff) {
        for (start = end; start > xff && start[-1] != ','; start--)
            ;
        item = start;
        n = (size_t) (end - start);
        end = start > xff ? start - 1 : xff;   /* the item before, next */
        while (n > 0 && (*item == ' ' || *item == '\t'))
            item++, n--;
        while (n > 0 && (item[n - 1] == ' ' || item[n - 1] == '\t'))
            n--;
        if (n == 0 || trusted(item, n))
            continue;
        if (n <= 45 && strspn(item, "0123456789abcdefABCDEF.:") >= n)
            r->remote_addr = lw_pool_strndup(r->pool, item, n);
        return;     /* not an address: trust nothing it says */
    }
}

static int
kv_add(lw_pool *p, lw_kvlist *l, const char *name, const char *value)
{
    lw_kv *items;
    size_t cap;

    if (l->n == l->cap) {
        cap = l->cap ? l->cap * 2 : 8;
        items = lw_pool_alloc(p, cap * sizeof(*items));
        if (items == NULL)
            return LW_ENOMEM;
        if (l->n)
            memcpy(items, l->items, l->n * sizeof(*items));
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n].name = name;
    l->items[l->n].value = value;
    l->n++;
    return LW_OK;
}

static const char *
kv_get(const lw_kvlist *l, const char *name)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return l->items[i].value;
    return NULL;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decoding into a pool copy of *len bytes (NUL included as
 * decoded); NULL for an invalid encoding. */
static char *
url_decode(lw_pool *p, const char *s, size_t n, int plus, size_t *len)
{
    char *out, *o;
    size_t i;
    int hi, lo;

    out = o = lw_pool_alloc(p, n + 1);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n)
                return NULL;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            *o++ = (char) (hi * 16 + lo);
            i += 2;
        } else if (s[i] == '+' && plus) {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    *len = (size_t) (o - out);
    return out;
}

char *
lw_req_url_decode(lw_pool *p, const char *s, size_t n, int plus)
{
    size_t len;
    char *out = url_decode(p, s, n, plus, &len);

    return out != NULL && memchr(out, '\0', len) == NULL ? out : NULL;
}

const char *
lw_req_text_problem(const char *s, size_t n)
{
    if (memchr(s, '\0', n) != NULL)
        return "contains a NUL character";
    if (!lw_utf8_valid(s, n))
        return "is not valid UTF-8";
    return NULL;
}

char *
lw_req_url_encode(lw_pool *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s), i;
    char *out, *o;
    unsigned char c;

    out = o = lw_pool_alloc(p, 3 * n + 1);
    if (out == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        c = (unsigned char) s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            *o++ = (char) c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* Notes the first field PostgreSQL would refuse (a 400 before any page
 * runs): its name when that can be shown, and why. */
static void
bad_input(lw_req *r, const char *what, const char *name, size_t nlen, const char *problem,
          const char *name_problem)
{
    if (r->bad_input != NULL)
        return;
    if (name_problem != NULL || nlen > 64)
        r->bad_input = lw_pool_printf(r->pool, "A %s name %s.", what,
                                      name_problem ? name_problem : "is too long");
    else
        r->bad_input = lw_pool_printf(r->pool, "The %s '%s' %s.", what, name, problem);
}

/* "a=1&b=2" into l; pairs that do not decode are dropped, and so are
 * those with a NUL or invalid UTF-8 in them (noted in r->bad_input). */
static int
parse_urlencoded(lw_req *r, lw_kvlist *l, const char *what, const char *s, size_t len)
{
    const char *end = s + len, *amp, *eq, *np, *vp;
    char *name, *value;
    size_t nlen, vlen;

    while (s < end) {
        amp = memchr(s, '&', (size_t) (end - s));
        if (amp == NULL)
            amp = end;
        eq = memchr(s, '=', (size_t) (amp - s));
        if (amp > s) {
            if (eq == NULL)
                eq = amp;
            vlen = 0;
            name = url_decode(r->pool, s, (size_t) (eq - s), 1, &nlen);
            value = eq < amp ? url_decode(r->pool, eq + 1, (size_t) (amp - eq - 1), 1, &vlen)
                             : lw_pool_strdup(r->pool, "");
            if (name != NULL && value != NULL && nlen > 0) {
                np = lw_req_text_problem(name, nlen);
                vp = lw_req_text_problem(value, vlen);
                if (np != NULL || vp != NULL)
                    bad_input(r, what, name, nlen, vp, np);
                else if (kv_add(r->pool, l, name, value) != LW_OK)
                    return LW_ENOMEM;
            }
        }
        s = amp + 1;
    }
    return LW_OK;
}

/* "a=b; c=d": values are kept as sent (ours are hex tokens). */
static int
parse_cookies(lw_pool *p, lw_kvlist *l, const char *s)
{
    const char *semi, *eq, *end;
    char *name, *value;

    while (s != NULL && *s) {
        while (*s == ' ' || *s == '\t')
            s++;
        semi = strchr(s, ';');
        end = semi ? semi : s + strlen(s);
        eq = memchr(s, '=', (size_t) (end - s));
        if (eq != NULL && eq > s) {
            name = lw_pool_strndup(p, s, (size_t) (eq - s));
            value = lw_pool_strndup(p, eq + 1, (size_t) (end - eq - 1));
            if (name == NULL || value == NULL || kv_add(p, l, name, value) != LW_OK)
                return LW_ENOMEM;
        }
        s = semi ? semi + 1 : end;
    }
    return LW_OK;
}

const char *
lw_req_env(lw_req *r, const char *name)
{
    size_t n = strlen(name);
    char **e;

    for (e = r->env; e != NULL && *e != NULL; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

/* The request path: nginx's DOCUMENT_URI (already decoded and normalised),
 * else SCRIPT_NAME + PATH_INFO, else REQUEST_URI without its query. */
static const char *
request_path(lw_req *r)
{
    const char *s, *pi, *q;

    s = lw_req_env(r, "DOCUMENT_URI");
    if (s != NULL && s[0] == '/')
        return s;
    s = lw_req_env(r, "SCRIPT_NAME");
    pi = lw_req_env(r, "PATH_INFO");
    if ((s != NULL && s[0] == '/') || (pi != NULL && pi[0] == '/'))
        return lw_pool_printf(r->pool, "%s%s", s ? s : "", pi ? pi : "");
    s = lw_req_env(r, "REQUEST_URI");
    if (s != NULL && s[0] == '/') {
        q = strchr(s, '?');
        return lw_req_url_decode(r->pool, s, q ? (size_t) (q - s) : strlen(s), 0);
    }
    return "/";
}

int
lw_req_init(lw_req *r, char **env, lw_db **dbslot, const char *db_url)
{
    const char *s;

    memset(r, 0, sizeof(*r));
    r->env = env;
    r->dbslot = dbslot;
    r->db_url = db_url;
    r->status = 200;
    r->pool = lw_pool_create();
    if (r->pool == NULL || lw_hdf_init(&r->page) != LW_OK)
        return LW_ENOMEM;
    s = lw_req_env(r, "REQUEST_METHOD");
    r->method = s ? s : "GET";
    if (strcmp(r->method, "HEAD") == 0) {
        r->head = 1;
        r->method = "GET";
    }
    r->path = request_path(r);
    if (r->path == NULL)
        r->path = "/";
    s = lw_req_env(r, "QUERY_STRING");
    r->query = s ? s : "";
    r->remote_addr = lw_req_env(r, "REMOTE_ADDR");
    r->user_agent = lw_req_env(r, "HTTP_USER_AGENT");
    /* stored with the session: text the database takes, or nothing */
    if (r->user_agent != NULL && lw_req_text_problem(r->user_agent, strlen(r->user_agent)))
        r->user_agent = NULL;
    s = lw_req_env(r, "HTTPS");
    r->https = s != NULL && (strcmp(s, "on") == 0 || strcmp(s, "1") == 0);
    behind_proxy(r);
    s = lw_req_env(r, "CONTENT_LENGTH");
    r->content_length = (s != NULL && *s) ? strtoll(s, NULL, 10) : 0;
    if (r->content_length < 0)
        r->body_status = 400;
    else if (r->content_length > LW_MAX_BODY)
        r->body_status = 413;
    if (parse_urlencoded(r, &r->query_params, "parameter", r->query, strlen(r->query)) != LW_OK
        || parse_cookies(r->pool, &r->cookies, lw_req_env(r, "HTTP_COOKIE")) != LW_OK)
        return LW_ENOMEM;
    return LW_OK;
}

int
lw_req_set_body(lw_req *r, const char *body, size_t len)
{
    const char *ct = lw_req_env(r, "CONTENT_TYPE");

    if (len > LW_MAX_BODY) {
        r->body_status = 413;
        return LW_OK;
    }
    /* kept for JSON APIs (POST /api/v1/rules) */
    r->body_in = lw_pool_strndup(r->pool, body, len);
    if (r->body_in == NULL)
        return LW_ENOMEM;
    r->body_in_len = len;
    if (ct != NULL && strncmp(ct, "application/x-www-form-urlencoded", 33) == 0)
        return parse_urlencoded(r, &r->form, "field", body, len);
    return LW_OK;
}

void
lw_req_free(lw_req *r)
{
    lw_hdf_destroy(&r->page);
    lw_buf_free(&r->headers);
    lw_buf_free(&r->out);
    lw_pool_destroy(r->pool);
    r->pool = NULL;
}

lw_db *
lw_req_db(lw_req *r)
{
    char timeout[32];

    if (r->dbslot == NULL) {
        lw_err_set(&r->err, "no database configured");
        return NULL;
    }
    if (*r->dbslot == NULL) {
        *r->dbslot = lw_db_connect(r->db_url, "llmwatch-web", &r->err);
        if (*r->dbslot == NULL) {
            lw_log(LW_LOG_WARN, "%s", r->err.msg);
            return NULL;
        }
        /* a page's statement is cut after this (57014, answered 503) */
        snprintf(timeout, sizeof(timeout), "%lld",
                 lw_req_settings_get()->statement_timeout_ms > 0
                 ? lw_req_settings_get()->statement_timeout_ms : 10000);
        if (lw_db_exec(*r->dbslot, &r->err, "SELECT set_config('statement_timeout', $1, false)",
                       1, (const char *const[]) { timeout }) < 0)
            lw_log(LW_LOG_WARN, "statement timeout: %s", r->err.msg);
        if (r->timing.observing)
            lw_timings_watch(r, *r->dbslot);
    }
    return *r->dbslot;
}

const char *
lw_req_query(lw_req *r, const char *name)
{
    return kv_get(&r->query_params, name);
}

const char *
lw_req_param(lw_req *r, const char *name)
{
    const char *v = kv_get(&r->form, name);

    return v ? v : kv_get(&r->query_params, name);
}

const char *
lw_req_form(lw_req *r, const char *name)
{
    return kv_get(&r->form, name);
}

static void
clear_result(void *res)
{
    PQclear(res);
}

PGresult *
lw_req_keep(lw_req *r, PGresult *res)
{
    if (res != NULL && lw_pool_cleanup_add(r->pool, clear_result, res) != LW_OK) {
        PQclear(res);
        lw_err_set(&r->err, "out of memory");
        return NULL;
    }
    return res;
}

const char *
lw_req_cookie(lw_req *r, const char *name)
{
    return kv_get(&r->cookies, name);
}

const char *
lw_req_path_param(lw_req *r, const char *name)
{
    return kv_get(&r->path_params, name);
}

long long
lw_req_id(lw_req *r)
{
    const char *s = kv_get(&r->path_params, "id");

    return s ? strtoll(s, NULL, 10) : 0;
}

static int
id_value(lw_req *r, const char *name, const char *s, long long max, long long *out)
{
    int64_t v;

    if (s == NULL || s[0] == '\0')
        return 0;
    if (lw_parse_uint(s, strlen(s), max, &v) != LW_OK || v < 1) {
        lw_err_set(&r->err, "'%s' must be an id: a whole number from 1 to %lld.", name, max);
        return LW_EINVAL;
    }
    *out = v;
    return 1;
}

int
lw_req_query_id(lw_req *r, const char *name, long long max, long long *out)
{
    return id_value(r, name, lw_req_query(r, name), max, out);
}

int
lw_req_param_id(lw_req *r, const char *name, long long max, long long *out)
{
    return id_value(r, name, lw_req_param(r, name), max, out);
}

int
lw_req_add_header(lw_req *r, const char *name, const char *value)
{
    if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
        return LW_EINVAL;
    return lw_buf_printf(&r->headers, "%s: %s\r\n", name, value);
}

int
lw_req_set_cookie(lw_req *r, const char *name, const char *value,
                  const char *samesite, long max_age)
{
    char age[32] = "";

    if (strpbrk(value, ";, \t\r\n\"") != NULL)
        return LW_EINVAL;
    if (max_age >= 0)
        snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
    return lw_req_add_header(r, "Set-Cookie",
                             lw_pool_printf(r->pool, "%s=%s; Path=/; HttpOnly; SameSite=%s%s%s",
                                            name, value, samesite, age,
                                            r->https ? "; Secure" : ""));
}

int
lw_req_redirect(lw_req *r, const char *location)
{
    r->status = 303;
    r->template = NULL;
    return lw_req_add_header(r, "Location", location);
}

int
lw_req_error(lw_req *r, int status, const char *message)
{
    r->status = status;
    r->template = "error";
    r->body = NULL;
    r->error_message = lw_pool_strdup(r->pool, message);
    return LW_OK;
}

static void
free_buf(void *b)
{
    lw_buf_free(b);
}

lw_buf *
lw_req_buf(lw_req *r)
{
    lw_buf *b = lw_pool_alloc(r->pool, sizeof(*b));     /* zeroed */

    if (b == NULL || lw_pool_cleanup_add(r->pool, free_buf, b) != LW_OK)
        return NULL;
    return b;
}

int
lw_req_raw(lw_req *r, int status, const char *content_type,
           const char *body, size_t len)
{
    r->status = status;
    r->template = NULL;
    r->content_type = content_type;
    r->body = body;
    r->body_len = len;
    r->body_more = NULL;
    r->body_more_len = 0;
    return LW_OK;
}

int
lw_req_raw2(lw_req *r, int status, const char *content_type,
            const char *body, size_t len, const char *more, size_t more_len)
{
    lw_req_raw(r, status, content_type, body, len);
    r->body_more = more;
    r->body_more_len = more_len;
    return LW_OK;
}
