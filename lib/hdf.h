/* hdf.h: page data for templates (pages, reports, HTML mail): ClearSilver's
 * HDF behind setters with a sticky failure flag, usable without including
 * ClearSilver (whose headers define BOOL, MIN, MAX...). Rendering is in
 * render.h; the implementation in render.c. */
#ifndef LW_HDF_H
#define LW_HDF_H

#include <libpq-fe.h>

#include "lw.h"

/* Page data. Zero-initialise, then lw_hdf_init; lw_hdf_destroy frees. A
 * setter that fails (out of memory, a name ClearSilver refuses) sets
 * `failed` and keeps the first message in `err`; later setters do nothing,
 * and lw_render refuses to render a failed HDF. Names are code (literals
 * or built from integers), values are data: user and database strings
 * only ever enter as values. */
struct _hdf;     /* ClearSilver's HDF, without its macros */
typedef struct {
    struct _hdf *hdf;
    int          failed;
    lw_err       err;
} lw_hdf;

int  lw_hdf_init(lw_hdf *h);        /* LW_OK or LW_ENOMEM (then failed is set) */
void lw_hdf_destroy(lw_hdf *h);
/* name = value (copied); a NULL value leaves the node unset. */
void lw_hdf_set(lw_hdf *h, const char *name, const char *value);
void lw_hdf_set_int(lw_hdf *h, const char *name, long long value);
/* Row `row` of res under prefix: prefix.<column> = value. Column names are
 * those of our own SQL (code, not data). SQL NULL leaves the node unset;
 * booleans become "1"/"0"; a column named *_ms also gets *_ms_h, the
 * duration for people (lw_fmt_ms: "612 ms", "1.85 s"). */
void lw_hdf_row(lw_hdf *h, const char *prefix, const PGresult *res, int row);
/* Every row: prefix.0.<column>, prefix.1.<column>, ... */
void lw_hdf_rows(lw_hdf *h, const char *prefix, const PGresult *res);

#endif
