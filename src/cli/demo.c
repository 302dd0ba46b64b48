/* The demo constituency: a ministry, a regional hospital (OSE), an energy operator (OIV), a
 * city, and an SME that is not eligible; two incidents that share an indicator. */
#include "cli/demo.h"

#include <stdio.h>
#include <string.h>

#include "core/record.h"

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

int vg_demo_seed(const char *db, const struct vg_store_config *cfg, char token[VG_TOKEN_LEN + 1],
                 struct vg_diag *d)
{
    struct vg_store *st = vg_store_open(db, cfg, d);
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
        if (rc)
            goto out;
    }
    rc = vg_auth_user_token(st, "admin", "admin", "make run", token, d);
out:
    json_decref(page);
    vg_store_close(st);
    return rc;
}
