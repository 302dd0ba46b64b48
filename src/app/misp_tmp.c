/* TEMPORARY until h-misp lands (share/misp.c): a minimal vg_misp_write and
 * vg_misp_manifest_entry, so that the MISP feed can be built and tested. Deleted at the merge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tlp.h"
#include "share/misp.h"
#include "util/json.h"
#include "util/time.h"

static const char *misp_type(const char *t)
{
    static const char *const map[][2] = {
        {"ipv4-addr", "ip-dst"}, {"ipv6-addr", "ip-dst"},     {"domain-name", "domain"},
        {"url", "url"},          {"email-addr", "email-src"}, {"md5", "md5"},
        {"sha1", "sha1"},        {"sha256", "sha256"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (t && strcmp(t, map[i][0]) == 0)
            return map[i][1];
    return "text";
}

static json_t *header(const json_t *doc)
{
    time_t t = 0;
    const char *up = vg_json_str(doc, "updated"), *cr = vg_json_str(doc, "created");
    if (up)
        vg_time_parse(up, &t);
    char ts[32], date[11] = "1970-01-01";
    snprintf(ts, sizeof ts, "%lld", (long long)t);
    if (cr && strlen(cr) >= 10)
        memcpy(date, cr, 10);
    enum vg_tlp tl = vg_tlp_level(vg_json_str(doc, "tlp"));
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s},s:[{s:s}]}", "info",
                     vg_json_str(doc, "title") ? vg_json_str(doc, "title") : "", "date", date,
                     "timestamp", ts, "threat_level_id", "2", "analysis", "1", "Orgc", "name",
                     "vigie", "uuid", vg_json_str(doc, "uuid"), "Tag", "name", vg_tlp_misp_tag(tl));
}

int vg_misp_manifest_entry(const json_t *doc, json_t **out, struct vg_diag *d)
{
    *out = header(doc);
    return *out ? 0 : vg_diag_set(d, VG_EINVAL, "", "bad document");
}

int vg_misp_write(const json_t *doc, struct vg_buf *out, struct vg_diag *d)
{
    json_t *e = header(doc);
    if (!e)
        return vg_diag_set(d, VG_EINVAL, "", "bad document");
    json_object_set_new(e, "uuid", json_string(vg_json_str(doc, "uuid")));
    json_object_set_new(e, "distribution", json_string("0"));
    json_t *attrs = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(doc, "items"), i, it) {
        json_array_append_new(attrs,
                              json_pack("{s:s,s:s,s:O,s:O,s:b,s:O,s:[{s:s}]}", "type",
                                        misp_type(vg_json_str(it, "type")), "category",
                                        "Network activity", "value", json_object_get(it, "value"),
                                        "uuid", json_object_get(it, "uuid"), "to_ids", 1,
                                        "timestamp", json_object_get(e, "timestamp"), "Tag", "name",
                                        vg_tlp_misp_tag(vg_tlp_level(vg_json_str(it, "tlp")))));
    }
    json_object_set_new(e, "Attribute", attrs);
    json_t *w = json_pack("{s:o}", "Event", e);
    char *s = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(w);
    int rc = s && vg_buf_puts(out, s) == 0 ? 0 : vg_diag_set(d, VG_ETOOBIG, "", "too big");
    free(s);
    return rc;
}
