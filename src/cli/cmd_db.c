/* `vigie db copy|verify|backup` (issue 16): move an instance from one store to another and
 * check it row for row, and back a SQLite database up while it serves (app/dbcopy.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "app/dbcopy.h"
#include "cli/commands.h"
#include "util/shown.h"
#include "util/str.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* One NDJSON line per table on stdout. */
static void print_table(void *ctx, const char *table, const struct vg_dump_sum *a,
                        const struct vg_dump_sum *b)
{
    (void)ctx;
    char ha[65], hb[65];
    hex(a->sha256, 32, ha);
    hex(b->sha256, 32, hb);
    bool same = a->rows == b->rows && strcmp(ha, hb) == 0;
    printf("{\"table\":\"%s\",\"rows\":%lld,\"sha256\":\"%s\",\"dest_rows\":%lld,"
           "\"dest_sha256\":\"%s\",\"same\":%s}\n",
           table, a->rows, ha, b->rows, hb, same ? "true" : "false");
}

static int verdict(const char *sub, const struct vg_dbcopy_result *r)
{
    fflush(stdout);
    if (r->differ) {
        fprintf(stderr, "vigie db %s: DIFFERENT: %d of %d tables differ, the first: %s\n", sub,
                r->differ, r->tables, r->first_differ);
        return VG_EXIT_FAIL;
    }
    fprintf(stderr, "vigie db %s: identical: %d tables, %lld rows, counts and checksums equal\n",
            sub, r->tables, r->rows);
    return VG_EXIT_OK;
}

static int run_db(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("db", "expected a subcommand: copy, verify, backup");
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h"))
        return fputs(vg_cmd_db.help, stdout), VG_EXIT_OK;
    bool copy = !strcmp(sub, "copy"), verify = !strcmp(sub, "verify"),
         backup = !strcmp(sub, "backup");
    if (!copy && !verify && !backup) {
        struct vg_shown sa;
        return vg_cli_usage("db", "unknown subcommand '%s'", vg_shown(vg_str_c(sub), 0, &sa));
    }
    static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *from = NULL, *to = NULL, *db = NULL, *out = NULL;
    int c;
    optind = 1;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'd': db = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(vg_cmd_db.help, stdout); return VG_EXIT_OK;
        default: return vg_cli_usage("db", "unknown option");
        }
    }
    if (optind < argc) {
        struct vg_shown sa;
        return vg_cli_usage("db", "unexpected argument '%s'",
                            vg_shown(vg_str_c(argv[optind]), 0, &sa));
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    if (backup) {
        if (from || to)
            return vg_cli_usage("db", "backup takes --db SRC --out FILE");
        if (!out || !*out)
            return vg_cli_usage("db", "backup needs --out FILE");
        if (vg_dbcopy_backup(vg_cli_db_path(db), out, &d))
            return vg_cli_fail("db backup", &d);
        struct vg_shown so;
        fprintf(stderr, "vigie db backup: written to %s\n", vg_shown(vg_str_c(out), 0, &so));
        return VG_EXIT_OK;
    }
    if (db || out)
        return vg_cli_usage("db", "%s takes --from SRC --to DST", sub);
    if (!from || !*from || !to || !*to)
        return vg_cli_usage("db", "%s needs --from SRC and --to DST", sub);
    struct vg_dbcopy_result r;
    int rc = copy ? vg_dbcopy_copy(from, to, print_table, NULL, &r, &d)
                  : vg_dbcopy_verify(from, to, print_table, NULL, &r, &d);
    if (rc)
        return vg_cli_fail(copy ? "db copy" : "db verify", &d);
    return verdict(sub, &r);
}

const struct vg_command vg_cmd_db = {
    "db",
    "copy an instance to another database and check it; back a database up",
    "usage: vigie db copy --from SRC --to DST\n"
    "       vigie db verify --from A --to B\n"
    "       vigie db backup [--db SRC] --out FILE\n\n"
    "copy: copies every table of the instance SRC into DST, in one transaction of DST, then\n"
    "compares each table's row count and SHA-256 checksum on both sides. SRC must be at this\n"
    "vigie's schema version (it is read, never migrated: back it up, then 'vigie init --db\n"
    "SRC'). DST is created and migrated as needed and must be empty (a table with rows is\n"
    "named and the copy refused). A way to move an instance, or to compact its file.\n"
    "verify: the comparison alone, of two instances that should hold the same data.\n"
    "  Both print one JSON line per table on stdout ({\"table\",\"rows\",\"sha256\",\n"
    "  \"dest_rows\",\"dest_sha256\",\"same\"}) and the verdict on stderr; exit 1 if a\n"
    "  table differs.\n"
    "backup: an online backup of a SQLite database into the new file FILE (refused if it\n"
    "exists), consistent while 'vigie serve' writes to it; FILE is mode 0600 and needs no\n"
    "-wal file. A PostgreSQL database is backed up with pg_dump (docs/DEPLOY.md).\n\n"
    "  SRC, DST, A, B: a SQLite file, or a PostgreSQL URI (postgresql://...) once that\n"
    "  backend is complete. --db defaults to $VIGIE_DB, then ./var/vigie.db.\n",
    run_db,
};
