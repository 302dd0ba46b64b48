/* `vigie crisis tick`: the crisis cell's scheduled sitrep reminders (issue 15), once, through
 * app/crisis.h's vg_crisis_tick. `vigie serve` runs the same from its sender thread. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/crisis.h"
#include "cli/commands.h"
#include "store/store.h"
#include "util/shown.h"
#include "util/str.h"
#include "util/time.h"

static int run_tick(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"now", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    time_t now = time(NULL);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'n' && vg_time_parse(optarg, &now) != 0)
            return vg_cli_usage("crisis", "--now must be a time as 2026-01-31T10:00:00Z");
        else if (c != 'n')
            return vg_cli_usage("crisis", "unknown option");
    }
    if (optind != argc)
        return vg_cli_usage("crisis", "tick takes no operand");
    struct vg_store *st = vg_cli_store_open("crisis", db);
    if (!st)
        return VG_EXIT_FAIL;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_crisis_tick_counts n;
    int rc = vg_crisis_tick(st, now, &n, &d);
    printf("scheduled %ld reminders %ld messages %ld\n", n.scheduled, n.reminders, n.messages);
    vg_store_close(st);
    return rc ? vg_cli_fail("crisis", &d) : VG_EXIT_OK;
}

static int run_crisis(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("crisis", "expected a subcommand: tick");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return fputs(vg_cmd_crisis.help, stdout), VG_EXIT_OK;
    if (strcmp(argv[1], "tick") == 0)
        return run_tick(argc - 1, argv + 1);
    struct vg_shown sa;
    return vg_cli_usage("crisis", "unknown subcommand '%s'", vg_shown(vg_str_c(argv[1]), 0, &sa));
}

const struct vg_command vg_cmd_crisis = {
    "crisis",
    "the crisis cell: scheduled sitrep reminders",
    "usage: vigie crisis tick [--db PATH] [--now TIME]\n\n"
    "tick   for every open crisis with a sitrep schedule (sitrep_every_hours) whose last sitrep\n"
    "       (or opening) and last reminder are that old, queues a reminder to its members of\n"
    "       role \"cell\" and logs it, once per period; prints \"scheduled N reminders N\n"
    "       messages N\". TIME (RFC 3339 UTC, default now) is the time it runs at. `vigie mail\n"
    "       send` delivers the reminders; `vigie serve` ticks by itself.\n\n"
    "docs/CRISIS.md tells more. Exit status: 0 done, 1 failure, 2 usage.\n",
    run_crisis,
};
