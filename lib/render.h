/* render.h: the one ClearSilver render path, shared by llmwatch-web's pages
 * and the worker's reports and HTML mail. Templates are read and parsed
 * once from a directory; a page is rendered inside a layout with
 * Config.VarEscapeMode=html set before cs_init, so every var: is
 * HTML-escaped; the HDF is filled through setters whose failures are
 * sticky (checked once, when rendering), not at every call.
 *
 * Include this only where something renders: ClearSilver's headers define
 * BOOL, TRUE, FALSE, MIN and MAX. */
#ifndef LW_RENDER_H
#define LW_RENDER_H

#include <ClearSilver.h>

#include "hdf.h"
#include "lw.h"

/* Loads every NAME.cs of `dir` (NAME of [a-z0-9_]) into memory and checks
 * that each page parses with macros.cs and layout.cs (files named
 * *layout.cs are layouts, not pages); LW_EIO/LW_EINVAL with "file:line:
 * ..." in err when one does not. Call once, before any thread renders. */
int  lw_render_init(const char *dir, lw_err *err);
void lw_render_shutdown(void);
/* True when a template NAME.cs ("dashboard") was loaded. */
int  lw_render_has(const char *name);

/* Renders template `page` ("dashboard") inside `layout` ("layout",
 * "print_layout"; the page defines the macros the layout calls) with h,
 * appending to out. LW_OK; LW_ENOMEM when h failed; LW_ERROR with
 * ClearSilver's message in err. */
int lw_render(lw_hdf *h, const char *page, const char *layout, lw_buf *out, lw_err *err);

/* Drops the whitespace templates' indentation leaves in out[from..]:
 * leading blanks of lines, blank lines and runs of blanks become one, as
 * ClearSilver's own stripper does it (cgi_html_ws_strip, level 2), which
 * keeps <pre>, <textarea> and <script> and attribute values as they are.
 * A page stored in the page cache goes out thousands of times; a
 * dashboard loses about 5% of its bytes. */
void lw_render_strip(lw_buf *out, size_t from);

#endif
