/* chart.h: the one module llmwatch's charts come from (web pages, reports,
 * emails): line charts over time, histograms and bar charts, each a
 * self-contained <svg> string appended to an lw_buf.
 *
 * What the output promises, so every consumer can embed it as is:
 * - every text label (titles, axis labels, series and bar names) is
 *   XML-escaped, control characters become spaces and invalid UTF-8
 *   becomes U+FFFD, so the SVG is well-formed whatever the data;
 * - only presentation attributes (fill, stroke, font-size...): no <style>,
 *   no style="", no script, no external reference, so it passes the web
 *   app's Content-Security-Policy and renders the same in WeasyPrint and
 *   mail clients; elements carry class names (lw-bar, lw-line...) for
 *   pages that want to restyle them;
 * - time is UTC; empty data gives a frame saying "No data".
 * The caller computes the data (aggregations run in PostgreSQL); this
 * module only lays it out. */
#ifndef LW_CHART_H
#define LW_CHART_H

#include <stddef.h>

#include "lw.h"

typedef struct {
    int         width, height;   /* pixels; 0 = 640 x 240 (bars: height from the count) */
    const char *title;           /* drawn at the top and as <title>; NULL = none */
    const char *x_label;         /* under the x axis; NULL = none */
    const char *y_label;         /* along the y axis; NULL = none */
    const char *unit;            /* appended to value tick labels ("ms", "%"; "$"
                                    goes before); NULL = none */
    int         has_ref;         /* draw a dashed horizontal reference line at ref */
    double      ref;             /* (line charts: e.g. the SLA target) */
    const char *ref_label;
    /* line charts: colours[i] is series i's palette colour (a model keeps
     * its colour on every chart of every page); NULL = by series index */
    const int  *colours;
    /* line charts: a <title> per point in time listing every series'
     * value, which browsers show on hover (no script needed) */
    int         hover;
} lw_chart_opts;

/* How many colours the palette has (the swatch-N classes of the CSS). */
#define LW_CHART_COLOURS 8

/* A line over time: t[i] in unix seconds (UTC), v[i] the value; a NaN or
 * infinite value breaks the line (a gap). */
typedef struct {
    const char   *name;          /* legend entry; NULL = none */
    const double *t;
    const double *v;
    size_t        n;
    const char   *legend;        /* the legend's text when it says more than
                                    the name (a total); NULL = the name */
} lw_chart_series;

/* One histogram bin [lo, hi) and how many values fell in it. */
typedef struct {
    double lo, hi;
    double count;
} lw_chart_bin;

/* One bar of a bar chart. */
typedef struct {
    const char *label;
    double      value;
} lw_chart_bar;

/* Each returns 0, or LW_ENOMEM (out may then hold a partial chart). */
int lw_chart_line(lw_buf *out, const lw_chart_opts *o, const lw_chart_series *series,
                  size_t n);
/* Bins in any order; the x axis is numeric (unit from o->unit), y counts. */
int lw_chart_histogram(lw_buf *out, const lw_chart_opts *o, const lw_chart_bin *bins,
                       size_t n);
/* Horizontal bars from zero, one row per bar, labels on the left (cut with
 * an ellipsis when too long), the value at the end of each bar. */
int lw_chart_bars(lw_buf *out, const lw_chart_opts *o, const lw_chart_bar *bars, size_t n);


/* "Nice" axis ticks covering [lo, hi]: *step is 1, 2, 2.5 or 5 times a
 * power of ten, *first and *last multiples of it with first <= lo and
 * last >= hi, about `target` intervals. */
void lw_chart_ticks(double lo, double hi, int target, double *first, double *last,
                    double *step);
/* A time step in seconds (1 s ... 1 year) giving about `target` ticks. */
double lw_chart_time_step(double span_s, int target);

#endif
