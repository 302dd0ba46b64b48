/* `vigie cpe parse STRING` and `vigie cpe compare SOURCE TARGET`: CPE 2.3 names on the
 * command line, a thin layer over src/vuln/cpe.h. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/buf.h"
#include "util/shown.h"
#include "vuln/cpe.h"

static int parse_arg(const char *what, const char *s, struct vg_cpe_name *name)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_cpe_parse(vg_str_c(s), name, &d) < 0) {
        /* the name and the message (which may quote it) escaped and cut */
        struct vg_shown sn, sm;
        fprintf(stderr, "vigie cpe: %s '%s': %s\n", what, vg_shown(vg_str_c(s), 0, &sn),
                vg_shown_msg(d.message, &sm));
        return -1;
    }
    return 0;
}

static int run_parse(const char *s)
{
    struct vg_cpe_name name;
    if (parse_arg("name", s, &name) < 0)
        return VG_EXIT_FAIL;
    struct vg_buf out, fs, uri;
    vg_buf_init(&out, 64 * 1024);
    vg_buf_init(&fs, 16 * 1024);
    vg_buf_init(&uri, 16 * 1024);
    vg_cpe_write_fs(&name.cpe, &fs);
    vg_cpe_write_uri(&name.cpe, &uri);
    vg_buf_puts(&out, "{\"wfn\":");
    vg_cpe_write_json(&name.cpe, &out);
    vg_buf_puts(&out, ",\"formatted\":");
    vg_buf_put_json(&out, (struct vg_str){fs.data, fs.len});
    vg_buf_puts(&out, ",\"uri\":");
    vg_buf_put_json(&out, (struct vg_str){uri.data, uri.len});
    vg_buf_puts(&out, "}\n");
    if (fs.failed || uri.failed)
        out.failed = true;
    vg_buf_cleanup(&fs);
    vg_buf_cleanup(&uri);
    int rc = VG_EXIT_OK;
    if (out.failed) {
        fprintf(stderr, "vigie cpe parse: out of memory\n");
        rc = VG_EXIT_FAIL;
    } else {
        fputs(out.data, stdout);
    }
    vg_buf_cleanup(&out);
    return rc;
}

static int run_compare(const char *src, const char *tgt)
{
    struct vg_cpe_name a, b;
    if (parse_arg("source", src, &a) < 0 || parse_arg("target", tgt, &b) < 0)
        return VG_EXIT_FAIL;
    puts(vg_cpe_rel_name(vg_cpe_compare(&a.cpe, &b.cpe)));
    return VG_EXIT_OK;
}

static int run_cpe(int argc, char **argv)
{
    if (argc < 2)
        return vg_cli_usage("cpe", "missing subcommand (parse or compare)");
    if (strcmp(argv[1], "parse") == 0) {
        if (argc != 3)
            return vg_cli_usage("cpe", "parse takes one CPE name");
        return run_parse(argv[2]);
    }
    if (strcmp(argv[1], "compare") == 0) {
        if (argc != 4)
            return vg_cli_usage("cpe", "compare takes SOURCE and TARGET");
        return run_compare(argv[2], argv[3]);
    }
    struct vg_shown sa;
    return vg_cli_usage("cpe", "unknown subcommand '%s'", vg_shown(vg_str_c(argv[1]), 0, &sa));
}

const struct vg_command vg_cmd_cpe = {
    "cpe",
    "parse and compare CPE 2.3 names",
    "usage: vigie cpe parse NAME\n"
    "       vigie cpe compare SOURCE TARGET\n\n"
    "NAME is a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:...) or a CPE 2.2 URI\n"
    "(cpe:/part:vendor:product:..., packed edition ~ accepted).\n\n"
    "parse    prints {\"wfn\":{...},\"formatted\":...,\"uri\":...}: the well-formed name\n"
    "         with values in WFN form (punctuation quoted with \\, \"<ANY>\", \"<NA>\") and\n"
    "         both bindings.\n"
    "compare  prints the NISTIR 7696 relation of SOURCE to TARGET: SUPERSET, SUBSET, EQUAL,\n"
    "         DISJOINT, or UNDEFINED (the target holds a wildcard, or attributes disagree).\n"
    "         Wildcards * and ? are meaningful in SOURCE.\n\n"
    "A malformed name is shown in the message with control characters and bytes that are\n"
    "not UTF-8 escaped (\\n, \\xNN), cut after 200 bytes with its length: ...(N bytes).\n"
    "Exit status: 0 ok, 1 a name is malformed (the message names the byte), 2 usage.\n",
    run_cpe,
};
