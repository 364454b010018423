/* render.c: the ClearSilver render path (see render.h). Templates are
 * read and checked once at start-up and kept in memory; each render builds
 * a CSPARSE on the caller's HDF (Config.VarEscapeMode=html before
 * cs_init), registers the escaping string functions, parses macros, page
 * and layout, and renders into an lw_buf. */
#include "render.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

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
parse_page(HDF *hdf, const char *page_file, const char *layout_file, CSPARSE **out)
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
        e = parse_template(cs, layout_file);
    if (e != STATUS_OK) {
        cs_destroy(&cs);
        return nerr_pass(e);
    }
    *out = cs;
    return STATUS_OK;
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
    lw_buf text = { 0 };
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
        if (lw_file_read(path, SIZE_MAX, &text, err) != LW_OK) {
            rc = LW_EIO;
            goto cleanup;
        }
        /* a file's last newline would be output before the doctype */
        while (text.len > 0 && (text.data[text.len - 1] == '\n' || text.data[text.len - 1] == ' '))
            text.data[--text.len] = '\0';
        templates[ntemplates].text = lw_buf_steal(&text);
        templates[ntemplates++].name = lw_strdup(names[i]->d_name);
    }
    if (!find_template("layout.cs") || !find_template("macros.cs") || !find_template("error.cs")) {
        lw_err_set(err, "%s must hold layout.cs, macros.cs and error.cs", dir);
        goto cleanup;
    }
    /* every page must parse with the macros and the layout, now */
    for (t = 0; t < ntemplates; t++) {
        len = strlen(templates[t].name);
        if (strcmp(templates[t].name, "macros.cs") == 0
            || (len >= 9 && strcmp(templates[t].name + len - 9, "layout.cs") == 0))
            continue;
        e = hdf_init(&hdf);
        if (e == STATUS_OK)
            e = parse_page(hdf, templates[t].name, "layout.cs", &cs);
        cs_destroy(&cs);
        hdf_destroy(&hdf);
        if (e != STATUS_OK) {
            neo_error(err, "template does not parse", e);
            goto cleanup;
        }
    }
    rc = LW_OK;
cleanup:
    lw_buf_free(&text);
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
lw_render_has(const char *name)
{
    char file[80];

    snprintf(file, sizeof(file), "%s.cs", name);
    return find_template(file) != NULL;
}


/* ---- HDF ---- */

/* the first failure is kept, later setters do nothing */
static void
hdf_fail(lw_hdf *h, const char *what, NEOERR *e)
{
    if (!h->failed) {
        if (e != NULL)
            neo_error(&h->err, what, e);
        else
            lw_err_set(&h->err, "%s: out of memory", what);
    } else if (e != NULL) {
        nerr_ignore(&e);
    }
    h->failed = 1;
}

int
lw_hdf_init(lw_hdf *h)
{
    NEOERR *e;

    memset(h, 0, sizeof(*h));
    e = hdf_init(&h->hdf);
    if (e != STATUS_OK) {
        h->hdf = NULL;
        hdf_fail(h, "hdf_init", e);
        return LW_ENOMEM;
    }
    return LW_OK;
}

void
lw_hdf_destroy(lw_hdf *h)
{
    if (h->hdf != NULL)
        hdf_destroy(&h->hdf);
    h->hdf = NULL;
}

void
lw_hdf_set(lw_hdf *h, const char *name, const char *value)
{
    NEOERR *e;

    if (value == NULL || h->failed)
        return;
    if (h->hdf == NULL) {
        hdf_fail(h, name, NULL);
        return;
    }
    e = hdf_set_value(h->hdf, name, value);
    if (e != STATUS_OK)
        hdf_fail(h, name, e);
}

void
lw_hdf_set_int(lw_hdf *h, const char *name, long long value)
{
    char s[32];

    snprintf(s, sizeof(s), "%lld", value);
    lw_hdf_set(h, name, s);
}

#define BOOLOID 16

void
lw_hdf_row(lw_hdf *h, const char *prefix, const PGresult *res, int row)
{
    char name[256], human[32];
    const char *v, *col;
    size_t clen;
    int c;

    for (c = 0; c < PQnfields(res) && !h->failed; c++) {
        if (PQgetisnull(res, row, c))
            continue;
        v = PQgetvalue(res, row, c);
        col = PQfname(res, c);
        if (PQftype(res, c) == BOOLOID)
            v = v[0] == 't' ? "1" : "0";
        snprintf(name, sizeof(name), "%s.%s", prefix, col);
        lw_hdf_set(h, name, v);
        clen = strlen(col);
        if (clen > 3 && strcmp(col + clen - 3, "_ms") == 0) {
            lw_fmt_ms(strtod(v, NULL), human, sizeof(human));
            snprintf(name, sizeof(name), "%s.%s_h", prefix, col);
            lw_hdf_set(h, name, human);
        }
    }
}

void
lw_hdf_rows(lw_hdf *h, const char *prefix, const PGresult *res)
{
    char p[200];
    int i;

    for (i = 0; i < PQntuples(res) && !h->failed; i++) {
        snprintf(p, sizeof(p), "%s.%d", prefix, i);
        lw_hdf_row(h, p, res, i);
    }
}

/* ---- rendering ---- */

int
lw_render(lw_hdf *h, const char *page, const char *layout, lw_buf *out, lw_err *err)
{
    CSPARSE *cs = NULL;
    char file[80], lfile[80];
    NEOERR *e;

    if (h->failed) {
        lw_err_set(err, "page data: %s", h->err.msg);
        return LW_ENOMEM;
    }
    if (page == NULL || !lw_render_has(page) || layout == NULL || !lw_render_has(layout)) {
        lw_err_set(err, "no template %s in %s", page ? page : "(none)", layout ? layout : "(none)");
        return LW_ERROR;
    }
    snprintf(file, sizeof(file), "%s.cs", page);
    snprintf(lfile, sizeof(lfile), "%s.cs", layout);
    e = parse_page(h->hdf, file, lfile, &cs);
    if (e == STATUS_OK)
        e = cs_render(cs, out, buf_output);
    cs_destroy(&cs);
    if (e != STATUS_OK) {
        neo_error(err, file, e);
        return LW_ERROR;
    }
    return LW_OK;
}

void
lw_render_strip(lw_buf *out, size_t from)
{
    STRING s;

    if (out->data == NULL || out->len <= from || out->len - from > INT_MAX)
        return;
    /* ClearSilver's STRING over our buffer: the stripper only shortens */
    s.buf = out->data + from;
    s.len = (int) (out->len - from);
    s.max = s.len + 1;
    cgi_html_ws_strip(&s, 2);
    out->len = from + (size_t) s.len;
    out->data[out->len] = '\0';
}
