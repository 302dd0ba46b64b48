/* libFuzzer target: the CERT-FR-style JSON reader (advisory/certfr.c). Bytes are parsed as JSON
 * (util/json.h, as an import reads a file) and read by vg_certfr_read; what was read is written
 * back by vg_certfr_document, which must succeed, and read again to the same fields. The CSAF
 * writer (with CVSS vectors and fixed versions taken from texts read) and the list writer also
 * get what was read (they may refuse it, never crash), and a CSAF document written passes the
 * checker (vg_csaf_check) without an issue. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/certfr.h"
#include "advisory/csaf.h"
#include "util/json.h"

static const struct vg_adv_site site = {"CERT Fuzz", "https://cert.example.org",
                                        NULL,        "https://cert.example.org",
                                        "fr",        "vigie fuzz"};

static void same_str(const char *a, const char *b)
{
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
        abort();
}

static void same(const struct vg_advisory *x, const struct vg_advisory *y)
{
    same_str(x->ref, y->ref);
    same_str(x->title, y->title);
    same_str(x->summary, y->summary);
    same_str(x->solution, y->solution);
    same_str(x->affected_content, y->affected_content);
    same_str(x->closed_at, y->closed_at);
    same_str(x->source, y->source);
    same_str(x->source_url, y->source_url);
    same_str(x->created_at, y->created_at);
    same_str(x->updated_at, y->updated_at);
    if (x->kind != y->kind || x->version != y->version || x->nrisks != y->nrisks ||
        x->nsystems != y->nsystems || x->ncves != y->ncves || x->nlinks != y->nlinks ||
        x->nrevisions != y->nrevisions)
        abort();
    for (size_t i = 0; i < x->nrisks; i++) {
        same_str(x->risks[i].text, y->risks[i].text);
        if (x->risks[i].kind != y->risks[i].kind)
            abort();
    }
    for (size_t i = 0; i < x->nsystems; i++) {
        same_str(x->systems[i].vendor, y->systems[i].vendor);
        same_str(x->systems[i].product, y->systems[i].product);
        same_str(x->systems[i].versions, y->systems[i].versions);
        if (x->systems[i].scada != y->systems[i].scada)
            abort();
    }
    for (size_t i = 0; i < x->ncves; i++)
        same_str(x->cves[i].id, y->cves[i].id);
    for (size_t i = 0; i < x->nlinks; i++) {
        same_str(x->links[i].title, y->links[i].title);
        same_str(x->links[i].url, y->links[i].url);
        same_str(x->links[i].published_at, y->links[i].published_at);
        if (x->links[i].vendor != y->links[i].vendor)
            abort();
    }
    for (size_t i = 0; i < x->nrevisions; i++) {
        same_str(x->revisions[i].date, y->revisions[i].date);
        same_str(x->revisions[i].description, y->revisions[i].description);
        if (x->revisions[i].version != y->revisions[i].version)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_diag d;
    json_t *doc = vg_json_parse((const char *)data, size, &d);
    if (!doc)
        return 0;
    struct vg_advisory a;
    int rc = vg_certfr_read(doc, &a, &d);
    json_decref(doc);
    if (rc != 0) {
        if (rc != VG_EINVAL && rc != VG_ENOMEM)
            abort();
        if (a.ref || a.nrevisions || a.ncves) /* nothing filled */
            abort();
        return 0;
    }
    json_t *back = NULL;
    if (vg_certfr_document(&a, &site, &back, &d) != 0)
        abort(); /* what vigie read, vigie writes */
    struct vg_advisory again;
    if (vg_certfr_read(back, &again, &d) != 0)
        abort(); /* and reads again */
    same(&a, &again);
    vg_advisory_free(&again);
    json_decref(back);
    /* vigie's own advisories also have CVSS vectors, KEV flags and fixed versions: taken from
     * the texts read, so that the CSAF writer sees any string there */
    for (size_t i = 0; i < a.ncves && a.nrisks; i++) {
        a.cves[i].cvss_vector = strdup(a.risks[i % a.nrisks].text);
        a.cves[i].kev = i % 2;
    }
    for (size_t i = 0; i < a.nsystems && a.nrevisions > 1; i++)
        if (i % 2)
            a.systems[i].fixed = strdup(a.revisions[i % a.nrevisions].description);
    json_t *csaf = NULL;
    rc = vg_csaf_document(&a, &site, &csaf, &d);
    if (rc != 0 && rc != VG_EINVAL)
        abort();
    if ((rc == 0) != (csaf != NULL))
        abort();
    if (csaf) { /* what the writer makes, the checker passes */
        struct vg_csaf_report rep = {0};
        if (vg_csaf_check(csaf, &rep) != 0)
            abort();
        vg_csaf_report_free(&rep);
    }
    json_decref(csaf);
    const struct vg_advisory *list[] = {&a};
    json_t *l = vg_certfr_list(list, 1, &site);
    if (!l || json_array_size(l) != 1)
        abort();
    json_decref(l);
    vg_advisory_free(&a);
    return 0;
}
