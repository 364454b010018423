/* config.c: `llmwatch config apply`: writes a configuration into the
 * database by hand, as `init` and the scheduler (`run`, when its file
 * changes) do. Nothing else syncs: an ad-hoc `probe`, `baseline` or
 * `validate` with another file never changes what the instance monitors,
 * so applying a changed file is this explicit step. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "sync.h"

static int
apply(lw_cli *cli)
{
    lw_sync_counts counts;
    lw_db *db;
    int rc;

    if ((rc = lw_cli_parse(cli, NULL, NULL, NULL)) != LW_CLI_GO)
        return rc;
    /* checked before anything is written: a file with errors changes nothing */
    if (lw_cli_config(cli) != LW_CLI_GO) {
        fprintf(stderr, "%s: nothing was changed\n", cli->prog);
        return 1;
    }
    if ((db = lw_cli_db(cli)) == NULL)
        return 1;
    memset(&counts, 0, sizeof(counts));
    if (lw_sync_config(db, &cli->err, cli->cfg, "config", &counts) != LW_OK)
        return lw_cli_fail(cli, "applying %s: %s", cli->config_path, cli->err.msg);
    printf("✓ Configuration applied: %d model%s, %d channel%s, %d alert rule%s; "
           "%d change%s (%s)\n", counts.models, counts.models == 1 ? "" : "s",
           counts.channels, counts.channels == 1 ? "" : "s", counts.rules,
           counts.rules == 1 ? "" : "s", counts.changed, counts.changed == 1 ? "" : "s",
           cli->config_path);
    return 0;
}

int
lw_cmd_config(lw_cli *cli)
{
    const char *sub = lw_cli_subcommand(cli);

    if (sub == NULL)
        return lw_cli_no_subcommand(cli);
    if (strcmp(sub, "apply") != 0) {
        fprintf(stderr, "llmwatch config: unknown subcommand '%s'\n", sub);
        return lw_cli_usage(cli, stderr, 0);
    }
    return apply(cli);
}
