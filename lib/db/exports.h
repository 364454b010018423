/* exports.h: measured data out of llmwatch as CSV, JSON or JSON Lines,
 * streamed by PostgreSQL's COPY ... TO STDOUT (the server formats the
 * rows; the client holds one row at a time, whatever the size), for
 * `llmwatch export` and the download links of the web pages.
 *
 * Levels: raw probes, or rollup rows (5m, 1h, 1d) with their measures
 * (percentiles from the rollup histograms). COPY takes no parameters, so
 * the values travel as session settings set by one parameterised
 * statement (set_config) and read back by the COPY's query. */
#ifndef LW_DB_EXPORTS_H
#define LW_DB_EXPORTS_H

#include "db/db.h"

typedef enum { LW_EXPORT_CSV, LW_EXPORT_JSON, LW_EXPORT_JSONL } lw_export_format;

typedef struct {
    long long        from, to;     /* Unix seconds, [from, to) */
    const char      *model;        /* a model's name; NULL: all */
    long long        model_id;     /* or its id (> 0); 0: by name or all */
    const char      *level;        /* "raw", "5m", "1h" or "1d" */
    lw_export_format format;
    long long        limit;        /* at most this many rows; 0: all */
} lw_export_spec;

/* Receives the output as it comes (a row, a header, brackets); returns
 * 0, or non-zero to stop (the export then fails with LW_EIO). */
typedef int (*lw_export_sink)(void *ctx, const char *data, size_t len);

/* "csv", "json", "jsonl" -> format; -1 when unknown. */
int lw_db_exports_format_parse(const char *s);
/* Whether s is a level ("raw", "5m", "1h", "1d"). */
int lw_db_exports_level_ok(const char *s);

/* How many rows the export will have (for a progress bar). LW_OK or
 * LW_EDB. */
int lw_db_exports_count(lw_db *db, lw_err *err, const lw_export_spec *s, long long *rows);

/* Runs the export, handing every piece to sink; *rows gets the rows
 * written. Leaves the connection as it found it. LW_OK, LW_EDB, LW_EIO
 * (the sink stopped) or LW_EINVAL (a bad level). */
int lw_db_exports_run(lw_db *db, lw_err *err, const lw_export_spec *s, lw_export_sink sink,
                      void *ctx, long long *rows);

/* ---- the Grafana dashboard (`llmwatch export grafana`) ----
 * Each panel of our dashboard as a PostgreSQL query over the rollups
 * (Grafana macros $__timeFrom() and $__timeTo(), the variable $model as a
 * LIKE pattern, '%' for all) and as PromQL over /metrics. A time series
 * query returns time, metric, value; a stat query metric (optional) and
 * value. */
typedef struct {
    const char *title;
    const char *type;        /* "timeseries" or "stat" */
    const char *unit;        /* Grafana's unit id */
    const char *sql;
    const char *promql;
    const char *legend;      /* PromQL legend format */
    int         w, h;        /* grid size (24 columns) */
} lw_grafana_panel;

const lw_grafana_panel *lw_db_exports_grafana(size_t *n);
/* The $model variable's query (PostgreSQL). */
const char *lw_db_exports_grafana_models_sql(void);

#endif
