/* check_chart.c: the SVG charts are well-formed XML whatever the labels,
 * escape every label, handle empty and non-finite data, and put their axis
 * ticks on round numbers and round times. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lw.h"
#include "chart.h"
#include "html.h"

/* ---- a small well-formedness checker ------------------------------------ */

static int
name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '-' || c == '_' || c == ':' || c == '.';
}

/* An entity at s ("&amp;" ...): its length, 0 when not a valid one. */
static size_t
entity(const char *s)
{
    static const char *const names[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
    size_t i, n;

    for (i = 0; i < LW_ARRAY_LEN(names); i++)
        if (strncmp(s, names[i], strlen(names[i])) == 0)
            return strlen(names[i]);
    if (s[1] == '#') {
        n = 2;
        while (s[n] >= '0' && s[n] <= '9')
            n++;
        return n > 2 && s[n] == ';' ? n + 1 : 0;
    }
    return 0;
}

/* Valid UTF-8 without control characters other than \n and \t. */
static int
utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *) s;
    int need;

    while (*p) {
        if (*p < 0x80) {
            if (*p < 0x20 && *p != '\n' && *p != '\t')
                return 0;
            p++;
            continue;
        }
        if (*p >= 0xC2 && *p <= 0xDF)
            need = 1;
        else if (*p >= 0xE0 && *p <= 0xEF)
            need = 2;
        else if (*p >= 0xF0 && *p <= 0xF4)
            need = 3;
        else
            return 0;
        p++;
        while (need-- > 0) {
            if ((*p & 0xC0) != 0x80)
                return 0;
            p++;
        }
    }
    return 1;
}

/* NULL when s is one well-formed <svg> element: balanced tags, quoted
 * attributes, no raw '<' or stray '&' in text or attribute values. */
static const char *
xml_check(const char *s)
{
    static char msg[256];
    char stack[64][32];
    int depth = 0, roots = 0;
    const char *p = s, *q;
    size_t n;

    if (!utf8_ok(s))
        return "not valid UTF-8 (or has control characters)";
    while (*p) {
        if (*p == '&') {
            if (entity(p) == 0) {
                snprintf(msg, sizeof(msg), "bad entity at offset %td", p - s);
                return msg;
            }
            p += entity(p);
            continue;
        }
        if (*p != '<') {
            if (*p == '>') {
                snprintf(msg, sizeof(msg), "raw '>' in text at offset %td", p - s);
                return msg;
            }
            if (depth == 0 && *p != '\n' && *p != ' ') {
                snprintf(msg, sizeof(msg), "text outside the root at offset %td", p - s);
                return msg;
            }
            p++;
            continue;
        }
        if (p[1] == '/') {
            q = p + 2;
            while (name_char(*q))
                q++;
            n = (size_t) (q - p - 2);
            if (*q != '>' || depth == 0 || n != strlen(stack[depth - 1])
                || strncmp(p + 2, stack[depth - 1], n) != 0) {
                snprintf(msg, sizeof(msg), "unbalanced close tag at offset %td", p - s);
                return msg;
            }
            depth--;
            p = q + 1;
            continue;
        }
        q = p + 1;
        while (name_char(*q))
            q++;
        n = (size_t) (q - p - 1);
        if (n == 0 || n >= sizeof(stack[0])) {
            snprintf(msg, sizeof(msg), "bad tag name at offset %td", p - s);
            return msg;
        }
        if (depth == 0 && roots++ > 0)
            return "more than one root element";
        if (depth == 0 && strncmp(p + 1, "svg", 3) != 0)
            return "the root is not <svg>";
        /* attributes */
        for (;;) {
            while (*q == ' ' || *q == '\n')
                q++;
            if (*q == '>' || (q[0] == '/' && q[1] == '>'))
                break;
            if (!name_char(*q)) {
                snprintf(msg, sizeof(msg), "bad attribute at offset %td", q - s);
                return msg;
            }
            while (name_char(*q))
                q++;
            if (q[0] != '=' || q[1] != '"') {
                snprintf(msg, sizeof(msg), "unquoted attribute at offset %td", q - s);
                return msg;
            }
            q += 2;
            while (*q && *q != '"') {
                if (*q == '<')
                    return "'<' in an attribute value";
                if (*q == '&') {
                    if (entity(q) == 0)
                        return "bad entity in an attribute value";
                    q += entity(q);
                    continue;
                }
                q++;
            }
            if (*q != '"')
                return "unterminated attribute value";
            q++;
        }
        if (*q == '/') {
            p = q + 2;
            continue;
        }
        if (depth == (int) LW_ARRAY_LEN(stack))
            return "too deep";
        memcpy(stack[depth], p + 1, n);
        stack[depth][n] = '\0';
        depth++;
        p = q + 1;
    }
    if (depth != 0)
        return "unclosed element";
    if (roots != 1)
        return "no root element";
    return NULL;
}

static int
count(const char *hay, const char *needle)
{
    int n = 0;
    const char *p = hay;

    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

#define ASSERT_WELL_FORMED(svg) do { \
        const char *why_ = xml_check(svg); \
        ck_assert_msg(why_ == NULL, "not well-formed: %s\n%s", why_, svg); \
    } while (0)

/* 2024-06-04T00:00:00Z */
#define T0 1717459200.0

/* ---- tests ---------------------------------------------------------------- */

START_TEST(test_checker_catches_mistakes)
{
    /* the checker itself must be able to fail */
    ck_assert_ptr_null(xml_check("<svg a=\"1\"><g><text>x &amp; y</text></g></svg>"));
    ck_assert_ptr_nonnull(xml_check("<svg><g></svg>"));
    ck_assert_ptr_nonnull(xml_check("<svg><text>a < b</text></svg>"));
    ck_assert_ptr_nonnull(xml_check("<svg><text>a & b</text></svg>"));
    ck_assert_ptr_nonnull(xml_check("<svg a=1></svg>"));
    ck_assert_ptr_nonnull(xml_check("<svg></svg><svg></svg>"));
    ck_assert_ptr_nonnull(xml_check("<svg><text>\xff</text></svg>"));
}
END_TEST

START_TEST(test_line_two_series)
{
    double t[7], a[7], b[7];
    lw_chart_series s[2] = {
        { .name = "gpt-4", .t = t, .v = a, .n = 7 },
        { .name = "claude", .t = t, .v = b, .n = 7 },
    };
    lw_chart_opts o = { .title = "TTFT p50", .x_label = "time (UTC)", .unit = "ms",
                        .has_ref = 1, .ref = 90, .ref_label = "SLA", .hover = 1 };
    lw_buf out = { 0 };
    int i;

    for (i = 0; i < 7; i++) {
        t[i] = T0 + i * 3600;
        a[i] = 3 + i * 10;
        b[i] = 97 - i * 10;
    }
    b[3] = NAN;                  /* a gap */
    ck_assert_int_eq(lw_chart_line(&out, &o, s, 2), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_int_eq(count(out.data, "class=\"lw-line\""), 2);
    /* the gap starts a new sub-path */
    ck_assert_int_eq(count(out.data, "d=\"M"), 2);
    ck_assert_int_eq(count(out.data, " M"), 1);
    /* hover values: a band per point in time, a line per series that has
     * a value there (none for claude in its gap) */
    ck_assert_int_eq(count(out.data, "height=\"1\"><title>"), 7);
    ck_assert_ptr_nonnull(strstr(out.data, " UTC\ngpt-4 3.00 ms\nclaude 97.0 ms</title>"));
    ck_assert_ptr_nonnull(strstr(out.data, " UTC\ngpt-4 33.0 ms</title>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">gpt-4</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">claude</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, "<title>TTFT p50</title>"));
    /* values 3..97 (and the SLA at 90): the axis runs 0..100 by 20 */
    ck_assert_ptr_nonnull(strstr(out.data, ">0 ms</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">20 ms</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">100 ms</text>"));
    ck_assert_ptr_null(strstr(out.data, ">120 ms</text>"));
    /* six hours: ticks every two hours on round UTC times */
    ck_assert_ptr_nonnull(strstr(out.data, ">00:00</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">02:00</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">06:00</text>"));
    ck_assert_ptr_null(strstr(out.data, ">01:00</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, "class=\"lw-ref\""));
    ck_assert_ptr_nonnull(strstr(out.data, ">SLA</text>"));
    /* CSP-safe: presentation attributes only */
    ck_assert_ptr_null(strstr(out.data, "style"));
    ck_assert_ptr_null(strstr(out.data, "<script"));
    lw_buf_free(&out);
}
END_TEST

START_TEST(test_legend_and_dollars)
{
    /* the dashboard's cost chart: the legend carries the total, the hover
     * the model's name and each step's value, dollars before the figure */
    double t[2] = { T0, T0 + 3600 }, v[2] = { 0.0274, 0.0537 };
    lw_chart_series s = { .name = "m01", .legend = "m01  $4.46", .t = t, .v = v, .n = 2 };
    lw_chart_opts o = { .unit = "$", .hover = 1 };
    lw_buf out = { 0 };

    ck_assert_int_eq(lw_chart_line(&out, &o, &s, 1), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_ptr_nonnull(strstr(out.data, ">m01  $4.46</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, " UTC\nm01 $0.0274</title>"));
    ck_assert_ptr_nonnull(strstr(out.data, " UTC\nm01 $0.0537</title>"));
    ck_assert_ptr_null(strstr(out.data, "$4.46 0.0"));
    lw_buf_free(&out);
}
END_TEST

START_TEST(test_line_single_point_marked)
{
    double t[3] = { T0, T0 + 60, T0 + 120 }, v[3] = { 5, NAN, 7 };
    lw_chart_series s = { .name = NULL, .t = t, .v = v, .n = 3 };
    lw_chart_opts o = { 0 };
    lw_buf out = { 0 };

    ck_assert_int_eq(lw_chart_line(&out, &o, &s, 1), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    /* two isolated points: each drawn as a circle */
    ck_assert_int_eq(count(out.data, "class=\"lw-point\""), 2);
    lw_buf_free(&out);
}
END_TEST

START_TEST(test_labels_escaped)
{
    static const char evil[] = "<script>alert(\"x\")</script> & 'q'";
    double t[2] = { T0, T0 + 600 }, v[2] = { 1, 2 };
    lw_chart_series s = { .name = "a<b>&\"c\"", .t = t, .v = v, .n = 2 };
    lw_chart_opts o = { .title = evil, .x_label = "bad\x01" "ctl \xff\xfe end",
                        .y_label = "</svg><svg>", .unit = "<u>" };
    lw_chart_bin bins[1] = { { 0, 10, 3 } };
    lw_chart_bar bars[2] = { { evil, 3 }, { "\xc3\x28 broken", 1 } };
    lw_buf out = { 0 };

    ck_assert_int_eq(lw_chart_line(&out, &o, &s, 1), LW_OK);
    ck_assert_int_eq(lw_chart_histogram(&out, &o, bins, 1), LW_OK);
    ck_assert_int_eq(lw_chart_bars(&out, &o, bars, 2), LW_OK);
    ck_assert_ptr_null(strstr(out.data, "<script"));
    ck_assert_ptr_null(strstr(out.data, "<u>"));
    ck_assert_ptr_nonnull(strstr(out.data, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
                                           "&amp; &#39;q&#39;"));
    ck_assert_ptr_nonnull(strstr(out.data, "a&lt;b&gt;&amp;&quot;c&quot;"));
    ck_assert_ptr_nonnull(strstr(out.data, "&lt;/svg&gt;&lt;svg&gt;"));
    /* a control character becomes a space, invalid UTF-8 U+FFFD */
    ck_assert_ptr_nonnull(strstr(out.data, "bad ctl \xEF\xBF\xBD\xEF\xBF\xBD end"));
    ck_assert_ptr_nonnull(strstr(out.data, "\xEF\xBF\xBD( broken"));
    ck_assert(utf8_ok(out.data));
    ck_assert_int_eq(count(out.data, "<svg "), 3);
    lw_buf_free(&out);

    /* each chart alone is well-formed */
    ck_assert_int_eq(lw_chart_bars(&out, &o, bars, 2), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    lw_buf_free(&out);
    ck_assert_int_eq(lw_chart_line(&out, &o, &s, 1), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    lw_buf_free(&out);
}
END_TEST

START_TEST(test_escape_limits)
{
    lw_buf out = { 0 };

    ck_assert_int_eq(lw_html_escape_n(&out, "abc<def", 4), LW_OK);
    ck_assert_str_eq(out.data, "abc&lt;");
    lw_buf_reset(&out);
    ck_assert_int_eq(lw_html_escape_n(&out, NULL, 0), LW_OK);
    ck_assert_str_eq(out.data ? out.data : "", "");
    /* an overlong encoding and a surrogate are not UTF-8 */
    ck_assert_int_eq(lw_html_escape_n(&out, "\xc0\xaf|\xed\xa0\x80|\xf0\x9f\x98\x80", 0), LW_OK);
    ck_assert_str_eq(out.data, "\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
                               "\xf0\x9f\x98\x80");
    lw_buf_free(&out);
}
END_TEST

START_TEST(test_empty_data)
{
    double t[2] = { T0, T0 + 60 }, v[2] = { NAN, INFINITY };
    lw_chart_series s = { .name = "x", .t = t, .v = v, .n = 2 };
    lw_chart_bin bins[2] = { { 0, 10, 0 }, { 5, 5, 3 } };   /* zero count, empty range */
    lw_chart_bar bars[1] = { { "x", NAN } };
    lw_chart_opts o = { .title = "Nothing", .x_label = "x", .y_label = "y" };
    lw_buf out = { 0 };

    ck_assert_int_eq(lw_chart_line(&out, &o, NULL, 0), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_ptr_nonnull(strstr(out.data, ">No data</text>"));
    lw_buf_free(&out);
    ck_assert_int_eq(lw_chart_line(&out, &o, &s, 1), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_ptr_nonnull(strstr(out.data, ">No data</text>"));
    lw_buf_free(&out);
    ck_assert_int_eq(lw_chart_histogram(&out, &o, bins, 2), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_ptr_nonnull(strstr(out.data, ">No data</text>"));
    lw_buf_free(&out);
    ck_assert_int_eq(lw_chart_bars(&out, &o, bars, 1), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_ptr_nonnull(strstr(out.data, ">No data</text>"));
    lw_buf_free(&out);
    ck_assert_int_eq(lw_chart_bars(&out, &o, NULL, 0), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    lw_buf_free(&out);
}
END_TEST

START_TEST(test_one_value_no_range)
{
    double t[1] = { T0 }, v[1] = { 42 };
    lw_chart_series s = { .name = "one", .t = t, .v = v, .n = 1 };
    lw_chart_bin bins[1] = { { 100, 100.5, 7 } };
    lw_chart_bar bars[1] = { { "zero", 0 } };
    lw_chart_opts o = { 0 };
    lw_buf out = { 0 };

    ck_assert_int_eq(lw_chart_line(&out, &o, &s, 1), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_ptr_null(strstr(out.data, "nan"));
    ck_assert_ptr_null(strstr(out.data, "inf"));
    lw_buf_free(&out);
    ck_assert_int_eq(lw_chart_histogram(&out, &o, bins, 1), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_ptr_null(strstr(out.data, "nan"));
    lw_buf_free(&out);
    ck_assert_int_eq(lw_chart_bars(&out, &o, bars, 1), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_ptr_null(strstr(out.data, "nan"));
    lw_buf_free(&out);
}
END_TEST

START_TEST(test_ticks)
{
    double first, last, step;

    lw_chart_ticks(3, 97, 5, &first, &last, &step);
    ck_assert_double_eq_tol(first, 0, 1e-9);
    ck_assert_double_eq_tol(last, 100, 1e-9);
    ck_assert_double_eq_tol(step, 20, 1e-9);
    lw_chart_ticks(0.013, 0.087, 4, &first, &last, &step);
    ck_assert_double_eq_tol(step, 0.02, 1e-12);
    ck_assert_double_eq_tol(first, 0, 1e-12);
    ck_assert_double_eq_tol(last, 0.1, 1e-12);
    lw_chart_ticks(612, 2240, 5, &first, &last, &step);
    ck_assert_double_eq_tol(step, 500, 1e-9);
    ck_assert_double_eq_tol(first, 500, 1e-9);
    ck_assert_double_eq_tol(last, 2500, 1e-9);
    lw_chart_ticks(-35, 12, 5, &first, &last, &step);
    ck_assert_double_eq_tol(step, 10, 1e-9);
    ck_assert_double_eq_tol(first, -40, 1e-9);
    ck_assert_double_eq_tol(last, 20, 1e-9);
    lw_chart_ticks(5, 5, 5, &first, &last, &step);
    ck_assert(last > first && step > 0);
    lw_chart_ticks(0, 0, 5, &first, &last, &step);
    ck_assert(last > first && step > 0);
    lw_chart_ticks(NAN, 3, 5, &first, &last, &step);
    ck_assert(isfinite(first) && isfinite(last) && last > first);

    ck_assert_double_eq(lw_chart_time_step(3600, 6), 600);
    ck_assert_double_eq(lw_chart_time_step(6 * 3600, 5), 7200);
    ck_assert_double_eq(lw_chart_time_step(7 * 86400, 7), 86400);
    ck_assert_double_eq(lw_chart_time_step(30, 6), 5);
}
END_TEST

START_TEST(test_time_labels_by_span)
{
    double t[2], v[2] = { 1, 2 };
    lw_chart_series s = { .name = NULL, .t = t, .v = v, .n = 2 };
    lw_chart_opts o = { 0 };
    lw_buf out = { 0 };

    /* a week: day labels every other day */
    t[0] = T0;
    t[1] = T0 + 7 * 86400;
    ck_assert_int_eq(lw_chart_line(&out, &o, &s, 1), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_ptr_nonnull(strstr(out.data, ">04 Jun</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">06 Jun</text>"));
    ck_assert_ptr_null(strstr(out.data, ">05 Jun</text>"));
    lw_buf_free(&out);
    /* two minutes: seconds */
    t[1] = T0 + 120;
    ck_assert_int_eq(lw_chart_line(&out, &o, &s, 1), LW_OK);
    ck_assert_ptr_nonnull(strstr(out.data, ">00:00:30</text>"));
    lw_buf_free(&out);
}
END_TEST

START_TEST(test_histogram)
{
    lw_chart_bin bins[4] = {
        { 600, 650, 2 }, { 650, 700, 0 }, { 700, 750, 5 }, { 750, 800, 1 },
    };
    lw_chart_opts o = { .title = "Latency", .unit = "ms", .x_label = "total latency" };
    lw_buf out = { 0 };

    ck_assert_int_eq(lw_chart_histogram(&out, &o, bins, 4), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_int_eq(count(out.data, "class=\"lw-bin\""), 3);  /* empty bin: no bar */
    ck_assert_ptr_nonnull(strstr(out.data, "<title>700\xE2\x80\x93" "750 ms: 5</title>"));
    /* counts: whole-number ticks up to at least 5 */
    ck_assert_ptr_nonnull(strstr(out.data, ">2</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">6</text>"));
    ck_assert_ptr_null(strstr(out.data, ">0.5</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">600 ms</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">800 ms</text>"));
    lw_buf_free(&out);
}
END_TEST

START_TEST(test_bars)
{
    static const char longname[] =
        "\xd0\xbc\xd0\xbe\xd0\xb4\xd0\xb5\xd0\xbb\xd1\x8c-with-a-very-long-name-that-goes-on-and-on-"
        "and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on";
    lw_chart_bar bars[3] = {
        { "gpt-4", 47.3 }, { longname, 38.2 }, { "neg", -5 },
    };
    lw_chart_opts o = { .title = "Tokens/s", .unit = "tok/s" };
    lw_buf out = { 0 };

    ck_assert_int_eq(lw_chart_bars(&out, &o, bars, 3), LW_OK);
    ASSERT_WELL_FORMED(out.data);
    ck_assert_int_eq(count(out.data, "class=\"lw-bar\""), 3);
    ck_assert_ptr_nonnull(strstr(out.data, ">gpt-4</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">47.3 tok/s</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, ">-5.00 tok/s</text>"));
    /* the long label is cut on a character boundary with an ellipsis */
    ck_assert_ptr_null(strstr(out.data, "and-on</text>"));
    ck_assert_ptr_nonnull(strstr(out.data, "\xd0\xbc\xd0\xbe\xd0\xb4"));
    ck_assert_ptr_nonnull(strstr(out.data, "\xE2\x80\xA6</text>"));
    lw_buf_free(&out);
}
END_TEST

Suite *chart_suite(void)
{
    Suite *s = suite_create("chart");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_checker_catches_mistakes);
    tcase_add_test(tc, test_line_two_series);
    tcase_add_test(tc, test_line_single_point_marked);
    tcase_add_test(tc, test_legend_and_dollars);
    tcase_add_test(tc, test_labels_escaped);
    tcase_add_test(tc, test_escape_limits);
    tcase_add_test(tc, test_empty_data);
    tcase_add_test(tc, test_one_value_no_range);
    tcase_add_test(tc, test_ticks);
    tcase_add_test(tc, test_time_labels_by_span);
    tcase_add_test(tc, test_histogram);
    tcase_add_test(tc, test_bars);
    suite_add_tcase(s, tc);
    return s;
}
