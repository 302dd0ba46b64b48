/* Partner CERTs: the checks of a partner record (core/partner.h). */
#include "core/partner.h"

#include <stdio.h>
#include <string.h>

#include "core/model.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"

const char *const vg_partner_networks[] = {"intercert-fr", "eu-csirts-network",
                                           "first",        "tf-csirt",
                                           "other",        NULL};

/* The officially assigned ISO 3166-1 alpha-2 codes (249; checked against Debian's iso-codes
 * by tests/unit/test_partner.c), by first letter. */
static const char countries[] = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZ"
                                "BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
                                "CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ"
                                "DEDJDKDMDODZ"
                                "ECEEEGEHERESET"
                                "FIFJFKFMFOFR"
                                "GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
                                "HKHMHNHRHTHU"
                                "IDIEILIMINIOIQIRISIT"
                                "JEJMJOJP"
                                "KEKGKHKIKMKNKPKRKWKYKZ"
                                "LALBLCLILKLRLSLTLULVLY"
                                "MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ"
                                "NANCNENFNGNINLNONPNRNUNZ"
                                "OM"
                                "PAPEPFPGPHPKPLPMPNPRPSPTPWPY"
                                "QA"
                                "RERORSRURW"
                                "SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ"
                                "TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ"
                                "UAUGUMUSUYUZ"
                                "VAVCVEVGVIVNVU"
                                "WFWS"
                                "YEYT"
                                "ZAZMZW";

bool vg_country_valid(const char *cc)
{
    if (!cc || strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
        return false;
    for (size_t i = 0; i + 1 < sizeof countries; i += 2)
        if (countries[i] == cc[0] && countries[i + 1] == cc[1])
            return true;
    return false;
}

int vg_partner_max_tlp(const char *name, enum vg_tlp *out)
{
    int i = name ? vg_name_index(vg_tlp_names, name) : -1;
    if (i < 0)
        return -1;
    if (i > VG_TLP_AMBER)
        return -2;
    *out = (enum vg_tlp)i;
    return 0;
}

static int check_name(const json_t *v, json_t *res, struct vg_diag *d)
{
    if (!json_is_string(v))
        return vg_diag_set(d, VG_EINVAL, "/name", "/name must be a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n > VG_MAX_NAME)
        return vg_diag_set(d, VG_ETOOBIG, "/name", "/name is longer than %d bytes", VG_MAX_NAME);
    if (n == 0 || strspn(s, " \t") == n)
        return vg_diag_set(d, VG_EINVAL, "/name", "/name must not be empty");
    if (memchr(s, '\0', n))
        return vg_diag_set(d, VG_EINVAL, "/name", "/name contains a NUL byte");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
            return vg_diag_set(d, VG_EINVAL, "/name", "/name contains a control character");
    return json_object_set_new(res, "name", json_string(s)) ? VG_ENOMEM : 0;
}

static int check_country(const json_t *v, json_t *res, struct vg_diag *d)
{
    if (!json_is_string(v) || !vg_country_valid(json_string_value(v)))
        return vg_diag_set(d, VG_EINVAL, "/country",
                           "/country must be an ISO 3166-1 alpha-2 code in upper case (\"FR\")");
    return json_object_set_new(res, "country", json_string(json_string_value(v))) ? VG_ENOMEM : 0;
}

static int check_networks(const json_t *v, json_t *res, struct vg_diag *d)
{
    char list[256];
    vg_names_join(vg_partner_networks, list, sizeof list);
    if (!json_is_array(v))
        return vg_diag_set(d, VG_EINVAL, "/networks", "/networks must be an array of: %s", list);
    json_t *out = json_array();
    size_t i;
    json_t *n;
    json_array_foreach(v, i, n) {
        const char *s = json_string_value(n);
        if (!s || vg_name_index(vg_partner_networks, s) < 0) {
            char field[32];
            snprintf(field, sizeof field, "/networks/%zu", i);
            json_decref(out);
            return vg_diag_set(d, VG_EINVAL, field, "%s must be one of: %s", field, list);
        }
        size_t j;
        json_t *seen;
        bool dup = false;
        json_array_foreach(out, j, seen) {
            dup = dup || strcmp(json_string_value(seen), s) == 0;
        }
        if (!dup)
            json_array_append_new(out, json_string(s));
    }
    return json_object_set_new(res, "networks", out) ? VG_ENOMEM : 0;
}

static int check_max_tlp(const json_t *v, json_t *res, struct vg_diag *d)
{
    enum vg_tlp t;
    int rc = vg_partner_max_tlp(json_string_value(v), &t);
    if (rc == -2)
        return vg_diag_set(d, VG_EINVAL, "/max_tlp",
                           "/max_tlp: a partner never receives %s (TLP 2.0: only the CERT's "
                           "constituent concerned, or nobody); use CLEAR, GREEN or AMBER",
                           json_string_value(v));
    if (rc)
        return vg_diag_set(d, VG_EINVAL, "/max_tlp",
                           "/max_tlp must be one of: CLEAR, GREEN, AMBER");
    return json_object_set_new(res, "max_tlp", json_string(vg_tlp_name(t))) ? VG_ENOMEM : 0;
}

int vg_partner_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d)
{
    static const char *const create_fields[] = {"name",     "country", "networks",
                                                "contacts", "max_tlp", NULL};
    static const char *const patch_fields[] = {"name",    "country",  "networks", "contacts",
                                               "max_tlp", "disabled", NULL};
    bool create = mode == VG_CHECK_CREATE;
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object");
    int rc = vg_json_check_fields(in, create ? create_fields : patch_fields, "/", d);
    if (rc)
        return rc;
    unsigned long before = vg_mem_thread_failures();
    json_t *res = json_object(), *v;
    if (!res)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if ((v = json_object_get(in, "name")))
        rc = check_name(v, res, d);
    else if (create)
        rc = vg_diag_set(d, VG_EINVAL, "/name", "/name is required");
    if (!rc && (v = json_object_get(in, "country")))
        rc = check_country(v, res, d);
    else if (!rc && create)
        rc = vg_diag_set(d, VG_EINVAL, "/country", "/country is required");
    if (!rc && (v = json_object_get(in, "networks")))
        rc = check_networks(v, res, d);
    else if (!rc && create)
        rc = json_object_set_new(res, "networks", json_array()) ? VG_ENOMEM : 0;
    if (!rc && (v = json_object_get(in, "contacts"))) {
        json_t *c = NULL;
        rc = vg_contacts_check(v, &c, d);
        if (!rc)
            rc = json_object_set_new(res, "contacts", c) ? VG_ENOMEM : 0;
    } else if (!rc && create) {
        rc = json_object_set_new(res, "contacts", json_array()) ? VG_ENOMEM : 0;
    }
    if (!rc && (v = json_object_get(in, "max_tlp")))
        rc = check_max_tlp(v, res, d);
    else if (!rc && create)
        rc = json_object_set_new(res, "max_tlp", json_string("GREEN")) ? VG_ENOMEM : 0;
    if (!rc && (v = json_object_get(in, "disabled"))) {
        if (!json_is_boolean(v))
            rc = vg_diag_set(d, VG_EINVAL, "/disabled", "/disabled must be true or false");
        else
            rc = json_object_set(res, "disabled", v) ? VG_ENOMEM : 0;
    }
    if (!rc && !create && json_object_size(res) == 0)
        rc = vg_diag_set(d, VG_EINVAL, "", "nothing to change");
    if (!rc && vg_mem_thread_failures() != before)
        rc = VG_ENOMEM;
    if (rc == VG_ENOMEM)
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (rc) {
        json_decref(res);
        return rc;
    }
    *out = res;
    return 0;
}
