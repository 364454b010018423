/* report.c: `llmwatch report`: one report of a type and period, written
 * to a file whose extension says the format, stored (listed on /reports)
 * and with --email mailed to the recipients of its schedule in
 * report_config.yaml; `llmwatch report --due` runs the report schedules
 * whose slot has come (what the report timers call). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "render.h"
#include "report/reporting.h"

struct opts {
    const char *type, *range, *output, *schedule, *commentary, *report_config;
    int email, due;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;
    const char **const fields[] = {
        &o->type, &o->range, &o->output, &o->schedule, &o->commentary, &o->report_config
    };

    (void) cli;
    if (lw_cli_keep(ch, arg, "tdoscr", fields))
        return 0;
    if (ch == 'e')
        o->email = 1;
    else if (ch == 'D')
        o->due = 1;
    return 0;
}

/* The schedule a type stands for: the first whose frequency makes that
 * type (for sla, the first with an SLA section). */
static const lw_report_schedule *
schedule_of_type(const lw_report_config *rc, int type)
{
    size_t i, j;

    for (i = 0; rc != NULL && i < rc->n_schedules; i++) {
        const lw_report_schedule *s = &rc->schedules[i];

        if (type == LW_REPORT_SLA) {
            for (j = 0; j < s->n_sections; j++)
                if (s->sections[j] == LW_RSEC_SLA_COMPLIANCE)
                    return s;
        } else if ((int) lw_report_type_of(&s->sched) == type) {
            return s;
        }
    }
    return NULL;
}

static int
run_due(lw_cli *cli, lw_db *db, const lw_report_config *rc, const char *only)
{
    lw_job_ctx ctx;
    int ran = 0, ret;

    memset(&ctx, 0, sizeof(ctx));
    ctx.db = db;
    ctx.cfg = cli->cfg;
    ctx.config_path = cli->config_path;
    ctx.job = "report";
    ctx.pool = cli->pool;
    if (only != NULL && lw_report_config_find(rc, only) == NULL) {
        size_t i;

        for (i = 0; i < rc->n_schedules && !lw_streq(rc->schedules[i].slug, only); i++)
            ;
        if (i == rc->n_schedules)
            return lw_cli_fail(cli, "no schedule '%s' in %s", only, rc->path);
    }
    ret = lw_report_run_due(&ctx, rc, only, time(NULL), &ran);
    printf("%d report schedule%s due and run here\n", ran, ran == 1 ? "" : "s");
    lw_buf_free(&ctx.details);
    return ret == LW_OK ? 0 : 1;
}

int
lw_cmd_report(lw_cli *cli)
{
    static const char spec[] = "type:t date-range:d output:o schedule:s commentary:c "
                               "report-config:r email/e due/D";
    static const char *const titles[LW_REPORT_TYPE_COUNT] = {
        "Daily report", "Weekly report", "Monthly report", "SLA evidence", "Cost analysis",
    };
    struct opts o;
    const lw_report_schedule *s = NULL;
    lw_report_config *rc = NULL;
    lw_report_req q;
    lw_report_run run;
    lw_buf text = { 0 }, commentary = { 0 };
    const char *ext;
    char when[96];
    int type = -1, failed, ret = 1, rendering = 0;
    lw_db *db;

    memset(&o, 0, sizeof(o));
    if ((ret = lw_cli_parse(cli, spec, on_opt, &o)) != LW_CLI_GO)
        return ret;
    ret = 1;
    if (lw_cli_config(cli) != LW_CLI_GO)
        return 1;
    rc = lw_report_config_cli(cli, o.report_config, o.due || o.schedule != NULL, &failed);
    if (failed)
        return 1;
    if (o.type != NULL && (type = lw_report_type_parse(o.type)) < 0) {
        lw_cli_fail(cli, "--type must be daily, weekly, monthly, sla or costs");
        goto cleanup;
    }
    if (!o.due && type < 0 && o.schedule == NULL) {
        lw_cli_usage(cli, stderr, 0);
        ret = 2;
        goto cleanup;
    }
    if ((db = lw_cli_db(cli)) == NULL)
        goto cleanup;
    if (lw_render_init(lw_cli_datapath(cli, "templates"), &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    rendering = 1;
    if (o.due) {
        ret = run_due(cli, db, rc, o.schedule);
        goto cleanup;
    }
    if (o.schedule != NULL && (s = lw_report_config_find(rc, o.schedule)) == NULL) {
        lw_cli_fail(cli, "no schedule '%s' in %s", o.schedule, rc->path);
        goto cleanup;
    }
    if (s == NULL)
        s = schedule_of_type(rc, type);
    if (s != NULL && (type < 0 || (int) lw_report_type_of(&s->sched) == type)) {
        lw_report_req_from_schedule(&q, rc, s, 0, time(NULL));
    } else {
        memset(&q, 0, sizeof(q));
        q.type = (lw_report_type) type;
        q.title = titles[type];
        q.generated = time(NULL);
        if (rc != NULL)
            q.thresholds = rc->thresholds;
        else
            lw_report_thresholds_default(&q.thresholds);
        lw_report_req_sections(&q);
        lw_report_default_period(q.type, q.generated, &q.from, &q.to);
    }
    if (type >= 0)
        q.type = (lw_report_type) type;
    if (o.range != NULL && lw_report_date_range(o.range, &q.from, &q.to, &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    if (o.commentary != NULL) {
        if (lw_file_read(o.commentary, 1024 * 1024, &commentary, &cli->err) != LW_OK) {
            lw_cli_fail(cli, "--commentary: %s", cli->err.msg);
            goto cleanup;
        }
        q.commentary = commentary.data;
    }
    memset(&run, 0, sizeof(run));
    ext = o.output ? strrchr(o.output, '.') : NULL;
    run.format = ext && strcmp(ext, ".pdf") == 0 ? "pdf"
               : ext && (strcmp(ext, ".html") == 0 || strcmp(ext, ".htm") == 0) ? "html"
               : ext && strcmp(ext, ".csv") == 0 ? "csv"
               : s != NULL && s->format == LW_REPORT_HTML ? "html" : "pdf";
    if (o.output != NULL && ext == NULL) {
        lw_cli_fail(cli, "--output needs an extension that names the format (.pdf, .html or, "
                    "for --type sla, .csv)");
        goto cleanup;
    }
    run.output = o.output;
    run.email = o.email;
    run.recipients = s != NULL ? &s->recipients : NULL;
    run.cfg = cli->cfg;
    if (o.email && (run.recipients == NULL || run.recipients->n == 0)) {
        lw_cli_fail(cli, "--email: no schedule of this type in the report configuration names "
                    "recipients");
        goto cleanup;
    }
    if (lw_report_produce(db, &q, &run, &text, &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    if (text.data != NULL)
        printf("%s\n", text.data);
    lw_report_period_label(q.from, q.to, when, sizeof(when));
    printf("\xE2\x9C\x93 Report %s (%s, %s): %zu bytes, SHA-256 %s, stored as /reports/%lld.%s "
           "(%.2f s)\n", o.output ? o.output : "stored", run.format, when, run.bytes, run.sha256,
           run.id, run.format, run.build_s);
    if (o.email) {
        if (run.mail_error[0] != '\0') {
            lw_cli_fail(cli, "the mail was not sent: %s", run.mail_error);
            goto cleanup;
        }
        printf("\xE2\x9C\x93 Mailed to %zu recipient%s\n", run.recipients->n,
               run.recipients->n == 1 ? "" : "s");
    }
    ret = 0;
cleanup:
    if (rendering)
        lw_render_shutdown();
    lw_report_config_free(rc);
    lw_buf_free(&text);
    lw_buf_free(&commentary);
    return ret;
}
