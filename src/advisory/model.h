/* The API form of an advisory (issue 13): the checks of a body sent to POST or PATCH
 * /api/v1/advisories, and the reading of a stored record into the C form of advisory.h that
 * the writers take. Pure: jansson in, jansson or C out. */
#ifndef VG_ADVISORY_MODEL_H
#define VG_ADVISORY_MODEL_H

#include <jansson.h>
#include <stdbool.h>

#include "advisory/advisory.h"
#include "util/err.h"

/* Checks an advisory's body: with patch false a creation (kind and title required, tlp CLEAR
 * when absent), with patch true a change (only the fields given). Fields: kind, title, tlp
 * (the five TLP names), lang ("fr", "en"), risks (names of the controlled list, no
 * duplicates), affected_systems ([{vendor, product, versions, cpe?, fixed?, scada?}], cpe a
 * CPE 2.3 formatted string), cves (ids "CVE-YYYY-NNNN+", or {id, cvss?, cvss_vector?, kev?}
 * as the technology watch fills them; no duplicates; upper case), summary and solution
 * (Markdown), references ([{url, title?, vendor?, published_at?}] or URL strings; http(s)
 * only). Any other field is refused; closed_at, ref, status, version and the dates are set by
 * the workflow only. Returns 0 and *out (a new object, the fields normalised: CVE ids upper
 * case, a reference always an object), or VG_EINVAL / VG_ETOOBIG with d naming the JSON
 * pointer ("/affected_systems/2/cpe"). Limits: util/limits.h (VG_ADV_*, VG_MAX_NAME,
 * VG_MAX_LIST). */
int vg_advisory_check(const json_t *in, bool patch, json_t **out, struct vg_diag *d);

/* True if s is a CVE id ("CVE-2024-3094": four digits of year, four or more of number; case
 * ignored). */
bool vg_advisory_cve_ok(const char *s);
/* True if s has the shape of a CPE 2.3 formatted string ("cpe:2.3:a:vendor:product:..."):
 * thirteen colon-separated parts, the part one of a, o, h, * or -, each value "*", "-" or
 * made of letters, digits, "._-", quoted characters ("\:") and the wildcards "*" and "?". */
bool vg_advisory_cpe_ok(const char *s);

/* Reads a record as the store and the API give it into *out: ref, kind, status, version,
 * tlp, lang, title, summary, solution, risks, affected_systems, cves, references, revisions
 * ([{version, date, description}]), created_at, updated_at, closed_at. The content is read at
 * the top level of rec (the text an app/ use case is about to publish, or the API's working
 * text). What is internal to the CERT ("internal": the constituents concerned, "authors",
 * reviewers, the pending draft) is never read. 0, or VG_EINVAL naming the field of a record
 * that does not have the form vg_advisory_check gives (out is then freed and zeroed),
 * VG_ENOMEM. Free out with vg_advisory_free. */
int vg_advisory_from_json(const json_t *rec, struct vg_advisory *out, struct vg_diag *d);

#endif
