/* Advisories' names and lists (advisory/advisory.h): kinds, statuses, the controlled risks
 * with CERT-FR's wording, and freeing. */
#include "advisory/advisory.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/mem.h"

static const struct {
    const char *name, *code, *fr, *en;
} kinds[VG_ADV_KIND_COUNT] = {
    [VG_ADV_AVIS] = {"avis", "AVI", "Avis", "Advisory"},
    [VG_ADV_ALERTE] = {"alerte", "ALE", "Alerte", "Alert"},
    [VG_ADV_ACTUALITE] = {"actualite", "ACT", "Bulletin d'actualité", "Bulletin"},
    [VG_ADV_CTI] = {"cti", "CTI", "Rapport sur la menace", "Threat report"},
    [VG_ADV_IOC] = {"ioc", "IOC", "Indicateurs de compromission", "Indicators of compromise"},
    [VG_ADV_DURCISSEMENT] = {"durcissement", "DUR", "Durcissement", "Hardening"},
    [VG_ADV_FICHE_REFLEXE] = {"fiche-reflexe", "RFX", "Fiche réflexe", "First-response sheet"},
    [VG_ADV_GUIDE] = {"guide", "GUI", "Guide", "Guide"},
};

static const char *const statuses[VG_ADV_STATUS_COUNT] = {"draft", "review", "published"};

static const struct {
    const char *name, *fr, *en;
} risks[VG_RISK_COUNT] = {
    [VG_RISK_RCE] = {"remote code execution", "Exécution de code arbitraire à distance",
                     "Remote code execution"},
    [VG_RISK_PRIVESC] = {"privilege escalation", "Élévation de privilèges", "Privilege escalation"},
    [VG_RISK_DOS] = {"denial of service", "Déni de service à distance", "Denial of service"},
    [VG_RISK_BYPASS] = {"security bypass", "Contournement de la politique de sécurité",
                        "Security bypass"},
    [VG_RISK_DISCLOSURE] = {"information disclosure", "Atteinte à la confidentialité des données",
                            "Information disclosure"},
    [VG_RISK_INTEGRITY] = {"data integrity breach", "Atteinte à l'intégrité des données",
                           "Data integrity breach"},
    [VG_RISK_XSS] = {"cross-site scripting", "Injection de code indirecte à distance (XSS)",
                     "Cross-site scripting"},
    [VG_RISK_SSRF] = {"server-side request forgery",
                      "Falsification de requêtes côté serveur (SSRF)",
                      "Server-side request forgery"},
    [VG_RISK_OTHER] = {"other", "Non spécifié par l'éditeur", "Other"},
};

static bool english(const char *lang)
{
    return lang && strncasecmp(lang, "en", 2) == 0;
}

const char *vg_adv_kind_name(enum vg_adv_kind k)
{
    return (unsigned)k < VG_ADV_KIND_COUNT ? kinds[k].name : NULL;
}

const char *vg_adv_kind_code(enum vg_adv_kind k)
{
    return (unsigned)k < VG_ADV_KIND_COUNT ? kinds[k].code : NULL;
}

const char *vg_adv_kind_label(enum vg_adv_kind k, const char *lang)
{
    if ((unsigned)k >= VG_ADV_KIND_COUNT)
        return NULL;
    return english(lang) ? kinds[k].en : kinds[k].fr;
}

const char *vg_adv_status_name(enum vg_adv_status s)
{
    return (unsigned)s < VG_ADV_STATUS_COUNT ? statuses[s] : NULL;
}

const char *vg_adv_risk_name(enum vg_adv_risk r)
{
    return (unsigned)r < VG_RISK_COUNT ? risks[r].name : NULL;
}

const char *vg_adv_risk_label(enum vg_adv_risk r, const char *lang)
{
    if ((unsigned)r >= VG_RISK_COUNT)
        return NULL;
    return english(lang) ? risks[r].en : risks[r].fr;
}

int vg_adv_kind_parse(const char *s, enum vg_adv_kind *out)
{
    for (int k = 0; s && k < VG_ADV_KIND_COUNT; k++)
        if (strcmp(s, kinds[k].name) == 0) {
            *out = (enum vg_adv_kind)k;
            return 0;
        }
    return -1;
}

int vg_adv_kind_parse_code(const char *s, enum vg_adv_kind *out)
{
    for (int k = 0; s && k < VG_ADV_KIND_COUNT; k++)
        if (strcmp(s, kinds[k].code) == 0) {
            *out = (enum vg_adv_kind)k;
            return 0;
        }
    return -1;
}

int vg_adv_status_parse(const char *s, enum vg_adv_status *out)
{
    for (int k = 0; s && k < VG_ADV_STATUS_COUNT; k++)
        if (strcmp(s, statuses[k]) == 0) {
            *out = (enum vg_adv_status)k;
            return 0;
        }
    return -1;
}

int vg_adv_risk_parse(const char *s, enum vg_adv_risk *out)
{
    for (int k = 0; s && k < VG_RISK_COUNT; k++)
        if (strcmp(s, risks[k].name) == 0) {
            *out = (enum vg_adv_risk)k;
            return 0;
        }
    return -1;
}

enum vg_adv_risk vg_adv_risk_guess(const char *text)
{
    /* Fragments of CERT-FR's wordings and of English ones, most specific first; strcasestr
     * folds ASCII only, so the fragments avoid accented capitals. */
    static const struct {
        const char *frag;
        enum vg_adv_risk risk;
    } frags[] = {
        {"xss", VG_RISK_XSS},
        {"cross-site scripting", VG_RISK_XSS},
        {"injection de code indirecte", VG_RISK_XSS},
        {"ssrf", VG_RISK_SSRF},
        {"server-side request forgery", VG_RISK_SSRF},
        {"requêtes côté serveur", VG_RISK_SSRF},
        {"code arbitraire", VG_RISK_RCE},
        {"code execution", VG_RISK_RCE},
        {"vation de privil", VG_RISK_PRIVESC},
        {"privilege escalation", VG_RISK_PRIVESC},
        {"déni de service", VG_RISK_DOS},
        {"denial of service", VG_RISK_DOS},
        {"contournement", VG_RISK_BYPASS},
        {"bypass", VG_RISK_BYPASS},
        {"confidentialit", VG_RISK_DISCLOSURE},
        {"disclosure", VG_RISK_DISCLOSURE},
        {"intégrité", VG_RISK_INTEGRITY},
        {"integrity", VG_RISK_INTEGRITY},
    };
    if (!text)
        return VG_RISK_OTHER;
    for (size_t i = 0; i < sizeof frags / sizeof frags[0]; i++)
        if (strcasestr(text, frags[i].frag))
            return frags[i].risk;
    return VG_RISK_OTHER;
}

const char *vg_adv_risk_text(const struct vg_adv_risk_item *r, const char *lang)
{
    return r->text ? r->text : vg_adv_risk_label(r->kind, lang);
}

const char *vg_adv_first_date(const struct vg_advisory *a)
{
    return a->nrevisions ? a->revisions[0].date : NULL;
}

const char *vg_adv_last_date(const struct vg_advisory *a)
{
    return a->nrevisions ? a->revisions[a->nrevisions - 1].date : NULL;
}

void vg_advisory_free(struct vg_advisory *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nrisks; i++)
        free(a->risks[i].text);
    for (size_t i = 0; i < a->nsystems; i++) {
        struct vg_adv_system *s = &a->systems[i];
        free(s->vendor);
        free(s->product);
        free(s->versions);
        free(s->fixed);
        free(s->cpe);
    }
    for (size_t i = 0; i < a->ncves; i++) {
        free(a->cves[i].id);
        free(a->cves[i].cvss_vector);
    }
    for (size_t i = 0; i < a->nlinks; i++) {
        free(a->links[i].title);
        free(a->links[i].url);
        free(a->links[i].published_at);
    }
    for (size_t i = 0; i < a->nrevisions; i++) {
        free(a->revisions[i].date);
        free(a->revisions[i].description);
    }
    char *strings[] = {a->ref,        a->lang,       a->title,
                       a->summary,    a->solution,   a->affected_content,
                       a->created_at, a->updated_at, a->closed_at,
                       a->source,     a->source_url};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(strings[i]);
    free(a->risks);
    free(a->systems);
    free(a->cves);
    free(a->links);
    free(a->revisions);
    memset(a, 0, sizeof *a);
}
