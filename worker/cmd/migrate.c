/* migrate.c: `llmwatch migrate` applies the sql/NNN_*.sql files the
 * database has not recorded yet. */
#include <stdio.h>

#include "cmd/cmd.h"

int
lw_cmd_migrate(lw_cli *cli)
{
    lw_db *db;
    int applied, rc;

    if ((rc = lw_cli_parse_db(cli, NULL, NULL, NULL, &db)) != LW_CLI_GO)
        return rc;
    if (lw_db_migrate(db, &cli->err, lw_cli_datapath(cli, "sql"), &applied) != LW_OK)
        return lw_cli_fail(cli, "%s", cli->err.msg);
    printf("%d migration%s applied\n", applied, applied == 1 ? "" : "s");
    return 0;
}
