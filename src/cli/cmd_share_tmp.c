/* TEMPORARY until h-share's `vigie share` lands: dispatches `vigie share pull` only. */
#include <string.h>

#include "cli/commands.h"

static int run(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "pull") == 0)
        return cmd_share_pull(argc - 1, argv + 1);
    return vg_cli_usage("share", "expected: pull");
}

const struct vg_command vg_cmd_share = {"share", "share with partner CERTs", vg_cmd_share_pull_help,
                                        run};
