/* chart.c: SVG line charts over time, histograms and bar charts as plain
 * strings (see chart.h for what the output promises). Layout only: the
 * numbers arrive computed. */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "html.h"

#define DEF_W 640
#define DEF_H 240
#define BAR_ROW 22
#define CHAR_W 6.5          /* average width of an 11px sans-serif character */

/* Okabe-Ito: distinguishable with the common colour-vision deficiencies */
static const char *const palette[] = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
};

#define TRY(x) do { if ((x) != LW_OK) return LW_ENOMEM; } while (0)

/* ---- text --------------------------------------------------------------- */


/* Characters (code points) in s, invalid bytes counting one each. */
static size_t
text_chars(const char *s)
{
    const unsigned char *p = (const unsigned char *) (s ? s : "");
    size_t n = strlen((const char *) p), k, chars = 0;
    unsigned cp;

    while (n > 0) {
        k = lw_utf8_seq(p, n, &cp);
        if (k == 0)
            k = 1;
        p += k;
        n -= k;
        chars++;
    }
    return chars;
}

/* Bytes of s holding its first `chars` characters. */
static size_t
prefix_bytes(const char *s, size_t chars)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t n = strlen(s), k, used = 0;
    unsigned cp;

    while (n > 0 && chars > 0) {
        k = lw_utf8_seq(p, n, &cp);
        if (k == 0)
            k = 1;
        p += k;
        n -= k;
        used += k;
        chars--;
    }
    return used;
}

/* <text x y [attrs]>label</text>, the label cut to max_chars (0 = no limit). */
static int
text(lw_buf *out, double x, double y, const char *attrs, const char *label, size_t max_chars)
{
    size_t chars = text_chars(label);

    TRY(lw_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\"%s%s>", x, y, attrs ? " " : "",
                      attrs ? attrs : ""));
    if (max_chars > 0 && chars > max_chars) {
        TRY(lw_html_escape_n(out, label, prefix_bytes(label, max_chars > 1 ? max_chars - 1 : 1)));
        TRY(lw_buf_puts(out, "\xE2\x80\xA6"));
    } else {
        TRY(lw_html_escape(out, label));
    }
    return lw_buf_puts(out, "</text>\n");
}

/* ---- numbers ------------------------------------------------------------- */

void
lw_chart_ticks(double lo, double hi, int target, double *first, double *last, double *step)
{
    double raw, mag, f, nice, s;

    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (hi < lo) {
        s = lo;
        lo = hi;
        hi = s;
    }
    if (hi - lo < 1e-12 * (fabs(lo) + fabs(hi)) || hi == lo) {
        if (lo == 0) {
            hi = 1;
        } else {
            s = fabs(lo) * 0.1;
            lo -= s;
            hi += s;
        }
    }
    if (target < 1)
        target = 1;
    raw = (hi - lo) / target;
    mag = pow(10, floor(log10(raw)));
    f = raw / mag;
    nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    s = nice * mag;
    *step = s;
    *first = floor(lo / s + 1e-9) * s;
    *last = ceil(hi / s - 1e-9) * s;
    if (*last <= *first)
        *last = *first + s;
}

double
lw_chart_time_step(double span_s, int target)
{
    static const double steps[] = {
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
        43200, 86400, 172800, 604800, 1209600, 2592000, 7776000, 31536000,
    };
    size_t i;

    if (target < 1)
        target = 1;
    for (i = 0; i < LW_ARRAY_LEN(steps); i++)
        if (span_s / steps[i] <= target)
            return steps[i];
    return steps[LW_ARRAY_LEN(steps) - 1] * ceil(span_s / target / steps[LW_ARRAY_LEN(steps) - 1]);
}

/* Decimals needed to write multiples of step exactly (at most 6). */
static int
step_decimals(double step)
{
    int d;
    double m;

    for (d = 0; d < 6; d++) {
        m = step * pow(10, d);
        if (fabs(m - round(m)) < 1e-6 * (m > 1 ? m : 1))
            break;
    }
    return d;
}

static void
unit_suffix(char *buf, size_t size, const char *unit)
{
    size_t len = strlen(buf);

    if (unit == NULL || *unit == '\0' || len + 1 >= size)
        return;
    if (strcmp(unit, "$") == 0) {           /* dollars go before: $0.05 */
        memmove(buf + 1, buf, len + 1);
        buf[0] = '$';
        return;
    }
    snprintf(buf + len, size - len, "%s%s", strcmp(unit, "%") == 0 ? "" : " ", unit);
}

/* A tick value: as many decimals as the step needs, k/M for big values. */
static void
fmt_tick(char *buf, size_t size, double v, double step, double maxabs, const char *unit)
{
    const char *suf = "";
    double scale = 1;

    if (maxabs >= 1e7 && step >= 1e6) {
        scale = 1e6;
        suf = "M";
    } else if (maxabs >= 1e4 && step >= 1e3) {
        scale = 1e3;
        suf = "k";
    }
    v /= scale;
    if (fabs(v) < 1e-12)
        v = 0;      /* no "-0" */
    snprintf(buf, size, "%.*f%s", step_decimals(step / scale), v, suf);
    unit_suffix(buf, size, unit);
}

/* A coordinate in tenths of a pixel, "56" rather than "56.0": a chart's
 * paths and hover bands are most of a dashboard's bytes. */
static const char *
coord(char *buf, size_t size, double v)
{
    size_t n;

    snprintf(buf, size, "%.1f", v);
    n = strlen(buf);
    if (n > 2 && strcmp(buf + n - 2, ".0") == 0)
        buf[n - 2] = '\0';
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    return buf;
}

/* A value for people: three or four significant digits. */
static void
fmt_value(char *buf, size_t size, double v, const char *unit)
{
    double a = fabs(v);

    if (a >= 100 || a == 0)
        snprintf(buf, size, "%.0f", v);
    else if (a >= 10)
        snprintf(buf, size, "%.1f", v);
    else if (a >= 1)
        snprintf(buf, size, "%.2f", v);
    else
        snprintf(buf, size, "%.3g", v);
    unit_suffix(buf, size, unit);
}

/* ---- frame --------------------------------------------------------------- */

struct frame {
    int    w, h;
    double px0, px1, py0, py1;      /* plot area: x left..right, y top..bottom */
    double x0, x1, y0, y1;          /* data range shown */
};

static double
sx(const struct frame *f, double x)
{
    return f->px0 + (x - f->x0) / (f->x1 - f->x0) * (f->px1 - f->px0);
}

static double
sy(const struct frame *f, double y)
{
    return f->py1 - (y - f->y0) / (f->y1 - f->y0) * (f->py1 - f->py0);
}

static int
svg_open(lw_buf *out, const lw_chart_opts *o, const char *kind, int w, int h)
{
    TRY(lw_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lw-chart lw-%s\" "
                      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                      "font-family=\"sans-serif\" font-size=\"11\"", kind, w, h, w, h));
    if (o->title != NULL) {
        TRY(lw_buf_puts(out, " aria-label=\""));
        TRY(lw_html_escape(out, o->title));
        TRY(lw_buf_puts(out, "\">\n<title>"));
        TRY(lw_html_escape(out, o->title));
        TRY(lw_buf_puts(out, "</title>\n"));
    } else {
        TRY(lw_buf_puts(out, ">\n"));
    }
    TRY(lw_buf_printf(out, "<rect class=\"lw-bg\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
                      "fill=\"#ffffff\"/>\n", w, h));
    if (o->title != NULL)
        TRY(text(out, w / 2.0, 16, "text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\"",
                 o->title, (size_t) ((w - 16) / 7.5)));
    return LW_OK;
}

/* Plot area from the options: room for the title, legend rows, tick
 * labels and axis labels. */
static void
frame_init(struct frame *f, const lw_chart_opts *o, int w, int h, int legend_rows, double left)
{
    f->w = w;
    f->h = h;
    f->px0 = left + (o->y_label ? 16 : 0);
    f->px1 = w - 16;
    f->py0 = (o->title ? 28 : 12) + legend_rows * 16;
    f->py1 = h - 24 - (o->x_label ? 16 : 0);
    if (f->py1 < f->py0 + 10)
        f->py1 = f->py0 + 10;
    if (f->px1 < f->px0 + 10)
        f->px1 = f->px0 + 10;
}

static int
axis_labels(lw_buf *out, const lw_chart_opts *o, const struct frame *f)
{
    char attrs[128];
    double cy = (f->py0 + f->py1) / 2;

    if (o->x_label != NULL)
        TRY(text(out, (f->px0 + f->px1) / 2, f->h - 6, "text-anchor=\"middle\" fill=\"#444444\"",
                 o->x_label, (size_t) ((f->px1 - f->px0) / CHAR_W)));
    if (o->y_label != NULL) {
        snprintf(attrs, sizeof(attrs), "text-anchor=\"middle\" fill=\"#444444\" "
                 "transform=\"rotate(-90 12 %.1f)\"", cy);
        TRY(text(out, 12, cy, attrs, o->y_label, (size_t) ((f->py1 - f->py0) / CHAR_W)));
    }
    return LW_OK;
}

static int
x_tick(lw_buf *out, const struct frame *f, double x, const char *label)
{
    double px = sx(f, x);

    TRY(lw_buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "stroke=\"#999999\" stroke-width=\"1\"/>\n", px, f->py1, px, f->py1 + 4));
    return text(out, px, f->py1 + 16, "text-anchor=\"middle\" fill=\"#444444\"", label, 0);
}

/* Value ticks for [first, last] by step: labels on the left with
 * horizontal grid lines (vertical = 1), or ticks along the bottom with
 * vertical grid lines when `grid`. */
static int
value_axis(lw_buf *out, const struct frame *f, int vertical, double first, double last,
           double step, const char *unit, int grid)
{
    char label[64];
    double v, p, maxabs = fmax(fabs(first), fabs(last));
    int i;

    TRY(lw_buf_puts(out, vertical ? "<g class=\"lw-yaxis\">\n" : "<g class=\"lw-xaxis\">\n"));
    for (i = 0; i <= 100; i++) {
        v = first + i * step;
        if (v > last + step * 1e-6)
            break;
        p = vertical ? sy(f, v) : sx(f, v);
        if (grid)
            TRY(lw_buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                              "stroke=\"#e0e0e0\" stroke-width=\"1\"/>\n",
                              vertical ? f->px0 : p, vertical ? p : f->py0,
                              vertical ? f->px1 : p, vertical ? p : f->py1));
        fmt_tick(label, sizeof(label), v, step, maxabs, unit);
        if (vertical)
            TRY(text(out, f->px0 - 6, p + 4, "text-anchor=\"end\" fill=\"#444444\"", label, 0));
        else
            TRY(x_tick(out, f, v, label));
    }
    return lw_buf_puts(out, "</g>\n");
}

static int
plot_border(lw_buf *out, const struct frame *f)
{
    return lw_buf_printf(out, "<line class=\"lw-axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                         "y2=\"%.1f\" stroke=\"#999999\" stroke-width=\"1\"/>\n",
                         f->px0, f->py1, f->px1, f->py1);
}

static int
no_data(lw_buf *out, const lw_chart_opts *o, const char *kind, int w, int h)
{
    struct frame f;

    TRY(svg_open(out, o, kind, w, h));
    frame_init(&f, o, w, h, 0, 56);
    TRY(lw_buf_printf(out, "<rect class=\"lw-frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                      "height=\"%.1f\" fill=\"none\" stroke=\"#e0e0e0\"/>\n",
                      f.px0, f.py0, f.px1 - f.px0, f.py1 - f.py0));
    TRY(text(out, (f.px0 + f.px1) / 2, (f.py0 + f.py1) / 2 + 4,
             "class=\"lw-nodata\" text-anchor=\"middle\" fill=\"#888888\"", "No data", 0));
    TRY(axis_labels(out, o, &f));
    return lw_buf_puts(out, "</svg>\n");
}

static void
dims(const lw_chart_opts *o, int *w, int *h)
{
    *w = o->width > 80 ? o->width : DEF_W;
    *h = o->height > 60 ? o->height : DEF_H;
}

/* ---- line chart over time ------------------------------------------------ */

static void
fmt_time(char *buf, size_t size, double t, double step, double span)
{
    time_t tt = (time_t) llround(t);
    struct tm tm;
    const char *fmt;

    gmtime_r(&tt, &tm);
    if (step < 60)
        fmt = "%H:%M:%S";
    else if (step < 86400)
        fmt = span <= 86400 ? "%H:%M" : "%d %b %H:%M";
    else if (step < 2592000)
        fmt = "%d %b";
    else
        fmt = "%b %Y";
    if (strftime(buf, size, fmt, &tm) == 0)
        buf[0] = '\0';
}

static const char *
series_colour(const lw_chart_opts *o, size_t i)
{
    size_t k = o != NULL && o->colours != NULL && o->colours[i] >= 0 ? (size_t) o->colours[i] : i;

    return palette[k % LW_ARRAY_LEN(palette)];
}

/* Legend entries laid out in rows; returns rows needed (draws when out). */
static int
legend(lw_buf *out, const lw_chart_opts *o, const lw_chart_series *s, size_t n, double x0,
       double x1, double y, int *rows)
{
    double x = x0, wi;
    size_t i, chars;

    *rows = 0;
    for (i = 0; i < n; i++) {
        const char *name = s[i].legend ? s[i].legend : s[i].name;

        if (name == NULL)
            continue;
        chars = text_chars(name);
        if (chars > 40)
            chars = 40;
        wi = 22 + chars * CHAR_W + 14;
        if (*rows == 0)
            *rows = 1;
        if (x > x0 && x + wi > x1) {
            x = x0;
            (*rows)++;
        }
        if (out != NULL) {
            double ly = y + (*rows - 1) * 16;

            TRY(lw_buf_printf(out, "<line class=\"lw-legend\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                              "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                              x, ly - 4, x + 16, ly - 4, series_colour(o, i)));
            TRY(text(out, x + 22, ly, NULL, name, 40));
        }
        x += wi;
    }
    return LW_OK;
}

static int hover_bands(lw_buf *out, const lw_chart_opts *o, const struct frame *f,
                       const lw_chart_series *s, size_t n);

int
lw_chart_line(lw_buf *out, const lw_chart_opts *o, const lw_chart_series *series, size_t n)
{
    struct frame f;
    char label[64], cx[32], cy[32];
    double tmin = INFINITY, tmax = -INFINITY, vmin = INFINITY, vmax = -INFINITY;
    double first, last, step, t, span, y;
    size_t i, j, k, npts = 0;
    int w, h, rows, pen;

    dims(o, &w, &h);
    for (i = 0; i < n; i++) {
        for (j = 0; j < series[i].n; j++) {
            if (!isfinite(series[i].t[j]) || !isfinite(series[i].v[j]))
                continue;
            tmin = fmin(tmin, series[i].t[j]);
            tmax = fmax(tmax, series[i].t[j]);
            vmin = fmin(vmin, series[i].v[j]);
            vmax = fmax(vmax, series[i].v[j]);
            npts++;
        }
    }
    if (npts == 0)
        return no_data(out, o, "line", w, h);
    if (o->has_ref && isfinite(o->ref)) {
        vmin = fmin(vmin, o->ref);
        vmax = fmax(vmax, o->ref);
    }
    if (vmin > 0)
        vmin = 0;           /* a value axis from zero does not exaggerate changes */
    if (tmax - tmin < 1) {
        tmin -= 60;
        tmax += 60;
    }

    TRY(svg_open(out, o, "line", w, h));
    legend(NULL, o, series, n, 56, w - 16, 0, &rows);
    frame_init(&f, o, w, h, rows, 56);
    TRY(legend(out, o, series, n, f.px0, f.px1, f.py0 - (rows - 1) * 16 - 6, &rows));
    lw_chart_ticks(vmin, vmax, 5, &first, &last, &step);
    f.x0 = tmin;
    f.x1 = tmax;
    f.y0 = first;
    f.y1 = last;
    TRY(value_axis(out, &f, 1, first, last, step, o->unit, 1));

    span = tmax - tmin;
    step = lw_chart_time_step(span, (int) fmax(2, (f.px1 - f.px0) / 100));
    TRY(lw_buf_puts(out, "<g class=\"lw-xaxis\">\n"));
    for (t = ceil(tmin / step) * step, k = 0; t <= tmax && k < 200; t += step, k++) {
        fmt_time(label, sizeof(label), t, step, span);
        TRY(x_tick(out, &f, t, label));
    }
    TRY(lw_buf_puts(out, "</g>\n"));
    TRY(plot_border(out, &f));

    for (i = 0; i < n; i++) {
        const char *color = series_colour(o, i);
        size_t run = 0, last_j = 0;

        TRY(lw_buf_printf(out, "<path class=\"lw-line\" fill=\"none\" stroke=\"%s\" "
                          "stroke-width=\"1.5\" stroke-linejoin=\"round\" d=\"", color));
        pen = 0;
        for (j = 0; j < series[i].n; j++) {
            if (!isfinite(series[i].t[j]) || !isfinite(series[i].v[j])) {
                pen = 0;
                continue;
            }
            TRY(lw_buf_printf(out, "%s%s %s", pen ? "L" : out->data[out->len - 1] == '"' ? "M" : " M",
                              coord(cx, sizeof(cx), sx(&f, series[i].t[j])),
                              coord(cy, sizeof(cy), sy(&f, series[i].v[j]))));
            pen = 1;
        }
        TRY(lw_buf_puts(out, "\"/>\n"));
        /* a point with no neighbour draws no line: mark it */
        for (j = 0; j <= series[i].n; j++) {
            int good = j < series[i].n && isfinite(series[i].t[j]) && isfinite(series[i].v[j]);

            if (good) {
                if (run++ == 0)
                    last_j = j;
                continue;
            }
            if (run == 1)
                TRY(lw_buf_printf(out, "<circle class=\"lw-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
                                  "fill=\"%s\"/>\n", sx(&f, series[i].t[last_j]),
                                  sy(&f, series[i].v[last_j]), color));
            run = 0;
        }
    }
    if (o->has_ref && isfinite(o->ref)) {
        y = sy(&f, o->ref);
        TRY(lw_buf_printf(out, "<line class=\"lw-ref\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                          "stroke=\"#B00020\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n",
                          f.px0, y, f.px1, y));
        if (o->ref_label != NULL)
            TRY(text(out, f.px1 - 2, y - 3, "text-anchor=\"end\" fill=\"#B00020\"", o->ref_label, 40));
    }
    if (o->hover)
        TRY(hover_bands(out, o, &f, series, n));
    TRY(axis_labels(out, o, &f));
    return lw_buf_puts(out, "</svg>\n");
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

/* Hover values: one transparent band per point in time, its <title>
 * shown by the browser, a line per series:
 *   02 Dec 10:15 UTC
 *   gpt-4 1.85 s
 *   claude 2.10 s
 * The bands' group is moved to the top of the plot and stretched to its
 * height, so a band is only its x and width (a 24-hour chart has 96). */
static int
hover_bands(lw_buf *out, const lw_chart_opts *o, const struct frame *f,
            const lw_chart_series *s, size_t n)
{
    double *ts, prev, next, x0, x1;
    char when[64], val[48], x0s[32], ws[32];
    size_t i, j, k, nt = 0, cap = 0;
    lw_buf tip = { 0 };
    int rc = LW_ENOMEM;

    for (i = 0; i < n; i++)
        cap += s[i].n;
    if (cap == 0)
        return LW_OK;
    ts = malloc(cap * sizeof(*ts));
    if (ts == NULL)
        return LW_ENOMEM;
    for (i = 0; i < n; i++)
        for (j = 0; j < s[i].n; j++)
            if (isfinite(s[i].t[j]) && isfinite(s[i].v[j]))
                ts[nt++] = s[i].t[j];
    qsort(ts, nt, sizeof(*ts), cmp_double);
    for (j = 0, k = 0; j < nt; j++)         /* distinct times */
        if (k == 0 || ts[j] != ts[k - 1])
            ts[k++] = ts[j];
    nt = k;
    if (lw_buf_printf(out, "<g class=\"lw-hover\" fill-opacity=\"0\" "
                      "transform=\"translate(0 %s) scale(1 %s)\">\n",
                      coord(x0s, sizeof(x0s), f->py0), coord(ws, sizeof(ws), f->py1 - f->py0)) != LW_OK)
        goto cleanup;
    for (k = 0; k < nt; k++) {
        prev = k > 0 ? (ts[k - 1] + ts[k]) / 2 : ts[k];
        next = k + 1 < nt ? (ts[k] + ts[k + 1]) / 2 : ts[k];
        x0 = k > 0 ? sx(f, prev) : f->px0;
        x1 = k + 1 < nt ? sx(f, next) : f->px1;
        fmt_time(when, sizeof(when), ts[k], 60, 2 * 86400);
        if (lw_buf_printf(out, "<rect x=\"%s\" width=\"%s\" height=\"1\"><title>%s UTC",
                          coord(x0s, sizeof(x0s), x0), coord(ws, sizeof(ws), fmax(x1 - x0, 1)), when)
            != LW_OK)
            goto cleanup;
        for (i = 0; i < n; i++)
            for (j = 0; j < s[i].n; j++)
                if (s[i].t[j] == ts[k] && isfinite(s[i].v[j])) {
                    /* the escaper would turn the newline into a space */
                    fmt_value(val, sizeof(val), s[i].v[j], o->unit);
                    lw_buf_reset(&tip);
                    if (lw_buf_printf(&tip, "%s %s", s[i].name ? s[i].name : "", val) != LW_OK
                        || lw_buf_puts(out, "\n") != LW_OK
                        || lw_html_escape(out, tip.data) != LW_OK)
                        goto cleanup;
                    break;
                }
        if (lw_buf_puts(out, "</title></rect>\n") != LW_OK)
            goto cleanup;
    }
    rc = lw_buf_puts(out, "</g>\n");
cleanup:
    free(ts);
    lw_buf_free(&tip);
    return rc;
}

/* ---- histogram ----------------------------------------------------------- */

int
lw_chart_histogram(lw_buf *out, const lw_chart_opts *o, const lw_chart_bin *bins, size_t n)
{
    struct frame f;
    char label[160], lo_s[48], hi_s[48];
    double xmin = INFINITY, xmax = -INFINITY, cmax = 0, first, last, step;
    double xf, xl, xs, x0, x1, y;
    size_t i, good = 0;
    int w, h;

    dims(o, &w, &h);
    for (i = 0; i < n; i++) {
        if (!isfinite(bins[i].lo) || !isfinite(bins[i].hi) || !(bins[i].hi > bins[i].lo)
            || !isfinite(bins[i].count) || bins[i].count < 0)
            continue;
        xmin = fmin(xmin, bins[i].lo);
        xmax = fmax(xmax, bins[i].hi);
        cmax = fmax(cmax, bins[i].count);
        good++;
    }
    if (good == 0 || cmax <= 0)
        return no_data(out, o, "histogram", w, h);

    TRY(svg_open(out, o, "histogram", w, h));
    frame_init(&f, o, w, h, 0, 56);
    lw_chart_ticks(0, cmax, 4, &first, &last, &step);
    if (step != floor(step)) {  /* counts are whole: 0.5 -> 1, 2.5 -> 2 */
        step = step < 1 ? 1 : floor(step);
        last = ceil(cmax / step) * step;
    }
    lw_chart_ticks(xmin, xmax, (int) fmax(2, (f.px1 - f.px0) / 90), &xf, &xl, &xs);
    f.x0 = xf;
    f.x1 = xl;
    f.y0 = 0;
    f.y1 = last;
    TRY(value_axis(out, &f, 1, 0, last, step, NULL, 1));
    TRY(value_axis(out, &f, 0, xf, xl, xs, o->unit, 0));
    for (i = 0; i < n; i++) {
        if (!isfinite(bins[i].lo) || !isfinite(bins[i].hi) || !(bins[i].hi > bins[i].lo)
            || !isfinite(bins[i].count) || bins[i].count <= 0)
            continue;
        x0 = sx(&f, bins[i].lo);
        x1 = sx(&f, bins[i].hi);
        y = sy(&f, bins[i].count);
        fmt_value(lo_s, sizeof(lo_s), bins[i].lo, NULL);
        fmt_value(hi_s, sizeof(hi_s), bins[i].hi, o->unit);
        TRY(lw_buf_printf(out, "<rect class=\"lw-bin\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                          "height=\"%.1f\" fill=\"%s\"><title>", x0 + 0.5, y,
                          fmax(x1 - x0 - 1, 1), f.py1 - y, palette[0]));
        snprintf(label, sizeof(label), "%s\xE2\x80\x93%s: %.0f", lo_s, hi_s, bins[i].count);
        TRY(lw_html_escape(out, label));
        TRY(lw_buf_puts(out, "</title></rect>\n"));
    }
    TRY(plot_border(out, &f));
    TRY(axis_labels(out, o, &f));
    return lw_buf_puts(out, "</svg>\n");
}

/* ---- bar chart ----------------------------------------------------------- */

int
lw_chart_bars(lw_buf *out, const lw_chart_opts *o, const lw_chart_bar *bars, size_t n)
{
    struct frame f;
    char label[64];
    double vmin = 0, vmax = -INFINITY, first, last, step, left, x0, x1, y;
    size_t i, good = 0, maxchars = 0, c, fit;
    int w, h;

    w = o->width > 80 ? o->width : DEF_W;
    for (i = 0; i < n; i++) {
        if (!isfinite(bars[i].value))
            continue;
        vmin = fmin(vmin, bars[i].value);
        vmax = fmax(vmax, bars[i].value);
        c = text_chars(bars[i].label);
        maxchars = c > maxchars ? c : maxchars;
        good++;
    }
    h = o->height > 60 ? o->height
        : (o->title ? 28 : 12) + (int) (n > 0 ? n : 4) * BAR_ROW + 24 + (o->x_label ? 16 : 0) + 8;
    if (good == 0)
        return no_data(out, o, "bars", w, h);
    if (vmax < 0)
        vmax = 0;

    left = 12 + maxchars * CHAR_W;
    if (left > w * 0.35)
        left = w * 0.35;
    if (left < 40)
        left = 40;
    fit = (size_t) ((left - 12) / CHAR_W);
    TRY(svg_open(out, o, "bars", w, h));
    frame_init(&f, o, w, h, 0, left);
    f.px1 -= 40;                /* room for the value after the longest bar */
    lw_chart_ticks(vmin, vmax, (int) fmax(2, (f.px1 - f.px0) / 90), &first, &last, &step);
    f.x0 = first;
    f.x1 = last;
    TRY(value_axis(out, &f, 0, first, last, step, o->unit, 1));
    for (i = 0; i < n; i++) {
        double row = (f.py1 - f.py0) / (double) n;

        y = f.py0 + i * row;
        TRY(text(out, f.px0 - 6, y + row / 2 + 4, "text-anchor=\"end\"",
                 bars[i].label ? bars[i].label : "", fit));
        if (!isfinite(bars[i].value))
            continue;
        x0 = sx(&f, fmin(0, bars[i].value));
        x1 = sx(&f, fmax(0, bars[i].value));
        TRY(lw_buf_printf(out, "<rect class=\"lw-bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                          "height=\"%.1f\" fill=\"%s\"/>\n", x0, y + row * 0.15,
                          fmax(x1 - x0, 1), row * 0.7, palette[0]));
        fmt_value(label, sizeof(label), bars[i].value, o->unit);
        TRY(text(out, x1 + 4, y + row / 2 + 4, "class=\"lw-value\" fill=\"#444444\"", label, 0));
    }
    TRY(lw_buf_printf(out, "<line class=\"lw-axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "stroke=\"#999999\" stroke-width=\"1\"/>\n", sx(&f, 0), f.py0, sx(&f, 0), f.py1));
    TRY(axis_labels(out, o, &f));
    return lw_buf_puts(out, "</svg>\n");
}
