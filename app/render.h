/* render.h: the one render path (HDF -> ClearSilver -> lw_buf -> FastCGI)
 * and the helpers pages use to put values into their HDF. */
#ifndef LW_RENDER_H
#define LW_RENDER_H

#include <ClearSilver.h>
#include <libpq-fe.h>
#include "request.h"

/* Loads every .cs file of `dir` into memory and parses each page
 * with macros.cs and layout.cs; LW_EIO/LW_EINVAL with "file:line: ..." in
 * err when one does not parse. Call once before the threads start. */
int  lw_render_init(const char *dir, lw_err *err);
void lw_render_shutdown(void);
/* True when a page template of that name was loaded. */
int  lw_render_has(const char *page);

/* Renders r->template inside the layout into body (appended). LW_OK, or
 * LW_ERROR with the ClearSilver message in r->err. */
int lw_render_page(lw_req *r, lw_buf *body);
/* Builds r->out: status line, headers, body (nothing for HEAD). */
int lw_render_response(lw_req *r, const char *content_type, const char *body,
                       size_t len);

/* ---- putting data into the HDF: names are code, values are data ---- */
/* Sets name = value (value copied; NULL leaves the node unset). */
int lw_hdf_set(lw_req *r, const char *name, const char *value);
int lw_hdf_set_int(lw_req *r, const char *name, long long value);
/* Copies row `row` of res under `prefix`: prefix.<column> = value. Column
 * names are those of our own SQL (code, not data). SQL NULL leaves the
 * node unset; booleans become "1"/"0"; a column named *_ms also gets
 * *_ms_h, the duration for people ("612 ms", "1.85 s"). */
int lw_hdf_row(lw_req *r, const char *prefix, const PGresult *res, int row);
/* Every row: prefix.0..., prefix.1..., */
int lw_hdf_rows(lw_req *r, const char *prefix, const PGresult *res);

/* A duration for people into buf: "0.8 ms", "612 ms", "1.85 s", "2m 05s". */
void lw_fmt_ms(double ms, char *buf, size_t size);

#endif
