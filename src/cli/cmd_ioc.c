/* `vigie ioc import`: stores the indicators of indicator files (the files `vigie match` reads)
 * in the database, idempotently, a transaction per chunk of lines (app/indicators.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/indicators.h"
#include "cli/commands.h"
#include "store/store.h"
#include "util/limits.h"
#include "util/shown.h"
#include "util/str.h"

#define BAD_SHOWN 100        /* invalid lines shown per file */
#define IOC_BLOCK (4u << 20) /* bytes of a file read at a time */

/* Where the invalid lines of a file are shown. */
struct shown {
    const char *file; /* its name as shown (escaped, cut) */
    size_t n;
};

static void print_error(void *ctx, const struct vg_diag *d)
{
    struct shown *sh = ctx;
    struct vg_shown m;
    if (sh->n++ < BAD_SHOWN)
        fprintf(stderr, "%s:%ld: %s\n", sh->file, d->line, vg_shown_msg(d->message, &m));
}

/* The line reader's calls (vg_cli_read_lines) given to the import. */
struct reading {
    struct vg_indicators_import *im;
    struct vg_diag *d;
};

static int feed_lines(void *ctx, const char *data, size_t len)
{
    struct reading *r = ctx;
    return vg_indicators_import_feed(r->im, data, len, r->d);
}

static int long_line(void *ctx)
{
    struct reading *r = ctx;
    return vg_indicators_import_long_line(r->im, r->d);
}

/* Imports one file, read a block of lines at a time (memory holds a chunk of indicators, not
 * the file), adding its counts to *total; returns an exit code. */
static int import_file(struct vg_store *st, const struct vg_indicators_options *o, const char *path,
                       struct vg_indicators_counts *total)
{
    struct vg_actor who = {0, "system", "admin", 0};
    struct vg_shown sp;
    struct shown sh = {vg_shown(vg_str_c(path), VG_SHOWN_ROOM, &sp), 0};
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_indicators_import *im = vg_indicators_import_new(st, &who, o, path, print_error, &sh);
    if (!im) {
        fprintf(stderr, "vigie ioc: out of memory\n");
        return VG_EXIT_FAIL;
    }
    struct reading r = {im, &d};
    int rc = vg_cli_read_lines(path, IOC_BLOCK, feed_lines, long_line, &r);
    int err = errno;
    if (!rc)
        rc = vg_indicators_import_end(im, &d);
    struct vg_indicators_counts c = vg_indicators_import_counts(im);
    vg_indicators_import_free(im);
    total->added += c.added;
    total->updated += c.updated;
    total->unchanged += c.unchanged;
    total->rejected += c.rejected;
    if (c.rejected > BAD_SHOWN)
        fprintf(stderr, "%s: %lld invalid lines skipped (first %d shown)\n", sh.file, c.rejected,
                BAD_SHOWN);
    if (rc == 1) {
        fprintf(stderr, "vigie ioc: %s: %s\n", sh.file, strerror(err));
        return VG_EXIT_FAIL;
    }
    if (rc == VG_EINVAL && o->strict) {
        fprintf(stderr, "vigie ioc: %s: invalid indicator line (--strict)\n", sh.file);
        return VG_EXIT_FAIL;
    }
    if (rc) {
        struct vg_shown m;
        fprintf(stderr, "vigie ioc: %s: %s\n", sh.file, vg_shown_msg(d.message, &m));
        return VG_EXIT_FAIL;
    }
    return VG_EXIT_OK;
}

static int run_import(int argc, char **argv)
{
    const char *files[VG_MAX_IOC_FILES];
    size_t nfiles = 0;
    const char *db = NULL, *tlp = NULL, *source = NULL;
    long long confidence = -1;
    bool strict = false;
    struct vg_shown sa; /* an argument or a message shown */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--strict") == 0) {
            strict = true;
            continue;
        }
        if (strcmp(a, "--db") == 0 || strcmp(a, "--tlp") == 0 || strcmp(a, "--source") == 0 ||
            strcmp(a, "--confidence") == 0) {
            if (i + 1 >= argc)
                return vg_cli_usage("ioc", "%s needs a value", vg_shown(vg_str_c(a), 0, &sa));
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
            return vg_cli_usage("ioc", "unknown option '%s'", vg_shown(vg_str_c(a), 0, &sa));
        if (nfiles == VG_MAX_IOC_FILES)
            return vg_cli_usage("ioc", "too many files");
        files[nfiles++] = a;
    }
    if (nfiles == 0)
        return vg_cli_usage("ioc", "no indicator file given");

    struct vg_indicators_options o = {tlp, source, confidence, strict};
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_indicators_options_check(&o, &d) != 0)
        return vg_cli_usage("ioc", "--%s: %s", d.field[0] == '/' ? d.field + 1 : d.field,
                            vg_shown_msg(d.message, &sa));
    struct vg_store *st = vg_store_open(vg_cli_db_path(db), NULL, &d);
    if (!st) {
        fprintf(stderr, "vigie ioc: %s\n", vg_shown_msg(d.message, &sa));
        return VG_EXIT_FAIL;
    }
    struct vg_indicators_counts total = {0};
    int exit_code = VG_EXIT_OK;
    for (size_t i = 0; i < nfiles && exit_code == VG_EXIT_OK; i++)
        exit_code = import_file(st, &o, files[i], &total);
    vg_store_close(st);
    fprintf(stderr, "{\"added\":%lld,\"updated\":%lld,\"unchanged\":%lld,\"rejected\":%lld}\n",
            total.added, total.updated, total.unchanged, total.rejected);
    return exit_code;
}

static int run_ioc(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("ioc", "expected a subcommand: import");
    if (strcmp(argv[1], "import") == 0)
        return run_import(argc - 1, argv + 1);
    struct vg_shown sa;
    return vg_cli_usage("ioc", "unknown subcommand '%s'", vg_shown(vg_str_c(argv[1]), 0, &sa));
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
    "FILE may be '-' (standard input) or a pipe: each file is read 4 MiB at a time, so\n"
    "memory holds a chunk of indicators, not the file. A line over 1 MiB is invalid.\n"
    "Invalid lines are reported as FILE:LINE: message on stderr and skipped. A summary\n"
    "{\"added\":N,\"updated\":N,\"unchanged\":N,\"rejected\":N} ends on stderr.\n"
    "Exit: 0 done, 1 unreadable file, database error or (--strict) invalid line, 2 usage.\n",
    run_ioc,
};
