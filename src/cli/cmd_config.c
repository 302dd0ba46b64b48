/* `vigie config set|get|unset|list`: the deployment's settings stored in the database (issue
 * 15), through the use cases of app/mail.h (app/mail_config.c). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/mail.h"
#include "cli/commands.h"
#include "store/store.h"
#include "util/shown.h"
#include "util/str.h"

/* Reads the value of `set KEY -` from standard input: one line, its line end removed.
 * 0, or -1 (nothing read, too long). */
static int read_stdin_value(char *out, size_t cap)
{
    if (!fgets(out, (int)cap, stdin))
        return -1;
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[--n] = '\0';
    else if (!feof(stdin))
        return -1; /* the line did not fit */
    if (n && out[n - 1] == '\r')
        out[--n] = '\0';
    return 0;
}

static void print_item(const json_t *it, bool with_source)
{
    const char *v = json_string_value(json_object_get(it, "value"));
    struct vg_shown sv;
    if (!with_source) {
        printf("%s\n", v ? vg_shown(vg_str_c(v), 0, &sv) : "");
        return;
    }
    const char *src = json_string_value(json_object_get(it, "source"));
    printf("%-14s %-40s %s", json_string_value(json_object_get(it, "key")),
           v ? vg_shown(vg_str_c(v), 0, &sv) : "-", src);
    if (!strcmp(src, "environment"))
        printf(" ($%s)", json_string_value(json_object_get(it, "env")));
    if (json_is_true(json_object_get(it, "shadowed")))
        printf(" (the database's value is overridden)");
    printf("\n");
}

static int run_config(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return fputs(vg_cmd_config.help, stdout), VG_EXIT_OK;
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int c;
    optind = 1;
    /* options anywhere (`vigie config set KEY VALUE --db PATH`); "-" alone is a value */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'd')
            return vg_cli_usage("config", "unknown option");
        db = optarg;
    }
    char **args = argv + optind;
    int n = argc - optind;
    if (n < 1)
        return vg_cli_usage("config", "expected a subcommand: set, get, unset, list");
    const char *sub = args[0];
    int want = !strcmp(sub, "set") ? 3 : !strcmp(sub, "list") ? 1 : 2;
    if (strcmp(sub, "set") && strcmp(sub, "get") && strcmp(sub, "unset") && strcmp(sub, "list")) {
        struct vg_shown sa;
        return vg_cli_usage("config", "unknown subcommand '%s'", vg_shown(vg_str_c(sub), 0, &sa));
    }
    if (n != want)
        return vg_cli_usage("config", "%s takes %s", sub,
                            want == 3   ? "KEY VALUE"
                            : want == 2 ? "KEY"
                                        : "no operand");
    struct vg_diag d;
    vg_diag_clear(&d);
    char value[1100];
    const char *v = want == 3 ? args[2] : NULL;
    if (v && !strcmp(v, "-")) {
        if (read_stdin_value(value, sizeof value))
            return vg_cli_usage("config",
                                "set %s -: expected one line on standard input "
                                "(at most %zu bytes)",
                                args[1], sizeof value - 2);
        v = value;
    }
    /* a bad key or value is said before the database is opened */
    if (v && vg_mail_setting_check(args[1], v, &d)) {
        memset(value, 0, sizeof value);
        return vg_cli_fail("config", &d);
    }
    struct vg_store *st = vg_cli_store_open("config", db);
    if (!st)
        return VG_EXIT_FAIL;
    int rc = 0;
    json_t *out = NULL;
    if (want == 3)
        rc = vg_mail_setting_set(st, args[1], v, &d);
    else if (!strcmp(sub, "unset"))
        rc = vg_mail_setting_unset(st, args[1], &d);
    else
        rc = vg_mail_settings_list(st, want == 2 ? args[1] : NULL, &out, &d);
    memset(value, 0, sizeof value);
    vg_store_close(st);
    if (rc) {
        json_decref(out);
        return vg_cli_fail("config", &d);
    }
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(out, "items"), i, it) {
        if (want == 2 && json_is_null(json_object_get(it, "value"))) {
            fprintf(stderr, "vigie config: %s is not set\n", args[1]);
            rc = VG_EXIT_FAIL;
        } else {
            print_item(it, want == 1);
        }
    }
    json_decref(out);
    return rc;
}

const struct vg_command vg_cmd_config = {
    "config",
    "settings stored in the database: the SMTP server, the sender, links",
    "usage: vigie config [--db PATH] set KEY VALUE\n"
    "       vigie config [--db PATH] get KEY\n"
    "       vigie config [--db PATH] unset KEY\n"
    "       vigie config [--db PATH] list\n\n"
    "Keys (each with its environment variable, which wins over the database):\n"
    "  smtp.url       $VIGIE_SMTP_URL       smtp://HOST[:PORT] (STARTTLS when offered, required\n"
    "                                       with a user) or smtps://HOST[:PORT] (TLS at once)\n"
    "  smtp.user      $VIGIE_SMTP_USER      AUTH user (with a user, TLS is required)\n"
    "  smtp.password  $VIGIE_SMTP_PASSWORD  AUTH password: never printed (get and list show\n"
    "                                       \"(set)\"); `set smtp.password -` reads it from\n"
    "                                       standard input, out of shell history and ps\n"
    "  smtp.cafile    $VIGIE_SMTP_CAFILE    a CA bundle (absolute path) to trust for the\n"
    "                                       server's certificate, for a private CA\n"
    "  mail.from      $VIGIE_MAIL_FROM      the sender: a@b or \"Name <a@b>\"\n"
    "  public.url     $VIGIE_PUBLIC_URL     http(s)://HOST[:PORT][/PATH], the base of links\n"
    "                                       in mail\n\n"
    "The SMTP keys go as a group: when $VIGIE_SMTP_URL is set, smtp.user, smtp.password and\n"
    "smtp.cafile are taken from the environment too (a password is never sent to a server it\n"
    "was not set for). `vigie serve` reads the settings again at each delivery round, so a\n"
    "change takes effect without a restart. list prints each key, the value in effect and\n"
    "where it comes from (environment, database, default, unset). VALUE \"-\" reads the value\n"
    "from standard input (one line).\n\n"
    "docs/MAIL.md tells more. Exit status: 0 done, 1 failure (bad key or value, not set),\n"
    "2 usage.\n",
    run_config,
};
