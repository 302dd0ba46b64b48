/* CSAF 2.0 (OASIS Common Security Advisory Framework, 2022): the checker any CSAF document can
 * go through (`vigie csaf validate`, and every advisory vigie publishes), and the writer of
 * vigie's advisories as CSAF documents. Pure: documents are jansson values.
 *
 * The checker runs two stages and reports every failure it finds, each with the test that
 * failed and the JSON pointer (RFC 6901) of the place:
 *   - "schema": the document against the CSAF 2.0 JSON schema (csaf_json_schema.json, written
 *     out as C in advisory/csaf_schema.c: required properties, types, enums, patterns, formats,
 *     sizes, uniqueness, no unknown property);
 *   - "6.1.1" ... "6.1.33": the mandatory tests of the standard's section 6.1 that can be
 *     implemented (advisory/csaf_tests.c). */
#ifndef VG_CSAF_H
#define VG_CSAF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "advisory/advisory.h"
#include "util/err.h"

struct vg_csaf_issue {
    char test[16];     /* "schema", "6.1.1", "6.1.27.3" */
    char pointer[256]; /* "/product_tree/branches/0/product/product_id" ("" for the root) */
    char message[256]; /* what is wrong, for a person */
};

/* The failures found, in the order found. At most VG_CSAF_MAX_ISSUES are kept (truncated is
 * then set): a broken document of a million products stays a readable report. */
#define VG_CSAF_MAX_ISSUES 1000
struct vg_csaf_report {
    struct vg_csaf_issue *items;
    size_t n, cap;
    bool truncated;
};

/* Adds a failure (printf-style message). Returns 0, or VG_ENOMEM (the report keeps what it
 * had). Used by both stages. */
int vg_csaf_report_add(struct vg_csaf_report *rep, const char *test, const char *pointer,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void vg_csaf_report_free(struct vg_csaf_report *rep);

/* Checks doc (a parsed JSON value: anything, not only an object): the schema stage, then the
 * mandatory tests (which skip what the schema stage already found malformed rather than crash
 * on it). Returns the number of failures added to rep (0: valid). */
size_t vg_csaf_check(const json_t *doc, struct vg_csaf_report *rep);

/* The stages, also run alone by the tests. `only` restricts the mandatory tests to one test
 * id ("6.1.14"), NULL runs them all. */
void vg_csaf_check_schema(const json_t *doc, struct vg_csaf_report *rep);
void vg_csaf_check_mandatory(const json_t *doc, const char *only, struct vg_csaf_report *rep);

/* The ids of the mandatory tests csaf_tests.c implements, ended by NULL (for docs/CSAF.md's
 * table and the conformance test). */
extern const char *const vg_csaf_mandatory_implemented[];

/* The file name of a CSAF document with that tracking id (section 5.1: lower case, each run
 * of characters other than [+\-a-z0-9] replaced by one "_", then ".json"):
 * "VIGIE-2026-AVI-0001" -> "vigie-2026-avi-0001.json". Writes at most cap bytes, NUL included;
 * returns 0, or VG_ETOOBIG. */
int vg_csaf_filename(const char *tracking_id, char *out, size_t cap);

/* The CSAF 2.0 document of a published advisory (advisory/csaf_write.c):
 * csaf_security_advisory for avis and alertes, csaf_base for the other kinds. document
 * (category, csaf_version "2.0", publisher from site, title, lang, distribution.tlp with
 * CLEAR written as WHITE, notes from summary and solution, references, tracking: id = ref,
 * status "final" (or "interim" for an alert still open), version = a->version, revision_history
 * from a->revisions, initial and current release dates, generator), product_tree
 * (vendor -> product_name -> product_version_range / product_version branches with product
 * ids and CPEs), vulnerabilities (one per CVE: cve, scores when known, product_status
 * known_affected / fixed, remediations with the solution). 0 and *out (a new reference), or
 * VG_EINVAL with d naming what the advisory lacks to make one (no revision, no title, ...).
 * The document is meant to be dumped and checked, not edited: the arrays of product ids of the
 * vulnerabilities are shared (one jansson value referenced from each place), so a caller that
 * edits one copies it first. Dump it with JSON_REAL_PRECISION(15) or so: jansson's default
 * writes the score 9.8 as 9.8000000000000007 (the same number, more bytes). */
int vg_csaf_document(const struct vg_advisory *a, const struct vg_adv_site *site, json_t **out,
                     struct vg_diag *d);

#endif
