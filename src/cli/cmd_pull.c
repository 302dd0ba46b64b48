/* `vigie share pull`: imports what a partner shares from its MISP feed or its TAXII 2.1
 * collection, only what is new since the last pull (app/pull.c). One JSON line per event or
 * page on stdout, messages on stderr. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/pull.h"
#include "cli/commands.h"
#include "store/store.h"
#include "util/json.h"
#include "util/shown.h"
#include "util/str.h"

/* Prints one report line as NDJSON. */
static void print_entry(void *ctx, const json_t *entry)
{
    (void)ctx;
    char *s = json_dumps(entry, JSON_COMPACT);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        fflush(stdout);
    }
    free(s);
}

int cmd_share_pull(int argc, char **argv)
{
    static const struct option opts[] = {
        {"misp-feed", required_argument, NULL, 'm'},
        {"taxii", required_argument, NULL, 't'},
        {"collection", required_argument, NULL, 'c'},
        {"since", required_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'l'},
        {"source", required_argument, NULL, 'S'},
        {"token", required_argument, NULL, 'T'},
        {"user", required_argument, NULL, 'u'},
        {"password", required_argument, NULL, 'p'},
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *misp = NULL, *taxii = NULL, *db = NULL;
    struct vg_actor who = {0, "pull", "admin", 0};
    struct vg_pull_opts o = {0};
    o.who = &who;
    struct vg_shown sa;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': misp = optarg; break;
        case 't': taxii = optarg; break;
        case 'c': o.collection = optarg; break;
        case 's': o.since = optarg; break;
        case 'S': o.source = optarg; break;
        case 'T': o.token = optarg; break;
        case 'u': o.user = optarg; break;
        case 'p': o.password = optarg; break;
        case 'd': db = optarg; break;
        case 'l': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || end == optarg || v < 1 || v > 100000)
                return vg_cli_usage("share", "--limit: expected 1 to 100000, got %s",
                                    vg_shown(vg_str_c(optarg), 0, &sa));
            o.limit = v;
            break;
        }
        case 'h': return fputs(vg_cmd_share_pull_help, stdout), VG_EXIT_OK;
        case ':':
            return vg_cli_usage("share", "%s needs a value",
                                vg_shown(vg_str_c(argv[optind - 1]), 0, &sa));
        default:
            return vg_cli_usage("share", "unknown option %s",
                                vg_shown(vg_str_c(argv[optind - 1]), 0, &sa));
        }
    }
    if (optind < argc)
        return vg_cli_usage("share", "pull: unexpected argument %s",
                            vg_shown(vg_str_c(argv[optind]), 0, &sa));
    if (!misp == !taxii)
        return vg_cli_usage("share", "pull needs one of --misp-feed URL or --taxii URL");
    if (taxii && !o.collection)
        return vg_cli_usage("share", "pull --taxii needs --collection ID");
    if (misp && (o.collection || o.since || o.limit))
        return vg_cli_usage("share", "--collection, --since and --limit are for --taxii");
    /* secrets can come from the environment rather than the command line, which other users
     * of the machine may read */
    if (!o.token && !o.user && getenv("VIGIE_PULL_TOKEN") && *getenv("VIGIE_PULL_TOKEN"))
        o.token = getenv("VIGIE_PULL_TOKEN");
    if (o.user && !o.password)
        o.password = getenv("VIGIE_PULL_PASSWORD");
    if (o.token && o.user)
        return vg_cli_usage("share", "give --token or --user and --password, not both");
    if (o.user && !o.password)
        return vg_cli_usage("share", "--user needs --password (or VIGIE_PULL_PASSWORD)");
    o.url = misp ? misp : taxii;

    struct vg_diag d;
    struct vg_shown sm;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(vg_cli_db_path(db), NULL, &d);
    if (!st) {
        fprintf(stderr, "vigie share pull: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    struct vg_pull_stats s;
    int rc = misp ? vg_pull_misp_feed(st, &o, print_entry, NULL, &s, &d)
                  : vg_pull_taxii(st, &o, print_entry, NULL, &s, &d);
    vg_store_close(st);
    if (misp)
        fprintf(stderr,
                "vigie share pull: %zu event(s) listed: %zu imported, %zu unchanged, %zu "
                "failed\n",
                s.listed, s.imported, s.unchanged, s.failed);
    else
        fprintf(stderr,
                "vigie share pull: %zu page(s), %zu object(s): %zu page(s) imported, %zu "
                "failed\n",
                s.listed, s.fetched, s.imported, s.failed);
    if (rc) {
        fprintf(stderr, "vigie share pull: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    return VG_EXIT_OK;
}

const char vg_cmd_share_pull_help[] =
    "usage: vigie share pull --misp-feed URL [AUTH] [--source NAME] [--db PATH]\n"
    "       vigie share pull --taxii URL --collection ID [--since TIME] [--limit N] [AUTH]\n"
    "                        [--source NAME] [--db PATH]\n"
    "AUTH: --token T (a bearer token) | --user U --password P (HTTP Basic); the token and\n"
    "      the password may also come from VIGIE_PULL_TOKEN and VIGIE_PULL_PASSWORD.\n"
    "\n"
    "Imports what a partner shares, only what is new since the last pull of that source.\n"
    "--misp-feed URL   a MISP feed's folder (or its manifest.json): reads manifest.json and\n"
    "                  fetches {uuid}.json of each event whose timestamp changed since it was\n"
    "                  last imported from that feed; each is imported as `vigie share import`\n"
    "                  imports a file, and its timestamp recorded once it is imported whole.\n"
    "--taxii URL       a TAXII 2.1 API root: fetches the objects of --collection ID page by\n"
    "                  page (added_after the X-TAXII-Date-Added-Last recorded at the last\n"
    "                  pull, then next while more), imports each page and records where it\n"
    "                  stopped. --since TIME (RFC 3339) asks from TIME instead; --limit N\n"
    "                  asks for pages of N objects.\n"
    "--source NAME     the source recorded on what is imported (default: the URL's host).\n"
    "Prints one JSON line per event fetched or page read ({\"event\"|\"page\", \"url\",\n"
    "\"status\": \"imported\"|\"failed\", \"import\" or \"error\"}) and a summary on stderr.\n"
    "Exit status: 0 if everything listed was imported or unchanged, 1 if something failed\n"
    "(network, HTTP status, malformed JSON: the message names the URL and the JSON pointer;\n"
    "what was imported before stays imported and recorded), 2 on a usage error.\n";
