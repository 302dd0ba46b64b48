/* Validation of the records users send (organisations, incidents, reports): each check takes
 * the parsed JSON body, refuses unknown fields and bad values naming the field, and builds
 * the normalised record the store persists. No I/O here. */
#ifndef VG_RECORD_H
#define VG_RECORD_H

#include <jansson.h>
#include <stdbool.h>

#include "util/err.h"

enum vg_check_mode {
    VG_CHECK_CREATE, /* required fields must be present; defaults are filled in */
    VG_CHECK_PATCH,  /* only the fields present are checked and returned */
};

/* Organisation: name, kind, sector, assets {cidrs, domains, products}, contacts
 * [{name,email,role}]. On success *out is a new object (caller decrefs) that also carries
 * the derived "eligible" when kind is present. */
int vg_org_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d);

/* Incident: title, description, class, type, severity, tlp, pap, org, reporter, assignee,
 * occurred, and (create only) observables [{value,type?}] normalised; status and unverified
 * (patch only). */
int vg_incident_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d);

/* A public report (intake): reporter {name,email,phone?}, organisation {name,kind}, title,
 * description, observables?, occurred?. *out holds the normalised report. */
int vg_report_check(const json_t *in, json_t **out, struct vg_diag *d);

/* Indicator: value, type? (detected when absent), tlp (default AMBER), source, confidence
 * (0-100, default 50), tags (strings), first_seen, last_seen, expires (RFC 3339; valid_until,
 * STIX's name, is taken for it, VG_EINVAL "/valid_until" when both differ). *out holds
 * the normalised indicator; with VG_CHECK_PATCH defaults are not filled in, so that merging
 * into a stored indicator changes only what was given. */
int vg_indicator_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d);

/* Checks an observable object {value, type?}; fills a new {"type","value"} object. */
int vg_observable_check(const json_t *in, const char *ptr, json_t **out, struct vg_diag *d);

/* Checks a list of contacts [{name, email, role?, phone?, lang?, optout?}] (an
 * organisation's, a partner's): fills a new normalised array, or names the bad field
 * ("/contacts/0/email"). lang is the language of the mail a contact gets ("fr" or "en";
 * absent: French then English in one message); optout lists the kinds of mail it refuses
 * ("digest", "alert", "advisory"; incident mail cannot be refused), duplicates dropped. */
int vg_contacts_check(const json_t *in, json_t **out, struct vg_diag *d);
/* "fr" or "en". */
bool vg_contact_lang_ok(const char *lang);
/* "digest", "alert" or "advisory": the kinds of mail a contact may refuse. */
bool vg_contact_optout_kind_ok(const char *kind);
/* True if contact (a checked contact object) refuses mail of kind; never for "incident". */
bool vg_contact_opted_out(const json_t *contact, const char *kind);

/* True if s looks like a CPE 2.3 formatted string (prefix and 13 components). */
bool vg_cpe23_shape_ok(const char *s);

/* Domain part of an e-mail address (after the last '@'), lower-cased into out; -1 if none. */
int vg_email_domain(const char *email, char *out, size_t cap);

#endif
