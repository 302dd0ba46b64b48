/* vigie's entry point: dispatches `vigie <command> [options]` to the command table. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"

const struct vg_command *const vg_commands[] = {
    &vg_cmd_init, &vg_cmd_serve, &vg_cmd_token, &vg_cmd_cpe, &vg_cmd_vuln, &vg_cmd_help, &vg_cmd_version,
    NULL,
};

const char *vg_cli_db_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("VIGIE_DB");
    if (env && *env)
        return env;
    return "./var/vigie.db";
}

int vg_cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vigie %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nsee: vigie help %s\n", cmd);
    va_end(ap);
    return VG_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        vg_cmd_help.run(1, (char *[]){"help", NULL});
        return VG_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    if (strcmp(name, "--version") == 0)
        name = "version";
    for (size_t i = 0; vg_commands[i]; i++)
        if (strcmp(vg_commands[i]->name, name) == 0)
            return vg_commands[i]->run(argc - 1, argv + 1);
    fprintf(stderr, "vigie: unknown command '%s'; see: vigie help\n", argv[1]);
    return VG_EXIT_USAGE;
}
