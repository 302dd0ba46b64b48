/* `vigie share export` and `vigie share import`: the sharing use cases (app/share.c) from the
 * command line, on the database directly: exports as MISP or STIX 2.1 for a recipient through
 * the TLP gate, imports of MISP and STIX files into the indicators. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/share.h"
#include "cli/commands.h"
#include "store/store.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/shown.h"
#include "util/str.h"

#define SKIPS_SHOWN 100 /* skipped items shown per file */

static struct vg_store *open_db(const char *db)
{
    struct vg_diag d;
    struct vg_shown m;
    vg_diag_clear(&d);
    /* a batch over much of the database: read, not mapped (memory mapping a 1,000,000
     * indicator database added its 270 MB to an import's peak memory) */
    struct vg_store_config cfg = {.bulk = true};
    struct vg_store *st = vg_store_open(vg_cli_db_path(db), &cfg, &d);
    if (!st)
        fprintf(stderr, "vigie share: %s\n", vg_shown_msg(d.message, &m));
    return st;
}

/* Reads "--name VALUE" at argv[*i]: the value, or NULL if a is not that option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    if (strcmp(argv[*i], name) != 0)
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

/* An export's bytes to stdout as they are written (vg_share_flush_fn). */
static int to_stdout(void *ctx, const char *data, size_t n)
{
    (void)ctx;
    return fwrite(data, 1, n, stdout) == n ? 0 : -1;
}

static int run_export(int argc, char **argv)
{
    const char *db = NULL, *format = NULL, *to = NULL, *incident = NULL, *filter = NULL;
    struct vg_shown sa;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--db", &missing)))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--format", &missing)))
            format = v;
        else if ((v = opt_value(argc, argv, &i, "--to", &missing)))
            to = v;
        else if ((v = opt_value(argc, argv, &i, "--incident", &missing)))
            incident = v;
        else if ((v = opt_value(argc, argv, &i, "--indicators", &missing)))
            filter = v;
        else if (missing)
            return vg_cli_usage("share", "%s needs a value", vg_shown(vg_str_c(argv[i]), 0, &sa));
        else
            return vg_cli_usage("share", "unknown option '%s'",
                                vg_shown(vg_str_c(argv[i]), 0, &sa));
    }
    if (!format || (strcmp(format, "misp") != 0 && strcmp(format, "stix") != 0))
        return vg_cli_usage("share", "--format is misp or stix");
    if (!incident == !filter)
        return vg_cli_usage("share", "give either --incident REF or --indicators FILTER");
    char fbuf[2048];
    struct vg_share_filter f;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (filter && vg_share_filter_parse(filter, fbuf, sizeof fbuf, &f, &d) != 0)
        return vg_cli_usage("share", "--indicators: %s", vg_shown_msg(d.message, &sa));
    struct vg_store *st = open_db(db);
    if (!st)
        return VG_EXIT_FAIL;
    struct vg_actor who = {0, "system", "admin", 0};
    struct vg_recipient r;
    json_t *doc = NULL;
    struct vg_buf b;
    vg_buf_init(&b, 4L * 1024 * 1024 * 1024);
    int rc = vg_share_recipient(st, &who, to, &r, &d);
    if (!rc && incident && (rc = vg_share_incident_doc(st, &r, incident, &doc, &d)) == 0)
        rc = vg_share_write(doc, format, &b, &d);
    else if (!rc && !incident) { /* streamed: no document, and the bytes out as they come */
        vg_cli_malloc_bulk(false);
        rc = vg_share_indicators_export(st, &r, &f, format, &b, to_stdout, NULL, &d);
    }
    json_decref(doc);
    vg_store_close(st);
    if (rc) {
        struct vg_shown m;
        fprintf(stderr, "vigie share export: %s%s%s\n", d.field, d.field[0] ? ": " : "",
                vg_shown_msg(d.message, &m));
        vg_buf_cleanup(&b);
        return rc == VG_EINVAL && d.field[0] && strcmp(d.field, "to") == 0 ? VG_EXIT_USAGE
                                                                           : VG_EXIT_FAIL;
    }
    bool ok = fwrite(b.data ? b.data : "", 1, b.len, stdout) == b.len &&
              fputc('\n', stdout) != EOF && fflush(stdout) == 0;
    vg_buf_cleanup(&b);
    if (!ok) {
        fprintf(stderr, "vigie share export: cannot write: %s\n", strerror(errno));
        return VG_EXIT_FAIL;
    }
    return VG_EXIT_OK;
}

/* A file's bytes: a regular file mapped (no copy, and its pages are the page cache's, not
 * the heap's: a 200 MB event costs no 256 MB buffer), anything else ("-", a pipe) read whole. */
struct input {
    char *data;
    size_t len;
    bool mapped;
};

static int input_open(const char *path, struct input *in)
{
    *in = (struct input){NULL, 0, false};
    if (strcmp(path, "-") != 0) {
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            return -1;
        struct stat sb;
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
            void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            int err = errno;
            close(fd);
            if (m == MAP_FAILED) {
                errno = err;
                return -1;
            }
            madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
            *in = (struct input){m, (size_t)sb.st_size, true};
            return 0;
        }
        close(fd);
    }
    return vg_cli_read_file(path, &in->data, &in->len);
}

static void input_close(struct input *in)
{
    if (in->mapped)
        munmap(in->data, in->len);
    else
        free(in->data);
    in->data = NULL;
}

/* Imports one file; returns 0, 1 if something was skipped, 2 if the file is malformed or
 * cannot be read (what was valid before the malformed part is kept), -1 on a store failure. */
static int import_file(struct vg_store *st, const char *format, const char *source,
                       const char *path)
{
    struct vg_actor who = {0, "system", "admin", 0};
    struct vg_shown sp, m;
    const char *shown = vg_shown(vg_str_c(path), VG_SHOWN_ROOM, &sp);
    struct input in;
    if (input_open(path, &in) != 0) {
        fprintf(stderr, "vigie share: %s: %s\n", shown, strerror(errno));
        return 2;
    }
    struct vg_share_report rep;
    struct vg_diag d;
    vg_diag_clear(&d);
    vg_share_report_init(&rep);
    int rc = vg_share_import(st, &who, format, in.data, in.len, source ? source : path, &rep, &d);
    input_close(&in);
    size_t i;
    json_t *s;
    json_array_foreach(rep.skipped_items, i, s) {
        if (i >= SKIPS_SHOWN)
            break;
        struct vg_shown w, r;
        fprintf(stderr, "%s: %s: %s: %s\n", shown, vg_json_str(s, "pointer"),
                vg_shown_msg(vg_json_str(s, "what"), &w),
                vg_shown_msg(vg_json_str(s, "reason"), &r));
    }
    if (rep.skipped > SKIPS_SHOWN)
        fprintf(stderr, "%s: %lld skipped (first %d shown)\n", shown, rep.skipped, SKIPS_SHOWN);
    json_t *report = vg_share_report_json(&rep);
    json_object_del(report, "skipped_items");
    json_object_set_new(report, "file", json_string(path));
    char *text = report ? json_dumps(report, JSON_COMPACT) : NULL;
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(report);
    long long skipped = rep.skipped;
    vg_share_report_cleanup(&rep);
    if (rc == VG_EINVAL) {
        if (d.offset >= 0)
            fprintf(stderr, "%s: %s%s%s (byte %ld)\n", shown, d.field, d.field[0] ? ": " : "",
                    vg_shown_msg(d.message, &m), d.offset);
        else
            fprintf(stderr, "%s: %s%s%s\n", shown, d.field, d.field[0] ? ": " : "",
                    vg_shown_msg(d.message, &m));
        return 2;
    }
    if (rc) {
        fprintf(stderr, "vigie share: %s: %s\n", shown, vg_shown_msg(d.message, &m));
        return -1;
    }
    return skipped ? 1 : 0;
}

static int run_import(int argc, char **argv)
{
    const char *db = NULL, *format = NULL, *source = NULL;
    const char *files[VG_MAX_IOC_FILES];
    size_t nfiles = 0;
    struct vg_shown sa;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = opt_value(argc, argv, &i, "--db", &missing)))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--format", &missing)))
            format = v;
        else if ((v = opt_value(argc, argv, &i, "--source", &missing)))
            source = v;
        else if (missing)
            return vg_cli_usage("share", "%s needs a value", vg_shown(vg_str_c(argv[i]), 0, &sa));
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return vg_cli_usage("share", "unknown option '%s'",
                                vg_shown(vg_str_c(argv[i]), 0, &sa));
        else if (nfiles == VG_MAX_IOC_FILES)
            return vg_cli_usage("share", "too many files");
        else
            files[nfiles++] = argv[i];
    }
    if (format && strcmp(format, "misp") && strcmp(format, "stix") && strcmp(format, "auto"))
        return vg_cli_usage("share", "--format is misp, stix or auto");
    if (!nfiles)
        return vg_cli_usage("share", "import needs at least one FILE");
    struct vg_store *st = open_db(db);
    if (!st)
        return VG_EXIT_FAIL;
    vg_cli_malloc_bulk(false);
    int worst = 0;
    for (size_t i = 0; i < nfiles; i++) {
        int rc = import_file(st, format, source, files[i]);
        if (rc < 0) {
            worst = -1;
            break;
        }
        if (rc > worst)
            worst = rc;
    }
    vg_store_close(st);
    return worst < 0 ? VG_EXIT_FAIL : worst == 2 ? VG_EXIT_USAGE : worst;
}

static int run_share(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("share", "expected a subcommand: export, import, pull");
    if (strcmp(argv[1], "export") == 0)
        return run_export(argc - 1, argv + 1);
    if (strcmp(argv[1], "import") == 0)
        return run_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "pull") == 0)
        return cmd_share_pull(argc - 1, argv + 1);
    struct vg_shown sa;
    return vg_cli_usage("share", "unknown subcommand '%s'", vg_shown(vg_str_c(argv[1]), 0, &sa));
}

const struct vg_command vg_cmd_share = {
    "share",
    "export MISP / STIX 2.1 for a partner or constituent, import MISP / STIX, pull feeds",
    "usage: vigie share export --format misp|stix [--to PARTNER_ID|org:ID]\n"
    "                          (--incident REF | --indicators FILTER) [--db PATH]\n"
    "       vigie share import [--format misp|stix|auto] [--source NAME] [--db PATH] FILE...\n"
    "       vigie share pull (--misp-feed URL | --taxii URL --collection ID) ...\n"
    "                        (vigie share pull --help: its options)\n"
    "\n"
    "export   writes an incident (its fields, observables and the sightings of the equal\n"
    "         indicators) or the indicators matching FILTER (with their sightings) as one\n"
    "         MISP event or one STIX 2.1 bundle on stdout, for the recipient --to: a partner\n"
    "         (up to its max_tlp) or constituent organisation ID; without --to, for the CERT\n"
    "         itself. Every member passes the TLP gate for that recipient: what it may not\n"
    "         get is left out and counted (a MISP comment, x_vigie_withheld in STIX). An\n"
    "         incident the recipient may not get is \"no incident\" (exit 1). Indicators\n"
    "         are written as they are read (exit 1 halfway: the output is cut short).\n"
    "         FILTER: KEY=VALUE[,KEY=VALUE...] with type, source, tag, since (RFC 3339);\n"
    "         \"\" is every indicator. Ids are stable: the same object exports with the same\n"
    "         uuid every time.\n"
    "import   reads MISP JSON (events, lists of events, MISP's REST answers) or STIX 2.1\n"
    "         (bundles, objects) files ('-': stdin; format detected unless --format) into\n"
    "         the indicators: TLP from the item, else its container, else AMBER; source\n"
    "         NAME, else the file name. Idempotent: re-importing changes nothing. What is\n"
    "         not imported is reported on stderr as FILE: /json/pointer: what: reason (not\n"
    "         the structure of vigie's own exports: they re-import with exit 0). A\n"
    "         report per file {\"format\",\"containers\",\"items\",\"added\",\"updated\",\n"
    "         \"unchanged\",\"sightings\",\"skipped\",...} is printed on stdout.\n"
    "         Exit: 0 all imported, 1 something skipped, 2 a file malformed or unreadable\n"
    "         (what was valid before its malformed part is kept, the other files are read).\n"
    "pull     fetches a MISP feed (only the events changed since the last pull) or a TAXII\n"
    "         2.1 collection (only what was added since the last pull), and imports it.\n",
    run_share,
};
