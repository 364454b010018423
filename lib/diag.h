/* diag.h: a list of errors and warnings with their place in a file
 * (FILE:LINE:COL), collected whole so that a user sees every problem of a
 * config at once, not one per run. */
#ifndef LW_DIAG_H
#define LW_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "lw.h"

typedef enum { LW_DIAG_ERROR, LW_DIAG_WARNING } lw_diag_level;

typedef struct {
    lw_diag_level level;
    char *file;          /* owned by the lw_diag */
    int line, col;       /* 1-based; 0 when the problem has no position */
    char *msg;           /* owned by the lw_diag */
} lw_diag_entry;

/* A list of errors and warnings. Zero-initialise (or lw_diag_init);
 * lw_diag_free releases the entries. */
typedef struct {
    lw_diag_entry *v;
    size_t n, cap;
    int errors, warnings;
} lw_diag;

void lw_diag_init(lw_diag *d);
void lw_diag_free(lw_diag *d);
void lw_diag_add(lw_diag *d, lw_diag_level level, const char *file, int line, int col,
                 const char *fmt, ...) LW_PRINTF(6, 7);
void lw_diag_addv(lw_diag *d, lw_diag_level level, const char *file, int line, int col,
                  const char *fmt, va_list ap);
/* Orders entries by file position (stable); _from: only the entries from
 * index `from` on (those one load added). */
void lw_diag_sort(lw_diag *d);
void lw_diag_sort_from(lw_diag *d, size_t from);
/* "FILE:LINE:COL: error: message" (or "FILE: error: message") per line. */
void lw_diag_print(const lw_diag *d, FILE *fp);

#endif
