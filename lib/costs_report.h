/* costs_report.h: the cost analysis as page data, the one source of the
 * /costs page and of `llmwatch costs analyze --output FILE.html` (both
 * render templates/costs.cs): totals (probes and production apart and
 * together), breakdowns by model, hour of day and day of week with their
 * bar charts, and the savings found (cheaper models of equal quality,
 * probing's share). Everything is read through lib/db/costs.c. */
#ifndef LW_COSTS_REPORT_H
#define LW_COSTS_REPORT_H

#include "db/db.h"
#include "hdf.h"

enum {
    LW_COSTS_BY_MODEL = 1,
    LW_COSTS_BY_HOUR = 2,
    LW_COSTS_BY_DAY = 4,
};

typedef struct {
    long long   from, to;          /* Unix seconds, whole hours */
    const char *environment;       /* NULL: every environment */
    unsigned    groups;            /* LW_COSTS_BY_* */
    int         savings;           /* look for savings */
    double      threshold;         /* quality an alternative keeps (0.9) */
    int         quality_days;      /* over which quality and p95 are judged */
    const char *range_label;       /* "last 7 days" */
} lw_costs_report_opts;

/* Fills h under Costs.*: LW_OK, LW_EDB or LW_ENOMEM (message in err). */
int lw_costs_report(lw_db *db, lw_hdf *h, const lw_costs_report_opts *o, lw_err *err);

/* "model,hour_of_day,day_of_week" into LW_COSTS_BY_* bits; -1 when a
 * name is unknown. */
int lw_costs_report_groups(const char *list);

#endif
