/* The site options of `vigie serve` and `vigie advisory publish-site`: who publishes the
 * advisories and where (advisory/advisory.h's struct vg_adv_site). */
#ifndef VG_CLI_SITE_H
#define VG_CLI_SITE_H

#include <stdbool.h>

#include "advisory/advisory.h"

struct vg_cli_site {
    struct vg_adv_site site;
    char base[512];     /* the base URL, no trailing slash */
    char generator[64]; /* "vigie VERSION" */
    bool base_set;      /* --site-url was given */
};

/* The getopt_long codes of the options (past every other command's). */
enum {
    VG_OPT_SITE_NAME = 2000,
    VG_OPT_SITE_URL,
    VG_OPT_SITE_LANG,
    VG_OPT_SITE_CONTACT,
};
#define VG_SITE_OPTIONS                                                                            \
    {"site-name", required_argument, NULL, VG_OPT_SITE_NAME},                                      \
        {"site-url", required_argument, NULL, VG_OPT_SITE_URL},                                    \
        {"site-lang", required_argument, NULL, VG_OPT_SITE_LANG},                                  \
    {                                                                                              \
        "site-contact", required_argument, NULL, VG_OPT_SITE_CONTACT                               \
    }
#define VG_SITE_HELP                                                                               \
    "  --site-name NAME      who publishes the advisories (default \"CERT\")\n"                    \
    "  --site-url URL        the http(s) URL the site is served under (CSAF namespace, feed\n"     \
    "                        and page links)\n"                                                    \
    "  --site-lang fr|en     language of the pages and feeds (default fr)\n"                       \
    "  --site-contact TEXT   CSAF publisher contact details, e.g. an address\n"

/* `vigie advisory publish-site` (cli/advisory_site.c), run by `vigie advisory`. */
int vg_cli_advisory_publish_site(int argc, char **argv);
#define VG_ADVISORY_SITE_HELP                                                                      \
    "usage: vigie advisory publish-site [--db PATH] --out DIR --site-url URL [options]\n\n"        \
    "Writes the published site into DIR for static hosting: the advisories' and guides'\n"         \
    "HTML pages and lists, their Atom and RSS feeds, their CERT-FR-style JSON, and the CSAF\n"     \
    "2.0 provider (.well-known/csaf/: provider-metadata.json, white/YEAR/ID.json with .sha256\n"   \
    "and .sha512, index.txt, changes.csv). Only published TLP:CLEAR advisories are written.\n"     \
    "Each file is written under a temporary name and renamed. Prints {\"out\",\"files\"}.\n\n"     \
    "  --db PATH             SQLite file (default: $VIGIE_DB, then ./var/vigie.db)\n"              \
    "  --out DIR             the folder (created)\n" VG_SITE_HELP

void vg_cli_site_init(struct vg_cli_site *s);
/* Takes option code c with argument arg: 0, or -1 after printing the usage error of cmd. */
int vg_cli_site_option(struct vg_cli_site *s, const char *cmd, int c, const char *arg);
/* Sets the base URL (when --site-url was not given). */
void vg_cli_site_base(struct vg_cli_site *s, const char *url);

#endif
