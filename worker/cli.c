/* cli.c: the per-command context of `llmwatch` (see cli.h): common
 * options, configuration, database connection and pool, so that no
 * command repeats the getopt, config and connect boilerplate. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "alert/rules.h"

enum { OPT_CONFIG = 0x1001, OPT_DATABASE, OPT_FORMAT, OPT_HELP };

#define MAX_OPTS 40

int
lw_cli_init(lw_cli *cli, const lw_cli_cmd *cmd, int argc, char **argv)
{
    memset(cli, 0, sizeof(*cli));
    cli->cmd = cmd;
    cli->argc = argc;
    cli->argv = argv;
    cli->format = LW_CLI_TABLE;
    cli->pool = lw_pool_create();
    if (cli->pool == NULL)
        return LW_ENOMEM;
    cli->prog = lw_pool_printf(cli->pool, "llmwatch %s", cmd->name);
    return cli->prog ? LW_OK : LW_ENOMEM;
}

void
lw_cli_free(lw_cli *cli)
{
    lw_db_close(cli->db);
    lw_config_free(cli->cfg);
    lw_pool_destroy(cli->pool);
    cli->db = NULL;
    cli->cfg = NULL;
    cli->pool = NULL;
}

const char *
lw_cli_subcommand(lw_cli *cli)
{
    const char *sub;

    if (cli->argc < 2 || cli->argv[1][0] == '-')
        return NULL;
    sub = cli->argv[1];
    cli->argc--;
    cli->argv++;
    cli->prog = lw_pool_printf(cli->pool, "llmwatch %s %s", cli->cmd->name, sub);
    return sub;
}

int
lw_cli_no_subcommand(const lw_cli *cli)
{
    if (cli->argc > 1 && (strcmp(cli->argv[1], "--help") == 0 || strcmp(cli->argv[1], "-h") == 0)) {
        lw_cli_usage(cli, stdout, 1);
        return 0;
    }
    return lw_cli_usage(cli, stderr, 1);
}

void
lw_cli_usage_lines(FILE *f, const char *usage, const char *first, const char *rest)
{
    const char *u, *nl;
    int n = 0;

    for (u = usage; u != NULL && *u != '\0'; u = nl ? nl + 1 : NULL, n++) {
        nl = strchr(u, '\n');
        /* a line starting with a blank continues the form above it */
        fprintf(f, "%s%s%.*s\n", n == 0 ? first : rest, *u == ' ' ? "         " : "llmwatch ",
                (int) (nl ? nl - u : (long) strlen(u)), u);
    }
}

int
lw_cli_usage(const lw_cli *cli, FILE *f, int full)
{
    lw_cli_usage_lines(f, cli->cmd->usage, "usage: ", "       ");
    if (full && cli->cmd->help != NULL)
        fputs(cli->cmd->help, f);
    return 2;
}

int
lw_cli_fail(const lw_cli *cli, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", cli->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int
lw_cli_int(const char *arg, long long lo, long long hi, long long *out)
{
    char *end;
    long long v;

    if (arg == NULL || *arg == '\0')
        return -1;
    v = strtoll(arg, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int
lw_cli_int_opt(lw_cli *cli, const char *arg, long long lo, long long hi, long long *out,
               const char *msg)
{
    if (lw_cli_int(arg, lo, hi, out) == 0)
        return 0;
    lw_cli_fail(cli, "%s", msg);
    return 2;
}

int
lw_cli_real_opt(lw_cli *cli, const char *arg, double lo, double hi, int closed, double *out,
                const char *msg)
{
    char *end;
    double v = strtod(arg, &end);

    *out = v;
    if (*end == '\0' && (v > lo || ((closed & LW_CLI_LO) && v == lo))
        && (v < hi || ((closed & LW_CLI_HI) && v == hi)))
        return 0;
    lw_cli_fail(cli, "%s", msg);
    return 2;
}

/* The common options this command takes, after its own. */
static size_t
add_common(const lw_cli *cli, struct option *v, size_t n)
{
    unsigned mode = cli->cmd->flags & LW_CLI_CONFIG_MASK;

    if (mode != LW_CLI_CONFIG_NONE)
        v[n++] = (struct option) { "config", required_argument, NULL, OPT_CONFIG };
    if (!(cli->cmd->flags & LW_CLI_NO_DATABASE))
        v[n++] = (struct option) { "database", required_argument, NULL, OPT_DATABASE };
    if (cli->cmd->flags & LW_CLI_FORMAT)
        v[n++] = (struct option) { "format", required_argument, NULL, OPT_FORMAT };
    v[n++] = (struct option) { "help", no_argument, NULL, OPT_HELP };
    return n;
}

/* Short forms: the command's own letters, then -c -d -f -h for the
 * common options the command has and whose letter is still free. */
static void
short_opts(const struct option *v, size_t n, char *out, size_t size)
{
    static const struct { char c; int val; } common[] = {
        { 'c', OPT_CONFIG }, { 'd', OPT_DATABASE }, { 'f', OPT_FORMAT }, { 'h', OPT_HELP },
    };
    size_t i, k, len = 0;

    for (i = 0; i < n && len + 3 < size; i++) {
        if (v[i].val <= 0 || v[i].val >= 128)
            continue;
        out[len++] = (char) v[i].val;
        if (v[i].has_arg == required_argument)
            out[len++] = ':';
    }
    for (k = 0; k < LW_ARRAY_LEN(common) && len + 3 < size; k++) {
        out[len] = '\0';
        if (strchr(out, common[k].c) != NULL)
            continue;
        for (i = 0; i < n; i++)
            if (v[i].val == common[k].val)
                break;
        if (i == n)
            continue;
        out[len++] = common[k].c;
        if (v[i].has_arg == required_argument)
            out[len++] = ':';
    }
    out[len] = '\0';
}

static int
common_of(const struct option *own, int ch)
{
    static const struct { char c; int val; } common[] = {
        { 'c', OPT_CONFIG }, { 'd', OPT_DATABASE }, { 'f', OPT_FORMAT }, { 'h', OPT_HELP },
    };
    size_t k;

    for (; own != NULL && own->name != NULL; own++)
        if (own->val == ch)
            return ch;
    for (k = 0; k < LW_ARRAY_LEN(common); k++)
        if (common[k].c == ch)
            return common[k].val;
    return ch;
}

/* The command's own options from their spec: "name:K" takes an argument,
 * "name/K" does not; K is the value fn gets. Names are pool-owned. */
static int
own_options(lw_cli *cli, const char *spec, struct option *v, size_t *n)
{
    const char *p = spec, *end;
    size_t len;

    *n = 0;
    while (p != NULL && *p != '\0') {
        p += strspn(p, " ");
        end = p + strcspn(p, " ");
        len = (size_t) (end - p);
        if (len == 0)
            break;
        if (len < 3 || (p[len - 2] != ':' && p[len - 2] != '/') || *n == MAX_OPTS) {
            lw_cli_fail(cli, "bad option spec '%.*s'", (int) len, p);
            return -1;
        }
        v[*n].name = lw_pool_strndup(cli->pool, p, len - 2);
        v[*n].has_arg = p[len - 2] == ':' ? required_argument : no_argument;
        v[*n].flag = NULL;
        v[*n].val = (unsigned char) p[len - 1];
        if (v[*n].name == NULL)
            return -1;
        (*n)++;
        p = end;
    }
    return 0;
}

int
lw_cli_parse(lw_cli *cli, const char *spec, lw_cli_opt_fn fn, void *ctx)
{
    struct option v[MAX_OPTS + 5], *own = v;
    const char *url = NULL;
    char shorts[2 * MAX_OPTS + 16];
    size_t n = 0;
    int ch, rc;

    if (own_options(cli, spec, v, &n) != 0)
        return 1;
    v[n] = (struct option) { NULL, 0, NULL, 0 };
    n = add_common(cli, v, n);
    v[n] = (struct option) { NULL, 0, NULL, 0 };
    short_opts(v, n, shorts, sizeof(shorts));
    optind = 0;     /* glibc: full re-initialisation; argv[0] is skipped */
    while ((ch = getopt_long(cli->argc, cli->argv, shorts, v, NULL)) != -1) {
        switch (common_of(own, ch)) {
        case OPT_CONFIG:
            cli->config_opt = optarg;
            break;
        case OPT_DATABASE:
            url = optarg;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "table") == 0)
                cli->format = LW_CLI_TABLE;
            else if (strcmp(optarg, "json") == 0)
                cli->format = LW_CLI_JSON;
            else if (strcmp(optarg, "csv") == 0)
                cli->format = LW_CLI_CSV;
            else {
                fprintf(stderr, "%s: --format is table, json or csv\n", cli->prog);
                return 2;
            }
            break;
        case OPT_HELP:
            lw_cli_usage(cli, stdout, 1);
            return 0;
        case '?':
        case ':':
            return lw_cli_usage(cli, stderr, 0);
        default:
            if (fn == NULL)
                return lw_cli_usage(cli, stderr, 0);
            rc = fn(cli, ch, optarg, ctx);
            if (rc != 0)
                return rc;
        }
    }
    if (optind != cli->argc)
        return lw_cli_usage(cli, stderr, 0);
    cli->database_url = lw_db_default_url(url);
    return LW_CLI_GO;
}

int
lw_cli_parse_db(lw_cli *cli, const char *spec, lw_cli_opt_fn fn, void *ctx, lw_db **db)
{
    int rc = lw_cli_parse(cli, spec, fn, ctx);

    if (rc != LW_CLI_GO)
        return rc;
    *db = lw_cli_db(cli);
    return *db != NULL ? LW_CLI_GO : 1;
}

int
lw_cli_keep(int ch, const char *arg, const char *keys, const char **const *fields)
{
    const char *k = ch > 0 && ch < 256 ? strchr(keys, ch) : NULL;

    if (k == NULL)
        return 0;
    *fields[k - keys] = arg;
    return 1;
}

int
lw_cli_config(lw_cli *cli)
{
    unsigned flags = cli->cmd->flags, mode = flags & LW_CLI_CONFIG_MASK;
    lw_diag diags;
    int bad;

    switch (mode) {
    case LW_CLI_CONFIG_NONE:
    case LW_CLI_CONFIG_IGNORED:
        return LW_CLI_GO;
    case LW_CLI_CONFIG_EXPLICIT:
        cli->config_path = cli->config_opt;
        break;
    case LW_CLI_CONFIG_OPTIONAL:
        cli->config_path = lw_config_path(cli->config_opt, 0);
        break;
    default:
        cli->config_path = lw_config_path(cli->config_opt, 1);
        break;
    }
    if (cli->config_path == NULL || mode == LW_CLI_CONFIG_PATH)
        return LW_CLI_GO;
    cli->cfg = lw_config_load_report(cli->config_path, cli->prog, (flags & LW_CLI_WARNINGS) != 0);
    if (cli->cfg != NULL && (flags & LW_CLI_RULES)) {
        /* rule expressions are checked by the rules module, at their position */
        lw_diag_init(&diags);
        bad = lw_rules_check_config(cli->cfg, &diags) > 0;
        if (bad || (flags & LW_CLI_WARNINGS)) {
            lw_diag_sort(&diags);
            lw_diag_print(&diags, stderr);
        }
        lw_diag_free(&diags);
        if (bad) {
            fprintf(stderr, "%s: %s has errors\n", cli->prog, cli->config_path);
            lw_config_free(cli->cfg);
            cli->cfg = NULL;
        }
    }
    if (cli->cfg == NULL && !(flags & LW_CLI_SOFT_CONFIG))
        return 1;
    return LW_CLI_GO;
}

lw_db *
lw_cli_db(lw_cli *cli)
{
    if (cli->db != NULL)
        return cli->db;
    if (cli->database_url == NULL)
        cli->database_url = lw_db_default_url(NULL);
    cli->db = lw_db_connect(cli->database_url, cli->prog, &cli->err);
    if (cli->db == NULL)
        lw_cli_fail(cli, "%s", cli->err.msg);
    return cli->db;
}

const char *
lw_cli_datapath(lw_cli *cli, const char *sub)
{
    return lw_pool_printf(cli->pool, "%s/%s", lw_datadir(), sub);
}
