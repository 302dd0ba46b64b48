/* RSIT classes and types, as published by the TF-CSIRT taxonomy working group. */
#include "core/rsit.h"

#include <string.h>

static const char *const abusive[] = {"spam", "harmful-speech", "violence", NULL};
static const char *const malicious[] = {"infected-system", "c2-server", "malware-distribution",
                                        "malware-configuration", NULL};
static const char *const gathering[] = {"scanner", "sniffing", "social-engineering", NULL};
static const char *const attempts[] = {"ids-alert", "brute-force", "exploit", NULL};
static const char *const intrusions[] = {"privileged-account-compromise",
                                         "unprivileged-account-compromise",
                                         "application-compromise",
                                         "system-compromise",
                                         "burglary",
                                         NULL};
static const char *const availability[] = {"dos",      "ddos",   "misconfiguration",
                                           "sabotage", "outage", NULL};
static const char *const content[] = {"unauthorised-information-access",
                                      "unauthorised-information-modification", "data-loss",
                                      "data-leak", NULL};
static const char *const fraud[] = {"unauthorised-use-of-resources", "copyright", "masquerade",
                                    "phishing", NULL};
static const char *const vulnerable[] = {"weak-crypto",
                                         "ddos-amplifier",
                                         "potentially-unwanted-accessible",
                                         "information-disclosure",
                                         "vulnerable-system",
                                         NULL};
static const char *const other[] = {"other", "undetermined", NULL};
static const char *const test[] = {"test", NULL};

const struct vg_rsit_class vg_rsit_classes[] = {
    {"abusive-content", "Abusive Content", abusive},
    {"malicious-code", "Malicious Code", malicious},
    {"information-gathering", "Information Gathering", gathering},
    {"intrusion-attempts", "Intrusion Attempts", attempts},
    {"intrusions", "Intrusions", intrusions},
    {"availability", "Availability", availability},
    {"information-content-security", "Information Content Security", content},
    {"fraud", "Fraud", fraud},
    {"vulnerable", "Vulnerable", vulnerable},
    {"other", "Other", other},
    {"test", "Test", test},
};
const size_t vg_rsit_nclasses = sizeof vg_rsit_classes / sizeof vg_rsit_classes[0];

const struct vg_rsit_class *vg_rsit_class_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < vg_rsit_nclasses; i++)
        if (strcmp(vg_rsit_classes[i].name, name) == 0)
            return &vg_rsit_classes[i];
    return NULL;
}

bool vg_rsit_valid(const char *class_name, const char *type)
{
    const struct vg_rsit_class *c = vg_rsit_class_find(class_name);
    if (!c || !type)
        return false;
    for (size_t i = 0; c->types[i]; i++)
        if (strcmp(c->types[i], type) == 0)
            return true;
    return false;
}
