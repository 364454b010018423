/* view.h: what several pages put into the HDF the same way: a list page
 * from one query, the flash message of a change that redirected back, a
 * runbook's Markdown, and the time range and chart frame of the dashboard
 * and model pages. Page handlers are in page_*.c (app.h). */
#ifndef LW_VIEW_H
#define LW_VIEW_H

#include <time.h>

#include "chart.h"
#include "db/dash.h"
#include "request.h"

/* A list page: every row of res under `rows` (rows.N.<column>), the page
 * title and the template. res is kept with the request and returned;
 * NULL (no database, or the query failed: message in r->err) returns NULL,
 * which the page answers with LW_EDB. */
PGresult *lw_view_list(lw_req *r, PGresult *res, const char *rows, const char *title,
                       const char *template);

/* The answer of a change that redirected back here ("/rules?deleted=1"):
 * when the query has `param` = `value`, Flash.message (fixed text, never
 * request data) and Flash.kind ("ok" or "error"). */
typedef struct {
    const char *param, *value, *message, *kind;
} lw_view_flash_msg;

/* The first message of the table whose parameter has its value. */
void lw_view_flash(lw_req *r, const lw_view_flash_msg *table, size_t n);

/* The answer to a change of one row by id, rc its outcome: a redirect to
 * `to` when it was made, the error page `status` saying `missing` when
 * there was nothing to change (LW_ENOTFOUND), rc itself otherwise. */
int lw_view_changed(lw_req *r, int rc, int status, const char *missing, const char *to);

/* Markdown (a runbook) to HTML under hdf_name, by cmark in safe mode (raw
 * HTML and unsafe links dropped: lw_html_markdown), so it may go out with
 * uvar:. Nothing for NULL or "". LW_OK or LW_ENOMEM. */
int lw_view_markdown(lw_req *r, const char *hdf_name, const char *markdown);

/* The silence that mutes row `row` of res now, from its silence_id and
 * silence_windows columns (lib/db/alerts.h): a one-off silence in force,
 * else the first matching maintenance window open at `now` (its last
 * opening began less than its duration ago: the evaluator's rule); 0 when
 * none mutes it. */
long long lw_view_silence(const PGresult *res, int row, time_t now);
/* Sets `rows`.N.silenced to that silence's id for each row of res muted
 * now; returns how many are. */
int lw_view_silenced(lw_req *r, const PGresult *res, const char *rows);

/* ---- the health of a model, the same on every page ----
 * critical  a firing critical alert on it (not silenced);
 * warning   a firing warning or info alert on it (not silenced), or, over
 *           the last hour (the last 24 hours when it had fewer than
 *           LW_HEALTH_MIN_PROBES there), availability under the target or
 *           p95 over its SLA target;
 * nodata    fewer than LW_HEALTH_MIN_PROBES probes in the last 24 hours
 *           and no firing alert;
 * ok        otherwise.
 * Silenced firing alerts do not colour a model; they are counted apart. */
#define LW_HEALTH_MIN_PROBES 3
typedef enum { LW_HEALTH_OK, LW_HEALTH_WARNING, LW_HEALTH_CRITICAL, LW_HEALTH_NODATA } lw_health;

typedef struct {
    lw_health   health;
    const char *word;          /* "ok", "warning", "critical", "not enough data" */
    const char *css;           /* "ok", "warn", "crit", "none" */
    const char *why;           /* one sentence for people (pool-owned) */
    const char *window;        /* "1h" or "24h": the window the figures are from */
    int         firing;        /* firing alerts on the model, silenced ones too */
    int         muted;         /* of which silenced */
} lw_view_health;

/* The health of row `row` of a models result (lw_db_models_overview or
 * lw_db_models_get: id, sla_target_ms, hour_*, day_*,
 * availability_target_pct) given the firing alerts (lw_db_alerts_list
 * with state 'firing'). */
void lw_view_model_health(lw_req *r, const PGresult *models, int row, const PGresult *firing,
                          time_t now, lw_view_health *out);
/* Puts it under prefix: .health (word), .health_css, .health_why,
 * .health_window, .firing, .muted. */
void lw_view_health_hdf(lw_req *r, const char *prefix, const lw_view_health *h);

/* The range of ?range= (the default when absent) into *rg, with the
 * selector's HDF (Ranges.N.key/label, Range.key/label). LW_EINVAL with
 * the message for people in r->err (a 400) for an unknown one. */
int lw_view_range(lw_req *r, lw_db_dash_range *rg);
/* A chart of the range: o zeroed, 640 x 260, titled "<what>, last <range>"
 * (the title text goes into title, size bytes). */
void lw_view_chart_opts(lw_chart_opts *o, char *title, size_t size, const char *what,
                        const lw_db_dash_range *rg);
/* A chart drawn into svg (rc: what drawing returned) under the HDF node
 * `name` (our own SVG: templates put it out with uvar:); svg is freed.
 * Returns rc. */
int lw_view_svg(lw_req *r, const char *name, lw_buf *svg, int rc);
/* The largest non-NULL value of column col (0 when none or no column):
 * the top of a chart's scale. */
double lw_view_col_max(const PGresult *res, const char *col);

/* The environment a page shows, from ?env=NAME (*env NULL: every
 * environment), and the selector's HDF that macros.cs's env_selector()
 * draws: EnvSelect.N.label, .href (this page with its other query
 * parameters and that env) and .current, "all" first; nothing when fewer
 * than two environments exist. Env.chosen is the name (for the page's own
 * links). LW_EINVAL (a 400, message in r->err) for
 * an unknown name; LW_EDB. The one call a page makes to offer it. */
int lw_view_env(lw_req *r, const char **env);

#endif
