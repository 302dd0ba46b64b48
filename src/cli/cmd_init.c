/* `vigie init` and `vigie token create`: set up the database and hand out API tokens. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/model.h"
#include "app/auth.h"
#include "store/store.h"
#include "util/shown.h"
#include "util/str.h"

/* Opens the store, ensures user `name` with `role`, creates a token and prints it alone on
 * stdout. */
static int issue_token(const char *cmd, const char *db, const char *name, const char *role,
                       const char *label)
{
    struct vg_diag d;
    struct vg_shown sm;
    vg_diag_clear(&d);
    if (vg_auth_init() != 0) {
        fprintf(stderr, "vigie %s: cannot initialise libsodium\n", cmd);
        return VG_EXIT_FAIL;
    }
    struct vg_store *st = vg_store_open(db, NULL, &d);
    if (!st) {
        fprintf(stderr, "vigie %s: %s\n", cmd, vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    char tok[VG_TOKEN_LEN + 1];
    int rc = vg_auth_user_token(st, name, role, label, tok, &d);
    vg_store_close(st);
    if (rc) {
        fprintf(stderr, "vigie %s: %s\n", cmd, vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    printf("%s\n", tok);
    return VG_EXIT_OK;
}

static int run_init(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'h')
            return fputs(vg_cmd_init.help, stdout), VG_EXIT_OK;
        else
            return vg_cli_usage("init", "unknown option");
    }
    if (optind < argc) {
        struct vg_shown sa;
        return vg_cli_usage("init", "unexpected argument '%s'",
                            vg_shown(vg_str_c(argv[optind]), 0, &sa));
    }
    return issue_token("init", vg_cli_db_path(db), "admin", "admin", "init");
}

static int run_token(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"user", required_argument, NULL, 'u'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"label", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *user = NULL, *role = "analyst", *label = "cli";
    if (argc < 2 || strcmp(argv[1], "create") != 0)
        return vg_cli_usage("token", "expected: vigie token create --user NAME");
    int c;
    optind = 1;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'u': user = optarg; break;
        case 'r': role = optarg; break;
        case 'l': label = optarg; break;
        case 'h': fputs(vg_cmd_token.help, stdout); return VG_EXIT_OK;
        default: return vg_cli_usage("token", "unknown option");
        }
    }
    if (optind < argc) {
        struct vg_shown sa;
        return vg_cli_usage("token", "unexpected argument '%s'",
                            vg_shown(vg_str_c(argv[optind]), 0, &sa));
    }
    if (!user || !*user)
        return vg_cli_usage("token", "--user NAME is required");
    if (vg_name_index(vg_role_names, role) < 0)
        return vg_cli_usage("token", "--role must be admin, analyst or reader");
    return issue_token("token", vg_cli_db_path(db), user, role, label);
}

const struct vg_command vg_cmd_init = {
    "init",
    "create or migrate the database and print an admin token",
    "usage: vigie init [--db PATH]\n\n"
    "Creates the database (or applies pending migrations), creates the user 'admin' if it\n"
    "does not exist, and prints a new admin API token as the only line on stdout.\n"
    "The token is shown once: only its hash is stored.\n\n"
    "  --db PATH   SQLite file (default: $VIGIE_DB, then ./var/vigie.db)\n",
    run_init,
};

const struct vg_command vg_cmd_token = {
    "token",
    "create an API token for a user",
    "usage: vigie token create --user NAME [--role admin|analyst|reader] [--label TEXT]\n"
    "                          [--db PATH]\n\n"
    "Creates the user if needed (with --role, default analyst; an existing user keeps its\n"
    "role) and prints a new API token on stdout. Use it as 'Authorization: Bearer TOKEN'.\n",
    run_token,
};
