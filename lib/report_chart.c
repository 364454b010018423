/* report_chart.c: daily availability, drawn two ways. The reports' bars:
 * one column per day over a date axis, coloured against the objective,
 * days without a probe drawn apart (grey, "no data": never up). /sla's
 * strips: a thin row of cells per model, the same colours, the value on
 * hover, so fifty models fit on a screen (a status history, as status
 * pages draw it). The same SVG promises as lib/chart.h (escaped text,
 * presentation attributes only), with its tick helpers. */
#include "report_sla.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "html.h"
#include "times.h"

#define W 640
#define H 198
#define LEFT 60.0
#define RIGHT 12.0
#define TOP 34.0
#define BOTTOM 36.0

#define TRY(x) do { if ((x) != LW_OK) return LW_ENOMEM; } while (0)

static int
label(lw_buf *out, double x, double y, const char *attrs, const char *s)
{
    TRY(lw_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs));
    TRY(lw_html_escape(out, s));
    return lw_buf_puts(out, "</text>\n");
}

int
lw_report_chart_days(lw_buf *out, const char *title, const double *day, const double *pct,
                     size_t n, double objective_pct)
{
    double lo = objective_pct, first, last, step, v, x, y, bw, px1 = W - RIGHT, py1 = H - BOTTOM;
    char buf[96];
    time_t t;
    struct tm tm;
    size_t i, every;
    int k;

    for (i = 0; i < n; i++)
        if (isfinite(pct[i]) && pct[i] < lo)
            lo = pct[i];
    lo = fmax(0, lo - fmax((100 - lo) * 0.25, 0.01));
    lw_chart_ticks(lo, 100, 4, &first, &last, &step);
    if (last > 100)
        last = 100;
    if (first < 0)
        first = 0;
    TRY(lw_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lw-chart lw-days\" "
                      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                      "font-family=\"sans-serif\" font-size=\"11\" aria-label=\"", W, H, W, H));
    TRY(lw_html_escape(out, title));
    TRY(lw_buf_puts(out, "\">\n<title>"));
    TRY(lw_html_escape(out, title));
    TRY(lw_buf_printf(out, "</title>\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
                      "fill=\"#ffffff\"/>\n", W, H));
    TRY(label(out, W / 2.0, 16, "text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\"",
              title));
    /* value axis: availability in percent */
    for (k = 0, v = first; v <= last + step * 1e-6 && k < 50; k++, v = first + k * step) {
        y = py1 - (v - first) / (last - first) * (py1 - TOP);
        TRY(lw_buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                          "stroke=\"#e0e0e0\" stroke-width=\"1\"/>\n", LEFT, y, px1, y));
        snprintf(buf, sizeof(buf), "%.*f%%", step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3, v);
        TRY(label(out, LEFT - 6, y + 4, "text-anchor=\"end\" fill=\"#444444\"", buf));
    }
    snprintf(buf, sizeof(buf), "text-anchor=\"middle\" fill=\"#444444\" "
             "transform=\"rotate(-90 12 %.1f)\"", (TOP + py1) / 2);
    TRY(label(out, 12, (TOP + py1) / 2, buf, "availability"));
    bw = n > 0 ? (px1 - LEFT) / (double) n : 0;
    for (i = 0; i < n; i++) {
        x = LEFT + i * bw;
        lw_time_format((time_t) day[i], LW_TIME_DAY, buf, sizeof(buf));
        if (!isfinite(pct[i])) {
            TRY(lw_buf_printf(out, "<rect class=\"lw-day lw-day-unknown\" x=\"%.2f\" y=\"%.1f\" "
                              "width=\"%.2f\" height=\"%.1f\" fill=\"#d9d9d9\"><title>", x + (bw > 3 ? 0.5 : 0),
                              TOP, fmax(bw - (bw > 3 ? 1 : 0), 0.5), py1 - TOP));
            TRY(lw_html_escape(out, buf));
            TRY(lw_buf_puts(out, ": no probe (unknown)</title></rect>\n"));
            continue;
        }
        v = fmin(fmax(pct[i], first), last);
        y = py1 - (v - first) / (last - first) * (py1 - TOP);
        TRY(lw_buf_printf(out, "<rect class=\"lw-day\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
                          "height=\"%.1f\" fill=\"%s\"><title>", x + (bw > 3 ? 0.5 : 0), y,
                          fmax(bw - (bw > 3 ? 1 : 0), 0.5), fmax(py1 - y, 1),
                          pct[i] >= objective_pct ? "#009E73" : "#D55E00"));
        TRY(lw_html_escape(out, buf));
        TRY(lw_buf_printf(out, ": %.3f%%</title></rect>\n", pct[i]));
    }
    /* date axis: about six labels */
    every = n > 6 ? (n + 5) / 6 : 1;
    for (i = 0; i < n; i += every) {
        t = (time_t) day[i];
        gmtime_r(&t, &tm);
        strftime(buf, sizeof(buf), n > 62 ? "%b %Y" : "%d %b", &tm);
        x = LEFT + (i + 0.5) * bw;
        TRY(lw_buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                          "stroke=\"#999999\" stroke-width=\"1\"/>\n", x, py1, x, py1 + 4));
        TRY(label(out, x, py1 + 16, "text-anchor=\"middle\" fill=\"#444444\"", buf));
    }
    TRY(lw_buf_printf(out, "<line class=\"lw-axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "stroke=\"#999999\" stroke-width=\"1\"/>\n", LEFT, py1, px1, py1));
    if (objective_pct >= first && objective_pct <= last) {
        y = py1 - (objective_pct - first) / (last - first) * (py1 - TOP);
        TRY(lw_buf_printf(out, "<line class=\"lw-ref\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                          "y2=\"%.1f\" stroke=\"#B00020\" stroke-width=\"1\" "
                          "stroke-dasharray=\"4 3\"/>\n", LEFT, y, px1, y));
        /* named above the plot, where no bar can hide it */
        TRY(lw_buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                          "stroke=\"#B00020\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n",
                          px1 - 118, TOP - 8, px1 - 100, TOP - 8));
        snprintf(buf, sizeof(buf), "objective %g%%", objective_pct);
        TRY(label(out, px1 - 96, TOP - 4, "fill=\"#B00020\"", buf));
    }
    TRY(label(out, (LEFT + px1) / 2, H - 6, "text-anchor=\"middle\" fill=\"#444444\"",
              "day (UTC); grey: no probe, unknown"));
    return lw_buf_puts(out, "</svg>\n");
}

/* A cell's colour: met, under the objective, no probe. */
static const char *
cell_fill(long long n, long long errors, double objective_pct)
{
    if (n <= 0)
        return "#d9d9d9";
    return 100.0 * (double) (n - errors) / (double) n >= objective_pct ? "#009E73" : "#D55E00";
}

int
lw_report_chart_strip(lw_buf *out, const char *label, const double *day, const long long *n,
                      const long long *errors, size_t ndays, double objective_pct)
{
    size_t per = ndays > LW_STRIP_MAX_CELLS ? 7 : 1, ncells = (ndays + per - 1) / per, c, i;
    long long cn, ce;
    double x, w = ncells > 0 ? (double) W / (double) ncells : 0, gap = w > 4 ? 1 : 0;
    char when[32], xs[32], ws[32];

    TRY(lw_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lw-chart lw-strip\" "
                      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" preserveAspectRatio=\"none\" "
                      "role=\"img\" aria-label=\"", W, LW_STRIP_HEIGHT, W, LW_STRIP_HEIGHT));
    TRY(lw_html_escape(out, label));
    /* cells are only their x and width: the group stretches them */
    TRY(lw_buf_printf(out, "\">\n<g transform=\"scale(1 %d)\">\n", LW_STRIP_HEIGHT));
    for (c = 0; c < ncells; c++) {
        cn = ce = 0;
        for (i = c * per; i < (c + 1) * per && i < ndays; i++) {
            cn += n[i];
            ce += errors[i];
        }
        x = c * w;
        snprintf(xs, sizeof(xs), "%.1f", x);
        snprintf(ws, sizeof(ws), "%.1f", fmax(w - gap, 0.5));
        lw_time_format((time_t) day[c * per], LW_TIME_DAY, when, sizeof(when));
        TRY(lw_buf_printf(out, "<rect x=\"%s\" width=\"%s\" height=\"1\" fill=\"%s\"><title>%s%s: ",
                          xs, ws, cell_fill(cn, ce, objective_pct), per > 1 ? "week of " : "", when));
        if (cn > 0)
            TRY(lw_buf_printf(out, "%.3f%%", 100.0 * (double) (cn - ce) / (double) cn));
        else
            TRY(lw_buf_puts(out, "no probe (unknown)"));
        TRY(lw_buf_puts(out, "</title></rect>\n"));
    }
    return lw_buf_puts(out, "</g>\n</svg>\n");
}
