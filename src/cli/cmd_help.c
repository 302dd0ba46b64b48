/* `vigie help [COMMAND]` and `vigie version`. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/shown.h"
#include "util/version.h"

static int run_help(int argc, char **argv)
{
    if (argc >= 2) {
        for (size_t i = 0; vg_commands[i]; i++)
            if (strcmp(vg_commands[i]->name, argv[1]) == 0) {
                fputs(vg_commands[i]->help, stdout);
                return VG_EXIT_OK;
            }
        struct vg_shown sa;
        fprintf(stderr, "vigie help: no command '%s'\n", vg_shown(vg_str_c(argv[1]), 0, &sa));
        return VG_EXIT_USAGE;
    }
    printf("vigie %s: a platform for CERT/CSIRT teams\n\nusage: vigie <command> [options]\n\n"
           "commands:\n",
           VG_VERSION);
    for (size_t i = 0; vg_commands[i]; i++)
        printf("  %-10s %s\n", vg_commands[i]->name, vg_commands[i]->summary);
    printf("\n'vigie help COMMAND' tells more. --db defaults to $VIGIE_DB, then ./var/vigie.db.\n"
           "Names and values quoted in messages have control characters and bytes that are not\n"
           "UTF-8 escaped (\\n, \\xNN) and are cut after 200 bytes: ...(N bytes).\n");
    return VG_EXIT_OK;
}

static int run_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("vigie %s\n", VG_VERSION);
    return VG_EXIT_OK;
}

const struct vg_command vg_cmd_help = {
    "help",
    "show help for vigie or one command",
    "usage: vigie help [COMMAND]\n\nWithout COMMAND, lists the commands; with it, shows its "
    "options.\n",
    run_help,
};

const struct vg_command vg_cmd_version = {
    "version",
    "print the version",
    "usage: vigie version\n\nPrints 'vigie X.Y.Z' on stdout.\n",
    run_version,
};
