/* schedules.c: the report schedules of report_config.yaml run as jobs
 * (see reporting.h): each schedule is a job of its own in job_runs
 * ("report:weekly_deep_dive"), so its slots are claimed once across
 * hosts, missed ones are recorded and listed, and a run past the
 * schedule's timeout is killed; and the configuration's cost_analysis job,
 * a cost-analysis report of the day before. */
#include "report/reporting.h"

#include <stdio.h>
#include <string.h>

struct slot_arg {
    const lw_report_config   *rc;
    const lw_report_schedule *s;
};

static void
details(lw_job_ctx *ctx, const lw_report_run *o)
{
    lw_buf_printf(&ctx->details, "{\"report_id\":%lld,\"sha256\":\"%s\",\"bytes\":%zu,"
                  "\"existed\":%s,\"emailed\":%s,\"seconds\":%.2f}", o->id, o->sha256, o->bytes,
                  o->existed ? "true" : "false",
                  o->email && !o->existed && o->mail_error[0] == '\0' ? "true" : "false",
                  o->build_s);
}

/* One slot of one schedule, in the run's own process. */
static int
run_slot(lw_job_ctx *ctx)
{
    const struct slot_arg *a = ctx->arg;
    lw_report_req q;
    lw_report_run o;

    lw_report_req_from_schedule(&q, a->rc, a->s, ctx->slot, time(NULL));
    memset(&o, 0, sizeof(o));
    o.format = a->s->format == LW_REPORT_PDF ? "pdf" : "html";
    o.recipients = &a->s->recipients;
    o.email = a->s->recipients.n > 0;
    o.slot = ctx->slot;
    o.cfg = ctx->cfg;
    if (lw_report_produce(ctx->db, &q, &o, NULL, &ctx->err) != LW_OK)
        return LW_ERROR;
    details(ctx, &o);
    if (o.mail_error[0] != '\0') {
        lw_err_set(&ctx->err, "stored as report %lld; mail: %s", o.id, o.mail_error);
        return LW_EIO;
    }
    return LW_OK;
}

int
lw_report_run_due(lw_job_ctx *ctx, const lw_report_config *rc, const char *only, time_t now,
                  int *ran)
{
    struct slot_arg a;
    lw_job_def def;
    long long run_id;
    time_t slot;
    size_t i;
    int due, rc_all = LW_OK;

    *ran = 0;
    for (i = 0; i < rc->n_schedules; i++) {
        const lw_report_schedule *s = &rc->schedules[i];

        if (!s->enabled || (only != NULL && !lw_streq(only, s->name) && !lw_streq(only, s->job)
                            && !lw_streq(only, s->slug)))
            continue;
        memset(&def, 0, sizeof(def));
        def.name = s->job;
        def.cfg_job = -1;
        due = lw_job_due(ctx->db, &ctx->err, &def, &s->sched, now, &slot);
        if (due < 0) {
            lw_log(LW_LOG_ERROR, "%s: %s", s->job, ctx->err.msg);
            rc_all = LW_EDB;
            continue;
        }
        if (due == 0 || lw_job_claim(ctx->db, &ctx->err, s->job, slot, &run_id) != 1)
            continue;   /* not due, or another host has this slot */
        a.rc = rc;
        a.s = s;
        lw_job_run_bounded(ctx->db, ctx->cfg, ctx->config_path, s->job, run_slot, &a, slot, run_id,
                           (int) s->timeout);
        (*ran)++;
    }
    return rc_all;
}

int
lw_job_reports(lw_job_ctx *ctx)
{
    const char *path = lw_report_config_path(ctx->pool, NULL, ctx->config_path);
    lw_report_config *rc = NULL;
    lw_diag diags;
    int ran = 0, ret;

    if (path == NULL) {
        lw_buf_puts(&ctx->details, "{\"schedules\":0}");
        return LW_OK;
    }
    lw_diag_init(&diags);
    if (lw_report_config_load(path, &rc, &diags) != LW_OK) {
        lw_err_set(&ctx->err, "%s: %s", path, diags.n > 0 ? diags.v[0].msg : "cannot be read");
        lw_diag_free(&diags);
        return LW_EINVAL;
    }
    lw_diag_free(&diags);
    ret = lw_report_run_due(ctx, rc, NULL, time(NULL), &ran);
    lw_buf_printf(&ctx->details, "{\"schedules\":%zu,\"ran\":%d}", rc->n_schedules, ran);
    lw_report_config_free(rc);
    return ret;
}

int
lw_job_cost_analysis(lw_job_ctx *ctx)
{
    lw_report_req q;
    lw_report_run o;
    lw_sched s;
    lw_err err;
    time_t now = time(NULL);

    memset(&q, 0, sizeof(q));
    q.type = LW_REPORT_COSTS;
    q.title = "Cost analysis";
    q.schedule = "cost_analysis";
    q.generated = now;
    lw_report_thresholds_default(&q.thresholds);
    lw_report_req_sections(&q);
    if (ctx->slot != 0 && ctx->cfg != NULL)
        lw_report_period_of_slot(&ctx->cfg->jobs[LW_JOB_COST_ANALYSIS].sched, ctx->slot, &q.from,
                                 &q.to);
    else if (ctx->slot != 0 && lw_sched_parse("daily", &s, &err) == LW_OK)
        lw_report_period_of_slot(&s, ctx->slot, &q.from, &q.to);
    else
        lw_report_default_period(LW_REPORT_DAILY, now, &q.from, &q.to);
    memset(&o, 0, sizeof(o));
    o.format = "html";
    o.slot = ctx->slot;
    o.cfg = ctx->cfg;
    if (lw_report_produce(ctx->db, &q, &o, NULL, &ctx->err) != LW_OK)
        return LW_ERROR;
    details(ctx, &o);
    return LW_OK;
}

lw_report_config *
lw_report_config_cli(lw_cli *cli, const char *explicit_path, int required, int *failed)
{
    const char *path = lw_report_config_path(cli->pool, explicit_path, cli->config_path);
    lw_report_config *rc = NULL;
    lw_diag diags;

    *failed = 0;
    if (path == NULL) {
        if (required) {
            fprintf(stderr, "%s: no report configuration: give --report-config FILE or put %s "
                    "beside the monitoring configuration\n", cli->prog,
                    LW_REPORT_CONFIG_DEFAULT_FILE);
            *failed = 1;
        }
        return NULL;
    }
    lw_diag_init(&diags);
    if (lw_report_config_load(path, &rc, &diags) != LW_OK) {
        lw_diag_print(&diags, stderr);
        fprintf(stderr, "%s: %s has errors\n", cli->prog, path);
        *failed = 1;
    }
    lw_diag_free(&diags);
    return rc;
}
