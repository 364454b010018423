/* budget.c: `llmwatch budget add|list|remove`: spending budgets from the
 * shell (the seed's --daily-budget 150 --weekly-budget 900
 * --monthly-budget 3500 --alert-at 80,90,100 adds three at once), checked
 * as the /budgets form checks them (lib/budget.c), audited as "cli". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "cmd/cmd.h"
#include "db/budgets.h"
#include "fmt.h"
#include "times.h"

struct opts {
    lw_budget_input in;
    const char *per_period[3];   /* --daily-budget, --weekly-budget, --monthly-budget */
    const char *at;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;

    (void) cli;
    switch (ch) {
    case 'n': o->in.name = arg; break;
    case 'p': o->in.period = arg; break;
    case 'a': o->in.amount = arg; break;
    case 'A': o->in.alert_at = arg; break;
    case 'm': o->in.model = arg; break;
    case 'P': o->in.provider = arg; break;
    case 'e': o->in.environment = arg; break;
    case 'z': o->in.time_zone = arg; break;
    case 'D': o->per_period[0] = arg; break;
    case 'W': o->per_period[1] = arg; break;
    case 'M': o->per_period[2] = arg; break;
    case 't': o->at = arg; break;
    }
    return 0;
}

static int
add_one(lw_cli *cli, lw_db *db, const lw_budget_input *in)
{
    lw_db_audit_who who = { 0, "cli", NULL };
    lw_budget_errors errs;
    const char *json;
    long long id;
    int i, changed, rc;

    rc = lw_budget_check(in, cli->pool, &json, &errs);
    if (rc == LW_ENOMEM)
        return lw_cli_fail(cli, "out of memory");
    if (rc != LW_OK) {
        for (i = 0; i < errs.n; i++)
            fprintf(stderr, "%s: --%s: %s\n", cli->prog,
                    strcmp(errs.v[i].field, "alert_at") == 0 ? "alert-at"
                    : strcmp(errs.v[i].field, "time_zone") == 0 ? "time-zone" : errs.v[i].field,
                    errs.v[i].msg);
        return 2;
    }
    rc = lw_db_budgets_save(db, &cli->err, json, "cli", &who, &id, &changed);
    if (rc != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    printf("✓ budget '%s' added (#%lld): alerts go through the routing of their severity "
           "(warning below 100%%, critical from 100%%)\n",
           in->name && *in->name ? in->name : in->period, id);
    return 0;
}

static int
cmd_add(lw_cli *cli, lw_db *db, struct opts *o)
{
    static const char *const periods[] = { "daily", "weekly", "monthly" };
    lw_budget_input one;
    int i, rc, any = 0;

    for (i = 0; i < 3; i++)
        any |= o->per_period[i] != NULL;
    if (!any)
        return add_one(cli, db, &o->in);
    if (o->in.period != NULL || o->in.amount != NULL || o->in.name != NULL) {
        fprintf(stderr, "%s: --daily-budget and the like add budgets named after their "
                        "period; they do not go with --period, --amount or --name\n", cli->prog);
        return 2;
    }
    /* all of them or none */
    if (lw_db_begin(db, &cli->err) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    for (i = 0; i < 3; i++) {
        if (o->per_period[i] == NULL)
            continue;
        one = o->in;
        one.period = periods[i];
        one.amount = o->per_period[i];
        rc = add_one(cli, db, &one);
        if (rc != 0) {
            lw_db_rollback(db);
            return rc;
        }
    }
    return lw_db_commit(db, &cli->err) == LW_OK ? 0 : lw_cli_fail(cli, "%s", cli->err.msg);
}

static int
cmd_list(lw_cli *cli, lw_db *db, struct opts *o)
{
    static const char *const head[] = { "Budget", "Scope", "Period", "Amount", "Spent",
                                        "Probes", "Usage", "Used", "Projected", "Runs out",
                                        "Announced" };
    const char *row[11];
    char c[6][48];
    time_t at = time(NULL);
    lw_fmt_table *t;
    lw_buf out = { 0 };
    PGresult *res;
    int i, rc = 1;

    if (o->at != NULL && lw_time_parse(o->at, &at) != LW_OK) {
        fprintf(stderr, "%s: --at takes a time (Unix seconds or 'YYYY-MM-DD HH:MM' UTC)\n",
                cli->prog);
        return 2;
    }
    res = lw_db_budgets_list(db, &cli->err, (long long) at, NULL);
    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    if (PQntuples(res) == 0) {
        printf("No budgets (llmwatch budget add --period daily --amount 150, or budgets: in "
               "the configuration).\n");
        PQclear(res);
        return 0;
    }
    t = lw_fmt_table_new(11, head, "lllrrrrrrll");
    for (i = 0; t != NULL && i < PQntuples(res); i++) {
#define COL(name) lw_db_str(res, i, PQfnumber(res, name))
        snprintf(c[0], sizeof(c[0]), "$%s", COL("amount"));
        snprintf(c[1], sizeof(c[1]), "$%s", COL("spent"));
        snprintf(c[2], sizeof(c[2]), "$%s", COL("probe"));
        snprintf(c[3], sizeof(c[3]), "$%s", COL("usage"));
        snprintf(c[4], sizeof(c[4]), "%s%%", COL("used_pct"));
        snprintf(c[5], sizeof(c[5]), "$%s", COL("projected"));
        row[0] = COL("name");
        row[1] = COL("scope");
        row[2] = lw_pool_printf(cli->pool, "%s since %s %s", COL("period"), COL("since"),
                                COL("time_zone"));
        row[3] = c[0];
        row[4] = c[1];
        row[5] = c[2];
        row[6] = c[3];
        row[7] = c[4];
        row[8] = c[5];
        row[9] = COL("runs_out") ? COL("runs_out") : "-";
        row[10] = COL("crossed") ? COL("crossed") : "-";
#undef COL
        lw_fmt_table_add(t, row);
    }
    if (t != NULL && lw_fmt_table_render(t, &out) == LW_OK) {
        printf("%s\nProjected: the spend rate of the last quarter of the period (or of its elapsed "
               "part) continued to its end.\n", out.data);
        rc = 0;
    }
    lw_fmt_table_free(t);
    lw_buf_free(&out);
    PQclear(res);
    return rc;
}

static int
cmd_remove(lw_cli *cli, lw_db *db, const char *name)
{
    lw_db_audit_who who = { 0, "cli", NULL };
    PGresult *res;
    long long id;
    int rc;

    if (name == NULL) {
        fprintf(stderr, "%s: which budget? (llmwatch budget remove NAME)\n", cli->prog);
        return 2;
    }
    res = lw_db_budgets_find(db, &cli->err, name);
    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    if (PQntuples(res) == 0) {
        PQclear(res);
        return lw_cli_fail(cli, "no budget is called '%s'", name);
    }
    id = lw_db_int(res, 0, 0);
    rc = lw_streq(lw_db_str(res, 0, 1), "config");
    PQclear(res);
    if (rc)
        return lw_cli_fail(cli, "budget '%s' comes from the configuration file: remove it there "
                           "(and run llmwatch config apply)", name);
    if (lw_db_budgets_remove(db, &cli->err, id, NULL, &who) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg[0] ? cli->err.msg : "it is gone already");
    printf("✓ budget '%s' removed\n", name);
    return 0;
}

int
lw_cmd_budget(lw_cli *cli)
{
    static const char opts[] = "name:n period:p amount:a alert-at:A model:m provider:P "
                               "environment:e time-zone:z daily-budget:D weekly-budget:W "
                               "monthly-budget:M at:t";
    struct opts o;
    const char *sub, *name = NULL;
    lw_db *db;
    int rc;

    if ((sub = lw_cli_subcommand(cli)) == NULL)
        return lw_cli_no_subcommand(cli);
    if (strcmp(sub, "add") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "remove") != 0) {
        fprintf(stderr, "%s: unknown subcommand '%s'\n", cli->prog, sub);
        return lw_cli_usage(cli, stderr, 0);
    }
    /* `remove NAME` */
    if (cli->argc > 1 && cli->argv[1][0] != '-') {
        name = cli->argv[1];
        cli->argv[1] = cli->argv[0];
        cli->argv++;
        cli->argc--;
    }
    memset(&o, 0, sizeof(o));
    if ((rc = lw_cli_parse_db(cli, opts, on_opt, &o, &db)) != LW_CLI_GO)
        return rc;
    if (strcmp(sub, "add") == 0)
        return cmd_add(cli, db, &o);
    if (strcmp(sub, "list") == 0)
        return cmd_list(cli, db, &o);
    return cmd_remove(cli, db, name ? name : o.in.name);
}
