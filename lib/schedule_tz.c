/* schedule_tz.c: the time zones a schedule may name ("daily at 8:00
 * Europe/Berlin"), read from the system's TZif files (RFC 8536) and their
 * POSIX TZ footer, without touching the process's TZ (pages and jobs run
 * in threads). Local times that do not exist (spring forward) have no
 * instant; ambiguous ones (fall back) take the first: systemd's choices. */
#include "schedule.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define MAX_ZONES 32
#define MAX_TZIF (256 * 1024)

/* The POSIX TZ rule of a zone's future ("CET-1CEST,M3.5.0,M10.5.0/3"). */
struct rule_date {
    char kind;          /* 'M' month.week.day, 'J' Julian 1..365, 'D' 0..365 */
    int m, w, d, n;
    int time;           /* seconds after local midnight (may be negative) */
};

struct posix_tz {
    int std_off, dst_off;       /* seconds east of UTC */
    int has_dst;
    struct rule_date start, end;
};

struct zone {
    char     name[LW_SCHED_TZ_LEN];
    size_t   n;                 /* transitions */
    int64_t *at;                /* UTC seconds, ascending */
    unsigned char *type;        /* local time type after each transition */
    int      ntypes;
    int32_t  off[256];
    int      has_footer;
    struct posix_tz footer;
};

static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;
static struct zone *zones[MAX_ZONES];   /* loaded once, kept for the process */
static size_t nzones;

/* ---- the POSIX TZ footer ---- */

static const char *
tz_name(const char *p)
{
    if (*p == '<') {
        const char *q = strchr(p, '>');

        return q ? q + 1 : NULL;
    }
    while (isalpha((unsigned char) *p))
        p++;
    return p;
}

/* [+-]h[h[h]][:mm[:ss]] into seconds; NULL when malformed. */
static const char *
tz_hms(const char *p, int *out)
{
    int sign = 1, h = 0, m = 0, s = 0, digits = 0;

    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    while (isdigit((unsigned char) *p) && digits < 3) {
        h = h * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0)
        return NULL;
    if (*p == ':' && isdigit((unsigned char) p[1]) && isdigit((unsigned char) p[2])) {
        m = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (*p == ':' && isdigit((unsigned char) p[1]) && isdigit((unsigned char) p[2])) {
            s = (p[1] - '0') * 10 + (p[2] - '0');
            p += 3;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *
tz_num(const char *p, int *out)
{
    int v = 0, digits = 0;

    while (isdigit((unsigned char) *p) && digits < 4) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    *out = v;
    return digits ? p : NULL;
}

static const char *
tz_rule_date(const char *p, struct rule_date *r)
{
    r->time = 7200;
    if (*p == 'M') {
        r->kind = 'M';
        if ((p = tz_num(p + 1, &r->m)) == NULL || *p++ != '.' || (p = tz_num(p, &r->w)) == NULL
            || *p++ != '.' || (p = tz_num(p, &r->d)) == NULL)
            return NULL;
        if (r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d > 6)
            return NULL;
    } else if (*p == 'J') {
        r->kind = 'J';
        if ((p = tz_num(p + 1, &r->n)) == NULL || r->n < 1 || r->n > 365)
            return NULL;
    } else {
        r->kind = 'D';
        if ((p = tz_num(p, &r->n)) == NULL || r->n > 365)
            return NULL;
    }
    if (*p == '/')
        p = tz_hms(p + 1, &r->time);
    return p;
}

/* Offsets are written west of UTC ("EST5"): stored east, as TZif does. */
static int
tz_parse_posix(const char *s, struct posix_tz *t)
{
    const char *p = tz_name(s);
    int v;

    memset(t, 0, sizeof(*t));
    if (p == NULL || p == s || (p = tz_hms(p, &v)) == NULL)
        return LW_EINVAL;
    t->std_off = -v;
    t->dst_off = t->std_off + 3600;
    if (*p == '\0')
        return LW_OK;
    s = p;
    if ((p = tz_name(p)) == NULL || p == s)
        return LW_EINVAL;
    t->has_dst = 1;
    if (*p != ',' && *p != '\0') {
        if ((p = tz_hms(p, &v)) == NULL)
            return LW_EINVAL;
        t->dst_off = -v;
    }
    if (*p != ',')
        return LW_EINVAL;   /* a DST zone without rules: not in real TZif files */
    if ((p = tz_rule_date(p + 1, &t->start)) == NULL || *p != ','
        || (p = tz_rule_date(p + 1, &t->end)) == NULL || *p != '\0')
        return LW_EINVAL;
    return LW_OK;
}

static int
leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Local seconds (day arithmetic as UTC) of the rule's moment in year y. */
static int64_t
rule_local(const struct rule_date *r, int64_t y)
{
    static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int64_t day;
    int first, last, md;

    if (r->kind == 'J') {
        day = lw_sched_days_from_civil(y, 1, 1) + r->n - 1;
        if (leap(y) && r->n >= 60)
            day++;  /* Jn never counts February 29 */
    } else if (r->kind == 'D') {
        day = lw_sched_days_from_civil(y, 1, 1) + r->n;
    } else {
        day = lw_sched_days_from_civil(y, r->m, 1);
        first = (int) ((((day % 7) + 11) % 7));   /* weekday of the 1st */
        md = 1 + (r->d - first + 7) % 7 + 7 * (r->w - 1);
        last = r->m == 2 && leap(y) ? 29 : dim[r->m - 1];
        while (md > last)
            md -= 7;
        day += md - 1;
    }
    return day * DAY + r->time;
}

static int
posix_offset(const struct posix_tz *t, int64_t utc)
{
    int64_t y, start, end, local = utc + t->std_off;
    int m, d;

    if (!t->has_dst)
        return t->std_off;
    lw_sched_civil_from_days(local / DAY - (local % DAY < 0), &y, &m, &d);
    /* the start is said in standard time, the end in daylight time */
    start = rule_local(&t->start, y) - t->std_off;
    end = rule_local(&t->end, y) - t->dst_off;
    if (start < end)
        return utc >= start && utc < end ? t->dst_off : t->std_off;
    return utc >= end && utc < start ? t->std_off : t->dst_off;
}

/* ---- TZif ---- */

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
    return (int64_t) ((uint64_t) be32(p) << 32 | be32(p + 4));
}

static void
zone_free(struct zone *z)
{
    if (z == NULL)
        return;
    free(z->at);
    free(z->type);
    free(z);
}

/* Parses a TZif file (version 2 or later data when present). */
static struct zone *
zone_parse(const char *name, const unsigned char *b, size_t len)
{
    size_t isut, isstd, leapn, timen, typen, charn, need, i, tsize = 4, o = 44;
    struct zone *z;
    const unsigned char *p;

    if (len < 44 || memcmp(b, "TZif", 4) != 0)
        return NULL;
    for (;;) {
        isut = be32(b + o - 24);
        isstd = be32(b + o - 20);
        leapn = be32(b + o - 16);
        timen = be32(b + o - 12);
        typen = be32(b + o - 8);
        charn = be32(b + o - 4);
        if (typen == 0 || typen > 256 || timen > 100000 || leapn > 10000 || charn > 10000)
            return NULL;
        need = timen * tsize + timen + typen * 6 + charn + leapn * (tsize + 4) + isstd + isut;
        if (o + need > len)
            return NULL;
        if (tsize == 8 || b[4] < '2')
            break;
        /* skip the version 1 data to the 64-bit header */
        o += need + 44;
        tsize = 8;
        if (o > len || memcmp(b + o - 44, "TZif", 4) != 0)
            return NULL;
    }
    z = calloc(1, sizeof(*z));
    if (z == NULL)
        return NULL;
    lw_strlcpy(z->name, name, sizeof(z->name));
    z->n = timen;
    z->at = calloc(timen + 1, sizeof(*z->at));
    z->type = calloc(timen + 1, 1);
    if (z->at == NULL || z->type == NULL)
        goto bad;
    p = b + o;
    for (i = 0; i < timen; i++)
        z->at[i] = tsize == 8 ? be64(p + i * 8) : (int32_t) be32(p + i * 4);
    p += timen * tsize;
    for (i = 0; i < timen; i++) {
        if (p[i] >= typen)
            goto bad;
        z->type[i] = p[i];
    }
    p += timen;
    z->ntypes = (int) typen;
    for (i = 0; i < typen; i++)
        z->off[i] = (int32_t) be32(p + i * 6);
    p = b + o + need;
    /* the footer: "\n<POSIX TZ>\n" for times past the last transition */
    if (tsize == 8 && p < b + len && *p == '\n') {
        const unsigned char *e = memchr(p + 1, '\n', (size_t) (b + len - p - 1));
        char tz[128];

        if (e != NULL && e - p - 1 > 0 && (size_t) (e - p - 1) < sizeof(tz)) {
            memcpy(tz, p + 1, (size_t) (e - p - 1));
            tz[e - p - 1] = '\0';
            z->has_footer = tz_parse_posix(tz, &z->footer) == LW_OK;
        }
    }
    return z;
bad:
    zone_free(z);
    return NULL;
}

static int
zone_name_ok(const char *name)
{
    const char *p;

    if (name == NULL || name[0] == '\0' || name[0] == '/' || strlen(name) >= LW_SCHED_TZ_LEN
        || strstr(name, "..") != NULL)
        return 0;
    for (p = name; *p; p++)
        if (!isalnum((unsigned char) *p) && strchr("/_+-", *p) == NULL)
            return 0;
    return 1;
}

static struct zone *
zone_load(const char *name)
{
    const char *dir = getenv("TZDIR");
    unsigned char *buf;
    struct zone *z = NULL;
    char path[512];
    size_t len;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    buf = malloc(MAX_TZIF);
    if (buf != NULL) {
        len = fread(buf, 1, MAX_TZIF, f);
        if (len < MAX_TZIF)
            z = zone_parse(name, buf, len);
    }
    free(buf);
    fclose(f);
    return z;
}

/* The zone, loaded on first use; NULL when unknown. */
static const struct zone *
zone_get(const char *name)
{
    struct zone *z = NULL;
    size_t i;

    if (!zone_name_ok(name))
        return NULL;
    pthread_mutex_lock(&zones_lock);
    for (i = 0; i < nzones; i++)
        if (strcmp(zones[i]->name, name) == 0) {
            z = zones[i];
            break;
        }
    if (z == NULL && nzones < MAX_ZONES && (z = zone_load(name)) != NULL)
        zones[nzones++] = z;
    pthread_mutex_unlock(&zones_lock);
    return z;
}

static int
zone_offset(const struct zone *z, int64_t utc)
{
    size_t lo = 0, hi = z->n;

    if (z->n == 0 || utc < z->at[0])
        return z->has_footer && z->n == 0 ? posix_offset(&z->footer, utc) : z->off[0];
    if (utc >= z->at[z->n - 1] && z->has_footer)
        return posix_offset(&z->footer, utc);
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;

        if (z->at[mid] <= utc)
            lo = mid;
        else
            hi = mid;
    }
    return z->off[z->type[lo]];
}

/* ---- what the schedules use ---- */

int
lw_sched_tz_known(const char *name)
{
    return zone_get(name) != NULL;
}

int
lw_sched_tz_offset(const char *name, time_t utc, int *offset)
{
    const struct zone *z;

    *offset = 0;
    if (name == NULL || name[0] == '\0')
        return LW_OK;
    if ((z = zone_get(name)) == NULL)
        return LW_ENOTFOUND;
    *offset = zone_offset(z, (int64_t) utc);
    return LW_OK;
}

int
lw_sched_tz_to_utc(const char *name, int64_t local, time_t *utc)
{
    const struct zone *z;
    int64_t best = 0, u;
    int offs[3], i, found = 0;

    if (name == NULL || name[0] == '\0') {
        *utc = (time_t) local;
        return LW_OK;
    }
    if ((z = zone_get(name)) == NULL)
        return LW_ENOTFOUND;
    /* every offset in force within a day of it: a local time is one of
     * them applied, when that instant indeed has that offset */
    offs[0] = zone_offset(z, local - DAY);
    offs[1] = zone_offset(z, local);
    offs[2] = zone_offset(z, local + DAY);
    for (i = 0; i < 3; i++) {
        u = local - offs[i];
        if (zone_offset(z, u) == offs[i] && (!found || u < best)) {
            best = u;
            found = 1;
        }
    }
    if (!found)
        return LW_ENOTFOUND;   /* skipped by a change to daylight time */
    *utc = (time_t) best;
    return LW_OK;
}
