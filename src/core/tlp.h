/* The TLP gate (FIRST TLP 2.0): the one function that decides whether an object may leave
 * vigie for a recipient. Every export, TAXII answer, MISP feed and e-mail calls
 * vg_tlp_may_send for each object it would send, and nothing else decides. Also the TLP 2.0
 * names as MISP tags and as the official STIX 2.1 marking-definition ids, so that the
 * formats agree with the gate on what a level is. */
#ifndef VG_TLP_H
#define VG_TLP_H

#include <stdbool.h>

/* The levels, least restricted first (the order of vg_tlp_names in core/model.h). */
enum vg_tlp {
    VG_TLP_CLEAR = 0,
    VG_TLP_GREEN,
    VG_TLP_AMBER,
    VG_TLP_AMBER_STRICT,
    VG_TLP_RED,
};

/* Who an object would go to. */
enum vg_recipient_kind {
    VG_RCPT_INTERNAL = 0, /* the CERT's own users through its authenticated API: not leaving */
    VG_RCPT_PUBLIC,       /* anyone: public pages, unauthenticated feeds */
    VG_RCPT_PARTNER,      /* a partner CERT (InterCERT, EU CSIRTs Network, FIRST, ...) */
    VG_RCPT_CONSTITUENT,  /* a constituent organisation: the CERT's "client" */
};

struct vg_recipient {
    enum vg_recipient_kind kind;
    enum vg_tlp max_tlp;  /* a partner's: the highest it may receive (CLEAR, GREEN or AMBER) */
    long long org_id;     /* a constituent's organisation id */
    long long partner_id; /* a partner's id */
};

/* The level of a TLP name ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"; case ignored;
 * "WHITE" is TLP 1.0's CLEAR). NULL or "" is AMBER (an object without TLP is AMBER). An
 * unknown name is RED: what cannot be read never leaves. */
enum vg_tlp vg_tlp_level(const char *name);
/* The canonical name of a level ("AMBER+STRICT"). */
const char *vg_tlp_name(enum vg_tlp t);
/* Reads a TLP name strictly: 0 and *out, or -1 if name is not one of the five (nor WHITE). */
int vg_tlp_parse(const char *name, enum vg_tlp *out);

/* May an object of TLP `tlp` that concerns the organisation `concerns` (0: none) go to r?
 * - CLEAR: anyone.
 * - GREEN: partners and constituents; never the public.
 * - AMBER: a partner whose max_tlp is AMBER, and the constituent the object concerns.
 * - AMBER+STRICT: only the constituent the object concerns; never a partner.
 * - RED: never leaves by any automated path.
 * INTERNAL recipients (the CERT's own authenticated users) get everything. */
bool vg_tlp_may_send(enum vg_tlp tlp, long long concerns, const struct vg_recipient *r);
/* The same with a TLP name (vg_tlp_level's reading: NULL is AMBER, unknown is RED). */
bool vg_tlp_may_send_name(const char *tlp, long long concerns, const struct vg_recipient *r);

/* The MISP tag of a level ("tlp:clear", "tlp:green", "tlp:amber", "tlp:amber+strict",
 * "tlp:red"). */
const char *vg_tlp_misp_tag(enum vg_tlp t);
/* The level of a MISP tag: 0 and *out for "tlp:clear" ... "tlp:red" (case ignored;
 * "tlp:white" is CLEAR, "tlp:ex:chr" and other tlp:ex: tags are RED), -1 for a tag that is
 * not a TLP tag. */
int vg_tlp_from_misp_tag(const char *tag, enum vg_tlp *out);

/* The official STIX 2.1 marking-definition id of a TLP 2.0 level
 * ("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487" for CLEAR, ...). */
const char *vg_tlp_stix_marking(enum vg_tlp t);
/* The level of a marking-definition id: 0 and *out for the TLP 2.0 ids and the TLP 1.0 ids of
 * STIX 2.1 (WHITE, GREEN, AMBER, RED), -1 for another marking. */
int vg_tlp_from_stix_marking(const char *id, enum vg_tlp *out);

#endif
