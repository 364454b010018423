/* report_sla.c: SLA compliance over a period (see report_sla.h for what
 * each figure means and the rules of the states): the period picker, the
 * figures of lib/db/sla.c judged, the evidence CSV and the page data. */
#include "report_sla.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/sla.h"
#include "fmt.h"
#include "schedule.h"
#include "times.h"

#define DAY 86400

const char *const lw_sla_period_keys[] = {
    "7d", "30d", "90d", "365d", "month", "last-month", "quarter", "last-quarter", "custom", NULL,
};
static const char *const period_titles[] = {
    "last 7 days", "last 30 days", "last 90 days", "last 365 days", "this month",
    "last month", "this quarter", "last quarter", "custom",
};

const char *const lw_sla_state_names[4] = { "met", "at risk", "breached", "not enough data" };
static const char *const state_classes[4] = { "ok", "warn", "crit", "none" };

const char *
lw_sla_period_title(const char *key)
{
    size_t i;

    for (i = 0; lw_sla_period_keys[i]; i++)
        if (lw_streq(key, lw_sla_period_keys[i]))
            return period_titles[i];
    return NULL;
}

static time_t
month_start(int64_t y, int m)
{
    while (m > 12) {
        m -= 12;
        y++;
    }
    while (m < 1) {
        m += 12;
        y--;
    }
    return (time_t) (lw_sched_days_from_civil(y, m, 1) * DAY);
}

static void
month_label(time_t t, int quarter, char *buf, size_t size)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    if (quarter)
        snprintf(buf, size, "Q%d %d", tm.tm_mon / 3 + 1, tm.tm_year + 1900);
    else
        strftime(buf, size, "%B %Y", &tm);
}

int
lw_sla_period_parse(const char *key, const char *first, const char *last, time_t now,
                    lw_sla_period *p, lw_err *err)
{
    time_t today = (time_t) (((int64_t) now / DAY) * DAY), a, b;
    int64_t y;
    int m, d, q, i, k = -1;

    memset(p, 0, sizeof(*p));
    if (key == NULL || key[0] == '\0')
        key = "30d";
    for (i = 0; lw_sla_period_keys[i]; i++)
        if (strcmp(key, lw_sla_period_keys[i]) == 0)
            k = i;
    if (k < 0) {
        lw_err_set(err, "Unknown period: choose last 7, 30, 90 or 365 days, this or last month "
                   "or quarter, or a custom range.");
        return LW_EINVAL;
    }
    p->key = lw_sla_period_keys[k];
    lw_sched_civil_from_days((int64_t) today / DAY, &y, &m, &d);
    q = (m - 1) / 3 * 3 + 1;
    if (key[0] >= '0' && key[0] <= '9') {
        p->to = today + DAY;
        p->from = p->to - (time_t) atoi(key) * DAY;
        snprintf(p->label, sizeof(p->label), "%s", period_titles[k]);
    } else if (strcmp(key, "month") == 0 || strcmp(key, "last-month") == 0) {
        i = key[0] == 'l' ? 1 : 0;
        p->from = month_start(y, m - i);
        p->to = month_start(y, m - i + 1);
        month_label(p->from, 0, p->label, sizeof(p->label));
    } else if (strcmp(key, "quarter") == 0 || strcmp(key, "last-quarter") == 0) {
        i = key[0] == 'l' ? 3 : 0;
        p->from = month_start(y, q - i);
        p->to = month_start(y, q - i + 3);
        month_label(p->from, 1, p->label, sizeof(p->label));
    } else {
        if (first == NULL || last == NULL || strlen(first) != 10 || strlen(last) != 10
            || lw_time_parse(first, &a) != LW_OK || lw_time_parse(last, &b) != LW_OK) {
            lw_err_set(err, "A custom period needs its first and last day as YYYY-MM-DD.");
            return LW_EINVAL;
        }
        if (b < a || b - a > 3660 * (time_t) DAY) {
            lw_err_set(err, "A custom period's last day must be on or after its first, at most "
                       "ten years later.");
            return LW_EINVAL;
        }
        p->from = a;
        p->to = b + DAY;
    }
    lw_time_format(p->from, LW_TIME_DAY, p->first_day, sizeof(p->first_day));
    lw_time_format(p->to - 1, LW_TIME_DAY, p->last_day, sizeof(p->last_day));
    if (strcmp(key, "custom") == 0)
        snprintf(p->label, sizeof(p->label), "%s \xE2\x80\x93 %s", p->first_day, p->last_day);
    return LW_OK;
}

/* ---- figures ---- */

static double
num(const PGresult *res, int row, int col)
{
    return lw_db_isnull(res, row, col) ? NAN : lw_db_double(res, row, col);
}

void
lw_sla_judge(lw_sla_model *m)
{
    double known = m->elapsed_min - m->unknown_min, allowed = 1 - m->objective;

    m->availability = m->probes > 0 ? (double) (m->probes - m->errors) / (double) m->probes : NAN;
    m->error_rate = m->probes > 0 ? (double) m->errors / (double) m->probes : NAN;
    m->budget_min = allowed * m->period_min;
    m->remaining_min = m->budget_min - m->down_min;
    m->remaining_pct = m->budget_min > 0 ? 100 * m->remaining_min / m->budget_min : NAN;
    m->burn = known > 0 && allowed > 0 ? (m->down_min / known) / allowed : NAN;
    if (m->probes < m->min_samples) {
        m->state = LW_SLA_NO_DATA;
        m->reason = "fewer probes than the minimum sample count";
    } else if (m->budget_min > 0 && m->down_min >= m->budget_min) {
        m->state = LW_SLA_BREACHED;
        m->reason = "the downtime has used the whole error budget";
    } else if (m->ended && m->availability < m->objective) {
        m->state = LW_SLA_BREACHED;
        m->reason = "availability ended below the objective";
    } else if (m->ended && isfinite(m->target_ms) && m->p95_ms > m->target_ms) {
        m->state = LW_SLA_BREACHED;
        m->reason = "p95 latency ended above the target";
    } else if (!m->ended && m->burn > 1) {
        m->state = LW_SLA_AT_RISK;
        m->reason = "at this burn rate the budget runs out before the period ends";
    } else if (!m->ended && isfinite(m->target_ms) && m->p95_ms > m->target_ms) {
        m->state = LW_SLA_AT_RISK;
        m->reason = "p95 latency so far is above the target";
    } else {
        m->state = LW_SLA_MET;
        m->reason = m->ended ? "availability and latency met their objectives"
                             : "on pace to meet the objectives";
    }
}

int
lw_sla_load(lw_db *db, time_t from, time_t to, lw_sla *s, lw_err *err)
{
    int i, r = 0;

    memset(s, 0, sizeof(*s));
    s->from = from;
    s->to = to;
    if ((s->totals = lw_db_sla_period(db, err, from, to, 0)) == NULL
        || (s->days = lw_db_sla_period(db, err, from, to, 1)) == NULL)
        return LW_EDB;
    s->n = (size_t) PQntuples(s->totals);
    s->models = calloc(s->n + 1, sizeof(*s->models));
    if (s->models == NULL) {
        lw_err_set(err, "out of memory");
        return LW_ENOMEM;
    }
    for (i = 0; i < (int) s->n; i++) {
        lw_sla_model *m = &s->models[i];
        const PGresult *t = s->totals;

        m->id = lw_db_int(t, i, 0);
        m->name = lw_db_str(t, i, 1);
        m->environment = lw_db_str(t, i, 2);
        m->target_ms = num(t, i, 3);
        m->probes = lw_db_int(t, i, 4);
        m->errors = lw_db_int(t, i, 5);
        m->avg_ms = num(t, i, 6);
        m->p95_ms = num(t, i, 7);
        m->p99_ms = num(t, i, 8);
        m->expected_per_day = num(t, i, 9);
        m->elapsed_min = lw_db_double(t, i, 10);
        m->period_min = lw_db_double(t, i, 11);
        m->unknown_min = lw_db_double(t, i, 12);
        m->down_min = lw_db_double(t, i, 13);
        m->objective = lw_db_double(t, i, 14) / 100.0;
        m->min_samples = lw_db_int(t, i, 15);
        m->ended = lw_db_bool(t, i, 16);
        /* the days come in the same model order */
        m->day0 = r;
        while (r < PQntuples(s->days) && lw_db_int(s->days, r, 0) == m->id)
            r++;
        m->ndays = r - m->day0;
        lw_sla_judge(m);
    }
    return LW_OK;
}

void
lw_sla_free(lw_sla *s)
{
    PQclear(s->totals);
    PQclear(s->days);
    free(s->models);
    memset(s, 0, sizeof(*s));
}

/* ---- the evidence CSV ---- */

static void
csv_num(lw_buf *out, double v, int decimals)
{
    if (isfinite(v))
        lw_buf_printf(out, ",%.*f", decimals, v);
    else
        lw_buf_puts(out, ",");
}

static void
csv_row(lw_buf *out, const lw_sla_model *m, const char *day, long long probes, long long errors,
        double expected, double down, double unknown, double p95, double p99)
{
    lw_fmt_csv_field(out, day);
    lw_buf_putc(out, ',');
    lw_fmt_csv_field(out, m->environment);
    lw_buf_putc(out, ',');
    lw_fmt_csv_field(out, m->name);
    lw_buf_printf(out, ",%lld,%lld,%lld", probes, probes - errors, errors);
    csv_num(out, expected, 1);
    csv_num(out, probes > 0 ? 100.0 * (double) (probes - errors) / (double) probes : NAN, 3);
    csv_num(out, down, 3);
    csv_num(out, unknown, 3);
    csv_num(out, p95, 1);
    csv_num(out, p99, 1);
    csv_num(out, m->target_ms, 0);
    csv_num(out, m->objective * 100, 3);
    lw_buf_puts(out, "\r\n");
}

int
lw_sla_csv(const lw_sla *s, lw_buf *out)
{
    const PGresult *d = s->days;
    double expected;
    size_t i;
    int r;

    lw_buf_puts(out, "day,environment,model,probes,successful,failed,expected_probes,"
                "availability_pct,downtime_min,unknown_min,p95_ms,p99_ms,sla_target_ms,"
                "objective_pct\r\n");
    for (i = 0; i < s->n; i++) {
        const lw_sla_model *m = &s->models[i];

        expected = 0;
        for (r = m->day0; r < m->day0 + m->ndays; r++) {
            expected += lw_db_double(d, r, 5);
            csv_row(out, m, lw_db_str(d, r, 1), lw_db_int(d, r, 3), lw_db_int(d, r, 4),
                    lw_db_double(d, r, 5), lw_db_double(d, r, 8), lw_db_double(d, r, 7),
                    num(d, r, 9), num(d, r, 10));
        }
        csv_row(out, m, "total", m->probes, m->errors, expected, m->down_min, m->unknown_min,
                m->p95_ms, m->p99_ms);
    }
    return out->data != NULL ? LW_OK : LW_ENOMEM;
}

/* ---- page data ---- */

static void
set(lw_hdf *h, const char *prefix, size_t i, const char *field, const char *v)
{
    char name[160];

    snprintf(name, sizeof(name), "%s.%zu.%s", prefix, i, field);
    lw_hdf_set(h, name, v);
}

static const char *
minutes(double min, char *buf, size_t size)
{
    if (!isfinite(min))
        snprintf(buf, size, "-");
    else
        lw_fmt_duration((int64_t) llround(fabs(min) * 60), buf, size);
    return buf;
}

static const char *
pct3(double ratio, char *buf, size_t size)
{
    if (isfinite(ratio))
        snprintf(buf, size, "%.3f%%", 100 * ratio);
    else
        snprintf(buf, size, "-");
    return buf;
}

static void
day_set(lw_hdf *h, const char *row, const char *field, const char *v)
{
    char name[200];

    snprintf(name, sizeof(name), "%s.%s", row, field);
    lw_hdf_set(h, name, v);
}

static void
model_days(const lw_sla *s, const lw_sla_model *m, lw_hdf *h, const char *prefix, size_t i)
{
    char p[160], a[48];
    const PGresult *d = s->days;
    long long n, e;
    int r;

    for (r = m->day0; r < m->day0 + m->ndays; r++) {
        snprintf(p, sizeof(p), "%s.%zu.days.%d", prefix, i, r - m->day0);
        n = lw_db_int(d, r, 3);
        e = lw_db_int(d, r, 4);
        day_set(h, p, "day", lw_db_str(d, r, 1));
        lw_fmt_count(n, a, sizeof(a));
        day_set(h, p, "probes", a);
        lw_fmt_count(e, a, sizeof(a));
        day_set(h, p, "errors", a);
        day_set(h, p, "availability", n > 0 ? pct3((double) (n - e) / (double) n, a, sizeof(a)) : "-");
        day_set(h, p, "downtime", minutes(lw_db_double(d, r, 8), a, sizeof(a)));
        day_set(h, p, "unknown", minutes(lw_db_double(d, r, 7), a, sizeof(a)));
        lw_fmt_ms(num(d, r, 9), a, sizeof(a));
        day_set(h, p, "p95_ms_h", a);
    }
}

static void
model_chart(const lw_sla *s, const lw_sla_model *m, lw_hdf *h, const char *prefix, size_t i,
            int kind)
{
    size_t nd = (size_t) m->ndays + 1;
    double *day = calloc(nd, sizeof(double));
    double *pct = calloc(nd, sizeof(double));
    long long *n = calloc(nd, sizeof(long long));
    long long *e = calloc(nd, sizeof(long long));
    char title[256];
    lw_buf svg = { 0 };
    int r, rc;

    if (day == NULL || pct == NULL || n == NULL || e == NULL) {
        h->failed = 1;
        lw_err_set(&h->err, "out of memory");
        goto cleanup;
    }
    for (r = 0; r < m->ndays; r++) {
        n[r] = lw_db_int(s->days, m->day0 + r, 3);
        e[r] = lw_db_int(s->days, m->day0 + r, 4);
        day[r] = lw_db_double(s->days, m->day0 + r, 2);
        pct[r] = n[r] > 0 ? 100.0 * (double) (n[r] - e[r]) / (double) n[r] : NAN;
    }
    snprintf(title, sizeof(title), "%s (%s): availability per day", m->name ? m->name : "",
             m->environment ? m->environment : "");
    rc = kind == LW_SLA_STRIPS
        ? lw_report_chart_strip(&svg, title, day, n, e, (size_t) m->ndays, m->objective * 100)
        : lw_report_chart_days(&svg, title, day, pct, (size_t) m->ndays, m->objective * 100);
    if (rc != LW_OK) {
        h->failed = 1;
        lw_err_set(&h->err, "chart: out of memory");
        goto cleanup;
    }
    set(h, prefix, i, kind == LW_SLA_STRIPS ? "strip" : "chart", svg.data);
cleanup:
    free(day);
    free(pct);
    free(n);
    free(e);
    lw_buf_free(&svg);
}

void
lw_sla_hdf(const lw_sla *s, lw_hdf *h, const char *prefix, int days, int charts)
{
    char a[96], b[64];
    size_t i;

    for (i = 0; i < s->n && !h->failed; i++) {
        const lw_sla_model *m = &s->models[i];

        snprintf(a, sizeof(a), "%lld", m->id);
        set(h, prefix, i, "id", a);
        set(h, prefix, i, "name", m->name);
        set(h, prefix, i, "environment", m->environment);
        lw_fmt_count(m->probes, a, sizeof(a));
        set(h, prefix, i, "probes", a);
        lw_fmt_count(m->errors, a, sizeof(a));
        set(h, prefix, i, "errors", a);
        set(h, prefix, i, "availability", pct3(m->availability, a, sizeof(a)));
        snprintf(a, sizeof(a), "%g%%", m->objective * 100);
        set(h, prefix, i, "objective", a);
        set(h, prefix, i, "availability_ok", isfinite(m->availability)
            ? (m->availability >= m->objective ? "1" : "0") : NULL);
        set(h, prefix, i, "error_rate", pct3(m->error_rate, a, sizeof(a)));
        lw_fmt_ms(m->avg_ms, a, sizeof(a));
        set(h, prefix, i, "avg_ms_h", a);
        lw_fmt_ms(m->p95_ms, a, sizeof(a));
        set(h, prefix, i, "p95_ms_h", a);
        lw_fmt_ms(m->p99_ms, a, sizeof(a));
        set(h, prefix, i, "p99_ms_h", a);
        lw_fmt_ms(m->target_ms, a, sizeof(a));
        set(h, prefix, i, "target_ms_h", isfinite(m->target_ms) ? a : NULL);
        if (isfinite(m->target_ms) && isfinite(m->p95_ms))
            set(h, prefix, i, "p95_over", m->p95_ms > m->target_ms ? "1" : "0");
        if (isfinite(m->target_ms) && isfinite(m->p99_ms))
            set(h, prefix, i, "p99_over", m->p99_ms > m->target_ms ? "1" : "0");
        set(h, prefix, i, "downtime", minutes(m->down_min, a, sizeof(a)));
        set(h, prefix, i, "unknown", minutes(m->unknown_min, a, sizeof(a)));
        set(h, prefix, i, "budget", minutes(m->budget_min, a, sizeof(a)));
        minutes(m->remaining_min, b, sizeof(b));
        snprintf(a, sizeof(a), "%s%s", m->remaining_min < 0 ? "over by " : "", b);
        set(h, prefix, i, "remaining", a);
        if (isfinite(m->remaining_pct)) {
            snprintf(a, sizeof(a), "%.1f%%", m->remaining_pct);
            set(h, prefix, i, "remaining_pct", a);
        }
        if (isfinite(m->burn)) {
            snprintf(a, sizeof(a), "%.2f\xC3\x97", m->burn);
            set(h, prefix, i, "burn", a);
        }
        if (isfinite(m->expected_per_day)) {
            lw_fmt_count(llround(m->expected_per_day), a, sizeof(a));
            set(h, prefix, i, "expected", a);
        }
        set(h, prefix, i, "state", lw_sla_state_names[m->state]);
        set(h, prefix, i, "state_class", state_classes[m->state]);
        set(h, prefix, i, "reason", m->reason);
        if (days)
            model_days(s, m, h, prefix, i);
        if (charts != LW_SLA_NO_CHART)
            model_chart(s, m, h, prefix, i, charts);
    }
}
