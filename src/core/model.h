/* The closed vocabularies of vigie's data model (TLP, PAP, severity, organisation kinds and
 * sectors, user roles) and the rules attached to them, such as which kinds are eligible. */
#ifndef VG_MODEL_H
#define VG_MODEL_H

#include <stdbool.h>

/* NULL-terminated lists of the accepted names, in the order shown to users. */
extern const char *const vg_tlp_names[];      /* CLEAR GREEN AMBER AMBER+STRICT RED */
extern const char *const vg_pap_names[];      /* CLEAR GREEN AMBER RED */
extern const char *const vg_severity_names[]; /* low medium high critical */
extern const char *const vg_org_kind_names[];
extern const char *const vg_sector_names[];
extern const char *const vg_role_names[]; /* admin analyst reader */

/* Index of s in a NULL-terminated list, or -1. */
int vg_name_index(const char *const *names, const char *s);
/* Writes the names joined by ", " into out (cap bytes), for error messages. */
void vg_names_join(const char *const *names, char *out, unsigned cap);

/* Ministries, public agencies, local authorities, OIV and OSE are the constituency. */
bool vg_org_kind_eligible(const char *kind);
/* Rank of a TLP level, CLEAR = 0 ... RED = 4; -1 if unknown. Higher is more restricted. */
int vg_tlp_rank(const char *tlp);

#endif
