/* `vigie ioc import`: stores the indicators of indicator files (the files `vigie match` reads)
 * in the database, idempotently, a transaction per chunk of lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/record.h"
#include "match/match.h"
#include "store/store.h"
#include "util/json.h"
#include "util/limits.h"

#define CHUNK 10000   /* indicators per store transaction */
#define BAD_SHOWN 100 /* invalid lines shown per file */

struct import {
    struct vg_store *st;
    struct vg_actor who;
    const char *file;     /* for messages */
    const char *tlp;      /* NULL: the store's default */
    const char *source;   /* NULL: the file name */
    long long confidence; /* -1: the store's default */
    json_t *chunk;        /* checked indicators not stored yet */
    size_t shown;
    long long added, updated, unchanged, rejected;
};

static void print_error(void *ctx, const struct vg_diag *d)
{
    struct import *im = ctx;
    if (im->shown++ < BAD_SHOWN)
        fprintf(stderr, "%s:%ld: %s\n", im->file, d->line, d->message);
}

/* Stores the chunk in one transaction and adds up the counts. */
static int store_chunk(struct import *im, struct vg_diag *d)
{
    if (!json_array_size(im->chunk))
        return 0;
    json_t *out = NULL;
    int rc = vg_store_indicator_import(im->st, &im->who, im->chunk, &out, d);
    if (!rc) {
        im->added += json_integer_value(json_object_get(out, "added"));
        im->updated += json_integer_value(json_object_get(out, "updated"));
        im->unchanged += json_integer_value(json_object_get(out, "unchanged"));
    }
    json_decref(out);
    json_array_clear(im->chunk);
    return rc;
}

/* The indicator object of one line, as a client would POST it. */
static json_t *indicator_of(const struct import *im, enum vg_match_type t, struct vg_str value)
{
    json_t *in = json_object();
    json_object_set_new(in, "type", json_string(vg_match_type_name(t)));
    json_object_set_new(in, "value", json_stringn(value.ptr, value.len));
    if (im->tlp)
        json_object_set_new(in, "tlp", json_string(im->tlp));
    json_object_set_new(in, "source", json_string(im->source ? im->source : im->file));
    if (im->confidence >= 0)
        json_object_set_new(in, "confidence", json_integer(im->confidence));
    return in;
}

static int add_line(void *ctx, long line, enum vg_match_type t, struct vg_str value,
                    struct vg_diag *d)
{
    struct import *im = ctx;
    (void)line;
    json_t *in = indicator_of(im, t, value), *ind = NULL;
    if (!json_string_value(json_object_get(in, "value"))) {
        json_decref(in);
        return vg_diag_set(d, VG_EINVAL, "value", "value is not UTF-8");
    }
    struct vg_diag cd;
    vg_diag_clear(&cd);
    int rc = vg_indicator_check(in, VG_CHECK_PATCH, &ind, &cd);
    json_decref(in);
    if (rc) {
        return vg_diag_set(d, VG_EINVAL, cd.field, "invalid %s: %s", vg_match_type_name(t),
                           cd.message);
    }
    json_array_append_new(im->chunk, ind);
    if (json_array_size(im->chunk) >= CHUNK)
        return store_chunk(im, d);
    return 0;
}

/* Imports one file; returns an exit code. */
static int import_file(struct import *im, const char *path, bool strict)
{
    char *data;
    size_t len;
    if (vg_cli_read_file(path, &data, &len) != 0) {
        fprintf(stderr, "vigie ioc: %s: %s\n", path, strerror(errno));
        return VG_EXIT_FAIL;
    }
    im->file = path;
    im->shown = 0;
    struct vg_match_ioc_state state = {0, 0, -1, -1};
    struct vg_match_ioc_counts counts = {0};
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc =
        vg_match_iocs_each(&state, data, len, strict, add_line, im, print_error, im, &counts, &d);
    free(data);
    im->rejected += (long long)counts.invalid;
    if (counts.invalid > BAD_SHOWN)
        fprintf(stderr, "%s: %zu invalid lines skipped (first %d shown)\n", path, counts.invalid,
                BAD_SHOWN);
    if (rc == VG_EINVAL && strict) {
        json_array_clear(im->chunk);
        fprintf(stderr, "vigie ioc: %s: invalid indicator line (--strict)\n", path);
        return VG_EXIT_FAIL;
    }
    if (!rc)
        rc = store_chunk(im, &d);
    if (rc) {
        json_array_clear(im->chunk);
        fprintf(stderr, "vigie ioc: %s: %s\n", path, d.message);
        return VG_EXIT_FAIL;
    }
    return VG_EXIT_OK;
}

static int run_import(int argc, char **argv)
{
    const char *files[VG_MAX_FEED_FILES];
    size_t nfiles = 0;
    const char *db = NULL, *tlp = NULL, *source = NULL;
    long long confidence = -1;
    bool strict = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--strict") == 0) {
            strict = true;
            continue;
        }
        if (strcmp(a, "--db") == 0 || strcmp(a, "--tlp") == 0 || strcmp(a, "--source") == 0 ||
            strcmp(a, "--confidence") == 0) {
            if (i + 1 >= argc)
                return vg_cli_usage("ioc", "%s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--db") == 0) {
                db = v;
            } else if (strcmp(a, "--tlp") == 0) {
                tlp = v;
            } else if (strcmp(a, "--source") == 0) {
                source = v;
            } else {
                unsigned long long c;
                if (vg_str_to_u64(vg_str_c(v), 0, 100, &c) != 0)
                    return vg_cli_usage("ioc", "--confidence is a number from 0 to 100");
                confidence = (long long)c;
            }
            continue;
        }
        if (a[0] == '-' && a[1] != '\0')
            return vg_cli_usage("ioc", "unknown option '%s'", a);
        if (nfiles == VG_MAX_FEED_FILES)
            return vg_cli_usage("ioc", "too many files");
        files[nfiles++] = a;
    }
    if (nfiles == 0)
        return vg_cli_usage("ioc", "no indicator file given");

    struct import im = {0};
    im.tlp = tlp;
    im.source = source;
    im.confidence = confidence;
    im.who = (struct vg_actor){0, "system", "admin"};
    /* Check the options once, on a sample indicator, rather than on every line. */
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *probe = indicator_of(&im, VG_MATCH_DOMAIN, VG_STR("example.org")), *ok = NULL;
    if (!source)
        json_object_set_new(probe, "source", json_string("x"));
    int rc = vg_indicator_check(probe, VG_CHECK_PATCH, &ok, &d);
    json_decref(probe);
    json_decref(ok);
    if (rc)
        return vg_cli_usage("ioc", "--%s: %s", d.field[0] == '/' ? d.field + 1 : d.field,
                            d.message);

    im.st = vg_store_open(vg_cli_db_path(db), NULL, &d);
    if (!im.st) {
        fprintf(stderr, "vigie ioc: %s\n", d.message);
        return VG_EXIT_FAIL;
    }
    im.chunk = json_array();
    int exit_code = VG_EXIT_OK;
    for (size_t i = 0; i < nfiles && exit_code == VG_EXIT_OK; i++)
        exit_code = import_file(&im, files[i], strict);
    json_decref(im.chunk);
    vg_store_close(im.st);
    fprintf(stderr, "{\"added\":%lld,\"updated\":%lld,\"unchanged\":%lld,\"rejected\":%lld}\n",
            im.added, im.updated, im.unchanged, im.rejected);
    return exit_code;
}

static int run_ioc(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("ioc", "expected a subcommand: import");
    if (strcmp(argv[1], "import") == 0)
        return run_import(argc - 1, argv + 1);
    return vg_cli_usage("ioc", "unknown subcommand '%s'", argv[1]);
}

const struct vg_command vg_cmd_ioc = {
    "ioc",
    "import indicator files into the database",
    "usage: vigie ioc import [--db PATH] [--tlp TLP] [--source NAME] [--confidence N]\n"
    "                        [--strict] FILE...\n"
    "\n"
    "Reads indicator files as `vigie match --indicators` does (lines 'TYPE VALUE', '#'\n"
    "comments; or CSV with 'type' and 'value' columns) and stores each indicator in the\n"
    "database, 10000 indicators per transaction. Re-importing is idempotent: an indicator\n"
    "already stored (same type and normal form) is merged, and counted as unchanged when\n"
    "nothing differs.\n"
    "\n"
    "  --db PATH         the database (default: $VIGIE_DB, else ./var/vigie.db)\n"
    "  --tlp TLP         TLP of the indicators (default: the store's, AMBER)\n"
    "  --source NAME     their source (default: the file name as given)\n"
    "  --confidence N    0 to 100 (default: 50)\n"
    "  --strict          an invalid line is fatal (exit 1) instead of skipped\n"
    "\n"
    "Invalid lines are reported as FILE:LINE: message on stderr and skipped. A summary\n"
    "{\"added\":N,\"updated\":N,\"unchanged\":N,\"rejected\":N} ends on stderr.\n"
    "Exit: 0 done, 1 unreadable file, database error or (--strict) invalid line, 2 usage.\n",
    run_ioc,
};
