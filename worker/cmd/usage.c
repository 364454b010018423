/* usage.c: `llmwatch usage import FILE` stores production usage (CSV with
 * a header row, e.g. a provider's usage export, or JSON lines): the whole
 * file is read and checked first, and one bad row refuses it all, named
 * with its line and field; rows are idempotent on their key (derived from
 * their content when the file has none), so importing a file twice adds
 * nothing. `llmwatch usage summary` shows what was used, from the usage
 * rollups. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "db/usage.h"
#include "fmt.h"
#include "usage.h"

/* Rows per statement: each statement rebuilds the rollups it touched. */
#define CHUNK 5000
/* The largest file read (a year of per-minute rows of a dozen models). */
#define MAX_FILE (512L * 1024 * 1024)

struct opts {
    const char *file, *format, *environment;
    long long days;
    int dry_run;
};

static int
on_opt(lw_cli *cli, int ch, const char *arg, void *ctx)
{
    struct opts *o = ctx;

    switch (ch) {
    case 'f': o->file = arg; break;
    case 't': o->format = arg; break;
    case 'e': o->environment = arg; break;
    case 'n': o->dry_run = 1; break;
    case 'd':
        if (lw_cli_int(arg, 1, 3650, &o->days) != 0) {
            lw_cli_fail(cli, "--days must be a number of days (1..3650)");
            return 2;
        }
        break;
    }
    return 0;
}

static int
read_all(const char *path, lw_buf *b, lw_err *err)
{
    char chunk[65536];
    size_t n;
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");

    if (fp == NULL) {
        lw_err_set(err, "cannot open %s: %s", path, strerror(errno));
        return LW_EIO;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        if (b->len + n > MAX_FILE || lw_buf_append(b, chunk, n) != LW_OK) {
            lw_err_set(err, "%s is larger than %ld MiB", path, MAX_FILE / 1024 / 1024);
            break;
        }
    }
    if (ferror(fp) && err->msg[0] == '\0')
        lw_err_set(err, "cannot read %s: %s", path, strerror(errno));
    if (fp != stdin)
        fclose(fp);
    return err->msg[0] != '\0' ? LW_EIO : LW_OK;
}

/* csv unless the option, or the name, or the first character says JSON. */
static int
is_jsonl(const struct opts *o, const lw_buf *b)
{
    size_t n = strlen(o->file);

    if (o->format != NULL)
        return strcmp(o->format, "jsonl") == 0 || strcmp(o->format, "json") == 0;
    if ((n > 6 && strcmp(o->file + n - 6, ".jsonl") == 0)
        || (n > 5 && strcmp(o->file + n - 5, ".json") == 0))
        return 1;
    return b->len > 0 && b->data[strspn(b->data, " \t\r\n")] == '{';
}

static int
store(lw_cli *cli, lw_db *db, const lw_usage_batch *ub, long long *inserted, long long *known)
{
    lw_usage_batch part = *ub;
    lw_buf json = { 0 };
    long long ins, kn;
    size_t off;
    int rc;

    *inserted = *known = 0;
    if (lw_db_begin(db, &cli->err) != LW_OK)
        return LW_EDB;
    for (off = 0; off < ub->n; off += CHUNK) {
        part.v = ub->v + off;
        part.n = ub->n - off < CHUNK ? ub->n - off : CHUNK;
        lw_buf_reset(&json);
        rc = lw_usage_to_json(&part, &json);
        if (rc == LW_OK)
            rc = lw_db_usage_insert(db, &cli->err, json.data, "import", &ins, &kn);
        if (rc != LW_OK) {
            lw_db_rollback(db);
            lw_buf_free(&json);
            return rc;
        }
        *inserted += ins;
        *known += kn;
    }
    lw_buf_free(&json);
    return lw_db_commit(db, &cli->err);
}

static int
cmd_import(lw_cli *cli, struct opts *o)
{
    lw_usage_batch ub;
    lw_buf text = { 0 };
    PGresult *models = NULL;
    long long inserted = 0, known = 0;
    char a[32], b[32], c[32];
    lw_db *db;
    int rc = 1;

    if (o->file == NULL) {
        fprintf(stderr, "%s: which file? (llmwatch usage import FILE)\n", cli->prog);
        return lw_cli_usage(cli, stderr, 0);
    }
    lw_usage_init(&ub, cli->pool);
    if (read_all(o->file, &text, &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s", cli->err.msg);
        goto cleanup;
    }
    if ((is_jsonl(o, &text) ? lw_usage_parse_jsonl : lw_usage_parse_csv)(
            &ub, text.data ? text.data : "", text.len, &cli->err) != LW_OK) {
        lw_cli_fail(cli, "%s: %s", o->file, cli->err.msg[0] ? cli->err.msg : "out of memory");
        goto cleanup;
    }
    if ((db = lw_cli_db(cli)) == NULL)
        goto cleanup;
    if (ub.n_errors == 0) {
        models = lw_db_usage_models(db, &cli->err);
        if (models == NULL) {
            lw_cli_fail(cli, "%s", cli->err.msg);
            goto cleanup;
        }
        if (lw_usage_resolve(&ub, models, PQntuples(models) > 0
                             ? lw_db_int(models, 0, 5) * 1000000 : 0,
                             (int64_t) time(NULL) * 1000000) != LW_OK) {
            lw_cli_fail(cli, "out of memory");
            goto cleanup;
        }
    }
    if (ub.n_errors > 0) {
        int k;

        /* each problem as FILE line N: field: why */
        for (k = 0; k < ub.n_errors && k < LW_USAGE_MAX_SHOWN; k++)
            fprintf(stderr, "%s line %ld: %s: %s\n", o->file, ub.shown[k].line, ub.shown[k].field,
                    ub.shown[k].msg);
        if (ub.n_errors > LW_USAGE_MAX_SHOWN)
            fprintf(stderr, "... and %d more\n", ub.n_errors - LW_USAGE_MAX_SHOWN);
        lw_fmt_count((long long) ub.rows, a, sizeof(a));
        lw_cli_fail(cli, "nothing was stored: %d bad row%s (of %s)", ub.n_errors,
                    ub.n_errors == 1 ? "" : "s", a);
        goto cleanup;
    }
    lw_fmt_count((long long) ub.n, a, sizeof(a));
    if (o->dry_run) {
        printf("✓ %s: %s rows, all valid (nothing stored: --dry-run)\n", o->file, a);
        rc = 0;
        goto cleanup;
    }
    if (store(cli, db, &ub, &inserted, &known) != LW_OK) {
        lw_cli_fail(cli, "nothing was stored: %s", cli->err.msg);
        goto cleanup;
    }
    lw_fmt_count(inserted, b, sizeof(b));
    lw_fmt_count(known, c, sizeof(c));
    printf("✓ %s: %s rows, %s stored, %s already known%s\n", o->file, a, b, c,
           ub.keys_derived ? " (keys derived from the rows' content where none was given)" : "");
    rc = 0;
cleanup:
    PQclear(models);
    lw_buf_free(&text);
    return rc;
}

static int
cmd_summary(lw_cli *cli, struct opts *o)
{
    static const char *const head[] = { "Model", "Environment", "Requests", "Input tokens",
                                        "Output tokens", "Cost" };
    char cells[4][32];
    lw_fmt_table *t;
    lw_buf out = { 0 };
    PGresult *res;
    time_t now = time(NULL);
    lw_db *db;
    int i, rc = 1;

    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    res = lw_db_usage_summary(db, &cli->err, (long long) now - o->days * 86400, (long long) now,
                              o->environment);
    if (res == NULL)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    t = lw_fmt_table_new(6, head, "llrrrr");
    for (i = 0; t != NULL && i < PQntuples(res); i++) {
        const char *row[6] = {
            lw_db_str(res, i, 0), lw_db_str(res, i, 1), cells[0], cells[1], cells[2], cells[3]
        };

        lw_fmt_count(lw_db_int(res, i, 2), cells[0], sizeof(cells[0]));
        lw_fmt_count(lw_db_int(res, i, 4), cells[1], sizeof(cells[1]));
        lw_fmt_count(lw_db_int(res, i, 5), cells[2], sizeof(cells[2]));
        snprintf(cells[3], sizeof(cells[3]), "$%s", lw_db_str(res, i, 7));
        lw_fmt_table_add(t, row);
    }
    printf("Production usage, last %lld day%s (from the usage rollups)\n\n", o->days,
           o->days == 1 ? "" : "s");
    if (PQntuples(res) == 0)
        printf("No usage recorded (POST /api/v1/usage, or llmwatch usage import FILE).\n");
    else if (t != NULL && lw_fmt_table_render(t, &out) == LW_OK)
        fputs(out.data, stdout);
    rc = t != NULL ? 0 : 1;
    lw_fmt_table_free(t);
    lw_buf_free(&out);
    PQclear(res);
    return rc;
}

int
lw_cmd_usage(lw_cli *cli)
{
    static const char opts[] = "file:f format:t dry-run/n days:d environment:e";
    struct opts o = { NULL, NULL, NULL, 7, 0 };
    const char *sub;
    int rc;

    if ((sub = lw_cli_subcommand(cli)) == NULL)
        return lw_cli_no_subcommand(cli);
    if (strcmp(sub, "import") != 0 && strcmp(sub, "summary") != 0) {
        fprintf(stderr, "%s: unknown subcommand '%s'\n", cli->prog, sub);
        return lw_cli_usage(cli, stderr, 0);
    }
    /* `import FILE`: the file may come first */
    if (cli->argc > 1 && cli->argv[1][0] != '-') {
        o.file = cli->argv[1];
        cli->argv[1] = cli->argv[0];
        cli->argv++;
        cli->argc--;
    }
    if ((rc = lw_cli_parse(cli, opts, on_opt, &o)) != LW_CLI_GO)
        return rc;
    if (o.format != NULL && strcmp(o.format, "csv") != 0 && strcmp(o.format, "jsonl") != 0
        && strcmp(o.format, "json") != 0) {
        fprintf(stderr, "%s: --format is csv or jsonl\n", cli->prog);
        return 2;
    }
    return strcmp(sub, "import") == 0 ? cmd_import(cli, &o) : cmd_summary(cli, &o);
}
