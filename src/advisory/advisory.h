/* Advisories (issue 13): what a CERT publishes — avis, alertes, bulletins, threat reports,
 * indicator lists, hardening notes, "fiches réflexes" and guides — in C form, for the writers
 * (CSAF 2.0, CERT-FR-style JSON, HTML, Atom, RSS) and the readers (CERT-FR JSON). Pure: no
 * store, no I/O. The API's JSON form and its checks are advisory/model.c; the workflow
 * (draft → review → published, revisions, four eyes) is app/advisory.c.
 *
 * A struct vg_advisory holds only what may be published: what a CERT keeps internal about an
 * advisory (the constituents it concerns, from the findings) never enters it, so no writer can
 * leak it. Every string is owned by the advisory (vg_advisory_free frees them all); a string
 * that is not set is NULL. Dates are RFC 3339 UTC strings ("2026-03-02T09:30:00Z"). */
#ifndef VG_ADVISORY_H
#define VG_ADVISORY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/tlp.h"

/* What it is. The reference code is CERT-FR's (CERTFR-2026-AVI-0133, -ALE-, -ACT-, -CTI-,
 * -IOC-, -DUR-, -RFX-) and GUI for guides. */
enum vg_adv_kind {
    VG_ADV_AVIS = 0,      /* "avis": a security advisory on vulnerable products (AVI) */
    VG_ADV_ALERTE,        /* "alerte": an actively exploited threat; has a closing date (ALE) */
    VG_ADV_ACTUALITE,     /* "actualite": a bulletin (ACT) */
    VG_ADV_CTI,           /* "cti": a threat report (CTI) */
    VG_ADV_IOC,           /* "ioc": an indicator list (IOC) */
    VG_ADV_DURCISSEMENT,  /* "durcissement": a hardening note (DUR) */
    VG_ADV_FICHE_REFLEXE, /* "fiche-reflexe": a first-response sheet (RFX) */
    VG_ADV_GUIDE,         /* "guide": a good-practice guide (GUI) */
    VG_ADV_KIND_COUNT
};

enum vg_adv_status {
    VG_ADV_DRAFT = 0, /* being written; version 0 before its first publication */
    VG_ADV_REVIEW,    /* submitted: waiting for a second analyst */
    VG_ADV_PUBLISHED, /* out; a change is a revision with a new version number */
    VG_ADV_STATUS_COUNT
};

/* The controlled list of risks. Names in the API are the English phrases
 * ("remote code execution"); labels in the CERT-FR JSON and French pages are CERT-FR's. */
enum vg_adv_risk {
    VG_RISK_RCE = 0,    /* "remote code execution" */
    VG_RISK_PRIVESC,    /* "privilege escalation" */
    VG_RISK_DOS,        /* "denial of service" */
    VG_RISK_BYPASS,     /* "security bypass" */
    VG_RISK_DISCLOSURE, /* "information disclosure" */
    VG_RISK_INTEGRITY,  /* "data integrity breach" */
    VG_RISK_XSS,        /* "cross-site scripting" */
    VG_RISK_SSRF,       /* "server-side request forgery" */
    VG_RISK_OTHER,      /* "other" */
    VG_RISK_COUNT
};

/* One risk: its kind and, for an advisory read from another CERT, the text it gave
 * ("Déni de service à distance"; NULL for vigie's own: the list's label is used). */
struct vg_adv_risk_item {
    enum vg_adv_risk kind;
    char *text;
};

/* An affected system. */
struct vg_adv_system {
    char *vendor;   /* "Apache" */
    char *product;  /* "HTTP Server" (CERT-FR writes "N/A" when it names none) */
    char *versions; /* the affected versions as published: "< 2.4.58", "5.x antérieures à 5.0.1" */
    char *fixed;    /* the first fixed version, or NULL */
    char *cpe;      /* a CPE 2.3 formatted string, or NULL */
    bool scada;     /* an industrial product (CERT-FR's vendor.scada) */
};

/* A CVE the advisory names, with what the technology watch knew of it. */
struct vg_adv_cve {
    char *id;          /* "CVE-2024-3094" */
    double cvss;       /* base score 0.0-10.0, or -1 if unknown */
    char *cvss_vector; /* "CVSS:3.1/AV:N/..." (the vector of that score), or NULL */
    bool kev;          /* in CISA's Known Exploited Vulnerabilities catalogue */
};

/* A reference: a vendor advisory (vendor true; published_at its date or NULL) or a link. */
struct vg_adv_link {
    char *title; /* may be NULL: the URL is shown */
    char *url;   /* http(s) */
    char *published_at;
    bool vendor;
};

/* One published version: version 1 is the initial one ("Version initiale"). */
struct vg_adv_revision {
    int version;
    char *date;        /* when it was published */
    char *description; /* what changed */
};

struct vg_advisory {
    char *ref; /* "VIGIE-2026-AVI-0001"; for an upstream one, its publisher's ("CERTFR-...") */
    enum vg_adv_kind kind;
    enum vg_adv_status status;
    int version; /* the number of published versions (0 before the first publication) */
    enum vg_tlp tlp;
    char *lang; /* "fr" or "en" (BCP 47), NULL: the site's */
    char *title;
    char *summary;          /* Markdown */
    char *solution;         /* Markdown */
    char *affected_content; /* CERT-FR's affected_systems_content (an HTML fragment of theirs:
                             * escaped, never rendered as HTML), NULL for vigie's own */
    struct vg_adv_risk_item *risks;
    size_t nrisks;
    struct vg_adv_system *systems;
    size_t nsystems;
    struct vg_adv_cve *cves;
    size_t ncves;
    struct vg_adv_link *links;
    size_t nlinks;
    struct vg_adv_revision *revisions; /* oldest first; empty before the first publication */
    size_t nrevisions;
    char *created_at;
    char *updated_at;
    char *closed_at; /* an alert's end, NULL while it runs (and for other kinds) */
    char *source;    /* an upstream advisory's publisher ("CERT-FR"), NULL for vigie's own */
    char *source_url;
};

/* Who publishes, and where: what every writer needs besides the advisory. */
struct vg_adv_site {
    const char *name;      /* "CERT Example" (CSAF publisher name, feed author) */
    const char *namespace; /* the publisher's URL (CSAF publisher namespace) */
    const char *contact;   /* CSAF contact_details, e.g. "cert@example.org", or NULL */
    const char *base_url;  /* absolute URL the site is served under, no trailing slash:
                            * "https://cert.example.org" ("" for relative links) */
    const char *lang;      /* default language of texts: "fr" or "en" */
    const char *generator; /* "vigie 0.13" (CSAF document.tracking.generator) */
};

/* Names. Each returns NULL for a value out of range. */
const char *vg_adv_kind_name(enum vg_adv_kind k);                    /* "avis", "fiche-reflexe" */
const char *vg_adv_kind_code(enum vg_adv_kind k);                    /* "AVI", "RFX", "GUI" */
const char *vg_adv_kind_label(enum vg_adv_kind k, const char *lang); /* "Avis", "Alert" */
const char *vg_adv_status_name(enum vg_adv_status s); /* "draft", "review", "published" */
const char *vg_adv_risk_name(enum vg_adv_risk r);     /* "remote code execution" */
const char *vg_adv_risk_label(enum vg_adv_risk r, const char *lang); /* CERT-FR's wording */
/* Parsers of the names above: 0 and *out, or -1. */
int vg_adv_kind_parse(const char *s, enum vg_adv_kind *out);
int vg_adv_kind_parse_code(const char *s, enum vg_adv_kind *out);
int vg_adv_status_parse(const char *s, enum vg_adv_status *out);
int vg_adv_risk_parse(const char *s, enum vg_adv_risk *out);
/* The controlled risk closest to another CERT's wording (CERT-FR's labels, English phrases,
 * "XSS", "SSRF", ...; case and accents as written), VG_RISK_OTHER when none fits. */
enum vg_adv_risk vg_adv_risk_guess(const char *text);

/* The text of a risk as published: its own text, else the label in lang. */
const char *vg_adv_risk_text(const struct vg_adv_risk_item *r, const char *lang);
/* The date of the first and of the last published version (NULL before publication). */
const char *vg_adv_first_date(const struct vg_advisory *a);
const char *vg_adv_last_date(const struct vg_advisory *a);

/* Frees every string and array of a and zeroes it (a itself is not freed). */
void vg_advisory_free(struct vg_advisory *a);

#endif
