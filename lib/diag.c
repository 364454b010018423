/* diag.c: lists of errors and warnings with their file position (see
 * diag.h). */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void
lw_diag_init(lw_diag *d)
{
    memset(d, 0, sizeof(*d));
}

void
lw_diag_free(lw_diag *d)
{
    size_t i;

    if (d == NULL)
        return;
    for (i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].msg);
    }
    free(d->v);
    memset(d, 0, sizeof(*d));
}

void
lw_diag_addv(lw_diag *d, lw_diag_level level, const char *file, int line, int col,
             const char *fmt, va_list ap)
{
    lw_buf b = { 0 };
    lw_diag_entry *e;
    size_t cap;

    if (d == NULL)
        return;
    if (level == LW_DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
    if (d->n == d->cap) {
        cap = d->cap ? d->cap * 2 : 16;
        e = realloc(d->v, cap * sizeof(*e));
        if (e == NULL)
            return; /* counted, not kept: the caller still sees the failure */
        d->v = e;
        d->cap = cap;
    }
    if (lw_buf_vprintf(&b, fmt, ap) != LW_OK) {
        lw_buf_free(&b);
        return;
    }
    e = &d->v[d->n++];
    e->level = level;
    e->file = lw_strdup(file ? file : "");
    e->line = line;
    e->col = col;
    e->msg = lw_buf_steal(&b);
}

void
lw_diag_add(lw_diag *d, lw_diag_level level, const char *file, int line, int col,
            const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    lw_diag_addv(d, level, file, line, col, fmt, ap);
    va_end(ap);
}

/* Insertion sort of v[from..n): stable, and the lists are short. */
void
lw_diag_sort_from(lw_diag *d, size_t from)
{
    lw_diag_entry t;
    size_t i, j;

    for (i = from + 1; i < d->n; i++) {
        t = d->v[i];
        for (j = i; j > from && (d->v[j - 1].line > t.line ||
                                 (d->v[j - 1].line == t.line && d->v[j - 1].col > t.col)); j--)
            d->v[j] = d->v[j - 1];
        d->v[j] = t;
    }
}

void
lw_diag_sort(lw_diag *d)
{
    lw_diag_sort_from(d, 0);
}

void
lw_diag_print(const lw_diag *d, FILE *fp)
{
    const lw_diag_entry *e;
    size_t i;

    for (i = 0; i < d->n; i++) {
        e = &d->v[i];
        if (e->line > 0)
            fprintf(fp, "%s:%d:%d: %s: %s\n", e->file, e->line, e->col,
                    e->level == LW_DIAG_ERROR ? "error" : "warning", e->msg);
        else
            fprintf(fp, "%s: %s: %s\n", e->file,
                    e->level == LW_DIAG_ERROR ? "error" : "warning", e->msg);
    }
}
