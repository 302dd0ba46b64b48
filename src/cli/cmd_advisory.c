/* `vigie advisory SUBCOMMAND`: advisories from the command line (issue 13). A dispatcher over
 * the table `subcommands`, one function each: `import` reads other CERTs' CERT-FR-style
 * publications as upstream advisories (app/upstream.h). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app/upstream.h"
#include "cli/commands.h"
#include "cli/site.h"
#include "store/store.h"
#include "util/shown.h"
#include "util/str.h"

/* Who the CLI's writes are audited as. */
static const struct vg_actor cli_actor = {0, "system", "admin", 0};

static void print_line(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (s)
        printf("%s\n", s);
    free(s);
}

/* A path as a JSON string (a name that is not UTF-8 shown escaped). */
static json_t *path_value(const char *path)
{
    struct vg_shown sp;
    json_t *v = json_string(path);
    return v ? v : json_string(vg_shown(vg_str_c(path), 0, &sp));
}

/* One file of an import (vg_upstream_file_fn): its NDJSON line on stdout and, when it was
 * skipped, "FILE:POINTER: message" on stderr (FILE:LINE: for a JSON syntax error). */
static void told_file(void *ctx, const char *path, const char *ref, int result,
                      const struct vg_diag *d)
{
    (void)ctx;
    struct vg_shown sp, sm;
    json_t *line =
        json_pack("{s:o,s:s}", "file", path_value(path), "result", vg_upstream_result_name(result));
    if (!line)
        return;
    if (ref) {
        json_object_set_new(line, "ref", json_string(ref));
    } else {
        const char *p = vg_shown(vg_str_c(path), 0, &sp), *msg = vg_shown_msg(d->message, &sm);
        if (d->field[0])
            fprintf(stderr, "%s:%s: %s\n", p, d->field, msg);
        else if (d->line > 0)
            fprintf(stderr, "%s:%ld: %s\n", p, d->line, msg);
        else
            fprintf(stderr, "%s: %s\n", p, msg);
        json_object_set_new(line, "pointer", json_string(d->field));
        json_object_set_new(line, "error", json_string(msg));
    }
    print_line(line);
    json_decref(line);
}

static int run_import(int argc, char **argv)
{
    const char *db;
    int first, u = vg_cli_db_only("advisory", argc, argv, &db, &first);
    if (u)
        return u;
    if (first >= argc)
        return vg_cli_usage("advisory", "expected: vigie advisory import [--db PATH] FILE|DIR...");
    struct vg_diag d;
    struct vg_shown sm;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(vg_cli_db_path(db), NULL, &d);
    if (!st) {
        fprintf(stderr, "vigie advisory: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    struct vg_upstream_counts n;
    int rc = vg_upstream_import_paths(st, &cli_actor, (const char *const *)(argv + first),
                                      (size_t)(argc - first), told_file, NULL, &n, &d);
    vg_store_close(st);
    if (rc)
        fprintf(stderr, "vigie advisory: %s\n", vg_shown_msg(d.message, &sm));
    json_t *total =
        json_pack("{s:I,s:I,s:I,s:I,s:I}", "imported", (json_int_t)n.imported, "updated",
                  (json_int_t)n.updated, "unchanged", (json_int_t)n.unchanged, "older",
                  (json_int_t)n.older, "skipped", (json_int_t)n.skipped);
    print_line(total);
    json_decref(total);
    return rc || n.skipped ? VG_EXIT_FAIL : VG_EXIT_OK;
}

/* The subcommands, by name. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    {"import", run_import},
    {"publish-site", vg_cli_advisory_publish_site},
};

static int run_advisory(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(vg_cmd_advisory.help, stdout);
        return VG_EXIT_OK;
    }
    for (size_t i = 0; argc >= 2 && i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    return vg_cli_usage("advisory", "expected: vigie advisory import|publish-site");
}

const struct vg_command vg_cmd_advisory = {
    "advisory",
    "import other CERTs' advisories; write the published site into a folder",
    "usage: vigie advisory import [--db PATH] FILE|DIR...\n"
    "       vigie advisory publish-site [--db PATH] --out DIR --site-url URL [options]\n\n"
    "  import    reads publications in CERT-FR's JSON shape (bulletins saved from\n"
    "            https://www.cert.ssi.gouv.fr/avis/CERTFR-.../json/) as upstream advisories,\n"
    "            kept apart from vigie's own: each FILE, and every *.json file of each DIR\n"
    "            (not below it) in name order, one transaction per file. A publication held\n"
    "            already is replaced by a newer revision (a later last revision date, or\n"
    "            more revisions), not by the same or an older one. Prints one JSON line per\n"
    "            file ({\"file\",\"ref\",\"result\"}: imported, updated, unchanged or older;\n"
    "            skipped with \"pointer\" and \"error\") and a total {\"imported\",\"updated\",\n"
    "            \"unchanged\",\"older\",\"skipped\"}. A file that is not such a publication is\n"
    "            reported on stderr as FILE:POINTER: message (FILE:LINE: for broken JSON) and\n"
    "            skipped; the others are imported. Exit 0 when no file was skipped, 1\n"
    "            otherwise.\n"
    "    --db PATH      the database\n\n"
    "The API lists them (GET /api/v1/upstream-advisories), with the constituents each\n"
    "concerns, and gives the body of a draft made from one (.../{ref}/draft).\n\n"
    "  publish-site  writes the published site into DIR for static hosting (see\n"
    "            `vigie advisory publish-site --help`): HTML pages, Atom and RSS feeds,\n"
    "            CERT-FR-style JSON and the CSAF 2.0 provider folder.\n",
    run_advisory,
};
