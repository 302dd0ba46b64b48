/* Partner CERTs (issue 12): the checks of a partner record as users send it (name, country,
 * networks, contacts, max_tlp, disabled), the ISO 3166-1 country codes and the networks a
 * partner may belong to. Pure: no I/O. */
#ifndef VG_CORE_PARTNER_H
#define VG_CORE_PARTNER_H

#include <jansson.h>
#include <stdbool.h>

#include "core/record.h"
#include "core/tlp.h"
#include "util/err.h"

/* The networks a partner may belong to, NULL-terminated: intercert-fr, eu-csirts-network,
 * first, tf-csirt, other. */
extern const char *const vg_partner_networks[];

/* True if cc is an officially assigned ISO 3166-1 alpha-2 code, upper-case ("FR"; not "fr",
 * "UK" nor "XK"). */
bool vg_country_valid(const char *cc);

/* Reads a partner's max_tlp: 0 and *out for "CLEAR", "GREEN" or "AMBER"; -2 for
 * "AMBER+STRICT" and "RED" (a partner never receives them); -1 for anything else. Exact
 * upper-case names, as elsewhere in the API. */
int vg_partner_max_tlp(const char *name, enum vg_tlp *out);

/* Checks a partner record: name (1..VG_MAX_NAME bytes), country, networks (distinct, of
 * vg_partner_networks), contacts [{name, email, phone?, role?}] (as an organisation's),
 * max_tlp, and with VG_CHECK_PATCH disabled (a boolean). VG_CHECK_CREATE needs name and
 * country and fills networks [], contacts [] and max_tlp "GREEN"; VG_CHECK_PATCH returns
 * only what was given (an empty patch is refused: nothing to change). Unknown fields are
 * refused. 0 and *out (a new object), or VG_EINVAL /
 * VG_ETOOBIG with d naming the field by its JSON pointer. */
int vg_partner_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d);

#endif
