/* evaluate.c: `llmwatch evaluate` and the evaluate job: one run of the
 * alert evaluator (worker/eval/), its changes printed (or logged) and
 * counted. With --config, the rules of that file are synced first. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "eval/eval.h"
#include "jobs.h"
#include "times.h"

struct evaluate_opts {
    time_t at;
    int    quiet;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct evaluate_opts *o = ctx;

    if (ch == 'q') {
        o->quiet = 1;
    } else if (lw_time_parse(arg, &o->at) != LW_OK) {
        lw_cli_fail(cli, "--at wants a Unix time or 'YYYY-MM-DD HH:MM[:SS]' (UTC), not '%s'",
                    arg);
        return 2;
    }
    return 0;
}

int
lw_cmd_evaluate(lw_cli *cli)
{
    static const char opts[] = "at:a quiet/q";
    struct evaluate_opts o = { time(NULL), 0 };
    lw_eval_result r;
    char when[40];
    lw_db *db;
    int rc;

    if ((rc = lw_cli_parse_db(cli, opts, on_opt, &o, &db)) != LW_CLI_GO)
        return rc;
    if (lw_eval_run(db, cli->pool, o.at, &r, &cli->err) != LW_OK) {
        lw_eval_result_free(&r);
        return lw_cli_fail(cli, "%s", cli->err.msg);
    }
    if (r.lines.data)
        fputs(r.lines.data, stdout);
    if (!o.quiet)
        printf("evaluated %zu rule%s at %s: %d change%s, %d notification%s queued, %d "
               "suppressed\n", r.rules, r.rules == 1 ? "" : "s",
               lw_time_format(o.at, LW_TIME_SECOND, when, sizeof(when)),
               r.transitions, r.transitions == 1 ? "" : "s", r.queued,
               r.queued == 1 ? "" : "s", r.suppressed);
    if (r.invalid_rules > 0)
        fprintf(stderr, "%s: %zu rule%s skipped as invalid (see the log)\n", cli->prog,
                r.invalid_rules, r.invalid_rules == 1 ? "" : "s");
    lw_eval_result_free(&r);
    return 0;
}

int
lw_job_evaluate(lw_job_ctx *ctx)
{
    lw_eval_result r;
    lw_pool *own = NULL;
    const char *s, *nl;
    int rc;

    /* a job run by jobs.c has its pool; one called bare gets its own */
    if (ctx->pool == NULL && (ctx->pool = own = lw_pool_create()) == NULL) {
        lw_err_set(&ctx->err, "out of memory");
        return LW_ENOMEM;
    }
    rc = lw_eval_run(ctx->db, ctx->pool, time(NULL), &r, &ctx->err);
    if (rc == LW_OK) {
        for (s = r.lines.data; s && *s; s = nl ? nl + 1 : NULL) {
            nl = strchr(s, '\n');
            lw_log(LW_LOG_INFO, "%.*s", (int) (nl ? nl - s : (long) strlen(s)), s);
        }
        lw_buf_printf(&ctx->details, "{\"rules\": %zu, \"invalid_rules\": %zu, "
                      "\"changes\": %d, \"queued\": %d, \"suppressed\": %d}", r.rules,
                      r.invalid_rules, r.transitions, r.queued, r.suppressed);
    }
    lw_eval_result_free(&r);
    if (own != NULL) {
        lw_pool_destroy(own);
        ctx->pool = NULL;
    }
    return rc;
}
