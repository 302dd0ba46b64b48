/* `vigie advisory publish-site`: the published site into a folder, for static hosting
 * (app/publication.h). Called by cmd_advisory.c's dispatcher. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/publication.h"
#include "cli/commands.h"
#include "cli/site.h"
#include "store/store.h"
#include "util/shown.h"

int vg_cli_advisory_publish_site(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        VG_SITE_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *out = NULL;
    struct vg_cli_site site;
    vg_cli_site_init(&site);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(VG_ADVISORY_SITE_HELP, stdout); return VG_EXIT_OK;
        case '?': return vg_cli_usage("advisory publish-site", "unknown option");
        default:
            if (vg_cli_site_option(&site, "advisory publish-site", c, optarg))
                return VG_EXIT_USAGE;
        }
    }
    if (!out || !*out)
        return vg_cli_usage("advisory publish-site", "--out DIR is required");
    if (optind < argc)
        return vg_cli_usage("advisory publish-site", "unexpected argument");
    if (!site.base_set)
        return vg_cli_usage("advisory publish-site",
                            "--site-url is required: the URL the folder will be served under");
    struct vg_diag d;
    struct vg_shown sm;
    vg_diag_clear(&d);
    struct vg_store_config cfg = {.ref_prefix = "VIG"};
    struct vg_store *st = vg_store_open(vg_cli_db_path(db), &cfg, &d);
    if (!st) {
        fprintf(stderr, "vigie advisory publish-site: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    size_t files = 0;
    vg_store_read_begin(st);
    int rc = vg_publication_write_dir(st, &site.site, out, &files, &d);
    vg_store_read_end(st);
    vg_store_close(st);
    if (rc) {
        fprintf(stderr, "vigie advisory publish-site: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    json_t *sum = json_pack("{s:s, s:I}", "out", out, "files", (json_int_t)files);
    json_dumpf(sum, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(sum);
    return VG_EXIT_OK;
}
