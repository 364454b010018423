/* render.c: templates are read and checked once at start-up, kept in
 * memory, and rendered per request: HDF (Config.VarEscapeMode=html) ->
 * cs_init -> cgi_register_strfuncs -> parse macros, page, layout ->
 * cs_render into an lw_buf -> one response written to the FastCGI stream. */
#include "render.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEMPLATES 64

struct template {
    char *name;     /* "dashboard.cs" */
    char *text;
};

/* Filled by lw_render_init before any thread starts, read-only after. */
static struct template templates[MAX_TEMPLATES];
static size_t ntemplates;
/* Templates are parsed under their full path: ClearSilver reopens the file
 * to find the line of a parse error, and only a real path gives it. */
static char template_dir[2048];

static const char default_csp[] =
    "default-src 'self'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static const struct template *
find_template(const char *name)
{
    size_t i, n = strlen(template_dir);

    if (n > 0 && strncmp(name, template_dir, n) == 0 && name[n] == '/')
        name += n + 1;
    for (i = 0; i < ntemplates; i++)
        if (strcmp(templates[i].name, name) == 0)
            return &templates[i];
    return NULL;
}

/* CSFILELOAD: templates (include: too) come from memory; the parser owns
 * and frees the copy. */
static NEOERR *
template_load(void *ctx, HDF *hdf, const char *filename, char **contents)
{
    const struct template *t = find_template(filename);

    (void) ctx;
    (void) hdf;
    if (t == NULL)
        return nerr_raise(NERR_NOT_FOUND, "no template %s", filename);
    *contents = strdup(t->text);
    if (*contents == NULL)
        return nerr_raise(NERR_NOMEM, "out of memory");
    return STATUS_OK;
}

static NEOERR *
buf_output(void *ctx, char *s)
{
    if (lw_buf_puts(ctx, s) != LW_OK)
        return nerr_raise(NERR_NOMEM, "out of memory");
    return STATUS_OK;
}

/* The NEOERR's message into err, then the chain is freed. */
static void
neo_error(lw_err *err, const char *what, NEOERR *e)
{
    STRING s;

    string_init(&s);
    nerr_error_string(e, &s);
    lw_err_set(err, "%s: %s", what, s.buf ? s.buf : "unknown ClearSilver error");
    string_clear(&s);
    nerr_ignore(&e);
}

static NEOERR *
parse_template(CSPARSE *cs, const char *name)
{
    char path[sizeof(template_dir) + 80];

    snprintf(path, sizeof(path), "%s/%s", template_dir, name);
    return cs_parse_file(cs, path);
}

/* Parses macros, page and layout into a fresh CSPARSE on hdf. */
static NEOERR *
parse_page(HDF *hdf, const char *page_file, CSPARSE **out)
{
    CSPARSE *cs = NULL;
    NEOERR *e;

    *out = NULL;
    /* before cs_init: var: then escapes & < > " ' everywhere */
    e = hdf_set_value(hdf, "Config.VarEscapeMode", "html");
    if (e == STATUS_OK)
        e = cs_init(&cs, hdf);
    if (e == STATUS_OK)
        e = cgi_register_strfuncs(cs);
    if (e == STATUS_OK) {
        cs_register_fileload(cs, NULL, template_load);
        e = parse_template(cs, "macros.cs");
    }
    if (e == STATUS_OK)
        e = parse_template(cs, page_file);
    if (e == STATUS_OK)
        e = parse_template(cs, "layout.cs");
    if (e != STATUS_OK) {
        cs_destroy(&cs);
        return nerr_pass(e);
    }
    *out = cs;
    return STATUS_OK;
}

static char *
read_all(const char *path, lw_err *err)
{
    lw_buf b = { 0 };
    char chunk[8192];
    size_t n;
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        lw_err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (lw_buf_append(&b, chunk, n) != LW_OK) {
            fclose(f);
            lw_buf_free(&b);
            lw_err_set(err, "out of memory");
            return NULL;
        }
    fclose(f);
    return lw_buf_steal(&b);
}

static int
template_name_ok(const char *n)
{
    size_t len = strlen(n), i;

    if (len < 4 || len > 64 || strcmp(n + len - 3, ".cs") != 0)
        return 0;
    for (i = 0; i < len - 3; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
            return 0;
    return 1;
}

int
lw_render_init(const char *dir, lw_err *err)
{
    struct dirent **names = NULL;
    char path[4096];
    HDF *hdf = NULL;
    CSPARSE *cs = NULL;
    NEOERR *e;
    int i, n, rc = LW_EINVAL;
    size_t t, len;

    lw_render_shutdown();
    if (strlen(dir) >= sizeof(template_dir)) {
        lw_err_set(err, "template directory name too long");
        return LW_EINVAL;
    }
    lw_strlcpy(template_dir, dir, sizeof(template_dir));
    n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        lw_err_set(err, "cannot read templates in %s: %s", dir, strerror(errno));
        return LW_EIO;
    }
    for (i = 0; i < n; i++) {
        if (!template_name_ok(names[i]->d_name))
            continue;
        if (ntemplates == MAX_TEMPLATES) {
            lw_err_set(err, "too many templates in %s", dir);
            goto cleanup;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        templates[ntemplates].text = read_all(path, err);
        if (templates[ntemplates].text == NULL) {
            rc = LW_EIO;
            goto cleanup;
        }
        /* a file's last newline would be output before the doctype */
        len = strlen(templates[ntemplates].text);
        while (len > 0 && (templates[ntemplates].text[len - 1] == '\n'
                           || templates[ntemplates].text[len - 1] == ' '))
            templates[ntemplates].text[--len] = '\0';
        templates[ntemplates++].name = lw_strdup(names[i]->d_name);
    }
    if (!find_template("layout.cs") || !find_template("macros.cs") || !find_template("error.cs")) {
        lw_err_set(err, "%s must hold layout.cs, macros.cs and error.cs", dir);
        goto cleanup;
    }
    /* every page must parse with the macros and the layout, now */
    for (t = 0; t < ntemplates; t++) {
        if (strcmp(templates[t].name, "layout.cs") == 0
            || strcmp(templates[t].name, "macros.cs") == 0)
            continue;
        e = hdf_init(&hdf);
        if (e == STATUS_OK)
            e = parse_page(hdf, templates[t].name, &cs);
        cs_destroy(&cs);
        hdf_destroy(&hdf);
        if (e != STATUS_OK) {
            neo_error(err, "template does not parse", e);
            goto cleanup;
        }
    }
    rc = LW_OK;
cleanup:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc != LW_OK)
        lw_render_shutdown();
    return rc;
}

void
lw_render_shutdown(void)
{
    size_t i;

    for (i = 0; i < ntemplates; i++) {
        free(templates[i].name);
        free(templates[i].text);
        templates[i].name = templates[i].text = NULL;
    }
    ntemplates = 0;
}

int
lw_render_has(const char *page)
{
    char name[80];

    snprintf(name, sizeof(name), "%s.cs", page);
    return find_template(name) != NULL;
}

int
lw_render_page(lw_req *r, lw_buf *body)
{
    CSPARSE *cs = NULL;
    char file[80];
    NEOERR *e;

    if (r->template == NULL || !lw_render_has(r->template)) {
        lw_err_set(&r->err, "no template for page %s", r->template ? r->template : "(none)");
        return LW_ERROR;
    }
    snprintf(file, sizeof(file), "%s.cs", r->template);
    e = parse_page(r->hdf, file, &cs);
    if (e == STATUS_OK)
        e = cs_render(cs, body, buf_output);
    cs_destroy(&cs);
    if (e != STATUS_OK) {
        neo_error(&r->err, file, e);
        return LW_ERROR;
    }
    return LW_OK;
}

static const char *
status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default:  return "Status";
    }
}

int
lw_render_response(lw_req *r, const char *content_type, const char *body,
                   size_t len)
{
    lw_buf *o = &r->out;
    int rc;

    lw_buf_reset(o);
    rc = lw_buf_printf(o,
        "Status: %d %s\r\n"
        "Content-Type: %s\r\n"
        "Content-Length: %zu\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "X-Frame-Options: DENY\r\n"
        "Referrer-Policy: same-origin\r\n"
        "Content-Security-Policy: %s\r\n"
        "Cache-Control: no-store\r\n"
        "%s\r\n",
        r->status, status_text(r->status), content_type ? content_type : "text/plain; charset=utf-8",
        len, r->csp ? r->csp : default_csp, r->headers.data ? r->headers.data : "");
    if (rc == LW_OK && !r->head && len > 0)
        rc = lw_buf_append(o, body, len);
    return rc;
}

int
lw_hdf_set(lw_req *r, const char *name, const char *value)
{
    NEOERR *e;

    if (value == NULL)
        return LW_OK;
    e = hdf_set_value(r->hdf, name, value);
    if (e != STATUS_OK) {
        neo_error(&r->err, name, e);
        return LW_ENOMEM;
    }
    return LW_OK;
}

int
lw_hdf_set_int(lw_req *r, const char *name, long long value)
{
    char s[32];

    snprintf(s, sizeof(s), "%lld", value);
    return lw_hdf_set(r, name, s);
}

void
lw_fmt_ms(double ms, char *buf, size_t size)
{
    long s;

    if (isnan(ms) || ms < 0)
        snprintf(buf, size, "-");
    else if (ms < 9.95)
        snprintf(buf, size, "%.1f ms", ms);
    else if (ms < 999.5)
        snprintf(buf, size, "%.0f ms", ms);
    else if (ms < 59995)
        snprintf(buf, size, "%.2f s", ms / 1000.0);
    else {
        s = lround(ms / 1000.0);
        snprintf(buf, size, "%ldm %02lds", s / 60, s % 60);
    }
}

#define BOOLOID 16

int
lw_hdf_row(lw_req *r, const char *prefix, const PGresult *res, int row)
{
    char name[256], human[64];
    const char *col, *v;
    size_t clen;
    int c, rc;

    for (c = 0; c < PQnfields(res); c++) {
        v = lw_db_str(res, row, c);
        if (v == NULL)
            continue;
        col = PQfname(res, c);
        if (PQftype(res, c) == BOOLOID)
            v = v[0] == 't' ? "1" : "0";
        snprintf(name, sizeof(name), "%s.%s", prefix, col);
        if ((rc = lw_hdf_set(r, name, v)) != LW_OK)
            return rc;
        clen = strlen(col);
        if (clen > 3 && strcmp(col + clen - 3, "_ms") == 0) {
            lw_fmt_ms(strtod(v, NULL), human, sizeof(human));
            snprintf(name, sizeof(name), "%s.%s_h", prefix, col);
            if ((rc = lw_hdf_set(r, name, human)) != LW_OK)
                return rc;
        }
    }
    return LW_OK;
}

int
lw_hdf_rows(lw_req *r, const char *prefix, const PGresult *res)
{
    char p[200];
    int i, rc;

    for (i = 0; i < PQntuples(res); i++) {
        snprintf(p, sizeof(p), "%s.%d", prefix, i);
        if ((rc = lw_hdf_row(r, p, res, i)) != LW_OK)
            return rc;
    }
    return LW_OK;
}
