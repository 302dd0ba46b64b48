/* CERT-FR-style JSON (advisory/certfr.c): the shape CERT-FR publishes its avis and alertes in
 * (https://www.cert.ssi.gouv.fr/avis/CERTFR-2024-AVI-0268/json/), which its consumers already
 * parse. vigie writes its own publications in it and reads other CERTs' (samples:
 * ../shared/corpus/certfr). */
#ifndef VG_CERTFR_H
#define VG_CERTFR_H

#include <jansson.h>

#include "advisory/advisory.h"
#include "util/err.h"

/* The document of a published advisory, with CERT-FR's keys and types: reference, title,
 * summary, risks [{description}], affected_systems [{description, product: {name, vendor:
 * {name, scada}}}], affected_systems_content (null unless set), content (Markdown: the
 * solution under "## Solutions"; as in CERT-FR's documents, the references are in
 * vendor_advisories and links, not in content), cves [{name, url}], vendor_advisories
 * [{published_at, title, url}], links [{title, url}], revisions [{description,
 * revision_date}] (the first is the initial version), closed_at for alerts (null while open),
 * and "$ref" naming CERT-FR's OpenAPI description of that shape, as theirs do. Dates in
 * CERT-FR's form ("2023-03-03T00:00:00.000000", UTC). Texts in the site's language. 0 and
 * *out, or VG_EINVAL with d (no reference, title or revision, a date that is not RFC 3339). */
int vg_certfr_document(const struct vg_advisory *a, const struct vg_adv_site *site, json_t **out,
                       struct vg_diag *d);

/* The list document of /advisories/json/: [{reference, json_url, last_revision_date}], one per
 * advisory of list, in its order; json_url is under /guides/ for a guide, /advisories/ for the
 * other kinds. */
json_t *vg_certfr_list(const struct vg_advisory *const *list, size_t n,
                       const struct vg_adv_site *site);

/* Reads one CERT-FR-style publication into *out (an upstream advisory: source "CERT-FR" or
 * as its reference's prefix says, status published, each risk mapped by vg_adv_risk_guess
 * with its text kept, "N/A" products kept as written, affected_systems_content kept as text;
 * dates as RFC 3339 UTC, revisions numbered 1..n; an affected system's versions are its
 * description less a leading "<product> versions ", which the writer puts back). *out is
 * zeroed first. 0; VG_EINVAL with d->field the JSON pointer of the first bad part (nothing is
 * filled then), VG_ENOMEM. Strings are capped by util/limits.h (VG_MAX_NAME for names and the
 * reference, VG_MAX_STR_FIELD for texts), arrays by VG_MAX_LIST; a reference holds only
 * letters, digits, '-' and '_' (it names files and URLs), URLs are http(s) (advisory/link.h).
 */
int vg_certfr_read(const json_t *doc, struct vg_advisory *out, struct vg_diag *d);

#endif
