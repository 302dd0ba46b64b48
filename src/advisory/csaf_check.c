/* The CSAF 2.0 checker's frame (advisory/csaf.h): the report, the two stages in order, and
 * the file names of section 5.1. The stages are csaf_schema.c and csaf_tests.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/csaf.h"
#include "util/mem.h"

int vg_csaf_report_add(struct vg_csaf_report *rep, const char *test, const char *pointer,
                       const char *fmt, ...)
{
    if (rep->n >= VG_CSAF_MAX_ISSUES) {
        rep->truncated = true;
        return 0;
    }
    if (vg_grow((void **)&rep->items, &rep->cap, rep->n + 1, sizeof *rep->items, 16))
        return VG_ENOMEM;
    struct vg_csaf_issue *it = &rep->items[rep->n++];
    snprintf(it->test, sizeof it->test, "%s", test);
    snprintf(it->pointer, sizeof it->pointer, "%s", pointer ? pointer : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message, sizeof it->message, fmt, ap);
    va_end(ap);
    return 0;
}

void vg_csaf_report_free(struct vg_csaf_report *rep)
{
    if (!rep)
        return;
    free(rep->items);
    memset(rep, 0, sizeof *rep);
}

size_t vg_csaf_check(const json_t *doc, struct vg_csaf_report *rep)
{
    size_t before = rep->n;
    vg_csaf_check_schema(doc, rep);
    vg_csaf_check_mandatory(doc, NULL, rep);
    return rep->n - before;
}

int vg_csaf_filename(const char *tracking_id, char *out, size_t cap)
{
    size_t n = 0;
    bool run = false; /* inside a run of replaced characters */
    for (const unsigned char *p = (const unsigned char *)tracking_id; *p; p++) {
        unsigned char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-';
        if (!keep && run)
            continue;
        if (n + 1 >= cap)
            return VG_ETOOBIG;
        out[n++] = keep ? (char)c : '_';
        run = !keep;
    }
    if (n + sizeof ".json" > cap)
        return VG_ETOOBIG;
    memcpy(out + n, ".json", sizeof ".json");
    return 0;
}
