/* The demo constituency: a ministry, a regional hospital (OSE), an energy operator (OIV), a
 * city, and an SME that is not eligible; two incidents that share an indicator. */
#include "cli/demo.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app/advisory.h"
#include "core/record.h"
#include "util/buf.h"

static const char *const orgs[] = {
    "{\"name\":\"Ministère de l'Intérieur (démo)\",\"kind\":\"ministry\",\"sector\":\"government\","
    "\"assets\":{\"cidrs\":[\"198.51.100.0/24\"],\"domains\":[\"interieur.example\"],"
    "\"products\":[\"cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_12:*:*:*:*:*:*\"]},"
    "\"contacts\":[{\"name\":\"RSSI\",\"email\":\"rssi@interieur.example\",\"role\":\"security\"}]}",
    "{\"name\":\"CHU de Rivebourg\",\"kind\":\"ose\",\"sector\":\"health\","
    "\"assets\":{\"cidrs\":[\"203.0.113.0/25\",\"2001:db8:42::/48\"],\"domains\":[\"chu-rivebourg.example\"],"
    "\"products\":[\"cpe:2.3:a:citrix:netscaler_application_delivery_controller:13.1-48.47:*:*:*:*:*:*:*\"]},"
    "\"contacts\":[{\"name\":\"Astreinte SSI\",\"email\":\"ssi@chu-rivebourg.example\",\"role\":\"on-call\","
    "\"phone\":\"+33 1 00 00 00 00\"}]}",
    "{\"name\":\"Électricité du Val (démo)\",\"kind\":\"oiv\",\"sector\":\"energy\","
    "\"assets\":{\"cidrs\":[\"192.0.2.0/24\"],\"domains\":[\"edv.example\"],"
    "\"products\":[\"cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*\"]},"
    "\"contacts\":[{\"name\":\"SOC\",\"email\":\"soc@edv.example\",\"role\":\"soc\"}]}",
    "{\"name\":\"Ville de Montclair\",\"kind\":\"local-authority\",\"sector\":\"government\","
    "\"assets\":{\"domains\":[\"montclair.example\"]},"
    "\"contacts\":[{\"name\":\"DSI\",\"email\":\"dsi@montclair.example\",\"role\":\"it\"}]}",
    "{\"name\":\"Boulangerie Martin\",\"kind\":\"sme\",\"sector\":\"other\"}",
};

static const char *const incidents[] = {
    "{\"title\":\"Rançongiciel sur des postes du service des urgences\","
    "\"description\":\"Chiffrement de fichiers partagés, note de rançon LockBit.\","
    "\"class\":\"malicious-code\",\"type\":\"infected-system\",\"severity\":\"critical\","
    "\"tlp\":\"AMBER+STRICT\",\"pap\":\"AMBER\",\"org\":2,"
    "\"reporter\":{\"name\":\"Astreinte SSI\",\"email\":\"ssi@chu-rivebourg.example\"},"
    "\"observables\":[{\"value\":\"185.220.101.7\"},{\"value\":\"update-check.evil.example\"},"
    "{\"value\":\"44d88612fea8a8f36de82e1278abb02f\"}]}",
    "{\"title\":\"Hameçonnage ciblant les agents\",\"description\":\"Courriels imitant la DSI.\","
    "\"class\":\"fraud\",\"type\":\"phishing\",\"severity\":\"high\",\"tlp\":\"GREEN\","
    "\"org\":1,\"observables\":[{\"value\":\"https://login.evil.example/owa\"},"
    "{\"value\":\"185.220.101.0/24\"},{\"value\":\"evil.example\"}]}",
};

/* An advisory and an alert on products the demo constituency holds (published as TLP:CLEAR). */
static const char *const advisories[] = {
    "{\"kind\":\"avis\",\"title\":\"Vulnérabilité dans Citrix NetScaler ADC et Gateway\","
    "\"risks\":[\"information disclosure\"],"
    "\"affected_systems\":[{\"vendor\":\"Citrix\",\"product\":\"NetScaler ADC\","
    "\"versions\":\"13.1 antérieures à 13.1-49.15\",\"fixed\":\"13.1-49.15\","
    "\"cpe\":\"cpe:2.3:a:citrix:netscaler_application_delivery_controller:*:*:*:*:*:*:*:*\"}],"
    "\"cves\":[{\"id\":\"CVE-2023-4966\",\"cvss\":7.5,"
    "\"cvss_vector\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N\",\"kev\":true}],"
    "\"summary\":\"Une vulnérabilité a été découverte dans **Citrix NetScaler ADC et Gateway**. "
    "Elle permet à un attaquant non authentifié d'obtenir des jetons de session "
    "(*CitrixBleed*).\\n\\nL'éditeur indique qu'elle est activement exploitée.\","
    "\"solution\":\"Appliquer la version 13.1-49.15 ou ultérieure, puis **invalider toutes les "
    "sessions actives**.\","
    "\"references\":[{\"url\":\"https://support.citrix.com/article/CTX579459\","
    "\"title\":\"Bulletin de sécurité Citrix CTX579459\",\"vendor\":true}]}",
    "{\"kind\":\"alerte\",\"title\":\"Campagne d'exploitation d'une vulnérabilité dans FortiOS\","
    "\"risks\":[\"remote code execution\"],"
    "\"affected_systems\":[{\"vendor\":\"Fortinet\",\"product\":\"FortiOS\","
    "\"versions\":\"7.2.x antérieures à 7.2.5\",\"fixed\":\"7.2.5\","
    "\"cpe\":\"cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*\"}],"
    "\"cves\":[{\"id\":\"CVE-2023-27997\",\"cvss\":9.8,"
    "\"cvss_vector\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"kev\":true}],"
    "\"summary\":\"Une vulnérabilité de débordement de tas dans le VPN SSL de FortiOS est "
    "exploitée pour exécuter du code à distance sans authentification.\","
    "\"solution\":\"Appliquer sans délai la version 7.2.5 ou ultérieure ; à défaut, désactiver "
    "le VPN SSL.\","
    "\"references\":[{\"url\":\"https://www.fortiguard.com/psirt/FG-IR-23-097\","
    "\"title\":\"FG-IR-23-097\",\"vendor\":true}]}",
};

/* Creates, submits and publishes one advisory (the demo's store runs as a single analyst). */
static int publish_one(struct vg_store *st, const struct vg_actor *who, json_t *in,
                       struct vg_diag *d)
{
    json_t *out = NULL, *tmp = NULL;
    int rc = vg_advisory_create(st, who, in, &out, d);
    if (rc)
        return rc;
    char ref[64];
    snprintf(ref, sizeof ref, "%s", json_string_value(json_object_get(out, "ref")));
    json_decref(out);
    if (!(rc = vg_advisory_submit(st, who, ref, &tmp, d))) {
        json_decref(tmp);
        tmp = NULL;
        rc = vg_advisory_publish(st, who, ref, &tmp, d);
    }
    json_decref(tmp);
    return rc;
}

/* The shipped guides (guides/), published as advisories of kind guide. */
static int seed_guides(struct vg_store *st, const struct vg_actor *who, struct vg_diag *d)
{
    int rc = 0;
    for (const struct vg_demo_text *g = vg_demo_guides; g->name && !rc; g++) {
        const char *t = g->text, *nl = strchr(t, '\n');
        if (strncmp(t, "# ", 2) != 0 || !nl)
            return vg_diag_set(d, VG_EINVAL, g->name, "guide %s: no '# Title' line", g->name);
        char title[256];
        snprintf(title, sizeof title, "%.*s", (int)(nl - t - 2), t + 2);
        const char *body = nl + 1;
        if (strncmp(body, "[ref]:", 6) == 0 && strchr(body, '\n'))
            body = strchr(body, '\n') + 1;
        while (*body == '\n')
            body++;
        json_t *in = json_pack("{s:s, s:s, s:s}", "kind", "guide", "title", title, "summary", body);
        rc = in ? publish_one(st, who, in, d) : VG_ENOMEM;
        json_decref(in);
    }
    return rc;
}

/* A random password of VG_DEMO_PASSWORD_LEN characters from an alphabet without look-alikes
 * (0/O, 1/l/I): about 111 bits. */
static void random_password(char out[VG_DEMO_PASSWORD_LEN + 1])
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (size_t i = 0; i < VG_DEMO_PASSWORD_LEN; i++)
        out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    out[VG_DEMO_PASSWORD_LEN] = '\0';
}

/* Gives the admin a fresh console password (its Argon2id hash stored). */
static int admin_password(struct vg_store *st, char password[VG_DEMO_PASSWORD_LEN + 1],
                          struct vg_diag *d)
{
    char hash[crypto_pwhash_STRBYTES];
    random_password(password);
    if (vg_auth_password_hash(password, hash, sizeof hash))
        return vg_diag_set(d, VG_ENOMEM, "", "cannot hash the admin's password");
    int rc = vg_store_user_set_password(st, VG_DEMO_ADMIN, hash, d);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int vg_demo_seed(const char *db, const struct vg_store_config *cfg, char token[VG_TOKEN_LEN + 1],
                 char password[VG_DEMO_PASSWORD_LEN + 1], struct vg_diag *d)
{
    /* the demo publishes alone: four eyes would need a second person */
    struct vg_store_config demo_cfg = *cfg;
    demo_cfg.single_analyst = true;
    struct vg_store *st = vg_store_open(db, &demo_cfg, d);
    if (!st)
        return VG_EIO;
    int rc = 0;
    json_t *page = NULL;
    struct vg_page p = {1, NULL};
    struct vg_actor who = {0, "demo", "admin", 0};
    if ((rc = vg_store_org_list(st, &p, &page, d)))
        goto out;
    if (json_array_size(json_object_get(page, "items")) == 0) {
        for (size_t i = 0; i < sizeof orgs / sizeof orgs[0] && !rc; i++) {
            json_t *in = json_loads(orgs[i], 0, NULL), *org = NULL, *out = NULL;
            rc = vg_org_check(in, VG_CHECK_CREATE, &org, d);
            if (!rc)
                rc = vg_store_org_create(st, &who, org, &out, d);
            json_decref(in);
            json_decref(org);
            json_decref(out);
        }
        for (size_t i = 0; i < sizeof incidents / sizeof incidents[0] && !rc; i++) {
            json_t *in = json_loads(incidents[i], 0, NULL), *inc = NULL, *out = NULL;
            struct vg_incident_new rec = {0};
            rc = vg_incident_check(in, VG_CHECK_CREATE, &inc, d);
            if (!rc && !(rc = vg_incident_new_from_json(inc, &rec, d)))
                rc = vg_store_incident_create(st, &who, &rec, &out, d);
            vg_incident_new_cleanup(&rec);
            json_decref(in);
            json_decref(inc);
            json_decref(out);
        }
        for (size_t i = 0; i < sizeof advisories / sizeof advisories[0] && !rc; i++) {
            json_t *in = json_loads(advisories[i], 0, NULL);
            rc = in ? publish_one(st, &who, in, d) : VG_EINVAL;
            json_decref(in);
        }
        if (!rc)
            rc = seed_guides(st, &who, d);
        if (rc)
            goto out;
    }
    rc = vg_auth_user_token(st, VG_DEMO_ADMIN, "admin", "make run", token, d);
    if (!rc)
        rc = admin_password(st, password, d);
out:
    json_decref(page);
    vg_store_close(st);
    return rc;
}
