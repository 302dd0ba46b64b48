/* `vigie partner add|list|token`: partner CERTs (issue 12) from the command line, through the
 * use cases the API calls (app/partner.h). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/auth.h"
#include "app/partner.h"
#include "cli/commands.h"
#include "store/store.h"
#include "util/limits.h"
#include "util/shown.h"
#include "util/str.h"

#define MAX_REPEAT 64 /* --network and --contact given at most this many times */

/* Who the CLI's writes are audited as. */
static const struct vg_actor cli_actor = {0, "system", "admin", 0};

static void print_line(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (s)
        printf("%s\n", s);
    free(s);
}

static int run_add(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"country", required_argument, NULL, 'c'},
                                         {"network", required_argument, NULL, 'n'},
                                         {"max-tlp", required_argument, NULL, 't'},
                                         {"contact", required_argument, NULL, 'e'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *country = NULL, *max_tlp = NULL;
    json_t *networks = json_array(), *contacts = json_array(), *in = NULL, *out = NULL;
    int c, rc = VG_EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'c': country = optarg; break;
        case 't': max_tlp = optarg; break;
        case 'n':
        case 'e':
            if (json_array_size(c == 'n' ? networks : contacts) >= MAX_REPEAT) {
                rc = vg_cli_usage("partner", "--%s given more than %d times",
                                  c == 'n' ? "network" : "contact", MAX_REPEAT);
                goto out;
            }
            if (c == 'n')
                json_array_append_new(networks, json_string(optarg));
            else /* a contact named after its address: PATCH the record to name it */
                json_array_append_new(contacts,
                                      json_pack("{s:s,s:s}", "name", optarg, "email", optarg));
            break;
        default: rc = vg_cli_usage("partner", "unknown option"); goto out;
        }
    }
    if (optind + 1 != argc) {
        rc = vg_cli_usage("partner", "expected: vigie partner add NAME --country CC");
        goto out;
    }
    if (!country) {
        rc = vg_cli_usage("partner", "--country CC is required (ISO 3166-1 alpha-2, \"FR\")");
        goto out;
    }
    in = json_pack("{s:s,s:s,s:O,s:O}", "name", argv[optind], "country", country, "networks",
                   networks, "contacts", contacts);
    if (in && max_tlp)
        json_object_set_new(in, "max_tlp", json_string(max_tlp));
    if (!in) { /* a name or value that is not UTF-8 */
        rc = vg_cli_usage("partner", "NAME and values must be UTF-8 text");
        goto out;
    }
    struct vg_store *st = vg_cli_store_open("partner", db);
    if (!st) {
        rc = VG_EXIT_FAIL;
        goto out;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    int err = vg_partner_create(st, &cli_actor, in, &out, &d);
    vg_store_close(st);
    if (err) {
        rc = vg_cli_fail("partner", &d);
        goto out;
    }
    print_line(out);
    rc = VG_EXIT_OK;
out:
    json_decref(networks);
    json_decref(contacts);
    json_decref(in);
    json_decref(out);
    return rc;
}

static int run_list(int argc, char **argv)
{
    const char *db;
    int first, u = vg_cli_db_only("partner", argc, argv, &db, &first);
    if (u)
        return u;
    if (first != argc)
        return vg_cli_usage("partner", "expected: vigie partner list");
    struct vg_store *st = vg_cli_store_open("partner", db);
    if (!st)
        return VG_EXIT_FAIL;
    struct vg_diag d;
    vg_diag_clear(&d);
    char cursor[64] = "";
    int rc = VG_EXIT_OK;
    for (;;) { /* one JSON line per partner, page after page */
        struct vg_page page = {VG_MAX_PAGE, cursor[0] ? cursor : NULL};
        json_t *out = NULL, *p;
        if (vg_store_partner_list(st, &page, &out, &d) != 0) {
            rc = vg_cli_fail("partner", &d);
            break;
        }
        size_t i;
        json_array_foreach(json_object_get(out, "items"), i, p)
            print_line(p);
        const char *next = json_string_value(json_object_get(out, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(out);
        if (!cursor[0])
            break;
    }
    vg_store_close(st);
    return rc;
}

static int run_token(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"label", required_argument, NULL, 'l'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *label = "cli";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'l')
            label = optarg;
        else
            return vg_cli_usage("partner", "unknown option");
    }
    unsigned long long id;
    if (optind + 1 != argc || vg_str_to_u64(vg_str_c(argv[optind]), 1, 1ULL << 62, &id) != 0)
        return vg_cli_usage("partner", "expected: vigie partner token ID (a partner's id)");
    if (vg_auth_init() != 0) {
        fprintf(stderr, "vigie partner: cannot initialise libsodium\n");
        return VG_EXIT_FAIL;
    }
    struct vg_store *st = vg_cli_store_open("partner", db);
    if (!st)
        return VG_EXIT_FAIL;
    struct vg_diag d;
    vg_diag_clear(&d);
    char tok[VG_PARTNER_TOKEN_LEN + 1];
    json_t *meta = NULL;
    int rc = vg_partner_token_new(st, &cli_actor, (long long)id, label, tok, &meta, &d);
    vg_store_close(st);
    json_decref(meta);
    if (rc)
        return vg_cli_fail("partner", &d);
    printf("%s\n", tok);
    return VG_EXIT_OK;
}

static int run_partner(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(vg_cmd_partner.help, stdout);
        return VG_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return run_add(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return run_list(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "token") == 0)
        return run_token(argc - 1, argv + 1);
    return vg_cli_usage("partner", "expected: vigie partner add|list|token");
}

const struct vg_command vg_cmd_partner = {
    "partner",
    "add and list partner CERTs, make their tokens",
    "usage: vigie partner add NAME --country CC [--network N]... [--max-tlp L]\n"
    "                         [--contact EMAIL]... [--db PATH]\n"
    "       vigie partner list [--db PATH]\n"
    "       vigie partner token ID [--label L] [--db PATH]\n\n"
    "A partner is another CERT vigie shares with (issue 12): it receives what the TLP gate\n"
    "lets through, never more than its max_tlp.\n\n"
    "  add       creates the partner and prints it as one JSON line.\n"
    "    --country CC   ISO 3166-1 alpha-2 code, upper case (FR, DE, ...); required\n"
    "    --network N    intercert-fr, eu-csirts-network, first, tf-csirt or other (repeatable)\n"
    "    --max-tlp L    the highest TLP it may receive: CLEAR, GREEN (default) or AMBER;\n"
    "                   AMBER+STRICT and RED never go to a partner\n"
    "    --contact EMAIL  a contact address (repeatable)\n"
    "  list      prints the partners, one JSON line each.\n"
    "  token     prints a new token of partner ID, once: only its hash is stored. The\n"
    "            partner uses it as 'Authorization: Bearer TOKEN', or as the password of\n"
    "            HTTP Basic with ID as the user name, on the sharing routes only.\n"
    "    --label L      what the token is for (default 'cli')\n",
    run_partner,
};
