/* The TLP gate and the TLP 2.0 names of the formats (core/tlp.h). */
#include "core/tlp.h"

#include <stddef.h>
#include <strings.h>

static const char *const names[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
static const char *const misp_tags[] = {"tlp:clear", "tlp:green", "tlp:amber", "tlp:amber+strict",
                                        "tlp:red"};
/* The TLP 2.0 marking definitions published with the STIX 2.1 TLP 2.0 extension. */
static const char *const stix_markings[] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
};
/* The TLP 1.0 marking definitions of STIX 2.1 itself (section 7.2.1.4). */
static const struct {
    const char *id;
    enum vg_tlp tlp;
} stix_tlp1[] = {
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", VG_TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", VG_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", VG_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", VG_TLP_RED},
};

#define NLEVELS (sizeof names / sizeof names[0])

int vg_tlp_parse(const char *name, enum vg_tlp *out)
{
    if (!name)
        return -1;
    if (strncasecmp(name, "TLP:", 4) == 0)
        name += 4;
    for (size_t i = 0; i < NLEVELS; i++) {
        if (strcasecmp(name, names[i]) == 0) {
            *out = (enum vg_tlp)i;
            return 0;
        }
    }
    if (strcasecmp(name, "WHITE") == 0) {
        *out = VG_TLP_CLEAR;
        return 0;
    }
    return -1;
}

enum vg_tlp vg_tlp_level(const char *name)
{
    if (!name || !*name)
        return VG_TLP_AMBER;
    enum vg_tlp t;
    return vg_tlp_parse(name, &t) == 0 ? t : VG_TLP_RED;
}

const char *vg_tlp_name(enum vg_tlp t)
{
    return (size_t)t < NLEVELS ? names[t] : "RED";
}

bool vg_tlp_may_send(enum vg_tlp tlp, long long concerns, const struct vg_recipient *r)
{
    if (!r || (size_t)tlp >= NLEVELS)
        return false;
    switch (r->kind) {
    case VG_RCPT_INTERNAL: return true;
    case VG_RCPT_PUBLIC: return tlp == VG_TLP_CLEAR;
    case VG_RCPT_PARTNER:
        /* a partner never gets AMBER+STRICT nor RED, whatever its max_tlp says */
        return tlp <= VG_TLP_AMBER && tlp <= r->max_tlp;
    case VG_RCPT_CONSTITUENT:
        if (tlp <= VG_TLP_GREEN)
            return true;
        if (tlp == VG_TLP_AMBER || tlp == VG_TLP_AMBER_STRICT)
            return concerns > 0 && concerns == r->org_id;
        return false;
    }
    return false;
}

bool vg_tlp_may_send_name(const char *tlp, long long concerns, const struct vg_recipient *r)
{
    return vg_tlp_may_send(vg_tlp_level(tlp), concerns, r);
}

const char *vg_tlp_misp_tag(enum vg_tlp t)
{
    return (size_t)t < NLEVELS ? misp_tags[t] : "tlp:red";
}

int vg_tlp_from_misp_tag(const char *tag, enum vg_tlp *out)
{
    if (!tag || strncasecmp(tag, "tlp:", 4) != 0)
        return -1;
    if (strncasecmp(tag + 4, "ex:", 3) == 0) { /* an extension (tlp:ex:chr): as strict as RED */
        *out = VG_TLP_RED;
        return 0;
    }
    return vg_tlp_parse(tag + 4, out);
}

const char *vg_tlp_stix_marking(enum vg_tlp t)
{
    return (size_t)t < NLEVELS ? stix_markings[t] : stix_markings[VG_TLP_RED];
}

int vg_tlp_from_stix_marking(const char *id, enum vg_tlp *out)
{
    if (!id)
        return -1;
    for (size_t i = 0; i < NLEVELS; i++) {
        if (strcasecmp(id, stix_markings[i]) == 0) {
            *out = (enum vg_tlp)i;
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof stix_tlp1 / sizeof stix_tlp1[0]; i++) {
        if (strcasecmp(id, stix_tlp1[i].id) == 0) {
            *out = stix_tlp1[i].tlp;
            return 0;
        }
    }
    return -1;
}
