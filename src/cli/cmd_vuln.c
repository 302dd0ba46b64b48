/* `vigie vuln import|match|digest`: vulnerability feeds into the database, findings of the
 * constituency's products, per-organisation digests. A thin layer over app/watch.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "util/shown.h"
#include "app/watch.h"
#include "store/store.h"
#include "util/str.h"
#include "util/time.h"

struct import_ui {
    bool tty;     /* stderr is a terminal: show progress */
    double start; /* vg_time_mono() at the start */
};

/* A diagnostic of one file, named once: a reader's message may already start with the file
 * name ("FILE: No such file or directory", "FILE:1: expected header"), and is then shown as
 * it is. */
static void on_error(void *ctx, const char *file, const struct vg_diag *d)
{
    (void)ctx;
    struct vg_shown sf, sp, sm;
    const char *f = vg_shown(vg_str_c(file), VG_SHOWN_ROOM, &sf);
    const char *m = vg_shown_msg(d->message, &sm);
    size_t n = strlen(file);
    if (strncmp(d->message, file, n) == 0 && d->message[n] == ':')
        fprintf(stderr, "%s\n", m);
    else if (d->field[0])
        fprintf(stderr, "%s: %s: %s\n", f, vg_shown_msg(d->field, &sp), m);
    else if (d->line > 0)
        fprintf(stderr, "%s:%ld: %s\n", f, d->line, m);
    else
        fprintf(stderr, "%s: %s\n", f, m);
}

static void on_progress(void *ctx, size_t done, size_t total, size_t records)
{
    struct import_ui *ui = ctx;
    if (!ui->tty)
        return;
    double t = vg_time_mono() - ui->start;
    double rate = t > 0 ? (double)records / t : 0;
    double eta = done ? t * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\r%zu/%zu files, %zu records, %.0f records/s, ETA %.0f s   ", done, total,
            records, rate, eta);
    if (done == total)
        fputc('\n', stderr);
}

static struct vg_store *open_db(const char *cmd, const char *db)
{
    struct vg_diag d;
    struct vg_shown sm;
    vg_diag_clear(&d);
    /* an import and a full re-match read much of the database once (mapped, its pages
     * would also count as the process's memory) */
    struct vg_store_config cfg = {.bulk = strcmp(cmd, "digest") != 0};
    struct vg_store *st = vg_store_open(db, &cfg, &d);
    if (!st)
        fprintf(stderr, "vigie vuln %s: %s\n", cmd, vg_shown_msg(d.message, &sm));
    return st;
}

/* The usage error of getopt_long's answer c (':' a value missing, else an unknown option),
 * the option shown escaped. */
static int bad_option(int c, int argc, char **argv, struct vg_shown *sa)
{
    const char *a = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    if (c == ':')
        return vg_cli_usage("vuln", "%s needs a value", vg_shown(vg_str_c(a), 0, sa));
    return vg_cli_usage("vuln", "unknown option '%s'", vg_shown(vg_str_c(a), 0, sa));
}

static int parse_org(const char *s, long long *org)
{
    unsigned long long v;
    if (vg_str_to_u64(vg_str_c(s), 1, 1ULL << 62, &v) != 0)
        return -1;
    *org = (long long)v;
    return 0;
}

static int run_import(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"keep-going", no_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    bool keep_going = false;
    struct vg_shown sa, sm;
    int c;
    optind = 1;
    opterr = 0; /* getopt would echo the option unescaped */
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'k')
            keep_going = true;
        else if (c == 'h')
            return fputs(vg_cmd_vuln.help, stdout), VG_EXIT_OK;
        else
            return bad_option(c, argc, argv, &sa);
    }
    if (optind >= argc)
        return vg_cli_usage("vuln", "import needs at least one FILE or DIR");
    struct vg_store *st = open_db("import", vg_cli_db_path(db));
    if (!st)
        return VG_EXIT_FAIL;
    vg_cli_malloc_bulk(false); /* jansson allocates and frees much per file */
    struct import_ui ui = {isatty(2) == 1, vg_time_mono()};
    struct vg_watch_opts o = {on_error, on_progress, &ui};
    struct vg_watch_stats s;
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_watch_import(st, argv + optind, (size_t)(argc - optind), &o, &s, &d);
    vg_store_close(st);
    double t = vg_time_mono() - ui.start;
    if (rc && !s.files) {
        fprintf(stderr, "vigie vuln import: nothing imported: %s\n", vg_shown_msg(d.message, &sm));
        fprintf(stderr, "vigie vuln import: %zu file(s) read, %zu failed\n", s.files, s.bad_files);
        return VG_EXIT_FAIL;
    }
    fprintf(stderr,
            "imported %zu file(s) in %.2f s: %zu added, %zu updated, %zu unchanged, %zu "
            "rejected; %zu KEV, %zu EPSS",
            s.files, t, s.added, s.updated, s.unchanged, s.rejected, s.kev, s.epss);
    if (s.bad_files)
        fprintf(stderr, "; %zu file(s) unreadable", s.bad_files);
    fputc('\n', stderr);
    if (s.matched)
        fprintf(stderr,
                "matched %zu changed CVE(s) against %zu product(s) concerned: %zu finding(s), "
                "%zu new (products and inventory %.1f ms, reading the CVEs %.1f ms, matching "
                "%.1f ms, storing findings %.1f ms)\n",
                s.matched, s.assets, s.findings, s.new_findings, s.load_ms, s.read_ms, s.match_ms,
                s.store_ms);
    if (rc) {
        fprintf(stderr, "vigie vuln import: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    if (s.bad_files) {
        /* the files read are imported either way; the exit status says whether all were */
        fprintf(stderr, "vigie vuln import: %zu file(s) read, %zu failed%s\n", s.files, s.bad_files,
                keep_going ? " (--keep-going)" : "");
        return keep_going ? VG_EXIT_OK : VG_EXIT_FAIL;
    }
    return VG_EXIT_OK;
}

static int run_match(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"org", required_argument, NULL, 'o'},
                                         {"since", required_argument, NULL, 's'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *since = NULL;
    long long org = 0;
    bool quiet = false;
    struct vg_shown sa, sm;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o':
            if (parse_org(optarg, &org))
                return vg_cli_usage("vuln", "--org must be an organisation id");
            break;
        case 's':
            if (strlen(optarg) < 4 || optarg[0] < '0' || optarg[0] > '9')
                return vg_cli_usage("vuln", "--since must be a date (YYYY-MM-DD)");
            since = optarg;
            break;
        case 'q': quiet = true; break;
        case 'h': return fputs(vg_cmd_vuln.help, stdout), VG_EXIT_OK;
        default: return bad_option(c, argc, argv, &sa);
        }
    }
    if (optind < argc)
        return vg_cli_usage("vuln", "unexpected argument '%s'",
                            vg_shown(vg_str_c(argv[optind]), 0, &sa));
    if (quiet && since)
        return vg_cli_usage("vuln", "--since selects what is printed: not with --quiet");
    struct vg_store *st = open_db("match", vg_cli_db_path(db));
    if (!st)
        return VG_EXIT_FAIL;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *o = NULL;
    if (org && vg_store_org_get(st, org, &o) != 0) {
        fprintf(stderr, "vigie vuln match: no organisation %lld\n", org);
        vg_store_close(st);
        return VG_EXIT_FAIL;
    }
    json_decref(o);
    struct vg_watch_match_stats ms;
    vg_cli_malloc_bulk(true);
    int rc = vg_watch_match_all(st, org, since, quiet ? NULL : stdout, &ms, &d);
    vg_store_close(st);
    if (rc) {
        fprintf(stderr, "vigie vuln match: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    fprintf(stderr,
            "%zu CVEs x %zu assets: %zu findings (%zu new, %zu gone; %zu of %zu organisations "
            "changed); load %.0f ms, match %.0f ms, store %.0f ms\n",
            ms.cves, ms.assets, ms.findings, ms.new_findings, ms.gone, ms.orgs_changed, ms.orgs,
            ms.load_ms, ms.match_ms, ms.store_ms);
    if (ms.unreadable)
        fprintf(stderr,
                "vigie vuln match: %zu stored record(s) unreadable, not matched: "
                "import their feeds again\n",
                ms.unreadable);
    return VG_EXIT_OK;
}

static const char *tier_name(json_int_t t)
{
    return t == 0 ? "KEV" : t == 1 ? "EPSS" : "CVSS";
}

/* Writes a digest (vg_store_digest_take's answer) as text, for `vigie vuln digest`. */
static void digest_text(const json_t *dg, FILE *out)
{
    const json_t *fl = json_object_get(dg, "findings");
    const char *since = json_string_value(json_object_get(dg, "since"));
    fprintf(out, "Digest for %s (organisation %lld), until %s\n",
            json_string_value(json_object_get(dg, "name")),
            (long long)json_integer_value(json_object_get(dg, "org")),
            json_string_value(json_object_get(dg, "until")));
    if (since)
        fprintf(out, "%zu new finding(s) since the last digest (%s)\n", json_array_size(fl), since);
    else
        fprintf(out, "%zu finding(s) (first digest)\n", json_array_size(fl));
    size_t i;
    json_t *f;
    json_array_foreach(fl, i, f) {
        const json_t *cvss = json_object_get(f, "cvss"), *kev = json_object_get(f, "kev");
        const json_t *epss = json_object_get(f, "epss");
        fprintf(out, "\n[%s] %s", tier_name(json_integer_value(json_object_get(f, "priority"))),
                json_string_value(json_object_get(f, "cve")));
        if (json_is_object(cvss))
            fprintf(out, "  CVSS %.1f %s", json_real_value(json_object_get(cvss, "score")),
                    json_string_value(json_object_get(cvss, "severity"))
                        ? json_string_value(json_object_get(cvss, "severity"))
                        : "");
        if (json_is_object(epss))
            fprintf(out, "  EPSS %.3f", json_real_value(json_object_get(epss, "score")));
        fprintf(out, "\n  asset: %s\n", json_string_value(json_object_get(f, "asset")));
        if (json_is_object(kev))
            fprintf(out, "  known exploited (CISA KEV) since %s, due %s%s\n",
                    json_string_value(json_object_get(kev, "dateAdded")),
                    json_string_value(json_object_get(kev, "dueDate")),
                    json_is_true(json_object_get(kev, "knownRansomwareCampaignUse"))
                        ? ", used by ransomware"
                        : "");
        const char *desc = json_string_value(json_object_get(f, "description"));
        if (desc && desc[0])
            fprintf(out, "  %.300s%s\n", desc, strlen(desc) > 300 ? "..." : "");
    }
}

static int run_digest(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"org", required_argument, NULL, 'o'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    long long org = 0;
    bool as_json = false;
    struct vg_shown sa, sm;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o':
            if (parse_org(optarg, &org))
                return vg_cli_usage("vuln", "--org must be an organisation id");
            break;
        case 'j': as_json = true; break;
        case 'h': return fputs(vg_cmd_vuln.help, stdout), VG_EXIT_OK;
        default: return bad_option(c, argc, argv, &sa);
        }
    }
    if (optind < argc)
        return vg_cli_usage("vuln", "unexpected argument '%s'",
                            vg_shown(vg_str_c(argv[optind]), 0, &sa));
    if (!org)
        return vg_cli_usage("vuln", "digest needs --org ID");
    struct vg_store *st = open_db("digest", vg_cli_db_path(db));
    if (!st)
        return VG_EXIT_FAIL;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *dg = NULL;
    int rc = vg_store_digest_take(st, org, &dg, &d);
    vg_store_close(st);
    if (rc) {
        fprintf(stderr, "vigie vuln digest: %s\n", vg_shown_msg(d.message, &sm));
        return VG_EXIT_FAIL;
    }
    if (as_json) {
        char *txt = json_dumps(dg, JSON_COMPACT);
        if (txt)
            printf("%s\n", txt);
        free(txt);
    } else {
        digest_text(dg, stdout);
    }
    json_decref(dg);
    return VG_EXIT_OK;
}

static int run_vuln(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("vuln", "expected: import, match or digest");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return fputs(vg_cmd_vuln.help, stdout), VG_EXIT_OK;
    if (strcmp(argv[1], "import") == 0)
        return run_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "match") == 0)
        return run_match(argc - 1, argv + 1);
    if (strcmp(argv[1], "digest") == 0)
        return run_digest(argc - 1, argv + 1);
    struct vg_shown sa;
    return vg_cli_usage("vuln", "unknown subcommand '%s'", vg_shown(vg_str_c(argv[1]), 0, &sa));
}

const struct vg_command vg_cmd_vuln = {
    "vuln",
    "import vulnerability feeds, match the constituency, digests",
    "usage: vigie vuln import [--db PATH] [--keep-going] FILE|DIR ...\n"
    "       vigie vuln match [--db PATH] [--org ID] [--since DATE | --quiet]\n"
    "       vigie vuln digest [--db PATH] --org ID [--json]\n"
    "\n"
    "import   reads NVD CVE API 2.0 pages, CVE JSON 5 records, the CISA KEV catalog and\n"
    "         FIRST EPSS CSV files (a directory is read recursively: *.json, *.csv; a pipe\n"
    "         such as /dev/stdin is read to its end, 1 GiB at most) into the\n"
    "         database, one transaction per file. Idempotent: a record replaces the stored\n"
    "         one of the same CVE and source only when its lastModified is later. A malformed\n"
    "         record is reported on stderr as FILE: /json/pointer: reason and skipped. The\n"
    "         CVEs added or updated are matched against every organisation's products and\n"
    "         their findings stored. Ends with a summary on stderr (added, updated,\n"
    "         unchanged, rejected); a progress line when stderr is a terminal. When a file\n"
    "         fails the others are imported, \"N file(s) read, M failed\" is printed and\n"
    "         the exit status is 1; with --keep-going it is 0 if at least one was read.\n"
    "match    re-matches every stored CVE against the products (assets.products, CPE 2.3) of\n"
    "         every organisation, or of --org ID, stores the findings and prints them as\n"
    "         NDJSON on stdout by priority: KEV first, then EPSS >= 0.1, then CVSS. Only\n"
    "         organisations whose findings changed are rewritten (a fingerprint of each\n"
    "         one's findings is kept). --since DATE prints only findings of CVEs published\n"
    "         or modified since DATE; --quiet prints nothing (the summary on stderr stays).\n"
    "digest   the organisation's findings new since its last digest, by priority, as text\n"
    "         (or one JSON object with --json); records this digest.\n"
    "\n"
    "--db defaults to $VIGIE_DB, then ./var/vigie.db.\n",
    run_vuln,
};
