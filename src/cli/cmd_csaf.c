/* `vigie csaf validate`: checks CSAF 2.0 documents with advisory/csaf.h's checker (the JSON
 * schema, then the mandatory tests of section 6.1) and prints each failure with its test and
 * JSON pointer. A file is streamed into jansson, capped at VG_MAX_CSAF_FILE bytes and
 * VG_MAX_JSON_DEPTH levels of nesting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/csaf.h"
#include "cli/commands.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/shown.h"

/* The reading of one file, given to jansson a block at a time: counts bytes, tracks the
 * nesting and the place (line, column) so as to stop a file too large or too deep early. */
struct reader {
    FILE *f;
    size_t total;   /* bytes given to jansson */
    int depth;      /* open arrays and objects */
    bool in_str;    /* inside a string */
    bool esc;       /* after a backslash in a string */
    long line, col; /* of the last byte read (1-based) */
    int why;        /* 0, or why the reading stopped: */
};
enum { STOP_NONE, STOP_BIG, STOP_DEEP, STOP_IO };

static size_t read_block(void *buffer, size_t buflen, void *data)
{
    struct reader *r = data;
    if (r->why)
        return (size_t)-1;
    size_t n = fread(buffer, 1, buflen, r->f);
    if (n == 0 && ferror(r->f)) {
        r->why = STOP_IO;
        return (size_t)-1;
    }
    const char *b = buffer;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if (c == '\n') {
            r->line++;
            r->col = 0;
        } else {
            r->col++;
        }
        if (++r->total > VG_MAX_CSAF_FILE) {
            r->why = STOP_BIG;
            return (size_t)-1;
        }
        if (r->in_str) {
            if (r->esc)
                r->esc = false;
            else if (c == '\\')
                r->esc = true;
            else if (c == '"')
                r->in_str = false;
        } else if (c == '"') {
            r->in_str = true;
        } else if (c == '[' || c == '{') {
            if (++r->depth > VG_MAX_JSON_DEPTH) {
                r->why = STOP_DEEP;
                return (size_t)-1;
            }
        } else if (c == ']' || c == '}') {
            r->depth--;
        }
    }
    return n;
}

/* Reads and parses path ("-": stdin); NULL after printing why on stderr. */
static json_t *load(const char *path, const char *shown)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", shown, strerror(errno));
        return NULL;
    }
    struct reader r = {.f = f, .line = 1};
    json_error_t err;
    vg_mem_spare_begin(); /* jansson's reader does not survive a failed allocation */
    json_t *doc = json_load_callback(read_block, &r, JSON_REJECT_DUPLICATES, &err);
    vg_mem_spare_end();
    if (!is_stdin)
        fclose(f);
    /* jansson takes a failed read for the end of the file: a document cut at the cap (or
     * where it went too deep) may have parsed */
    if (doc && !r.why)
        return doc;
    json_decref(doc);
    struct vg_shown m;
    switch (r.why) {
    case STOP_BIG:
        fprintf(stderr, "%s: larger than %ld bytes: not read\n", shown, (long)VG_MAX_CSAF_FILE);
        break;
    case STOP_DEEP:
        fprintf(stderr, "%s:%ld:%ld: nested deeper than %d levels\n", shown, r.line, r.col,
                VG_MAX_JSON_DEPTH);
        break;
    case STOP_IO: fprintf(stderr, "%s: read error\n", shown); break;
    default:
        if (json_error_code(&err) == json_error_out_of_memory)
            fprintf(stderr, "%s: out of memory\n", shown);
        else
            fprintf(stderr, "%s:%d:%d: malformed JSON: %s\n", shown, err.line, err.column,
                    vg_shown_msg(err.text, &m));
    }
    return NULL;
}

/* A string for the JSON output: as it is when it is UTF-8, else as a message shows it. */
static json_t *out_string(const char *s)
{
    json_t *j = json_string(s);
    if (!j) {
        struct vg_shown sh;
        j = json_string(vg_shown(vg_str_c(s), VG_SHOWN_ROOM, &sh));
    }
    return j;
}

/* Checks one file; returns 0 valid, 1 invalid or unreadable. */
static int validate(const char *path, const char *only, bool as_json)
{
    struct vg_shown sp;
    const char *shown = vg_shown(vg_str_c(path), VG_SHOWN_ROOM, &sp);
    json_t *doc = load(path, shown);
    if (!doc)
        return 1;
    struct vg_csaf_report rep = {0};
    if (!only)
        vg_csaf_check(doc, &rep);
    else if (strcmp(only, "schema") == 0)
        vg_csaf_check_schema(doc, &rep);
    else
        vg_csaf_check_mandatory(doc, only, &rep);
    json_decref(doc);
    for (size_t i = 0; i < rep.n; i++) {
        const struct vg_csaf_issue *it = &rep.items[i];
        if (as_json) {
            json_t *o = json_object();
            json_object_set_new(o, "file", out_string(path));
            json_object_set_new(o, "test", out_string(it->test));
            json_object_set_new(o, "pointer", out_string(it->pointer));
            json_object_set_new(o, "message", out_string(it->message));
            char *text = json_dumps(o, JSON_COMPACT);
            if (text)
                printf("%s\n", text);
            free(text);
            json_decref(o);
        } else {
            struct vg_shown st, ptr, m;
            printf("%s: %s %s: %s\n", shown, vg_shown(vg_str_c(it->test), 0, &st),
                   vg_shown(vg_str_c(it->pointer), VG_SHOWN_ROOM, &ptr),
                   vg_shown_msg(it->message, &m));
        }
    }
    if (rep.truncated)
        fprintf(stderr, "%s: more than %d failures: the first %d are shown\n", shown,
                VG_CSAF_MAX_ISSUES, VG_CSAF_MAX_ISSUES);
    int rc = rep.n ? 1 : 0;
    vg_csaf_report_free(&rep);
    return rc;
}

static bool known_test(const char *id)
{
    if (strcmp(id, "schema") == 0)
        return true;
    for (size_t i = 0; vg_csaf_mandatory_implemented[i]; i++)
        if (strcmp(vg_csaf_mandatory_implemented[i], id) == 0)
            return true;
    return false;
}

static int run_validate(int argc, char **argv)
{
    const char *only = NULL;
    bool as_json = false, options = true;
    int nfiles = 0;
    char **files = vg_calloc((size_t)argc + 1, sizeof *files);
    if (!files) {
        fprintf(stderr, "vigie csaf: out of memory\n");
        return VG_EXIT_FAIL;
    }
    struct vg_shown sa;
    int rc = VG_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0) {
            options = false;
        } else if (options && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
            fputs(vg_cmd_csaf.help, stdout);
            goto out;
        } else if (options && strcmp(a, "--json") == 0) {
            as_json = true;
        } else if (options && strcmp(a, "--test") == 0) {
            if (i + 1 >= argc) {
                rc = vg_cli_usage("csaf", "--test needs a value");
                goto out;
            }
            only = argv[++i];
            if (!known_test(only)) {
                rc = vg_cli_usage("csaf", "unknown test '%s' (schema, or a mandatory test id)",
                                  vg_shown(vg_str_c(only), 0, &sa));
                goto out;
            }
        } else if (options && a[0] == '-' && a[1] != '\0') {
            rc = vg_cli_usage("csaf", "unknown option '%s'", vg_shown(vg_str_c(a), 0, &sa));
            goto out;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!nfiles) {
        rc = vg_cli_usage("csaf", "validate needs at least one FILE ('-': stdin)");
        goto out;
    }
    for (int i = 0; i < nfiles; i++)
        if (validate(files[i], only, as_json))
            rc = VG_EXIT_FAIL;
out:
    free(files);
    return rc;
}

static int run_csaf(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("csaf", "expected a subcommand: validate");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return fputs(vg_cmd_csaf.help, stdout), VG_EXIT_OK;
    if (strcmp(argv[1], "validate") == 0)
        return run_validate(argc - 1, argv + 1);
    struct vg_shown sa;
    return vg_cli_usage("csaf", "unknown subcommand '%s'", vg_shown(vg_str_c(argv[1]), 0, &sa));
}

const struct vg_command vg_cmd_csaf = {
    "csaf",
    "check CSAF 2.0 documents (JSON schema and mandatory tests)",
    "usage: vigie csaf validate [--test ID|schema] [--json] FILE...\n\n"
    "validate  checks each FILE ('-': stdin) as a CSAF 2.0 document: the CSAF JSON schema\n"
    "          (with FIRST's strict CVSS v2.0/v3.0/v3.1 schemas), then the mandatory tests\n"
    "          of the standard's section 6.1 that vigie implements. Each failure is printed\n"
    "          on stdout as FILE: TEST POINTER: message, TEST being \"schema\" or the test's\n"
    "          number (6.1.1 ...), POINTER the JSON pointer (RFC 6901) of the place (empty\n"
    "          for the whole document). A valid document prints nothing. At most 1000\n"
    "          failures are printed per file (stderr then says more were found).\n"
    "--test ID only that test: schema, or a mandatory test's number (6.1.1).\n"
    "--json    one JSON object per failure and line: {\"file\",\"test\",\"pointer\",\"message\"}.\n\n"
    "A file is read at most 64 MiB and 64 levels of nesting deep; a file that cannot be read\n"
    "or is not JSON is reported on stderr as FILE:LINE:COLUMN: message. docs/CSAF.md tells\n"
    "what is checked and which of the schema's patterns are approximated.\n"
    "Exit status: 0 every file valid, 1 a file invalid or unreadable, 2 usage.\n",
    run_csaf,
};
