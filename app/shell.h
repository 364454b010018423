/* shell.h: the site layout around a page served from the page cache,
 * remembered per request thread. A cache hit renders only the layout
 * (nav, user, CSRF token, title) around the stored content; a user who
 * reloads a page, or a dashboard that refreshes itself, asks for the same
 * layout again and again, and ClearSilver parsing it each time was most
 * of what a hit cost. The key is the whole page data written out
 * (hdf_write_string), so every value the layout could read is in it by
 * construction, and a change to any (a new CSRF token, a role, a replica
 * lag) renders afresh. Templates never change while the process runs. */
#ifndef LW_SHELL_H
#define LW_SHELL_H

#include "hdf.h"
#include "lw.h"
#include "render.h"

/* cached_page.cs inside layout.cs for h, appended to out: the remembered
 * output when this thread rendered the same data before, else rendered
 * (lw_render) and remembered. LW_OK, or lw_render's error in err. */
int  lw_shell_render(lw_hdf *h, lw_buf *out, lw_err *err);
/* Frees the calling thread's remembered layouts (at thread end). */
void lw_shell_thread_free(void);

#endif
