/* reporting.h: making a report from start to end, for `llmwatch
 * report` and the report schedules: built (lib/report.h), typeset,
 * stored, written to a file and mailed through the alert mail code
 * (produce.c, mail.c); and the report schedules run like jobs, each slot
 * once across hosts, past its timeout killed (schedules.c). */
#ifndef LW_WORKER_REPORTING_H
#define LW_WORKER_REPORTING_H

#include <time.h>

#include "cli.h"
#include "config.h"
#include "jobs.h"
#include "report.h"

typedef struct {
    const char       *format;      /* "pdf", "html"; "csv" for SLA evidence */
    const char       *output;      /* a file to write, NULL: none */
    const lw_strlist *recipients;  /* who gets it when email is set */
    int               email;
    time_t            slot;        /* the schedule's slot; 0 by hand */
    const lw_config  *cfg;         /* its first email channel is the mail server; may be NULL */
    /* what happened */
    long long         id;          /* the reports row */
    char              sha256[65];  /* of the stored content */
    int               existed;     /* the slot's report was already made (not mailed again) */
    size_t            bytes;
    double            build_s;     /* reading, rendering and typesetting */
    char              mail_error[512];  /* why the mail failed; "" when sent or not asked */
} lw_report_run;

/* Makes report q as o says; text (may be NULL) gets its plain-text form.
 * A failed mail is not a failure of the report (o->mail_error says it,
 * reports.email_error records it). LW_OK or LW_E* with err. */
int lw_report_produce(lw_db *db, const lw_report_req *q, lw_report_run *o, lw_buf *text,
                      lw_err *err);

/* Mails a stored report: subject, text and HTML alternatives, the PDF
 * attached when pdf is not NULL, to recipients, through the first enabled
 * email channel of cfg (else $LLMWATCH_SMTP_URL, else smtp://localhost:25).
 * LW_OK, or LW_EIO with the reason in err. */
int lw_report_mail(const lw_config *cfg, const lw_strlist *recipients, long long id,
                   const char *subject, const char *text, const char *html,
                   const char *pdf, size_t pdf_len, const char *filename, lw_err *err);

/* A request from a schedule of report_config.yaml for the period of slot
 * (or, with slot 0, the last whole period before now). */
void lw_report_req_from_schedule(lw_report_req *q, const lw_report_config *rc,
                                 const lw_report_schedule *s, time_t slot, time_t now);

/* Runs every enabled schedule of rc (or only `only`, a name or job name)
 * whose slot is due at now, each claimed in job_runs under its job name
 * ("report:weekly_deep_dive") and run in a child killed after its timeout.
 * *ran gets how many ran here. LW_OK, or LW_E* when one could not be
 * looked at (the others still run). */
int lw_report_run_due(lw_job_ctx *ctx, const lw_report_config *rc, const char *only, time_t now,
                      int *ran);

/* The report configuration a command reads: explicit_path, else
 * $LLMWATCH_REPORT_CONFIG, else report_config.yaml beside the monitoring
 * configuration or here. NULL with *failed = 0 when there is none and
 * none is required; NULL with *failed = 1 after printing why. Caller
 * frees. */
lw_report_config *lw_report_config_cli(lw_cli *cli, const char *explicit_path, int required,
                                       int *failed);

/* The report schedules and the cost analysis as jobs of the job table. */
int lw_job_reports(lw_job_ctx *ctx);
int lw_job_cost_analysis(lw_job_ctx *ctx);

#endif
