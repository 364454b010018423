/* cli.h: the context every `llmwatch` command runs in, built once per
 * command by main.c from its entry in the command table: the common
 * options (--config, --database, --format, --help), the configuration
 * found and loaded the one way (lw_config_path, lw_config_load_report),
 * the database connection, and a memory pool that lives as long as the
 * command (as nginx keeps one per request). */
#ifndef LW_CLI_H
#define LW_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "config.h"
#include "db/db.h"
#include "lw.h"

typedef struct lw_cli lw_cli;

/* How a command finds its configuration (the low bits of lw_cli_cmd.flags). */
enum {
    LW_CLI_CONFIG_NONE = 0,   /* no --config option */
    LW_CLI_CONFIG_IGNORED,    /* --config accepted for symmetry, never read */
    LW_CLI_CONFIG_EXPLICIT,   /* read only when --config is given */
    LW_CLI_CONFIG_OPTIONAL,   /* --config, $LLMWATCH_CONFIG, else
                               * ./monitoring_config.yaml when it exists */
    LW_CLI_CONFIG_REQUIRED,   /* the same, and one must load */
    LW_CLI_CONFIG_PATH        /* the path as REQUIRED finds it, not loaded
                               * (the command reads it itself) */
};
#define LW_CLI_CONFIG_MASK  0x0f
#define LW_CLI_WARNINGS     0x10   /* print the config's warnings too */
#define LW_CLI_RULES        0x20   /* also check the rules' expressions */
#define LW_CLI_SOFT_CONFIG  0x40   /* a config that does not load is reported,
                                    * and the command goes on without one */
#define LW_CLI_FORMAT       0x80   /* --format table|json|csv */
#define LW_CLI_NO_DATABASE  0x100  /* no --database option */

/* One entry of the command table (worker/main.c). */
typedef struct {
    const char *name;
    int       (*fn)(lw_cli *cli);  /* returns the exit status: 0 ok, 1 failure, 2 usage */
    unsigned    flags;             /* LW_CLI_CONFIG_* | LW_CLI_* */
    const char *usage;             /* one form per line, each after "llmwatch " */
    const char *help;              /* what --help adds below the usage, or NULL */
} lw_cli_cmd;

typedef enum { LW_CLI_TABLE, LW_CLI_JSON, LW_CLI_CSV } lw_cli_format;

struct lw_cli {
    const lw_cli_cmd *cmd;
    const char  *prog;           /* "llmwatch probe" (pool-owned) */
    int          argc;           /* argv[0] is the command (or subcommand) name */
    char       **argv;
    const char  *config_opt;     /* --config as given, NULL when not */
    const char  *config_path;    /* the file read, NULL when none */
    lw_config   *cfg;            /* owned by the context; NULL when none */
    const char  *database_url;   /* --database, $LLMWATCH_DATABASE_URL or the default */
    lw_db       *db;             /* owned by the context; NULL until lw_cli_db */
    lw_cli_format format;
    lw_pool     *pool;           /* freed with the context */
    lw_err       err;
};

/* Called for each of the command's own options: ch is the option's `val`,
 * arg its argument (NULL when none). Returns 0, or an exit status (2 after
 * printing what was wrong). */
typedef int (*lw_cli_opt_fn)(lw_cli *cli, int ch, const char *arg, void *ctx);

/* lw_cli_parse returns this when the command should go on. */
#define LW_CLI_GO (-1)

/* Builds the context (argv[0] = the command's name). 0 or LW_ENOMEM. */
int  lw_cli_init(lw_cli *cli, const lw_cli_cmd *cmd, int argc, char **argv);
/* Closes the database, frees the config and the pool. */
void lw_cli_free(lw_cli *cli);

/* Takes argv[1] as a subcommand name: argv then starts there (its own
 * name in argv[0]) and prog becomes "llmwatch CMD SUB". NULL when there is
 * none or it starts with '-'. */
const char *lw_cli_subcommand(lw_cli *cli);
/* What a command with subcommands does without one: the usage and help on
 * stdout and 0 after --help or -h, else the usage on stderr and 2. */
int lw_cli_no_subcommand(const lw_cli *cli);

/* Parses the options: the common ones the command's flags allow and its
 * own, given by `spec` (NULL for none): space-separated "name:K" for an
 * option with an argument, "name/K" for one without, K the character fn
 * gets as ch (a letter K is also the short option -K). fn is called for
 * each of the command's own options. Positional arguments are a usage
 * error. Returns LW_CLI_GO, 0 after --help, 2 after a usage error (the
 * usage printed), or what fn returned. */
int lw_cli_parse(lw_cli *cli, const char *spec, lw_cli_opt_fn fn, void *ctx);

/* lw_cli_parse, then the database connection (lw_cli_db): the preamble of
 * every command that needs no configuration. Returns LW_CLI_GO with *db
 * set, else the exit status to return (as lw_cli_parse, or 1 when the
 * database is out of reach). */
int lw_cli_parse_db(lw_cli *cli, const char *spec, lw_cli_opt_fn fn, void *ctx, lw_db **db);

/* Options kept as given: when ch is one of `keys`, *fields[its index in
 * keys] = arg and 1 is returned, else 0 (fields has strlen(keys) entries). */
int lw_cli_keep(int ch, const char *arg, const char *keys, const char **const *fields);

/* Finds and loads the configuration as the command's flags say. Returns
 * LW_CLI_GO (cli->cfg set or NULL), or 1 after printing why not. */
int lw_cli_config(lw_cli *cli);

/* The database connection, connected on first use as application
 * "llmwatch CMD". NULL after printing the reason to stderr. */
lw_db *lw_cli_db(lw_cli *cli);

/* Prints the forms of a usage text, each line after "llmwatch " (a line
 * starting with a blank continues the one above), the first line after
 * `first`, the others after `rest`. */
void lw_cli_usage_lines(FILE *f, const char *usage, const char *first, const char *rest);
/* Prints the usage (and with `full` the help text) to f; returns 2. */
int lw_cli_usage(const lw_cli *cli, FILE *f, int full);
/* Prints "llmwatch CMD: message" to stderr; returns 1. */
int lw_cli_fail(const lw_cli *cli, const char *fmt, ...) LW_PRINTF(2, 3);

/* Option arguments: an integer in [lo, hi]. 0, or -1 when it is not one. */
int lw_cli_int(const char *arg, long long lo, long long hi, long long *out);

/* The same for an option's argument: 0 with *out set, or 2 after printing
 * msg (as lw_cli_fail), what an lw_cli_opt_fn returns for a bad value. */
int lw_cli_int_opt(lw_cli *cli, const char *arg, long long lo, long long hi, long long *out,
                   const char *msg);

/* A real number for an option's argument: accepted when lo < v < hi, an
 * end included when `closed` has its flag (LW_CLI_LO, LW_CLI_HI). 0 with
 * *out set, or 2 after printing msg, as lw_cli_int_opt. */
#define LW_CLI_LO 1
#define LW_CLI_HI 2
int lw_cli_real_opt(lw_cli *cli, const char *arg, double lo, double hi, int closed, double *out,
                    const char *msg);

/* "<datadir>/sub" (pool-owned): where sql/, templates/ are installed. */
const char *lw_cli_datapath(lw_cli *cli, const char *sub);

#endif
